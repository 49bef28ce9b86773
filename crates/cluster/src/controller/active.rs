//! The active controller (`QuorumController` with `ClusterControlManager`,
//! `ReplicationControlManager` and `BrokerHeartbeatManager`): it turns requests
//! into metadata records, validates them against the image with every written
//! record applied (committed or not), and answers only once the high watermark
//! passes the records. A leader that loses its epoch first answers every
//! waiting request with `NOT_CONTROLLER`.
//!
//! Reassignments (KIP-455) start here and complete in AlterPartition.
//!
//! Not here: ELR, quotas, create-topic policies, producer-id
//! blocks (`ProducerIds` records are written by whoever needs them later).

use super::election::{self, Change, Election};
use super::placement::{self, UsableBroker};
use super::validation;
use super::{Controller, Pending, Reply, Role, Timer, SESSION_CHECK_INTERVAL_MS};
use crate::error::KafkaError;
use crate::metadata::{MetadataImage, MetadataRecord, PartitionRegistration};
use crate::protocol::{
    AdminRequest, AdminResponse, AlterPartition, AlterPartitionResponse, Message, OngoingReassignment,
};
use crate::sim::{self, Ctx};
use crate::trace::Observation;
use crate::types::{Ms, NodeId, TopicPartition, Uuid, NO_NODE};
use kafkaplay_flatmap::FlatMap;

type ApiResult<T> = Result<T, (KafkaError, String)>;

/// Kafka's `ApiError(code)` without a message: the code's default message.
fn api_error(code: KafkaError) -> (KafkaError, String) {
    (code, code.message().to_string())
}

/// A broker may lead or join an ISR: registered, unfenced, not shutting down
/// (`ClusterControlManager.isActive`).
pub(super) fn is_active_broker(image: &MetadataImage, broker: NodeId) -> bool {
    image
        .brokers
        .get(&broker)
        .is_some_and(|b| !b.fenced && !b.in_controlled_shutdown)
}

/// The replicas that may be in a new partition's ISR, in assignment order.
fn active_replicas(image: &MetadataImage, replicas: &[NodeId]) -> Vec<NodeId> {
    replicas
        .iter()
        .copied()
        .filter(|r| is_active_broker(image, *r))
        .collect()
}

/// A new partition's election and record. A function of its own, called once
/// per partition: small hot functions are what wasm engines optimize first.
#[inline(never)]
fn new_partition(
    topic: &str,
    topic_id: Uuid,
    partition: i32,
    replicas: Vec<NodeId>,
    isr: Vec<NodeId>,
) -> (Observation, MetadataRecord) {
    let leader = isr[0];
    let observation = Observation::LeaderElected {
        tp: TopicPartition::new(topic, partition),
        leader,
        leader_epoch: 0,
        isr: isr.clone(),
        reason: "new partition",
    };
    let record = MetadataRecord::Partition(std::sync::Arc::new(PartitionRegistration {
        topic_id,
        partition,
        replicas,
        isr,
        leader,
        leader_epoch: 0,
        partition_epoch: 0,
        adding_replicas: Vec::new(),
        removing_replicas: Vec::new(),
    }));
    (observation, record)
}

/// The same response kind as `resp`, failed with `error` everywhere.
fn failed_like(resp: &AdminResponse, error: KafkaError) -> AdminResponse {
    fn e<T>(error: KafkaError) -> ApiResult<T> {
        Err(api_error(error))
    }
    match resp {
        AdminResponse::CreateTopic(_) => AdminResponse::CreateTopic(e(error)),
        AdminResponse::DeleteTopic(_) => AdminResponse::DeleteTopic(e(error)),
        AdminResponse::CreatePartitions(_) => AdminResponse::CreatePartitions(e(error)),
        AdminResponse::AlterTopicConfigs(_) => AdminResponse::AlterTopicConfigs(e(error)),
        AdminResponse::AlterBrokerConfigs(_) => AdminResponse::AlterBrokerConfigs(e(error)),
        AdminResponse::UnregisterBroker(_) => AdminResponse::UnregisterBroker(e(error)),
        AdminResponse::ElectLeaders(v) | AdminResponse::AlterPartitionReassignments(v) => {
            let mut parts: Vec<_> = v.iter().map(|(tp, _)| (tp.clone(), e(error))).collect();
            if parts.is_empty() {
                // Kafka answers a top-level error; ours is per partition, so one
                // placeholder entry carries it.
                parts.push((TopicPartition::new("", -1), e(error)));
            }
            match resp {
                AdminResponse::ElectLeaders(_) => AdminResponse::ElectLeaders(parts),
                _ => AdminResponse::AlterPartitionReassignments(parts),
            }
        }
        AdminResponse::ListPartitionReassignments(_) => AdminResponse::ListPartitionReassignments(e(error)),
    }
}

/// A `NOT_CONTROLLER` answer of the kind `request` expects.
fn not_controller(request: &AdminRequest) -> AdminResponse {
    let like = match request {
        AdminRequest::CreateTopic { .. } => AdminResponse::CreateTopic(Ok(Uuid::ZERO)),
        AdminRequest::DeleteTopic { .. } => AdminResponse::DeleteTopic(Ok(())),
        AdminRequest::CreatePartitions { .. } => AdminResponse::CreatePartitions(Ok(())),
        AdminRequest::AlterTopicConfigs { .. } => AdminResponse::AlterTopicConfigs(Ok(())),
        AdminRequest::AlterBrokerConfigs { .. } => AdminResponse::AlterBrokerConfigs(Ok(())),
        AdminRequest::UnregisterBroker { .. } => AdminResponse::UnregisterBroker(Ok(())),
        AdminRequest::ElectLeaders { partitions, .. } => AdminResponse::ElectLeaders(
            partitions
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|tp| (tp, Ok(())))
                .collect(),
        ),
        AdminRequest::AlterPartitionReassignments { reassignments } => AdminResponse::AlterPartitionReassignments(
            reassignments.iter().map(|(tp, _)| (tp.clone(), Ok(()))).collect(),
        ),
        AdminRequest::ListPartitionReassignments { .. } => AdminResponse::ListPartitionReassignments(Ok(Vec::new())),
    };
    failed_like(&like, KafkaError::NotController)
}

