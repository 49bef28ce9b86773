//! `kafka-consumer-groups`: Kafka's `ConsumerGroupCommand`, over the
//! simulation's group admin calls (ListGroups, DescribeGroups, OffsetFetch,
//! OffsetCommit from outside the group, DeleteGroups, OffsetDelete), as the
//! AdminClient sends them. The log start and end offsets are the partition
//! leaders' log start offset and high watermark, which is what ListOffsets
//! answers.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::protocol::GroupDescription;
use kafkaplay_cluster::TopicPartition;

use crate::output::Output;
use crate::tool::{Exit, Invocation};
use crate::world::World;

use super::common::{connect_within, help_or_version, java_hash_order_by, topic_partition_hash, usage_and_exit};
use super::jopt::{Parsed, Parser};

const MISSING: &str = "-";

pub fn parser() -> Parser {
    let nl = "\n";
    let mut p = Parser::new();
    p.arg(
        "bootstrap-server",
        "REQUIRED: The server(s) to connect to.",
        "server to connect to",
        "String",
    )
    .arg(
        "group",
        "The consumer group we wish to act on.",
        "consumer group",
        "String",
    )
    .arg(
        "topic",
        "The topic whose consumer group information should be deleted or topic whose should be included in the \
             reset offset process. In `reset-offsets` case, partitions can be specified using this format: \
             `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets also supports \
             multiple topic inputs.",
        "topic",
        "String",
    )
    .flag(
        "all-topics",
        "Consider all topics assigned to a group in the `reset-offsets` process.",
    )
    .flag("list", "List all consumer groups.")
    .flag(
        "describe",
        "Describe consumer group and list offset lag (number of messages not yet processed) related to given group.",
    )
    .flag("all-groups", "Apply to all consumer groups.")
    .flag(
        "delete",
        "Pass in groups to delete topic partition offsets and ownership information over the entire consumer \
             group. For instance --group g1 --group g2",
    )
    .arg(
        "timeout",
        "The timeout that can be set for some use cases. For example, it can be used when describing the group to \
             specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the group is \
             just created, or is going through some changes).",
        "timeout (ms)",
        "Long",
    )
    .default("5000")
    .arg(
        "command-config",
        "Property file containing configs to be passed to Admin Client and Consumer.",
        "command config property file",
        "String",
    )
    .flag(
        "reset-offsets",
        &format!(
            "Reset offsets of consumer group. Supports one consumer group at the time, and instances should be \
                 inactive{nl}Has 2 execution options: --dry-run (the default) to plan which offsets to reset, and \
                 --execute to update the offsets. Additionally, the --export option is used to export the results to \
                 a CSV format.{nl}You must choose one of the following reset specifications: --to-datetime, \
                 --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, --to-offset.{nl}To \
                 define the scope use --all-topics or --topic. One scope must be specified unless you use \
                 '--from-file'."
        ),
    )
    .flag(
        "delete-offsets",
        "Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.",
    )
    .flag(
        "dry-run",
        "Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.",
    )
    .flag("execute", "Execute operation. Supported operations: reset-offsets.")
    .flag(
        "export",
        "Export operation execution to a CSV file. Supported operations: reset-offsets.",
    )
    .arg("to-offset", "Reset offsets to a specific offset.", "offset", "Long")
    .arg(
        "from-file",
        "Reset offsets to values defined in CSV file.",
        "path to CSV file",
        "String",
    )
    .arg(
        "to-datetime",
        "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'",
        "datetime",
        "String",
    )
    .arg(
        "by-duration",
        "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'",
        "duration",
        "String",
    )
    .flag("to-earliest", "Reset offsets to earliest offset.")
    .flag("to-latest", "Reset offsets to latest offset.")
    .flag("to-current", "Reset offsets to current offset.")
    .arg(
        "shift-by",
        "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.",
        "number-of-offsets",
        "Long",
    )
    .flag(
        "members",
        &format!(
            "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server' \
                 options only.{nl}Example: --bootstrap-server localhost:9092 --describe --group group1 --members"
        ),
    )
    .flag(
        "verbose",
        &format!(
            "Provide additional information, if any, when describing the group. This option may be used with \
                 '--offsets'/'--members'/'--state' and '--bootstrap-server' options only.{nl}Example: \
                 --bootstrap-server localhost:9092 --describe --group group1 --members --verbose"
        ),
    )
    .flag(
        "offsets",
        &format!(
            "Describe the group and list all topic partitions in the group along with their offset lag. This is \
                 the default sub-action of and may be used with '--describe' and '--bootstrap-server' options \
                 only.{nl}Example: --bootstrap-server localhost:9092 --describe --group group1 --offsets"
        ),
    )
    .optional_arg(
        "state",
        &format!(
            "When specified with '--describe', includes the state of the group.{nl}Example: --bootstrap-server \
                 localhost:9092 --describe --group group1 --state{nl}When specified with '--list', it displays the \
                 state of all groups. It can also be used to list groups with specific states.{nl}Example: \
                 --bootstrap-server localhost:9092 --list --state stable,empty{nl}This option may be used with \
                 '--describe', '--list' and '--bootstrap-server' options only."
        ),
        "",
        "String",
    )
    .optional_arg(
        "type",
        &format!(
            "When specified with '--list', it displays the types of all the groups. It can also be used to list \
                 groups with specific types.{nl}Example: --bootstrap-server localhost:9092 --list --type \
                 classic,consumer{nl}This option may be used with the '--list' option only."
        ),
        "",
        "String",
    );
    p
}

