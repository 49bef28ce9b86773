//! Retention deletes what a lagging group has not read yet. When the group
//! comes back, its committed offset is below the log start offset: the fetch
//! gets OFFSET_OUT_OF_RANGE and the consumer applies `auto.offset.reset`.
//! Retention runs as Kafka's `kafka-log-retention` task does: first
//! `log.initial.task.delay.ms` (30 s) after a broker starts, then every
//! `log.retention.check.interval.ms` (5 minutes by default).

use kafkaplay_cluster::checker::check_group_delivery;
use kafkaplay_cluster::consumer::ProcessingMode;
use kafkaplay_cluster::{ProducerConfig, Simulation, TopicPartition};

use crate::consumer_groups::*;
use crate::support::*;

/// A one-partition topic with 1-minute retention and small segments; group
/// `g` processes and commits the first 20 records, then goes away while 20
/// more arrive, and 20 more at 290 s.
fn lagging_group(seed: u64) -> (Simulation, TopicPartition) {
    let mut sim = group_cluster(seed);
    create_topic(
        &mut sim,
        "t",
        1,
        3,
        &[("retention.ms", "60000"), ("segment.bytes", "400")],
    );
    let tp = TopicPartition::new("t", 0);
    let producer = sim.add_producer(ProducerConfig::default());
    let (config, app) = group(ProcessingMode::CommitAfterProcessing);
    let a = sim.add_consumer(config, app);
    sim.subscribe(a, &["t"]);
    // Five records per batch: a batch larger than `segment.bytes` is refused.
    for from in (0..20).step_by(5) {
        produce(&mut sim, producer, "t", 1, from, 5);
    }
    assert!(sim.run_until_condition(20_000, |s| s.consumed().len() >= 20));
    sim.close_consumer(a);
    sim.run_for(2_000);
    // The group is away while more records arrive.
    for from in (20..40).step_by(5) {
        produce(&mut sim, producer, "t", 1, from, 5);
    }
    // And 20 more a few minutes later, which retention keeps for a while.
    sim.run_until(sim.config().origin_ms + 290_000);
    for from in (40..60).step_by(5) {
        produce(&mut sim, producer, "t", 1, from, 5);
    }
    assert!(sim.outcomes().iter().all(|o| o.result.is_ok()), "{:?}", sim.outcomes());
    (sim, tp)
}

fn log_start(sim: &Simulation, tp: &TopicPartition) -> i64 {
    let leader = partition(sim, &tp.topic, tp.partition).leader;
    sim.broker(leader)
        .and_then(|b| b.log(tp))
        .map_or(-1, |l| l.log_start_offset())
}

scenario! {
    fn retention_waits_for_the_check_interval() {
        let (mut sim, tp) = lagging_group(31);
        let origin = sim.config().origin_ms;
        // The first check ran at 30 s, when nothing was a minute old. By 320 s
        // the early records are, but the next check only comes at 330 s.
        sim.run_until(origin + 329_999);
        assert_eq!(log_start(&sim, &tp), 0, "nothing deleted between checks");
        sim.run_until(origin + 330_000);
        let start = log_start(&sim, &tp);
        assert!(start > 20 && start <= 40, "the check at 330 s deleted the early segments (log start {start})");
        let deletions: Vec<i64> = sim
            .observations()
            .iter()
            .filter(|(_, _, o)| o.to_string().contains("segment(s) of t-0 (retention.ms)"))
            .map(|(t, _, _)| *t - origin)
            .collect();
        // Each of the three replicas deletes its own copy.
        assert_eq!(deletions, vec![330_000; 3]);
    }
}

scenario! {
    fn a_lagging_group_gets_offset_out_of_range_and_resets_to_earliest() {
        let (mut sim, tp) = lagging_group(32);
        // Past the retention check at 330 s.
        sim.run_until(sim.config().origin_ms + 340_000);
        let start = log_start(&sim, &tp);
        assert!(start > 20 && start <= 40, "retention deleted past the group's committed offset 20 and kept the late records (log start {start})");
        let (config, app) = group(ProcessingMode::CommitAfterProcessing);
        let b = sim.add_consumer(config, app);
        sim.subscribe(b, &["t"]);
        let caught_up = sim.run_until_condition(30_000, |s| s.consumer(b).and_then(|c| c.position(&tp)) == Some(60));
        assert!(caught_up, "seed {}: b read to the end", sim.seed());
        let out_of_range = format!("consumer {b} fetch offset 20 is out of range for t-0, resetting (earliest)");
        assert!(sim.observations().iter().any(|(_, _, o)| o.to_string() == out_of_range), "{out_of_range}");
        // b processed exactly what retention left, from the new log start.
        let mine: Vec<i64> = sim.consumed().iter().filter(|r| r.consumer == b).map(|r| r.offset).collect();
        assert_eq!(mine, (start..60).collect::<Vec<_>>());
        let committed = sim.run_until_condition(10_000, |s| s.consumer(b).unwrap().committed().get(&tp) == Some(&60));
        assert!(committed, "b committed its new position");
        let report = check_group_delivery(&final_read(&sim, "t", 1), sim.consumed());
        assert!(report.never_processed.is_empty(), "{report}");
        assert!(report.regressions.is_empty(), "{report}");
    }
}

scenario! {
    fn with_auto_offset_reset_latest_the_lagging_group_skips_to_the_end() {
        let (mut sim, tp) = lagging_group(33);
        sim.run_until(sim.config().origin_ms + 340_000);
        assert!(log_start(&sim, &tp) > 20);
        let (mut config, app) = group(ProcessingMode::CommitAfterProcessing);
        config.auto_offset_reset = "latest".into();
        let b = sim.add_consumer(config, app);
        sim.subscribe(b, &["t"]);
        let reset = sim.run_until_condition(30_000, |s| s.consumer(b).and_then(|c| c.position(&tp)) == Some(60));
        assert!(reset, "seed {}: b's position went to the log end", sim.seed());
        sim.run_for(2_000);
        assert!(sim.consumed().iter().all(|r| r.consumer != b), "nothing left to process");
    }
}
