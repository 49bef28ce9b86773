//! The group coordinator of the classic consumer group protocol, and the
//! offsets it keeps (`GroupCoordinator`, `GroupMetadata`, `GroupMetadataManager`
//! in core's `kafka.coordinator.group`; `ClassicGroup`, `GroupMetadataManager`
//! and `OffsetMetadataManager` in the group-coordinator module).
//!
//! - A broker coordinates the groups whose `__consumer_offsets` partition
//!   (`group_partition(group, offsets.topic.num.partitions)`) it leads. When it
//!   becomes leader of such a partition it loads the groups and offsets by
//!   replaying the partition's records ([`GroupCoordinator::load`]); when it
//!   loses the leadership it unloads them, and requests get `NOT_COORDINATOR`.
//! - Groups go through Kafka's states `Empty`, `PreparingRebalance`,
//!   `CompletingRebalance`, `Stable` and `Dead`: JoinGroup (with
//!   `MEMBER_ID_REQUIRED` first), the join phase bounded by the rebalance
//!   timeout (an `Empty` group waits `group.initial.rebalance.delay.ms` as
//!   `InitialDelayedJoin` does), SyncGroup, heartbeats and session timeouts,
//!   pending-sync expiry, LeaveGroup, DeleteGroup.
//! - Group metadata and offsets are records in the offsets partition, with
//!   Kafka's keys and values (`OffsetCommitKey` v1, `OffsetCommitValue` v3,
//!   `GroupMetadataKey` v2, `GroupMetadataValue` v3, with
//!   `ConsumerProtocolSubscription`/`Assignment` v3 inside), appended as leader
//!   and answered only when the high watermark passes them
//!   (`offsets.commit.required.acks = -1`). Compaction keeps the latest per key;
//!   deletions are tombstones.
//!
//! Deviations: loading is instant (`COORDINATOR_LOAD_IN_PROGRESS` never shows);
//! a new leader replays its whole log (to its log end offset, as core's loader
//! does), not only what is below its high watermark; offsets never expire
//! (`offsets.retention.minutes`); there are no static members
//! (`group.instance.id`) and no transactional commits; every client's host is
//! [`CLIENT_HOST`].

use kafkaplay_flatmap::{FlatMap, FlatSet};

use kafkaplay_log::{BatchBuilder, MemoryStore, NewRecord, PartitionLog};

use crate::assignor;
use crate::config::BrokerConfig;
use crate::error::KafkaError;
use crate::protocol::{
    Assignment, GroupDescription, GroupListing, GroupMember, JoinGroupRequest, JoinGroupResponse, Message,
    Subscription, SyncGroupRequest,
};
use crate::sim::{self, Ctx};
use crate::trace::Observation;
use crate::types::{Ms, NodeId, TopicPartition};

/// `Topic.GROUP_METADATA_TOPIC_NAME`.
pub const GROUP_METADATA_TOPIC_NAME: &str = "__consumer_offsets";
/// `Topic.TRANSACTION_STATE_TOPIC_NAME`.
pub const TRANSACTION_STATE_TOPIC_NAME: &str = "__transaction_state";
/// `GroupCoordinator.NewMemberJoinTimeoutMs`: how long a new member may take
/// to join before it is dropped.
pub const NEW_MEMBER_JOIN_TIMEOUT_MS: Ms = 300_000;
/// The host every member appears to connect from (`clientHost`).
pub const CLIENT_HOST: &str = "/127.0.0.1";

/// `Topic.isInternal`: the topics `--exclude-internal` hides.
pub fn is_internal_topic(name: &str) -> bool {
    name == GROUP_METADATA_TOPIC_NAME || name == TRANSACTION_STATE_TOPIC_NAME
}

/// The coordinator's timers (inside the broker's).
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// `DelayedHeartbeat`: a member's session (or a pending member's join) ran out.
    MemberExpiry { group: String, member: String, nonce: u64 },
    /// `DelayedJoin` / `InitialDelayedJoin` expired.
    Join { group: String, nonce: u64 },
    /// `DelayedSync`: members that joined but never sent SyncGroup.
    PendingSync { group: String, nonce: u64 },
    /// A record append did not reach the high watermark in time.
    WriteTimeout { id: u64 },
}

/// `GroupState` / `ClassicGroupState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    /// The name Kafka prints (`kafka-consumer-groups --describe --state`).
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

/// Where to send a delayed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reply {
    to: NodeId,
    request_id: u64,
}

/// `MemberMetadata`.
#[derive(Debug, Clone)]
struct Member {
    id: String,
    client_id: String,
    client_host: String,
    session_timeout_ms: i64,
    rebalance_timeout_ms: i64,
    protocols: Vec<(String, Subscription)>,
    assignment: Assignment,
    awaiting_join: Option<Reply>,
    awaiting_sync: Option<Reply>,
    is_new: bool,
    /// The latest scheduled expiry; older timers are void.
    heartbeat_nonce: u64,
}

impl Member {
    fn subscription(&self, protocol: &str) -> Subscription {
        self.protocols
            .iter()
            .find(|(n, _)| n == protocol)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy)]
struct DelayedJoin {
    nonce: u64,
    /// `InitialDelayedJoin`: waits its whole delay even when everyone joined.
    initial: bool,
    remaining_ms: Ms,
}

/// `GroupMetadata` / `ClassicGroup`, with its committed offsets.
#[derive(Debug, Clone)]
struct Group {
    id: String,
    partition: i32,
    state: GroupState,
    generation_id: i32,
    protocol_type: Option<String>,
    protocol_name: Option<String>,
    leader_id: Option<String>,
    /// In the order they joined.
    members: Vec<Member>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, and their expiry nonce.
    pending_members: FlatMap<String, u64>,
    pending_sync: FlatSet<String>,
    pending_sync_nonce: u64,
    new_member_added: bool,
    join: Option<DelayedJoin>,
    offsets: FlatMap<TopicPartition, i64>,
}

impl Group {
    fn new(id: &str, partition: i32) -> Self {
        Group {
            id: id.to_string(),
            partition,
            state: GroupState::Empty,
            generation_id: 0,
            protocol_type: None,
            protocol_name: None,
            leader_id: None,
            members: Vec::new(),
            pending_members: FlatMap::new(),
            pending_sync: FlatSet::new(),
            pending_sync_nonce: 0,
            new_member_added: false,
            join: None,
            offsets: FlatMap::new(),
        }
    }

    fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    fn member_mut(&mut self, id: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.id == id)
    }

    fn has(&self, id: &str) -> bool {
        self.member(id).is_some()
    }

    fn is_leader(&self, id: &str) -> bool {
        self.leader_id.as_deref() == Some(id)
    }

    /// `rebalanceTimeoutMs`: the largest of the members'.
    fn rebalance_timeout_ms(&self) -> i64 {
        self.members.iter().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0)
    }

    /// `hasAllMembersJoined`.
    fn has_all_members_joined(&self) -> bool {
        self.members.iter().all(|m| m.awaiting_join.is_some()) && self.pending_members.is_empty()
    }

    /// `supportsProtocols`.
    fn supports_protocols(&self, protocol_type: &str, protocols: &[(String, Subscription)]) -> bool {
        if self.state == GroupState::Empty && self.members.is_empty() {
            return !protocol_type.is_empty() && !protocols.is_empty();
        }
        self.protocol_type.as_deref() == Some(protocol_type)
            && protocols
                .iter()
                .any(|(name, _)| self.members.iter().all(|m| m.protocols.iter().any(|(n, _)| n == name)))
    }

    /// `selectProtocol`, through the assignor module's vote.
    fn select_protocol(&self) -> Option<String> {
        let prefs: Vec<Vec<String>> = self
            .members
            .iter()
            .map(|m| m.protocols.iter().map(|(n, _)| n.clone()).collect())
            .collect();
        assignor::select_protocol(&prefs)
    }

    /// `currentMemberMetadata`: what the leader gets in its JoinGroup response.
    fn member_subscriptions(&self) -> Vec<(String, Subscription)> {
        let protocol = self.protocol_name.clone().unwrap_or_default();
        self.members
            .iter()
            .map(|m| (m.id.clone(), m.subscription(&protocol)))
            .collect()
    }

    fn remove(&mut self, id: &str) -> Option<Member> {
        let i = self.members.iter().position(|m| m.id == id)?;
        let m = self.members.remove(i);
        self.pending_sync.remove(id);
        if self.is_leader(id) {
            self.leader_id = self.members.first().map(|m| m.id.clone());
        }
        Some(m)
    }
}

