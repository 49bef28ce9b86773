//! Benchmarks of the IndexedDB engine in headless Chromium, run by
//! `cargo xtask bench` (ignored in `cargo xtask test`):
//!
//! - records/s persisted through the engine (a partition log on an
//!   [`IdbStore`], flushed and committed every 10,000 records) against raw
//!   IndexedDB puts of the same bytes under the same keys, one transaction per
//!   commit, measured in the same run (target: ≥ 80% of raw);
//! - the time to reload 1,000,000 stored 100-byte records: open the playground
//!   and recover the log from it, every batch's CRC checked (target: < 1.5 s).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, Uint8Array};
use kafkaplay_log::{BatchBuilder, LogConfig, MemoryStore, NewRecord, PartitionLog, SegmentStore};
use kafkaplay_storage_idb::{delete_playground, Playground};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const RECORD_BYTES: usize = 100;
const RECORDS_PER_BATCH: usize = 100;
const RECORDS_PER_COMMIT: usize = 10_000;

fn now_ms() -> f64 {
    let performance = Reflect::get(&js_sys::global(), &JsValue::from_str("performance")).unwrap();
    let now: js_sys::Function = Reflect::get(&performance, &JsValue::from_str("now")).unwrap().into();
    now.call0(&performance).unwrap().as_f64().unwrap()
}

fn line(case: &str, metric: &str, value: f64, unit: &str, target: Option<&str>) {
    let target = target.map_or_else(String::new, |t| format!(",\"target\":\"{t}\""));
    web_sys::console::log_1(&JsValue::from_str(&format!(
        "BENCH {{\"platform\":\"wasm\",\"case\":\"{case}\",\"metric\":\"{metric}\",\"value\":{value:.6},\"unit\":\"{unit}\"{target}}}"
    )));
}

/// Batches of 100 records with 100-byte values (built before any timing).
fn batches(records: usize) -> Vec<Vec<u8>> {
    let value = [0x5au8; RECORD_BYTES];
    (0..records / RECORDS_PER_BATCH)
        .map(|b| {
            let mut builder = BatchBuilder::new(0);
            for i in 0..RECORDS_PER_BATCH {
                builder.append(NewRecord::new(
                    1_000 + (b * RECORDS_PER_BATCH + i) as i64,
                    None,
                    Some(&value),
                ));
            }
            builder.build()
        })
        .collect()
}

fn config() -> LogConfig {
    LogConfig {
        segment_bytes: 1024 * 1024 * 1024,
        ..LogConfig::default()
    }
}

/// Writes every batch through the engine's `SegmentStore` (what a log does on
/// append), flushing and committing every 10,000 records.
async fn persist_through_store(name: &str, batches: &[Vec<u8>]) -> f64 {
    delete_playground(name).await.unwrap();
    let mut pg = Playground::open(name).await.unwrap();
    let mut store = pg.store("bench-0");
    store.create(0).unwrap();
    let per_commit = RECORDS_PER_COMMIT / RECORDS_PER_BATCH;
    let start = now_ms();
    for (i, b) in batches.iter().enumerate() {
        store.append(0, b).unwrap();
        if (i + 1) % per_commit == 0 || i + 1 == batches.len() {
            store.flush().unwrap();
            pg.commit(None).await.unwrap();
        }
    }
    let seconds = (now_ms() - start) / 1000.0;
    pg.close();
    seconds
}

/// Appends every batch through a partition log on the engine (the log's own
/// work included: validation, offsets, indexes), committing every 10,000 records.
async fn persist_through_engine(name: &str, batches: &[Vec<u8>]) -> f64 {
    delete_playground(name).await.unwrap();
    let mut pg = Playground::open(name).await.unwrap();
    let store = pg.store("bench-0");
    let mut log = PartitionLog::create("bench-0", store, config(), 0).unwrap();
    let per_commit = RECORDS_PER_COMMIT / RECORDS_PER_BATCH;
    let start = now_ms();
    for (i, b) in batches.iter().enumerate() {
        log.append_as_leader(b, 0, 1_000).unwrap();
        if (i + 1) % per_commit == 0 || i + 1 == batches.len() {
            log.flush().unwrap();
            pg.commit(None).await.unwrap();
        }
    }
    let seconds = (now_ms() - start) / 1000.0;
    pg.close();
    seconds
}

