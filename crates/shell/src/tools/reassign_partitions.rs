//! `kafka-reassign-partitions`: Kafka's `ReassignPartitionsCommand`.
//!
//! `--generate` proposes an assignment with `AdminUtils`' rack-unaware placer
//! over the partitions' current replicas (read from the metadata a broker
//! holds). `--execute` and `--cancel` send AlterPartitionReassignments,
//! `--list` and `--verify` ListPartitionReassignments, to the controller
//! (KIP-455); `--verify` reads the replicas of partitions not being moved from
//! a broker's metadata. `--execute --throttle N` sets what Kafka sets: the
//! topics' `leader.replication.throttled.replicas` and
//! `follower.replication.throttled.replicas` (AlterTopicConfigs) and the
//! moving brokers' `leader.replication.throttled.rate` and
//! `follower.replication.throttled.rate` (AlterBrokerConfigs); `--verify`
//! (once nothing moves) and `--cancel` delete them again. A leader sends
//! nothing to a throttled out-of-sync replica while its measured rate is over
//! the limit, so a throttled move of a large partition goes at about that rate.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::metadata::MetadataImage;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse, OngoingReassignment};
use kafkaplay_cluster::{NodeId, TopicPartition};

use crate::output::Output;
use crate::tool::{Exit, Invocation};
use crate::world::{World, DEFAULT_API_TIMEOUT_MS};

use super::common::{connect, help_or_version, metadata_via, node_assignment_timeout, parse_or_exit, usage_and_exit};
use super::jopt::{Parsed, Parser};
use super::json::{quote, Json};

const HELP_TEXT: &str = "This tool helps to move topic partitions between replicas.";

pub fn parser() -> Parser {
    let mut p = Parser::new();
    p.flag(
        "verify",
        "Verify if the reassignment completed as specified by the --reassignment-json-file option. If there is a \
         throttle engaged for the replicas specified, and the rebalance has completed, the throttle will be removed",
    )
    .flag(
        "generate",
        "Generate a candidate partition reassignment configuration. Note that this only generates a candidate \
         assignment, it does not execute it.",
    )
    .flag(
        "execute",
        "Kick off the reassignment as specified by the --reassignment-json-file option.",
    )
    .flag("cancel", "Cancel an active reassignment.")
    .flag("list", "List all active partition reassignments.")
    .optional_arg(
        "bootstrap-server",
        "the server(s) to use for bootstrapping.",
        "Server(s) to use for bootstrapping",
        "String",
    )
    .arg(
        "command-config",
        "Property file containing configs to be passed to Admin Client.",
        "Admin client property file",
        "String",
    )
    .arg(
        "reassignment-json-file",
        "The JSON file with the partition reassignment configurationThe format to use is - \n{\"partitions\":\n\t\
         [{\"topic\": \"foo\",\n\t  \"partition\": 1,\n\t  \"replicas\": [1,2,3],\n\t  \"log_dirs\": \
         [\"dir1\",\"dir2\",\"dir3\"] }],\n\"version\":1\n}\nNote that \"log_dirs\" is optional. When it is \
         specified, its length must equal the length of the replicas list. The value in this list can be either \
         \"any\" or the absolution path of the log directory on the broker. If absolute log directory path is \
         specified, the replica will be moved to the specified log directory on the broker.",
        "manual assignment json file path",
        "String",
    )
    .arg(
        "topics-to-move-json-file",
        "Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers \
         specified by the --broker-list option. The format to use is - \n{\"topics\":\n\t[{\"topic\": \
         \"foo\"},{\"topic\": \"foo1\"}],\n\"version\":1\n}",
        "topics to reassign json file path",
        "String",
    )
    .arg(
        "broker-list",
        "The list of brokers to which the partitions need to be reassigned in the form \"0,1,2\". This is required \
         if --topics-to-move-json-file is used to generate reassignment configuration",
        "brokerlist",
        "String",
    )
    .optional_arg(
        "bootstrap-controller",
        "The controller to use for reassignment. By default, the tool will get the quorum controller. This option \
         supports the actions --cancel and --list.",
        "bootstrap controller to connect to",
        "String",
    )
    .flag("disable-rack-aware", "Disable rack aware replica assignment")
    .arg(
        "throttle",
        "The movement of partitions between brokers will be throttled to this value (bytes/sec). This option can be \
         included with --execute when a reassignment is started, and it can be altered by resubmitting the current \
         reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s.",
        "throttle",
        "Long",
    )
    .default("-1")
    .arg(
        "replica-alter-log-dirs-throttle",
        "The movement of replicas between log directories on the same broker will be throttled to this value \
         (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be \
         altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should \
         be at least 1 KB/s.",
        "replicaAlterLogDirsThrottle",
        "Long",
    )
    .default("-1")
    .arg(
        "timeout",
        "The maximum time in ms to wait for log directory replica assignment to begin.",
        "timeout",
        "Long",
    )
    .default("10000")
    .flag(
        "additional",
        "Execute this reassignment in addition to any other ongoing ones. This option can also be used to change the \
         throttle of an ongoing reassignment.",
    )
    .flag("preserve-throttles", "Do not modify broker or topic throttles.");
    p
}

