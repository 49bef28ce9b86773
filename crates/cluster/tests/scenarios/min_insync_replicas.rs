//! min.insync.replicas=2 with one replica left: the leader refuses acks=all
//! writes with NOT_ENOUGH_REPLICAS. The Java producer treats that as retriable,
//! so the record finally fails with the delivery timeout, as it does in Kafka.

use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::{ClusterConfig, Fault, ProducerConfig};

use crate::support::*;

scenario! {
    fn min_insync_two_with_one_replica_left_refuses_writes() {
        let mut sim = cluster(ClusterConfig::new(2, 1), 3);
        create_topic(&mut sim, "orders", 1, 2, &[("min.insync.replicas", "2")]);
        let leader = partition(&sim, "orders", 0).leader;
        let other = if leader == 1 { 2 } else { 1 };
        sim.apply_fault(Fault::Kill(other));
        sim.run_for(15_000);
        assert_eq!(partition(&sim, "orders", 0).isr, vec![leader]);
        let p = sim.add_producer(ProducerConfig { acks: -1, delivery_timeout_ms: 5_000, ..ProducerConfig::default() });
        let id = sim.send_record(p, ProducerRecord { topic: "orders".into(), partition: None, key: None, value: Some(b"x".to_vec()), headers: vec![] });
        sim.run_for(10_000);
        let result = outcome(&sim, id).expect("decided");
        let err = result.expect_err("refused");
        assert_eq!(err, "org.apache.kafka.common.errors.TimeoutException: Expiring 1 record(s) for orders-0:5000 ms has passed since batch creation");
        let refusals = sim.trace().lines().filter(|l| l.text.contains("NOT_ENOUGH_REPLICAS")).count();
        assert!(refusals > 0, "the broker answered NOT_ENOUGH_REPLICAS");
    }
}
