//! Broker, controller and client settings, by Kafka's config names, with Kafka's
//! defaults. Durations are milliseconds.

use kafkaplay_log::LogConfig;

use crate::types::NodeId;

/// Settings shared by every node of a simulated cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterConfig {
    /// `node.id`s of the brokers, ascending.
    pub brokers: Vec<NodeId>,
    /// `controller.quorum.voters`: 1 or 3 controllers (isolated KRaft mode).
    pub controllers: Vec<NodeId>,
    /// One-way network delay between any two nodes.
    pub network_delay_ms: i64,
    /// The simulated clock starts at this wall-clock time (so timestamps look real).
    pub origin_ms: i64,
    pub broker: BrokerConfig,
    pub quorum: QuorumConfig,
    /// Defaults for topics' logs (`log.segment.bytes`, `log.retention.ms`, ...).
    pub log: LogConfig,
}

impl ClusterConfig {
    /// `brokers` brokers numbered 1.., `controllers` controllers numbered 1000..
    pub fn new(brokers: i32, controllers: i32) -> Self {
        ClusterConfig {
            brokers: (1..=brokers).collect(),
            controllers: (0..controllers).map(|i| 1000 + i).collect(),
            network_delay_ms: 1,
            origin_ms: 1_700_000_000_000,
            broker: BrokerConfig::default(),
            quorum: QuorumConfig::default(),
            log: LogConfig::default(),
        }
    }
}

/// Broker settings (`server.properties`).
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerConfig {
    pub num_partitions: i32,
    pub default_replication_factor: i16,
    pub min_insync_replicas: i32,
    pub unclean_leader_election_enable: bool,
    pub auto_leader_rebalance_enable: bool,
    pub leader_imbalance_check_interval_ms: i64,
    pub leader_imbalance_per_broker_percentage: i32,
    pub replica_lag_time_max_ms: i64,
    pub replica_fetch_wait_max_ms: i64,
    pub replica_fetch_max_bytes: u32,
    pub replica_fetch_backoff_ms: i64,
    pub broker_session_timeout_ms: i64,
    pub broker_heartbeat_interval_ms: i64,
    pub message_max_bytes: u32,
    /// How long written log data may sit in the OS page cache before it is on
    /// disk (Linux's `vm.dirty_expire_centisecs`, 30 s); Kafka itself does not
    /// fsync by default. A power loss drops what is younger.
    pub page_cache_flush_interval_ms: i64,
    /// `log.retention.check.interval.ms`: how often retention looks for
    /// deletable segments (after `log.initial.task.delay.ms`).
    pub log_retention_check_interval_ms: i64,
    /// `log.initial.task.delay.ms`: the delay before the first retention check.
    pub log_initial_task_delay_ms: i64,
    /// `request.timeout.ms` on the broker side for acks=all waits.
    pub request_timeout_ms: i64,
    /// `offsets.topic.num.partitions`: partitions of `__consumer_offsets`.
    pub offsets_topic_num_partitions: i32,
    /// `offsets.topic.replication.factor`. Kafka refuses to create the topic
    /// with fewer live brokers; here it is created with as many as are alive
    /// (like Confluent's single-broker images, which set it to 1).
    pub offsets_topic_replication_factor: i16,
    /// `offsets.topic.segment.bytes`.
    pub offsets_topic_segment_bytes: i32,
    /// `offsets.commit.timeout.ms`: how long a commit waits for the HW.
    pub offsets_commit_timeout_ms: i64,
    /// `group.initial.rebalance.delay.ms`.
    pub group_initial_rebalance_delay_ms: i64,
    /// `group.min.session.timeout.ms` and `group.max.session.timeout.ms`.
    pub group_min_session_timeout_ms: i64,
    pub group_max_session_timeout_ms: i64,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            num_partitions: 1,
            default_replication_factor: 1,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_ms: 300_000,
            leader_imbalance_per_broker_percentage: 10,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_max_bytes: 1024 * 1024,
            replica_fetch_backoff_ms: 1_000,
            broker_session_timeout_ms: 9_000,
            broker_heartbeat_interval_ms: 2_000,
            message_max_bytes: 1024 * 1024 + 12,
            page_cache_flush_interval_ms: 30_000,
            log_retention_check_interval_ms: 300_000,
            log_initial_task_delay_ms: 30_000,
            request_timeout_ms: 30_000,
            offsets_topic_num_partitions: 50,
            offsets_topic_replication_factor: 3,
            offsets_topic_segment_bytes: 104_857_600,
            offsets_commit_timeout_ms: 5_000,
            group_initial_rebalance_delay_ms: 3_000,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
        }
    }
}

