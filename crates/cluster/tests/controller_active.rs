//! The active controller driven directly (no simulator, no real brokers): a
//! single-voter quorum commits every record at once, so each request's answer
//! is among the effects of the call that made it. Brokers are played by hand.

use kafkaplay_cluster::controller::{Controller, ControllerDisk, Timer};
use kafkaplay_cluster::metadata::MetadataImage;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse, AlterPartition, Message};
use kafkaplay_cluster::sim::{self, Ctx, Effect};
use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::{ClusterConfig, KafkaError, NodeId, TopicPartition, Uuid};
use oorandom::Rand64;

const ADMIN: NodeId = -100;
const CONTROLLER: NodeId = 1000;

/// One controller, a clock, a seeded generator and the effects of the last call.
struct Harness {
    controller: Controller,
    rng: Rand64,
    now: i64,
    effects: Vec<Effect>,
    next_request: u64,
}

impl Harness {
    fn new(config: &ClusterConfig, seed: u128) -> Self {
        let mut h = Harness {
            controller: Controller::new(CONTROLLER, config, ControllerDisk::default(), 0),
            rng: Rand64::new(seed),
            now: 0,
            effects: Vec::new(),
            next_request: 1,
        };
        h.call(|c, cx| c.on_start(cx));
        assert!(h.controller.is_active(), "a lone voter is active at once");
        h
    }

    fn call(&mut self, f: impl FnOnce(&mut Controller, &mut Ctx)) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut cx = Ctx::new(self.now, CONTROLLER, &mut self.rng, &mut effects);
        f(&mut self.controller, &mut cx);
        self.effects.extend(effects.clone());
        effects
    }

    fn deliver(&mut self, from: NodeId, msg: Message) -> Vec<Effect> {
        self.call(|c, cx| c.on_message(cx, from, msg))
    }

    fn timer(&mut self, t: Timer) -> Vec<Effect> {
        self.call(|c, cx| c.on_timer(cx, t))
    }

    fn sent_to(effects: &[Effect], to: NodeId) -> Vec<Message> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send(t, m) if *t == to => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    fn observations(effects: &[Effect]) -> Vec<Observation> {
        effects
            .iter()
            .filter_map(|e| {
                if let Effect::Observe(o) = e {
                    Some(o.clone())
                } else {
                    None
                }
            })
            .collect()
    }

    fn admin(&mut self, request: AdminRequest) -> AdminResponse {
        let id = self.next_request;
        self.next_request += 1;
        let effects = self.deliver(
            ADMIN,
            Message::Admin {
                request_id: id,
                request,
            },
        );
        match Self::sent_to(&effects, ADMIN).pop() {
            Some(Message::AdminResponse { request_id, response }) if request_id == id => response,
            other => panic!("no admin response: {other:?}"),
        }
    }

    fn create(&mut self, name: &str, partitions: i32, rf: i16) -> Result<Uuid, (KafkaError, String)> {
        self.create_with(name, partitions, rf, None, vec![])
    }

    fn create_with(
        &mut self,
        name: &str,
        partitions: i32,
        rf: i16,
        assignment: Option<Vec<Vec<NodeId>>>,
        configs: Vec<(&str, &str)>,
    ) -> Result<Uuid, (KafkaError, String)> {
        let configs = configs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let request = AdminRequest::CreateTopic {
            name: name.to_string(),
            partitions,
            replication_factor: rf,
            assignment,
            configs,
            validate_only: false,
        };
        match self.admin(request) {
            AdminResponse::CreateTopic(r) => r,
            other => panic!("{other:?}"),
        }
    }

    /// Registers a broker and returns its broker epoch.
    fn register(&mut self, broker: NodeId) -> i64 {
        let effects = self.deliver(
            broker,
            Message::BrokerRegistration {
                broker,
                incarnation: broker as u64,
            },
        );
        match Self::sent_to(&effects, broker).pop() {
            Some(Message::BrokerRegistrationResponse {
                error: None,
                broker_epoch,
            }) => broker_epoch,
            other => panic!("registration failed: {other:?}"),
        }
    }

    /// Sends a heartbeat; returns (error, is_fenced, should_shutdown).
    fn heartbeat(&mut self, broker: NodeId, epoch: i64, want_shutdown: bool) -> (Option<KafkaError>, bool, bool) {
        let metadata_offset = self.controller.image().offset;
        let effects = self.deliver(
            broker,
            Message::BrokerHeartbeat {
                broker,
                broker_epoch: epoch,
                metadata_offset,
                want_fence: false,
                want_shutdown,
            },
        );
        match Self::sent_to(&effects, broker).pop() {
            Some(Message::BrokerHeartbeatResponse {
                error,
                is_fenced,
                should_shutdown,
                ..
            }) => (error, is_fenced, should_shutdown),
            other => panic!("no heartbeat response: {other:?}"),
        }
    }

    /// Registers and unfences brokers; returns their epochs.
    fn brokers(&mut self, ids: &[NodeId]) -> Vec<i64> {
        let epochs: Vec<i64> = ids.iter().map(|&b| self.register(b)).collect();
        for (&b, &e) in ids.iter().zip(&epochs) {
            let (error, fenced, _) = self.heartbeat(b, e, false);
            assert_eq!((error, fenced), (None, false), "broker {b} unfenced");
        }
        epochs
    }

    fn image(&self) -> &MetadataImage {
        self.controller.image()
    }
}

