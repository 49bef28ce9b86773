//! `kafka-console-consumer`: Kafka's `ConsoleConsumer` with the
//! `DefaultMessageFormatter`. A consumer client in the simulation subscribes
//! (or is assigned a partition); every record its application loop processes
//! is printed, until Ctrl+C, `--max-messages` or `--timeout-ms`.

use kafkaplay_cluster::config::ConsumerConfig;
use kafkaplay_cluster::consumer::{ConsumerApp, ProcessingMode};
use kafkaplay_cluster::{Ms, NodeId, TopicPartition};
use kafkaplay_flatmap::FlatMap;
use kafkaplay_log::batch::Record;

use crate::output::Output;
use crate::tool::{Exit, Invocation, Job};
use crate::world::World;

use super::common::{help_or_version, key_values, log_line, IncludeList};
use super::jopt::{Parsed, Parser};

const LOGGER: &str = "org.apache.kafka.tools.consumer.ConsoleConsumer";

pub fn parser() -> Parser {
    let mut p = Parser::new();
    p.arg("topic", "The topic to consume on.", "topic", "String")
        .arg(
            "include",
            "Regular expression specifying list of topics to include for consumption.",
            "Java regex (String)",
            "String",
        )
        .arg(
            "partition",
            "The partition to consume from. Consumption starts from the end of the partition unless '--offset' is \
             specified.",
            "partition",
            "Integer",
        )
        .arg(
            "offset",
            "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' \
             which means from end",
            "consume offset",
            "String",
        )
        .default("latest")
        .arg(
            "consumer-property",
            "A mechanism to pass user-defined properties in the form key=value to the consumer.",
            "consumer_prop",
            "String",
        )
        .arg(
            "consumer.config",
            "Consumer config properties file. Note that [consumer-property] takes precedence over this config.",
            "config file",
            "String",
        )
        .arg(
            "formatter",
            "The name of a class to use for formatting kafka messages for display.",
            "class",
            "String",
        )
        .default("org.apache.kafka.tools.consumer.DefaultMessageFormatter")
        .arg(
            "property",
            "The properties to initialize the message formatter. Default properties include: \n \
             print.timestamp=true|false\n print.key=true|false\n print.offset=true|false\n print.epoch=true|false\n \
             print.partition=true|false\n print.headers=true|false\n print.value=true|false\n \
             key.separator=<key.separator>\n line.separator=<line.separator>\n headers.separator=<line.separator>\n \
             null.literal=<null.literal>\n key.deserializer=<key.deserializer>\n \
             value.deserializer=<value.deserializer>\n header.deserializer=<header.deserializer>\n\nUsers can also \
             pass in customized properties for their formatter; more specifically, users can pass in properties \
             keyed with 'key.deserializer.', 'value.deserializer.' and 'headers.deserializer.' prefixes to configure \
             their deserializers.",
            "prop",
            "String",
        )
        .arg(
            "formatter-config",
            "Config properties file to initialize the message formatter. Note that [property] takes precedence over \
             this config.",
            "config file",
            "String",
        )
        .flag(
            "from-beginning",
            "If the consumer does not already have an established offset to consume from, start with the earliest \
             message present in the log rather than the latest message.",
        )
        .arg(
            "max-messages",
            "The maximum number of messages to consume before exiting. If not set, consumption is continual.",
            "num_messages",
            "Integer",
        )
        .arg(
            "timeout-ms",
            "If specified, exit if no message is available for consumption for the specified interval.",
            "timeout_ms",
            "Long",
        )
        .flag(
            "skip-message-on-error",
            "If there is an error when processing a message, skip it instead of halt.",
        )
        .arg("bootstrap-server", "REQUIRED: The server(s) to connect to.", "server to connect to", "String")
        .arg("key-deserializer", "", "deserializer for key", "String")
        .arg("value-deserializer", "", "deserializer for values", "String")
        .flag(
            "enable-systest-events",
            "Log lifecycle events of the consumer in addition to logging consumed messages. (This is specific for \
             system tests.)",
        )
        .arg(
            "isolation-level",
            "Set to read_committed in order to filter out transactional messages which are not committed. Set to \
             read_uncommitted to read all messages.",
            "",
            "String",
        )
        .default("read_uncommitted")
        .arg("group", "The consumer group id of the consumer.", "consumer group id", "String");
    p
}

