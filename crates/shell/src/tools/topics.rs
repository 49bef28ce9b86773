//! `kafka-topics`: Kafka's `TopicCommand` (list, describe, create, alter,
//! delete) over the simulated cluster.
//!
//! Create, alter and delete go to the controller as admin requests. Listing and
//! describing read the metadata a broker would return in a Metadata response
//! (there is no Metadata/DescribeConfigs request for tools in the simulation
//! yet): the answering broker's metadata image.

use kafkaplay_cluster::metadata::{MetadataImage, PartitionRegistration, TopicImage};
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::{KafkaError, NodeId, NO_NODE};

use crate::output::Output;
use crate::tool::{Exit, Invocation};
use crate::world::{Flavour, World, DEFAULT_API_TIMEOUT_MS};

use super::common::{
    connect, help_or_version, java_hash_order, log_line, metadata_via, node_assignment_timeout, parse_or_exit,
    uncaught, usage_and_exit, IncludeList, TIMEOUT_EXCEPTION,
};
use super::jopt::{later, Parsed, Parser};

const LOGGER: &str = "org.apache.kafka.tools.TopicCommand";
const CONFIGS_HINT: &str = " (To alter topic configurations, the kafka-configs tool can be used.)";

/// `LogConfig.configNames()`, sorted, as the `--config` help lists them.
const TOPIC_CONFIG_NAMES: &[&str] = &[
    "cleanup.policy",
    "compression.gzip.level",
    "compression.lz4.level",
    "compression.type",
    "compression.zstd.level",
    "delete.retention.ms",
    "file.delete.delay.ms",
    "flush.messages",
    "flush.ms",
    "follower.replication.throttled.replicas",
    "index.interval.bytes",
    "leader.replication.throttled.replicas",
    "local.retention.bytes",
    "local.retention.ms",
    "max.compaction.lag.ms",
    "max.message.bytes",
    "message.downconversion.enable",
    "message.format.version",
    "message.timestamp.after.max.ms",
    "message.timestamp.before.max.ms",
    "message.timestamp.difference.max.ms",
    "message.timestamp.type",
    "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms",
    "min.insync.replicas",
    "preallocate",
    "remote.log.copy.disable",
    "remote.log.delete.on.disable",
    "remote.storage.enable",
    "retention.bytes",
    "retention.ms",
    "segment.bytes",
    "segment.index.bytes",
    "segment.jitter.ms",
    "segment.ms",
    "unclean.leader.election.enable",
];

/// `LogConfig.configNames()` of Kafka 3.7 (Confluent Platform 7.x).
const TOPIC_CONFIG_NAMES_3_7: &[&str] = &[
    "cleanup.policy",
    "compression.type",
    "delete.retention.ms",
    "file.delete.delay.ms",
    "flush.messages",
    "flush.ms",
    "follower.replication.throttled.replicas",
    "index.interval.bytes",
    "leader.replication.throttled.replicas",
    "local.retention.bytes",
    "local.retention.ms",
    "max.compaction.lag.ms",
    "max.message.bytes",
    "message.downconversion.enable",
    "message.format.version",
    "message.timestamp.after.max.ms",
    "message.timestamp.before.max.ms",
    "message.timestamp.difference.max.ms",
    "message.timestamp.type",
    "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms",
    "min.insync.replicas",
    "preallocate",
    "remote.storage.enable",
    "retention.bytes",
    "retention.ms",
    "segment.bytes",
    "segment.index.bytes",
    "segment.jitter.ms",
    "segment.ms",
    "unclean.leader.election.enable",
];

const CONFIGS_HINT_3_7: &str =
    " (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)";

/// The parser of the emulated distribution: Kafka 3.7's TopicCommand for the
/// Confluent image (CP 7.x), trunk's (4.0) for Apache Kafka.
pub fn parser_for(flavour: Flavour) -> Parser {
    match flavour {
        Flavour::Apache => parser(),
        Flavour::Confluent => parser_3_7(),
    }
}

