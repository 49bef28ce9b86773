//! Clusters shared by the native fixture test and the browser tests.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, ProcessingMode};
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::sim::persist::PersistedCluster;
use kafkaplay_cluster::{ClusterConfig, ProducerConfig, Simulation, TopicPartition};
use kafkaplay_log::StoredSegment;

/// 3 brokers, topic `t` (`partitions` partitions, RF 3), `records` records of
/// 100 bytes, and (with `group`) a consumer group `g` that consumed them and
/// committed its offsets; then run past the flush interval so all is flushed.
pub fn busy_cluster(seed: u64, partitions: i32, records: u32, group: bool) -> Simulation {
    let mut config = ClusterConfig::new(3, 1);
    config.broker.offsets_topic_num_partitions = 3;
    config.log.segment_bytes = 4_000;
    let mut sim = Simulation::new(config, seed);
    assert!(sim.run_until_condition(60_000, |s| s
        .metadata()
        .is_some_and(|m| m.unfenced_brokers() == vec![1, 2, 3])));
    let request = AdminRequest::CreateTopic {
        name: "t".into(),
        partitions,
        replication_factor: 3,
        assignment: None,
        configs: Vec::new(),
        validate_only: false,
    };
    assert!(matches!(
        sim.admin_and_wait(request, 30_000),
        Some(AdminResponse::CreateTopic(Ok(_)))
    ));
    sim.run_for(3_000);
    let producer = sim.add_producer(ProducerConfig {
        batch_size: 1_000,
        ..ProducerConfig::default()
    });
    for i in 0..records {
        sim.send_record(
            producer,
            ProducerRecord {
                topic: "t".into(),
                partition: Some((i % partitions as u32) as i32),
                key: Some(format!("k{i}").into_bytes()),
                value: Some(vec![i as u8; 100]),
                headers: Vec::new(),
            },
        );
    }
    assert!(sim.run_until_condition(60_000, |s| s.outcomes().len() >= records as usize));
    assert!(
        sim.outcomes().iter().all(|o| o.result.is_ok()),
        "seed {seed}: every record acknowledged"
    );
    if group {
        let mut cc = ConsumerConfig::group("g");
        cc.auto_offset_reset = "earliest".into();
        cc.enable_auto_commit = false;
        let consumer = sim.add_consumer(cc, ConsumerApp::new(ProcessingMode::CommitAfterProcessing));
        sim.subscribe(consumer, &["t"]);
        assert!(sim.run_until_condition(60_000, |s| s.consumed().len() >= records as usize));
        sim.close_consumer(consumer);
    }
    sim.run_for(40_000);
    settle(&mut sim);
    sim
}

/// Runs until every partition's leader leads in its epoch with a full ISR, then until quiet.
pub fn settle(sim: &mut Simulation) {
    let ready = sim.run_until_condition(120_000, |s| {
        let Some(image) = s.metadata() else { return false };
        image.partitions().all(|(tp, p)| {
            p.isr.len() == p.replicas.len()
                && s.broker(p.leader)
                    .and_then(|b| b.replica_info(&tp))
                    .is_some_and(|i| i.role == "leader" && i.leader_epoch == p.leader_epoch)
        })
    });
    assert!(ready, "seed {}: leaders and full ISRs", sim.seed());
    assert!(sim.run_until_quiet(60_000), "seed {}: quiet", sim.seed());
}

/// Per partition: replicas, ISR (sorted) and leader; per replica: log start,
/// end and high watermark; group `g`'s committed offsets.
pub fn summary(sim: &Simulation) -> FlatMap<String, String> {
    let mut out = FlatMap::new();
    let image = sim.metadata().expect("an active controller");
    for (tp, p) in image.partitions() {
        let mut isr = p.isr.clone();
        isr.sort();
        out.insert(
            format!("meta {tp}"),
            format!("replicas={:?} isr={isr:?} leader={}", p.replicas, p.leader),
        );
        for b in &sim.config().brokers {
            if let Some(i) = sim.broker(*b).and_then(|x| x.replica_info(&tp)) {
                out.insert(
                    format!("replica {b} {tp}"),
                    format!(
                        "start={} end={} hw={}",
                        i.log_start_offset, i.log_end_offset, i.high_watermark
                    ),
                );
            }
        }
        if tp.topic == "t" {
            let committed = sim
                .config()
                .brokers
                .iter()
                .filter_map(|b| sim.broker(*b)?.group_coordinator().committed_offset("g", &tp))
                .max();
            out.insert(format!("committed g {tp}"), format!("{committed:?}"));
        }
    }
    out
}

pub fn stored_files(p: &PersistedCluster) -> FlatMap<String, Vec<StoredSegment>> {
    p.stored_files()
}

/// Log end offsets of every replica of topic `t`, as `"<broker> t-<p>" → LEO`.
pub fn log_ends(sim: &Simulation, partitions: i32) -> FlatMap<String, i64> {
    let mut out = FlatMap::new();
    for b in &sim.config().brokers {
        for p in 0..partitions {
            if let Some(i) = sim
                .broker(*b)
                .and_then(|x| x.replica_info(&TopicPartition::new("t", p)))
            {
                out.insert(format!("{b} t-{p}"), i.log_end_offset);
            }
        }
    }
    out
}
