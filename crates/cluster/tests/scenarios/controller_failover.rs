//! KRaft: killing the active controller elects another; metadata survives.

use kafkaplay_cluster::{ClusterConfig, Fault};

use crate::support::*;

scenario! {
    fn killing_the_active_controller_elects_another() {
        let mut sim = cluster(ClusterConfig::new(3, 3), 4);
        create_topic(&mut sim, "before", 3, 3, &[]);
        let first = sim.active_controller().expect("a leader");
        sim.apply_fault(Fault::Kill(first));
        let elected = sim.run_until_condition(20_000, |s| s.active_controller().is_some_and(|c| c != first));
        assert!(elected, "a new controller within 20 s");
        let second = sim.active_controller().unwrap();
        assert_ne!(second, first);
        assert!(sim.metadata().unwrap().topic("before").is_some(), "committed metadata survived");
        create_topic(&mut sim, "after", 1, 3, &[]);
        sim.apply_fault(Fault::Restart(first));
        sim.run_for(10_000);
        assert_eq!(sim.active_controller(), Some(second), "the old leader rejoins as a follower");
        assert!(sim.controller(first).unwrap().image().topic("after").is_some(), "and catches up");
    }
}
