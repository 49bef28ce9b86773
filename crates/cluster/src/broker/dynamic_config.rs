//! A broker applies the dynamic broker configs of the metadata image (its own
//! and the cluster default) over its `server.properties`, as Kafka's
//! `DynamicBrokerConfig` reconfigures `LogManager` and the replica manager:
//! new log defaults reach every log without a topic override, and
//! `min.insync.replicas` every partition without one. See
//! `crate::dynamic_config` for the records and their validation.

use std::collections::BTreeMap;

use crate::config::ClusterConfig;
use crate::dynamic_config::{effective, merged, UNTHROTTLED};

use super::partition::{log_config, min_insync_replicas};
use super::Broker;

#[derive(Debug)]
pub(super) struct DynamicState {
    /// The broker and log settings the broker was started with.
    static_broker: crate::config::BrokerConfig,
    static_log: kafkaplay_log::LogConfig,
    /// The merged dynamic configs last applied.
    applied: BTreeMap<String, String>,
    /// `leader.replication.throttled.rate` and `follower.replication.throttled.rate`.
    pub(super) leader_throttled_rate: i64,
    pub(super) follower_throttled_rate: i64,
}

impl DynamicState {
    pub(super) fn new(config: &ClusterConfig) -> Self {
        DynamicState {
            static_broker: config.broker.clone(),
            static_log: config.log.clone(),
            applied: BTreeMap::new(),
            leader_throttled_rate: UNTHROTTLED,
            follower_throttled_rate: UNTHROTTLED,
        }
    }
}

impl Broker {
    /// Re-applies the dynamic configs when the ones for this broker changed.
    pub(super) fn apply_dynamic_configs(&mut self) {
        if self.image.broker_configs.is_empty() && self.dynamic.applied.is_empty() {
            return;
        }
        let now = merged(&self.image, self.id);
        if now == self.dynamic.applied {
            return;
        }
        let e = effective(&self.dynamic.static_broker, &self.dynamic.static_log, &now);
        self.config.broker = e.broker;
        self.config.log = e.log;
        self.dynamic.leader_throttled_rate = e.leader_throttled_rate;
        self.dynamic.follower_throttled_rate = e.follower_throttled_rate;
        self.dynamic.applied = now;
        for p in self.partitions.values_mut() {
            let _ = p.log.set_config(log_config(&self.config.log, &p.overrides));
            p.min_insync_replicas = min_insync_replicas(self.config.broker.min_insync_replicas, &p.overrides);
        }
        self.state_version += 1;
    }

    /// The dynamic broker configs this broker runs with (its own over the
    /// cluster default), as last applied.
    pub fn dynamic_configs(&self) -> &BTreeMap<String, String> {
        &self.dynamic.applied
    }
}
