//! Consumer groups end to end: brokers with the group coordinator, producers,
//! consumers and their applications, judged with the group delivery checker.
//! The helpers here are shared by the other group scenarios.

use kafkaplay_cluster::checker::{check_group_delivery, DeliveryReport, PartitionRead};
use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, Phase, ProcessingMode};
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::{ClusterConfig, NodeId, ProducerConfig, Simulation, TopicPartition};

use crate::support::*;

/// Three brokers, one controller, `__consumer_offsets` with three partitions.
pub fn group_cluster(seed: u64) -> Simulation {
    let mut config = ClusterConfig::new(3, 1);
    config.broker.offsets_topic_num_partitions = 3;
    cluster(config, seed)
}

/// Sends `n` records with values `v-<i>` spread over the partitions and waits
/// for their acknowledgements.
pub fn produce(sim: &mut Simulation, producer: NodeId, topic: &str, partitions: i32, from: u32, n: u32) {
    for i in from..from + n {
        sim.send_record(
            producer,
            ProducerRecord {
                topic: topic.into(),
                partition: Some((i % partitions as u32) as i32),
                key: None,
                value: Some(format!("v-{i}").into_bytes()),
                headers: Vec::new(),
            },
        );
    }
    let sent = sim.outcomes().len() + n as usize;
    let acked = sim.run_until_condition(30_000, |s| s.outcomes().len() >= sent);
    assert!(acked, "seed {}: {n} records not acknowledged", sim.seed());
}

/// What each partition's leader holds below the high watermark.
pub fn final_read(sim: &Simulation, topic: &str, partitions: i32) -> Vec<PartitionRead> {
    (0..partitions)
        .map(|p| {
            let tp = TopicPartition::new(topic, p);
            let records = read_partition(sim, &tp);
            (tp, records)
        })
        .collect()
}

/// A consumer config of group `g` reading from the earliest offset with the
/// range assignor, and its application.
pub fn group(mode: ProcessingMode) -> (ConsumerConfig, ConsumerApp) {
    let mut config = ConsumerConfig::group("g");
    config.auto_offset_reset = "earliest".into();
    config.enable_auto_commit = mode == ProcessingMode::AutoCommit;
    config.partition_assignment_strategy = vec!["range".into()];
    (config, ConsumerApp::new(mode))
}

pub fn assignments(sim: &Simulation, consumers: &[NodeId]) -> Vec<Vec<TopicPartition>> {
    consumers
        .iter()
        .map(|c| sim.consumer(*c).map(|c| c.assignment()).unwrap_or_default())
        .collect()
}

pub fn all_partitions(topic: &str, n: i32) -> Vec<TopicPartition> {
    (0..n).map(|p| TopicPartition::new(topic, p)).collect()
}

scenario! {
    fn two_consumers_share_three_partitions_and_process_each_record_once() {
        let mut sim = group_cluster(1);
        create_topic(&mut sim, "t", 3, 3, &[]);
        let producer = sim.add_producer(ProducerConfig::default());
        produce(&mut sim, producer, "t", 3, 0, 30);
        let (config, app) = group(ProcessingMode::CommitAfterProcessing);
        let a = sim.add_consumer(config.clone(), app);
        let b = sim.add_consumer(config, app);
        sim.subscribe(a, &["t"]);
        sim.subscribe(b, &["t"]);
        sim.run_for(10_000);
        let split = assignments(&sim, &[a, b]);
        let mut all: Vec<TopicPartition> = split.concat();
        all.sort();
        assert_eq!(all, all_partitions("t", 3), "{split:?}");
        assert!(split.iter().all(|a| !a.is_empty()), "{split:?}");
        produce(&mut sim, producer, "t", 3, 30, 30);
        sim.run_for(5_000);
        let report = check_group_delivery(&final_read(&sim, "t", 3), sim.consumed());
        assert!(report.is_exactly_once(), "{report}");
        assert_eq!(report.records, 60);
    }
}

scenario! {
    fn a_fourth_consumer_of_a_three_partition_topic_idles() {
        let mut sim = group_cluster(2);
        create_topic(&mut sim, "t", 3, 3, &[]);
        let (config, app) = group(ProcessingMode::AutoCommit);
        let consumers: Vec<NodeId> = (0..4).map(|_| sim.add_consumer(config.clone(), app)).collect();
        for c in &consumers {
            sim.subscribe(*c, &["t"]);
        }
        sim.run_for(15_000);
        let split = assignments(&sim, &consumers);
        let sizes: Vec<usize> = split.iter().map(Vec::len).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 3, "{split:?}");
        assert_eq!(sizes.iter().filter(|n| **n == 0).count(), 1, "one idles: {split:?}");
        let generations: Vec<i32> = consumers
            .iter()
            .map(|c| sim.consumer(*c).unwrap().group_state().unwrap().generation_id)
            .collect();
        assert!(generations.windows(2).all(|w| w[0] == w[1]), "{generations:?}");
    }
}

