//! A partition's log (`UnifiedLog` + `LocalLog`): segments, offsets, the leader
//! epoch cache, reads, time lookups, truncation, retention.

use crate::batch::{self, BatchIter, BatchRef, TimestampType, RECORD_BATCH_OVERHEAD};
use crate::config::LogConfig;
use crate::error::{DecodeError, LogError};
use crate::index::TimestampOffset;
use crate::segment::Segment;
use crate::storage::{SegmentStore, StorageError, StoredSegment};

/// What an append wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendInfo {
    pub first_offset: i64,
    pub last_offset: i64,
    /// The largest record timestamp (the append time under LogAppendTime).
    pub max_timestamp: i64,
    /// Set when the topic uses `message.timestamp.type=LogAppendTime`.
    pub log_append_time: Option<i64>,
    pub record_count: u32,
    pub bytes: u32,
    /// True when this append rolled a new segment first.
    pub rolled: bool,
}

/// Whole batches read from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchData {
    /// Back-to-back v2 batches, exactly as stored.
    pub bytes: Vec<u8>,
    /// Offset after the last batch returned (the next offset to ask for), or the
    /// requested offset when nothing was returned.
    pub next_offset: i64,
}

impl FetchData {
    /// The fetched batches, each CRC-checked as a consumer with `check.crcs=true`
    /// (the default) checks them; iteration stops after the first bad one.
    pub fn batches(&self) -> impl Iterator<Item = Result<BatchRef<'_>, DecodeError>> {
        BatchIter::new(&self.bytes, usize::MAX, true).map(|item| item.map(|(_, b)| b))
    }
}

/// What [`PartitionLog::recover`] found and cut off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    pub segments_loaded: u32,
    pub batches_loaded: u64,
    /// Bytes cut off the segment where corruption was found, plus all bytes of the
    /// segments after it.
    pub truncated_bytes: u64,
    /// The offsets that were stored but did not survive: `[from, to)`; empty when
    /// nothing was lost.
    pub truncated_offsets: Option<(i64, i64)>,
    /// Segments removed because an earlier segment was corrupt.
    pub deleted_segments: Vec<i64>,
    /// The first problem found, in Kafka's words.
    pub error: Option<String>,
}

/// What retention deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub deleted_segments: Vec<i64>,
    pub deleted_bytes: u64,
    /// Which rule deleted them: `retention.ms`, `retention.bytes` or `log start offset`.
    pub reasons: Vec<&'static str>,
    pub log_start_offset: i64,
}

/// One entry of the leader epoch cache (`leader-epoch-checkpoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochEntry {
    pub epoch: i32,
    pub start_offset: i64,
}

/// Summary of one segment for views and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    pub base_offset: i64,
    pub next_offset: i64,
    pub size: u32,
    pub max_timestamp: i64,
    pub offset_index_entries: u32,
    pub time_index_entries: u32,
}

/// A Kafka partition log over a [`SegmentStore`].
///
/// Not included (said here so nobody looks for it): compression codecs other
/// than `none`, transactions' producer state and `.txnindex`, tiered storage,
/// `segment.jitter.ms` (always 0), DeleteRecords.
#[derive(Debug)]
pub struct PartitionLog<S: SegmentStore> {
    /// `topic-partition`, for error messages.
    name: String,
    config: LogConfig,
    /// Ascending by base offset; never empty; the last is the active segment.
    segments: Vec<Segment>,
    log_start_offset: i64,
    high_watermark: i64,
    leader_epochs: Vec<EpochEntry>,
    /// The cleaner's checkpoint: offsets below it have been compacted.
    pub(crate) first_dirty_offset: i64,
    pub(crate) store: S,
}

