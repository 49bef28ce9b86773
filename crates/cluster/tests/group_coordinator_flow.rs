//! The group coordinator on real brokers (scripted controller): FindCoordinator,
//! the classic join/sync protocol to Stable, heartbeats and their errors,
//! session timeouts, LeaveGroup, offsets (with failover to a new leader of the
//! offsets partition), DeleteGroup, and ListOffsets.

mod broker_harness;

use broker_harness::*;
use kafkaplay_cluster::broker::group_coordinator::{GroupState, GROUP_METADATA_TOPIC_NAME};
use kafkaplay_cluster::protocol::{
    AdminRequest, Assignment, GroupDescription, GroupListing, JoinGroupRequest, JoinGroupResponse,
    ListOffsetsPartition, Message, Subscription, SyncGroupRequest,
};
use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::{ClusterConfig, KafkaError, NodeId, TopicPartition};
use kafkaplay_log::{BatchBuilder, NewRecord};

const GROUP: &str = "g";
const SESSION_MS: i64 = 10_000;

/// Three brokers; `__consumer_offsets` with 3 partitions, RF 3, led by 1, 2, 3.
fn cluster() -> Harness {
    let mut config = ClusterConfig::new(3, 1);
    config.broker.offsets_topic_num_partitions = 3;
    let mut h = Harness::with_config(config);
    h.create_topic(
        GROUP_METADATA_TOPIC_NAME,
        &[&[1, 2, 3], &[2, 3, 1], &[3, 1, 2]],
        &[("cleanup.policy", "compact")],
    );
    h
}

/// Sends a request from the client with a fresh request id; returns the id.
fn request(h: &mut Harness, to: NodeId, make: impl FnOnce(u64) -> Message) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    // Above the harness's own produce request ids.
    static NEXT: AtomicU64 = AtomicU64::new(1_000_000);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    h.send(CLIENT, to, make(id));
    id
}

fn response(h: &Harness, id: u64) -> Option<Message> {
    h.inbox
        .iter()
        .find_map(|(_, _, m)| (request_id(m) == Some(id)).then(|| m.clone()))
}

fn request_id(m: &Message) -> Option<u64> {
    Some(match m {
        Message::FindCoordinatorResponse { request_id, .. }
        | Message::SyncGroupResponse { request_id, .. }
        | Message::HeartbeatResponse { request_id, .. }
        | Message::LeaveGroupResponse { request_id, .. }
        | Message::OffsetCommitResponse { request_id, .. }
        | Message::OffsetFetchResponse { request_id, .. }
        | Message::ListOffsetsResponse { request_id, .. }
        | Message::ListGroupsResponse { request_id, .. }
        | Message::DescribeGroupResponse { request_id, .. }
        | Message::DeleteGroupResponse { request_id, .. } => *request_id,
        Message::JoinGroupResponse(r) => r.request_id,
        _ => return None,
    })
}

fn wait(h: &mut Harness, id: u64, max_ms: i64) -> Message {
    assert!(h.run_until(max_ms, |h| response(h, id).is_some()), "no answer to {id}");
    response(h, id).expect("answered")
}

fn call(h: &mut Harness, to: NodeId, make: impl FnOnce(u64) -> Message) -> Message {
    let id = request(h, to, make);
    wait(h, id, 5_000)
}

fn coordinator(h: &mut Harness) -> NodeId {
    match call(h, 1, |request_id| Message::FindCoordinator {
        request_id,
        group_id: GROUP.into(),
    }) {
        Message::FindCoordinatorResponse {
            error: None,
            coordinator,
            ..
        } => coordinator,
        other => panic!("{other:?}"),
    }
}

fn join(h: &mut Harness, to: NodeId, member_id: &str, client_id: &str) -> u64 {
    let (member_id, client_id) = (member_id.to_string(), client_id.to_string());
    request(h, to, |request_id| {
        Message::JoinGroup(JoinGroupRequest {
            request_id,
            group_id: GROUP.into(),
            member_id,
            client_id,
            session_timeout_ms: SESSION_MS,
            rebalance_timeout_ms: 20_000,
            protocol_type: "consumer".into(),
            protocols: vec![(
                "range".into(),
                Subscription {
                    topics: vec!["t".into()],
                    owned_partitions: vec![],
                    generation_id: -1,
                },
            )],
        })
    })
}

