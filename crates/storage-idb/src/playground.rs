//! A playground: one IndexedDB database holding a cluster, stand-alone
//! partition logs and the app's key/value area, saved by a write-behind.

use kafkaplay_flatmap::{FlatMap, FlatSet};
use std::cell::RefCell;
use std::rc::Rc;

use idb::{Database, TransactionMode, TransactionResult};
use js_sys::Uint8Array;
use kafkaplay_cluster::sim::persist::{self, RestoreReport};
use kafkaplay_cluster::Simulation;
use kafkaplay_log::{MemoryStore, SegmentStore, StorageError, StoredSegment};
use wasm_bindgen::JsValue;

use crate::db::{self, chunk_key, idb_error, js_error, segment_range, KV, META, SEGMENTS};
use crate::error::{ErrorKind, IdbError};
use crate::export::PlaygroundData;
use crate::files::{Committed, Op, SegmentRef};
use crate::lock::{ChangeFeed, WriterLock};
use crate::pace::{commit_now, Feed, Pace, Queued};

/// Paths of the cluster's files: `c/<node>/<topic>-<partition>`.
pub const CLUSTER_PREFIX: &str = "c/";
/// Paths of stand-alone logs: `s/<name>`.
pub const STORE_PREFIX: &str = "s/";
const CLUSTER_KEY: &str = "cluster";

/// A fault a test injects into the next commit, at the IndexedDB call
/// boundary: after `after_ops` writes were issued the transaction is aborted,
/// as the browser aborts it.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitFault {
    /// A plain abort (a crash of the page mid-commit looks the same).
    Abort { after_ops: u32 },
    /// The browser's `QuotaExceededError`, delivered as the cause of the abort.
    Quota { after_ops: u32 },
}

/// What one commit wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitStats {
    /// Requests in the transaction: chunk puts, segment deletes, image and
    /// key/value puts.
    pub writes: u32,
    pub bytes: u64,
    /// A paced commit: the times its writes waited for the next frame's
    /// allowance (or for the cluster), keeping the transaction open.
    pub waits: u32,
}

/// A commit whose writes are issued and whose transaction is open (see
/// [`Playground::begin_commit`]).
pub struct PendingCommit {
    raw: web_sys::IdbTransaction,
    /// The cluster's chunk writes still to issue, when the commit is paced.
    feed: Option<Rc<RefCell<Feed>>>,
    stats: CommitStats,
    injected: Option<IdbError>,
    new_states: Vec<(String, FlatMap<i64, crate::files::SegState>)>,
    removed: Vec<String>,
    new_meta: Option<Vec<u8>>,
    kv: FlatMap<String, Option<Vec<u8>>>,
}

/// What opening found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Files whose chunks were not numbered 0, 1, 2, …: the bytes after the
    /// first gap were not loaded (recovery then reports what the log lost).
    pub damaged_files: Vec<String>,
}

/// A playground open in this tab.
pub struct Playground {
    name: String,
    db: Database,
    committed: Committed,
    stores: FlatMap<String, Rc<RefCell<MemoryStore>>>,
    /// Loaded files not yet handed to a store or to the cluster.
    loaded: FlatMap<String, Vec<StoredSegment>>,
    meta: FlatMap<String, Vec<u8>>,
    kv: FlatMap<String, Vec<u8>>,
    /// Keys changed (`Some`) or deleted (`None`) since the last commit.
    kv_pending: FlatMap<String, Option<Vec<u8>>>,
    fault: Option<CommitFault>,
    report: OpenReport,
    /// Held while this tab is the playground's writer.
    lock: Option<WriterLock>,
    writer: bool,
    feed: Option<ChangeFeed>,
}

/// What a read-only tab says.
pub const READ_ONLY_MESSAGE: &str = "This playground is open in another tab, which saves it. This tab shows it \
read-only and follows that tab's changes; close the other tab to work here.";

impl Playground {
    /// Opens (creating, or upgrading from an older schema) the playground
    /// `name` and loads everything it holds.
    pub async fn open(name: &str) -> Result<Playground, IdbError> {
        if name.is_empty() || name.len() > 200 {
            return Err(IdbError::new(
                ErrorKind::Other,
                "a playground name has 1 to 200 characters",
            ));
        }
        db::register(name).await?;
        // Without the Web Locks API (old browsers) every tab writes, as before it.
        let (lock, writer) = match WriterLock::try_acquire(name).await {
            Ok(lock) => {
                let writer = lock.is_some();
                (lock, writer)
            }
            Err(e) if e.kind == ErrorKind::Unavailable => (None, true),
            Err(e) => return Err(e),
        };
        let feed = ChangeFeed::listen(name).ok();
        let mut pg = Playground::load_from(name, lock, feed).await?;
        pg.writer = writer;
        Ok(pg)
    }

