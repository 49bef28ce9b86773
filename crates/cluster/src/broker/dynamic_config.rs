//! A broker applies the dynamic broker configs of the metadata image (its own
//! and the cluster default) over its `server.properties`, as Kafka's
//! `DynamicBrokerConfig` reconfigures `LogManager` and the replica manager:
//! new log defaults reach every log without a topic override, and
//! `min.insync.replicas` every partition without one. The leader side of the
//! replication quota (`leader.replication.throttled.rate` for the replicas
//! `leader.replication.throttled.replicas` names) is here too; the follower
//! side (`follower.replication.throttled.rate`) is stored but not enforced.
//! See `crate::dynamic_config` for the records and their validation.

use kafkaplay_flatmap::FlatMap;
use std::collections::VecDeque;

use crate::config::ClusterConfig;
use crate::dynamic_config::{effective, merged, UNTHROTTLED};
use crate::error::KafkaError;
use crate::protocol::{ConfigResource, DescribedConfigs};
use crate::types::{Ms, NodeId, TopicPartition};

use super::partition::{log_config, min_insync_replicas};
use super::Broker;

#[derive(Debug)]
pub(super) struct DynamicState {
    /// The broker and log settings the broker was started with.
    static_broker: crate::config::BrokerConfig,
    static_log: kafkaplay_log::LogConfig,
    /// The merged dynamic configs last applied.
    applied: FlatMap<String, String>,
    /// `leader.replication.throttled.rate` and `follower.replication.throttled.rate`.
    pub(super) leader_throttled_rate: i64,
    pub(super) follower_throttled_rate: i64,
    /// The leader's replication quota (`ReplicationQuotaManager`): bytes sent
    /// to throttled replicas per one-second window, the last 11 windows.
    leader_samples: VecDeque<(Ms, u64)>,
}

/// `replication.quota.window.size.seconds` and `replication.quota.window.num`.
const WINDOW_MS: Ms = 1_000;
const WINDOWS: usize = 11;

impl DynamicState {
    pub(super) fn new(config: &ClusterConfig) -> Self {
        DynamicState {
            static_broker: config.broker.clone(),
            static_log: config.log.clone(),
            applied: FlatMap::new(),
            leader_throttled_rate: UNTHROTTLED,
            follower_throttled_rate: UNTHROTTLED,
            leader_samples: VecDeque::new(),
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
    pub fn dynamic_configs(&self) -> &FlatMap<String, String> {
        &self.dynamic.applied
    }

    /// `shouldLeaderThrottle`: a fetch from `replica`, which is out of the
    /// ISR, of a partition this leader throttles
    /// (`leader.replication.throttled.replicas` names `partition:<this broker>`
    /// or `*`), while the measured rate is over `leader.replication.throttled.rate`.
    /// Such a fetch gets no records. Returns whether the partition is throttled
    /// at all (its bytes then count against the quota).
    pub(super) fn leader_throttle(&self, tp: &TopicPartition, replica: NodeId, now: Ms) -> (bool, bool) {
        if self.dynamic.leader_throttled_rate == UNTHROTTLED {
            return (false, false);
        }
        let Some(p) = self.partitions.get(tp) else {
            return (false, false);
        };
        let Some(list) = p.overrides.get("leader.replication.throttled.replicas") else {
            return (false, false);
        };
        let me = format!("{}:{}", tp.partition, self.id);
        let throttled = list.split(',').map(str::trim).any(|e| e == "*" || e == me);
        if !throttled {
            return (false, false);
        }
        let exceeded = !p.isr.contains(&replica) && self.leader_rate(now) > self.dynamic.leader_throttled_rate as f64;
        (true, exceeded)
    }

    /// Bytes/s over the quota's windows (Kafka's `Rate`: at least
    /// `WINDOWS - 1` full windows of elapsed time).
    fn leader_rate(&self, now: Ms) -> f64 {
        let Some((oldest, _)) = self.dynamic.leader_samples.front() else {
            return 0.0;
        };
        let total: u64 = self.dynamic.leader_samples.iter().map(|(_, b)| *b).sum();
        let elapsed = (now - oldest).max((WINDOWS as Ms - 1) * WINDOW_MS);
        total as f64 * 1000.0 / elapsed as f64
    }

    /// Counts bytes sent for a throttled partition.
    pub(super) fn record_leader_bytes(&mut self, bytes: u64, now: Ms) {
        let samples = &mut self.dynamic.leader_samples;
        let window = now - now.rem_euclid(WINDOW_MS);
        match samples.back_mut() {
            Some((start, b)) if *start == window => *b += bytes,
            _ => samples.push_back((window, bytes)),
        }
        while samples
            .front()
            .is_some_and(|(start, _)| *start <= now - WINDOWS as Ms * WINDOW_MS)
        {
            samples.pop_front();
        }
    }

    /// DescribeConfigs (`ConfigHelper.describeConfigs`) from this broker's
    /// metadata image: a topic's overrides, or a broker's dynamic configs
    /// (this broker's own, or the cluster default's), with both broker levels.
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    pub(super) fn describe_configs(&self, resource: &ConfigResource) -> Result<DescribedConfigs, (KafkaError, String)> {
        let map = |r: &str| self.image.broker_configs.get(r).cloned().unwrap_or_default();
        let me = self.id.to_string();
        match resource {
            ConfigResource::Topic(name) => match self.image.topic(name) {
                Some(t) => Ok(DescribedConfigs {
                    topic: t.configs.clone(),
                    broker: map(&me),
                    default: map(""),
                }),
                None => Err((
                    KafkaError::UnknownTopicOrPartition,
                    format!("The topic '{name}' does not exist."),
                )),
            },
            ConfigResource::Broker(name) if name.is_empty() => Ok(DescribedConfigs {
                default: map(""),
                ..DescribedConfigs::default()
            }),
            ConfigResource::Broker(name) if *name == me => Ok(DescribedConfigs {
                topic: FlatMap::new(),
                broker: map(&me),
                default: map(""),
            }),
            ConfigResource::Broker(name) => Err((
                KafkaError::InvalidRequest,
                format!("Unexpected broker id, expected {me} or empty string, but received {name}"),
            )),
        }
    }
}
