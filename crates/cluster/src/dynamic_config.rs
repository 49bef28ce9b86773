//! Dynamic broker configs (KIP-226), as KRaft keeps them: ConfigRecords for the
//! BROKER resource in the metadata log, named by a broker id (`"1"`) or `""`
//! for the cluster-wide default. The controller validates a change here
//! (`ConfigAdminManager.validateBrokerConfigChange` → `DynamicBrokerConfig.validateConfigs`,
//! with Kafka's texts) and every broker applies the result over its static
//! `server.properties` (per-broker value, else cluster default, else static).
//!
//! Only the configs the simulation models change behaviour: the log defaults
//! (`log.segment.bytes`, `log.roll.*`, `log.retention.*`, `log.cleanup.policy`,
//! `message.max.bytes`, ...), `min.insync.replicas`,
//! `unclean.leader.election.enable` (read by the controller from the cluster
//! default, as Kafka's does) and the replication throttles. Other dynamic
//! configs (thread pools, connection limits) are stored and described but
//! change nothing here; names Kafka does not know are accepted as custom
//! configs, as Kafka accepts them.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_log::LogConfig;

use crate::config::BrokerConfig;
use crate::controller::validation::{check_value, Kind};
use crate::error::KafkaError;
use crate::metadata::{MetadataImage, MetadataRecord};
use crate::types::NodeId;

/// The resource name of the cluster-wide default (`ConfigCommand.BrokerDefaultEntityName`).
pub const DEFAULT_RESOURCE: &str = "";

/// `QuotaConfig`'s default for the throttled rates: `Long.MAX_VALUE` (no throttle).
pub const UNTHROTTLED: i64 = i64::MAX;

/// The dynamic broker configs Kafka defines (`DynamicBrokerConfig.AllDynamicConfigs`
/// plus the broker quota configs) that the simulation knows, with their type,
/// in `KafkaConfig`'s definition order, and whether they may only be set per
/// broker (`PerBrokerConfigs`).
pub(crate) const DYNAMIC_CONFIGS: &[(&str, Kind, bool)] = &[
    ("message.max.bytes", Kind::Int { min: Some(0) }, false),
    ("num.network.threads", Kind::Int { min: Some(1) }, false),
    ("num.io.threads", Kind::Int { min: Some(1) }, false),
    ("background.threads", Kind::Int { min: Some(1) }, false),
    ("max.connections", Kind::Int { min: Some(0) }, false),
    ("log.segment.bytes", Kind::Int { min: Some(14) }, false),
    ("log.roll.ms", Kind::Long { min: None }, false),
    ("log.roll.hours", Kind::Int { min: Some(1) }, false),
    ("log.roll.jitter.ms", Kind::Long { min: None }, false),
    ("log.roll.jitter.hours", Kind::Int { min: Some(0) }, false),
    ("log.retention.ms", Kind::Long { min: None }, false),
    ("log.retention.minutes", Kind::Int { min: None }, false),
    ("log.retention.hours", Kind::Int { min: None }, false),
    ("log.retention.bytes", Kind::Long { min: None }, false),
    ("log.cleaner.threads", Kind::Int { min: Some(0) }, false),
    (
        "log.cleaner.io.max.bytes.per.second",
        Kind::Double {
            min: f64::MIN,
            max: f64::MAX,
        },
        false,
    ),
    (
        "log.cleaner.min.cleanable.ratio",
        Kind::Double { min: 0.0, max: 1.0 },
        false,
    ),
    ("log.cleanup.policy", Kind::ListOf(&["compact", "delete"]), false),
    ("log.cleaner.delete.retention.ms", Kind::Long { min: Some(0) }, false),
    ("log.cleaner.min.compaction.lag.ms", Kind::Long { min: Some(0) }, false),
    ("log.cleaner.max.compaction.lag.ms", Kind::Long { min: Some(1) }, false),
    ("log.index.size.max.bytes", Kind::Int { min: Some(4) }, false),
    ("log.index.interval.bytes", Kind::Int { min: Some(0) }, false),
    ("log.flush.interval.messages", Kind::Long { min: Some(1) }, false),
    ("log.segment.delete.delay.ms", Kind::Long { min: Some(0) }, false),
    ("log.flush.interval.ms", Kind::Long { min: None }, false),
    ("log.preallocate", Kind::Bool, false),
    (
        "log.message.timestamp.type",
        Kind::OneOf(&["CreateTime", "LogAppendTime"]),
        false,
    ),
    (
        "log.message.timestamp.before.max.ms",
        Kind::Long { min: Some(0) },
        false,
    ),
    ("log.message.timestamp.after.max.ms", Kind::Long { min: Some(0) }, false),
    ("num.recovery.threads.per.data.dir", Kind::Int { min: Some(1) }, false),
    ("min.insync.replicas", Kind::Int { min: Some(1) }, false),
    (
        "compression.type",
        Kind::OneOf(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        false,
    ),
    ("num.replica.fetchers", Kind::Int { min: None }, false),
    ("unclean.leader.election.enable", Kind::Bool, false),
    ("advertised.listeners", Kind::Any, true),
    ("listeners", Kind::Any, true),
    ("leader.replication.throttled.rate", Kind::Long { min: Some(0) }, false),
    (
        "follower.replication.throttled.rate",
        Kind::Long { min: Some(0) },
        false,
    ),
    (
        "replica.alter.log.dirs.io.max.bytes.per.second",
        Kind::Long { min: Some(0) },
        false,
    ),
];

/// `KafkaConfig` names that are not dynamic (`DynamicConfig.Broker.nonDynamicProps`),
/// as far as the simulation knows them.
pub const STATIC_CONFIGS: &[&str] = &[
    "auto.create.topics.enable",
    "auto.leader.rebalance.enable",
    "broker.heartbeat.interval.ms",
    "broker.id",
    "broker.rack",
    "broker.session.timeout.ms",
    "controller.listener.names",
    "controller.quorum.bootstrap.servers",
    "controller.quorum.voters",
    "default.replication.factor",
    "delete.topic.enable",
    "group.initial.rebalance.delay.ms",
    "group.max.session.timeout.ms",
    "group.min.session.timeout.ms",
    "inter.broker.listener.name",
    "leader.imbalance.check.interval.seconds",
    "leader.imbalance.per.broker.percentage",
    "listener.security.protocol.map",
    "log.dir",
    "log.dirs",
    "log.initial.task.delay.ms",
    "log.retention.check.interval.ms",
    "node.id",
    "num.partitions",
    "offsets.commit.timeout.ms",
    "offsets.retention.minutes",
    "offsets.topic.num.partitions",
    "offsets.topic.replication.factor",
    "offsets.topic.segment.bytes",
    "process.roles",
    "replica.fetch.backoff.ms",
    "replica.fetch.max.bytes",
    "replica.fetch.wait.max.ms",
    "replica.lag.time.max.ms",
    "transaction.state.log.min.isr",
    "transaction.state.log.replication.factor",
    "zookeeper.connect",
];

fn kind_of(name: &str) -> Option<(Kind, bool)> {
    DYNAMIC_CONFIGS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, k, per_broker)| (*k, *per_broker))
}

