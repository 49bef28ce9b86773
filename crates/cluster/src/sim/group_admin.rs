//! The AdminClient's group and offset calls (`KafkaAdminClient`), which the
//! `kafka-consumer-groups` and `kafka-get-offsets` tools are built on, as
//! [`Simulation`] methods. Each call sends real protocol messages from the
//! admin pseudo-node [`GROUP_ADMIN_NODE`] and runs the simulation until it is
//! answered, as `admin_and_wait` does for controller requests:
//!
//! - Group calls first ask any live broker `FindCoordinator`, then send the
//!   request to the coordinator. `NOT_COORDINATOR`,
//!   `COORDINATOR_NOT_AVAILABLE`, `COORDINATOR_LOAD_IN_PROGRESS`, a dead
//!   coordinator (connection refused) or no answer within `request.timeout.ms`
//!   send the call back to coordinator lookup after `retry.backoff.ms`, until
//!   `default.api.timeout.ms` has passed.
//! - `list_groups` asks every live broker (from a Metadata request), as
//!   `listConsumerGroups` does.
//! - `list_offsets` asks each partition's leader (from a Metadata request),
//!   and retries with fresh metadata on `NOT_LEADER_OR_FOLLOWER`.
//! - [`Simulation::reset_group_offsets`] is `ConsumerGroupCommand.resetOffsets`:
//!   it describes the group, refuses unless it is `Empty` or `Dead` with the
//!   tool's text, computes the new offsets with [`plan_offset_reset`]
//!   (`prepareOffsetsToReset` with `checkOffsetsRange`'s clamping) and, with
//!   `execute`, commits them (`alterConsumerGroupOffsets`).

use kafkaplay_flatmap::FlatMap;

use super::Simulation;
use crate::error::KafkaError;
use crate::protocol::{ClusterMetadataView, GroupDescription, GroupListing, ListOffsetsPartition, Message};
use crate::types::{Ms, NodeId, TopicPartition};

/// The pseudo-node group admin requests come from (the tools' AdminClient).
pub const GROUP_ADMIN_NODE: NodeId = -101;
/// AdminClient `default.api.timeout.ms`: how long one call keeps retrying.
pub const DEFAULT_API_TIMEOUT_MS: Ms = 60_000;
/// AdminClient `request.timeout.ms`: how long one request waits for its answer.
pub const REQUEST_TIMEOUT_MS: Ms = 30_000;
/// AdminClient `retry.backoff.ms`.
pub const RETRY_BACKOFF_MS: Ms = 100;

/// Why an admin call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupAdminError {
    /// Kafka's error, with its exception message (what the tools print after
    /// the exception class).
    Kafka(KafkaError, String),
    /// The tool refuses before sending anything: the text it prints after
    /// `Error: `.
    Refused(String),
}

impl GroupAdminError {
    fn kafka(e: KafkaError) -> Self {
        GroupAdminError::Kafka(e, e.message().to_string())
    }
    fn timeout(call: &str) -> Self {
        GroupAdminError::Kafka(
            KafkaError::RequestTimedOut,
            format!("Timed out waiting for a node assignment. Call: {call}"),
        )
    }
}

impl std::fmt::Display for GroupAdminError {
    /// As the tools show it: `<exception class>: <message>`, or the refusal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GroupAdminError::Kafka(e, message) => write!(f, "{}: {message}", e.exception_class()),
            GroupAdminError::Refused(text) => f.write_str(text),
        }
    }
}

pub type GroupAdminResult<T> = Result<T, GroupAdminError>;

/// `OffsetSpec`: which offset ListOffsets looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetSpec {
    /// The log start offset (`--time -2`, `earliest`).
    Earliest,
    /// The high watermark (`--time -1`, `latest`).
    Latest,
    /// The record with the largest timestamp (`--time -3`, `max-timestamp`).
    MaxTimestamp,
    /// The first record at or after this time (ms since the epoch).
    ForTimestamp(i64),
}

impl OffsetSpec {
    /// The ListOffsets request's timestamp field.
    pub fn timestamp(self) -> i64 {
        match self {
            OffsetSpec::Earliest => -2,
            OffsetSpec::Latest => -1,
            OffsetSpec::MaxTimestamp => -3,
            OffsetSpec::ForTimestamp(t) => t,
        }
    }
}

/// `ListOffsetsResultInfo`: the offset (-1 when no record matches a
/// timestamp) and the found record's timestamp (-1 for earliest and latest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListedOffset {
    pub offset: i64,
    pub timestamp: i64,
}

