//! The storage seam: where a partition's segment files live.
//!
//! A [`PartitionLog`](crate::PartitionLog) keeps its segments in memory (the page
//! cache, in Kafka's terms) and writes every change through a [`SegmentStore`] (the
//! disk). A store only has to make what was written durable when `flush` returns;
//! what was written after the last flush may be lost in a crash, exactly like a
//! broker's unflushed page cache. On start-up the log is rebuilt from
//! [`SegmentStore::load`] with [`PartitionLog::recover`](crate::PartitionLog::recover),
//! which validates every batch.
//!
//! Engines: [`MemoryStore`] here (with crash simulation for the cluster simulator);
//! IndexedDB in `kafkaplay-storage-idb`. Every engine must pass
//! [`conformance::run_all`].

use kafkaplay_flatmap::{FlatMap, FlatSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// A storage engine failure (I/O error, quota exceeded, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError(pub String);

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StorageError {}

/// A segment as stored: its base offset and its `.log` bytes. Indexes are not
/// stored; recovery rebuilds them from the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSegment {
    pub base_offset: i64,
    pub bytes: Vec<u8>,
}

/// Segment files of one partition. Offsets are segment base offsets; positions
/// are byte positions inside a segment's `.log` file.
pub trait SegmentStore {
    /// Every stored segment, ascending by base offset, as last made durable (plus
    /// whatever unflushed writes the engine still holds).
    fn load(&self) -> Result<Vec<StoredSegment>, StorageError>;
    /// Creates an empty segment file. Creating one that exists is an error.
    fn create(&mut self, base_offset: i64) -> Result<(), StorageError>;
    /// Appends bytes to the end of a segment.
    fn append(&mut self, base_offset: i64, bytes: &[u8]) -> Result<(), StorageError>;
    /// Shortens a segment to `len` bytes.
    fn truncate(&mut self, base_offset: i64, len: u32) -> Result<(), StorageError>;
    /// Removes a segment file.
    fn delete(&mut self, base_offset: i64) -> Result<(), StorageError>;
    /// Atomically replaces the segments `old` with one segment (the log cleaner's
    /// swap). After a crash either all of `old` or the new segment exists.
    fn replace(&mut self, old: &[i64], new: StoredSegment) -> Result<(), StorageError>;
    /// Makes every write so far durable.
    fn flush(&mut self) -> Result<(), StorageError>;
}

/// An in-memory engine that models durability: writes land in a volatile view,
/// `flush` makes them the durable view, and [`MemoryStore::crash`] throws away
/// what was never flushed (a power loss).
///
/// The durable view of a segment is usually a prefix of its current bytes
/// (appends only extend a file), so it is kept as a length and costs neither a
/// copy nor memory; only a segment rewritten (truncated, deleted, replaced)
/// before a flush keeps its old durable bytes apart until the flush.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    current: FlatMap<i64, Vec<u8>>,
    durable: FlatMap<i64, Durable>,
    /// Segments whose current bytes differ from their durable bytes only by an
    /// appended tail (flush copies just the tail).
    appended: FlatSet<i64>,
    /// Segments created, truncated, deleted or replaced since the last flush.
    rewritten: FlatSet<i64>,
    /// When set, every write fails with this message (a full disk).
    fail_writes: Option<String>,
    flushes: u64,
    /// The lineage of each durable segment: a new id whenever its durable bytes
    /// are rewritten rather than extended (see [`DurableSegment::lineage`]).
    lineages: FlatMap<i64, u64>,
}

/// One segment's durable bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Durable {
    /// The first `n` bytes of the current segment.
    Prefix(usize),
    /// Bytes the current segment no longer starts with (it was rewritten since).
    Owned(Vec<u8>),
}

/// A durable segment as a persistence layer sees it: borrowed bytes plus an id
/// that changes whenever the bytes stop being an extension of what they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurableSegment<'a> {
    pub base_offset: i64,
    pub bytes: &'a [u8],
    /// Two observations of a segment with the same lineage are prefix-related:
    /// the later one holds the earlier one's bytes followed by appended bytes.
    /// A lineage is never reused in a process, even across stores, so an
    /// engine that wrote a lineage's first `n` bytes only has to write the rest.
    pub lineage: u64,
}

/// Lineage ids, unique in the process. They only identify byte histories for
/// incremental persistence; nothing in the log or the simulation reads them, so
/// they do not affect determinism.
static NEXT_LINEAGE: AtomicU64 = AtomicU64::new(1);

