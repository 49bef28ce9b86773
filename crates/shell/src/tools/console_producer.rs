//! `kafka-console-producer`: Kafka's `ConsoleProducer` with its
//! `LineMessageReader`. Each line read from stdin becomes a record handed to a
//! producer client in the simulation; failed sends are logged at ERROR as
//! `ErrorLoggingCallback` does.

use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::{Ms, NodeId, ProducerConfig};

use crate::output::Output;
use crate::tool::{Exit, Invocation, Job, Stdin};
use crate::world::World;

use super::common::{help_or_version, key_values, log_line, usage_and_exit};
use super::jopt::{later, Parsed, Parser};

/// `max.block.ms`'s default: how long `send` waits for metadata.
const MAX_BLOCK_MS: Ms = 60_000;

pub fn parser() -> Parser {
    let mut p = Parser::new();
    p.arg(
        "topic",
        later(|| "REQUIRED: The topic name to produce messages to.".into()),
        "topic",
        "String",
    )
    .arg(
        "bootstrap-server",
        later(|| "REQUIRED: The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.".into()),
        "server to connect to",
        "String",
    )
    .flag(
        "sync",
        later(|| "If set message send requests to the brokers are synchronously, one at a time as they arrive.".into()),
    )
    .optional_arg(
        "compression-codec",
        later(|| "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If specified without value, then \
             it defaults to 'gzip'".into()),
        "compression-codec",
        "String",
    )
    .arg(
        "batch-size",
        later(|| "Number of messages to send in a single batch if they are not being sent synchronously. please note that \
             this option will be replaced if max-partition-memory-bytes is also set".into()),
        "size",
        "Integer",
    )
    .default("16384")
    .arg(
        "message-send-max-retries",
        later(|| "Brokers can fail receiving the message for multiple reasons, and being unavailable transiently is just one \
             of them. This property specifies the number of retries before the producer give up and drop this message. \
             This is the option to control `retries` in producer configs.".into()),
        "",
        "Integer",
    )
    .default("3")
    .arg(
        "retry-backoff-ms",
        later(|| "Before each retry, the producer refreshes the metadata of relevant topics. Since leader election takes a \
             bit of time, this property specifies the amount of time that the producer waits before refreshing the \
             metadata. This is the option to control `retry.backoff.ms` in producer configs.".into()),
        "",
        "Long",
    )
    .default("100")
    .arg(
        "timeout",
        later(|| "If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message \
             will queue awaiting sufficient batch size. The value is given in ms. This is the option to control \
             `linger.ms` in producer configs.".into()),
        "timeout_ms",
        "Long",
    )
    .default("1000")
    .arg(
        "request-required-acks",
        later(|| "The required `acks` of the producer requests".into()),
        "request required acks",
        "String",
    )
    .default("-1")
    .arg(
        "request-timeout-ms",
        later(|| "The ack timeout of the producer requests. Value must be non-negative and non-zero.".into()),
        "request timeout ms",
        "Integer",
    )
    .default("1500")
    .arg(
        "metadata-expiry-ms",
        later(|| "The period of time in milliseconds after which we force a refresh of metadata even if we haven't seen any \
             leadership changes. This is the option to control `metadata.max.age.ms` in producer configs.".into()),
        "metadata expiration interval",
        "Long",
    )
    .default("300000")
    .arg(
        "max-block-ms",
        later(|| "The max time that the producer will block for during a send request.".into()),
        "max block on send",
        "Long",
    )
    .default("60000")
    .arg(
        "max-memory-bytes",
        later(|| "The total memory used by the producer to buffer records waiting to be sent to the server. This is the \
             option to control `buffer.memory` in producer configs.".into()),
        "total memory in bytes",
        "Long",
    )
    .default("33554432")
    .arg(
        "max-partition-memory-bytes",
        later(|| "The buffer size allocated for a partition. When records are received which are smaller than this size the \
             producer will attempt to optimistically group them together until this size is reached. This is the \
             option to control `batch.size` in producer configs.".into()),
        "memory in bytes per partition",
        "Integer",
    )
    .default("16384")
    .arg(
        "line-reader",
        later(|| "The class name of the class to use for reading lines from standard in. By default each line is read as a \
             separate message.".into()),
        "reader_class",
        "String",
    )
    .default("org.apache.kafka.tools.LineMessageReader")
    .arg(
        "socket-buffer-size",
        later(|| "The size of the tcp RECV size. This is the option to control `send.buffer.bytes` in producer configs.".into()),
        "size",
        "Integer",
    )
    .default("102400")
    .arg(
        "property",
        later(|| "A mechanism to pass user-defined properties in the form key=value to the message reader. This allows \
             custom configuration for a user-defined message reader.\nDefault properties include:\n \
             parse.key=false\n parse.headers=false\n ignore.error=false\n key.separator=\\t\n \
             headers.delimiter=\\t\n headers.separator=,\n headers.key.separator=:\n null.marker=   When set, any \
             fields (key, value and headers) equal to this will be replaced by null\nDefault parsing pattern \
             when:\n parse.headers=true and parse.key=true:\n  \"h1:v1,h2:v2...\\tkey\\tvalue\"\n \
             parse.key=true:\n  \"key\\tvalue\"\n parse.headers=true:\n  \"h1:v1,h2:v2...\\tvalue\"".into()),
        "prop",
        "String",
    )
    .arg(
        "reader-config",
        later(|| "Config properties file for the message reader. Note that [property] takes precedence over this config.".into()),
        "config file",
        "String",
    )
    .arg(
        "producer-property",
        later(|| "A mechanism to pass user-defined properties in the form key=value to the producer. ".into()),
        "producer_prop",
        "String",
    )
    .arg(
        "producer.config",
        later(|| "Producer config properties file. Note that [producer-property] takes precedence over this config.".into()),
        "config file",
        "String",
    );
    p
}

