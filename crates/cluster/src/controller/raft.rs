//! The metadata quorum: KIP-595's pull-based Raft, as `KafkaRaftClient` runs it.
//!
//! Voters are `Unattached`, `Candidate`, `Follower` or `Leader`. Elections use
//! `Vote` (granted when the candidate's log is at least as up to date and the
//! voter has not voted for someone else in the epoch); the winner writes a
//! `LeaderChange` record and sends `BeginQuorumEpoch`. Followers and observers
//! pull with `MetadataFetch`; the leader holds a fetch with nothing new for up
//! to `fetch_max_wait_ms`, answers `diverging` when the fetcher's last epoch
//! does not match its log, and advances the high watermark to the offset a
//! majority of voters hold, but only over records of its own epoch.
//!
//! Not here: pre-vote, snapshots, `EndQuorumEpoch` (a resigning leader just
//! stops answering as leader; followers time out).

use kafkaplay_flatmap::{FlatMap, FlatSet};

use super::{Controller, HeldFetch, LeaderState, LogEntry, Pending, Role, Timer, MAX_FETCH_RECORDS};
use crate::error::KafkaError;
use crate::metadata::MetadataRecord;
use crate::protocol::{Message, MetadataFetchResponse, MetadataRecords};
use crate::sim::{self, Ctx};
use crate::trace::Observation;
use crate::types::{Ms, NodeId, NO_NODE};

impl Controller {
    // ----- log helpers -----

    pub(super) fn end_offset(&self) -> i64 {
        self.log.len() as i64
    }

    fn last_epoch(&self) -> i32 {
        self.log.last().map_or(0, |e| e.epoch)
    }