fn new_lineage() -> u64 {
    NEXT_LINEAGE.fetch_add(1, Ordering::Relaxed)
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// A store holding `segments` as durable data (e.g. files imported from Kafka).
    pub fn with_segments(segments: Vec<StoredSegment>) -> Self {
        let map: FlatMap<i64, Vec<u8>> = segments.into_iter().map(|s| (s.base_offset, s.bytes)).collect();
        MemoryStore {
            lineages: map.keys().map(|b| (*b, new_lineage())).collect(),
            durable: map.iter().map(|(b, v)| (*b, Durable::Prefix(v.len()))).collect(),
            current: map,
            ..MemoryStore::default()
        }
    }

    /// The durable view (what a power loss keeps), ascending by base offset.
    pub fn durable_segments(&self) -> impl Iterator<Item = DurableSegment<'_>> + '_ {
        self.durable.iter().map(|(b, d)| DurableSegment {
            base_offset: *b,
            bytes: self.durable_bytes(*b, d),
            lineage: self.lineages.get(b).copied().unwrap_or(0),
        })
    }

    /// Whether writes were made that are not yet flushed.
    pub fn has_unflushed_writes(&self) -> bool {
        !self.appended.is_empty() || !self.rewritten.is_empty()
    }

    fn durable_bytes<'a>(&'a self, base_offset: i64, d: &'a Durable) -> &'a [u8] {
        match d {
            Durable::Prefix(n) => self
                .current
                .get(&base_offset)
                .map_or(&[][..], |v| &v[..(*n).min(v.len())]),
            Durable::Owned(v) => v,
        }
    }

    /// Before the current bytes of a segment stop starting with its durable
    /// bytes, the durable bytes get a copy of their own.
    fn keep_durable(&mut self, base_offset: i64, new_len: usize) {
        if let (Some(Durable::Prefix(n)), Some(cur)) = (self.durable.get(&base_offset), self.current.get(&base_offset))
        {
            if new_len < *n {
                let owned = cur[..*n].to_vec();
                self.durable.insert(base_offset, Durable::Owned(owned));
            }
        }
    }

    /// Power loss: everything written since the last flush is gone.
    pub fn crash(&mut self) {
        let current = std::mem::take(&mut self.current);
        let durable = std::mem::take(&mut self.durable);
        for (b, d) in durable {
            let bytes = match d {
                Durable::Prefix(n) => match current.get(&b) {
                    Some(v) => v[..n.min(v.len())].to_vec(),
                    None => Vec::new(),
                },
                Durable::Owned(v) => v,
            };
            self.durable.insert(b, Durable::Prefix(bytes.len()));
            self.current.insert(b, bytes);
        }
        self.appended.clear();
        self.rewritten.clear();
    }

    /// Makes every later write fail (`disk full`) until cleared with `None`.
    pub fn set_fail_writes(&mut self, message: Option<&str>) {
        self.fail_writes = message.map(str::to_string);
    }

    /// The bytes of one segment as currently written (for tests that corrupt them).
    pub fn segment_mut(&mut self, base_offset: i64) -> Option<&mut Vec<u8>> {
        self.keep_durable(base_offset, 0);
        self.rewritten.insert(base_offset);
        self.current.get_mut(&base_offset)
    }

    /// Number of completed flushes.
    pub fn flush_count(&self) -> u64 {
        self.flushes
    }

    /// Bytes that a crash right now would lose.
    pub fn unflushed_bytes(&self) -> u64 {
        self.current
            .iter()
            .map(|(b, v)| {
                let durable = self.durable.get(b).map_or(0, |d| self.durable_bytes(*b, d).len());
                v.len().abs_diff(durable) as u64
            })
            .sum()
    }

    fn check(&self) -> Result<(), StorageError> {
        match &self.fail_writes {
            Some(m) => Err(StorageError(m.clone())),
            None => Ok(()),
        }
    }

    fn segment(&mut self, base_offset: i64) -> Result<&mut Vec<u8>, StorageError> {
        self.current
            .get_mut(&base_offset)
            .ok_or_else(|| StorageError(format!("no segment with base offset {base_offset}")))
    }
}

impl SegmentStore for MemoryStore {
    fn load(&self) -> Result<Vec<StoredSegment>, StorageError> {
        Ok(self
            .current
            .iter()
            .map(|(&base_offset, b)| StoredSegment {
                base_offset,
                bytes: b.clone(),
            })
            .collect())
    }