/// `LineMessageReader`'s settings.
#[derive(Debug, Clone)]
struct LineReader {
    topic: String,
    parse_key: bool,
    key_separator: String,
    parse_headers: bool,
    headers_delimiter: String,
    headers_separator: String,
    headers_key_separator: String,
    ignore_error: bool,
    null_marker: Option<String>,
}

impl LineReader {
    fn configure(topic: &str, props: &[(String, String)]) -> Result<LineReader, String> {
        let get = |k: &str| props.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let flag = |k: &str| get(k).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let r = LineReader {
            topic: topic.to_string(),
            parse_key: flag("parse.key"),
            key_separator: get("key.separator").unwrap_or_else(|| "\t".into()),
            parse_headers: flag("parse.headers"),
            headers_delimiter: get("headers.delimiter").unwrap_or_else(|| "\t".into()),
            headers_separator: get("headers.separator").unwrap_or_else(|| ",".into()),
            headers_key_separator: get("headers.key.separator").unwrap_or_else(|| ":".into()),
            ignore_error: flag("ignore.error"),
            null_marker: get("null.marker"),
        };
        let pairs = [
            (
                &r.headers_delimiter,
                &r.headers_separator,
                "headers.delimiter and headers.separator may not be equal",
            ),
            (
                &r.headers_delimiter,
                &r.headers_key_separator,
                "headers.delimiter and headers.key.separator may not be equal",
            ),
            (
                &r.headers_separator,
                &r.headers_key_separator,
                "headers.separator and headers.key.separator may not be equal",
            ),
        ];
        for (a, b, message) in pairs {
            if a == b {
                return Err(message.to_string());
            }
        }
        if let Some(marker) = &r.null_marker {
            let checks = [
                (&r.key_separator, "null.marker and key.separator may not be equal"),
                (
                    &r.headers_separator,
                    "null.marker and headers.separator may not be equal",
                ),
                (
                    &r.headers_delimiter,
                    "null.marker and headers.delimiter may not be equal",
                ),
                (
                    &r.headers_key_separator,
                    "null.marker and headers.key.separator may not be equal",
                ),
            ];
            for (v, message) in checks {
                if v == marker {
                    return Err(message.to_string());
                }
            }
        }
        Ok(r)
    }

