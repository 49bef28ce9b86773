//! Where Kafka does lose acknowledged records, and the checker says so:
//! acks=1 with a leader lost before replication, and an unclean election.

use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::{ClusterConfig, Fault};

use crate::support::*;

scenario! {
    fn acks1_leader_lost_before_replication_loses_acknowledged_records() {
        let mut sim = cluster(ClusterConfig::new(3, 1), 5);
        create_topic(&mut sim, "clicks", 1, 3, &[]);
        let view = partition(&sim, "clicks", 0);
        let leader = view.leader;
        let followers: Vec<i32> = view.replicas.iter().copied().filter(|r| *r != leader).collect();
        // The leader still reaches the controller and the producer, not its followers.
        sim.apply_fault(Fault::Partition(vec![vec![leader], followers.clone()]));
        let p = producer(&mut sim, 1);
        let mut values = Vec::new();
        for i in 0..10 {
            let v = format!("acks1-{i}");
            values.push((send(&mut sim, p, "clicks", Some(0), None, &v), v.into_bytes()));
        }
        sim.run_for(1_000);
        assert!(values.iter().all(|(id, _)| matches!(outcome(&sim, *id), Some(Ok(_)))), "acks=1: acknowledged by the leader alone");
        sim.apply_fault(Fault::Kill(leader));
        sim.apply_fault(Fault::Heal);
        sim.run_for(15_000);
        let after = partition(&sim, "clicks", 0);
        assert!(followers.contains(&after.leader), "a follower still in the ISR was elected cleanly");
        let report = check_history(&sim, &values, &["clicks"]);
        assert_eq!(report.lost.len(), 10, "all ten acknowledged records are lost: {report}");
    }
}

scenario! {
    fn unclean_election_loses_what_the_new_leader_never_had() {
        let mut sim = cluster(ClusterConfig::new(2, 1), 6);
        create_topic(&mut sim, "payments", 1, 2, &[("unclean.leader.election.enable", "true")]);
        let view = partition(&sim, "payments", 0);
        let leader = view.leader;
        let follower = *view.replicas.iter().find(|r| **r != leader).unwrap();
        sim.apply_fault(Fault::Partition(vec![vec![leader], vec![follower]]));
        // A follower that matches the leader's LEO stays in sync however long it is
        // silent (Replica.isCaughtUp); one new record makes it fall behind...
        let early = producer(&mut sim, 1);
        let mut values = vec![(send(&mut sim, early, "payments", Some(0), None, "while-partitioned"), b"while-partitioned".to_vec())];
        // ...and after replica.lag.time.max.ms (checked every half of it) it leaves the ISR.
        sim.run_for(50_000);
        assert_eq!(partition(&sim, "payments", 0).isr, vec![leader]);
        let p = producer(&mut sim, -1);
        for i in 0..10 {
            let v = format!("unclean-{i}");
            values.push((send(&mut sim, p, "payments", Some(0), None, &v), v.into_bytes()));
        }
        sim.run_for(2_000);
        assert!(values.iter().all(|(id, _)| matches!(outcome(&sim, *id), Some(Ok(_)))), "acks=all with ISR = [leader] succeeds");
        sim.apply_fault(Fault::Kill(leader));
        sim.apply_fault(Fault::Heal);
        sim.run_for(15_000);
        let after = partition(&sim, "payments", 0);
        assert_eq!(after.leader, follower, "the out-of-sync follower was elected");
        assert_eq!(after.isr, vec![follower]);
        let unclean = sim.observations().iter().any(|(_, _, o)| matches!(o, Observation::LeaderElected { reason: "unclean", .. }));
        assert!(unclean, "the election is reported as unclean");
        let report = check_history(&sim, &values, &["payments"]);
        assert_eq!(report.lost.len(), 11, "every acknowledged record is lost: {report}");
    }
}