/// What a pending append completes.
#[derive(Debug, Clone)]
enum WriteKind {
    OffsetCommit {
        reply: Reply,
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// The leader's SyncGroup: the assignment of this generation.
    SyncAssignment {
        group: String,
        generation_id: i32,
        assignments: FlatMap<String, Assignment>,
    },
    DeleteGroup {
        reply: Reply,
    },
    /// OffsetDelete: the per-partition results to send once written.
    OffsetDelete {
        reply: Reply,
        results: Vec<(TopicPartition, Option<KafkaError>)>,
    },
    /// Nobody waits (an empty group's new generation).
    Store,
}

#[derive(Debug, Clone)]
struct PendingWrite {
    partition: i32,
    leader_epoch: i32,
    required_offset: i64,
    kind: WriteKind,
}

/// The coordinator's access to the offsets partitions it leads.
pub trait OffsetsLog {
    /// Appends a batch to `__consumer_offsets-partition` as its leader; returns
    /// the leader epoch and the offset the high watermark must reach.
    fn append(&mut self, partition: i32, batch: &[u8], now: Ms) -> Result<(i32, i64), KafkaError>;
    /// The partition's high watermark while this broker still leads it in
    /// `leader_epoch`; `None` once it does not.
    fn high_watermark(&self, partition: i32, leader_epoch: i32) -> Option<i64>;
}

/// The log of a partition this broker no longer leads.
struct NoLog;

impl OffsetsLog for NoLog {
    fn append(&mut self, _: i32, _: &[u8], _: Ms) -> Result<(i32, i64), KafkaError> {
        Err(KafkaError::NotLeaderOrFollower)
    }
    fn high_watermark(&self, _: i32, _: i32) -> Option<i64> {
        None
    }
}

/// Settings from `server.properties`.
#[derive(Debug, Clone, PartialEq)]
struct Settings {
    partitions: i32,
    commit_timeout_ms: i64,
    initial_rebalance_delay_ms: i64,
    min_session_timeout_ms: i64,
    max_session_timeout_ms: i64,
}

/// The group coordinator of one broker.
#[derive(Debug)]
pub struct GroupCoordinator {
    broker: NodeId,
    settings: Settings,
    /// Offsets partitions loaded (led by this broker), with their leader epoch.
    loaded: FlatMap<i32, i32>,
    groups: FlatMap<String, Group>,
    writes: FlatMap<u64, PendingWrite>,
    next_id: u64,
}

impl GroupCoordinator {
    pub fn new(broker: NodeId, config: &BrokerConfig) -> Self {
        GroupCoordinator {
            broker,
            settings: Settings {
                partitions: config.offsets_topic_num_partitions.max(1),
                commit_timeout_ms: config.offsets_commit_timeout_ms,
                initial_rebalance_delay_ms: config.group_initial_rebalance_delay_ms,
                min_session_timeout_ms: config.group_min_session_timeout_ms,
                max_session_timeout_ms: config.group_max_session_timeout_ms,
            },
            loaded: FlatMap::new(),
            groups: FlatMap::new(),
            writes: FlatMap::new(),
            next_id: 1,
        }
    }

    /// `partitionFor`: the `__consumer_offsets` partition of a group.
    pub fn partition_for(&self, group_id: &str) -> i32 {
        assignor::group_partition(group_id, self.settings.partitions)
    }

    /// The offsets partitions this broker coordinates, with their leader epochs.
    pub fn loaded_partitions(&self) -> &FlatMap<i32, i32> {
        &self.loaded
    }

    fn is_coordinator_for(&self, group_id: &str) -> bool {
        self.loaded.contains_key(&self.partition_for(group_id))
    }

    fn nonce(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    // ----- loading and unloading -----

    /// `onElection` / `loadGroupsAndOffsets`: replays the partition's records.
    pub fn load(&mut self, cx: &mut Ctx, partition: i32, leader_epoch: i32, log: &PartitionLog<MemoryStore>) {
        self.unload(cx, partition);
        self.loaded.insert(partition, leader_epoch);
        let mut groups: FlatMap<String, Group> = FlatMap::new();
        let mut offsets_read = 0u32;
        for (_, batch) in log.batches() {
            if batch.is_control() {
                continue;
            }
            let Ok(records) = batch.records() else { continue };
            for r in records {
                let Some(key) = r.key.as_deref().and_then(decode_key) else {
                    continue;
                };
                match key {
                    RecordKey::Offset { group, tp } => {
                        let g = groups
                            .entry(group.clone())
                            .or_insert_with(|| Group::new(&group, partition));
                        match r.value.as_deref().and_then(decode_offset_value) {
                            Some(offset) => {
                                g.offsets.insert(tp, offset);
                                offsets_read += 1;
                            }
                            None => {
                                g.offsets.remove(&tp);
                            }
                        }
                    }
                    RecordKey::Group { group } => match r.value.as_deref().and_then(decode_group_value) {
                        Some(v) => {
                            let offsets = groups.remove(&group).map(|g| g.offsets).unwrap_or_default();
                            let mut g = v.into_group(&group, partition);
                            g.offsets = offsets;
                            groups.insert(group, g);
                        }
                        None => {
                            // A deleted group: its offsets were tombstoned with it.
                            groups.remove(&group);
                        }
                    },
                }
            }
        }
        let loaded = groups.len();
        for (id, mut g) in groups {
            if g.members.is_empty() && g.offsets.is_empty() && g.generation_id == 0 {
                continue;
            }
            for m in g.members.iter_mut() {
                self.next_id += 1;
                m.heartbeat_nonce = self.next_id;
                cx.set_timer(
                    m.session_timeout_ms,
                    sim::Timer::Broker(super::Timer::Coordinator(Timer::MemberExpiry {
                        group: id.clone(),
                        member: m.id.clone(),
                        nonce: m.heartbeat_nonce,
                    })),
                );
            }
            observe_state(cx, &g);
            self.groups.insert(id, g);
        }
        cx.observe(Observation::Note(format!(
            "broker {} loaded {loaded} groups and {offsets_read} offset records from {GROUP_METADATA_TOPIC_NAME}-{partition} (epoch {leader_epoch})",
            self.broker
        )));
    }

    /// `onResignation` / `removeGroupsForPartition`: the partition is no longer
    /// led here; waiting members get `NOT_COORDINATOR`.
    pub fn unload(&mut self, cx: &mut Ctx, partition: i32) {
        if self.loaded.remove(&partition).is_none() {
            return;
        }
        let ids: Vec<String> = self
            .groups
            .iter()
            .filter(|(_, g)| g.partition == partition)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            let g = self.groups.remove(id).expect("listed");
            for m in &g.members {
                if let Some(r) = m.awaiting_join {
                    send_join_error(cx, r, &m.id, KafkaError::NotCoordinator);
                }
                if let Some(r) = m.awaiting_sync {
                    send_sync(cx, r, Some(KafkaError::NotCoordinator), Assignment::default());
                }
            }
        }
        let failed: Vec<u64> = self
            .writes
            .iter()
            .filter(|(_, w)| w.partition == partition)
            .map(|(id, _)| *id)
            .collect();
        for id in failed {
            let w = self.writes.remove(&id).expect("listed");
            self.fail_write(cx, w, KafkaError::NotLeaderOrFollower, &mut NoLog);
        }
        cx.observe(Observation::Note(format!(
            "broker {} unloaded {} groups of {GROUP_METADATA_TOPIC_NAME}-{partition}",
            self.broker,
            ids.len()
        )));
    }

    // ----- requests -----