impl<S: SegmentStore> PartitionLog<S> {
    /// A new, empty log whose first segment starts at offset 0.
    pub fn create(name: impl Into<String>, mut store: S, config: LogConfig, now_ms: i64) -> Result<Self, LogError> {
        config.validate()?;
        store.create(0).map_err(storage)?;
        Ok(PartitionLog {
            name: name.into(),
            segments: vec![Segment::new(0, &config, now_ms)],
            config,
            log_start_offset: 0,
            high_watermark: 0,
            leader_epochs: Vec::new(),
            first_dirty_offset: 0,
            store,
        })
    }

    /// Rebuilds a log from stored segments, as Kafka's log recovery does: every
    /// batch is size- and CRC-checked and the indexes are rebuilt; at the first bad
    /// batch that segment is truncated and every later segment deleted, in memory
    /// and in the store. The high watermark starts at the log start offset; the
    /// caller restores its checkpoint with [`PartitionLog::update_high_watermark`].
    pub fn recover(
        name: &str,
        mut stored: Vec<StoredSegment>,
        mut store: S,
        config: LogConfig,
        now_ms: i64,
    ) -> Result<(Self, RecoveryReport), LogError> {
        config.validate()?;
        stored.sort_by_key(|s| s.base_offset);
        let max_batch = config.max_message_bytes.max(config.segment_bytes) as usize + RECORD_BATCH_OVERHEAD;
        let mut report = RecoveryReport::default();
        let mut segments: Vec<Segment> = Vec::new();
        let mut lost_from: Option<i64> = None;
        let mut lost_to = 0i64;
        for s in stored {
            if lost_from.is_some() {
                lost_to = lost_to.max(last_offset_in(&s.bytes).map_or(s.base_offset, |o| o + 1));
                report.truncated_bytes += s.bytes.len() as u64;
                report.deleted_segments.push(s.base_offset);
                store.delete(s.base_offset).map_err(storage)?;
                continue;
            }
            if let Some(prev) = segments.last() {
                if s.base_offset < prev.next_offset() {
                    report.error = Some(format!(
                        "Segment {:020}.log starts at offset {} inside the previous segment, which ends at {}",
                        s.base_offset,
                        s.base_offset,
                        prev.next_offset()
                    ));
                    lost_from = Some(prev.next_offset());
                    lost_to = last_offset_in(&s.bytes).map_or(s.base_offset, |o| o + 1);
                    report.truncated_bytes += s.bytes.len() as u64;
                    report.deleted_segments.push(s.base_offset);
                    store.delete(s.base_offset).map_err(storage)?;
                    continue;
                }
            }
            let stored_len = s.bytes.len();
            let stored_last = last_offset_in(&s.bytes);
            let (seg, rec) = Segment::recover(s.base_offset, s.bytes, &config, max_batch, now_ms);
            report.segments_loaded += 1;
            report.batches_loaded += seg.batches_from(0).count() as u64;
            if rec.truncated_bytes > 0 {
                store.truncate(s.base_offset, rec.valid_bytes).map_err(storage)?;
                report.truncated_bytes += rec.truncated_bytes as u64;
                report.error = rec.error.as_ref().map(|e| {
                    format!(
                        "Found invalid messages in log segment {:020}.log at byte offset {}: {e}",
                        s.base_offset, rec.valid_bytes
                    )
                });
                lost_from = Some(seg.next_offset());
                // What the cut tail claimed to hold, as far as its headers can be read.
                lost_to = stored_last.map_or(seg.next_offset(), |o| o + 1).max(seg.next_offset());
                debug_assert!(stored_len as u32 > rec.valid_bytes);
            }
            segments.push(seg);
        }
        if let Some(from) = lost_from {
            report.truncated_offsets = (lost_to > from).then_some((from, lost_to));
        }
        if segments.is_empty() {
            store.create(0).map_err(storage)?;
            segments.push(Segment::new(0, &config, now_ms));
        }
        if lost_from.is_some() {
            store.flush().map_err(storage)?;
        }
        let log_start_offset = segments[0].base_offset();
        let mut log = PartitionLog {
            name: name.to_string(),
            config,
            segments,
            log_start_offset,
            high_watermark: log_start_offset,
            leader_epochs: Vec::new(),
            first_dirty_offset: log_start_offset,
            store,
        };
        // Kafka reloads leader-epoch-checkpoint and re-assigns epochs while
        // recovering; the batches themselves carry the same information.
        let mut epochs = Vec::new();
        for (_, b) in log.batches() {
            let e = b.partition_leader_epoch();
            if e >= 0 && epochs.last().is_none_or(|l: &EpochEntry| e > l.epoch) {
                epochs.push(EpochEntry {
                    epoch: e,
                    start_offset: b.base_offset(),
                });
            }
        }
        log.leader_epochs = epochs;
        Ok((log, report))
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn config(&self) -> &LogConfig {
        &self.config
    }
    /// Changes the config (`kafka-configs --alter`); takes effect on the next append,
    /// roll, retention or cleaning pass, as in Kafka.
    pub fn set_config(&mut self, config: LogConfig) -> Result<(), LogError> {
        config.validate()?;
        self.config = config;
        Ok(())
    }
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }
    /// The offset the next record will get (LEO).
    pub fn log_end_offset(&self) -> i64 {
        self.active().next_offset()
    }
    pub fn high_watermark(&self) -> i64 {
        self.high_watermark
    }
    /// Sets the high watermark, clamped to `[log start offset, log end offset]`.
    pub fn update_high_watermark(&mut self, offset: i64) -> i64 {
        self.high_watermark = offset.clamp(self.log_start_offset, self.log_end_offset());
        self.high_watermark
    }
    /// Total bytes of all segments.
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size() as u64).sum()
    }
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
    pub fn segment_infos(&self) -> Vec<SegmentInfo> {
        self.segments
            .iter()
            .map(|s| SegmentInfo {
                base_offset: s.base_offset(),
                next_offset: s.next_offset(),
                size: s.size(),
                max_timestamp: s.max_timestamp(),
                offset_index_entries: s.offset_index().len() as u32,
                time_index_entries: s.time_index().len() as u32,
            })
            .collect()
    }
    pub fn leader_epochs(&self) -> &[EpochEntry] {
        &self.leader_epochs
    }
    pub fn latest_epoch(&self) -> Option<i32> {
        self.leader_epochs.last().map(|e| e.epoch)
    }
    pub fn store(&self) -> &S {
        &self.store
    }
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }
    pub fn into_store(self) -> S {
        self.store
    }
    /// Makes everything appended so far durable.
    pub fn flush(&mut self) -> Result<(), LogError> {
        self.store.flush().map_err(storage)
    }

    fn active(&self) -> &Segment {
        self.segments.last().expect("a log always has a segment")
    }

    /// Every batch in the log with the base offset of its segment.
    pub fn batches(&self) -> impl Iterator<Item = (i64, BatchRef<'_>)> {
        self.segments
            .iter()
            .flat_map(|s| s.batches_from(0).map(move |(_, b)| (s.base_offset(), b)))
    }

    /// Appends a producer's batch as the partition leader (`UnifiedLog.appendAsLeader`
    /// with `LogValidator`): the batch is checked, gets offsets from the log end
    /// offset and the leader's epoch, and under LogAppendTime the broker's time.
    pub fn append_as_leader(&mut self, batch: &[u8], leader_epoch: i32, now_ms: i64) -> Result<AppendInfo, LogError> {
        let tp = &self.name;
        if batch.is_empty() {
            return Err(LogError::InvalidRecord(
                "Record batch has no batches at all".to_string(),
            ));
        }
        let b = BatchRef::parse(batch, usize::MAX).map_err(|e| corrupt_on_append(e, tp))?;
        if b.size() != batch.len() {
            return Err(LogError::InvalidRecord(
                "Compressed outer record has more than one batch".to_string(),
            ));
        }
        if b.base_offset() != 0 {
            return Err(LogError::InvalidRecord(format!(
                "The baseOffset of the record batch in the append to {tp} should be 0, but it is {}",
                b.base_offset()
            )));
        }
        if b.size() as u64 > self.config.max_message_bytes as u64 {
            return Err(LogError::RecordTooLarge {
                partition: tp.clone(),
                size: b.size() as u32,
                max: self.config.max_message_bytes,
            });
        }
        if let Err(DecodeError::CrcMismatch { stored, .. }) = b.validate() {
            return Err(LogError::CorruptRecord(format!(
                "Record is corrupt (stored crc = {stored}) in topic partition {tp}."
            )));
        }
        if b.is_control() {
            return Err(LogError::InvalidRecord(format!(
                "Clients are not allowed to write control records in topic partition {tp}"
            )));
        }
        let records = b
            .records()
            .map_err(|e| LogError::InvalidRecord(format!("{e} in topic partition {tp}")))?;
        let count = b.records_count();
        if b.last_offset_delta() < 0 {
            return Err(LogError::InvalidRecord(format!(
                "Batch has an invalid offset range: [{}, {}] in topic partition {tp}",
                b.base_offset(),
                b.last_offset()
            )));
        }
        if count == 0
            || b.last_offset_delta() != count - 1
            || records.iter().enumerate().any(|(i, r)| r.offset != i as i64)
        {
            return Err(LogError::InvalidRecord(format!(
                "Inconsistent batch offset range [{}, {}] and count of records {count} in topic partition {tp}",
                b.base_offset(),
                b.last_offset()
            )));
        }
        if self.config.cleanup_policy.compact && records.iter().any(|r| r.key.is_none()) {
            return Err(LogError::InvalidRecord(format!(
                "Compacted topic cannot accept message without key in topic partition {tp}."
            )));
        }
        if b.timestamp_type() == TimestampType::LogAppendTime {
            return Err(LogError::InvalidRecord(format!(
                "Invalid timestamp type in message {}. Producer should not set timestamp type to LogAppendTime.",
                b.base_offset()
            )));
        }
        if b.size() as u64 > self.config.segment_bytes as u64 {
            return Err(LogError::RecordBatchTooLarge(format!(
                "Message batch size is {} bytes in append to partition {tp}, which exceeds the maximum configured segment size of {}.",
                b.size(),
                self.config.segment_bytes
            )));
        }

        let first_offset = self.log_end_offset();
        let mut bytes = batch.to_vec();
        batch::set_base_offset(&mut bytes, first_offset);
        batch::set_partition_leader_epoch(&mut bytes, leader_epoch);
        let log_append_time = (self.config.message_timestamp_type == TimestampType::LogAppendTime).then_some(now_ms);
        if let Some(t) = log_append_time {
            batch::set_log_append_time(&mut bytes, t);
        }
        let b = BatchRef::parse(&bytes, usize::MAX).expect("rewritten batch parses");
        let (last_offset, max_timestamp) = (b.last_offset(), b.max_timestamp());
        let rolled = self.append_to_segments(&bytes, first_offset, last_offset, max_timestamp, last_offset, now_ms)?;
        self.assign_epoch(leader_epoch, first_offset);
        Ok(AppendInfo {
            first_offset,
            last_offset,
            max_timestamp,
            log_append_time,
            record_count: count as u32,
            bytes: bytes.len() as u32,
            rolled,
        })
    }

    /// Appends batches fetched from the leader (`UnifiedLog.appendAsFollower`):
    /// offsets are kept; they must continue this log; CRCs are checked.
    pub fn append_as_follower(&mut self, bytes: &[u8], now_ms: i64) -> Result<AppendInfo, LogError> {
        let leo = self.log_end_offset();
        let mut first_offset = None;
        let mut last_offset = leo - 1;
        let mut max_timestamp = batch::NO_TIMESTAMP;
        let mut offset_of_max = -1;
        let mut records = 0u32;
        let mut epochs = Vec::new();
        for item in BatchIter::new(bytes, usize::MAX, true) {
            let (_, b) = item?;
            if first_offset.is_none() && b.base_offset() < leo {
                return Err(LogError::UnexpectedAppendOffset {
                    partition: self.name.clone(),
                    first_offset: b.base_offset(),
                    log_end_offset: leo,
                });
            }
            if b.base_offset() <= last_offset || b.last_offset() < b.base_offset() {
                return Err(LogError::InvalidRecord(format!(
                    "Out of order offsets found in append to {}: {}",
                    self.name,
                    b.base_offset()
                )));
            }
            b.records()?; // every record must decode
            first_offset.get_or_insert(b.base_offset());
            last_offset = b.last_offset();
            records += b.records_count() as u32;
            if b.max_timestamp() > max_timestamp {
                max_timestamp = b.max_timestamp();
                offset_of_max = b.last_offset();
            }
            epochs.push((b.partition_leader_epoch(), b.base_offset()));
        }
        let Some(first_offset) = first_offset else {
            return Ok(AppendInfo {
                first_offset: leo,
                last_offset: leo - 1,
                max_timestamp,
                log_append_time: None,
                record_count: 0,
                bytes: 0,
                rolled: false,
            });
        };
        let rolled = self.append_to_segments(bytes, first_offset, last_offset, max_timestamp, offset_of_max, now_ms)?;
        for (epoch, start) in epochs {
            self.assign_epoch(epoch, start);
        }
        Ok(AppendInfo {
            first_offset,
            last_offset,
            max_timestamp,
            log_append_time: None,
            record_count: records,
            bytes: bytes.len() as u32,
            rolled,
        })
    }

    /// Rolls if needed (`maybeRoll`), then appends to the active segment, the store
    /// first so that a storage failure leaves memory unchanged.
    fn append_to_segments(
        &mut self,
        bytes: &[u8],
        first_offset: i64,
        last_offset: i64,
        max_timestamp: i64,
        offset_of_max: i64,
        now_ms: i64,
    ) -> Result<bool, LogError> {
        let roll = self
            .active()
            .should_roll(&self.config, bytes.len() as u32, max_timestamp, last_offset, now_ms);
        if roll {
            self.roll(first_offset.max(self.log_end_offset()), now_ms)?;
        }
        let base = self.active().base_offset();
        self.store.append(base, bytes).map_err(storage)?;
        let active = self.segments.last_mut().expect("active segment");
        active.append(bytes, last_offset, max_timestamp, offset_of_max);
        Ok(roll)
    }

    /// Starts a new active segment at `base_offset` (`LocalLog.roll`).
    pub fn roll(&mut self, base_offset: i64, now_ms: i64) -> Result<(), LogError> {
        if self.active().is_empty() && self.active().base_offset() == base_offset {
            return Ok(()); // KAFKA-6388: the empty active segment already starts there
        }
        if self.active().is_empty() {
            // An empty active segment at a lower offset is replaced.
            let old = self.active().base_offset();
            self.store.delete(old).map_err(storage)?;
            self.store.create(base_offset).map_err(storage)?;
            self.segments.pop();
        } else {
            self.store.create(base_offset).map_err(storage)?;
            self.segments.last_mut().expect("active").on_become_inactive();
        }
        self.segments.push(Segment::new(base_offset, &self.config, now_ms));
        Ok(())
    }

    /// Records that `epoch` starts at `start_offset` (`LeaderEpochFileCache.assign`),
    /// as a new leader does when it takes over, before its first append. Ignored
    /// unless `epoch` is newer than the latest known.
    pub fn assign_leader_epoch(&mut self, epoch: i32, start_offset: i64) {
        self.assign_epoch(epoch, start_offset);
    }

    fn assign_epoch(&mut self, epoch: i32, start_offset: i64) {
        if epoch >= 0 && self.leader_epochs.last().is_none_or(|l| epoch > l.epoch) {
            self.leader_epochs.push(EpochEntry { epoch, start_offset });
        }
    }

    /// `LeaderEpochFileCache.endOffsetFor`: the largest epoch ≤ `epoch` this log knows
    /// and the offset where it ended (the next epoch's start, or the LEO for the
    /// latest). `(-1, -1)` when `epoch` is older than anything known.
    pub fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        match self.leader_epochs.last() {
            Some(last) if last.epoch == epoch => return (epoch, self.log_end_offset()),
            None => return (-1, -1),
            _ => {}
        }
        let higher = self.leader_epochs.partition_point(|e| e.epoch <= epoch);
        if higher == 0 {
            return (-1, -1);
        }
        let found = self.leader_epochs[higher - 1].epoch;
        match self.leader_epochs.get(higher) {
            Some(next) => (found, next.start_offset),
            None => (found, self.log_end_offset()),
        }
    }

    /// Reads whole batches starting with the one that holds `start_offset`, from one
    /// segment (as `LocalLog.read` does), up to `max_bytes` but always at least one
    /// batch, and only batches that end below `max_offset` (the high watermark for a
    /// consumer, the LEO for a follower).
    pub fn read(&self, start_offset: i64, max_bytes: u32, max_offset: i64) -> Result<FetchData, LogError> {
        let leo = self.log_end_offset();
        if start_offset < self.log_start_offset || start_offset > leo {
            return Err(LogError::OffsetOutOfRange {
                partition: self.name.clone(),
                offset: start_offset,
                log_start_offset: self.log_start_offset,
                log_end_offset: leo,
            });
        }
        let first = self
            .segments
            .partition_point(|s| s.base_offset() <= start_offset)
            .saturating_sub(1);
        for seg in &self.segments[first..] {
            let Some((position, _)) = seg.translate_offset(start_offset) else {
                continue;
            };
            let mut out = Vec::new();
            let mut next = start_offset;
            for (_, b) in seg.batches_from(position) {
                if b.last_offset() >= max_offset {
                    break;
                }
                if !out.is_empty() && out.len() + b.size() > max_bytes as usize {
                    break;
                }
                out.extend_from_slice(b.bytes());
                next = b.next_offset();
            }
            return Ok(FetchData {
                bytes: out,
                next_offset: next,
            });
        }
        Ok(FetchData {
            bytes: Vec::new(),
            next_offset: start_offset,
        })
    }

    /// The first record whose timestamp is ≥ `timestamp` (ListOffsets with a time):
    /// its timestamp and offset, or `None` when every record is older.
    pub fn offset_for_timestamp(&self, timestamp: i64) -> Option<TimestampOffset> {
        self.segments
            .iter()
            .find(|s| s.largest_timestamp() >= timestamp && !s.is_empty())
            .and_then(|s| s.find_offset_by_timestamp(timestamp, self.log_start_offset))
    }

    /// ListOffsets `-3` (KIP-734): the first record carrying the largest timestamp.
    pub fn max_timestamp_offset(&self) -> Option<TimestampOffset> {
        let mut best: Option<&Segment> = None;
        for s in &self.segments {
            if s.max_timestamp() >= 0 && best.is_none_or(|b| s.max_timestamp() > b.max_timestamp()) {
                best = Some(s);
            }
        }
        let seg = best?;
        let max = seg.max_timestamp();
        seg.batches_from(0)
            .find(|(_, b)| b.max_timestamp() == max)
            .and_then(|(_, b)| {
                b.records()
                    .ok()?
                    .into_iter()
                    .find(|r| r.timestamp == max)
                    .map(|r| TimestampOffset {
                        timestamp: max,
                        offset: r.offset,
                    })
            })
    }

    /// Removes every record at or above `target_offset` (`UnifiedLog.truncateTo`): a
    /// follower does this to match its new leader. A target inside a batch removes
    /// the whole batch. Returns whether anything was removed.
    pub fn truncate_to(&mut self, target_offset: i64, now_ms: i64) -> Result<bool, LogError> {
        if target_offset < 0 {
            return Err(LogError::InvalidRecord(format!(
                "Cannot truncate partition {} to a negative offset ({target_offset}).",
                self.name
            )));
        }
        if target_offset >= self.log_end_offset() {
            self.truncate_epochs_from_end(self.log_end_offset());
            return Ok(false);
        }
        if self.segments[0].base_offset() > target_offset {
            self.truncate_fully_and_start_at(target_offset, now_ms)?;
            return Ok(true);
        }
        // Segments wholly above the target go; the one holding it is cut.
        while self.segments.len() > 1 && self.active().base_offset() > target_offset {
            let base = self.active().base_offset();
            self.store.delete(base).map_err(storage)?;
            self.segments.pop();
        }
        let keep = self.active().translate_offset(target_offset).map(|(p, _)| p);
        if let Some(position) = keep {
            let base = self.active().base_offset();
            self.store.truncate(base, position).map_err(storage)?;
            self.segments
                .last_mut()
                .expect("active")
                .truncate_to(target_offset, now_ms);
        }
        let leo = self.log_end_offset();
        self.truncate_epochs_from_end(leo);
        self.log_start_offset = self.log_start_offset.min(leo);
        self.high_watermark = self.high_watermark.min(leo);
        self.first_dirty_offset = self.first_dirty_offset.min(leo);
        Ok(true)
    }

    /// Deletes every segment and starts an empty log at `offset`.
    pub fn truncate_fully_and_start_at(&mut self, offset: i64, now_ms: i64) -> Result<(), LogError> {
        for s in &self.segments {
            self.store.delete(s.base_offset()).map_err(storage)?;
        }
        self.store.create(offset).map_err(storage)?;
        self.segments = vec![Segment::new(offset, &self.config, now_ms)];
        self.leader_epochs.clear();
        self.log_start_offset = offset;
        self.high_watermark = offset;
        self.first_dirty_offset = offset;
        Ok(())
    }

    fn truncate_epochs_from_end(&mut self, end_offset: i64) {
        self.leader_epochs.retain(|e| e.start_offset < end_offset);
    }

    /// Applies retention (`UnifiedLog.deleteOldSegments`): with `cleanup.policy`
    /// containing `delete`, segments older than `retention.ms` and, oldest first,
    /// segments beyond `retention.bytes` go. Only a prefix of segments wholly below
    /// the high watermark can go; if that is every segment, a new empty active
    /// segment is rolled first. The log start offset moves to the first kept one.
    pub fn delete_old_segments(&mut self, now_ms: i64) -> Result<RetentionReport, LogError> {
        let mut report = RetentionReport::default();
        if self.config.cleanup_policy.delete {
            let by_start = self.deletable_prefix(|s, next| next.is_some_and(|n| n <= s.1));
            self.delete_prefix(by_start, "log start offset", now_ms, &mut report)?;
            // The size rule measures the log once, then deletes oldest-first while the
            // log stays at or above retention.bytes.
            let mut size_diff = if self.config.retention_bytes >= 0 {
                self.size_bytes() as i64 - self.config.retention_bytes
            } else {
                -1
            };
            if size_diff >= 0 {
                let n = self.deletable_prefix(|seg, _| {
                    if size_diff - seg.0 as i64 >= 0 {
                        size_diff -= seg.0 as i64;
                        true
                    } else {
                        false
                    }
                });
                self.delete_prefix(n, "retention.bytes", now_ms, &mut report)?;
            }
            let retention_ms = self.config.retention_ms;
            if retention_ms >= 0 {
                let n = self.deletable_prefix(|seg, _| now_ms - seg.2 > retention_ms);
                self.delete_prefix(n, "retention.ms", now_ms, &mut report)?;
            }
        }
        report.log_start_offset = self.log_start_offset;
        Ok(report)
    }

    /// How many leading segments satisfy `predicate((size, log_start, largest_ts),
    /// next_base)` and lie wholly below the high watermark.
    fn deletable_prefix(&self, mut predicate: impl FnMut((u32, i64, i64), Option<i64>) -> bool) -> usize {
        let mut n = 0;
        for (i, seg) in self.segments.iter().enumerate() {
            let next = self.segments.get(i + 1).map(Segment::base_offset);
            let last_and_empty = next.is_none() && seg.is_empty();
            let upper = next.unwrap_or_else(|| self.log_end_offset());
            if !last_and_empty
                && self.high_watermark >= upper
                && predicate((seg.size(), self.log_start_offset, seg.largest_timestamp()), next)
            {
                n += 1;
            } else {
                break;
            }
        }
        n
    }

    fn delete_prefix(
        &mut self,
        n: usize,
        reason: &'static str,
        now_ms: i64,
        report: &mut RetentionReport,
    ) -> Result<(), LogError> {
        if n == 0 {
            return Ok(());
        }
        if n == self.segments.len() {
            let leo = self.log_end_offset();
            self.roll(leo, now_ms)?;
        }
        let new_start = self.segments[n].base_offset();
        self.log_start_offset = self.log_start_offset.max(new_start);
        self.first_dirty_offset = self.first_dirty_offset.max(new_start);
        for seg in self.segments.drain(..n) {
            self.store.delete(seg.base_offset()).map_err(storage)?;
            report.deleted_segments.push(seg.base_offset());
            report.deleted_bytes += seg.size() as u64;
        }
        // Kafka's LeaderEpochFileCache.truncateFromStart.
        if let Some(keep) = self.leader_epochs.iter().rposition(|e| e.start_offset <= new_start) {
            self.leader_epochs.drain(..keep);
            self.leader_epochs[0].start_offset = new_start;
        }
        report.reasons.push(reason);
        Ok(())
    }

    /// Replaces segments `[first, first + count)` with one rebuilt segment (the
    /// cleaner's swap), store first.
    pub(crate) fn replace_segments(&mut self, first: usize, count: usize, new: Segment) -> Result<(), LogError> {
        let old: Vec<i64> = self.segments[first..first + count]
            .iter()
            .map(Segment::base_offset)
            .collect();
        self.store
            .replace(
                &old,
                StoredSegment {
                    base_offset: new.base_offset(),
                    bytes: new.data().to_vec(),
                },
            )
            .map_err(storage)?;
        self.segments.splice(first..first + count, [new]);
        Ok(())
    }
}

