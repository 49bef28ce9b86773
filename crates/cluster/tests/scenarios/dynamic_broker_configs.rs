//! Dynamic broker configs (KIP-226): `min.insync.replicas=2` set as the
//! cluster-wide default at runtime makes a leader with one replica left refuse
//! acks=all writes, though the topic has no override; deleting it lets writes
//! through again. The configs are ConfigRecords in the metadata log, so they
//! survive a persist and restore.

use std::collections::BTreeMap;

use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::{ClusterConfig, Fault, KafkaError, ProducerConfig, Simulation};
use kafkaplay_log::StoredSegment;

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
        let files: BTreeMap<String, Vec<StoredSegment>> = persisted
            .files
            .iter()
            .map(|f| {
                let segments = f
                    .segments
                    .iter()
                    .map(|s| StoredSegment { base_offset: s.base_offset, bytes: s.bytes.to_vec() })
                    .collect();
                (f.path(), segments)
            })
            .collect();
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