    /// Handles a group or offset request; other messages are ignored.
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    pub fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: Message, log: &mut dyn OffsetsLog) {
        match msg {
            Message::JoinGroup(req) => self.on_join_group(cx, from, req, log),
            Message::SyncGroup(req) => self.on_sync_group(cx, from, req, log),
            Message::Heartbeat {
                request_id,
                group_id,
                generation_id,
                member_id,
            } => {
                let error = self.on_heartbeat(cx, &group_id, generation_id, &member_id);
                cx.send(from, Message::HeartbeatResponse { request_id, error });
            }
            Message::LeaveGroup {
                request_id,
                group_id,
                member_id,
            } => {
                let error = self.on_leave_group(cx, &group_id, &member_id, log);
                cx.send(from, Message::LeaveGroupResponse { request_id, error });
            }
            Message::OffsetCommit {
                request_id,
                group_id,
                generation_id,
                member_id,
                offsets,
            } => {
                let reply = Reply { to: from, request_id };
                self.on_offset_commit(cx, reply, &group_id, generation_id, &member_id, offsets, log);
            }
            Message::OffsetFetch {
                request_id,
                group_id,
                partitions,
            } => {
                let (error, offsets) = self.offset_fetch(&group_id, partitions);
                cx.send(
                    from,
                    Message::OffsetFetchResponse {
                        request_id,
                        error,
                        offsets,
                    },
                );
            }
            Message::ListGroups { request_id } => {
                cx.send(
                    from,
                    Message::ListGroupsResponse {
                        request_id,
                        groups: self.list_groups(),
                    },
                );
            }
            Message::DescribeGroup { request_id, group_id } => {
                let (error, group) = self.describe_group(&group_id);
                cx.send(
                    from,
                    Message::DescribeGroupResponse {
                        request_id,
                        error,
                        group,
                    },
                );
            }
            Message::OffsetDelete {
                request_id,
                group_id,
                partitions,
            } => {
                let reply = Reply { to: from, request_id };
                self.on_offset_delete(cx, reply, &group_id, partitions, log);
            }
            Message::DeleteGroup { request_id, group_id } => {
                let reply = Reply { to: from, request_id };
                if let Err(e) = self.on_delete_group(cx, reply, &group_id, log) {
                    cx.send(
                        from,
                        Message::DeleteGroupResponse {
                            request_id,
                            error: Some(e),
                        },
                    );
                }
            }
            _ => {}
        }
    }

    /// `handleJoinGroup`.
    fn on_join_group(&mut self, cx: &mut Ctx, from: NodeId, req: JoinGroupRequest, log: &mut dyn OffsetsLog) {
        let reply = Reply {
            to: from,
            request_id: req.request_id,
        };
        if req.group_id.is_empty() {
            return send_join_error(cx, reply, &req.member_id, KafkaError::InvalidGroupId);
        }
        if !self.is_coordinator_for(&req.group_id) {
            return send_join_error(cx, reply, &req.member_id, KafkaError::NotCoordinator);
        }
        let s = &self.settings;
        if req.session_timeout_ms < s.min_session_timeout_ms || req.session_timeout_ms > s.max_session_timeout_ms {
            return send_join_error(cx, reply, &req.member_id, KafkaError::InvalidSessionTimeout);
        }
        let unknown = req.member_id.is_empty();
        if !self.groups.contains_key(&req.group_id) {
            if !unknown {
                return send_join_error(cx, reply, &req.member_id, KafkaError::UnknownMemberId);
            }
            let partition = self.partition_for(&req.group_id);
            self.groups
                .insert(req.group_id.clone(), Group::new(&req.group_id, partition));
        }
        let g = self.groups.get(&req.group_id).expect("ensured");
        if g.state == GroupState::Dead {
            return send_join_error(cx, reply, &req.member_id, KafkaError::CoordinatorNotAvailable);
        }
        if !g.supports_protocols(&req.protocol_type, &req.protocols) {
            return send_join_error(cx, reply, &req.member_id, KafkaError::InconsistentGroupProtocol);
        }
        if unknown {
            // `doNewMemberJoinGroup` (KIP-394): hand out an id, expect a rejoin with it.
            let member_id = format!("{}-{}", req.client_id, random_uuid(cx));
            let nonce = self.nonce();
            let g = self.groups.get_mut(&req.group_id).expect("ensured");
            g.pending_members.insert(member_id.clone(), nonce);
            cx.set_timer(
                req.session_timeout_ms,
                coordinator_timer(Timer::MemberExpiry {
                    group: req.group_id.clone(),
                    member: member_id.clone(),
                    nonce,
                }),
            );
            return send_join_error(cx, reply, &member_id, KafkaError::MemberIdRequired);
        }
        let group_id = req.group_id.clone();
        if g.pending_members.contains_key(&req.member_id) {
            self.add_member_and_rebalance(cx, reply, req, log);
            return;
        }
        let Some(member) = g.member(&req.member_id) else {
            return send_join_error(cx, reply, &req.member_id, KafkaError::UnknownMemberId);
        };
        let same = member.protocols == req.protocols;
        let is_leader = g.is_leader(&req.member_id);
        match g.state {
            GroupState::PreparingRebalance => self.update_member_and_rebalance(cx, reply, req, log),
            GroupState::CompletingRebalance if same => {
                // It missed the JoinGroup response: send this generation again.
                send_join_current(cx, reply, g, &req.member_id);
            }
            GroupState::CompletingRebalance => self.update_member_and_rebalance(cx, reply, req, log),
            GroupState::Stable if is_leader || !same => self.update_member_and_rebalance(cx, reply, req, log),
            GroupState::Stable => {
                send_join_current(cx, reply, g, &req.member_id);
                self.schedule_heartbeat(cx, &group_id, &req.member_id);
            }
            GroupState::Empty | GroupState::Dead => {
                send_join_error(cx, reply, &req.member_id, KafkaError::UnknownMemberId)
            }
        }
    }

    /// `addMemberAndRebalance`.
    fn add_member_and_rebalance(
        &mut self,
        cx: &mut Ctx,
        reply: Reply,
        req: JoinGroupRequest,
        log: &mut dyn OffsetsLog,
    ) {
        let nonce = self.nonce();
        let g = self.groups.get_mut(&req.group_id).expect("exists");
        g.pending_members.remove(&req.member_id);
        if g.state == GroupState::PreparingRebalance && g.generation_id == 0 {
            g.new_member_added = true;
        }
        if g.members.is_empty() {
            g.protocol_type = Some(req.protocol_type.clone());
        }
        if g.leader_id.is_none() {
            g.leader_id = Some(req.member_id.clone());
        }
        g.members.push(Member {
            id: req.member_id.clone(),
            client_id: req.client_id.clone(),
            client_host: CLIENT_HOST.to_string(),
            session_timeout_ms: req.session_timeout_ms,
            rebalance_timeout_ms: req.rebalance_timeout_ms,
            protocols: req.protocols.clone(),
            assignment: Assignment::default(),
            awaiting_join: Some(reply),
            awaiting_sync: None,
            is_new: true,
            heartbeat_nonce: nonce,
        });
        cx.set_timer(
            NEW_MEMBER_JOIN_TIMEOUT_MS,
            coordinator_timer(Timer::MemberExpiry {
                group: req.group_id.clone(),
                member: req.member_id.clone(),
                nonce,
            }),
        );
        let reason = format!("Adding new member {} with group instance id None", req.member_id);
        self.maybe_prepare_rebalance(cx, &req.group_id, &reason, log);
        self.try_complete_join(cx, &req.group_id, log);
    }

    /// `updateMemberAndRebalance`.
    fn update_member_and_rebalance(
        &mut self,
        cx: &mut Ctx,
        reply: Reply,
        req: JoinGroupRequest,
        log: &mut dyn OffsetsLog,
    ) {
        let g = self.groups.get_mut(&req.group_id).expect("exists");
        let state = g.state;
        let m = g.member_mut(&req.member_id).expect("member");
        m.protocols = req.protocols.clone();
        m.session_timeout_ms = req.session_timeout_ms;
        m.rebalance_timeout_ms = req.rebalance_timeout_ms;
        m.client_id = req.client_id.clone();
        m.awaiting_join = Some(reply);
        let reason = format!("Updating metadata for member {} during {}", req.member_id, state.name());
        self.maybe_prepare_rebalance(cx, &req.group_id, &reason, log);
        self.try_complete_join(cx, &req.group_id, log);
    }

    /// `maybePrepareRebalance`: only from Stable, CompletingRebalance or Empty.
    fn maybe_prepare_rebalance(&mut self, cx: &mut Ctx, group_id: &str, reason: &str, log: &mut dyn OffsetsLog) {
        let Some(g) = self.groups.get(group_id) else { return };
        if matches!(
            g.state,
            GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty
        ) {
            self.prepare_rebalance(cx, group_id, reason, log);
        }
    }

    /// `prepareRebalance`.
    fn prepare_rebalance(&mut self, cx: &mut Ctx, group_id: &str, reason: &str, log: &mut dyn OffsetsLog) {
        let nonce = self.nonce();
        let initial_delay = self.settings.initial_rebalance_delay_ms;
        let g = self.groups.get_mut(group_id).expect("exists");
        if g.state == GroupState::CompletingRebalance {
            reset_and_propagate_assignment_error(cx, g, KafkaError::RebalanceInProgress);
        }
        g.pending_sync.clear();
        let rebalance_timeout = g.rebalance_timeout_ms();
        let (join, delay) = if g.state == GroupState::Empty {
            let delay = initial_delay;
            (
                DelayedJoin {
                    nonce,
                    initial: true,
                    remaining_ms: (rebalance_timeout - delay).max(0),
                },
                delay,
            )
        } else {
            (
                DelayedJoin {
                    nonce,
                    initial: false,
                    remaining_ms: 0,
                },
                rebalance_timeout,
            )
        };
        g.join = Some(join);
        g.state = GroupState::PreparingRebalance;
        cx.observe(Observation::Note(format!(
            "Preparing to rebalance group {group_id} in state PreparingRebalance with old generation {} \
             ({GROUP_METADATA_TOPIC_NAME}-{}) (reason: {reason})",
            g.generation_id, g.partition
        )));
        observe_state(cx, g);
        cx.set_timer(
            delay,
            coordinator_timer(Timer::Join {
                group: group_id.to_string(),
                nonce,
            }),
        );
        self.try_complete_join(cx, group_id, log);
    }

