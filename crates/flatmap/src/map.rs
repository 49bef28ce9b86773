//! [`FlatMap`]: a sorted map in two vectors (see the crate's docs).

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::iter::FusedIterator;
use std::ops::{Index, RangeBounds};
use std::{slice, vec};

use crate::{search, span};

/// A map sorted by `K`'s `Ord`: `keys[i]` goes with `values[i]`, and `keys`
/// is strictly increasing.
#[derive(Clone, PartialEq, Eq)]
pub struct FlatMap<K, V> {
    keys: Vec<K>,
    values: Vec<V>,
}

impl<K, V> Default for FlatMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> FlatMap<K, V> {
    pub const fn new() -> Self {
        Self {
            keys: Vec::new(),
            values: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
    }

    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            keys: self.keys.iter(),
            values: self.values.iter(),
        }
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut {
            keys: self.keys.iter(),
            values: self.values.iter_mut(),
        }
    }

    /// The keys in order (a plain slice iterator, shared by every value type).
    pub fn keys(&self) -> slice::Iter<'_, K> {
        self.keys.iter()
    }

    pub fn values(&self) -> slice::Iter<'_, V> {
        self.values.iter()
    }

    pub fn values_mut(&mut self) -> slice::IterMut<'_, V> {
        self.values.iter_mut()
    }

    pub fn into_keys(self) -> vec::IntoIter<K> {
        self.keys.into_iter()
    }

    pub fn into_values(self) -> vec::IntoIter<V> {
        self.values.into_iter()
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        Some((self.keys.first()?, self.values.first()?))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        Some((self.keys.last()?, self.values.last()?))
    }

    /// Removes the first entry: O(n), every other entry moves.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.keys.is_empty() {
            return None;
        }
        Some((self.keys.remove(0), self.values.remove(0)))
    }

    pub fn pop_last(&mut self) -> Option<(K, V)> {
        Some((self.keys.pop()?, self.values.pop()?))
    }

    /// Keeps the entries for which `keep` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let mut kept = 0;
        for i in 0..self.keys.len() {
            if keep(&self.keys[i], &mut self.values[i]) {
                // Everything in kept..i was dropped: the kept entry moves down
                // over them, and the order of kept entries stays.
                if kept != i {
                    self.keys.swap(kept, i);
                    self.values.swap(kept, i);
                }
                kept += 1;
            }
        }
        self.keys.truncate(kept);
        self.values.truncate(kept);
    }
}

impl<K: Ord, V> FlatMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
    {
        search(&self.keys, key).ok()
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).map(|i| &self.values[i])
    }

    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.find(key).map(|i| (&self.keys[i], &self.values[i]))
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).map(|i| &mut self.values[i])
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_some()
    }

    /// Where `key` is (`Ok`) or would go (`Err`); a key past the last one is
    /// found without a search, so appending in order is O(1).
    fn slot(&self, key: &K) -> Result<usize, usize> {
        match self.keys.last() {
            None => Err(0),
            Some(last) if *last < *key => Err(self.keys.len()),
            _ => search(&self.keys, key),
        }
    }

    /// Inserts or replaces the value (the stored key stays, like std's);
    /// returns the value replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.slot(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.values[i], value)),
            Err(i) => {
                self.keys.insert(i, key);
                self.values.insert(i, value);
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
    {
        let i = self.find(key)?;
        Some((self.keys.remove(i), self.values.remove(i)))
    }

    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        match self.slot(&key) {
            Ok(index) => Entry::Occupied(OccupiedEntry { map: self, index }),
            Err(index) => Entry::Vacant(VacantEntry { map: self, index, key }),
        }
    }

    /// The entries whose keys are in `range`, in order. A start past the end
    /// gives nothing (std's `BTreeMap::range` panics).
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let (start, end) = span(&self.keys, &range);
        Iter {
            keys: self.keys[start..end].iter(),
            values: self.values[start..end].iter(),
        }
    }

    pub fn range_mut<Q: Ord + ?Sized, R: RangeBounds<Q>>(&mut self, range: R) -> IterMut<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let (start, end) = span(&self.keys, &range);
        IterMut {
            keys: self.keys[start..end].iter(),
            values: self.values[start..end].iter_mut(),
        }
    }

    /// Moves every entry of `other` into `self` (`other`'s value wins on an
    /// equal key, like std's).
    pub fn append(&mut self, other: &mut Self) {
        let other = std::mem::take(other);
        self.extend(other);
    }
}

/// Entry by entry, like std's (not all keys first).
impl<K: PartialOrd, V: PartialOrd> PartialOrd for FlatMap<K, V> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.iter().partial_cmp(other.iter())
    }
}

