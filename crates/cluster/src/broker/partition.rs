//! One partition replica on a broker (`kafka.cluster.Partition` and
//! `Replica`): its log, its role, and, when it leads, what it knows of its
//! followers (their log end offsets and when each was last caught up) and the
//! ISR it works with while an `AlterPartition` is in flight (KIP-497).

use kafkaplay_flatmap::FlatMap;

use kafkaplay_log::{CleanupPolicy, LogConfig, MemoryStore, PartitionLog, TimestampType};

use super::producer_state::ProducerStateTable;
use crate::types::{Ms, NodeId, Uuid, NO_NODE};

/// What this broker does for the partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Hosted (its log is open) but not yet given a role by the metadata, or the
    /// metadata names this broker leader while it is fenced.
    None,
    Leader,
    /// Follows `leader` (`NO_NODE`: no leader now, nothing to fetch from).
    Follower {
        leader: NodeId,
    },
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::None => "none",
            Role::Leader => "leader",
            Role::Follower { .. } => "follower",
        }
    }
}

/// The leader's view of one follower (`ReplicaState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteReplica {
    /// The follower's log end offset: the offset of its last fetch (-1: unknown).
    pub log_end_offset: i64,
    /// `lastCaughtUpTimeMs`.
    pub last_caught_up_ms: Ms,
    /// The leader's log end offset at the follower's previous fetch (-1: none).
    pub last_fetch_leader_log_end_offset: i64,
    pub last_fetch_ms: Ms,
}

impl RemoteReplica {
    /// `Replica.resetReplicaState` for a new leader: a follower in the ISR counts
    /// as caught up now, any other as never.
    pub fn new_for_leader(in_isr: bool, now: Ms) -> Self {
        RemoteReplica {
            log_end_offset: -1,
            last_caught_up_ms: if in_isr { now } else { 0 },
            last_fetch_leader_log_end_offset: -1,
            last_fetch_ms: 0,
        }
    }

    /// `Replica.updateFetchStateOrThrow`: the follower fetched at `fetch_offset`
    /// while the leader's log ended at `leader_leo`.
    pub fn update_fetch_state(&mut self, fetch_offset: i64, leader_leo: i64, now: Ms) {
        self.last_caught_up_ms = if fetch_offset >= leader_leo {
            self.last_caught_up_ms.max(now)
        } else if fetch_offset >= self.last_fetch_leader_log_end_offset {
            self.last_caught_up_ms.max(self.last_fetch_ms)
        } else {
            self.last_caught_up_ms
        };
        self.log_end_offset = fetch_offset;
        self.last_fetch_leader_log_end_offset = leader_leo;
        self.last_fetch_ms = now;
    }

    /// `ReplicaState.isCaughtUp`.
    pub fn is_caught_up(&self, leader_leo: i64, now: Ms, lag_time_max_ms: i64) -> bool {
        self.log_end_offset == leader_leo || now - self.last_caught_up_ms <= lag_time_max_ms
    }
}

/// An ISR change sent to the controller and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingIsr {
    pub new_isr: Vec<NodeId>,
    /// The larger of the old and the new ISR: the HW waits for all of them.
    pub maximal_isr: Vec<NodeId>,
    /// Identifies the retry timer of this proposal.
    pub generation: u64,
}

/// Why a follower is not fetching right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FollowerFetchState {
    /// Do not fetch before this time (after an error).
    pub backoff_until: Ms,
    /// `FENCED_LEADER_EPOCH`: wait for newer metadata.
    pub waiting_for_metadata: bool,
}

/// A partition replica hosted by this broker.
#[derive(Debug)]
pub struct Partition {
    pub topic_id: Uuid,
    pub log: PartitionLog<MemoryStore>,
    /// The topic's config overrides the log config was built from.
    pub overrides: FlatMap<String, String>,
    pub min_insync_replicas: i32,
    pub role: Role,
    pub leader_epoch: i32,
    pub partition_epoch: i32,
    pub replicas: Vec<NodeId>,
    /// The committed ISR, as the metadata (or an AlterPartition response) says.
    pub isr: Vec<NodeId>,
    pub pending_isr: Option<PendingIsr>,
    /// Where this broker's leader epoch started (the LEO when it became leader).
    pub leader_epoch_start_offset: i64,
    /// For a leader: its followers.
    pub remote: FlatMap<NodeId, RemoteReplica>,
    pub follower: FollowerFetchState,
    pub producers: ProducerStateTable,
    /// Held fetches that cover this partition (ids; some may be answered
    /// already): a change here may complete them.
    pub held_fetches: Vec<u64>,
}

impl Partition {
    pub fn new(
        topic_id: Uuid,
        log: PartitionLog<MemoryStore>,
        overrides: FlatMap<String, String>,
        min_isr: i32,
    ) -> Self {
        let producers = ProducerStateTable::rebuild(&log);
        Partition {
            topic_id,
            log,
            overrides,
            min_insync_replicas: min_isr,
            role: Role::None,
            leader_epoch: -1,
            partition_epoch: -1,
            replicas: Vec::new(),
            isr: Vec::new(),
            pending_isr: None,
            leader_epoch_start_offset: -1,
            remote: FlatMap::new(),
            follower: FollowerFetchState::default(),
            producers,
            held_fetches: Vec::new(),
        }
    }