/// A `kafka-consumer-groups --reset-offsets` scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetSpec {
    /// `--to-earliest`.
    ToEarliest,
    /// `--to-latest`.
    ToLatest,
    /// `--to-current`: the committed offset, or the log end offset without one.
    ToCurrent,
    /// `--to-offset N`, clamped to [earliest, latest].
    ToOffset(i64),
    /// `--shift-by N` from the committed offset, clamped to [earliest, latest].
    ShiftBy(i64),
    /// `--to-datetime`: the first offset at or after this time (ms since the
    /// epoch); the log end offset when no record is that recent.
    ToDatetime(i64),
    /// `--by-duration`: like `ToDatetime(now - duration_ms)`.
    ByDuration(i64),
}

/// What [`plan_offset_reset`] needs to know about the partitions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResetInputs {
    pub committed: FlatMap<TopicPartition, i64>,
    pub earliest: FlatMap<TopicPartition, i64>,
    pub latest: FlatMap<TopicPartition, i64>,
    /// Offsets for the scenario's timestamp (-1: no record that recent).
    pub by_timestamp: FlatMap<TopicPartition, i64>,
}

/// `prepareOffsetsToReset`: the new offset of each partition for `spec`, with
/// `checkOffsetsRange`'s clamping for `--to-offset` and `--shift-by`. The
/// errors are the tool's texts.
pub fn plan_offset_reset(
    spec: ResetSpec,
    partitions: &[TopicPartition],
    inputs: &ResetInputs,
) -> Result<Vec<(TopicPartition, i64)>, String> {
    let lookup = |map: &FlatMap<TopicPartition, i64>, tp: &TopicPartition, what: &str| {
        map.get(tp)
            .copied()
            .ok_or_else(|| format!("Error getting {what} offset of topic partition: {tp}"))
    };
    let clamp = |tp: &TopicPartition, offset: i64| -> Result<i64, String> {
        let end = lookup(&inputs.latest, tp, "ending")?;
        if offset > end {
            return Ok(end);
        }
        match inputs.earliest.get(tp) {
            Some(start) if offset < *start => Ok(*start),
            _ => Ok(offset),
        }
    };
    partitions
        .iter()
        .map(|tp| {
            let offset = match spec {
                ResetSpec::ToEarliest => lookup(&inputs.earliest, tp, "starting")?,
                ResetSpec::ToLatest => lookup(&inputs.latest, tp, "ending")?,
                ResetSpec::ToCurrent => match inputs.committed.get(tp) {
                    Some(o) => *o,
                    None => lookup(&inputs.latest, tp, "ending")?,
                },
                ResetSpec::ToOffset(n) => clamp(tp, n)?,
                ResetSpec::ShiftBy(n) => {
                    let current = inputs.committed.get(tp).ok_or_else(|| {
                        format!("Cannot shift offset for partition {tp} since there is no current committed offset")
                    })?;
                    clamp(tp, current.saturating_add(n))?
                }
                ResetSpec::ToDatetime(_) | ResetSpec::ByDuration(_) => {
                    match inputs.by_timestamp.get(tp) {
                        Some(o) if *o >= 0 => *o,
                        // "Partition p from topic t is empty. Falling back to latest known offset."
                        _ => lookup(&inputs.latest, tp, "ending")?,
                    }
                }
            };
            Ok((tp.clone(), offset))
        })
        .collect()
}

/// The request id of a response the admin client waits for.
fn response_id(msg: &Message) -> Option<u64> {
    match msg {
        Message::FindCoordinatorResponse { request_id, .. }
        | Message::MetadataResponse { request_id, .. }
        | Message::ListGroupsResponse { request_id, .. }
        | Message::DescribeGroupResponse { request_id, .. }
        | Message::OffsetFetchResponse { request_id, .. }
        | Message::OffsetCommitResponse { request_id, .. }
        | Message::DeleteGroupResponse { request_id, .. }
        | Message::OffsetDeleteResponse { request_id, .. }
        | Message::DescribeConfigsResponse { request_id, .. }
        | Message::ListOffsetsResponse { request_id, .. } => Some(*request_id),
        _ => None,
    }
}

/// Errors that send a group call back to coordinator lookup.
fn is_coordinator_error(e: KafkaError) -> bool {
    matches!(
        e,
        KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable | KafkaError::CoordinatorLoadInProgress
    )
}

