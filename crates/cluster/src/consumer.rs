//! The consumer client (`KafkaConsumer` with its `ConsumerCoordinator`) as a
//! sans-IO state machine, together with the application that calls `poll`.
//!
//! The parts are Kafka's, in the same roles:
//! - **Metadata**: like the producer's, for the subscribed topics (every topic
//!   for a pattern subscription, whose matches are re-evaluated at each update).
//! - **Coordinator** (`AbstractCoordinator`, `ConsumerCoordinator`, the classic
//!   protocol): FindCoordinator, JoinGroup (a first join without a member id is
//!   answered MEMBER_ID_REQUIRED and repeated at once with the given id), the
//!   leader's assignment with the assignor the group chose, SyncGroup,
//!   heartbeats every `heartbeat.interval.ms` (a background thread in Kafka: they
//!   go on while the application processes), rejoin on REBALANCE_IN_PROGRESS,
//!   rediscovery on NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a reset
//!   connection or `session.timeout.ms` without an answer, and LeaveGroup when
//!   the application did not poll within `max.poll.interval.ms`. The eager
//!   protocol revokes everything before it rejoins; `cooperative-sticky` keeps
//!   what it owns, gives up only what the new assignment takes away and then
//!   rejoins once more (the two-phase cooperative rebalance). With auto-commit,
//!   positions are committed before a rejoin.
//! - **SubscriptionState**: a position per assigned partition, initialized from
//!   the committed offset (OffsetFetch) or by `auto.offset.reset` (ListOffsets);
//!   `seek`, `seek_to_beginning`, `seek_to_end` and `offsets_for_times`.
//! - **Fetcher**: one consumer Fetch (replica -1) per partition leader for the
//!   partitions that have no buffered records, long-polled `fetch.max.wait.ms`;
//!   batches are CRC-checked and decoded, records below the position skipped.
//!   OFFSET_OUT_OF_RANGE resets the position per `auto.offset.reset`;
//!   NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH refresh the metadata. Like
//!   the 3.7+ background consumer, fetches go out whenever a partition's buffer
//!   is empty, not only inside `poll`.
//! - **The application** ([`ConsumerApp`]): it calls `poll` every
//!   `poll_interval_ms`, takes up to `max.poll.records` records and processes
//!   them under a [`ProcessingMode`]. Processing a record is the moment it
//!   becomes a [`ConsumedRecord`] in the simulation's history, so a crash
//!   between a commit and the processing (or the other way round) shows there.
//!
//! Not here: the KIP-848 consumer protocol, static membership
//! (`group.instance.id`), isolation levels and transactions, `fetch.min.bytes`
//! beyond "any data" (the broker answers as soon as there is some), exponential
//! backoff, rack-aware fetching, OffsetsForLeaderEpoch position validation.

use kafkaplay_flatmap::{FlatMap, FlatSet};
use std::collections::{BTreeMap, VecDeque};

use kafkaplay_log::BatchIter;

use crate::assignor;
use crate::client::ClientMetadata;
use crate::config::ConsumerConfig;
use crate::error::KafkaError;
use crate::protocol::{
    Assignment, ClusterMetadataView, FetchPartition, FetchRequest, FetchResponsePartition, JoinGroupRequest,
    JoinGroupResponse, ListOffsetsPartition, Message, Subscription, SyncGroupRequest,
};
use crate::sim::{self, Ctx};
use crate::trace::Observation;
use crate::types::{Ms, NodeId, TopicPartition};

/// `ListOffsets` timestamps.
pub const LATEST_TIMESTAMP: i64 = -1;
pub const EARLIEST_TIMESTAMP: i64 = -2;

const NO_GENERATION: i32 = -1;
const NO_OFFSET_EXCEPTION: &str = "org.apache.kafka.clients.consumer.NoOffsetForPartitionException";
const COMMIT_FAILED_EXCEPTION: &str = "org.apache.kafka.clients.consumer.CommitFailedException";
const POLL_TIMEOUT_TEXT: &str = "consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing messages. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records.";

#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// The client's wake-up for heartbeats, backoffs and deadlines.
    Wake { at: Ms },
    /// The application calls `poll` again.
    AppPoll,
    /// A request got no response within `request.timeout.ms`.
    RequestTimeout { request_id: u64 },
}

/// How the application commits around its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessingMode {
    /// Records are processed as `poll` returns them and never committed by the
    /// application: `enable.auto.commit` (if set) commits the positions of what
    /// earlier polls returned, at most every `auto.commit.interval.ms`, on poll.
    AutoCommit,
    /// Process, then `commitSync` the polled offsets: at-least-once. A crash
    /// before the commit is answered makes the next owner process them again.
    CommitAfterProcessing,
    /// `commitSync`, then process once the commit is answered: at-most-once. A
    /// crash after the commit loses the records for the group.
    CommitBeforeProcessing,
}

/// The consumer application around the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerApp {
    /// How often the application calls `poll`.
    pub poll_interval_ms: Ms,
    pub mode: ProcessingMode,
    /// Time spent processing each record before the next `poll` (a slow
    /// application exceeds `max.poll.interval.ms`).
    pub processing_ms_per_record: Ms,
}

impl Default for ConsumerApp {
    fn default() -> Self {
        ConsumerApp {
            poll_interval_ms: 100,
            mode: ProcessingMode::AutoCommit,
            processing_ms_per_record: 0,
        }
    }
}

impl ConsumerApp {
    pub fn new(mode: ProcessingMode) -> Self {
        ConsumerApp {
            mode,
            ..ConsumerApp::default()
        }
    }
}

/// A point in the application's loop where a test can have the consumer die.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Right after a non-empty batch of records was processed.
    Processed,
    /// Right after the application's `commitSync` was acknowledged.
    Committed,
}

/// One record the application processed: the consumer history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumedRecord {
    pub consumer: NodeId,
    pub group: Option<String>,
    pub tp: TopicPartition,
    pub offset: i64,
    pub value: Option<Vec<u8>>,
    pub time: Ms,
    /// Bumped each time this consumer (re)gets the partition or its position is
    /// set (seek, reset): offsets only go forward within one value.
    pub assignment_id: u32,
}

/// Where the member is in the group protocol (`MemberState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberState {
    Unjoined,
    /// JoinGroup sent (`PREPARING_REBALANCE`).
    PreparingRebalance,
    /// SyncGroup sent or the leader computing (`COMPLETING_REBALANCE`).
    CompletingRebalance,
    Stable,
}

impl MemberState {
    pub fn name(self) -> &'static str {
        match self {
            MemberState::Unjoined => "UNJOINED",
            MemberState::PreparingRebalance => "PREPARING_REBALANCE",
            MemberState::CompletingRebalance => "COMPLETING_REBALANCE",
            MemberState::Stable => "STABLE",
        }
    }
}

/// What the consumer knows of its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupState {
    pub group_id: String,
    pub coordinator: Option<NodeId>,
    pub member_id: String,
    pub generation_id: i32,
    pub protocol: Option<String>,
    pub leader: String,
    pub state: MemberState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SubscriptionType {
    None,
    Topics(FlatSet<String>),
    Pattern(String),
    User(FlatSet<TopicPartition>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Waiting for the committed offset (OffsetFetch).
    AwaitingCommitted,
    /// Waiting for a ListOffsets at this timestamp (-2, -1 or a time).
    AwaitingReset(i64),
    Valid(i64),
    /// No committed offset and `auto.offset.reset=none`.
    Undefined,
}

#[derive(Debug, Clone)]
struct PartitionState {
    position: Position,
    assignment_id: u32,
    /// No new request for this partition's position before this time.
    backoff_until: Ms,
}

/// A fetched record waiting for the application.
#[derive(Debug, Clone)]
struct BufferedRecord {
    offset: i64,
    value: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq)]
enum CommitPurpose {
    Auto,
    App,
    Close,
}

#[derive(Debug, Clone, PartialEq)]
enum RequestKind {
    Metadata,
    FindCoordinator,
    JoinGroup,
    SyncGroup,
    Heartbeat,
    LeaveGroup,
    OffsetCommit {
        offsets: Vec<(TopicPartition, i64)>,
        purpose: CommitPurpose,
    },
    OffsetFetch {
        tps: Vec<TopicPartition>,
    },
    ListOffsets {
        tps: Vec<(TopicPartition, i64)>,
    },
    Fetch {
        tps: Vec<(TopicPartition, i64)>,
    },
}

#[derive(Debug, Clone)]
struct InFlight {
    node: NodeId,
    kind: RequestKind,
}

/// The application's state between polls.
#[derive(Debug, Clone)]
enum AppState {
    Idle,
    /// Blocked in `commitSync`; `records` are processed after it succeeds
    /// (commit-before-processing) or were already processed.
    Committing {
        offsets: Vec<(TopicPartition, i64)>,
        records: Vec<(TopicPartition, BufferedRecord, u32)>,
        request_id: Option<u64>,
        started_ms: Ms,
    },
    Closed,
}

#[derive(Debug)]
pub struct Consumer {
    id: NodeId,
    config: ConsumerConfig,
    app: ConsumerApp,

    // --- metadata ---
    metadata: ClientMetadata,

