//! `cleanup.policy=compact`: the latest record per key survives; tombstones get a
//! delete horizon on the first pass and vanish once it has passed.

use kafkaplay_log::{CleanupPolicy, LogConfig, MemoryStore, PartitionLog};

use crate::support::*;

const DAY: i64 = 24 * 60 * 60 * 1000;

fn compacted(policy: CleanupPolicy) -> PartitionLog<MemoryStore> {
    new_log(LogConfig {
        segment_bytes: 200,
        cleanup_policy: policy,
        ..LogConfig::default()
    })
}

fn flat(log: &PartitionLog<MemoryStore>) -> Vec<(i64, String, Option<String>)> {
    contents(log).into_iter().map(|(o, k, v)| (o, k.unwrap(), v)).collect()
}

scenario! {
    fn keeps_the_latest_value_per_key_and_the_offsets() {
        let mut log = compacted(CleanupPolicy::COMPACT);
        produce(
            &mut log,
            T0,
            &[(Some("a"), Some("1")), (Some("b"), Some("1")), (Some("a"), Some("2")), (Some("c"), Some("1")),
              (Some("b"), Some("2")), (Some("a"), Some("3")), (Some("d"), Some("1")), (Some("d"), Some("2"))],
        );
        let leo = log.log_end_offset();
        log.update_high_watermark(leo);
        let active_base = log.segments().last().unwrap().base_offset();
        let r = log.clean(T0).unwrap();
        assert_eq!(r.cleaned_range, Some((0, active_base)));
        let kept = flat(&log);
        // Every key's last record below the active segment, plus the active segment untouched.
        let below: Vec<_> = kept.iter().filter(|r| r.0 < active_base).cloned().collect();
        for (o, k, _) in &below {
            let later = kept.iter().any(|(o2, k2, _)| k2 == k && o2 > o && *o2 < active_base);
            assert!(!later, "offset {o} key {k} was superseded but kept");
        }
        assert_eq!(log.log_end_offset(), leo, "compaction never changes the log end");
        assert!(r.records_removed > 0 && r.bytes_after < r.bytes_before);
        for (_, b) in log.batches() {
            b.validate().unwrap();
        }
    }
}

scenario! {
    fn tombstones_live_until_the_delete_horizon() {
        let mut log = compacted(CleanupPolicy::COMPACT);
        produce(&mut log, T0, &[(Some("a"), Some("1")), (Some("b"), Some("1")), (Some("a"), None)]);
        // Push the tombstone out of the active segment.
        produce(&mut log, T0, &[(Some("z"), Some("1")), (Some("z"), Some("2")), (Some("z"), Some("3"))]);
        log.update_high_watermark(log.log_end_offset());
        let first = log.clean(T0).unwrap();
        assert_eq!(first.horizons_set, 1);
        let with_horizon = log.batches().find(|(_, b)| b.delete_horizon_ms().is_some()).map(|(_, b)| b.delete_horizon_ms());
        assert_eq!(with_horizon, Some(Some(T0 + DAY)), "horizon = now + delete.retention.ms, in the base timestamp");
        assert!(flat(&log).iter().any(|r| r.1 == "a" && r.2.is_none()), "first pass keeps the tombstone");
        assert!(!flat(&log).iter().any(|r| r.1 == "a" && r.2.is_some()), "but not what it deleted");

        produce(&mut log, T0, &[(Some("y"), Some("1"))]);
        log.update_high_watermark(log.log_end_offset());
        log.clean(T0 + DAY - 1).unwrap();
        assert!(flat(&log).iter().any(|r| r.1 == "a"), "before the horizon it stays");
        let last = log.clean(T0 + DAY).unwrap();
        assert_eq!(last.tombstones_removed, 1);
        assert!(!flat(&log).iter().any(|r| r.1 == "a"), "after the horizon it is gone");
        // Record timestamps survive the rewritten base timestamp.
        assert!(log.batches().flat_map(|(_, b)| b.records().unwrap()).all(|r| r.timestamp == T0));
    }
}

scenario! {
    fn nothing_at_or_above_the_high_watermark_is_cleaned() {
        let mut log = compacted(CleanupPolicy::COMPACT);
        produce(&mut log, T0, &[(Some("a"), Some("1")), (Some("a"), Some("2")), (Some("a"), Some("3")), (Some("a"), Some("4")), (Some("a"), Some("5"))]);
        log.update_high_watermark(0);
        assert_eq!(log.clean(T0).unwrap().records_removed, 0);
        assert_eq!(flat(&log).len(), 5);
    }
}

scenario! {
    fn min_compaction_lag_protects_young_segments() {
        let mut log = new_log(LogConfig {
            segment_bytes: 200,
            cleanup_policy: CleanupPolicy::COMPACT,
            min_compaction_lag_ms: 10_000,
            ..LogConfig::default()
        });
        produce(&mut log, T0, &[(Some("a"), Some("1")), (Some("a"), Some("2"))]);
        produce(&mut log, T0 + 20_000, &[(Some("a"), Some("3")), (Some("a"), Some("4")), (Some("a"), Some("5")), (Some("a"), Some("6"))]);
        log.update_high_watermark(log.log_end_offset());
        let r = log.clean(T0 + 25_000).unwrap();
        // Only the first segment (records at T0) is older than the lag.
        assert_eq!(r.cleaned_range, Some((0, 2)));
        assert_eq!(flat(&log)[0].0, 1);
    }
}

scenario! {
    fn compact_delete_does_both() {
        let mut log = new_log(LogConfig {
            segment_bytes: 200,
            cleanup_policy: CleanupPolicy::COMPACT_DELETE,
            retention_ms: 10_000,
            ..LogConfig::default()
        });
        produce(&mut log, T0, &[(Some("a"), Some("1")), (Some("a"), Some("2"))]);
        produce(&mut log, T0 + 50_000, &[(Some("b"), Some("1")), (Some("b"), Some("2")), (Some("c"), Some("1")), (Some("c"), Some("2"))]);
        log.update_high_watermark(log.log_end_offset());
        log.clean(T0 + 50_000).unwrap();
        let r = log.delete_old_segments(T0 + 50_000).unwrap();
        assert_eq!(r.reasons, vec!["retention.ms"]);
        assert!(!flat(&log).iter().any(|x| x.1 == "a"), "old segment deleted by time");
        assert!(flat(&log).iter().any(|x| x.1 == "c"));
        assert_eq!(log.log_start_offset(), 2);
    }
}

scenario! {
    fn compaction_result_survives_recovery() {
        let mut log = compacted(CleanupPolicy::COMPACT);
        for i in 0..30 {
            let k = format!("k{}", i % 4);
            let v = format!("{i}");
            produce(&mut log, T0, &[(Some(&k), Some(&v))]);
        }
        log.update_high_watermark(log.log_end_offset());
        log.clean(T0).unwrap();
        let before = contents(&log);
        let files = log.export_files();
        let store = log.into_store();
        let segs = kafkaplay_log::SegmentStore::load(&store).unwrap();
        let (log, report) = PartitionLog::recover("t-0", segs, store, LogConfig { segment_bytes: 200, cleanup_policy: CleanupPolicy::COMPACT, ..LogConfig::default() }, T0).unwrap();
        assert_eq!(report.truncated_bytes, 0);
        assert_eq!(contents(&log), before);
        assert_eq!(log.export_files().iter().filter(|f| f.name.ends_with(".log")).count(), files.iter().filter(|f| f.name.ends_with(".log")).count());
    }
}
