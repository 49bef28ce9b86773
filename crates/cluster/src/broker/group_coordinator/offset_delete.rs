//! KIP-496 OffsetDelete in the classic group coordinator
//! (`GroupCoordinator.handleDeleteOffsets`): an `Empty` group loses the asked
//! offsets; a consumer group with members loses only those of topics no member
//! subscribes to (`GROUP_SUBSCRIBED_TO_TOPIC` for the others); any other group
//! answers `NON_EMPTY_GROUP`. Deleted offsets are tombstoned in
//! `__consumer_offsets`, so a coordinator that loads the partition later does
//! not bring them back.

use crate::error::KafkaError;
use crate::protocol::Message;
use crate::sim::Ctx;
use crate::types::TopicPartition;

use super::{offset_commit_key, GroupCoordinator, GroupState, OffsetsLog, Reply, WriteKind};

impl GroupCoordinator {
    pub(super) fn on_offset_delete(
        &mut self,
        cx: &mut Ctx,
        reply: Reply,
        group_id: &str,
        partitions: Vec<TopicPartition>,
        log: &mut dyn OffsetsLog,
    ) {
        let fail = |cx: &mut Ctx, e: KafkaError| {
            cx.send(
                reply.to,
                Message::OffsetDeleteResponse {
                    request_id: reply.request_id,
                    error: Some(e),
                    partitions: Vec::new(),
                },
            )
        };
        if !self.is_coordinator_for(group_id) {
            return fail(cx, KafkaError::NotCoordinator);
        }
        let Some(g) = self.groups.get_mut(group_id) else {
            return fail(cx, KafkaError::GroupIdNotFound);
        };
        let (results, deleted): (Vec<(TopicPartition, Option<KafkaError>)>, Vec<TopicPartition>) = match g.state {
            GroupState::Dead => return fail(cx, KafkaError::GroupIdNotFound),
            GroupState::Empty => (
                partitions.iter().map(|tp| (tp.clone(), None)).collect(),
                partitions.clone(),
            ),
            _ if g.protocol_type.as_deref() == Some("consumer") => {
                let subscribed: Vec<String> = g
                    .member_subscriptions()
                    .into_iter()
                    .flat_map(|(_, s)| s.topics)
                    .collect();
                let mut results = Vec::new();
                let mut deleted = Vec::new();
                for tp in &partitions {
                    if subscribed.iter().any(|t| *t == tp.topic) {
                        results.push((tp.clone(), Some(KafkaError::GroupSubscribedToTopic)));
                    } else {
                        results.push((tp.clone(), None));
                        deleted.push(tp.clone());
                    }
                }
                (results, deleted)
            }
            _ => return fail(cx, KafkaError::NonEmptyGroup),
        };
        // Only offsets that exist are tombstoned (`removeOffsets`).
        let records: Vec<(Vec<u8>, Option<Vec<u8>>)> = deleted
            .iter()
            .filter(|tp| g.offsets.remove(*tp).is_some())
            .map(|tp| (offset_commit_key(group_id, tp), None))
            .collect();
        let partition = g.partition;
        if records.is_empty() {
            cx.send(
                reply.to,
                Message::OffsetDeleteResponse {
                    request_id: reply.request_id,
                    error: None,
                    partitions: results,
                },
            );
            return;
        }
        self.write(cx, partition, records, WriteKind::OffsetDelete { reply, results }, log);
    }
}
