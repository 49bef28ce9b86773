//! The broker's copy of `__cluster_metadata`. A broker applies every committed
//! record to its image and never reads it again, so only what the fetch
//! protocol needs is kept: the epoch of every offset (as runs of equal epochs,
//! for `last_fetched_epoch` and divergence) and the records not yet applied.
//! Keeping every record would cost each of 50 brokers a copy of the whole log.

use std::collections::VecDeque;

use crate::metadata::MetadataRecord;

#[derive(Debug, Default)]
pub(super) struct MetadataLog {
    /// `(epoch, first offset)` of each run of records written in one epoch, in
    /// log order.
    epochs: Vec<(i32, i64)>,
    end_offset: i64,
    /// The records from `end_offset - unapplied.len()` on, not yet applied.
    unapplied: VecDeque<MetadataRecord>,
}

impl MetadataLog {
    /// The offset after the last record.
    pub(super) fn end_offset(&self) -> i64 {
        self.end_offset
    }

    /// The epoch of the last record (-1: empty).
    pub(super) fn last_epoch(&self) -> i32 {
        self.epochs.last().map_or(-1, |(e, _)| *e)
    }

    pub(super) fn push(&mut self, epoch: i32, record: MetadataRecord) {
        if self.epochs.last().is_none_or(|(e, _)| *e != epoch) {
            self.epochs.push((epoch, self.end_offset));
        }
        self.unapplied.push_back(record);
        self.end_offset += 1;
    }

    /// A record that the caller applied as it arrived (nothing is unapplied
    /// before it): only its epoch is kept.
    pub(super) fn push_applied(&mut self, epoch: i32) {
        debug_assert!(self.unapplied.is_empty());
        if self.epochs.last().is_none_or(|(e, _)| *e != epoch) {
            self.epochs.push((epoch, self.end_offset));
        }
        self.end_offset += 1;
    }

    /// The oldest record not yet applied, to be applied now.
    pub(super) fn take_unapplied(&mut self) -> Option<MetadataRecord> {
        self.unapplied.pop_front()
    }

    /// Drops every record from `offset` on. Records already taken stay taken:
    /// the caller never truncates below what it applied.
    pub(super) fn truncate(&mut self, offset: i64) {
        if offset >= self.end_offset {
            return;
        }
        let offset = offset.max(0);
        let dropped = (self.end_offset - offset) as usize;
        let keep = self.unapplied.len().saturating_sub(dropped);
        self.unapplied.truncate(keep);
        while self.epochs.last().is_some_and(|(_, start)| *start >= offset) {
            self.epochs.pop();
        }
        self.end_offset = offset;
    }

    /// `LeaderEpochFileCache.endOffsetFor`: the epoch of the last record before
    /// the first one of an epoch above `epoch`, and that record's offset + 1;
    /// `(-1, -1)` if there is none.
    pub(super) fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        let i = self
            .epochs
            .iter()
            .position(|(e, _)| *e > epoch)
            .unwrap_or(self.epochs.len());
        if i == 0 {
            return (-1, -1);
        }
        let end = self.epochs.get(i).map_or(self.end_offset, |(_, start)| *start);
        (self.epochs[i - 1].0, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(epochs: &[i32]) -> MetadataLog {
        let mut log = MetadataLog::default();
        for e in epochs {
            log.push(*e, MetadataRecord::LeaderChange { epoch: *e, leader: 0 });
        }
        log
    }

    #[test]
    fn epoch_end_offsets() {
        let log = log(&[1, 1, 3, 3, 3]);
        assert_eq!(log.end_offset_for_epoch(0), (-1, -1));
        assert_eq!(log.end_offset_for_epoch(1), (1, 2));
        assert_eq!(log.end_offset_for_epoch(2), (1, 2));
        assert_eq!(log.end_offset_for_epoch(3), (3, 5));
        assert_eq!(log.end_offset_for_epoch(9), (3, 5));
        assert_eq!(MetadataLog::default().end_offset_for_epoch(1), (-1, -1));
    }

    #[test]
    fn truncation_drops_records_and_epochs() {
        let mut log = log(&[1, 1, 3, 3, 3]);
        assert_eq!(
            log.take_unapplied(),
            Some(MetadataRecord::LeaderChange { epoch: 1, leader: 0 })
        );
        log.truncate(2);
        assert_eq!((log.end_offset(), log.last_epoch()), (2, 1));
        assert_eq!(log.end_offset_for_epoch(3), (1, 2));
        // One record (offset 1) is left to apply.
        assert!(log.take_unapplied().is_some());
        assert_eq!(log.take_unapplied(), None);
        log.push(4, MetadataRecord::LeaderChange { epoch: 4, leader: 0 });
        assert_eq!(log.end_offset_for_epoch(3), (1, 2));
        assert_eq!(log.end_offset_for_epoch(4), (4, 3));
        log.truncate(9);
        assert_eq!(log.end_offset(), 3);
        log.truncate(0);
        assert_eq!((log.end_offset(), log.last_epoch()), (0, -1));
    }
}
