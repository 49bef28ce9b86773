//! `kafka-configs`: Kafka's `ConfigCommand` for topics and brokers over
//! `--bootstrap-server`. Topic configs are altered with AlterTopicConfigs
//! (IncrementalAlterConfigs), broker configs (one broker's, or the cluster
//! default with `--entity-default`) with AlterBrokerConfigs: the controller
//! validates them as Kafka's `DynamicBrokerConfig` does and writes BROKER
//! ConfigRecords that every broker applies. Describing sends DescribeConfigs
//! (a broker's own configs to that broker, topics and the cluster default to
//! the bootstrap broker), which answers from its metadata image: the topic's
//! overrides and the dynamic broker configs. With the broker settings of the
//! simulated cluster and Kafka's defaults, entries and synonyms are listed as
//! `ConfigHelper` does (per-broker dynamic, cluster-default dynamic, static,
//! default; cut before the config's own name).

use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};

use crate::output::Output;
use crate::tool::{Exit, Invocation};
use crate::world::{World, DEFAULT_API_TIMEOUT_MS};

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::error::KafkaError;
use kafkaplay_cluster::protocol::{ConfigResource, DescribedConfigs};
use kafkaplay_cluster::sim::group_admin::GroupAdminError;
use kafkaplay_cluster::NodeId;

use super::common::{
    bootstrap_broker, connect, help_or_version, metadata_via, node_assignment_timeout, usage_and_exit,
};
use super::jopt::{Parsed, Parser};

/// Every topic config with its broker-level synonyms in Kafka's order and each
/// synonym's default (`None`: no default, so not listed).
/// A broker config name and its default (`None`: no default).
type Synonym = (&'static str, Option<&'static str>);

const TOPIC_CONFIGS: &[(&str, &[Synonym])] = &[
    ("cleanup.policy", &[("log.cleanup.policy", Some("delete"))]),
    ("compression.gzip.level", &[("compression.gzip.level", Some("-1"))]),
    ("compression.lz4.level", &[("compression.lz4.level", Some("9"))]),
    ("compression.type", &[("compression.type", Some("producer"))]),
    ("compression.zstd.level", &[("compression.zstd.level", Some("3"))]),
    (
        "delete.retention.ms",
        &[("log.cleaner.delete.retention.ms", Some("86400000"))],
    ),
    (
        "file.delete.delay.ms",
        &[("log.segment.delete.delay.ms", Some("60000"))],
    ),
    (
        "flush.messages",
        &[("log.flush.interval.messages", Some("9223372036854775807"))],
    ),
    (
        "flush.ms",
        &[
            ("log.flush.interval.ms", None),
            ("log.flush.scheduler.interval.ms", Some("9223372036854775807")),
        ],
    ),
    (
        "follower.replication.throttled.replicas",
        &[("follower.replication.throttled.replicas", Some(""))],
    ),
    ("index.interval.bytes", &[("log.index.interval.bytes", Some("4096"))]),
    (
        "leader.replication.throttled.replicas",
        &[("leader.replication.throttled.replicas", Some(""))],
    ),
    ("local.retention.bytes", &[("log.local.retention.bytes", Some("-2"))]),
    ("local.retention.ms", &[("log.local.retention.ms", Some("-2"))]),
    (
        "max.compaction.lag.ms",
        &[("log.cleaner.max.compaction.lag.ms", Some("9223372036854775807"))],
    ),
    ("max.message.bytes", &[("message.max.bytes", Some("1048588"))]),
    (
        "message.timestamp.after.max.ms",
        &[("log.message.timestamp.after.max.ms", Some("9223372036854775807"))],
    ),
    (
        "message.timestamp.before.max.ms",
        &[("log.message.timestamp.before.max.ms", Some("9223372036854775807"))],
    ),
    (
        "message.timestamp.type",
        &[("log.message.timestamp.type", Some("CreateTime"))],
    ),
    (
        "min.cleanable.dirty.ratio",
        &[("log.cleaner.min.cleanable.ratio", Some("0.5"))],
    ),
    (
        "min.compaction.lag.ms",
        &[("log.cleaner.min.compaction.lag.ms", Some("0"))],
    ),
    ("min.insync.replicas", &[("min.insync.replicas", Some("1"))]),
    ("preallocate", &[("log.preallocate", Some("false"))]),
    ("remote.storage.enable", &[]),
    ("retention.bytes", &[("log.retention.bytes", Some("-1"))]),
    (
        "retention.ms",
        &[
            ("log.retention.ms", None),
            ("log.retention.minutes", None),
            ("log.retention.hours", Some("168")),
        ],
    ),
    ("segment.bytes", &[("log.segment.bytes", Some("1073741824"))]),
    ("segment.index.bytes", &[("log.index.size.max.bytes", Some("10485760"))]),
    (
        "segment.jitter.ms",
        &[("log.roll.jitter.ms", None), ("log.roll.jitter.hours", Some("0"))],
    ),
    ("segment.ms", &[("log.roll.ms", None), ("log.roll.hours", Some("168"))]),
    (
        "unclean.leader.election.enable",
        &[("unclean.leader.election.enable", Some("false"))],
    ),
];

