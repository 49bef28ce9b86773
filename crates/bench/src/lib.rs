//! Benchmarks of the partition log's append path, identical natively and in wasm
//! (the cluster simulation's are in [`cluster`]).
//! The clock comes from outside (`Instant` natively, `performance.now()` in the browser);
//! each case prints one `BENCH {json}` line that `cargo xtask bench` collects into
//! BENCHMARKS.md. Speed is measured here and never asserted in tests.

pub mod cluster;
pub mod groups;

use kafkaplay_log::{BatchBuilder, LogConfig, MemoryStore, NewRecord, PartitionLog};

/// One measured case.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub case: String,
    pub records: u64,
    pub bytes: u64,
    pub seconds: f64,
}

impl Measurement {
    /// The line `cargo xtask bench` parses.
    pub fn line(&self, platform: &str) -> String {
        format!(
            "BENCH {{\"platform\":\"{platform}\",\"case\":\"{}\",\"records\":{},\"bytes\":{},\"seconds\":{:.6}}}",
            self.case, self.records, self.bytes, self.seconds
        )
    }
}

/// 100-byte values, no key: the record size the issue asks about.
pub const VALUE_BYTES: usize = 100;

fn producer_batch(records_per_batch: usize, ts: i64) -> Vec<u8> {
    let mut b = BatchBuilder::new(0);
    for i in 0..records_per_batch {
        let mut value = [b'x'; VALUE_BYTES];
        value[..8].copy_from_slice(&(i as u64).to_be_bytes());
        b.append(NewRecord::new(ts, None, Some(&value)));
    }
    b.build()
}

fn fresh_log() -> PartitionLog<MemoryStore> {
    // 64 MiB segments, as a busy topic would roll; the default 1 GiB would make
    // one huge allocation the only thing measured.
    let config = LogConfig {
        segment_bytes: 64 * 1024 * 1024,
        ..LogConfig::default()
    };
    PartitionLog::create("bench-0", MemoryStore::new(), config, 0).expect("create log")
}

/// Leader appends of a pre-encoded producer batch: validation (CRC, every record
/// decoded), offset assignment, segment and index update, the store write.
fn append_case(records: u64, per_batch: usize, now_ms: &dyn Fn() -> f64) -> Measurement {
    let batch = producer_batch(per_batch, 1_700_000_000_000);
    let batches = records / per_batch as u64;
    let mut log = fresh_log();
    let start = now_ms();
    for _ in 0..batches {
        log.append_as_leader(&batch, 0, 1_700_000_000_000).expect("append");
    }
    let seconds = (now_ms() - start) / 1000.0;
    assert_eq!(log.log_end_offset() as u64, batches * per_batch as u64);
    Measurement {
        case: format!("append, {per_batch} record(s) per batch"),
        records: batches * per_batch as u64,
        bytes: batches * batch.len() as u64,
        seconds,
    }
}

/// A producer encoding each batch and the leader appending it.
fn encode_append_case(records: u64, per_batch: usize, now_ms: &dyn Fn() -> f64) -> Measurement {
    let batches = records / per_batch as u64;
    let mut log = fresh_log();
    let mut bytes = 0u64;
    let start = now_ms();
    for i in 0..batches {
        let batch = producer_batch(per_batch, 1_700_000_000_000 + i as i64);
        bytes += batch.len() as u64;
        log.append_as_leader(&batch, 0, 1_700_000_000_000).expect("append");
    }
    let seconds = (now_ms() - start) / 1000.0;
    Measurement {
        case: format!("encode + append, {per_batch} records per batch"),
        records: batches * per_batch as u64,
        bytes,
        seconds,
    }
}

/// The ceiling: copying the same bytes, batch by batch, into growing buffers
/// (a log segment and the store each hold a copy, so twice).
fn memcpy_case(records: u64, per_batch: usize, now_ms: &dyn Fn() -> f64) -> Measurement {
    let batch = producer_batch(per_batch, 1_700_000_000_000);
    let batches = records / per_batch as u64;
    let start = now_ms();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..batches {
        a.extend_from_slice(&batch);
        b.extend_from_slice(&batch);
    }
    let seconds = (now_ms() - start) / 1000.0;
    assert_eq!(a.len() + b.len(), 2 * batches as usize * batch.len());
    Measurement {
        case: format!("memcpy ceiling (2 copies), {per_batch} records per batch"),
        records: batches * per_batch as u64,
        bytes: batches * batch.len() as u64,
        seconds,
    }
}

/// Every case, each the best of `rounds` runs. Natively, each round's fresh
/// buffers come from the OS and are paid for in page faults; wasm's linear memory,
/// once grown, is reused by later rounds, so best-of favours wasm a little.
pub fn run_all(now_ms: &dyn Fn() -> f64, rounds: u32) -> Vec<Measurement> {
    type Case = fn(u64, usize, &dyn Fn() -> f64) -> Measurement;
    let cases: [(Case, u64, usize); 5] = [
        (append_case, 500_000, 1),
        (append_case, 1_000_000, 100),
        (encode_append_case, 1_000_000, 100),
        (memcpy_case, 500_000, 1),
        (memcpy_case, 1_000_000, 100),
    ];
    cases
        .iter()
        .map(|&(case, records, per_batch)| {
            (0..rounds.max(1))
                .map(|_| case(records, per_batch, now_ms))
                .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
                .expect("at least one round")
        })
        .collect()
}