/// The reset scenarios, in the order `checkArgs` checks them.
const SCENARIOS: [&str; 8] = [
    "to-offset",
    "to-datetime",
    "by-duration",
    "to-earliest",
    "to-latest",
    "to-current",
    "shift-by",
    "from-file",
];

/// `ConsumerGroupCommandOptions.checkArgs` and the action count of `main`.
fn check_args(world: &World, out: &mut Output, p: &Parser, o: &Parsed) -> Option<Exit> {
    // availableIf: jopt-simple refuses these at parse time.
    for (opt, needs) in [
        ("members", &["describe"][..]),
        ("verbose", &["describe"][..]),
        ("offsets", &["describe"][..]),
        ("state", &["describe", "list"][..]),
        ("type", &["list"][..]),
    ] {
        if o.has(opt) && !needs.iter().any(|n| o.has(n)) {
            out.errln(format!(
                "Exception in thread \"main\" joptsimple.UnavailableOptionException: Option(s) [{opt}] are unavailable \
                 given other options on the command line"
            ));
            return Some(Exit::Code(1));
        }
    }
    if let Some(exit) = help_or_version(
        world,
        out,
        p,
        o,
        "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset \
         consumer group offsets.",
    ) {
        return Some(exit);
    }
    if !o.has("bootstrap-server") {
        return Some(super::topics::missing(out, p, "bootstrap-server"));
    }
    let scope = "[all-groups], [group]";
    let has_group = o.has("group") || o.has("all-groups");
    if o.has("describe") {
        if !has_group {
            return Some(usage_and_exit(
                out,
                p,
                &format!("Option [describe] takes one of these options: {scope}"),
            ));
        }
        if ["members", "offsets", "state"].iter().filter(|x| o.has(x)).count() > 1 {
            return Some(usage_and_exit(
                out,
                p,
                "Option [describe] takes at most one of these options: [members], [offsets], [state]",
            ));
        }
        if o.has("state") && !o.values("state").is_empty() {
            return Some(usage_and_exit(
                out,
                p,
                "Option [describe] does not take a value for [state]",
            ));
        }
    }
    if o.has("delete") {
        if !has_group {
            return Some(usage_and_exit(
                out,
                p,
                &format!("Option [delete] takes one of these options: {scope}"),
            ));
        }
        if o.has("topic") {
            return Some(usage_and_exit(
                out,
                p,
                "The consumer does not support topic-specific offset deletion from a consumer group.",
            ));
        }
    }
    if o.has("delete-offsets") && (!o.has("group") || !o.has("topic")) {
        return Some(usage_and_exit(
            out,
            p,
            "Option [delete-offsets] takes the following options: [group], [topic]",
        ));
    }
    if o.has("reset-offsets") {
        if o.has("dry-run") && o.has("execute") {
            return Some(usage_and_exit(
                out,
                p,
                "Option [reset-offsets] only accepts one of [execute] and [dry-run]",
            ));
        }
        if !o.has("dry-run") && !o.has("execute") {
            out.errln(
                "WARN: No action will be performed as the --execute option is missing.In a future major release, the \
                 default behavior of this command will be to prompt the user before executing the reset rather than \
                 doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and \
                 want to keep the current default behavior without prompting.",
            );
        }
        if !has_group {
            return Some(usage_and_exit(
                out,
                p,
                &format!("Option [reset-offsets] takes one of these options: {scope}"),
            ));
        }
        for used in SCENARIOS {
            if let Some(exit) = super::topics::invalid_with(
                out,
                p,
                o,
                used,
                &SCENARIOS.iter().copied().filter(|s| *s != used).collect::<Vec<_>>(),
            ) {
                return Some(exit);
            }
        }
    }
    if let Some(exit) = super::topics::invalid_with(out, p, o, "group", &["all-groups"]) {
        return Some(exit);
    }
    if let Some(exit) = super::topics::invalid_with(out, p, o, "group", &["list"]) {
        return Some(exit);
    }
    if let Some(exit) = super::topics::invalid_with(out, p, o, "topic", &["list", "describe"]) {
        return Some(exit);
    }
    let actions = ["list", "describe", "delete", "reset-offsets", "delete-offsets"];
    if actions.iter().filter(|a| o.has(a)).count() != 1 {
        return Some(usage_and_exit(
            out,
            p,
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets",
        ));
    }
    None
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser();
    let o = match parser.parse(args) {
        Ok(o) => o,
        Err(m) => {
            out.errln(format!("Exception in thread \"main\" joptsimple.OptionException: {m}"));
            return Exit::Code(1);
        }
    };
    if let Some(exit) = check_args(world, out, &parser, &o) {
        return exit;
    }
    let bootstrap = o.value("bootstrap-server").unwrap_or_default();
    // The admin calls wait `--timeout` ms (5000 by default) for a node.
    let timeout_ms = o.number("timeout").unwrap_or(5_000).max(0);
    if !connect_within(world, &bootstrap, timeout_ms) {
        let call = if o.has("list") || o.has("all-groups") {
            "findAllBrokers"
        } else {
            "findCoordinator"
        };
        return failed(
            out,
            &format!(
                "org.apache.kafka.common.errors.TimeoutException: {}",
                super::common::node_assignment_timeout(call)
            ),
        );
    }
    world.sim.run_for(2 * world.sim.config().network_delay_ms);
    if o.has("list") {
        list(world, out, &o)
    } else if o.has("describe") {
        describe(world, out, &o, &bootstrap)
    } else if o.has("reset-offsets") {
        reset_offsets(world, out, &parser, &o)
    } else if o.has("delete") {
        delete_groups(world, out, &o)
    } else {
        delete_offsets(world, out, &o)
    }
}