/// A topic config's value when no synonym is set (`retention.ms` is
/// `log.retention.hours` in ms, and so on).
fn topic_default(name: &str) -> &'static str {
    match name {
        "retention.ms" | "segment.ms" => "604800000",
        "flush.ms" => "9223372036854775807",
        "segment.jitter.ms" => "0",
        "remote.storage.enable" => "false",
        _ => TOPIC_CONFIGS
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, s)| s.iter().rev().find_map(|(_, d)| *d))
            .unwrap_or(""),
    }
}

/// The broker settings the simulation runs with, under Kafka's names, and
/// Kafka's defaults for them.
fn broker_configs(world: &World) -> Vec<(&'static str, String, &'static str)> {
    let b = &world.sim.config().broker;
    let mut v = vec![
        (
            "auto.leader.rebalance.enable",
            b.auto_leader_rebalance_enable.to_string(),
            "true",
        ),
        (
            "broker.heartbeat.interval.ms",
            b.broker_heartbeat_interval_ms.to_string(),
            "2000",
        ),
        (
            "broker.session.timeout.ms",
            b.broker_session_timeout_ms.to_string(),
            "9000",
        ),
        (
            "default.replication.factor",
            b.default_replication_factor.to_string(),
            "1",
        ),
        (
            "group.initial.rebalance.delay.ms",
            b.group_initial_rebalance_delay_ms.to_string(),
            "3000",
        ),
        (
            "group.max.session.timeout.ms",
            b.group_max_session_timeout_ms.to_string(),
            "1800000",
        ),
        (
            "group.min.session.timeout.ms",
            b.group_min_session_timeout_ms.to_string(),
            "6000",
        ),
        (
            "leader.imbalance.check.interval.seconds",
            (b.leader_imbalance_check_interval_ms / 1000).to_string(),
            "300",
        ),
        (
            "leader.imbalance.per.broker.percentage",
            b.leader_imbalance_per_broker_percentage.to_string(),
            "10",
        ),
        ("message.max.bytes", b.message_max_bytes.to_string(), "1048588"),
        ("min.insync.replicas", b.min_insync_replicas.to_string(), "1"),
        ("num.partitions", b.num_partitions.to_string(), "1"),
        (
            "offsets.commit.timeout.ms",
            b.offsets_commit_timeout_ms.to_string(),
            "5000",
        ),
        (
            "offsets.topic.num.partitions",
            b.offsets_topic_num_partitions.to_string(),
            "50",
        ),
        (
            "offsets.topic.replication.factor",
            b.offsets_topic_replication_factor.to_string(),
            "3",
        ),
        (
            "offsets.topic.segment.bytes",
            b.offsets_topic_segment_bytes.to_string(),
            "104857600",
        ),
        (
            "replica.fetch.backoff.ms",
            b.replica_fetch_backoff_ms.to_string(),
            "1000",
        ),
        (
            "replica.fetch.max.bytes",
            b.replica_fetch_max_bytes.to_string(),
            "1048576",
        ),
        (
            "replica.fetch.wait.max.ms",
            b.replica_fetch_wait_max_ms.to_string(),
            "500",
        ),
        (
            "replica.lag.time.max.ms",
            b.replica_lag_time_max_ms.to_string(),
            "30000",
        ),
        (
            "unclean.leader.election.enable",
            b.unclean_leader_election_enable.to_string(),
            "false",
        ),
    ];
    let l = &world.sim.config().log;
    v.extend([
        ("log.segment.bytes", l.segment_bytes.to_string(), "1073741824"),
        ("log.retention.bytes", l.retention_bytes.to_string(), "-1"),
        ("log.index.interval.bytes", l.index_interval_bytes.to_string(), "4096"),
        (
            "log.index.size.max.bytes",
            l.segment_index_bytes.to_string(),
            "10485760",
        ),
        (
            "log.cleaner.delete.retention.ms",
            l.delete_retention_ms.to_string(),
            "86400000",
        ),
        (
            "log.cleaner.min.compaction.lag.ms",
            l.min_compaction_lag_ms.to_string(),
            "0",
        ),
    ]);
    if l.retention_ms != 604_800_000 {
        v.push(("log.retention.ms", l.retention_ms.to_string(), ""));
    }
    if l.segment_ms != 604_800_000 {
        v.push(("log.roll.ms", l.segment_ms.to_string(), ""));
    }
    v.sort_by_key(|(n, _, _)| *n);
    v
}

