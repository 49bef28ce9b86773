//! One log segment: a run of batches starting at `base_offset`, with its offset
//! and time indexes (`LogSegment`). The bytes are the `.log` file's bytes.

use crate::batch::{BatchIter, BatchRef, NO_TIMESTAMP};
use crate::config::LogConfig;
use crate::error::DecodeError;
use crate::index::{OffsetIndex, TimeIndex, TimestampOffset};

/// What `LogSegment.recover` found: the valid prefix and what was cut off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRecovery {
    pub valid_bytes: u32,
    pub truncated_bytes: u32,
    /// Why the tail was cut, if it was.
    pub error: Option<DecodeError>,
}

#[derive(Debug, Clone)]
pub struct Segment {
    base_offset: i64,
    data: Vec<u8>,
    offset_index: OffsetIndex,
    time_index: TimeIndex,
    index_interval_bytes: u32,
    bytes_since_last_index_entry: u32,
    max_timestamp_so_far: i64,
    offset_of_max_timestamp_so_far: i64,
    /// Max timestamp of the first batch: what `segment.ms` is measured from.
    rolling_based_timestamp: Option<i64>,
    created_ms: i64,
    /// Offset after the last batch, or `base_offset` when empty.
    next_offset: i64,
}

impl Segment {
    pub fn new(base_offset: i64, config: &LogConfig, now_ms: i64) -> Self {
        Segment {
            base_offset,
            data: Vec::new(),
            offset_index: OffsetIndex::new(base_offset, config.max_offset_index_entries()),
            time_index: TimeIndex::new(base_offset, config.max_time_index_entries()),
            index_interval_bytes: config.index_interval_bytes,
            bytes_since_last_index_entry: 0,
            max_timestamp_so_far: NO_TIMESTAMP,
            offset_of_max_timestamp_so_far: -1,
            rolling_based_timestamp: None,
            created_ms: now_ms,
            next_offset: base_offset,
        }
    }