    fn create(&mut self, base_offset: i64) -> Result<(), StorageError> {
        self.check()?;
        if self.current.contains_key(&base_offset) {
            return Err(StorageError(format!("segment {base_offset:020}.log already exists")));
        }
        self.current.insert(base_offset, Vec::new());
        self.rewritten.insert(base_offset);
        Ok(())
    }

    fn append(&mut self, base_offset: i64, bytes: &[u8]) -> Result<(), StorageError> {
        self.check()?;
        self.segment(base_offset)?.extend_from_slice(bytes);
        self.appended.insert(base_offset);
        Ok(())
    }

    fn truncate(&mut self, base_offset: i64, len: u32) -> Result<(), StorageError> {
        self.check()?;
        self.segment(base_offset)?;
        self.keep_durable(base_offset, len as usize);
        self.segment(base_offset)?.truncate(len as usize);
        self.rewritten.insert(base_offset);
        Ok(())
    }

    fn delete(&mut self, base_offset: i64) -> Result<(), StorageError> {
        self.check()?;
        self.segment(base_offset)?;
        self.keep_durable(base_offset, 0);
        self.current.remove(&base_offset);
        self.rewritten.insert(base_offset);
        Ok(())
    }

    fn replace(&mut self, old: &[i64], new: StoredSegment) -> Result<(), StorageError> {
        self.check()?;
        if let Some(missing) = old.iter().find(|b| !self.current.contains_key(b)) {
            return Err(StorageError(format!("no segment with base offset {missing}")));
        }
        for b in old {
            self.keep_durable(*b, 0);
            self.current.remove(b);
            self.rewritten.insert(*b);
        }
        self.keep_durable(new.base_offset, 0);
        self.rewritten.insert(new.base_offset);
        self.current.insert(new.base_offset, new.bytes);
        // A swap is atomic and durable at once, as Kafka's rename of `.swap` files is.
        self.flush()
    }

    fn flush(&mut self) -> Result<(), StorageError> {
        self.check()?;
        for b in std::mem::take(&mut self.rewritten) {
            match self.current.get(&b) {
                Some(v) => {
                    self.durable.insert(b, Durable::Prefix(v.len()));
                    self.lineages.insert(b, new_lineage());
                }
                None => {
                    self.durable.remove(&b);
                    self.lineages.remove(&b);
                }
            };
            self.appended.remove(&b);
        }
        for b in std::mem::take(&mut self.appended) {
            // Appends only extend the file: the durable view is its prefix.
            if let (Some(cur), Some(Durable::Prefix(n))) = (self.current.get(&b), self.durable.get_mut(&b)) {
                *n = cur.len();
            }
        }
        self.flushes += 1;
        Ok(())
    }
}

/// The conformance suite every [`SegmentStore`] engine must pass. An engine
/// whose durable copy lives elsewhere (IndexedDB) also passes a *reopen* step:
/// after each check's flush the suite hands the store to `reopen`, which must
/// return the store as a restart would find it (only flushed writes), and the
/// check is asserted again on what came back. [`run_all_reopening`] is that
/// form, as an async function so the reopen may await storage; [`run_all`] is
/// the synchronous form whose reopen is "keep the same store".
///
/// Every check panics with its own name when it fails.
pub mod conformance {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Runs every check, each on a fresh store, with no reopen step.
    pub fn run_all<S: SegmentStore, F: FnMut() -> S>(new_store: F) {
        block_on_ready(run_all_reopening(new_store, |s| std::future::ready(s)));
    }

    /// [`MemoryStore`] with a power loss as the reopen step: what survives a
    /// crash must be exactly what was flushed.
    pub fn run_all_memory_with_crashes() {
        block_on_ready(run_all_reopening(MemoryStore::new, |mut s: MemoryStore| {
            s.crash();
            std::future::ready(s)
        }));
    }

