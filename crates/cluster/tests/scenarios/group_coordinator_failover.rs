//! The broker that coordinates a group dies while the group runs: the members
//! find the new coordinator (the new leader of the group's
//! `__consumer_offsets` partition), which loaded the group and its committed
//! offsets from the replicated log, and they go on without losing a record.

use kafkaplay_cluster::checker::check_group_delivery;
use kafkaplay_cluster::consumer::ProcessingMode;
use kafkaplay_cluster::{Fault, NodeId, ProducerConfig, Simulation, TopicPartition};

use crate::consumer_groups::*;
use crate::support::*;

/// The broker whose group coordinator has `group` loaded.
fn coordinator_of(sim: &Simulation, group: &str) -> Option<NodeId> {
    sim.config().brokers.iter().copied().find(|b| {
        sim.broker(*b).is_some_and(|x| {
            let c = x.group_coordinator();
            c.loaded_partitions().contains_key(&c.partition_for(group)) && c.group_state(group).is_some()
        })
    })
}

fn committed(sim: &Simulation, coordinator: NodeId, tps: &[TopicPartition]) -> Vec<Option<i64>> {
    let c = sim.broker(coordinator).expect("coordinator up").group_coordinator();
    tps.iter().map(|tp| c.committed_offset("g", tp)).collect()
}

scenario! {
    fn the_coordinator_dies_and_the_group_finds_the_new_one_with_its_offsets() {
        let mut sim = group_cluster(21);
        create_topic(&mut sim, "t", 3, 3, &[]);
        let producer = sim.add_producer(ProducerConfig::default());
        let (config, app) = group(ProcessingMode::CommitAfterProcessing);
        let a = sim.add_consumer(config.clone(), app);
        let b = sim.add_consumer(config, app);
        sim.subscribe(a, &["t"]);
        sim.subscribe(b, &["t"]);
        sim.run_for(10_000);
        produce(&mut sim, producer, "t", 3, 0, 30);
        sim.run_for(3_000);
        let tps = all_partitions("t", 3);
        let old = coordinator_of(&sim, "g").expect("a coordinator");
        let before = committed(&sim, old, &tps);
        assert_eq!(before, vec![Some(10); 3], "every record processed and committed");
        let generation = sim.consumer(a).unwrap().group_state().unwrap().generation_id;

        sim.apply_fault(Fault::Kill(old));
        let moved = sim.run_until_condition(30_000, |s| coordinator_of(s, "g").is_some_and(|c| c != old));
        assert!(moved, "seed {}: no broker took over the group", sim.seed());
        let new = coordinator_of(&sim, "g").unwrap();
        assert_eq!(committed(&sim, new, &tps), before, "the offsets were loaded from the replicated log");
        // The members reach the new coordinator and stay in their generation.
        let found = sim.run_until_condition(30_000, |s| {
            [a, b].iter().all(|c| {
                s.consumer(*c)
                    .and_then(|c| c.group_state())
                    .is_some_and(|g| g.coordinator == Some(new))
            })
        });
        assert!(found, "seed {}: members did not find coordinator {new}", sim.seed());
        let generation_after = sim.consumer(a).unwrap().group_state().unwrap().generation_id;
        assert_eq!(generation_after, generation, "no rebalance was needed");

        produce(&mut sim, producer, "t", 3, 30, 30);
        sim.run_for(5_000);
        assert_eq!(committed(&sim, new, &tps), vec![Some(20); 3]);
        let report = check_group_delivery(&final_read(&sim, "t", 3), sim.consumed());
        assert!(report.is_exactly_once(), "{report}");
        assert_eq!(report.records, 60);
        // The loss is in the trace for a learner to see.
        let loaded = sim.observations().iter().any(|(_, n, o)| *n == new && o.to_string().contains("loaded 1 groups"));
        assert!(loaded, "broker {new} noted that it loaded the group");
    }
}