/// Kafka 3.7's `TopicCommandOptions`.
pub fn parser_3_7() -> Parser {
    let mut p = Parser::new();
    p.arg(
        "bootstrap-server",
        later(|| "REQUIRED: The Kafka server to connect to.".into()),
        "server to connect to",
        "String",
    )
    .arg(
        "command-config",
        later(|| {
            "Property file containing configs to be passed to Admin Client. This is used only with \
             --bootstrap-server option for describing and altering broker configs."
                .into()
        }),
        "command config property file",
        "String",
    )
    .flag("list", later(|| "List all available topics.".into()))
    .flag("create", later(|| "Create a new topic.".into()))
    .flag("delete", later(|| "Delete a topic".into()))
    .flag(
        "alter",
        later(|| {
            format!(
                "Alter the number of partitions and replica assignment. Update the configuration of an existing topic \
                 via --alter is no longer supported here{CONFIGS_HINT_3_7}."
            )
        }),
    )
    .flag("describe", later(|| "List details for the given topics.".into()))
    .arg(
        "topic",
        later(|| {
            "The topic to create, alter, describe or delete. It also accepts a regular expression, except for \
             --create option. Put topic name in double quotes and use the '\\' prefix to escape regular expression \
             symbols; e.g. \"test\\.topic\"."
                .into()
        }),
        "topic",
        "String",
    )
    .arg(
        "topic-id",
        later(|| {
            "The topic-id to describe.This is used only with --bootstrap-server option for describing topics.".into()
        }),
        "topic-id",
        "String",
    )
    .arg(
        "config",
        later(|| {
            let config_names: Vec<String> = TOPIC_CONFIG_NAMES_3_7.iter().map(|n| format!("\t{n}")).collect();
            format!(
                "A topic configuration override for the topic being created. The following is a list of valid \
                 configurations: \n{}\nSee the Kafka documentation for full details on the topic configs. It is \
                 supported only in combination with --create if --bootstrap-server option is used{CONFIGS_HINT_3_7}.",
                config_names.join("\n")
            )
        }),
        "name=value",
        "String",
    )
    .arg(
        "delete-config",
        later(|| {
            "A topic configuration override to be removed for an existing topic (see the list of configurations under \
             the --config option). Not supported with the --bootstrap-server option."
                .into()
        }),
        "name",
        "String",
    )
    .arg(
        "partitions",
        later(|| {
            "The number of partitions for the topic being created or altered (WARNING: If partitions are increased for \
             a topic that has a key, the partition logic or ordering of the messages will be affected). If not \
             supplied for create, defaults to the cluster default."
                .into()
        }),
        "# of partitions",
        "Integer",
    )
    .arg(
        "replication-factor",
        later(|| {
            "The replication factor for each partition in the topic being created. If not supplied, defaults to the \
             cluster default."
                .into()
        }),
        "replication factor",
        "Integer",
    )
    .arg(
        "replica-assignment",
        later(|| "A list of manual partition-to-broker assignments for the topic being created or altered.".into()),
        "broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : \
             broker_id_for_part2_replica2 , ...",
        "String",
    )
    .flag(
        "under-replicated-partitions",
        later(|| "if set when describing topics, only show under replicated partitions".into()),
    )
    .flag(
        "unavailable-partitions",
        later(|| "if set when describing topics, only show partitions whose leader is not available".into()),
    )
    .flag(
        "under-min-isr-partitions",
        later(|| {
            "if set when describing topics, only show partitions whose isr count is less than the configured minimum."
                .into()
        }),
    )
    .flag(
        "at-min-isr-partitions",
        later(|| {
            "if set when describing topics, only show partitions whose isr count is equal to the configured minimum."
                .into()
        }),
    )
    .flag(
        "topics-with-overrides",
        later(|| "if set when describing topics, only show topics that have overridden configs".into()),
    )
    .flag(
        "if-exists",
        later(|| {
            "if set when altering or deleting or describing topics, the action will only execute if the topic exists."
                .into()
        }),
    )
    .flag(
        "if-not-exists",
        later(|| {
            "if set when creating topics, the action will only execute if the topic does not already exist.".into()
        }),
    )
    .flag(
        "exclude-internal",
        later(|| {
            "exclude internal topics when running list or describe command. The internal topics will be listed by \
             default"
                .into()
        }),
    );
    p
}