    /// Rebuilds a segment from stored bytes (`LogSegment.recover`): every batch is
    /// parsed and CRC-checked and the indexes are rebuilt; the first bad batch and
    /// everything after it are cut off. `max_batch_size` bounds one batch.
    pub fn recover(
        base_offset: i64,
        mut bytes: Vec<u8>,
        config: &LogConfig,
        max_batch_size: usize,
        now_ms: i64,
    ) -> (Segment, SegmentRecovery) {
        let mut seg = Segment::new(base_offset, config, now_ms);
        let mut last_index_entry = 0u32;
        let mut error = None;
        let mut iter = BatchIter::new(&bytes, max_batch_size, true);
        for item in iter.by_ref() {
            match item {
                Ok((pos, batch)) => {
                    if let Err(e) = seg.check_batch_offsets(&batch) {
                        error = Some(e);
                        break;
                    }
                    let pos = pos as u32;
                    if batch.max_timestamp() > seg.max_timestamp_so_far {
                        seg.max_timestamp_so_far = batch.max_timestamp();
                        seg.offset_of_max_timestamp_so_far = batch.last_offset();
                    }
                    if pos - last_index_entry > seg.index_interval_bytes {
                        seg.offset_index.append(batch.last_offset(), pos);
                        seg.time_index.maybe_append(
                            seg.max_timestamp_so_far,
                            seg.offset_of_max_timestamp_so_far,
                            false,
                        );
                        last_index_entry = pos;
                    }
                    if pos == 0 {
                        seg.rolling_based_timestamp = Some(batch.max_timestamp());
                    }
                    seg.next_offset = batch.next_offset();
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        // An offset error stops the loop after `position()` has moved past the batch.
        let valid = match &error {
            Some(DecodeError::InvalidRecord(_)) => last_good_end(&bytes, max_batch_size, seg.next_offset),
            _ => iter.position(),
        };
        let truncated = bytes.len() - valid;
        bytes.truncate(valid);
        // As in Kafka, a loaded segment starts counting index bytes afresh.
        seg.bytes_since_last_index_entry = 0;
        seg.data = bytes;
        seg.on_become_inactive(); // recover() ends with the same skip-full-check time index entry
        (
            seg,
            SegmentRecovery {
                valid_bytes: valid as u32,
                truncated_bytes: truncated as u32,
                error,
            },
        )
    }

    /// Offsets inside one segment must ascend and stay within `i32` of the base.
    fn check_batch_offsets(&self, batch: &BatchRef<'_>) -> Result<(), DecodeError> {
        if batch.base_offset() < self.next_offset || batch.last_offset() < batch.base_offset() {
            return Err(DecodeError::InvalidRecord(format!(
                "Found batch with offsets {}..{} out of order after offset {} in segment {}",
                batch.base_offset(),
                batch.last_offset(),
                self.next_offset - 1,
                self.base_offset
            )));
        }
        if !self.can_convert_to_relative_offset(batch.last_offset()) {
            return Err(DecodeError::InvalidRecord(format!(
                "Found batch with last offset {} out of range for segment {}",
                batch.last_offset(),
                self.base_offset
            )));
        }
        Ok(())
    }

    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }
    pub fn next_offset(&self) -> i64 {
        self.next_offset
    }
    pub fn size(&self) -> u32 {
        self.data.len() as u32
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    pub fn offset_index(&self) -> &OffsetIndex {
        &self.offset_index
    }
    pub fn time_index(&self) -> &TimeIndex {
        &self.time_index
    }
    /// Largest timestamp in the segment (`LogSegment.largestTimestamp`), or -1.
    pub fn max_timestamp(&self) -> i64 {
        self.max_timestamp_so_far
    }
    /// What retention measures: the largest timestamp, or the segment's creation
    /// time when it holds no timestamp (`LogSegment.largestTimestamp` falls back to
    /// the file's last-modified time).
    pub fn largest_timestamp(&self) -> i64 {
        if self.max_timestamp_so_far >= 0 {
            self.max_timestamp_so_far
        } else {
            self.created_ms
        }
    }

    pub fn can_convert_to_relative_offset(&self, offset: i64) -> bool {
        let rel = offset - self.base_offset;
        (0..=i32::MAX as i64).contains(&rel)
    }

    /// `LogSegment.shouldRoll` for an append of `size` bytes whose largest offset
    /// and timestamp are given. `segment.jitter.ms` is 0.
    pub fn should_roll(&self, config: &LogConfig, size: u32, max_timestamp: i64, max_offset: i64, now_ms: i64) -> bool {
        let waited = match self.rolling_based_timestamp {
            Some(ts) if ts >= 0 => max_timestamp - ts,
            _ => now_ms - self.created_ms,
        };
        let reached_roll_ms = waited > config.segment_ms;
        (self.size() as u64 + size as u64 > config.segment_bytes as u64)
            || (self.size() > 0 && reached_roll_ms)
            || self.offset_index.is_full()
            || self.time_index.is_full()
            || !self.can_convert_to_relative_offset(max_offset)
    }

    /// Appends already-validated batches (`LogSegment.append`): one index entry at
    /// most, for the append's largest offset at the append's start position, once
    /// more than `index.interval.bytes` were appended since the last entry.
    pub fn append(&mut self, bytes: &[u8], largest_offset: i64, largest_timestamp: i64, offset_of_max_timestamp: i64) {
        if bytes.is_empty() {
            return;
        }
        let position = self.data.len() as u32;
        if position == 0 {
            self.rolling_based_timestamp = Some(largest_timestamp);
        }
        self.data.extend_from_slice(bytes);
        if largest_timestamp > self.max_timestamp_so_far {
            self.max_timestamp_so_far = largest_timestamp;
            self.offset_of_max_timestamp_so_far = offset_of_max_timestamp;
        }
        if self.bytes_since_last_index_entry > self.index_interval_bytes {
            self.offset_index.append(largest_offset, position);
            self.time_index
                .maybe_append(self.max_timestamp_so_far, self.offset_of_max_timestamp_so_far, false);
            self.bytes_since_last_index_entry = 0;
        }
        self.bytes_since_last_index_entry += bytes.len() as u32;
        self.next_offset = largest_offset + 1;
    }

    /// `onBecomeInactiveSegment`: the last time index entry, written on roll.
    pub fn on_become_inactive(&mut self) {
        if self.max_timestamp_so_far >= 0 {
            self.time_index
                .maybe_append(self.max_timestamp_so_far, self.offset_of_max_timestamp_so_far, true);
        }
    }

    /// Batches from the start of the segment, positions included. The bytes were
    /// validated on append or recovery; a failure here would be a bug.
    pub fn batches_from(&self, position: u32) -> impl Iterator<Item = (u32, BatchRef<'_>)> {
        BatchIter::new(&self.data[position as usize..], usize::MAX, false)
            .map_while(Result::ok)
            .map(move |(p, b)| (p as u32 + position, b))
    }

    /// Position of the first batch whose last offset is ≥ `offset`
    /// (`LogSegment.translateOffset`), via the offset index.
    pub fn translate_offset(&self, offset: i64) -> Option<(u32, BatchRef<'_>)> {
        // Every batch ends before `next_offset`: at or past it (a caught-up
        // follower's fetch, a held fetch's check) there is nothing to scan.
        if offset >= self.next_offset {
            return None;
        }
        let start = self.offset_index.lookup(offset).position;
        self.batches_from(start).find(|(_, b)| b.last_offset() >= offset)
    }

    /// First record at or after `timestamp` with offset ≥ `start_offset`:
    /// `LogSegment.findOffsetByTimestamp`.
    pub fn find_offset_by_timestamp(&self, timestamp: i64, start_offset: i64) -> Option<TimestampOffset> {
        let from = self.time_index.lookup(timestamp);
        let position = self.offset_index.lookup(from.offset.max(start_offset)).position;
        for (_, batch) in self.batches_from(position) {
            if batch.max_timestamp() >= timestamp && batch.last_offset() >= start_offset {
                let records = batch.records().ok()?;
                return records
                    .into_iter()
                    .find(|r| r.timestamp >= timestamp && r.offset >= start_offset)
                    .map(|r| TimestampOffset {
                        timestamp: r.timestamp,
                        offset: r.offset,
                    });
            }
        }
        None
    }

    /// Cuts the segment before the batch holding `offset` (`LogSegment.truncateTo`).
    /// Returns the number of bytes removed.
    pub fn truncate_to(&mut self, offset: i64, now_ms: i64) -> u32 {
        let Some((position, _)) = self.translate_offset(offset) else {
            return 0;
        };
        let removed = self.size() - position;
        self.data.truncate(position as usize);
        self.offset_index.truncate_to(offset);
        self.time_index.truncate_to(offset);
        // The batch-level maxima must be recomputed from what is left.
        self.max_timestamp_so_far = NO_TIMESTAMP;
        self.offset_of_max_timestamp_so_far = -1;
        let mut next = self.base_offset;
        let mut first = None;
        for (_, b) in BatchIter::new(&self.data, usize::MAX, false).map_while(Result::ok) {
            first.get_or_insert(b.max_timestamp());
            if b.max_timestamp() > self.max_timestamp_so_far {
                self.max_timestamp_so_far = b.max_timestamp();
                self.offset_of_max_timestamp_so_far = b.last_offset();
            }
            next = b.next_offset();
        }
        self.next_offset = next;
        self.bytes_since_last_index_entry = 0;
        if self.data.is_empty() {
            self.created_ms = now_ms;
            self.rolling_based_timestamp = None;
        } else {
            self.rolling_based_timestamp = first;
        }
        removed
    }
}

/// End of the last batch whose offsets end before `next_offset` (used when a
/// recovery stops on an offset error after the iterator already moved on).
fn last_good_end(bytes: &[u8], max_batch_size: usize, next_offset: i64) -> usize {
    BatchIter::new(bytes, max_batch_size, false)
        .map_while(Result::ok)
        .take_while(|(_, b)| b.next_offset() <= next_offset)
        .last()
        .map_or(0, |(p, b)| p + b.size())
}
