//! The AdminClient calls behind `kafka-consumer-groups` and
//! `kafka-get-offsets`: list, describe, offsets, ListOffsets, delete, and
//! offset resets, against a running cluster.

use kafkaplay_cluster::consumer::ProcessingMode;
use kafkaplay_cluster::error::KafkaError;
use kafkaplay_cluster::protocol::GroupListing;
use kafkaplay_cluster::sim::group_admin::{GroupAdminError, ListedOffset, OffsetSpec, ResetSpec, GROUP_ADMIN_NODE};
use kafkaplay_cluster::{Fault, NodeId, ProducerConfig, Simulation, TopicPartition};

use crate::consumer_groups::*;
use crate::support::*;

/// Group `g` of two range consumers over `t` (3 partitions), 30 records
/// processed and committed (10 per partition).
fn running_group(seed: u64) -> (Simulation, Vec<NodeId>) {
    let mut sim = group_cluster(seed);
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
    (sim, vec![a, b])
}

fn stop_group(sim: &mut Simulation, consumers: &[NodeId]) {
    for c in consumers {
        sim.close_consumer(*c);
    }
    sim.run_for(3_000);
}

fn tp(p: i32) -> TopicPartition {
    TopicPartition::new("t", p)
}

scenario! {
    fn list_and_describe_a_running_group() {
        let (mut sim, consumers) = running_group(41);
        let listed = sim.list_groups().unwrap();
        assert_eq!(listed, vec![GroupListing { group_id: "g".into(), protocol_type: "consumer".into(), state: "Stable".into() }]);
        let d = sim.describe_group("g").unwrap();
        assert_eq!((d.state.as_str(), d.protocol.as_str(), d.protocol_type.as_str()), ("Stable", "range", "consumer"));
        assert_eq!(d.members.len(), 2);
        let mut assigned: Vec<TopicPartition> = d.members.iter().flat_map(|m| m.assignment.clone()).collect();
        assigned.sort();
        assert_eq!(assigned, all_partitions("t", 3));
        for m in &d.members {
            assert_eq!(m.host, "/127.0.0.1");
            assert!(m.client_id.starts_with("consumer-g-"), "{}", m.client_id);
            assert!(m.member_id.starts_with(&m.client_id), "{}", m.member_id);
        }
        let owner = d.members.iter().find(|m| m.assignment.contains(&tp(0))).unwrap();
        let c = consumers.iter().find(|c| sim.consumer(**c).unwrap().group_state().unwrap().member_id == owner.member_id);
        assert!(c.is_some(), "the described member is one of ours");
        let coordinator = d.coordinator;
        assert!(sim.broker(coordinator).unwrap().group_coordinator().group_state("g").is_some());

        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![(tp(0), 10), (tp(1), 10), (tp(2), 10)]);
        stop_group(&mut sim, &consumers);
        let listed = sim.list_groups().unwrap();
        assert_eq!(listed[0].state, "Empty");
        let d = sim.describe_group("g").unwrap();
        assert_eq!((d.state.as_str(), d.protocol.as_str(), d.members.len()), ("Empty", "", 0));
        // A group nobody ever used is Dead.
        assert_eq!(sim.describe_group("nobody").unwrap().state, "Dead");
        assert_eq!(sim.list_group_offsets("nobody").unwrap(), vec![]);
    }
}

