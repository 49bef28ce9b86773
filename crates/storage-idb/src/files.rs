//! The write-behind's bookkeeping: what IndexedDB holds of every file, and the
//! writes that bring it to a new durable state. Pure Rust (no browser), so it
//! is tested natively as well.
//!
//! A segment is stored as numbered chunks, `[path, base_offset, chunk]` →
//! bytes. Appending to a segment adds one chunk holding only the new bytes; a
//! segment whose bytes were rewritten (truncated, replaced by the cleaner,
//! recreated) has its chunks deleted and is written again as chunk 0. Which
//! case applies comes from the segment's lineage
//! ([`kafkaplay_log::DurableSegment::lineage`]): same lineage and more bytes
//! means "appended". A segment with [`MAX_CHUNKS`] chunks is rewritten as one
//! chunk, which bounds the records a reload reads.

use kafkaplay_flatmap::FlatMap;
use std::ops::Range;

/// Chunks a segment may have before the next write coalesces it into one.
pub const MAX_CHUNKS: u32 = 256;

/// What IndexedDB holds of one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegState {
    pub lineage: u64,
    pub len: u64,
    pub chunks: u32,
}

/// One write of a commit. Byte ranges index the segment's durable bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Put {
        path: String,
        base_offset: i64,
        chunk: u32,
        range: Range<usize>,
    },
    /// Deletes every chunk of one segment.
    DeleteSegment { path: String, base_offset: i64 },
}

/// A durable segment as the planner sees it.
#[derive(Debug, Clone, Copy)]
pub struct SegmentRef {
    pub base_offset: i64,
    pub len: usize,
    pub lineage: u64,
}

/// What IndexedDB holds, per file path and base offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    pub files: FlatMap<String, FlatMap<i64, SegState>>,
}

impl Committed {
    /// Plans the writes that make `path` hold `segments` (ascending base
    /// offsets); returns the file's state once they are committed.
    pub fn plan_file(&self, path: &str, segments: &[SegmentRef], ops: &mut Vec<Op>) -> FlatMap<i64, SegState> {
        let empty = FlatMap::new();
        let old = self.files.get(path).unwrap_or(&empty);
        let mut new = FlatMap::new();
        for s in segments {
            let len = s.len as u64;
            let state = match old.get(&s.base_offset) {
                Some(st) if st.lineage == s.lineage && st.len <= len && st.chunks < MAX_CHUNKS => {
                    if len > st.len {
                        ops.push(Op::Put {
                            path: path.to_string(),
                            base_offset: s.base_offset,
                            chunk: st.chunks,
                            range: st.len as usize..s.len,
                        });
                        SegState {
                            lineage: s.lineage,
                            len,
                            chunks: st.chunks + 1,
                        }
                    } else {
                        *st
                    }
                }
                existing => {
                    if existing.is_some() {
                        ops.push(Op::DeleteSegment {
                            path: path.to_string(),
                            base_offset: s.base_offset,
                        });
                    }
                    ops.push(Op::Put {
                        path: path.to_string(),
                        base_offset: s.base_offset,
                        chunk: 0,
                        range: 0..s.len,
                    });
                    SegState {
                        lineage: s.lineage,
                        len,
                        chunks: 1,
                    }
                }
            };
            new.insert(s.base_offset, state);
        }
        for base in old.keys().filter(|b| !new.contains_key(b)) {
            ops.push(Op::DeleteSegment {
                path: path.to_string(),
                base_offset: *base,
            });
        }
        new
    }

    /// Whether IndexedDB holds exactly these segments (ascending base
    /// offsets) for `path`: a commit has nothing to write for it. Most files
    /// of a large cluster, between two page-cache flushes.
    pub fn holds(&self, path: &str, segments: impl ExactSizeIterator<Item = SegmentRef>) -> bool {
        let Some(old) = self.files.get(path) else {
            return false;
        };
        old.len() == segments.len()
            && old
                .iter()
                .zip(segments)
                .all(|((base, st), s)| *base == s.base_offset && st.lineage == s.lineage && st.len == s.len as u64)
    }