/// The dynamic broker configs the simulation knows, in `KafkaConfig`'s order.
pub fn dynamic_config_names() -> impl Iterator<Item = &'static str> {
    DYNAMIC_CONFIGS.iter().map(|(n, _, _)| *n)
}

/// Whether Kafka lets `name` change at runtime.
pub fn is_dynamic(name: &str) -> bool {
    kind_of(name).is_some()
}

/// Scala's `Set(a, b)`, as `s"$set"` prints a small set.
fn scala_set(names: &[&str]) -> String {
    format!("Set({})", names.join(", "))
}

/// Validates a change of BROKER resource `resource` and gives its ConfigRecords.
/// `Err` is Kafka's error and message (`INVALID_REQUEST` for what
/// `DynamicBrokerConfig` refuses, as `ConfigAdminManager` wraps it).
pub fn alter_broker_configs(
    image: &MetadataImage,
    resource: &str,
    changes: &[(String, Option<String>)],
) -> Result<Vec<MetadataRecord>, (KafkaError, String)> {
    let invalid_request = |m: String| (KafkaError::InvalidRequest, m);
    if !resource.is_empty() {
        // ControllerConfigurationValidator.validate for BROKER.
        let id: i64 = resource
            .parse()
            .map_err(|_| invalid_request("Unable to parse broker name as a base 10 number.".into()))?;
        if id < 0 {
            return Err(invalid_request("Invalid negative broker ID.".into()));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in changes {
        if seen.contains(&name.as_str()) {
            return Err(invalid_request("Error due to duplicate config keys".into()));
        }
        seen.push(name);
    }
    // The resulting dynamic set is what DynamicBrokerConfig validates.
    let mut merged = image.broker_configs.get(resource).cloned().unwrap_or_default();
    for (name, value) in changes {
        match value {
            Some(v) => merged.insert(name.clone(), v.clone()),
            None => merged.remove(name),
        };
    }
    let set: Vec<(&str, &str)> = changes
        .iter()
        .filter_map(|(n, v)| v.as_deref().map(|v| (n.as_str(), v)))
        .collect();
    let non_dynamic: Vec<&str> = set
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| STATIC_CONFIGS.contains(n))
        .collect();
    if !non_dynamic.is_empty() {
        return Err(invalid_request(format!(
            "Cannot update these configs dynamically: {}",
            scala_set(&non_dynamic)
        )));
    }
    for (name, kind, _) in DYNAMIC_CONFIGS {
        if let Some(v) = merged.get(*name) {
            check_value(name, v, *kind).map_err(invalid_request)?;
        }
    }
    if resource.is_empty() {
        let per_broker: Vec<&str> = set
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| kind_of(n).is_some_and(|(_, p)| p))
            .collect();
        if !per_broker.is_empty() {
            return Err(invalid_request(format!(
                "Cannot update these configs at default cluster level, broker id must be specified: {}",
                scala_set(&per_broker)
            )));
        }
    }
    Ok(changes
        .iter()
        .map(|(name, value)| MetadataRecord::BrokerConfig {
            resource: resource.to_string(),
            name: name.clone(),
            value: value.clone(),
        })
        .collect())
}