    async fn load_from(name: &str, lock: Option<WriterLock>, feed: Option<ChangeFeed>) -> Result<Playground, IdbError> {
        let db = db::open_playground(name).await?;
        let loaded = db::load(&db).await?;
        let mut committed = Committed::default();
        let mut files = FlatMap::new();
        let mut report = OpenReport::default();
        for (path, segments) in loaded.files {
            let mut states = FlatMap::new();
            let mut out = Vec::new();
            for (base, chunks) in segments {
                let mut bytes = Vec::new();
                let mut n = 0u32;
                let mut damaged = false;
                for (chunk, b) in chunks {
                    if chunk != n {
                        report.damaged_files.push(path.clone());
                        damaged = true;
                        break;
                    }
                    bytes.extend_from_slice(&b);
                    n += 1;
                }
                // Lineage 0 is "unknown": the first commit rewrites the segment
                // unless a store or the cluster adopts these bytes unchanged. A
                // damaged segment is never adopted (its length cannot match), so
                // the first commit replaces all its chunks.
                let state = crate::files::SegState {
                    lineage: 0,
                    len: if damaged { u64::MAX } else { bytes.len() as u64 },
                    chunks: n,
                };
                states.insert(base, state);
                out.push(StoredSegment {
                    base_offset: base,
                    bytes,
                });
            }
            committed.files.insert(path.clone(), states);
            files.insert(path, out);
        }
        report.damaged_files.dedup();
        Ok(Playground {
            name: name.to_string(),
            db,
            committed,
            stores: FlatMap::new(),
            loaded: files,
            meta: loaded.meta,
            kv: loaded.kv,
            kv_pending: FlatMap::new(),
            fault: None,
            report,
            lock,
            writer: false,
            feed,
        })
    }

    /// Whether this tab writes the playground (holds the writer lock). A
    /// read-only tab's [`commit`](Self::commit) fails with [`READ_ONLY_MESSAGE`].
    pub fn is_writer(&self) -> bool {
        self.writer
    }

    /// Tries again to become the writer (e.g. after the other tab closed).
    pub async fn try_become_writer(&mut self) -> Result<bool, IdbError> {
        if !self.writer {
            self.lock = WriterLock::try_acquire(&self.name).await?;
            self.writer = self.lock.is_some();
        }
        Ok(self.writer)
    }

    /// Opens the playground again, with what is stored now: a read-only tab
    /// does this when [`changes_seen`](Self::changes_seen) grows, and becomes
    /// the writer if the writer's tab has closed meanwhile. Store handles and a
    /// cluster taken from the old value do not follow.
    pub async fn reopen(self) -> Result<Playground, IdbError> {
        let name = self.name.clone();
        self.close();
        Playground::open(&name).await
    }

