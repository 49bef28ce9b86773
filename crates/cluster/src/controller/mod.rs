//! A KRaft controller: a voter of the metadata quorum (KIP-595) and, while it
//! leads, the active controller (`QuorumController`).
//!
//! - [`raft`] — the quorum. Pull-based Raft among `controller.quorum.voters`:
//!   elections (`Vote`), `BeginQuorumEpoch`, followers and observers (brokers)
//!   pulling the metadata log with `MetadataFetch` (long-polled), divergence and
//!   truncation, the high watermark (majority of voters, current-epoch records
//!   only), fetch timeouts and the leader's check-quorum.
//! - [`active`] — what the active controller does once its `LeaderChange` record
//!   is committed: broker registration, heartbeats, fencing, controlled
//!   shutdown, `AlterPartition`, admin requests, leader rebalancing. Every
//!   answer waits until its records are committed.
//! - [`election`] — `PartitionChangeBuilder` (clean, unclean, preferred).
//! - [`placement`] — `StripedReplicaPlacer`.
//! - [`validation`] — topic names and topic configs with Kafka's texts.
//!
//! Everything the controller keeps on disk ([`ControllerDisk`]: quorum epoch,
//! vote, known leader, the whole metadata log) survives a kill, as KRaft fsyncs
//! its log. There are no snapshots: a fetcher that starts from zero replays the
//! whole log, at most [`MAX_FETCH_RECORDS`] records per response.
//!
//! Not here: snapshots, pre-vote (KIP-996), dynamic quorum membership
//! (KIP-853), features/metadata versions, ACLs, quotas, reassignment, ELR.

mod active;
pub mod disk_view;
pub mod election;
pub mod placement;
mod raft;
pub mod validation;

use kafkaplay_flatmap::{FlatMap, FlatSet};

use crate::config::ClusterConfig;
use crate::metadata::{MetadataImage, MetadataRecord};
use crate::protocol::{AdminResponse, Message, MetadataRecords};
use crate::sim::Ctx;
use crate::trace::Observation;
use crate::types::{Ms, NodeId, TopicPartition, NO_NODE};

/// Records of the metadata log as fetch responses carry them, shared.
type MetadataWindow = std::sync::Arc<[(i64, i32, MetadataRecord)]>;

/// The most records one `MetadataFetchResponse` carries.
pub const MAX_FETCH_RECORDS: usize = 2000;

/// How often the active controller looks for brokers whose session expired
/// (and for leaderless partitions an unclean election could fix).
pub const SESSION_CHECK_INTERVAL_MS: Ms = 1_000;

/// A controller's timers. Each carries what makes a stale one recognisable.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// Election timeout (unattached, candidate) or fetch timeout (follower).
    Election { generation: u64 },
    /// A follower's fetch got no answer: send it again.
    FetchRetry { generation: u64 },
    /// The leader answers a held (long-polled) fetch.
    LongPoll { replica: NodeId, hold: u64 },
    /// The leader checks that a majority of voters still fetch from it.
    CheckQuorum { epoch: i32 },
    /// The active controller fences brokers whose session expired.
    SessionCheck { epoch: i32 },
    /// `auto.leader.rebalance.enable`: move leaders back to preferred replicas.
    Rebalance { epoch: i32 },
}

/// One record of the metadata log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub offset: i64,
    /// The quorum epoch of the leader that wrote it.
    pub epoch: i32,
    pub record: MetadataRecord,
}

/// What a controller keeps on disk: the quorum state (`quorum-state`) and the
/// metadata log (`__cluster_metadata-0`). KRaft fsyncs both, so a kill or a
/// power loss keeps all of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerDisk {
    pub epoch: i32,
    /// The candidate this voter voted for in `epoch`, or -1.
    pub voted_for: NodeId,
    /// The leader of `epoch` if known, or -1.
    pub leader: NodeId,
    pub log: Vec<LogEntry>,
}

impl Default for ControllerDisk {
    fn default() -> Self {
        ControllerDisk {
            epoch: 0,
            voted_for: NO_NODE,
            leader: NO_NODE,
            log: Vec::new(),
        }
    }
}

