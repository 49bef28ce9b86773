//! The leader epoch cache answers OffsetsForLeaderEpoch as Kafka's does.

use kafkaplay_log::LogConfig;

use crate::support::*;

scenario! {
    fn end_offset_for_epoch() {
        let mut log = new_log(LogConfig::default());
        assert_eq!(log.end_offset_for_epoch(0), (-1, -1));
        // epoch 1 starts at 0, epoch 3 at 2, epoch 4 at 5; LEO 6.
        for (epoch, n) in [(1, 2), (3, 3), (4, 1)] {
            for _ in 0..n {
                log.append_as_leader(&batch([rec(T0, None, Some("x"))]), epoch, T0).unwrap();
            }
        }
        assert_eq!(log.end_offset_for_epoch(4), (4, 6), "the latest epoch ends at the log end");
        assert_eq!(log.end_offset_for_epoch(3), (3, 5));
        assert_eq!(log.end_offset_for_epoch(2), (1, 2), "an unknown epoch answers with the largest below it");
        assert_eq!(log.end_offset_for_epoch(1), (1, 2));
        assert_eq!(log.end_offset_for_epoch(0), (-1, -1));
        assert_eq!(log.end_offset_for_epoch(9), (4, 6));
    }
}

scenario! {
    fn recovery_rebuilds_the_epoch_cache_from_batches() {
        let mut log = new_log(LogConfig::default());
        for epoch in [0, 0, 2, 2, 7] {
            log.append_as_leader(&batch([rec(T0, None, Some("x"))]), epoch, T0).unwrap();
        }
        let before = log.leader_epochs().to_vec();
        let store = log.into_store();
        let segs = kafkaplay_log::SegmentStore::load(&store).unwrap();
        let (log, _) = kafkaplay_log::PartitionLog::recover("t-0", segs, store, LogConfig::default(), T0).unwrap();
        assert_eq!(log.leader_epochs(), &before[..]);
    }
}
