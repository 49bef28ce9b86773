//! Helpers shared by the cluster scenarios (natively and in headless Chromium).

use kafkaplay_cluster::checker::{check, History, Report};
use kafkaplay_cluster::invariants::InvariantChecker;
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse, PartitionView};
use kafkaplay_cluster::{ClusterConfig, Ms, NodeId, ProducerConfig, Simulation, TopicPartition, Uuid};

/// Declares a test that runs natively and in the browser.
macro_rules! scenario {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() $body
    };
}

/// A cluster whose brokers have all registered and been unfenced.
pub fn cluster(config: ClusterConfig, seed: u64) -> Simulation {
    let mut sim = Simulation::new(config, seed);
    let brokers = sim.config().brokers.clone();
    let ready = sim.run_until_condition(60_000, |s| {
        s.metadata().is_some_and(|m| m.unfenced_brokers() == brokers)
    });
    assert!(
        ready,
        "seed {seed}: brokers not all unfenced after 60 s; trace hash {:016x}",
        sim.trace().hash()
    );
    sim
}

/// Runs `ms` of simulated time, checking the invariants after every event.
pub fn run_checked(sim: &mut Simulation, checker: &mut InvariantChecker, ms: Ms) {
    let end = sim.now() + ms;
    let mut failure = None;
    sim.run_until_condition(ms, |s| {
        if let Err(e) = checker.check(s) {
            failure = Some(e);
            return true;
        }
        s.now() >= end
    });
    if let Some(e) = failure {
        panic!("seed {}: invariant violated at {}: {e}", sim.seed(), sim.now());
    }
}

pub fn create_topic(sim: &mut Simulation, name: &str, partitions: i32, rf: i16, configs: &[(&str, &str)]) -> Uuid {
    let request = AdminRequest::CreateTopic {
        name: name.to_string(),
        partitions,
        replication_factor: rf,
        assignment: None,
        configs: configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        validate_only: false,
    };
    match sim.admin_and_wait(request, 30_000) {
        Some(AdminResponse::CreateTopic(Ok(id))) => {
            // Let every replica learn its role.
            sim.run_for(3_000);
            id
        }
        other => panic!("seed {}: create {name}: {other:?}", sim.seed()),
    }
}

/// The partition as the active controller's metadata shows it.
pub fn partition(sim: &Simulation, topic: &str, p: i32) -> PartitionView {
    let image = sim.metadata().expect("an active controller");
    image
        .view("", Some(&[topic.to_string()]))
        .topics
        .into_iter()
        .next()
        .expect("topic")
        .partitions
        .into_iter()
        .find(|x| x.partition == p)
        .expect("partition")
}

pub fn producer(sim: &mut Simulation, acks: i16) -> NodeId {
    sim.add_producer(ProducerConfig {
        acks,
        ..ProducerConfig::default()
    })
}

/// Sends `value` with `key` to a topic (optionally a fixed partition); returns the record id.
pub fn send(
    sim: &mut Simulation,
    producer: NodeId,
    topic: &str,
    partition: Option<i32>,
    key: Option<&str>,
    value: &str,
) -> u64 {
    sim.send_record(
        producer,
        ProducerRecord {
            topic: topic.to_string(),
            partition,
            key: key.map(|k| k.as_bytes().to_vec()),
            value: Some(value.as_bytes().to_vec()),
            headers: Vec::new(),
        },
    )
}

/// The outcome of one record, if the producer has decided it.
pub fn outcome(sim: &Simulation, record_id: u64) -> Option<Result<i64, String>> {
    sim.outcomes()
        .iter()
        .find(|o| o.record_id == record_id)
        .map(|o| o.result.clone())
}

/// Every record of a partition below the high watermark, read from its current
/// leader (or, when it has none, from the replica with the longest log).
pub fn read_partition(sim: &Simulation, tp: &TopicPartition) -> Vec<(i64, Option<Vec<u8>>)> {
    let brokers = sim.config().brokers.clone();
    let holder = brokers
        .iter()
        .filter_map(|b| sim.broker(*b).and_then(|x| x.replica_info(tp).map(|i| (*b, i))))
        .max_by_key(|(_, i)| (i.role == "leader", i.high_watermark));
    let Some((b, info)) = holder else { return Vec::new() };
    let log = sim.broker(b).and_then(|x| x.log(tp)).expect("log of a replica");
    log.batches()
        .flat_map(|(_, batch)| batch.records().expect("stored batch decodes"))
        .filter(|r| r.offset < info.high_watermark)
        .map(|r| (r.offset, r.value))
        .collect()
}

/// Runs the history checker over every acknowledged record and a full read.
pub fn check_history(sim: &Simulation, values: &[(u64, Vec<u8>)], topics: &[&str]) -> Report {
    let image = sim.metadata().expect("an active controller");
    let tps: Vec<TopicPartition> = image
        .partitions()
        .map(|(tp, _)| tp)
        .filter(|tp| topics.contains(&tp.topic.as_str()))
        .collect();
    let reads = tps.iter().map(|tp| (tp.clone(), read_partition(sim, tp))).collect();
    let history = History {
        outcomes: sim.outcomes().to_vec(),
        sent: values.iter().cloned().collect(),
        final_read: reads,
        consumer: None,
    };
    check(&history)
}
