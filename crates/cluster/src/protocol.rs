//! Messages between nodes: the Kafka APIs the simulation uses, reduced to the
//! fields whose behaviour a learner can observe. Names follow Kafka's request and
//! field names. Record data travels as v2 batch bytes (`kafkaplay-log`).

use kafkaplay_flatmap::FlatMap;

use crate::error::KafkaError;
use crate::metadata::MetadataRecord;
use crate::types::{NodeId, TopicPartition, Uuid};

/// Everything one node can send another.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    // --- KRaft quorum (KIP-595), between controllers; brokers are observers ---
    /// A candidate asks for a vote.
    Vote {
        epoch: i32,
        candidate: NodeId,
        last_epoch: i32,
        last_offset: i64,
    },
    VoteResponse {
        epoch: i32,
        granted: bool,
    },
    /// A new leader announces itself to the voters.
    BeginQuorumEpoch {
        epoch: i32,
        leader: NodeId,
    },
    /// A voter or observer pulls the metadata log (`__cluster_metadata`).
    MetadataFetch {
        epoch: i32,
        replica: NodeId,
        fetch_offset: i64,
        last_fetched_epoch: i32,
    },
    MetadataFetchResponse(MetadataFetchResponse),

    // --- Broker lifecycle, broker → active controller ---
    BrokerRegistration {
        broker: NodeId,
        incarnation: u64,
    },
    BrokerRegistrationResponse {
        error: Option<KafkaError>,
        broker_epoch: i64,
    },
    BrokerHeartbeat {
        broker: NodeId,
        broker_epoch: i64,
        metadata_offset: i64,
        want_fence: bool,
        want_shutdown: bool,
    },
    BrokerHeartbeatResponse {
        error: Option<KafkaError>,
        is_caught_up: bool,
        is_fenced: bool,
        should_shutdown: bool,
    },
    /// A partition leader asks to change its ISR (KIP-497).
    AlterPartition(AlterPartition),
    AlterPartitionResponse(AlterPartitionResponse),

    // --- Admin requests, admin client → active controller ---
    Admin {
        request_id: u64,
        request: AdminRequest,
    },
    AdminResponse {
        request_id: u64,
        response: AdminResponse,
    },

    // --- Data plane ---
    /// Replica (replica ≥ 0) or consumer (replica = -1) fetch, one request per
    /// (fetcher, leader) pair covering many partitions, as Kafka's fetcher threads do.
    Fetch(FetchRequest),
    FetchResponse(FetchResponse),
    Produce(ProduceRequest),
    ProduceResponse(ProduceResponse),
    MetadataRequest {
        request_id: u64,
        topics: Option<Vec<String>>,
    },
    MetadataResponse {
        request_id: u64,
        metadata: ClusterMetadataView,
    },
    InitProducerId {
        request_id: u64,
    },
    InitProducerIdResponse {
        request_id: u64,
        error: Option<KafkaError>,
        producer_id: i64,
        producer_epoch: i16,
    },

    /// The connection to the sender was reset: its process is gone (TCP RST). The
    /// simulator sends this back to whoever sends to a stopped node; a network
    /// partition or a paused node stays silent instead.
    Disconnected,

    // --- Consumer groups (the classic protocol) and offsets ---
    /// Which broker coordinates this group (the leader of its
    /// `__consumer_offsets` partition).
    FindCoordinator {
        request_id: u64,
        group_id: String,
    },
    FindCoordinatorResponse {
        request_id: u64,
        error: Option<KafkaError>,
        coordinator: NodeId,
    },
    JoinGroup(JoinGroupRequest),
    JoinGroupResponse(JoinGroupResponse),
    SyncGroup(SyncGroupRequest),
    SyncGroupResponse {
        request_id: u64,
        error: Option<KafkaError>,
        assignment: Assignment,
    },
    Heartbeat {
        request_id: u64,
        group_id: String,
        generation_id: i32,
        member_id: String,
    },
    HeartbeatResponse {
        request_id: u64,
        error: Option<KafkaError>,
    },
    LeaveGroup {
        request_id: u64,
        group_id: String,
        member_id: String,
    },
    LeaveGroupResponse {
        request_id: u64,
        error: Option<KafkaError>,
    },
    /// `generation_id` -1 and an empty member id for a commit from outside the
    /// group (the admin tool's offset reset, a consumer using `assign`).
    OffsetCommit {
        request_id: u64,
        group_id: String,
        generation_id: i32,
        member_id: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
    OffsetCommitResponse {
        request_id: u64,
        results: Vec<(TopicPartition, Option<KafkaError>)>,
    },
    /// `None` partitions: every partition the group has committed.
    OffsetFetch {
        request_id: u64,
        group_id: String,
        partitions: Option<Vec<TopicPartition>>,
    },
    OffsetFetchResponse {
        request_id: u64,
        error: Option<KafkaError>,
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// Offsets by time: -1 latest, -2 earliest, -3 max timestamp, else a timestamp.
    ListOffsets {
        request_id: u64,
        partitions: Vec<(TopicPartition, i64)>,
    },
    ListOffsetsResponse {
        request_id: u64,
        partitions: Vec<ListOffsetsPartition>,
    },
    ListGroups {
        request_id: u64,
    },
    ListGroupsResponse {
        request_id: u64,
        groups: Vec<GroupListing>,
    },
    DescribeGroup {
        request_id: u64,
        group_id: String,
    },
    DescribeGroupResponse {
        request_id: u64,
        error: Option<KafkaError>,
        group: GroupDescription,
    },
    DeleteGroup {
        request_id: u64,
        group_id: String,
    },
    DeleteGroupResponse {
        request_id: u64,
        error: Option<KafkaError>,
    },
    /// DescribeConfigs of one resource: a topic, or a broker (`""` for the
    /// cluster default), answered from the broker's metadata image.
    DescribeConfigs {
        request_id: u64,
        resource: ConfigResource,
    },
    DescribeConfigsResponse {
        request_id: u64,
        result: Result<DescribedConfigs, (KafkaError, String)>,
    },
    /// KIP-496 OffsetDelete: remove a group's committed offsets.
    OffsetDelete {
        request_id: u64,
        group_id: String,
        partitions: Vec<TopicPartition>,
    },
    /// A top-level error, or one per partition (`None`: deleted).
    OffsetDeleteResponse {
        request_id: u64,
        error: Option<KafkaError>,
        partitions: Vec<(TopicPartition, Option<KafkaError>)>,
    },
}

/// A config resource (`ConfigResource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigResource {
    Topic(String),
    /// A broker id, or `""` for the cluster-wide default.
    Broker(String),
}