/// `deleteOffsets`: OffsetDelete for the partitions of `--topic t` (all of
/// the topic's) or `--topic t:0,1`, then Kafka's status table.
fn delete_offsets(world: &mut World, out: &mut Output, o: &Parsed) -> Exit {
    use kafkaplay_cluster::error::KafkaError;
    use kafkaplay_cluster::sim::group_admin::GroupAdminError;

    let group = o.value("group").unwrap_or_default();
    let topics = o.values("topic");
    // `partitionLevelResult`: `None` for success, else the error's text.
    let mut results: Vec<(TopicPartition, Option<String>)> = Vec::new();
    let mut partitions: Vec<TopicPartition> = Vec::new();
    for t in &topics {
        match t.split_once(':') {
            Some((topic, parts)) => {
                for p in parts.split(',') {
                    match p.trim().parse::<i32>() {
                        Ok(p) => partitions.push(TopicPartition::new(topic, p)),
                        Err(_) => {
                            // `parseTopicsWithPartitions`: Integer.parseInt.
                            let message =
                                format!("java.lang.NumberFormatException: For input string: \"{}\"", p.trim());
                            out.errln(format!("Exception in thread \"main\" {message}"));
                            return Exit::Code(1);
                        }
                    }
                }
            }
            None => match world
                .sim
                .metadata()
                .and_then(|m| m.topic(t).map(|x| x.partitions.len()))
            {
                Some(n) => partitions.extend((0..n as i32).map(|p| TopicPartition::new(t, p))),
                None => results.push((
                    TopicPartition::new(t, -1),
                    Some(format!(
                        "{}: {}",
                        KafkaError::UnknownTopicOrPartition.exception_class(),
                        KafkaError::UnknownTopicOrPartition.message()
                    )),
                )),
            },
        }
    }
    partitions.sort();
    partitions.dedup();
    let top = match world.sim.delete_group_offsets(&group, &partitions) {
        Ok(per_partition) => {
            let mut top = None;
            for (tp, e) in per_partition {
                if top.is_none() {
                    top = e;
                }
                results.push((tp, e.map(|e| format!("{}: {}", e.exception_class(), e.message()))));
            }
            top
        }
        Err(e) => {
            let (error, text) = match &e {
                GroupAdminError::Kafka(k, _) => (Some(*k), e.to_string()),
                GroupAdminError::Refused(m) => (Some(KafkaError::UnknownServerError), m.clone()),
            };
            results.extend(partitions.iter().map(|tp| (tp.clone(), Some(text.clone()))));
            error
        }
    };
    match top {
        None => out.outln(format!(
            "Request succeed for deleting offsets with topic {} group {group}",
            topics.join(", ")
        )),
        Some(e) => {
            let message = match e {
                KafkaError::InvalidGroupId => format!("'{group}' is not valid."),
                KafkaError::GroupIdNotFound => format!("'{group}' does not exist."),
                KafkaError::NonEmptyGroup => {
                    format!("Deleting offsets of a consumer group '{group}' is forbidden if the group is not empty.")
                }
                KafkaError::GroupSubscribedToTopic | KafkaError::UnknownTopicOrPartition => {
                    "Encounter some partition level error, see the follow-up details:".to_string()
                }
                other => format!("Encounter some unknown error: {}", other.name()),
            };
            out.outln("");
            out.outln(format!("Error: {message}"));
        }
    }
    let row = |a: &str, b: &str, c: &str| format!("\n{a:<30} {b:<15} {c:<15}");
    out.out(row("TOPIC", "PARTITION", "STATUS"));
    results.sort_by_key(|(tp, _)| format!("{}{}", tp.topic, tp.partition));
    for (tp, e) in &results {
        let partition = if tp.partition >= 0 {
            tp.partition.to_string()
        } else {
            "Not Provided".to_string()
        };
        let status = match e {
            Some(text) => format!("Error: :{text}"),
            None => "Successful".to_string(),
        };
        out.out(row(&tp.topic, &partition, &status));
    }
    out.outln("");
    Exit::Code(0)
}