const ACTIONS: [&str; 5] = ["generate", "execute", "verify", "cancel", "list"];

/// `validateAndParseArgs`.
fn validate(world: &World, out: &mut Output, p: &Parser, o: &Parsed) -> Result<&'static str, Exit> {
    if let Some(exit) = help_or_version(world, out, p, o, HELP_TEXT) {
        return Err(exit);
    }
    let actions: Vec<&str> = ACTIONS.iter().copied().filter(|a| o.has(a)).collect();
    if actions.len() != 1 {
        return Err(usage_and_exit(
            out,
            p,
            "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list",
        ));
    }
    let action = actions[0];
    if o.has("bootstrap-server") && o.has("bootstrap-controller") {
        return Err(usage_and_exit(
            out,
            p,
            "Please don't specify both --bootstrap-server and --bootstrap-controller",
        ));
    }
    if !o.has("bootstrap-server") && !o.has("bootstrap-controller") {
        return Err(usage_and_exit(
            out,
            p,
            "Please specify either --bootstrap-server or --bootstrap-controller",
        ));
    }
    let connect_opt = if o.has("bootstrap-server") {
        "bootstrap-server"
    } else {
        "bootstrap-controller"
    };
    let (required, permitted): (&[&str], Vec<&str>) = match action {
        "verify" => (
            &["reassignment-json-file"],
            vec!["bootstrap-server", "command-config", "preserve-throttles"],
        ),
        "generate" => (
            &["topics-to-move-json-file", "broker-list"],
            vec![
                "bootstrap-server",
                "broker-list",
                "command-config",
                "disable-rack-aware",
            ],
        ),
        "execute" => (
            &["reassignment-json-file"],
            vec![
                "additional",
                "bootstrap-server",
                "command-config",
                "throttle",
                "replica-alter-log-dirs-throttle",
                "timeout",
            ],
        ),
        "cancel" => (
            &["reassignment-json-file"],
            vec![connect_opt, "command-config", "preserve-throttles", "timeout"],
        ),
        _ => (&[], vec![connect_opt, "command-config"]),
    };
    for r in required {
        if !o.has(r) {
            return Err(super::topics::missing(out, p, r));
        }
    }
    let all = [
        "bootstrap-server",
        "command-config",
        "reassignment-json-file",
        "topics-to-move-json-file",
        "broker-list",
        "bootstrap-controller",
        "disable-rack-aware",
        "throttle",
        "replica-alter-log-dirs-throttle",
        "timeout",
        "additional",
        "preserve-throttles",
    ];
    for opt in all {
        if o.has(opt) && !required.contains(&opt) && !permitted.contains(&opt) {
            return Err(usage_and_exit(
                out,
                p,
                &format!("Option \"[{opt}]\" can't be used with action \"[{action}]\""),
            ));
        }
    }
    Ok(action)
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser();
    let o = match parse_or_exit(out, &parser, args) {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    let action = match validate(world, out, &parser, &o) {
        Ok(a) => a,
        Err(exit) => return exit,
    };
    let bootstrap = o
        .value("bootstrap-server")
        .or_else(|| o.value("bootstrap-controller"))
        .unwrap_or_default();
    let result = match action {
        "generate" => generate(world, out, &o, &bootstrap),
        "verify" => verify(world, out, &o, &bootstrap),
        "list" => list(world, out, &bootstrap),
        "execute" => execute(world, out, &o, &bootstrap),
        _ => cancel(world, out, &o, &bootstrap),
    };
    match result {
        Ok(()) => Exit::Code(0),
        Err((class, message)) if class == TERSE => {
            // A `TerseException`: its message alone.
            out.outln(message);
            Exit::Code(1)
        }
        Err((class, message)) => {
            // main: "Error: " + message, then the stack trace, on stdout.
            out.outln(format!("Error: {message}"));
            out.outln(format!("{class}: {message}"));
            Exit::Code(1)
        }
    }
}