    /// `DelayedJoin.tryComplete`.
    fn try_complete_join(&mut self, cx: &mut Ctx, group_id: &str, log: &mut dyn OffsetsLog) {
        let Some(g) = self.groups.get(group_id) else { return };
        let ready = g.state == GroupState::PreparingRebalance
            && g.join.is_some_and(|j| !j.initial)
            && g.has_all_members_joined();
        if ready {
            self.complete_join(cx, group_id, log);
        }
    }

    /// `onCompleteJoin`.
    fn complete_join(&mut self, cx: &mut Ctx, group_id: &str, log: &mut dyn OffsetsLog) {
        let Some(g) = self.groups.get_mut(group_id) else { return };
        if g.state != GroupState::PreparingRebalance {
            return;
        }
        g.join = None;
        g.new_member_added = false;
        let missing: Vec<String> = g
            .members
            .iter()
            .filter(|m| m.awaiting_join.is_none())
            .map(|m| m.id.clone())
            .collect();
        for id in missing {
            cx.observe(Observation::Note(format!(
                "Member {id} in group {group_id} has failed, removing it from the group (did not rejoin in time)"
            )));
            g.remove(&id);
        }
        // `initNextGeneration`.
        g.generation_id += 1;
        if g.members.is_empty() {
            g.protocol_name = None;
            g.state = GroupState::Empty;
            observe_state(cx, g);
            self.store_group(cx, group_id, None, WriteKind::Store, log);
            return;
        }
        g.protocol_name = g.select_protocol();
        g.state = GroupState::CompletingRebalance;
        observe_state(cx, g);
        let generation_id = g.generation_id;
        let subscriptions = g.member_subscriptions();
        let protocol_name = g.protocol_name.clone().unwrap_or_default();
        let leader = g.leader_id.clone().unwrap_or_default();
        let mut members = Vec::new();
        for m in g.members.iter_mut() {
            if let Some(r) = m.awaiting_join.take() {
                cx.send(
                    r.to,
                    Message::JoinGroupResponse(JoinGroupResponse {
                        request_id: r.request_id,
                        error: None,
                        generation_id,
                        protocol_name: protocol_name.clone(),
                        leader: leader.clone(),
                        member_id: m.id.clone(),
                        members: if m.id == leader {
                            subscriptions.clone()
                        } else {
                            Vec::new()
                        },
                    }),
                );
            }
            m.is_new = false;
            members.push(m.id.clone());
        }
        g.pending_sync = members.iter().cloned().collect();
        let rebalance_timeout = g.rebalance_timeout_ms();
        let sync_nonce = self.nonce();
        let g = self.groups.get_mut(group_id).expect("exists");
        g.pending_sync_nonce = sync_nonce;
        cx.set_timer(
            rebalance_timeout,
            coordinator_timer(Timer::PendingSync {
                group: group_id.to_string(),
                nonce: sync_nonce,
            }),
        );
        for id in members {
            self.schedule_heartbeat(cx, group_id, &id);
        }
    }

    /// `handleSyncGroup`.
    fn on_sync_group(&mut self, cx: &mut Ctx, from: NodeId, req: SyncGroupRequest, log: &mut dyn OffsetsLog) {
        let reply = Reply {
            to: from,
            request_id: req.request_id,
        };
        let error = |cx: &mut Ctx, e| send_sync(cx, reply, Some(e), Assignment::default());
        if !self.is_coordinator_for(&req.group_id) {
            return error(cx, KafkaError::NotCoordinator);
        }
        let Some(g) = self.groups.get_mut(&req.group_id) else {
            return error(cx, KafkaError::UnknownMemberId);
        };
        if g.state == GroupState::Dead {
            return error(cx, KafkaError::CoordinatorNotAvailable);
        }
        if !g.has(&req.member_id) {
            return error(cx, KafkaError::UnknownMemberId);
        }
        if req.generation_id != g.generation_id {
            return error(cx, KafkaError::IllegalGeneration);
        }
        g.pending_sync.remove(&req.member_id);
        match g.state {
            GroupState::Empty => error(cx, KafkaError::UnknownMemberId),
            GroupState::PreparingRebalance => error(cx, KafkaError::RebalanceInProgress),
            GroupState::CompletingRebalance => {
                g.member_mut(&req.member_id).expect("member").awaiting_sync = Some(reply);
                if g.is_leader(&req.member_id) {
                    let mut assignments: FlatMap<String, Assignment> = FlatMap::new();
                    for m in &g.members {
                        let a = req
                            .assignments
                            .iter()
                            .find(|(id, _)| *id == m.id)
                            .map(|(_, a)| a.clone())
                            .unwrap_or_default();
                        assignments.insert(m.id.clone(), a);
                    }
                    let kind = WriteKind::SyncAssignment {
                        group: req.group_id.clone(),
                        generation_id: g.generation_id,
                        assignments: assignments.clone(),
                    };
                    self.store_group(cx, &req.group_id, Some(&assignments), kind, log);
                }
            }
            GroupState::Stable => {
                let a = g.member(&req.member_id).expect("member").assignment.clone();
                send_sync(cx, reply, None, a);
                self.schedule_heartbeat(cx, &req.group_id, &req.member_id);
            }
            GroupState::Dead => unreachable!("checked above"),
        }
    }

    /// `handleHeartbeat`.
    fn on_heartbeat(
        &mut self,
        cx: &mut Ctx,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
    ) -> Option<KafkaError> {
        if !self.is_coordinator_for(group_id) {
            return Some(KafkaError::NotCoordinator);
        }
        let Some(g) = self.groups.get(group_id) else {
            return Some(KafkaError::UnknownMemberId);
        };
        if g.state == GroupState::Dead {
            return Some(KafkaError::CoordinatorNotAvailable);
        }
        if !g.has(member_id) {
            return Some(KafkaError::UnknownMemberId);
        }
        if generation_id != g.generation_id {
            return Some(KafkaError::IllegalGeneration);
        }
        match g.state {
            GroupState::Empty => Some(KafkaError::UnknownMemberId),
            GroupState::PreparingRebalance => {
                self.schedule_heartbeat(cx, group_id, member_id);
                Some(KafkaError::RebalanceInProgress)
            }
            _ => {
                self.schedule_heartbeat(cx, group_id, member_id);
                None
            }
        }
    }

    /// `handleLeaveGroup` for one member.
    fn on_leave_group(
        &mut self,
        cx: &mut Ctx,
        group_id: &str,
        member_id: &str,
        log: &mut dyn OffsetsLog,
    ) -> Option<KafkaError> {
        if !self.is_coordinator_for(group_id) {
            return Some(KafkaError::NotCoordinator);
        }
        let Some(g) = self.groups.get_mut(group_id) else {
            return Some(KafkaError::UnknownMemberId);
        };
        if g.state == GroupState::Dead {
            return Some(KafkaError::CoordinatorNotAvailable);
        }
        if g.pending_members.remove(member_id).is_some() {
            self.try_complete_join(cx, group_id, log);
            return None;
        }
        if !g.has(member_id) {
            return Some(KafkaError::UnknownMemberId);
        }
        let reason = format!("Removing member {member_id} on LeaveGroup");
        self.remove_member_and_update_group(cx, group_id, member_id, &reason, log);
        None
    }

