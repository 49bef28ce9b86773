//! `kafka-get-offsets`: Kafka's `GetOffsetShell`, one `topic:partition:offset`
//! line per partition, sorted by `topic-partition`, from ListOffsets requests
//! to the partition leaders (the simulation's admin `list_offsets`).

use kafkaplay_cluster::sim::group_admin::OffsetSpec;
use kafkaplay_cluster::TopicPartition;

use crate::output::Output;
use crate::tool::{Exit, Invocation};
use crate::world::World;

use super::common::{connect, is_internal, metadata_via, usage_and_exit, IncludeList};
use super::console_producer::validate_bootstrap_server;
use super::jopt::{Parsed, Parser};

const USAGE_TEXT: &str = "An interactive shell for getting topic-partition offsets.";

pub fn parser() -> Parser {
    let mut p = Parser::new();
    p.arg(
        "bootstrap-server",
        "REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.",
        "HOST1:PORT1,...,HOST3:PORT3",
        "String",
    )
    .arg(
        "topic-partitions",
        "Comma separated list of topic-partition patterns to get the offsets for, with the format of \
         '([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?'. The first group is an optional regex for the topic \
         name, if omitted, it matches any topic name. The section after ':' describes a 'partition' pattern, which \
         can be: a number, a range in the format of 'NUMBER-NUMBER' (lower inclusive, upper exclusive), an \
         inclusive lower bound in the format of 'NUMBER-', an exclusive upper bound in the format of '-NUMBER' or \
         may be omitted to accept all partitions.",
        "topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3",
        "String",
    )
    .arg(
        "topic",
        "The topic to get the offsets for. It also accepts a regular expression. If not present, all authorized \
         topics are queried. Cannot be used if --topic-partitions is present.",
        "topic",
        "String",
    )
    .arg(
        "partitions",
        "Comma separated list of partition ids to get the offsets for. If not present, all partitions of the \
         authorized topics are queried. Cannot be used if --topic-partitions is present.",
        "partition ids",
        "String",
    )
    .arg(
        "time",
        "timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently \
         committed record timestamp is given.]",
        "<timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or \
         latest-tiered",
        "String",
    )
    .default("latest")
    .arg(
        "command-config",
        "Property file containing configs to be passed to Admin Client.",
        "config file",
        "String",
    )
    .flag(
        "exclude-internal-topics",
        "By default, internal topics are included. If specified, internal topics are excluded.",
    );
    p
}

/// `OffsetSpec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    Earliest,
    Latest,
    MaxTimestamp,
    EarliestLocal,
    LatestTiered,
    Timestamp(i64),
}

fn parse_spec(s: &str) -> Result<Spec, String> {
    Ok(match s {
        "earliest" => Spec::Earliest,
        "latest" => Spec::Latest,
        "max-timestamp" => Spec::MaxTimestamp,
        "earliest-local" => Spec::EarliestLocal,
        "latest-tiered" => Spec::LatestTiered,
        _ => match s.parse::<i64>() {
            Ok(-2) => Spec::Earliest,
            Ok(-1) => Spec::Latest,
            Ok(-3) => Spec::MaxTimestamp,
            Ok(-4) => Spec::EarliestLocal,
            Ok(-5) => Spec::LatestTiered,
            Ok(t) => Spec::Timestamp(t),
            Err(_) => {
                return Err(format!(
                    "Malformed time argument {s}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 \
                     or earliest-local / -5 or latest-tiered, or a specified long format timestamp"
                ))
            }
        },
    })
}

/// One `--topic-partitions` rule, or `--topic` with `--partitions`.
struct Rule {
    topic: IncludeList,
    /// `Some(set)` of partition ids, or a `[lower, upper)` range.
    partitions: Partitions,
}

enum Partitions {
    Set(Vec<i32>),
    Range(i32, i32),
}

impl Rule {
    fn allows(&self, tp: &TopicPartition) -> bool {
        self.topic.is_topic_allowed(&tp.topic, false)
            && match &self.partitions {
                Partitions::Set(s) => s.is_empty() || s.contains(&tp.partition),
                Partitions::Range(lo, hi) => tp.partition >= *lo && tp.partition < *hi,
            }
    }
}

/// `TOPIC_PARTITION_PATTERN`: `topic-regex[:N | :N-M | :N- | :-M]`.
fn parse_rule(spec: &str) -> Result<Rule, String> {
    let invalid = || format!("Invalid rule specification: {spec}");
    let (topic, part) = match spec.split_once(':') {
        Some((t, p)) => (t, Some(p)),
        None => (spec, None),
    };
    if topic.contains(',') {
        return Err(invalid());
    }
    let number = |s: &str| -> Result<Option<i32>, String> {
        if s.is_empty() {
            Ok(None)
        } else if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map(Some).map_err(|_| format!("For input string: \"{s}\""))
        } else {
            Err(invalid())
        }
    };
    let partitions = match part {
        None => Partitions::Range(0, i32::MAX),
        Some(p) => match p.split_once('-') {
            None => match number(p)? {
                Some(n) => Partitions::Set(vec![n]),
                None => Partitions::Range(0, i32::MAX),
            },
            Some((lo, hi)) => Partitions::Range(number(lo)?.unwrap_or(0), number(hi)?.unwrap_or(i32::MAX)),
        },
    };
    let topic = IncludeList::new(if topic.is_empty() { ".*" } else { topic })?;
    Ok(Rule { topic, partitions })
}