    /// Commits other tabs announced since this one opened; a read-only tab
    /// reopens the playground when it grows.
    pub fn changes_seen(&self) -> u64 {
        self.feed.as_ref().map_or(0, ChangeFeed::changes_seen)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn open_report(&self) -> &OpenReport {
        &self.report
    }

    /// Closes the connection (another tab may then upgrade or delete).
    pub fn close(self) {
        self.db.close();
    }

    // ----- stand-alone logs -----

    /// The segment store of the stand-alone log `name` (e.g. the single
    /// partition of the app's first page): what was stored for it, served
    /// synchronously. Its `flush` marks what the next [`commit`](Self::commit)
    /// saves; the same name gives the same store while the playground is open.
    pub fn store(&mut self, name: &str) -> IdbStore {
        let path = format!("{STORE_PREFIX}{name}");
        if let Some(s) = self.stores.get(&path) {
            return IdbStore { inner: s.clone() };
        }
        let store = MemoryStore::with_segments(self.loaded.remove(&path).unwrap_or_default());
        self.adopt(&path, &store);
        let inner = Rc::new(RefCell::new(store));
        self.stores.insert(path, inner.clone());
        IdbStore { inner }
    }

    /// Records that `store`'s durable segments are what IndexedDB holds for
    /// `path` where the bytes are equal, so the next commit writes only changes.
    fn adopt(&mut self, path: &str, store: &MemoryStore) {
        let Some(states) = self.committed.files.get_mut(path) else {
            return;
        };
        for seg in store.durable_segments() {
            if let Some(st) = states.get_mut(&seg.base_offset) {
                if st.len == seg.bytes.len() as u64 {
                    st.lineage = seg.lineage;
                }
            }
        }
    }

    // ----- the cluster -----

    /// Whether a cluster was saved in this playground.
    pub fn has_cluster(&self) -> bool {
        self.meta.contains_key(CLUSTER_KEY)
    }

    /// Restarts the saved cluster from its stored disks (see
    /// `kafkaplay_cluster::sim::persist`): every broker recovers its logs, with
    /// CRCs checked and torn tails cut and reported. `None` if none was saved.
    pub fn restore_cluster(&mut self) -> Result<Option<(Simulation, RestoreReport)>, IdbError> {
        let Some(meta) = self.meta.get(CLUSTER_KEY) else {
            return Ok(None);
        };
        let paths: Vec<String> = self
            .loaded
            .keys()
            .filter(|p| p.starts_with(CLUSTER_PREFIX))
            .cloned()
            .collect();
        let mut files = FlatMap::new();
        for p in paths {
            if let Some(segments) = self.loaded.remove(&p) {
                files.insert(p[CLUSTER_PREFIX.len()..].to_string(), segments);
            }
        }
        let (sim, report) = Simulation::restore(meta, files).map_err(|e| IdbError::new(ErrorKind::Damaged, e.0))?;
        // Adopt the lineages of the segments as restored. A durable view only
        // changes at a flush, which either extends it (more bytes) or starts a
        // new lineage after a rewrite; so a durable segment of the stored
        // length still holds exactly the stored bytes.
        for f in sim.persisted().files {
            let path = format!("{CLUSTER_PREFIX}{}", f.path());
            let Some(states) = self.committed.files.get_mut(&path) else {
                continue;
            };
            for seg in &f.segments {
                if let Some(st) = states.get_mut(&seg.base_offset) {
                    if st.lineage == 0 && st.len == seg.bytes.len() as u64 {
                        st.lineage = seg.lineage;
                    }
                }
            }
        }
        Ok(Some((sim, report)))
    }

    // ----- the app's key/value area -----

    pub fn kv_get(&self, key: &str) -> Option<&[u8]> {
        match self.kv_pending.get(key) {
            Some(v) => v.as_deref(),
            None => self.kv.get(key).map(Vec::as_slice),
        }
    }

    /// Sets a value (saved by the next commit).
    pub fn kv_set(&mut self, key: &str, value: &[u8]) {
        self.kv_pending.insert(key.to_string(), Some(value.to_vec()));
    }

    pub fn kv_delete(&mut self, key: &str) {
        self.kv_pending.insert(key.to_string(), None);
    }

    pub fn kv_keys(&self) -> Vec<String> {
        let mut keys: FlatSet<String> = self.kv.keys().cloned().collect();
        for (k, v) in &self.kv_pending {
            if v.is_some() {
                keys.insert(k.clone());
            } else {
                keys.remove(k);
            }
        }
        keys.into_iter().collect()
    }

    // ----- saving -----

    #[doc(hidden)]
    pub fn inject_fault(&mut self, fault: CommitFault) {
        self.fault = Some(fault);
    }

    /// Saves, in ONE IndexedDB transaction, everything made durable since the
    /// last commit: the stand-alone stores' flushed segments, the cluster's
    /// (when `cluster` is given: its image and every broker's flushed
    /// segments) and the key/value changes. Only appended bytes are written
    /// for a segment that grew. Nothing but IndexedDB requests happens while the
    /// transaction is open.
    ///
    /// On failure nothing of this commit is stored (the transaction is
    /// atomic), the in-memory state is untouched, and the next commit writes
    /// everything again; a full quota gives [`IdbError::quota`].
    pub async fn commit(&mut self, cluster: Option<&Simulation>) -> Result<CommitStats, IdbError> {
        let pending = self.begin_commit(cluster, None)?;
        self.finish_commit(pending).await
    }

    /// The synchronous half of [`commit`](Self::commit): opens the
    /// transaction and issues every write, copying the bytes, so the cluster
    /// is no longer needed once it returns. A page that keeps its simulation
    /// in a `RefCell` borrows it only for this call, and awaits
    /// [`finish_commit`](Self::finish_commit) without holding the borrow.
    ///
    /// With a [`Pace`], the cluster's chunk writes beyond the frame's
    /// allowance are issued later, frame by frame, in the same transaction
    /// (the cluster is then read when they are written, through the pace).
    pub fn begin_commit(
        &mut self,
        cluster: Option<&Simulation>,
        pace: Option<&Pace>,
    ) -> Result<PendingCommit, IdbError> {
        if !self.writer {
            return Err(IdbError::new(ErrorKind::ReadOnly, READ_ONLY_MESSAGE));
        }
        let e = |x| idb_error("saving the playground", x);
        // The transaction spans only the stores this commit writes.
        let mut stores = vec![SEGMENTS];
        if cluster.is_some() {
            stores.push(META);
        }
        if !self.kv_pending.is_empty() {
            stores.push(KV);
        }
        let tx = self.db.transaction(&stores, TransactionMode::ReadWrite).map_err(|x| {
            let err = e(x);
            if err.kind == ErrorKind::Unavailable {
                // This connection closed itself for another tab's upgrade or delete.
                IdbError::new(
                    ErrorKind::Unavailable,
                    "This playground was upgraded, reset or deleted in another tab; open it again to go on saving.",
                )
            } else {
                err
            }
        })?;
        let raw: web_sys::IdbTransaction = tx.into();
        let mut writer = Writer {
            segments: raw
                .object_store(SEGMENTS)
                .map_err(|x| js_error("saving the playground", &x))?,
            raw: raw.clone(),
            fault: self.fault.take(),
            stats: CommitStats::default(),
            injected: None,
            queue: pace.map(|_| Vec::new()),
        };
        let issued = self.issue(&mut writer, cluster, &raw);
        if writer.injected.is_none() {
            if let Err(err) = &issued {
                let _ = raw.abort();
                return Err(err.clone());
            }
        }
        let (new_states, removed, new_meta) = issued.unwrap_or_default();
        let queue = writer.queue.take().unwrap_or_default();
        let feed = match (pace, cluster) {
            (Some(pace), Some(sim)) if writer.injected.is_none() && !queue.is_empty() => {
                let store = writer.segments.clone();
                let feed = Rc::new(RefCell::new(Feed::new(raw.clone(), store, queue, pace.clone())));
                // What this frame allows now; the rest from the callbacks.
                Feed::pump(&feed, Some(sim));
                Some(feed)
            }
            _ => {
                if writer.injected.is_none() {
                    // Every write is issued: commit now rather than when the
                    // requests' answers have come back, so a commit begun in
                    // `pagehide` (the tab closing) is not lost with the page.
                    commit_now(&raw);
                }
                None
            }
        };
        Ok(PendingCommit {
            raw,
            feed,
            stats: writer.stats,
            injected: writer.injected,
            new_states,
            removed,
            new_meta,
            kv: self.kv_pending.clone(),
        })
    }

    /// The asynchronous half of [`commit`](Self::commit): waits for the
    /// transaction [`begin_commit`](Self::begin_commit) opened and, when it
    /// committed, records what IndexedDB now holds. Key/value changes made
    /// between the two halves stay pending for the next commit.
    pub async fn finish_commit(&mut self, pending: PendingCommit) -> Result<CommitStats, IdbError> {
        let PendingCommit {
            raw,
            feed,
            mut stats,
            injected,
            new_states,
            removed,
            new_meta,
            kv,
        } = pending;
        if let Some(err) = injected {
            // Requests after the abort fail by design; the abort is the outcome.
            let _ = settle(&raw).await;
            return Err(err);
        }
        let settled = settle(&raw).await;
        if let Some(feed) = feed {
            let feed = feed.borrow();
            stats.writes += feed.stats.writes;
            stats.bytes += feed.stats.bytes;
            stats.waits += feed.stats.waits;
            if let Some(err) = &feed.error {
                return Err(err.clone());
            }
        }
        let result = match settled {
            Ok(TransactionResult::Committed) => Ok(()),
            Ok(TransactionResult::Aborted) => Err(match raw.error() {
                Some(d) => IdbError::from_dom("saving the playground", &d.name(), &d.message()),
                None => IdbError::new(ErrorKind::Aborted, "saving the playground: the transaction was aborted"),
            }),
            Err(x) => Err(js_error("saving the playground", &x)),
        };
        result?;
        for (path, states) in new_states {
            self.committed.files.insert(path, states);
        }
        for path in removed {
            self.committed.files.remove(&path);
        }
        if let Some(m) = new_meta {
            self.meta.insert(CLUSTER_KEY.to_string(), m);
        }
        for (k, v) in kv {
            // Only what this commit wrote; a later change of the key stays pending.
            if self.kv_pending.get(&k) == Some(&v) {
                self.kv_pending.remove(&k);
            }
            match v {
                Some(v) => self.kv.insert(k, v),
                None => self.kv.remove(&k),
            };
        }
        if let Some(feed) = &self.feed {
            feed.announce(&self.name);
        }
        Ok(stats)
    }

    /// Issues every write of a commit into the open transaction.
    #[allow(clippy::type_complexity)]
    fn issue(
        &self,
        w: &mut Writer,
        cluster: Option<&Simulation>,
        raw: &web_sys::IdbTransaction,
    ) -> Result<
        (
            Vec<(String, FlatMap<i64, crate::files::SegState>)>,
            Vec<String>,
            Option<Vec<u8>>,
        ),
        IdbError,
    > {
        let mut new_states = Vec::new();
        let mut removed = Vec::new();
        let mut ops = Vec::new();
        for (path, store) in &self.stores {
            let store = store.borrow();
            let segs: Vec<_> = store.durable_segments().collect();
            let refs: Vec<SegmentRef> = segs.iter().map(seg_ref).collect();
            ops.clear();
            let states = self.committed.plan_file(path, &refs, &mut ops);
            w.write(&ops, |base| {
                segs.iter().find(|s| s.base_offset == base).map(|s| s.bytes)
            })?;
            new_states.push((path.clone(), states));
        }
        let mut new_meta = None;
        if let Some(sim) = cluster {
            let persisted = sim.persisted();
            let mut paths = Vec::with_capacity(persisted.files.len());
            // Whether every file is one IndexedDB already has (then none
            // was removed if their counts agree).
            let mut all_known = true;
            for f in &persisted.files {
                let path = format!("{CLUSTER_PREFIX}{}", f.path());
                if self.committed.holds(&path, f.segments.iter().map(seg_ref)) {
                    paths.push(path);
                    continue;
                }
                all_known &= self.committed.files.contains_key(&path);
                let refs: Vec<SegmentRef> = f.segments.iter().map(seg_ref).collect();
                ops.clear();
                let states = self.committed.plan_file(&path, &refs, &mut ops);
                if w.queue.is_some() {
                    // Deletes now; the puts, in order after them, later.
                    let mut queued = Vec::new();
                    for op in ops.drain(..) {
                        match op {
                            Op::Put {
                                path,
                                base_offset,
                                chunk,
                                range,
                            } => {
                                let lineage = f.segments.iter().find(|s| s.base_offset == base_offset);
                                queued.push(Queued {
                                    path,
                                    base_offset,
                                    chunk,
                                    range,
                                    lineage: lineage.map_or(0, |s| s.lineage),
                                });
                            }
                            delete => w.write(std::slice::from_ref(&delete), |_| None)?,
                        }
                    }
                    if let Some(queue) = w.queue.as_mut() {
                        queue.extend(queued);
                    }
                } else {
                    w.write(&ops, |base| {
                        f.segments.iter().find(|s| s.base_offset == base).map(|s| s.bytes)
                    })?;
                }
                new_states.push((path.clone(), states));
                paths.push(path);
            }
            let known = self
                .committed
                .files
                .keys()
                .filter(|p| p.starts_with(CLUSTER_PREFIX))
                .count();
            if !all_known || known != paths.len() {
                let paths: FlatSet<String> = paths.into_iter().collect();
                ops.clear();
                removed = self
                    .committed
                    .plan_removals(CLUSTER_PREFIX, &|p| paths.contains(p), &mut ops);
                w.write(&ops, |_| None)?;
            }
            if self.meta.get(CLUSTER_KEY) != Some(&persisted.meta) {
                let meta = raw
                    .object_store(META)
                    .map_err(|x| js_error("saving the playground", &x))?;
                w.put_value(&meta, CLUSTER_KEY, Some(&persisted.meta))?;
                new_meta = Some(persisted.meta);
            }
        }
        if !self.kv_pending.is_empty() {
            let kv = raw
                .object_store(KV)
                .map_err(|x| js_error("saving the playground", &x))?;
            for (k, v) in &self.kv_pending {
                w.put_value(&kv, k, v.as_deref())?;
            }
        }
        Ok((new_states, removed, new_meta))
    }

    /// Everything this playground holds as stored (the last commit), for export.
    pub async fn export(&self) -> Result<PlaygroundData, IdbError> {
        let loaded = db::load(&self.db).await?;
        let mut data = PlaygroundData {
            cluster: loaded.meta.get(CLUSTER_KEY).cloned(),
            kv: loaded.kv,
            ..Default::default()
        };
        for (path, segments) in loaded.files {
            let segs = segments
                .into_iter()
                .map(|(base, chunks)| StoredSegment {
                    base_offset: base,
                    bytes: chunks.into_iter().flat_map(|(_, b)| b).collect(),
                })
                .collect();
            data.files.insert(path, segs);
        }
        Ok(data)
    }
}

/// Replaces the playground `name` with the contents of an exported file. The
/// file is checked completely first; a bad file changes nothing.
pub async fn import_playground(name: &str, file: &[u8]) -> Result<(), IdbError> {
    let data = PlaygroundData::from_bytes(file).map_err(|m| IdbError::new(ErrorKind::Damaged, m))?;
    if let Some(meta) = &data.cluster {
        persist::image_summary(meta).map_err(|e| IdbError::new(ErrorKind::Damaged, e.0))?;
    }
    db::delete_playground(name).await?;
    let pg = Playground::open(name).await?;
    let e = |x| idb_error("importing the playground", x);
    let tx = pg
        .db
        .transaction(&[SEGMENTS, META, KV], TransactionMode::ReadWrite)
        .map_err(e)?;
    let segments = tx.object_store(SEGMENTS).map_err(e)?;
    for (path, segs) in &data.files {
        for s in segs {
            segments
                .put(
                    &Uint8Array::from(&s.bytes[..]),
                    Some(&chunk_key(path, s.base_offset, 0)?),
                )
                .map_err(e)?;
        }
    }
    if let Some(meta) = &data.cluster {
        let store = tx.object_store(META).map_err(e)?;
        store
            .put(&Uint8Array::from(&meta[..]), Some(&JsValue::from_str(CLUSTER_KEY)))
            .map_err(e)?;
    }
    let kv = tx.object_store(KV).map_err(e)?;
    for (k, v) in &data.kv {
        kv.put(&Uint8Array::from(&v[..]), Some(&JsValue::from_str(k)))
            .map_err(e)?;
    }
    let r = db::finish(tx, "importing the playground").await;
    pg.close();
    r
}

/// Deletes the playground's data and starts it empty (the name stays listed).
pub async fn reset_playground(name: &str) -> Result<(), IdbError> {
    db::delete_playground(name).await?;
    Playground::open(name).await?.close();
    Ok(())
}

/// Waits until the transaction commits or aborts. Unlike `idb`'s transaction
/// future, whose one-shot `error` handler is invoked again by each failed
/// request of an aborted transaction ("closure invoked recursively or after
/// being dropped" in the page), this listens only to `complete` and `abort`
/// (each fires at most once, after every request's `error`), and removes its
/// handlers before they are dropped.
async fn settle(raw: &web_sys::IdbTransaction) -> Result<TransactionResult, JsValue> {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let slot: Rc<RefCell<Option<js_sys::Function>>> = Rc::new(RefCell::new(None));
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        *slot.borrow_mut() = Some(resolve);
    });
    let answer = |committed: bool| {
        let slot = slot.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(resolve) = slot.borrow_mut().take() {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(committed));
            }
        })
    };
    let (on_complete, on_abort) = (answer(true), answer(false));
    raw.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
    raw.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    let outcome = wasm_bindgen_futures::JsFuture::from(promise).await;
    raw.set_oncomplete(None);
    raw.set_onabort(None);
    drop((on_complete, on_abort));
    Ok(if outcome?.as_bool() == Some(true) {
        TransactionResult::Committed
    } else {
        TransactionResult::Aborted
    })
}