fn config(brokers: i32) -> ClusterConfig {
    ClusterConfig::new(brokers, 1)
}

#[test]
fn broker_registers_fenced_and_is_unfenced_once_caught_up() {
    let mut h = Harness::new(&config(1), 1);
    let epoch = h.register(1);
    assert!(h.image().brokers[&1].fenced);
    assert_eq!(
        epoch,
        h.image().offset - 1,
        "the broker epoch is the RegisterBroker record's offset"
    );
    // Not caught up yet: stays fenced.
    let effects = h.deliver(
        1,
        Message::BrokerHeartbeat {
            broker: 1,
            broker_epoch: epoch,
            metadata_offset: epoch - 1,
            want_fence: false,
            want_shutdown: false,
        },
    );
    assert!(matches!(
        Harness::sent_to(&effects, 1)[0],
        Message::BrokerHeartbeatResponse { is_fenced: true, .. }
    ));
    let (error, fenced, _) = h.heartbeat(1, epoch, false);
    assert_eq!((error, fenced), (None, false));
    assert!(!h.image().brokers[&1].fenced);
    // A stale epoch is refused.
    assert_eq!(h.heartbeat(1, epoch + 100, false).0, Some(KafkaError::StaleBrokerEpoch));
}

#[test]
fn create_topic_error_texts_are_kafkas() {
    let mut h = Harness::new(&config(1), 2);
    // No broker registered at all.
    assert_eq!(
        h.create("t", 1, 1).unwrap_err(),
        (
            KafkaError::InvalidReplicationFactor,
            "Unable to replicate the partition 1 time(s): All brokers are currently fenced.".into()
        )
    );
    h.brokers(&[1]);
    assert_eq!(
        h.create("t", 3, 3).unwrap_err(),
        (
            KafkaError::InvalidReplicationFactor,
            "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered."
                .into()
        )
    );
    assert_eq!(
        h.create("a b", 1, 1).unwrap_err(),
        (
            KafkaError::InvalidTopicException,
            "Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'".into()
        )
    );
    assert_eq!(
        h.create("t", 0, 1).unwrap_err(),
        (
            KafkaError::InvalidPartitions,
            "Number of partitions was set to an invalid non-positive value.".into()
        )
    );
    assert_eq!(
        h.create("t", 1, 0).unwrap_err(),
        (
            KafkaError::InvalidReplicationFactor,
            "Replication factor must be larger than 0, or -1 to use the default value.".into()
        )
    );
    assert_eq!(
        h.create_with("t", 1, 1, None, vec![("retention.ms", "soon")])
            .unwrap_err(),
        (
            KafkaError::InvalidConfig,
            "Invalid value soon for configuration retention.ms: Not a number of type LONG".into()
        )
    );
    assert_eq!(
        h.create_with("t", 1, 1, None, vec![("retention.mss", "1")])
            .unwrap_err(),
        (
            KafkaError::InvalidConfig,
            "Unknown topic config name: retention.mss".into()
        )
    );
    h.create("a.b", 1, 1).unwrap();
    assert_eq!(
        h.create("a.b", 1, 1).unwrap_err(),
        (KafkaError::TopicAlreadyExists, "Topic 'a.b' already exists.".into())
    );
    assert_eq!(
        h.create("a_b", 1, 1).unwrap_err(),
        (
            KafkaError::InvalidTopicException,
            "Topic 'a_b' collides with existing topic: a.b".into()
        )
    );
    // Manual assignments.
    assert_eq!(
        h.create_with("m", -1, -1, Some(vec![vec![1, 1]]), vec![]).unwrap_err(),
        (
            KafkaError::InvalidReplicaAssignment,
            "The manual partition assignment includes the broker 1 more than once.".into()
        )
    );
    assert_eq!(
        h.create_with("m", -1, -1, Some(vec![vec![1, 9]]), vec![]).unwrap_err(),
        (
            KafkaError::InvalidReplicaAssignment,
            "The manual partition assignment includes broker 9, but no such broker is registered.".into()
        )
    );
}