impl Simulation {
    /// A response that reached the admin pseudo-node.
    pub(super) fn group_admin_deliver(&mut self, from: NodeId, msg: Message) {
        if let Some(id) = response_id(&msg) {
            self.trace_line(
                GROUP_ADMIN_NODE,
                format!("admin recv {} from {from}", super::msg_summary(&msg)),
            );
            self.group_admin_inbox.insert(id, msg);
        }
    }

    /// Sends one request and runs until its answer, `request.timeout.ms`, or
    /// `deadline`; `None` when the node is down (connection refused) or silent.
    pub(super) fn admin_request(
        &mut self,
        to: NodeId,
        deadline: Ms,
        make: impl FnOnce(u64) -> Message,
    ) -> Option<Message> {
        if !self.is_up(to) {
            return None;
        }
        let id = self.next_request_id;
        self.next_request_id += 1;
        self.send(GROUP_ADMIN_NODE, to, make(id));
        let wait = REQUEST_TIMEOUT_MS.min(deadline - self.now).max(0);
        self.run_until_condition(wait, |s| s.group_admin_inbox.contains_key(&id));
        self.group_admin_inbox.remove(&id)
    }

    fn admin_backoff(&mut self) {
        self.run_for(RETRY_BACKOFF_MS);
    }

    /// The brokers the admin client may bootstrap from, rotated by `attempt`.
    fn bootstrap_node(&self, attempt: usize) -> Option<NodeId> {
        let up: Vec<NodeId> = self.config.brokers.iter().copied().filter(|b| self.is_up(*b)).collect();
        (!up.is_empty()).then(|| up[attempt % up.len()])
    }

    /// A Metadata request to any live broker.
    fn admin_metadata(&mut self, topics: Option<Vec<String>>, call: &str) -> GroupAdminResult<ClusterMetadataView> {
        let deadline = self.now + DEFAULT_API_TIMEOUT_MS;
        let mut attempt = 0;
        while self.now < deadline {
            if let Some(node) = self.bootstrap_node(attempt) {
                let topics = topics.clone();
                let answer = self.admin_request(node, deadline, |request_id| Message::MetadataRequest {
                    request_id,
                    topics,
                });
                if let Some(Message::MetadataResponse { metadata, .. }) = answer {
                    return Ok(metadata);
                }
            }
            attempt += 1;
            self.admin_backoff();
        }
        Err(GroupAdminError::timeout(call))
    }

    /// `FindCoordinator` then the request; retried as the module doc says.
    /// `make` builds the request; `error_of` reads the answer's error.
    fn coordinator_call(
        &mut self,
        call: &str,
        group_id: &str,
        make: impl Fn(u64) -> Message,
        error_of: impl Fn(&Message) -> Option<KafkaError>,
    ) -> GroupAdminResult<Message> {
        let deadline = self.now + DEFAULT_API_TIMEOUT_MS;
        let mut attempt = 0;
        while self.now < deadline {
            attempt += 1;
            let Some(node) = self.bootstrap_node(attempt) else {
                self.admin_backoff();
                continue;
            };
            let group = group_id.to_string();
            let found = self.admin_request(node, deadline, |request_id| Message::FindCoordinator {
                request_id,
                group_id: group,
            });
            let coordinator = match found {
                Some(Message::FindCoordinatorResponse {
                    error: None,
                    coordinator,
                    ..
                }) => coordinator,
                Some(Message::FindCoordinatorResponse { error: Some(e), .. }) if !is_coordinator_error(e) => {
                    return Err(GroupAdminError::kafka(e));
                }
                _ => {
                    self.admin_backoff();
                    continue;
                }
            };
            match self.admin_request(coordinator, deadline, &make) {
                Some(answer) => match error_of(&answer) {
                    Some(e) if is_coordinator_error(e) => self.admin_backoff(),
                    _ => return Ok(answer),
                },
                None => self.admin_backoff(),
            }
        }
        Err(GroupAdminError::timeout(call))
    }

    /// `Admin.listConsumerGroups`: every group of every live broker, by id.
    pub fn list_groups(&mut self) -> GroupAdminResult<Vec<GroupListing>> {
        let metadata = self.admin_metadata(Some(Vec::new()), "listConsumerGroups")?;
        let deadline = self.now + DEFAULT_API_TIMEOUT_MS;
        let mut groups = Vec::new();
        for broker in metadata.brokers {
            loop {
                if self.now >= deadline {
                    return Err(GroupAdminError::timeout("listConsumerGroups"));
                }
                match self.admin_request(broker, deadline, |request_id| Message::ListGroups { request_id }) {
                    Some(Message::ListGroupsResponse { groups: mine, .. }) => {
                        groups.extend(mine);
                        break;
                    }
                    _ => self.admin_backoff(),
                }
            }
        }
        groups.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        Ok(groups)
    }

