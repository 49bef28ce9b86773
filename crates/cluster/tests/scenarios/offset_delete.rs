//! KIP-496 OffsetDelete (`kafka-consumer-groups --delete-offsets`): a group
//! with members keeps the offsets of topics it subscribes to
//! (GROUP_SUBSCRIBED_TO_TOPIC) and loses the others; an empty group loses
//! any. The tombstones are in `__consumer_offsets`, so a deleted offset stays
//! gone after the coordinator's broker dies and another loads the group.

use kafkaplay_cluster::consumer::ProcessingMode;
use kafkaplay_cluster::error::KafkaError;
use kafkaplay_cluster::{Fault, NodeId, ProducerConfig, Simulation, TopicPartition};

use crate::consumer_groups::*;
use crate::support::*;

fn coordinator_of(sim: &Simulation, group: &str) -> Option<NodeId> {
    sim.config().brokers.iter().copied().find(|b| {
        sim.broker(*b).is_some_and(|x| {
            let c = x.group_coordinator();
            c.loaded_partitions().contains_key(&c.partition_for(group)) && c.group_state(group).is_some()
        })
    })
}

scenario! {
    fn delete_offsets_spares_subscribed_topics_and_survives_a_coordinator_failover() {
        let mut sim = group_cluster(61);
        create_topic(&mut sim, "t", 2, 3, &[]);
        create_topic(&mut sim, "u", 1, 3, &[]);
        let producer = sim.add_producer(ProducerConfig::default());
        produce(&mut sim, producer, "t", 2, 0, 20);
        let (config, app) = group(ProcessingMode::CommitAfterProcessing);
        let a = sim.add_consumer(config.clone(), app);
        sim.subscribe(a, &["t"]);
        sim.run_for(15_000);
        sim.close_consumer(a);
        sim.run_for(3_000);
        // The group is empty now: give it an offset on `u` too.
        let u0 = TopicPartition::new("u", 0);
        sim.alter_group_offsets("g", &[(u0.clone(), 0)]).unwrap();
        let t0 = TopicPartition::new("t", 0);
        let t1 = TopicPartition::new("t", 1);
        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![(t0.clone(), 10), (t1.clone(), 10), (u0.clone(), 0)]);

        // A member subscribed to `t` again.
        let b = sim.add_consumer(config, app);
        sim.subscribe(b, &["t"]);
        sim.run_for(10_000);
        assert_eq!(sim.describe_group("g").unwrap().state, "Stable");
        let results = sim.delete_group_offsets("g", &[t0.clone(), u0.clone()]).unwrap();
        assert_eq!(results, vec![(t0.clone(), Some(KafkaError::GroupSubscribedToTopic)), (u0.clone(), None)]);
        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![(t0.clone(), 10), (t1.clone(), 10)]);

        // The coordinator's broker dies; the next one replays the tombstone.
        let old = coordinator_of(&sim, "g").expect("a coordinator");
        sim.apply_fault(Fault::Kill(old));
        let moved = sim.run_until_condition(30_000, |s| coordinator_of(s, "g").is_some_and(|c| c != old));
        assert!(moved, "seed {}: no broker took over the group", sim.seed());
        let new = coordinator_of(&sim, "g").unwrap();
        let c = sim.broker(new).unwrap().group_coordinator();
        assert_eq!(c.committed_offset("g", &u0), None, "the deleted offset stays deleted");
        assert_eq!(c.committed_offset("g", &t0), Some(10));

        // Empty again: every asked offset goes, even of subscribed topics.
        sim.close_consumer(b);
        // (Its LeaveGroup may have gone to the dead coordinator: then the
        // session times out.)
        let mut state = String::new();
        for _ in 0..12 {
            sim.run_for(5_000);
            state = sim.describe_group("g").unwrap().state;
            if state == "Empty" {
                break;
            }
        }
        assert_eq!(state, "Empty");
        let results = sim.delete_group_offsets("g", std::slice::from_ref(&t1)).unwrap();
        assert_eq!(results, vec![(t1.clone(), None)]);
        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![(t0, 10)]);
        let unknown = sim.delete_group_offsets("nobody", &[t1]).unwrap_err();
        assert_eq!(unknown.to_string(), "org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.");
    }
}