    /// Runs every check, each on a fresh store; after each flush the store goes
    /// through `reopen` and the check's assertion is repeated on the result.
    pub async fn run_all_reopening<S, F, R, Fut>(mut new_store: F, mut reopen: R)
    where
        S: SegmentStore,
        F: FnMut() -> S,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        create_append_load(new_store(), &mut reopen).await;
        create_twice_fails(&mut new_store());
        append_to_missing_fails(&mut new_store());
        truncate_keeps_prefix(new_store(), &mut reopen).await;
        delete_removes(new_store(), &mut reopen).await;
        replace_swaps_segments(new_store(), &mut reopen).await;
        load_is_sorted_by_base_offset(new_store(), &mut reopen).await;
        large_and_binary_bytes(new_store(), &mut reopen).await;
        unflushed_writes_do_not_survive_reopen(new_store(), &mut reopen).await;
        many_flushes_accumulate(new_store(), &mut reopen).await;
        log_roundtrip_through_store(new_store(), &mut reopen).await;
    }

    /// Polls a future that must complete without waiting (the synchronous form).
    fn block_on_ready<T>(f: impl Future<Output = T>) -> T {
        let mut f = pin!(f);
        match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(t) => t,
            Poll::Pending => {
                panic!("conformance::run_all: the reopen step must complete at once; use run_all_reopening")
            }
        }
    }

    fn loaded<S: SegmentStore>(s: &S) -> Vec<(i64, Vec<u8>)> {
        s.load()
            .expect("load")
            .into_iter()
            .map(|x| (x.base_offset, x.bytes))
            .collect()
    }

    /// Asserts `expected` on the store, reopens it, asserts again.
    async fn check_and_reopen<S, R, Fut>(s: S, reopen: &mut R, expected: &[(i64, Vec<u8>)], name: &str) -> S
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        assert_eq!(loaded(&s), expected, "{name}");
        let s = reopen(s).await;
        assert_eq!(loaded(&s), expected, "{name} (after reopen)");
        s
    }

    pub async fn create_append_load<S, R, Fut>(mut s: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        s.create(0).unwrap();
        s.append(0, b"abc").unwrap();
        s.append(0, b"def").unwrap();
        s.flush().unwrap();
        let mut s = check_and_reopen(s, reopen, &[(0, b"abcdef".to_vec())], "create_append_load").await;
        // The reopened store goes on accepting writes.
        s.append(0, b"g").unwrap();
        s.flush().unwrap();
        check_and_reopen(
            s,
            reopen,
            &[(0, b"abcdefg".to_vec())],
            "create_append_load: append after reopen",
        )
        .await;
    }

    pub fn create_twice_fails<S: SegmentStore>(s: &mut S) {
        s.create(5).unwrap();
        assert!(s.create(5).is_err(), "create_twice_fails");
    }

    pub fn append_to_missing_fails<S: SegmentStore>(s: &mut S) {
        assert!(s.append(7, b"x").is_err(), "append_to_missing_fails");
    }

    pub async fn truncate_keeps_prefix<S, R, Fut>(mut s: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        s.create(0).unwrap();
        s.append(0, b"0123456789").unwrap();
        s.flush().unwrap();
        let mut s = reopen(s).await;
        s.truncate(0, 4).unwrap();
        s.append(0, b"xy").unwrap();
        s.flush().unwrap();
        check_and_reopen(s, reopen, &[(0, b"0123xy".to_vec())], "truncate_keeps_prefix").await;
    }

    pub async fn delete_removes<S, R, Fut>(mut s: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        s.create(0).unwrap();
        s.create(10).unwrap();
        s.append(0, b"a").unwrap();
        s.flush().unwrap();
        let mut s = reopen(s).await;
        s.append(10, b"z").unwrap();
        s.delete(0).unwrap();
        s.flush().unwrap();
        let mut s = check_and_reopen(s, reopen, &[(10, b"z".to_vec())], "delete_removes").await;
        assert!(s.delete(0).is_err(), "delete of a missing segment must fail");
    }

    pub async fn replace_swaps_segments<S, R, Fut>(mut s: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        for b in [0, 10, 20] {
            s.create(b).unwrap();
            s.append(b, &[b as u8; 3]).unwrap();
        }
        s.flush().unwrap();
        let mut s = reopen(s).await;
        s.replace(
            &[0, 10],
            StoredSegment {
                base_offset: 0,
                bytes: b"cleaned".to_vec(),
            },
        )
        .unwrap();
        // A swap is durable by itself (Kafka renames `.swap` files): no flush here.
        let mut s = check_and_reopen(
            s,
            reopen,
            &[(0, b"cleaned".to_vec()), (20, vec![20; 3])],
            "replace_swaps_segments",
        )
        .await;
        assert!(
            s.replace(
                &[99],
                StoredSegment {
                    base_offset: 99,
                    bytes: vec![]
                }
            )
            .is_err(),
            "replace of a missing segment must fail"
        );
    }

    pub async fn load_is_sorted_by_base_offset<S, R, Fut>(mut s: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        for b in [300, 2, 1_000_000_000_000, 40] {
            s.create(b).unwrap();
        }
        s.flush().unwrap();
        let expected: Vec<(i64, Vec<u8>)> = [2, 40, 300, 1_000_000_000_000].iter().map(|b| (*b, vec![])).collect();
        check_and_reopen(s, reopen, &expected, "load_is_sorted_by_base_offset").await;
    }

    pub async fn large_and_binary_bytes<S, R, Fut>(mut s: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        s.create(0).unwrap();
        for chunk in big.chunks(65_536) {
            s.append(0, chunk).unwrap();
        }
        s.flush().unwrap();
        check_and_reopen(s, reopen, &[(0, big)], "large_and_binary_bytes").await;
    }

    /// A reopen keeps what was flushed and only that (a reopen is a restart,
    /// so an engine with no separate durable copy keeps everything: then only
    /// the flushed part is asserted).
    pub async fn unflushed_writes_do_not_survive_reopen<S, R, Fut>(mut s: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        s.create(0).unwrap();
        s.append(0, b"kept").unwrap();
        s.flush().unwrap();
        s.append(0, b"-maybe").unwrap();
        s.create(9).unwrap();
        let s = reopen(s).await;
        let after = loaded(&s);
        let flushed = vec![(0, b"kept".to_vec())];
        let everything = vec![(0, b"kept-maybe".to_vec()), (9, vec![])];
        assert!(
            after == flushed || after == everything,
            "unflushed_writes_do_not_survive_reopen: got {after:?}"
        );
    }

    /// Many small flushes (the write-behind's append path) add up to the bytes.
    pub async fn many_flushes_accumulate<S, R, Fut>(mut s: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        let mut expected = Vec::new();
        s.create(100).unwrap();
        for round in 0..5u8 {
            for i in 0..20u8 {
                let piece = [round, i, 0xff, 0x00];
                s.append(100, &piece).unwrap();
                expected.extend_from_slice(&piece);
                s.flush().unwrap();
            }
            s = check_and_reopen(s, reopen, &[(100, expected.clone())], "many_flushes_accumulate").await;
        }
    }

    /// A partition log written through the store and recovered from it has the
    /// same offsets, bytes and records.
    pub async fn log_roundtrip_through_store<S, R, Fut>(store: S, reopen: &mut R)
    where
        S: SegmentStore,
        R: FnMut(S) -> Fut,
        Fut: Future<Output = S>,
    {
        use crate::{BatchBuilder, LogConfig, NewRecord, PartitionLog};
        let config = LogConfig {
            segment_bytes: 400,
            index_interval_bytes: 100,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::create("conformance-0", store, config.clone(), 1_000).unwrap();
        for i in 0..40i64 {
            let mut b = BatchBuilder::new(0);
            b.append(NewRecord::new(
                1_000 + i,
                Some(format!("k{i}").as_bytes()),
                Some(&[i as u8; 20]),
            ));
            log.append_as_leader(&b.build(), 0, 1_000 + i).unwrap();
        }
        log.flush().unwrap();
        let before = log.export_files();
        let leo = log.log_end_offset();
        let store = reopen(log.into_store()).await;
        let segments = store.load().unwrap();
        let (log, report) = PartitionLog::recover("conformance-0", segments, store, config, 2_000).unwrap();
        assert_eq!(
            report.truncated_bytes, 0,
            "log_roundtrip_through_store: nothing to truncate"
        );
        assert_eq!(log.log_end_offset(), leo, "log_roundtrip_through_store: log end offset");
        assert!(
            log.segment_count() > 1,
            "log_roundtrip_through_store: the test must span segments"
        );
        // Recovery also gives the active segment its final time index entry (as
        // Kafka's `LogSegment.recover` does), so compare the .log and .index files.
        let same = |f: &crate::KafkaFile| f.name.ends_with(".log") || f.name.ends_with(".index");
        let after: Vec<_> = log.export_files().into_iter().filter(same).collect();
        let before: Vec<_> = before.into_iter().filter(same).collect();
        assert!(
            after == before,
            "log_roundtrip_through_store: .log and .index files differ after recovery"
        );
    }
}