    /// `removeMemberAndUpdateGroup`.
    fn remove_member_and_update_group(
        &mut self,
        cx: &mut Ctx,
        group_id: &str,
        member_id: &str,
        reason: &str,
        log: &mut dyn OffsetsLog,
    ) {
        let Some(g) = self.groups.get_mut(group_id) else { return };
        let Some(m) = g.remove(member_id) else { return };
        if let Some(r) = m.awaiting_join {
            send_join_error(cx, r, member_id, KafkaError::UnknownMemberId);
        }
        if let Some(r) = m.awaiting_sync {
            send_sync(cx, r, Some(KafkaError::UnknownMemberId), Assignment::default());
        }
        cx.observe(Observation::Note(format!("group {group_id}: {reason}")));
        match g.state {
            GroupState::Dead | GroupState::Empty => {}
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.maybe_prepare_rebalance(cx, group_id, reason, log)
            }
            GroupState::PreparingRebalance => self.try_complete_join(cx, group_id, log),
        }
    }

    /// `handleCommitOffsets` with `validateOffsetCommit`.
    #[allow(clippy::too_many_arguments)]
    fn on_offset_commit(
        &mut self,
        cx: &mut Ctx,
        reply: Reply,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        offsets: Vec<(TopicPartition, i64)>,
        log: &mut dyn OffsetsLog,
    ) {
        let fail = |cx: &mut Ctx, e: KafkaError| send_commit(cx, reply, &offsets, Some(e));
        if group_id.is_empty() {
            return fail(cx, KafkaError::InvalidGroupId);
        }
        if !self.is_coordinator_for(group_id) {
            return fail(cx, KafkaError::NotCoordinator);
        }
        if !self.groups.contains_key(group_id) {
            if generation_id >= 0 {
                return fail(cx, KafkaError::IllegalGeneration);
            }
            // A group that only stores offsets (`assign()`, the admin tools).
            let partition = self.partition_for(group_id);
            self.groups
                .insert(group_id.to_string(), Group::new(group_id, partition));
        }
        let g = self.groups.get(group_id).expect("ensured");
        if g.state == GroupState::Dead {
            return fail(cx, KafkaError::CoordinatorNotAvailable);
        }
        let simple = generation_id < 0 && g.state == GroupState::Empty;
        if !simple {
            if generation_id >= 0 || !member_id.is_empty() {
                if !g.has(member_id) {
                    return fail(cx, KafkaError::UnknownMemberId);
                }
                if generation_id != g.generation_id {
                    return fail(cx, KafkaError::IllegalGeneration);
                }
            } else {
                // Without a member id only an empty group takes commits.
                return fail(cx, KafkaError::UnknownMemberId);
            }
            if g.state == GroupState::CompletingRebalance {
                return fail(cx, KafkaError::RebalanceInProgress);
            }
        }
        if g.has(member_id) {
            self.schedule_heartbeat(cx, group_id, member_id);
        }
        let partition = self.partition_for(group_id);
        let records: Vec<(Vec<u8>, Option<Vec<u8>>)> = offsets
            .iter()
            .map(|(tp, offset)| {
                (
                    offset_commit_key(group_id, tp),
                    Some(offset_commit_value(*offset, cx.now)),
                )
            })
            .collect();
        let kind = WriteKind::OffsetCommit {
            reply,
            group: group_id.to_string(),
            offsets,
        };
        self.write(cx, partition, records, kind, log);
    }

    /// `handleFetchOffsets`: -1 for partitions without a committed offset.
    fn offset_fetch(
        &self,
        group_id: &str,
        partitions: Option<Vec<TopicPartition>>,
    ) -> (Option<KafkaError>, Vec<(TopicPartition, i64)>) {
        if !self.is_coordinator_for(group_id) {
            return (Some(KafkaError::NotCoordinator), Vec::new());
        }
        let committed = self.groups.get(group_id).map(|g| &g.offsets);
        let offsets = match partitions {
            Some(tps) => tps
                .into_iter()
                .map(|tp| {
                    let o = committed.and_then(|c| c.get(&tp)).copied().unwrap_or(-1);
                    (tp, o)
                })
                .collect(),
            None => committed
                .map(|c| c.iter().map(|(tp, o)| (tp.clone(), *o)).collect())
                .unwrap_or_default(),
        };
        (None, offsets)
    }

    /// `handleListGroups`: every group this broker coordinates.
    pub fn list_groups(&self) -> Vec<GroupListing> {
        self.groups
            .values()
            .filter(|g| g.state != GroupState::Dead)
            .map(|g| GroupListing {
                group_id: g.id.clone(),
                protocol_type: g.protocol_type.clone().unwrap_or_default(),
                state: g.state.name().to_string(),
            })
            .collect()
    }

    /// `handleDescribeGroup`: an unknown group is described as `Dead`.
    pub fn describe_group(&self, group_id: &str) -> (Option<KafkaError>, GroupDescription) {
        if !self.is_coordinator_for(group_id) {
            return (
                Some(KafkaError::NotCoordinator),
                GroupDescription {
                    group_id: group_id.to_string(),
                    ..GroupDescription::default()
                },
            );
        }
        let Some(g) = self.groups.get(group_id) else {
            return (
                None,
                GroupDescription {
                    group_id: group_id.to_string(),
                    state: GroupState::Dead.name().to_string(),
                    coordinator: self.broker,
                    ..GroupDescription::default()
                },
            );
        };
        let stable = g.state == GroupState::Stable;
        (
            None,
            GroupDescription {
                group_id: g.id.clone(),
                state: g.state.name().to_string(),
                protocol_type: g.protocol_type.clone().unwrap_or_default(),
                protocol: if stable {
                    g.protocol_name.clone().unwrap_or_default()
                } else {
                    String::new()
                },
                generation_id: g.generation_id,
                coordinator: self.broker,
                members: g
                    .members
                    .iter()
                    .map(|m| GroupMember {
                        member_id: m.id.clone(),
                        client_id: m.client_id.clone(),
                        host: m.client_host.clone(),
                        assignment: if stable {
                            m.assignment.partitions.clone()
                        } else {
                            Vec::new()
                        },
                    })
                    .collect(),
            },
        )
    }

    /// `handleDeleteGroups` for one group: only an `Empty` group goes; its
    /// metadata and offsets are tombstoned.
    fn on_delete_group(
        &mut self,
        cx: &mut Ctx,
        reply: Reply,
        group_id: &str,
        log: &mut dyn OffsetsLog,
    ) -> Result<(), KafkaError> {
        if !self.is_coordinator_for(group_id) {
            return Err(KafkaError::NotCoordinator);
        }
        let Some(g) = self.groups.get_mut(group_id) else {
            return Err(KafkaError::GroupIdNotFound);
        };
        match g.state {
            GroupState::Dead => return Err(KafkaError::GroupIdNotFound),
            GroupState::Empty => {}
            _ => return Err(KafkaError::NonEmptyGroup),
        }
        g.state = GroupState::Dead;
        observe_state(cx, g);
        let g = self.groups.remove(group_id).expect("exists");
        let mut records: Vec<(Vec<u8>, Option<Vec<u8>>)> = g
            .offsets
            .keys()
            .map(|tp| (offset_commit_key(group_id, tp), None))
            .collect();
        records.push((group_metadata_key(group_id), None));
        self.write(cx, g.partition, records, WriteKind::DeleteGroup { reply }, log);
        Ok(())
    }

    // ----- timers -----

    pub fn on_timer(&mut self, cx: &mut Ctx, timer: Timer, log: &mut dyn OffsetsLog) {
        match timer {
            Timer::MemberExpiry { group, member, nonce } => {
                let Some(g) = self.groups.get_mut(&group) else { return };
                if g.pending_members.get(&member) == Some(&nonce) {
                    g.pending_members.remove(&member);
                    cx.observe(Observation::Note(format!(
                        "Pending member {member} in group {group} has been removed after session timeout expiration."
                    )));
                    self.try_complete_join(cx, &group, log);
                    return;
                }
                let Some(m) = g.member(&member).filter(|m| m.heartbeat_nonce == nonce) else {
                    return;
                };
                // `hasSatisfiedHeartbeat`: members in a rebalance need no heartbeat,
                // except new ones that never finished joining.
                let satisfied = !m.is_new && (m.awaiting_join.is_some() || m.awaiting_sync.is_some());
                if !satisfied {
                    let reason = format!("removing member {member} on heartbeat expiration");
                    cx.observe(Observation::Note(format!(
                        "Member {member} in group {group} has failed, {reason}"
                    )));
                    self.remove_member_and_update_group(cx, &group, &member, &reason, log);
                }
            }
            Timer::Join { group, nonce } => {
                let initial_delay = self.settings.initial_rebalance_delay_ms;
                let next = self.nonce();
                let Some(g) = self.groups.get_mut(&group) else { return };
                let Some(join) = g.join.filter(|j| j.nonce == nonce) else {
                    return;
                };
                if join.initial && g.new_member_added && join.remaining_ms > 0 {
                    // `InitialDelayedJoin.onComplete`: more members came; wait again.
                    g.new_member_added = false;
                    let delay = initial_delay.min(join.remaining_ms);
                    g.join = Some(DelayedJoin {
                        nonce: next,
                        initial: true,
                        remaining_ms: join.remaining_ms - delay,
                    });
                    cx.set_timer(delay, coordinator_timer(Timer::Join { group, nonce: next }));
                    return;
                }
                self.complete_join(cx, &group, log);
            }
            Timer::PendingSync { group, nonce } => {
                let Some(g) = self.groups.get(&group) else { return };
                if g.pending_sync_nonce != nonce
                    || !matches!(g.state, GroupState::CompletingRebalance | GroupState::Stable)
                {
                    return;
                }
                let late: Vec<String> = g.pending_sync.iter().cloned().collect();
                for member in late {
                    let reason = format!("removing member {member} on pending sync request expiration");
                    self.remove_member_and_update_group(cx, &group, &member, &reason, log);
                }
            }
            Timer::WriteTimeout { id } => {
                if let Some(w) = self.writes.remove(&id) {
                    self.fail_write(cx, w, KafkaError::RequestTimedOut, log);
                }
            }
        }
    }

    /// `completeAndScheduleNextHeartbeatExpiration`.
    fn schedule_heartbeat(&mut self, cx: &mut Ctx, group_id: &str, member_id: &str) {
        let nonce = self.nonce();
        let Some(m) = self.groups.get_mut(group_id).and_then(|g| g.member_mut(member_id)) else {
            return;
        };
        m.heartbeat_nonce = nonce;
        cx.set_timer(
            m.session_timeout_ms,
            coordinator_timer(Timer::MemberExpiry {
                group: group_id.to_string(),
                member: member_id.to_string(),
                nonce,
            }),
        );
    }

    // ----- the log -----

    /// `storeGroup`: the group's metadata with the members' assignments.
    fn store_group(
        &mut self,
        cx: &mut Ctx,
        group_id: &str,
        assignments: Option<&FlatMap<String, Assignment>>,
        kind: WriteKind,
        log: &mut dyn OffsetsLog,
    ) {
        let Some(g) = self.groups.get(group_id) else { return };
        let value = group_metadata_value(g, assignments, cx.now);
        let partition = g.partition;
        self.write(
            cx,
            partition,
            vec![(group_metadata_key(group_id), Some(value))],
            kind,
            log,
        );
    }

    /// Appends records as one batch; the outcome comes with the high watermark
    /// ([`GroupCoordinator::poll_writes`]) or at once if the append fails.
    fn write(
        &mut self,
        cx: &mut Ctx,
        partition: i32,
        records: Vec<(Vec<u8>, Option<Vec<u8>>)>,
        kind: WriteKind,
        log: &mut dyn OffsetsLog,
    ) {
        let mut b = BatchBuilder::new(0);
        for (k, v) in &records {
            b.append(NewRecord::new(cx.now, Some(k), v.as_deref()));
        }
        let batch = b.build();
        let epoch = self.loaded.get(&partition).copied();
        let result = match epoch {
            None => Err(KafkaError::NotLeaderOrFollower),
            Some(_) => log.append(partition, &batch, cx.now),
        };
        match result {
            Ok((leader_epoch, required_offset)) => {
                let id = self.nonce();
                self.writes.insert(
                    id,
                    PendingWrite {
                        partition,
                        leader_epoch,
                        required_offset,
                        kind,
                    },
                );
                cx.set_timer(
                    self.settings.commit_timeout_ms,
                    coordinator_timer(Timer::WriteTimeout { id }),
                );
            }
            Err(e) => {
                let w = PendingWrite {
                    partition,
                    leader_epoch: -1,
                    required_offset: -1,
                    kind,
                };
                self.fail_write(cx, w, e, log);
            }
        }
    }

    /// Completes the writes the high watermark has passed and fails those whose
    /// leadership is gone. Returns whether any finished.
    pub fn poll_writes(&mut self, cx: &mut Ctx, log: &mut dyn OffsetsLog) -> bool {
        let mut done = Vec::new();
        for (id, w) in &self.writes {
            match log.high_watermark(w.partition, w.leader_epoch) {
                Some(hw) if hw >= w.required_offset => done.push((*id, None)),
                Some(_) => {}
                None => done.push((*id, Some(KafkaError::NotLeaderOrFollower))),
            }
        }
        let progressed = !done.is_empty();
        for (id, error) in done {
            let w = self.writes.remove(&id).expect("listed");
            match error {
                None => self.complete_write(cx, w),
                Some(e) => self.fail_write(cx, w, e, log),
            }
        }
        progressed
    }

    fn complete_write(&mut self, cx: &mut Ctx, w: PendingWrite) {
        match w.kind {
            WriteKind::OffsetCommit { reply, group, offsets } => {
                if let Some(g) = self.groups.get_mut(&group) {
                    for (tp, offset) in &offsets {
                        g.offsets.insert(tp.clone(), *offset);
                        cx.observe(Observation::OffsetCommitted {
                            group: group.clone(),
                            tp: tp.clone(),
                            offset: *offset,
                        });
                    }
                }
                send_commit(cx, reply, &offsets, None);
            }
            WriteKind::SyncAssignment {
                group,
                generation_id,
                assignments,
            } => {
                let Some(g) = self.groups.get_mut(&group) else { return };
                if g.state != GroupState::CompletingRebalance || g.generation_id != generation_id {
                    return;
                }
                // `setAndPropagateAssignment`.
                for m in g.members.iter_mut() {
                    m.assignment = assignments.get(&m.id).cloned().unwrap_or_default();
                    if let Some(r) = m.awaiting_sync.take() {
                        send_sync(cx, r, None, m.assignment.clone());
                    }
                }
                g.state = GroupState::Stable;
                observe_state(cx, g);
            }
            WriteKind::DeleteGroup { reply } => cx.send(
                reply.to,
                Message::DeleteGroupResponse {
                    request_id: reply.request_id,
                    error: None,
                },
            ),
            WriteKind::OffsetDelete { reply, results } => cx.send(
                reply.to,
                Message::OffsetDeleteResponse {
                    request_id: reply.request_id,
                    error: None,
                    partitions: results,
                },
            ),
            WriteKind::Store => {}
        }
    }

    fn fail_write(&mut self, cx: &mut Ctx, w: PendingWrite, error: KafkaError, log: &mut dyn OffsetsLog) {
        match w.kind {
            WriteKind::OffsetCommit { reply, offsets, .. } => {
                // `OffsetMetadataManager`/`CoordinatorRuntime.normalizeException`.
                let e = match error {
                    KafkaError::UnknownTopicOrPartition
                    | KafkaError::NotEnoughReplicas
                    | KafkaError::NotEnoughReplicasAfterAppend
                    | KafkaError::RequestTimedOut => KafkaError::CoordinatorNotAvailable,
                    KafkaError::NotLeaderOrFollower | KafkaError::KafkaStorageError => KafkaError::NotCoordinator,
                    KafkaError::MessageTooLarge | KafkaError::RecordListTooLarge => KafkaError::InvalidCommitOffsetSize,
                    other => other,
                };
                send_commit(cx, reply, &offsets, Some(e));
            }
            WriteKind::SyncAssignment {
                group, generation_id, ..
            } => {
                // `storeGroup`'s error mapping in `doSyncGroup`.
                let e = match error {
                    KafkaError::UnknownTopicOrPartition
                    | KafkaError::NotEnoughReplicas
                    | KafkaError::NotEnoughReplicasAfterAppend => KafkaError::CoordinatorNotAvailable,
                    KafkaError::NotLeaderOrFollower | KafkaError::KafkaStorageError => KafkaError::NotCoordinator,
                    KafkaError::RequestTimedOut => KafkaError::RebalanceInProgress,
                    KafkaError::MessageTooLarge | KafkaError::RecordListTooLarge => KafkaError::UnknownServerError,
                    other => other,
                };
                let Some(g) = self.groups.get_mut(&group) else { return };
                if g.state != GroupState::CompletingRebalance || g.generation_id != generation_id {
                    return;
                }
                reset_and_propagate_assignment_error(cx, g, e);
                let reason = format!("Error {e} when storing group assignment during SyncGroup");
                self.maybe_prepare_rebalance(cx, &group, &reason, log);
            }
            WriteKind::DeleteGroup { reply } => {
                let e = match error {
                    KafkaError::NotLeaderOrFollower | KafkaError::KafkaStorageError => KafkaError::NotCoordinator,
                    KafkaError::RequestTimedOut
                    | KafkaError::NotEnoughReplicas
                    | KafkaError::NotEnoughReplicasAfterAppend => KafkaError::CoordinatorNotAvailable,
                    other => other,
                };
                cx.send(
                    reply.to,
                    Message::DeleteGroupResponse {
                        request_id: reply.request_id,
                        error: Some(e),
                    },
                );
            }
            WriteKind::OffsetDelete { reply, .. } => {
                let e = match error {
                    KafkaError::NotLeaderOrFollower | KafkaError::KafkaStorageError => KafkaError::NotCoordinator,
                    KafkaError::RequestTimedOut
                    | KafkaError::NotEnoughReplicas
                    | KafkaError::NotEnoughReplicasAfterAppend => KafkaError::CoordinatorNotAvailable,
                    other => other,
                };
                cx.send(
                    reply.to,
                    Message::OffsetDeleteResponse {
                        request_id: reply.request_id,
                        error: Some(e),
                        partitions: Vec::new(),
                    },
                );
            }
            WriteKind::Store => {}
        }
    }

    // ----- inspection -----

    /// A group's state, generation and member ids (for tests and views).
    pub fn group_state(&self, group_id: &str) -> Option<(GroupState, i32, Vec<String>)> {
        self.groups.get(group_id).map(|g| {
            (
                g.state,
                g.generation_id,
                g.members.iter().map(|m| m.id.clone()).collect(),
            )
        })
    }

    /// The offset committed for a partition, if any.
    pub fn committed_offset(&self, group_id: &str, tp: &TopicPartition) -> Option<i64> {
        self.groups.get(group_id).and_then(|g| g.offsets.get(tp)).copied()
    }
}

