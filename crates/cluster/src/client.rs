//! What the producer and the consumer share as Kafka clients: the cluster
//! metadata they keep (`Metadata`), when to refresh it, and where requests
//! without a fixed target go (`leastLoadedNode`'s rotation over the known
//! brokers, or the bootstrap list before any are known). Which topics each
//! asks for and how it merges them stay with each client.

use kafkaplay_flatmap::FlatMap;

use crate::protocol::TopicView;
use crate::types::{Ms, NodeId, TopicPartition};

/// A client's view of the cluster (`Metadata`).
#[derive(Debug)]
pub(crate) struct ClientMetadata {
    bootstrap: Vec<NodeId>,
    /// Live brokers from the last Metadata response.
    pub brokers: Vec<NodeId>,
    pub topics: FlatMap<String, TopicView>,
    /// `requestUpdate()` was called: refresh before `metadata.max.age.ms`.
    pub need_update: bool,
    pub last_success_ms: Option<Ms>,
    pub last_attempt_ms: Option<Ms>,
    /// Which candidate node the next request without a fixed target goes to.
    node_index: usize,
}

impl ClientMetadata {
    pub fn new(bootstrap: Vec<NodeId>, need_update: bool) -> Self {
        ClientMetadata {
            bootstrap,
            brokers: Vec::new(),
            topics: FlatMap::new(),
            need_update,
            last_success_ms: None,
            last_attempt_ms: None,
            node_index: 0,
        }
    }

    /// Where metadata (and other untargeted) requests go: the known brokers,
    /// else the bootstrap list, rotating past nodes that failed.
    pub fn request_node(&self) -> Option<NodeId> {
        let candidates = if self.brokers.is_empty() {
            &self.bootstrap
        } else {
            &self.brokers
        };
        (!candidates.is_empty()).then(|| candidates[self.node_index % candidates.len()])
    }

    /// The leader and leader epoch of a partition, if it has one.
    pub fn leader_for(&self, tp: &TopicPartition) -> Option<(NodeId, i32)> {
        let t = self.topics.get(tp.topic.as_str())?;
        // Partition i is usually at index i (metadata lists them in order);
        // a producer asks this of every partition each time it polls.
        let p = usize::try_from(tp.partition)
            .ok()
            .and_then(|i| t.partitions.get(i))
            .filter(|p| p.partition == tp.partition)
            .or_else(|| t.partitions.iter().find(|p| p.partition == tp.partition))?;
        (p.leader >= 0).then_some((p.leader, p.leader_epoch))
    }

    /// Whether a refresh is due (asked for, or older than `max_age_ms`) and
    /// the last attempt is at least `retry_backoff_ms` ago.
    pub fn update_due(&self, now: Ms, max_age_ms: Ms, retry_backoff_ms: Ms) -> bool {
        let expired = self.last_success_ms.is_none_or(|t| now >= t + max_age_ms);
        let backing_off = self.last_attempt_ms.is_some_and(|t| now < t + retry_backoff_ms);
        (self.need_update || expired) && !backing_off
    }

    /// A Metadata response arrived: its brokers (when it names any) replace
    /// the known ones; the client merges the topics itself.
    pub fn update_succeeded(&mut self, now: Ms, brokers: &[NodeId]) {
        if !brokers.is_empty() {
            self.brokers = brokers.to_vec();
        }
        self.last_success_ms = Some(now);
        self.need_update = false;
    }

    /// The connection to `node` failed: refresh, and send the next untargeted
    /// request to another candidate if it was going there.
    pub fn node_failed(&mut self, node: NodeId) {
        self.need_update = true;
        if self.request_node() == Some(node) {
            self.node_index += 1;
        }
    }
}
