//! Log compaction (`LogCleaner`/`Cleaner`): keep the latest record per key, drop
//! tombstones once their delete horizon (KIP-534) has passed.
//!
//! One [`PartitionLog::clean`] call is one cleaning pass of Kafka's cleaner thread
//! over this log. When to call it (`min.cleanable.dirty.ratio`, the cleaner's
//! back-off) is the caller's choice; [`PartitionLog::dirty_ratio`] helps.

use std::collections::BTreeMap;

use crate::batch::{empty_batch, BatchBuilder, BatchRef, NewRecord};
use crate::error::LogError;
use crate::log::PartitionLog;
use crate::segment::Segment;
use crate::storage::SegmentStore;

/// What one cleaning pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanReport {
    /// `[first dirty offset, first uncleanable offset)` covered by the offset map.
    pub cleaned_range: Option<(i64, i64)>,
    pub segments_before: u32,
    pub segments_after: u32,
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub records_removed: u64,
    pub tombstones_removed: u64,
    /// Tombstones given a delete horizon in this pass.
    pub horizons_set: u64,
}

impl<S: SegmentStore> PartitionLog<S> {
    /// The offset range a pass would clean now: from the cleaner checkpoint to the
    /// first uncleanable offset (the active segment, the high watermark, and
    /// segments younger than `min.compaction.lag.ms` are never cleaned).
    pub fn cleanable_range(&self, now_ms: i64) -> Option<(i64, i64)> {
        let segments = self.segments();
        let first_dirty = self.first_dirty_offset.max(self.log_start_offset());
        let mut uncleanable = segments
            .last()
            .expect("active")
            .base_offset()
            .min(self.high_watermark());
        let lag = self.config().min_compaction_lag_ms;
        if lag > 0 {
            let young = segments[..segments.len() - 1]
                .iter()
                .find(|s| s.next_offset() > first_dirty && s.largest_timestamp() > now_ms - lag);
            if let Some(s) = young {
                uncleanable = uncleanable.min(s.base_offset().max(first_dirty));
            }
        }
        (uncleanable > first_dirty).then_some((first_dirty, uncleanable))
    }

    /// Bytes in the dirty section over all cleanable bytes (Kafka cleans a log
    /// when this reaches `min.cleanable.dirty.ratio`, 0.5 by default).
    pub fn dirty_ratio(&self, now_ms: i64) -> f64 {
        let Some((first_dirty, end)) = self.cleanable_range(now_ms) else {
            return 0.0;
        };
        let (mut clean, mut dirty) = (0u64, 0u64);
        for (_, b) in self.batches().filter(|(_, b)| b.base_offset() < end) {
            if b.base_offset() >= first_dirty {
                dirty += b.size() as u64;
            } else {
                clean += b.size() as u64;
            }
        }
        if clean + dirty == 0 {
            0.0
        } else {
            dirty as f64 / (clean + dirty) as f64
        }
    }

    /// Whether a cleaned batch carries a delete horizon that `now_ms` has reached.
    fn has_expired_delete_horizon(&self, now_ms: i64) -> bool {
        self.batches()
            .take_while(|(_, b)| b.base_offset() < self.first_dirty_offset)
            .any(|(_, b)| b.delete_horizon_ms().is_some_and(|h| h <= now_ms))
    }

    /// One cleaning pass. Does nothing unless `cleanup.policy` includes `compact`.
    pub fn clean(&mut self, now_ms: i64) -> Result<CleanReport, LogError> {
        let mut report = CleanReport {
            segments_before: self.segment_count() as u32,
            bytes_before: self.size_bytes(),
            ..CleanReport::default()
        };
        let range = match self.cleanable_range(now_ms) {
            Some(r) => Some(r),
            // Nothing new to clean, but tombstones whose delete horizon has passed
            // still have to go: a pass with an empty offset map removes just them.
            None if self.has_expired_delete_horizon(now_ms) => {
                let first_dirty = self.first_dirty_offset.max(self.log_start_offset());
                Some((first_dirty, first_dirty))
            }
            None => None,
        }
        .filter(|_| self.config().cleanup_policy.compact);
        let Some((first_dirty, end)) = range else {
            report.segments_after = report.segments_before;
            report.bytes_after = report.bytes_before;
            return Ok(report);
        };
        report.cleaned_range = Some((first_dirty, end));

        // The offset map: key → last offset, over the dirty section.
        let mut map: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        for (_, b) in self.batches() {
            if b.last_offset() < first_dirty || b.is_control() {
                continue;
            }
            if b.base_offset() >= end {
                break;
            }
            for r in b.records()? {
                if (first_dirty..end).contains(&r.offset) {
                    if let Some(k) = r.key {
                        map.insert(k, r.offset);
                    }
                }
            }
        }
        let latest_offset = end - 1;

        // Every segment below the end of the map is rewritten, in groups that fit
        // one segment (`groupSegmentsBySize`).
        let to_clean = self.segments()[..self.segment_count() - 1]
            .iter()
            .take_while(|s| s.base_offset() < end)
            .count();
        let groups = group_segments_by_size(&self.segments()[..to_clean], self.config().segment_bytes);
        let delete_retention_ms = self.config().delete_retention_ms;
        // After each swap the group is one segment, so group `i` starts at index `i`.
        for (index, group_len) in groups.into_iter().enumerate() {
            let group = &self.segments()[index..index + group_len];
            let mut cleaned = Segment::new(group[0].base_offset(), self.config(), now_ms);
            for seg in group {
                for (_, b) in seg.batches_from(0) {
                    let out = filter_batch(&b, &map, latest_offset, end, now_ms, delete_retention_ms, &mut report)?;
                    if let Some(bytes) = out {
                        let nb = BatchRef::parse(&bytes, usize::MAX).expect("cleaned batch parses");
                        cleaned.append(&bytes, nb.last_offset(), nb.max_timestamp(), nb.last_offset());
                    }
                }
            }
            cleaned.on_become_inactive();
            self.replace_segments(index, group_len, cleaned)?;
        }
        self.first_dirty_offset = end;
        report.segments_after = self.segment_count() as u32;
        report.bytes_after = self.size_bytes();
        Ok(report)
    }
}