fn coordinator_timer(t: Timer) -> sim::Timer {
    sim::Timer::Broker(super::Timer::Coordinator(t))
}

fn observe_state(cx: &mut Ctx, g: &Group) {
    cx.observe(Observation::GroupState {
        group: g.id.clone(),
        state: g.state.name(),
        generation: g.generation_id,
        members: g.members.len() as u32,
    });
}

/// `resetAndPropagateAssignmentError`: every member waiting in SyncGroup gets `error`.
fn reset_and_propagate_assignment_error(cx: &mut Ctx, g: &mut Group, error: KafkaError) {
    for m in g.members.iter_mut() {
        m.assignment = Assignment::default();
        if let Some(r) = m.awaiting_sync.take() {
            send_sync(cx, r, Some(error), Assignment::default());
        }
    }
}

fn send_join_error(cx: &mut Ctx, r: Reply, member_id: &str, error: KafkaError) {
    cx.send(
        r.to,
        Message::JoinGroupResponse(JoinGroupResponse {
            request_id: r.request_id,
            error: Some(error),
            generation_id: -1,
            protocol_name: String::new(),
            leader: String::new(),
            member_id: member_id.to_string(),
            members: Vec::new(),
        }),
    );
}

/// The current generation, for a member that rejoins without changes.
fn send_join_current(cx: &mut Ctx, r: Reply, g: &Group, member_id: &str) {
    cx.send(
        r.to,
        Message::JoinGroupResponse(JoinGroupResponse {
            request_id: r.request_id,
            error: None,
            generation_id: g.generation_id,
            protocol_name: g.protocol_name.clone().unwrap_or_default(),
            leader: g.leader_id.clone().unwrap_or_default(),
            member_id: member_id.to_string(),
            members: if g.is_leader(member_id) {
                g.member_subscriptions()
            } else {
                Vec::new()
            },
        }),
    );
}