    /// `Admin.describeConsumerGroups` for one group: its state, protocol and
    /// members. An unknown group is described as `Dead`.
    pub fn describe_group(&mut self, group_id: &str) -> GroupAdminResult<GroupDescription> {
        let answer = self.coordinator_call(
            "describeConsumerGroups",
            group_id,
            |request_id| Message::DescribeGroup {
                request_id,
                group_id: group_id.to_string(),
            },
            |m| match m {
                Message::DescribeGroupResponse { error, .. } => *error,
                _ => None,
            },
        )?;
        match answer {
            Message::DescribeGroupResponse { error: Some(e), .. } => Err(GroupAdminError::kafka(e)),
            Message::DescribeGroupResponse { group, .. } => Ok(group),
            _ => Err(GroupAdminError::kafka(KafkaError::UnknownServerError)),
        }
    }

    /// `Admin.listConsumerGroupOffsets`: the group's committed offsets
    /// (OffsetFetch for all partitions), by partition.
    pub fn list_group_offsets(&mut self, group_id: &str) -> GroupAdminResult<Vec<(TopicPartition, i64)>> {
        let answer = self.coordinator_call(
            "listConsumerGroupOffsets",
            group_id,
            |request_id| Message::OffsetFetch {
                request_id,
                group_id: group_id.to_string(),
                partitions: None,
            },
            |m| match m {
                Message::OffsetFetchResponse { error, .. } => *error,
                _ => None,
            },
        )?;
        match answer {
            Message::OffsetFetchResponse { error: Some(e), .. } => Err(GroupAdminError::kafka(e)),
            Message::OffsetFetchResponse { mut offsets, .. } => {
                offsets.retain(|(_, o)| *o >= 0);
                offsets.sort();
                Ok(offsets)
            }
            _ => Err(GroupAdminError::kafka(KafkaError::UnknownServerError)),
        }
    }

    /// `Admin.alterConsumerGroupOffsets`: commits `offsets` for the group from
    /// outside it (generation -1, no member id). The coordinator refuses while
    /// the group has members (`UNKNOWN_MEMBER_ID`).
    pub fn alter_group_offsets(&mut self, group_id: &str, offsets: &[(TopicPartition, i64)]) -> GroupAdminResult<()> {
        let answer = self.coordinator_call(
            "alterConsumerGroupOffsets",
            group_id,
            |request_id| Message::OffsetCommit {
                request_id,
                group_id: group_id.to_string(),
                generation_id: -1,
                member_id: String::new(),
                offsets: offsets.to_vec(),
            },
            |m| match m {
                Message::OffsetCommitResponse { results, .. } => results.iter().find_map(|(_, e)| *e),
                _ => None,
            },
        )?;
        match answer {
            Message::OffsetCommitResponse { results, .. } => match results.iter().find_map(|(_, e)| *e) {
                Some(e) => Err(GroupAdminError::kafka(e)),
                None => Ok(()),
            },
            _ => Err(GroupAdminError::kafka(KafkaError::UnknownServerError)),
        }
    }

    /// `Admin.deleteConsumerGroups` for one group: only an `Empty` group goes
    /// (`GroupNotEmptyException: The group is not empty.` otherwise).
    pub fn delete_group(&mut self, group_id: &str) -> GroupAdminResult<()> {
        let answer = self.coordinator_call(
            "deleteConsumerGroups",
            group_id,
            |request_id| Message::DeleteGroup {
                request_id,
                group_id: group_id.to_string(),
            },
            |m| match m {
                Message::DeleteGroupResponse { error, .. } => *error,
                _ => None,
            },
        )?;
        match answer {
            Message::DeleteGroupResponse { error: Some(e), .. } => Err(GroupAdminError::kafka(e)),
            Message::DeleteGroupResponse { error: None, .. } => Ok(()),
            _ => Err(GroupAdminError::kafka(KafkaError::UnknownServerError)),
        }
    }