/// `TopicCommandOptions`' parser (trunk, 4.0).
pub fn parser() -> Parser {
    let mut p = Parser::new();
    let config_names: Vec<String> = TOPIC_CONFIG_NAMES.iter().map(|n| format!("\t{n}")).collect();
    p.arg(
        "bootstrap-server",
        "REQUIRED: The Kafka server to connect to.",
        "server to connect to",
        "String",
    )
    .arg(
        "command-config",
        "Property file containing configs to be passed to Admin Client.",
        "command config property file",
        "String",
    )
    .flag("list", "List all available topics.")
    .flag("create", "Create a new topic.")
    .flag("delete", "Delete a topic.")
    .flag(
        "alter",
        &format!("Alter the number of partitions and replica assignment.{CONFIGS_HINT}"),
    )
    .flag("describe", "List details for the given topics.")
    .arg(
        "topic",
        "The topic to create, alter, describe or delete. It also accepts a regular expression, except for \
             --create option. Put topic name in double quotes and use the '\\' prefix to escape regular expression \
             symbols; e.g. \"test\\.topic\".",
        "topic",
        "String",
    )
    .arg("topic-id", "The topic-id to describe.", "topic-id", "String")
    .arg(
        "config",
        &format!(
            "A topic configuration override for the topic being created. The following is a list of valid \
                 configurations: \n{}\nSee the Kafka documentation for full details on the topic configs. It is \
                 supported only in combination with --create.{CONFIGS_HINT}",
            config_names.join("\n")
        ),
        "name=value",
        "String",
    )
    .arg(
        "delete-config",
        "This option is no longer supported and has been deprecated since 4.0",
        "name",
        "String",
    )
    .arg(
        "partitions",
        "The number of partitions for the topic being created or altered. If not supplied with --create, the \
             topic uses the cluster default. (WARNING: If partitions are increased for a topic that has a key, the \
             partition logic or ordering of the messages will be affected).",
        "# of partitions",
        "Integer",
    )
    .arg(
        "replication-factor",
        "The replication factor for each partition in the topic being created. If not supplied, the topic uses \
             the cluster default.",
        "replication factor",
        "Integer",
    )
    .arg(
        "replica-assignment",
        "A list of manual partition-to-broker assignments for the topic being created or altered.",
        "broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : \
             broker_id_for_part2_replica2 , ...",
        "String",
    )
    .flag(
        "under-replicated-partitions",
        "If set when describing topics, only show under-replicated partitions.",
    )
    .flag(
        "unavailable-partitions",
        "If set when describing topics, only show partitions whose leader is not available.",
    )
    .flag(
        "under-min-isr-partitions",
        "If set when describing topics, only show partitions whose isr count is less than the configured minimum.",
    )
    .flag(
        "at-min-isr-partitions",
        "If set when describing topics, only show partitions whose isr count is equal to the configured minimum.",
    )
    .flag(
        "topics-with-overrides",
        "If set when describing topics, only show topics that have overridden configs.",
    )
    .flag(
        "if-exists",
        "If set when altering or deleting or describing topics, the action will only execute if the topic exists.",
    )
    .flag(
        "if-not-exists",
        "If set when creating topics, the action will only execute if the topic does not already exist.",
    )
    .flag(
        "exclude-internal",
        "Exclude internal topics when listing or describing topics. By default, the internal topics are included.",
    )
    .arg(
        "partition-size-limit-per-response",
        "The maximum partition size to be included in one DescribeTopicPartitions response.",
        "maximum number of partitions per response",
        "Integer",
    );
    p
}

