//! Benchmark results: parsing the `BENCH {json}` lines that crates/bench prints
//! (natively on stdout, in wasm through `console.log`, which
//! wasm-bindgen-test-runner copies to stdout under `--nocapture`), and writing
//! BENCHMARKS.md.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::Result;

/// One throughput `BENCH {...}` line (records, bytes, seconds): the log cases.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    /// "native" or "wasm".
    pub platform: String,
    pub case: String,
    pub records: u64,
    pub bytes: u64,
    pub seconds: f64,
}

impl BenchResult {
    pub fn records_per_second(&self) -> f64 {
        self.records as f64 / self.seconds
    }

    /// Megabytes (10^6 bytes) per second.
    pub fn megabytes_per_second(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds
    }

    /// Seconds per record: the ratio column compares these, so it stays right
    /// when the two platforms ran different record counts.
    fn seconds_per_record(&self) -> f64 {
        self.seconds / self.records as f64
    }
}

/// One measurement `BENCH {...}` line: a named quantity with its unit (the
/// cluster cases), `{"platform","case","metric","value","unit"}` and optionally
/// `"target"`, instead of records/bytes/seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricResult {
    /// "native" or "wasm".
    pub platform: String,
    pub case: String,
    pub metric: String,
    pub value: f64,
    pub unit: String,
    /// What the issue asks for, as text (e.g. "≥ 20× in wasm").
    pub target: Option<String>,
}

/// The `BENCH {json}` lines of `output`, as their JSON text. The marker may
/// follow a prefix (a test runner may indent console output); anything else on
/// other lines is ignored.
fn bench_lines(output: &str) -> impl Iterator<Item = (&str, &str)> {
    output.lines().filter_map(|line| {
        let start = line.find("BENCH {")?;
        Some((line.trim(), line[start + "BENCH ".len()..].trim()))
    })
}

/// Every throughput `BENCH {json}` line in `output` (lines with a `"metric"`
/// field are measurements, see [`parse_metrics`], and are skipped here).
pub fn parse_output(output: &str) -> Result<Vec<BenchResult>> {
    let mut results = Vec::new();
    for (line, json) in bench_lines(output) {
        let bad = |e: String| format!("bad BENCH line `{line}`: {e}");
        let fields = parse_flat_object(json).map_err(bad)?;
        if fields.contains_key("metric") {
            continue;
        }
        results.push(parse_result(&fields).map_err(bad)?);
    }
    Ok(results)
}

/// Every measurement `BENCH {json}` line (those with a `"metric"` field) in `output`.
pub fn parse_metrics(output: &str) -> Result<Vec<MetricResult>> {
    let mut results = Vec::new();
    for (line, json) in bench_lines(output) {
        let bad = |e: String| format!("bad BENCH line `{line}`: {e}");
        let fields = parse_flat_object(json).map_err(bad)?;
        if !fields.contains_key("metric") {
            continue;
        }
        results.push(parse_metric(&fields).map_err(bad)?);
    }
    Ok(results)
}

fn string_field(fields: &BTreeMap<String, Json>, key: &str) -> Result<String> {
    match fields.get(key) {
        Some(Json::String(s)) => Ok(s.clone()),
        _ => Err(format!("field {key:?} must be a string")),
    }
}

fn check_platform(platform: &str) -> Result<()> {
    if platform != "native" && platform != "wasm" {
        return Err(format!("platform must be \"native\" or \"wasm\", not {platform:?}"));
    }
    Ok(())
}

fn parse_metric(fields: &BTreeMap<String, Json>) -> Result<MetricResult> {
    let value = match fields.get("value") {
        Some(Json::Number(n)) if n.is_finite() => *n,
        _ => return Err("field \"value\" must be a finite number".into()),
    };
    let target = match fields.get("target") {
        None => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(_) => return Err("field \"target\" must be a string".into()),
    };
    let result = MetricResult {
        platform: string_field(fields, "platform")?,
        case: string_field(fields, "case")?,
        metric: string_field(fields, "metric")?,
        value,
        unit: string_field(fields, "unit")?,
        target,
    };
    check_platform(&result.platform)?;
    Ok(result)
}

fn parse_result(fields: &BTreeMap<String, Json>) -> Result<BenchResult> {
    let string = |key: &str| string_field(fields, key);
    let number = |key: &str| match fields.get(key) {
        Some(Json::Number(n)) => Ok(*n),
        _ => Err(format!("field {key:?} must be a number")),
    };
    let integer = |key: &str| {
        let n = number(key)?;
        if n >= 0.0 && n.fract() == 0.0 && n <= u64::MAX as f64 {
            Ok(n as u64)
        } else {
            Err(format!("field {key:?} must be a non-negative integer"))
        }
    };
    let result = BenchResult {
        platform: string("platform")?,
        case: string("case")?,
        records: integer("records")?,
        bytes: integer("bytes")?,
        seconds: number("seconds")?,
    };
    check_platform(&result.platform)?;
    if !(result.seconds > 0.0 && result.seconds.is_finite()) {
        return Err("seconds must be positive".into());
    }
    Ok(result)
}

#[derive(Clone, Debug, PartialEq)]
enum Json {
    String(String),
    Number(f64),
    Other,
}

/// A JSON object whose values are strings, numbers, booleans or null (no
/// nesting): all a BENCH line carries. Keeps xtask free of serde.
fn parse_flat_object(s: &str) -> Result<BTreeMap<String, Json>> {
    let mut p = Parser { s: s.as_bytes(), i: 0 };
    let mut fields = BTreeMap::new();
    p.expect(b'{')?;
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            let key = p.string()?;
            p.expect(b':')?;
            let value = p.value()?;
            fields.insert(key, value);
            match p.next() {
                Some(b',') => continue,
                Some(b'}') => break,
                _ => return Err(format!("expected , or }} at byte {}", p.i)),
            }
        }
    }
    p.skip_ws();
    if p.i != p.s.len() {
        return Err(format!("trailing text at byte {}", p.i));
    }
    Ok(fields)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Result<()> {
        match self.next() {
            Some(b) if b == want => Ok(()),
            _ => Err(format!("expected {:?} at byte {}", want as char, self.i)),
        }
    }

    fn string(&mut self) -> Result<String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let b = *self.s.get(self.i).ok_or("unterminated string")?;
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let e = *self.s.get(self.i).ok_or("unterminated escape")?;
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'u' => {
                            let hex = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
                            let code = u32::from_str_radix(std::str::from_utf8(hex).map_err(|e| e.to_string())?, 16)
                                .map_err(|e| e.to_string())?;
                            self.i += 4;
                            let c = char::from_u32(code).unwrap_or('\u{fffd}');
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        _ => return Err(format!("bad escape \\{}", e as char)),
                    }
                }
                _ => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|e| e.to_string())
    }

    fn value(&mut self) -> Result<Json> {
        match self.peek() {
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).expect("ASCII");
                text.parse()
                    .map(Json::Number)
                    .map_err(|_| format!("bad number {text:?}"))
            }
            _ => {
                for word in ["true", "false", "null"] {
                    if self.s[self.i..].starts_with(word.as_bytes()) {
                        self.i += word.len();
                        return Ok(Json::Other);
                    }
                }
                Err(format!("unsupported value at byte {}", self.i))
            }
        }
    }
}

