//! The consumer client driven directly with `Ctx::new` and handcrafted
//! responses: the join flow, MEMBER_ID_REQUIRED, the leader's assignment,
//! heartbeats and rebalances, auto-commit timing, offset resets and the
//! max.poll.interval.ms leave.

use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{self, Consumer, ConsumerApp, MemberState, Phase, ProcessingMode};
use kafkaplay_cluster::protocol::{
    Assignment, ClusterMetadataView, FetchResponse, FetchResponsePartition, JoinGroupResponse, ListOffsetsPartition,
    Message, PartitionView, Subscription, TopicView,
};
use kafkaplay_cluster::sim::{self, Ctx, Effect, FIRST_CLIENT_ID};
use kafkaplay_cluster::{KafkaError, Ms, NodeId, TopicPartition, Uuid};
use kafkaplay_log::{BatchBuilder, NewRecord};

const ME: NodeId = FIRST_CLIENT_ID;
const BROKER: NodeId = 1;

fn tp(p: i32) -> TopicPartition {
    TopicPartition::new("t", p)
}

struct Harness {
    consumer: Consumer,
    now: Ms,
    rng: oorandom::Rand64,
    sent: Vec<(NodeId, Message)>,
    timers: Vec<(Ms, u64, consumer::Timer)>,
    timer_seq: u64,
    notes: Vec<String>,
    exited: bool,
}

impl Harness {
    fn new(config: ConsumerConfig, app: ConsumerApp) -> Self {
        let mut h = Harness {
            consumer: Consumer::new(ME, config, app, vec![BROKER]),
            now: 0,
            rng: oorandom::Rand64::new(1),
            sent: Vec::new(),
            timers: Vec::new(),
            timer_seq: 0,
            notes: Vec::new(),
            exited: false,
        };
        h.drive(|c, cx| c.on_start(cx));
        h
    }

    fn drive(&mut self, f: impl FnOnce(&mut Consumer, &mut Ctx)) {
        let mut effects = Vec::new();
        {
            let mut cx = Ctx::new(self.now, ME, &mut self.rng, &mut effects);
            f(&mut self.consumer, &mut cx);
        }
        for e in effects {
            match e {
                Effect::Send(to, m) => self.sent.push((to, m)),
                Effect::SetTimer(after, sim::Timer::Consumer(t)) => {
                    self.timer_seq += 1;
                    self.timers.push((self.now + after, self.timer_seq, t));
                }
                Effect::Observe(o) => self.notes.push(o.to_string()),
                Effect::Exit => self.exited = true,
                other => panic!("unexpected effect {other:?}"),
            }
        }
    }

    fn reply(&mut self, msg: Message) {
        self.drive(|c, cx| c.on_message(cx, BROKER, msg));
    }

    /// Fires every timer due up to `now + ms`, in order.
    fn advance(&mut self, ms: Ms) {
        let until = self.now + ms;
        loop {
            self.timers.sort_by_key(|(at, seq, _)| (*at, *seq));
            match self.timers.first() {
                Some((at, _, _)) if *at <= until => {
                    let (at, _, t) = self.timers.remove(0);
                    self.now = at;
                    self.drive(|c, cx| c.on_timer(cx, t));
                }
                _ => break,
            }
        }
        self.now = until;
    }

    fn take_sent(&mut self) -> Vec<Message> {
        std::mem::take(&mut self.sent).into_iter().map(|(_, m)| m).collect()
    }

    /// The one sent message `pick` accepts, removing everything sent so far.
    fn expect<T>(&mut self, what: &str, pick: impl Fn(&Message) -> Option<T>) -> T {
        let sent = self.take_sent();
        let mut found: Vec<T> = sent.iter().filter_map(&pick).collect();
        assert_eq!(found.len(), 1, "expected one {what} in {sent:#?}");
        found.remove(0)
    }

    fn expect_none(&mut self, what: &str, pick: impl Fn(&Message) -> bool) {
        let sent = self.take_sent();
        assert!(!sent.iter().any(pick), "unexpected {what} in {sent:#?}");
    }
}

fn metadata(partitions: i32) -> ClusterMetadataView {
    ClusterMetadataView {
        cluster_id: "c".into(),
        controller: 1000,
        brokers: vec![BROKER],
        topics: vec![TopicView {
            name: "t".into(),
            id: Uuid(7),
            error: None,
            partitions: (0..partitions)
                .map(|p| PartitionView {
                    partition: p,
                    leader: BROKER,
                    leader_epoch: 0,
                    replicas: vec![BROKER],
                    isr: vec![BROKER],
                    offline: Vec::new(),
                })
                .collect(),
        }],
    }
}