/// The voter's role in the quorum.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    /// Knows no leader for its epoch and has not started an election.
    Unattached,
    Candidate {
        votes: FlatSet<NodeId>,
    },
    Follower {
        leader: NodeId,
    },
    Leader,
}

impl Role {
    fn name(&self) -> &'static str {
        match self {
            Role::Unattached => "unattached",
            Role::Candidate { .. } => "candidate",
            Role::Follower { .. } => "follower",
            Role::Leader => "leader",
        }
    }
}

/// A fetch the leader holds until there is something new (long poll).
#[derive(Debug, Clone, PartialEq)]
struct HeldFetch {
    hold: u64,
    fetch_offset: i64,
}

/// An answer the active controller sends once `end_offset` is committed.
#[derive(Debug, Clone, PartialEq)]
enum Reply {
    Admin {
        to: NodeId,
        request_id: u64,
        response: AdminResponse,
    },
    Registration {
        to: NodeId,
        broker_epoch: i64,
    },
    Heartbeat {
        to: NodeId,
        is_caught_up: bool,
        is_fenced: bool,
        should_shutdown: bool,
    },
    /// Answered with the partition's committed state, or `NEW_LEADER_ELECTED`
    /// when completing a reassignment moved leadership off the requester.
    AlterPartition {
        to: NodeId,
        tp: TopicPartition,
        new_leader_elected: bool,
    },
}

/// Records written by the active controller, waiting for the high watermark.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    /// The log end offset right after the records: committed when HW ≥ this.
    end_offset: i64,
    /// Shown once committed (a leader that loses its epoch drops them).
    observations: Vec<Observation>,
    reply: Option<Reply>,
}

/// What only the quorum leader keeps.
#[derive(Debug)]
struct LeaderState {
    /// Offset of this epoch's `LeaderChange` record; the controller is active
    /// once the high watermark passes it.
    epoch_start_offset: i64,
    active: bool,
    /// Per voter (not self): the offset it has replicated up to (its last fetch offset).
    voter_end: FlatMap<NodeId, i64>,
    /// Per voter (not self): when it last fetched, for check-quorum.
    voter_last_fetch: FlatMap<NodeId, Ms>,
    held: FlatMap<NodeId, HeldFetch>,
    next_hold: u64,
    /// The image with every record in the log applied, committed or not: what
    /// new requests are validated against (QuorumController's in-memory state).
    working: MetadataImage,
    pending: Vec<Pending>,
    /// Last heartbeat per broker (reset for all on becoming active).
    last_heartbeat: FlatMap<NodeId, Ms>,
}

/// A KRaft controller node.
#[derive(Debug)]
pub struct Controller {
    id: NodeId,
    config: ClusterConfig,
    voters: Vec<NodeId>,
    // --- persisted ---
    epoch: i32,
    voted_for: NodeId,
    known_leader: NodeId,
    log: Vec<LogEntry>,
    // --- volatile ---
    role: Role,
    high_watermark: i64,
    /// Records below the high watermark, applied.
    image: MetadataImage,
    election_generation: u64,
    election_deadline: Ms,
    fetch_generation: u64,
    leader: Option<LeaderState>,
    /// The window of the log fetch responses were last cut from: the epoch it
    /// was built in, its first offset and its records.
    fetched: Option<(i32, usize, MetadataWindow)>,
    no_records: MetadataRecords,
}

impl Controller {
    pub fn new(id: NodeId, config: &ClusterConfig, disk: ControllerDisk, _now: Ms) -> Self {
        Controller {
            id,
            config: config.clone(),
            voters: config.controllers.clone(),
            epoch: disk.epoch,
            voted_for: disk.voted_for,
            known_leader: disk.leader,
            log: disk.log,
            role: Role::Unattached,
            high_watermark: 0,
            image: MetadataImage::default(),
            election_generation: 0,
            election_deadline: 0,
            fetch_generation: 0,
            leader: None,
            fetched: None,
            no_records: MetadataRecords::default(),
        }
    }