    // --- subscription and positions ---
    subscription: SubscriptionType,
    /// Topics the subscription matches now (for a pattern, what metadata showed).
    subscribed_topics: FlatSet<String>,
    assignment: FlatMap<TopicPartition, PartitionState>,
    next_assignment_id: u32,
    committed: FlatMap<TopicPartition, i64>,

    // --- coordinator ---
    group: Option<GroupState>,
    rejoin_needed: bool,
    /// The member's partitions were lost (session or poll timeout): give them
    /// up without committing at the next join.
    partitions_lost: bool,
    coordinator_backoff_until: Ms,
    join_backoff_until: Ms,
    last_heartbeat_send_ms: Ms,
    last_heartbeat_recv_ms: Ms,
    /// The leader waits for metadata of every member's topics.
    pending_leader_join: Option<JoinGroupResponse>,
    /// Partition counts the leader assigned from (a change triggers a rebalance).
    assigned_partition_counts: FlatMap<String, i32>,
    /// `StickyAssignor.memberAssignment` and its generation: the last
    /// assignment the eager `sticky` assignor gave, which its subscription
    /// `userData` carries even after everything was revoked before a join.
    sticky_member_data: Option<(Vec<TopicPartition>, i32)>,

    // --- fetcher ---
    /// A B-tree: one entry per partition with fetched records, inserted and
    /// removed at every fetch, anywhere in key order.
    buffer: BTreeMap<TopicPartition, VecDeque<BufferedRecord>>,
    fetch_backoff_until: FlatMap<NodeId, Ms>,

    // --- network ---
    in_flight: FlatMap<u64, InFlight>,
    next_request_id: u64,
    wakes: FlatSet<Ms>,

    // --- application ---
    app_state: AppState,
    app_stalled: bool,
    app_busy_until: Ms,
    last_poll_ms: Ms,
    next_auto_commit_ms: Ms,
    processed: Vec<ConsumedRecord>,
    crash_after: Option<Phase>,
    halted: bool,
    /// The exception the last `poll` raised, as a Java client prints it.
    error: Option<String>,
}

impl Consumer {
    pub fn new(id: NodeId, mut config: ConsumerConfig, app: ConsumerApp, bootstrap: Vec<NodeId>) -> Self {
        if config.client_id.is_empty() {
            config.client_id = match &config.group_id {
                Some(g) => format!("consumer-{g}-{}", id - sim::FIRST_CLIENT_ID + 1),
                None => format!("consumer-{}", id - sim::FIRST_CLIENT_ID + 1),
            };
        }
        let group = config.group_id.clone().map(|group_id| GroupState {
            group_id,
            coordinator: None,
            member_id: String::new(),
            generation_id: NO_GENERATION,
            protocol: None,
            leader: String::new(),
            state: MemberState::Unjoined,
        });
        Consumer {
            id,
            app,
            metadata: ClientMetadata::new(bootstrap, false),
            subscription: SubscriptionType::None,
            subscribed_topics: FlatSet::new(),
            assignment: FlatMap::new(),
            next_assignment_id: 1,
            committed: FlatMap::new(),
            group,
            rejoin_needed: true,
            partitions_lost: false,
            coordinator_backoff_until: 0,
            join_backoff_until: 0,
            last_heartbeat_send_ms: 0,
            last_heartbeat_recv_ms: 0,
            pending_leader_join: None,
            assigned_partition_counts: FlatMap::new(),
            sticky_member_data: None,
            buffer: BTreeMap::new(),
            fetch_backoff_until: FlatMap::new(),
            in_flight: FlatMap::new(),
            next_request_id: 1,
            wakes: FlatSet::new(),
            app_state: AppState::Idle,
            app_stalled: false,
            app_busy_until: 0,
            last_poll_ms: 0,
            next_auto_commit_ms: 0,
            processed: Vec::new(),
            crash_after: None,
            halted: false,
            error: None,
            config,
        }
    }

    // ----- accessors -----

