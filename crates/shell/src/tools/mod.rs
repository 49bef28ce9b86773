//! Kafka's command-line tools, one module each, and the registry by name. Each
//! tool answers to its plain name (Confluent image) and its `.sh` name (Apache
//! Kafka).
//!
//! Every text is Kafka's (apache/kafka trunk shortly before 4.0): usages,
//! messages, exit codes and the stdout/stderr split. Shared pieces:
//! - `jopt`: jopt-simple 5.0.4's parser and usage table (with the JDK's line
//!   breaking), pinned against jopt-simple's own output in
//!   `tests/fixtures/help/`; `argparse`: argparse4j 0.7.0's error texts for the
//!   two tools that use it (perf test, metadata quorum).
//! - `common`: `CommandLineUtils`, the admin client's connection timeout
//!   (`default.api.timeout.ms` of simulated time when no listed broker
//!   answers), log4j lines, topic include lists, Java's number formatting,
//!   `SplittableRandom` and `HashMap` iteration order where Kafka prints one.
//! - `json`: the JSON files the tools read and write.
//!
//! Writes go through the cluster's requests (admin requests to the
//! controller, the simulated producer and consumer clients). Read-only views
//! with no request in the simulation yet (describe topics/configs/groups,
//! ListOffsets, DescribeQuorum) read the state a broker or controller would
//! answer with; each module says so.

use crate::tool::ToolFn;

pub mod argparse;
pub mod common;
pub mod configs;
pub mod console_consumer;
pub mod console_producer;
pub mod consumer_groups;
pub mod consumer_perf;
pub mod dump_log;
pub mod get_offsets;
pub mod jopt;
pub mod json;
pub mod leader_election;
pub mod metadata_quorum;
pub mod producer_perf;
pub mod reassign_partitions;
pub mod topics;

/// `(plain name, implementation)` for every tool.
const TOOLS: &[(&str, ToolFn)] = &[
    ("kafka-configs", configs::run),
    ("kafka-console-consumer", console_consumer::run),
    ("kafka-console-producer", console_producer::run),
    ("kafka-consumer-groups", consumer_groups::run),
    ("kafka-consumer-perf-test", consumer_perf::run),
    ("kafka-dump-log", dump_log::run),
    ("kafka-get-offsets", get_offsets::run),
    ("kafka-leader-election", leader_election::run),
    ("kafka-metadata-quorum", metadata_quorum::run),
    ("kafka-producer-perf-test", producer_perf::run),
    ("kafka-reassign-partitions", reassign_partitions::run),
    ("kafka-topics", topics::run),
];

/// The tool called `name` (`kafka-topics` or `kafka-topics.sh`).
pub fn lookup(name: &str) -> Option<ToolFn> {
    let plain = name.strip_suffix(".sh").unwrap_or(name);
    TOOLS.iter().find(|(n, _)| *n == plain).map(|(_, f)| *f)
}

/// Every tool's plain name, sorted (for `ls /bin`, completion and `help`).
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<_> = TOOLS.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    names
}