/// What a broker knows of a resource's configs, by source: the topic's
/// overrides (for a topic), its own dynamic configs and the cluster default's.
/// (The static settings and Kafka's defaults are the cluster's config.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DescribedConfigs {
    pub topic: FlatMap<String, String>,
    pub broker: FlatMap<String, String>,
    pub default: FlatMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JoinGroupRequest {
    pub request_id: u64,
    pub group_id: String,
    /// Empty on the first join: the coordinator answers MEMBER_ID_REQUIRED with an id.
    pub member_id: String,
    pub client_id: String,
    pub session_timeout_ms: i64,
    pub rebalance_timeout_ms: i64,
    /// `consumer`.
    pub protocol_type: String,
    /// Assignor names in preference order with this member's subscription.
    pub protocols: Vec<(String, Subscription)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JoinGroupResponse {
    pub request_id: u64,
    pub error: Option<KafkaError>,
    pub generation_id: i32,
    /// The assignor the group chose.
    pub protocol_name: String,
    pub leader: String,
    pub member_id: String,
    /// Only the leader gets the members and their subscriptions.
    pub members: Vec<(String, Subscription)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncGroupRequest {
    pub request_id: u64,
    pub group_id: String,
    pub generation_id: i32,
    pub member_id: String,
    /// Only the leader sends assignments.
    pub assignments: Vec<(String, Assignment)>,
}

/// `ConsumerProtocolSubscription`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subscription {
    pub topics: Vec<String>,
    /// For the cooperative and sticky assignors.
    pub owned_partitions: Vec<TopicPartition>,
    pub generation_id: i32,
}

/// `ConsumerProtocolAssignment`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assignment {
    pub partitions: Vec<TopicPartition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListOffsetsPartition {
    pub tp: TopicPartition,
    pub error: Option<KafkaError>,
    pub timestamp: i64,
    pub offset: i64,
}

/// One group in a ListGroups answer (v4+, with its state).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupListing {
    pub group_id: String,
    /// `consumer` for consumer groups.
    pub protocol_type: String,
    /// `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable`.
    pub state: String,
}

/// What `kafka-consumer-groups --describe` shows of a group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupDescription {
    pub group_id: String,
    /// `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable`, `Dead`.
    pub state: String,
    pub protocol_type: String,
    pub protocol: String,
    pub generation_id: i32,
    pub coordinator: NodeId,
    pub members: Vec<GroupMember>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupMember {
    pub member_id: String,
    pub client_id: String,
    /// The client's host, e.g. `/127.0.0.1`.
    pub host: String,
    pub assignment: Vec<TopicPartition>,
}

/// Metadata log records as `(offset, epoch, record)`: a range of a shared
/// slice, so that a leader answers many fetchers without copying records.
#[derive(Clone, Default)]
pub struct MetadataRecords {
    chunk: std::sync::Arc<[(i64, i32, MetadataRecord)]>,
    range: std::ops::Range<usize>,
}

