//! Request validation with Kafka's error texts: topic names
//! (`clients/.../common/internals/Topic.java`) and topic configs (`LogConfig`'s
//! `ConfigDef`: names, types, validators, in definition order).
//!
//! Not here: broker-level configs, config synonyms, create-topic policies.

/// Topic names longer than this are rejected (`Topic.MAX_NAME_LENGTH`).
pub const TOPIC_NAME_MAX_LENGTH: usize = 249;

/// `Topic.validate`: `Err` carries the full message, e.g.
/// `Topic name is invalid: '.' is not allowed`.
pub fn validate_topic_name(name: &str) -> Result<(), String> {
    let why = if name.is_empty() {
        "the empty string is not allowed".to_string()
    } else if name == "." {
        "'.' is not allowed".to_string()
    } else if name == ".." {
        "'..' is not allowed".to_string()
    } else if name.chars().count() > TOPIC_NAME_MAX_LENGTH {
        format!("the length of '{name}' is longer than the max allowed length {TOPIC_NAME_MAX_LENGTH}")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        format!("'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'")
    } else {
        return Ok(());
    };
    Err(format!("Topic name is invalid: {why}"))
}

/// `Topic.hasCollisionChars`.
pub fn has_collision_chars(name: &str) -> bool {
    name.contains('.') || name.contains('_')
}

/// `Topic.unifyCollisionChars`: `.` becomes `_`.
pub fn unify_collision_chars(name: &str) -> String {
    name.replace('.', "_")
}

/// A config's type and validator (`ConfigDef.Type` plus its `Validator`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Int {
        min: Option<i64>,
    },
    Long {
        min: Option<i64>,
    },
    Bool,
    Double {
        min: f64,
        max: f64,
    },
    /// `ValidString.in(...)`.
    OneOf(&'static [&'static str]),
    /// A `LIST` whose every element must be one of these (`ValidList.in`).
    ListOf(&'static [&'static str]),
    /// Any string (validated elsewhere or not at all here).
    Any,
}

