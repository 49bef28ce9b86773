//! Segments roll by `segment.bytes` and by `segment.ms` exactly where Kafka's
//! `LogSegment.shouldRoll` rolls them.

use kafkaplay_log::LogConfig;

use crate::support::*;

fn bases(log: &kafkaplay_log::PartitionLog<kafkaplay_log::MemoryStore>) -> Vec<i64> {
    log.segment_infos().iter().map(|s| s.base_offset).collect()
}

scenario! {
    fn rolls_when_the_next_batch_would_pass_segment_bytes() {
        let one = batch([rec(T0, Some("k0"), Some(&"v".repeat(20)))]).len();
        assert_eq!(one, 90);
        let mut log = new_log(LogConfig { segment_bytes: 400, ..LogConfig::default() });
        for i in 0..10 {
            let info = log.append_as_leader(&batch([rec(T0, Some("k0"), Some(&"v".repeat(20)))]), 0, T0).unwrap();
            assert_eq!(info.rolled, i > 0 && i % 4 == 0, "append {i}");
        }
        // 4 × 90 = 360 fits in 400; a fifth batch would make 450.
        assert_eq!(bases(&log), vec![0, 4, 8]);
        let sizes: Vec<u32> = log.segment_infos().iter().map(|s| s.size).collect();
        assert_eq!(sizes, vec![360, 360, 180]);
        assert_eq!(kafkaplay_log::SegmentStore::load(log.store()).unwrap().len(), 3, "the store has the same three files");
    }
}

scenario! {
    fn rolls_by_record_time_not_wall_clock() {
        let mut log = new_log(LogConfig { segment_ms: 2_500, ..LogConfig::default() });
        for i in 0..10i64 {
            // The broker's clock stands still; only record timestamps move.
            log.append_as_leader(&batch([rec(T0 + 1_000 * i, None, Some("x"))]), 0, T0).unwrap();
        }
        // Roll when (incoming max timestamp − first batch's timestamp) > segment.ms.
        assert_eq!(bases(&log), vec![0, 3, 6, 9]);
    }
}

scenario! {
    fn an_empty_active_segment_never_rolls_by_time() {
        let mut log = new_log(LogConfig { segment_ms: 1, ..LogConfig::default() });
        log.append_as_leader(&batch([rec(T0, None, Some("x"))]), 0, T0 + 10_000).unwrap();
        assert_eq!(bases(&log), vec![0]);
        log.append_as_leader(&batch([rec(T0 + 2, None, Some("y"))]), 0, T0 + 10_000).unwrap();
        assert_eq!(bases(&log), vec![0, 1]);
    }
}

scenario! {
    fn a_rolled_segment_gets_its_final_time_index_entry() {
        let mut log = new_log(LogConfig { segment_bytes: 200, ..LogConfig::default() });
        for i in 0..3i64 {
            log.append_as_leader(&batch([rec(T0 + i, None, Some(&"v".repeat(20)))]), 0, T0).unwrap();
        }
        let first = &log.segments()[0];
        let entries: Vec<_> = first.time_index().entries().collect();
        assert_eq!(entries.len(), 1, "onBecomeInactiveSegment appends (max timestamp, its offset)");
        assert_eq!((entries[0].timestamp, entries[0].offset), (T0 + 1, 1));
    }
}