/// Answers the metadata and FindCoordinator requests a fresh subscription sends.
fn bootstrap(h: &mut Harness, partitions: i32) {
    let sent = h.take_sent();
    for m in sent {
        match m {
            Message::MetadataRequest { request_id, topics } => {
                assert_eq!(topics, Some(vec!["t".to_string()]));
                h.reply(Message::MetadataResponse {
                    request_id,
                    metadata: metadata(partitions),
                });
            }
            Message::FindCoordinator { request_id, group_id } => {
                assert_eq!(group_id, "g");
                h.reply(Message::FindCoordinatorResponse {
                    request_id,
                    error: None,
                    coordinator: BROKER,
                });
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn join_response(request_id: u64, member: &str, generation: i32, protocol: &str, leader: &str) -> JoinGroupResponse {
    JoinGroupResponse {
        request_id,
        error: None,
        generation_id: generation,
        protocol_name: protocol.into(),
        leader: leader.into(),
        member_id: member.into(),
        members: Vec::new(),
    }
}

/// Subscribes to `t` and runs the whole join as a follower that gets `assigned`.
fn joined(config: ConsumerConfig, app: ConsumerApp, protocol: &str, assigned: Vec<TopicPartition>) -> Harness {
    let mut h = Harness::new(config, app);
    h.drive(|c, cx| c.subscribe(cx, &["t"]));
    bootstrap(&mut h, 3);
    h.advance(100);
    let join = h.expect("JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    });
    h.reply(Message::JoinGroupResponse(JoinGroupResponse {
        error: Some(KafkaError::MemberIdRequired),
        member_id: "m1".into(),
        ..join_response(join.request_id, "m1", -1, "", "")
    }));
    let join = h.expect("JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    });
    h.reply(Message::JoinGroupResponse(join_response(
        join.request_id,
        "m1",
        1,
        protocol,
        "m0",
    )));
    let sync = h.expect("SyncGroup", |m| match m {
        Message::SyncGroup(r) => Some(r.clone()),
        _ => None,
    });
    h.reply(Message::SyncGroupResponse {
        request_id: sync.request_id,
        error: None,
        assignment: Assignment { partitions: assigned },
    });
    h
}

/// Answers the OffsetFetch with `committed` and any ListOffsets with `reset_to`.
fn init_positions(h: &mut Harness, committed: Vec<(TopicPartition, i64)>, reset_to: i64) {
    let fetch = h.expect("OffsetFetch", |m| match m {
        Message::OffsetFetch { request_id, .. } => Some(*request_id),
        _ => None,
    });
    h.reply(Message::OffsetFetchResponse {
        request_id: fetch,
        error: None,
        offsets: committed,
    });
    let sent = std::mem::take(&mut h.sent);
    for (to, m) in sent {
        if let Message::ListOffsets { request_id, partitions } = m {
            h.reply(Message::ListOffsetsResponse {
                request_id,
                partitions: partitions
                    .into_iter()
                    .map(|(tp, timestamp)| ListOffsetsPartition {
                        tp,
                        error: None,
                        timestamp,
                        offset: reset_to,
                    })
                    .collect(),
            });
        } else {
            h.sent.push((to, m));
        }
    }
}

fn batch(base_offset: i64, values: &[&str]) -> Vec<u8> {
    let mut b = BatchBuilder::new(base_offset);
    for v in values {
        b.append(NewRecord::new(0, None, Some(v.as_bytes())));
    }
    b.build()
}

fn fetch_response(request_id: u64, tp: TopicPartition, records: Vec<u8>, hw: i64) -> Message {
    Message::FetchResponse(FetchResponse {
        request_id,
        partitions: vec![FetchResponsePartition {
            tp,
            error: None,
            high_watermark: hw,
            log_start_offset: 0,
            records,
            diverging_epoch: None,
        }],
    })
}

fn group_config() -> ConsumerConfig {
    ConsumerConfig::group("g")
}

#[test]
fn join_flow_repeats_the_join_with_the_member_id_and_syncs_as_follower() {
    let mut h = Harness::new(group_config(), ConsumerApp::default());
    h.drive(|c, cx| c.subscribe(cx, &["t"]));
    bootstrap(&mut h, 3);
    // The application's first poll joins.
    h.advance(100);
    let join = h.expect("JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(join.member_id, "");
    assert_eq!(join.protocol_type, "consumer");
    assert_eq!(join.session_timeout_ms, 45_000);
    assert_eq!(join.rebalance_timeout_ms, 300_000);
    let names: Vec<&str> = join.protocols.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["range", "cooperative-sticky"]);
    assert_eq!(join.protocols[0].1.topics, vec!["t".to_string()]);
    assert_eq!(h.consumer.group_state().unwrap().state, MemberState::PreparingRebalance);

    h.reply(Message::JoinGroupResponse(JoinGroupResponse {
        error: Some(KafkaError::MemberIdRequired),
        ..join_response(join.request_id, "consumer-g-1-abc", -1, "", "")
    }));
    let join = h.expect("second JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(
        join.member_id, "consumer-g-1-abc",
        "the join is repeated at once with the id"
    );

    h.reply(Message::JoinGroupResponse(join_response(
        join.request_id,
        "consumer-g-1-abc",
        1,
        "range",
        "someone-else",
    )));
    let sync = h.expect("SyncGroup", |m| match m {
        Message::SyncGroup(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(sync.generation_id, 1);
    assert!(sync.assignments.is_empty(), "a follower sends no assignments");
    h.reply(Message::SyncGroupResponse {
        request_id: sync.request_id,
        error: None,
        assignment: Assignment {
            partitions: vec![tp(0), tp(2)],
        },
    });
    let g = h.consumer.group_state().unwrap();
    assert_eq!(g.state, MemberState::Stable);
    assert_eq!(g.generation_id, 1);
    assert_eq!(h.consumer.assignment(), vec![tp(0), tp(2)]);

    // Positions: committed for t-0, auto.offset.reset=latest for t-2.
    let (fetch_id, partitions) = h.expect("OffsetFetch", |m| match m {
        Message::OffsetFetch {
            request_id, partitions, ..
        } => Some((*request_id, partitions.clone())),
        _ => None,
    });
    assert_eq!(partitions, Some(vec![tp(0), tp(2)]));
    h.reply(Message::OffsetFetchResponse {
        request_id: fetch_id,
        error: None,
        offsets: vec![(tp(0), 5), (tp(2), -1)],
    });
    // t-0 starts fetching at once; t-2 asks its leader for the latest offset.
    let sent = h.take_sent();
    let (list_id, partitions) = sent
        .iter()
        .find_map(|m| match m {
            Message::ListOffsets { request_id, partitions } => Some((*request_id, partitions.clone())),
            _ => None,
        })
        .expect("ListOffsets");
    assert_eq!(partitions, vec![(tp(2), -1)], "latest");
    let fetch = sent
        .iter()
        .find_map(|m| match m {
            Message::Fetch(f) => Some(f.clone()),
            _ => None,
        })
        .expect("Fetch");
    assert_eq!(fetch.replica, -1);
    assert_eq!(fetch.max_wait_ms, 500);
    let offsets: Vec<(TopicPartition, i64)> = fetch
        .partitions
        .iter()
        .map(|p| (p.tp.clone(), p.fetch_offset))
        .collect();
    assert_eq!(offsets, vec![(tp(0), 5)]);
    h.reply(Message::ListOffsetsResponse {
        request_id: list_id,
        partitions: vec![ListOffsetsPartition {
            tp: tp(2),
            error: None,
            timestamp: -1,
            offset: 42,
        }],
    });
    assert_eq!(h.consumer.position(&tp(0)), Some(5));
    assert_eq!(h.consumer.position(&tp(2)), Some(42));
    // One fetch per leader at a time: t-2 goes with the next one.
    h.reply(fetch_response(fetch.request_id, tp(0), Vec::new(), 5));
    let fetch = h.expect("Fetch", |m| match m {
        Message::Fetch(f) => Some(f.clone()),
        _ => None,
    });
    let offsets: Vec<(TopicPartition, i64)> = fetch
        .partitions
        .iter()
        .map(|p| (p.tp.clone(), p.fetch_offset))
        .collect();
    assert_eq!(offsets, vec![(tp(0), 5), (tp(2), 42)]);
}

#[test]
fn the_leader_assigns_with_the_protocol_the_group_chose() {
    let mut h = Harness::new(group_config(), ConsumerApp::default());
    h.drive(|c, cx| c.subscribe(cx, &["t"]));
    bootstrap(&mut h, 3);
    h.advance(100);
    let join = h.expect("JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    });
    let sub = Subscription {
        topics: vec!["t".into()],
        owned_partitions: Vec::new(),
        generation_id: -1,
    };
    h.reply(Message::JoinGroupResponse(JoinGroupResponse {
        members: vec![("m-a".into(), sub.clone()), ("m-b".into(), sub)],
        ..join_response(join.request_id, "m-a", 3, "range", "m-a")
    }));
    let sync = h.expect("SyncGroup", |m| match m {
        Message::SyncGroup(r) => Some(r.clone()),
        _ => None,
    });
    // Range: 3 partitions over 2 members, the first gets one extra.
    assert_eq!(
        sync.assignments,
        vec![
            (
                "m-a".to_string(),
                Assignment {
                    partitions: vec![tp(0), tp(1)]
                }
            ),
            (
                "m-b".to_string(),
                Assignment {
                    partitions: vec![tp(2)]
                }
            ),
        ]
    );
    assert!(
        h.notes.iter().any(|n| n.contains("(leader) assigned with range")),
        "{:?}",
        h.notes
    );
}

#[test]
fn heartbeats_go_every_interval_and_rebalance_in_progress_rejoins_after_committing() {
    let mut h = joined(group_config(), ConsumerApp::default(), "range", vec![tp(0)]);
    init_positions(&mut h, vec![(tp(0), 3)], 0);
    let fetch = h.expect("Fetch", |m| match m {
        Message::Fetch(f) => Some(f.request_id),
        _ => None,
    });
    h.reply(fetch_response(fetch, tp(0), batch(3, &["a", "b"]), 5));
    h.take_sent();
    // The application polls and processes both records.
    h.advance(100);
    let processed = h.consumer.take_processed();
    let offsets: Vec<i64> = processed.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, vec![3, 4]);
    assert_eq!(h.consumer.position(&tp(0)), Some(5));
    h.take_sent();

    // 3 s after the sync a heartbeat goes, and none before.
    let start = h.now;
    h.advance(2_700);
    h.expect_none("Heartbeat", |m| matches!(m, Message::Heartbeat { .. }));
    h.advance(300);
    let (hb, generation) = h.expect("Heartbeat", |m| match m {
        Message::Heartbeat {
            request_id,
            generation_id,
            ..
        } => Some((*request_id, *generation_id)),
        _ => None,
    });
    assert_eq!(generation, 1);
    assert!(h.now - start <= 3_000);
    h.reply(Message::HeartbeatResponse {
        request_id: hb,
        error: Some(KafkaError::RebalanceInProgress),
    });
    // The next poll commits the position, revokes (eager) and rejoins.
    h.advance(100);
    let sent = h.take_sent();
    let commit_at = sent
        .iter()
        .position(|m| matches!(m, Message::OffsetCommit { .. }))
        .expect("commit before the join");
    let join_at = sent
        .iter()
        .position(|m| matches!(m, Message::JoinGroup(_)))
        .expect("rejoin");
    assert!(commit_at < join_at);
    let Message::OffsetCommit {
        offsets,
        generation_id,
        member_id,
        ..
    } = &sent[commit_at]
    else {
        unreachable!()
    };
    assert_eq!(offsets, &vec![(tp(0), 5)]);
    assert_eq!((generation_id, member_id.as_str()), (&1, "m1"));
    let Message::JoinGroup(join) = &sent[join_at] else {
        unreachable!()
    };
    assert_eq!(join.member_id, "m1");
    assert!(
        h.consumer.assignment().is_empty(),
        "eager: everything revoked before rejoining"
    );
    assert!(join.protocols[0].1.owned_partitions.is_empty());
}

#[test]
fn cooperative_rebalance_keeps_owned_partitions_and_rejoins_after_a_revocation() {
    let mut config = group_config();
    config.partition_assignment_strategy = vec!["cooperative-sticky".into()];
    let mut h = joined(
        config,
        ConsumerApp::default(),
        "cooperative-sticky",
        vec![tp(0), tp(1), tp(2)],
    );
    init_positions(&mut h, vec![(tp(0), 0), (tp(1), 0), (tp(2), 0)], 0);
    h.take_sent();
    h.advance(3_000);
    let hb = h.expect("Heartbeat", |m| match m {
        Message::Heartbeat { request_id, .. } => Some(*request_id),
        _ => None,
    });
    h.reply(Message::HeartbeatResponse {
        request_id: hb,
        error: Some(KafkaError::RebalanceInProgress),
    });
    h.advance(100);
    let join = h.expect("JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(
        h.consumer.assignment(),
        vec![tp(0), tp(1), tp(2)],
        "nothing revoked yet"
    );
    assert_eq!(join.protocols[0].1.owned_partitions, vec![tp(0), tp(1), tp(2)]);
    h.reply(Message::JoinGroupResponse(join_response(
        join.request_id,
        "m1",
        2,
        "cooperative-sticky",
        "m0",
    )));
    let sync = h.expect("SyncGroup", |m| match m {
        Message::SyncGroup(r) => Some(r.request_id),
        _ => None,
    });
    // Phase one: the leader takes t-1 and t-2 away (they go to no one yet).
    h.reply(Message::SyncGroupResponse {
        request_id: sync,
        error: None,
        assignment: Assignment {
            partitions: vec![tp(0)],
        },
    });
    assert_eq!(h.consumer.assignment(), vec![tp(0)]);
    assert_eq!(h.consumer.position(&tp(0)), Some(0), "t-0 kept its position");
    assert!(h.notes.iter().any(|n| n.contains("revoked partitions [t-1, t-2]")));
    h.take_sent();
    // Phase two: another join at the next poll.
    h.advance(100);
    let join = h.expect("second JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(join.protocols[0].1.owned_partitions, vec![tp(0)]);
    assert_eq!(join.protocols[0].1.generation_id, 2);
}

#[test]
fn auto_commit_commits_positions_of_earlier_polls_every_interval() {
    let mut config = group_config();
    config.auto_commit_interval_ms = 1_000;
    let mut h = joined(config, ConsumerApp::default(), "range", vec![tp(0)]);
    init_positions(&mut h, vec![], 0); // reset latest → 0
    let fetch = h.expect("Fetch", |m| match m {
        Message::Fetch(f) => Some(f.request_id),
        _ => None,
    });
    h.reply(fetch_response(fetch, tp(0), batch(0, &["a", "b", "c"]), 3));
    h.take_sent();
    let mut commits = Vec::new();
    for _ in 0..30 {
        h.advance(100);
        for m in h.take_sent() {
            if let Message::OffsetCommit {
                request_id, offsets, ..
            } = m
            {
                commits.push((h.now, offsets.clone()));
                h.reply(Message::OffsetCommitResponse {
                    request_id,
                    results: offsets.iter().map(|(tp, _)| (tp.clone(), None)).collect(),
                });
            }
        }
    }
    assert_eq!(commits.len(), 1, "one commit: nothing new after it ({commits:?})");
    assert_eq!(commits[0].1, vec![(tp(0), 3)]);
    assert_eq!(h.consumer.committed().get(&tp(0)), Some(&3));
}

#[test]
fn commit_before_processing_processes_only_after_the_commit_is_acknowledged() {
    let mut config = group_config();
    config.enable_auto_commit = false;
    let app = ConsumerApp::new(ProcessingMode::CommitBeforeProcessing);
    let mut h = joined(config, app, "range", vec![tp(0)]);
    init_positions(&mut h, vec![(tp(0), 0)], 0);
    let fetch = h.expect("Fetch", |m| match m {
        Message::Fetch(f) => Some(f.request_id),
        _ => None,
    });
    h.reply(fetch_response(fetch, tp(0), batch(0, &["a", "b"]), 2));
    h.take_sent();
    h.advance(100);
    let (commit, offsets) = h.expect("OffsetCommit", |m| match m {
        Message::OffsetCommit {
            request_id, offsets, ..
        } => Some((*request_id, offsets.clone())),
        _ => None,
    });
    assert_eq!(offsets, vec![(tp(0), 2)]);
    assert!(
        h.consumer.take_processed().is_empty(),
        "not processed before the commit"
    );
    h.drive(|c, _| c.crash_after(Phase::Committed));
    h.reply(Message::OffsetCommitResponse {
        request_id: commit,
        results: vec![(tp(0), None)],
    });
    assert!(h.consumer.is_halted());
    assert!(
        h.consumer.take_processed().is_empty(),
        "killed right after the commit: lost"
    );
}

#[test]
fn commit_after_processing_processes_then_commits() {
    let mut config = group_config();
    config.enable_auto_commit = false;
    let app = ConsumerApp::new(ProcessingMode::CommitAfterProcessing);
    let mut h = joined(config, app, "range", vec![tp(0)]);
    init_positions(&mut h, vec![(tp(0), 0)], 0);
    let fetch = h.expect("Fetch", |m| match m {
        Message::Fetch(f) => Some(f.request_id),
        _ => None,
    });
    h.reply(fetch_response(fetch, tp(0), batch(0, &["a", "b"]), 2));
    h.take_sent();
    h.drive(|c, _| c.crash_after(Phase::Processed));
    h.advance(100);
    assert_eq!(h.consumer.take_processed().len(), 2);
    assert!(h.consumer.is_halted());
    h.expect_none("OffsetCommit", |m| matches!(m, Message::OffsetCommit { .. }));
}

#[test]
fn offset_out_of_range_resets_per_policy() {
    let mut config = group_config();
    config.auto_offset_reset = "earliest".into();
    let mut h = joined(config, ConsumerApp::default(), "range", vec![tp(0)]);
    init_positions(&mut h, vec![(tp(0), 7)], 0);
    let fetch = h.expect("Fetch", |m| match m {
        Message::Fetch(f) => Some(f.request_id),
        _ => None,
    });
    h.reply(Message::FetchResponse(FetchResponse {
        request_id: fetch,
        partitions: vec![FetchResponsePartition {
            tp: tp(0),
            error: Some(KafkaError::OffsetOutOfRange),
            high_watermark: 100,
            log_start_offset: 50,
            records: Vec::new(),
            diverging_epoch: None,
        }],
    }));
    let (list, partitions) = h.expect("ListOffsets", |m| match m {
        Message::ListOffsets { request_id, partitions } => Some((*request_id, partitions.clone())),
        _ => None,
    });
    assert_eq!(partitions, vec![(tp(0), -2)], "earliest");
    h.reply(Message::ListOffsetsResponse {
        request_id: list,
        partitions: vec![ListOffsetsPartition {
            tp: tp(0),
            error: None,
            timestamp: -2,
            offset: 50,
        }],
    });
    assert_eq!(h.consumer.position(&tp(0)), Some(50));
    assert!(h.notes.iter().any(|n| n.contains("out of range")), "{:?}", h.notes);
}

#[test]
fn no_reset_policy_raises_no_offset_for_partition() {
    let mut config = group_config();
    config.auto_offset_reset = "none".into();
    let mut h = joined(config, ConsumerApp::default(), "range", vec![tp(0)]);
    init_positions(&mut h, vec![], 0);
    h.expect_none("ListOffsets", |m| matches!(m, Message::ListOffsets { .. }));
    h.advance(100);
    assert_eq!(
        h.consumer.error(),
        Some(
            "org.apache.kafka.clients.consumer.NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [t-0]"
        )
    );
}

#[test]
fn fetch_skips_records_below_the_position_and_not_leader_refreshes_metadata() {
    let mut h = joined(group_config(), ConsumerApp::default(), "range", vec![tp(0)]);
    init_positions(&mut h, vec![(tp(0), 2)], 0);
    let fetch = h.expect("Fetch", |m| match m {
        Message::Fetch(f) => Some(f.request_id),
        _ => None,
    });
    // The batch starts before the position, as batches do.
    h.reply(fetch_response(fetch, tp(0), batch(0, &["a", "b", "c", "d"]), 4));
    h.take_sent();
    h.advance(100);
    let offsets: Vec<i64> = h.consumer.take_processed().iter().map(|r| r.offset).collect();
    assert_eq!(offsets, vec![2, 3]);
    let fetch = h.expect("Fetch", |m| match m {
        Message::Fetch(f) => Some(f.request_id),
        _ => None,
    });
    h.reply(Message::FetchResponse(FetchResponse {
        request_id: fetch,
        partitions: vec![FetchResponsePartition {
            tp: tp(0),
            error: Some(KafkaError::NotLeaderOrFollower),
            high_watermark: -1,
            log_start_offset: -1,
            records: Vec::new(),
            diverging_epoch: None,
        }],
    }));
    let sent = h.take_sent();
    assert!(
        sent.iter().any(|m| matches!(m, Message::MetadataRequest { .. })),
        "{sent:#?}"
    );
}

#[test]
fn a_stuck_application_leaves_the_group_after_max_poll_interval() {
    let mut config = group_config();
    config.max_poll_interval_ms = 10_000;
    config.session_timeout_ms = 45_000;
    let mut h = joined(config, ConsumerApp::default(), "range", vec![tp(0)]);
    h.drive(|c, _| c.set_app_stalled(true));
    let mut heartbeats = 0;
    let mut leave = None;
    for _ in 0..120 {
        h.advance(100);
        for m in h.take_sent() {
            match m {
                Message::Heartbeat { request_id, .. } => {
                    heartbeats += 1;
                    h.reply(Message::HeartbeatResponse {
                        request_id,
                        error: None,
                    });
                }
                Message::LeaveGroup { member_id, .. } => leave = Some((h.now, member_id)),
                _ => {}
            }
        }
    }
    assert!(heartbeats >= 3, "heartbeats go on while the application is stuck");
    let (at, member) = leave.expect("LeaveGroup");
    assert_eq!(member, "m1");
    assert!((10_000..=10_300).contains(&at), "left at {at}");
    assert!(h.notes.iter().any(|n| n.contains("consumer poll timeout has expired")));
    // The application comes back: partitions are lost (no commit), and it rejoins anew.
    h.drive(|c, _| c.set_app_stalled(false));
    h.advance(100);
    let sent = h.take_sent();
    assert!(!sent.iter().any(|m| matches!(m, Message::OffsetCommit { .. })));
    let join = sent
        .iter()
        .find_map(|m| match m {
            Message::JoinGroup(r) => Some(r.clone()),
            _ => None,
        })
        .expect("rejoin");
    assert_eq!(join.member_id, "", "a new member");
    assert!(h.consumer.assignment().is_empty());
}

#[test]
fn coordinator_errors_and_resets_lead_to_rediscovery() {
    let mut h = joined(group_config(), ConsumerApp::default(), "range", vec![tp(0)]);
    h.take_sent();
    h.advance(3_000);
    let hb = h.expect("Heartbeat", |m| match m {
        Message::Heartbeat { request_id, .. } => Some(*request_id),
        _ => None,
    });
    h.reply(Message::HeartbeatResponse {
        request_id: hb,
        error: Some(KafkaError::NotCoordinator),
    });
    assert_eq!(h.consumer.group_state().unwrap().coordinator, None);
    h.advance(100);
    let find = h.expect("FindCoordinator", |m| match m {
        Message::FindCoordinator { request_id, .. } => Some(*request_id),
        _ => None,
    });
    h.reply(Message::FindCoordinatorResponse {
        request_id: find,
        error: None,
        coordinator: BROKER,
    });
    assert_eq!(h.consumer.group_state().unwrap().coordinator, Some(BROKER));
    // A reset connection to the coordinator does the same.
    h.advance(3_000);
    h.take_sent();
    h.drive(|c, cx| c.on_message(cx, BROKER, Message::Disconnected));
    assert_eq!(h.consumer.group_state().unwrap().coordinator, None);
    assert!(h.notes.iter().any(|n| n.contains("the connection was reset")));
    h.advance(100);
    let sent = h.take_sent();
    assert!(
        sent.iter().any(|m| matches!(m, Message::FindCoordinator { .. })),
        "{sent:#?}"
    );
}

#[test]
fn assign_without_a_group_resets_by_policy_and_seeks() {
    let config = ConsumerConfig {
        auto_offset_reset: "earliest".into(),
        ..ConsumerConfig::default()
    };
    let mut h = Harness::new(config, ConsumerApp::default());
    h.drive(|c, cx| c.assign(cx, &[tp(1)]));
    let md = h.expect("MetadataRequest", |m| match m {
        Message::MetadataRequest { request_id, .. } => Some(*request_id),
        _ => None,
    });
    h.reply(Message::MetadataResponse {
        request_id: md,
        metadata: metadata(3),
    });
    let (list, partitions) = h.expect("ListOffsets", |m| match m {
        Message::ListOffsets { request_id, partitions } => Some((*request_id, partitions.clone())),
        _ => None,
    });
    assert_eq!(partitions, vec![(tp(1), -2)]);
    h.reply(Message::ListOffsetsResponse {
        request_id: list,
        partitions: vec![ListOffsetsPartition {
            tp: tp(1),
            error: None,
            timestamp: -2,
            offset: 0,
        }],
    });
    assert_eq!(h.consumer.position(&tp(1)), Some(0));
    h.take_sent();
    h.drive(|c, cx| c.seek(cx, &tp(1), 10));
    assert_eq!(h.consumer.position(&tp(1)), Some(10));
    h.drive(|c, cx| c.seek_to_timestamp(cx, &tp(1), 1_700_000_000_000));
    let sent = h.take_sent();
    assert!(
        sent.iter().any(
            |m| matches!(m, Message::ListOffsets { partitions, .. } if partitions == &vec![(tp(1), 1_700_000_000_000)])
        ),
        "{sent:#?}"
    );
    assert!(h.consumer.group_state().is_none());
}

#[test]
fn pattern_subscription_matches_whole_topic_names() {
    let mut h = Harness::new(group_config(), ConsumerApp::default());
    h.drive(|c, cx| c.subscribe_pattern(cx, "t|orders-.*"));
    let mut view = metadata(1);
    for name in ["orders-eu", "xorders-eu", "__consumer_offsets", "tt"] {
        let mut t = view.topics[0].clone();
        t.name = name.into();
        view.topics.push(t);
    }
    for m in h.take_sent() {
        match m {
            Message::MetadataRequest { request_id, topics } => {
                assert_eq!(topics, None, "every topic");
                h.reply(Message::MetadataResponse {
                    request_id,
                    metadata: view.clone(),
                });
            }
            Message::FindCoordinator { request_id, .. } => h.reply(Message::FindCoordinatorResponse {
                request_id,
                error: None,
                coordinator: BROKER,
            }),
            other => panic!("unexpected {other:?}"),
        }
    }
    h.advance(100);
    let join = h.expect("JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(
        join.protocols[0].1.topics,
        vec!["orders-eu".to_string(), "t".to_string()]
    );
}

/// Joins as `joined` does, then gets REBALANCE_IN_PROGRESS on a heartbeat and
/// returns the JoinGroup the next poll sends.
fn rejoin_after_rebalance(h: &mut Harness) -> kafkaplay_cluster::protocol::JoinGroupRequest {
    init_positions(h, vec![(tp(0), 0), (tp(1), 0), (tp(2), 0)], 0);
    h.take_sent();
    h.advance(3_000);
    let hb = h.expect("Heartbeat", |m| match m {
        Message::Heartbeat { request_id, .. } => Some(*request_id),
        _ => None,
    });
    h.reply(Message::HeartbeatResponse {
        request_id: hb,
        error: Some(KafkaError::RebalanceInProgress),
    });
    h.advance(100);
    h.expect("JoinGroup", |m| match m {
        Message::JoinGroup(r) => Some(r.clone()),
        _ => None,
    })
}

#[test]
fn eager_sticky_sends_its_last_assignment_after_revoking_everything() {
    let mut config = group_config();
    config.partition_assignment_strategy = vec!["sticky".into(), "range".into()];
    let mut h = joined(config, ConsumerApp::default(), "sticky", vec![tp(0), tp(2)]);
    let join = rejoin_after_rebalance(&mut h);
    assert!(
        h.consumer.assignment().is_empty(),
        "eager: everything revoked before the join"
    );
    let (name, sticky) = &join.protocols[0];
    assert_eq!(name, "sticky");
    // StickyAssignor's userData: the last assignment and its generation.
    assert_eq!(sticky.owned_partitions, vec![tp(0), tp(2)]);
    assert_eq!(sticky.generation_id, 1);
    // The other assignors see what the member owns now: nothing.
    let (name, range) = &join.protocols[1];
    assert_eq!(name, "range");
    assert!(range.owned_partitions.is_empty());
    assert_eq!(range.generation_id, 1);
}

#[test]
fn sticky_user_data_is_only_kept_when_the_group_chose_sticky() {
    let mut config = group_config();
    config.partition_assignment_strategy = vec!["range".into(), "sticky".into()];
    let mut h = joined(config, ConsumerApp::default(), "range", vec![tp(1)]);
    let join = rejoin_after_rebalance(&mut h);
    let (name, sticky) = &join.protocols[1];
    assert_eq!(name, "sticky");
    assert!(
        sticky.owned_partitions.is_empty(),
        "onAssignment went to the range assignor"
    );
    assert_eq!(sticky.generation_id, -1);
}

#[test]
fn cooperative_sticky_with_an_eager_assignor_configured_rebalances_eagerly() {
    // The first bounce of Kafka's upgrade to cooperative: both assignors are
    // configured, so the protocol is EAGER even though the group chose
    // cooperative-sticky, and everything is revoked before the join.
    let mut config = group_config();
    config.partition_assignment_strategy = vec!["cooperative-sticky".into(), "range".into()];
    let mut h = joined(config, ConsumerApp::default(), "cooperative-sticky", vec![tp(0), tp(1)]);
    let join = rejoin_after_rebalance(&mut h);
    assert!(h.consumer.assignment().is_empty());
    assert!(
        join.protocols.iter().all(|(_, s)| s.owned_partitions.is_empty()),
        "{join:?}"
    );
    assert!(h.notes.iter().any(|n| n.contains("revoked partitions [t-0, t-1]")));
}
