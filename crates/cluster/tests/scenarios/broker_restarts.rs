//! Brokers going away and coming back: controlled shutdown moves leadership
//! first; a follower that lost power recovers, truncates, catches up and rejoins
//! the ISR; the preferred leader gets its leadership back.

use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::{ClusterConfig, Fault, TopicPartition};

use crate::support::*;

scenario! {
    fn controlled_shutdown_moves_leadership_before_stopping() {
        let mut sim = cluster(ClusterConfig::new(3, 1), 11);
        create_topic(&mut sim, "orders", 3, 3, &[]);
        let led_by_1: Vec<i32> = (0..3).filter(|p| partition(&sim, "orders", *p).leader == 1).collect();
        assert!(!led_by_1.is_empty());
        sim.apply_fault(Fault::Shutdown(1));
        let stopped = sim.run_until_condition(30_000, |s| !s.is_up(1));
        assert!(stopped, "broker 1 finished its controlled shutdown");
        for p in &led_by_1 {
            let view = partition(&sim, "orders", *p);
            assert_ne!(view.leader, 1);
            assert!(!view.isr.contains(&1), "broker 1 left the ISR of orders-{p}");
        }
        let moved = sim.observations().iter().any(|(_, _, o)| matches!(o, Observation::LeaderElected { reason: "controlled shutdown", .. }));
        assert!(moved, "leaders were moved by the controlled shutdown");
        let recovered = sim.observations().iter().filter(|(_, n, o)| *n == 1 && matches!(o, Observation::LogRecovered { .. })).count();
        assert_eq!(recovered, 0, "a clean shutdown needs no recovery");
    }
}

scenario! {
    fn a_follower_back_from_power_loss_catches_up_and_rejoins_the_isr() {
        let mut sim = cluster(ClusterConfig::new(3, 1), 12);
        create_topic(&mut sim, "events", 1, 3, &[]);
        let view = partition(&sim, "events", 0);
        let follower = *view.replicas.iter().find(|r| **r != view.leader).unwrap();
        let p = producer(&mut sim, -1);
        for i in 0..20 {
            send(&mut sim, p, "events", Some(0), None, &format!("before-{i}"));
        }
        sim.run_for(2_000);
        sim.apply_fault(Fault::PowerLoss(follower));
        for i in 0..20 {
            send(&mut sim, p, "events", Some(0), None, &format!("during-{i}"));
        }
        sim.run_for(15_000);
        assert!(!partition(&sim, "events", 0).isr.contains(&follower), "fenced, so out of the ISR");
        sim.apply_fault(Fault::Restart(follower));
        let rejoined = sim.run_until_condition(60_000, |s| partition(s, "events", 0).isr.contains(&follower));
        assert!(rejoined, "the follower rejoined the ISR");
        let tp = TopicPartition::new("events", 0);
        let info = sim.broker(follower).unwrap().replica_info(&tp).unwrap();
        assert_eq!(info.log_end_offset, 40, "and caught up with all 40 records");
    }
}

scenario! {
    fn the_preferred_leader_gets_its_leadership_back() {
        let mut config = ClusterConfig::new(2, 1);
        config.broker.leader_imbalance_check_interval_ms = 10_000;
        let mut sim = cluster(config, 13);
        create_topic(&mut sim, "prefs", 2, 2, &[]);
        let preferred: Vec<i32> = (0..2).map(|p| partition(&sim, "prefs", p).replicas[0]).collect();
        sim.apply_fault(Fault::Kill(preferred[0]));
        sim.run_for(15_000);
        assert_ne!(partition(&sim, "prefs", 0).leader, preferred[0], "failed over");
        sim.apply_fault(Fault::Restart(preferred[0]));
        let back = sim.run_until_condition(90_000, |s| partition(s, "prefs", 0).leader == preferred[0]);
        assert!(back, "auto.leader.rebalance.enable moved it back to the preferred replica");
        let preferred_election = sim.observations().iter().any(|(_, _, o)| matches!(o, Observation::LeaderElected { reason: "preferred", .. }));
        assert!(preferred_election);
    }
}
