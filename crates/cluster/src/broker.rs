//! A broker: registers with the controller, follows the metadata log, leads and
//! follows partition replicas. STUB — being implemented.

use crate::config::ClusterConfig;
use crate::protocol::Message;
use crate::sim::Ctx;
use crate::types::{Ms, NodeId};

#[derive(Debug, Clone, PartialEq)]
pub enum Timer {}

/// What a broker keeps on disk: its partition logs and checkpoints.
#[derive(Debug, Default)]
pub struct BrokerDisk {}

impl BrokerDisk {
    /// Power loss: every log loses what was not yet flushed.
    pub fn power_loss(&mut self) {}
}

#[derive(Debug)]
pub struct Broker {}

impl Broker {
    pub fn new(_id: NodeId, _config: &ClusterConfig, _disk: BrokerDisk, _now: Ms) -> Self {
        Broker {}
    }
    pub fn on_start(&mut self, _cx: &mut Ctx) {}
    pub fn on_message(&mut self, _cx: &mut Ctx, _from: NodeId, _msg: Message) {}
    pub fn on_timer(&mut self, _cx: &mut Ctx, _timer: Timer) {}
    pub fn begin_controlled_shutdown(&mut self, cx: &mut Ctx) {
        cx.exit();
    }
    pub fn into_disk(self) -> BrokerDisk {
        BrokerDisk::default()
    }
}

/// A replica's state as the broker holding it sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaInfo {
    /// `leader` or `follower`.
    pub role: &'static str,
    pub leader_epoch: i32,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    pub high_watermark: i64,
    /// For a leader: the ISR it works with (including pending expansions).
    pub isr: Vec<NodeId>,
}

impl Broker {
    /// The partition's log on this broker, if it holds a replica.
    pub fn log(&self, _tp: &crate::types::TopicPartition) -> Option<&kafkaplay_log::PartitionLog<kafkaplay_log::MemoryStore>> {
        None
    }
    pub fn replica_info(&self, _tp: &crate::types::TopicPartition) -> Option<ReplicaInfo> {
        None
    }
}
