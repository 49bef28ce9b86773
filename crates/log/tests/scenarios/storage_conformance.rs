//! The in-memory engine passes the suite every storage engine must pass.

use kafkaplay_log::storage::conformance;
use kafkaplay_log::{MemoryStore, SegmentStore, StoredSegment};

scenario! {
    fn memory_store_passes_the_conformance_suite() {
        conformance::run_all(MemoryStore::new);
    }
}

scenario! {
    fn memory_store_crash_loses_only_unflushed_writes() {
        let mut s = MemoryStore::new();
        s.create(0).unwrap();
        s.append(0, b"durable").unwrap();
        s.flush().unwrap();
        s.append(0, b"-lost").unwrap();
        s.create(100).unwrap();
        s.crash();
        assert_eq!(s.load().unwrap(), vec![StoredSegment { base_offset: 0, bytes: b"durable".to_vec() }]);
        s.truncate(0, 3).unwrap();
        s.crash();
        assert_eq!(s.load().unwrap()[0].bytes, b"durable", "an unflushed truncation is undone too");
    }
}

scenario! {
    fn a_full_disk_fails_writes_and_keeps_data() {
        let mut s = MemoryStore::new();
        s.create(0).unwrap();
        s.append(0, b"kept").unwrap();
        s.set_fail_writes(Some("disk full"));
        assert_eq!(s.append(0, b"x").unwrap_err().to_string(), "disk full");
        assert!(s.flush().is_err());
        s.set_fail_writes(None);
        s.flush().unwrap();
        assert_eq!(s.load().unwrap()[0].bytes, b"kept");
    }
}

scenario! {
    fn memory_store_passes_the_conformance_suite_with_a_crash_as_reopen() {
        conformance::run_all_memory_with_crashes();
    }
}

scenario! {
    fn durable_lineage_changes_on_rewrite_and_not_on_append() {
        let mut s = MemoryStore::new();
        s.create(0).unwrap();
        s.append(0, b"ab").unwrap();
        s.flush().unwrap();
        let first = s.durable_segments().next().unwrap().lineage;
        s.append(0, b"cd").unwrap();
        assert_eq!(s.durable_segments().next().unwrap().bytes, b"ab", "unflushed bytes are not durable");
        s.flush().unwrap();
        let seg = s.durable_segments().next().unwrap();
        assert_eq!((seg.bytes, seg.lineage), (&b"abcd"[..], first), "an append keeps the lineage");
        s.truncate(0, 1).unwrap();
        s.flush().unwrap();
        let seg = s.durable_segments().next().unwrap();
        assert_eq!(seg.bytes, b"a");
        assert_ne!(seg.lineage, first, "a truncation starts a new lineage");
        let other = MemoryStore::with_segments(vec![StoredSegment { base_offset: 0, bytes: b"a".to_vec() }]);
        assert_ne!(other.durable_segments().next().unwrap().lineage, seg.lineage, "lineages are unique across stores");
        assert!(!s.has_unflushed_writes());
        s.append(0, b"z").unwrap();
        assert!(s.has_unflushed_writes());
    }
}

scenario! {
    fn rewrites_before_a_flush_keep_the_durable_bytes_for_a_crash() {
        let mut s = MemoryStore::new();
        s.create(0).unwrap();
        s.append(0, b"0123456789").unwrap();
        s.create(10).unwrap();
        s.append(10, b"abc").unwrap();
        s.flush().unwrap();
        // Rewrites of every kind, none flushed: truncate then regrow past the
        // old length, delete then recreate, replace.
        s.truncate(0, 2).unwrap();
        s.append(0, b"XXXXXXXXXXXXXXXX").unwrap();
        s.delete(10).unwrap();
        s.create(10).unwrap();
        s.append(10, b"zz").unwrap();
        let durable: Vec<(i64, Vec<u8>)> = s.durable_segments().map(|d| (d.base_offset, d.bytes.to_vec())).collect();
        assert_eq!(durable, vec![(0, b"0123456789".to_vec()), (10, b"abc".to_vec())]);
        assert_eq!(s.unflushed_bytes(), 8 + 1);
        s.crash();
        assert_eq!(
            s.load().unwrap(),
            vec![
                StoredSegment { base_offset: 0, bytes: b"0123456789".to_vec() },
                StoredSegment { base_offset: 10, bytes: b"abc".to_vec() },
            ]
        );
        // A truncation that keeps the durable prefix, then a flush.
        s.truncate(0, 12).unwrap_or(());
        s.append(0, b"!").unwrap();
        s.flush().unwrap();
        s.crash();
        assert_eq!(s.load().unwrap()[0].bytes, b"0123456789!");
    }
}