fn join_response(h: &Harness, id: u64) -> Option<JoinGroupResponse> {
    match response(h, id)? {
        Message::JoinGroupResponse(r) => Some(r),
        other => panic!("{other:?}"),
    }
}

/// The first JoinGroup: MEMBER_ID_REQUIRED with the member's id.
fn member_id(h: &mut Harness, to: NodeId, client_id: &str) -> String {
    let id = join(h, to, "", client_id);
    wait(h, id, 1_000);
    let r = join_response(h, id).expect("answered");
    assert_eq!(r.error, Some(KafkaError::MemberIdRequired));
    assert!(r.member_id.starts_with(&format!("{client_id}-")), "{}", r.member_id);
    r.member_id
}

fn sync(
    h: &mut Harness,
    to: NodeId,
    member_id: &str,
    generation_id: i32,
    assignments: Vec<(String, Assignment)>,
) -> u64 {
    let member_id = member_id.to_string();
    request(h, to, |request_id| {
        Message::SyncGroup(SyncGroupRequest {
            request_id,
            group_id: GROUP.into(),
            generation_id,
            member_id,
            assignments,
        })
    })
}

fn heartbeat(h: &mut Harness, to: NodeId, member_id: &str, generation_id: i32) -> Option<KafkaError> {
    let member_id = member_id.to_string();
    match call(h, to, |request_id| Message::Heartbeat {
        request_id,
        group_id: GROUP.into(),
        generation_id,
        member_id,
    }) {
        Message::HeartbeatResponse { error, .. } => error,
        other => panic!("{other:?}"),
    }
}

fn describe(h: &mut Harness, to: NodeId) -> GroupDescription {
    match call(h, to, |request_id| Message::DescribeGroup {
        request_id,
        group_id: GROUP.into(),
    }) {
        Message::DescribeGroupResponse { error: None, group, .. } => group,
        other => panic!("{other:?}"),
    }
}

fn commit(
    h: &mut Harness,
    to: NodeId,
    generation_id: i32,
    member_id: &str,
    offsets: &[(&str, i32, i64)],
) -> Vec<Option<KafkaError>> {
    let member_id = member_id.to_string();
    let offsets: Vec<(TopicPartition, i64)> = offsets
        .iter()
        .map(|(t, p, o)| (TopicPartition::new(t, *p), *o))
        .collect();
    match call(h, to, |request_id| Message::OffsetCommit {
        request_id,
        group_id: GROUP.into(),
        generation_id,
        member_id,
        offsets,
    }) {
        Message::OffsetCommitResponse { results, .. } => results.into_iter().map(|(_, e)| e).collect(),
        other => panic!("{other:?}"),
    }
}

fn fetch_offsets(
    h: &mut Harness,
    to: NodeId,
    partitions: Option<Vec<TopicPartition>>,
) -> (Option<KafkaError>, Vec<(TopicPartition, i64)>) {
    match call(h, to, |request_id| Message::OffsetFetch {
        request_id,
        group_id: GROUP.into(),
        partitions,
    }) {
        Message::OffsetFetchResponse { error, offsets, .. } => (error, offsets),
        other => panic!("{other:?}"),
    }
}

fn assignment(parts: &[i32]) -> Assignment {
    Assignment {
        partitions: parts.iter().map(|p| TopicPartition::new("t", *p)).collect(),
    }
}