impl<K: Ord, V: Ord> Ord for FlatMap<K, V> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.iter().cmp(other.iter())
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for FlatMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Hash, V: Hash> Hash for FlatMap<K, V> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for (k, v) in self.iter() {
            k.hash(state);
            v.hash(state);
        }
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for FlatMap<K, V> {
    type Output = V;

    /// Panics when the key is missing, like std's.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Ord, V> Extend<(K, V)> for FlatMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a, K: Ord + Copy, V: Copy> Extend<(&'a K, &'a V)> for FlatMap<K, V> {
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(*k, *v);
        }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for FlatMap<K, V> {
    /// One insert per entry: O(n) for a sorted source, O(n²) moves for an
    /// unsorted one (see the crate's docs).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for FlatMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K, V> IntoIterator for FlatMap<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> IntoIter<K, V> {
        IntoIter {
            keys: self.keys.into_iter(),
            values: self.values.into_iter(),
        }
    }
}

impl<'a, K, V> IntoIterator for &'a FlatMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut FlatMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

/// Defines an iterator that walks `keys` and `values` side by side.
macro_rules! pair_iter {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime,)? K, V>, $keys:ty, $values:ty, $item:ty) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V> {
            keys: $keys,
            values: $values,
        }

        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                Some((self.keys.next()?, self.values.next()?))
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.keys.size_hint()
            }

            fn count(self) -> usize {
                self.keys.len()
            }

            fn last(mut self) -> Option<$item> {
                self.next_back()
            }

            fn nth(&mut self, n: usize) -> Option<$item> {
                Some((self.keys.nth(n)?, self.values.nth(n)?))
            }
        }

        impl<$($lt,)? K, V> DoubleEndedIterator for $name<$($lt,)? K, V> {
            fn next_back(&mut self) -> Option<$item> {
                Some((self.keys.next_back()?, self.values.next_back()?))
            }
        }

        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
        impl<$($lt,)? K, V> FusedIterator for $name<$($lt,)? K, V> {}
    };
}

pair_iter!(
    /// The entries of a [`FlatMap`] (or a range of it), by reference, in key order.
    Iter<'a, K, V>, slice::Iter<'a, K>, slice::Iter<'a, V>, (&'a K, &'a V)
);
pair_iter!(
    /// The entries of a [`FlatMap`] with the values mutable, in key order.
    IterMut<'a, K, V>, slice::Iter<'a, K>, slice::IterMut<'a, V>, (&'a K, &'a mut V)
);
pair_iter!(
    /// The entries of a [`FlatMap`] by value, in key order.
    IntoIter<K, V>, vec::IntoIter<K>, vec::IntoIter<V>, (K, V)
);

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            values: self.values.clone(),
        }
    }
}

/// One key's place in a [`FlatMap`], found once by [`FlatMap::entry`].
pub enum Entry<'a, K, V> {
    Vacant(VacantEntry<'a, K, V>),
    Occupied(OccupiedEntry<'a, K, V>),
}

pub struct VacantEntry<'a, K, V> {
    map: &'a mut FlatMap<K, V>,
    index: usize,
    key: K,
}

