//! `kafka-producer-perf-test`: Kafka's `ProducerPerformance`. Records are
//! handed to a producer client in the simulation at the `--throughput` rate
//! (bounded by `buffer.memory`, as `send` blocks when the buffer is full), and
//! every latency is the simulated time from `send` to the acknowledgement.
//! Its options are parsed like argparse4j, which this tool uses.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::{Ms, NodeId, ProducerConfig};

use crate::output::Output;
use crate::tool::{Exit, Invocation, Job};
use crate::world::World;

use super::common::{java_fixed, key_values, SplittableRandom};

const PROG: &str = "producer-performance";
/// `buffer.memory`'s default.
const BUFFER_MEMORY: u64 = 32 * 1024 * 1024;
const REPORTING_INTERVAL_MS: Ms = 5_000;

/// `parser.printHelp()`, as argparse4j 0.7.0 prints ProducerPerformance's
/// declarations (usage, description, arguments).
const HELP: &str = include_str!("usage/producer-performance.txt");

/// The usage lines at the top of [`HELP`].
fn usage() -> &'static str {
    HELP.split("\n\n").next().map_or(HELP, |u| &HELP[..u.len() + 1])
}

/// Every flag, for `Did you mean:`.
const FLAGS: &[&str] = &[
    "-h",
    "--help",
    "--topic",
    "--num-records",
    "--record-size",
    "--payload-file",
    "--payload-monotonic",
    "--payload-delimiter",
    "--throughput",
    "--producer-props",
    "--producer.config",
    "--print-metrics",
    "--transactional-id",
    "--transaction-duration-ms",
];

/// `parser.handleError(e)`: usage and the error on stderr, exit 1.
fn arg_error(out: &mut Output, message: &str) -> Exit {
    let unknown = message
        .strip_prefix("unrecognized arguments: '")
        .and_then(|m| m.strip_suffix('\''));
    super::argparse::error(out, PROG, usage(), message, unknown, FLAGS)
}

fn help() -> &'static str {
    HELP
}

#[derive(Default)]
struct Args {
    values: FlatMap<&'static str, Vec<String>>,
}

const OPTIONS: &[(&str, bool)] = &[
    ("--topic", true),
    ("--num-records", true),
    ("--record-size", true),
    ("--payload-file", true),
    ("--payload-monotonic", false),
    ("--payload-delimiter", true),
    ("--throughput", true),
    ("--producer-props", true),
    ("--producer.config", true),
    ("--print-metrics", false),
    ("--transactional-id", true),
    ("--transaction-duration-ms", true),
];

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args::default();
    let mut i = 0;
    while i < args.len() {
        let token = &args[i];
        i += 1;
        let (name, inline) = match token.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (token.as_str(), None),
        };
        let Some((name, takes)) = OPTIONS.iter().find(|(n, _)| *n == name) else {
            return Err(format!("unrecognized arguments: '{token}'"));
        };
        let entry = a.values.entry(name).or_default();
        if !takes {
            entry.push("true".into());
            continue;
        }
        if let Some(v) = inline {
            entry.push(v);
            continue;
        }
        if *name == "--producer-props" {
            let start = i;
            while i < args.len() && !args[i].starts_with("--") {
                entry.push(args[i].clone());
                i += 1;
            }
            if i == start {
                return Err("argument --producer-props: expected at least one argument".into());
            }
            continue;
        }
        match args.get(i) {
            Some(v) if !v.starts_with("--") => {
                entry.push(v.clone());
                i += 1;
            }
            _ => return Err(format!("argument {name}: expected one argument")),
        }
    }
    Ok(a)
}

impl Args {
    fn one(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(|v| v.last()).map(String::as_str)
    }
    fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
}