/// Two members joined and synced: (coordinator, leader id, follower id).
fn stable_group(h: &mut Harness) -> (NodeId, String, String) {
    let c = coordinator(h);
    let a = member_id(h, c, "consumer-g-1");
    let ja = join(h, c, &a, "consumer-g-1");
    h.run_for(1_000);
    assert!(
        join_response(h, ja).is_none(),
        "the initial rebalance delay holds the join"
    );
    let b = member_id(h, c, "consumer-g-2");
    let jb = join(h, c, &b, "consumer-g-2");
    assert_eq!(describe(h, c).state, "PreparingRebalance");
    assert!(h.run_until(10_000, |h| join_response(h, jb).is_some()));
    let (ra, rb) = (join_response(h, ja).unwrap(), join_response(h, jb).unwrap());
    assert_eq!((ra.error, rb.error), (None, None));
    assert_eq!((ra.generation_id, rb.generation_id), (1, 1));
    assert_eq!(ra.leader, a);
    assert_eq!(ra.protocol_name, "range");
    assert_eq!(ra.members.len(), 2, "the leader sees every member");
    assert!(rb.members.is_empty());
    assert_eq!(describe(h, c).state, "CompletingRebalance");

    let sb = sync(h, c, &b, 1, vec![]);
    h.run_for(100);
    assert!(response(h, sb).is_none(), "followers wait for the leader's assignment");
    let sa = sync(
        h,
        c,
        &a,
        1,
        vec![(a.clone(), assignment(&[0, 1])), (b.clone(), assignment(&[2]))],
    );
    for (id, expected) in [(sa, assignment(&[0, 1])), (sb, assignment(&[2]))] {
        match wait(h, id, 5_000) {
            Message::SyncGroupResponse { error, assignment, .. } => {
                assert_eq!(error, None);
                assert_eq!(assignment, expected);
            }
            other => panic!("{other:?}"),
        }
    }
    (c, a, b)
}