    /// `endOffsetForEpoch`: the largest epoch ≤ `epoch` in the log and the
    /// offset where it ends; `(0, 0)` if there is none.
    fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        let Some(idx) = self.log.iter().rposition(|e| e.epoch <= epoch) else {
            return (0, 0);
        };
        let found = self.log[idx].epoch;
        let end = self.log[idx..]
            .iter()
            .position(|e| e.epoch > found)
            .map_or(self.end_offset(), |p| (idx + p) as i64);
        (found, end)
    }

    /// The leader's divergence check of a fetch position.
    fn diverging(&self, fetch_offset: i64, last_fetched_epoch: i32) -> Option<(i32, i64)> {
        if fetch_offset == 0 {
            return None;
        }
        let (epoch, end) = self.end_offset_for_epoch(last_fetched_epoch);
        (epoch != last_fetched_epoch || end < fetch_offset).then_some((epoch, end))
    }

    fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    fn is_voter(&self, id: NodeId) -> bool {
        self.voters.contains(&id)
    }

    /// Appends records in the current epoch (leader only); returns the new end offset.
    pub(super) fn append(&mut self, records: Vec<MetadataRecord>) -> i64 {
        for record in records {
            let offset = self.end_offset();
            if let Some(l) = self.leader.as_mut() {
                l.working.apply(offset, &record);
            }
            self.log.push(LogEntry {
                offset,
                epoch: self.epoch,
                record,
            });
        }
        self.end_offset()
    }

    /// Applies newly committed records to the image.
    fn apply_committed(&mut self) {
        while self.image.offset < self.high_watermark {
            let entry = &self.log[self.image.offset as usize];
            self.image.apply(entry.offset, &entry.record);
        }
    }

    // ----- role changes -----

    pub(super) fn set_role(&mut self, cx: &mut Ctx, role: Role) {
        let was_leader = self.role == Role::Leader;
        self.role = role;
        if was_leader && self.role != Role::Leader {
            self.step_down(cx);
        }
        if self.role != Role::Leader {
            cx.observe(Observation::ControllerState {
                state: self.role.name(),
                epoch: self.epoch,
            });
        }
    }

    /// A leader lost its epoch: requests waiting for commit fail with NOT_CONTROLLER.
    fn step_down(&mut self, cx: &mut Ctx) {
        if let Some(l) = self.leader.take() {
            for p in l.pending {
                if let Some(reply) = p.reply {
                    self.fail_reply(cx, reply);
                }
            }
        }
    }

    pub(super) fn reset_election_timer(&mut self, cx: &mut Ctx) {
        let t = self.config.quorum.election_timeout_ms;
        let after = cx.random_range(t, 2 * t);
        self.arm_election_timer(cx, after);
    }

    fn arm_election_timer(&mut self, cx: &mut Ctx, after: Ms) {
        self.election_generation += 1;
        self.election_deadline = cx.now + after;
        cx.set_timer(
            after,
            sim::Timer::Controller(Timer::Election {
                generation: self.election_generation,
            }),
        );
    }

    pub(super) fn on_election_timer(&mut self, cx: &mut Ctx, generation: u64) {
        if generation != self.election_generation {
            return;
        }
        if cx.now < self.election_deadline {
            // A follower's deadline moved with each successful fetch: wait the rest.
            let rest = self.election_deadline - cx.now;
            cx.set_timer(rest, sim::Timer::Controller(Timer::Election { generation }));
            return;
        }
        match self.role {
            Role::Leader => {}
            _ => self.start_election(cx),
        }
    }

    pub(super) fn start_election(&mut self, cx: &mut Ctx) {
        self.epoch += 1;
        self.voted_for = self.id;
        self.known_leader = NO_NODE;
        self.set_role(
            cx,
            Role::Candidate {
                votes: FlatSet::from([self.id]),
            },
        );
        if self.majority() <= 1 {
            self.become_leader(cx);
            return;
        }
        let vote = Message::Vote {
            epoch: self.epoch,
            candidate: self.id,
            last_epoch: self.last_epoch(),
            last_offset: self.end_offset(),
        };
        for v in self.voters.clone() {
            if v != self.id {
                cx.send(v, vote.clone());
            }
        }
        self.reset_election_timer(cx);
    }

    /// A higher epoch was seen: forget the leader and the vote.
    fn become_unattached(&mut self, cx: &mut Ctx, epoch: i32) {
        self.epoch = epoch;
        self.voted_for = NO_NODE;
        self.known_leader = NO_NODE;
        self.set_role(cx, Role::Unattached);
        self.reset_election_timer(cx);
    }

    pub(super) fn become_follower(&mut self, cx: &mut Ctx, epoch: i32, leader: NodeId) {
        if epoch > self.epoch {
            self.voted_for = NO_NODE;
        }
        self.epoch = epoch;
        self.known_leader = leader;
        self.set_role(cx, Role::Follower { leader });
        let fetch_timeout = self.config.quorum.fetch_timeout_ms;
        self.arm_election_timer(cx, fetch_timeout);
        self.send_fetch(cx);
    }

    fn become_leader(&mut self, cx: &mut Ctx) {
        self.known_leader = self.id;
        self.role = Role::Leader;
        cx.observe(Observation::ControllerElected {
            epoch: self.epoch,
            leader: self.id,
        });
        let mut working = self.image.clone();
        for e in &self.log[self.image.offset as usize..] {
            working.apply(e.offset, &e.record);
        }
        let epoch_start_offset = self.end_offset();
        let mut voter_last_fetch = FlatMap::new();
        for v in &self.voters {
            if *v != self.id {
                voter_last_fetch.insert(*v, cx.now);
            }
        }
        self.leader = Some(LeaderState {
            epoch_start_offset,
            active: false,
            voter_end: Default::default(),
            voter_last_fetch,
            held: Default::default(),
            next_hold: 0,
            working,
            pending: Vec::new(),
            last_heartbeat: Default::default(),
        });
        self.append(vec![MetadataRecord::LeaderChange {
            epoch: self.epoch,
            leader: self.id,
        }]);
        for v in self.voters.clone() {
            if v != self.id {
                cx.send(
                    v,
                    Message::BeginQuorumEpoch {
                        epoch: self.epoch,
                        leader: self.id,
                    },
                );
            }
        }
        let every = (self.config.quorum.fetch_timeout_ms / 2).max(1);
        cx.set_timer(every, sim::Timer::Controller(Timer::CheckQuorum { epoch: self.epoch }));
        self.maybe_advance_high_watermark(cx);
    }

    // ----- votes -----

    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    pub(super) fn on_vote(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        epoch: i32,
        candidate: NodeId,
        last_epoch: i32,
        last_offset: i64,
    ) {
        if epoch > self.epoch {
            self.become_unattached(cx, epoch);
        }
        let up_to_date = (last_epoch, last_offset) >= (self.last_epoch(), self.end_offset());
        let free = match self.role {
            Role::Leader => false,
            Role::Follower { leader } => leader == candidate,
            _ => self.voted_for == NO_NODE || self.voted_for == candidate,
        };
        let granted = epoch == self.epoch && up_to_date && free && self.is_voter(candidate);
        if granted {
            self.voted_for = candidate;
            self.reset_election_timer(cx);
        }
        cx.send(
            from,
            Message::VoteResponse {
                epoch: self.epoch,
                granted,
            },
        );
    }

    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    pub(super) fn on_vote_response(&mut self, cx: &mut Ctx, from: NodeId, epoch: i32, granted: bool) {
        if epoch > self.epoch {
            self.become_unattached(cx, epoch);
            return;
        }
        if epoch != self.epoch || !granted {
            return;
        }
        let majority = self.majority();
        if let Role::Candidate { votes } = &mut self.role {
            votes.insert(from);
            if votes.len() >= majority {
                self.become_leader(cx);
            }
        }
    }

    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    pub(super) fn on_begin_quorum_epoch(&mut self, cx: &mut Ctx, epoch: i32, leader: NodeId) {
        let already = self.role == (Role::Follower { leader });
        if epoch > self.epoch || (epoch == self.epoch && self.role != Role::Leader && !already) {
            self.become_follower(cx, epoch, leader);
        }
    }

    // ----- fetching: the leader's side -----

    fn fetch_response(&self, error: Option<KafkaError>) -> MetadataFetchResponse {
        MetadataFetchResponse {
            epoch: self.epoch,
            leader: self.known_leader,
            error,
            records: self.no_records.clone(),
            high_watermark: self.high_watermark,
            diverging: None,
        }
    }

    /// Records from `fetch_offset` on, at most [`MAX_FETCH_RECORDS`]. Only the
    /// leader answers fetches, and its log does not change below its end within
    /// its epoch, so the records are cut from a shared window of the log
    /// (`MAX_FETCH_RECORDS`-aligned, two fetches long) that fetchers at nearby
    /// offsets share.
    fn records_from(&mut self, fetch_offset: i64) -> MetadataRecords {
        let start = fetch_offset.clamp(0, self.end_offset()) as usize;
        let end = (start + MAX_FETCH_RECORDS).min(self.log.len());
        if start == end {
            return self.no_records.clone();
        }
        if let Some((epoch, window_start, window)) = &self.fetched {
            if *epoch == self.epoch && *window_start <= start && end <= window_start + window.len() {
                return MetadataRecords::slice(window.clone(), start - window_start..end - window_start);
            }
        }
        let window_start = start - start % MAX_FETCH_RECORDS;
        let window_end = (window_start + 2 * MAX_FETCH_RECORDS).min(self.log.len());
        let window: std::sync::Arc<[_]> = self.log[window_start..window_end]
            .iter()
            .map(|e| (e.offset, e.epoch, e.record.clone()))
            .collect();
        self.fetched = Some((self.epoch, window_start, window.clone()));
        MetadataRecords::slice(window, start - window_start..end - window_start)
    }

    pub(super) fn on_fetch(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        epoch: i32,
        replica: NodeId,
        fetch_offset: i64,
        last_fetched_epoch: i32,
    ) {
        if self.role != Role::Leader {
            // Not the leader: say who is, so the fetcher redirects.
            let mut r = self.fetch_response(Some(KafkaError::NotLeaderOrFollower));
            r.high_watermark = -1;
            cx.send(from, Message::MetadataFetchResponse(r));
            return;
        }
        if epoch != self.epoch {
            let error = if epoch < self.epoch {
                KafkaError::FencedLeaderEpoch
            } else {
                KafkaError::UnknownLeaderEpoch
            };
            cx.send(from, Message::MetadataFetchResponse(self.fetch_response(Some(error))));
            return;
        }
        if let Some(diverging) = self.diverging(fetch_offset, last_fetched_epoch) {
            let mut r = self.fetch_response(None);
            r.diverging = Some(diverging);
            cx.send(from, Message::MetadataFetchResponse(r));
            return;
        }
        let hw_before = self.high_watermark;
        if self.is_voter(replica) && replica != self.id {
            let l = self.leader.as_mut().expect("leader state");
            l.voter_end.insert(replica, fetch_offset);
            l.voter_last_fetch.insert(replica, cx.now);
            self.maybe_advance_high_watermark(cx);
        }
        if fetch_offset < self.end_offset() || self.high_watermark != hw_before {
            let mut r = self.fetch_response(None);
            r.records = self.records_from(fetch_offset);
            cx.send(from, Message::MetadataFetchResponse(r));
            return;
        }
        // Nothing new: hold the fetch (long poll).
        let l = self.leader.as_mut().expect("leader state");
        l.next_hold += 1;
        let hold = l.next_hold;
        l.held.insert(from, HeldFetch { hold, fetch_offset });
        let wait = self.config.quorum.fetch_max_wait_ms;
        cx.set_timer(wait, sim::Timer::Controller(Timer::LongPoll { replica: from, hold }));
    }

    pub(super) fn on_long_poll_expired(&mut self, cx: &mut Ctx, replica: NodeId, hold: u64) {
        let Some(l) = self.leader.as_mut() else { return };
        if l.held.get(&replica).is_none_or(|h| h.hold != hold) {
            return;
        }
        let held = l.held.remove(&replica).expect("held fetch");
        let mut r = self.fetch_response(None);
        r.records = self.records_from(held.fetch_offset);
        cx.send(replica, Message::MetadataFetchResponse(r));
    }

    /// Answers every held fetch (new records or a new high watermark).
    pub(super) fn answer_held_fetches(&mut self, cx: &mut Ctx) {
        let Some(l) = self.leader.as_mut() else { return };
        let held = std::mem::take(&mut l.held);
        for (replica, h) in held {
            let mut r = self.fetch_response(None);
            r.records = self.records_from(h.fetch_offset);
            cx.send(replica, Message::MetadataFetchResponse(r));
        }
    }

    /// Moves the high watermark to the offset a majority of voters hold, if the
    /// record below it is from this epoch; applies, answers and activates.
    pub(super) fn maybe_advance_high_watermark(&mut self, cx: &mut Ctx) {
        let Some(l) = self.leader.as_ref() else { return };
        let mut ends: Vec<i64> = self
            .voters
            .iter()
            .map(|v| {
                if *v == self.id {
                    self.log.len() as i64
                } else {
                    l.voter_end.get(v).copied().unwrap_or(0)
                }
            })
            .collect();
        ends.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = ends[self.majority() - 1];
        if candidate <= self.high_watermark || candidate <= l.epoch_start_offset {
            return;
        }
        self.high_watermark = candidate;
        self.apply_committed();
        let l = self.leader.as_mut().expect("leader state");
        let became_active = !l.active && self.high_watermark > l.epoch_start_offset;
        let (done, waiting): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut l.pending)
            .into_iter()
            .partition(|p| p.end_offset <= candidate);
        l.pending = waiting;
        for p in done {
            for o in p.observations {
                cx.observe(o);
            }
            if let Some(reply) = p.reply {
                self.send_reply(cx, reply);
            }
        }
        if became_active {
            self.become_active(cx);
        }
        self.answer_held_fetches(cx);
    }

    pub(super) fn on_check_quorum(&mut self, cx: &mut Ctx, epoch: i32) {
        if self.role != Role::Leader || epoch != self.epoch {
            return;
        }
        let timeout = self.config.quorum.fetch_timeout_ms;
        let l = self.leader.as_ref().expect("leader state");
        let fresh = 1 + l.voter_last_fetch.values().filter(|&&t| cx.now - t < timeout).count();
        if fresh < self.majority() {
            // Kafka's check-quorum: resign; someone with a majority takes over.
            cx.observe(Observation::Note(format!(
                "controller {} resigns epoch {}: no fetch from a majority of voters for {timeout} ms",
                self.id, self.epoch
            )));
            self.known_leader = NO_NODE;
            self.set_role(cx, Role::Unattached);
            self.reset_election_timer(cx);
            return;
        }
        let every = (timeout / 2).max(1);
        cx.set_timer(every, sim::Timer::Controller(Timer::CheckQuorum { epoch }));
    }

    // ----- fetching: the follower's side -----

    pub(super) fn send_fetch(&mut self, cx: &mut Ctx) {
        let Role::Follower { leader } = self.role else { return };
        self.fetch_generation += 1;
        cx.send(
            leader,
            Message::MetadataFetch {
                epoch: self.epoch,
                replica: self.id,
                fetch_offset: self.end_offset(),
                last_fetched_epoch: self.last_epoch(),
            },
        );
        let retry = 2 * self.config.quorum.fetch_max_wait_ms + 2 * self.config.network_delay_ms;
        cx.set_timer(
            retry,
            sim::Timer::Controller(Timer::FetchRetry {
                generation: self.fetch_generation,
            }),
        );
    }

    pub(super) fn on_fetch_response(&mut self, cx: &mut Ctx, from: NodeId, r: MetadataFetchResponse) {
        if r.epoch > self.epoch {
            if r.leader != NO_NODE && r.leader != self.id && self.is_voter(r.leader) {
                self.become_follower(cx, r.epoch, r.leader);
            } else {
                self.become_unattached(cx, r.epoch);
            }
            return;
        }
        let Role::Follower { leader } = self.role else { return };
        if from != leader || r.epoch != self.epoch || r.error.is_some() {
            return;
        }
        let fetch_timeout = self.config.quorum.fetch_timeout_ms;
        self.election_deadline = cx.now + fetch_timeout;
        if let Some((epoch, end)) = r.diverging {
            // Truncate to where our log and the leader's agree (never below the HW).
            let (_, local_end) = self.end_offset_for_epoch(epoch);
            let to = end.min(local_end).min(self.end_offset()).max(self.image.offset);
            self.log.truncate(to as usize);
        } else {
            for &(offset, epoch, ref record) in r.records.iter() {
                let len = self.end_offset();
                if offset < len {
                    if self.log[offset as usize].epoch == epoch {
                        continue;
                    }
                    self.log.truncate(offset.max(self.image.offset) as usize);
                }
                if offset == self.end_offset() {
                    self.log.push(LogEntry {
                        offset,
                        epoch,
                        record: record.clone(),
                    });
                }
            }
            let hw = r.high_watermark.min(self.end_offset());
            if hw > self.high_watermark {
                self.high_watermark = hw;
                self.apply_committed();
            }
        }
        self.send_fetch(cx);
    }
}