    /// Plans the deletion of every file whose path starts with `prefix` and is
    /// not in `keep`.
    pub fn plan_removals(&self, prefix: &str, keep: &dyn Fn(&str) -> bool, ops: &mut Vec<Op>) -> Vec<String> {
        let mut removed = Vec::new();
        for (path, segs) in self.files.iter().filter(|(p, _)| p.starts_with(prefix) && !keep(p)) {
            for base in segs.keys() {
                ops.push(Op::DeleteSegment {
                    path: path.clone(),
                    base_offset: *base,
                });
            }
            removed.push(path.clone());
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(base_offset: i64, len: usize, lineage: u64) -> SegmentRef {
        SegmentRef {
            base_offset,
            len,
            lineage,
        }
    }

    #[test]
    fn appends_write_only_the_new_bytes_and_rewrites_write_everything() {
        let mut c = Committed::default();
        let mut ops = Vec::new();
        let state = c.plan_file("f", &[seg(0, 10, 1)], &mut ops);
        assert_eq!(
            ops,
            vec![Op::Put {
                path: "f".into(),
                base_offset: 0,
                chunk: 0,
                range: 0..10
            }]
        );
        c.files.insert("f".into(), state);

        ops.clear();
        let state = c.plan_file("f", &[seg(0, 15, 1), seg(15, 3, 2)], &mut ops);
        assert_eq!(
            ops,
            vec![
                Op::Put {
                    path: "f".into(),
                    base_offset: 0,
                    chunk: 1,
                    range: 10..15
                },
                Op::Put {
                    path: "f".into(),
                    base_offset: 15,
                    chunk: 0,
                    range: 0..3
                },
            ]
        );
        c.files.insert("f".into(), state);

        ops.clear();
        let unchanged = c.plan_file("f", &[seg(0, 15, 1), seg(15, 3, 2)], &mut ops);
        assert!(ops.is_empty());
        assert_eq!(unchanged, c.files["f"]);

        // Truncated (new lineage) and the first segment deleted.
        ops.clear();
        let state = c.plan_file("f", &[seg(15, 2, 3)], &mut ops);
        assert_eq!(
            ops,
            vec![
                Op::DeleteSegment {
                    path: "f".into(),
                    base_offset: 15
                },
                Op::Put {
                    path: "f".into(),
                    base_offset: 15,
                    chunk: 0,
                    range: 0..2
                },
                Op::DeleteSegment {
                    path: "f".into(),
                    base_offset: 0
                },
            ]
        );
        assert_eq!(
            state[&15],
            SegState {
                lineage: 3,
                len: 2,
                chunks: 1
            }
        );
    }

    #[test]
    fn a_segment_with_too_many_chunks_is_coalesced() {
        let mut c = Committed::default();
        let mut st = FlatMap::new();
        st.insert(
            0,
            SegState {
                lineage: 1,
                len: 5,
                chunks: MAX_CHUNKS,
            },
        );
        c.files.insert("f".into(), st);
        let mut ops = Vec::new();
        let state = c.plan_file("f", &[seg(0, 6, 1)], &mut ops);
        assert_eq!(ops.len(), 2);
        assert_eq!(
            ops[1],
            Op::Put {
                path: "f".into(),
                base_offset: 0,
                chunk: 0,
                range: 0..6
            }
        );
        assert_eq!(state[&0].chunks, 1);
    }

    #[test]
    fn a_file_is_held_when_every_segment_has_its_committed_length_and_lineage() {
        let mut c = Committed::default();
        let segs = [seg(0, 100, 1), seg(50, 30, 1)];
        let mut ops = Vec::new();
        let states = c.plan_file("c/1/t-0", &segs, &mut ops);
        assert!(!c.holds("c/1/t-0", segs.iter().copied()), "nothing committed yet");
        c.files.insert("c/1/t-0".into(), states);
        assert!(c.holds("c/1/t-0", segs.iter().copied()));
        // Planning it again writes nothing, as `holds` says.
        ops.clear();
        c.plan_file("c/1/t-0", &segs, &mut ops);
        assert!(ops.is_empty());
        for changed in [
            vec![seg(0, 100, 1), seg(50, 31, 1)], // appended
            vec![seg(0, 100, 1), seg(50, 30, 2)], // rewritten
            vec![seg(0, 100, 1)],                 // a segment deleted
            vec![seg(0, 100, 1), seg(50, 30, 1), seg(80, 1, 1)],
            vec![seg(0, 100, 1), seg(60, 30, 1)],
        ] {
            assert!(!c.holds("c/1/t-0", changed.iter().copied()), "{changed:?}");
        }
        assert!(!c.holds("c/2/t-0", segs.iter().copied()), "another file");
    }

    #[test]
    fn removals_cover_only_the_prefix() {
        let mut c = Committed::default();
        for p in ["c/1/t-0", "c/2/t-0", "s/log"] {
            let mut st = FlatMap::new();
            st.insert(
                0,
                SegState {
                    lineage: 1,
                    len: 1,
                    chunks: 1,
                },
            );
            c.files.insert(p.into(), st);
        }
        let mut ops = Vec::new();
        let removed = c.plan_removals("c/", &|p| p == "c/1/t-0", &mut ops);
        assert_eq!(removed, vec!["c/2/t-0".to_string()]);
        assert_eq!(
            ops,
            vec![Op::DeleteSegment {
                path: "c/2/t-0".into(),
                base_offset: 0
            }]
        );
    }
}
