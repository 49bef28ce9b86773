//! Kafka's protocol error codes (`org.apache.kafka.common.protocol.Errors`):
//! the code, the name the tools print, and the exception's default message.

use std::fmt;

// The texts are arrays indexed by the variant, not `match`es: LLVM makes a
// match that returns constants into a lookup table of its own, which the
// docs widget's split keeps in the start-up module whoever uses it (`cargo
// xtask split-data`), with every text it points to. An array stays with the
// functions that name it: the messages and exception classes are read only
// by the tools' output, outside the widget's start-up module (3 KB gzipped).
macro_rules! kafka_errors {
    ($($variant:ident = $code:literal, $name:literal, $class:literal, $message:literal;)*) => {
        /// An error code carried in a response.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum KafkaError {
            $($variant,)*
        }

        impl KafkaError {
            /// The wire code.
            pub fn code(self) -> i16 {
                match self { $(KafkaError::$variant => $code,)* }
            }

            /// The constant's name, e.g. `NOT_ENOUGH_REPLICAS`.
            pub fn name(self) -> &'static str {
                const NAMES: &[&str] = &[$($name,)*];
                NAMES[self as usize]
            }

            /// The Java exception a client shows for it (`Errors.exception()`).
            pub fn exception_class(self) -> &'static str {
                const CLASSES: &[&str] = &[$($class,)*];
                CLASSES[self as usize]
            }

            /// The default message of the error's exception.
            pub fn message(self) -> &'static str {
                const MESSAGES: &[&str] = &[$($message,)*];
                MESSAGES[self as usize]
            }

            /// Every known error, in code order of declaration.
            pub const ALL: &'static [KafkaError] = &[$(KafkaError::$variant,)*];
        }

        /// The variant's name, as `#[derive(Debug)]` writes it.
        impl fmt::Debug for KafkaError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                const VARIANTS: &[&str] = &[$(stringify!($variant),)*];
                f.write_str(VARIANTS[*self as usize])
            }
        }
    };
}