impl MetadataRecords {
    /// The records `range` of `chunk` (clamped to it).
    pub fn slice(chunk: std::sync::Arc<[(i64, i32, MetadataRecord)]>, range: std::ops::Range<usize>) -> Self {
        let end = range.end.min(chunk.len());
        let start = range.start.min(end);
        MetadataRecords {
            chunk,
            range: start..end,
        }
    }
}

impl std::ops::Deref for MetadataRecords {
    type Target = [(i64, i32, MetadataRecord)];

    fn deref(&self) -> &Self::Target {
        &self.chunk[self.range.clone()]
    }
}

impl PartialEq for MetadataRecords {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for MetadataRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl FromIterator<(i64, i32, MetadataRecord)> for MetadataRecords {
    fn from_iter<I: IntoIterator<Item = (i64, i32, MetadataRecord)>>(iter: I) -> Self {
        let chunk: std::sync::Arc<[_]> = iter.into_iter().collect();
        let len = chunk.len();
        MetadataRecords { chunk, range: 0..len }
    }
}

impl From<Vec<(i64, i32, MetadataRecord)>> for MetadataRecords {
    fn from(records: Vec<(i64, i32, MetadataRecord)>) -> Self {
        records.into_iter().collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetadataFetchResponse {
    /// The responder's epoch and who it thinks leads (-1 if unknown).
    pub epoch: i32,
    pub leader: NodeId,
    pub error: Option<KafkaError>,
    /// Records from `fetch_offset` on: (offset, epoch, record). Shared: the
    /// leader answers every fetcher at the same offset with the same slice.
    pub records: MetadataRecords,
    /// The quorum's high watermark: records below it are committed.
    pub high_watermark: i64,
    /// Set when the fetcher's log diverged: truncate to `end_offset` of `epoch`.
    pub diverging: Option<(i32, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlterPartition {
    pub broker: NodeId,
    pub broker_epoch: i64,
    pub tp: TopicPartition,
    pub leader_epoch: i32,
    pub partition_epoch: i32,
    pub new_isr: Vec<NodeId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlterPartitionResponse {
    pub tp: TopicPartition,
    pub error: Option<KafkaError>,
    pub leader: NodeId,
    pub leader_epoch: i32,
    pub isr: Vec<NodeId>,
    pub partition_epoch: i32,
}

/// An admin operation's result: `Err` carries Kafka's error code and message.
pub type AdminResult<T = ()> = Result<T, (KafkaError, String)>;

/// Per-topic configs as `name=value` overrides (only non-defaults are stored).
pub type ConfigOverrides = Vec<(String, String)>;

#[derive(Debug, Clone, PartialEq)]
pub enum AdminRequest {
    CreateTopic {
        name: String,
        /// -1: the broker default `num.partitions`.
        partitions: i32,
        /// -1: the broker default `default.replication.factor`.
        replication_factor: i16,
        /// `--replica-assignment`: replicas per partition, first is the preferred leader.
        assignment: Option<Vec<Vec<NodeId>>>,
        configs: ConfigOverrides,
        validate_only: bool,
    },
    DeleteTopic {
        name: String,
    },
    CreatePartitions {
        topic: String,
        total: i32,
        assignment: Option<Vec<Vec<NodeId>>>,
    },
    /// `kafka-configs --alter`: set (Some) or delete (None) topic config keys.
    AlterTopicConfigs {
        topic: String,
        changes: Vec<(String, Option<String>)>,
    },
    /// `kafka-configs --entity-type brokers --alter`: set (Some) or delete
    /// (None) dynamic configs of the BROKER resource `resource` (a broker id,
    /// or `""` for the cluster-wide default).
    AlterBrokerConfigs {
        resource: String,
        changes: Vec<(String, Option<String>)>,
    },
    /// `kafka-leader-election`; `None` partitions means all.
    ElectLeaders {
        preferred: bool,
        partitions: Option<Vec<TopicPartition>>,
    },
    /// Controlled shutdown is a broker heartbeat flag; this asks the controller
    /// to unregister a broker that is gone for good.
    UnregisterBroker {
        broker: NodeId,
    },
    /// KIP-455 `AlterPartitionReassignments`: per partition, the target
    /// replicas, or `None` to cancel its reassignment.
    AlterPartitionReassignments {
        reassignments: Vec<(TopicPartition, Option<Vec<NodeId>>)>,
    },
    /// KIP-455 `ListPartitionReassignments`; `None` partitions means all.
    ListPartitionReassignments {
        partitions: Option<Vec<TopicPartition>>,
    },
}

/// One partition's reassignment in progress (`OngoingPartitionReassignment`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OngoingReassignment {
    pub tp: TopicPartition,
    /// The target replicas followed by those being removed.
    pub replicas: Vec<NodeId>,
    pub adding: Vec<NodeId>,
    pub removing: Vec<NodeId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AdminResponse {
    /// `Ok(topic id)` or Kafka's error with its message text.
    CreateTopic(Result<Uuid, (KafkaError, String)>),
    DeleteTopic(Result<(), (KafkaError, String)>),
    CreatePartitions(Result<(), (KafkaError, String)>),
    AlterTopicConfigs(Result<(), (KafkaError, String)>),
    AlterBrokerConfigs(Result<(), (KafkaError, String)>),
    /// Per partition: `Ok` when elected, else the error (`ELECTION_NOT_NEEDED`, ...).
    ElectLeaders(Vec<(TopicPartition, AdminResult)>),
    UnregisterBroker(Result<(), (KafkaError, String)>),
    /// Per partition: `Ok` when the reassignment started, completed or was
    /// cancelled, else Kafka's error.
    AlterPartitionReassignments(Vec<(TopicPartition, AdminResult)>),
    /// The reassignments in progress, in partition order.
    ListPartitionReassignments(AdminResult<Vec<OngoingReassignment>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FetchRequest {
    /// The fetching broker's id, or -1 for a consumer.
    pub replica: NodeId,
    /// Correlates the response for consumers; replicas use 0.
    pub request_id: u64,
    pub max_wait_ms: i64,
    pub partitions: Vec<FetchPartition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FetchPartition {
    pub tp: TopicPartition,
    pub current_leader_epoch: i32,
    pub fetch_offset: i64,
    /// Epoch of the last record the fetcher holds (-1 if none), for KIP-595 style
    /// divergence detection.
    pub last_fetched_epoch: i32,
    pub max_bytes: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FetchResponse {
    pub request_id: u64,
    pub partitions: Vec<FetchResponsePartition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FetchResponsePartition {
    pub tp: TopicPartition,
    pub error: Option<KafkaError>,
    pub high_watermark: i64,
    pub log_start_offset: i64,
    /// v2 record batches.
    pub records: Vec<u8>,
    /// The leader's answer to a diverged `last_fetched_epoch`: truncate to this.
    pub diverging_epoch: Option<(i32, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProduceRequest {
    pub request_id: u64,
    /// 0, 1 or -1 (all).
    pub acks: i16,
    pub timeout_ms: i64,
    pub partitions: Vec<(TopicPartition, Vec<u8>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProduceResponse {
    pub request_id: u64,
    pub partitions: Vec<ProducePartitionResponse>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProducePartitionResponse {
    pub tp: TopicPartition,
    pub error: Option<KafkaError>,
    /// The error's message when Kafka sends one (e.g. a record validation failure).
    pub error_message: Option<String>,
    pub base_offset: i64,
    pub log_append_time: i64,
}

/// What a Metadata response tells a client about the cluster.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterMetadataView {
    pub cluster_id: String,
    pub controller: NodeId,
    /// Unfenced brokers, ascending.
    pub brokers: Vec<NodeId>,
    pub topics: Vec<TopicView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicView {
    pub name: String,
    pub id: Uuid,
    pub error: Option<KafkaError>,
    pub partitions: Vec<PartitionView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartitionView {
    pub partition: i32,
    /// -1 when offline.
    pub leader: NodeId,
    pub leader_epoch: i32,
    pub replicas: Vec<NodeId>,
    pub isr: Vec<NodeId>,
    /// Replicas on fenced (offline) brokers.
    pub offline: Vec<NodeId>,
}

#[cfg(test)]
mod metadata_records_tests {
    use super::*;

    fn record(offset: i64) -> (i64, i32, MetadataRecord) {
        (
            offset,
            1,
            MetadataRecord::ProducerIds {
                broker: 1,
                next_producer_id: offset,
            },
        )
    }

    #[test]
    fn a_slice_shares_its_window_and_compares_by_content() {
        let window: std::sync::Arc<[_]> = (10..20).map(record).collect();
        let a = MetadataRecords::slice(window.clone(), 2..5);
        assert_eq!(a.iter().map(|r| r.0).collect::<Vec<_>>(), vec![12, 13, 14]);
        let b: MetadataRecords = vec![record(12), record(13), record(14)].into();
        assert_eq!(a, b);
        // Out of range is clamped, never a panic.
        assert!(MetadataRecords::slice(window.clone(), 8..50).len() == 2);
        assert!(MetadataRecords::slice(window, 30..40).is_empty());
        assert!(MetadataRecords::default().is_empty());
        assert_eq!(
            format!("{b:?}"),
            format!("{:?}", vec![record(12), record(13), record(14)])
        );
    }
}
