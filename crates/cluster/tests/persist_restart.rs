//! A cluster persisted with `Simulation::persisted` and restarted with
//! `Simulation::restore` (what a playground reload does, minus IndexedDB) comes
//! back with the same disks, clock, seed, offsets, epochs and committed offsets.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, ProcessingMode};
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::sim::persist::{parse_file_path, stored_hash, PersistedCluster};
use kafkaplay_cluster::{ClusterConfig, Fault, NodeId, ProducerConfig, Simulation, TopicPartition};
use kafkaplay_log::StoredSegment;

/// A 3-broker cluster with topic `t` (3 partitions, RF 3), 60 records produced,
/// a consumer group `g` that consumed and committed them, and everything flushed.
fn busy_cluster(seed: u64, flush_interval_ms: i64) -> Simulation {
    let mut config = ClusterConfig::new(3, 1);
    config.broker.offsets_topic_num_partitions = 3;
    config.log.segment_bytes = 4_000; // several segments per partition
    config.broker.page_cache_flush_interval_ms = flush_interval_ms;
    let mut sim = Simulation::new(config, seed);
    assert!(sim.run_until_condition(60_000, |s| s
        .metadata()
        .is_some_and(|m| m.unfenced_brokers() == vec![1, 2, 3])));
    let request = AdminRequest::CreateTopic {
        name: "t".into(),
        partitions: 3,
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
    // Small batches, so that they fit the small segments.
    let producer = sim.add_producer(ProducerConfig {
        batch_size: 1_000,
        ..ProducerConfig::default()
    });
    for i in 0..150u32 {
        sim.send_record(
            producer,
            ProducerRecord {
                topic: "t".into(),
                partition: Some((i % 3) as i32),
                key: Some(format!("k{i}").into_bytes()),
                value: Some(vec![i as u8; 100]),
                headers: Vec::new(),
            },
        );
    }
    assert!(sim.run_until_condition(30_000, |s| s.outcomes().len() >= 150));
    let failed: Vec<_> = sim.outcomes().iter().filter(|o| o.result.is_err()).collect();
    assert!(failed.is_empty(), "seed {seed}: {failed:?}");
    let mut cc = ConsumerConfig::group("g");
    cc.auto_offset_reset = "earliest".into();
    cc.enable_auto_commit = false;
    let consumer = sim.add_consumer(cc, ConsumerApp::new(ProcessingMode::CommitAfterProcessing));
    sim.subscribe(consumer, &["t"]);
    let done = sim.run_until_condition(60_000, |s| s.consumed().len() >= 150);
    if !done {
        let c = sim
            .consumer(consumer)
            .map(|c| format!("{:?} {:?}", c.assignment(), c.group_state()));
        let obs: Vec<String> = sim
            .observations()
            .iter()
            .rev()
            .take(30)
            .map(|o| format!("{o:?}"))
            .collect();
        panic!("{c:?}\n{}", obs.join("\n"));
    }
    assert_eq!(sim.consumed().len(), 150, "seed {seed}: the group consumed everything");
    sim.close_consumer(consumer);
    // Past page_cache_flush_interval_ms: every log is flushed (when it is 30 s).
    sim.run_for(40_000);
    settle(&mut sim);
    sim.run_for(40_000);
    sim
}

/// Runs until every partition's leader in the metadata acts as leader in that
/// epoch with the full ISR caught up, then until quiet.
fn settle(sim: &mut Simulation) {
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

/// Everything a user would compare: per partition the metadata's replicas,
/// ISR and leader, each replica's log start, end and high watermark, and group `g`'s
/// committed offsets.
fn summary(sim: &Simulation) -> FlatMap<String, String> {
    let mut out = FlatMap::new();
    let image = sim.metadata().expect("an active controller");
    for (tp, p) in image.partitions() {
        let mut isr = p.isr.clone();
        isr.sort(); // the order members rejoined in is not state a restart keeps
        out.insert(
            format!("meta {tp}"),
            format!("replicas={:?} isr={:?} leader={}", p.replicas, isr, p.leader),
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
            let committed: Vec<i64> = sim
                .config()
                .brokers
                .iter()
                .filter_map(|b| sim.broker(*b)?.group_coordinator().committed_offset("g", &tp))
                .collect();
            out.insert(format!("committed g {tp}"), format!("{:?}", committed.iter().max()));
        }
    }
    out
}

/// The log end offset a log recovered from these segments has.
fn durable_log_end(segments: &[StoredSegment]) -> i64 {
    let store = kafkaplay_log::MemoryStore::with_segments(segments.to_vec());
    kafkaplay_log::PartitionLog::recover("x", segments.to_vec(), store, Default::default(), 0)
        .map_or(-1, |(log, _)| log.log_end_offset())
}

/// Just past `leader.imbalance.check.interval.ms` (300 s by default).
fn sim_rebalance_ms() -> i64 {
    310_000
}

fn stored_files(p: &PersistedCluster) -> FlatMap<String, Vec<StoredSegment>> {
    p.stored_files()
}

#[test]
fn a_restored_cluster_has_the_same_disks_offsets_and_committed_offsets() {
    for seed in [1, 2, 3] {
        let sim = busy_cluster(seed, 30_000);
        let before = summary(&sim);
        let before_epochs: Vec<(TopicPartition, i32)> = sim
            .metadata()
            .unwrap()
            .partitions()
            .map(|(tp, p)| (tp, p.leader_epoch))
            .collect();
        let persisted = sim.persisted();
        let hash = persisted.hash();
        assert!(persisted.files.iter().any(|f| f.segments.len() > 1), "several segments");
        let (meta, files) = (persisted.meta.clone(), stored_files(&persisted));
        let now = sim.now();
        drop(persisted);
        drop(sim);

        let (mut restored, report) = Simulation::restore(&meta, files.clone()).expect("restore");
        assert_eq!(restored.now(), now, "seed {seed}: the clock goes on where it stopped");
        assert_eq!(restored.seed(), seed);
        assert_eq!(report.truncated_bytes, 0, "seed {seed}: {report:?}");
        assert!(report.orphan_files.is_empty());
        assert_eq!(
            report.partitions as usize,
            files.len(),
            "seed {seed}: every replica recovered"
        );
        assert_eq!(
            stored_hash(&meta, &files),
            hash,
            "seed {seed}: the stored form hashes as the live one"
        );
        // A restart itself writes (a new quorum epoch's LeaderChange record),
        // so the restarted cluster's disks hold the old ones plus that.
        assert_ne!(restored.persisted().hash(), hash);
        settle(&mut restored);
        let epochs = |s: &Simulation| -> Vec<(TopicPartition, i32)> {
            s.metadata()
                .unwrap()
                .partitions()
                .map(|(tp, p)| (tp, p.leader_epoch))
                .collect()
        };
        // A whole-cluster restart moves leaders (each broker re-registers and
        // is fenced until it catches up), so their epochs grow, as in Kafka;
        // auto.leader.rebalance.enable moves leadership back to the preferred
        // replicas at the next leader.imbalance.check.interval.ms.
        restored.run_for(sim_rebalance_ms());
        settle(&mut restored);
        let after = summary(&restored);
        assert_eq!(after, before, "seed {seed}");
        for ((tp, e0), (_, e1)) in before_epochs.iter().zip(epochs(&restored)) {
            assert!(e1 >= *e0, "seed {seed}: {tp} leader epoch went from {e0} to {e1}");
        }
        assert!(restored.now() > now);

        // The same image restored twice runs the same way (the PRNG is part of it).
        let (mut again, _) = Simulation::restore(&meta, files).expect("restore");
        settle(&mut again);
        again.run_for(sim_rebalance_ms());
        settle(&mut again);
        assert_eq!(
            again.trace().hash(),
            restored.trace().hash(),
            "seed {seed}: restore is deterministic"
        );
    }
}

#[test]
fn unflushed_data_is_lost_on_its_broker_and_the_cluster_recovers_as_kafka_does() {
    // Brokers flush only on a roll or a shutdown, not on a timer.
    let mut sim = busy_cluster(7, 3_600_000);
    let producer = sim.add_producer(ProducerConfig::default());
    for i in 0..30u32 {
        sim.send_record(
            producer,
            ProducerRecord {
                topic: "t".into(),
                partition: Some((i % 3) as i32),
                key: None,
                value: Some(vec![7; 50]),
                headers: Vec::new(),
            },
        );
    }
    assert!(sim.run_until_condition(30_000, |s| s.outcomes().len() >= 180));
    // Broker 1 flushes (a controlled shutdown does) and comes back; 2 and 3
    // still hold the last 10 records per partition only in their page cache.
    sim.apply_fault(Fault::Shutdown(1));
    sim.run_for(10_000);
    sim.apply_fault(Fault::Restart(1));
    settle(&mut sim);
    let ends = |s: &Simulation, b: NodeId| -> Vec<i64> {
        (0..3)
            .map(|p| {
                s.broker(b)
                    .and_then(|x| x.replica_info(&TopicPartition::new("t", p)))
                    .map_or(-1, |i| i.log_end_offset)
            })
            .collect()
    };
    assert!([1, 2, 3].iter().all(|b| ends(&sim, *b) == vec![60, 60, 60]));
    let persisted = sim.persisted();
    let (meta, files) = (persisted.meta.clone(), stored_files(&persisted));
    drop(persisted);
    let flushed: FlatMap<NodeId, Vec<i64>> = [1, 2, 3]
        .iter()
        .map(|b| {
            (
                *b,
                (0..3).map(|p| durable_log_end(&files[&format!("{b}/t-{p}")])).collect(),
            )
        })
        .collect();
    let (mut restored, report) = Simulation::restore(&meta, files).expect("restore");
    assert_eq!(report.truncated_bytes, 0, "a lost page cache is not a torn tail");
    // Right after the restart each broker has exactly what it had flushed.
    for b in [1, 2, 3] {
        assert_eq!(ends(&restored, b), flushed[&b], "broker {b}");
    }
    assert_eq!(
        flushed[&1],
        vec![60, 60, 60],
        "broker 1 flushed at its controlled shutdown"
    );
    assert!(
        flushed[&2] != flushed[&1] || flushed[&3] != flushed[&1],
        "2 or 3 lost unflushed records: {flushed:?}"
    );
    settle(&mut restored);
    // Then replication decides, as in Kafka: a partition led by broker 1 gets
    // its records back on 2 and 3; one led by a broker that lost them loses
    // them everywhere (broker 1 truncates to its leader).
    let image = restored.metadata().unwrap().clone();
    for p in 0..3 {
        let tp = TopicPartition::new("t", p);
        let leader = image.partitions().find(|(t, _)| *t == tp).unwrap().1.leader;
        let expected = flushed[&leader][p as usize];
        for b in [1, 2, 3] {
            assert_eq!(
                ends(&restored, b)[p as usize],
                expected,
                "{tp} on broker {b} (leader {leader})"
            );
        }
    }
}

#[test]
fn bad_file_names_and_missing_files_do_not_panic() {
    let sim = busy_cluster(4, 30_000);
    let persisted = sim.persisted();
    let mut files = stored_files(&persisted);
    let meta = persisted.meta.clone();
    drop(persisted);
    let leader = sim
        .metadata()
        .unwrap()
        .partitions()
        .find(|(tp, _)| tp.topic == "t")
        .map(|(_, p)| (p.leader, p.partition))
        .unwrap();
    let follower = [1, 2, 3].into_iter().find(|b| *b != leader.0).unwrap();
    let lost = format!("{follower}/t-{}", leader.1);
    assert!(files.contains_key(&lost));
    files.remove(&lost);
    files.insert("9/t-0".into(), vec![]);
    assert!(parse_file_path("9/t-0").is_some());
    let (mut restored, report) = Simulation::restore(&meta, files).expect("restore");
    assert_eq!(report.orphan_files, vec!["9/t-0".to_string()]);
    settle(&mut restored); // the replica with no files refills from its leader
    let (node, tp) = parse_file_path(&lost).unwrap();
    let leo = restored
        .broker(node)
        .and_then(|b| b.replica_info(&tp))
        .map(|i| i.log_end_offset);
    let infos: Vec<String> = [1, 2, 3]
        .iter()
        .map(|b| format!("{b}: {:?}", restored.broker(*b).and_then(|x| x.replica_info(&tp))))
        .collect();
    assert_eq!(leo, Some(50), "{lost}: {infos:?}");
}

#[test]
fn a_torn_tail_in_a_stored_file_is_cut_reported_and_refetched() {
    let sim = busy_cluster(5, 30_000);
    let persisted = sim.persisted();
    let mut files = stored_files(&persisted);
    let meta = persisted.meta.clone();
    drop(persisted);
    // A follower's last segment loses its last 7 bytes and gets garbage instead,
    // as a write cut short by a crash leaves it.
    let leader = sim
        .metadata()
        .unwrap()
        .partitions()
        .find(|(tp, _)| tp.topic == "t")
        .map(|(tp, p)| (tp, p.leader))
        .unwrap();
    let follower = [1, 2, 3].into_iter().find(|b| *b != leader.1).unwrap();
    let path = format!("{follower}/{}-{}", leader.0.topic, leader.0.partition);
    let last = files.get_mut(&path).unwrap().last_mut().unwrap();
    let n = last.bytes.len();
    last.bytes[n - 7..].copy_from_slice(&[0xee; 7]);
    let (mut restored, report) = Simulation::restore(&meta, files).expect("restore");
    assert!(report.truncated_bytes > 0, "{report:?}");
    assert!(
        report
            .truncated
            .iter()
            .any(|(b, tp, _, _)| *b == follower && *tp == leader.0),
        "{report:?}"
    );
    settle(&mut restored);
    let leo = |b: NodeId| {
        restored
            .broker(b)
            .and_then(|x| x.replica_info(&leader.0))
            .map(|i| i.log_end_offset)
    };
    assert_eq!(leo(follower), leo(leader.1), "the follower refetched what recovery cut");
    assert_eq!(leo(follower), Some(50));
}

#[test]
fn a_reassignment_in_progress_survives_a_restore_and_then_completes() {
    let mut sim = Simulation::new(ClusterConfig::new(3, 1), 11);
    assert!(sim.run_until_condition(60_000, |s| s
        .metadata()
        .is_some_and(|m| m.unfenced_brokers() == vec![1, 2, 3])));
    let create = AdminRequest::CreateTopic {
        name: "t".into(),
        partitions: -1,
        replication_factor: -1,
        assignment: Some(vec![vec![1, 2]]),
        configs: Vec::new(),
        validate_only: false,
    };
    assert!(matches!(
        sim.admin_and_wait(create, 30_000),
        Some(AdminResponse::CreateTopic(Ok(_)))
    ));
    sim.run_for(3_000);
    // Broker 3 is paused, so the move waits for it.
    sim.apply_fault(Fault::Pause(3));
    let tp = TopicPartition::new("t", 0);
    let reassign = AdminRequest::AlterPartitionReassignments {
        reassignments: vec![(tp.clone(), Some(vec![2, 3]))],
    };
    assert_eq!(
        sim.admin_and_wait(reassign, 30_000),
        Some(AdminResponse::AlterPartitionReassignments(vec![(tp.clone(), Ok(()))]))
    );
    sim.run_for(1_000);
    let persisted = sim.persisted();
    let (meta, files) = (persisted.meta.clone(), stored_files(&persisted));
    drop(persisted);
    drop(sim);

    let (mut restored, _) = Simulation::restore(&meta, files).expect("restore");
    assert!(restored.run_until_condition(60_000, |s| s.metadata().is_some_and(|m| m.partition(&tp).is_some())));
    let p = restored.metadata().unwrap().partition(&tp).unwrap().clone();
    assert_eq!(
        (p.replicas, p.adding_replicas, p.removing_replicas),
        (vec![2, 3, 1], vec![3], vec![1]),
        "the reassignment came back from the metadata log"
    );
    // Every node restarts, broker 3 included: it catches up and the move completes.
    assert!(restored.run_until_condition(60_000, |s| s
        .metadata()
        .and_then(|m| m.partition(&tp))
        .is_some_and(|p| !p.is_reassigning())));
    let p = restored.metadata().unwrap().partition(&tp).unwrap().clone();
    assert_eq!((p.replicas, p.leader), (vec![2, 3], 2));
}

#[test]
fn a_durable_segment_looked_up_by_path_is_the_one_persisted_lists() {
    // A killed broker too: its disk's files are looked up as well.
    let mut sim = busy_cluster(4, 1_000);
    sim.apply_fault(Fault::Kill(2));
    let persisted = sim.persisted();
    let mut seen = 0;
    for f in &persisted.files {
        for s in &f.segments {
            let found = sim
                .durable_segment(&f.path(), s.base_offset)
                .expect("every listed segment");
            assert_eq!(
                (found.bytes, found.lineage),
                (s.bytes, s.lineage),
                "{} @ {}",
                f.path(),
                s.base_offset
            );
            seen += 1;
        }
        let last = f.segments.last().map_or(0, |s| s.base_offset);
        assert!(
            sim.durable_segment(&f.path(), last + 1).is_none(),
            "no segment at that base"
        );
    }
    assert!(
        persisted.files.iter().any(|f| f.node == 2 && !f.segments.is_empty()),
        "the killed broker's files"
    );
    assert!(seen > 9, "several segments ({seen})");
    for bad in ["", "x", "9/t-0", "1/nope-0", "1/t-x"] {
        assert!(sim.durable_segment(bad, 0).is_none(), "{bad:?}");
    }
}
