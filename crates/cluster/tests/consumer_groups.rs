//! Consumer groups end to end in the simulation: brokers with the group
//! coordinator, producers, consumers and their applications, judged with the
//! group delivery checker.

use kafkaplay_cluster::checker::{check_group_delivery, PartitionRead};
use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, Phase, ProcessingMode};
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::{ClusterConfig, NodeId, ProducerConfig, Simulation, TopicPartition};

fn cluster(seed: u64) -> Simulation {
    let mut config = ClusterConfig::new(3, 1);
    config.broker.offsets_topic_num_partitions = 3;
    let mut sim = Simulation::new(config, seed);
    let ready = sim.run_until_condition(60_000, |s| {
        s.metadata().is_some_and(|m| m.unfenced_brokers() == vec![1, 2, 3])
    });
    assert!(ready, "seed {seed}: brokers not unfenced");
    sim
}

fn create_topic(sim: &mut Simulation, name: &str, partitions: i32) {
    let request = AdminRequest::CreateTopic {
        name: name.into(),
        partitions,
        replication_factor: 3,
        assignment: None,
        configs: Vec::new(),
        validate_only: false,
    };
    match sim.admin_and_wait(request, 30_000) {
        Some(AdminResponse::CreateTopic(Ok(_))) => sim.run_for(3_000),
        other => panic!("create {name}: {other:?}"),
    }
}

/// Sends `n` records with values `v-<i>` spread over the partitions.
fn produce(sim: &mut Simulation, producer: NodeId, topic: &str, partitions: i32, from: u32, n: u32) {
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
    assert!(sim.run_until_condition(30_000, |s| s.outcomes().len() >= sent));
}

/// What each partition's leader holds below the high watermark.
fn final_read(sim: &Simulation, topic: &str, partitions: i32) -> Vec<PartitionRead> {
    (0..partitions)
        .map(|p| {
            let tp = TopicPartition::new(topic, p);
            let holder = sim
                .config()
                .brokers
                .iter()
                .filter_map(|b| sim.broker(*b).and_then(|x| x.replica_info(&tp).map(|i| (*b, i))))
                .max_by_key(|(_, i)| (i.role == "leader", i.high_watermark));
            let Some((b, info)) = holder else {
                return (tp, Vec::new());
            };
            let log = sim.broker(b).and_then(|x| x.log(&tp)).expect("log of a replica");
            let records = log
                .batches()
                .flat_map(|(_, batch)| batch.records().expect("stored batch decodes"))
                .filter(|r| r.offset < info.high_watermark)
                .map(|r| (r.offset, r.value))
                .collect();
            (tp, records)
        })
        .collect()
}

fn group(mode: ProcessingMode) -> (ConsumerConfig, ConsumerApp) {
    let mut config = ConsumerConfig::group("g");
    config.auto_offset_reset = "earliest".into();
    config.enable_auto_commit = mode == ProcessingMode::AutoCommit;
    config.partition_assignment_strategy = vec!["range".into()];
    (config, ConsumerApp::new(mode))
}

fn stable_assignments(sim: &Simulation, consumers: &[NodeId]) -> Vec<Vec<TopicPartition>> {
    consumers
        .iter()
        .map(|c| sim.consumer(*c).map(|c| c.assignment()).unwrap_or_default())
        .collect()
}

#[test]
fn two_consumers_share_three_partitions_and_process_each_record_once() {
    let mut sim = cluster(1);
    create_topic(&mut sim, "t", 3);
    let producer = sim.add_producer(ProducerConfig::default());
    produce(&mut sim, producer, "t", 3, 0, 30);
    let (config, app) = group(ProcessingMode::CommitAfterProcessing);
    let a = sim.add_consumer(config.clone(), app);
    let b = sim.add_consumer(config, app);
    sim.subscribe(a, &["t"]);
    sim.subscribe(b, &["t"]);
    sim.run_for(10_000);
    let assignments = stable_assignments(&sim, &[a, b]);
    let mut all: Vec<TopicPartition> = assignments.concat();
    all.sort();
    assert_eq!(
        all,
        (0..3).map(|p| TopicPartition::new("t", p)).collect::<Vec<_>>(),
        "{assignments:?}"
    );
    assert!(assignments.iter().all(|a| !a.is_empty()), "{assignments:?}");
    produce(&mut sim, producer, "t", 3, 30, 30);
    sim.run_for(5_000);
    let report = check_group_delivery(&final_read(&sim, "t", 3), sim.consumed());
    assert!(report.is_exactly_once(), "{report}");
    assert_eq!(report.records, 60);
}

#[test]
fn a_fourth_consumer_of_a_three_partition_topic_idles() {
    let mut sim = cluster(2);
    create_topic(&mut sim, "t", 3);
    let (config, app) = group(ProcessingMode::AutoCommit);
    let consumers: Vec<NodeId> = (0..4).map(|_| sim.add_consumer(config.clone(), app)).collect();
    for c in &consumers {
        sim.subscribe(*c, &["t"]);
    }
    sim.run_for(15_000);
    let assignments = stable_assignments(&sim, &consumers);
    let sizes: Vec<usize> = assignments.iter().map(Vec::len).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 3, "{assignments:?}");
    assert_eq!(
        sizes.iter().filter(|n| **n == 0).count(),
        1,
        "one idles: {assignments:?}"
    );
    let generations: Vec<i32> = consumers
        .iter()
        .map(|c| sim.consumer(*c).unwrap().group_state().unwrap().generation_id)
        .collect();
    assert!(generations.windows(2).all(|w| w[0] == w[1]), "{generations:?}");
}

#[test]
fn a_member_that_leaves_hands_its_partitions_over() {
    let mut sim = cluster(3);
    create_topic(&mut sim, "t", 3);
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
    assert_eq!(
        sim.consumer(a).unwrap().assignment(),
        (0..3).map(|p| TopicPartition::new("t", p)).collect::<Vec<_>>()
    );
    produce(&mut sim, producer, "t", 3, 30, 30);
    sim.run_for(5_000);
    // b committed on close, so a goes on where b stopped: exactly once.
    let report = check_group_delivery(&final_read(&sim, "t", 3), sim.consumed());
    assert!(report.is_exactly_once(), "{report}");
    assert!(sim.consumed().iter().any(|r| r.consumer == a && b_had.contains(&r.tp)));
}

/// One consumer processes, dies at `phase`, and a second one takes over.
fn crash_and_take_over(mode: ProcessingMode, phase: Phase, seed: u64) -> kafkaplay_cluster::checker::DeliveryReport {
    let mut sim = cluster(seed);
    create_topic(&mut sim, "t", 1);
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

#[test]
fn commit_after_processing_and_a_crash_before_the_commit_duplicates() {
    let report = crash_and_take_over(ProcessingMode::CommitAfterProcessing, Phase::Processed, 4);
    assert!(report.never_processed.is_empty(), "{report}");
    assert!(!report.reprocessed.is_empty(), "{report}");
    assert!(report.regressions.is_empty(), "{report}");
}

#[test]
fn commit_before_processing_and_a_crash_after_the_commit_loses() {
    let report = crash_and_take_over(ProcessingMode::CommitBeforeProcessing, Phase::Committed, 5);
    assert!(!report.never_processed.is_empty(), "{report}");
    assert!(report.reprocessed.is_empty(), "{report}");
    assert!(report.regressions.is_empty(), "{report}");
}