/// The observations a partition change produces (new leader epoch = old + 1).
fn change_observations(
    tp: &TopicPartition,
    p: &PartitionRegistration,
    change: &Change,
    leader_reason: &'static str,
    isr_reason: &'static str,
) -> Vec<Observation> {
    let mut out = Vec::new();
    let isr = change.isr.clone().unwrap_or_else(|| p.isr.clone());
    if let Some(leader) = change.leader {
        let reason = if leader == NO_NODE {
            "no eligible replica"
        } else if change.unclean {
            "unclean"
        } else {
            leader_reason
        };
        out.push(Observation::LeaderElected {
            tp: tp.clone(),
            leader,
            leader_epoch: p.leader_epoch + 1,
            isr: isr.clone(),
            reason,
        });
    }
    if let Some(isr) = &change.isr {
        let reason = if change.unclean { "unclean election" } else { isr_reason };
        out.push(Observation::IsrChanged {
            tp: tp.clone(),
            isr: isr.clone(),
            reason,
        });
    }
    out
}

fn change_record(p: &PartitionRegistration, change: Change) -> MetadataRecord {
    MetadataRecord::PartitionChange {
        topic_id: p.topic_id,
        partition: p.partition,
        leader: change.leader,
        isr: change.isr,
        replicas: change.replicas,
        removing: change.removing,
        adding: change.adding,
    }
}

impl Controller {
    fn working(&self) -> &MetadataImage {
        &self.leader.as_ref().expect("leader state").working
    }

    fn active_epoch(&self, epoch: i32) -> bool {
        self.role == Role::Leader && self.epoch == epoch && self.is_active()
    }

    /// `unclean.leader.election.enable` for a topic: its override, else the broker default.
    fn unclean_enabled(&self, topic: &str) -> bool {
        self.working()
            .topic(topic)
            .and_then(|t| t.configs.get("unclean.leader.election.enable"))
            .map_or(
                crate::dynamic_config::cluster_unclean_leader_election(
                    self.working(),
                    self.config.broker.unclean_leader_election_enable,
                ),
                |v| v.trim().eq_ignore_ascii_case("true"),
            )
    }

    /// Writes records in this epoch; observations and the reply follow their commit.
    fn write(
        &mut self,
        cx: &mut Ctx,
        records: Vec<MetadataRecord>,
        observations: Vec<Observation>,
        reply: Option<Reply>,
    ) {
        let end_offset = self.append(records);
        if end_offset <= self.high_watermark {
            for o in observations {
                cx.observe(o);
            }
            if let Some(reply) = reply {
                self.send_reply(cx, reply);
            }
            return;
        }
        self.leader.as_mut().expect("leader state").pending.push(Pending {
            end_offset,
            observations,
            reply,
        });
        self.maybe_advance_high_watermark(cx);
        self.answer_held_fetches(cx);
    }

    pub(super) fn send_reply(&mut self, cx: &mut Ctx, reply: Reply) {
        match reply {
            Reply::Admin {
                to,
                request_id,
                response,
            } => cx.send(to, Message::AdminResponse { request_id, response }),
            Reply::Registration { to, broker_epoch } => cx.send(
                to,
                Message::BrokerRegistrationResponse {
                    error: None,
                    broker_epoch,
                },
            ),
            Reply::Heartbeat {
                to,
                is_caught_up,
                is_fenced,
                should_shutdown,
            } => cx.send(
                to,
                Message::BrokerHeartbeatResponse {
                    error: None,
                    is_caught_up,
                    is_fenced,
                    should_shutdown,
                },
            ),
            Reply::AlterPartition {
                to,
                tp,
                new_leader_elected: true,
            } => cx.send(
                to,
                Message::AlterPartitionResponse(alter_partition_error(tp, KafkaError::NewLeaderElected, None)),
            ),
            Reply::AlterPartition { to, tp, .. } => {
                let response = match self.image.partition(&tp) {
                    Some(p) => AlterPartitionResponse {
                        tp,
                        error: None,
                        leader: p.leader,
                        leader_epoch: p.leader_epoch,
                        isr: p.isr.clone(),
                        partition_epoch: p.partition_epoch,
                    },
                    None => alter_partition_error(tp, KafkaError::UnknownTopicOrPartition, None),
                };
                cx.send(to, Message::AlterPartitionResponse(response));
            }
        }
    }

    /// Answers a request whose records will never commit here.
    pub(super) fn fail_reply(&mut self, cx: &mut Ctx, reply: Reply) {
        let e = KafkaError::NotController;
        match reply {
            Reply::Admin {
                to,
                request_id,
                response,
            } => cx.send(
                to,
                Message::AdminResponse {
                    request_id,
                    response: failed_like(&response, e),
                },
            ),
            Reply::Registration { to, .. } => cx.send(
                to,
                Message::BrokerRegistrationResponse {
                    error: Some(e),
                    broker_epoch: -1,
                },
            ),
            Reply::Heartbeat { to, .. } => cx.send(
                to,
                Message::BrokerHeartbeatResponse {
                    error: Some(e),
                    is_caught_up: false,
                    is_fenced: true,
                    should_shutdown: false,
                },
            ),
            Reply::AlterPartition { to, tp, .. } => {
                cx.send(to, Message::AlterPartitionResponse(alter_partition_error(tp, e, None)))
            }
        }
    }

    /// The `LeaderChange` record is committed: start serving.
    pub(super) fn become_active(&mut self, cx: &mut Ctx) {
        let now = cx.now;
        let epoch = self.epoch;
        let l = self.leader.as_mut().expect("leader state");
        l.active = true;
        // Kafka resets every broker's session when a controller becomes active.
        l.last_heartbeat = l.working.brokers.keys().map(|b| (*b, now)).collect();
        cx.set_timer(
            SESSION_CHECK_INTERVAL_MS,
            sim::Timer::Controller(Timer::SessionCheck { epoch }),
        );
        if self.config.broker.auto_leader_rebalance_enable {
            let every = self.config.broker.leader_imbalance_check_interval_ms.max(1);
            cx.set_timer(every, sim::Timer::Controller(Timer::Rebalance { epoch }));
        }
    }