const ACTIONS: [&str; 5] = ["create", "list", "alter", "describe", "delete"];
const REPORTS: [&str; 4] = [
    "under-replicated-partitions",
    "under-min-isr-partitions",
    "at-min-isr-partitions",
    "unavailable-partitions",
];

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser_for(world.flavour);
    let opts = match parse_or_exit(out, &parser, args) {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    if let Some(exit) = check_args(world, out, &parser, &opts) {
        return exit;
    }
    let bootstrap = opts.value("bootstrap-server").unwrap_or_default();
    let result = if opts.has("create") {
        create(world, out, &opts, &bootstrap)
    } else if opts.has("alter") {
        alter(world, &opts, &bootstrap)
    } else if opts.has("list") {
        list(world, out, &opts, &bootstrap)
    } else if opts.has("describe") {
        describe(world, out, &opts, &bootstrap)
    } else {
        delete(world, &opts, &bootstrap)
    };
    match result {
        Ok(()) => Exit::Code(0),
        Err(e) => {
            // TopicCommand.printException: the message on stdout, the stack trace
            // logged at ERROR (to stderr by tools-log4j.properties).
            out.outln(format!("Error while executing topic command : {}", e.message));
            out.err(log_line(
                world.sim.now(),
                "ERROR",
                &format!("{}: {}\n", e.class, e.message),
                LOGGER,
            ));
            Exit::Code(1)
        }
    }
}

/// An exception the command catches and prints.
struct Failure {
    class: &'static str,
    message: String,
}

impl Failure {
    fn illegal_argument(message: impl Into<String>) -> Failure {
        Failure {
            class: "java.lang.IllegalArgumentException",
            message: message.into(),
        }
    }
    fn timeout(call: &str) -> Failure {
        Failure {
            class: TIMEOUT_EXCEPTION,
            message: node_assignment_timeout(call),
        }
    }
    fn kafka(error: KafkaError, message: String) -> Failure {
        Failure {
            class: error.exception_class(),
            message,
        }
    }
}

fn check_args(world: &World, out: &mut Output, parser: &Parser, o: &Parsed) -> Option<Exit> {
    if o.arg_count == 0 {
        return Some(usage_and_exit(
            out,
            parser,
            "Create, delete, describe, or change a topic.",
        ));
    }
    if let Some(exit) = help_or_version(
        world,
        out,
        parser,
        o,
        "This tool helps to create, delete, describe, or change a topic.",
    ) {
        return Some(exit);
    }
    if ACTIONS.iter().filter(|a| o.has(a)).count() != 1 {
        return Some(usage_and_exit(
            out,
            parser,
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete",
        ));
    }
    if o.has("delete-config") && world.flavour == Flavour::Apache {
        out.errln(
            "delete-config option is no longer supported and deprecated since version 4.0. The config will be fully \
             removed in future releases.",
        );
    }
    // checkRequiredArgs
    if !o.has("bootstrap-server") {
        return Some(uncaught(
            out,
            "java.lang.IllegalArgumentException",
            "--bootstrap-server must be specified",
        ));
    }
    if o.has("describe") && o.has("if-exists") {
        if !o.has("topic") && !o.has("topic-id") {
            return Some(usage_and_exit(
                out,
                parser,
                "--topic or --topic-id is required to describe a topic",
            ));
        }
        if o.has("topic") && o.has("topic-id") {
            out.outln("Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID");
        }
    }
    if !o.has("list") && !o.has("describe") && !o.has("topic") {
        return Some(missing(out, parser, "topic"));
    }
    if o.has("alter") {
        if o.has("bootstrap-server") && o.has("config") {
            return Some(usage_and_exit(
                out,
                parser,
                &format!(
                    "Option combination \"[bootstrap-server, config]\" can't be used with option \"[alter]\"{}",
                    if world.flavour == Flavour::Apache {
                        CONFIGS_HINT
                    } else {
                        CONFIGS_HINT_3_7
                    }
                ),
            ));
        }
        if !o.has("partitions") {
            return Some(missing(out, parser, "partitions"));
        }
    }
    // checkInvalidArgs
    let all_but =
        |keep: &[&str]| -> Vec<&'static str> { ACTIONS.iter().copied().filter(|a| !keep.contains(a)).collect() };
    let mut delete_config_invalid = all_but(&["alter"]);
    delete_config_invalid.push("bootstrap-server");
    let rules: Vec<(&str, Vec<&str>)> = vec![
        ("config", all_but(&["alter", "create"])),
        // 3.7 only: --delete-config is refused with --bootstrap-server.
        (
            if world.flavour == Flavour::Confluent {
                "delete-config"
            } else {
                ""
            },
            delete_config_invalid,
        ),
        ("partitions", all_but(&["alter", "create"])),
        ("replication-factor", all_but(&["create"])),
        ("replica-assignment", all_but(&["alter", "create"])),
    ];
    for (used, invalid) in &rules {
        if let Some(exit) = invalid_with(out, parser, o, used, invalid) {
            return Some(exit);
        }
    }
    if o.has("create") {
        if let Some(exit) = invalid_with(
            out,
            parser,
            o,
            "replica-assignment",
            &["partitions", "replication-factor"],
        ) {
            return Some(exit);
        }
    }
    for report in REPORTS {
        let mut invalid = all_but(&["describe"]);
        invalid.push("topics-with-overrides");
        if let Some(exit) = invalid_with(out, parser, o, report, &invalid) {
            return Some(exit);
        }
    }
    let mut invalid = all_but(&["describe"]);
    invalid.extend(REPORTS);
    let late: Vec<(&str, Vec<&str>)> = vec![
        ("topics-with-overrides", invalid),
        ("if-exists", all_but(&["alter", "delete", "describe"])),
        ("if-not-exists", all_but(&["create"])),
        ("exclude-internal", all_but(&["list", "describe"])),
    ];
    for (used, invalid) in &late {
        if let Some(exit) = invalid_with(out, parser, o, used, invalid) {
            return Some(exit);
        }
    }
    None
}