scenario! {
    fn a_member_that_leaves_hands_its_partitions_over() {
        let mut sim = group_cluster(3);
        create_topic(&mut sim, "t", 3, 3, &[]);
        let producer = sim.add_producer(ProducerConfig::default());
        let (config, app) = group(ProcessingMode::AutoCommit);
        let a = sim.add_consumer(config.clone(), app);
        let b = sim.add_consumer(config, app);
        sim.subscribe(a, &["t"]);
        sim.subscribe(b, &["t"]);
        sim.run_for(10_000);
        produce(&mut sim, producer, "t", 3, 0, 30);
        sim.run_for(2_000);
        let b_had = sim.consumer(b).unwrap().assignment();
        assert!(!b_had.is_empty());
        sim.close_consumer(b);
        sim.run_for(5_000);
        assert!(sim.consumer(b).is_none(), "closed and exited");
        assert_eq!(sim.consumer(a).unwrap().assignment(), all_partitions("t", 3));
        produce(&mut sim, producer, "t", 3, 30, 30);
        sim.run_for(5_000);
        // b committed on close, so a goes on where b stopped: exactly once.
        let report = check_group_delivery(&final_read(&sim, "t", 3), sim.consumed());
        assert!(report.is_exactly_once(), "{report}");
        assert!(sim.consumed().iter().any(|r| r.consumer == a && b_had.contains(&r.tp)));
    }
}

/// One consumer processes, dies at `phase`, and a second one takes over.
fn crash_and_take_over(mode: ProcessingMode, phase: Phase, seed: u64) -> DeliveryReport {
    let mut sim = group_cluster(seed);
    create_topic(&mut sim, "t", 1, 3, &[]);
    let producer = sim.add_producer(ProducerConfig::default());
    let (config, app) = group(mode);
    let a = sim.add_consumer(config.clone(), app);
    sim.subscribe(a, &["t"]);
    produce(&mut sim, producer, "t", 1, 0, 10);
    assert!(sim.run_until_condition(20_000, |s| s.consumed().len() >= 10));
    sim.run_for(1_000);
    sim.crash_consumer_after(a, phase);
    produce(&mut sim, producer, "t", 1, 10, 10);
    sim.run_for(2_000);
    assert!(sim.consumer(a).is_none(), "a crashed at {phase:?}");
    let b = sim.add_consumer(config, app);
    sim.subscribe(b, &["t"]);
    // b's join waits for a's session (45 s) to expire.
    sim.run_for(60_000);
    assert_eq!(sim.consumer(b).unwrap().assignment(), vec![TopicPartition::new("t", 0)]);
    check_group_delivery(&final_read(&sim, "t", 1), sim.consumed())
}

scenario! {
    fn commit_after_processing_and_a_crash_before_the_commit_duplicates() {
        let report = crash_and_take_over(ProcessingMode::CommitAfterProcessing, Phase::Processed, 4);
        assert!(report.never_processed.is_empty(), "{report}");
        assert!(!report.reprocessed.is_empty(), "{report}");
        assert!(report.regressions.is_empty(), "{report}");
    }
}

scenario! {
    fn commit_before_processing_and_a_crash_after_the_commit_loses() {
        let report = crash_and_take_over(ProcessingMode::CommitBeforeProcessing, Phase::Committed, 5);
        assert!(!report.never_processed.is_empty(), "{report}");
        assert!(report.reprocessed.is_empty(), "{report}");
        assert!(report.regressions.is_empty(), "{report}");
    }
}

scenario! {
    fn the_eager_sticky_assignor_keeps_partitions_where_they_were() {
        let mut sim = group_cluster(6);
        create_topic(&mut sim, "t", 6, 3, &[]);
        let (mut config, app) = group(ProcessingMode::AutoCommit);
        config.partition_assignment_strategy = vec!["sticky".into()];
        let consumers: Vec<NodeId> = (0..3).map(|_| sim.add_consumer(config.clone(), app)).collect();
        for c in &consumers {
            sim.subscribe(*c, &["t"]);
        }
        sim.run_for(15_000);
        let before = assignments(&sim, &consumers);
        assert!(before.iter().all(|a| a.len() == 2), "{before:?}");
        sim.close_consumer(consumers[2]);
        sim.run_for(10_000);
        let after = assignments(&sim, &consumers[..2]);
        // Each member revoked everything before rejoining (eager), yet gets its
        // partitions back, plus one of those the leaver had.
        for (old, new) in before.iter().zip(&after) {
            assert_eq!(new.len(), 3, "{after:?}");
            assert!(old.iter().all(|tp| new.contains(tp)), "sticky: {old:?} kept in {new:?}");
        }
        let mut all: Vec<TopicPartition> = after.concat();
        all.sort();
        assert_eq!(all, all_partitions("t", 6));
    }
}