/// `1234567.8` → `1,234,568`.
fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// The markdown table: one row per (case, platform), cases in order of first
/// appearance, native before wasm. The ratio column is wasm's time per record
/// divided by native's (2.00× = wasm takes twice as long).
pub fn table(results: &[BenchResult]) -> String {
    let mut cases: Vec<&str> = Vec::new();
    for r in results {
        if !cases.contains(&r.case.as_str()) {
            cases.push(&r.case);
        }
    }
    let mut out = String::from("| case | platform | records/s | MB/s | wasm÷native time ratio |\n");
    out.push_str("|---|---|---:|---:|---:|\n");
    for case in cases {
        let native = results.iter().find(|r| r.case == case && r.platform == "native");
        for platform in ["native", "wasm"] {
            for r in results.iter().filter(|r| r.case == case && r.platform == platform) {
                let ratio = match (platform, native) {
                    ("native", _) => "—".to_string(),
                    (_, Some(n)) => {
                        format!("{:.2}×", r.seconds_per_record() / n.seconds_per_record())
                    }
                    (_, None) => "n/a".to_string(),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {:.1} | {} |",
                    r.case.replace('|', "\\|"),
                    r.platform,
                    thousands(r.records_per_second()),
                    r.megabytes_per_second(),
                    ratio
                );
            }
        }
    }
    out
}

/// A measurement with its unit: `154 ms`, `36.6×`, `9,322 bytes`.
fn quantity(value: f64, unit: &str) -> String {
    let number = if value.abs() >= 100.0 {
        thousands(value)
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    match unit {
        "" => number,
        "×" | "%" => format!("{number}{unit}"),
        _ => format!("{number} {unit}"),
    }
}

/// The cluster table: one row per (case, metric) in order of first appearance,
/// the native and wasm values side by side, their ratio, and the target if the
/// line names one. A case's name is shown on its first row only.
/// How many fresh browsers run the cluster's wasm benchmark: its first
/// create is also the first run of V8's code for it, whose time moves a lot
/// between browsers, so the table shows the median.
pub const WASM_CLUSTER_RUNS: usize = 3;

/// One list of metrics from several runs: each (platform, case, metric) has
/// the median of its values (the upper middle of an even count), in the order
/// of the first run. Metrics whose name starts with `spread_of` also get rows
/// with the fastest and the slowest run.
pub fn median_metrics(runs: &[Vec<MetricResult>], spread_of: &str) -> Vec<MetricResult> {
    let mut out: Vec<MetricResult> = Vec::new();
    let key = |m: &MetricResult| (m.platform.clone(), m.case.clone(), m.metric.clone());
    for m in runs.iter().flatten() {
        if out.iter().any(|o| key(o) == key(m)) {
            continue;
        }
        let mut values: Vec<f64> = runs
            .iter()
            .flatten()
            .filter(|x| key(x) == key(m))
            .map(|x| x.value)
            .collect();
        values.sort_by(f64::total_cmp);
        out.push(MetricResult {
            value: values[values.len() / 2],
            ..m.clone()
        });
        if values.len() > 1 && !spread_of.is_empty() && m.metric.starts_with(spread_of) {
            for (which, v) in [("fastest", values[0]), ("slowest", values[values.len() - 1])] {
                out.push(MetricResult {
                    metric: format!(
                        "{} ({which} of {} runs, each in a fresh browser)",
                        m.metric,
                        values.len()
                    ),
                    value: v,
                    target: None,
                    ..m.clone()
                });
            }
        }
    }
    out
}

pub fn metrics_table(metrics: &[MetricResult]) -> String {
    let mut rows: Vec<(&str, &str)> = Vec::new();
    for m in metrics {
        if !rows.contains(&(m.case.as_str(), m.metric.as_str())) {
            rows.push((&m.case, &m.metric));
        }
    }
    let mut out = String::from("| case | measurement | native | wasm | wasm÷native | target |\n");
    out.push_str("|---|---|---:|---:|---:|---|\n");
    let mut last_case = None;
    for (case, metric) in rows {
        let find = |platform: &str| {
            metrics
                .iter()
                .find(|m| m.case == case && m.metric == metric && m.platform == platform)
        };
        let (native, wasm) = (find("native"), find("wasm"));
        let show = |m: Option<&MetricResult>| m.map_or_else(|| "n/a".to_string(), |m| quantity(m.value, &m.unit));
        let ratio = match (native, wasm) {
            (Some(n), Some(w)) if n.value != 0.0 => format!("{:.2}", w.value / n.value),
            _ => "n/a".to_string(),
        };
        let target = native.or(wasm).and_then(|m| m.target.as_deref()).unwrap_or("");
        let case_cell = if last_case == Some(case) { "" } else { case };
        last_case = Some(case);
        let cell = |s: &str| s.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(case_cell),
            cell(metric),
            show(native),
            show(wasm),
            ratio,
            cell(target)
        );
    }
    out
}

/// Where the numbers came from.
#[derive(Clone, Debug, Default)]
pub struct Machine {
    pub nproc: String,
    pub cpu_model: String,
    pub native_rustc: String,
    pub wasm_rustc: String,
    pub chromium: String,
    pub date: String,
}

/// What the cases measure and what to keep in mind when comparing them.
const READING: &str = "
## Reading the numbers

- Records are 100-byte values with no key. *append* is the partition leader's
  `append_as_leader` of a producer batch that was encoded beforehand: every record
  is decoded to validate it, the CRC-32C is checked, offsets and the leader epoch
  are written, the segment and its indexes are updated, and the bytes are written
  through the in-memory `SegmentStore`. *encode + append* also encodes each batch,
  the producer's share of the work. The *memcpy ceiling* copies the same batch
  bytes into two growing buffers (the segment's and the store's copy); no append
  can do better.
- Each case is the best of three rounds. Natively, every round's buffers are
  freshly mapped from the OS and pay first-touch page faults (glibc returns large
  blocks on free). Wasm's linear memory only ever grows, so later rounds reuse pages
  that are already mapped. This is why the wasm memcpy rows can beat native ones.
  The append rows are closer, because decoding and CRC work dominate there.