type Failure = (String, String);

/// The class of a `TerseException`, which `main` prints without a stack trace.
const TERSE: &str = "org.apache.kafka.common.utils.TerseException";

fn read_json(world: &World, path: &str) -> Result<Json, Failure> {
    let bytes = world
        .read_file(path)
        .ok_or_else(|| ("java.nio.file.NoSuchFileException".to_string(), path.to_string()))?;
    Json::parse(&String::from_utf8_lossy(&bytes)).map_err(|_| {
        (
            "org.apache.kafka.server.common.AdminOperationException".to_string(),
            "The input string is not a valid JSON".to_string(),
        )
    })
}

fn version_of(json: &Json) -> Result<(), Failure> {
    match json.get("version").map(|v| v.as_i32()) {
        None | Some(Some(1)) => Ok(()),
        Some(v) => Err((
            "org.apache.kafka.server.common.AdminOperationException".to_string(),
            format!("Not supported version field value {}", v.unwrap_or(-1)),
        )),
    }
}

fn image(world: &mut World, bootstrap: &str, call: &str) -> Result<MetadataImage, Failure> {
    let timeout = || {
        (
            "org.apache.kafka.common.errors.TimeoutException".to_string(),
            node_assignment_timeout(call),
        )
    };
    if !connect(world, bootstrap) {
        return Err(timeout());
    }
    metadata_via(world, bootstrap).ok_or_else(timeout)
}

/// `formatAsReassignmentJson` (Jackson's compact output).
fn reassignment_json(parts: &FlatMap<TopicPartition, Vec<NodeId>>) -> String {
    let items: Vec<String> = parts
        .iter()
        .map(|(tp, replicas)| {
            let r: Vec<String> = replicas.iter().map(|x| x.to_string()).collect();
            let dirs: Vec<&str> = replicas.iter().map(|_| "\"any\"").collect();
            format!(
                "{{\"topic\":{},\"partition\":{},\"replicas\":[{}],\"log_dirs\":[{}]}}",
                quote(&tp.topic),
                tp.partition,
                r.join(","),
                dirs.join(",")
            )
        })
        .collect();
    format!("{{\"version\":1,\"partitions\":[{}]}}", items.join(","))
}

/// `AdminUtils.assignReplicasToBrokersRackUnaware` with its random start and
/// shift drawn from `seed`.
fn assign_rack_unaware(partitions: i32, rf: usize, brokers: &[NodeId], seed: u64) -> Vec<Vec<NodeId>> {
    let n = brokers.len();
    let mut rng = oorand(seed);
    let start = (rng() % n as u64) as usize;
    let mut shift = (rng() % n as u64) as usize;
    let mut out = Vec::new();
    for p in 0..partitions.max(0) as usize {
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = (p + start) % n;
        let mut replicas = vec![brokers[first]];
        for j in 0..rf.saturating_sub(1) {
            let index = (first + 1 + (shift + j) % (n - 1).max(1)) % n;
            replicas.push(brokers[index]);
        }
        out.push(replicas);
    }
    out
}