/// `DefaultMessageFormatter`'s settings.
#[derive(Debug, Clone)]
pub struct Formatter {
    print_timestamp: bool,
    print_key: bool,
    print_offset: bool,
    print_delivery: bool,
    print_epoch: bool,
    print_partition: bool,
    print_headers: bool,
    print_value: bool,
    key_separator: String,
    line_separator: String,
    headers_separator: String,
    null_literal: String,
}

impl Formatter {
    pub fn configure(props: &[(String, String)]) -> Formatter {
        let get = |k: &str| props.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let flag = |k: &str, default: bool| get(k).map_or(default, |v| v.trim().eq_ignore_ascii_case("true"));
        Formatter {
            print_timestamp: flag("print.timestamp", false),
            print_key: flag("print.key", false),
            print_offset: flag("print.offset", false),
            print_delivery: flag("print.delivery", false),
            print_epoch: flag("print.epoch", false),
            print_partition: flag("print.partition", false),
            print_headers: flag("print.headers", false),
            print_value: flag("print.value", true),
            key_separator: get("key.separator").unwrap_or_else(|| "\t".into()),
            line_separator: get("line.separator").unwrap_or_else(|| "\n".into()),
            headers_separator: get("headers.separator").unwrap_or_else(|| ",".into()),
            null_literal: get("null.literal").unwrap_or_else(|| "null".into()),
        }
    }

    fn bytes(&self, b: Option<&[u8]>) -> String {
        match b {
            Some(b) => String::from_utf8_lossy(b).into_owned(),
            None => self.null_literal.clone(),
        }
    }

    /// `writeTo`: the fields in Kafka's order, each followed by the key separator
    /// if another field follows, the value by the line separator.
    pub fn write(&self, partition: i32, record: &Record, timestamp_type: &str) -> String {
        let mut s = String::new();
        let sep = |s: &mut String, more: bool| {
            s.push_str(if more {
                &self.key_separator
            } else {
                &self.line_separator
            });
        };
        if self.print_timestamp {
            s.push_str(&format!("{timestamp_type}:{}", record.timestamp));
            sep(
                &mut s,
                self.print_partition
                    || self.print_offset
                    || self.print_delivery
                    || self.print_epoch
                    || self.print_headers
                    || self.print_key
                    || self.print_value,
            );
        }
        if self.print_partition {
            s.push_str(&format!("Partition:{partition}"));
            sep(
                &mut s,
                self.print_offset
                    || self.print_delivery
                    || self.print_epoch
                    || self.print_headers
                    || self.print_key
                    || self.print_value,
            );
        }
        if self.print_offset {
            s.push_str(&format!("Offset:{}", record.offset));
            sep(
                &mut s,
                self.print_delivery || self.print_epoch || self.print_headers || self.print_key || self.print_value,
            );
        }
        if self.print_delivery {
            s.push_str("Delivery:NOT_PRESENT");
            sep(
                &mut s,
                self.print_epoch || self.print_headers || self.print_key || self.print_value,
            );
        }
        if self.print_epoch {
            // ConsoleConsumer hands the formatter a copy without the leader epoch.
            s.push_str("Epoch:NOT_PRESENT");
            sep(&mut s, self.print_headers || self.print_key || self.print_value);
        }
        if self.print_headers {
            if record.headers.is_empty() {
                s.push_str("NO_HEADERS");
            } else {
                let hs: Vec<String> = record
                    .headers
                    .iter()
                    .map(|h| format!("{}:{}", h.key, self.bytes(h.value.as_deref())))
                    .collect();
                s.push_str(&hs.join(&self.headers_separator));
            }
            sep(&mut s, self.print_key || self.print_value);
        }
        if self.print_key {
            s.push_str(&self.bytes(record.key.as_deref()));
            sep(&mut s, self.print_value);
        }
        if self.print_value {
            s.push_str(&self.bytes(record.value.as_deref()));
            s.push_str(&self.line_separator);
        }
        s
    }
}

fn usage(out: &mut Output, parser: &Parser, message: &str) -> Exit {
    super::common::usage_and_exit(out, parser, message)
}

