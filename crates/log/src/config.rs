//! The topic-level configs that shape a partition log, with Kafka's names and
//! defaults (`TopicConfig`, `LogConfig`).

use crate::batch::TimestampType;
use crate::error::LogError;

/// `cleanup.policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanupPolicy {
    pub delete: bool,
    pub compact: bool,
}

impl CleanupPolicy {
    pub const DELETE: CleanupPolicy = CleanupPolicy {
        delete: true,
        compact: false,
    };
    pub const COMPACT: CleanupPolicy = CleanupPolicy {
        delete: false,
        compact: true,
    };
    pub const COMPACT_DELETE: CleanupPolicy = CleanupPolicy {
        delete: true,
        compact: true,
    };

    /// Parses Kafka's list syntax: `delete`, `compact`, `compact,delete` (either order).
    pub fn parse(s: &str) -> Result<Self, LogError> {
        let mut p = CleanupPolicy {
            delete: false,
            compact: false,
        };
        for part in s.split(',').map(str::trim) {
            match part {
                "delete" => p.delete = true,
                "compact" => p.compact = true,
                _ => {
                    return Err(LogError::InvalidConfig(format!(
                        "Invalid value {s} for configuration cleanup.policy: String must be one of: compact, delete"
                    )))
                }
            }
        }
        Ok(p)
    }

    pub fn name(&self) -> &'static str {
        match (self.compact, self.delete) {
            (true, true) => "compact,delete",
            (true, false) => "compact",
            _ => "delete",
        }
    }
}

/// A partition log's configuration. Field names are Kafka's config names with
/// `.` turned into `_`; the defaults are Kafka's.
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    /// `segment.bytes`: roll when the active segment would grow past this. Default 1 GiB.
    pub segment_bytes: u32,
    /// `segment.ms`: roll when the active segment's first record is this old. Default 7 days.
    pub segment_ms: i64,
    /// `segment.index.bytes`: an index is full at this size (10 MiB), forcing a roll.
    pub segment_index_bytes: u32,
    /// `index.interval.bytes`: bytes between offset index entries. Default 4096.
    pub index_interval_bytes: u32,
    /// `retention.ms`: -1 keeps forever. Default 7 days.
    pub retention_ms: i64,
    /// `retention.bytes`: -1 for no size limit (the default).
    pub retention_bytes: i64,
    pub cleanup_policy: CleanupPolicy,
    /// `delete.retention.ms`: how long tombstones survive compaction. Default 1 day.
    pub delete_retention_ms: i64,
    /// `min.compaction.lag.ms`: records younger than this are not compacted. Default 0.
    pub min_compaction_lag_ms: i64,
    /// `max.message.bytes`: the largest batch the leader accepts. Default 1048588.
    pub max_message_bytes: u32,
    /// `message.timestamp.type`.
    pub message_timestamp_type: TimestampType,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1024 * 1024 * 1024,
            segment_ms: 7 * 24 * 60 * 60 * 1000,
            segment_index_bytes: 10 * 1024 * 1024,
            index_interval_bytes: 4096,
            retention_ms: 7 * 24 * 60 * 60 * 1000,
            retention_bytes: -1,
            cleanup_policy: CleanupPolicy::DELETE,
            delete_retention_ms: 24 * 60 * 60 * 1000,
            min_compaction_lag_ms: 0,
            max_message_bytes: 1024 * 1024 + 12,
            message_timestamp_type: TimestampType::CreateTime,
        }
    }
}

impl LogConfig {
    /// Checks the bounds Kafka's `ConfigDef` enforces for these keys.
    pub fn validate(&self) -> Result<(), LogError> {
        // LogConfig: segment.bytes has atLeast(LegacyRecord.RECORD_OVERHEAD_V0) = 14.
        if self.segment_bytes < 14 {
            return Err(invalid(
                "segment.bytes",
                self.segment_bytes.to_string(),
                "Value must be at least 14",
            ));
        }
        if self.segment_ms < 1 {
            return Err(invalid(
                "segment.ms",
                self.segment_ms.to_string(),
                "Value must be at least 1",
            ));
        }
        if self.segment_index_bytes < 8 {
            return Err(invalid(
                "segment.index.bytes",
                self.segment_index_bytes.to_string(),
                "Value must be at least 8",
            ));
        }
        if self.retention_ms < -1 {
            return Err(invalid(
                "retention.ms",
                self.retention_ms.to_string(),
                "Value must be at least -1",
            ));
        }
        if self.delete_retention_ms < 0 {
            return Err(invalid(
                "delete.retention.ms",
                self.delete_retention_ms.to_string(),
                "Value must be at least 0",
            ));
        }
        if self.min_compaction_lag_ms < 0 {
            return Err(invalid(
                "min.compaction.lag.ms",
                self.min_compaction_lag_ms.to_string(),
                "Value must be at least 0",
            ));
        }
        Ok(())
    }

    /// Entries in a full offset index (8 bytes each).
    pub fn max_offset_index_entries(&self) -> usize {
        (self.segment_index_bytes / 8) as usize
    }

    /// Entries in a full time index (12 bytes each).
    pub fn max_time_index_entries(&self) -> usize {
        (self.segment_index_bytes / 12) as usize
    }
}

fn invalid(name: &str, value: String, why: &str) -> LogError {
    LogError::InvalidConfig(format!("Invalid value {value} for configuration {name}: {why}"))
}