#[test]
fn find_coordinator_asks_the_controller_for_the_offsets_topic_first() {
    let mut h = Harness::new(1);
    h.settle();
    let r = call(&mut h, 1, |request_id| Message::FindCoordinator {
        request_id,
        group_id: GROUP.into(),
    });
    assert!(matches!(
        r,
        Message::FindCoordinatorResponse {
            error: Some(KafkaError::CoordinatorNotAvailable),
            ..
        }
    ));
    h.run_for(10);
    let (from, req) = h.controller.admin_requests.first().cloned().expect("asked");
    assert_eq!(from, 1);
    match req {
        AdminRequest::CreateTopic {
            name,
            partitions,
            replication_factor,
            configs,
            ..
        } => {
            assert_eq!(name, "__consumer_offsets");
            assert_eq!(partitions, 50);
            assert_eq!(
                replication_factor, 1,
                "min(offsets.topic.replication.factor=3, live brokers)"
            );
            assert!(configs.contains(&("cleanup.policy".into(), "compact".into())));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_members_join_and_sync_to_stable() {
    let mut h = cluster();
    let (c, a, b) = stable_group(&mut h);
    let d = describe(&mut h, c);
    assert_eq!(d.state, "Stable");
    assert_eq!(d.protocol, "range");
    assert_eq!(d.generation_id, 1);
    assert_eq!(d.coordinator, c);
    assert_eq!(d.members.len(), 2);
    assert_eq!(d.members[0].member_id, a);
    assert_eq!(d.members[0].client_id, "consumer-g-1");
    assert_eq!(d.members[0].host, "/127.0.0.1");
    assert_eq!(d.members[1].assignment, vec![TopicPartition::new("t", 2)]);
    assert_eq!(heartbeat(&mut h, c, &b, 1), None);
    match call(&mut h, c, |request_id| Message::ListGroups { request_id }) {
        Message::ListGroupsResponse { groups, .. } => assert_eq!(
            groups,
            vec![GroupListing {
                group_id: "g".into(),
                protocol_type: "consumer".into(),
                state: "Stable".into(),
            }]
        ),
        other => panic!("{other:?}"),
    }
    let states: Vec<&'static str> = h
        .observed(|o| matches!(o, Observation::GroupState { .. }))
        .into_iter()
        .map(|(_, _, o)| match o {
            Observation::GroupState { state, .. } => state,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(states, vec!["PreparingRebalance", "CompletingRebalance", "Stable"]);
}

#[test]
fn heartbeat_errors_follow_the_group_state() {
    let mut h = cluster();
    let (c, a, b) = stable_group(&mut h);
    let other = if c == 1 { 2 } else { 1 };
    assert_eq!(heartbeat(&mut h, other, &a, 1), Some(KafkaError::NotCoordinator));
    assert_eq!(heartbeat(&mut h, c, "nobody", 1), Some(KafkaError::UnknownMemberId));
    assert_eq!(heartbeat(&mut h, c, &a, 7), Some(KafkaError::IllegalGeneration));
    // The leader rejoins: a rebalance starts and the others hear of it.
    let ja = join(&mut h, c, &a, "consumer-g-1");
    h.run_for(10);
    assert_eq!(heartbeat(&mut h, c, &b, 1), Some(KafkaError::RebalanceInProgress));
    let jb = join(&mut h, c, &b, "consumer-g-2");
    h.run_for(10);
    assert_eq!(join_response(&h, ja).unwrap().generation_id, 2);
    assert_eq!(join_response(&h, jb).unwrap().generation_id, 2);
    assert_eq!(heartbeat(&mut h, c, &b, 1), Some(KafkaError::IllegalGeneration));
    assert_eq!(
        heartbeat(&mut h, c, &b, 2),
        None,
        "CompletingRebalance takes heartbeats"
    );
}

#[test]
fn a_member_whose_session_expires_is_removed_and_the_group_rebalances() {
    let mut h = cluster();
    let (c, a, b) = stable_group(&mut h);
    // Only the leader keeps heartbeating.
    for _ in 0..4 {
        h.run_for(3_000);
        if heartbeat(&mut h, c, &a, 1) == Some(KafkaError::RebalanceInProgress) {
            break;
        }
    }
    assert_eq!(describe(&mut h, c).state, "PreparingRebalance");
    assert!(h
        .observations
        .iter()
        .any(|(_, _, o)| matches!(o, Observation::Note(n) if n.contains(&b) && n.contains("heartbeat expiration"))));
    let ja = join(&mut h, c, &a, "consumer-g-1");
    h.run_for(10);
    let r = join_response(&h, ja).expect("only the leader is left: the join completes");
    assert_eq!(r.generation_id, 2);
    assert_eq!(r.members.len(), 1);
    assert_eq!(heartbeat(&mut h, c, &b, 1), Some(KafkaError::UnknownMemberId));
}

#[test]
fn leave_group_rebalances_and_the_last_leave_empties_the_group() {
    let mut h = cluster();
    let (c, a, b) = stable_group(&mut h);
    let leave = |h: &mut Harness, m: &str| {
        let m = m.to_string();
        match call(h, c, |request_id| Message::LeaveGroup {
            request_id,
            group_id: GROUP.into(),
            member_id: m,
        }) {
            Message::LeaveGroupResponse { error, .. } => error,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(leave(&mut h, &b), None);
    assert_eq!(describe(&mut h, c).state, "PreparingRebalance");
    assert_eq!(leave(&mut h, &b), Some(KafkaError::UnknownMemberId));
    assert_eq!(
        commit(&mut h, c, 1, &a, &[("t", 0, 5)]),
        vec![None],
        "commits go on while preparing"
    );
    assert_eq!(leave(&mut h, &a), None);
    let d = describe(&mut h, c);
    assert_eq!((d.state.as_str(), d.generation_id, d.members.len()), ("Empty", 2, 0));
    let (_, offsets) = fetch_offsets(&mut h, c, None);
    assert_eq!(
        offsets,
        vec![(TopicPartition::new("t", 0), 5)],
        "an empty group keeps its offsets"
    );
}

#[test]
fn delete_group_only_when_empty() {
    let mut h = cluster();
    let (c, a, b) = stable_group(&mut h);
    let delete = |h: &mut Harness| match call(h, c, |request_id| Message::DeleteGroup {
        request_id,
        group_id: GROUP.into(),
    }) {
        Message::DeleteGroupResponse { error, .. } => error,
        other => panic!("{other:?}"),
    };
    assert_eq!(delete(&mut h), Some(KafkaError::NonEmptyGroup));
    assert_eq!(commit(&mut h, c, 1, &a, &[("t", 0, 3)]), vec![None]);
    for m in [&a, &b] {
        let m = m.to_string();
        call(&mut h, c, |request_id| Message::LeaveGroup {
            request_id,
            group_id: GROUP.into(),
            member_id: m,
        });
    }
    assert_eq!(delete(&mut h), None);
    assert_eq!(describe(&mut h, c).state, "Dead");
    assert_eq!(delete(&mut h), Some(KafkaError::GroupIdNotFound));
    assert_eq!(
        fetch_offsets(&mut h, c, Some(vec![TopicPartition::new("t", 0)])).1[0].1,
        -1
    );
}

#[test]
fn offsets_commit_and_fetch_with_kafkas_checks() {
    let mut h = cluster();
    let c = coordinator(&mut h);
    // A group nobody joined: `assign()` consumers and the admin tools commit with -1.
    assert_eq!(
        commit(&mut h, c, -1, "", &[("t", 0, 10), ("t", 1, 20)]),
        vec![None, None]
    );
    assert_eq!(
        commit(&mut h, c, 3, "x", &[("t", 0, 1)]),
        vec![Some(KafkaError::UnknownMemberId)]
    );
    let (error, offsets) = fetch_offsets(
        &mut h,
        c,
        Some(vec![TopicPartition::new("t", 0), TopicPartition::new("t", 2)]),
    );
    assert_eq!(error, None);
    assert_eq!(
        offsets,
        vec![(TopicPartition::new("t", 0), 10), (TopicPartition::new("t", 2), -1)]
    );
    let other = if c == 1 { 2 } else { 1 };
    assert_eq!(fetch_offsets(&mut h, other, None).0, Some(KafkaError::NotCoordinator));
    assert_eq!(
        commit(&mut h, other, -1, "", &[("t", 0, 1)]),
        vec![Some(KafkaError::NotCoordinator)]
    );
    // The records are in the log as OffsetCommitKey/Value, on every replica.
    let tp = TopicPartition::new(GROUP_METADATA_TOPIC_NAME, c - 1);
    h.run_for(2_000);
    for b in 1..=3 {
        assert!(h.info(b, &tp).log_end_offset >= 1, "broker {b}");
    }
}

#[test]
fn non_members_cannot_commit_to_an_active_group() {
    let mut h = cluster();
    let (c, a, _) = stable_group(&mut h);
    assert_eq!(
        commit(&mut h, c, -1, "", &[("t", 0, 1)]),
        vec![Some(KafkaError::UnknownMemberId)]
    );
    assert_eq!(
        commit(&mut h, c, 0, &a, &[("t", 0, 1)]),
        vec![Some(KafkaError::IllegalGeneration)]
    );
    assert_eq!(commit(&mut h, c, 1, &a, &[("t", 0, 42)]), vec![None]);
    assert_eq!(
        h.broker(c)
            .group_coordinator()
            .committed_offset(GROUP, &TopicPartition::new("t", 0)),
        Some(42)
    );
}

#[test]
fn offsets_and_members_survive_a_coordinator_failover() {
    let mut h = cluster();
    let (c, a, b) = stable_group(&mut h);
    assert_eq!(commit(&mut h, c, 1, &a, &[("t", 0, 7), ("t", 1, 8)]), vec![None, None]);
    assert_eq!(commit(&mut h, c, 1, &b, &[("t", 2, 9)]), vec![None]);
    let tp = TopicPartition::new(GROUP_METADATA_TOPIC_NAME, c - 1);
    h.run_for(1_000);
    h.kill(c);
    let next = h.partition(&tp).replicas.into_iter().find(|r| *r != c).unwrap();
    h.change_partition(
        &tp,
        Some(next),
        Some(h.partition(&tp).replicas.into_iter().filter(|r| *r != c).collect()),
    );
    h.settle();
    assert_eq!(coordinator(&mut h), next);
    let (error, offsets) = fetch_offsets(&mut h, next, None);
    assert_eq!(error, None);
    assert_eq!(
        offsets,
        vec![
            (TopicPartition::new("t", 0), 7),
            (TopicPartition::new("t", 1), 8),
            (TopicPartition::new("t", 2), 9)
        ]
    );
    let (state, generation, members) = h.broker(next).group_coordinator().group_state(GROUP).expect("loaded");
    assert_eq!((state, generation), (GroupState::Stable, 1));
    assert_eq!(members, vec![a.clone(), b.clone()]);
    assert_eq!(
        heartbeat(&mut h, next, &a, 1),
        None,
        "members carry on with the new coordinator"
    );
    assert_eq!(
        describe(&mut h, next).members[1].assignment,
        vec![TopicPartition::new("t", 2)]
    );
}

#[test]
fn list_offsets_earliest_latest_and_by_time() {
    let mut h = Harness::new(1);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1]], &[]);
    for (i, ts) in [1_000i64, 2_000, 3_000].into_iter().enumerate() {
        let mut b = BatchBuilder::new(0);
        b.append(NewRecord::new(T0 + ts, None, Some(format!("v{i}").as_bytes())));
        b.append(NewRecord::new(T0 + ts, None, Some(format!("w{i}").as_bytes())));
        let r = h.produce_and_wait(1, -1, &tp, b.build(), 1_000);
        assert_eq!(r.partitions[0].error, None);
    }
    let list = |h: &mut Harness, to: NodeId, t: i64| -> ListOffsetsPartition {
        let tp = TopicPartition::new("t", 0);
        match call(h, to, |request_id| Message::ListOffsets {
            request_id,
            partitions: vec![(tp, t)],
        }) {
            Message::ListOffsetsResponse { mut partitions, .. } => partitions.remove(0),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!((list(&mut h, 1, -2).offset, list(&mut h, 1, -2).timestamp), (0, -1));
    assert_eq!(list(&mut h, 1, -1).offset, 6);
    let by_time = list(&mut h, 1, T0 + 1_500);
    assert_eq!((by_time.offset, by_time.timestamp), (2, T0 + 2_000));
    let max = list(&mut h, 1, -3);
    assert_eq!((max.offset, max.timestamp), (4, T0 + 3_000));
    assert_eq!(list(&mut h, 1, T0 + 9_000).offset, -1, "nothing that late");
    let unknown = match call(&mut h, 1, |request_id| Message::ListOffsets {
        request_id,
        partitions: vec![(TopicPartition::new("nope", 0), -1)],
    }) {
        Message::ListOffsetsResponse { partitions, .. } => partitions[0].error,
        other => panic!("{other:?}"),
    };
    assert_eq!(unknown, Some(KafkaError::UnknownTopicOrPartition));
}

#[test]
fn in_the_simulation_every_broker_coordinates_the_offsets_partitions_it_leads() {
    use kafkaplay_cluster::protocol::AdminResponse;
    use kafkaplay_cluster::Simulation;
    let mut sim = Simulation::new(ClusterConfig::new(3, 1), 7);
    assert!(sim.run_until_condition(60_000, |s| {
        s.metadata().is_some_and(|m| (1..=3).all(|b| m.is_alive(b)))
    }));
    let r = sim.admin_and_wait(
        AdminRequest::CreateTopic {
            name: GROUP_METADATA_TOPIC_NAME.into(),
            partitions: 50,
            replication_factor: 3,
            assignment: None,
            configs: vec![("cleanup.policy".into(), "compact".into())],
            validate_only: false,
        },
        10_000,
    );
    assert!(matches!(r, Some(AdminResponse::CreateTopic(Ok(_)))), "{r:?}");
    sim.run_for(5_000);
    let mut led = 0;
    for b in 1..=3 {
        let broker = sim.broker(b).expect("up");
        for p in broker.group_coordinator().loaded_partitions().keys() {
            let tp = TopicPartition::new(GROUP_METADATA_TOPIC_NAME, *p);
            assert_eq!(broker.replica_info(&tp).expect("hosted").role, "leader");
            led += 1;
        }
    }
    assert_eq!(led, 50, "each partition is loaded by its leader only");
}