/// `printError("Executing consumer group command failed due to ...")`.
/// The admin calls wrap failures in `ExecutionException`, which the service
/// rethrows as `RuntimeException`: its message is the cause's `toString()`.
fn failed(out: &mut Output, cause: &str) -> Exit {
    let message = format!("java.util.concurrent.ExecutionException: {cause}");
    out.outln("");
    out.outln(format!(
        "Error: Executing consumer group command failed due to {message}"
    ));
    out.errln(format!("java.lang.RuntimeException: {message}"));
    Exit::Code(1)
}

/// `Admin.listConsumerGroups`: every group, `(id, state)`, sorted by id.
fn all_groups(world: &mut World) -> Result<Vec<(String, String)>, String> {
    let mut groups: Vec<(String, String)> = world
        .sim
        .list_groups()
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|g| (g.group_id, g.state))
        .collect();
    groups.sort();
    groups.dedup_by(|a, b| a.0 == b.0);
    Ok(groups)
}

/// `Admin.describeConsumerGroups` for one group.
fn describe_group(world: &mut World, group: &str) -> Result<GroupDescription, String> {
    world.sim.describe_group(group).map_err(|e| e.to_string())
}

/// `Admin.listConsumerGroupOffsets`: the group's committed offsets.
fn committed_offsets(world: &mut World, group: &str) -> Result<FlatMap<TopicPartition, i64>, String> {
    Ok(world
        .sim
        .list_group_offsets(group)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|(_, o)| *o >= 0)
        .collect())
}

/// ListOffsets(latest) at the partition's leader: its high watermark.
fn log_end_offset(world: &World, tp: &TopicPartition) -> Option<i64> {
    let leader = world.sim.metadata()?.partition(tp)?.leader;
    world.sim.broker(leader)?.log(tp).map(|l| l.high_watermark())
}

fn list(world: &mut World, out: &mut Output, o: &Parsed) -> Exit {
    let groups = match all_groups(world) {
        Ok(g) => g,
        Err(e) => return failed(out, &e),
    };
    let include_state = o.has("state");
    let include_type = o.has("type");
    if !include_state && !include_type {
        for (id, _) in groups {
            out.outln(id);
        }
        return Exit::Code(0);
    }
    let valid = [
        "PreparingRebalance",
        "CompletingRebalance",
        "Stable",
        "Dead",
        "Empty",
        "Assigning",
        "Reconciling",
    ];
    let mut wanted: Vec<String> = Vec::new();
    if let Some(filter) = o.value("state").filter(|s| !s.is_empty()) {
        for s in filter.split(',').map(str::trim) {
            match valid.iter().find(|v| v.eq_ignore_ascii_case(s)) {
                Some(v) => wanted.push(v.to_string()),
                None => {
                    return usage_and_exit(
                        out,
                        &parser(),
                        &format!("Invalid state list '{filter}'. Valid states are: {}", valid.join(", ")),
                    )
                }
            }
        }
    }
    let groups: Vec<_> = groups
        .into_iter()
        .filter(|(_, s)| wanted.is_empty() || wanted.contains(s))
        .collect();
    let width = groups.iter().map(|(id, _)| id.len().max(15)).max().unwrap_or(15) + 10;
    let mut header = format!("{:<width$}", "GROUP");
    if include_type {
        header.push_str(&format!(" {:<20}", "TYPE"));
    }
    if include_state {
        header.push_str(&format!(" {:<20}", "STATE"));
    }
    out.outln(header);
    for (id, state) in groups {
        let mut line = format!("{id:<width$}");
        if include_type {
            line.push_str(&format!(" {:<20}", "Classic"));
        }
        if include_state {
            line.push_str(&format!(" {state:<20}"));
        }
        out.outln(line);
    }
    Exit::Code(0)
}

/// `shouldPrintMemberState`: whether rows follow.
fn print_member_state(out: &mut Output, group: &str, state: &str, rows: usize) -> bool {
    match state {
        "Dead" => {
            out.outln("");
            out.outln(format!("Error: Consumer group '{group}' does not exist."));
        }
        "Empty" => {
            out.errln("");
            out.errln(format!("Consumer group '{group}' has no active members."));
        }
        "PreparingRebalance" | "CompletingRebalance" => {
            out.errln("");
            out.errln(format!("Warning: Consumer group '{group}' is rebalancing."));
        }
        _ => {}
    }
    state != "Dead" && rows > 0
}

fn describe(world: &mut World, out: &mut Output, o: &Parsed, bootstrap: &str) -> Exit {
    let mut groups: Vec<String> = if o.has("all-groups") {
        match all_groups(world) {
            Ok(g) => g.into_iter().map(|(id, _)| id).collect(),
            Err(e) => return failed(out, &e),
        }
    } else {
        o.values("group")
    };
    groups.sort();
    groups.dedup();
    for group in groups {
        let d = match describe_group(world, &group) {
            Ok(d) => d,
            Err(e) => return failed(out, &e),
        };
        if o.has("members") {
            describe_members(out, &d, o.has("verbose"));
        } else if o.has("state") {
            describe_state(world, out, &d, bootstrap);
        } else {
            let committed = match committed_offsets(world, &group) {
                Ok(c) => c,
                Err(e) => return failed(out, &e),
            };
            describe_offsets(world, out, &d, &committed);
        }
    }
    Exit::Code(0)
}

