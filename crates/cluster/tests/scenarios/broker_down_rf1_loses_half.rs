//! The seed's case: replication factor 1 and a dead broker take half a topic
//! with them; the other half keeps working.

use kafkaplay_cluster::{ClusterConfig, Fault, TopicPartition, NO_NODE};

use crate::support::*;

scenario! {
    fn broker_down_rf1_loses_half() {
        let mut sim = cluster(ClusterConfig::new(2, 1), 1);
        create_topic(&mut sim, "topic-a", 2, 1, &[]);
        let leaders: Vec<i32> = (0..2).map(|p| partition(&sim, "topic-a", p).leader).collect();
        let mut sorted = leaders.clone();
        sorted.sort();
        assert_eq!(sorted, vec![1, 2], "one partition on each broker");

        let p = producer(&mut sim, -1);
        let ids: Vec<u64> = (0..2).map(|part| send(&mut sim, p, "topic-a", Some(part), None, &format!("before-{part}"))).collect();
        sim.run_for(2_000);
        assert!(ids.iter().all(|id| matches!(outcome(&sim, *id), Some(Ok(_)))), "both halves accept writes");

        sim.apply_fault(Fault::Kill(2));
        sim.run_for(15_000); // past broker.session.timeout.ms: the controller fences broker 2
        let dead_partition = leaders.iter().position(|l| *l == 2).unwrap() as i32;
        let live_partition = 1 - dead_partition;
        let view = partition(&sim, "topic-a", dead_partition);
        assert_eq!(view.leader, NO_NODE, "no replica left: leader none");
        assert_eq!(view.isr, vec![2], "the last ISR member stays in the ISR");
        assert_eq!(view.offline, vec![2]);
        assert!(read_partition(&sim, &TopicPartition::new("topic-a", dead_partition)).is_empty() || sim.broker(2).is_none());

        let m = kafkaplay_cluster::snapshot::metrics(&sim);
        assert_eq!((m.offline_partitions, m.under_replicated_partitions, m.active_controller_count, m.brokers_down), (1, 0, 1, 1));
        let snap = kafkaplay_cluster::snapshot::partitions(&sim);
        assert!(snap[dead_partition as usize].is_offline());
        assert_eq!(snap[live_partition as usize].high_watermark(), Some(1), "one record below the HW on the live half");

        let ok = send(&mut sim, p, "topic-a", Some(live_partition), None, "after");
        sim.run_for(2_000);
        assert!(matches!(outcome(&sim, ok), Some(Ok(1))), "the other half still works: {:?}", outcome(&sim, ok));

        // The dead half is gone until broker 2 returns; then its data is back.
        sim.apply_fault(Fault::Restart(2));
        sim.run_for(15_000);
        assert_eq!(partition(&sim, "topic-a", dead_partition).leader, 2);
        let back = read_partition(&sim, &TopicPartition::new("topic-a", dead_partition));
        assert_eq!(back.len(), 1, "the record survived on broker 2's disk");
    }
}