pub struct OccupiedEntry<'a, K, V> {
    map: &'a mut FlatMap<K, V>,
    index: usize,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default),
        }
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default()),
        }
    }

    pub fn or_insert_with_key(self, default: impl FnOnce(&K) -> V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let value = default(&e.key);
                e.insert(value)
            }
        }
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    pub fn and_modify(mut self, f: impl FnOnce(&mut V)) -> Self {
        if let Entry::Occupied(e) = &mut self {
            f(e.get_mut());
        }
        self
    }

    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => e.key(),
        }
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.key
    }

    pub fn into_key(self) -> K {
        self.key
    }

    pub fn insert(self, value: V) -> &'a mut V {
        self.map.keys.insert(self.index, self.key);
        self.map.values.insert(self.index, value);
        &mut self.map.values[self.index]
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.map.keys[self.index]
    }

    pub fn get(&self) -> &V {
        &self.map.values[self.index]
    }

    pub fn get_mut(&mut self) -> &mut V {
        &mut self.map.values[self.index]
    }

    pub fn into_mut(self) -> &'a mut V {
        &mut self.map.values[self.index]
    }

    pub fn insert(&mut self, value: V) -> V {
        std::mem::replace(self.get_mut(), value)
    }

    pub fn remove(self) -> V {
        self.remove_entry().1
    }

    pub fn remove_entry(self) -> (K, V) {
        (self.map.keys.remove(self.index), self.map.values.remove(self.index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn seed() -> u64 {
        std::env::var("FLATMAP_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed_f1a7)
    }

    fn same(flat: &FlatMap<u8, u32>, std: &BTreeMap<u8, u32>, seed: u64, step: usize) {
        let a: Vec<_> = flat.iter().collect();
        let b: Vec<_> = std.iter().collect();
        assert_eq!(a, b, "seed {seed} step {step}: run again with FLATMAP_SEED={seed}");
        assert_eq!(flat.len(), std.len());
        assert_eq!(format!("{flat:?}"), format!("{std:?}"));
    }

    /// Random operations on a FlatMap and a std BTreeMap side by side: every
    /// answer and the contents after each step agree.
    #[test]
    fn random_operations_match_btreemap() {
        let seed = seed();
        println!("flatmap seed {seed} (FLATMAP_SEED={seed} replays it)");
        let mut rng = oorandom::Rand64::new(seed as u128);
        let mut flat = FlatMap::new();
        let mut std = BTreeMap::new();
        for step in 0..20_000 {
            // Keys from a small range, so inserts hit present keys and removes succeed.
            let k = rng.rand_range(0..64) as u8;
            let v = rng.rand_u64() as u32;
            let at = format!("seed {seed} step {step}");
            match rng.rand_range(0..14) {
                0 | 1 => assert_eq!(flat.insert(k, v), std.insert(k, v), "{at}"),
                2 => assert_eq!(flat.remove(&k), std.remove(&k), "{at}"),
                3 => assert_eq!(flat.get(&k), std.get(&k), "{at}"),
                4 => {
                    *flat.entry(k).or_insert(v) += 1;
                    *std.entry(k).or_insert(v) += 1;
                }
                5 => {
                    flat.entry(k).and_modify(|x| *x ^= v).or_default();
                    std.entry(k).and_modify(|x| *x ^= v).or_default();
                }
                6 => {
                    flat.retain(|key, x| (*key as u32 + *x) % 3 != 0);
                    std.retain(|key, x| (*key as u32 + *x) % 3 != 0);
                }
                7 => {
                    let hi = rng.rand_range(0..64) as u8;
                    let (lo, hi) = (k.min(hi), k.max(hi));
                    assert!(flat.range(lo..hi).eq(std.range(lo..hi)), "{at}");
                    assert!(flat.range(lo..=hi).rev().eq(std.range(lo..=hi).rev()), "{at}");
                    assert!(flat.range(..hi).eq(std.range(..hi)), "{at}");
                    assert!(flat.range(lo..).eq(std.range(lo..)), "{at}");
                }
                8 => assert_eq!(flat.pop_first(), std.pop_first(), "{at}"),
                9 => assert_eq!(flat.pop_last(), std.pop_last(), "{at}"),
                10 => {
                    assert_eq!(flat.first_key_value(), std.first_key_value(), "{at}");
                    assert_eq!(flat.last_key_value(), std.last_key_value(), "{at}");
                }
                11 => {
                    if let (Some(a), Some(b)) = (flat.get_mut(&k), std.get_mut(&k)) {
                        *a = v;
                        *b = v;
                    }
                    flat.values_mut().for_each(|x| *x = x.wrapping_add(1));
                    std.values_mut().for_each(|x| *x = x.wrapping_add(1));
                }
                12 => {
                    let removed_flat = match flat.entry(k) {
                        Entry::Occupied(e) => Some(e.remove()),
                        Entry::Vacant(_) => None,
                    };
                    let removed_std = match std.entry(k) {
                        std::collections::btree_map::Entry::Occupied(e) => Some(e.remove()),
                        std::collections::btree_map::Entry::Vacant(_) => None,
                    };
                    assert_eq!(removed_flat, removed_std, "{at}");
                }
                _ => {
                    let more: Vec<(u8, u32)> = (0..rng.rand_range(0..6))
                        .map(|_| (rng.rand_range(0..64) as u8, rng.rand_u64() as u32))
                        .collect();
                    flat.extend(more.iter().copied());
                    std.extend(more.iter().copied());
                }
            }
            assert_eq!(flat.contains_key(&k), std.contains_key(&k), "{at}");
            same(&flat, &std, seed, step);
        }
        let collected: FlatMap<u8, u32> = std.clone().into_iter().rev().collect();
        assert_eq!(collected, flat);
        assert!(flat.clone().into_iter().eq(std.clone()));
        assert!(flat.keys().eq(std.keys()));
        assert!(flat.values().eq(std.values()));
        assert!(flat.clone().into_keys().eq(std.clone().into_keys()));
        assert!(flat.clone().into_values().eq(std.clone().into_values()));
    }

    /// The same with `String` keys, which take the other search (see `search`).
    #[test]
    fn random_string_keys_match_btreemap() {
        let seed = seed();
        println!("flatmap seed {seed} (FLATMAP_SEED={seed} replays it)");
        let mut rng = oorandom::Rand64::new(seed as u128 + 1);
        let mut flat: FlatMap<String, u64> = FlatMap::new();
        let mut std: BTreeMap<String, u64> = BTreeMap::new();
        for step in 0..20_000 {
            let k = format!("k{}", rng.rand_range(0..200));
            let v = rng.rand_u64() % 1000;
            let at = format!("seed {seed} step {step}: run again with FLATMAP_SEED={seed}");
            match rng.rand_range(0..5) {
                0 | 1 => assert_eq!(flat.insert(k.clone(), v), std.insert(k.clone(), v), "{at}"),
                2 => assert_eq!(flat.remove(k.as_str()), std.remove(k.as_str()), "{at}"),
                3 => {
                    *flat.entry(k.clone()).or_default() += v;
                    *std.entry(k.clone()).or_default() += v;
                }
                _ => assert_eq!(flat.get(k.as_str()), std.get(k.as_str()), "{at}"),
            }
            assert_eq!(flat.contains_key(k.as_str()), std.contains_key(k.as_str()), "{at}");
            assert!(flat.iter().eq(std.iter()), "{at}");
        }
        assert!(flat.len() > 50, "the run reached the bisection (more than 8 keys)");
    }

    #[test]
    fn borrowed_lookups_and_index() {
        let mut m: FlatMap<String, i32> = [("b".to_string(), 2), ("a".to_string(), 1)].into();
        assert_eq!(m.get("a"), Some(&1));
        assert_eq!(m["b"], 2);
        assert!(m.contains_key("b") && !m.contains_key("c"));
        *m.get_mut("a").unwrap() += 10;
        assert_eq!(m.get_key_value("a"), Some((&"a".to_string(), &11)));
        assert_eq!(m.remove("b"), Some(2));
        assert_eq!(m.len(), 1);
        for (_, v) in &mut m {
            *v = 0;
        }
        assert_eq!((&m).into_iter().next(), Some((&"a".to_string(), &0)));
        assert_eq!(m.entry("z".to_string()).key(), "z");
        m.entry("z".to_string()).or_insert_with_key(|k| k.len() as i32);
        assert_eq!(m.get("z"), Some(&1));
    }

    /// `insert` on a present key keeps the stored key and replaces the value;
    /// duplicates in a collected iterator keep the last value (both like std).
    #[test]
    fn duplicates_keep_the_last_value() {
        let m: FlatMap<i32, &str> = [(1, "a"), (1, "b"), (0, "c")].into_iter().collect();
        assert_eq!(format!("{m:?}"), "{0: \"c\", 1: \"b\"}");
        let mut a: FlatMap<i32, i32> = [(1, 1), (3, 3)].into();
        let mut b: FlatMap<i32, i32> = [(2, 2), (3, 30)].into();
        a.append(&mut b);
        assert!(b.is_empty());
        assert_eq!(a, [(1, 1), (2, 2), (3, 30)].into());
    }

    #[test]
    fn a_backwards_range_is_empty_not_a_panic() {
        let m: FlatMap<i32, i32> = (0..10).map(|i| (i, i)).collect();
        #[allow(clippy::reversed_empty_ranges)]
        let backwards = m.range(7..3);
        assert_eq!(backwards.count(), 0);
        assert_eq!(m.range(3..7).map(|(k, _)| *k).collect::<Vec<_>>(), vec![3, 4, 5, 6]);
        assert_eq!(m.range(3..7).len(), 4);
        assert_eq!(m.iter().nth(8), Some((&8, &8)));
        assert_eq!(m.iter().last(), Some((&9, &9)));
    }

    #[test]
    fn hash_matches_btreemap() {
        use std::collections::hash_map::DefaultHasher;
        let pairs = [(3u16, "c"), (1, "a"), (2, "b")];
        let flat: FlatMap<_, _> = pairs.into_iter().collect();
        let std: BTreeMap<_, _> = pairs.into_iter().collect();
        let (mut a, mut b) = (DefaultHasher::new(), DefaultHasher::new());
        flat.hash(&mut a);
        std.hash(&mut b);
        assert_eq!(a.finish(), b.finish());
    }

    #[test]
    fn ordering_is_entry_by_entry() {
        let a: FlatMap<i32, i32> = [(1, 9), (2, 0)].into();
        let b: FlatMap<i32, i32> = [(1, 0), (3, 0)].into();
        let sa: BTreeMap<i32, i32> = a.clone().into_iter().collect();
        let sb: BTreeMap<i32, i32> = b.clone().into_iter().collect();
        assert_eq!(a.cmp(&b), sa.cmp(&sb));
        assert_eq!(b.partial_cmp(&a), sb.partial_cmp(&sa));
    }
}