/// A small deterministic generator (SplitMix64) for the placement's start.
fn oorand(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn generate(world: &mut World, out: &mut Output, o: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let failed = |m: String| {
        (
            "org.apache.kafka.server.common.AdminCommandFailedException".to_string(),
            m,
        )
    };
    let mut brokers: Vec<NodeId> = Vec::new();
    for b in o.value("broker-list").unwrap_or_default().split(',') {
        let id = b.parse::<i32>().map_err(|_| {
            (
                "java.lang.NumberFormatException".to_string(),
                format!("For input string: \"{b}\""),
            )
        })?;
        brokers.push(id);
    }
    let mut dups: Vec<String> = brokers
        .iter()
        .filter(|b| brokers.iter().filter(|x| x == b).count() > 1)
        .map(|b| b.to_string())
        .collect();
    dups.sort();
    dups.dedup();
    if !dups.is_empty() {
        return Err(failed(format!(
            "Broker list contains duplicate entries: [{}]",
            dups.join(", ")
        )));
    }
    let json = read_json(world, &o.value("topics-to-move-json-file").unwrap_or_default())?;
    version_of(&json)?;
    let topics: Vec<String> = json
        .get("topics")
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.get("topic").and_then(Json::as_str).map(String::from))
        .collect();
    let image = image(world, bootstrap, "describeTopics")?;
    let mut current: FlatMap<TopicPartition, Vec<NodeId>> = FlatMap::new();
    for t in &topics {
        let Some(ti) = image.topic(t) else {
            return Err((
                "org.apache.kafka.common.errors.UnknownTopicOrPartitionException".to_string(),
                "This server does not host this topic-partition.".to_string(),
            ));
        };
        for p in ti.partitions.values() {
            current.insert(TopicPartition::new(t, p.partition), p.replicas.clone());
        }
    }
    let live = image.unfenced_brokers();
    if let Some(unknown) = brokers.iter().find(|b| !live.contains(b)) {
        return Err(failed(format!("Unknown broker id {unknown}")));
    }
    let mut sorted = brokers.clone();
    sorted.sort_unstable();
    let mut proposed: FlatMap<TopicPartition, Vec<NodeId>> = FlatMap::new();
    for t in &topics {
        let parts: Vec<(&TopicPartition, &Vec<NodeId>)> = current.iter().filter(|(tp, _)| &tp.topic == t).collect();
        let rf = parts.first().map_or(0, |(_, r)| r.len());
        if rf > sorted.len() {
            return Err((
                "org.apache.kafka.common.errors.InvalidReplicationFactorException".to_string(),
                format!(
                    "Replication factor: {rf} larger than available brokers: {}.",
                    sorted.len()
                ),
            ));
        }
        let seed = world.sim.seed()
            ^ (world.sim.now() as u64)
            ^ t.bytes().fold(0u64, |h, b| h.wrapping_mul(31) ^ u64::from(b));
        for (p, replicas) in assign_rack_unaware(parts.len() as i32, rf, &sorted, seed)
            .into_iter()
            .enumerate()
        {
            proposed.insert(TopicPartition::new(t, p as i32), replicas);
        }
    }
    out.outln(format!(
        "Current partition replica assignment\n{}\n",
        reassignment_json(&current)
    ));
    out.outln(format!(
        "Proposed partition reassignment configuration\n{}",
        reassignment_json(&proposed)
    ));
    Ok(())
}

/// `parsePartitionReassignmentData`: the plan's target replicas.
fn read_plan(world: &World, o: &Parsed) -> Result<FlatMap<TopicPartition, Vec<NodeId>>, Failure> {
    let json = read_json(world, &o.value("reassignment-json-file").unwrap_or_default())?;
    version_of(&json)?;
    let mut targets: FlatMap<TopicPartition, Vec<NodeId>> = FlatMap::new();
    for item in json.get("partitions").and_then(Json::as_array).unwrap_or_default() {
        let mapping = |what: &str| {
            (
                "com.fasterxml.jackson.databind.JsonMappingException".to_string(),
                what.to_string(),
            )
        };
        let topic = item
            .get("topic")
            .and_then(Json::as_str)
            .ok_or_else(|| mapping("Missing topic"))?;
        let partition = item
            .get("partition")
            .and_then(Json::as_i32)
            .ok_or_else(|| mapping("Missing partition"))?;
        let replicas: Vec<NodeId> = item
            .get("replicas")
            .and_then(Json::as_array)
            .ok_or_else(|| mapping("Missing replicas"))?
            .iter()
            .filter_map(Json::as_i32)
            .collect();
        targets.insert(TopicPartition::new(topic, partition), replicas);
    }
    Ok(targets)
}