/// KRaft quorum settings (`controller.quorum.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct QuorumConfig {
    pub election_timeout_ms: i64,
    pub fetch_timeout_ms: i64,
    pub election_backoff_max_ms: i64,
    /// How often a follower or observer fetches when it is caught up (the leader
    /// holds a fetch up to this long, like `controller.quorum.fetch` long polls).
    pub fetch_max_wait_ms: i64,
}

impl Default for QuorumConfig {
    fn default() -> Self {
        QuorumConfig {
            election_timeout_ms: 1_000,
            fetch_timeout_ms: 2_000,
            election_backoff_max_ms: 1_000,
            fetch_max_wait_ms: 500,
        }
    }
}

/// Producer settings (`ProducerConfig`), Kafka 3+ defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerConfig {
    /// 0, 1 or -1 (`all`, the default since 3.0).
    pub acks: i16,
    pub enable_idempotence: bool,
    pub batch_size: u32,
    pub linger_ms: i64,
    pub retries: i32,
    pub retry_backoff_ms: i64,
    pub request_timeout_ms: i64,
    pub delivery_timeout_ms: i64,
    pub max_in_flight_requests_per_connection: i32,
    pub metadata_max_age_ms: i64,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: -1,
            enable_idempotence: true,
            batch_size: 16_384,
            linger_ms: 5,
            retries: i32::MAX,
            retry_backoff_ms: 100,
            request_timeout_ms: 30_000,
            delivery_timeout_ms: 120_000,
            max_in_flight_requests_per_connection: 5,
            metadata_max_age_ms: 300_000,
        }
    }
}

/// Consumer settings (`ConsumerConfig`), Kafka 3+ defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerConfig {
    /// `group.id`: `None` for a consumer that only uses `assign` and commits nothing.
    pub group_id: Option<String>,
    /// `client.id`; empty means Kafka's generated `consumer-<group>-<n>`.
    pub client_id: String,
    /// `auto.offset.reset`: `latest` (default), `earliest` or `none`.
    pub auto_offset_reset: String,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: i64,
    pub session_timeout_ms: i64,
    pub heartbeat_interval_ms: i64,
    pub max_poll_interval_ms: i64,
    pub max_poll_records: u32,
    pub fetch_max_wait_ms: i64,
    pub fetch_min_bytes: u32,
    pub max_partition_fetch_bytes: u32,
    /// `partition.assignment.strategy`, by assignor name, in preference order.
    pub partition_assignment_strategy: Vec<String>,
    pub request_timeout_ms: i64,
    pub retry_backoff_ms: i64,
    pub metadata_max_age_ms: i64,
    /// `default.api.timeout.ms`: how long `commitSync` keeps retrying.
    pub default_api_timeout_ms: i64,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            group_id: None,
            client_id: String::new(),
            auto_offset_reset: "latest".to_string(),
            enable_auto_commit: true,
            auto_commit_interval_ms: 5_000,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            max_poll_records: 500,
            fetch_max_wait_ms: 500,
            fetch_min_bytes: 1,
            max_partition_fetch_bytes: 1_048_576,
            partition_assignment_strategy: ["range", "cooperative-sticky"].iter().map(|s| s.to_string()).collect(),
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            metadata_max_age_ms: 300_000,
            default_api_timeout_ms: 60_000,
        }
    }
}

impl ConsumerConfig {
    /// The defaults with a `group.id`.
    pub fn group(group_id: &str) -> Self {
        ConsumerConfig {
            group_id: Some(group_id.to_string()),
            ..ConsumerConfig::default()
        }
    }
}