/// The last offset `bytes` claims to hold: that of the last whole batch, or of a
/// torn batch at the end whose header (27 bytes) survived and continues the
/// offsets (CRC not checked: this only sizes what recovery reports as lost).
fn last_offset_in(bytes: &[u8]) -> Option<i64> {
    let mut iter = BatchIter::new(bytes, usize::MAX, false);
    let mut last = None;
    for (_, b) in iter.by_ref().map_while(Result::ok) {
        last = Some(b.last_offset());
    }
    let rest = &bytes[iter.position()..];
    if rest.len() >= 27 {
        let base = i64::from_be_bytes(rest[0..8].try_into().expect("8 bytes"));
        let delta = i32::from_be_bytes(rest[23..27].try_into().expect("4 bytes"));
        if last.is_some_and(|l| base == l + 1) && delta >= 0 {
            return Some(base + delta as i64);
        }
    }
    last
}

fn corrupt_on_append(e: DecodeError, tp: &str) -> LogError {
    match e {
        DecodeError::UnsupportedMagic(m) => LogError::InvalidRecord(format!("Invalid magic found in record: {m}")),
        DecodeError::BatchTooSmall { .. } | DecodeError::BatchTooLarge { .. } | DecodeError::Truncated(_) => {
            LogError::CorruptRecord(format!("{e} in topic partition {tp}."))
        }
        other => LogError::Corrupt(other),
    }
}

pub(crate) fn storage(e: StorageError) -> LogError {
    LogError::Storage(e.0)
}