fn timeout_failure(call: &str) -> Failure {
    (
        "org.apache.kafka.common.errors.TimeoutException".to_string(),
        node_assignment_timeout(call),
    )
}

/// `Admin.listPartitionReassignments` for `partitions` (all when `None`).
fn ongoing(
    world: &mut World,
    partitions: Option<Vec<TopicPartition>>,
) -> Result<FlatMap<TopicPartition, OngoingReassignment>, Failure> {
    match world.admin_call(
        AdminRequest::ListPartitionReassignments { partitions },
        DEFAULT_API_TIMEOUT_MS,
    ) {
        Some(AdminResponse::ListPartitionReassignments(Ok(list))) => {
            Ok(list.into_iter().map(|r| (r.tp.clone(), r)).collect())
        }
        Some(AdminResponse::ListPartitionReassignments(Err((e, m)))) => Err((e.exception_class().to_string(), m)),
        _ => Err(timeout_failure("listPartitionReassignments")),
    }
}

/// `Admin.alterPartitionReassignments`: the partitions that failed, with
/// their messages.
fn alter(
    world: &mut World,
    reassignments: Vec<(TopicPartition, Option<Vec<NodeId>>)>,
) -> Result<Vec<(TopicPartition, String)>, Failure> {
    match world.admin_call(
        AdminRequest::AlterPartitionReassignments { reassignments },
        DEFAULT_API_TIMEOUT_MS,
    ) {
        Some(AdminResponse::AlterPartitionReassignments(results)) => Ok(results
            .into_iter()
            .filter_map(|(tp, r)| r.err().map(|(_, m)| (tp, m)))
            .collect()),
        _ => Err(timeout_failure("alterPartitionReassignments")),
    }
}

fn joined(tps: impl IntoIterator<Item = TopicPartition>) -> String {
    tps.into_iter().map(|tp| tp.to_string()).collect::<Vec<_>>().join(",")
}

/// `incrementalAlterConfigs` of one topic.
fn alter_topic_configs(world: &mut World, topic: &str, changes: Vec<(String, Option<String>)>) -> Result<(), Failure> {
    match world.admin_call(
        AdminRequest::AlterTopicConfigs {
            topic: topic.to_string(),
            changes,
        },
        DEFAULT_API_TIMEOUT_MS,
    ) {
        Some(AdminResponse::AlterTopicConfigs(Ok(()))) => Ok(()),
        Some(AdminResponse::AlterTopicConfigs(Err((e, m)))) => Err((e.exception_class().to_string(), m)),
        _ => Err(timeout_failure("incrementalAlterConfigs")),
    }
}

/// `incrementalAlterConfigs` of one broker.
fn alter_broker_configs(
    world: &mut World,
    broker: NodeId,
    changes: Vec<(String, Option<String>)>,
) -> Result<(), Failure> {
    match world.admin_call(
        AdminRequest::AlterBrokerConfigs {
            resource: broker.to_string(),
            changes,
        },
        DEFAULT_API_TIMEOUT_MS,
    ) {
        Some(AdminResponse::AlterBrokerConfigs(Ok(()))) => Ok(()),
        Some(AdminResponse::AlterBrokerConfigs(Err((e, m)))) => Err((e.exception_class().to_string(), m)),
        _ => Err(timeout_failure("incrementalAlterConfigs")),
    }
}

