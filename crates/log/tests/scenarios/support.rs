//! Helpers shared by the scenarios. Every scenario runs natively (`cargo test`)
//! and in headless Chromium (`wasm-bindgen-test`), from the same source.

use kafkaplay_log::{BatchBuilder, LogConfig, MemoryStore, NewRecord, PartitionLog};

/// Declares a test that runs natively and in the browser.
macro_rules! scenario {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() $body
    };
}

pub const T0: i64 = 1_700_000_000_000;

pub fn rec(ts: i64, key: Option<&str>, value: Option<&str>) -> NewRecord {
    NewRecord::new(ts, key.map(str::as_bytes), value.map(str::as_bytes))
}

/// A producer's batch (base offset 0) of the given records.
pub fn batch(records: impl IntoIterator<Item = NewRecord>) -> Vec<u8> {
    let mut b = BatchBuilder::new(0);
    for r in records {
        b.append(r);
    }
    b.build()
}

pub fn new_log(config: LogConfig) -> PartitionLog<MemoryStore> {
    PartitionLog::create("t-0", MemoryStore::new(), config, T0).expect("create log")
}

/// Appends one single-record batch per (key, value) as leader epoch 0, at `ts`.
pub fn produce(log: &mut PartitionLog<MemoryStore>, ts: i64, kvs: &[(Option<&str>, Option<&str>)]) {
    for (k, v) in kvs {
        log.append_as_leader(&batch([rec(ts, *k, *v)]), 0, ts).expect("append");
    }
}

/// A record as (offset, key, value), key and value as text.
pub type Row = (i64, Option<String>, Option<String>);

/// All records in the log.
pub fn contents(log: &PartitionLog<MemoryStore>) -> Vec<Row> {
    let s = |b: Option<Vec<u8>>| b.map(|b| String::from_utf8(b).unwrap());
    log.batches()
        .flat_map(|(_, b)| b.records().unwrap())
        .map(|r| (r.offset, s(r.key), s(r.value)))
        .collect()
}

/// Seeds for randomized scenarios: `KAFKAPLAY_SEED` pins one natively; otherwise
/// a fixed list, so every run (native or wasm) checks the same cases.
pub fn seeds(count: u64) -> Vec<u64> {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(s) = std::env::var("KAFKAPLAY_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![s];
    }
    (0..count).map(|i| 0x5eed_0000 + i).collect()
}

/// Runs `case` for each seed. Natively a failure is caught and re-raised with the
/// seed and the command that replays it; in wasm (where panics abort) cases put
/// the seed in their assertion messages themselves.
pub fn for_each_seed(name: &str, count: u64, mut case: impl FnMut(&mut oorandom::Rand64, u64)) {
    for seed in seeds(count) {
        let mut rng = oorandom::Rand64::new(seed as u128);
        #[cfg(not(target_arch = "wasm32"))]
        {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&mut rng, seed)));
            if let Err(e) = result {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!(
                    "{name} failed for seed {seed}: {msg}\nreplay: KAFKAPLAY_SEED={seed} cargo test -p kafkaplay-log --test scenarios {name}"
                );
            }
        }
        #[cfg(target_arch = "wasm32")]
        {
            // The cases' own messages carry the seed there.
            let _ = name;
            case(&mut rng, seed);
        }
    }
}

pub fn bytes(rng: &mut oorandom::Rand64, max_len: u64) -> Vec<u8> {
    let n = rng.rand_range(0..max_len + 1);
    (0..n).map(|_| rng.rand_u64() as u8).collect()
}
