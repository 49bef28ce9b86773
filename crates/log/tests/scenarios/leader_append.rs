//! The leader's append: offsets, epochs, LogAppendTime, and Kafka's refusals.

use kafkaplay_log::{BatchBuilder, BatchRef, CleanupPolicy, LogConfig, LogError, SegmentStore, TimestampType};

use crate::support::*;

scenario! {
    fn offsets_are_assigned_from_the_log_end() {
        let mut log = new_log(LogConfig::default());
        let a = log.append_as_leader(&batch([rec(T0, Some("a"), Some("1"))]), 0, T0).unwrap();
        let b = log
            .append_as_leader(&batch([rec(T0, Some("b"), Some("2")), rec(T0, None, Some("3")), rec(T0, None, None)]), 0, T0)
            .unwrap();
        assert_eq!((a.first_offset, a.last_offset), (0, 0));
        assert_eq!((b.first_offset, b.last_offset, b.record_count), (1, 3, 3));
        assert_eq!(log.log_end_offset(), 4);
        assert_eq!(contents(&log)[3], (3, None, None));
        for (_, batch) in log.batches() {
            batch.validate().expect("stored batches keep a valid CRC");
        }
    }
}

scenario! {
    fn leader_epoch_is_stamped_and_cached() {
        let mut log = new_log(LogConfig::default());
        log.append_as_leader(&batch([rec(T0, None, Some("a"))]), 3, T0).unwrap();
        log.append_as_leader(&batch([rec(T0, None, Some("b"))]), 5, T0).unwrap();
        let epochs: Vec<i32> = log.batches().map(|(_, b)| b.partition_leader_epoch()).collect();
        assert_eq!(epochs, vec![3, 5]);
        assert_eq!(log.latest_epoch(), Some(5));
    }
}

scenario! {
    fn log_append_time_replaces_max_timestamp_and_crc() {
        let config = LogConfig { message_timestamp_type: TimestampType::LogAppendTime, ..LogConfig::default() };
        let mut log = new_log(config);
        let info = log.append_as_leader(&batch([rec(T0, Some("k"), Some("v"))]), 0, T0 + 999).unwrap();
        assert_eq!(info.log_append_time, Some(T0 + 999));
        let (_, b) = log.batches().next().unwrap();
        b.validate().unwrap();
        assert_eq!(b.timestamp_type(), TimestampType::LogAppendTime);
        assert_eq!(b.max_timestamp(), T0 + 999);
        assert_eq!(b.base_timestamp(), T0, "base timestamp is left alone");
        assert_eq!(b.records().unwrap()[0].timestamp, T0 + 999);
    }
}

scenario! {
    fn kafkas_refusals() {
        let mut log = new_log(LogConfig { max_message_bytes: 100, ..LogConfig::default() });
        let mut nonzero = BatchBuilder::new(5);
        nonzero.append(rec(T0, None, Some("x")));
        assert_eq!(
            log.append_as_leader(&nonzero.build(), 0, T0).unwrap_err().to_string(),
            "The baseOffset of the record batch in the append to t-0 should be 0, but it is 5"
        );
        let big = batch([rec(T0, None, Some(&"x".repeat(200)))]);
        assert_eq!(
            log.append_as_leader(&big, 0, T0).unwrap_err().to_string(),
            format!("The record batch size in the append to t-0 is {} bytes which exceeds the maximum configured value of 100).", big.len())
        );
        let mut corrupt = batch([rec(T0, None, Some("hello"))]);
        let stored = BatchRef::parse_exact(&corrupt).unwrap().crc();
        corrupt[66] ^= 1;
        assert_eq!(
            log.append_as_leader(&corrupt, 0, T0).unwrap_err().to_string(),
            format!("Record is corrupt (stored crc = {stored}) in topic partition t-0.")
        );
        let two = [batch([rec(T0, None, Some("a"))]), batch([rec(T0, None, Some("b"))])].concat();
        assert_eq!(
            log.append_as_leader(&two, 0, T0).unwrap_err().to_string(),
            "Compressed outer record has more than one batch"
        );
        let mut control = BatchBuilder::new(0).control(true);
        control.append(rec(T0, Some("c"), Some("m")));
        assert!(matches!(log.append_as_leader(&control.build(), 0, T0), Err(LogError::InvalidRecord(_))));
        assert_eq!(log.log_end_offset(), 0, "nothing refused was written");
    }
}

scenario! {
    fn compacted_topic_refuses_null_keys() {
        let mut log = new_log(LogConfig { cleanup_policy: CleanupPolicy::COMPACT, ..LogConfig::default() });
        let e = log.append_as_leader(&batch([rec(T0, None, Some("v"))]), 0, T0).unwrap_err();
        assert_eq!(e.to_string(), "Compacted topic cannot accept message without key in topic partition t-0.");
    }
}

scenario! {
    fn batch_larger_than_a_segment_is_refused() {
        let mut log = new_log(LogConfig { segment_bytes: 100, ..LogConfig::default() });
        let big = batch([rec(T0, None, Some(&"x".repeat(60)))]);
        assert_eq!(
            log.append_as_leader(&big, 0, T0).unwrap_err().to_string(),
            format!("Message batch size is {} bytes in append to partition t-0, which exceeds the maximum configured segment size of 100.", big.len())
        );
    }
}

scenario! {
    fn storage_failure_leaves_the_log_unchanged() {
        let mut log = new_log(LogConfig::default());
        produce(&mut log, T0, &[(Some("a"), Some("1"))]);
        log.store_mut().set_fail_writes(Some("QuotaExceededError"));
        let e = log.append_as_leader(&batch([rec(T0, Some("b"), Some("2"))]), 0, T0).unwrap_err();
        assert_eq!(e.to_string(), "storage error: QuotaExceededError");
        assert_eq!(log.log_end_offset(), 1);
        log.store_mut().set_fail_writes(None);
        produce(&mut log, T0, &[(Some("c"), Some("3"))]);
        assert_eq!(contents(&log).iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 1]);
        let stored: usize = log.store().load().unwrap().iter().map(|s| s.bytes.len()).sum();
        assert_eq!(stored as u64, log.size_bytes(), "store and memory agree");
    }
}

scenario! {
    fn follower_append_keeps_offsets_and_refuses_going_back() {
        let mut leader = new_log(LogConfig::default());
        produce(&mut leader, T0, &[(Some("a"), Some("1")), (Some("b"), Some("2")), (Some("c"), Some("3"))]);
        let fetched = leader.read(0, 1 << 20, leader.log_end_offset()).unwrap();
        let mut follower = new_log(LogConfig::default());
        let info = follower.append_as_follower(&fetched.bytes, T0).unwrap();
        assert_eq!((info.first_offset, info.last_offset), (0, 2));
        assert_eq!(contents(&follower), contents(&leader));
        let e = follower.append_as_follower(&fetched.bytes, T0).unwrap_err();
        assert_eq!(e.to_string(), "Unexpected offset in append to t-0. First offset 0 is less than the next offset 3.");
    }
}