struct OffsetRow {
    topic: Option<String>,
    partition: Option<i32>,
    offset: Option<i64>,
    log_end: Option<i64>,
    consumer_id: String,
    host: String,
    client_id: String,
}

fn describe_offsets(world: &World, out: &mut Output, d: &GroupDescription, committed: &FlatMap<TopicPartition, i64>) {
    let mut rows: Vec<OffsetRow> = Vec::new();
    let mut assigned: Vec<TopicPartition> = Vec::new();
    let mut members: Vec<_> = d.members.iter().filter(|m| !m.assignment.is_empty()).collect();
    members.sort_by_key(|m| std::cmp::Reverse(m.assignment.len()));
    let row = |tp: &TopicPartition, consumer: &str, host: &str, client: &str| OffsetRow {
        topic: Some(tp.topic.to_string()),
        partition: Some(tp.partition),
        offset: committed.get(tp).copied(),
        log_end: log_end_offset(world, tp),
        consumer_id: consumer.to_string(),
        host: host.to_string(),
        client_id: client.to_string(),
    };
    // Each member's partitions, then the unassigned ones, come out of a
    // HashMap<TopicPartition, _> (getLogEndOffsets): Java's iteration order.
    let hash_order = |tps: Vec<TopicPartition>| java_hash_order_by(&tps, None, topic_partition_hash);
    for m in members {
        let mut tps = m.assignment.clone();
        tps.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        for tp in &hash_order(tps.clone()) {
            rows.push(row(tp, &m.member_id, &m.host, &m.client_id));
        }
        assigned.extend(tps);
    }
    let unassigned: Vec<TopicPartition> = committed.keys().filter(|tp| !assigned.contains(tp)).cloned().collect();
    for tp in &hash_order(unassigned) {
        rows.push(row(tp, MISSING, MISSING, MISSING));
    }
    if !print_member_state(out, &d.group_id, &d.state, rows.len()) {
        return;
    }
    let g = d.group_id.len().max(15);
    let t = rows
        .iter()
        .map(|r| r.topic.as_deref().unwrap_or(MISSING).len())
        .max()
        .unwrap_or(0)
        .max(15);
    let c = rows.iter().map(|r| r.consumer_id.len()).max().unwrap_or(0).max(15);
    let h = rows.iter().map(|r| r.host.len()).max().unwrap_or(0).max(15);
    let line = |cols: [&str; 9]| {
        format!(
            "\n{:<g$} {:<t$} {:<10} {:<15} {:<15} {:<15} {:<c$} {:<h$} {}",
            cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8]
        )
    };
    out.out(line([
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]));
    let opt = |v: Option<String>| v.unwrap_or_else(|| MISSING.to_string());
    for r in &rows {
        let lag = match (r.offset, r.log_end) {
            (Some(o), Some(e)) if o != -1 => Some((e - o).to_string()),
            _ => None,
        };
        out.out(line([
            &d.group_id,
            &opt(r.topic.clone()),
            &opt(r.partition.map(|p| p.to_string())),
            &opt(r.offset.map(|o| o.to_string())),
            &opt(r.log_end.map(|o| o.to_string())),
            &opt(lag),
            &r.consumer_id,
            &r.host,
            &r.client_id,
        ]));
    }
    out.outln("");
}

fn describe_members(out: &mut Output, d: &GroupDescription, verbose: bool) {
    let show = print_member_state(out, &d.group_id, &d.state, d.members.len());
    let (mut g, mut c, mut h, mut cl) = (15, 15, 15, 15);
    if show {
        for m in &d.members {
            g = g.max(d.group_id.len());
            c = c.max(m.member_id.len());
            h = h.max(m.host.len());
            cl = cl.max(m.client_id.len());
        }
    }
    let row = |a: &str, b: &str, x: &str, y: &str, z: &str| format!("{a:<g$} {b:<c$} {x:<h$} {y:<cl$} {z:<15} ");
    out.out(format!(
        "\n{}",
        row("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS")
    ));
    if verbose {
        out.out("ASSIGNMENT");
    }
    out.outln("");
    for m in &d.members {
        out.out(row(
            &d.group_id,
            &m.member_id,
            &m.host,
            &m.client_id,
            &m.assignment.len().to_string(),
        ));
        if verbose {
            let mut by_topic: FlatMap<&str, Vec<String>> = FlatMap::new();
            for tp in &m.assignment {
                by_topic.entry(&tp.topic).or_default().push(tp.partition.to_string());
            }
            let mut parts: Vec<String> = by_topic
                .into_values()
                .map(|mut ps| {
                    ps.sort();
                    format!("({})", ps.join(","))
                })
                .collect();
            parts.sort();
            out.out(if parts.is_empty() {
                MISSING.to_string()
            } else {
                parts.join(", ")
            });
        }
        out.outln("");
    }
}

