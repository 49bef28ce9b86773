//! `kafka-consumer-perf-test`: Kafka's `ConsumerPerformance`. A consumer in
//! the simulation subscribes with its group and reads until `--messages`
//! records arrived or none came for `--timeout` ms; times are simulated.

use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, ProcessingMode};
use kafkaplay_cluster::{Ms, NodeId};

use crate::output::Output;
use crate::tool::{Exit, Invocation, Job};
use crate::world::World;

use super::common::{civil_from_days, help_or_version, java_fixed, usage_and_exit};
use super::console_consumer::FetchedRecords;
use super::jopt::Parser;

/// The group's default: `"perf-consumer-" + RND.nextInt(100_000)`, drawn
/// from the simulation's seed.
fn default_group(world: &World) -> String {
    let n = world.sim.seed().wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
    format!("perf-consumer-{}", n % 100_000)
}

pub fn parser(world: &World) -> Parser {
    let mut p = Parser::new();
    p.arg(
        "bootstrap-server",
        "REQUIRED: The server(s) to connect to.",
        "server to connect to",
        "String",
    )
    .arg("topic", "REQUIRED: The topic to consume from.", "topic", "String")
    .arg("group", "The group id to consume on.", "gid", "String")
    .default(&default_group(world))
    .arg(
        "fetch-size",
        "The amount of data to fetch in a single request.",
        "size",
        "Integer",
    )
    .default("1048576")
    .flag(
        "from-latest",
        "If the consumer does not already have an established offset to consume from, start with the latest \
             message present in the log rather than the earliest message.",
    )
    .arg(
        "socket-buffer-size",
        "The size of the tcp RECV size.",
        "size",
        "Integer",
    )
    .default("2097152")
    .arg(
        "consumer.config",
        "Consumer config properties file.",
        "config file",
        "String",
    )
    .flag("print-metrics", "Print out the metrics.")
    .flag(
        "show-detailed-stats",
        "If set, stats are reported for each reporting interval as configured by reporting-interval",
    )
    .optional_arg(
        "timeout",
        "The maximum allowed time in milliseconds between returned records.",
        "milliseconds",
        "Long",
    )
    .default("10000")
    .arg(
        "messages",
        "REQUIRED: The number of messages to send or consume",
        "count",
        "Long",
    )
    .arg(
        "reporting-interval",
        "Interval in milliseconds at which to print progress info.",
        "interval_ms",
        "Long",
    )
    .default("5000")
    .arg(
        "date-format",
        "The date format to use for formatting the time field. See java.text.SimpleDateFormat for options.",
        "date format",
        "String",
    )
    .default("yyyy-MM-dd HH:mm:ss:SSS")
    .flag("hide-header", "If set, skips printing the header for the stats");
    p
}