/// argparse4j's type conversion message.
fn convert<T: std::str::FromStr>(a: &Args, name: &str, type_name: &str) -> Result<Option<T>, String> {
    match a.one(name) {
        None => Ok(None),
        Some(v) => v.parse::<T>().map(Some).map_err(|_| {
            format!("argument {name}: could not convert '{v}' to {type_name} (For input string: \"{v}\")")
        }),
    }
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    if args.is_empty() {
        out.out(help());
        return Exit::Code(0);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        out.out(help());
        return Exit::Code(0);
    }
    let a = match parse(args) {
        Ok(a) => a,
        Err(m) => return arg_error(out, &m),
    };
    let payloads = ["--record-size", "--payload-file", "--payload-monotonic"];
    let given: Vec<&str> = payloads.iter().copied().filter(|p| a.has(p)).collect();
    if given.len() > 1 {
        return arg_error(
            out,
            &format!("argument {}: not allowed with argument {}", given[1], given[0]),
        );
    }
    let num_records = match convert::<i64>(&a, "--num-records", "Long") {
        Ok(n) => n.unwrap_or(0),
        Err(m) => return arg_error(out, &m),
    };
    let record_size = match convert::<i32>(&a, "--record-size", "Integer") {
        Ok(n) => n,
        Err(m) => return arg_error(out, &m),
    };
    let throughput = match convert::<f64>(&a, "--throughput", "Double") {
        Ok(n) => n.unwrap_or(-1.0),
        Err(m) => return arg_error(out, &m),
    };
    for required in ["--topic", "--num-records", "--throughput"] {
        if !a.has(required) {
            return arg_error(out, &format!("argument {required} is required"));
        }
    }
    if given.is_empty() {
        return arg_error(
            out,
            "one of the arguments --record-size --payload-file --payload-monotonic is required",
        );
    }
    if num_records <= 0 {
        return arg_error(out, "--num-records should be greater than zero");
    }
    if record_size.is_some_and(|s| s <= 0) {
        return arg_error(out, "--record-size should be greater than zero");
    }
    if !a.has("--producer-props") && !a.has("--producer.config") {
        return arg_error(out, "Either --producer-props or --producer.config must be specified.");
    }
    let mut props: Vec<(String, String)> = Vec::new();
    if let Some(path) = a.one("--producer.config") {
        match world.read_file(path) {
            Some(bytes) => props.extend(properties(&String::from_utf8_lossy(&bytes))),
            None => {
                out.errln(format!(
                    "Exception in thread \"main\" java.nio.file.NoSuchFileException: {path}"
                ));
                return Exit::Code(1);
            }
        }
    }
    for p in a.values.get("--producer-props").cloned().unwrap_or_default() {
        if !p.contains('=') {
            out.errln(format!(
                "Exception in thread \"main\" java.lang.IllegalArgumentException: Invalid property: {p}"
            ));
            return Exit::Code(1);
        }
        props.extend(key_values(&[p]));
    }
    let prop = |k: &str| props.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if a.has("--transactional-id") || a.has("--transaction-duration-ms") || prop("transactional.id").is_some() {
        out.errln(
            "Exception in thread \"main\" org.apache.kafka.common.errors.UnsupportedVersionException: \
             The simulated cluster does not support transactions.",
        );
        return Exit::Code(1);
    }
    let Some(bootstrap) = prop("bootstrap.servers") else {
        out.errln(
            "Exception in thread \"main\" org.apache.kafka.common.config.ConfigException: Missing required \
             configuration \"bootstrap.servers\" which has no default value.",
        );
        return Exit::Code(1);
    };
    let config = match producer_config(&prop) {
        Ok(c) => c,
        Err(m) => {
            out.errln(format!(
                "Exception in thread \"main\" org.apache.kafka.common.config.ConfigException: {m}"
            ));
            return Exit::Code(1);
        }
    };
    // Payloads: random letters (SplittableRandom(0)), lines of a file, or the record's number.
    let mut payload_list: Vec<Vec<u8>> = Vec::new();
    if let Some(path) = a.one("--payload-file") {
        let delimiter = match a.one("--payload-delimiter").unwrap_or("\\n") {
            "\\n" => "\n".to_string(),
            d => d.to_string(),
        };
        out.outln(format!("Reading payloads from: {path}"));
        let text = world
            .read_file(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        payload_list = text
            .split(delimiter.as_str())
            .filter(|s| !s.is_empty())
            .map(|s| s.as_bytes().to_vec())
            .collect();
        if payload_list.is_empty() {
            out.errln("Exception in thread \"main\" java.lang.IllegalArgumentException: File does not exist or empty file provided.");
            return Exit::Code(1);
        }
        out.outln(format!("Number of messages read: {}", payload_list.len()));
    }
    let reachable = world.reachable(&bootstrap);
    let producer = world.sim.add_producer(config);
    let now = world.sim.now();
    let sampling = num_records / num_records.min(500_000);
    let mut job = PerfJob {
        producer,
        reachable,
        topic: a.one("--topic").unwrap_or_default().to_string(),
        num_records,
        throughput,
        record_size,
        payload_list,
        monotonic: a.has("--payload-monotonic"),
        random: SplittableRandom::new(0),
        next: 0,
        in_flight: std::collections::BTreeMap::new(),
        in_flight_bytes: 0,
        cursor: world.sim.outcomes().len(),
        stats: Stats::new(now, num_records, sampling),
        start_ms: now,
        done: None,
    };
    job.send_due(world, out);
    Exit::Running(Box::new(job))
}

/// `Properties.load` for simple `key=value` lines.
fn properties(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| {
            l.split_once(['=', ':'])
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

fn producer_config(prop: &dyn Fn(&str) -> Option<String>) -> Result<ProducerConfig, String> {
    let mut c = ProducerConfig::default();
    let num = |k: &str, v: &str| -> Result<i64, String> {
        v.trim()
            .parse()
            .map_err(|_| format!("Invalid value {v} for configuration {k}: Not a number of type LONG"))
    };
    if let Some(v) = prop("acks") {
        c.acks = match v.trim() {
            "all" | "-1" => -1,
            "0" => 0,
            "1" => 1,
            other => {
                return Err(format!(
                    "Invalid value {other} for configuration acks: String must be one of: all, -1, 0, 1"
                ))
            }
        };
    }
    if let Some(v) = prop("linger.ms") {
        c.linger_ms = num("linger.ms", &v)?;
    }
    if let Some(v) = prop("batch.size") {
        c.batch_size = num("batch.size", &v)?.clamp(0, i64::from(u32::MAX)) as u32;
    }
    if let Some(v) = prop("retries") {
        c.retries = num("retries", &v)?.clamp(0, i64::from(i32::MAX)) as i32;
    }
    if let Some(v) = prop("request.timeout.ms") {
        c.request_timeout_ms = num("request.timeout.ms", &v)?;
    }
    if let Some(v) = prop("delivery.timeout.ms") {
        c.delivery_timeout_ms = num("delivery.timeout.ms", &v)?;
    }
    if let Some(v) = prop("max.in.flight.requests.per.connection") {
        c.max_in_flight_requests_per_connection =
            num("max.in.flight.requests.per.connection", &v)?.clamp(1, i64::from(i32::MAX)) as i32;
    }
    c.enable_idempotence = match prop("enable.idempotence") {
        Some(v) => v.trim().eq_ignore_ascii_case("true"),
        None => c.acks == -1,
    };
    Ok(c)
}

/// `ProducerPerformance.Stats`.
struct Stats {
    start: Ms,
    window_start: Ms,
    iteration: i64,
    sampling: i64,
    latencies: Vec<i32>,
    count: i64,
    bytes: i64,
    max_latency: i32,
    total_latency: i64,
    window_count: i64,
    window_max_latency: i32,
    window_total_latency: i64,
    window_bytes: i64,
}

impl Stats {
    fn new(now: Ms, num_records: i64, sampling: i64) -> Stats {
        let len = (num_records / sampling.max(1) + 1).clamp(1, 500_001) as usize;
        Stats {
            start: now,
            window_start: now,
            iteration: 0,
            sampling: sampling.max(1),
            latencies: vec![0; len],
            count: 0,
            bytes: 0,
            max_latency: 0,
            total_latency: 0,
            window_count: 0,
            window_max_latency: 0,
            window_total_latency: 0,
            window_bytes: 0,
        }
    }

    fn record(&mut self, out: &mut Output, latency: i32, bytes: i64, time: Ms) {
        self.count += 1;
        self.bytes += bytes;
        self.total_latency += i64::from(latency);
        self.max_latency = self.max_latency.max(latency);
        self.window_count += 1;
        self.window_bytes += bytes;
        self.window_total_latency += i64::from(latency);
        self.window_max_latency = self.window_max_latency.max(latency);
        if self.iteration % self.sampling == 0 {
            let index = (self.iteration / self.sampling) as usize;
            if let Some(slot) = self.latencies.get_mut(index) {
                *slot = latency;
            }
        }
        if time - self.window_start >= REPORTING_INTERVAL_MS {
            let elapsed = (time - self.window_start) as f64;
            out.outln(format!(
                "{} records sent, {} records/sec ({} MB/sec), {} ms avg latency, {} ms max latency.",
                self.window_count,
                java_fixed(1000.0 * self.window_count as f64 / elapsed, 1),
                java_fixed(1000.0 * self.window_bytes as f64 / elapsed / (1024.0 * 1024.0), 2),
                java_fixed(self.window_total_latency as f64 / self.window_count as f64, 1),
                java_fixed(f64::from(self.window_max_latency), 1),
            ));
            self.window_start = time;
            self.window_count = 0;
            self.window_max_latency = 0;
            self.window_total_latency = 0;
            self.window_bytes = 0;
        }
    }

    fn print_total(&mut self, out: &mut Output, now: Ms) {
        let elapsed = (now - self.start) as f64;
        let samples = (((self.iteration + self.sampling - 1) / self.sampling) as usize).min(self.latencies.len());
        let mut sorted = self.latencies[..samples].to_vec();
        sorted.sort_unstable();
        let percentile = |p: f64| {
            let i = (p * samples as f64) as usize;
            sorted
                .get(i)
                .copied()
                .or_else(|| self.latencies.get(i).copied())
                .unwrap_or(0)
        };
        out.outln(format!(
            "{} records sent, {} records/sec ({} MB/sec), {} ms avg latency, {} ms max latency, {} ms 50th, {} ms 95th, {} ms 99th, {} ms 99.9th.",
            self.count,
            java_fixed(1000.0 * self.count as f64 / elapsed, 1),
            java_fixed(1000.0 * self.bytes as f64 / elapsed / (1024.0 * 1024.0), 2),
            java_fixed(self.total_latency as f64 / self.count as f64, 2),
            java_fixed(f64::from(self.max_latency), 2),
            percentile(0.5),
            percentile(0.95),
            percentile(0.99),
            percentile(0.999),
        ));
    }
}

struct PerfJob {
    producer: NodeId,
    /// A producer whose bootstrap servers do not answer never gets metadata:
    /// each send blocks `max.block.ms` and fails.
    reachable: bool,
    topic: String,
    num_records: i64,
    throughput: f64,
    record_size: Option<i32>,
    payload_list: Vec<Vec<u8>>,
    monotonic: bool,
    random: SplittableRandom,
    /// Records handed to the producer so far.
    next: i64,
    /// Record id → (send time, payload bytes).
    /// A B-tree: up to `buffer.memory` of records (hundreds of thousands), acknowledged
    /// oldest first, which a flat map pays for with a move of all the rest.
    in_flight: std::collections::BTreeMap<u64, (Ms, i64)>,
    in_flight_bytes: u64,
    cursor: usize,
    stats: Stats,
    start_ms: Ms,
    done: Option<i32>,
}

impl PerfJob {
    fn payload(&mut self, i: i64) -> Vec<u8> {
        if !self.payload_list.is_empty() {
            let n = self.payload_list.len().min(i32::MAX as usize) as i32;
            return self.payload_list[self.random.next_int(n) as usize].clone();
        }
        if let Some(size) = self.record_size {
            return (0..size).map(|_| (self.random.next_int(26) + 65) as u8).collect();
        }
        debug_assert!(self.monotonic);
        i.to_string().into_bytes()
    }

    /// Sends every record the throttle allows by now (`ThroughputThrottler`:
    /// record i goes out no earlier than `start + i / throughput` seconds), while
    /// the buffer has room.
    fn send_due(&mut self, world: &mut World, out: &mut Output) {
        let now = world.sim.now();
        while self.next < self.num_records {
            if self.throughput > 0.0 {
                let due = self.start_ms + (self.next as f64 * 1000.0 / self.throughput) as Ms;
                if due > now {
                    break;
                }
            }
            if self.in_flight_bytes >= BUFFER_MEMORY {
                break;
            }
            let i = self.next;
            let payload = self.payload(i);
            self.next += 1;
            if !self.reachable {
                world.sim.run_for(60_000);
                out.errln(format!(
                    "org.apache.kafka.common.errors.TimeoutException: Topic {} not present in metadata after 60000 ms.",
                    self.topic
                ));
                continue;
            }
            let bytes = payload.len() as i64;
            let id = world.sim.send_record(
                self.producer,
                ProducerRecord {
                    topic: self.topic.clone(),
                    partition: None,
                    key: None,
                    value: Some(payload),
                    headers: Vec::new(),
                },
            );
            self.in_flight.insert(id, (now, bytes));
            self.in_flight_bytes += bytes as u64;
        }
    }

    fn collect(&mut self, world: &World, out: &mut Output) {
        let outcomes = world.sim.outcomes();
        let new = &outcomes[self.cursor.min(outcomes.len())..];
        self.cursor = outcomes.len();
        for o in new.iter().filter(|o| o.producer == self.producer) {
            let Some((sent, bytes)) = self.in_flight.remove(&o.record_id) else {
                continue;
            };
            self.in_flight_bytes = self.in_flight_bytes.saturating_sub(bytes as u64);
            match &o.result {
                Ok(_) => {
                    let latency = (o.time - sent).clamp(0, i64::from(i32::MAX)) as i32;
                    self.stats.record(out, latency, bytes, o.time);
                    self.stats.iteration += 1;
                }
                Err(text) => out.errln(text),
            }
        }
    }
}

impl Job for PerfJob {
    fn input(&mut self, _world: &mut World, _line: &str, _out: &mut Output) {}

    fn end_of_input(&mut self, _world: &mut World, _out: &mut Output) {}

    fn interrupt(&mut self, _world: &mut World, _out: &mut Output) -> i32 {
        self.done = Some(130);
        130
    }

    fn tick(&mut self, world: &mut World, out: &mut Output) -> Option<i32> {
        if let Some(code) = self.done {
            return Some(code);
        }
        self.collect(world, out);
        self.send_due(world, out);
        self.collect(world, out);
        if self.next >= self.num_records && self.in_flight.is_empty() {
            // producer.close() has returned: the totals.
            self.stats.print_total(out, world.sim.now());
            self.done = Some(0);
            return Some(0);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_is_the_top_of_the_help() {
        assert!(usage().starts_with("usage: producer-performance [-h] --topic TOPIC --num-records NUM-RECORDS\n"));
        assert!(usage().ends_with("--payload-monotonic)\n"));
    }
}
