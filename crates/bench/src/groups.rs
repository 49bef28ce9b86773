//! Benchmarks of consumer groups (issue 5), identical natively and in wasm:
//! how fast one group of 3 members consumes 6 partitions in the simulation, and
//! how long each assignor takes to compute a rebalance of 100 members over
//! 1,000 partitions. Results are [`Metric`]s like the cluster cases'.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::assignor;
use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, ProcessingMode};
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse, Subscription};
use kafkaplay_cluster::{ClusterConfig, ProducerConfig, Simulation, TopicPartition};

use crate::cluster::Metric;

pub const CONSUME_CASE: &str = "consume: 1 group of 3 members, 6 partitions RF=3, 120,000 records";
pub const REBALANCE_CASE: &str = "rebalance: 100 members, 1,000 partitions (10 topics × 100)";

const SEED: u64 = 5;
const RECORDS: u64 = 120_000;
const MEMBERS: usize = 100;
const TOPICS: usize = 10;
const PARTITIONS_PER_TOPIC: i32 = 100;

fn metric(case: &str, name: &str, value: f64, unit: &str) -> Metric {
    Metric {
        case: case.into(),
        metric: name.into(),
        value,
        unit: unit.into(),
        target: None,
    }
}

/// A 3-broker cluster with a 6-partition topic holding [`RECORDS`] records of
/// 100 bytes, produced and acknowledged before anything is measured.
fn loaded_cluster() -> Simulation {
    let mut config = ClusterConfig::new(3, 1);
    config.broker.offsets_topic_num_partitions = 3;
    let mut sim = Simulation::new(config, SEED);
    let brokers = sim.config().brokers.clone();
    let ready = sim.run_until_condition(60_000, |s| {
        s.metadata().is_some_and(|m| m.unfenced_brokers() == brokers)
    });
    assert!(ready, "brokers not all unfenced after 60 s of simulated time");
    let created = sim.admin_and_wait(
        AdminRequest::CreateTopic {
            name: "orders".into(),
            partitions: 6,
            replication_factor: 3,
            assignment: None,
            configs: Vec::new(),
            validate_only: false,
        },
        30_000,
    );
    assert!(
        matches!(created, Some(AdminResponse::CreateTopic(Ok(_)))),
        "{created:?}"
    );
    sim.run_for(3_000);
    let producer = sim.add_producer(ProducerConfig::default());
    for i in 0..RECORDS {
        let mut value = vec![b'v'; 100];
        value[..8].copy_from_slice(&i.to_be_bytes());
        sim.send_record(
            producer,
            ProducerRecord {
                topic: "orders".into(),
                partition: Some((i % 6) as i32),
                key: None,
                value: Some(value),
                headers: Vec::new(),
            },
        );
        if i % 1_000 == 999 {
            sim.run_for(10);
        }
    }
    let acked = sim.run_until_condition(120_000, |s| s.outcomes().len() as u64 >= RECORDS);
    assert!(acked, "the records were not acknowledged");
    assert!(sim.outcomes().iter().all(|o| o.result.is_ok()), "a record failed");
    sim
}

/// Records the group's applications process per wall second, from
/// `subscribe` (the join and the first assignment included) until every
/// record was processed once, with commit-after-processing.
pub fn consume(now_ms: &dyn Fn() -> f64) -> Vec<Metric> {
    let mut sim = loaded_cluster();
    let mut config = ConsumerConfig::group("bench");
    config.auto_offset_reset = "earliest".into();
    config.enable_auto_commit = false;
    let app = ConsumerApp::new(ProcessingMode::CommitAfterProcessing);
    let members: Vec<_> = (0..3).map(|_| sim.add_consumer(config.clone(), app)).collect();
    let sim_start = sim.now();
    let start = now_ms();
    for m in &members {
        sim.subscribe(*m, &["orders"]);
    }
    let done = sim.run_until_condition(600_000, |s| s.consumed().len() as u64 >= RECORDS);
    let wall_s = (now_ms() - start) / 1000.0;
    let sim_ms = (sim.now() - sim_start) as f64;
    assert!(done, "the group did not process every record");
    assert_eq!(sim.consumed().len() as u64, RECORDS, "a record was processed twice");
    let busy = members
        .iter()
        .filter(|m| sim.consumed().iter().any(|r| r.consumer == **m))
        .count();
    assert_eq!(busy, 3, "every member processed records");
    vec![
        metric(
            CONSUME_CASE,
            "records processed per wall second",
            RECORDS as f64 / wall_s,
            "records/s",
        ),
        metric(CONSUME_CASE, "simulated time to process them", sim_ms, "ms simulated"),
    ]
}

fn topic_name(t: usize) -> String {
    format!("topic-{t:02}")
}

/// Every member subscribes to all topics; `owned` gives each its current
/// partitions (for the sticky assignors' second round).
fn subscriptions(
    members: usize,
    owned: &FlatMap<String, Vec<TopicPartition>>,
    generation_id: i32,
) -> FlatMap<String, Subscription> {
    let topics: Vec<String> = (0..TOPICS).map(topic_name).collect();
    (0..members)
        .map(|m| {
            let id = format!("consumer-{m:03}");
            let subscription = Subscription {
                topics: topics.clone(),
                owned_partitions: owned.get(&id).cloned().unwrap_or_default(),
                generation_id,
            };
            (id, subscription)
        })
        .collect()
}

/// Best of `rounds` timings of `f`, in ms.
fn best_of(rounds: u32, now_ms: &dyn Fn() -> f64, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let start = now_ms();
        f();
        best = best.min(now_ms() - start);
    }
    best
}

/// Wall time of each assignor's `assign` for 100 members over 1,000
/// partitions: a first assignment (nobody owns anything), and the rebalance
/// after a 101st member joins a group that owns the first assignment.
pub fn rebalance(now_ms: &dyn Fn() -> f64) -> Vec<Metric> {
    let partitions: FlatMap<String, i32> = (0..TOPICS).map(|t| (topic_name(t), PARTITIONS_PER_TOPIC)).collect();
    let mut out = Vec::new();
    for name in [
        assignor::RANGE,
        assignor::ROUND_ROBIN,
        assignor::STICKY,
        assignor::COOPERATIVE_STICKY,
    ] {
        let first_subs = subscriptions(MEMBERS, &FlatMap::new(), -1);
        let mut first = FlatMap::new();
        let first_ms = best_of(3, now_ms, || {
            first = assignor::assign(name, &partitions, &first_subs).expect("a known assignor");
        });
        let assigned: usize = first.values().map(Vec::len).sum();
        assert_eq!(
            assigned,
            TOPICS * PARTITIONS_PER_TOPIC as usize,
            "{name} assigned every partition"
        );
        let join_subs = subscriptions(MEMBERS + 1, &first, 1);
        let mut second = FlatMap::new();
        let join_ms = best_of(3, now_ms, || {
            second = assignor::assign(name, &partitions, &join_subs).expect("a known assignor");
        });
        assert_eq!(second.len(), MEMBERS + 1);
        out.push(metric(
            REBALANCE_CASE,
            &format!("{name}: first assignment"),
            first_ms,
            "ms",
        ));
        out.push(metric(
            REBALANCE_CASE,
            &format!("{name}: a 101st member joins"),
            join_ms,
            "ms",
        ));
    }
    out
}