    // ----- partition changes for a broker going or coming -----

    /// `generateLeaderAndIsrUpdates`: `remove` (or -1) leaves every ISR and may
    /// not lead; `add` (or -1) may lead although the image still shows it fenced.
    fn leader_and_isr_updates(
        &self,
        remove: NodeId,
        add: NodeId,
        leader_reason: &'static str,
        isr_reason: &'static str,
    ) -> (Vec<MetadataRecord>, Vec<Observation>) {
        let w = self.working();
        let acceptable = |r: NodeId| r != remove && (r == add || is_active_broker(w, r));
        let mut records = Vec::new();
        let mut observations = Vec::new();
        for (tp, p) in w.partitions() {
            let touched = (remove != NO_NODE && (p.isr.contains(&remove) || p.leader == remove))
                || (add != NO_NODE && p.leader == NO_NODE);
            if !touched {
                continue;
            }
            let target_isr: Vec<NodeId> = p.isr.iter().copied().filter(|r| *r != remove).collect();
            let kind = if self.unclean_enabled(&tp.topic) {
                Election::Unclean
            } else {
                Election::Clean
            };
            if let Some(change) = election::build(p, &target_isr, kind, &acceptable) {
                observations.extend(change_observations(&tp, p, &change, leader_reason, isr_reason));
                records.push(change_record(p, change));
            }
        }
        (records, observations)
    }

    fn leads_any_partition(&self, broker: NodeId) -> bool {
        self.working().partitions().any(|(_, p)| p.leader == broker)
    }

    // ----- periodic work -----

    pub(super) fn on_session_check(&mut self, cx: &mut Ctx, epoch: i32) {
        if !self.active_epoch(epoch) {
            return;
        }
        cx.set_timer(
            SESSION_CHECK_INTERVAL_MS,
            sim::Timer::Controller(Timer::SessionCheck { epoch }),
        );
        let timeout = self.config.broker.broker_session_timeout_ms;
        let expired: Vec<(NodeId, i64)> = {
            let l = self.leader.as_ref().expect("leader state");
            l.working
                .brokers
                .values()
                .filter(|b| !b.fenced)
                .filter(|b| cx.now - l.last_heartbeat.get(&b.id).copied().unwrap_or(cx.now) > timeout)
                .map(|b| (b.id, b.epoch))
                .collect()
        };
        for (broker, broker_epoch) in expired {
            self.fence(
                cx,
                broker,
                broker_epoch,
                "session timeout",
                "clean",
                "broker fenced",
                None,
            );
        }
        self.unclean_elections_for_leaderless(cx);
    }

    /// Kafka's `maybeTriggerUncleanLeaderElectionForLeaderlessPartitions`.
    fn unclean_elections_for_leaderless(&mut self, cx: &mut Ctx) {
        let w = self.working();
        let acceptable = |r: NodeId| is_active_broker(w, r);
        let mut records = Vec::new();
        let mut observations = Vec::new();
        for (tp, p) in w.partitions() {
            if p.leader != NO_NODE || !self.unclean_enabled(&tp.topic) {
                continue;
            }
            if let Some(change) = election::build(p, &p.isr, Election::Unclean, &acceptable) {
                observations.extend(change_observations(&tp, p, &change, "clean", "unclean election"));
                records.push(change_record(p, change));
            }
        }
        if !records.is_empty() {
            self.write(cx, records, observations, None);
        }
    }

    /// Fences a broker: `FenceBroker` plus the partition changes it forces.
    #[allow(clippy::too_many_arguments)]
    fn fence(
        &mut self,
        cx: &mut Ctx,
        broker: NodeId,
        broker_epoch: i64,
        reason: &'static str,
        leader_reason: &'static str,
        isr_reason: &'static str,
        reply: Option<Reply>,
    ) {
        let (updates, mut observations) = self.leader_and_isr_updates(broker, NO_NODE, leader_reason, isr_reason);
        let mut records = vec![MetadataRecord::FenceBroker { broker, broker_epoch }];
        records.extend(updates);
        observations.insert(0, Observation::BrokerFenced { broker, reason });
        self.write(cx, records, observations, reply);
    }

    pub(super) fn on_rebalance(&mut self, cx: &mut Ctx, epoch: i32) {
        if !self.active_epoch(epoch) {
            return;
        }
        let every = self.config.broker.leader_imbalance_check_interval_ms.max(1);
        cx.set_timer(every, sim::Timer::Controller(Timer::Rebalance { epoch }));
        let w = self.working();
        let acceptable = |r: NodeId| is_active_broker(w, r);
        // Per preferred broker: the share of its partitions it does not lead.
        let mut counts: FlatMap<NodeId, (u32, u32)> = Default::default();
        for (_, p) in w.partitions() {
            let c = counts.entry(p.preferred_leader()).or_default();
            c.0 += 1;
            if p.leader != p.preferred_leader() {
                c.1 += 1;
            }
        }
        let pct = self.config.broker.leader_imbalance_per_broker_percentage as u64;
        let mut records = Vec::new();
        let mut observations = Vec::new();
        for (tp, p) in w.partitions() {
            let (total, not_led) = counts[&p.preferred_leader()];
            if p.leader == p.preferred_leader() || (not_led as u64) * 100 <= pct * total as u64 {
                continue;
            }
            if let Some(change) = election::build(p, &p.isr, Election::Preferred, &acceptable) {
                if change.leader == Some(p.preferred_leader()) {
                    observations.extend(change_observations(&tp, p, &change, "preferred", "preferred"));
                    records.push(change_record(p, change));
                }
            }
        }
        if !records.is_empty() {
            self.write(cx, records, observations, None);
        }
    }

    // ----- brokers -----

