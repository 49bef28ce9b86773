//! A large commit spread over the page's frames, in one transaction.
//!
//! A broker's page cache is written back all at once
//! (`page_cache_flush_interval_ms`), and the next commit then writes every
//! replica's new durable bytes: with a producer at 10,000 records/s on 1,000
//! partitions RF 3, 30 s of records, about 150 MB in 3,000 puts, which took
//! 320 ms of one task. Issued here instead, the puts go out a few at a time:
//! at most [`Pace::per_frame`] bytes a frame (at least one put), each batch
//! from the success callback of the one before, so the transaction stays
//! active and the commit stays atomic (a page closed halfway stores nothing of
//! it). While the frame's allowance is spent, a read of a key that does not
//! exist keeps the transaction alive until the page refills it.
//!
//! The bytes are read when they are written, from the cluster as it is then
//! (the page lends it, [`Pace::cluster`]). A segment's durable bytes only
//! grow while its lineage stays, so a planned range is still there unless the
//! segment was rewritten or deleted meanwhile; then the transaction is
//! aborted, nothing of the commit is stored, and the commit fails with
//! [`ErrorKind::Superseded`]: the next one writes the difference again.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ops::Range;
use std::rc::Rc;

use js_sys::Uint8Array;
use kafkaplay_cluster::Simulation;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::db::{chunk_key, js_error};
use crate::error::{ErrorKind, IdbError};
use crate::playground::{CommitStats, CLUSTER_PREFIX};

/// How a commit's chunk writes are spread over frames.
#[derive(Clone)]
pub struct Pace {
    /// Bytes of chunk writes the commit may still issue in this frame.
    allowance: Rc<Cell<usize>>,
    per_frame: usize,
    /// Runs the function with the cluster as it is now; false if it cannot
    /// lend it now (the next callback tries again).
    cluster: Rc<dyn Fn(&mut dyn FnMut(&Simulation)) -> bool>,
}

impl Pace {
    /// `per_frame` bytes a frame; `cluster` lends the simulation being saved.
    pub fn new(per_frame: usize, cluster: impl Fn(&mut dyn FnMut(&Simulation)) -> bool + 'static) -> Pace {
        Pace {
            allowance: Rc::new(Cell::new(per_frame)),
            per_frame,
            cluster: Rc::new(cluster),
        }
    }

    /// A new frame: its allowance is whole again. The page calls this once a
    /// frame.
    pub fn refill(&self) {
        if self.allowance.get() != usize::MAX {
            self.allowance.set(self.per_frame);
        }
    }

    /// No more frames to wait for (the page is being hidden, or the learner
    /// waits for the commit): the next callback issues everything left,
    /// whatever the frames' refills say.
    pub fn hurry(&self) {
        self.allowance.set(usize::MAX);
    }

    /// May a put of `len` bytes go out in this frame? Yes if it fits what is
    /// left, or if it is the frame's first (a segment larger than a frame's
    /// allowance still gets written).
    fn allows(&self, len: usize) -> bool {
        let left = self.allowance.get();
        len <= left || left == self.per_frame
    }

    /// [`allows`](Self::allows), and takes `len` from the allowance if so.
    fn take(&self, len: usize) -> bool {
        let left = self.allowance.get();
        if self.allows(len) {
            if left != usize::MAX {
                self.allowance.set(left.saturating_sub(len));
            }
            true
        } else {
            false
        }
    }
}

/// A chunk write planned by a commit and issued later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Queued {
    /// The chunk key's path: the cluster's file path after [`CLUSTER_PREFIX`].
    pub path: String,
    pub base_offset: i64,
    pub chunk: u32,
    pub range: Range<usize>,
    /// The segment's lineage when planned; a different one now means its
    /// bytes were rewritten.
    pub lineage: u64,
}

/// The chunk writes of one commit still to issue, and the transaction.
pub(crate) struct Feed {
    raw: web_sys::IdbTransaction,
    store: web_sys::IdbObjectStore,
    queue: VecDeque<Queued>,
    pace: Pace,
    /// The success callback that issues the next batch (set on each batch's
    /// last request). It holds the feed weakly: the pending commit owns it.
    callback: Option<Closure<dyn FnMut()>>,
    /// The writes issued here, and the success callbacks that found nothing
    /// to issue (the frame's allowance spent, or the cluster busy).
    pub stats: CommitStats,
    /// Why the feed aborted the transaction, if it did.
    pub error: Option<IdbError>,
}