fn describe_state(world: &World, out: &mut Output, d: &GroupDescription, bootstrap: &str) {
    if !print_member_state(out, &d.group_id, &d.state, 1) {
        return;
    }
    // The coordinator's address on the listener the client bootstrapped through
    // (the host's `localhost` ports, or the Docker network's names).
    let external = bootstrap
        .split(',')
        .next()
        .is_some_and(|a| a.trim().starts_with("localhost:"));
    let host_port = world
        .listeners
        .iter()
        .filter(|l| l.broker == d.coordinator)
        .find(|l| (l.host == "localhost") == external)
        .map(|l| l.address())
        .unwrap_or_default();
    let coordinator = format!("{host_port}  ({})", d.coordinator);
    let w = coordinator.len().max(25);
    let line = |a: &str, b: &str, c: &str, s: &str, n: &str| format!("\n{a:<w$} {b:<25} {c:<20} {s:<15} {n}");
    out.out(line(
        "GROUP",
        "COORDINATOR (ID)",
        "ASSIGNMENT-STRATEGY",
        "STATE",
        "#MEMBERS",
    ));
    out.out(line(
        &d.group_id,
        &coordinator,
        &d.protocol,
        &d.state,
        &d.members.len().to_string(),
    ));
    out.outln("");
}

/// `Utils.getDateTime`: `yyyy-MM-dd'T'HH:mm:ss.SSS` with an optional zone
/// (`Z`, `+hh:mm`, `-hhmm`); without one, the JVM's zone (UTC in the image).
fn parse_datetime(s: &str) -> Option<i64> {
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let (clock, offset_ms) = match time.find(['Z', '+', '-']) {
        Some(i) => {
            let zone = &time[i..];
            let offset = if zone == "Z" {
                0
            } else {
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
                if digits.len() != 4 {
                    return None;
                }
                let h: i64 = digits[..2].parse().ok()?;
                let m: i64 = digits[2..].parse().ok()?;
                sign * (h * 3_600_000 + m * 60_000)
            };
            (&time[..i], offset)
        }
        None => (time, 0),
    };
    let (hms, millis) = clock.split_once('.')?;
    let mut t = hms.split(':').map(|x| x.parse::<i64>().ok());
    let (h, mi, se) = (t.next()??, t.next()??, t.next()??);
    let ms: i64 = millis.parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let days = super::common::days_from_civil(y, mo, da);
    Some(days * 86_400_000 + h * 3_600_000 + mi * 60_000 + se * 1000 + ms - offset_ms)
}

