//! Recovery after a crash: every batch is checked; a torn or corrupt tail is cut
//! and reported, later segments go, and what was flushed survives power loss.

use kafkaplay_log::{LogConfig, MemoryStore, PartitionLog, SegmentStore};

use crate::support::*;

fn config() -> LogConfig {
    LogConfig {
        segment_bytes: 300,
        ..LogConfig::default()
    }
}

/// Twelve single-record batches over several segments, flushed.
fn written() -> (PartitionLog<MemoryStore>, Vec<Row>) {
    let mut log = new_log(config());
    for i in 0..12 {
        let v = format!("value-{i}");
        produce(&mut log, T0 + i, &[(Some("k"), Some(&v))]);
    }
    log.flush().unwrap();
    let c = contents(&log);
    (log, c)
}

fn reopen(store: MemoryStore) -> (PartitionLog<MemoryStore>, kafkaplay_log::RecoveryReport) {
    let segs = store.load().unwrap();
    PartitionLog::recover("t-0", segs, store, config(), T0 + 100).unwrap()
}

scenario! {
    fn a_clean_log_recovers_whole() {
        let (log, before) = written();
        let (log, report) = reopen(log.into_store());
        assert_eq!(report.truncated_bytes, 0);
        assert_eq!(report.truncated_offsets, None);
        assert_eq!(report.batches_loaded, 12);
        assert_eq!(contents(&log), before);
    }
}

scenario! {
    fn a_torn_tail_is_truncated_and_reported() {
        let (log, before) = written();
        let last_base = log.segments().last().unwrap().base_offset();
        let mut store = log.into_store();
        let seg = store.segment_mut(last_base).unwrap();
        let cut = 20;
        seg.truncate(seg.len() - cut); // the last batch was half-written
        let (log, report) = reopen(store);
        let batch_size = batch([rec(T0, Some("k"), Some("value-11"))]).len() as u64;
        assert_eq!(report.truncated_bytes, batch_size - cut as u64);
        assert_eq!(report.truncated_offsets, Some((11, 12)), "the torn batch's header still names its offsets");
        assert_eq!(log.log_end_offset(), 11);
        assert_eq!(contents(&log), before[..11].to_vec());
        assert!(report.error.unwrap().contains("Found invalid messages in log segment"));
        let stored: u64 = log.store().load().unwrap().iter().map(|s| s.bytes.len() as u64).sum();
        assert_eq!(stored, log.size_bytes(), "the store was truncated too");
    }
}

scenario! {
    fn corruption_in_the_middle_drops_the_rest() {
        let (log, before) = written();
        let bases: Vec<i64> = log.segment_infos().iter().map(|s| s.base_offset).collect();
        assert!(bases.len() >= 3);
        let mut store = log.into_store();
        let second = bases[1];
        store.segment_mut(second).unwrap()[40] ^= 0x55; // the first batch's max timestamp, under its CRC
        let (log, report) = reopen(store);
        assert_eq!(log.log_end_offset(), second);
        assert_eq!(report.truncated_offsets, Some((second, 12)));
        assert_eq!(report.deleted_segments, bases[2..].to_vec());
        assert!(report.error.as_deref().unwrap().contains("Record is corrupt (stored crc = "), "{:?}", report.error);
        assert_eq!(contents(&log), before[..second as usize].to_vec());
        assert_eq!(log.store().load().unwrap().len(), 2, "later segments are gone from the store too");
        // The log carries on from there.
        let mut log = log;
        produce(&mut log, T0, &[(Some("k"), Some("again"))]);
        assert_eq!(contents(&log).last().unwrap().0, second);
    }
}

scenario! {
    fn power_loss_keeps_exactly_what_was_flushed() {
        let (mut log, before) = written();
        produce(&mut log, T0, &[(Some("k"), Some("unflushed-1")), (Some("k"), Some("unflushed-2"))]);
        assert!(log.store().unflushed_bytes() > 0);
        let mut store = log.into_store();
        store.crash();
        let (log, report) = reopen(store);
        assert_eq!(report.truncated_bytes, 0);
        assert_eq!(contents(&log), before);
    }
}

scenario! {
    fn garbage_after_the_last_batch_is_cut() {
        let (log, before) = written();
        let last_base = log.segments().last().unwrap().base_offset();
        let mut store = log.into_store();
        store.segment_mut(last_base).unwrap().extend_from_slice(&[0u8; 37]);
        let (log, report) = reopen(store);
        assert_eq!(report.truncated_bytes, 37);
        assert_eq!(contents(&log), before);
    }
}