fn seg_ref(s: &kafkaplay_log::DurableSegment) -> SegmentRef {
    SegmentRef {
        base_offset: s.base_offset,
        len: s.bytes.len(),
        lineage: s.lineage,
    }
}

/// Issues the writes of a commit, counting them, and applies an injected fault.
struct Writer {
    segments: web_sys::IdbObjectStore,
    raw: web_sys::IdbTransaction,
    fault: Option<CommitFault>,
    stats: CommitStats,
    injected: Option<IdbError>,
    /// A paced commit's cluster chunk writes, issued later (see [`Pace`]).
    queue: Option<Vec<Queued>>,
}

impl Writer {
    fn write<'a>(&mut self, ops: &[Op], bytes_of: impl Fn(i64) -> Option<&'a [u8]>) -> Result<(), IdbError> {
        let err = |x: JsValue| js_error("saving the playground", &x);
        for op in ops {
            if self.injected.is_some() {
                return Ok(()); // the transaction is aborted: issue nothing more
            }
            match op {
                Op::Put {
                    path,
                    base_offset,
                    chunk,
                    range,
                } => {
                    let bytes = bytes_of(*base_offset)
                        .and_then(|b| b.get(range.clone()))
                        .ok_or_else(|| {
                            IdbError::new(
                                ErrorKind::Other,
                                format!("segment {path}@{base_offset} changed while saving"),
                            )
                        })?;
                    self.segments
                        .put_with_key(&Uint8Array::from(bytes), &chunk_key(path, *base_offset, *chunk)?)
                        .map_err(err)?;
                    self.stats.bytes += bytes.len() as u64;
                }
                Op::DeleteSegment { path, base_offset } => {
                    let range: JsValue = segment_range(path, *base_offset)?.into();
                    self.segments.delete(&range).map_err(err)?;
                }
            }
            self.stats.writes += 1;
            self.check_fault();
        }
        Ok(())
    }

    /// Puts (or with `None` deletes) one value of the `meta` or `kv` store.
    fn put_value(&mut self, store: &web_sys::IdbObjectStore, key: &str, value: Option<&[u8]>) -> Result<(), IdbError> {
        if self.injected.is_some() {
            return Ok(());
        }
        let key = JsValue::from_str(key);
        let r = match value {
            Some(v) => {
                self.stats.bytes += v.len() as u64;
                store.put_with_key(&Uint8Array::from(v), &key)
            }
            None => store.delete(&key),
        };
        r.map_err(|x| js_error("saving the playground", &x))?;
        self.stats.writes += 1;
        self.check_fault();
        Ok(())
    }

    fn check_fault(&mut self) {
        let after = match &self.fault {
            Some(CommitFault::Abort { after_ops } | CommitFault::Quota { after_ops }) => *after_ops,
            None => return,
        };
        if self.stats.writes < after {
            return;
        }
        let _ = self.raw.abort();
        self.injected = Some(match self.fault.take() {
            Some(CommitFault::Quota { .. }) => {
                // The DOMException a full disk gives, classified like a real one.
                let dom = web_sys::DomException::new_with_message_and_name(
                    "The transaction was aborted because the quota was exceeded.",
                    "QuotaExceededError",
                )
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL);
                js_error("saving the playground", &dom)
            }
            _ => IdbError::new(ErrorKind::Aborted, "saving the playground: the transaction was aborted"),
        });
    }
}