    /// `Admin.deleteConsumerGroupOffsets` (KIP-496 OffsetDelete): per partition,
    /// `None` when deleted or Kafka's error (`GROUP_SUBSCRIBED_TO_TOPIC`);
    /// `Err` for a group-level error (`GROUP_ID_NOT_FOUND`, `NON_EMPTY_GROUP`).
    pub fn delete_group_offsets(
        &mut self,
        group_id: &str,
        partitions: &[TopicPartition],
    ) -> GroupAdminResult<Vec<(TopicPartition, Option<KafkaError>)>> {
        let answer = self.coordinator_call(
            "deleteConsumerGroupOffsets",
            group_id,
            |request_id| Message::OffsetDelete {
                request_id,
                group_id: group_id.to_string(),
                partitions: partitions.to_vec(),
            },
            |m| match m {
                Message::OffsetDeleteResponse { error, .. } => *error,
                _ => None,
            },
        )?;
        match answer {
            Message::OffsetDeleteResponse { error: Some(e), .. } => Err(GroupAdminError::kafka(e)),
            Message::OffsetDeleteResponse { partitions, .. } => Ok(partitions),
            _ => Err(GroupAdminError::kafka(KafkaError::UnknownServerError)),
        }
    }

    /// `Admin.listOffsets`: each partition's offset for `spec`, asked of its
    /// leader. Fails with the first partition error that retrying does not
    /// cure (an unknown topic or partition).
    pub fn list_offsets(
        &mut self,
        partitions: &[TopicPartition],
        spec: OffsetSpec,
    ) -> GroupAdminResult<Vec<(TopicPartition, ListedOffset)>> {
        let deadline = self.now + DEFAULT_API_TIMEOUT_MS;
        let mut found: FlatMap<TopicPartition, ListedOffset> = FlatMap::new();
        let mut topics: Vec<String> = partitions.iter().map(|tp| tp.topic.to_string()).collect();
        topics.sort();
        topics.dedup();
        while self.now < deadline {
            let metadata = self.admin_metadata(Some(topics.clone()), "listOffsets")?;
            let mut by_leader: FlatMap<NodeId, Vec<(TopicPartition, i64)>> = FlatMap::new();
            for tp in partitions.iter().filter(|tp| !found.contains_key(*tp)) {
                let topic = metadata.topics.iter().find(|t| t.name == tp.topic);
                let leader = match topic {
                    Some(t) if t.error == Some(KafkaError::UnknownTopicOrPartition) => {
                        return Err(GroupAdminError::kafka(KafkaError::UnknownTopicOrPartition));
                    }
                    Some(t) => match t.partitions.iter().find(|p| p.partition == tp.partition) {
                        Some(p) => p.leader,
                        None => return Err(GroupAdminError::kafka(KafkaError::UnknownTopicOrPartition)),
                    },
                    None => -1,
                };
                if leader >= 0 {
                    by_leader
                        .entry(leader)
                        .or_default()
                        .push((tp.clone(), spec.timestamp()));
                }
            }
            for (leader, asked) in by_leader {
                let answer = self.admin_request(leader, deadline, |request_id| Message::ListOffsets {
                    request_id,
                    partitions: asked,
                });
                if let Some(Message::ListOffsetsResponse {
                    partitions: answers, ..
                }) = answer
                {
                    for ListOffsetsPartition {
                        tp,
                        error,
                        timestamp,
                        offset,
                    } in answers
                    {
                        match error {
                            None => {
                                found.insert(tp, ListedOffset { offset, timestamp });
                            }
                            Some(KafkaError::UnknownTopicOrPartition) => {
                                return Err(GroupAdminError::kafka(KafkaError::UnknownTopicOrPartition));
                            }
                            Some(_) => {} // NOT_LEADER_OR_FOLLOWER and the like: fresh metadata, again
                        }
                    }
                }
            }
            if partitions.iter().all(|tp| found.contains_key(tp)) {
                return Ok(partitions.iter().map(|tp| (tp.clone(), found[tp])).collect());
            }
            self.admin_backoff();
        }
        Err(GroupAdminError::timeout("listOffsets"))
    }