/// A broker's dynamic configs: the cluster default overlaid with its own.
pub fn merged(image: &MetadataImage, broker: NodeId) -> FlatMap<String, String> {
    let mut m = image.broker_configs.get(DEFAULT_RESOURCE).cloned().unwrap_or_default();
    if let Some(own) = image.broker_configs.get(&broker.to_string()) {
        m.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    m
}

/// What a broker runs with once its dynamic configs apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Effective {
    pub broker: BrokerConfig,
    pub log: LogConfig,
    /// `leader.replication.throttled.rate`, bytes/s ([`UNTHROTTLED`] when unset).
    pub leader_throttled_rate: i64,
    /// `follower.replication.throttled.rate`, bytes/s.
    pub follower_throttled_rate: i64,
}

fn parse<T: std::str::FromStr>(m: &FlatMap<String, String>, name: &str) -> Option<T> {
    m.get(name).and_then(|v| v.trim().parse().ok())
}

/// Applies `dynamic` (see [`merged`]) over the static settings. Values that
/// do not parse keep the static value (the controller validated them).
pub fn effective(static_broker: &BrokerConfig, static_log: &LogConfig, dynamic: &FlatMap<String, String>) -> Effective {
    let mut broker = static_broker.clone();
    if let Some(n) = parse::<i32>(dynamic, "min.insync.replicas").filter(|n| *n >= 1) {
        broker.min_insync_replicas = n;
    }
    if let Some(v) = dynamic.get("unclean.leader.election.enable") {
        broker.unclean_leader_election_enable = v.trim().eq_ignore_ascii_case("true");
    }
    if let Some(n) = parse::<u32>(dynamic, "message.max.bytes") {
        broker.message_max_bytes = n;
    }
    // The broker names of the topic configs, with KafkaConfig's precedence
    // among synonyms (ms over minutes over hours).
    let mut topic: FlatMap<String, String> = FlatMap::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            topic.insert(name.to_string(), v);
        }
    };
    let get = |name: &str| dynamic.get(name).map(|v| v.trim().to_string());
    let scaled = |name: &str, factor: i64| parse::<i64>(dynamic, name).map(|n| n.saturating_mul(factor).to_string());
    put("segment.bytes", get("log.segment.bytes"));
    put(
        "segment.ms",
        get("log.roll.ms").or_else(|| scaled("log.roll.hours", 3_600_000)),
    );
    put(
        "retention.ms",
        get("log.retention.ms")
            .or_else(|| scaled("log.retention.minutes", 60_000))
            .or_else(|| scaled("log.retention.hours", 3_600_000)),
    );
    put("retention.bytes", get("log.retention.bytes"));
    put("segment.index.bytes", get("log.index.size.max.bytes"));
    put("index.interval.bytes", get("log.index.interval.bytes"));
    put("delete.retention.ms", get("log.cleaner.delete.retention.ms"));
    put("min.compaction.lag.ms", get("log.cleaner.min.compaction.lag.ms"));
    put("max.message.bytes", get("message.max.bytes"));
    put("cleanup.policy", get("log.cleanup.policy"));
    put("message.timestamp.type", get("log.message.timestamp.type"));
    let log = crate::broker::partition::log_config(static_log, &topic);
    Effective {
        broker,
        log,
        leader_throttled_rate: parse(dynamic, "leader.replication.throttled.rate").unwrap_or(UNTHROTTLED),
        follower_throttled_rate: parse(dynamic, "follower.replication.throttled.rate").unwrap_or(UNTHROTTLED),
    }
}