    fn is_null(&self, s: &str) -> bool {
        self.null_marker.as_deref() == Some(s)
    }

    /// `parse(enabled, line, start, demarcation, name)`.
    fn field<'l>(
        &self,
        enabled: bool,
        line: &'l str,
        start: usize,
        sep: &str,
        name: &str,
        n: u64,
    ) -> Result<Option<&'l str>, String> {
        if !enabled {
            return Ok(None);
        }
        match line.get(start..).and_then(|rest| rest.find(sep)) {
            Some(i) => Ok(Some(&line[start..start + i])),
            None if self.ignore_error => Ok(None),
            None => Err(format!("No {name} found on line number {n}: '{line}'")),
        }
    }

    /// One line to a record, or the `KafkaException` message.
    fn read(&self, line: &str, n: u64) -> Result<ProducerRecord, String> {
        let headers = self.field(
            self.parse_headers,
            line,
            0,
            &self.headers_delimiter,
            "headers delimiter",
            n,
        )?;
        let header_offset = headers.map_or(0, |h| h.len() + self.headers_delimiter.len());
        let key = self.field(
            self.parse_key,
            line,
            header_offset,
            &self.key_separator,
            "key separator",
            n,
        )?;
        let key_offset = key.map_or(0, |k| k.len() + self.key_separator.len());
        let value = line.get(header_offset + key_offset..).unwrap_or("");
        let mut record = ProducerRecord {
            topic: self.topic.clone(),
            partition: None,
            key: key.filter(|k| !self.is_null(k)).map(|k| k.as_bytes().to_vec()),
            value: (!self.is_null(value)).then(|| value.as_bytes().to_vec()),
            headers: Vec::new(),
        };
        if let Some(h) = headers.filter(|h| !self.is_null(h)) {
            for pair in split_java(h, &self.headers_separator) {
                match pair.find(&self.headers_key_separator) {
                    None if self.ignore_error => record.headers.push((pair.to_string(), None)),
                    None => {
                        return Err(format!(
                            "No header key separator found in pair '{pair}' on line number {n}"
                        ));
                    }
                    Some(i) => {
                        let k = &pair[..i];
                        if self.is_null(k) {
                            return Err(format!(
                                "Header keys should not be equal to the null marker '{}' as they can't be null",
                                self.null_marker.as_deref().unwrap_or_default()
                            ));
                        }
                        let v = &pair[i + self.headers_key_separator.len()..];
                        record
                            .headers
                            .push((k.to_string(), (!self.is_null(v)).then(|| v.as_bytes().to_vec())));
                    }
                }
            }
        }
        Ok(record)
    }
}

/// `Pattern.split`: trailing empty strings removed.
fn split_java<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let mut parts: Vec<&str> = s.split(sep).collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// `acks` as `ProducerConfig` validates it.
fn parse_acks(v: &str) -> Result<i16, String> {
    match v.trim() {
        "all" | "-1" => Ok(-1),
        "0" => Ok(0),
        "1" => Ok(1),
        other => Err(format!(
            "Invalid value {other} for configuration acks: String must be one of: all, -1, 0, 1"
        )),
    }
}

