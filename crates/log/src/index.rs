//! A segment's sparse offset index and time index, as Kafka keeps them
//! (`OffsetIndex`, `TimeIndex`): entries are relative to the segment's base offset,
//! ascending, and looked up by "largest entry not above the target".
//!
//! On disk (see [`crate::export`]): offset index entries are 8 bytes (relative
//! offset u32, file position u32), time index entries 12 bytes (timestamp i64,
//! relative offset u32), big-endian, trimmed to the valid entries.

/// One offset index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetPosition {
    pub offset: i64,
    pub position: u32,
}

/// One time index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampOffset {
    pub timestamp: i64,
    pub offset: i64,
}

/// Offset → file position, one entry per `index.interval.bytes` appended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetIndex {
    base_offset: i64,
    /// (relative offset, position)
    entries: Vec<(u32, u32)>,
    max_entries: usize,
}

impl OffsetIndex {
    pub fn new(base_offset: i64, max_entries: usize) -> Self {
        OffsetIndex {
            base_offset,
            entries: Vec::new(),
            max_entries,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_entries
    }

    pub fn entries(&self) -> impl Iterator<Item = OffsetPosition> + '_ {
        self.entries.iter().map(|&(rel, position)| OffsetPosition {
            offset: self.base_offset + rel as i64,
            position,
        })
    }

    /// Adds an entry; ignored unless the offset is above the last entry's
    /// (Kafka throws `InvalidOffsetException` there; the segment never asks).
    pub fn append(&mut self, offset: i64, position: u32) {
        let rel = (offset - self.base_offset) as u32;
        if self.entries.last().is_none_or(|&(last, _)| rel > last) && !self.is_full() {
            self.entries.push((rel, position));
        }
    }

    /// The largest entry whose offset is ≤ `target`, else (base offset, 0).
    pub fn lookup(&self, target: i64) -> OffsetPosition {
        let rel = target - self.base_offset;
        let i = self.entries.partition_point(|&(o, _)| (o as i64) <= rel);
        match i {
            0 => OffsetPosition {
                offset: self.base_offset,
                position: 0,
            },
            _ => {
                let (o, p) = self.entries[i - 1];
                OffsetPosition {
                    offset: self.base_offset + o as i64,
                    position: p,
                }
            }
        }
    }

    /// Removes every entry whose offset is ≥ `offset`.
    pub fn truncate_to(&mut self, offset: i64) {
        let rel = offset - self.base_offset;
        let keep = self.entries.partition_point(|&(o, _)| (o as i64) < rel);
        self.entries.truncate(keep);
    }

    /// The index file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entries.len() * 8);
        for &(o, p) in &self.entries {
            out.extend_from_slice(&o.to_be_bytes());
            out.extend_from_slice(&p.to_be_bytes());
        }
        out
    }
}

/// Timestamp → offset: the largest timestamp seen so far and the offset of the
/// batch that carried it, appended only when the timestamp grows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeIndex {
    base_offset: i64,
    /// (timestamp, relative offset)
    entries: Vec<(i64, u32)>,
    max_entries: usize,
}

impl TimeIndex {
    pub fn new(base_offset: i64, max_entries: usize) -> Self {
        TimeIndex {
            base_offset,
            entries: Vec::new(),
            max_entries,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Kafka keeps one slot free for the entry written when the segment is rolled.
    pub fn is_full(&self) -> bool {
        self.entries.len() + 1 >= self.max_entries
    }

    pub fn entries(&self) -> impl Iterator<Item = TimestampOffset> + '_ {
        self.entries.iter().map(|&(timestamp, rel)| TimestampOffset {
            timestamp,
            offset: self.base_offset + rel as i64,
        })
    }

    pub fn last_entry(&self) -> Option<TimestampOffset> {
        self.entries.last().map(|&(timestamp, rel)| TimestampOffset {
            timestamp,
            offset: self.base_offset + rel as i64,
        })
    }

    /// `TimeIndex.maybeAppend`: only a strictly larger timestamp is recorded.
    /// `skip_full_check` is set for the final entry when the segment is rolled.
    pub fn maybe_append(&mut self, timestamp: i64, offset: i64, skip_full_check: bool) {
        if !skip_full_check && self.is_full() {
            return;
        }
        if self.entries.len() >= self.max_entries {
            return;
        }
        let rel = (offset - self.base_offset) as u32;
        match self.entries.last() {
            Some(&(ts, last_rel)) if timestamp <= ts || rel < last_rel => {}
            _ => self.entries.push((timestamp, rel)),
        }
    }

    /// The largest entry whose timestamp is ≤ `target`, else (-1, base offset).
    pub fn lookup(&self, target: i64) -> TimestampOffset {
        let i = self.entries.partition_point(|&(t, _)| t <= target);
        match i {
            0 => TimestampOffset {
                timestamp: crate::batch::NO_TIMESTAMP,
                offset: self.base_offset,
            },
            _ => {
                let (t, o) = self.entries[i - 1];
                TimestampOffset {
                    timestamp: t,
                    offset: self.base_offset + o as i64,
                }
            }
        }
    }

    /// Removes every entry whose offset is ≥ `offset`.
    pub fn truncate_to(&mut self, offset: i64) {
        let rel = offset - self.base_offset;
        let keep = self.entries.iter().take_while(|&&(_, o)| (o as i64) < rel).count();
        self.entries.truncate(keep);
    }

    /// The time index file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entries.len() * 12);
        for &(t, o) in &self.entries {
            out.extend_from_slice(&t.to_be_bytes());
            out.extend_from_slice(&o.to_be_bytes());
        }
        out
    }
}
