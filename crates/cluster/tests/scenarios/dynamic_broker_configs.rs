//! Dynamic broker configs (KIP-226): `min.insync.replicas=2` set as the
//! cluster-wide default at runtime makes a leader with one replica left refuse
//! acks=all writes, though the topic has no override; deleting it lets writes
//! through again. The configs are ConfigRecords in the metadata log, so they
//! survive a persist and restore.

use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::{ClusterConfig, Fault, KafkaError, ProducerConfig, Simulation};

use crate::support::*;

fn alter(sim: &mut Simulation, resource: &str, changes: &[(&str, Option<&str>)]) -> Result<(), (KafkaError, String)> {
    let request = AdminRequest::AlterBrokerConfigs {
        resource: resource.to_string(),
        changes: changes
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect(),
    };
    match sim.admin_and_wait(request, 30_000) {
        Some(AdminResponse::AlterBrokerConfigs(r)) => {
            sim.run_for(2_000); // the brokers fetch and apply the records
            r
        }
        other => panic!("alter broker configs: {other:?}"),
    }
}

scenario! {
    fn a_dynamic_min_insync_default_refuses_writes_until_deleted() {
        let mut sim = cluster(ClusterConfig::new(2, 1), 5);
        create_topic(&mut sim, "orders", 1, 2, &[]);
        let leader = partition(&sim, "orders", 0).leader;
        let other = if leader == 1 { 2 } else { 1 };
        sim.apply_fault(Fault::Kill(other));
        sim.run_for(15_000);
        assert_eq!(partition(&sim, "orders", 0).isr, vec![leader]);

        // Static min.insync.replicas=1: the write succeeds.
        let p = sim.add_producer(ProducerConfig { acks: -1, delivery_timeout_ms: 5_000, ..ProducerConfig::default() });
        let ok = send(&mut sim, p, "orders", None, None, "a");
        sim.run_for(3_000);
        assert!(outcome(&sim, ok).expect("decided").is_ok());

        alter(&mut sim, "", &[("min.insync.replicas", Some("2"))]).expect("altered");
        assert_eq!(
            sim.broker(leader).unwrap().dynamic_configs().get("min.insync.replicas").map(String::as_str),
            Some("2")
        );
        let refused = send(&mut sim, p, "orders", None, None, "b");
        sim.run_for(10_000);
        let err = outcome(&sim, refused).expect("decided").expect_err("refused");
        assert!(err.contains("Expiring 1 record(s)"), "{err}");
        assert!(sim.trace().lines().any(|l| l.text.contains("NOT_ENOUGH_REPLICAS")));

        alter(&mut sim, "", &[("min.insync.replicas", None)]).expect("deleted");
        let again = send(&mut sim, p, "orders", None, None, "c");
        sim.run_for(3_000);
        assert!(outcome(&sim, again).expect("decided").is_ok());
    }
}

scenario! {
    fn refused_broker_configs_write_nothing_and_accepted_ones_survive_a_restore() {
        let mut sim = cluster(ClusterConfig::new(3, 1), 6);
        let e = alter(&mut sim, "1", &[("num.partitions", Some("3"))]).unwrap_err();
        assert_eq!(e, (KafkaError::InvalidRequest, "Cannot update these configs dynamically: Set(num.partitions)".into()));
        let e = alter(&mut sim, "", &[("log.retention.ms", Some("soon"))]).unwrap_err();
        assert_eq!(e.1, "Invalid value soon for configuration log.retention.ms: Not a number of type LONG");
        assert!(sim.metadata().unwrap().broker_configs.is_empty());

        alter(&mut sim, "", &[("log.retention.ms", Some("60000"))]).expect("default");
        alter(&mut sim, "2", &[("log.segment.bytes", Some("1048576")), ("min.insync.replicas", Some("2"))]).expect("broker 2");
        let expected = sim.metadata().unwrap().broker_configs.clone();
        assert_eq!(expected[""]["log.retention.ms"], "60000");
        assert_eq!(expected["2"]["log.segment.bytes"], "1048576");

        let persisted = sim.persisted();
        let meta = persisted.meta.clone();
        let files = persisted.stored_files();
        drop(persisted);
        let (mut restored, _) = Simulation::restore(&meta, files).expect("restore");
        restored.run_for(15_000);
        assert_eq!(restored.metadata().unwrap().broker_configs, expected);
        let two = restored.broker(2).unwrap().dynamic_configs().clone();
        assert_eq!(two.get("log.segment.bytes").map(String::as_str), Some("1048576"));
        assert_eq!(two.get("log.retention.ms").map(String::as_str), Some("60000"));
        let one = restored.broker(1).unwrap().dynamic_configs().clone();
        assert_eq!(one.get("log.segment.bytes"), None);
        assert_eq!(one.get("log.retention.ms").map(String::as_str), Some("60000"));
    }
}

/// Moves `t-0` from broker 1 onto brokers 1 and 2 and returns how long the
/// new replica took to join, with or without Kafka's reassignment throttle
/// (`leader.replication.throttled.replicas` on the topic and
/// `leader.replication.throttled.rate` on the leader).
fn move_time(throttle: Option<i64>) -> i64 {
    let mut config = ClusterConfig::new(2, 1);
    config.broker.replica_fetch_max_bytes = 10_000;
    let mut sim = cluster(config, 7);
    create_topic(&mut sim, "t", 1, 1, &[]);
    let p = producer(&mut sim, 1);
    let value = "x".repeat(1_000);
    let ids: Vec<u64> = (0..200)
        .map(|_| send(&mut sim, p, "t", Some(0), None, &value))
        .collect();
    sim.run_for(5_000);
    assert!(ids.iter().all(|id| outcome(&sim, *id).is_some_and(|r| r.is_ok())));
    if let Some(rate) = throttle {
        let request = AdminRequest::AlterTopicConfigs {
            topic: "t".into(),
            changes: vec![
                ("leader.replication.throttled.replicas".into(), Some("0:1".into())),
                ("follower.replication.throttled.replicas".into(), Some("0:2".into())),
            ],
        };
        assert!(matches!(
            sim.admin_and_wait(request, 30_000),
            Some(AdminResponse::AlterTopicConfigs(Ok(())))
        ));
        alter(
            &mut sim,
            "1",
            &[("leader.replication.throttled.rate", Some(&rate.to_string()))],
        )
        .unwrap();
    }
    let start = sim.now();
    let request = AdminRequest::AlterPartitionReassignments {
        reassignments: vec![(kafkaplay_cluster::TopicPartition::new("t", 0), Some(vec![1, 2]))],
    };
    assert!(sim.admin_and_wait(request, 30_000).is_some());
    let done = sim.run_until_condition(600_000, |s| {
        s.metadata()
            .and_then(|m| {
                m.partition(&kafkaplay_cluster::TopicPartition::new("t", 0))
                    .map(|p| p.isr.len() == 2 && !p.is_reassigning())
            })
            .unwrap_or(false)
    });
    assert!(done, "the move completes");
    sim.now() - start
}

scenario! {
    fn a_throttled_move_goes_at_the_throttled_rate() {
        // About 200 KB to copy.
        let free = move_time(None);
        let throttled = move_time(Some(10_000));
        assert!(free < 3_000, "unthrottled: {free} ms");
        // 10 KB/s over Kafka's 11 one-second windows: the first 100 KB go at
        // once, the rest at the rate.
        assert!(throttled > 8_000, "throttled: {throttled} ms (unthrottled {free} ms)");
        assert!(throttled < 60_000, "throttled: {throttled} ms");
    }
}
