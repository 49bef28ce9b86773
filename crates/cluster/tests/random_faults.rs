//! Jepsen-style randomized runs: a seeded random schedule of broker kills and
//! restarts, pauses, network partitions and controller loss, while a producer
//! writes with acks=all to a topic with RF=3 and min.insync.replicas=2. With clean
//! elections Kafka loses nothing it acknowledged, duplicates nothing and keeps
//! offsets consistent; the history checker must find zero anomalies, and the
//! safety invariants must hold after every event.
//!
//! `KAFKAPLAY_SEEDS=N` runs N seeds (default below); `KAFKAPLAY_SEED=S` replays one.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use kafkaplay_cluster::checker::{check, History};
use kafkaplay_cluster::invariants::InvariantChecker;
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::{ClusterConfig, NodeId, ProducerConfig, Simulation, TopicPartition};
use support::{for_each_seed, run_checked, FaultSchedule, Step};

const DEFAULT_SEEDS: u64 = 2_000;

/// One run; `Err` describes the first anomaly or invariant violation.
fn run(seed: u64) -> Result<(), String> {
    let mut sim = Simulation::new(ClusterConfig::new(3, 3), seed);
    let brokers = sim.config().brokers.clone();
    let controllers = sim.config().controllers.clone();
    if !sim.run_until_condition(60_000, |s| {
        s.metadata().is_some_and(|m| m.unfenced_brokers() == brokers)
    }) {
        return Err("cluster did not start".into());
    }
    let create = AdminRequest::CreateTopic {
        name: "jepsen".into(),
        partitions: 3,
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
    let producer = sim.add_producer(ProducerConfig {
        acks: -1,
        ..ProducerConfig::default()
    });
    let mut schedule = FaultSchedule::new(seed);
    let mut checker = InvariantChecker::new();
    let mut values = Vec::new();
    let mut next_value = 0u64;
    for _ in 0..60 {
        for _ in 0..schedule.records() {
            let value = format!("r{next_value}");
            next_value += 1;
            let record = ProducerRecord {
                topic: "jepsen".into(),
                partition: None,
                key: Some(value.clone().into_bytes()),
                value: Some(value.clone().into_bytes()),
                headers: vec![],
            };
            let id = sim.send_record(producer, record);
            values.push((id, value.into_bytes()));
        }
        let all: Vec<NodeId> = brokers.iter().chain(&controllers).copied().collect();
        if let Step::Fault(fault) = schedule.next(4, &all, |_| false) {
            sim.apply_fault(fault);
        }
        run_checked(&mut sim, &mut checker, 500)?;
    }
    schedule.heal_all(&mut sim);
    sim.run_for(60_000);
    let image = sim.metadata().ok_or("no active controller at the end")?;
    let tps: Vec<TopicPartition> = image.partitions().map(|(tp, _)| tp).collect();
    let mut reads = Vec::new();
    for tp in tps {
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
    let history = History {
        outcomes: sim.outcomes().to_vec(),
        sent: values.into_iter().collect(),
        final_read: reads,
        consumer: None,
    };
    let report = check(&history);
    if !report.is_clean() && std::env::var("KAFKAPLAY_TRACE").is_ok() {
        let filter = std::env::var("KAFKAPLAY_TRACE").unwrap_or_default();
        for line in sim.trace().lines().filter(|l| l.text.contains(&filter)) {
            eprintln!("{line}");
        }
    }
    if report.is_clean() {
        Ok(())
    } else {
        Err(format!("{report}"))
    }
}

#[test]
fn random_faults_lose_nothing_acknowledged() {
    for_each_seed(DEFAULT_SEEDS, "random_faults", run);
}