scenario! {
    fn list_offsets_earliest_latest_and_by_time() {
        let mut sim = group_cluster(42);
        create_topic(&mut sim, "t", 2, 3, &[]);
        let producer = sim.add_producer(ProducerConfig::default());
        produce(&mut sim, producer, "t", 2, 0, 10);
        sim.run_for(10_000);
        let later = sim.now();
        produce(&mut sim, producer, "t", 2, 10, 10);
        let tps = all_partitions("t", 2);
        let offsets = |l: Vec<(TopicPartition, ListedOffset)>| l.into_iter().map(|(tp, l)| (tp.partition, l.offset)).collect::<Vec<_>>();
        assert_eq!(offsets(sim.list_offsets(&tps, OffsetSpec::Earliest).unwrap()), vec![(0, 0), (1, 0)]);
        assert_eq!(offsets(sim.list_offsets(&tps, OffsetSpec::Latest).unwrap()), vec![(0, 10), (1, 10)]);
        let by_time = sim.list_offsets(&tps, OffsetSpec::ForTimestamp(later)).unwrap();
        assert_eq!(offsets(by_time.clone()), vec![(0, 5), (1, 5)]);
        assert!(by_time.iter().all(|(_, l)| l.timestamp >= later));
        assert_eq!(offsets(sim.list_offsets(&tps, OffsetSpec::ForTimestamp(sim.now() + 1)).unwrap()), vec![(0, -1), (1, -1)]);
        let max = sim.list_offsets(&tps, OffsetSpec::MaxTimestamp).unwrap();
        // The second five records of each partition share one timestamp: the
        // first of them has the largest.
        assert!(max.iter().all(|(_, l)| l.offset == 5 && l.timestamp >= later), "{max:?}");
        let unknown = sim.list_offsets(&[TopicPartition::new("nope", 0)], OffsetSpec::Latest);
        assert_eq!(unknown, Err(GroupAdminError::Kafka(KafkaError::UnknownTopicOrPartition, "This server does not host this topic-partition.".into())));
    }
}

scenario! {
    fn a_group_with_members_cannot_be_deleted() {
        let (mut sim, consumers) = running_group(43);
        let refused = sim.delete_group("g").unwrap_err();
        assert_eq!(refused.to_string(), "org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.");
        stop_group(&mut sim, &consumers);
        sim.delete_group("g").unwrap();
        assert_eq!(sim.list_groups().unwrap(), vec![]);
        assert_eq!(sim.describe_group("g").unwrap().state, "Dead");
        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![], "the offsets went with it");
        let again = sim.delete_group("g").unwrap_err();
        assert_eq!(again.to_string(), "org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.");
    }
}

scenario! {
    fn resetting_the_offsets_of_an_active_group_is_refused() {
        let (mut sim, _consumers) = running_group(44);
        let refused = sim.reset_group_offsets("g", &all_partitions("t", 3), ResetSpec::ToEarliest, true).unwrap_err();
        assert_eq!(refused, GroupAdminError::Refused("Assignments can only be reset if the group 'g' is inactive, but the current state is Stable.".into()));
        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![(tp(0), 10), (tp(1), 10), (tp(2), 10)], "nothing was committed");
    }
}

scenario! {
    fn offset_reset_scenarios_on_an_inactive_group() {
        let (mut sim, consumers) = running_group(45);
        stop_group(&mut sim, &consumers);
        let tps = all_partitions("t", 3);
        let reset = |sim: &mut Simulation, spec, execute| {
            sim.reset_group_offsets("g", &tps, spec, execute).unwrap().into_iter().map(|(_, o)| o).collect::<Vec<i64>>()
        };
        // A dry run computes and commits nothing.
        assert_eq!(reset(&mut sim, ResetSpec::ToEarliest, false), vec![0, 0, 0]);
        assert_eq!(sim.list_group_offsets("g").unwrap()[0], (tp(0), 10));
        assert_eq!(reset(&mut sim, ResetSpec::ToEarliest, true), vec![0, 0, 0]);
        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![(tp(0), 0), (tp(1), 0), (tp(2), 0)]);
        assert_eq!(reset(&mut sim, ResetSpec::ToLatest, true), vec![10, 10, 10]);
        assert_eq!(reset(&mut sim, ResetSpec::ShiftBy(-3), true), vec![7, 7, 7]);
        assert_eq!(reset(&mut sim, ResetSpec::ToCurrent, false), vec![7, 7, 7]);
        // Clamped to [earliest, latest].
        assert_eq!(reset(&mut sim, ResetSpec::ShiftBy(-100), false), vec![0, 0, 0]);
        assert_eq!(reset(&mut sim, ResetSpec::ShiftBy(100), false), vec![10, 10, 10]);
        assert_eq!(reset(&mut sim, ResetSpec::ToOffset(4), true), vec![4, 4, 4]);
        assert_eq!(reset(&mut sim, ResetSpec::ToOffset(99), false), vec![10, 10, 10]);
        assert_eq!(reset(&mut sim, ResetSpec::ToOffset(-5), false), vec![0, 0, 0]);
        // By time: everything was written more than 3 s ago, nothing after now.
        let origin = sim.config().origin_ms;
        assert_eq!(reset(&mut sim, ResetSpec::ToDatetime(origin), false), vec![0, 0, 0]);
        let future = sim.now() + 1;
        assert_eq!(reset(&mut sim, ResetSpec::ToDatetime(future), false), vec![10, 10, 10]);
        assert_eq!(reset(&mut sim, ResetSpec::ByDuration(1_000), false), vec![10, 10, 10]);
        assert_eq!(reset(&mut sim, ResetSpec::ByDuration(3_600_000), false), vec![0, 0, 0]);
        // A consumer of the group starts where the reset left it (4).
        let (config, app) = group(ProcessingMode::CommitAfterProcessing);
        let c = sim.add_consumer(config, app);
        sim.subscribe(c, &["t"]);
        sim.run_for(10_000);
        let mine: Vec<(i32, i64)> = sim.consumed().iter().filter(|r| r.consumer == c).map(|r| (r.tp.partition, r.offset)).collect();
        let expected: Vec<(i32, i64)> = (0..3).flat_map(|p| (4..10).map(move |o| (p, o))).collect();
        let mut sorted = mine.clone();
        sorted.sort();
        assert_eq!(sorted, expected);
    }
}