/// Topic → partition → (replicas before, after) of each partition that moves.
type Moves = FlatMap<String, FlatMap<i32, (Vec<NodeId>, Vec<NodeId>)>>;

/// `calculateProposedMoveMap`: per topic and partition, the source replicas
/// (those of a move in progress, else the current ones) and the destinations.
fn move_map(
    ongoing: &FlatMap<TopicPartition, OngoingReassignment>,
    targets: &FlatMap<TopicPartition, Vec<NodeId>>,
    current: &FlatMap<TopicPartition, Vec<NodeId>>,
) -> Moves {
    let mut moves: Moves = FlatMap::new();
    for (tp, r) in ongoing {
        let sources: Vec<NodeId> = r.replicas.iter().copied().filter(|b| !r.adding.contains(b)).collect();
        moves
            .entry(tp.topic.to_string())
            .or_default()
            .insert(tp.partition, (sources, r.adding.clone()));
    }
    for (tp, target) in targets {
        let parts = moves.entry(tp.topic.to_string()).or_default();
        let sources = match parts.get(&tp.partition) {
            Some((s, _)) => s.clone(),
            None => current.get(tp).cloned().unwrap_or_default(),
        };
        let destinations = target.iter().copied().filter(|b| !sources.contains(b)).collect();
        parts.insert(tp.partition, (sources, destinations));
    }
    moves
}

/// `modifyReassignmentThrottle`: the topics' throttled replicas, then the
/// brokers' rates.
fn set_throttles(world: &mut World, out: &mut Output, moves: &Moves, rate: i64) -> Result<(), Failure> {
    let mut brokers: Vec<NodeId> = Vec::new();
    for (topic, parts) in moves {
        // A TreeSet<String>: sorted as text.
        let mut leader: Vec<String> = Vec::new();
        let mut follower: Vec<String> = Vec::new();
        for (p, (sources, destinations)) in parts {
            leader.extend(sources.iter().map(|b| format!("{p}:{b}")));
            follower.extend(
                destinations
                    .iter()
                    .filter(|b| !sources.contains(b))
                    .map(|b| format!("{p}:{b}")),
            );
            brokers.extend(sources.iter().chain(destinations));
        }
        for v in [&mut leader, &mut follower] {
            v.sort();
            v.dedup();
        }
        alter_topic_configs(
            world,
            topic,
            vec![
                (LEADER_THROTTLED_REPLICAS.to_string(), Some(leader.join(","))),
                (FOLLOWER_THROTTLED_REPLICAS.to_string(), Some(follower.join(","))),
            ],
        )?;
    }
    brokers.sort_unstable();
    brokers.dedup();
    for b in brokers {
        alter_broker_configs(
            world,
            b,
            vec![
                (LEADER_THROTTLED_RATE.to_string(), Some(rate.to_string())),
                (FOLLOWER_THROTTLED_RATE.to_string(), Some(rate.to_string())),
            ],
        )?;
    }
    out.outln(format!("The inter-broker throttle limit was set to {rate} B/s"));
    Ok(())
}

const LEADER_THROTTLED_REPLICAS: &str = "leader.replication.throttled.replicas";
const FOLLOWER_THROTTLED_REPLICAS: &str = "follower.replication.throttled.replicas";
const LEADER_THROTTLED_RATE: &str = "leader.replication.throttled.rate";
const FOLLOWER_THROTTLED_RATE: &str = "follower.replication.throttled.rate";
const LOG_DIRS_THROTTLE: &str = "replica.alter.log.dirs.io.max.bytes.per.second";