/// The bytes to keep for one batch: the batch as it is, a rebuilt batch with the
/// retained records, an empty header-only batch, or nothing.
fn filter_batch(
    b: &BatchRef<'_>,
    map: &BTreeMap<Vec<u8>, i64>,
    latest_offset: i64,
    end: i64,
    now_ms: i64,
    delete_retention_ms: i64,
    report: &mut CleanReport,
) -> Result<Option<Vec<u8>>, LogError> {
    if b.is_control() {
        return Ok(Some(b.bytes().to_vec()));
    }
    let records = b.records()?;
    let retain_deletes = b.delete_horizon_ms().is_none_or(|h| now_ms < h);
    let mut kept = Vec::with_capacity(records.len());
    for r in records.iter() {
        // `Cleaner.shouldRetainRecord`
        let keep = if r.offset > latest_offset {
            true
        } else if let Some(k) = &r.key {
            let latest_for_key = map.get(k).is_none_or(|&o| r.offset >= o);
            latest_for_key && (r.value.is_some() || retain_deletes)
        } else {
            false
        };
        if keep {
            kept.push(r);
        } else {
            report.records_removed += 1;
            if r.value.is_none() {
                report.tombstones_removed += 1;
            }
        }
    }
    let has_tombstones = kept.iter().any(|r| r.value.is_none());
    let set_horizon = has_tombstones && b.delete_horizon_ms().is_none();
    if kept.len() == records.len() && !set_horizon {
        return Ok(Some(b.bytes().to_vec()));
    }
    if kept.is_empty() {
        // `RETAIN_EMPTY`: the batch that ends the cleaned range keeps its offsets.
        return Ok((b.next_offset() == end).then(|| empty_batch(b)));
    }
    let horizon = if set_horizon {
        report.horizons_set += kept.iter().filter(|r| r.value.is_none()).count() as u64;
        Some(now_ms.saturating_add(delete_retention_ms))
    } else {
        b.delete_horizon_ms()
    };
    let mut builder = BatchBuilder::new(kept[0].offset)
        .partition_leader_epoch(b.partition_leader_epoch())
        .timestamp_type(b.timestamp_type())
        .producer(b.producer_id(), b.producer_epoch(), b.base_sequence())
        .transactional(b.is_transactional())
        .delete_horizon_ms(horizon)
        .override_last_offset(b.last_offset());
    for r in kept {
        builder.append_with_offset(
            r.offset,
            NewRecord {
                timestamp: r.timestamp,
                key: r.key.clone(),
                value: r.value.clone(),
                headers: r.headers.clone(),
            },
        );
    }
    let mut bytes = builder.build();
    if b.timestamp_type() == crate::TimestampType::LogAppendTime {
        crate::batch::set_log_append_time(&mut bytes, b.max_timestamp());
    }
    Ok(Some(bytes))
}

/// Consecutive segments merged while their total size stays within `segment.bytes`
/// and their offsets within one segment's relative range.
fn group_segments_by_size(segments: &[Segment], max_size: u32) -> Vec<usize> {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        let base = segments[i].base_offset();
        let mut size = segments[i].size() as u64;
        let mut n = 1;
        while i + n < segments.len() {
            let next = &segments[i + n];
            if size + next.size() as u64 > max_size as u64 || next.next_offset() - 1 - base > i32::MAX as i64 {
                break;
            }
            size += next.size() as u64;
            n += 1;
        }
        groups.push(n);
        i += n;
    }
    groups
}
