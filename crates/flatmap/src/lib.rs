//! `kafkaplay-flatmap`: [`FlatMap`] and [`FlatSet`], a sorted map and set kept
//! in flat vectors, with the part of `BTreeMap`'s and `BTreeSet`'s API this
//! workspace uses, under the same names.
//!
//! Why: the page's wasm carried `BTreeMap`'s node code (insert with splits,
//! `remove_leaf_kv`, merging and stealing between nodes, node iterators) once
//! for every key/value pair of types, about 40 of them at 3–9 KB each. A flat
//! map is a binary search and `Vec::insert`/`Vec::remove`. Keys and values are
//! two separate vectors, so the search is compiled once per *key* type and
//! shared by every value type; a `FlatSet<T>` is one vector.
//!
//! Order: both iterate in the key's `Ord` order, exactly like `BTreeMap`, so a
//! map swapped for a `FlatMap` changes no iteration order, no `Debug` text and
//! no hash (`Hash` writes the length, then each key and value, like std's).
//!
//! Cost: looking up is O(log n) like a B-tree; inserting or removing anywhere
//! but the end moves the entries after it, O(n). Keep `BTreeMap` for a map
//! that can grow large *and* is inserted into or removed from out of order, or
//! is drained from the front like a queue. Appending in key order (increasing
//! ids, partitions created in order) is O(1) amortized: `insert` checks the
//! last key first. Collecting from an iterator inserts one entry at a time
//! (a sort would bring back a large per-type function), so an unsorted source
//! of n entries costs O(n²) moves: collect from sorted sources when large.
//!
//! Not `litemap` (ICU4X's flat map, also made for small code): it stores
//! `(K, V)` pairs in one vector, so nothing is shared between value types, and
//! it has neither sets nor `range`, `pop_first`, `values_mut` or `into_keys`,
//! and other names for `keys`/`values`, so every call site would change.
//!
//! What this crate is not: no hashing, no interior mutability, no `unsafe`.
//! A range whose start is past its end is empty here (std panics).

mod map;
mod set;

pub use map::{Entry, FlatMap, IntoIter, Iter, IterMut, OccupiedEntry, VacantEntry};
pub use set::FlatSet;

use std::borrow::Borrow;
use std::ops::{Bound, RangeBounds};

/// Where `key` is in the sorted `keys`, or where it would go. One function per
/// key type (and borrowed form), shared by every map's value type.
///
/// Two searches, chosen per key type at compile time. Plain-data keys (no
/// `Drop`: integers, ids, pairs of them) use std's branchless binary search,
/// the fastest when a comparison is a few instructions. Keys that own heap data
/// (`String`, `TopicPartition`) compare through a `memcmp` call, and there std's
/// search, each step waiting on the comparison before it, was about 5 times
/// slower (77 ns against 16 ns a lookup among 100 member ids, natively; the
/// group assignors ran half again slower than with `BTreeMap`): for them a
/// branchy bisection, then a scan of the last few keys.
fn search<K: Borrow<Q>, Q: Ord + ?Sized>(keys: &[K], key: &Q) -> Result<usize, usize> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    if !std::mem::needs_drop::<K>() {
        return keys.binary_search_by(|k| k.borrow().cmp(key));
    }
    let (mut lo, mut hi) = (0, keys.len());
    while hi - lo > 8 {
        let mid = lo + (hi - lo) / 2;
        match keys[mid].borrow().cmp(key) {
            Less => lo = mid + 1,
            Greater => hi = mid,
            Equal => return Ok(mid),
        }
    }
    for (i, k) in keys[lo..hi].iter().enumerate() {
        match k.borrow().cmp(key) {
            Less => {}
            Equal => return Ok(lo + i),
            Greater => return Err(lo + i),
        }
    }
    Err(hi)
}

/// The index range of the sorted `keys` that `range` covers; empty (not a
/// panic) when its start is past its end.
fn span<K: Borrow<Q>, Q: Ord + ?Sized, R: RangeBounds<Q>>(keys: &[K], range: &R) -> (usize, usize) {
    let start = match range.start_bound() {
        Bound::Included(s) => keys.partition_point(|k| k.borrow() < s),
        Bound::Excluded(s) => keys.partition_point(|k| k.borrow() <= s),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(e) => keys.partition_point(|k| k.borrow() <= e),
        Bound::Excluded(e) => keys.partition_point(|k| k.borrow() < e),
        Bound::Unbounded => keys.len(),
    };
    (start, end.max(start))
}