    pub fn id(&self) -> NodeId {
        self.id
    }
    pub fn config(&self) -> &ConsumerConfig {
        &self.config
    }
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }
    /// The partitions assigned now (`assignment()`).
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.assignment.keys().cloned().collect()
    }
    /// The positions of the assigned partitions that have one (`position(tp)`).
    pub fn positions(&self) -> FlatMap<TopicPartition, i64> {
        self.assignment
            .iter()
            .filter_map(|(tp, s)| match s.position {
                Position::Valid(o) => Some((tp.clone(), o)),
                _ => None,
            })
            .collect()
    }
    pub fn position(&self, tp: &TopicPartition) -> Option<i64> {
        self.positions().get(tp).copied()
    }
    /// The last committed offsets this consumer knows of (fetched or acknowledged).
    pub fn committed(&self) -> &FlatMap<TopicPartition, i64> {
        &self.committed
    }
    pub fn group_state(&self) -> Option<&GroupState> {
        self.group.as_ref()
    }
    /// The exception the application's last `poll` raised, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
    /// Records fetched and not yet returned by `poll`.
    pub fn buffered_records(&self) -> usize {
        self.buffer.values().map(VecDeque::len).sum()
    }
    /// Whether the consumer stopped itself at a crash point ([`Consumer::crash_after`]).
    pub fn is_halted(&self) -> bool {
        self.halted
    }
    /// Records processed since the last call, for the simulation's history.
    pub fn take_processed(&mut self) -> Vec<ConsumedRecord> {
        std::mem::take(&mut self.processed)
    }

    // ----- application controls -----

    /// `subscribe(topics)`.
    pub fn subscribe(&mut self, cx: &mut Ctx, topics: &[&str]) {
        let topics: FlatSet<String> = topics.iter().map(|t| t.to_string()).collect();
        self.change_subscription(cx, SubscriptionType::Topics(topics.clone()));
        self.subscribed_topics = topics;
        self.run(cx);
    }

    /// `subscribe(Pattern)`: every non-internal topic whose whole name matches.
    pub fn subscribe_pattern(&mut self, cx: &mut Ctx, pattern: &str) {
        self.change_subscription(cx, SubscriptionType::Pattern(pattern.to_string()));
        self.subscribed_topics = self.matching_topics();
        self.run(cx);
    }

    /// `assign(partitions)`: no group membership; commits (if a group.id is set)
    /// go with generation -1.
    pub fn assign(&mut self, cx: &mut Ctx, tps: &[TopicPartition]) {
        let wanted: FlatSet<TopicPartition> = tps.iter().cloned().collect();
        self.change_subscription(cx, SubscriptionType::User(wanted.clone()));
        self.subscribed_topics = wanted.iter().map(|tp| tp.topic.to_string()).collect();
        let current: FlatSet<TopicPartition> = self.assignment.keys().cloned().collect();
        let removed: Vec<TopicPartition> = current.difference(&wanted).cloned().collect();
        self.remove_partitions(&removed);
        let added: Vec<TopicPartition> = wanted.difference(&current).cloned().collect();
        self.add_partitions(&added);
        self.run(cx);
    }

    fn change_subscription(&mut self, cx: &mut Ctx, new: SubscriptionType) {
        let was_user = matches!(self.subscription, SubscriptionType::User(_));
        let is_user = matches!(new, SubscriptionType::User(_));
        if was_user != is_user {
            // Switching between assign and subscribe starts from nothing.
            let all: Vec<TopicPartition> = self.assignment.keys().cloned().collect();
            self.remove_partitions(&all);
        }
        self.subscription = new;
        self.metadata.need_update = true;
        if !is_user {
            self.request_rejoin(cx, "the subscription changed");
        }
    }

    /// `seek(tp, offset)`.
    pub fn seek(&mut self, cx: &mut Ctx, tp: &TopicPartition, offset: i64) {
        self.set_position(tp, Position::Valid(offset));
        self.run(cx);
    }
    pub fn seek_to_beginning(&mut self, cx: &mut Ctx, tp: &TopicPartition) {
        self.set_position(tp, Position::AwaitingReset(EARLIEST_TIMESTAMP));
        self.run(cx);
    }
    pub fn seek_to_end(&mut self, cx: &mut Ctx, tp: &TopicPartition) {
        self.set_position(tp, Position::AwaitingReset(LATEST_TIMESTAMP));
        self.run(cx);
    }
    /// `offsetsForTimes` and a seek to the result: the first offset whose
    /// timestamp is at least `timestamp`, or the end if there is none.
    pub fn seek_to_timestamp(&mut self, cx: &mut Ctx, tp: &TopicPartition, timestamp: i64) {
        self.set_position(tp, Position::AwaitingReset(timestamp.max(0)));
        self.run(cx);
    }

    fn set_position(&mut self, tp: &TopicPartition, position: Position) {
        let id = self.next_assignment_id;
        if let Some(s) = self.assignment.get_mut(tp) {
            s.position = position;
            s.assignment_id = id;
            s.backoff_until = 0;
            self.next_assignment_id += 1;
            self.buffer.remove(tp);
        }
    }

    /// The application stops calling `poll` (stuck processing) or starts again.
    pub fn set_app_stalled(&mut self, stalled: bool) {
        self.app_stalled = stalled;
    }

    /// Halt (the simulation then kills this consumer) right after `phase`.
    pub fn crash_after(&mut self, phase: Phase) {
        self.crash_after = Some(phase);
    }

    /// `close()`: commit (with auto-commit), leave the group, then exit.
    pub fn close(&mut self, cx: &mut Ctx) {
        if self.halted || matches!(self.app_state, AppState::Closed) {
            return;
        }
        self.app_state = AppState::Closed;
        let coordinator = self.group.as_ref().and_then(|g| g.coordinator);
        if let Some(coordinator) = coordinator {
            if self.config.enable_auto_commit && self.group_generation_valid() {
                let offsets = self.consumed_offsets();
                self.send_commit(cx, coordinator, offsets, CommitPurpose::Close);
            }
            if self.is_group_member() {
                self.send_leave(cx, "the consumer is being closed");
                return; // exit when LeaveGroup is answered
            }
        }
        cx.exit();
    }

    // ----- inputs -----

    pub fn on_start(&mut self, cx: &mut Ctx) {
        self.last_poll_ms = cx.now;
        self.next_auto_commit_ms = cx.now + self.config.auto_commit_interval_ms;
        cx.set_timer(self.app.poll_interval_ms.max(1), sim::Timer::Consumer(Timer::AppPoll));
        self.run(cx);
    }

    // Each arm first claims its request (a side effect), so no match guards.
    #[allow(clippy::collapsible_match)]
    pub fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: Message) {
        if self.halted {
            return;
        }
        match msg {
            Message::MetadataResponse { request_id, metadata } => {
                if self.take(request_id, |k| *k == RequestKind::Metadata).is_some() {
                    self.handle_metadata(cx, metadata);
                }
            }
            Message::FindCoordinatorResponse {
                request_id,
                error,
                coordinator,
            } => {
                if self.take(request_id, |k| *k == RequestKind::FindCoordinator).is_some() {
                    self.handle_find_coordinator(cx, error, coordinator);
                }
            }
            Message::JoinGroupResponse(r) => {
                if self.take(r.request_id, |k| *k == RequestKind::JoinGroup).is_some() {
                    self.handle_join(cx, r);
                }
            }
            Message::SyncGroupResponse {
                request_id,
                error,
                assignment,
            } => {
                if self.take(request_id, |k| *k == RequestKind::SyncGroup).is_some() {
                    self.handle_sync(cx, error, assignment);
                }
            }
            Message::HeartbeatResponse { request_id, error } => {
                if self.take(request_id, |k| *k == RequestKind::Heartbeat).is_some() {
                    self.handle_heartbeat(cx, error);
                }
            }
            Message::LeaveGroupResponse { request_id, .. } => {
                if self.take(request_id, |k| *k == RequestKind::LeaveGroup).is_some()
                    && matches!(self.app_state, AppState::Closed)
                {
                    cx.exit();
                    return;
                }
            }
            Message::OffsetCommitResponse { request_id, results } => {
                if let Some(r) = self.take(request_id, |k| matches!(k, RequestKind::OffsetCommit { .. })) {
                    if let RequestKind::OffsetCommit { offsets, purpose } = r.kind {
                        self.handle_commit(cx, request_id, offsets, purpose, results);
                    }
                }
            }
            Message::OffsetFetchResponse {
                request_id,
                error,
                offsets,
            } => {
                if let Some(r) = self.take(request_id, |k| matches!(k, RequestKind::OffsetFetch { .. })) {
                    if let RequestKind::OffsetFetch { tps } = r.kind {
                        self.handle_offset_fetch(cx, tps, error, offsets);
                    }
                }
            }
            Message::ListOffsetsResponse { request_id, partitions } => {
                if let Some(r) = self.take(request_id, |k| matches!(k, RequestKind::ListOffsets { .. })) {
                    if let RequestKind::ListOffsets { tps } = r.kind {
                        self.handle_list_offsets(cx, tps, partitions);
                    }
                }
            }
            Message::FetchResponse(r) => {
                if let Some(req) = self.take(r.request_id, |k| matches!(k, RequestKind::Fetch { .. })) {
                    if let RequestKind::Fetch { tps } = req.kind {
                        self.handle_fetch(cx, from, tps, r.partitions);
                    }
                }
            }
            Message::Disconnected => self.disconnect(cx, from),
            _ => {}
        }
        if !self.halted {
            self.run(cx);
        }
    }

    pub fn on_timer(&mut self, cx: &mut Ctx, timer: Timer) {
        if self.halted {
            return;
        }
        match timer {
            Timer::Wake { at } => {
                self.wakes.remove(&at);
            }
            Timer::AppPoll => {
                if matches!(self.app_state, AppState::Closed) {
                    return;
                }
                cx.set_timer(self.app.poll_interval_ms.max(1), sim::Timer::Consumer(Timer::AppPoll));
                if !self.app_stalled && cx.now >= self.app_busy_until && matches!(self.app_state, AppState::Idle) {
                    self.app_poll(cx);
                }
            }
            Timer::RequestTimeout { request_id } => {
                if let Some(r) = self.in_flight.get(&request_id) {
                    let node = r.node;
                    cx.observe(Observation::Note(format!(
                        "consumer {} request {request_id} to node {node} timed out",
                        self.id
                    )));
                    self.disconnect(cx, node);
                }
            }
        }
        if !self.halted {
            self.run(cx);
        }
    }

    // ----- the application's poll -----

    /// `KafkaConsumer.poll` and what the application does with the records.
    fn app_poll(&mut self, cx: &mut Ctx) {
        self.last_poll_ms = cx.now;
        self.coordinator_poll(cx);
        if self.assignment.values().any(|s| s.position == Position::Undefined) {
            let tps: Vec<String> = self
                .assignment
                .iter()
                .filter(|(_, s)| s.position == Position::Undefined)
                .map(|(tp, _)| tp.to_string())
                .collect();
            let text = format!(
                "{NO_OFFSET_EXCEPTION}: Undefined offset with no reset policy for partitions: [{}]",
                tps.join(", ")
            );
            if self.error.as_deref() != Some(text.as_str()) {
                cx.observe(Observation::Note(format!("consumer {} poll failed: {text}", self.id)));
            }
            self.error = Some(text);
            return;
        }
        let records = self.take_records();
        if records.is_empty() {
            return;
        }
        self.app_busy_until = cx.now + self.app.processing_ms_per_record * records.len() as i64;
        let offsets = next_offsets(&records);
        match self.app.mode {
            ProcessingMode::AutoCommit => self.process(cx, records),
            ProcessingMode::CommitAfterProcessing => {
                self.process(cx, records);
                if self.halted {
                    return;
                }
                self.commit_sync(cx, offsets, Vec::new());
            }
            ProcessingMode::CommitBeforeProcessing => self.commit_sync(cx, offsets, records),
        }
    }

    /// Up to `max.poll.records` buffered records of assigned partitions at their
    /// positions; the positions move past them.
    fn take_records(&mut self) -> Vec<(TopicPartition, BufferedRecord, u32)> {
        let mut out = Vec::new();
        let max = self.config.max_poll_records.max(1) as usize;
        let tps: Vec<TopicPartition> = self.buffer.keys().cloned().collect();
        for tp in tps {
            if out.len() >= max {
                break;
            }
            let Some(state) = self.assignment.get_mut(&tp) else {
                self.buffer.remove(&tp);
                continue;
            };
            let Position::Valid(mut position) = state.position else {
                self.buffer.remove(&tp);
                continue;
            };
            let queue = self.buffer.get_mut(&tp).expect("listed");
            while out.len() < max {
                let Some(r) = queue.pop_front() else { break };
                if r.offset < position {
                    continue;
                }
                position = r.offset + 1;
                out.push((tp.clone(), r, state.assignment_id));
            }
            state.position = Position::Valid(position);
            if queue.is_empty() {
                self.buffer.remove(&tp);
            }
        }
        out
    }

    /// "Processing": each record enters the history now.
    fn process(&mut self, cx: &mut Ctx, records: Vec<(TopicPartition, BufferedRecord, u32)>) {
        if records.is_empty() {
            return;
        }
        let group = self.config.group_id.clone();
        for (tp, r, assignment_id) in records {
            self.processed.push(ConsumedRecord {
                consumer: self.id,
                group: group.clone(),
                tp,
                offset: r.offset,
                value: r.value,
                time: cx.now,
                assignment_id,
            });
        }
        self.maybe_crash(Phase::Processed);
    }

    fn maybe_crash(&mut self, phase: Phase) {
        if self.crash_after == Some(phase) {
            self.halted = true;
        }
    }

    /// `commitSync`: the application blocks until the commit is answered.
    fn commit_sync(
        &mut self,
        cx: &mut Ctx,
        offsets: Vec<(TopicPartition, i64)>,
        records: Vec<(TopicPartition, BufferedRecord, u32)>,
    ) {
        if self.config.group_id.is_none() {
            // Kafka: InvalidGroupIdException; nothing to commit to.
            self.process(cx, records);
            return;
        }
        self.app_state = AppState::Committing {
            offsets,
            records,
            request_id: None,
            started_ms: cx.now,
        };
        self.maybe_send_app_commit(cx);
    }

    fn maybe_send_app_commit(&mut self, cx: &mut Ctx) {
        let AppState::Committing {
            offsets,
            request_id: None,
            started_ms,
            ..
        } = &self.app_state
        else {
            return;
        };
        if cx.now >= started_ms + self.config.default_api_timeout_ms {
            let text = format!(
                "org.apache.kafka.common.errors.TimeoutException: Timeout of {}ms expired before successfully committing offsets {}",
                self.config.default_api_timeout_ms,
                show_offsets(offsets)
            );
            self.finish_app_commit(cx, Err(text));
            return;
        }
        let Some(coordinator) = self.group.as_ref().and_then(|g| g.coordinator) else {
            return;
        };
        let offsets = offsets.clone();
        let id = self.send_commit(cx, coordinator, offsets, CommitPurpose::App);
        if let AppState::Committing { request_id, .. } = &mut self.app_state {
            *request_id = Some(id);
        }
    }

    fn finish_app_commit(&mut self, cx: &mut Ctx, result: Result<(), String>) {
        let AppState::Committing { records, .. } = std::mem::replace(&mut self.app_state, AppState::Idle) else {
            return;
        };
        match result {
            Ok(()) => {
                self.maybe_crash(Phase::Committed);
                if self.halted {
                    return;
                }
                self.process(cx, records);
            }
            Err(text) => {
                if !records.is_empty() {
                    cx.observe(Observation::Note(format!(
                        "consumer {} commitSync failed, {} records not processed: {text}",
                        self.id,
                        records.len()
                    )));
                } else {
                    cx.observe(Observation::Note(format!(
                        "consumer {} commitSync failed: {text}",
                        self.id
                    )));
                }
                self.error = Some(text);
            }
        }
    }

    /// `ConsumerCoordinator.poll`: auto-commit when due, (re)join when needed.
    fn coordinator_poll(&mut self, cx: &mut Ctx) {
        if self.group.is_none() {
            return;
        }
        if self.config.enable_auto_commit && cx.now >= self.next_auto_commit_ms {
            self.next_auto_commit_ms = cx.now + self.config.auto_commit_interval_ms;
            if let Some(coordinator) = self.group.as_ref().and_then(|g| g.coordinator) {
                let offsets = self.consumed_offsets();
                if !offsets.is_empty() && (self.group_generation_valid() || self.is_user_assigned()) {
                    self.send_commit(cx, coordinator, offsets, CommitPurpose::Auto);
                }
            }
        }
        if self.is_auto_subscribed() && self.rejoin_needed && self.can_join(cx.now) {
            self.join_prepare(cx);
            self.send_join(cx);
        }
    }

    // ----- group membership -----

    fn is_auto_subscribed(&self) -> bool {
        matches!(
            self.subscription,
            SubscriptionType::Topics(_) | SubscriptionType::Pattern(_)
        ) && self.group.is_some()
    }

    fn is_user_assigned(&self) -> bool {
        matches!(self.subscription, SubscriptionType::User(_))
    }

    /// The rebalance protocol, as `ConsumerCoordinator` fixes it at start: the
    /// highest one every configured assignor supports. So `[cooperative-sticky,
    /// range]` rebalances eagerly even when the group chose
    /// `cooperative-sticky` (the first step of Kafka's two-bounce upgrade).
    fn is_cooperative(&self) -> bool {
        let strategies = &self.config.partition_assignment_strategy;
        !strategies.is_empty() && strategies.iter().all(|s| assignor::is_cooperative(s))
    }

    fn group_generation_valid(&self) -> bool {
        self.group.as_ref().is_some_and(|g| g.generation_id >= 0)
    }

    fn is_group_member(&self) -> bool {
        self.group.as_ref().is_some_and(|g| !g.member_id.is_empty())
    }

    fn can_join(&self, now: Ms) -> bool {
        let Some(g) = &self.group else { return false };
        g.coordinator.is_some()
            && matches!(g.state, MemberState::Unjoined | MemberState::Stable)
            && now >= self.join_backoff_until
            && !self.subscribed_topics.is_empty()
            && self.metadata.last_success_ms.is_some()
    }

    fn request_rejoin(&mut self, cx: &mut Ctx, reason: &str) {
        if self.group.is_some() && !self.rejoin_needed {
            cx.observe(Observation::Note(format!(
                "consumer {} requests a rejoin: {reason}",
                self.id
            )));
        }
        self.rejoin_needed = true;
    }

    /// `resetStateAndRejoin`: a new member id (if `forget_member`) and no generation.
    fn reset_generation(&mut self, forget_member: bool) {
        if let Some(g) = &mut self.group {
            g.generation_id = NO_GENERATION;
            g.protocol = None;
            g.leader.clear();
            g.state = MemberState::Unjoined;
            if forget_member {
                g.member_id.clear();
            }
        }
        self.partitions_lost = true;
        self.rejoin_needed = true;
    }

    /// `onJoinPrepare`: commit (auto-commit) and revoke, or lose the partitions.
    fn join_prepare(&mut self, cx: &mut Ctx) {
        let owned: Vec<TopicPartition> = self.assignment.keys().cloned().collect();
        if self.partitions_lost || !self.group_generation_valid() {
            if !owned.is_empty() {
                cx.observe(Observation::Note(format!(
                    "consumer {} lost partitions [{}]",
                    self.id,
                    show_tps(&owned)
                )));
                self.remove_partitions(&owned);
            }
            self.partitions_lost = false;
            return;
        }
        if self.config.enable_auto_commit {
            let offsets = self.consumed_offsets();
            let coordinator = self.group.as_ref().and_then(|g| g.coordinator);
            if let (false, Some(c)) = (offsets.is_empty(), coordinator) {
                self.send_commit(cx, c, offsets, CommitPurpose::Auto);
            }
        }
        let revoked: Vec<TopicPartition> = if self.is_cooperative() {
            // Only partitions of topics no longer subscribed.
            owned
                .into_iter()
                .filter(|tp| !self.subscribed_topics.contains(tp.topic.as_str()))
                .collect()
        } else {
            owned
        };
        if !revoked.is_empty() {
            cx.observe(Observation::Note(format!(
                "consumer {} revoked partitions [{}]",
                self.id,
                show_tps(&revoked)
            )));
            self.remove_partitions(&revoked);
        }
    }

    fn send_join(&mut self, cx: &mut Ctx) {
        let Some(g) = &self.group else { return };
        let Some(coordinator) = g.coordinator else { return };
        // `ConsumerCoordinator.metadata()`: one subscription per assignor, with
        // the partitions still owned (none after an eager revocation) and the
        // generation. The eager `sticky` assignor's `userData` instead carries
        // its last assignment and that assignment's generation
        // (`StickyAssignor.subscriptionUserData`), which is how it stays
        // sticky although everything was revoked before the join.
        let subscription = Subscription {
            topics: self.subscribed_topics.iter().cloned().collect(),
            owned_partitions: self.assignment.keys().cloned().collect(),
            generation_id: g.generation_id,
        };
        let protocols = self
            .config
            .partition_assignment_strategy
            .iter()
            .map(|name| {
                if name != assignor::STICKY {
                    return (name.clone(), subscription.clone());
                }
                let (owned_partitions, generation_id) =
                    self.sticky_member_data.clone().unwrap_or((Vec::new(), NO_GENERATION));
                let sticky = Subscription {
                    owned_partitions,
                    generation_id,
                    ..subscription.clone()
                };
                (name.clone(), sticky)
            })
            .collect();
        let request = JoinGroupRequest {
            request_id: 0,
            group_id: g.group_id.clone(),
            member_id: g.member_id.clone(),
            client_id: self.config.client_id.clone(),
            session_timeout_ms: self.config.session_timeout_ms,
            rebalance_timeout_ms: self.config.max_poll_interval_ms,
            protocol_type: "consumer".to_string(),
            protocols,
        };
        let request_id = self.start_request(cx, coordinator, RequestKind::JoinGroup, self.join_timeout());
        if let Some(g) = &mut self.group {
            g.state = MemberState::PreparingRebalance;
        }
        self.rejoin_needed = false;
        cx.send(
            coordinator,
            Message::JoinGroup(JoinGroupRequest { request_id, ..request }),
        );
    }

    /// A JoinGroup waits up to the rebalance timeout at the coordinator
    /// (`max.poll.interval.ms` plus 5 s in Kafka's client).
    fn join_timeout(&self) -> Ms {
        self.config.max_poll_interval_ms.max(self.config.request_timeout_ms) + 5_000
    }

    fn handle_join(&mut self, cx: &mut Ctx, r: JoinGroupResponse) {
        use KafkaError::*;
        let backoff = self.config.retry_backoff_ms;
        match r.error {
            None => {
                let Some(g) = &mut self.group else { return };
                g.member_id = r.member_id.clone();
                g.generation_id = r.generation_id;
                g.protocol = Some(r.protocol_name.clone());
                g.leader = r.leader.clone();
                g.state = MemberState::CompletingRebalance;
                self.last_heartbeat_recv_ms = cx.now;
                self.last_heartbeat_send_ms = cx.now;
                cx.observe(Observation::Note(format!(
                    "consumer {} joined group {} generation {} as {}{} protocol {}",
                    self.id,
                    g.group_id,
                    r.generation_id,
                    r.member_id,
                    if r.leader == r.member_id { " (leader)" } else { "" },
                    r.protocol_name
                )));
                if r.leader == r.member_id {
                    self.pending_leader_join = Some(r);
                    self.maybe_complete_leader_assignment(cx);
                } else {
                    self.send_sync(cx, Vec::new());
                }
            }
            Some(MemberIdRequired) => {
                if let Some(g) = &mut self.group {
                    g.member_id = r.member_id;
                    g.state = MemberState::Unjoined;
                }
                self.send_join(cx);
            }
            Some(UnknownMemberId) => {
                self.reset_generation(true);
                self.join_backoff_until = cx.now + backoff;
            }
            Some(IllegalGeneration) => {
                self.reset_generation(false);
                self.join_backoff_until = cx.now + backoff;
            }
            Some(e @ (CoordinatorNotAvailable | NotCoordinator)) => {
                self.coordinator_unknown(cx, e.name());
                self.unjoined_rejoin(cx.now + backoff);
            }
            Some(e @ (InconsistentGroupProtocol | InvalidSessionTimeout | InvalidGroupId)) => {
                let text = format!("{}: {}", e.exception_class(), e.message());
                cx.observe(Observation::Note(format!("consumer {} join failed: {text}", self.id)));
                self.error = Some(text);
                self.unjoined_rejoin(cx.now + self.config.max_poll_interval_ms);
            }
            Some(_) => self.unjoined_rejoin(cx.now + backoff),
        }
    }

    fn unjoined_rejoin(&mut self, not_before: Ms) {
        if let Some(g) = &mut self.group {
            g.state = MemberState::Unjoined;
        }
        self.rejoin_needed = true;
        self.join_backoff_until = not_before;
    }

    /// The leader assigns once its metadata covers every member's topics.
    fn maybe_complete_leader_assignment(&mut self, cx: &mut Ctx) {
        let Some(r) = &self.pending_leader_join else { return };
        let all_topics: FlatSet<String> = r.members.iter().flat_map(|(_, s)| s.topics.iter().cloned()).collect();
        let unknown: Vec<&String> = all_topics
            .iter()
            .filter(|t| !self.metadata.topics.contains_key(*t))
            .collect();
        if !unknown.is_empty() {
            self.metadata.need_update = true;
            return;
        }
        let r = self.pending_leader_join.take().expect("checked");
        let mut partitions_per_topic = FlatMap::new();
        for t in &all_topics {
            if let Some(view) = self
                .metadata
                .topics
                .get(t)
                .filter(|v| v.error.is_none() && !v.partitions.is_empty())
            {
                partitions_per_topic.insert(t.clone(), view.partitions.len() as i32);
            }
        }
        let subscriptions: FlatMap<String, Subscription> = r.members.iter().cloned().collect();
        let assignments = match assignor::assign(&r.protocol_name, &partitions_per_topic, &subscriptions) {
            Ok(a) => a,
            Err(e) => {
                cx.observe(Observation::Note(format!(
                    "consumer {} assignor {} failed: {e}",
                    self.id, r.protocol_name
                )));
                FlatMap::new()
            }
        };
        let mut lines = Vec::new();
        let mut sync = Vec::new();
        for member in subscriptions.keys() {
            let partitions = assignments.get(member).cloned().unwrap_or_default();
            lines.push(format!("{member}=[{}]", show_tps(&partitions)));
            sync.push((member.clone(), Assignment { partitions }));
        }
        cx.observe(Observation::Note(format!(
            "consumer {} (leader) assigned with {}: {}",
            self.id,
            r.protocol_name,
            lines.join(" ")
        )));
        self.assigned_partition_counts = partitions_per_topic;
        self.send_sync(cx, sync);
    }

    fn send_sync(&mut self, cx: &mut Ctx, assignments: Vec<(String, Assignment)>) {
        let Some(g) = &self.group else { return };
        let Some(coordinator) = g.coordinator else {
            self.unjoined_rejoin(cx.now);
            return;
        };
        let request = SyncGroupRequest {
            request_id: 0,
            group_id: g.group_id.clone(),
            generation_id: g.generation_id,
            member_id: g.member_id.clone(),
            assignments,
        };
        let request_id = self.start_request(cx, coordinator, RequestKind::SyncGroup, self.join_timeout());
        cx.send(
            coordinator,
            Message::SyncGroup(SyncGroupRequest { request_id, ..request }),
        );
    }

    fn handle_sync(&mut self, cx: &mut Ctx, error: Option<KafkaError>, assignment: Assignment) {
        use KafkaError::*;
        let backoff = self.config.retry_backoff_ms;
        match error {
            None => {
                let Some(g) = &mut self.group else { return };
                g.state = MemberState::Stable;
                let (group_id, generation) = (g.group_id.clone(), g.generation_id);
                self.last_heartbeat_send_ms = cx.now;
                self.last_heartbeat_recv_ms = cx.now;
                self.join_complete(cx, &group_id, generation, assignment.partitions);
            }
            Some(RebalanceInProgress) => {
                self.unjoined_rejoin(cx.now);
            }
            Some(UnknownMemberId) => {
                self.reset_generation(true);
                self.join_backoff_until = cx.now + backoff;
            }
            Some(IllegalGeneration) => {
                self.reset_generation(false);
                self.join_backoff_until = cx.now + backoff;
            }
            Some(e @ (CoordinatorNotAvailable | NotCoordinator)) => {
                self.coordinator_unknown(cx, e.name());
                self.unjoined_rejoin(cx.now + backoff);
            }
            Some(_) => self.unjoined_rejoin(cx.now + backoff),
        }
    }

    /// `onJoinComplete`.
    fn join_complete(&mut self, cx: &mut Ctx, group_id: &str, generation: i32, partitions: Vec<TopicPartition>) {
        let assigned: FlatSet<TopicPartition> = partitions.into_iter().collect();
        let owned: FlatSet<TopicPartition> = self.assignment.keys().cloned().collect();
        let revoked: Vec<TopicPartition> = owned.difference(&assigned).cloned().collect();
        let added: Vec<TopicPartition> = assigned.difference(&owned).cloned().collect();
        cx.observe(Observation::Note(format!(
            "consumer {} assigned [{}] in group {group_id} generation {generation}",
            self.id,
            show_tps(&assigned.iter().cloned().collect::<Vec<_>>())
        )));
        if !revoked.is_empty() {
            cx.observe(Observation::Note(format!(
                "consumer {} revoked partitions [{}]",
                self.id,
                show_tps(&revoked)
            )));
            self.remove_partitions(&revoked);
            if self.is_cooperative() {
                // The second phase: the revoked partitions can now go elsewhere.
                self.request_rejoin(cx, "partitions were revoked in a cooperative rebalance");
            }
        }
        self.add_partitions(&added);
        // `assignor.onAssignment` of the assignor the group chose.
        let protocol = self.group.as_ref().and_then(|g| g.protocol.as_deref());
        if protocol == Some(assignor::STICKY) {
            self.sticky_member_data = Some((assigned.into_iter().collect(), generation));
        }
    }

    fn add_partitions(&mut self, tps: &[TopicPartition]) {
        for tp in tps {
            let position = if self.config.group_id.is_some() {
                Position::AwaitingCommitted
            } else {
                self.reset_position()
            };
            let id = self.next_assignment_id;
            self.next_assignment_id += 1;
            self.assignment.insert(
                tp.clone(),
                PartitionState {
                    position,
                    assignment_id: id,
                    backoff_until: 0,
                },
            );
        }
    }

    fn remove_partitions(&mut self, tps: &[TopicPartition]) {
        for tp in tps {
            self.assignment.remove(tp);
            self.buffer.remove(tp);
        }
    }

    /// The position `auto.offset.reset` asks for.
    fn reset_position(&self) -> Position {
        match self.config.auto_offset_reset.as_str() {
            "earliest" => Position::AwaitingReset(EARLIEST_TIMESTAMP),
            "latest" => Position::AwaitingReset(LATEST_TIMESTAMP),
            _ => Position::Undefined,
        }
    }

    fn send_heartbeat(&mut self, cx: &mut Ctx) {
        let Some(g) = &self.group else { return };
        let Some(coordinator) = g.coordinator else { return };
        let (group_id, generation_id, member_id) = (g.group_id.clone(), g.generation_id, g.member_id.clone());
        let request_id = self.start_request(cx, coordinator, RequestKind::Heartbeat, self.config.request_timeout_ms);
        self.last_heartbeat_send_ms = cx.now;
        cx.send(
            coordinator,
            Message::Heartbeat {
                request_id,
                group_id,
                generation_id,
                member_id,
            },
        );
    }

    fn handle_heartbeat(&mut self, cx: &mut Ctx, error: Option<KafkaError>) {
        use KafkaError::*;
        self.last_heartbeat_recv_ms = cx.now;
        let stable = self.group.as_ref().is_some_and(|g| g.state == MemberState::Stable);
        match error {
            None => {}
            Some(RebalanceInProgress) if stable => {
                self.request_rejoin(cx, "the group is rebalancing (heartbeat REBALANCE_IN_PROGRESS)");
            }
            Some(UnknownMemberId) => {
                cx.observe(Observation::Note(format!(
                    "consumer {} heartbeat UNKNOWN_MEMBER_ID: resetting and rejoining",
                    self.id
                )));
                self.reset_generation(true);
            }
            Some(IllegalGeneration) => {
                cx.observe(Observation::Note(format!(
                    "consumer {} heartbeat ILLEGAL_GENERATION: resetting and rejoining",
                    self.id
                )));
                self.reset_generation(false);
            }
            Some(e @ (CoordinatorNotAvailable | NotCoordinator)) => self.coordinator_unknown(cx, e.name()),
            Some(_) => {}
        }
    }

    /// `maybeLeaveGroup`.
    fn send_leave(&mut self, cx: &mut Ctx, reason: &str) {
        let Some(g) = &self.group else { return };
        let (Some(coordinator), false) = (g.coordinator, g.member_id.is_empty()) else {
            return;
        };
        cx.observe(Observation::Note(format!(
            "consumer {} leaves group {} ({reason})",
            self.id, g.group_id
        )));
        let (group_id, member_id) = (g.group_id.clone(), g.member_id.clone());
        let request_id = self.start_request(cx, coordinator, RequestKind::LeaveGroup, self.config.request_timeout_ms);
        cx.send(
            coordinator,
            Message::LeaveGroup {
                request_id,
                group_id,
                member_id,
            },
        );
        self.reset_generation(true);
        self.cancel_group_requests(false);
    }

    fn handle_find_coordinator(&mut self, cx: &mut Ctx, error: Option<KafkaError>, coordinator: NodeId) {
        match (error, coordinator) {
            (None, c) if c >= 0 => {
                if let Some(g) = &mut self.group {
                    g.coordinator = Some(c);
                    cx.observe(Observation::Note(format!(
                        "consumer {} discovered coordinator {c} for group {}",
                        self.id, g.group_id
                    )));
                }
                self.last_heartbeat_recv_ms = cx.now;
                self.maybe_send_app_commit(cx);
            }
            _ => self.coordinator_backoff_until = cx.now + self.config.retry_backoff_ms,
        }
    }

    /// `markCoordinatorUnknown`: requests to it are abandoned, rediscovery follows.
    fn coordinator_unknown(&mut self, cx: &mut Ctx, reason: &str) {
        let Some(g) = &mut self.group else { return };
        let Some(old) = g.coordinator.take() else { return };
        cx.observe(Observation::Note(format!(
            "consumer {} marks coordinator {old} unknown ({reason})",
            self.id
        )));
        self.coordinator_backoff_until = cx.now + self.config.retry_backoff_ms;
        self.cancel_group_requests(true);
    }

    /// Forgets group requests in flight; joins in progress start over.
    fn cancel_group_requests(&mut self, retry_commit: bool) {
        let ids: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, r)| {
                matches!(
                    r.kind,
                    RequestKind::JoinGroup
                        | RequestKind::SyncGroup
                        | RequestKind::Heartbeat
                        | RequestKind::OffsetCommit { .. }
                        | RequestKind::OffsetFetch { .. }
                )
            })
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let r = self.in_flight.remove(&id).expect("listed");
            match r.kind {
                RequestKind::JoinGroup | RequestKind::SyncGroup => {
                    if let Some(g) = &mut self.group {
                        if g.state != MemberState::Stable {
                            g.state = MemberState::Unjoined;
                        }
                    }
                    self.pending_leader_join = None;
                    self.rejoin_needed = true;
                }
                RequestKind::OffsetCommit {
                    purpose: CommitPurpose::App,
                    ..
                } if retry_commit => {
                    if let AppState::Committing { request_id, .. } = &mut self.app_state {
                        if *request_id == Some(id) {
                            *request_id = None;
                        }
                    }
                }
                _ => {}
            }
        }
        if self.pending_leader_join.is_some() {
            self.pending_leader_join = None;
            self.rejoin_needed = true;
            if let Some(g) = &mut self.group {
                g.state = MemberState::Unjoined;
            }
        }
    }

    // ----- offsets -----

    /// `subscriptions.allConsumed()`: the positions of the assigned partitions.
    fn consumed_offsets(&self) -> Vec<(TopicPartition, i64)> {
        self.positions()
            .into_iter()
            .filter(|(tp, o)| self.committed.get(tp) != Some(o))
            .collect()
    }

    fn send_commit(
        &mut self,
        cx: &mut Ctx,
        coordinator: NodeId,
        offsets: Vec<(TopicPartition, i64)>,
        purpose: CommitPurpose,
    ) -> u64 {
        let (group_id, generation_id, member_id) = match &self.group {
            Some(g) if !self.is_user_assigned() => (g.group_id.clone(), g.generation_id, g.member_id.clone()),
            Some(g) => (g.group_id.clone(), NO_GENERATION, String::new()),
            None => return 0,
        };
        let request_id = self.start_request(
            cx,
            coordinator,
            RequestKind::OffsetCommit {
                offsets: offsets.clone(),
                purpose,
            },
            self.config.request_timeout_ms,
        );
        cx.send(
            coordinator,
            Message::OffsetCommit {
                request_id,
                group_id,
                generation_id,
                member_id,
                offsets,
            },
        );
        request_id
    }

    fn handle_commit(
        &mut self,
        cx: &mut Ctx,
        request_id: u64,
        offsets: Vec<(TopicPartition, i64)>,
        purpose: CommitPurpose,
        results: Vec<(TopicPartition, Option<KafkaError>)>,
    ) {
        use KafkaError::*;
        let mut first_error = None;
        for (tp, offset) in &offsets {
            let error = results.iter().find(|(t, _)| t == tp).and_then(|(_, e)| *e);
            match error {
                None => {
                    self.committed.insert(tp.clone(), *offset);
                }
                Some(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let is_app = purpose == CommitPurpose::App
            && matches!(self.app_state, AppState::Committing { request_id: Some(id), .. } if id == request_id);
        let Some(e) = first_error else {
            cx.observe(Observation::Note(format!(
                "consumer {} committed {}",
                self.id,
                show_offsets(&offsets)
            )));
            if is_app {
                self.finish_app_commit(cx, Ok(()));
            }
            return;
        };
        cx.observe(Observation::Note(format!(
            "consumer {} commit of {} failed: {e}",
            self.id,
            show_offsets(&offsets)
        )));
        let retriable = matches!(
            e,
            CoordinatorNotAvailable | NotCoordinator | CoordinatorLoadInProgress | RequestTimedOut
        );
        match e {
            CoordinatorNotAvailable | NotCoordinator | RequestTimedOut => self.coordinator_unknown(cx, e.name()),
            UnknownMemberId => self.reset_generation(true),
            IllegalGeneration => self.reset_generation(false),
            RebalanceInProgress => self.request_rejoin(cx, "a commit met REBALANCE_IN_PROGRESS"),
            _ => {}
        }
        if !is_app {
            return;
        }
        if retriable {
            if let AppState::Committing { request_id, .. } = &mut self.app_state {
                *request_id = None;
            }
            return; // sent again once a coordinator is known (run)
        }
        let text = match e {
            UnknownMemberId | IllegalGeneration | RebalanceInProgress => format!(
                "{COMMIT_FAILED_EXCEPTION}: Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member. This means that the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time message processing. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records."
            ),
            e => format!("{}: {}", e.exception_class(), e.message()),
        };
        self.finish_app_commit(cx, Err(text));
    }

    fn handle_offset_fetch(
        &mut self,
        cx: &mut Ctx,
        tps: Vec<TopicPartition>,
        error: Option<KafkaError>,
        offsets: Vec<(TopicPartition, i64)>,
    ) {
        if let Some(e) = error {
            if matches!(e, KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable) {
                self.coordinator_unknown(cx, e.name());
            }
            for tp in &tps {
                if let Some(s) = self.assignment.get_mut(tp) {
                    s.backoff_until = cx.now + self.config.retry_backoff_ms;
                }
            }
            return;
        }
        let reset = self.reset_position();
        for tp in tps {
            let committed = offsets.iter().find(|(t, _)| *t == tp).map_or(-1, |(_, o)| *o);
            let Some(s) = self.assignment.get_mut(&tp) else {
                continue;
            };
            if s.position != Position::AwaitingCommitted {
                continue;
            }
            if committed >= 0 {
                self.committed.insert(tp.clone(), committed);
                s.position = Position::Valid(committed);
                cx.observe(Observation::Note(format!(
                    "consumer {} starts {tp} at committed offset {committed}",
                    self.id
                )));
            } else {
                s.position = reset;
                if reset == Position::Undefined {
                    cx.observe(Observation::Note(format!(
                        "consumer {} has no committed offset for {tp} and no reset policy",
                        self.id
                    )));
                }
            }
        }
    }

    fn handle_list_offsets(
        &mut self,
        cx: &mut Ctx,
        tps: Vec<(TopicPartition, i64)>,
        partitions: Vec<ListOffsetsPartition>,
    ) {
        for (tp, timestamp) in tps {
            let Some(s) = self.assignment.get_mut(&tp) else {
                continue;
            };
            if s.position != Position::AwaitingReset(timestamp) {
                continue;
            }
            match partitions.iter().find(|p| p.tp == tp) {
                Some(p) if p.error.is_none() => {
                    if p.offset >= 0 {
                        s.position = Position::Valid(p.offset);
                        cx.observe(Observation::Note(format!(
                            "consumer {} resets {tp} to offset {} ({})",
                            self.id,
                            p.offset,
                            timestamp_name(timestamp)
                        )));
                    } else {
                        // No record at or after the timestamp: offsetsForTimes gives
                        // null, and a seek to it goes to the end.
                        s.position = Position::AwaitingReset(LATEST_TIMESTAMP);
                    }
                }
                Some(p) => {
                    s.backoff_until = cx.now + self.config.retry_backoff_ms;
                    if p.error.is_some_and(crate::producer::is_invalid_metadata) {
                        self.metadata.need_update = true;
                    }
                }
                None => s.backoff_until = cx.now + self.config.retry_backoff_ms,
            }
        }
    }

    // ----- fetching -----

    fn handle_fetch(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        sent: Vec<(TopicPartition, i64)>,
        parts: Vec<FetchResponsePartition>,
    ) {
        for part in parts {
            let Some(&(_, fetch_offset)) = sent.iter().find(|(tp, _)| *tp == part.tp) else {
                continue;
            };
            let Some(state) = self.assignment.get_mut(&part.tp) else {
                continue;
            };
            if state.position != Position::Valid(fetch_offset) || self.buffer.contains_key(&part.tp) {
                continue; // the position moved (seek, reset) since the fetch went out
            }
            match part.error {
                None => {}
                Some(KafkaError::OffsetOutOfRange) => {
                    let reset = match self.config.auto_offset_reset.as_str() {
                        "earliest" => Position::AwaitingReset(EARLIEST_TIMESTAMP),
                        "latest" => Position::AwaitingReset(LATEST_TIMESTAMP),
                        _ => Position::Undefined,
                    };
                    cx.observe(Observation::Note(format!(
                        "consumer {} fetch offset {fetch_offset} is out of range for {}, resetting ({})",
                        self.id, part.tp, self.config.auto_offset_reset
                    )));
                    state.position = reset;
                    state.assignment_id = self.next_assignment_id;
                    self.next_assignment_id += 1;
                    continue;
                }
                Some(e) => {
                    if crate::producer::is_invalid_metadata(e) {
                        self.metadata.need_update = true;
                    }
                    self.fetch_backoff_until
                        .insert(from, cx.now + self.config.retry_backoff_ms);
                    continue;
                }
            }
            let mut records = VecDeque::new();
            let mut next_offset = fetch_offset;
            let mut corrupt = None;
            for batch in BatchIter::new(&part.records, part.records.len(), true) {
                let batch = match batch {
                    Ok((_, b)) => b,
                    Err(e) => {
                        corrupt = Some(e.to_string());
                        break;
                    }
                };
                if batch.is_control() {
                    next_offset = next_offset.max(batch.next_offset());
                    continue;
                }
                match batch.records() {
                    Ok(rs) => {
                        for r in rs {
                            if r.offset >= fetch_offset {
                                records.push_back(BufferedRecord {
                                    offset: r.offset,
                                    value: r.value,
                                });
                            }
                        }
                        next_offset = next_offset.max(batch.next_offset());
                    }
                    Err(e) => {
                        corrupt = Some(e.to_string());
                        break;
                    }
                }
            }
            if let Some(e) = corrupt {
                cx.observe(Observation::Note(format!(
                    "consumer {} got a corrupt batch for {} at offset {next_offset}: {e}",
                    self.id, part.tp
                )));
                self.fetch_backoff_until
                    .insert(from, cx.now + self.config.retry_backoff_ms);
            }
            if records.is_empty() {
                // Everything was below the position (or compacted away): skip ahead.
                if next_offset > fetch_offset {
                    state.position = Position::Valid(next_offset);
                }
            } else {
                self.buffer.insert(part.tp.clone(), records);
            }
        }
    }

    fn leader_for(&self, tp: &TopicPartition) -> Option<(NodeId, i32)> {
        self.metadata.leader_for(tp)
    }

    fn send_fetches(&mut self, cx: &mut Ctx) {
        let busy: FlatSet<NodeId> = self
            .in_flight
            .values()
            .filter(|r| matches!(r.kind, RequestKind::Fetch { .. }))
            .map(|r| r.node)
            .collect();
        let mut per_node: FlatMap<NodeId, Vec<FetchPartition>> = FlatMap::new();
        let mut missing_leader = false;
        for (tp, s) in &self.assignment {
            let Position::Valid(offset) = s.position else { continue };
            if self.buffer.contains_key(tp) {
                continue;
            }
            let Some((leader, epoch)) = self.leader_for(tp) else {
                missing_leader = true;
                continue;
            };
            if busy.contains(&leader) || self.fetch_backoff_until.get(&leader).is_some_and(|t| cx.now < *t) {
                continue;
            }
            per_node.entry(leader).or_default().push(FetchPartition {
                tp: tp.clone(),
                current_leader_epoch: epoch,
                fetch_offset: offset,
                last_fetched_epoch: -1,
                max_bytes: self.config.max_partition_fetch_bytes,
            });
        }
        if missing_leader {
            self.metadata.need_update = true;
        }
        for (node, partitions) in per_node {
            let tps = partitions.iter().map(|p| (p.tp.clone(), p.fetch_offset)).collect();
            let timeout = self
                .config
                .request_timeout_ms
                .max(self.config.fetch_max_wait_ms + 1_000);
            let request_id = self.start_request(cx, node, RequestKind::Fetch { tps }, timeout);
            cx.send(
                node,
                Message::Fetch(FetchRequest {
                    replica: -1,
                    request_id,
                    max_wait_ms: self.config.fetch_max_wait_ms,
                    partitions,
                }),
            );
        }
    }

    /// OffsetFetch for partitions that need their committed offset, ListOffsets
    /// for partitions that need a reset.
    fn update_positions(&mut self, cx: &mut Ctx) {
        let now = cx.now;
        let in_flight_tps: FlatSet<TopicPartition> = self
            .in_flight
            .values()
            .flat_map(|r| match &r.kind {
                RequestKind::OffsetFetch { tps } => tps.clone(),
                RequestKind::ListOffsets { tps } => tps.iter().map(|(tp, _)| tp.clone()).collect(),
                _ => Vec::new(),
            })
            .collect();
        let ready = |tp: &TopicPartition, s: &PartitionState| !in_flight_tps.contains(tp) && now >= s.backoff_until;
        let need_committed: Vec<TopicPartition> = self
            .assignment
            .iter()
            .filter(|(tp, s)| s.position == Position::AwaitingCommitted && ready(tp, s))
            .map(|(tp, _)| tp.clone())
            .collect();
        if !need_committed.is_empty() {
            if let Some((coordinator, group_id)) = self
                .group
                .as_ref()
                .and_then(|g| g.coordinator.map(|c| (c, g.group_id.clone())))
            {
                let request_id = self.start_request(
                    cx,
                    coordinator,
                    RequestKind::OffsetFetch {
                        tps: need_committed.clone(),
                    },
                    self.config.request_timeout_ms,
                );
                cx.send(
                    coordinator,
                    Message::OffsetFetch {
                        request_id,
                        group_id,
                        partitions: Some(need_committed),
                    },
                );
            }
        }
        let mut per_node: FlatMap<NodeId, Vec<(TopicPartition, i64)>> = FlatMap::new();
        for (tp, s) in &self.assignment {
            let Position::AwaitingReset(timestamp) = s.position else {
                continue;
            };
            if !ready(tp, s) {
                continue;
            }
            match self.leader_for(tp) {
                Some((leader, _)) => per_node.entry(leader).or_default().push((tp.clone(), timestamp)),
                None => self.metadata.need_update = true,
            }
        }
        for (node, tps) in per_node {
            let request_id = self.start_request(
                cx,
                node,
                RequestKind::ListOffsets { tps: tps.clone() },
                self.config.request_timeout_ms,
            );
            cx.send(
                node,
                Message::ListOffsets {
                    request_id,
                    partitions: tps,
                },
            );
        }
    }

    // ----- metadata -----

    fn matching_topics(&self) -> FlatSet<String> {
        let SubscriptionType::Pattern(p) = &self.subscription else {
            return self.subscribed_topics.clone();
        };
        let Ok(re) = regex_lite::Regex::new(&format!("^(?:{p})$")) else {
            return FlatSet::new();
        };
        self.metadata
            .topics
            .values()
            .filter(|t| t.error.is_none() && !t.name.starts_with("__") && re.is_match(&t.name))
            .map(|t| t.name.clone())
            .collect()
    }

    fn handle_metadata(&mut self, cx: &mut Ctx, metadata: ClusterMetadataView) {
        self.metadata.update_succeeded(cx.now, &metadata.brokers);
        if matches!(self.subscription, SubscriptionType::Pattern(_)) {
            self.metadata.topics.clear();
        }
        for t in metadata.topics {
            if t.error.is_some() {
                self.metadata.topics.remove(&t.name);
                continue;
            }
            self.metadata.topics.insert(t.name.clone(), t);
        }
        if matches!(self.subscription, SubscriptionType::Pattern(_)) {
            let matched = self.matching_topics();
            if matched != self.subscribed_topics {
                self.subscribed_topics = matched;
                self.request_rejoin(cx, "the pattern matches other topics now");
            }
        }
        // The leader watches the partition counts it assigned from.
        let is_leader = self
            .group
            .as_ref()
            .is_some_and(|g| g.state == MemberState::Stable && !g.leader.is_empty() && g.leader == g.member_id);
        if is_leader {
            let changed = self.assigned_partition_counts.iter().any(|(t, n)| {
                self.metadata
                    .topics
                    .get(t)
                    .is_some_and(|v| v.partitions.len() as i32 != *n)
            });
            if changed {
                self.request_rejoin(cx, "the partition count of a subscribed topic changed");
            }
        }
        self.maybe_complete_leader_assignment(cx);
    }

    fn request_node(&self) -> Option<NodeId> {
        self.metadata.request_node()
    }

    fn wanted_topics(&self) -> Option<Vec<String>> {
        if matches!(self.subscription, SubscriptionType::Pattern(_)) {
            return None;
        }
        let mut topics = self.subscribed_topics.clone();
        if let Some(r) = &self.pending_leader_join {
            topics.extend(r.members.iter().flat_map(|(_, s)| s.topics.iter().cloned()));
        }
        Some(topics.into_iter().collect())
    }

    fn maybe_update_metadata(&mut self, cx: &mut Ctx) {
        if matches!(self.subscription, SubscriptionType::None) {
            return;
        }
        if self.in_flight.values().any(|r| r.kind == RequestKind::Metadata) {
            return;
        }
        let (max_age, backoff) = (self.config.metadata_max_age_ms, self.config.retry_backoff_ms);
        if !self.metadata.update_due(cx.now, max_age, backoff) {
            return;
        }
        let Some(node) = self.request_node() else { return };
        let topics = self.wanted_topics();
        let request_id = self.start_request(cx, node, RequestKind::Metadata, self.config.request_timeout_ms);
        self.metadata.last_attempt_ms = Some(cx.now);
        cx.send(node, Message::MetadataRequest { request_id, topics });
    }

    fn maybe_find_coordinator(&mut self, cx: &mut Ctx) {
        let Some(g) = &self.group else { return };
        if g.coordinator.is_some() || matches!(self.subscription, SubscriptionType::None) {
            return;
        }
        if cx.now < self.coordinator_backoff_until
            || self.in_flight.values().any(|r| r.kind == RequestKind::FindCoordinator)
        {
            return;
        }
        let Some(node) = self.request_node() else { return };
        let group_id = g.group_id.clone();
        let request_id = self.start_request(cx, node, RequestKind::FindCoordinator, self.config.request_timeout_ms);
        cx.send(node, Message::FindCoordinator { request_id, group_id });
    }

    // ----- background work -----

    /// Everything due now (the network client and the heartbeat thread), then
    /// the next wake-up.
    fn run(&mut self, cx: &mut Ctx) {
        if self.halted || matches!(self.app_state, AppState::Closed) {
            return;
        }
        self.maybe_update_metadata(cx);
        self.maybe_find_coordinator(cx);
        self.heartbeat_work(cx);
        self.maybe_send_app_commit(cx);
        self.update_positions(cx);
        self.send_fetches(cx);
        self.schedule_wake(cx);
    }

    fn heartbeat_work(&mut self, cx: &mut Ctx) {
        let Some(g) = &self.group else { return };
        let member = matches!(g.state, MemberState::CompletingRebalance | MemberState::Stable);
        if !member || g.coordinator.is_none() {
            return;
        }
        if cx.now - self.last_poll_ms > self.config.max_poll_interval_ms {
            cx.observe(Observation::Note(format!("consumer {}: {POLL_TIMEOUT_TEXT}", self.id)));
            self.send_leave(cx, "consumer poll timeout has expired");
            return;
        }
        if cx.now - self.last_heartbeat_recv_ms > self.config.session_timeout_ms {
            self.coordinator_unknown(cx, "session timed out without a heartbeat response");
            return;
        }
        let heartbeat_in_flight = self.in_flight.values().any(|r| r.kind == RequestKind::Heartbeat);
        if !heartbeat_in_flight && cx.now >= self.last_heartbeat_send_ms + self.config.heartbeat_interval_ms {
            self.send_heartbeat(cx);
        }
    }

    fn schedule_wake(&mut self, cx: &mut Ctx) {
        let mut next: Vec<Ms> = Vec::new();
        if let Some(g) = &self.group {
            if matches!(g.state, MemberState::CompletingRebalance | MemberState::Stable) && g.coordinator.is_some() {
                next.push(self.last_heartbeat_send_ms + self.config.heartbeat_interval_ms);
                next.push(self.last_poll_ms + self.config.max_poll_interval_ms + 1);
                next.push(self.last_heartbeat_recv_ms + self.config.session_timeout_ms + 1);
            }
            if g.coordinator.is_none() {
                next.push(self.coordinator_backoff_until);
            }
        }
        if self.metadata.need_update {
            if let Some(t) = self.metadata.last_attempt_ms {
                next.push(t + self.config.retry_backoff_ms);
            }
        }
        if let Some(t) = self.metadata.last_success_ms {
            next.push(t + self.config.metadata_max_age_ms);
        }
        next.extend(self.assignment.values().map(|s| s.backoff_until));
        next.extend(self.fetch_backoff_until.values().copied());
        let Some(at) = next.into_iter().filter(|t| *t > cx.now).min() else {
            return;
        };
        if self.wakes.iter().any(|w| *w <= at) {
            return; // an earlier wake-up will reschedule
        }
        self.wakes.insert(at);
        cx.set_timer(at - cx.now, sim::Timer::Consumer(Timer::Wake { at }));
    }

    // ----- requests -----

    fn start_request(&mut self, cx: &mut Ctx, node: NodeId, kind: RequestKind, timeout_ms: Ms) -> u64 {
        let request_id = self.next_request_id;
        self.next_request_id += 1;
        self.in_flight.insert(request_id, InFlight { node, kind });
        cx.set_timer(timeout_ms, sim::Timer::Consumer(Timer::RequestTimeout { request_id }));
        request_id
    }

    fn take(&mut self, request_id: u64, kind: impl Fn(&RequestKind) -> bool) -> Option<InFlight> {
        if self.in_flight.get(&request_id).is_some_and(|r| kind(&r.kind)) {
            self.in_flight.remove(&request_id)
        } else {
            None
        }
    }

    /// The connection to `node` is gone: every request in flight to it fails.
    fn disconnect(&mut self, cx: &mut Ctx, node: NodeId) {
        let ids: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, r)| r.node == node)
            .map(|(id, _)| *id)
            .collect();
        if ids.is_empty() {
            return;
        }
        self.metadata.node_failed(node);
        let is_coordinator = self.group.as_ref().and_then(|g| g.coordinator) == Some(node);
        if is_coordinator {
            self.coordinator_unknown(cx, "the connection was reset");
        }
        for id in ids {
            let Some(r) = self.in_flight.remove(&id) else { continue };
            match r.kind {
                RequestKind::FindCoordinator => self.coordinator_backoff_until = cx.now + self.config.retry_backoff_ms,
                RequestKind::Fetch { .. } => {
                    self.fetch_backoff_until
                        .insert(node, cx.now + self.config.retry_backoff_ms);
                }
                RequestKind::ListOffsets { tps } => {
                    for (tp, _) in tps {
                        if let Some(s) = self.assignment.get_mut(&tp) {
                            s.backoff_until = cx.now + self.config.retry_backoff_ms;
                        }
                    }
                }
                RequestKind::LeaveGroup if matches!(self.app_state, AppState::Closed) => cx.exit(),
                _ => {}
            }
        }
    }
}

/// The offsets to commit after `records`: the next offset per partition.
fn next_offsets(records: &[(TopicPartition, BufferedRecord, u32)]) -> Vec<(TopicPartition, i64)> {
    let mut out: FlatMap<TopicPartition, i64> = FlatMap::new();
    for (tp, r, _) in records {
        let e = out.entry(tp.clone()).or_insert(r.offset + 1);
        *e = (*e).max(r.offset + 1);
    }
    out.into_iter().collect()
}

fn show_tps(tps: &[TopicPartition]) -> String {
    tps.iter().map(|tp| tp.to_string()).collect::<Vec<_>>().join(", ")
}

fn show_offsets(offsets: &[(TopicPartition, i64)]) -> String {
    let parts: Vec<String> = offsets.iter().map(|(tp, o)| format!("{tp}={o}")).collect();
    format!("{{{}}}", parts.join(", "))
}

fn timestamp_name(t: i64) -> String {
    match t {
        EARLIEST_TIMESTAMP => "earliest".to_string(),
        LATEST_TIMESTAMP => "latest".to_string(),
        t => format!("timestamp {t}"),
    }
}