/// Kafka's defaults of the broker configs that `--all` lists beyond the ones
/// [`broker_configs`] takes from the simulation (`None`: no default, shown as
/// `null` as Kafka does).
const MORE_BROKER_DEFAULTS: &[(&str, Option<&str>)] = &[
    ("background.threads", Some("10")),
    ("compression.type", Some("producer")),
    ("log.cleaner.max.compaction.lag.ms", Some("9223372036854775807")),
    ("log.cleaner.min.cleanable.ratio", Some("0.5")),
    ("log.cleaner.threads", Some("1")),
    ("log.cleanup.policy", Some("delete")),
    ("log.flush.interval.messages", Some("9223372036854775807")),
    ("log.flush.interval.ms", None),
    ("log.message.timestamp.type", Some("CreateTime")),
    ("log.preallocate", Some("false")),
    ("log.retention.hours", Some("168")),
    ("log.retention.minutes", None),
    ("log.retention.ms", None),
    ("log.roll.hours", Some("168")),
    ("log.roll.jitter.hours", Some("0")),
    ("log.roll.jitter.ms", None),
    ("log.roll.ms", None),
    ("log.segment.delete.delay.ms", Some("60000")),
    ("max.connections", Some("2147483647")),
    ("num.io.threads", Some("8")),
    ("num.network.threads", Some("3")),
    ("num.replica.fetchers", Some("1")),
];

/// `DynamicBrokerConfig.brokerConfigSynonyms`.
fn broker_synonyms(name: &str) -> Vec<&str> {
    match name {
        "log.roll.ms" | "log.roll.hours" => vec!["log.roll.ms", "log.roll.hours"],
        "log.roll.jitter.ms" | "log.roll.jitter.hours" => vec!["log.roll.jitter.ms", "log.roll.jitter.hours"],
        "log.flush.interval.ms" => vec!["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
        "log.retention.ms" | "log.retention.minutes" | "log.retention.hours" => {
            vec!["log.retention.ms", "log.retention.minutes", "log.retention.hours"]
        }
        n => vec![n],
    }
}

/// What a broker answering DescribeConfigs knows: its own dynamic configs,
/// the cluster default's, its static settings and Kafka's defaults.
struct BrokerSources {
    own: FlatMap<String, String>,
    default: FlatMap<String, String>,
    /// `(name, value)` of the static settings that differ from Kafka's default.
    statics: Vec<(&'static str, String)>,
    defaults: Vec<(&'static str, &'static str)>,
}

impl BrokerSources {
    fn new(world: &World, described: &DescribedConfigs) -> Self {
        let mut statics = Vec::new();
        let mut defaults: Vec<(&'static str, &'static str)> = Vec::new();
        for (name, value, default) in broker_configs(world) {
            if value != default {
                statics.push((name, value));
            }
            if !default.is_empty() {
                defaults.push((name, default));
            }
        }
        for (name, default) in MORE_BROKER_DEFAULTS {
            if let Some(d) = default {
                if !defaults.iter().any(|(n, _)| n == name) {
                    defaults.push((name, d));
                }
            }
        }
        // Synonyms the topic configs name that have a default.
        for (_, synonyms) in TOPIC_CONFIGS {
            for (name, default) in synonyms.iter() {
                if let Some(d) = default {
                    if !defaults.iter().any(|(n, _)| n == name) {
                        defaults.push((name, d));
                    }
                }
            }
        }
        BrokerSources {
            own: described.broker.clone(),
            default: described.default.clone(),
            statics,
            defaults,
        }
    }

    /// `ConfigHelper.configSynonyms`: source by source, each over the
    /// synonyms, then everything before `name` itself dropped.
    fn synonyms(&self, name: &str) -> Vec<(&'static str, String, String)> {
        let names = broker_synonyms(name);
        let mut all = Vec::new();
        for n in &names {
            if let Some(v) = self.own.get(*n) {
                all.push(("DYNAMIC_BROKER_CONFIG", n.to_string(), v.clone()));
            }
        }
        for n in &names {
            if let Some(v) = self.default.get(*n) {
                all.push(("DYNAMIC_DEFAULT_BROKER_CONFIG", n.to_string(), v.clone()));
            }
        }
        for n in &names {
            if let Some((_, v)) = self.statics.iter().find(|(s, _)| s == n) {
                all.push(("STATIC_BROKER_CONFIG", n.to_string(), v.clone()));
            }
        }
        for n in &names {
            if let Some((_, v)) = self.defaults.iter().find(|(s, _)| s == n) {
                all.push(("DEFAULT_CONFIG", n.to_string(), v.to_string()));
            }
        }
        let first = all.iter().position(|(_, n, _)| n == name).unwrap_or(all.len());
        all.split_off(first)
    }

    /// A broker config's own value by precedence, or `None` (Kafka's `null`).
    fn value(&self, name: &str) -> Option<String> {
        self.own
            .get(name)
            .or_else(|| self.default.get(name))
            .cloned()
            .or_else(|| self.statics.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()))
            .or_else(|| {
                self.defaults
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            })
    }

    /// The topic config value a log gets without an override: the first
    /// synonym set at the highest-precedence source, hours and minutes in ms.
    fn topic_value(&self, synonyms: &[Synonym]) -> Option<String> {
        let scale = |n: &str, v: &str| -> String {
            let factor = if n.ends_with(".hours") {
                3_600_000
            } else if n.ends_with(".minutes") {
                60_000
            } else {
                return v.to_string();
            };
            v.trim()
                .parse::<i64>()
                .map_or(v.to_string(), |x| x.saturating_mul(factor).to_string())
        };
        for source in [&self.own, &self.default] {
            if let Some((n, v)) = synonyms.iter().find_map(|(n, _)| source.get(*n).map(|v| (*n, v))) {
                return Some(scale(n, v));
            }
        }
        if let Some((n, v)) = synonyms
            .iter()
            .find_map(|(n, _)| self.statics.iter().find(|(s, _)| s == n).map(|(_, v)| (*n, v)))
        {
            return Some(scale(n, v));
        }
        None
    }

    /// Every broker config `--all` lists: the simulated and documented ones
    /// and whatever is set dynamically, by name.
    fn all_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.defaults.iter().map(|(n, _)| n.to_string()).collect();
        names.extend(self.statics.iter().map(|(n, _)| n.to_string()));
        names.extend(MORE_BROKER_DEFAULTS.iter().map(|(n, _)| n.to_string()));
        names.extend(self.own.keys().cloned());
        names.extend(self.default.keys().cloned());
        names.retain(|n| !TOPIC_ONLY_SYNONYMS.contains(&n.as_str()));
        names.sort();
        names.dedup();
        names
    }
}

