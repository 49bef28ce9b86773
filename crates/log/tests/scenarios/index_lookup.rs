//! Sparse offset and time indexes: entries where Kafka writes them, lookups that
//! find the largest entry below the target.

use kafkaplay_log::{LogConfig, OffsetPosition, TimestampOffset};

use crate::support::*;

fn ninety_byte_batches(n: i64, index_interval_bytes: u32) -> kafkaplay_log::PartitionLog<kafkaplay_log::MemoryStore> {
    let mut log = new_log(LogConfig {
        index_interval_bytes,
        ..LogConfig::default()
    });
    for i in 0..n {
        log.append_as_leader(&batch([rec(T0 + 10 * i, Some("k0"), Some(&"v".repeat(20)))]), 0, T0)
            .unwrap();
    }
    log
}

scenario! {
    fn entries_follow_index_interval_bytes() {
        let log = ninety_byte_batches(8, 100);
        let seg = &log.segments()[0];
        // The check runs before an append's bytes are counted, with a strict `>`:
        // after 180 bytes the third batch gets the first entry, then every second.
        let offsets: Vec<OffsetPosition> = seg.offset_index().entries().collect();
        assert_eq!(
            offsets,
            vec![
                OffsetPosition { offset: 2, position: 180 },
                OffsetPosition { offset: 4, position: 360 },
                OffsetPosition { offset: 6, position: 540 },
            ]
        );
        let times: Vec<TimestampOffset> = seg.time_index().entries().collect();
        assert_eq!(
            times,
            vec![
                TimestampOffset { timestamp: T0 + 20, offset: 2 },
                TimestampOffset { timestamp: T0 + 40, offset: 4 },
                TimestampOffset { timestamp: T0 + 60, offset: 6 },
            ]
        );
    }
}

scenario! {
    fn every_entry_points_at_the_batch_it_names() {
        let log = ninety_byte_batches(50, 256);
        for seg in log.segments() {
            for e in seg.offset_index().entries() {
                let (_, b) = seg.batches_from(e.position).next().unwrap();
                assert_eq!(b.last_offset(), e.offset, "kafka-dump-log's index check");
            }
        }
    }
}

scenario! {
    fn lookups_return_the_largest_lower_bound() {
        let log = ninety_byte_batches(8, 100);
        let idx = log.segments()[0].offset_index();
        assert_eq!(idx.lookup(0), OffsetPosition { offset: 0, position: 0 }, "below every entry: the segment start");
        assert_eq!(idx.lookup(3), OffsetPosition { offset: 2, position: 180 });
        assert_eq!(idx.lookup(4), OffsetPosition { offset: 4, position: 360 });
        assert_eq!(idx.lookup(1_000), OffsetPosition { offset: 6, position: 540 });
        let t = log.segments()[0].time_index();
        assert_eq!(t.lookup(T0), TimestampOffset { timestamp: -1, offset: 0 });
        assert_eq!(t.lookup(T0 + 45), TimestampOffset { timestamp: T0 + 40, offset: 4 });
    }
}

scenario! {
    fn equal_timestamps_add_no_time_index_entry() {
        let mut log = new_log(LogConfig { index_interval_bytes: 1, ..LogConfig::default() });
        for _ in 0..5 {
            log.append_as_leader(&batch([rec(T0, None, Some("same time"))]), 0, T0).unwrap();
        }
        let seg = &log.segments()[0];
        assert_eq!(seg.offset_index().len(), 4);
        assert_eq!(seg.time_index().len(), 1, "only a strictly larger timestamp is indexed");
    }
}

scenario! {
    fn recovery_rebuilds_the_same_indexes() {
        let log = ninety_byte_batches(40, 300);
        let before = log.export_files();
        let store = log.into_store();
        let segs = kafkaplay_log::SegmentStore::load(&store).unwrap();
        let (log, _) = kafkaplay_log::PartitionLog::recover("t-0", segs, store, LogConfig { index_interval_bytes: 300, ..LogConfig::default() }, T0).unwrap();
        let after = log.export_files();
        let index = |files: &[kafkaplay_log::KafkaFile]| files.iter().find(|f| f.name.ends_with(".index")).unwrap().bytes.clone();
        assert_eq!(index(&after), index(&before));
    }
}
