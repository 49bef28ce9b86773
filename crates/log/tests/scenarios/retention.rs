//! Retention deletes whole segments, oldest first, only below the high watermark.

use kafkaplay_log::{CleanupPolicy, LogConfig, MemoryStore, PartitionLog};

use crate::support::*;

/// Six single-record segments at T0, T0+1000, ... (segment.bytes fits one batch).
fn six_segments(config: LogConfig) -> PartitionLog<MemoryStore> {
    let mut log = new_log(LogConfig {
        segment_bytes: 100,
        ..config
    });
    for i in 0..6i64 {
        log.append_as_leader(&batch([rec(T0 + 1_000 * i, None, Some("x"))]), 0, T0)
            .unwrap();
    }
    let leo = log.log_end_offset();
    log.update_high_watermark(leo);
    assert_eq!(log.segment_count(), 6);
    log
}

scenario! {
    fn retention_ms_deletes_segments_older_than_the_limit() {
        let mut log = six_segments(LogConfig { retention_ms: 2_000, ..LogConfig::default() });
        // now − largest timestamp > retention.ms: T0+3000 is exactly 2000 old and stays.
        let r = log.delete_old_segments(T0 + 5_000).unwrap();
        assert_eq!(r.deleted_segments, vec![0, 1, 2]);
        assert_eq!(r.reasons, vec!["retention.ms"]);
        assert_eq!(log.log_start_offset(), 3);
        assert!(log.read(2, 100, 6).is_err(), "deleted offsets are out of range");
        assert_eq!(kafkaplay_log::SegmentStore::load(log.store()).unwrap().len(), 3);
    }
}

scenario! {
    fn when_everything_expires_a_new_active_segment_is_rolled() {
        let mut log = six_segments(LogConfig { retention_ms: 1_000, ..LogConfig::default() });
        let r = log.delete_old_segments(T0 + 100_000).unwrap();
        assert_eq!(r.deleted_segments.len(), 6);
        assert_eq!((log.log_start_offset(), log.log_end_offset(), log.segment_count()), (6, 6, 1));
        produce(&mut log, T0 + 100_000, &[(None, Some("after"))]);
        assert_eq!(contents(&log)[0].0, 6);
    }
}

scenario! {
    fn nothing_above_the_high_watermark_is_deleted() {
        let mut log = six_segments(LogConfig { retention_ms: 1, ..LogConfig::default() });
        log.update_high_watermark(2);
        let r = log.delete_old_segments(T0 + 100_000).unwrap();
        assert_eq!(r.deleted_segments, vec![0, 1]);
        assert_eq!(log.log_start_offset(), 2);
    }
}

scenario! {
    fn retention_bytes_keeps_at_least_the_limit() {
        let mut log = six_segments(LogConfig { retention_ms: -1, ..LogConfig::default() });
        let seg = log.segment_infos()[0].size as i64;
        log.set_config(LogConfig { retention_bytes: 2 * seg + 1, ..log.config().clone() }).unwrap();
        let r = log.delete_old_segments(T0).unwrap();
        // 6 segments, limit 2 segments + 1 byte: deleting a 4th would go below it.
        assert_eq!(r.deleted_segments, vec![0, 1, 2]);
        assert_eq!(r.reasons, vec!["retention.bytes"]);
        assert_eq!(log.size_bytes() as i64, 3 * seg);
    }
}

scenario! {
    fn compact_only_topics_are_not_deleted_by_time() {
        let mut log = new_log(LogConfig { segment_bytes: 100, retention_ms: 1, cleanup_policy: CleanupPolicy::COMPACT, ..LogConfig::default() });
        produce(&mut log, T0, &[(Some("k"), Some("v")), (Some("k"), Some("w"))]);
        log.update_high_watermark(2);
        assert!(log.delete_old_segments(T0 + 100_000).unwrap().deleted_segments.is_empty());
        assert_eq!(log.log_start_offset(), 0);
    }
}