    pub(super) fn on_broker_registration(&mut self, cx: &mut Ctx, from: NodeId, broker: NodeId, incarnation: u64) {
        if !self.is_active() {
            cx.send(
                from,
                Message::BrokerRegistrationResponse {
                    error: Some(KafkaError::NotController),
                    broker_epoch: -1,
                },
            );
            return;
        }
        let broker_epoch = self.end_offset();
        // A broker that comes back without a clean shutdown leaves ISRs and
        // leadership first (Kafka's handleBrokerUncleanShutdown).
        let (updates, mut observations) = self.leader_and_isr_updates(broker, NO_NODE, "clean", "broker re-registered");
        let mut records = vec![MetadataRecord::RegisterBroker {
            broker,
            broker_epoch,
            incarnation,
        }];
        records.extend(updates);
        observations.insert(0, Observation::BrokerRegistered { broker, broker_epoch });
        let now = cx.now;
        self.leader
            .as_mut()
            .expect("leader state")
            .last_heartbeat
            .insert(broker, now);
        self.write(
            cx,
            records,
            observations,
            Some(Reply::Registration { to: from, broker_epoch }),
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_broker_heartbeat(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        broker: NodeId,
        broker_epoch: i64,
        metadata_offset: i64,
        want_fence: bool,
        want_shutdown: bool,
    ) {
        let reject = |cx: &mut Ctx, e: KafkaError| {
            cx.send(
                from,
                Message::BrokerHeartbeatResponse {
                    error: Some(e),
                    is_caught_up: false,
                    is_fenced: true,
                    should_shutdown: false,
                },
            )
        };
        if !self.is_active() {
            return reject(cx, KafkaError::NotController);
        }
        let Some(reg) = self.working().brokers.get(&broker).cloned() else {
            return reject(cx, KafkaError::BrokerIdNotRegistered);
        };
        if reg.epoch != broker_epoch {
            return reject(cx, KafkaError::StaleBrokerEpoch);
        }
        let now: Ms = cx.now;
        self.leader
            .as_mut()
            .expect("leader state")
            .last_heartbeat
            .insert(broker, now);
        // BrokerHeartbeatManager.calculateNextBrokerState.
        let is_caught_up = metadata_offset >= reg.epoch;
        #[derive(PartialEq)]
        enum State {
            Fenced,
            Unfenced,
            ControlledShutdown,
            ShutdownNow,
        }
        let current = if reg.fenced {
            State::Fenced
        } else if reg.in_controlled_shutdown {
            State::ControlledShutdown
        } else {
            State::Unfenced
        };
        let next = match current {
            _ if want_fence => State::Fenced,
            State::Fenced if !is_caught_up => State::Fenced,
            State::Fenced if want_shutdown => State::ShutdownNow,
            State::Fenced => State::Unfenced,
            State::Unfenced if !want_shutdown => State::Unfenced,
            _ if self.leads_any_partition(broker) => State::ControlledShutdown,
            _ => State::ShutdownNow,
        };
        let reply = Reply::Heartbeat {
            to: from,
            is_caught_up,
            is_fenced: matches!(next, State::Fenced | State::ShutdownNow),
            should_shutdown: next == State::ShutdownNow,
        };
        match (current, next) {
            (State::Fenced, State::Unfenced) => {
                let (updates, mut observations) =
                    self.leader_and_isr_updates(NO_NODE, broker, "broker unfenced", "broker unfenced");
                let mut records = vec![MetadataRecord::UnfenceBroker { broker, broker_epoch }];
                records.extend(updates);
                observations.insert(0, Observation::BrokerUnfenced { broker });
                self.write(cx, records, observations, Some(reply));
            }
            (State::Unfenced, State::ControlledShutdown) => {
                let (updates, observations) =
                    self.leader_and_isr_updates(broker, NO_NODE, "controlled shutdown", "controlled shutdown");
                let mut records = vec![MetadataRecord::BrokerInControlledShutdown { broker, broker_epoch }];
                records.extend(updates);
                self.write(cx, records, observations, Some(reply));
            }
            (State::Unfenced | State::ControlledShutdown, State::ShutdownNow) => {
                self.fence(
                    cx,
                    broker,
                    broker_epoch,
                    "controlled shutdown",
                    "controlled shutdown",
                    "controlled shutdown",
                    Some(reply),
                );
            }
            (State::Unfenced | State::ControlledShutdown, State::Fenced) => {
                self.fence(
                    cx,
                    broker,
                    broker_epoch,
                    "requested",
                    "clean",
                    "broker fenced",
                    Some(reply),
                );
            }
            _ => self.write(cx, Vec::new(), Vec::new(), Some(reply)),
        }
    }

    // ----- AlterPartition -----

    pub(super) fn on_alter_partition(&mut self, cx: &mut Ctx, from: NodeId, req: AlterPartition) {
        let tp = req.tp.clone();
        let fail = |cx: &mut Ctx, e: KafkaError, p: Option<&PartitionRegistration>| {
            cx.send(
                from,
                Message::AlterPartitionResponse(alter_partition_error(tp.clone(), e, p)),
            )
        };
        if !self.is_active() {
            return fail(cx, KafkaError::NotController, None);
        }
        let w = self.working();
        if w.brokers.get(&req.broker).is_none_or(|b| b.epoch != req.broker_epoch) {
            return fail(cx, KafkaError::StaleBrokerEpoch, None);
        }
        let Some(p) = w.partition(&req.tp).cloned() else {
            return fail(cx, KafkaError::UnknownTopicOrPartition, None);
        };
        if req.leader_epoch != p.leader_epoch {
            return fail(cx, KafkaError::FencedLeaderEpoch, Some(&p));
        }
        if p.leader != req.broker {
            return fail(cx, KafkaError::NotLeaderOrFollower, Some(&p));
        }
        if req.partition_epoch != p.partition_epoch {
            return fail(cx, KafkaError::InvalidUpdateVersion, Some(&p));
        }
        if !req.new_isr.contains(&p.leader) || req.new_isr.iter().any(|r| !p.replicas.contains(r)) {
            return fail(cx, KafkaError::InvalidRequest, Some(&p));
        }
        if req.new_isr.iter().any(|r| !is_active_broker(w, *r)) {
            return fail(cx, KafkaError::IneligibleReplica, Some(&p));
        }
        if req.new_isr == p.isr {
            let reply = Some(Reply::AlterPartition {
                to: from,
                tp: tp.clone(),
                new_leader_elected: false,
            });
            return self.write(cx, Vec::new(), Vec::new(), reply);
        }
        let reason = if req.new_isr.len() > p.isr.len() {
            "isr expand"
        } else {
            "isr shrink"
        };
        let change = if p.is_reassigning() {
            // The builder completes the reassignment once the ISR holds every
            // target replica (`ReplicationControlManager.alterPartition`).
            let acceptable = |r: NodeId| is_active_broker(w, r);
            election::build(&p, &req.new_isr, Election::Clean, &acceptable).unwrap_or_default()
        } else {
            Change {
                isr: Some(req.new_isr.clone()),
                ..Change::default()
            }
        };
        let reason = if change.replicas.is_some() {
            "reassignment completed"
        } else {
            reason
        };
        let observations = change_observations(&tp, &p, &change, "reassignment", reason);
        // Completing a reassignment may move leadership off the requester: it
        // hears NEW_LEADER_ELECTED and waits for the metadata.
        let reply = Some(Reply::AlterPartition {
            to: from,
            tp: tp.clone(),
            new_leader_elected: change.leader.is_some_and(|l| l != req.broker),
        });
        self.write(cx, vec![change_record(&p, change)], observations, reply);
    }

    // ----- admin -----

    pub(super) fn on_admin(&mut self, cx: &mut Ctx, from: NodeId, request_id: u64, request: AdminRequest) {
        if !self.is_active() {
            cx.send(
                from,
                Message::AdminResponse {
                    request_id,
                    response: not_controller(&request),
                },
            );
            return;
        }
        let reply = |response| {
            Some(Reply::Admin {
                to: from,
                request_id,
                response,
            })
        };
        match request {
            AdminRequest::CreateTopic {
                name,
                partitions,
                replication_factor,
                assignment,
                configs,
                validate_only,
            } => {
                match self.create_topic(
                    cx,
                    &name,
                    partitions,
                    replication_factor,
                    assignment.as_deref(),
                    &configs,
                ) {
                    Err(e) => self.write(cx, Vec::new(), Vec::new(), reply(AdminResponse::CreateTopic(Err(e)))),
                    Ok((id, _, _)) if validate_only => {
                        self.write(cx, Vec::new(), Vec::new(), reply(AdminResponse::CreateTopic(Ok(id))))
                    }
                    Ok((id, records, observations)) => {
                        self.write(cx, records, observations, reply(AdminResponse::CreateTopic(Ok(id))))
                    }
                }
            }
            AdminRequest::DeleteTopic { name } => match self.working().topic(&name).map(|t| t.id) {
                None => self.write(
                    cx,
                    Vec::new(),
                    Vec::new(),
                    reply(AdminResponse::DeleteTopic(Err(api_error(
                        KafkaError::UnknownTopicOrPartition,
                    )))),
                ),
                Some(id) => self.write(
                    cx,
                    vec![MetadataRecord::RemoveTopic { id }],
                    vec![Observation::TopicDeleted { topic: name }],
                    reply(AdminResponse::DeleteTopic(Ok(()))),
                ),
            },
            AdminRequest::CreatePartitions {
                topic,
                total,
                assignment,
            } => match self.create_partitions(cx, &topic, total, assignment.as_deref()) {
                Ok(records) => self.write(cx, records, Vec::new(), reply(AdminResponse::CreatePartitions(Ok(())))),
                Err(e) => self.write(
                    cx,
                    Vec::new(),
                    Vec::new(),
                    reply(AdminResponse::CreatePartitions(Err(e))),
                ),
            },
            AdminRequest::AlterTopicConfigs { topic, changes } => match self.alter_topic_configs(&topic, &changes) {
                Ok(records) => self.write(cx, records, Vec::new(), reply(AdminResponse::AlterTopicConfigs(Ok(())))),
                Err(e) => self.write(
                    cx,
                    Vec::new(),
                    Vec::new(),
                    reply(AdminResponse::AlterTopicConfigs(Err(e))),
                ),
            },
            AdminRequest::AlterBrokerConfigs { resource, changes } => {
                let (records, result) =
                    match crate::dynamic_config::alter_broker_configs(self.working(), &resource, &changes) {
                        Ok(records) => (records, Ok(())),
                        Err(e) => (Vec::new(), Err(e)),
                    };
                self.write(
                    cx,
                    records,
                    Vec::new(),
                    reply(AdminResponse::AlterBrokerConfigs(result)),
                );
            }
            AdminRequest::ElectLeaders { preferred, partitions } => {
                let (records, observations, results) = self.elect_leaders(preferred, partitions);
                self.write(cx, records, observations, reply(AdminResponse::ElectLeaders(results)));
            }
            AdminRequest::AlterPartitionReassignments { reassignments } => {
                let (records, observations, results) = self.alter_partition_reassignments(&reassignments);
                self.write(
                    cx,
                    records,
                    observations,
                    reply(AdminResponse::AlterPartitionReassignments(results)),
                );
            }
            AdminRequest::ListPartitionReassignments { partitions } => {
                let list = self.list_partition_reassignments(partitions);
                self.write(
                    cx,
                    Vec::new(),
                    Vec::new(),
                    reply(AdminResponse::ListPartitionReassignments(Ok(list))),
                );
            }
            AdminRequest::UnregisterBroker { broker } => {
                let Some(reg) = self.working().brokers.get(&broker).cloned() else {
                    let e = (
                        KafkaError::BrokerIdNotRegistered,
                        format!("Broker ID {broker} is not currently registered"),
                    );
                    return self.write(
                        cx,
                        Vec::new(),
                        Vec::new(),
                        reply(AdminResponse::UnregisterBroker(Err(e))),
                    );
                };
                let (mut records, observations) =
                    self.leader_and_isr_updates(broker, NO_NODE, "clean", "broker unregistered");
                records.push(MetadataRecord::UnregisterBroker {
                    broker,
                    broker_epoch: reg.epoch,
                });
                self.leader
                    .as_mut()
                    .expect("leader state")
                    .last_heartbeat
                    .remove(&broker);
                self.write(
                    cx,
                    records,
                    observations,
                    reply(AdminResponse::UnregisterBroker(Ok(()))),
                );
            }
        }
    }

    /// Registered brokers the placer may use (not in controlled shutdown).
    fn usable_brokers(&self) -> Vec<UsableBroker> {
        self.working()
            .brokers
            .values()
            .filter(|b| !b.in_controlled_shutdown)
            .map(|b| UsableBroker {
                id: b.id,
                fenced: b.fenced,
            })
            .collect()
    }

    /// `validateManualPartitionAssignment`.
    fn validate_manual_assignment(&self, replicas: &[NodeId], replication_factor: Option<usize>) -> ApiResult<()> {
        let invalid = |m: String| Err((KafkaError::InvalidReplicaAssignment, m));
        if replicas.is_empty() {
            return invalid("The manual partition assignment includes an empty replica list.".to_string());
        }
        let mut sorted = replicas.to_vec();
        sorted.sort_unstable();
        let mut prev = None;
        for b in &sorted {
            if !self.working().brokers.contains_key(b) {
                return invalid(format!(
                    "The manual partition assignment includes broker {b}, but no such broker is registered."
                ));
            }
            if prev == Some(*b) {
                return invalid(format!(
                    "The manual partition assignment includes the broker {b} more than once."
                ));
            }
            prev = Some(*b);
        }
        if let Some(rf) = replication_factor {
            if sorted.len() != rf {
                return invalid(format!(
                    "The manual partition assignment includes a partition with {} replica(s), but this is not consistent with previous partitions, which have {rf} replica(s).",
                    sorted.len()
                ));
            }
        }
        Ok(())
    }

    /// `ReplicationControlManager.createTopics` for one topic, in Kafka's order:
    /// name, collision, existence, configs, then assignment or placement.
    #[allow(clippy::type_complexity)]
    fn create_topic(
        &mut self,
        cx: &mut Ctx,
        name: &str,
        partitions: i32,
        replication_factor: i16,
        assignment: Option<&[Vec<NodeId>]>,
        configs: &[(String, String)],
    ) -> ApiResult<(Uuid, Vec<MetadataRecord>, Vec<Observation>)> {
        let w = self.working();
        let mut error = None;
        if let Err(m) = validation::validate_topic_name(name) {
            error = Some((KafkaError::InvalidTopicException, m));
        }
        if validation::has_collision_chars(name) {
            let unified = validation::unify_collision_chars(name);
            if let Some(other) = w
                .topic_ids
                .keys()
                .find(|t| validation::has_collision_chars(t) && validation::unify_collision_chars(t) == unified)
            {
                error = Some((
                    KafkaError::InvalidTopicException,
                    format!("Topic '{name}' collides with existing topic: {other}"),
                ));
            }
        }
        if w.topic_ids.contains_key(name) {
            error = Some((
                KafkaError::TopicAlreadyExists,
                format!("Topic '{name}' already exists."),
            ));
        }
        if let Some(e) = error {
            return Err(e);
        }
        validation::validate_topic_configs(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|m| (KafkaError::InvalidConfig, m))?;

        let mut layout: Vec<(Vec<NodeId>, Vec<NodeId>)> = Vec::new();
        let rf_shown: i16;
        if let Some(assignment) = assignment {
            let first_rf = assignment.first().map_or(0, Vec::len);
            if replication_factor != -1 && replication_factor as usize != first_rf {
                return Err((
                    KafkaError::InvalidRequest,
                    "A manual partition assignment was specified, but replication factor was not set to -1."
                        .to_string(),
                ));
            }
            if partitions != -1 && partitions as usize != assignment.len() {
                return Err((
                    KafkaError::InvalidRequest,
                    "A manual partition assignment was specified, but numPartitions was not set to -1.".to_string(),
                ));
            }
            let mut rf = None;
            for (i, replicas) in assignment.iter().enumerate() {
                self.validate_manual_assignment(replicas, rf)?;
                rf = Some(replicas.len());
                let isr = active_replicas(self.working(), replicas);
                if isr.is_empty() {
                    return Err((
                        KafkaError::InvalidReplicaAssignment,
                        format!("All brokers specified in the manual partition assignment for partition {i} are fenced or in controlled shutdown."),
                    ));
                }
                layout.push((replicas.clone(), isr));
            }
            if layout.is_empty() {
                return Err((
                    KafkaError::InvalidPartitions,
                    "Number of partitions was set to an invalid non-positive value.".to_string(),
                ));
            }
            rf_shown = first_rf as i16;
        } else {
            if replication_factor < -1 || replication_factor == 0 {
                return Err((
                    KafkaError::InvalidReplicationFactor,
                    "Replication factor must be larger than 0, or -1 to use the default value.".to_string(),
                ));
            }
            if partitions < -1 || partitions == 0 {
                return Err((
                    KafkaError::InvalidPartitions,
                    "Number of partitions was set to an invalid non-positive value.".to_string(),
                ));
            }
            let n = if partitions == -1 {
                self.config.broker.num_partitions
            } else {
                partitions
            };
            let rf = if replication_factor == -1 {
                self.config.broker.default_replication_factor
            } else {
                replication_factor
            };
            let usable = self.usable_brokers();
            let placed = placement::place(cx.rng, &usable, n, rf).map_err(|m| {
                (
                    KafkaError::InvalidReplicationFactor,
                    format!("Unable to replicate the partition {rf} time(s): {m}"),
                )
            })?;
            for replicas in placed {
                let isr = active_replicas(self.working(), &replicas);
                if isr.is_empty() {
                    return Err((
                        KafkaError::InvalidReplicationFactor,
                        format!("Unable to replicate the partition {rf} time(s): All brokers are currently fenced or in controlled shutdown."),
                    ));
                }
                layout.push((replicas, isr));
            }
            rf_shown = rf;
        }

        let id = Uuid::random(cx.rng);
        let mut records = vec![MetadataRecord::Topic {
            name: name.to_string(),
            id,
        }];
        for (k, v) in configs {
            records.push(MetadataRecord::Config {
                topic: name.to_string(),
                name: k.clone(),
                value: Some(v.clone()),
            });
        }
        let mut observations = vec![Observation::TopicCreated {
            topic: name.to_string(),
            partitions: layout.len() as i32,
            replication_factor: rf_shown,
        }];
        records.reserve(layout.len());
        observations.reserve(layout.len());
        for (i, (replicas, isr)) in layout.into_iter().enumerate() {
            let (observation, record) = new_partition(name, id, i as i32, replicas, isr);
            observations.push(observation);
            records.push(record);
        }
        Ok((id, records, observations))
    }

    /// `ReplicationControlManager.createPartitions` for one topic.
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    fn create_partitions(
        &mut self,
        cx: &mut Ctx,
        topic: &str,
        total: i32,
        assignment: Option<&[Vec<NodeId>]>,
    ) -> ApiResult<Vec<MetadataRecord>> {
        let Some(t) = self.working().topic(topic).cloned() else {
            return Err(api_error(KafkaError::UnknownTopicOrPartition));
        };
        let current = t.partitions.len() as i32;
        if total == current {
            return Err((
                KafkaError::InvalidPartitions,
                format!("Topic already has {current} partition(s)."),
            ));
        }
        if total < current {
            return Err((
                KafkaError::InvalidPartitions,
                format!("The topic {topic} currently has {current} partition(s); {total} would not be an increase."),
            ));
        }
        let additional = total - current;
        let rf = t.partitions.values().next().map_or(1, |p| p.replicas.len());
        let layout: Vec<Vec<NodeId>> = match assignment {
            Some(a) => {
                if a.len() as i32 != additional {
                    return Err((
                        KafkaError::InvalidReplicaAssignment,
                        format!("Attempted to add {additional} additional partition(s), but only {} assignment(s) were specified.", a.len()),
                    ));
                }
                for replicas in a {
                    self.validate_manual_assignment(replicas, Some(rf))?;
                }
                a.to_vec()
            }
            None => {
                let usable = self.usable_brokers();
                placement::place(cx.rng, &usable, additional, rf as i16).map_err(|m| {
                    (
                        KafkaError::InvalidReplicationFactor,
                        format!("Unable to replicate the partition {rf} time(s): {m}"),
                    )
                })?
            }
        };
        let mut records = Vec::new();
        for (i, replicas) in layout.into_iter().enumerate() {
            let isr = active_replicas(self.working(), &replicas);
            if isr.is_empty() {
                return Err((
                    KafkaError::InvalidReplicationFactor,
                    format!("Unable to replicate the partition {rf} time(s): All brokers are currently fenced or in controlled shutdown."),
                ));
            }
            records.push(MetadataRecord::Partition(std::sync::Arc::new(PartitionRegistration {
                topic_id: t.id,
                partition: current + i as i32,
                replicas,
                leader: isr[0],
                isr,
                leader_epoch: 0,
                partition_epoch: 0,
                adding_replicas: Vec::new(),
                removing_replicas: Vec::new(),
            })));
        }
        Ok(records)
    }

    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    fn alter_topic_configs(&self, topic: &str, changes: &[(String, Option<String>)]) -> ApiResult<Vec<MetadataRecord>> {
        let Some(t) = self.working().topic(topic) else {
            return Err(api_error(KafkaError::UnknownTopicOrPartition));
        };
        for (name, _) in changes {
            if !validation::is_topic_config(name) {
                return Err((KafkaError::InvalidConfig, format!("Unknown topic config name: {name}")));
            }
        }
        let mut merged = t.configs.clone();
        for (name, value) in changes {
            match value {
                Some(v) => merged.insert(name.clone(), v.clone()),
                None => merged.remove(name),
            };
        }
        validation::validate_topic_configs(merged.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|m| (KafkaError::InvalidConfig, m))?;
        Ok(changes
            .iter()
            .map(|(name, value)| MetadataRecord::Config {
                topic: topic.to_string(),
                name: name.clone(),
                value: value.clone(),
            })
            .collect())
    }

    /// `ReplicationControlManager.electLeaders`. With no partition list, every
    /// partition is tried and those that need no election are left out.
    #[allow(clippy::type_complexity)]
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    fn elect_leaders(
        &self,
        preferred: bool,
        partitions: Option<Vec<TopicPartition>>,
    ) -> (
        Vec<MetadataRecord>,
        Vec<Observation>,
        Vec<(TopicPartition, ApiResult<()>)>,
    ) {
        let w = self.working();
        let all = partitions.is_none();
        let wanted = partitions.unwrap_or_else(|| w.partitions().map(|(tp, _)| tp).collect());
        let acceptable = |r: NodeId| is_active_broker(w, r);
        let mut records = Vec::new();
        let mut observations = Vec::new();
        let mut results = Vec::new();
        for tp in wanted {
            let result = (|| {
                let Some(t) = w.topic(&tp.topic) else {
                    return Err((
                        KafkaError::UnknownTopicOrPartition,
                        format!("No such topic as {}", tp.topic),
                    ));
                };
                let Some(p) = t.partitions.get(&tp.partition) else {
                    return Err((
                        KafkaError::UnknownTopicOrPartition,
                        format!("No such partition as {tp}"),
                    ));
                };
                if (preferred && p.leader == p.preferred_leader()) || (!preferred && p.leader != NO_NODE) {
                    return Err(api_error(KafkaError::ElectionNotNeeded));
                }
                let kind = if preferred {
                    Election::Preferred
                } else {
                    Election::Unclean
                };
                match election::build(p, &p.isr, kind, &acceptable) {
                    Some(change) if change.leader.is_some_and(|l| l != NO_NODE) => {
                        let reason = if preferred { "preferred" } else { "clean" };
                        observations.extend(change_observations(&tp, p, &change, reason, "unclean election"));
                        records.push(change_record(p, change));
                        Ok(())
                    }
                    _ if preferred => Err(api_error(KafkaError::PreferredLeaderNotAvailable)),
                    _ => Err(api_error(KafkaError::EligibleLeadersNotAvailable)),
                }
            })();
            if all && matches!(result, Err((KafkaError::ElectionNotNeeded, _))) {
                continue;
            }
            results.push((tp, result));
        }
        (records, observations, results)
    }
}

impl Controller {
    /// `ReplicationControlManager.alterPartitionReassignments`: each partition
    /// against the image before the request (Kafka replays the records after).
    #[allow(clippy::type_complexity)]
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    fn alter_partition_reassignments(
        &self,
        reassignments: &[(TopicPartition, Option<Vec<NodeId>>)],
    ) -> (
        Vec<MetadataRecord>,
        Vec<Observation>,
        Vec<(TopicPartition, ApiResult<()>)>,
    ) {
        let image = self.working();
        let mut records = Vec::new();
        let mut observations = Vec::new();
        let mut results = Vec::new();
        for (tp, target) in reassignments {
            let result = self.alter_partition_reassignment(image, tp, target.as_deref());
            let result = result.map(|change| {
                if let Some((p, change)) = change {
                    observations.extend(change_observations(tp, &p, &change, "reassignment", "reassignment"));
                    records.push(change_record(&p, change));
                }
            });
            results.push((tp.clone(), result));
        }
        (records, observations, results)
    }

    /// One partition: start (or change) its reassignment to `target`, or
    /// cancel it (`None`). `Ok(None)` when nothing needs to change.
    fn alter_partition_reassignment(
        &self,
        image: &MetadataImage,
        tp: &TopicPartition,
        target: Option<&[NodeId]>,
    ) -> ApiResult<Option<(PartitionRegistration, Change)>> {
        let Some(t) = image.topic(&tp.topic) else {
            return Err((
                KafkaError::UnknownTopicOrPartition,
                format!("Unable to find a topic named {}.", tp.topic),
            ));
        };
        let Some(p) = t.partitions.get(&tp.partition) else {
            return Err((
                KafkaError::UnknownTopicOrPartition,
                format!("Unable to find partition {}:{}.", tp.topic, tp.partition),
            ));
        };
        let p: PartitionRegistration = (**p).clone();
        let acceptable = |r: NodeId| is_active_broker(image, r);
        let change = match target {
            None => {
                // `cancelPartitionReassignment` with `PartitionReassignmentRevert`.
                if !p.is_reassigning() {
                    return Err(api_error(KafkaError::NoReassignmentInProgress));
                }
                let replicas: Vec<NodeId> = p
                    .replicas
                    .iter()
                    .copied()
                    .filter(|r| !p.adding_replicas.contains(r))
                    .collect();
                let mut isr: Vec<NodeId> = p
                    .isr
                    .iter()
                    .copied()
                    .filter(|r| !p.adding_replicas.contains(r))
                    .collect();
                if isr.is_empty() {
                    if !self.unclean_enabled(&tp.topic) {
                        return Err((
                            KafkaError::InvalidReplicaAssignment,
                            format!(
                                "Unable to revert partition assignment for {}:{} because it would require an unclean leader election.",
                                tp.topic, tp.partition
                            ),
                        ));
                    }
                    // The first remaining replica alone: an unclean election.
                    isr = replicas.first().copied().into_iter().collect();
                }
                election::build_reassignment(&p, &replicas, &isr, &[], &[], Election::Clean, &acceptable)
            }
            Some(target) => {
                self.validate_manual_assignment(target, None)?;
                let (replicas, removing, adding) = election::reassignment_replicas(&p.replicas, target);
                match election::complete_reassignment(&replicas, &removing, &adding, &p.isr) {
                    // Only removing replicas, all target replicas in sync: done at once.
                    Some((replicas, isr)) => {
                        election::build_reassignment(&p, &replicas, &isr, &[], &[], Election::Clean, &acceptable)
                    }
                    None => election::build_reassignment(
                        &p,
                        &replicas,
                        &p.isr,
                        &removing,
                        &adding,
                        Election::Clean,
                        &acceptable,
                    ),
                }
            }
        };
        let empty = change.leader.is_none()
            && change.isr.is_none()
            && change.replicas.is_none()
            && change.removing.is_none()
            && change.adding.is_none();
        Ok((!empty).then_some((p, change)))
    }

    /// `ReplicationControlManager.listPartitionReassignments`: unknown
    /// partitions are left out.
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    fn list_partition_reassignments(&self, partitions: Option<Vec<TopicPartition>>) -> Vec<OngoingReassignment> {
        let w = self.working();
        let ongoing = |tp: TopicPartition, p: &PartitionRegistration| {
            p.is_reassigning().then(|| OngoingReassignment {
                tp,
                replicas: p.replicas.clone(),
                adding: p.adding_replicas.clone(),
                removing: p.removing_replicas.clone(),
            })
        };
        match partitions {
            None => w.partitions().filter_map(|(tp, p)| ongoing(tp, p)).collect(),
            Some(tps) => tps
                .into_iter()
                .filter_map(|tp| {
                    let p = w.partition(&tp)?.clone();
                    ongoing(tp, &p)
                })
                .collect(),
        }
    }
}

fn alter_partition_error(
    tp: TopicPartition,
    error: KafkaError,
    p: Option<&PartitionRegistration>,
) -> AlterPartitionResponse {
    AlterPartitionResponse {
        tp,
        error: Some(error),
        leader: p.map_or(NO_NODE, |p| p.leader),
        leader_epoch: p.map_or(-1, |p| p.leader_epoch),
        isr: p.map_or_else(Vec::new, |p| p.isr.clone()),
        partition_epoch: p.map_or(-1, |p| p.partition_epoch),
    }
}