/// `unclean.leader.election.enable` of the cluster default (what KRaft's
/// controller reads after a topic's own override), else the static setting.
pub fn cluster_unclean_leader_election(image: &MetadataImage, static_value: bool) -> bool {
    image
        .broker_configs
        .get(DEFAULT_RESOURCE)
        .and_then(|m| m.get("unclean.leader.election.enable"))
        .map_or(static_value, |v| v.trim().eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(n: &str, v: Option<&str>) -> (String, Option<String>) {
        (n.to_string(), v.map(str::to_string))
    }

    #[test]
    fn kafkas_refusals_and_texts() {
        let image = MetadataImage::default();
        let e = |r: &str, c: &[(String, Option<String>)]| alter_broker_configs(&image, r, c).unwrap_err();
        assert_eq!(
            e("1", &[change("num.partitions", Some("3"))]),
            (
                KafkaError::InvalidRequest,
                "Cannot update these configs dynamically: Set(num.partitions)".into()
            )
        );
        assert_eq!(
            e("", &[change("min.insync.replicas", Some("0"))]).1,
            "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"
        );
        assert_eq!(
            e("1", &[change("log.retention.ms", Some("abc"))]).1,
            "Invalid value abc for configuration log.retention.ms: Not a number of type LONG"
        );
        assert_eq!(
            e("", &[change("listeners", Some("PLAINTEXT://:9092"))]).1,
            "Cannot update these configs at default cluster level, broker id must be specified: Set(listeners)"
        );
        assert_eq!(
            e("x", &[change("min.insync.replicas", Some("2"))]).1,
            "Unable to parse broker name as a base 10 number."
        );
        assert_eq!(e("-1", &[]).1, "Invalid negative broker ID.");
        // Custom (unknown) names are accepted, as Kafka accepts them.
        let records = alter_broker_configs(&image, "2", &[change("my.custom", Some("x"))]).unwrap();
        assert_eq!(
            records,
            vec![MetadataRecord::BrokerConfig {
                resource: "2".into(),
                name: "my.custom".into(),
                value: Some("x".into())
            }]
        );
    }

    #[test]
    fn per_broker_beats_the_default_which_beats_static() {
        let mut image = MetadataImage::default();
        fn apply(image: &mut MetadataImage, resource: &str, name: &str, value: Option<&str>) {
            let offset = image.offset;
            image.apply(
                offset,
                &MetadataRecord::BrokerConfig {
                    resource: resource.into(),
                    name: name.into(),
                    value: value.map(str::to_string),
                },
            );
        }
        apply(&mut image, "", "min.insync.replicas", Some("2"));
        apply(&mut image, "", "log.retention.hours", Some("1"));
        apply(&mut image, "1", "min.insync.replicas", Some("3"));
        apply(&mut image, "1", "leader.replication.throttled.rate", Some("1000"));
        let static_broker = BrokerConfig::default();
        let static_log = LogConfig::default();
        let one = effective(&static_broker, &static_log, &merged(&image, 1));
        let two = effective(&static_broker, &static_log, &merged(&image, 2));
        assert_eq!(one.broker.min_insync_replicas, 3);
        assert_eq!(two.broker.min_insync_replicas, 2);
        assert_eq!(one.log.retention_ms, 3_600_000);
        assert_eq!(two.log.retention_ms, 3_600_000);
        assert_eq!(one.leader_throttled_rate, 1000);
        assert_eq!(two.leader_throttled_rate, UNTHROTTLED);
        apply(&mut image, "", "log.retention.ms", Some("5000"));
        assert_eq!(
            effective(&static_broker, &static_log, &merged(&image, 2))
                .log
                .retention_ms,
            5000
        );
        apply(&mut image, "1", "min.insync.replicas", None);
        apply(&mut image, "1", "leader.replication.throttled.rate", None);
        assert!(!image.broker_configs.contains_key("1"));
        assert_eq!(
            effective(&static_broker, &static_log, &merged(&image, 1))
                .broker
                .min_insync_replicas,
            2
        );
    }
}