/// `CommandLineUtils.checkRequiredArgs`.
pub fn missing(out: &mut Output, parser: &Parser, option: &str) -> Exit {
    usage_and_exit(out, parser, &format!("Missing required argument \"[{option}]\""))
}

/// `CommandLineUtils.checkInvalidArgs`.
pub fn invalid_with(out: &mut Output, parser: &Parser, o: &Parsed, used: &str, invalid: &[&str]) -> Option<Exit> {
    if !o.has(used) {
        return None;
    }
    let bad = invalid.iter().find(|x| o.has(x))?;
    Some(usage_and_exit(
        out,
        parser,
        &format!("Option \"[{used}]\" can't be used with option \"[{bad}]\""),
    ))
}

/// `TopicService.getTopics`: every topic name, sorted, filtered by `--topic`.
fn get_topics(
    world: &mut World,
    opts: &Parsed,
    bootstrap: &str,
    call: &str,
) -> Result<(MetadataImage, Vec<String>), Failure> {
    if !connect(world, bootstrap) {
        return Err(Failure::timeout(call));
    }
    let image = metadata_via(world, bootstrap).ok_or_else(|| Failure::timeout(call))?;
    let exclude_internal = opts.has("exclude-internal");
    let all: Vec<String> = image.topic_ids.keys().cloned().collect();
    let topics = match opts.value("topic") {
        Some(raw) => {
            let filter = IncludeList::new(&raw).map_err(|m| Failure {
                class: "java.lang.RuntimeException",
                message: m,
            })?;
            all.into_iter()
                .filter(|t| filter.is_topic_allowed(t, exclude_internal))
                .collect()
        }
        None => all
            .into_iter()
            .filter(|t| !(super::common::is_internal(t) && exclude_internal))
            .collect(),
    };
    Ok((image, topics))
}

/// `ensureTopicExists`. Since 3.8 the tool formats the `Optional` itself
/// (`Topic 'Optional[foo]' ...`); 3.7 (the Confluent image) prints the name.
fn ensure_topic_exists(flavour: Flavour, found: &[String], opts: &Parsed) -> Result<(), Failure> {
    match opts.value("topic") {
        Some(t) if !t.is_empty() && !opts.has("if-exists") && found.is_empty() => {
            let shown = match flavour {
                Flavour::Apache => format!("Optional[{t}]"),
                Flavour::Confluent => t,
            };
            Err(Failure::illegal_argument(format!(
                "Topic '{shown}' does not exist as expected"
            )))
        }
        _ => Ok(()),
    }
}

