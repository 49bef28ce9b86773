//! Bad bytes never panic and never make the decoder allocate what the bytes
//! cannot hold: random input, truncations, bit flips and lying length fields.

use kafkaplay_log::{BatchIter, BatchRef, DecodeError, LogConfig, MemoryStore, PartitionLog, StoredSegment};

use crate::support::*;

/// Decodes `bytes` every way the crate can; returns how many records decoded.
fn decode_all(bytes: &[u8]) -> usize {
    let mut n = 0;
    for item in BatchIter::new(bytes, 1 << 20, true) {
        match item {
            Ok((_, b)) => n += b.records().map(|r| r.len()).unwrap_or(0),
            Err(_) => break,
        }
    }
    if let Ok(b) = BatchRef::parse(bytes, bytes.len()) {
        let _ = b.records();
        let _ = b.validate();
    }
    let store = MemoryStore::with_segments(vec![StoredSegment {
        base_offset: 0,
        bytes: bytes.to_vec(),
    }]);
    let segments = kafkaplay_log::SegmentStore::load(&store).unwrap();
    let (log, report) = PartitionLog::recover("t-0", segments, store, LogConfig::default(), T0).unwrap();
    assert!(log.size_bytes() + report.truncated_bytes == bytes.len() as u64);
    n
}

fn valid_log_bytes(rng: &mut oorandom::Rand64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offset = 0;
    for _ in 0..rng.rand_range(1..5) {
        let mut b = kafkaplay_log::BatchBuilder::new(offset);
        for _ in 0..rng.rand_range(1..5) {
            let k = bytes(rng, 8);
            let v = bytes(rng, 30);
            b.append(kafkaplay_log::NewRecord::new(T0, Some(&k), Some(&v)).with_header("h", Some(b"x")));
        }
        offset += b.len() as i64;
        out.extend(b.build());
    }
    out
}

scenario! {
    fn random_bytes_never_panic() {
        for_each_seed("random_bytes_never_panic", 200, |rng, _| {
            let b = bytes(rng, 400);
            decode_all(&b);
        });
    }
}

scenario! {
    fn mutated_batches_never_panic() {
        for_each_seed("mutated_batches_never_panic", 300, |rng, seed| {
            let mut b = valid_log_bytes(rng);
            let total = decode_all(&b);
            assert!(total > 0, "seed {seed}: the unmutated log decodes");
            match rng.rand_range(0..4) {
                0 => b.truncate(rng.rand_range(0..b.len() as u64) as usize),
                1 => {
                    for _ in 0..rng.rand_range(1..4) {
                        let i = rng.rand_range(0..b.len() as u64) as usize;
                        b[i] ^= 1 << rng.rand_range(0..8);
                    }
                }
                2 => {
                    let i = rng.rand_range(0..b.len() as u64) as usize;
                    b.splice(i..i, bytes(rng, 16));
                }
                _ => {
                    // Overwrite a 4-byte window with an extreme integer.
                    let i = rng.rand_range(0..(b.len() as u64 - 4)) as usize;
                    let v = [i32::MAX, i32::MIN, -1, 0x7fff_fff0][rng.rand_range(0..4) as usize];
                    b[i..i + 4].copy_from_slice(&v.to_be_bytes());
                }
            }
            decode_all(&b);
        });
    }
}

scenario! {
    /// A header that claims two billion records over a few bytes is refused
    /// after reading what is there, without reserving room for two billion.
    fn lying_record_count_is_an_error_not_an_allocation() {
        let mut b = batch([rec(T0, None, Some("hello"))]);
        b[57..61].copy_from_slice(&i32::MAX.to_be_bytes());
        let crc = kafkaplay_log::crc32c::crc32c(&b[21..]);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
        let r = BatchRef::parse_exact(&b).unwrap();
        assert!(matches!(r.records(), Err(DecodeError::Truncated(_)) | Err(DecodeError::InvalidRecord(_))));
    }
}

scenario! {
    fn size_field_below_overhead_is_kafkas_error() {
        let mut b = batch([rec(T0, None, Some("hello"))]);
        b[8..12].copy_from_slice(&10i32.to_be_bytes());
        let e = BatchRef::parse(&b, usize::MAX).unwrap_err();
        assert_eq!(e.to_string(), "Record batch is corrupt (the size 22 is smaller than the minimum allowed overhead 61)");
    }
}

scenario! {
    fn crc_mismatch_is_kafkas_error() {
        let mut b = batch([rec(T0, None, Some("hello"))]);
        let stored = u32::from_be_bytes(b[17..21].try_into().unwrap());
        b[70] ^= 0xff;
        let computed = kafkaplay_log::crc32c::crc32c(&b[21..]);
        let e = BatchRef::parse_exact(&b).unwrap_err();
        assert_eq!(e.to_string(), format!("Record is corrupt (stored crc = {stored}, computed crc = {computed})"));
    }
}