/// `executeAssignment`.
fn execute(world: &mut World, out: &mut Output, o: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let rate_of = |t: &str| o.value(t).and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(-1);
    let (inter_broker, log_dirs) = (rate_of("throttle"), rate_of("replica-alter-log-dirs-throttle"));
    let targets = read_plan(world, o)?;
    if targets.is_empty() {
        return Err((
            "org.apache.kafka.server.common.AdminCommandFailedException".to_string(),
            "Partition reassignment list cannot be empty".to_string(),
        ));
    }
    let image = image(world, bootstrap, "listPartitionReassignments")?;
    let in_progress = ongoing(world, None)?;
    if !o.has("additional") && !in_progress.is_empty() {
        return Err((
            TERSE.to_string(),
            "Cannot execute because there is an existing partition assignment.  Use --additional to override this \
             and create a new partition assignment in addition to the existing one. The --additional flag can also \
             be used to change the throttle by resubmitting the current reassignment."
                .to_string(),
        ));
    }
    let live = image.unfenced_brokers();
    let mut wanted: Vec<NodeId> = targets.values().flatten().copied().collect();
    wanted.sort_unstable();
    if let Some(unknown) = wanted.iter().find(|b| !live.contains(b)) {
        return Err((
            "org.apache.kafka.server.common.AdminCommandFailedException".to_string(),
            format!("Unknown broker id {unknown}"),
        ));
    }
    let mut current: FlatMap<TopicPartition, Vec<NodeId>> = FlatMap::new();
    for tp in targets.keys() {
        let Some(p) = image.partition(tp) else {
            return Err((
                "org.apache.kafka.common.errors.UnknownTopicOrPartitionException".to_string(),
                format!("Unable to find partition: {tp}"),
            ));
        };
        current.insert(tp.clone(), p.replicas.clone());
    }
    out.outln(format!(
        "Current partition replica assignment\n\n{}\n\nSave this to use as the --reassignment-json-file option during rollback",
        reassignment_json(&current)
    ));
    if inter_broker >= 0 || log_dirs >= 0 {
        out.outln(
            "Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle \
             is removed.",
        );
        if inter_broker >= 0 {
            set_throttles(world, out, &move_map(&in_progress, &targets, &current), inter_broker)?;
        }
        if log_dirs >= 0 {
            // One log directory per broker: no replica moves between
            // directories, so no broker gets this throttle.
            out.outln(format!(
                "The replica-alter-dir throttle limit was set to {log_dirs} B/s"
            ));
        }
    }
    let errors = alter(
        world,
        targets.iter().map(|(tp, r)| (tp.clone(), Some(r.clone()))).collect(),
    )?;
    if !errors.is_empty() {
        let lines: Vec<String> = errors.iter().map(|(tp, m)| format!("{tp}: {m}")).collect();
        return Err((
            TERSE.to_string(),
            format!("Error reassigning partition(s):\n{}", lines.join("\n")),
        ));
    }
    out.outln(format!(
        "Successfully started partition reassignment{} for {}",
        if targets.len() == 1 { "" } else { "s" },
        joined(targets.keys().cloned())
    ));
    Ok(())
}

/// `cancelAssignment`.
fn cancel(world: &mut World, out: &mut Output, o: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let targets = read_plan(world, o)?;
    let image = image(world, bootstrap, "listPartitionReassignments")?;
    let active: Vec<TopicPartition> = ongoing(world, Some(targets.keys().cloned().collect()))?
        .into_values()
        .filter(|r| !r.adding.is_empty() || !r.removing.is_empty())
        .map(|r| r.tp)
        .collect();
    if active.is_empty() {
        out.outln("None of the specified partition reassignments are active.");
    } else {
        let errors = alter(world, active.iter().map(|tp| (tp.clone(), None)).collect())?;
        if !errors.is_empty() {
            let lines: Vec<String> = errors.iter().map(|(tp, m)| format!("{tp}: {m}")).collect();
            return Err((
                TERSE.to_string(),
                format!(
                    "Error cancelling partition reassignment{} for:\n{}",
                    if errors.len() == 1 { "" } else { "s" },
                    lines.join("\n")
                ),
            ));
        }
        out.outln(format!(
            "Successfully cancelled partition reassignment{} for: {}",
            if active.len() == 1 { "" } else { "s" },
            joined(active)
        ));
    }
    // No log directory moves (one log directory per broker). Kafka prints
    // this line without a newline.
    out.out("None of the specified partition moves are active.");
    if !o.has("preserve-throttles") {
        clear_all_throttles(world, out, &image, &targets)?;
    }
    Ok(())
}