    pub fn is_leader(&self) -> bool {
        self.role == Role::Leader
    }

    /// The leader this replica follows, if any.
    pub fn leader(&self) -> Option<NodeId> {
        match self.role {
            Role::Follower { leader } if leader != NO_NODE => Some(leader),
            _ => None,
        }
    }

    /// The ISR the HW waits for: the pending one while an expansion or shrink is
    /// in flight (whichever is larger), else the committed one.
    pub fn maximal_isr(&self) -> &[NodeId] {
        self.pending_isr.as_ref().map_or(&self.isr, |p| &p.maximal_isr)
    }

    /// `Partition.effectiveMinIsr`: `min.insync.replicas`, but never more than
    /// the replication factor.
    pub fn effective_min_isr(&self) -> usize {
        (self.min_insync_replicas.max(1) as usize).min(self.replicas.len().max(1))
    }

    /// `Partition.isUnderMinIsr` (committed ISR).
    pub fn is_under_min_isr(&self) -> bool {
        self.isr.len() < self.effective_min_isr()
    }
}

/// The log config of a topic: the broker defaults with the topic's overrides,
/// by Kafka's topic config names. Values that do not parse keep the default
/// (the controller validates configs when they are set).
pub fn log_config(defaults: &LogConfig, overrides: &FlatMap<String, String>) -> LogConfig {
    let mut c = defaults.clone();
    for (name, value) in overrides {
        let v = value.trim();
        match name.as_str() {
            "segment.bytes" => set(&mut c.segment_bytes, v),
            "segment.ms" => set(&mut c.segment_ms, v),
            "segment.index.bytes" => set(&mut c.segment_index_bytes, v),
            "index.interval.bytes" => set(&mut c.index_interval_bytes, v),
            "retention.ms" => set(&mut c.retention_ms, v),
            "retention.bytes" => set(&mut c.retention_bytes, v),
            "delete.retention.ms" => set(&mut c.delete_retention_ms, v),
            "min.compaction.lag.ms" => set(&mut c.min_compaction_lag_ms, v),
            "max.message.bytes" => set(&mut c.max_message_bytes, v),
            "cleanup.policy" => {
                if let Ok(p) = CleanupPolicy::parse(v) {
                    c.cleanup_policy = p;
                }
            }
            "message.timestamp.type" => match v {
                "CreateTime" => c.message_timestamp_type = TimestampType::CreateTime,
                "LogAppendTime" => c.message_timestamp_type = TimestampType::LogAppendTime,
                _ => {}
            },
            _ => {}
        }
    }
    if c.validate().is_err() {
        return defaults.clone();
    }
    c
}

/// `min.insync.replicas` of a topic: its override, else the broker default.
pub fn min_insync_replicas(default: i32, overrides: &FlatMap<String, String>) -> i32 {
    overrides
        .get("min.insync.replicas")
        .and_then(|v| v.trim().parse().ok())
        .filter(|n: &i32| *n >= 1)
        .unwrap_or(default)
}

fn set<T: std::str::FromStr>(field: &mut T, value: &str) {
    if let Ok(v) = value.parse() {
        *field = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_overrides_use_kafkas_names() {
        let o: FlatMap<String, String> = [
            ("segment.bytes", "1024"),
            ("retention.ms", "-1"),
            ("cleanup.policy", "compact,delete"),
            ("message.timestamp.type", "LogAppendTime"),
            ("max.message.bytes", "not a number"),
            ("min.insync.replicas", "2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let c = log_config(&LogConfig::default(), &o);
        assert_eq!(c.segment_bytes, 1024);
        assert_eq!(c.retention_ms, -1);
        assert_eq!(c.cleanup_policy, CleanupPolicy::COMPACT_DELETE);
        assert_eq!(c.message_timestamp_type, TimestampType::LogAppendTime);
        assert_eq!(c.max_message_bytes, LogConfig::default().max_message_bytes);
        assert_eq!(min_insync_replicas(1, &o), 2);
    }

    #[test]
    fn last_caught_up_time_follows_kafkas_rule() {
        let mut r = RemoteReplica::new_for_leader(false, 1_000);
        assert_eq!(r.last_caught_up_ms, 0);
        // Behind the leader's LEO (10), but at or past where the leader was at the
        // previous fetch (-1): caught up as of the previous fetch time (0).
        r.update_fetch_state(5, 10, 2_000);
        assert_eq!(r.last_caught_up_ms, 0);
        // Reaches the LEO the leader had at the previous fetch: caught up as of then.
        r.update_fetch_state(10, 20, 3_000);
        assert_eq!(r.last_caught_up_ms, 2_000);
        // At the leader's LEO: caught up now.
        r.update_fetch_state(20, 20, 4_000);
        assert_eq!(r.last_caught_up_ms, 4_000);
        assert!(r.is_caught_up(30, 30_000, 30_000));
        assert!(!r.is_caught_up(30, 34_001, 30_000));
        assert!(
            r.is_caught_up(20, 99_000, 30_000),
            "at the leader's LEO is always caught up"
        );
    }
}