/// The producer's configuration: `--producer-property` values, overridden by
/// the tool's own options when given (`CommandLineUtils.maybeMergeOptions`).
fn producer_config(o: &Parsed) -> Result<ProducerConfig, String> {
    let props = key_values(&o.values("producer-property"));
    let prop = |k: &str| props.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let merged = |option: &str, key: &str| -> String {
        if o.has(option) || prop(key).is_none() {
            o.value(option).unwrap_or_default()
        } else {
            prop(key).unwrap_or_default()
        }
    };
    let number = |option: &str, key: &str| -> Result<i64, String> {
        let v = merged(option, key);
        v.trim()
            .parse::<i64>()
            .map_err(|_| format!("Invalid value {v} for configuration {key}: Not a number of type LONG"))
    };
    let batch = if o.has("max-partition-memory-bytes") {
        number("max-partition-memory-bytes", "batch.size")?
    } else {
        number("batch-size", "batch.size")?
    };
    let mut config = ProducerConfig {
        acks: parse_acks(&merged("request-required-acks", "acks"))?,
        linger_ms: number("timeout", "linger.ms")?,
        request_timeout_ms: number("request-timeout-ms", "request.timeout.ms")?,
        retries: number("message-send-max-retries", "retries")?.clamp(0, i64::from(i32::MAX)) as i32,
        retry_backoff_ms: number("retry-backoff-ms", "retry.backoff.ms")?,
        batch_size: batch.clamp(0, i64::from(u32::MAX)) as u32,
        ..ProducerConfig::default()
    };
    config.metadata_max_age_ms = number("metadata-expiry-ms", "metadata.max.age.ms")?;
    if let Some(v) = prop("delivery.timeout.ms") {
        config.delivery_timeout_ms = v.trim().parse().map_err(|_| {
            format!("Invalid value {v} for configuration delivery.timeout.ms: Not a number of type INT")
        })?;
    }
    if let Some(v) = prop("max.in.flight.requests.per.connection") {
        config.max_in_flight_requests_per_connection = v.trim().parse().map_err(|_| {
            format!(
                "Invalid value {v} for configuration max.in.flight.requests.per.connection: Not a number of type INT"
            )
        })?;
    }
    // Idempotence is on by default and silently off when acks is not all,
    // unless the user asked for it explicitly.
    config.enable_idempotence = match prop("enable.idempotence") {
        Some(v) => v.trim().eq_ignore_ascii_case("true"),
        None => config.acks == -1,
    };
    if config.enable_idempotence && config.acks != -1 {
        return Err(
            "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence."
                .to_string(),
        );
    }
    Ok(config)
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation {
        world,
        args,
        out,
        stdin,
        ..
    } = inv;
    let parser = parser();
    let o = match parser.parse(args) {
        Ok(o) => o,
        Err(message) => return usage_and_exit(out, &parser, &message),
    };
    if let Some(exit) = help_or_version(
        world,
        out,
        &parser,
        &o,
        "This tool helps to read data from standard input and publish it to Kafka.",
    ) {
        return exit;
    }
    if !o.has("topic") {
        return super::topics::missing(out, &parser, "topic");
    }
    let bootstrap = o.value("bootstrap-server").unwrap_or_default();
    if let Err(message) = validate_bootstrap_server(&bootstrap) {
        return usage_and_exit(out, &parser, &message);
    }
    let topic = o.value("topic").unwrap_or_default();
    let reader = match LineReader::configure(&topic, &key_values(&o.values("property"))) {
        Ok(r) => r,
        Err(message) => {
            out.errln(format!("org.apache.kafka.common.KafkaException: {message}"));
            return Exit::Code(1);
        }
    };
    let config = match producer_config(&o) {
        Ok(c) => c,
        Err(message) => {
            out.errln(format!("org.apache.kafka.common.config.ConfigException: {message}"));
            return Exit::Code(1);
        }
    };
    let reachable = world.reachable(&bootstrap);
    let producer = reachable.then(|| world.sim.add_producer(config));
    let mut job = ProducerJob {
        producer,
        reader,
        sync: o.has("sync"),
        line_number: 0,
        pending: Vec::new(),
        outcome_cursor: world.sim.outcomes().len(),
        state: State::Reading,
        interactive: matches!(stdin, Stdin::Terminal),
    };
    if let Stdin::Data(data) = stdin {
        for line in java_lines(&data) {
            if !matches!(job.state, State::Reading) {
                break;
            }
            job.input(world, line, out);
        }
        if matches!(job.state, State::Reading) {
            job.end_of_input(world, out);
        }
    }
    Exit::Running(Box::new(job))
}

