//! Replication factor 2: when the leader's broker dies, the follower leads and
//! nothing acknowledged is lost.

use kafkaplay_cluster::invariants::InvariantChecker;
use kafkaplay_cluster::{ClusterConfig, Fault};

use crate::support::*;

scenario! {
    fn rf2_follower_takes_over() {
        let mut sim = cluster(ClusterConfig::new(2, 1), 2);
        let mut checker = InvariantChecker::new();
        create_topic(&mut sim, "topic-a", 2, 2, &[]);
        let before = partition(&sim, "topic-a", 0);
        assert_eq!(before.isr.len(), 2);
        let p = producer(&mut sim, -1);
        let mut values = Vec::new();
        for i in 0..20 {
            let v = format!("v{i}");
            let id = send(&mut sim, p, "topic-a", Some(0), None, &v);
            values.push((id, v.into_bytes()));
        }
        run_checked(&mut sim, &mut checker, 3_000);
        let old_leader = before.leader;
        let follower = *before.replicas.iter().find(|r| **r != old_leader).unwrap();
        sim.apply_fault(Fault::Kill(old_leader));
        run_checked(&mut sim, &mut checker, 15_000);
        let after = partition(&sim, "topic-a", 0);
        assert_eq!(after.leader, follower, "the follower took over");
        assert!(after.leader_epoch > before.leader_epoch, "with a new leader epoch");
        assert_eq!(after.isr, vec![follower]);
        let m = kafkaplay_cluster::snapshot::metrics(&sim);
        assert_eq!((m.offline_partitions, m.under_replicated_partitions), (0, 2), "both partitions run on one replica");
        assert!(m.bytes_in > 0 && m.bytes_out > 0, "produce and replication traffic were counted");
        let report = check_history(&sim, &values, &["topic-a"]);
        assert!(report.is_clean(), "seed 2: {report}");
        assert_eq!(report.acked, 20);
    }
}

scenario! {
    fn running_until_quiet_leaves_every_replica_in_step() {
        let mut sim = cluster(ClusterConfig::new(3, 1), 21);
        create_topic(&mut sim, "quiet", 3, 3, &[]);
        let p = producer(&mut sim, -1);
        for i in 0..30 {
            send(&mut sim, p, "quiet", None, Some(&format!("k{i}")), &format!("v{i}"));
        }
        assert!(sim.run_until_quiet(30_000), "the cluster settles");
        assert_eq!(sim.outcomes().len(), 30, "every record has its outcome");
        for snap in kafkaplay_cluster::snapshot::partitions(&sim) {
            let leo: Vec<Option<i64>> = snap.replica_states.iter().map(|r| r.log_end_offset).collect();
            assert!(leo.windows(2).all(|w| w[0] == w[1]), "{}: replicas differ: {leo:?}", snap.tp);
        }
        let total: i64 = kafkaplay_cluster::snapshot::partitions(&sim).iter().filter_map(|p| p.high_watermark()).sum();
        assert_eq!(total, 30);
    }
}