#[test]
fn create_topic_with_defaults_and_manual_assignment() {
    let mut cfg = config(3);
    cfg.broker.num_partitions = 4;
    cfg.broker.default_replication_factor = 2;
    let mut h = Harness::new(&cfg, 3);
    h.brokers(&[1, 2, 3]);
    let id = h
        .create_with("d", -1, -1, None, vec![("cleanup.policy", "compact")])
        .unwrap();
    let t = h.image().topic("d").unwrap();
    assert_eq!(t.id, id);
    assert_eq!(t.partitions.len(), 4);
    assert!(t
        .partitions
        .values()
        .all(|p| p.replicas.len() == 2 && p.isr == p.replicas && p.leader == p.replicas[0]));
    assert_eq!(t.configs.get("cleanup.policy").map(String::as_str), Some("compact"));

    h.create_with("m", -1, -1, Some(vec![vec![3, 1], vec![2, 3]]), vec![])
        .unwrap();
    let t = h.image().topic("m").unwrap();
    assert_eq!(t.partitions[&0].replicas, vec![3, 1]);
    assert_eq!(t.partitions[&1].leader, 2);
}

#[test]
fn placement_is_deterministic_per_seed_and_spreads_leaders() {
    let layout = |seed| {
        let mut h = Harness::new(&config(4), seed);
        h.brokers(&[1, 2, 3, 4]);
        h.create("t", 8, 3).unwrap();
        h.image()
            .topic("t")
            .unwrap()
            .partitions
            .values()
            .map(|p| p.replicas.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(layout(42), layout(42));
    let l = layout(42);
    // Striped: every broker leads exactly 2 of 8 partitions.
    for b in 1..=4 {
        assert_eq!(l.iter().filter(|r| r[0] == b).count(), 2, "broker {b} in {l:?}");
    }
    // And the first four follow sorted[(r + p + j) % 4].
    let r = (l[0][0] - 1) as usize;
    for (p, replicas) in l.iter().take(4).enumerate() {
        let want: Vec<NodeId> = (0..3).map(|j| ((r + p + j) % 4) as NodeId + 1).collect();
        assert_eq!(replicas, &want);
    }
}

#[test]
fn session_timeout_fences_the_broker_and_moves_leadership() {
    let cfg = config(3);
    let session = cfg.broker.broker_session_timeout_ms;
    let mut h = Harness::new(&cfg, 4);
    let epochs = h.brokers(&[1, 2, 3]);
    h.create_with("t", -1, -1, Some(vec![vec![1, 2, 3]]), vec![]).unwrap();
    let epoch = h.controller.epoch();
    // Brokers 2 and 3 keep heartbeating; broker 1 goes silent.
    let mut fenced_at = None;
    for step in 1..=((session / 1000) + 3) {
        h.now = step * 1000;
        h.heartbeat(2, epochs[1], false);
        h.heartbeat(3, epochs[2], false);
        let effects = h.timer(Timer::SessionCheck { epoch });
        if Harness::observations(&effects).contains(&Observation::BrokerFenced {
            broker: 1,
            reason: "session timeout",
        }) {
            fenced_at = Some(h.now);
            break;
        }
    }
    assert!(fenced_at.unwrap() > session, "fenced only after the session timeout");
    let p = h.image().partition(&TopicPartition::new("t", 0)).unwrap();
    assert_eq!((p.leader, p.isr.clone(), p.leader_epoch), (2, vec![2, 3], 1));
    assert!(h.image().brokers[&1].fenced);
}

#[test]
fn fencing_the_last_isr_member_leaves_no_leader_until_it_returns() {
    let mut h = Harness::new(&config(2), 5);
    let epochs = h.brokers(&[1, 2]);
    h.create_with("t", -1, -1, Some(vec![vec![1, 2]]), vec![]).unwrap();
    let tp = TopicPartition::new("t", 0);
    // The leader shrinks the ISR to itself.
    let p = h.image().partition(&tp).unwrap().clone();
    let effects = h.deliver(
        1,
        Message::AlterPartition(AlterPartition {
            broker: 1,
            broker_epoch: epochs[0],
            tp: tp.clone(),
            leader_epoch: p.leader_epoch,
            partition_epoch: p.partition_epoch,
            new_isr: vec![1],
        }),
    );
    assert!(
        matches!(&Harness::sent_to(&effects, 1)[0], Message::AlterPartitionResponse(r) if r.error.is_none() && r.isr == vec![1])
    );
    // A stale partition epoch is refused.
    let effects = h.deliver(
        1,
        Message::AlterPartition(AlterPartition {
            broker: 1,
            broker_epoch: epochs[0],
            tp: tp.clone(),
            leader_epoch: p.leader_epoch,
            partition_epoch: p.partition_epoch,
            new_isr: vec![1, 2],
        }),
    );
    assert!(
        matches!(&Harness::sent_to(&effects, 1)[0], Message::AlterPartitionResponse(r) if r.error == Some(KafkaError::InvalidUpdateVersion))
    );

    // Broker 1 is fenced (it asks to be): ISR keeps [1], leader none; 2 is not in the ISR.
    let metadata_offset = h.image().offset;
    h.deliver(
        1,
        Message::BrokerHeartbeat {
            broker: 1,
            broker_epoch: epochs[0],
            metadata_offset,
            want_fence: true,
            want_shutdown: false,
        },
    );
    let p = h.image().partition(&tp).unwrap();
    assert_eq!((p.leader, p.isr.clone()), (-1, vec![1]));
    // Unclean election by request: 2 leads, ISR [2].
    match h.admin(AdminRequest::ElectLeaders {
        preferred: false,
        partitions: Some(vec![tp.clone()]),
    }) {
        AdminResponse::ElectLeaders(r) => assert_eq!(r, vec![(tp.clone(), Ok(()))]),
        other => panic!("{other:?}"),
    }
    let p = h.image().partition(&tp).unwrap();
    assert_eq!((p.leader, p.isr.clone()), (2, vec![2]));
}

#[test]
fn unfenced_broker_takes_back_leaderless_partitions() {
    let mut h = Harness::new(&config(2), 6);
    let epochs = h.brokers(&[1, 2]);
    h.create_with("t", -1, -1, Some(vec![vec![1]]), vec![]).unwrap();
    let tp = TopicPartition::new("t", 0);
    let offset = h.image().offset;
    h.deliver(
        1,
        Message::BrokerHeartbeat {
            broker: 1,
            broker_epoch: epochs[0],
            metadata_offset: offset,
            want_fence: true,
            want_shutdown: false,
        },
    );
    assert_eq!(h.image().partition(&tp).unwrap().leader, -1);
    let effects = h.heartbeat(1, epochs[0], false);
    assert_eq!(effects, (None, false, false));
    let p = h.image().partition(&tp).unwrap();
    assert_eq!((p.leader, p.leader_epoch), (1, 2));
    assert!(h.effects.iter().any(|e| matches!(
        e,
        Effect::Observe(Observation::LeaderElected {
            reason: "broker unfenced",
            ..
        })
    )));
}

#[test]
fn controlled_shutdown_moves_leadership_then_lets_the_broker_go() {
    let mut h = Harness::new(&config(2), 7);
    let epochs = h.brokers(&[1, 2]);
    h.create_with("t", -1, -1, Some(vec![vec![1, 2]]), vec![]).unwrap();
    let tp = TopicPartition::new("t", 0);
    let (error, _, should_shutdown) = h.heartbeat(1, epochs[0], true);
    assert_eq!(error, None);
    let p = h.image().partition(&tp).unwrap();
    assert_eq!((p.leader, p.isr.clone()), (2, vec![2]));
    assert!(h.effects.iter().any(|e| matches!(
        e,
        Effect::Observe(Observation::LeaderElected {
            leader: 2,
            reason: "controlled shutdown",
            ..
        })
    )));
    // It led a partition when it asked, so it waits one more heartbeat.
    assert!(!should_shutdown);
    let (_, fenced, should_shutdown) = h.heartbeat(1, epochs[0], true);
    assert!(fenced && should_shutdown);
    assert!(h.image().brokers[&1].fenced);
}

#[test]
fn admin_requests_for_partitions_configs_deletion_and_preferred_election() {
    let mut h = Harness::new(&config(2), 8);
    let epochs = h.brokers(&[1, 2]);
    h.create_with("t", -1, -1, Some(vec![vec![1, 2], vec![2, 1], vec![1, 2]]), vec![])
        .unwrap();
    let cp = |h: &mut Harness, total| match h.admin(AdminRequest::CreatePartitions {
        topic: "t".into(),
        total,
        assignment: None,
    }) {
        AdminResponse::CreatePartitions(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        cp(&mut h, 2).unwrap_err(),
        (
            KafkaError::InvalidPartitions,
            "The topic t currently has 3 partition(s); 2 would not be an increase.".into()
        )
    );
    assert_eq!(
        cp(&mut h, 3).unwrap_err(),
        (
            KafkaError::InvalidPartitions,
            "Topic already has 3 partition(s).".into()
        )
    );
    cp(&mut h, 5).unwrap();
    assert_eq!(h.image().topic("t").unwrap().partitions.len(), 5);

    match h.admin(AdminRequest::AlterTopicConfigs {
        topic: "t".into(),
        changes: vec![("min.insync.replicas".into(), Some("0".into()))],
    }) {
        AdminResponse::AlterTopicConfigs(r) => assert_eq!(
            r.unwrap_err(),
            (
                KafkaError::InvalidConfig,
                "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1".into()
            )
        ),
        other => panic!("{other:?}"),
    }

    // Broker 1 is fenced and comes back: its partitions are led by 2 until a preferred election.
    let offset = h.image().offset;
    h.deliver(
        1,
        Message::BrokerHeartbeat {
            broker: 1,
            broker_epoch: epochs[0],
            metadata_offset: offset,
            want_fence: true,
            want_shutdown: false,
        },
    );
    h.heartbeat(1, epochs[0], false);
    let tp0 = TopicPartition::new("t", 0);
    assert_eq!(h.image().partition(&tp0).unwrap().leader, 2);
    // Broker 1 is not back in the ISR (only the partition leader can add it): not available.
    match h.admin(AdminRequest::ElectLeaders {
        preferred: true,
        partitions: Some(vec![tp0.clone(), TopicPartition::new("t", 1)]),
    }) {
        AdminResponse::ElectLeaders(r) => assert_eq!(
            r,
            vec![
                (
                    tp0.clone(),
                    Err((
                        KafkaError::PreferredLeaderNotAvailable,
                        KafkaError::PreferredLeaderNotAvailable.message().into()
                    ))
                ),
                (
                    TopicPartition::new("t", 1),
                    Err((
                        KafkaError::ElectionNotNeeded,
                        KafkaError::ElectionNotNeeded.message().into()
                    ))
                ),
            ]
        ),
        other => panic!("{other:?}"),
    }

    match h.admin(AdminRequest::DeleteTopic { name: "nope".into() }) {
        AdminResponse::DeleteTopic(r) => assert_eq!(r.unwrap_err().0, KafkaError::UnknownTopicOrPartition),
        other => panic!("{other:?}"),
    }
    match h.admin(AdminRequest::DeleteTopic { name: "t".into() }) {
        AdminResponse::DeleteTopic(r) => r.unwrap(),
        other => panic!("{other:?}"),
    }
    assert!(h.image().topic("t").is_none());
}

#[test]
fn non_leader_redirects_fetches_and_refuses_requests() {
    // A voter of a 3-voter quorum that has not won anything yet.
    let cfg = ClusterConfig::new(1, 3);
    let mut rng = Rand64::new(9);
    let mut effects = Vec::new();
    let mut c = Controller::new(1001, &cfg, ControllerDisk::default(), 0);
    {
        let mut cx = Ctx::new(0, 1001, &mut rng, &mut effects);
        c.on_start(&mut cx);
        c.on_message(
            &mut cx,
            1,
            Message::MetadataFetch {
                epoch: 0,
                replica: 1,
                fetch_offset: 0,
                last_fetched_epoch: -1,
            },
        );
        c.on_message(
            &mut cx,
            ADMIN,
            Message::Admin {
                request_id: 7,
                request: AdminRequest::DeleteTopic { name: "t".into() },
            },
        );
    }
    assert!(!c.is_active());
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::SetTimer(_, sim::Timer::Controller(Timer::Election { .. })))));
    assert!(effects.iter().any(|e| matches!(e, Effect::Send(1, Message::MetadataFetchResponse(r)) if r.error == Some(KafkaError::NotLeaderOrFollower))));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Send(
            ADMIN,
            Message::AdminResponse {
                request_id: 7,
                response: AdminResponse::DeleteTopic(Err((KafkaError::NotController, _)))
            }
        )
    )));
}