impl Feed {
    pub fn new(raw: web_sys::IdbTransaction, store: web_sys::IdbObjectStore, queue: Vec<Queued>, pace: Pace) -> Feed {
        Feed {
            raw,
            store,
            queue: queue.into(),
            pace,
            callback: None,
            stats: CommitStats::default(),
            error: None,
        }
    }

    /// Issues what this frame allows, reading the bytes from `sim` (or, in a
    /// callback, from the cluster the page lends); commits the transaction
    /// once everything is issued, else leaves a request whose success comes
    /// back here.
    pub fn pump(feed: &Rc<RefCell<Feed>>, sim: Option<&Simulation>) {
        let mut f = feed.borrow_mut();
        if f.error.is_some() || f.queue.is_empty() {
            return;
        }
        let mut last: Option<web_sys::IdbRequest> = None;
        let mut failed: Option<IdbError> = None;
        {
            let f = &mut *f;
            // Most callbacks come while the frame's allowance is spent: they
            // only keep the transaction open, without lending the cluster.
            let allowed = f.queue.front().is_some_and(|q| f.pace.allows(q.range.len()));
            let mut issue = |sim: &Simulation| {
                while let Some(q) = f.queue.front() {
                    if !f.pace.take(q.range.len()) {
                        break;
                    }
                    let file = q.path.strip_prefix(CLUSTER_PREFIX).unwrap_or(&q.path);
                    let segment = sim
                        .durable_segment(file, q.base_offset)
                        .filter(|s| s.lineage == q.lineage)
                        .and_then(|s| s.bytes.get(q.range.clone()));
                    let Some(bytes) = segment else {
                        failed = Some(IdbError::new(
                            ErrorKind::Superseded,
                            format!(
                                "segment {}@{} was rewritten while it was being saved; the next save writes it",
                                q.path, q.base_offset
                            ),
                        ));
                        return;
                    };
                    let request = chunk_key(&q.path, q.base_offset, q.chunk).and_then(|key| {
                        f.store
                            .put_with_key(&Uint8Array::from(bytes), &key)
                            .map_err(|x| js_error("saving the playground", &x))
                    });
                    match request {
                        Ok(r) => last = Some(r),
                        Err(e) => {
                            failed = Some(e);
                            return;
                        }
                    }
                    f.stats.writes += 1;
                    f.stats.bytes += bytes.len() as u64;
                    f.queue.pop_front();
                }
            };
            match sim {
                Some(sim) => issue(sim),
                None if allowed => {
                    // Not lent (the cluster busy): the keep-alive below.
                    let _ = (f.pace.cluster.clone())(&mut issue);
                }
                None => {}
            }
        }
        if let Some(err) = failed {
            let _ = f.raw.abort();
            f.error = Some(err);
            return;
        }
        if f.queue.is_empty() {
            // Everything is issued: commit now (see `Playground::begin_commit`).
            commit_now(&f.raw);
            return;
        }
        let request = match last {
            Some(r) => r,
            None => {
                f.stats.waits += 1;
                // Nothing issued in this callback: a read of a key no chunk
                // has (a number; chunk keys are arrays) keeps the transaction
                // active until the next frame's allowance. (A count of the
                // store came back as often, and costs the browser's storage
                // thread more.)
                match f.store.get(&JsValue::from(0)) {
                    Ok(r) => r,
                    Err(x) => {
                        let _ = f.raw.abort();
                        f.error = Some(js_error("saving the playground", &x));
                        return;
                    }
                }
            }
        };
        if f.callback.is_none() {
            let weak = Rc::downgrade(feed);
            f.callback = Some(Closure::<dyn FnMut()>::new(move || {
                if let Some(feed) = weak.upgrade() {
                    Feed::pump(&feed, None);
                }
            }));
        }
        if let Some(cb) = &f.callback {
            request.set_onsuccess(Some(cb.as_ref().unchecked_ref()));
        }
    }
}

impl Drop for Feed {
    /// A pending commit dropped before its writes were all issued: abort it
    /// now. (The next success event would call a dropped callback, whose
    /// throw also aborts the transaction; a callback that issued nothing
    /// would commit half the writes.)
    fn drop(&mut self) {
        if !self.queue.is_empty() && self.error.is_none() {
            let _ = self.raw.abort();
        }
    }
}

/// `IDBTransaction.commit()` where the browser has it (IndexedDB 3.0;
/// web-sys marks its binding deprecated), else the transaction auto-commits.
pub(crate) fn commit_now(raw: &web_sys::IdbTransaction) {
    if let Ok(commit) = js_sys::Reflect::get(raw, &JsValue::from_str("commit")) {
        if let Some(commit) = commit.dyn_ref::<js_sys::Function>() {
            let _ = commit.call0(raw);
        }
    }
}
