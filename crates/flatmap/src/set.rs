//! [`FlatSet`]: a sorted set in one vector (see the crate's docs).

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::RangeBounds;
use std::{slice, vec};

use crate::{search, span};

/// A set sorted by `T`'s `Ord`: `items` is strictly increasing. Ordering
/// and equality are the vector's, element by element, like `BTreeSet`'s.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FlatSet<T> {
    items: Vec<T>,
}

impl<T> Default for FlatSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> FlatSet<T> {
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn iter(&self) -> slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The elements in order, as a slice.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    /// Removes the smallest element: O(n), every other element moves.
    pub fn pop_first(&mut self) -> Option<T> {
        if self.items.is_empty() {
            return None;
        }
        Some(self.items.remove(0))
    }

    pub fn pop_last(&mut self) -> Option<T> {
        self.items.pop()
    }

    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }
}

impl<T: Ord> FlatSet<T> {
    pub fn contains<Q: Ord + ?Sized>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        search(&self.items, value).is_ok()
    }

    pub fn get<Q: Ord + ?Sized>(&self, value: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
    {
        search(&self.items, value).ok().map(|i| &self.items[i])
    }

    /// Adds `value`; false (and the stored one kept) when it was there.
    /// Appending past the largest element is O(1).
    pub fn insert(&mut self, value: T) -> bool {
        let slot = match self.items.last() {
            None => Err(0),
            Some(last) if *last < value => Err(self.items.len()),
            _ => search(&self.items, &value),
        };
        match slot {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, value);
                true
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.take(value).is_some()
    }

    pub fn take<Q: Ord + ?Sized>(&mut self, value: &Q) -> Option<T>
    where
        T: Borrow<Q>,
    {
        let i = search(&self.items, value).ok()?;
        Some(self.items.remove(i))
    }

    /// The elements in `range`, in order; a start past the end gives nothing.
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> slice::Iter<'_, T>
    where
        T: Borrow<Q>,
    {
        let (start, end) = span(&self.items, &range);
        self.items[start..end].iter()
    }

    /// The elements of `self` not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + Clone + 'a {
        self.items.iter().filter(move |t| !other.contains(*t))
    }

    /// The elements in both, in order.
    pub fn intersection<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + Clone + 'a {
        self.items.iter().filter(move |t| other.contains(*t))
    }

    pub fn is_subset(&self, other: &Self) -> bool {
        self.len() <= other.len() && self.items.iter().all(|t| other.contains(t))
    }

    pub fn is_superset(&self, other: &Self) -> bool {
        other.is_subset(self)
    }

    pub fn is_disjoint(&self, other: &Self) -> bool {
        self.intersection(other).next().is_none()
    }
}

impl<T: fmt::Debug> fmt::Debug for FlatSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The length, then each element, like `BTreeSet`'s (a `Vec`'s hash may
/// write a slice of bytes in one call instead).
impl<T: Hash> Hash for FlatSet<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for t in &self.items {
            t.hash(state);
        }
    }
}

impl<T: Ord> Extend<T> for FlatSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for t in iter {
            self.insert(t);
        }
    }
}

impl<'a, T: Ord + Copy + 'a> Extend<&'a T> for FlatSet<T> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        for t in iter {
            self.insert(*t);
        }
    }
}

