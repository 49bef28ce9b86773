//! A follower truncates to match its new leader (KIP-101/279): whole batches,
//! later segments deleted, epochs cut, appends continue at the new end.

use kafkaplay_log::LogConfig;

use crate::support::*;

scenario! {
    fn truncate_inside_a_batch_removes_the_whole_batch() {
        let mut log = new_log(LogConfig::default());
        produce(&mut log, T0, &[(None, Some("a"))]);
        log.append_as_leader(&batch([rec(T0, None, Some("b")), rec(T0, None, Some("c")), rec(T0, None, Some("d"))]), 0, T0).unwrap();
        assert!(log.truncate_to(2, T0).unwrap());
        assert_eq!(log.log_end_offset(), 1, "the batch 1..3 held offset 2, so it went whole");
        produce(&mut log, T0, &[(None, Some("z"))]);
        assert_eq!(contents(&log).iter().map(|r| (r.0, r.2.clone().unwrap())).collect::<Vec<_>>(), vec![(0, "a".into()), (1, "z".into())]);
    }
}

scenario! {
    fn truncate_across_segments_deletes_later_segments() {
        let mut log = new_log(LogConfig { segment_bytes: 150, ..LogConfig::default() });
        for v in ["a", "b", "c", "d", "e", "f"] {
            produce(&mut log, T0, &[(None, Some(v))]);
        }
        assert_eq!(log.segment_count(), 3);
        log.update_high_watermark(6);
        assert!(log.truncate_to(3, T0).unwrap());
        assert_eq!(log.log_end_offset(), 3);
        assert_eq!(log.segment_count(), 2);
        assert_eq!(log.high_watermark(), 3, "the high watermark never exceeds the log end");
        let stored: Vec<i64> = kafkaplay_log::SegmentStore::load(log.store()).unwrap().iter().map(|s| s.base_offset).collect();
        assert_eq!(stored, vec![0, 2]);
        assert!(!log.truncate_to(10, T0).unwrap(), "beyond the log end: nothing to do");
    }
}

scenario! {
    fn truncation_cuts_the_leader_epoch_cache() {
        let mut log = new_log(LogConfig::default());
        for (epoch, v) in [(0, "a"), (0, "b"), (1, "c"), (2, "d")] {
            log.append_as_leader(&batch([rec(T0, None, Some(v))]), epoch, T0).unwrap();
        }
        log.truncate_to(3, T0).unwrap();
        assert_eq!(log.latest_epoch(), Some(1));
        log.truncate_to(0, T0).unwrap();
        assert_eq!(log.latest_epoch(), None);
        assert_eq!(log.log_end_offset(), 0);
    }
}

scenario! {
    fn truncate_below_the_first_segment_starts_over() {
        let mut log = new_log(LogConfig::default());
        log.truncate_fully_and_start_at(100, T0).unwrap();
        assert_eq!((log.log_start_offset(), log.log_end_offset()), (100, 100));
        produce(&mut log, T0, &[(None, Some("x"))]);
        assert_eq!(contents(&log)[0].0, 100);
        log.truncate_to(50, T0).unwrap();
        assert_eq!((log.log_start_offset(), log.log_end_offset()), (50, 50));
    }
}
