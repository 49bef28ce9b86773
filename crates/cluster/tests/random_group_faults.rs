//! Randomized runs with consumer groups: a seeded random schedule of broker
//! kills and restarts, pauses, network partitions, controller loss and
//! consumer crashes (with replacements joining), while a producer writes with
//! acks=all to a topic with RF=3 and min.insync.replicas=2 and a group of
//! consumers processes with commit-after-processing.
//!
//! Judged with the group delivery checker against the final read: no record
//! is lost (every record is processed at least once), nothing processed
//! differs from the log, and offsets only go forward within one assignment.
//! Duplicates are allowed, as at-least-once allows them: only a record at or
//! after the group's committed offset when its partition changed hands may be
//! processed again. Committed offsets never move backwards, and the safety
//! invariants hold after every event.
//!
//! `KAFKAPLAY_SEEDS=N` runs N seeds (default below); `KAFKAPLAY_SEED=S` replays one;
//! `KAFKAPLAY_DEBUG=1` prints each run's counts and the group's end state, and
//! `KAFKAPLAY_TRACE=<text>` the trace lines containing the text of a failed run.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::collections::BTreeMap;

use kafkaplay_cluster::broker::group_coordinator::GROUP_METADATA_TOPIC_NAME;
use kafkaplay_cluster::checker::{check_group_delivery, PartitionRead};
use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, ProcessingMode};
use kafkaplay_cluster::invariants::InvariantChecker;
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::{ClusterConfig, Fault, NodeId, ProducerConfig, Simulation, TopicPartition};
use support::{for_each_seed, run_checked, FaultSchedule, Step};

const DEFAULT_SEEDS: u64 = 500;
const TOPIC: &str = "jepsen";
const PARTITIONS: i32 = 3;

fn consumer_config() -> (ConsumerConfig, ConsumerApp) {
    let mut config = ConsumerConfig::group("g");
    config.auto_offset_reset = "earliest".into();
    config.enable_auto_commit = false;
    config.session_timeout_ms = 10_000;
    config.partition_assignment_strategy = vec!["range".into()];
    (config, ConsumerApp::new(ProcessingMode::CommitAfterProcessing))
}

/// The group's committed offsets as its coordinator holds them now.
fn committed(sim: &Simulation) -> BTreeMap<TopicPartition, i64> {
    let mut out = BTreeMap::new();
    for b in sim.config().brokers.clone() {
        let Some(broker) = sim.broker(b) else { continue };
        let c = broker.group_coordinator();
        if !c.loaded_partitions().contains_key(&c.partition_for("g")) {
            continue;
        }
        for p in 0..PARTITIONS {
            let tp = TopicPartition::new(TOPIC, p);
            if let Some(o) = c.committed_offset("g", &tp) {
                out.insert(tp, o);
            }
        }
    }
    out
}

fn final_read(sim: &Simulation) -> Result<Vec<PartitionRead>, String> {
    let image = sim.metadata().ok_or("no active controller at the end")?;
    let mut reads = Vec::new();
    for p in 0..PARTITIONS {
        let tp = TopicPartition::new(TOPIC, p);
        let leader = image.partition(&tp).map(|p| p.leader).unwrap_or(-1);
        let broker = sim
            .broker(leader)
            .ok_or_else(|| format!("{tp} has no live leader at the end"))?;
        let info = broker.replica_info(&tp).ok_or("leader without replica")?;
        let log = broker.log(&tp).ok_or("leader without log")?;
        let records = log
            .batches()
            .flat_map(|(_, b)| b.records().unwrap_or_default())
            .filter(|r| r.offset < info.high_watermark)
            .map(|r| (r.offset, r.value))
            .collect();
        reads.push((tp, records));
    }
    Ok(reads)
}

