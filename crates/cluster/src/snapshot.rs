//! What a learner looks at: every partition with its replicas' offsets, and the
//! broker metrics people watch. Built from the outside of the nodes (their
//! public accessors and the active controller's committed metadata), so the UI
//! and the shell see exactly what a monitoring tool would.

use crate::metadata::MetadataImage;
use crate::sim::Simulation;
use crate::types::{NodeId, TopicPartition, NO_NODE};

/// One replica of a partition, as its broker holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSnapshot {
    pub broker: NodeId,
    /// The broker process is running (not killed; a paused one counts as up).
    pub up: bool,
    pub paused: bool,
    pub in_isr: bool,
    /// `leader`, `follower`, ... as the broker sees itself; `None` when down.
    pub role: Option<&'static str>,
    pub log_start_offset: Option<i64>,
    pub log_end_offset: Option<i64>,
    pub high_watermark: Option<i64>,
}

/// One partition: the controller's view plus every replica's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionSnapshot {
    pub tp: TopicPartition,
    /// `-1` when offline.
    pub leader: NodeId,
    pub leader_epoch: i32,
    pub replicas: Vec<NodeId>,
    pub isr: Vec<NodeId>,
    /// Replicas on fenced brokers.
    pub offline_replicas: Vec<NodeId>,
    pub min_insync_replicas: i32,
    pub replica_states: Vec<ReplicaSnapshot>,
}

impl PartitionSnapshot {
    pub fn is_offline(&self) -> bool {
        self.leader == NO_NODE
    }
    pub fn is_under_replicated(&self) -> bool {
        !self.is_offline() && self.isr.len() < self.replicas.len()
    }
    pub fn is_under_min_isr(&self) -> bool {
        !self.is_offline() && (self.isr.len() as i32) < self.min_insync_replicas
    }
    /// The partition's high watermark, as its leader has it.
    pub fn high_watermark(&self) -> Option<i64> {
        self.replica_states
            .iter()
            .find(|r| r.broker == self.leader)
            .and_then(|r| r.high_watermark)
    }
}

/// Cluster-wide values of the metrics people watch (JMX names in comments).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterMetrics {
    /// `kafka.controller:type=KafkaController,name=ActiveControllerCount`, summed.
    pub active_controller_count: u32,
    /// `...KafkaController,name=OfflinePartitionsCount`.
    pub offline_partitions: u32,
    /// `kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions`, summed over leaders.
    pub under_replicated_partitions: u32,
    /// `kafka.server:type=ReplicaManager,name=UnderMinIsrPartitionCount`, summed.
    pub under_min_isr_partitions: u32,
    /// `...ReplicaManager,name=PartitionCount` summed (replicas hosted).
    pub replicas: u32,
    /// Fenced or stopped brokers.
    pub brokers_down: u32,
    /// `kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec`/`BytesOutPerSec`
    /// counters since the start, summed over brokers.
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// Every partition, ordered by topic and partition; empty without an active controller.
pub fn partitions(sim: &Simulation) -> Vec<PartitionSnapshot> {
    let Some(image) = sim.metadata() else { return Vec::new() };
    let default_min_isr = sim.config().broker.min_insync_replicas;
    image
        .partitions()
        .map(|(tp, p)| {
            let replica_states = p
                .replicas
                .iter()
                .map(|&b| {
                    let info = sim.broker(b).and_then(|x| x.replica_info(&tp));
                    ReplicaSnapshot {
                        broker: b,
                        up: sim.is_up(b),
                        paused: sim.is_paused(b),
                        in_isr: p.isr.contains(&b),
                        role: info.as_ref().map(|i| i.role),
                        log_start_offset: info.as_ref().map(|i| i.log_start_offset),
                        log_end_offset: info.as_ref().map(|i| i.log_end_offset),
                        high_watermark: info.as_ref().map(|i| i.high_watermark),
                    }
                })
                .collect();
            PartitionSnapshot {
                min_insync_replicas: min_isr(image, &tp.topic, dynamic_min_isr(image, p.leader, default_min_isr)),
                tp,
                leader: p.leader,
                leader_epoch: p.leader_epoch,
                replicas: p.replicas.clone(),
                isr: p.isr.clone(),
                offline_replicas: p.replicas.iter().copied().filter(|r| !image.is_alive(*r)).collect(),
                replica_states,
            }
        })
        .collect()
}

/// `min.insync.replicas` of the leader's dynamic broker configs, else `default`.
fn dynamic_min_isr(image: &MetadataImage, leader: crate::types::NodeId, default: i32) -> i32 {
    if image.broker_configs.is_empty() {
        return default;
    }
    crate::dynamic_config::merged(image, leader)
        .get("min.insync.replicas")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn min_isr(image: &MetadataImage, topic: &str, default: i32) -> i32 {
    image
        .topic(topic)
        .and_then(|t| t.configs.get("min.insync.replicas"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The metrics, computed from the partition snapshots and the nodes.
pub fn metrics(sim: &Simulation) -> ClusterMetrics {
    let parts = partitions(sim);
    let brokers = &sim.config().brokers;
    let alive: Vec<NodeId> = sim.metadata().map(|m| m.unfenced_brokers()).unwrap_or_default();
    ClusterMetrics {
        active_controller_count: sim
            .config()
            .controllers
            .iter()
            .filter(|c| sim.controller(**c).is_some_and(|x| x.is_active()))
            .count() as u32,
        offline_partitions: parts.iter().filter(|p| p.is_offline()).count() as u32,
        under_replicated_partitions: parts.iter().filter(|p| p.is_under_replicated()).count() as u32,
        under_min_isr_partitions: parts.iter().filter(|p| p.is_under_min_isr()).count() as u32,
        replicas: parts
            .iter()
            .map(|p| p.replica_states.iter().filter(|r| r.role.is_some()).count() as u32)
            .sum(),
        brokers_down: brokers.iter().filter(|b| !sim.is_up(**b) || !alive.contains(b)).count() as u32,
        bytes_in: brokers.iter().map(|b| sim.traffic(*b).bytes_in).sum(),
        bytes_out: brokers.iter().map(|b| sim.traffic(*b).bytes_out).sum(),
    }
}