/// `ConsoleConsumerOptions`: checks, consumer properties, start offset.
struct Options {
    bootstrap: String,
    topic: Option<String>,
    include: Option<IncludeList>,
    partition: Option<i32>,
    /// -2 earliest, -1 latest, else the offset.
    offset: i64,
    config: ConsumerConfig,
    max_messages: Option<u64>,
    timeout_ms: Option<Ms>,
    formatter: Formatter,
}

fn options(world: &World, out: &mut Output, parser: &Parser, o: &Parsed) -> Result<Options, Exit> {
    let topic = o.has("topic").then(|| o.value("topic").unwrap_or_default());
    let include = o.has("include").then(|| o.value("include").unwrap_or_default());
    if topic.is_some() == include.is_some() {
        return Err(usage(out, parser, "Exactly one of --include/--topic is required. "));
    }
    let partition = o.number("partition").map(|p| p as i32);
    if partition.is_some() {
        if topic.is_none() {
            return Err(usage(out, parser, "The topic is required when partition is specified."));
        }
        if o.has("from-beginning") && o.has("offset") {
            return Err(usage(
                out,
                parser,
                "Options from-beginning and offset cannot be specified together.",
            ));
        }
    } else if o.has("offset") {
        return Err(usage(
            out,
            parser,
            "The partition is required when offset is specified.",
        ));
    }
    if !o.has("bootstrap-server") {
        return Err(super::topics::missing(out, parser, "bootstrap-server"));
    }
    let props = key_values(&o.values("consumer-property"));
    let prop = |k: &str| props.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let mut groups: Vec<String> = Vec::new();
    if let Some(g) = o.value("group").filter(|_| o.has("group")) {
        groups.push(g);
    }
    if let Some(g) = prop("group.id") {
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    if groups.len() > 1 {
        let quoted: Vec<String> = groups.iter().map(|g| format!("'{g}'")).collect();
        return Err(usage(
            out,
            parser,
            &format!(
                "The group ids provided in different places (directly using '--group', via '--consumer-property', or \
                 via '--consumer.config') do not match. Detected group ids: {}",
                quoted.join(", ")
            ),
        ));
    }
    if !groups.is_empty() && partition.is_some() {
        return Err(usage(
            out,
            parser,
            "Options group and partition cannot be specified together.",
        ));
    }
    let mut config = ConsumerConfig {
        client_id: prop("client.id").unwrap_or_else(|| "console-consumer".into()),
        ..ConsumerConfig::default()
    };
    match prop("auto.offset.reset") {
        Some(reset) => {
            if o.has("from-beginning") && reset != "earliest" {
                out.errln(format!(
                    "Can't simultaneously specify --from-beginning and 'auto.offset.reset={reset}', please remove one option"
                ));
                return Err(Exit::Code(1));
            }
            config.auto_offset_reset = reset;
        }
        None => {
            config.auto_offset_reset = if o.has("from-beginning") { "earliest" } else { "latest" }.into();
        }
    }
    if let Some(v) = prop("enable.auto.commit") {
        config.enable_auto_commit = v.trim().eq_ignore_ascii_case("true");
    }
    if let Some(v) = prop("auto.commit.interval.ms").and_then(|v| v.trim().parse().ok()) {
        config.auto_commit_interval_ms = v;
    }
    if let Some(v) = prop("partition.assignment.strategy") {
        config.partition_assignment_strategy = v.split(',').map(|s| short_assignor(s.trim())).collect();
    }
    let group = match groups.pop() {
        Some(g) => Some(g),
        None => {
            // "console-consumer-" + RANDOM.nextInt(100000), from the simulation's seed and clock.
            let n = (world.sim.seed() ^ world.sim.now() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33;
            if prop("enable.auto.commit").is_none() {
                config.enable_auto_commit = false;
            }
            Some(format!("console-consumer-{}", n % 100_000))
        }
    };
    // An assigned partition never joins the group, so nothing is committed under it.
    config.group_id = if partition.is_some() { None } else { group };
    let offset = if o.has("offset") {
        let raw = o.value("offset").unwrap_or_default();
        match raw.to_ascii_lowercase().as_str() {
            "earliest" => -2,
            "latest" => -1,
            _ => match raw.parse::<i64>() {
                Ok(n) if n >= 0 => n,
                _ => {
                    return Err(usage(
                        out,
                        parser,
                        &format!(
                            "The provided offset value '{raw}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
                        ),
                    ))
                }
            },
        }
    } else if o.has("from-beginning") {
        -2
    } else {
        -1
    };
    // buildFormatter: Class.forName of the formatter; only Kafka's default one
    // is simulated, any other name fails to load.
    let formatter_class = o.value("formatter").unwrap_or_default();
    if formatter_class != "org.apache.kafka.tools.consumer.DefaultMessageFormatter" {
        return Err(usage(out, parser, &formatter_class));
    }
    let include = match include {
        Some(raw) => match IncludeList::new(&raw) {
            Ok(l) => Some(l),
            Err(m) => {
                out.errln(m);
                return Err(Exit::Code(1));
            }
        },
        None => None,
    };
    Ok(Options {
        bootstrap: o.value("bootstrap-server").unwrap_or_default(),
        topic,
        include,
        partition,
        offset,
        config,
        max_messages: o.number("max-messages").map(|n| n.max(0) as u64),
        timeout_ms: o.number("timeout-ms").filter(|t| *t >= 0),
        formatter: Formatter::configure(&key_values(&o.values("property"))),
    })
}

/// `range`, `roundrobin`, ... from a class name or a short name.
fn short_assignor(s: &str) -> String {
    match s.rsplit('.').next().unwrap_or(s) {
        "RangeAssignor" => "range".into(),
        "RoundRobinAssignor" => "roundrobin".into(),
        "StickyAssignor" => "sticky".into(),
        "CooperativeStickyAssignor" => "cooperative-sticky".into(),
        other => other.to_string(),
    }
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser();
    let o = match parser.parse(args) {
        Ok(o) => o,
        Err(message) => return usage(out, &parser, &message),
    };
    if let Some(exit) = help_or_version(
        world,
        out,
        &parser,
        &o,
        "This tool helps to read data from Kafka topics and outputs it to standard output.",
    ) {
        return exit;
    }
    let opts = match options(world, out, &parser, &o) {
        Ok(opts) => opts,
        Err(exit) => return exit,
    };
    let consumer = world.reachable(&opts.bootstrap).then(|| {
        let app = ConsumerApp::new(ProcessingMode::AutoCommit);
        let id = world.sim.add_consumer(opts.config.clone(), app);
        if let (Some(topic), Some(p)) = (&opts.topic, opts.partition) {
            let tp = TopicPartition::new(topic, p);
            world.sim.assign(id, std::slice::from_ref(&tp));
            match opts.offset {
                -2 => world.sim.with_consumer(id, |c, cx| c.seek_to_beginning(cx, &tp)),
                -1 => world.sim.with_consumer(id, |c, cx| c.seek_to_end(cx, &tp)),
                n => world.sim.seek(id, &tp, n),
            }
        } else if let Some(topic) = &opts.topic {
            world.sim.subscribe(id, &[topic.as_str()]);
        } else if let Some(include) = &opts.include {
            world.sim.subscribe_pattern(id, &include.regex);
        }
        id
    });
    Exit::Running(Box::new(ConsumerJob {
        consumer,
        cursor: world.sim.consumed().len(),
        count: 0,
        max_messages: opts.max_messages,
        timeout_ms: opts.timeout_ms,
        last_record_ms: world.sim.now(),
        formatter: opts.formatter,
        fetched: FetchedRecords::default(),
        done: None,
    }))
}

struct ConsumerJob {
    /// `None` when no listed broker answers: the client keeps trying to connect.
    consumer: Option<NodeId>,
    /// Where this job is in the simulation's list of processed records.
    cursor: usize,
    count: u64,
    max_messages: Option<u64>,
    timeout_ms: Option<Ms>,
    last_record_ms: Ms,
    formatter: Formatter,
    fetched: FetchedRecords,
    done: Option<i32>,
}

impl ConsumerJob {
    /// `cleanup()` and `reportRecordCount()`.
    fn finish(&mut self, world: &mut World, out: &mut Output, code: i32) -> i32 {
        if let Some(id) = self.consumer.take() {
            super::common::close_consumer(world, id);
        }
        out.errln(format!("Processed a total of {} messages", self.count));
        self.done = Some(code);
        code
    }
}

/// The records the consumer fetched, looked up by offset: the consumer in the
/// simulation reports only the value of what it processed, so the key, headers
/// and timestamp are read from the same bytes in a replica's log (identical on
/// every replica below the high watermark). The last batch read of each
/// partition is kept, since records are consumed in offset order.
#[derive(Default)]
pub(crate) struct FetchedRecords {
    last: FlatMap<TopicPartition, (i64, i64, &'static str, Vec<Record>)>,
}

impl FetchedRecords {
    pub(crate) fn get(&mut self, world: &World, tp: &TopicPartition, offset: i64) -> Option<(Record, &'static str)> {
        let cached = self
            .last
            .get(tp)
            .filter(|(base, last, _, _)| (*base..=*last).contains(&offset));
        if cached.is_none() {
            let batch = find_batch(world, tp, offset)?;
            self.last.insert(tp.clone(), batch);
        }
        let (_, _, kind, records) = self.last.get(tp)?;
        records.iter().find(|r| r.offset == offset).map(|r| (r.clone(), *kind))
    }
}

/// The batch holding `offset` in the leader's (else a replica's) log, decoded.
fn find_batch(world: &World, tp: &TopicPartition, offset: i64) -> Option<(i64, i64, &'static str, Vec<Record>)> {
    let image = world.sim.metadata()?;
    let p = image.partition(tp)?;
    let mut replicas = vec![p.leader];
    replicas.extend(p.replicas.iter().copied());
    for b in replicas {
        let Some(log) = world.sim.broker(b).and_then(|x| x.log(tp)) else {
            continue;
        };
        for (_, batch) in log.batches() {
            if batch.base_offset() > offset || batch.last_offset() < offset {
                continue;
            }
            // `records()` gives LogAppendTime batches the broker's timestamp.
            let records = batch.records().ok()?;
            return Some((
                batch.base_offset(),
                batch.last_offset(),
                batch.timestamp_type().name(),
                records,
            ));
        }
    }
    None
}

impl Job for ConsumerJob {
    fn input(&mut self, _world: &mut World, _line: &str, _out: &mut Output) {
        // The console consumer does not read stdin.
    }

    fn end_of_input(&mut self, _world: &mut World, _out: &mut Output) {}

    fn interrupt(&mut self, world: &mut World, out: &mut Output) -> i32 {
        if let Some(code) = self.done {
            return code;
        }
        // The shutdown hook wakes the consumer up; run() then closes it and reports.
        self.finish(world, out, 130)
    }

    fn tick(&mut self, world: &mut World, out: &mut Output) -> Option<i32> {
        if let Some(code) = self.done {
            return Some(code);
        }
        if let Some(id) = self.consumer {
            let new: Vec<_> = world.sim.consumed()[self.cursor.min(world.sim.consumed().len())..]
                .iter()
                .filter(|r| r.consumer == id)
                .cloned()
                .collect();
            self.cursor = world.sim.consumed().len();
            let mut unprinted: FlatMap<TopicPartition, i64> = FlatMap::new();
            for r in new {
                if self.max_messages.is_some_and(|m| self.count >= m) {
                    unprinted.entry(r.tp.clone()).or_insert(r.offset);
                    continue;
                }
                let (record, kind) = self.fetched.get(world, &r.tp, r.offset).unwrap_or_else(|| {
                    (
                        Record {
                            offset: r.offset,
                            timestamp: r.time,
                            sequence: -1,
                            key: None,
                            value: r.value.clone(),
                            headers: Vec::new(),
                            size_in_bytes: 0,
                        },
                        "CreateTime",
                    )
                });
                out.out(self.formatter.write(r.tp.partition, &record, kind));
                self.count += 1;
                self.last_record_ms = world.sim.now();
            }
            // resetUnconsumedOffsets: what was fetched but not printed is not
            // committed when the consumer closes.
            for (tp, offset) in unprinted {
                world.sim.seek(id, &tp, offset);
            }
        }
        if self.max_messages.is_some_and(|m| self.count >= m) {
            return Some(self.finish(world, out, 0));
        }
        if let Some(t) = self.timeout_ms {
            if world.sim.now() - self.last_record_ms > t {
                out.err(log_line(
                    world.sim.now(),
                    "ERROR",
                    "Error processing message, terminating consumer process: ",
                    LOGGER,
                ));
                out.errln("org.apache.kafka.common.errors.TimeoutException");
                return Some(self.finish(world, out, 0));
            }
        }
        None
    }
}