fn list(world: &mut World, out: &mut Output, opts: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let (_, topics) = get_topics(world, opts, bootstrap, "listTopics")?;
    // System.out.println(String.join("\n", topics)): an empty line when there are none.
    out.outln(topics.join("\n"));
    Ok(())
}

/// `--replica-assignment 1:2,2:3`, checked as `parseReplicaAssignment` does.
fn parse_replica_assignment(raw: &str) -> Result<Vec<Vec<NodeId>>, Failure> {
    let mut partitions: Vec<Vec<NodeId>> = Vec::new();
    for (i, part) in raw.split(',').enumerate() {
        let mut brokers = Vec::new();
        for b in part.split(':') {
            let b = b.trim();
            let id = super::jopt::parse_java_long(b)
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| Failure {
                    class: "java.lang.NumberFormatException",
                    message: format!("For input string: \"{b}\""),
                })?;
            brokers.push(id);
        }
        let mut duplicates: Vec<NodeId> = Vec::new();
        for (j, b) in brokers.iter().enumerate() {
            if brokers[..j].contains(b) && !duplicates.contains(b) {
                duplicates.push(*b);
            }
        }
        if !duplicates.is_empty() {
            let list: Vec<String> = duplicates.iter().map(|d| d.to_string()).collect();
            return Err(Failure {
                class: "org.apache.kafka.server.common.AdminCommandFailedException",
                message: format!(
                    "Partition replica lists may not contain duplicate entries: {}",
                    list.join(",")
                ),
            });
        }
        if let Some(first) = partitions.first() {
            if first.len() != brokers.len() {
                let list: Vec<String> = brokers.iter().map(|d| d.to_string()).collect();
                return Err(Failure {
                    class: "org.apache.kafka.server.common.AdminOperationException",
                    message: format!("Partition {i} has different replication factor: [{}]", list.join(", ")),
                });
            }
        }
        partitions.push(brokers);
    }
    Ok(partitions)
}

/// `parseTopicConfigsToBeAdded`: `k=v` pairs (spaces around `=` allowed).
fn parse_configs(opts: &Parsed) -> Result<Vec<(String, String)>, Failure> {
    let mut configs: Vec<(String, String)> = Vec::new();
    for c in opts.values("config") {
        let parts: Vec<&str> = split_equals(&c);
        if parts.len() != 2 {
            return Err(Failure::illegal_argument(
                "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
            ));
        }
        let (k, v) = (parts[0].trim().to_string(), parts[1].trim().to_string());
        configs.retain(|(old, _)| *old != k);
        configs.push((k, v));
    }
    Ok(configs)
}

/// Java's `s.split("\\s*=\\s*")`: trailing empty strings are dropped.
fn split_equals(s: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split('=').collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.trim().is_empty()) {
        parts.pop();
    }
    if parts.len() == 1 && parts[0].is_empty() {
        return vec![""];
    }
    parts
}

fn assignment_opt(opts: &Parsed) -> Result<Option<Vec<Vec<NodeId>>>, Failure> {
    match opts.value("replica-assignment") {
        Some(raw) if !raw.is_empty() => parse_replica_assignment(&raw).map(Some),
        _ => Ok(None),
    }
}

fn create(world: &mut World, out: &mut Output, opts: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let name = opts.value("topic").unwrap_or_default();
    let assignment = assignment_opt(opts)?;
    let configs = parse_configs(opts)?;
    if name.contains('.') || name.contains('_') {
        out.outln(
            "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could \
             collide. To avoid issues it is best to use either, but not both.",
        );
    }
    let rf = opts.number("replication-factor");
    if rf.is_some_and(|rf| !(1..=i64::from(i16::MAX)).contains(&rf)) {
        return Err(Failure::illegal_argument(
            "The replication factor must be between 1 and 32767 inclusive",
        ));
    }
    let partitions = opts.number("partitions");
    if partitions.is_some_and(|p| p < 1) {
        return Err(Failure::illegal_argument("The partitions must be greater than 0"));
    }
    if !connect(world, bootstrap) {
        return Err(Failure::timeout("createTopics"));
    }
    let request = AdminRequest::CreateTopic {
        name: name.clone(),
        partitions: if assignment.is_some() {
            -1
        } else {
            partitions.map_or(-1, |p| p as i32)
        },
        replication_factor: if assignment.is_some() {
            -1
        } else {
            rf.map_or(-1, |r| r as i16)
        },
        assignment,
        configs: configs.into_iter().collect(),
        validate_only: false,
    };
    match world.admin_call(request, DEFAULT_API_TIMEOUT_MS) {
        Some(AdminResponse::CreateTopic(Ok(_))) => {
            out.outln(format!("Created topic {name}."));
            Ok(())
        }
        Some(AdminResponse::CreateTopic(Err((KafkaError::TopicAlreadyExists, _)))) if opts.has("if-not-exists") => {
            Ok(())
        }
        Some(AdminResponse::CreateTopic(Err((e, m)))) => Err(Failure::kafka(e, m)),
        _ => Err(Failure::timeout("createTopics")),
    }
}