fn send_sync(cx: &mut Ctx, r: Reply, error: Option<KafkaError>, assignment: Assignment) {
    cx.send(
        r.to,
        Message::SyncGroupResponse {
            request_id: r.request_id,
            error,
            assignment,
        },
    );
}

fn send_commit(cx: &mut Ctx, r: Reply, offsets: &[(TopicPartition, i64)], error: Option<KafkaError>) {
    cx.send(
        r.to,
        Message::OffsetCommitResponse {
            request_id: r.request_id,
            results: offsets.iter().map(|(tp, _)| (tp.clone(), error)).collect(),
        },
    );
}

/// `UUID.randomUUID().toString()` from the simulation's generator.
fn random_uuid(cx: &mut Ctx) -> String {
    let hi = cx.rng.rand_u64();
    let lo = cx.rng.rand_u64();
    let hi = (hi & !0xF000) | 0x4000; // version 4
    let lo = (lo & !(0xC << 60)) | (0x8 << 60); // IETF variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

// ----- record encoding (Kafka's generated schemas, non-flexible versions) -----

/// A decoded `__consumer_offsets` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKey {
    /// `OffsetCommitKey` (versions 0 and 1).
    Offset { group: String, tp: TopicPartition },
    /// `GroupMetadataKey` (version 2).
    Group { group: String },
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn i16(&mut self, v: i16) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i32(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i64(&mut self, v: i64) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn string(&mut self, s: &str) -> &mut Self {
        self.i16(s.len() as i16);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    fn nullable_string(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.string(s),
            None => self.i16(-1),
        }
    }
    fn bytes(&mut self, b: Option<&[u8]>) -> &mut Self {
        match b {
            Some(b) => {
                self.i32(b.len() as i32);
                self.0.extend_from_slice(b);
                self
            }
            None => self.i32(-1),
        }
    }
    /// `[topic string, partitions [int32]]` grouped by topic.
    fn topic_partitions(&mut self, tps: &[TopicPartition]) -> &mut Self {
        let mut by_topic: FlatMap<&str, Vec<i32>> = FlatMap::new();
        for tp in tps {
            by_topic.entry(tp.topic.as_str()).or_default().push(tp.partition);
        }
        self.i32(by_topic.len() as i32);
        for (topic, parts) in by_topic {
            self.string(topic);
            self.i32(parts.len() as i32);
            for p in parts {
                self.i32(p);
            }
        }
        self
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn i16(&mut self) -> Option<i16> {
        Some(i16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn nullable_string(&mut self) -> Option<Option<String>> {
        let n = self.i16()?;
        if n < 0 {
            return Some(None);
        }
        Some(Some(String::from_utf8(self.take(n as usize)?.to_vec()).ok()?))
    }
    fn string(&mut self) -> Option<String> {
        self.nullable_string()?
    }
    fn bytes(&mut self) -> Option<Option<&'a [u8]>> {
        let n = self.i32()?;
        if n < 0 {
            return Some(None);
        }
        Some(Some(self.take(n as usize)?))
    }
    /// An array length, bounded by what the remaining bytes can hold.
    fn len(&mut self, min_item: usize) -> Option<usize> {
        let n = self.i32()?;
        if n < 0 {
            return Some(0);
        }
        let n = n as usize;
        (n * min_item.max(1) <= self.0.len()).then_some(n)
    }
    fn topic_partitions(&mut self) -> Option<Vec<TopicPartition>> {
        let mut out = Vec::new();
        for _ in 0..self.len(6)? {
            let topic = self.string()?;
            for _ in 0..self.len(4)? {
                out.push(TopicPartition::new(&topic, self.i32()?));
            }
        }
        Some(out)
    }
}

/// `OffsetCommitKey` v1: group, topic, partition.
pub fn offset_commit_key(group: &str, tp: &TopicPartition) -> Vec<u8> {
    let mut w = Writer::default();
    w.i16(1).string(group).string(&tp.topic).i32(tp.partition);
    w.0
}

/// `OffsetCommitValue` v3: offset, leader epoch (-1), metadata (""), commit timestamp.
pub fn offset_commit_value(offset: i64, commit_timestamp: i64) -> Vec<u8> {
    let mut w = Writer::default();
    w.i16(3).i64(offset).i32(-1).string("").i64(commit_timestamp);
    w.0
}

/// `GroupMetadataKey` v2: group.
pub fn group_metadata_key(group: &str) -> Vec<u8> {
    let mut w = Writer::default();
    w.i16(2).string(group);
    w.0
}

/// Decodes a `__consumer_offsets` record key.
pub fn decode_key(bytes: &[u8]) -> Option<RecordKey> {
    let mut r = Reader(bytes);
    match r.i16()? {
        0 | 1 => {
            let group = r.string()?;
            let topic = r.string()?;
            let partition = r.i32()?;
            Some(RecordKey::Offset {
                group,
                tp: TopicPartition::new(&topic, partition),
            })
        }
        2 => Some(RecordKey::Group { group: r.string()? }),
        _ => None,
    }
}

/// The committed offset of an `OffsetCommitValue` (versions 0 to 3).
pub fn decode_offset_value(bytes: &[u8]) -> Option<i64> {
    let mut r = Reader(bytes);
    let version = r.i16()?;
    (0..=3).contains(&version).then_some(())?;
    r.i64()
}

/// `ConsumerProtocolSubscription` v3.
pub fn encode_subscription(s: &Subscription) -> Vec<u8> {
    let mut w = Writer::default();
    w.i16(3).i32(s.topics.len() as i32);
    for t in &s.topics {
        w.string(t);
    }
    w.bytes(None)
        .topic_partitions(&s.owned_partitions)
        .i32(s.generation_id)
        .nullable_string(None);
    w.0
}

pub fn decode_subscription(bytes: &[u8]) -> Option<Subscription> {
    let mut r = Reader(bytes);
    let version = r.i16()?;
    let mut s = Subscription {
        generation_id: -1,
        ..Subscription::default()
    };
    for _ in 0..r.len(2)? {
        s.topics.push(r.string()?);
    }
    r.bytes()?;
    if version >= 1 {
        s.owned_partitions = r.topic_partitions()?;
    }
    if version >= 2 {
        s.generation_id = r.i32()?;
    }
    Some(s)
}

/// `ConsumerProtocolAssignment` v3.
pub fn encode_assignment(a: &Assignment) -> Vec<u8> {
    let mut w = Writer::default();
    w.i16(3).topic_partitions(&a.partitions).bytes(None);
    w.0
}

pub fn decode_assignment(bytes: &[u8]) -> Option<Assignment> {
    let mut r = Reader(bytes);
    r.i16()?;
    Some(Assignment {
        partitions: r.topic_partitions()?,
    })
}

/// `GroupMetadataValue` v3.
fn group_metadata_value(g: &Group, assignments: Option<&FlatMap<String, Assignment>>, now: Ms) -> Vec<u8> {
    let protocol = g.protocol_name.clone();
    let mut w = Writer::default();
    w.i16(3)
        .string(g.protocol_type.as_deref().unwrap_or(""))
        .i32(g.generation_id)
        .nullable_string(protocol.as_deref())
        .nullable_string(g.leader_id.as_deref())
        .i64(now)
        .i32(g.members.len() as i32);
    for m in &g.members {
        let assignment = assignments.and_then(|a| a.get(&m.id)).unwrap_or(&m.assignment);
        let subscription = encode_subscription(&m.subscription(protocol.as_deref().unwrap_or("")));
        w.string(&m.id)
            .nullable_string(None)
            .string(&m.client_id)
            .string(&m.client_host)
            .i32(m.rebalance_timeout_ms as i32)
            .i32(m.session_timeout_ms as i32)
            .bytes(Some(&subscription))
            .bytes(Some(&encode_assignment(assignment)));
    }
    w.0
}

/// A decoded `GroupMetadataValue`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupMetadataValue {
    pub protocol_type: String,
    pub generation_id: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    /// (member id, client id, client host, rebalance timeout, session timeout,
    /// subscription, assignment).
    pub members: Vec<(String, String, String, i32, i32, Subscription, Assignment)>,
}

impl GroupMetadataValue {
    /// `GroupMetadata.loadGroup`: members come back `Stable` and must heartbeat.
    fn into_group(self, id: &str, partition: i32) -> Group {
        let mut g = Group::new(id, partition);
        g.protocol_type = (!self.protocol_type.is_empty()).then_some(self.protocol_type);
        g.generation_id = self.generation_id;
        g.protocol_name = self.protocol.clone();
        g.leader_id = self.leader;
        let protocol = self.protocol.unwrap_or_default();
        for (mid, client_id, host, rebalance, session, sub, assignment) in self.members {
            g.members.push(Member {
                id: mid,
                client_id,
                client_host: host,
                session_timeout_ms: session as i64,
                rebalance_timeout_ms: rebalance as i64,
                protocols: vec![(protocol.clone(), sub)],
                assignment,
                awaiting_join: None,
                awaiting_sync: None,
                is_new: false,
                heartbeat_nonce: 0,
            });
        }
        g.state = if g.members.is_empty() {
            GroupState::Empty
        } else {
            GroupState::Stable
        };
        g
    }
}

/// Decodes a `GroupMetadataValue` (versions 0 to 3).
pub fn decode_group_value(bytes: &[u8]) -> Option<GroupMetadataValue> {
    let mut r = Reader(bytes);
    let version = r.i16()?;
    (0..=3).contains(&version).then_some(())?;
    let protocol_type = r.string()?;
    let generation_id = r.i32()?;
    let protocol = r.nullable_string()?;
    let leader = r.nullable_string()?;
    if version >= 2 {
        r.i64()?;
    }
    let mut members = Vec::new();
    for _ in 0..r.len(16)? {
        let member_id = r.string()?;
        if version >= 3 {
            r.nullable_string()?;
        }
        let client_id = r.string()?;
        let host = r.string()?;
        let rebalance = if version >= 1 { r.i32()? } else { 0 };
        let session = r.i32()?;
        let sub = r.bytes()?.and_then(decode_subscription).unwrap_or_default();
        let assignment = r.bytes()?.and_then(decode_assignment).unwrap_or_default();
        let rebalance = if version >= 1 { rebalance } else { session };
        members.push((member_id, client_id, host, rebalance, session, sub, assignment));
    }
    Some(GroupMetadataValue {
        protocol_type,
        generation_id,
        protocol,
        leader,
        members,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_commit_key_is_kafkas_v1_layout() {
        let k = offset_commit_key("g", &TopicPartition::new("t", 2));
        assert_eq!(k, vec![0, 1, 0, 1, b'g', 0, 1, b't', 0, 0, 0, 2]);
        assert_eq!(
            decode_key(&k),
            Some(RecordKey::Offset {
                group: "g".into(),
                tp: TopicPartition::new("t", 2)
            })
        );
        assert_eq!(group_metadata_key("g"), vec![0, 2, 0, 1, b'g']);
        assert_eq!(
            decode_key(&group_metadata_key("g")),
            Some(RecordKey::Group { group: "g".into() })
        );
    }

    #[test]
    fn offset_commit_value_is_kafkas_v3_layout() {
        let v = offset_commit_value(5, 7);
        let mut expected = vec![0, 3];
        expected.extend_from_slice(&5i64.to_be_bytes());
        expected.extend_from_slice(&(-1i32).to_be_bytes());
        expected.extend_from_slice(&[0, 0]);
        expected.extend_from_slice(&7i64.to_be_bytes());
        assert_eq!(v, expected);
        assert_eq!(decode_offset_value(&v), Some(5));
    }

    #[test]
    fn subscription_and_assignment_round_trip() {
        let s = Subscription {
            topics: vec!["a".into(), "b".into()],
            owned_partitions: vec![TopicPartition::new("a", 0), TopicPartition::new("a", 3)],
            generation_id: 4,
        };
        assert_eq!(decode_subscription(&encode_subscription(&s)), Some(s));
        let a = Assignment {
            partitions: vec![TopicPartition::new("a", 1), TopicPartition::new("b", 0)],
        };
        assert_eq!(decode_assignment(&encode_assignment(&a)), Some(a));
        assert_eq!(
            decode_subscription(&[0, 3, 0x7f, 0, 0, 0]),
            None,
            "bounded by the input"
        );
    }

    #[test]
    fn group_metadata_round_trips() {
        let mut g = Group::new("g", 3);
        g.protocol_type = Some("consumer".into());
        g.protocol_name = Some("range".into());
        g.generation_id = 2;
        g.leader_id = Some("c-1".into());
        g.members.push(Member {
            id: "c-1".into(),
            client_id: "c".into(),
            client_host: CLIENT_HOST.into(),
            session_timeout_ms: 45_000,
            rebalance_timeout_ms: 300_000,
            protocols: vec![(
                "range".into(),
                Subscription {
                    topics: vec!["t".into()],
                    owned_partitions: vec![],
                    generation_id: -1,
                },
            )],
            assignment: Assignment {
                partitions: vec![TopicPartition::new("t", 0)],
            },
            awaiting_join: None,
            awaiting_sync: None,
            is_new: false,
            heartbeat_nonce: 0,
        });
        let v = decode_group_value(&group_metadata_value(&g, None, 1)).expect("decodes");
        let back = v.into_group("g", 3);
        assert_eq!(back.state, GroupState::Stable);
        assert_eq!(back.generation_id, 2);
        assert_eq!(back.members[0].assignment, g.members[0].assignment);
        assert_eq!(back.members[0].protocols, g.members[0].protocols);
        assert_eq!(back.members[0].session_timeout_ms, 45_000);
    }

    #[test]
    fn member_ids_look_like_kafkas() {
        let mut rng = oorandom::Rand64::new(1);
        let mut effects = Vec::new();
        let mut cx = Ctx::new(0, 1, &mut rng, &mut effects);
        let id = random_uuid(&mut cx);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(id.matches('-').count(), 4);
    }
}

mod offset_delete;
