//! Reads return whole batches from one segment, at least one, below a bound.

use kafkaplay_log::{LogConfig, LogError};

use crate::support::*;

fn offsets(data: &kafkaplay_log::FetchData) -> Vec<(i64, i64)> {
    data.batches()
        .map(|b| b.expect("valid batch"))
        .map(|b| (b.base_offset(), b.last_offset()))
        .collect()
}

scenario! {
    fn read_starts_at_the_batch_holding_the_offset() {
        let mut log = new_log(LogConfig::default());
        produce(&mut log, T0, &[(None, Some("a"))]);
        log.append_as_leader(&batch([rec(T0, None, Some("b")), rec(T0, None, Some("c")), rec(T0, None, Some("d"))]), 0, T0).unwrap();
        produce(&mut log, T0, &[(None, Some("e"))]);
        let leo = log.log_end_offset();
        assert_eq!(offsets(&log.read(0, 1 << 20, leo).unwrap()), vec![(0, 0), (1, 3), (4, 4)]);
        // Offset 2 is inside the second batch: the whole batch comes back.
        let d = log.read(2, 1 << 20, leo).unwrap();
        assert_eq!(offsets(&d), vec![(1, 3), (4, 4)]);
        assert_eq!(d.next_offset, 5);
        assert!(log.read(leo, 1 << 20, leo).unwrap().bytes.is_empty(), "at the log end: nothing");
    }
}

scenario! {
    fn max_bytes_limits_but_one_batch_always_comes() {
        let mut log = new_log(LogConfig::default());
        produce(&mut log, T0, &[(None, Some("a")), (None, Some("b")), (None, Some("c"))]);
        let leo = log.log_end_offset();
        assert_eq!(offsets(&log.read(0, 1, leo).unwrap()), vec![(0, 0)]);
        let one = batch([rec(T0, None, Some("a"))]).len() as u32;
        assert_eq!(offsets(&log.read(0, 2 * one, leo).unwrap()), vec![(0, 0), (1, 1)]);
    }
}

scenario! {
    fn reads_stop_below_the_high_watermark() {
        let mut log = new_log(LogConfig::default());
        produce(&mut log, T0, &[(None, Some("a")), (None, Some("b")), (None, Some("c"))]);
        log.update_high_watermark(2);
        let d = log.read(0, 1 << 20, log.high_watermark()).unwrap();
        assert_eq!(offsets(&d), vec![(0, 0), (1, 1)]);
        assert!(log.read(2, 1 << 20, log.high_watermark()).unwrap().bytes.is_empty());
    }
}

scenario! {
    fn a_read_stays_in_one_segment() {
        let mut log = new_log(LogConfig { segment_bytes: 150, ..LogConfig::default() });
        produce(&mut log, T0, &[(None, Some("a")), (None, Some("b")), (None, Some("c")), (None, Some("d"))]);
        assert_eq!(log.segment_count(), 2);
        let leo = log.log_end_offset();
        assert_eq!(offsets(&log.read(0, 1 << 20, leo).unwrap()), vec![(0, 0), (1, 1)]);
        assert_eq!(offsets(&log.read(2, 1 << 20, leo).unwrap()), vec![(2, 2), (3, 3)]);
    }
}

scenario! {
    fn out_of_range_is_kafkas_error() {
        let mut log = new_log(LogConfig::default());
        produce(&mut log, T0, &[(None, Some("a"))]);
        let e = log.read(5, 100, 1).unwrap_err();
        assert!(matches!(e, LogError::OffsetOutOfRange { offset: 5, .. }));
        assert_eq!(
            e.to_string(),
            "Received request for offset 5 for partition t-0, but we only have log segments in the range 0 to 1."
        );
    }
}

scenario! {
    fn a_reader_checks_every_crc() {
        let mut log = new_log(LogConfig::default());
        produce(&mut log, T0, &[(None, Some("a")), (None, Some("b"))]);
        let mut data = log.read(0, 1 << 20, 2).unwrap();
        let inside_second_value = data.bytes.len() - 3;
        data.bytes[inside_second_value] ^= 0xff;
        let checked: Vec<_> = data.batches().collect();
        assert!(checked[0].is_ok());
        assert!(matches!(checked[1], Err(kafkaplay_log::DecodeError::CrcMismatch { .. })));
    }
}