#[test]
fn alter_partition_completes_a_reassignment_and_tells_the_old_leader_new_leader_elected() {
    let mut h = Harness::new(&config(3), 5);
    let epochs = h.brokers(&[1, 2, 3]);
    h.create_with("t", -1, -1, Some(vec![vec![1, 2]]), vec![]).unwrap();
    let tp = TopicPartition::new("t", 0);
    match h.admin(AdminRequest::AlterPartitionReassignments {
        reassignments: vec![(tp.clone(), Some(vec![2, 3]))],
    }) {
        AdminResponse::AlterPartitionReassignments(r) => assert_eq!(r, vec![(tp.clone(), Ok(()))]),
        other => panic!("{other:?}"),
    }
    let p = h.image().partition(&tp).unwrap().clone();
    assert_eq!(
        (
            p.replicas.clone(),
            p.isr.clone(),
            p.leader,
            p.adding_replicas.clone(),
            p.removing_replicas.clone()
        ),
        (vec![2, 3, 1], vec![1, 2], 1, vec![3], vec![1])
    );
    // The leader (1) adds the caught-up replica 3 to the ISR: that completes the
    // move, and leadership leaves 1.
    let effects = h.deliver(
        1,
        Message::AlterPartition(AlterPartition {
            broker: 1,
            broker_epoch: epochs[0],
            tp: tp.clone(),
            leader_epoch: p.leader_epoch,
            partition_epoch: p.partition_epoch,
            new_isr: vec![1, 2, 3],
        }),
    );
    assert!(
        matches!(&Harness::sent_to(&effects, 1)[0], Message::AlterPartitionResponse(r) if r.error == Some(KafkaError::NewLeaderElected)),
        "{effects:?}"
    );
    let done = h.image().partition(&tp).unwrap().clone();
    assert_eq!(
        (done.replicas.clone(), done.isr.clone(), done.leader),
        (vec![2, 3], vec![2, 3], 2)
    );
    assert!(done.adding_replicas.is_empty() && done.removing_replicas.is_empty());
    assert_eq!(done.leader_epoch, p.leader_epoch + 1);
    // Cancelling now: nothing in progress.
    match h.admin(AdminRequest::AlterPartitionReassignments {
        reassignments: vec![(tp.clone(), None)],
    }) {
        AdminResponse::AlterPartitionReassignments(r) => assert_eq!(
            r,
            vec![(
                tp.clone(),
                Err((
                    KafkaError::NoReassignmentInProgress,
                    "No partition reassignment is in progress.".to_string()
                ))
            )]
        ),
        other => panic!("{other:?}"),
    }
}