- Targets of the foundation issue: at least 1 million records/s batched in wasm,
  and wasm no slower than 1.6x native.
";

/// What the IndexedDB cases measure (`crates/storage-idb/tests/idb_bench.rs`).
const IDB_READING: &str = "
## Reading the IndexedDB numbers

- Measurements of the IndexedDB engine (issue 7), `kafkaplay-storage-idb`'s
  `tests/idb_bench.rs`, in headless Chromium only (there is no IndexedDB
  natively). Batches of 100 records with 100-byte values are built before the
  clock starts.
- *engine*: the batches are appended to an `IdbStore` (the engine's
  `SegmentStore`), and every 10,000 records the store is flushed and the
  playground committed: one IndexedDB transaction that puts the bytes appended
  since the last commit as one chunk. *raw*: the very same chunks are put under
  the same keys with `web-sys`, one transaction per chunk, in a database of
  its own. The two alternate five times in one run and each keeps its best
  time; *engine / raw* is raw's time over the engine's (target ≥ 80%). The
  rows *with the partition log's append* add the log's own work (batch
  validation, offset assignment, indexes) to the engine's.
- *reload*: 1,000,000 records are stored through the engine first; then the
  time from `Playground::open` (which reads every chunk) until
  `PartitionLog::recover` has rebuilt the log, every batch's CRC checked.
";

/// What the cluster cases measure.
const CLUSTER_READING: &str = "
## Reading the cluster numbers

- Measurements of the `kafkaplay-cluster` simulation (issue 4), from
  `crates/bench/src/cluster.rs`. The wall-clock time is the browser's
  `performance.now()` in wasm and `Instant` natively; the simulated clock is the
  simulation's own. Rows in *ms simulated* show how much simulated time the
  same step took; they are the same on both platforms because the simulation is
  deterministic (seed 4), so their ratio is 1.00. The ratio column divides the
  wasm value by the native one: for times above 1 means wasm is slower, for the
  speed row below 1 means wasm is slower.
- *Simulation speed*: 3 brokers and 3 KRaft controllers, a topic of 6
  partitions with replication factor 3, and an idempotent acks=all producer
  given 100 records (keys `key-N`, 100-byte values) every 10 ms of simulated
  time, which is 10,000 records per simulated second. The topic has
  `segment.bytes=262144` and `retention.bytes=1048576`, so retention keeps the
  logs small however long the run is, and its work is part of what is
  measured. After one simulated second of warm-up, whole simulated seconds run
  until at least 2 s of wall time have passed. Every record must be
  acknowledged, except those still in flight at the end.