kafka_errors! {
    UnknownServerError = -1, "UNKNOWN_SERVER_ERROR", "org.apache.kafka.common.errors.UnknownServerException", "The server experienced an unexpected error when processing the request.";
    OffsetOutOfRange = 1, "OFFSET_OUT_OF_RANGE", "org.apache.kafka.common.errors.OffsetOutOfRangeException", "The requested offset is not within the range of offsets maintained by the server.";
    CorruptMessage = 2, "CORRUPT_MESSAGE", "org.apache.kafka.common.errors.CorruptRecordException", "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.";
    UnknownTopicOrPartition = 3, "UNKNOWN_TOPIC_OR_PARTITION", "org.apache.kafka.common.errors.UnknownTopicOrPartitionException", "This server does not host this topic-partition.";
    LeaderNotAvailable = 5, "LEADER_NOT_AVAILABLE", "org.apache.kafka.common.errors.LeaderNotAvailableException", "There is no leader for this topic-partition as we are in the middle of a leadership election.";
    NotLeaderOrFollower = 6, "NOT_LEADER_OR_FOLLOWER", "org.apache.kafka.common.errors.NotLeaderOrFollowerException", "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.";
    RequestTimedOut = 7, "REQUEST_TIMED_OUT", "org.apache.kafka.common.errors.TimeoutException", "The request timed out.";
    CoordinatorLoadInProgress = 14, "COORDINATOR_LOAD_IN_PROGRESS", "org.apache.kafka.common.errors.CoordinatorLoadInProgressException", "The coordinator is loading and hence can't process requests.";
    CoordinatorNotAvailable = 15, "COORDINATOR_NOT_AVAILABLE", "org.apache.kafka.common.errors.CoordinatorNotAvailableException", "The coordinator is not available.";
    NotCoordinator = 16, "NOT_COORDINATOR", "org.apache.kafka.common.errors.NotCoordinatorException", "This is not the correct coordinator.";
    IllegalGeneration = 22, "ILLEGAL_GENERATION", "org.apache.kafka.common.errors.IllegalGenerationException", "Specified group generation id is not valid.";
    InconsistentGroupProtocol = 23, "INCONSISTENT_GROUP_PROTOCOL", "org.apache.kafka.common.errors.InconsistentGroupProtocolException", "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.";
    UnknownMemberId = 25, "UNKNOWN_MEMBER_ID", "org.apache.kafka.common.errors.UnknownMemberIdException", "The coordinator is not aware of this member.";
    InvalidSessionTimeout = 26, "INVALID_SESSION_TIMEOUT", "org.apache.kafka.common.errors.InvalidSessionTimeoutException", "The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).";
    RebalanceInProgress = 27, "REBALANCE_IN_PROGRESS", "org.apache.kafka.common.errors.RebalanceInProgressException", "The group is rebalancing, so a rejoin is needed.";
    InvalidGroupId = 24, "INVALID_GROUP_ID", "org.apache.kafka.common.errors.InvalidGroupIdException", "The configured groupId is invalid.";
    InvalidCommitOffsetSize = 28, "INVALID_COMMIT_OFFSET_SIZE", "org.apache.kafka.common.errors.InvalidCommitOffsetSizeException", "The committing offset data size is not valid.";
    GroupIdNotFound = 69, "GROUP_ID_NOT_FOUND", "org.apache.kafka.common.errors.GroupIdNotFoundException", "The group id does not exist.";
    GroupSubscribedToTopic = 86, "GROUP_SUBSCRIBED_TO_TOPIC", "org.apache.kafka.common.errors.GroupSubscribedToTopicException", "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.";
    NonEmptyGroup = 68, "NON_EMPTY_GROUP", "org.apache.kafka.common.errors.GroupNotEmptyException", "The group is not empty.";
    MemberIdRequired = 79, "MEMBER_ID_REQUIRED", "org.apache.kafka.common.errors.MemberIdRequiredException", "The group member needs to have a valid member id before actually entering a consumer group.";
    BrokerNotAvailable = 8, "BROKER_NOT_AVAILABLE", "org.apache.kafka.common.errors.BrokerNotAvailableException", "The broker is not available.";
    ReplicaNotAvailable = 9, "REPLICA_NOT_AVAILABLE", "org.apache.kafka.common.errors.ReplicaNotAvailableException", "The replica is not available for the requested topic-partition. Produce/Fetch requests and other requests intended only for the leader or follower return NOT_LEADER_OR_FOLLOWER if the broker is not a replica of the topic-partition.";
    MessageTooLarge = 10, "MESSAGE_TOO_LARGE", "org.apache.kafka.common.errors.RecordTooLargeException", "The request included a message larger than the max message size the server will accept.";
    InvalidTopicException = 17, "INVALID_TOPIC_EXCEPTION", "org.apache.kafka.common.errors.InvalidTopicException", "The request attempted to perform an operation on an invalid topic.";
    RecordListTooLarge = 18, "RECORD_LIST_TOO_LARGE", "org.apache.kafka.common.errors.RecordBatchTooLargeException", "The request included message batch larger than the configured segment size on the server.";
    NotEnoughReplicas = 19, "NOT_ENOUGH_REPLICAS", "org.apache.kafka.common.errors.NotEnoughReplicasException", "Messages are rejected since there are fewer in-sync replicas than required.";
    NotEnoughReplicasAfterAppend = 20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException", "Messages are written to the log, but to fewer in-sync replicas than required.";
    InvalidRequiredAcks = 21, "INVALID_REQUIRED_ACKS", "org.apache.kafka.common.errors.InvalidRequiredAcksException", "Produce request specified an invalid value for required acks.";
    TopicAlreadyExists = 36, "TOPIC_ALREADY_EXISTS", "org.apache.kafka.common.errors.TopicExistsException", "Topic with this name already exists.";
    InvalidPartitions = 37, "INVALID_PARTITIONS", "org.apache.kafka.common.errors.InvalidPartitionsException", "Number of partitions is below 1.";
    InvalidReplicationFactor = 38, "INVALID_REPLICATION_FACTOR", "org.apache.kafka.common.errors.InvalidReplicationFactorException", "Replication factor is below 1 or larger than the number of available brokers.";
    InvalidReplicaAssignment = 39, "INVALID_REPLICA_ASSIGNMENT", "org.apache.kafka.common.errors.InvalidReplicaAssignmentException", "Replica assignment is invalid.";
    InvalidConfig = 40, "INVALID_CONFIG", "org.apache.kafka.common.errors.InvalidConfigurationException", "Configuration is invalid.";
    NotController = 41, "NOT_CONTROLLER", "org.apache.kafka.common.errors.NotControllerException", "This is not the correct controller for this cluster.";
    InvalidRequest = 42, "INVALID_REQUEST", "org.apache.kafka.common.errors.InvalidRequestException", "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.";
    OutOfOrderSequenceNumber = 45, "OUT_OF_ORDER_SEQUENCE_NUMBER", "org.apache.kafka.common.errors.OutOfOrderSequenceException", "The broker received an out of order sequence number.";
    DuplicateSequenceNumber = 46, "DUPLICATE_SEQUENCE_NUMBER", "org.apache.kafka.common.errors.DuplicateSequenceException", "The broker received a duplicate sequence number.";
    InvalidProducerEpoch = 47, "INVALID_PRODUCER_EPOCH", "org.apache.kafka.common.errors.InvalidProducerEpochException", "Producer attempted to produce with an old epoch.";
    KafkaStorageError = 56, "KAFKA_STORAGE_ERROR", "org.apache.kafka.common.errors.KafkaStorageException", "Disk error when trying to access log file on the disk.";
    UnknownProducerId = 59, "UNKNOWN_PRODUCER_ID", "org.apache.kafka.common.errors.UnknownProducerIdException", "This exception is raised by the broker if it could not locate the producer metadata associated with the producerId in question. This could happen if, for instance, the producer's records were deleted because their retention time had elapsed. Once the last records of the producerId are removed, the producer's metadata is removed from the broker, and future appends by the producer will return this exception.";
    FencedLeaderEpoch = 74, "FENCED_LEADER_EPOCH", "org.apache.kafka.common.errors.FencedLeaderEpochException", "The leader epoch in the request is older than the epoch on the broker.";
    UnknownLeaderEpoch = 75, "UNKNOWN_LEADER_EPOCH", "org.apache.kafka.common.errors.UnknownLeaderEpochException", "The leader epoch in the request is newer than the epoch on the broker.";
    StaleBrokerEpoch = 77, "STALE_BROKER_EPOCH", "org.apache.kafka.common.errors.StaleBrokerEpochException", "Broker epoch has changed.";
    PreferredLeaderNotAvailable = 80, "PREFERRED_LEADER_NOT_AVAILABLE", "org.apache.kafka.common.errors.PreferredLeaderNotAvailableException", "The preferred leader was not available.";
    EligibleLeadersNotAvailable = 83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", "org.apache.kafka.common.errors.EligibleLeadersNotAvailableException", "Eligible topic partition leaders are not available.";
    ElectionNotNeeded = 84, "ELECTION_NOT_NEEDED", "org.apache.kafka.common.errors.ElectionNotNeededException", "Leader election not needed for topic partition.";
    NoReassignmentInProgress = 85, "NO_REASSIGNMENT_IN_PROGRESS", "org.apache.kafka.common.errors.NoReassignmentInProgressException", "No partition reassignment is in progress.";
    InvalidUpdateVersion = 95, "INVALID_UPDATE_VERSION", "org.apache.kafka.common.errors.InvalidUpdateVersionException", "The given update version was invalid.";
    UnknownTopicId = 100, "UNKNOWN_TOPIC_ID", "org.apache.kafka.common.errors.UnknownTopicIdException", "This server does not host this topic ID.";
    BrokerIdNotRegistered = 102, "BROKER_ID_NOT_REGISTERED", "org.apache.kafka.common.errors.BrokerIdNotRegisteredException", "The given broker ID was not registered.";
    InconsistentTopicId = 103, "INCONSISTENT_TOPIC_ID", "org.apache.kafka.common.errors.InconsistentTopicIdException", "The log's topic ID did not match the topic ID in the request.";
    InconsistentClusterId = 104, "INCONSISTENT_CLUSTER_ID", "org.apache.kafka.common.errors.InconsistentClusterIdException", "The clusterId in the request does not match that found on the server.";
    IneligibleReplica = 107, "INELIGIBLE_REPLICA", "org.apache.kafka.common.errors.IneligibleReplicaException", "The new ISR contains at least one ineligible replica.";
    InvalidRecord = 87, "INVALID_RECORD", "org.apache.kafka.common.InvalidRecordException", "This record has failed the validation on broker and hence will be rejected.";
    NewLeaderElected = 108, "NEW_LEADER_ELECTED", "org.apache.kafka.common.errors.NewLeaderElectedException", "The AlterPartition request successfully updated the partition state but the leader has changed.";
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for KafkaError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kafkas_constants() {
        assert_eq!(
            KafkaError::NotEnoughReplicasAfterAppend.name(),
            "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
        );
        assert_eq!(KafkaError::NotLeaderOrFollower.name(), "NOT_LEADER_OR_FOLLOWER");
        assert_eq!(KafkaError::InvalidTopicException.name(), "INVALID_TOPIC_EXCEPTION");
        assert_eq!(KafkaError::NotEnoughReplicas.code(), 19);
    }

    #[test]
    fn each_variant_has_its_own_texts() {
        // The arrays line up with the variants, first to last.
        let first = KafkaError::ALL[0];
        assert_eq!((first.name(), first.code()), ("UNKNOWN_SERVER_ERROR", -1));
        assert_eq!(
            KafkaError::NotEnoughReplicas.exception_class(),
            "org.apache.kafka.common.errors.NotEnoughReplicasException"
        );
        assert_eq!(
            KafkaError::NotEnoughReplicas.message(),
            "Messages are rejected since there are fewer in-sync replicas than required."
        );
        let last = *KafkaError::ALL.last().unwrap();
        assert_eq!(format!("{last:?}"), "NewLeaderElected");
        assert_eq!(
            (last.name(), last.exception_class()),
            (
                "NEW_LEADER_ELECTED",
                "org.apache.kafka.common.errors.NewLeaderElectedException"
            )
        );
        // Debug as derived: the variant's name.
        assert_eq!(
            format!("{:?}", Some(KafkaError::NotLeaderOrFollower)),
            "Some(NotLeaderOrFollower)"
        );
        let names: std::collections::BTreeSet<String> = KafkaError::ALL.iter().map(|e| format!("{e:?}")).collect();
        assert_eq!(names.len(), KafkaError::ALL.len());
    }
}