    /// Starts (or restarts from disk): a lone voter elects itself; a voter that
    /// knew a leader follows it; otherwise it waits an election timeout.
    pub fn on_start(&mut self, cx: &mut Ctx) {
        if self.voters == [self.id] {
            self.start_election(cx);
        } else if self.known_leader != NO_NODE
            && self.known_leader != self.id
            && self.voters.contains(&self.known_leader)
        {
            let leader = self.known_leader;
            self.become_follower(cx, self.epoch, leader);
        } else {
            self.known_leader = NO_NODE;
            self.set_role(cx, Role::Unattached);
            self.reset_election_timer(cx);
        }
    }

    pub fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: Message) {
        match msg {
            Message::Vote {
                epoch,
                candidate,
                last_epoch,
                last_offset,
            } => self.on_vote(cx, from, epoch, candidate, last_epoch, last_offset),
            Message::VoteResponse { epoch, granted } => self.on_vote_response(cx, from, epoch, granted),
            Message::BeginQuorumEpoch { epoch, leader } => self.on_begin_quorum_epoch(cx, epoch, leader),
            Message::MetadataFetch {
                epoch,
                replica,
                fetch_offset,
                last_fetched_epoch,
            } => self.on_fetch(cx, from, epoch, replica, fetch_offset, last_fetched_epoch),
            Message::MetadataFetchResponse(r) => self.on_fetch_response(cx, from, r),
            Message::BrokerRegistration { broker, incarnation } => {
                self.on_broker_registration(cx, from, broker, incarnation)
            }
            Message::BrokerHeartbeat {
                broker,
                broker_epoch,
                metadata_offset,
                want_fence,
                want_shutdown,
            } => self.on_broker_heartbeat(
                cx,
                from,
                broker,
                broker_epoch,
                metadata_offset,
                want_fence,
                want_shutdown,
            ),
            Message::AlterPartition(req) => self.on_alter_partition(cx, from, req),
            Message::Admin { request_id, request } => self.on_admin(cx, from, request_id, request),
            _ => {}
        }
    }

    pub fn on_timer(&mut self, cx: &mut Ctx, timer: Timer) {
        match timer {
            Timer::Election { generation } => self.on_election_timer(cx, generation),
            Timer::FetchRetry { generation } => {
                if generation == self.fetch_generation && matches!(self.role, Role::Follower { .. }) {
                    self.send_fetch(cx);
                }
            }
            Timer::LongPoll { replica, hold } => self.on_long_poll_expired(cx, replica, hold),
            Timer::CheckQuorum { epoch } => self.on_check_quorum(cx, epoch),
            Timer::SessionCheck { epoch } => self.on_session_check(cx, epoch),
            Timer::Rebalance { epoch } => self.on_rebalance(cx, epoch),
        }
    }

    /// What survives: the quorum state and the whole log.
    pub fn into_disk(self) -> ControllerDisk {
        ControllerDisk {
            epoch: self.epoch,
            voted_for: self.voted_for,
            leader: self.known_leader,
            log: self.log,
        }
    }

    /// True for the quorum leader once its `LeaderChange` record is committed.
    pub fn is_active(&self) -> bool {
        self.leader.as_ref().is_some_and(|l| l.active)
    }

    /// The committed metadata (records below the high watermark).
    pub fn image(&self) -> &MetadataImage {
        &self.image
    }

    // ----- introspection (for the UI and tests) -----

    pub fn id(&self) -> NodeId {
        self.id
    }
    /// The current quorum epoch.
    pub fn epoch(&self) -> i32 {
        self.epoch
    }
    /// `unattached`, `candidate`, `follower` or `leader`.
    pub fn role(&self) -> &'static str {
        self.role.name()
    }
    /// The leader this voter knows for its epoch, or -1.
    pub fn leader_id(&self) -> NodeId {
        self.known_leader
    }
    pub fn high_watermark(&self) -> i64 {
        self.high_watermark
    }
    pub fn log_end_offset(&self) -> i64 {
        self.log.len() as i64
    }
    /// The metadata log, committed or not.
    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }
}