- *Scale*: 50 brokers, 1 KRaft controller, and one `CreateTopic` request of 5,000
  partitions with replication factor 3, which gives 15,000 replicas.
  *create* is the wall time from the admin request until every replica's
  broker reports its role (`replica_info`) for the leader and leader epoch
  that the metadata holds. The harness checks this each time the simulated
  clock moves on, and the time those checks take is subtracted. *create
  again* repeats it in a new cluster after the kill below, in the same
  process (both platforms touch fresh memory the first time). In wasm, the
  first create is also the first run of much of its code: V8 starts every
  function in its baseline compiler (Liftoff) and compiles hot ones with its
  optimizing compiler (TurboFan) in the background, and a call that is
  running keeps the code it started with. With every function optimized
  before the run (`--js-flags=--no-wasm-lazy-compilation --no-liftoff`, for
  diagnosis only) the first create takes as long as the second. So the
  create path does its per-partition work in small functions called once per
  partition or replica, which V8 optimizes while the create runs; the second
  create shows what the simulation itself costs. The harness waits 2 s of
  wall time between the cluster being ready and the create request, as a
  person typing the command does, so that V8's background compiles of the
  start-up's hot code are not counted in the create: without the wait, on
  this 2-CPU machine, the first create took 107 to 202 ms in five runs; with
  it, 62 to 103 ms. The wasm rows are the median of three runs, each in a
  fresh browser (the first create's fastest and slowest runs are shown too).
  Topic names are shared,
  interned values (`Topic`): before, the 5,000 partitions' keys were cloned
  and compared as strings hundreds of thousands of times, and the first
  create took 349 million instructions natively; now 241 million.
- *Kill*: the broker that leads the most partitions stops (`Fault::Kill`).
  *The elections* (the row with the target) run from the moment the
  controller fences the dead broker, which is when it elects new leaders for
  every partition the broker led, until each of those partitions has a new
  leader in the controller's metadata and that leader's broker leads it at
  that epoch. The row above it measures the same end from the kill itself:
  as in Kafka, the controller only learns of a dead broker when its
  registration expires, `broker.session.timeout.ms` (9 s) after its last
  heartbeat, so that row is mostly 9 s of simulated time in which 50 brokers
  heartbeat, fetch metadata and long-poll each other (about 49,000 replica
  fetch round trips) while nothing happens. A controlled shutdown moves
  leadership before the broker stops and skips the wait.
- *Memory per partition replica*: natively, a counting global allocator in the
  bench binary gives the heap bytes that are live once every replica knows its
  role, minus those that were live before the request, divided by 15,000.
  Everything the creation added counts: the logs and replica state on the
  brokers, the metadata images (every broker and the controller index all
  5,000 partitions; the registrations themselves are shared with the
  controller's metadata log), and the simulator's observation list. In wasm, the
  only probe is the growth of the linear memory (`wasm_bindgen::memory()`),
  measured over the same span in a fresh instance (its own test binary). The
  linear memory grows in 64 KiB pages, never shrinks, and reuses freed blocks
  first. So this is coarse: it shows how much the peak heap grew, not what is
  live, and memory freed before the span can absorb part of it.
- *Image* (`cluster::image`): what the page reads from the simulation for
  each save of a large cluster (issue 8's frame budget: a save has a frame
  to itself): `Simulation::persisted`, the `meta` image plus the list of
  every replica's durable segments, median of 21 calls, after 5 s of 10,000
  records/s on 1,000 partitions RF 3 (the brokers flushing every second). Image version 1 stored every
  partition's log config by name (1,189 KB, 0.65 ms natively); version 2
  stores each distinct config once (247 KB, 0.42 ms natively).
";

/// What the consumer group cases measure (shown when they ran).
const GROUPS_READING: &str = "
## Reading the consumer group numbers

- From `crates/bench/src/groups.rs` (issue 5). *consume*: 3 brokers, one
  topic of 6 partitions with replication factor 3 holding 120,000 records of
  100 bytes (produced before the clock starts), and one group of 3 consumers
  (range assignor, commit after processing). The wall time runs from
  `subscribe` until every record was processed once; it includes the join,
  the initial rebalance delay and the fetches, whose simulated time is the
  *ms simulated* row.
- *rebalance*: the time of one `assign` call of each assignor for 100 members
  subscribed to 10 topics of 100 partitions: a first assignment, and the
  rebalance after a 101st member joins a group that owns the first
  assignment (what the sticky assignors work hardest at). Best of three.
";

/// Measurements of the page (`tests/e2e/page_bench.mjs`): their case names
/// start with this.
pub const PAGE_CASE_PREFIX: &str = "page: ";

/// The heading of the page's section in BENCHMARKS.md.
pub const PAGE_HEADING: &str = "## The page";

/// What the page's cases measure.
const PAGE_READING: &str = "
- From `tests/e2e/page_bench.mjs` (issue 8), run by `cargo xtask bench` (or
  alone, `cargo xtask bench page`, which rewrites only this section) against
  the release site: `cargo xtask build`'s `dist/` served under `/kafkaplay/`
  by xtask's static server, in headless Chromium on this machine.
- *Size*: the wasm in `dist/` after `cargo xtask build`: `trunk build
  --release` (Cargo profile `web`: opt-level \"z\" except the simulation's
  crates, `kafkaplay-cluster` at \"s\" and `kafkaplay-log` at 3; fat LTO, one
  codegen unit; on the Debian route std built with `optimize_for_size` and
  the wasm with `-Cpanic=immediate-abort -Zlocation-detail=none
  -Ctarget-feature=-reference-types`) and `wasm-opt -Oz --low-memory-unused`,
  then split in two by Binaryen's `wasm-split` (`web/build/split.mjs`, below);
  gzipped by Node's zlib at level 9. KB = 1,000 bytes. The target is read
  as the wasm a page needs before it can start: the start-up module.
- *The split* (`web/build/split.mjs`, `web/build/split-loader.js`): at
  every release build, a copy of the wasm instrumented by `wasm-split
  --instrument` runs in headless Chromium in the ways a page starts (Korean
  with `?seed=` and `?brokers=`; a reload restoring the saved playground;
  English with no parameters), each until its cluster view is up and 3 to 5
  s more; the functions that ran (and all data) make the start-up module,
  and the rest a second module that the page fetches and compiles once its
  first render is painted. In the start-up module every function of the
  rest is a table slot with a placeholder; a placeholder that runs before
  the rest is in loads it at once (a synchronous request) and calls the real
  function, so a start the profile missed is slower, never wrong
  (`tests/e2e/split.test.mjs` checks both ways). *The rest of a split wasm
  instantiated* is when that second module was in, from navigation start.
  The two modules together are 30 KB larger gzipped than the one before
  (the stubs, the exports and imports between them). Binaryen on crates.io
  is version 116, which cannot read the `table.fill` in wasm-bindgen's
  `externref` shims, hence the build without reference types (2 KB smaller,
  and wasm-bindgen keeps JS values in a JS array instead). What the split
  cost at start-up, measured on 2026-11-25 (15 cold loads each,
  interleaved, navigation to the cluster view in the DOM): 225 ms median
  against 201 ms for the same build unsplit and 199 ms for the same wasm
  passed through `wasm-split` with every function kept. Compiling and
  instantiating took the same time; running the app's start took about 40
  ms longer, also with the second module instantiated before the start,
  but not under V8's `--liftoff-only` or `--no-wasm-inlining-call-indirect`
  (then the two were even): `wasm-split` turns each direct call to a moved function into a
  `call_indirect` through a table slot, and a function with one gets V8's
  feedback for speculative inlining. `cargo xtask split-trampolines`
  (`crates/xtask/src/trampolines.rs`) now moves those 1,908 calls into 713
  small functions, one per slot and type (2 KB gzipped): the start then
  took 202 ms median against 221 ms unsplit and 213 ms for the build with
  reference types. The frames, alternated with the build before the
  split (with reference types) three times on 2026-11-25: mean 6.8, 7.3,
  7.6 ms against 6.6, 6.9, 7.5 ms; p95 10.0, 10.0, 10.4 against 9.1, 10.1,
  11.2 ms. On a network the split gains: the start-up download is 314 KB
  smaller gzipped, about 250 ms at 10 Mbit/s.
- *First render*: each load in a new browser context (nothing cached), from
  navigation start (`performance.timeOrigin`) until the first contentful
  paint. The body is empty until the app renders, so that paint is the
  playground's, and the probe checks that the broker boxes were in the DOM
  before it. *Start-up wasm downloaded* is the resource timing's `responseEnd`.
- *Frames*: the page with `?seed=7`; in its terminal, `kafka-topics --create
  --topic load --partitions 1000 --replication-factor 3`, then
  `kafka-producer-perf-test --topic load --throughput 10000 --record-size 100`
  (acks=all) as the terminal's job, at speed 1×. After its first 5 s report, a
  `requestAnimationFrame` loop runs and a Chromium trace records the renderer's
  main thread for 40 s: long enough for one page-cache flush (each broker
  writes its dirty pages back every 30 s simulated), whose save writes every
  replica's 30 s of records. *Work per animation frame* is the time the main thread was busy
  with tasks (the page's frame callback with the simulation and Yew's
  rendering, timers, garbage collection, style, layout, paint) between two
  consecutive animation frames; at 60 fps a frame has
  16.7 ms, and the target leaves the browser 6.7 ms of it. These numbers
  move by a third between runs on this shared 2-core machine. Before the
  trace starts the page is scrolled to the cluster view, so the broker boxes
  of the 1,000 partitions and the records' dots (`web/src/flow.rs`, on during
  the run: *records' dots* is how many were in the page at its end) are on
  screen. The dots are HTML moved by transform animations (as SVG elements
  they repainted the drawing every frame: 2 to 5 ms of paint). The
  compositor runs them, but while a page draws frames of its own (the
  page's clock does, every frame) Chromium also updates every running
  animation's style on the main thread each frame: with the page's 30 dots
  that was 1.6 to 1.9 ms of every frame (style, compositor commit; measured
  against the same run under `prefers-reduced-motion`, where nothing
  moves), so a path now gets one dot a second, not two (about 15 dots).
- *Frames*, what the page does about them: the page's clock is a
  `requestAnimationFrame` loop (one tick before each frame; the bench's own
  loop fires in the same frame, and the bench counts a frame once: its
  callbacks run in one task), and each frame does one kind of work: a save
  that the persistence timer found due (the simulation's image, 247 KB, and
  the plan of what changed: about 4 ms of script for 1,000 partitions,
  of it 1.2 ms the image, 1.4 ms going over the 3,000 replicas' files, which
  between two flushes have nothing new, and 1 ms writing the image; before
  2026-11-25 a file IndexedDB held unchanged was planned like any other, 2.3
  ms, and the save took 4.6 to 6 ms), a redraw's reading of
  its views from the simulation, the redraw (every 100 ms), or the
  simulation for at most 4 ms (`Playground::tick_within`, asking the clock
  after every event; the simulated time left is owed to the next ticks, and
  every event and input happens at the same simulated time as without the
  budget, which a native test checks by the trace hash). At 3 ms the
  simulation fell behind (0.6× real time), so 10,000 records/s on 1,000
  partitions needs most of the 4 ms. The saves' periodic events, and the
  terminal's output while the clock runs (the tool's report every 5 s, which
  redrew the whole page in the terminal's timer task: 5.5 ms on top of a
  frame of simulation), redraw nothing: the next paced redraw shows them.
  The playground menu (a list of all 1,000
  partitions to export) is built only while open; cards off screen are
  neither laid out nor painted (`content-visibility: auto`); the topic
  tables and the message browser (900 of the page's 2,500 elements) are
  built and compared again only when what they show changed
  (`web/src/memo.rs`: a redraw's script time went from about 3.5 to 2.7
  ms); the views a redraw showed are freed in a frame of simulation, within
  its budget. What is left of a frame: the redraw, about 7 to 8 ms (2.7 ms of
  script, the rest the browser's style, layout, paint and compositing: a
  layout starts at the document, since the changed texts are in cards of
  no fixed size), the simulation's share, about 5 to 6.5 ms.
- *Frames*, the simulation's speed (2026-11-25, profiled natively with
  `perf` on the bench's *image* case, the same cluster and producer): a
  client's leader lookup scanned the topic's partition list, and the
  producer asks it of every partition each time it polls (`RecordAccumulator.ready`),
  so each poll was quadratic in partitions; the producer also made a
  `String` per partition per poll for its queue sizes, and a held fetch's
  check translated its offset by scanning the segment from the last index
  entry even at the log's end. Without these (same results: the traces
  and their hashes are unchanged) that case's run took 1.6 s instead of 3.1
  natively, and over the 40 s run in the page the simulated time kept up
  with the wall's (1.00× instead of 0.93×), with the mean frame 6.1 ms
  instead of 6.7 to 6.9.
- *Frames*, the garbage collections: the JS heap is 3 MB and flat, yet V8
  ran a major collection about every 1.1 s (`--js-flags=--trace-gc`: *GC in
  old space requested*, the *global* size, 62 MB and growing, at its limit).
  V8 counts the wasm memory's size toward that limit, and the running
  producer grows it by about 12 MB a second (every record is kept, twice:
  the log's segment and its store's page cache, on three replicas), 64 KiB
  at a time; with the memory grown by 512 MB before the run there was no
  collection in 12 s. The page's allocator (`web/src/memory.rs`: std's
  dlmalloc, as a crate) now grows the memory in steps of half its size, at
  most 96 MiB (Emscripten's default policy is a fifth, at most 96 MiB); a
  step crosses the limit once. *Major garbage collections* counts them in
  the run (`MajorGC` on the page's thread): 4 in 5 s before, 1 after; in 40
  s they are about one every 5 s, as the memory grows by steps of 96 MiB.
- *Frames*, the page-cache flush: the save after it wrote 3,000 replicas'
  30 s of records, about 150 MB in 3,000 puts, in one task of 320 ms (a run
  of 40 s on 2026-11-25; the 5 s runs before missed it). Such a commit is
  now paced (`kafkaplay-storage-idb`'s `Pace`, `SAVE_BYTES_PER_FRAME` in
  `web/src/persistence.rs`): 512 KiB of puts a frame, in the same
  transaction (each batch issued from the success callback of the last,
  and while the frame's allowance is spent a read of a missing key keeps the
  transaction open). It takes about 3.5 s, and those frames carry about 3 to
  4 ms more: 1.4 ms of copying and puts, and some 2,000 callbacks a second
  that only keep the transaction open (about 60 µs each, most of it the
  browser's: the request's answer and its event). Several
  transactions with a stored manifest of committed chunks would need no
  such waits; not done yet.
- *Frames*, history (p95, this case; 5 s runs until 2026-11-25, 40 s
  since): on 2026-11-24 15.5 and 17.3 ms before the budgeted tick; 11.9 and
  11.3 ms after it; 8.5 to 10.8 ms after the trace stopped formatting
  replica fetches through `fmt`; 11.2 to 12.1 ms at the start of the next
  session (a 16 ms `setInterval` now and then fired twice in a frame, and
  every persistence timer event and commit redrew the whole page); 9.3 to
  10.6 ms after those; 8.2 to 9.4 ms after image version 2, the memos, the
  deferred frees and one dot a second. On 2026-11-25, with the machine
  slower (the native scale create 38 ms against 27 the day before), 9.1 to
  12.7 ms in 5 s runs of the build of the day before and of the split
  build; 8.2 to 9.4 ms with the memory grown in steps and the terminal's
  output left to the paced redraw; in 40 s runs with the paced flush, 9.8
  to 10.4 ms (without pacing, the same runs gave 9.3 ms with a 321 ms task in
  them). A trace of a 5 s run with each frame's kind marked
  (`console.timeStamp`) before the changes of 2026-11-25: of 301 frames, 14
  over 10 ms: 5 with a major collection (7 to 9 ms of it), 3 of the 4 saves,
  4 redraws and 2 frames of simulation; after them, 3 of 300: 2 saves and 1
  frame of simulation with a collection. After the simulation's speed-ups,
  9.7 to 10.0 ms in 40 s runs: 8.3 ms for the frames outside the flush's
  3.5 s, 12.4 ms for the 210 frames inside it (mean 9.6 ms).
- *What the wasm's bytes are* (`twiggy top` with names kept, 2026-11-24,
  of this build before `--low-memory-unused`: shares of 1,965 KB before gzip): the cluster's code 24%
  plus the B-tree maps, sorts and iterators instantiated for its types 12%
  (`Simulation::step` alone is 133 KB: every node's handlers are inlined into
  it; the assignors 59 KB, the consumer 58 KB, the group coordinator 38 KB);
  the shell and Kafka's tools 16% plus 1.5% of instantiations; data 12% (UI
  and lesson texts in two languages 62 KB, most of the rest the shell's
  and Kafka's usage, help and error texts); the page's components 6% plus
  the Yew code instantiated for them 9% (`App::view`, the whole page's
  `html!`, is one 73 KB function); std (formatting, allocation, B-tree internals, strings)
  9%; Yew's own code 2%, the log 2.5%, IndexedDB (storage-idb, idb) 2.3%,
  regex-lite 1.3%. Across crates, B-tree code is 318 KB (16%): removal
  (`remove_leaf_kv`, merging, stealing) alone is instantiated for 26 key and
  value types. What saving the playground costs (the page's persistence,
  storage-idb, idb, the cluster's `sim::persist`): 132 KB; lessons 26 KB,
  journal and timeline 11 KB, the groups panel 6 KB. (Since then the B-tree
  maps of small or in-order contents are `kafkaplay-flatmap`'s flat maps,
  below: functions named for B-trees went from 156 KB to 11 KB, and all code
  from 1,904 KB to 1,500 KB, since B-tree code inlined into its callers went
  too.)
- *What made it smaller* (gzipped, from 971 KB by `gzip -9` on 2026-11-24):
  sorted flat vectors (`kafkaplay-flatmap`) instead of `BTreeMap` and
  `BTreeSet` where a map is small or filled in key order (−125 KB: 824 KB
  to 699 KB in the table's measure; the maps that can grow large and change out of order, such as
  the simulator's event queue, stay B-trees; the scale bench's create got
  faster natively and in wasm);
  the CRC-32C and trace CRC-64 slice-by-16 tables built at first use
  instead of 48 KiB of constants that do not compress (−50 KB); the cluster
  at \"s\" instead of 3 (−102 KB); `-Cpanic=immediate-abort` (−20 KB: no
  panic messages, a panic traps as `unreachable`; `KAFKAPLAY_SITE_RUSTFLAGS=`
  builds with them) and `-Zlocation-detail=none` (−10 KB); wasm-opt's
  `--low-memory-unused` (−5 KB: Rust's stack is below the data, so the
  first 1 KiB is never used). Earlier (at
  opt-level 3 everywhere it was 1.24 MB): opt-level z (−470 KB), std's
  `optimize_for_size` (−45 KB), regex-lite instead of regex (−69 KB).
  wasm-opt's extra passes (`--converge`, `--gufa`) saved 2 KB at most.
  Tried without gain: the cluster at \"z\" again (−32 KB, frames about 0.3
  ms slower: kept at \"s\"), `-Zinline-mir=no` (+4 KB), `-Zmir-opt-level=1`
  (+6 KB), wasm-opt's `--merge-similar-functions` (0). Before the split the
  one module was 703 KB gzipped, about 1.7× the target: 400 KB would have
  left out about two fifths of the code. A host that serves brotli sends
  the size in the brotli row.
- *The docs widget* (issue 9; `dist/widget/`, built by `cargo xtask build`
  from `web/widget` with the Cargo profile `widget`: the site's, with the
  simulation's crates at \"z\" too, since a widget's cluster is a few
  partitions). **Start-up module about 244 KB gzipped: within the 250 KB
  target** (an e2e test holds it there). The wasm is split
  (`web/build/split-widget.mjs`) by a profile of the example page: its
  three widgets starting and running their scenarios, then running on
  their own to 700 simulated seconds (the page's clock 20 times as fast),
  past the brokers' and controllers' 5-minute timers and the trace's ring
  filling. A page that shows widgets downloads only that module (an e2e
  test runs the example page 12 simulated minutes and sees one wasm
  request); the rest (about 408 KB) is fetched when a reader first points
  at or types into a widget or the page calls `run()`, before a widget
  with `persist` or `lesson` starts, and on the spot if one of its
  functions runs first. A click before it is in (a kill) waits for it.
  Both modules together are about the one module of before (666 KB).
  What got the start-up module from 666 KB to 244 KB (measured on
  2026-11-25, in the order done): the split with the profile of the app's
  kind, 420 KB; wasm-opt keeping one-caller functions of over 50 nodes
  apart (Binaryen inlines every function with one caller, so
  `Simulation::step` was one 90 KB function of every message handler),
  341 KB; `cargo xtask split-data`, which moves the constants that only
  the rest's functions use into the rest (lesson texts, usages, error
  texts), 283 KB, after two wrong moves were found and fixed (see
  `crates/xtask/src/split_data.rs`); a narrower profile, 276 KB; the
  scenario option read as raw JSON text, 274 KB; Yew's `tracing` events
  compiled out (`max_level_off`), 271 KB; `split-data` keeping, for an
  address where a constant starts, that constant alone instead of the
  64 bytes after it too (most strings are named so: their neighbours
  stayed), 263 KB; the kill and restart left out of the profile (the
  loader holds a click until the rest is in), 253 KB; `KafkaError`'s
  texts as arrays instead of `match`es (LLVM makes those switch tables,
  which `split-data` must keep whoever uses them, with every message they
  point to), 252 KB; the node boxes' texts apart from the page's (a table
  of texts keeps all it points to), 248 KB; no metrics samples in a
  widget (the page's charts), 245 KB; the profile to 700 simulated
  seconds, 246 KB; `kafka-topics`' and `kafka-console-producer`'s option
  descriptions written only for `--help`, 244 KB. The profiling run also
  records every byte its loads and stores touch (Binaryen's
  `--instrument-memory`), and `split-data` checks its rules against them:
  none of those bytes is in a constant it moves. The loader (with the
  styles), the split loader and the glue are about 26 KB; the first of
  the example page's widgets is ready about 140 to 240 ms after
  navigation, with one wasm fetch for the three.
";

/// The page's table: case, measurement, value, target (wasm only).
pub fn page_table(metrics: &[MetricResult]) -> String {
    let mut out = String::from("| case | measurement | value | target |\n|---|---|---:|---|\n");
    let mut last_case = None;
    for m in metrics.iter().filter(|m| m.case.starts_with(PAGE_CASE_PREFIX)) {
        let case = &m.case[PAGE_CASE_PREFIX.len()..];
        let case_cell = if last_case == Some(case) { "" } else { case };
        last_case = Some(case);
        let cell = |s: &str| s.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(case_cell),
            cell(&m.metric),
            quantity(m.value, &m.unit),
            cell(m.target.as_deref().unwrap_or(""))
        );
    }
    out
}

/// The page's section of BENCHMARKS.md, heading included.
pub fn page_section(metrics: &[MetricResult]) -> String {
    format!("{PAGE_HEADING}\n\n{}{PAGE_READING}", page_table(metrics))
}

/// `md` (a BENCHMARKS.md) with its page section replaced by `section`, or
/// inserted before `## Machine` when it has none.
pub fn replace_page_section(md: &str, section: &str) -> String {
    let start = md.find(&format!("\n{PAGE_HEADING}\n")).map(|i| i + 1);
    let (before, after) = match start {
        Some(start) => {
            let rest = &md[start + PAGE_HEADING.len()..];
            let end = rest
                .find("\n## ")
                .map_or(md.len(), |i| start + PAGE_HEADING.len() + i + 1);
            (&md[..start], &md[end..])
        }
        None => match md.find("\n## Machine\n") {
            Some(i) => (&md[..i + 1], &md[i + 1..]),
            None => (md, ""),
        },
    };
    let sep = if before.ends_with("\n\n") || before.is_empty() {
        ""
    } else {
        "\n"
    };
    let tail = if after.is_empty() { "" } else { "\n" };
    format!("{before}{sep}{section}{tail}{after}")
}

/// The whole BENCHMARKS.md.
pub fn report(results: &[BenchResult], metrics: &[MetricResult], machine: &Machine) -> String {
    let (page, metrics): (Vec<MetricResult>, Vec<MetricResult>) = metrics
        .iter()
        .cloned()
        .partition(|m| m.case.starts_with(PAGE_CASE_PREFIX));
    let metrics = &metrics[..];
    let mut out = String::new();
    out.push_str("# Benchmarks\n\n");
    out.push_str(
        "Generated by `cargo xtask bench` (run it to reproduce; it overwrites this file). \
         The same workload runs natively (`cargo run --release -p kafkaplay-bench`) and as \
         wasm in headless Chromium (`cargo test --release --target wasm32-unknown-unknown \
         -p kafkaplay-bench -- --include-ignored`). MB = 10^6 bytes. The ratio is wasm's \
         time per record over native's: 2.00× means wasm takes twice as long.\n\n",
    );
    out.push_str(&table(results));
    out.push_str(READING);
    if !metrics.is_empty() {
        out.push_str("\n## Cluster simulation\n\n");
        out.push_str(&metrics_table(metrics));
        out.push_str(CLUSTER_READING);
        if metrics
            .iter()
            .any(|m| m.case.starts_with("consume:") || m.case.starts_with("rebalance:"))
        {
            out.push_str(GROUPS_READING);
        }
        if metrics.iter().any(|m| m.case.starts_with("IndexedDB")) {
            out.push_str(IDB_READING);
        }
    }
    if !page.is_empty() {
        out.push('\n');
        out.push_str(&page_section(&page));
    }
    out.push_str("\n## Machine\n\n");
    let _ = writeln!(out, "- date: {}", machine.date);
    let _ = writeln!(out, "- CPU: {} ({} logical CPUs)", machine.cpu_model, machine.nproc);
    let _ = writeln!(out, "- native rustc: {}", machine.native_rustc);
    let _ = writeln!(out, "- wasm rustc: {}", machine.wasm_rustc);
    let _ = writeln!(out, "- browser: {}", machine.chromium);
    let _ = writeln!(out, "- command: `cargo xtask bench`");
    out
}

/// The first `model name` in /proc/cpuinfo text.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_string())
    })
}