/// Topic configs, in `LogConfig`'s definition order (the order `ConfigDef.parse`
/// reports the first bad value in).
const TOPIC_CONFIGS: &[(&str, Kind)] = &[
    ("segment.bytes", Kind::Int { min: Some(14) }),
    ("segment.ms", Kind::Long { min: Some(1) }),
    ("segment.jitter.ms", Kind::Long { min: Some(0) }),
    ("segment.index.bytes", Kind::Int { min: Some(4) }),
    ("flush.messages", Kind::Long { min: Some(1) }),
    ("flush.ms", Kind::Long { min: Some(0) }),
    ("retention.bytes", Kind::Long { min: None }),
    ("retention.ms", Kind::Long { min: Some(-1) }),
    ("max.message.bytes", Kind::Int { min: Some(0) }),
    ("index.interval.bytes", Kind::Int { min: Some(0) }),
    ("delete.retention.ms", Kind::Long { min: Some(0) }),
    ("min.compaction.lag.ms", Kind::Long { min: Some(0) }),
    ("max.compaction.lag.ms", Kind::Long { min: Some(1) }),
    ("file.delete.delay.ms", Kind::Long { min: Some(0) }),
    ("min.cleanable.dirty.ratio", Kind::Double { min: 0.0, max: 1.0 }),
    ("cleanup.policy", Kind::ListOf(&["compact", "delete"])),
    ("unclean.leader.election.enable", Kind::Bool),
    ("min.insync.replicas", Kind::Int { min: Some(1) }),
    (
        "compression.type",
        Kind::OneOf(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
    ),
    ("compression.gzip.level", Kind::Any),
    ("compression.lz4.level", Kind::Any),
    ("compression.zstd.level", Kind::Any),
    ("preallocate", Kind::Bool),
    ("message.format.version", Kind::Any),
    ("message.timestamp.type", Kind::OneOf(&["CreateTime", "LogAppendTime"])),
    ("message.timestamp.difference.max.ms", Kind::Long { min: Some(0) }),
    ("message.timestamp.before.max.ms", Kind::Long { min: Some(0) }),
    ("message.timestamp.after.max.ms", Kind::Long { min: Some(0) }),
    ("leader.replication.throttled.replicas", Kind::Any),
    ("follower.replication.throttled.replicas", Kind::Any),
    ("message.downconversion.enable", Kind::Bool),
    ("remote.storage.enable", Kind::Bool),
    ("local.retention.ms", Kind::Long { min: Some(-2) }),
    ("local.retention.bytes", Kind::Long { min: Some(-2) }),
    ("remote.log.copy.disable", Kind::Bool),
    ("remote.log.delete.on.disable", Kind::Bool),
];

/// Whether `name` is a topic config Kafka knows.
pub fn is_topic_config(name: &str) -> bool {
    TOPIC_CONFIGS.iter().any(|(n, _)| *n == name)
}

fn invalid(name: &str, value: &str, why: &str) -> String {
    format!("Invalid value {value} for configuration {name}: {why}")
}

pub(crate) fn check_value(name: &str, value: &str, kind: Kind) -> Result<(), String> {
    let trimmed = value.trim();
    let at_least = |n: i64, min: Option<i64>| match min {
        Some(m) if n < m => Err(invalid(name, value, &format!("Value must be at least {m}"))),
        _ => Ok(()),
    };
    match kind {
        Kind::Int { min } => {
            let n: i32 = trimmed
                .parse()
                .map_err(|_| invalid(name, value, "Not a number of type INT"))?;
            at_least(n as i64, min)
        }
        Kind::Long { min } => {
            let n: i64 = trimmed
                .parse()
                .map_err(|_| invalid(name, value, "Not a number of type LONG"))?;
            at_least(n, min)
        }
        Kind::Bool => {
            if trimmed.eq_ignore_ascii_case("true") || trimmed.eq_ignore_ascii_case("false") {
                Ok(())
            } else {
                Err(invalid(name, value, "Expected value to be either true or false"))
            }
        }
        Kind::Double { min, max } => {
            let x: f64 = trimmed
                .parse()
                .map_err(|_| invalid(name, value, "Not a number of type DOUBLE"))?;
            if x < min {
                Err(invalid(name, value, &format!("Value must be at least {min}")))
            } else if x > max {
                Err(invalid(name, value, &format!("Value must be no more than {max}")))
            } else {
                Ok(())
            }
        }
        Kind::OneOf(allowed) => {
            if allowed.contains(&trimmed) {
                Ok(())
            } else {
                Err(invalid(
                    name,
                    value,
                    &format!("String must be one of: {}", allowed.join(", ")),
                ))
            }
        }
        Kind::ListOf(allowed) => {
            if trimmed.split(',').map(str::trim).all(|part| allowed.contains(&part)) {
                Ok(())
            } else {
                Err(invalid(
                    name,
                    value,
                    &format!("String must be one of: {}", allowed.join(", ")),
                ))
            }
        }
        Kind::Any => Ok(()),
    }
}

/// Validates topic config overrides as Kafka's controller does: every name must
/// be known (`Unknown topic config name: x`), then values are parsed in
/// definition order, then `min.compaction.lag.ms ≤ max.compaction.lag.ms`.
/// `Err` is the message of an `INVALID_CONFIG` error.
pub fn validate_topic_configs<'a>(configs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> Result<(), String> {
    for (name, _) in configs.clone() {
        if !is_topic_config(name) {
            return Err(format!("Unknown topic config name: {name}"));
        }
    }
    for (name, kind) in TOPIC_CONFIGS {
        for (n, value) in configs.clone() {
            if n == *name {
                check_value(name, value, *kind)?;
            }
        }
    }
    let get = |key: &str, default: i64| {
        configs
            .clone()
            .into_iter()
            .filter(|(n, _)| *n == key)
            .filter_map(|(_, v)| v.trim().parse().ok())
            .last()
            .unwrap_or(default)
    };
    let min_lag = get("min.compaction.lag.ms", 0);
    let max_lag = get("max.compaction.lag.ms", i64::MAX);
    if min_lag > max_lag {
        return Err(format!(
            "conflict topic config setting min.compaction.lag.ms ({min_lag}) > max.compaction.lag.ms ({max_lag})"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_name_errors_are_kafkas() {
        assert_eq!(
            validate_topic_name("").unwrap_err(),
            "Topic name is invalid: the empty string is not allowed"
        );
        assert_eq!(
            validate_topic_name(".").unwrap_err(),
            "Topic name is invalid: '.' is not allowed"
        );
        assert_eq!(
            validate_topic_name("..").unwrap_err(),
            "Topic name is invalid: '..' is not allowed"
        );
        assert_eq!(
            validate_topic_name("a b").unwrap_err(),
            "Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
        );
        let long = "x".repeat(250);
        assert_eq!(
            validate_topic_name(&long).unwrap_err(),
            format!("Topic name is invalid: the length of '{long}' is longer than the max allowed length 249")
        );
        assert!(validate_topic_name(&"x".repeat(249)).is_ok());
        assert!(validate_topic_name("orders.v1_x-2").is_ok());
    }

    #[test]
    fn config_errors_are_kafkas() {
        let check = |pairs: &[(&str, &str)]| validate_topic_configs(pairs.iter().copied()).err();
        assert_eq!(
            check(&[("retention.ms", "abc")]).unwrap(),
            "Invalid value abc for configuration retention.ms: Not a number of type LONG"
        );
        assert_eq!(
            check(&[("retention.ms", "-5")]).unwrap(),
            "Invalid value -5 for configuration retention.ms: Value must be at least -1"
        );
        assert_eq!(
            check(&[("segment.bytes", "10")]).unwrap(),
            "Invalid value 10 for configuration segment.bytes: Value must be at least 14"
        );
        assert_eq!(
            check(&[("min.insync.replicas", "0")]).unwrap(),
            "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"
        );
        assert_eq!(
            check(&[("cleanup.policy", "forever")]).unwrap(),
            "Invalid value forever for configuration cleanup.policy: String must be one of: compact, delete"
        );
        assert_eq!(
            check(&[("unclean.leader.election.enable", "yes")]).unwrap(),
            "Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false"
        );
        assert_eq!(
            check(&[("message.timestamp.type", "Now")]).unwrap(),
            "Invalid value Now for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime"
        );
        assert_eq!(
            check(&[("retention.ms", "x"), ("colour", "red")]).unwrap(),
            "Unknown topic config name: colour"
        );
        assert_eq!(
            check(&[
                ("cleanup.policy", "compact,delete"),
                ("retention.bytes", "-1"),
                ("max.message.bytes", "100")
            ]),
            None
        );
    }
}
