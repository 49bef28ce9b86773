//! Whatever a producer puts in a batch comes back out of its bytes.

use kafkaplay_log::{BatchBuilder, BatchRef, NewRecord, TimestampType};

use crate::support::*;

fn random_record(rng: &mut oorandom::Rand64, ts: i64) -> NewRecord {
    let maybe = |rng: &mut oorandom::Rand64, max| (rng.rand_range(0..4) != 0).then(|| bytes(rng, max));
    let mut r = NewRecord {
        timestamp: ts,
        key: maybe(rng, 40),
        value: maybe(rng, 300),
        headers: Vec::new(),
    };
    for i in 0..rng.rand_range(0..4) {
        let value = maybe(rng, 20);
        r.headers.push(kafkaplay_log::Header {
            key: format!("h{i}-{}", rng.rand_range(0..1000)),
            value,
        });
    }
    r
}

scenario! {
    fn random_batches_round_trip() {
        for_each_seed("random_batches_round_trip", 64, |rng, seed| {
            let base_ts = T0 + rng.rand_range(0..1_000_000) as i64;
            let n = rng.rand_range(1..60);
            let records: Vec<NewRecord> = (0..n)
                .map(|_| {
                    // Timestamps may go backwards within a batch (negative deltas).
                    let ts = base_ts + rng.rand_range(0..20_000) as i64 - 10_000;
                    random_record(rng, ts)
                })
                .collect();
            let base_offset = rng.rand_range(0..1 << 40) as i64;
            let mut builder = BatchBuilder::new(base_offset)
                .partition_leader_epoch(rng.rand_range(0..100) as i32)
                .producer(rng.rand_range(0..1000) as i64, rng.rand_range(0..10) as i16, rng.rand_range(0..1000) as i32)
                .transactional(rng.rand_range(0..2) == 1);
            for r in &records {
                builder.append(r.clone());
            }
            let bytes = builder.build();
            let b = BatchRef::parse_exact(&bytes).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert_eq!(b.base_offset(), base_offset, "seed {seed}");
            assert_eq!(b.records_count() as u64, n, "seed {seed}");
            assert_eq!(b.last_offset(), base_offset + n as i64 - 1, "seed {seed}");
            assert_eq!(b.max_timestamp(), records.iter().map(|r| r.timestamp).max().unwrap(), "seed {seed}");
            assert_eq!(b.base_timestamp(), records[0].timestamp, "seed {seed}");
            let decoded = b.records().unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            for (i, (d, r)) in decoded.iter().zip(&records).enumerate() {
                assert_eq!(d.offset, base_offset + i as i64, "seed {seed}");
                assert_eq!(d.timestamp, r.timestamp, "seed {seed}");
                assert_eq!((&d.key, &d.value, &d.headers), (&r.key, &r.value, &r.headers), "seed {seed} record {i}");
                assert_eq!(d.sequence, b.base_sequence() + i as i32, "seed {seed}");
            }
            let sizes: u32 = decoded.iter().map(|r| r.size_in_bytes).sum();
            assert_eq!(sizes as usize + 61, bytes.len(), "seed {seed}: record sizes add up");
        });
    }
}

scenario! {
    fn flags_and_producer_fields_survive() {
        let mut b = BatchBuilder::new(7)
            .timestamp_type(TimestampType::LogAppendTime)
            .producer(42, 3, 100)
            .transactional(true)
            .partition_leader_epoch(5);
        b.append(rec(T0, Some("k"), Some("v")));
        b.append(rec(T0 + 1, Some("k"), None));
        let bytes = b.build();
        let r = BatchRef::parse_exact(&bytes).unwrap();
        assert_eq!(r.timestamp_type(), TimestampType::LogAppendTime);
        assert!(r.is_transactional() && !r.is_control());
        assert_eq!((r.producer_id(), r.producer_epoch(), r.base_sequence(), r.last_sequence()), (42, 3, 100, 101));
        assert_eq!(r.partition_leader_epoch(), 5);
        assert_eq!(r.delete_horizon_ms(), None);
        // Under LogAppendTime every record reports the batch's max timestamp.
        let recs = r.records().unwrap();
        assert!(recs.iter().all(|x| x.timestamp == T0 + 1));
        assert_eq!(recs[1].value, None, "a tombstone keeps its null value");
    }
}

scenario! {
    fn sequences_wrap_at_i32_max() {
        let mut b = BatchBuilder::new(0).producer(1, 0, i32::MAX);
        b.append(rec(T0, Some("a"), Some("1")));
        b.append(rec(T0, Some("b"), Some("2")));
        let bytes = b.build();
        let r = BatchRef::parse_exact(&bytes).unwrap();
        assert_eq!(r.last_sequence(), 0);
        assert_eq!(r.records().unwrap()[1].sequence, 0);
    }
}