#[cfg(test)]
mod median_tests {
    use super::*;

    fn m(metric: &str, value: f64) -> MetricResult {
        MetricResult {
            platform: "wasm".into(),
            case: "c".into(),
            metric: metric.into(),
            value,
            unit: "ms".into(),
            target: Some("< 100 ms".into()),
        }
    }

    #[test]
    fn the_median_of_each_metric_with_the_spread_of_one() {
        let runs = vec![
            vec![m("create: x", 150.0), m("other", 1.0)],
            vec![m("create: x", 70.0), m("other", 3.0)],
            vec![m("create: x", 90.0), m("other", 2.0), m("only here", 5.0)],
        ];
        let out = median_metrics(&runs, "create:");
        let names: Vec<(&str, f64)> = out.iter().map(|x| (x.metric.as_str(), x.value)).collect();
        assert_eq!(
            names,
            [
                ("create: x", 90.0),
                ("create: x (fastest of 3 runs, each in a fresh browser)", 70.0),
                ("create: x (slowest of 3 runs, each in a fresh browser)", 150.0),
                ("other", 2.0),
                ("only here", 5.0),
            ]
        );
        assert_eq!(out[0].target.as_deref(), Some("< 100 ms"));
        assert_eq!(out[1].target, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
   Compiling kafkaplay-bench v0.1.0
BENCH {"platform":"native","case":"append 1 KiB records","records":1000000,"bytes":1024000000,"seconds":0.5}
BENCH {"platform":"native","case":"read back","records":1000000,"bytes":1024000000,"seconds":0.25}
Invoking test: wasm_bench
    BENCH { "platform": "wasm", "case": "append 1 KiB records", "records": 500000, "bytes": 512000000, "seconds": 0.5 }
BENCH {"platform":"wasm","case":"read back","records":1000000,"bytes":1024000000,"seconds":1e0}
test wasm_bench ... ok
BENCH {"platform":"native","case":"speed","metric":"sim per wall","value":40,"unit":"×","target":"≥ 20× in wasm"}
BENCH {"platform":"native","case":"scale","metric":"create","value":154.1157,"unit":"ms"}
BENCH {"platform":"native","case":"scale","metric":"memory per replica","value":9321.7,"unit":"bytes"}
    BENCH {"platform":"wasm","case":"scale","metric":"create","value":308.2,"unit":"ms"}
BENCH {"platform":"wasm","case":"speed","metric":"sim per wall","value":25,"unit":"×","target":"≥ 20× in wasm"}
"#;

    #[test]
    fn parses_native_and_wasm_lines() {
        let results = parse_output(SAMPLE).unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(
            results[2],
            BenchResult {
                platform: "wasm".into(),
                case: "append 1 KiB records".into(),
                records: 500_000,
                bytes: 512_000_000,
                seconds: 0.5
            }
        );
        assert_eq!(results[3].seconds, 1.0);
    }

    #[test]
    fn measurement_lines_are_parsed_apart() {
        let metrics = parse_metrics(SAMPLE).unwrap();
        assert_eq!(metrics.len(), 5);
        assert_eq!(
            metrics[3],
            MetricResult {
                platform: "wasm".into(),
                case: "scale".into(),
                metric: "create".into(),
                value: 308.2,
                unit: "ms".into(),
                target: None,
            }
        );
        assert_eq!(metrics[0].target.as_deref(), Some("≥ 20× in wasm"));
        // The throughput parser skips them.
        assert!(parse_output(SAMPLE).unwrap().iter().all(|r| r.case != "scale"));
    }

    #[test]
    fn rejects_malformed_measurement_lines() {
        for bad in [
            r#"BENCH {"platform":"native","case":"x","metric":"m","unit":"ms"}"#,
            r#"BENCH {"platform":"native","case":"x","metric":"m","value":"1","unit":"ms"}"#,
            r#"BENCH {"platform":"native","case":"x","metric":"m","value":1}"#,
            r#"BENCH {"platform":"arm","case":"x","metric":"m","value":1,"unit":"ms"}"#,
            r#"BENCH {"platform":"native","case":"x","metric":"m","value":1,"unit":"ms","target":3}"#,
        ] {
            assert!(parse_metrics(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_the_metrics_table() {
        let metrics = parse_metrics(SAMPLE).unwrap();
        assert_eq!(
            metrics_table(&metrics),
            "\
| case | measurement | native | wasm | wasm÷native | target |
|---|---|---:|---:|---:|---|
| speed | sim per wall | 40.0× | 25.0× | 0.62 | ≥ 20× in wasm |
| scale | create | 154 ms | 308 ms | 2.00 |  |
|  | memory per replica | 9,322 bytes | n/a | n/a |  |
"
        );
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity(2.0, "ms simulated"), "2.00 ms simulated");
        assert_eq!(quantity(36.62, "×"), "36.6×");
        assert_eq!(quantity(420895.7, "records/s"), "420,896 records/s");
    }

    #[test]
    fn rejects_malformed_lines() {
        for bad in [
            r#"BENCH {"platform":"native","case":"x","records":1,"bytes":1}"#,
            r#"BENCH {"platform":"arm","case":"x","records":1,"bytes":1,"seconds":1}"#,
            r#"BENCH {"platform":"native","case":"x","records":1.5,"bytes":1,"seconds":1}"#,
            r#"BENCH {"platform":"native","case":"x","records":1,"bytes":1,"seconds":0}"#,
            r#"BENCH {"platform":"native","case":"x","records":1,"bytes":1,"seconds":1"#,
            r#"BENCH {"platform":"native","case":x,"records":1,"bytes":1,"seconds":1}"#,
        ] {
            assert!(parse_output(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accepts_escapes_and_extra_fields() {
        let line = r#"BENCH {"platform":"native","case":"a \"quoted\" \u00e9","records":1,"bytes":2,"seconds":0.1,"note":null,"warm":true}"#;
        let results = parse_output(line).unwrap();
        assert_eq!(results[0].case, "a \"quoted\" é");
    }

    #[test]
    fn formats_the_table() {
        let results = parse_output(SAMPLE).unwrap();
        assert_eq!(
            table(&results),
            "\
| case | platform | records/s | MB/s | wasm÷native time ratio |
|---|---|---:|---:|---:|
| append 1 KiB records | native | 2,000,000 | 2048.0 | — |
| append 1 KiB records | wasm | 1,000,000 | 1024.0 | 2.00× |
| read back | native | 4,000,000 | 4096.0 | — |
| read back | wasm | 1,000,000 | 1024.0 | 4.00× |
"
        );
    }

    #[test]
    fn a_case_without_native_has_no_ratio() {
        let results =
            parse_output(r#"BENCH {"platform":"wasm","case":"idb","records":10,"bytes":0,"seconds":2}"#).unwrap();
        assert!(table(&results).contains("| idb | wasm | 5 | 0.0 | n/a |"));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1234567.8), "1,234,568");
    }

    #[test]
    fn report_names_machine_and_command() {
        let machine = Machine {
            nproc: "2".into(),
            cpu_model: "AMD EPYC 7B13".into(),
            native_rustc: "rustc 1.95.0".into(),
            wasm_rustc: "rustc 1.96.0".into(),
            chromium: "Chromium 156.0.8078.79".into(),
            date: "2026-05-30".into(),
        };
        let md = report(
            &parse_output(SAMPLE).unwrap(),
            &parse_metrics(SAMPLE).unwrap(),
            &machine,
        );
        assert!(md.starts_with("# Benchmarks\n"));
        assert!(md.contains("\n## Cluster simulation\n\n| case | measurement |"));
        assert!(md.contains("| speed | sim per wall | 40.0× | 25.0× | 0.62 | ≥ 20× in wasm |"));
        // Without measurement lines, the report is what it was.
        let md = report(&parse_output(SAMPLE).unwrap(), &[], &machine);
        assert!(!md.contains("Cluster simulation"));
        assert!(md.contains("- CPU: AMD EPYC 7B13 (2 logical CPUs)\n"));
        assert!(md.contains("- command: `cargo xtask bench`\n"));
        assert!(md.contains("| read back | wasm |"));
    }

    const PAGE_SAMPLE: &str = r#"
BENCH {"platform":"wasm","case":"page: the app","metric":"app wasm, gzipped (level 9)","value":656.1,"unit":"KB","target":"≤ 400 KB gzipped"}
BENCH {"platform":"wasm","case":"page: the app","metric":"app wasm, raw","value":1561.4,"unit":"KB"}
BENCH {"platform":"wasm","case":"page: first render","metric":"first paint","value":336,"unit":"ms","target":"≤ 400 ms"}
"#;

    #[test]
    fn page_rows_get_their_own_section() {
        let page = parse_metrics(PAGE_SAMPLE).unwrap();
        assert_eq!(
            page_table(&page),
            "\
| case | measurement | value | target |
|---|---|---:|---|
| the app | app wasm, gzipped (level 9) | 656 KB | ≤ 400 KB gzipped |
|  | app wasm, raw | 1,561 KB |  |
| first render | first paint | 336 ms | ≤ 400 ms |
"
        );
        let mut metrics = parse_metrics(SAMPLE).unwrap();
        metrics.extend(page);
        let md = report(&parse_output(SAMPLE).unwrap(), &metrics, &Machine::default());
        assert!(md.contains("\n## The page\n\n| case | measurement | value | target |\n"));
        // Not in the cluster table.
        let cluster = &md[md.find("## Cluster simulation").unwrap()..md.find("## The page").unwrap()];
        assert!(!cluster.contains("first paint"));
        assert!(md.find("## The page").unwrap() < md.find("## Machine").unwrap());
    }

    #[test]
    fn the_page_section_is_replaced_or_inserted() {
        let section = "## The page\n\nnew\n";
        let without = "# Benchmarks\n\ntext\n\n## Machine\n\n- date\n";
        assert_eq!(
            replace_page_section(without, section),
            "# Benchmarks\n\ntext\n\n## The page\n\nnew\n\n## Machine\n\n- date\n"
        );
        let with = "# Benchmarks\n\n## The page\n\nold\nrows\n\n## Machine\n\n- date\n";
        assert_eq!(
            replace_page_section(with, section),
            "# Benchmarks\n\n## The page\n\nnew\n\n## Machine\n\n- date\n"
        );
        let last = "# Benchmarks\n\n## The page\n\nold\n";
        assert_eq!(
            replace_page_section(last, section),
            "# Benchmarks\n\n## The page\n\nnew\n"
        );
    }

    #[test]
    fn reads_cpu_model() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model(""), None);
    }
}