/// A partition's segment store backed by a playground: a [`MemoryStore`]
/// serving the synchronous [`SegmentStore`] calls, whose flushed state the
/// playground's next commit writes to IndexedDB.
#[derive(Debug, Clone)]
pub struct IdbStore {
    inner: Rc<RefCell<MemoryStore>>,
}

impl SegmentStore for IdbStore {
    fn load(&self) -> Result<Vec<StoredSegment>, StorageError> {
        self.inner.borrow().load()
    }
    fn create(&mut self, base_offset: i64) -> Result<(), StorageError> {
        self.inner.borrow_mut().create(base_offset)
    }
    fn append(&mut self, base_offset: i64, bytes: &[u8]) -> Result<(), StorageError> {
        self.inner.borrow_mut().append(base_offset, bytes)
    }
    fn truncate(&mut self, base_offset: i64, len: u32) -> Result<(), StorageError> {
        self.inner.borrow_mut().truncate(base_offset, len)
    }
    fn delete(&mut self, base_offset: i64) -> Result<(), StorageError> {
        self.inner.borrow_mut().delete(base_offset)
    }
    fn replace(&mut self, old: &[i64], new: StoredSegment) -> Result<(), StorageError> {
        self.inner.borrow_mut().replace(old, new)
    }
    fn flush(&mut self) -> Result<(), StorageError> {
        self.inner.borrow_mut().flush()
    }
}
