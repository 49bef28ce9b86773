//! ListOffsets by time: the first record at or after a timestamp.

use kafkaplay_log::{LogConfig, TimestampOffset};

use crate::support::*;

scenario! {
    fn finds_the_first_record_at_or_after_a_time_across_segments() {
        let mut log = new_log(LogConfig { segment_bytes: 300, index_interval_bytes: 100, ..LogConfig::default() });
        for i in 0..20i64 {
            log.append_as_leader(&batch([rec(T0 + 100 * i, None, Some("v")), rec(T0 + 100 * i + 50, None, Some("w"))]), 0, T0).unwrap();
        }
        assert!(log.segment_count() > 3);
        assert_eq!(log.offset_for_timestamp(T0), Some(TimestampOffset { timestamp: T0, offset: 0 }));
        assert_eq!(log.offset_for_timestamp(T0 + 1), Some(TimestampOffset { timestamp: T0 + 50, offset: 1 }));
        assert_eq!(log.offset_for_timestamp(T0 + 1_234), Some(TimestampOffset { timestamp: T0 + 1_250, offset: 25 }));
        assert_eq!(log.offset_for_timestamp(T0 + 1_950), Some(TimestampOffset { timestamp: T0 + 1_950, offset: 39 }));
        assert_eq!(log.offset_for_timestamp(T0 + 1_951), None, "after every record");
        assert_eq!(log.offset_for_timestamp(0), Some(TimestampOffset { timestamp: T0, offset: 0 }));
    }
}

scenario! {
    fn out_of_order_timestamps_find_the_first_qualifying_record() {
        let mut log = new_log(LogConfig::default());
        for ts in [T0 + 500, T0 + 100, T0 + 900, T0 + 300] {
            produce(&mut log, ts, &[(None, Some("x"))]);
        }
        assert_eq!(log.offset_for_timestamp(T0 + 200), Some(TimestampOffset { timestamp: T0 + 500, offset: 0 }));
        assert_eq!(log.offset_for_timestamp(T0 + 600), Some(TimestampOffset { timestamp: T0 + 900, offset: 2 }));
        assert_eq!(log.max_timestamp_offset(), Some(TimestampOffset { timestamp: T0 + 900, offset: 2 }));
    }
}