fn alter(world: &mut World, opts: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let assignment = assignment_opt(opts)?;
    let (image, topics) = get_topics(world, opts, bootstrap, "listTopics")?;
    ensure_topic_exists(world.flavour, &topics, opts)?;
    let total = opts.number("partitions").unwrap_or_default() as i32;
    for topic in topics {
        let current = image.topic(&topic).map_or(0, |t| t.partitions.len());
        // Entries for partitions that already exist are skipped (topicNewPartitions).
        let new_assignment = assignment.as_ref().map(|a| a.iter().skip(current).cloned().collect());
        let request = AdminRequest::CreatePartitions {
            topic,
            total,
            assignment: new_assignment,
        };
        match world.admin_call(request, DEFAULT_API_TIMEOUT_MS) {
            Some(AdminResponse::CreatePartitions(Ok(()))) => {}
            Some(AdminResponse::CreatePartitions(Err((e, m)))) => return Err(Failure::kafka(e, m)),
            _ => return Err(Failure::timeout("createPartitions")),
        }
    }
    Ok(())
}

fn delete(world: &mut World, opts: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let (_, topics) = get_topics(world, opts, bootstrap, "listTopics")?;
    ensure_topic_exists(world.flavour, &topics, opts)?;
    for topic in topics {
        match world.admin_call(AdminRequest::DeleteTopic { name: topic }, DEFAULT_API_TIMEOUT_MS) {
            Some(AdminResponse::DeleteTopic(Ok(()))) => {}
            Some(AdminResponse::DeleteTopic(Err((e, m)))) => return Err(Failure::kafka(e, m)),
            _ => return Err(Failure::timeout("deleteTopics")),
        }
    }
    Ok(())
}