/// `SimpleDateFormat.format` in UTC for the letters Kafka's default uses
/// (`yyyy MM dd HH mm ss SSS`); other characters are copied, quotes quote.
pub fn simple_date_format(pattern: &str, ms: Ms) -> String {
    let (y, mo, d) = civil_from_days(ms.div_euclid(86_400_000));
    let day_ms = ms.rem_euclid(86_400_000);
    let (h, mi, s, milli) = (
        day_ms / 3_600_000,
        day_ms / 60_000 % 60,
        day_ms / 1000 % 60,
        day_ms % 1000,
    );
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                out.push(chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let pad = |v: i64, width: usize| format!("{v:0width$}");
        match c {
            'y' if n == 2 => out.push_str(&pad(y.rem_euclid(100), 2)),
            'y' => out.push_str(&pad(y, n)),
            'M' => out.push_str(&pad(i64::from(mo), n)),
            'd' => out.push_str(&pad(i64::from(d), n)),
            'H' => out.push_str(&pad(h, n)),
            'm' => out.push_str(&pad(mi, n)),
            's' => out.push_str(&pad(s, n)),
            'S' => out.push_str(&pad(milli, n)),
            _ => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
        i += n;
    }
    out
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser(world);
    let o = match parser.parse(args) {
        Ok(o) => o,
        Err(m) => return usage_and_exit(out, &parser, &m),
    };
    if let Some(exit) = help_or_version(
        world,
        out,
        &parser,
        &o,
        "This tool is used to verify the consumer performance.",
    ) {
        return exit;
    }
    for required in ["topic", "messages"] {
        if !o.has(required) {
            return super::topics::missing(out, &parser, required);
        }
    }
    let reporting = o.number("reporting-interval").unwrap_or(5000);
    let show_detailed = o.has("show-detailed-stats");
    if show_detailed && reporting <= 0 {
        out.errln("Reporting interval must be greater than 0.");
        out.errln("java.lang.IllegalArgumentException: Reporting interval must be greater than 0.");
        return Exit::Code(1);
    }
    if !o.has("hide-header") {
        let fields = ", rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
        if show_detailed {
            out.outln(format!(
                "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec{fields}"
            ));
        } else {
            out.outln(format!(
                "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec{fields}"
            ));
        }
    }
    let Some(bootstrap) = o.value("bootstrap-server").filter(|_| o.has("bootstrap-server")) else {
        // props.put(BOOTSTRAP_SERVERS_CONFIG, null)
        out.errln("null");
        out.errln("java.lang.NullPointerException");
        return Exit::Code(1);
    };
    let config = ConsumerConfig {
        group_id: o.value("group"),
        client_id: "perf-consumer-client".into(),
        auto_offset_reset: if o.has("from-latest") { "latest" } else { "earliest" }.into(),
        max_partition_fetch_bytes: o
            .number("fetch-size")
            .unwrap_or(1_048_576)
            .clamp(0, i64::from(u32::MAX)) as u32,
        ..ConsumerConfig::default()
    };
    let topic = o.value("topic").unwrap_or_default();
    let consumer = world.reachable(&bootstrap).then(|| {
        let id = world
            .sim
            .add_consumer(config, ConsumerApp::new(ProcessingMode::AutoCommit));
        world.sim.subscribe(id, &[topic.as_str()]);
        id
    });
    let now = world.sim.now();
    Exit::Running(Box::new(PerfJob {
        consumer,
        cursor: world.sim.consumed().len(),
        num_messages: o.number("messages").unwrap_or(0),
        timeout_ms: o.number("timeout").unwrap_or(10_000),
        reporting_ms: reporting.max(1),
        show_detailed,
        date_format: o.value("date-format").unwrap_or_default(),
        start_ms: now,
        join_ms: None,
        last_consumed_ms: now,
        last_report_ms: now,
        messages: 0,
        bytes: 0,
        last_messages: 0,
        last_bytes: 0,
        fetched: FetchedRecords::default(),
        done: None,
    }))
}

struct PerfJob {
    consumer: Option<NodeId>,
    cursor: usize,
    num_messages: i64,
    timeout_ms: Ms,
    reporting_ms: Ms,
    show_detailed: bool,
    date_format: String,
    start_ms: Ms,
    /// When the group first gave the consumer partitions (`onPartitionsAssigned`).
    join_ms: Option<Ms>,
    last_consumed_ms: Ms,
    last_report_ms: Ms,
    messages: i64,
    bytes: i64,
    last_messages: i64,
    last_bytes: i64,
    fetched: FetchedRecords,
    done: Option<i32>,
}

impl PerfJob {
    fn join_time(&self) -> Ms {
        self.join_ms.map_or(0, |t| t - self.start_ms)
    }

    fn finish(&mut self, world: &mut World, out: &mut Output) -> i32 {
        let end = world.sim.now();
        if self.messages < self.num_messages {
            out.outln(format!(
                "WARNING: Exiting before consuming the expected number of messages: timeout ({} ms) exceeded. You can \
                 use the --timeout option to increase the timeout.",
                self.timeout_ms
            ));
        }
        if let Some(id) = self.consumer.take() {
            super::common::close_consumer(world, id);
        }
        if !self.show_detailed {
            let elapsed_sec = (end - self.start_ms) as f64 / 1000.0;
            let fetch_ms = (end - self.start_ms) - self.join_time();
            let mb = self.bytes as f64 / (1024.0 * 1024.0);
            let n = self.messages as f64;
            out.outln(format!(
                "{}, {}, {}, {}, {}, {}, {}, {}, {}, {}",
                simple_date_format(&self.date_format, self.start_ms),
                simple_date_format(&self.date_format, end),
                java_fixed(mb, 4),
                java_fixed(mb / elapsed_sec, 4),
                self.messages,
                java_fixed(n / elapsed_sec, 4),
                self.join_time(),
                fetch_ms,
                java_fixed(mb / (fetch_ms as f64 / 1000.0), 4),
                java_fixed(n / (fetch_ms as f64 / 1000.0), 4),
            ));
        }
        self.done = Some(0);
        0
    }
}

impl Job for PerfJob {
    fn input(&mut self, _world: &mut World, _line: &str, _out: &mut Output) {}

    fn end_of_input(&mut self, _world: &mut World, _out: &mut Output) {}

    fn interrupt(&mut self, world: &mut World, _out: &mut Output) -> i32 {
        if let Some(id) = self.consumer.take() {
            super::common::close_consumer(world, id);
        }
        self.done = Some(130);
        130
    }

    fn tick(&mut self, world: &mut World, out: &mut Output) -> Option<i32> {
        if let Some(code) = self.done {
            return Some(code);
        }
        let now = world.sim.now();
        if let Some(id) = self.consumer {
            if self.join_ms.is_none() && world.sim.consumer(id).is_some_and(|c| !c.assignment().is_empty()) {
                self.join_ms = Some(now);
            }
            let consumed = world.sim.consumed();
            let new: Vec<_> = consumed[self.cursor.min(consumed.len())..]
                .iter()
                .filter(|r| r.consumer == id)
                .cloned()
                .collect();
            self.cursor = consumed.len();
            if !new.is_empty() {
                self.last_consumed_ms = now;
            }
            for r in new {
                self.messages += 1;
                let key_len = self
                    .fetched
                    .get(world, &r.tp, r.offset)
                    .and_then(|(rec, _)| rec.key.map(|k| k.len()))
                    .unwrap_or(0);
                self.bytes += (key_len + r.value.as_ref().map_or(0, Vec::len)) as i64;
                if now - self.last_report_ms >= self.reporting_ms {
                    if self.show_detailed {
                        let elapsed = (now - self.last_report_ms) as f64;
                        let interval_mb = (self.bytes - self.last_bytes) as f64 / (1024.0 * 1024.0);
                        let rebalance = if self.last_report_ms == self.start_ms {
                            self.join_time()
                        } else {
                            0
                        };
                        let fetch = elapsed as i64 - rebalance;
                        out.outln(format!(
                            "{}, 0, {}, {}, {}, {}, {rebalance}, {fetch}, {}, {}",
                            simple_date_format(&self.date_format, now),
                            java_fixed(self.bytes as f64 / (1024.0 * 1024.0), 4),
                            java_fixed(1000.0 * interval_mb / elapsed, 4),
                            self.messages,
                            java_fixed((self.messages - self.last_messages) as f64 / elapsed * 1000.0, 4),
                            java_fixed(
                                if fetch <= 0 {
                                    0.0
                                } else {
                                    1000.0 * interval_mb / fetch as f64
                                },
                                4
                            ),
                            java_fixed(
                                if fetch <= 0 {
                                    0.0
                                } else {
                                    1000.0 * (self.messages - self.last_messages) as f64 / fetch as f64
                                },
                                4
                            ),
                        ));
                    }
                    self.last_report_ms = now;
                    self.last_messages = self.messages;
                    self.last_bytes = self.bytes;
                }
            }
        }
        if self.messages >= self.num_messages || now - self.last_consumed_ms > self.timeout_ms {
            return Some(self.finish(world, out));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_like_simple_date_format() {
        assert_eq!(
            simple_date_format("yyyy-MM-dd HH:mm:ss:SSS", 1_700_000_000_123),
            "2023-11-14 22:13:20:123"
        );
        assert_eq!(simple_date_format("HH'h'mm", 1_700_000_000_123), "22h13");
    }
}