/// `ToolsUtils.validateBootstrapServer`.
pub fn validate_bootstrap_server(list: &str) -> Result<(), String> {
    if list.trim().is_empty() {
        return Err("Error while validating the bootstrap address\n".to_string());
    }
    let valid = list.split(',').all(|hp| {
        hp.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
        })
    });
    if valid {
        Ok(())
    } else {
        Err("Please provide valid host:port like host1:9091,host2:9092\n".to_string())
    }
}

/// `BufferedReader.readLine` over all of stdin: `\n`, `\r\n` or `\r` end a line;
/// a last line without one still counts.
pub fn java_lines(data: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = data.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&data[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&data[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(&data[start..]);
    }
    lines
}

enum State {
    Reading,
    /// Stdin ended or reading failed: `producer.close()` flushes what is
    /// pending, then the tool exits with the code.
    Closing(i32),
    Done(i32),
}

struct Pending {
    record_id: u64,
    topic: String,
    key_len: Option<usize>,
    value_len: Option<usize>,
}

struct ProducerJob {
    /// `None` when no listed broker answers: every send then blocks for
    /// `max.block.ms` waiting for metadata.
    producer: Option<NodeId>,
    reader: LineReader,
    sync: bool,
    line_number: u64,
    pending: Vec<Pending>,
    outcome_cursor: usize,
    state: State,
    interactive: bool,
}

impl ProducerJob {
    /// Reports the outcomes that arrived for our records: `ErrorLoggingCallback`
    /// logs failures (async sends); `--sync` returns the first failure.
    fn collect(&mut self, world: &World, out: &mut Output) -> Option<String> {
        let outcomes = &world.sim.outcomes()[self.outcome_cursor.min(world.sim.outcomes().len())..];
        self.outcome_cursor += outcomes.len();
        let mut sync_failure = None;
        for o in outcomes {
            let Some(i) = self.pending.iter().position(|p| p.record_id == o.record_id) else {
                continue;
            };
            let p = self.pending.remove(i);
            if let Err(text) = &o.result {
                if self.sync {
                    sync_failure.get_or_insert_with(|| text.clone());
                } else {
                    log_send_error(out, o.time, &p, text);
                }
            }
        }
        sync_failure
    }

    fn send(&mut self, world: &mut World, record: ProducerRecord, out: &mut Output) {
        let pending = Pending {
            record_id: 0,
            topic: record.topic.clone(),
            key_len: record.key.as_ref().map(Vec::len),
            value_len: record.value.as_ref().map(Vec::len),
        };
        let Some(producer) = self.producer else {
            // waitOnMetadata: no broker answers, so send blocks for max.block.ms.
            world.sim.run_for(MAX_BLOCK_MS);
            let text = format!(
                "org.apache.kafka.common.errors.TimeoutException: Topic {} not present in metadata after {MAX_BLOCK_MS} ms.",
                record.topic
            );
            if self.sync {
                out.errln(format!("java.util.concurrent.ExecutionException: {text}"));
                self.state = State::Closing(1);
            } else {
                log_send_error(out, world.sim.now(), &pending, &text);
            }
            return;
        };
        let record_id = world.sim.send_record(producer, record);
        self.pending.push(Pending { record_id, ..pending });
        if self.sync {
            // producer.send(record).get()
            let cursor = self.outcome_cursor;
            world.sim.run_until_condition(10 * MAX_BLOCK_MS, |s| {
                s.outcomes()[cursor.min(s.outcomes().len())..]
                    .iter()
                    .any(|o| o.record_id == record_id)
            });
            if let Some(text) = self.collect(world, out) {
                out.errln(format!("java.util.concurrent.ExecutionException: {text}"));
                self.state = State::Closing(1);
            }
        }
    }
}

/// `ErrorLoggingCallback.onCompletion` with an exception.
fn log_send_error(out: &mut Output, now: Ms, p: &Pending, text: &str) {
    let key = p.key_len.map_or("null".to_string(), |n| format!("{n} bytes"));
    let value = p.value_len.map_or("null".to_string(), |n| format!("{n} bytes"));
    out.err(log_line(
        now,
        "ERROR",
        &format!(
            "Error when sending message to topic {} with key: {key}, value: {value} with error:",
            p.topic
        ),
        "org.apache.kafka.clients.producer.internals.ErrorLoggingCallback",
    ));
    out.errln(text);
}

impl Job for ProducerJob {
    fn prompt(&self) -> Option<&str> {
        // LineMessageReader prints ">" before each line when System.console() exists.
        (self.interactive && matches!(self.state, State::Reading)).then_some(">")
    }

    fn input(&mut self, world: &mut World, line: &str, out: &mut Output) {
        if !matches!(self.state, State::Reading) {
            return;
        }
        self.line_number += 1;
        match self.reader.read(line, self.line_number) {
            Ok(record) => self.send(world, record, out),
            Err(message) => {
                // The exception leaves loopReader; start() prints its stack trace.
                out.errln(format!("org.apache.kafka.common.KafkaException: {message}"));
                self.state = State::Closing(1);
            }
        }
    }

    fn end_of_input(&mut self, _world: &mut World, _out: &mut Output) {
        if matches!(self.state, State::Reading) {
            self.state = State::Closing(0);
        }
    }

    fn interrupt(&mut self, world: &mut World, out: &mut Output) -> i32 {
        // The shutdown hook closes the producer, which still delivers what it holds.
        self.collect(world, out);
        self.state = State::Done(130);
        130
    }

    fn tick(&mut self, world: &mut World, out: &mut Output) -> Option<i32> {
        self.collect(world, out);
        match self.state {
            State::Reading => None,
            State::Closing(code) => {
                if self.pending.is_empty() {
                    self.state = State::Done(code);
                    Some(code)
                } else {
                    None
                }
            }
            State::Done(code) => Some(code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(props: &[(&str, &str)]) -> LineReader {
        let props: Vec<(String, String)> = props.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        LineReader::configure("t", &props).unwrap()
    }

    #[test]
    fn line_reader_parses_keys_headers_and_null_markers() {
        let r = reader(&[("parse.key", "true"), ("key.separator", ":")]);
        let rec = r.read("k1:v:1", 1).unwrap();
        assert_eq!(
            (rec.key.as_deref(), rec.value.as_deref()),
            (Some(&b"k1"[..]), Some(&b"v:1"[..]))
        );
        assert_eq!(
            r.read("nokey", 3).unwrap_err(),
            "No key separator found on line number 3: 'nokey'"
        );

        let r = reader(&[
            ("parse.key", "true"),
            ("parse.headers", "true"),
            ("null.marker", "NULL"),
        ]);
        let rec = r.read("h1:v1,h2:NULL\tNULL\tvalue", 1).unwrap();
        assert_eq!(rec.key, None);
        assert_eq!(rec.value.as_deref(), Some(&b"value"[..]));
        assert_eq!(
            rec.headers,
            vec![("h1".to_string(), Some(b"v1".to_vec())), ("h2".to_string(), None)]
        );
        assert_eq!(
            r.read("h1\tk\tv", 2).unwrap_err(),
            "No header key separator found in pair 'h1' on line number 2"
        );
        let props = vec![("null.marker".to_string(), "\t".to_string())];
        assert_eq!(
            LineReader::configure("t", &props).unwrap_err(),
            "null.marker and key.separator may not be equal"
        );
    }

    #[test]
    fn lines_like_buffered_reader() {
        assert_eq!(java_lines("a\nb\r\nc\rd"), vec!["a", "b", "c", "d"]);
        assert_eq!(java_lines("a\n\n"), vec!["a", ""]);
        assert!(java_lines("").is_empty());
    }

    #[test]
    fn bootstrap_addresses_are_validated() {
        assert!(validate_bootstrap_server("localhost:9092,broker:29092").is_ok());
        assert_eq!(
            validate_bootstrap_server("localhost").unwrap_err(),
            "Please provide valid host:port like host1:9091,host2:9092\n"
        );
        assert_eq!(
            validate_bootstrap_server(" ").unwrap_err(),
            "Error while validating the bootstrap address\n"
        );
    }
}