fn describe(world: &mut World, out: &mut Output, opts: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let (image, topics) = if let Some(id) = opts.value("topic-id").filter(|id| id != "AAAAAAAAAAAAAAAAAAAAAA") {
        if !connect(world, bootstrap) {
            return Err(Failure::timeout("listTopics"));
        }
        let image = metadata_via(world, bootstrap).ok_or_else(|| Failure::timeout("listTopics"))?;
        let found: Vec<String> = image
            .topics
            .values()
            .filter(|t| t.id.to_string() == id)
            .filter(|t| !(opts.has("exclude-internal") && super::common::is_internal(&t.name)))
            .map(|t| t.name.clone())
            .collect();
        if found.is_empty() && !opts.has("if-exists") {
            return Err(Failure::illegal_argument(format!(
                "TopicId '{id}' does not exist as expected"
            )));
        }
        (image, found)
    } else {
        let (image, topics) = get_topics(world, opts, bootstrap, "listTopics")?;
        ensure_topic_exists(world.flavour, &topics, opts)?;
        (image, topics)
    };
    let default_min_isr = world.sim.config().broker.min_insync_replicas;
    let live: Vec<NodeId> = image.unfenced_brokers();
    let report_partitions = REPORTS.iter().any(|r| opts.has(r));
    let describe_configs = !report_partitions;
    let describe_partitions = !opts.has("topics-with-overrides");
    // describeTopics(...).allTopicNames() is a HashMap sized for the topics:
    // Kafka prints the topics in its iteration order.
    for name in java_hash_order(&topics, Some(topics.len())) {
        let Some(topic) = image.topic(&name) else { continue };
        let Some(first) = topic.partitions.values().next() else {
            continue;
        };
        if describe_configs && (!opts.has("topics-with-overrides") || !topic.configs.is_empty()) {
            out.outln(topic_line(world.flavour, topic, replication_factor(first)));
        }
        if !describe_partitions {
            continue;
        }
        let min_isr: usize = topic
            .configs
            .get("min.insync.replicas")
            .and_then(|v| v.parse().ok())
            .unwrap_or(default_min_isr)
            .max(0) as usize;
        for p in topic.partitions.values() {
            let has_leader = p.leader != NO_NODE;
            let show = describe_configs
                || (opts.has("under-replicated-partitions") && replication_factor(p) > p.isr.len())
                || (opts.has("unavailable-partitions") && (!has_leader || !live.contains(&p.leader)))
                || (opts.has("under-min-isr-partitions") && (!has_leader || p.isr.len() < min_isr))
                || (opts.has("at-min-isr-partitions") && p.isr.len() == min_isr);
            if !show {
                continue;
            }
            let ids = |v: &[NodeId]| v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
            let leader = if has_leader {
                p.leader.to_string()
            } else {
                "none".to_string()
            };
            let mut line = format!(
                "\tTopic: {name}\tPartition: {}\tLeader: {leader}\tReplicas: {}\tIsr: {}",
                p.partition,
                ids(&p.replicas),
                ids(&p.isr)
            );
            if p.is_reassigning() {
                // From ListPartitionReassignments in Kafka; the same registration here.
                line.push_str(&format!(
                    "\tAdding Replicas: {}\tRemoving Replicas: {}",
                    ids(&p.adding_replicas),
                    ids(&p.removing_replicas)
                ));
            }
            match world.flavour {
                Flavour::Confluent => {
                    let offline: Vec<NodeId> = p.replicas.iter().copied().filter(|r| !image.is_alive(*r)).collect();
                    line.push_str(&labelled("\tOffline:", &ids(&offline)));
                }
                // ELR (KIP-966) is not modelled: the lists are empty, as on a 4.x
                // cluster where eligible leader replicas are not enabled.
                Flavour::Apache => line.push_str("\tElr: \tLastKnownElr: "),
            }
            out.outln(line);
        }
    }
    Ok(())
}

/// `getReplicationFactor`: while a reassignment runs, the replicas that are
/// not being added.
fn replication_factor(p: &PartitionRegistration) -> usize {
    p.replicas.iter().filter(|r| !p.adding_replicas.contains(r)).count()
}

/// The topic line. In the Confluent flavour an empty value leaves no space after
/// its label, as in the seed notes' sample (`Configs:` then the line ends);
/// Apache's TopicCommand prints `"\tConfigs: " + configs`.
fn topic_line(flavour: Flavour, topic: &TopicImage, replication_factor: usize) -> String {
    let configs: Vec<String> = topic.configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let configs = configs.join(",");
    let head = format!(
        "Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {replication_factor}",
        topic.name,
        topic.id,
        topic.partitions.len()
    );
    match flavour {
        Flavour::Confluent => format!("{head}{}", labelled("\tConfigs:", &configs)),
        Flavour::Apache => format!("{head}\tConfigs: {configs}"),
    }
}

fn labelled(label: &str, value: &str) -> String {
    if value.is_empty() {
        label.to_string()
    } else {
        format!("{label} {value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_assignment_is_checked_like_kafka() {
        assert_eq!(
            parse_replica_assignment("1:2, 2:3").ok().unwrap(),
            vec![vec![1, 2], vec![2, 3]]
        );
        assert_eq!(
            parse_replica_assignment("1:1").err().unwrap().message,
            "Partition replica lists may not contain duplicate entries: 1"
        );
        assert_eq!(
            parse_replica_assignment("1:2,3").err().unwrap().message,
            "Partition 1 has different replication factor: [3]"
        );
        assert_eq!(
            parse_replica_assignment("a").err().unwrap().message,
            "For input string: \"a\""
        );
    }
}