fn terse(out: &mut Output, message: &str) -> Exit {
    out.errln(format!("Error occurred: {message}"));
    Exit::Code(1)
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser();
    if args.is_empty() {
        return usage_and_exit(out, &parser, USAGE_TEXT);
    }
    let o = match parser.parse(args) {
        Ok(o) => o,
        Err(m) => return terse(out, &m),
    };
    if let Some(exit) = super::common::help_or_version(world, out, &parser, &o, USAGE_TEXT) {
        return exit;
    }
    if !o.has("bootstrap-server") {
        return super::topics::missing(out, &parser, "bootstrap-server");
    }
    let bootstrap = o.value("bootstrap-server").unwrap_or_default();
    if let Err(m) = validate_bootstrap_server(&bootstrap) {
        return usage_and_exit(out, &parser, &m);
    }
    match fetch(world, out, &o, &bootstrap) {
        Ok(lines) => {
            for line in lines {
                out.outln(line);
            }
            Exit::Code(0)
        }
        Err(m) => terse(out, &m),
    }
}

fn fetch(world: &mut World, out: &mut Output, o: &Parsed, bootstrap: &str) -> Result<Vec<String>, String> {
    if o.has("topic-partitions") && (o.has("topic") || o.has("partitions")) {
        return Err("--topic-partitions cannot be used with --topic or --partitions".into());
    }
    let exclude_internal = o.has("exclude-internal-topics");
    let spec = parse_spec(&o.value("time").unwrap_or_default())?;
    let rules: Vec<Rule> = if let Some(list) = o.value("topic-partitions") {
        list.split(',').map(parse_rule).collect::<Result<_, _>>()?
    } else {
        let partitions = match o.value("partitions").filter(|p| !p.is_empty()) {
            None => Vec::new(),
            Some(p) => p
                .split(',')
                .map(|x| x.parse::<i32>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    format!("--partitions expects a comma separated list of numeric partition ids, but received: {p}")
                })?,
        };
        vec![Rule {
            topic: IncludeList::new(&o.value("topic").unwrap_or_else(|| ".*".into()))?,
            partitions: Partitions::Set(partitions),
        }]
    };
    if !connect(world, bootstrap) {
        return Err(format!(
            "org.apache.kafka.common.errors.TimeoutException: {}",
            super::common::node_assignment_timeout("listTopics")
        ));
    }
    let image = metadata_via(world, bootstrap).ok_or("no metadata")?;
    let mut partitions: Vec<TopicPartition> = image
        .partitions()
        .map(|(tp, _)| tp)
        .filter(|tp| !(exclude_internal && is_internal(&tp.topic)))
        .filter(|tp| rules.iter().any(|r| r.allows(tp)))
        .collect();
    if partitions.is_empty() {
        return Err("Could not match any topic-partitions with the specified filters".into());
    }
    // TreeMap(Comparator.comparing(TopicPartition::toString)).
    partitions.sort_by_key(|tp| tp.to_string());
    let mut lines = Vec::new();
    for tp in partitions {
        match list_offset(world, &tp, spec) {
            Ok(Some(offset)) => lines.push(format!("{}:{}:{offset}", tp.topic, tp.partition)),
            Ok(None) => {}
            Err(e) => out.errln(format!(
                "Skip getting offsets for topic-partition {tp} due to error: {e}"
            )),
        }
    }
    Ok(lines)
}

/// `Admin.listOffsets` for one partition, asked of its leader; `None` for
/// `UNKNOWN_OFFSET` (-1: no record that recent, or no tiered storage).
fn list_offset(world: &mut World, tp: &TopicPartition, spec: Spec) -> Result<Option<i64>, String> {
    let spec = match spec {
        Spec::Earliest | Spec::EarliestLocal => OffsetSpec::Earliest,
        Spec::Latest => OffsetSpec::Latest,
        Spec::MaxTimestamp => OffsetSpec::MaxTimestamp,
        Spec::Timestamp(t) => OffsetSpec::ForTimestamp(t),
        // No tiered storage: Kafka answers UNKNOWN_OFFSET.
        Spec::LatestTiered => return Ok(None),
    };
    let listed = world
        .sim
        .list_offsets(std::slice::from_ref(tp), spec)
        .map_err(|e| e.to_string())?;
    Ok(listed
        .into_iter()
        .find(|(t, _)| t == tp)
        .map(|(_, l)| l.offset)
        .filter(|o| *o >= 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_follow_the_pattern() {
        let r = parse_rule("t.*:1-3").unwrap();
        assert!(r.allows(&TopicPartition::new("topic", 2)));
        assert!(!r.allows(&TopicPartition::new("topic", 3)));
        assert!(parse_rule(":5-").unwrap().allows(&TopicPartition::new("x", 9)));
        assert!(!parse_rule("x:-3").unwrap().allows(&TopicPartition::new("x", 3)));
        assert_eq!(parse_rule("x:a").err().unwrap(), "Invalid rule specification: x:a");
        assert_eq!(parse_spec("-2").unwrap(), Spec::Earliest);
        assert!(parse_spec("yesterday")
            .unwrap_err()
            .starts_with("Malformed time argument yesterday."));
    }
}