/// `clearAllThrottles`: deletes the broker-level throttles of every broker and
/// the topic-level ones of the plan's topics.
fn clear_all_throttles(
    world: &mut World,
    out: &mut Output,
    image: &MetadataImage,
    targets: &FlatMap<TopicPartition, Vec<NodeId>>,
) -> Result<(), Failure> {
    let mut brokers: Vec<NodeId> = image.unfenced_brokers();
    brokers.extend(targets.values().flatten().copied());
    brokers.sort_unstable();
    brokers.dedup();
    let b: Vec<String> = brokers.iter().map(|x| x.to_string()).collect();
    out.outln(format!(
        "Clearing broker-level throttles on broker{} {}",
        if b.len() == 1 { "" } else { "s" },
        b.join(",")
    ));
    for broker in &brokers {
        let deletes = [LEADER_THROTTLED_RATE, FOLLOWER_THROTTLED_RATE, LOG_DIRS_THROTTLE]
            .iter()
            .map(|n| (n.to_string(), None))
            .collect();
        alter_broker_configs(world, *broker, deletes)?;
    }
    // A HashSet<String>: Java's order.
    let mut topics: Vec<String> = targets.keys().map(|tp| tp.topic.to_string()).collect();
    topics.dedup();
    let topics = super::common::java_hash_order(&topics, None);
    out.outln(format!(
        "Clearing topic-level throttles on topic{} {}",
        if topics.len() == 1 { "" } else { "s" },
        topics.join(",")
    ));
    for topic in &topics {
        let deletes = [LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS]
            .iter()
            .map(|n| (n.to_string(), None))
            .collect();
        alter_topic_configs(world, topic, deletes)?;
    }
    Ok(())
}

fn verify(world: &mut World, out: &mut Output, o: &Parsed, bootstrap: &str) -> Result<(), Failure> {
    let targets = read_plan(world, o)?;
    let image = image(world, bootstrap, "listPartitionReassignments")?;
    let moving = ongoing(world, Some(targets.keys().cloned().collect()))?;
    let mut lines = vec!["Status of partition reassignment:".to_string()];
    for (tp, target) in &targets {
        if moving.contains_key(tp) {
            lines.push(format!("Reassignment of partition {tp} is still in progress."));
            continue;
        }
        let Some(current) = image.partition(tp).map(|p| p.replicas.clone()) else {
            return Err((
                "org.apache.kafka.common.errors.UnknownTopicOrPartitionException".to_string(),
                format!("Unable to find partition: {tp}"),
            ));
        };
        if &current == target {
            lines.push(format!("Reassignment of partition {tp} is completed."));
        } else {
            let ids = |v: &[NodeId]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
            lines.push(format!(
                "There is no active reassignment of partition {tp}, but replica set is {} rather than {}.",
                ids(&current),
                ids(target)
            ));
        }
    }
    out.outln(lines.join("\n"));
    // No replica moves between log directories (one log directory per broker).
    out.outln("");
    // Throttles are cleared only once nothing is moving.
    if moving.is_empty() && !o.has("preserve-throttles") {
        clear_all_throttles(world, out, &image, &targets)?;
    }
    Ok(())
}

/// `curReassignmentsToString`.
fn list(world: &mut World, out: &mut Output, bootstrap: &str) -> Result<(), Failure> {
    image(world, bootstrap, "listPartitionReassignments")?;
    let current = ongoing(world, None)?;
    if current.is_empty() {
        out.outln("No partition reassignments found.");
        return Ok(());
    }
    let ids = |v: &[NodeId]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
    let mut lines = vec!["Current partition reassignments:".to_string()];
    for (tp, r) in &current {
        let mut line = format!("{tp}: replicas: {}.", ids(&r.replicas));
        if !r.adding.is_empty() {
            line.push_str(&format!(" adding: {}.", ids(&r.adding)));
        }
        if !r.removing.is_empty() {
            line.push_str(&format!(" removing: {}.", ids(&r.removing)));
        }
        lines.push(line);
    }
    out.outln(lines.join("\n"));
    Ok(())
}