/// `java.time.Duration.parse` for `PnDTnHnMn.nS`, in milliseconds.
fn parse_duration(s: &str) -> Option<i64> {
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let (days, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total: f64 = 0.0;
    if !days.is_empty() {
        total += days.strip_suffix(['D', 'd'])?.parse::<f64>().ok()? * 86_400_000.0;
    }
    if let Some(mut t) = time {
        if t.is_empty() {
            return None;
        }
        for (unit, ms) in [('H', 3_600_000.0), ('M', 60_000.0), ('S', 1000.0)] {
            if let Some(i) = t.find([unit, unit.to_ascii_lowercase()]) {
                total += t[..i].parse::<f64>().ok()? * ms;
                t = &t[i + 1..];
            }
        }
        if !t.is_empty() {
            return None;
        }
    }
    Some(total as i64)
}

fn log_start_offset(world: &World, tp: &TopicPartition) -> Option<i64> {
    let leader = world.sim.metadata()?.partition(tp)?.leader;
    world.sim.broker(leader)?.log(tp).map(|l| l.log_start_offset())
}

/// ListOffsets with a timestamp; `None` when no record is that recent.
fn offset_for_time(world: &World, tp: &TopicPartition, timestamp: i64) -> Option<i64> {
    let leader = world.sim.metadata()?.partition(tp)?.leader;
    let log = world.sim.broker(leader)?.log(tp)?;
    log.offset_for_timestamp(timestamp)
        .map(|t| t.offset)
        .filter(|o| *o < log.high_watermark())
}

/// `--reset-offsets`: the plan (`prepareOffsetsToReset` with
/// `checkOffsetsRange`), refused while the group has members, committed with
/// `--execute`.
fn reset_offsets(world: &mut World, out: &mut Output, p: &Parser, o: &Parsed) -> Exit {
    const LOGGER: &str = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    let mut groups: Vec<String> = if o.has("all-groups") {
        match all_groups(world) {
            Ok(g) => g.into_iter().map(|(id, _)| id).collect(),
            Err(e) => return failed(out, &e),
        }
    } else {
        o.values("group")
    };
    groups.sort();
    groups.dedup();
    let mut plans: Vec<(String, Vec<(TopicPartition, i64)>)> = Vec::new();
    for group in groups {
        let d = match describe_group(world, &group) {
            Ok(d) => d,
            Err(e) => return failed(out, &e),
        };
        if d.state != "Empty" && d.state != "Dead" {
            out.outln("");
            out.outln(format!(
                "Error: Assignments can only be reset if the group '{group}' is inactive, but the current state is {}.",
                d.state
            ));
            plans.push((group, Vec::new()));
            continue;
        }
        let committed = match committed_offsets(world, &group) {
            Ok(c) => c,
            Err(e) => return failed(out, &e),
        };
        // getPartitionsToReset
        let mut partitions: Vec<TopicPartition> = Vec::new();
        if o.has("all-topics") {
            partitions.extend(committed.keys().cloned());
        } else if o.has("topic") {
            let image = world.sim.metadata().cloned().unwrap_or_default();
            let mut unspecified = Vec::new();
            for arg in o.values("topic") {
                if arg.contains(':') {
                    let parts: Vec<&str> = arg.split(':').collect();
                    if parts.len() != 2 {
                        return usage_and_exit(
                            out,
                            p,
                            &format!("Invalid topic arg '{arg}', expected topic name and partitions"),
                        );
                    }
                    for x in parts[1].split(',') {
                        match x.parse::<i32>() {
                            Ok(n) => partitions.push(TopicPartition::new(parts[0], n)),
                            Err(_) => {
                                return usage_and_exit(
                                    out,
                                    p,
                                    &format!("Invalid partition '{x}' specified in topic arg '{arg}''"),
                                )
                            }
                        }
                    }
                } else {
                    let Some(t) = image.topic(&arg) else {
                        return failed(
                            out,
                            "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not \
                                 host this topic-partition.",
                        );
                    };
                    unspecified.extend(t.partitions.keys().map(|n| TopicPartition::new(&arg, *n)));
                }
            }
            partitions.extend(unspecified);
        } else if !o.has("from-file") {
            return usage_and_exit(
                out,
                p,
                "One of the reset scopes should be defined: --all-topics, --topic.",
            );
        }
        // prepareOffsetsToReset
        let mut plan: Vec<(TopicPartition, i64)> = Vec::new();
        let clamp = |out: &mut Output, tp: &TopicPartition, requested: i64| -> i64 {
            let end = log_end_offset(world, tp).unwrap_or(0);
            let start = log_start_offset(world, tp).unwrap_or(0);
            if requested > end {
                out.err(super::common::log_line(
                    world.sim.now(),
                    "WARN",
                    &format!(
                        "New offset ({requested}) is higher than latest offset for topic partition {tp}. Value will be set to {end}"
                    ),
                    LOGGER,
                ));
                end
            } else if requested < start {
                out.err(super::common::log_line(
                    world.sim.now(),
                    "WARN",
                    &format!(
                        "New offset ({requested}) is lower than earliest offset for topic partition {tp}. Value will be set to {start}"
                    ),
                    LOGGER,
                ));
                start
            } else {
                requested
            }
        };
        let time_spec = if let Some(dt) = o.value("to-datetime") {
            match parse_datetime(&dt) {
                Some(t) => Some(t),
                None => return failed(out, &format!("java.text.ParseException: Unparseable date: \"{dt}\"")),
            }
        } else if let Some(d) = o.value("by-duration") {
            match parse_duration(&d) {
                Some(ms) => Some(world.sim.now() - ms),
                None => {
                    return failed(
                        out,
                        "java.time.format.DateTimeParseException: Text cannot be parsed to a Duration",
                    )
                }
            }
        } else {
            None
        };
        if let Some(path) = o.value("from-file") {
            let Some(bytes) = world.read_file(&path) else {
                return failed(out, &format!("java.nio.file.NoSuchFileException: {path}"));
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            // "topic,partition,offset" for one group, else "group,topic,partition,offset".
            let single = o.values("group").len() == 1 && lines.first().is_some_and(|l| l.split(',').count() == 3);
            let mut rows: Vec<(TopicPartition, i64)> = Vec::new();
            for line in lines {
                let f: Vec<&str> = line.split(',').map(str::trim).collect();
                let (g, t, pa, off) = match (single, f.len()) {
                    (true, 3) => (group.as_str(), f[0], f[1], f[2]),
                    (false, 4) => (f[0], f[1], f[2], f[3]),
                    _ => {
                        return failed(
                            out,
                            &format!(
                                "com.fasterxml.jackson.databind.RuntimeJsonMappingException: Invalid CSV line: {line}"
                            ),
                        )
                    }
                };
                let (Ok(pa), Ok(off)) = (pa.parse::<i32>(), off.parse::<i64>()) else {
                    return failed(
                        out,
                        &format!(
                            "com.fasterxml.jackson.databind.RuntimeJsonMappingException: Invalid CSV line: {line}"
                        ),
                    );
                };
                if g == group {
                    rows.push((TopicPartition::new(t, pa), off));
                }
            }
            if rows.is_empty() {
                out.outln("");
                out.outln(format!("Error: No reset plan for group {group} found"));
                plans.push((group, Vec::new()));
                continue;
            }
            let mut plan: Vec<(TopicPartition, i64)> = rows
                .into_iter()
                .map(|(tp, off)| {
                    let new = clamp(out, &tp, off);
                    (tp, new)
                })
                .collect();
            plan.sort_by(|a, b| (&a.0.topic, a.0.partition).cmp(&(&b.0.topic, b.0.partition)));
            plan.dedup_by(|a, b| a.0 == b.0);
            let plan = hash_ordered_plan(plan);
            if o.has("execute") {
                if let Err(e) = world.sim.alter_group_offsets(&group, &plan) {
                    return failed(out, &e.to_string());
                }
            }
            plans.push((group, plan));
            continue;
        }
        for tp in &partitions {
            let new = if let Some(n) = o.number("to-offset") {
                clamp(out, tp, n)
            } else if o.has("to-earliest") {
                log_start_offset(world, tp).unwrap_or(0)
            } else if o.has("to-latest") {
                log_end_offset(world, tp).unwrap_or(0)
            } else if let Some(shift) = o.number("shift-by") {
                let Some(current) = committed.get(tp) else {
                    return usage_and_exit(
                        out,
                        p,
                        &format!("Cannot shift offset for partition {tp} since there is no current committed offset"),
                    );
                };
                clamp(out, tp, current + shift)
            } else if let Some(t) = time_spec {
                match offset_for_time(world, tp, t) {
                    Some(off) => off,
                    None => {
                        out.outln("");
                        out.outln(format!(
                            "Warn: Partition {} from topic {} is empty. Falling back to latest known offset.",
                            tp.partition, tp.topic
                        ));
                        log_end_offset(world, tp).unwrap_or(0)
                    }
                }
            } else if o.has("to-current") {
                match committed.get(tp) {
                    Some(c) => *c,
                    None => log_end_offset(world, tp).unwrap_or(0),
                }
            } else {
                return usage_and_exit(
                    out,
                    p,
                    "Option '[reset-offsets]' requires one of the following scenarios: [to-offset], [shift-by], \
                     [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current], [from-file]",
                );
            };
            plan.push((tp.clone(), new));
        }
        plan.sort_by(|a, b| (&a.0.topic, a.0.partition).cmp(&(&b.0.topic, b.0.partition)));
        plan.dedup_by(|a, b| a.0 == b.0);
        let plan = hash_ordered_plan(plan);
        if o.has("execute") {
            // adminClient.alterConsumerGroupOffsets: an OffsetCommit from outside the group.
            if let Err(e) = world.sim.alter_group_offsets(&group, &plan) {
                return failed(out, &e.to_string());
            }
        }
        plans.push((group, plan));
    }
    if o.has("export") {
        // exportOffsetsToCsv, then println.
        let single = o.values("group").len() == 1;
        let mut csv = String::new();
        for (group, plan) in &plans {
            for (tp, offset) in plan {
                if single {
                    csv.push_str(&format!("{},{},{offset}\n", tp.topic, tp.partition));
                } else {
                    csv.push_str(&format!("{group},{},{},{offset}\n", tp.topic, tp.partition));
                }
            }
        }
        out.outln(csv);
        return Exit::Code(0);
    }
    if !plans.is_empty() {
        out.out(format!(
            "\n{:<30} {:<30} {:<10} {:<15}",
            "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"
        ));
    }
    for (group, plan) in &plans {
        for (tp, offset) in plan {
            out.out(format!(
                "\n{group:<30} {:<30} {:<10} {offset:<15}",
                tp.topic, tp.partition
            ));
        }
    }
    out.outln("");
    Exit::Code(0)
}

/// A reset plan in the order Kafka prints it: a `HashMap<TopicPartition, _>`.
fn hash_ordered_plan(plan: Vec<(TopicPartition, i64)>) -> Vec<(TopicPartition, i64)> {
    let keys: Vec<TopicPartition> = plan.iter().map(|(tp, _)| tp.clone()).collect();
    java_hash_order_by(&keys, None, topic_partition_hash)
        .into_iter()
        .filter_map(|tp| plan.iter().find(|(t, _)| *t == tp).cloned())
        .collect()
}

/// `deleteGroups`: DeleteGroups at each group's coordinator; only `Empty`
/// groups go.
fn delete_groups(world: &mut World, out: &mut Output, o: &Parsed) -> Exit {
    let groups: Vec<String> = if o.has("all-groups") {
        match all_groups(world) {
            Ok(g) => g.into_iter().map(|(id, _)| id).collect(),
            Err(e) => return failed(out, &e),
        }
    } else {
        o.values("group")
    };
    let mut deleted: Vec<String> = Vec::new();
    let mut refused: Vec<(String, String)> = Vec::new();
    for g in groups {
        match world.sim.delete_group(&g) {
            Ok(()) => deleted.push(g),
            Err(e) => refused.push((g, format!("java.util.concurrent.ExecutionException: {e}"))),
        }
    }
    // Both are HashMaps keyed by group id in the tool.
    let deleted = super::common::java_hash_order(&deleted, None);
    if refused.is_empty() {
        out.outln(format!(
            "Deletion of requested consumer groups ('{}') was successful.",
            deleted.join(", ")
        ));
    } else {
        out.outln("");
        out.outln("Error: Deletion of some consumer groups failed:");
        let names: Vec<String> = refused.iter().map(|(g, _)| g.clone()).collect();
        for g in super::common::java_hash_order(&names, None) {
            if let Some((_, e)) = refused.iter().find(|(x, _)| *x == g) {
                out.outln(format!("* Group '{g}' could not be deleted due to: {e}"));
            }
        }
        if !deleted.is_empty() {
            out.outln(format!(
                "\nThese consumer groups were deleted successfully: '{}', '",
                deleted.join("'")
            ));
        }
    }
    Exit::Code(0)
}