/// The bytes each of the engine's commits wrote (the log's segment grown by
/// 10,000 records), computed without IndexedDB.
fn commit_chunks(batches: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut log = PartitionLog::create("bench-0", MemoryStore::new(), config(), 0).unwrap();
    let per_commit = RECORDS_PER_COMMIT / RECORDS_PER_BATCH;
    let mut chunks = Vec::new();
    let mut written = 0;
    for (i, b) in batches.iter().enumerate() {
        log.append_as_leader(b, 0, 1_000).unwrap();
        if (i + 1) % per_commit == 0 || i + 1 == batches.len() {
            let bytes = &log.store().load().unwrap()[0].bytes;
            chunks.push(bytes[written..].to_vec());
            written = bytes.len();
        }
    }
    chunks
}

async fn idb_open(name: &str) -> web_sys::IdbDatabase {
    let factory = idb::Factory::new().unwrap();
    factory.delete(name).unwrap().await.unwrap();
    let mut request = factory.open(name, Some(1)).unwrap();
    request.on_upgrade_needed(|event| {
        use idb::DatabaseEvent;
        event
            .database()
            .unwrap()
            .create_object_store("segments", idb::ObjectStoreParams::new())
            .unwrap();
    });
    request.await.unwrap().into()
}

/// The same bytes put straight into IndexedDB: one transaction and one put per commit.
async fn persist_raw(name: &str, chunks: &[Vec<u8>]) -> f64 {
    let db = idb_open(name).await;
    let start = now_ms();
    for (n, chunk) in chunks.iter().enumerate() {
        let tx = db
            .transaction_with_str_and_mode("segments", web_sys::IdbTransactionMode::Readwrite)
            .unwrap();
        let store = tx.object_store("segments").unwrap();
        let key = Array::of3(
            &JsValue::from_str("s/bench-0"),
            &JsValue::from(0),
            &JsValue::from(n as u32),
        );
        store.put_with_key(&Uint8Array::from(&chunk[..]), &key).unwrap();
        let result = idb::Transaction::from(tx).await.unwrap();
        assert!(result.is_committed());
    }
    let seconds = (now_ms() - start) / 1000.0;
    db.close();
    seconds
}

#[wasm_bindgen_test]
#[ignore]
async fn bench_engine_against_raw_indexeddb() {
    let records = 200_000;
    let batches = batches(records);
    let chunks = commit_chunks(&batches);
    // Alternate the three, five times each, and keep each one's best run.
    let (mut engine, mut with_log, mut raw) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..5 {
        engine = engine.min(persist_through_store("bench-engine", &batches).await);
        with_log = with_log.min(persist_through_engine("bench-engine", &batches).await);
        raw = raw.min(persist_raw("kafkaplay-bench-raw", &chunks).await);
    }
    let case = "IndexedDB: 200,000 100-byte records, a commit per 10,000";
    line(
        case,
        "engine: store append + flush + commit",
        records as f64 / engine,
        "records/s",
        None,
    );
    line(
        case,
        "raw IndexedDB puts of the same bytes",
        records as f64 / raw,
        "records/s",
        None,
    );
    line(case, "engine / raw", 100.0 * raw / engine, "%", Some("≥ 80%"));
    line(
        case,
        "with the partition log's append (validation, indexes)",
        records as f64 / with_log,
        "records/s",
        None,
    );
    line(case, "with the log / raw", 100.0 * raw / with_log, "%", None);
    delete_playground("bench-engine").await.unwrap();
    idb::Factory::new()
        .unwrap()
        .delete("kafkaplay-bench-raw")
        .unwrap()
        .await
        .unwrap();
}

#[wasm_bindgen_test]
#[ignore]
async fn bench_reload_of_a_million_records() {
    let records = 1_000_000;
    let name = "bench-reload";
    persist_through_engine(name, &batches(records)).await;
    let start = now_ms();
    let mut pg = Playground::open(name).await.unwrap();
    let store = pg.store("bench-0");
    let stored = store.load().unwrap();
    let (log, report) = PartitionLog::recover("bench-0", stored, store, config(), 0).unwrap();
    let seconds = (now_ms() - start) / 1000.0;
    assert_eq!(log.log_end_offset(), records as i64);
    assert_eq!(report.truncated_bytes, 0);
    line(
        "IndexedDB: reload 1,000,000 stored 100-byte records",
        "open + load + recover (CRC checked)",
        seconds,
        "s",
        Some("< 1.5 s"),
    );
    pg.close();
    delete_playground(name).await.unwrap();
}