/// One run; `Err` describes the first anomaly or invariant violation.
fn run(seed: u64) -> Result<(), String> {
    let mut config = ClusterConfig::new(3, 3);
    config.broker.offsets_topic_num_partitions = 3;
    let mut sim = Simulation::new(config, seed);
    let brokers = sim.config().brokers.clone();
    let controllers = sim.config().controllers.clone();
    if !sim.run_until_condition(60_000, |s| {
        s.metadata().is_some_and(|m| m.unfenced_brokers() == brokers)
    }) {
        return Err("cluster did not start".into());
    }
    let create = AdminRequest::CreateTopic {
        name: TOPIC.into(),
        partitions: PARTITIONS,
        replication_factor: 3,
        assignment: None,
        configs: vec![("min.insync.replicas".into(), "2".into())],
        validate_only: false,
    };
    match sim.admin_and_wait(create, 30_000) {
        Some(AdminResponse::CreateTopic(Ok(_))) => {}
        other => return Err(format!("create topic: {other:?}")),
    }
    sim.run_for(3_000);
    let producer = sim.add_producer(ProducerConfig::default());
    let (config, app) = consumer_config();
    let mut consumers: Vec<NodeId> = Vec::new();
    for _ in 0..3 {
        let c = sim.add_consumer(config.clone(), app);
        sim.subscribe(c, &[TOPIC]);
        consumers.push(c);
    }
    let mut schedule = FaultSchedule::new(seed);
    let mut checker = InvariantChecker::new();
    let mut last_committed: BTreeMap<TopicPartition, i64> = BTreeMap::new();
    let mut next_value = 0u64;
    for _ in 0..60 {
        for _ in 0..schedule.records() {
            let value = format!("r{next_value}");
            next_value += 1;
            let record = ProducerRecord {
                topic: TOPIC.into(),
                partition: None,
                key: Some(value.clone().into_bytes()),
                value: Some(value.into_bytes()),
                headers: vec![],
            };
            sim.send_record(producer, record);
        }
        let live: Vec<NodeId> = consumers.iter().copied().filter(|c| sim.is_up(*c)).collect();
        let all: Vec<NodeId> = brokers.iter().chain(&controllers).chain(&live).copied().collect();
        match schedule.next(3, &all, |n| live.contains(&n)) {
            Step::Nothing => {}
            Step::Fault(fault) => sim.apply_fault(fault),
            Step::ConsumerCrash(node) => {
                // A consumer process dies; another one takes its place.
                let c = sim.add_consumer(config.clone(), app);
                sim.subscribe(c, &[TOPIC]);
                consumers.push(c);
                sim.apply_fault(Fault::Kill(node));
            }
        }
        run_checked(&mut sim, &mut checker, 500)?;
        for (tp, offset) in committed(&sim) {
            let previous = last_committed.insert(tp.clone(), offset).unwrap_or(-1);
            if offset < previous {
                return Err(format!(
                    "committed offset of {tp} moved back from {previous} to {offset}"
                ));
            }
        }
    }
    schedule.heal_all(&mut sim);
    if !consumers.iter().any(|c| sim.is_up(*c)) {
        let c = sim.add_consumer(config.clone(), app);
        sim.subscribe(c, &[TOPIC]);
        consumers.push(c);
    }
    // Run until every record in the log has been processed (or give up). A
    // JoinGroup whose answer a partition swallowed is only abandoned after its
    // timeout, `max.poll.interval.ms` + 5 s, as in Kafka's client.
    sim.run_for(30_000);
    let mut report = None;
    for _ in 0..80 {
        let read = final_read(&sim)?;
        let r = check_group_delivery(&read, sim.consumed());
        let done = r.never_processed.is_empty();
        report = Some((r, read));
        if done {
            break;
        }
        sim.run_for(5_000);
    }
    let (report, _read) = report.expect("checked at least once");
    if std::env::var("KAFKAPLAY_DEBUG").is_ok() {
        for b in sim.config().brokers.clone() {
            if let Some(x) = sim.broker(b) {
                eprintln!(
                    "broker {b}: loaded {:?} g {:?}",
                    x.group_coordinator().loaded_partitions(),
                    x.group_coordinator().group_state("g")
                );
            }
        }
        eprintln!(
            "image {:?}",
            sim.metadata()
                .and_then(|m| m.partition(&TopicPartition::new(GROUP_METADATA_TOPIC_NAME, 0)).cloned())
        );
        for c in &consumers {
            eprintln!(
                "consumer {c}: up {} {:?} {:?} err {:?}",
                sim.is_up(*c),
                sim.consumer(*c).map(|x| x.assignment()),
                sim.consumer(*c).and_then(|x| x.group_state().cloned()),
                sim.consumer(*c).and_then(|x| x.error().map(String::from))
            );
        }
    }
    if std::env::var("KAFKAPLAY_DEBUG").is_ok() {
        eprintln!(
            "seed {seed}: {} records, {} processed, {} dup, consumers {}",
            report.records,
            report.processed,
            report.reprocessed.len(),
            consumers.len()
        );
    }
    let mut problems = Vec::new();
    if !report.never_processed.is_empty() {
        let first: Vec<String> = report
            .never_processed
            .iter()
            .take(5)
            .map(|(tp, o)| format!("{tp}@{o}"))
            .collect();
        problems.push(format!(
            "{} records never processed, first {}",
            report.never_processed.len(),
            first.join(", ")
        ));
    }
    if !report.inconsistent.is_empty() {
        problems.push(format!(
            "processed values differ from the log: {:?}",
            report.inconsistent
        ));
    }
    if !report.regressions.is_empty() {
        problems.push(format!("regressions: {:?}", report.regressions));
    }
    // At-least-once: a duplicate is processed by another consumer (or the same
    // one after it got the partition again), never twice within one assignment.
    for dup in &report.reprocessed {
        let times: Vec<(NodeId, u32)> = sim
            .consumed()
            .iter()
            .filter(|r| r.tp == dup.tp && r.offset == dup.offset)
            .map(|r| (r.consumer, r.assignment_id))
            .collect();
        let mut unique = times.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != times.len() {
            problems.push(format!(
                "{}@{} processed twice in one assignment: {times:?}",
                dup.tp, dup.offset
            ));
        }
    }
    let offsets_topic_exists = sim
        .metadata()
        .is_some_and(|m| m.partitions().any(|(tp, _)| tp.topic == GROUP_METADATA_TOPIC_NAME));
    if !offsets_topic_exists {
        problems.push("__consumer_offsets was never created".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        if let Ok(filter) = std::env::var("KAFKAPLAY_TRACE") {
            for line in sim.trace().lines().filter(|l| l.text.contains(&filter)) {
                eprintln!("{line}");
            }
        }
        Err(problems.join("\n"))
    }
}

#[test]
fn random_faults_with_a_group_lose_no_record() {
    for_each_seed(DEFAULT_SEEDS, "random_group_faults", run);
}