scenario! {
    fn a_reset_without_committed_offsets_and_an_unknown_group() {
        let (mut sim, consumers) = running_group(46);
        stop_group(&mut sim, &consumers);
        // Nothing to reset: nothing is committed, and the group stays unknown.
        assert_eq!(sim.reset_group_offsets("fresh", &[], ResetSpec::ToEarliest, true).unwrap(), vec![]);
        assert_eq!(sim.describe_group("fresh").unwrap().state, "Dead");
        let refused = sim.reset_group_offsets("fresh", &[tp(0)], ResetSpec::ShiftBy(1), true).unwrap_err();
        assert_eq!(refused, GroupAdminError::Refused("Cannot shift offset for partition t-0 since there is no current committed offset".into()));
        // --to-current without a committed offset takes the log end.
        assert_eq!(sim.reset_group_offsets("fresh", &[tp(0)], ResetSpec::ToCurrent, true).unwrap(), vec![(tp(0), 10)]);
        assert_eq!(sim.list_group_offsets("fresh").unwrap(), vec![(tp(0), 10)]);
        assert_eq!(sim.describe_group("fresh").unwrap().state, "Empty");
    }
}

scenario! {
    fn admin_calls_find_the_new_coordinator_after_a_broker_dies() {
        let (mut sim, consumers) = running_group(47);
        stop_group(&mut sim, &consumers);
        let old = sim.describe_group("g").unwrap().coordinator;
        sim.apply_fault(Fault::Kill(old));
        // The first answers are NOT_COORDINATOR / no answer, until the
        // controller moves the offsets partition's leadership.
        let d = sim.describe_group("g").unwrap();
        assert_ne!(d.coordinator, old);
        assert_eq!(d.state, "Empty");
        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![(tp(0), 10), (tp(1), 10), (tp(2), 10)]);
        assert_eq!(sim.reset_group_offsets("g", &[tp(1)], ResetSpec::ShiftBy(-2), true).unwrap(), vec![(tp(1), 8)]);
        assert_eq!(sim.list_group_offsets("g").unwrap()[1], (tp(1), 8));
    }
}

scenario! {
    fn a_coordinator_that_moved_answers_not_coordinator_and_the_call_follows() {
        let (mut sim, consumers) = running_group(48);
        stop_group(&mut sim, &consumers);
        let old = sim.describe_group("g").unwrap().coordinator;
        // A controlled shutdown moves the offsets partition's leadership away
        // while the old broker still answers: it finds itself coordinator,
        // then has unloaded the group by the time the OffsetFetch arrives.
        sim.apply_fault(Fault::Shutdown(old));
        assert_eq!(sim.list_group_offsets("g").unwrap(), vec![(tp(0), 10), (tp(1), 10), (tp(2), 10)]);
        let not_coordinator = sim
            .trace()
            .lines()
            .any(|l| l.node == GROUP_ADMIN_NODE && l.text.contains("OffsetFetchResponse") && l.text.contains("NotCoordinator"));
        assert!(not_coordinator, "the first OffsetFetch was answered NOT_COORDINATOR");
        assert_ne!(sim.describe_group("g").unwrap().coordinator, old);
    }
}