/// Topic-config synonyms that are not broker configs of their own here.
const TOPIC_ONLY_SYNONYMS: &[&str] = &[
    "follower.replication.throttled.replicas",
    "leader.replication.throttled.replicas",
];

fn entry_line(name: &str, value: Option<&str>, synonyms: &[(&'static str, String, String)]) -> String {
    let syns: Vec<String> = synonyms.iter().map(|(s, n, v)| format!("{s}:{n}={v}")).collect();
    format!(
        "  {name}={} sensitive=false synonyms={{{}}}",
        value.unwrap_or("null"),
        syns.join(", ")
    )
}

pub fn parser() -> Parser {
    let topic_names: Vec<String> = TOPIC_CONFIGS.iter().map(|(n, _)| format!("\t{n}")).collect();
    let mut p = Parser::new();
    p.arg(
        "zookeeper",
        "DEPRECATED. The connection string for the zookeeper connection in the form host:port. Multiple URLS can be \
         given to allow fail-over. Required when configuring SCRAM credentials for users or dynamic broker configs \
         when the relevant broker(s) are down. Not allowed otherwise.",
        "urls",
        "String",
    )
    .arg(
        "bootstrap-server",
        "The Kafka servers to connect to.",
        "server to connect to",
        "String",
    )
    .arg(
        "bootstrap-controller",
        "The Kafka controllers to connect to.",
        "controller to connect to",
        "String",
    )
    .arg(
        "command-config",
        "Property file containing configs to be passed to Admin Client. This is used only with --bootstrap-server \
         option for describing and altering broker configs.",
        "command config property file",
        "String",
    )
    .flag("alter", "Alter the configuration for the entity.")
    .flag("describe", "List configs for the given entity.")
    .flag(
        "all",
        "List all configs for the given entity, including static configs if available.",
    )
    .arg(
        "entity-type",
        "Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)",
        "",
        "String",
    )
    .arg(
        "entity-name",
        "Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group id)",
        "",
        "String",
    )
    .flag(
        "entity-default",
        "Default entity name for clients/users/brokers/ips (applies to corresponding entity type)",
    )
    .arg(
        "add-config",
        &format!(
            "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: \
             'k1=v1,k2=[v1,v2,v2],k3=v3'. The following is a list of valid configurations: For entity-type 'topics': \
             \n{}\nEntity types 'users' and 'clients' may be specified together to update config for clients of a \
             specific user.",
            topic_names.join("\n")
        ),
        "",
        "String",
    )
    .arg(
        "add-config-file",
        "Path to a properties file with configs to add. See add-config for a list of valid configurations.",
        "",
        "String",
    )
    .arg("delete-config", "config keys to remove 'k1,k2'", "", "String")
    .flag("force", "Suppress console prompts")
    .arg("topic", "The topic's name.", "", "String")
    .arg("client", "The client's ID.", "", "String")
    .flag("client-defaults", "The config defaults for all clients.")
    .arg("user", "The user's principal name.", "", "String")
    .flag("user-defaults", "The config defaults for all users.")
    .arg("broker", "The broker's ID.", "", "String")
    .flag("broker-defaults", "The config defaults for all brokers.")
    .arg("broker-logger", "The broker's ID for its logger config.", "", "String")
    .flag("ip-defaults", "The config defaults for all IPs.")
    .arg("ip", "The IP address.", "", "String")
    .arg("group", "The group's ID.", "", "String")
    .arg(
        "client-metrics",
        "The client metrics config resource name.",
        "",
        "String",
    );
    p
}

const ENTITY_FLAGS: [(&str, &str); 8] = [
    ("topic", "topics"),
    ("client", "clients"),
    ("user", "users"),
    ("broker", "brokers"),
    ("broker-logger", "broker-loggers"),
    ("ip", "ips"),
    ("client-metrics", "client-metrics"),
    ("group", "groups"),
];
const DEFAULT_FLAGS: [(&str, &str); 4] = [
    ("client-defaults", "clients"),
    ("user-defaults", "users"),
    ("broker-defaults", "brokers"),
    ("ip-defaults", "ips"),
];
const SUPPORTED: &str = "topics, clients, users, brokers, broker-loggers, ips, client-metrics, groups";

struct Entities {
    types: Vec<String>,
    /// Names, `""` for a default entity.
    names: Vec<String>,
}

fn entities(o: &Parsed) -> Entities {
    let mut types = o.values("entity-type");
    let mut names = o.values("entity-name");
    if o.has("entity-default") {
        names.push(String::new());
    }
    for (flag, t) in ENTITY_FLAGS {
        if o.has(flag) {
            types.push(t.into());
            names.push(o.value(flag).unwrap_or_default());
        }
    }
    for (flag, t) in DEFAULT_FLAGS {
        if o.has(flag) {
            types.push(t.into());
            names.push(String::new());
        }
    }
    Entities { types, names }
}

/// `ConfigCommandOptions.checkArgs` after the action check.
fn check_args(o: &Parsed, e: &Entities) -> Result<(), String> {
    let mut seen: Vec<&String> = Vec::new();
    let mut duplicates: Vec<&str> = Vec::new();
    for t in &e.types {
        if seen.contains(&t) {
            duplicates.push(t);
        }
        seen.push(t);
    }
    if !duplicates.is_empty() {
        return Err(format!("Duplicate entity type(s) specified: {}", duplicates.join(",")));
    }
    let with_bootstrap = o.has("bootstrap-server") || o.has("bootstrap-controller");
    for t in &e.types {
        if !SUPPORTED.split(", ").any(|s| s == t) {
            let (allowed, how) = if with_bootstrap {
                (SUPPORTED, "--bootstrap-server or --bootstrap-controller")
            } else {
                ("users, brokers", "--zookeeper")
            };
            return Err(format!(
                "Invalid entity type {t}, the entity type must be one of {allowed} with a {how} argument"
            ));
        }
    }
    if e.types.is_empty() {
        return Err("At least one entity type must be specified".into());
    }
    if e.types.len() > 1
        && !(e.types.len() == 2 && e.types.contains(&"users".into()) && e.types.contains(&"clients".into()))
    {
        return Err("Only 'users' and 'clients' entity types may be specified together".into());
    }
    let specific = ENTITY_FLAGS.iter().chain(DEFAULT_FLAGS.iter()).any(|(f, _)| o.has(f));
    if (o.has("entity-name") || o.has("entity-type") || o.has("entity-default")) && specific {
        return Err("--entity-{type,name,default} should not be used in conjunction with specific entity flags".into());
    }
    let connects = ["bootstrap-server", "bootstrap-controller", "zookeeper"]
        .iter()
        .filter(|x| o.has(x))
        .count();
    if connects == 0 {
        return Err(
            "One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be specified"
                .into(),
        );
    }
    if connects > 1 {
        return Err("Only one of --bootstrap-server, --boostrap-controller, and --zookeeper can be specified".into());
    }
    let has_name = e.names.iter().any(|n| !n.is_empty());
    let has_default = e.names.iter().any(String::is_empty);
    if has_name && (e.types.iter().any(|t| t == "brokers" || t == "broker-loggers")) {
        for id in e.names.iter().filter(|n| !n.is_empty()) {
            if id.parse::<i32>().is_err() {
                return Err(format!(
                    "The entity name for {} must be a valid integer broker id, but it is: {id}",
                    e.types[0]
                ));
            }
        }
    }
    let joined = e.types.join(",");
    if o.has("describe") {
        let defaults_ok = e
            .types
            .iter()
            .any(|t| ["users", "clients", "brokers", "ips"].contains(&t.as_str()));
        if !defaults_ok && o.has("entity-default") {
            return Err(format!(
                "--entity-default must not be specified with --describe of {joined}"
            ));
        }
        if e.types.iter().any(|t| t == "broker-loggers") && !has_name {
            return Err(format!("An entity name must be specified with --describe of {joined}"));
        }
    }
    if o.has("alter") {
        if e.types
            .iter()
            .any(|t| ["users", "clients", "brokers", "ips"].contains(&t.as_str()))
        {
            if !has_name && !has_default {
                return Err(
                    "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips"
                        .into(),
                );
            }
        } else if !has_name {
            return Err(format!("An entity name must be specified with --alter of {joined}"));
        }
        if o.has("add-config") && o.has("add-config-file") {
            return Err("Only one of --add-config or --add-config-file must be specified".into());
        }
        if !o.has("add-config") && !o.has("add-config-file") && !o.has("delete-config") {
            return Err(
                "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter"
                    .into(),
            );
        }
    }
    Ok(())
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser();
    let o = match parser.parse(args) {
        Ok(o) => o,
        Err(m) => {
            out.errln(m);
            return Exit::Code(1);
        }
    };
    if let Some(exit) = help_or_version(
        world,
        out,
        &parser,
        &o,
        "This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, \
         client-metrics or group",
    ) {
        return exit;
    }
    if ["alter", "describe"].iter().filter(|x| o.has(x)).count() != 1 {
        return usage_and_exit(
            out,
            &parser,
            "Command must include exactly one action: --describe, --alter",
        );
    }
    if o.has("describe") {
        for bad in ["alter", "add-config", "delete-config"] {
            if o.has(bad) {
                return usage_and_exit(
                    out,
                    &parser,
                    &format!("Option \"[describe]\" can't be used with option \"[{bad}]\""),
                );
            }
        }
    }
    let e = entities(&o);
    if let Err(m) = check_args(&o, &e) {
        out.errln(m);
        return Exit::Code(1);
    }
    if o.has("zookeeper") {
        out.errln("Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.");
        out.errln("Use --bootstrap-server instead to specify a broker to connect to.");
        return Exit::Code(1);
    }
    if o.has("alter") && e.types.len() != e.names.len() {
        out.errln("An entity name must be specified for every entity type");
        return Exit::Code(1);
    }
    let bootstrap = o
        .value("bootstrap-server")
        .or_else(|| o.value("bootstrap-controller"))
        .unwrap_or_default();
    let result = if o.has("alter") {
        alter(world, out, &o, &e, &bootstrap)
    } else {
        describe(world, out, &o, &e, &bootstrap)
    };
    match result {
        Ok(()) => Exit::Code(0),
        Err(Failure::Message(m)) => {
            out.errln(m);
            Exit::Code(1)
        }
        Err(Failure::Thrown(text)) => {
            out.errln(format!(
                "Error while executing config command with args '{}'",
                args.join(" ")
            ));
            out.errln(format!("java.util.concurrent.ExecutionException: {text}"));
            Exit::Code(1)
        }
    }
}

enum Failure {
    /// `IllegalArgumentException` / `InvalidConfigurationException`: the message only.
    Message(String),
    /// Anything else: ConfigCommand prints the command line and the stack trace.
    Thrown(String),
}

fn timeout(call: &str) -> Failure {
    Failure::Thrown(format!(
        "org.apache.kafka.common.errors.TimeoutException: {}",
        node_assignment_timeout(call)
    ))
}

/// `parseConfigsToBeAdded` for `--add-config`: commas outside `[...]` split pairs.
fn parse_add_config(raw: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    let mut parts = Vec::new();
    for c in raw.chars() {
        match c {
            '[' => {
                depth += 1;
                current.push(c);
            }
            ']' => {
                depth -= 1;
                current.push(c);
            }
            ',' if depth <= 0 => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    for p in parts {
        let Some((k, v)) = p.split_once('=') else {
            return Err(
                "requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\"."
                    .into(),
            );
        };
        if v.contains('=') && !v.contains('[') {
            return Err(
                "requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\"."
                    .into(),
            );
        }
        pairs.push((k.trim().to_string(), v.replace(['[', ']'], "").trim().to_string()));
    }
    Ok(pairs)
}

fn alter(world: &mut World, out: &mut Output, o: &Parsed, e: &Entities, bootstrap: &str) -> Result<(), Failure> {
    let entity_type = e.types[0].as_str();
    let name = e.names[0].clone();
    let mut adds = match o.value("add-config") {
        Some(raw) => parse_add_config(&raw).map_err(Failure::Message)?,
        None => Vec::new(),
    };
    if let Some(path) = o.value("add-config-file") {
        let Some(bytes) = world.read_file(&path) else {
            return Err(Failure::Thrown(format!("java.nio.file.NoSuchFileException: {path}")));
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let file: Vec<(String, String)> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                l.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        adds.splice(0..0, file);
    }
    let deletes: Vec<String> = o
        .values("delete-config")
        .iter()
        .flat_map(|d| d.split(',').map(|x| x.trim().to_string()).collect::<Vec<_>>())
        .collect();
    if entity_type == "brokers" {
        return alter_brokers(world, out, &name, adds, deletes, bootstrap);
    }
    if entity_type != "topics" {
        return Err(Failure::Thrown(format!(
            "org.apache.kafka.common.errors.UnsupportedVersionException: Altering {entity_type} configs is not \
             simulated yet."
        )));
    }
    if !connect(world, bootstrap) {
        return Err(timeout("describeConfigs"));
    }
    let image = metadata_via(world, bootstrap).ok_or_else(|| timeout("describeConfigs"))?;
    let Some(topic) = image.topic(&name) else {
        return Err(Failure::Thrown(format!(
            "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: The topic '{name}' does not exist."
        )));
    };
    let invalid: Vec<&str> = deletes
        .iter()
        .filter(|d| !topic.configs.contains_key(d.as_str()))
        .map(String::as_str)
        .collect();
    if !invalid.is_empty() {
        return Err(Failure::Message(format!("Invalid config(s): {}", invalid.join(","))));
    }
    let mut changes: Vec<(String, Option<String>)> = adds.into_iter().map(|(k, v)| (k, Some(v))).collect();
    changes.extend(deletes.into_iter().map(|k| (k, None)));
    match world.admin_call(
        AdminRequest::AlterTopicConfigs {
            topic: name.clone(),
            changes,
        },
        DEFAULT_API_TIMEOUT_MS,
    ) {
        Some(AdminResponse::AlterTopicConfigs(Ok(()))) => {
            out.outln(format!("Completed updating config for topic {name}."));
            Ok(())
        }
        Some(AdminResponse::AlterTopicConfigs(Err((err, m)))) => {
            Err(Failure::Thrown(format!("{}: {m}", err.exception_class())))
        }
        _ => Err(timeout("incrementalAlterConfigs")),
    }
}

/// DescribeConfigs of `resource`, asked of broker `to` (none: no broker to
/// ask, which times out as a node assignment does).
fn described(world: &mut World, to: Option<NodeId>, resource: ConfigResource) -> Result<DescribedConfigs, Failure> {
    let Some(to) = to else {
        return Err(timeout("describeConfigs"));
    };
    world.sim.describe_configs(to, resource).map_err(|e| match e {
        GroupAdminError::Kafka(KafkaError::RequestTimedOut, m) => {
            Failure::Thrown(format!("org.apache.kafka.common.errors.TimeoutException: {m}"))
        }
        GroupAdminError::Kafka(k, m) => Failure::Thrown(format!("{}: {m}", k.exception_class())),
        GroupAdminError::Refused(m) => Failure::Message(m),
    })
}

/// `alterConfig` for `brokers`: the current dynamic configs of the resource
/// first (deleting one that is not set fails), then the change.
fn alter_brokers(
    world: &mut World,
    out: &mut Output,
    name: &str,
    adds: Vec<(String, String)>,
    deletes: Vec<String>,
    bootstrap: &str,
) -> Result<(), Failure> {
    if !connect(world, bootstrap) {
        return Err(timeout("describeConfigs"));
    }
    // `getResourceConfig` first: a broker's own configs from that broker,
    // the cluster default's from the bootstrap one.
    let to = if name.is_empty() {
        bootstrap_broker(world, bootstrap)
    } else {
        name.parse::<NodeId>().ok()
    };
    let d = described(world, to, ConfigResource::Broker(name.to_string()))?;
    let current = if name.is_empty() { d.default } else { d.broker };
    let invalid: Vec<&str> = deletes
        .iter()
        .filter(|d| !current.contains_key(d.as_str()))
        .map(String::as_str)
        .collect();
    if !invalid.is_empty() {
        return Err(Failure::Message(format!("Invalid config(s): {}", invalid.join(","))));
    }
    let mut changes: Vec<(String, Option<String>)> = Vec::new();
    for (k, v) in adds {
        // A later value for the same key wins, as in the properties map.
        changes.retain(|(n, _)| *n != k);
        changes.push((k, Some(v)));
    }
    changes.extend(deletes.into_iter().map(|k| (k, None)));
    match world.admin_call(
        AdminRequest::AlterBrokerConfigs {
            resource: name.to_string(),
            changes,
        },
        DEFAULT_API_TIMEOUT_MS,
    ) {
        Some(AdminResponse::AlterBrokerConfigs(Ok(()))) => {
            // The brokers apply the records as they fetch the metadata log.
            let fetch = world.sim.config().quorum.fetch_max_wait_ms + 2 * world.sim.config().network_delay_ms;
            world.sim.run_for(fetch);
            if name.is_empty() {
                out.outln("Completed updating default config for brokers in the cluster.");
            } else {
                out.outln(format!("Completed updating config for broker {name}."));
            }
            Ok(())
        }
        Some(AdminResponse::AlterBrokerConfigs(Err((err, m)))) => {
            Err(Failure::Thrown(format!("{}: {m}", err.exception_class())))
        }
        _ => Err(timeout("incrementalAlterConfigs")),
    }
}

fn describe(world: &mut World, out: &mut Output, o: &Parsed, e: &Entities, bootstrap: &str) -> Result<(), Failure> {
    let entity_type = e.types[0].as_str();
    let all = o.has("all");
    if !connect(world, bootstrap) {
        return Err(timeout(if e.names.is_empty() {
            "listTopics"
        } else {
            "describeConfigs"
        }));
    }
    let image = metadata_via(world, bootstrap).ok_or_else(|| timeout("describeConfigs"))?;
    // A topic's configs (and the cluster default) come from the least loaded
    // broker: the bootstrap one.
    let answering = bootstrap_broker(world, bootstrap);
    match entity_type {
        "topics" => {
            let names: Vec<String> = match e.names.first() {
                Some(n) => vec![n.clone()],
                // listTopics().names(): the key set of a default-sized HashMap.
                None => {
                    let names: Vec<String> = image.topic_ids.keys().cloned().collect();
                    super::common::java_hash_order(&names, None)
                }
            };
            for name in names {
                out.outln(format!(
                    "{} configs for topic {name} are:",
                    if all { "All" } else { "Dynamic" }
                ));
                let d = described(world, answering, ConfigResource::Topic(name.clone()))?;
                let sources = BrokerSources::new(world, &d);
                for (config, synonyms) in TOPIC_CONFIGS {
                    let set = d.topic.get(*config);
                    if set.is_none() && !all {
                        continue;
                    }
                    let mut syns = Vec::new();
                    if let Some(v) = set {
                        syns.push(("DYNAMIC_TOPIC_CONFIG", config.to_string(), v.clone()));
                    }
                    if let Some((primary, _)) = synonyms.first() {
                        syns.extend(sources.synonyms(primary));
                    }
                    let value = set.cloned().unwrap_or_else(|| {
                        sources
                            .topic_value(synonyms)
                            .unwrap_or_else(|| topic_default(config).to_string())
                    });
                    out.outln(entry_line(config, Some(&value), &syns));
                }
            }
        }
        "brokers" => {
            let names: Vec<String> = match e.names.first() {
                Some(n) => vec![n.clone()],
                None => {
                    let mut ids: Vec<String> = image.unfenced_brokers().iter().map(|b| b.to_string()).collect();
                    ids.push(String::new());
                    ids
                }
            };
            for name in names {
                if name.is_empty() {
                    out.outln("Default configs for brokers in the cluster are:");
                    let d = described(world, answering, ConfigResource::Broker(String::new()))?;
                    let sources = BrokerSources::new(world, &d);
                    for (config, value) in &sources.default {
                        let syns: Vec<_> = sources
                            .synonyms(config)
                            .into_iter()
                            .filter(|(s, _, _)| *s == "DYNAMIC_DEFAULT_BROKER_CONFIG")
                            .collect();
                        out.outln(entry_line(config, Some(value), &syns));
                    }
                    continue;
                }
                out.outln(format!(
                    "{} configs for broker {name} are:",
                    if all { "All" } else { "Dynamic" }
                ));
                // Each broker answers for itself: one that is gone leaves the
                // call waiting for a node assignment.
                let d = described(world, name.parse().ok(), ConfigResource::Broker(name.clone()))?;
                let sources = BrokerSources::new(world, &d);
                let names: Vec<String> = if all {
                    sources.all_names()
                } else {
                    sources.own.keys().cloned().collect()
                };
                for config in names {
                    let syns = sources.synonyms(&config);
                    if !all && syns.first().map(|(s, _, _)| *s) != Some("DYNAMIC_BROKER_CONFIG") {
                        continue;
                    }
                    out.outln(entry_line(&config, sources.value(&config).as_deref(), &syns));
                }
            }
        }
        other => {
            return Err(Failure::Thrown(format!(
                "org.apache.kafka.common.errors.UnsupportedVersionException: Describing {other} configs is not \
                 simulated yet."
            )))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_config_keeps_bracketed_commas() {
        assert_eq!(
            parse_add_config("a=1, b=[x,y],c = 3").unwrap(),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x,y".into()),
                ("c".into(), "3".into())
            ]
        );
        assert!(parse_add_config("novalue").is_err());
    }
}
