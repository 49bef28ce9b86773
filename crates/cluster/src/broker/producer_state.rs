//! Idempotent producers' state per partition (`ProducerStateManager`,
//! `ProducerAppendInfo`, `ProducerStateEntry`): for every producer id, its epoch
//! and the last five batches it wrote, so that a retried batch is recognised as
//! a duplicate and a gap in sequence numbers is refused.
//!
//! The state is rebuilt from the log's batches whenever the log changes under
//! it (recovery, truncation), as Kafka rebuilds it from the log and its
//! snapshots. Not here: transactions, `producer.id.expiration.ms`, snapshots.

use kafkaplay_flatmap::FlatMap;
use std::collections::VecDeque;

use kafkaplay_log::{BatchRef, MemoryStore, PartitionLog};

use crate::error::KafkaError;

/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`.
pub const NUM_BATCHES_TO_RETAIN: usize = 5;

/// What one batch of a producer wrote (`BatchMetadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMetadata {
    pub first_seq: i32,
    pub last_seq: i32,
    pub first_offset: i64,
    pub last_offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct ProducerEntry {
    epoch: i16,
    batches: VecDeque<BatchMetadata>,
}

/// The producer fields of a batch about to be appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerBatch {
    pub producer_id: i64,
    pub epoch: i16,
    pub first_seq: i32,
    pub last_seq: i32,
}

impl ProducerBatch {
    /// The producer fields of a batch, or `None` for a non-idempotent batch.
    pub fn of(b: &BatchRef<'_>) -> Option<ProducerBatch> {
        (b.producer_id() >= 0 && !b.is_control()).then(|| ProducerBatch {
            producer_id: b.producer_id(),
            epoch: b.producer_epoch(),
            first_seq: b.base_sequence(),
            last_seq: b.last_sequence(),
        })
    }
}

/// What the leader must do with an incoming batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Append it.
    Append,
    /// Already written: answer with the original offsets, append nothing.
    Duplicate(BatchMetadata),
}

/// The producer state of one partition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProducerStateTable {
    producers: FlatMap<i64, ProducerEntry>,
}

impl ProducerStateTable {
    /// Rebuilds the state from every batch in the log.
    pub fn rebuild(log: &PartitionLog<MemoryStore>) -> Self {
        let mut t = ProducerStateTable::default();
        for (_, b) in log.batches() {
            if let Some(p) = ProducerBatch::of(&b) {
                t.record(p, b.base_offset(), b.last_offset());
            }
        }
        t
    }

    /// Checks a client's batch before it is appended: a duplicate of one of the
    /// last five batches, an old epoch (`INVALID_PRODUCER_EPOCH`) or a sequence
    /// gap (`OUT_OF_ORDER_SEQUENCE_NUMBER`). A producer the partition does not
    /// know may start at any sequence, as in Kafka after KIP-360.
    pub fn check(&self, p: &ProducerBatch) -> Result<Check, KafkaError> {
        let Some(entry) = self.producers.get(&p.producer_id) else {
            return Ok(Check::Append);
        };
        if p.epoch == entry.epoch {
            if let Some(dup) = entry
                .batches
                .iter()
                .find(|b| b.first_seq == p.first_seq && b.last_seq == p.last_seq)
            {
                return Ok(Check::Duplicate(*dup));
            }
        }
        if p.epoch < entry.epoch {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        if p.epoch != entry.epoch {
            // A bumped epoch must start again at sequence 0.
            return if p.first_seq == 0 {
                Ok(Check::Append)
            } else {
                Err(KafkaError::OutOfOrderSequenceNumber)
            };
        }
        match entry.batches.back() {
            Some(last) if !in_sequence(last.last_seq, p.first_seq) => Err(KafkaError::OutOfOrderSequenceNumber),
            _ => Ok(Check::Append),
        }
    }

    /// Records a batch written to the log (by the leader or a follower).
    pub fn record(&mut self, p: ProducerBatch, first_offset: i64, last_offset: i64) {
        let entry = self.producers.entry(p.producer_id).or_default();
        if entry.epoch != p.epoch {
            entry.batches.clear();
            entry.epoch = p.epoch;
        }
        entry.batches.push_back(BatchMetadata {
            first_seq: p.first_seq,
            last_seq: p.last_seq,
            first_offset,
            last_offset,
        });
        while entry.batches.len() > NUM_BATCHES_TO_RETAIN {
            entry.batches.pop_front();
        }
    }

    /// Records every idempotent batch of `bytes` (a follower's fetched data).
    pub fn record_all(&mut self, bytes: &[u8]) {
        for (_, b) in kafkaplay_log::BatchIter::new(bytes, usize::MAX, false).map_while(Result::ok) {
            if let Some(p) = ProducerBatch::of(&b) {
                self.record(p, b.base_offset(), b.last_offset());
            }
        }
    }

    /// Number of producers known.
    pub fn len(&self) -> usize {
        self.producers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.producers.is_empty()
    }
}

/// `ProducerStateEntry.inSequence`: the next sequence, wrapping at `i32::MAX`.
fn in_sequence(last_seq: i32, next_seq: i32) -> bool {
    next_seq as i64 == last_seq as i64 + 1 || (next_seq == 0 && last_seq == i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pb(epoch: i16, first: i32, last: i32) -> ProducerBatch {
        ProducerBatch {
            producer_id: 7,
            epoch,
            first_seq: first,
            last_seq: last,
        }
    }

    #[test]
    fn duplicate_of_one_of_the_last_five_batches_returns_its_offsets() {
        let mut t = ProducerStateTable::default();
        for i in 0..6 {
            assert_eq!(t.check(&pb(0, i * 2, i * 2 + 1)), Ok(Check::Append));
            t.record(pb(0, i * 2, i * 2 + 1), 100 + i as i64 * 2, 101 + i as i64 * 2);
        }
        let dup = t.check(&pb(0, 4, 5)).unwrap();
        assert_eq!(
            dup,
            Check::Duplicate(BatchMetadata {
                first_seq: 4,
                last_seq: 5,
                first_offset: 104,
                last_offset: 105
            })
        );
        // The first batch fell out of the window of five: Kafka calls it out of order.
        assert_eq!(t.check(&pb(0, 0, 1)), Err(KafkaError::OutOfOrderSequenceNumber));
    }

    #[test]
    fn sequence_gaps_and_old_epochs_are_refused() {
        let mut t = ProducerStateTable::default();
        t.record(pb(1, 0, 0), 0, 0);
        assert_eq!(t.check(&pb(1, 2, 2)), Err(KafkaError::OutOfOrderSequenceNumber));
        assert_eq!(t.check(&pb(0, 1, 1)), Err(KafkaError::InvalidProducerEpoch));
        assert_eq!(t.check(&pb(2, 5, 5)), Err(KafkaError::OutOfOrderSequenceNumber));
        assert_eq!(t.check(&pb(2, 0, 0)), Ok(Check::Append));
        assert_eq!(t.check(&pb(1, 1, 3)), Ok(Check::Append));
        assert!(in_sequence(i32::MAX, 0));
    }
}