    /// `kafka-consumer-groups --reset-offsets` for one group over
    /// `partitions`: refused unless the group is `Empty` or `Dead` (with the
    /// tool's text), the new offsets computed by [`plan_offset_reset`], and
    /// committed when `execute` (otherwise a dry run). Returns the new offsets.
    pub fn reset_group_offsets(
        &mut self,
        group_id: &str,
        partitions: &[TopicPartition],
        spec: ResetSpec,
        execute: bool,
    ) -> GroupAdminResult<Vec<(TopicPartition, i64)>> {
        let state = self.describe_group(group_id)?.state;
        if state != "Empty" && state != "Dead" {
            return Err(GroupAdminError::Refused(format!(
                "Assignments can only be reset if the group '{group_id}' is inactive, but the current state is {state}."
            )));
        }
        let mut inputs = ResetInputs::default();
        let offsets_of = |listed: Vec<(TopicPartition, ListedOffset)>| -> FlatMap<TopicPartition, i64> {
            listed.into_iter().map(|(tp, l)| (tp, l.offset)).collect()
        };
        if matches!(spec, ResetSpec::ToCurrent | ResetSpec::ShiftBy(_)) {
            inputs.committed = self.list_group_offsets(group_id)?.into_iter().collect();
        }
        if matches!(
            spec,
            ResetSpec::ToEarliest | ResetSpec::ToOffset(_) | ResetSpec::ShiftBy(_)
        ) {
            inputs.earliest = offsets_of(self.list_offsets(partitions, OffsetSpec::Earliest)?);
        }
        if !matches!(spec, ResetSpec::ToEarliest) {
            inputs.latest = offsets_of(self.list_offsets(partitions, OffsetSpec::Latest)?);
        }
        let timestamp = match spec {
            ResetSpec::ToDatetime(t) => Some(t),
            ResetSpec::ByDuration(d) => Some(self.now.saturating_sub(d)),
            _ => None,
        };
        if let Some(t) = timestamp {
            inputs.by_timestamp = offsets_of(self.list_offsets(partitions, OffsetSpec::ForTimestamp(t))?);
        }
        let plan = plan_offset_reset(spec, partitions, &inputs).map_err(GroupAdminError::Refused)?;
        if execute && !plan.is_empty() {
            self.alter_group_offsets(group_id, &plan)?;
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    /// Partition 0 holds [5, 20), partition 1 [0, 0) (empty).
    fn inputs() -> ResetInputs {
        ResetInputs {
            committed: [(tp(0), 12)].into_iter().collect(),
            earliest: [(tp(0), 5), (tp(1), 0)].into_iter().collect(),
            latest: [(tp(0), 20), (tp(1), 0)].into_iter().collect(),
            by_timestamp: [(tp(0), 15), (tp(1), -1)].into_iter().collect(),
        }
    }

    fn plan(spec: ResetSpec, tps: &[TopicPartition]) -> Result<Vec<i64>, String> {
        plan_offset_reset(spec, tps, &inputs()).map(|v| v.into_iter().map(|(_, o)| o).collect())
    }

    #[test]
    fn every_scenario_with_kafkas_clamping() {
        let both = [tp(0), tp(1)];
        assert_eq!(plan(ResetSpec::ToEarliest, &both), Ok(vec![5, 0]));
        assert_eq!(plan(ResetSpec::ToLatest, &both), Ok(vec![20, 0]));
        assert_eq!(
            plan(ResetSpec::ToCurrent, &both),
            Ok(vec![12, 0]),
            "no commit: the log end"
        );
        assert_eq!(plan(ResetSpec::ToOffset(7), &both), Ok(vec![7, 0]));
        assert_eq!(plan(ResetSpec::ToOffset(1), &both), Ok(vec![5, 0]));
        assert_eq!(plan(ResetSpec::ToOffset(i64::MAX), &both), Ok(vec![20, 0]));
        assert_eq!(plan(ResetSpec::ShiftBy(-4), &[tp(0)]), Ok(vec![8]));
        assert_eq!(plan(ResetSpec::ShiftBy(-40), &[tp(0)]), Ok(vec![5]));
        assert_eq!(plan(ResetSpec::ShiftBy(i64::MAX), &[tp(0)]), Ok(vec![20]));
        assert_eq!(
            plan(ResetSpec::ToDatetime(0), &both),
            Ok(vec![15, 0]),
            "empty: falls back to latest"
        );
        assert_eq!(plan(ResetSpec::ByDuration(0), &both), Ok(vec![15, 0]));
    }

    #[test]
    fn the_tools_errors() {
        assert_eq!(
            plan(ResetSpec::ShiftBy(1), &[tp(1)]),
            Err("Cannot shift offset for partition t-1 since there is no current committed offset".into())
        );
        assert_eq!(
            plan(ResetSpec::ToEarliest, &[tp(9)]),
            Err("Error getting starting offset of topic partition: t-9".into())
        );
        assert_eq!(
            plan(ResetSpec::ToOffset(3), &[tp(9)]),
            Err("Error getting ending offset of topic partition: t-9".into())
        );
    }
}