impl<T: Ord> FromIterator<T> for FlatSet<T> {
    /// One insert per element: O(n²) moves for a large unsorted source.
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for FlatSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<T> IntoIterator for FlatSet<T> {
    type Item = T;
    type IntoIter = vec::IntoIter<T>;

    fn into_iter(self) -> vec::IntoIter<T> {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a FlatSet<T> {
    type Item = &'a T;
    type IntoIter = slice::Iter<'a, T>;

    fn into_iter(self) -> slice::Iter<'a, T> {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Random operations on a FlatSet and a std BTreeSet side by side.
    #[test]
    fn random_operations_match_btreeset() {
        let seed: u64 = std::env::var("FLATMAP_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x0f1a_75e7);
        println!("flatset seed {seed} (FLATMAP_SEED={seed} replays it)");
        let mut rng = oorandom::Rand64::new(seed as u128);
        let mut flat = FlatSet::new();
        let mut std = BTreeSet::new();
        for step in 0..20_000 {
            let v = rng.rand_range(0..48) as i16 - 8;
            let at = format!("seed {seed} step {step}: run again with FLATMAP_SEED={seed}");
            match rng.rand_range(0..9) {
                0 | 1 => assert_eq!(flat.insert(v), std.insert(v), "{at}"),
                2 => assert_eq!(flat.remove(&v), std.remove(&v), "{at}"),
                3 => assert_eq!(flat.pop_first(), std.pop_first(), "{at}"),
                4 => assert_eq!(flat.pop_last(), std.pop_last(), "{at}"),
                5 => {
                    flat.retain(|x| (*x + v) % 4 != 0);
                    std.retain(|x| (*x + v) % 4 != 0);
                }
                6 => {
                    let w = rng.rand_range(0..48) as i16 - 8;
                    let (lo, hi) = (v.min(w), v.max(w));
                    assert!(flat.range(lo..hi).eq(std.range(lo..hi)), "{at}");
                    assert!(flat.range(lo..=hi).rev().eq(std.range(lo..=hi).rev()), "{at}");
                }
                7 => {
                    let other: Vec<i16> = (0..rng.rand_range(0..12))
                        .map(|_| rng.rand_range(0..48) as i16 - 8)
                        .collect();
                    let (fo, so): (FlatSet<i16>, BTreeSet<i16>) =
                        (other.iter().copied().collect(), other.iter().copied().collect());
                    assert!(flat.difference(&fo).eq(std.difference(&so)), "{at}");
                    assert!(flat.intersection(&fo).eq(std.intersection(&so)), "{at}");
                    assert_eq!(flat.is_subset(&fo), std.is_subset(&so), "{at}");
                    assert_eq!(fo.is_subset(&flat), so.is_subset(&std), "{at}");
                    assert_eq!(flat.is_disjoint(&fo), std.is_disjoint(&so), "{at}");
                }
                _ => {
                    let more: Vec<i16> = (0..rng.rand_range(0..6))
                        .map(|_| rng.rand_range(0..48) as i16 - 8)
                        .collect();
                    flat.extend(more.iter());
                    std.extend(more.iter());
                }
            }
            assert_eq!(flat.contains(&v), std.contains(&v), "{at}");
            assert_eq!(flat.first(), std.first(), "{at}");
            assert_eq!(flat.last(), std.last(), "{at}");
            assert!(flat.iter().eq(std.iter()), "{at}");
            assert_eq!(format!("{flat:?}"), format!("{std:?}"), "{at}");
        }
        assert!(flat.clone().into_iter().eq(std.clone()));
        let rebuilt: FlatSet<i16> = std.iter().rev().copied().collect();
        assert_eq!(rebuilt, flat);
    }

    #[test]
    fn borrowed_lookups_and_from_array() {
        let mut s: FlatSet<String> = ["b".to_string(), "a".to_string(), "b".to_string()].into();
        assert_eq!(s.len(), 2);
        assert!(s.contains("a"));
        assert_eq!(s.get("b").map(String::as_str), Some("b"));
        assert_eq!(s.take("a"), Some("a".to_string()));
        assert!(!s.remove("a"));
        assert_eq!(s.as_slice(), ["b".to_string()]);
        assert_eq!((&s).into_iter().count(), 1);
    }

    #[test]
    fn hash_and_order_match_btreeset() {
        use std::collections::hash_map::DefaultHasher;
        let items = [7u8, 3, 5];
        let flat: FlatSet<u8> = items.into_iter().collect();
        let std: BTreeSet<u8> = items.into_iter().collect();
        let (mut a, mut b) = (DefaultHasher::new(), DefaultHasher::new());
        flat.hash(&mut a);
        std.hash(&mut b);
        assert_eq!(a.finish(), b.finish());
        let other: FlatSet<u8> = [3, 6].into();
        let other_std: BTreeSet<u8> = [3, 6].into();
        assert_eq!(flat.cmp(&other), std.cmp(&other_std));
    }
}
