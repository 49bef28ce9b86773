//! The producer client (`KafkaProducer`) as a sans-IO state machine.
//!
//! The parts are Kafka's, in the same roles:
//! - **Metadata** (`ProducerMetadata`): fetched from a bootstrap broker (then from
//!   any broker the cluster reported), refreshed after errors that mean stale
//!   metadata and every `metadata.max.age.ms`; a broker that does not answer
//!   within `request.timeout.ms` is skipped for the next one.
//! - **Idempotence** (`TransactionManager` for a non-transactional producer): an
//!   `InitProducerId` at start, sequence numbers per partition assigned when a
//!   batch is first drained, kept across retries so the broker can deduplicate;
//!   a failed sequenced batch bumps the epoch, and partitions restart at sequence 0.
//! - **RecordAccumulator**: records are appended to v2 batches per partition
//!   ([`BatchBuilder`]), a batch is ready when full (`batch.size`), when it waited
//!   `linger.ms`, or, for a retry, after `retry.backoff.ms`; the partition of a
//!   record comes from [`crate::partitioner`].
//! - **Sender**: one `ProduceRequest` per leader with ready batches, at most
//!   `max.in.flight.requests.per.connection` requests in flight per broker;
//!   retriable errors put the same batch back (in sequence order), everything
//!   fails after `delivery.timeout.ms` with Kafka's text.
//!
//! Every record ends in exactly one [`RecordOutcome`] (an offset or the text a Java
//! client's callback would show). Not here: compression, transactions, splitting
//! a batch that is too large, `buffer.memory`, exponential backoff with jitter
//! (`retry.backoff.max.ms`): backoff is the constant `retry.backoff.ms`.
//! A setting that conflicts with idempotence (acks other than all, `retries=0`,
//! more than 5 requests in flight) turns it off, as Kafka does when
//! `enable.idempotence` was not set explicitly.

use std::collections::BTreeMap;
use std::collections::VecDeque;

use kafkaplay_flatmap::{FlatMap, FlatSet};

use kafkaplay_log::batch::RECORD_BATCH_OVERHEAD;
use kafkaplay_log::varint::{varint_size, varlong_size};
use kafkaplay_log::{BatchBuilder, Header, NewRecord};

use crate::client::ClientMetadata;
use crate::config::ProducerConfig;
use crate::error::KafkaError;
use crate::partitioner::{self, BuiltInPartitioner, TopicPartitions};
use crate::protocol::{ClusterMetadataView, Message, ProducePartitionResponse, ProduceRequest, ProduceResponse};
use crate::sim::{self, Ctx, RecordOutcome};
use crate::trace::Observation;
use crate::types::{Ms, NodeId, TopicPartition};

/// `max.block.ms`: how long `send` waits for a topic's metadata.
pub const MAX_BLOCK_MS: Ms = 60_000;
/// `max.request.size`: the most batch bytes one ProduceRequest carries.
pub const MAX_REQUEST_SIZE: u32 = 1_048_576;

#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// The sender's wake-up for linger, backoff, delivery and metadata deadlines.
    Poll { at: Ms },
    /// A request got no response within `request.timeout.ms`.
    RequestTimeout { request_id: u64 },
}

/// A record handed to `send` (`ProducerRecord`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerRecord {
    pub topic: String,
    /// An explicit partition, else the partitioner chooses.
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// The fully qualified Java exception class a client shows for an error code
/// (`Errors.exception()`).
pub fn exception_class(error: KafkaError) -> &'static str {
    error.exception_class()
}

/// The text a Java client shows for a failed send: `Class: message`.
pub fn exception_text(error: KafkaError, message: Option<&str>) -> String {
    format!("{}: {}", exception_class(error), message.unwrap_or(error.message()))
}

/// Whether the error's exception is a `RetriableException`.
pub fn is_retriable(error: KafkaError) -> bool {
    use KafkaError::*;
    is_invalid_metadata(error)
        || matches!(
            error,
            CorruptMessage
                | RequestTimedOut
                | NotEnoughReplicas
                | NotEnoughReplicasAfterAppend
                | NotController
                | UnknownLeaderEpoch
        )
}

/// Whether the error's exception is an `InvalidMetadataException` (the client
/// refreshes its metadata).
pub fn is_invalid_metadata(error: KafkaError) -> bool {
    use KafkaError::*;
    matches!(
        error,
        UnknownTopicOrPartition
            | LeaderNotAvailable
            | NotLeaderOrFollower
            | ReplicaNotAvailable
            | KafkaStorageError
            | FencedLeaderEpoch
            | UnknownTopicId
            | InconsistentTopicId
    )
}

const TIMEOUT_EXCEPTION: &str = "org.apache.kafka.common.errors.TimeoutException";

/// `ProducerBatch`: records for one partition that travel together.
#[derive(Debug, Clone)]
struct Batch {
    tp: TopicPartition,
    /// (record id, record).
    records: Vec<(u64, NewRecord)>,
    /// `estimatedSizeInBytes`: batch header plus encoded records.
    size_bytes: u32,
    /// Closed for appends after a record did not fit.
    closed: bool,
    created_ms: Ms,
    last_attempt_ms: Ms,
    attempts: i32,
    /// (producer id, epoch, base sequence), set when first drained with idempotence.
    producer_state: Option<(i64, i16, i32)>,
    /// The leader epoch when last sent: a newer leader skips the retry backoff.
    sent_leader_epoch: Option<i32>,
}

impl Batch {
    fn is_full(&self, batch_size: u32) -> bool {
        self.closed || (!self.records.is_empty() && self.size_bytes >= batch_size)
    }

    fn record_count(&self) -> i32 {
        self.records.len() as i32
    }

    fn base_sequence(&self) -> Option<i32> {
        self.producer_state.map(|(_, _, s)| s)
    }

    /// The v2 batch bytes as sent (base offset 0; the leader assigns offsets).
    fn encode(&self) -> Vec<u8> {
        let mut b = BatchBuilder::new(0);
        if let Some((id, epoch, seq)) = self.producer_state {
            b = b.producer(id, epoch, seq);
        }
        for (_, r) in &self.records {
            b.append(r.clone());
        }
        b.build()
    }
}

/// `DefaultRecord.sizeInBytes`: a record's encoded size including its length.
fn record_size(offset_delta: i32, timestamp_delta: i64, r: &NewRecord) -> u32 {
    fn bytes(b: Option<&[u8]>) -> usize {
        b.map_or(varint_size(-1), |b| varint_size(b.len() as i32) + b.len())
    }
    let body = 1
        + varlong_size(timestamp_delta)
        + varint_size(offset_delta)
        + bytes(r.key.as_deref())
        + bytes(r.value.as_deref())
        + varint_size(r.headers.len() as i32)
        + r.headers
            .iter()
            .map(|h| bytes(Some(h.key.as_bytes())) + bytes(h.value.as_deref()))
            .sum::<usize>();
    (varint_size(body as i32) + body) as u32
}

/// Per-partition idempotence state (`TxnPartitionEntry`).
#[derive(Debug, Clone, Default)]
struct PartitionSequences {
    /// The producer id and epoch the sequences belong to.
    producer: (i64, i16),
    next_sequence: i32,
    last_acked_sequence: i32,
    /// Batches drained and not yet completed, ascending by base sequence.
    in_flight: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq)]
enum RequestKind {
    Metadata,
    InitProducerId,
    Produce { batches: Vec<u64> },
}

#[derive(Debug, Clone)]
struct InFlight {
    node: NodeId,
    kind: RequestKind,
}

/// A record waiting for its topic's metadata (`waitOnMetadata`).
#[derive(Debug, Clone)]
struct WaitingRecord {
    record_id: u64,
    record: ProducerRecord,
    sent_ms: Ms,
}

#[derive(Debug)]
pub struct Producer {
    id: NodeId,
    config: ProducerConfig,
    /// `enable.idempotence` after Kafka's conflict rules (acks=all, retries > 0,
    /// at most 5 requests in flight).
    idempotent: bool,

    // --- metadata ---
    metadata: ClientMetadata,
    wanted_topics: FlatSet<String>,

    // --- idempotence ---
    producer_id: i64,
    producer_epoch: i16,
    init_producer_id_last_attempt_ms: Option<Ms>,
    epoch_bump_partitions: FlatSet<TopicPartition>,
    sequences: FlatMap<TopicPartition, PartitionSequences>,

    // --- accumulator ---
    partitioners: FlatMap<String, BuiltInPartitioner>,
    /// Per topic: its partition count and the partitions with a leader, as
    /// the metadata last said (`Cluster.availablePartitionsForTopic`, which
    /// Kafka also computes once per metadata update, not per record).
    available: FlatMap<String, (i32, std::sync::Arc<[i32]>)>,
    waiting: VecDeque<WaitingRecord>,
    queues: FlatMap<TopicPartition, VecDeque<u64>>,
    /// A B-tree: with many partitions thousands are open, and they finish
    /// from the front (oldest id first), which a flat map pays for with a move of all the rest.
    batches: BTreeMap<u64, Batch>,
    muted: FlatSet<TopicPartition>,
    next_batch_id: u64,

    // --- sender ---
    in_flight: FlatMap<u64, InFlight>,
    next_request_id: u64,
    drain_index: FlatMap<NodeId, usize>,
    polls: FlatSet<Ms>,
}

impl Producer {
    pub fn new(id: NodeId, config: ProducerConfig, bootstrap: Vec<NodeId>) -> Self {
        let idempotent = config.enable_idempotence
            && config.acks == -1
            && config.retries > 0
            && config.max_in_flight_requests_per_connection <= 5;
        Producer {
            id,
            idempotent,
            metadata: ClientMetadata::new(bootstrap, true),
            wanted_topics: FlatSet::new(),
            producer_id: -1,
            producer_epoch: -1,
            init_producer_id_last_attempt_ms: None,
            epoch_bump_partitions: FlatSet::new(),
            sequences: FlatMap::new(),
            partitioners: FlatMap::new(),
            available: FlatMap::new(),
            waiting: VecDeque::new(),
            queues: FlatMap::new(),
            batches: BTreeMap::new(),
            muted: FlatSet::new(),
            next_batch_id: 1,
            in_flight: FlatMap::new(),
            next_request_id: 1,
            drain_index: FlatMap::new(),
            polls: FlatSet::new(),
            config,
        }
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    /// Whether the producer runs idempotently (`enable.idempotence` and no conflicting setting).
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The producer id and epoch (-1 before `InitProducerId` answered).
    pub fn producer_id_and_epoch(&self) -> (i64, i16) {
        (self.producer_id, self.producer_epoch)
    }

    /// Records handed to `send` that have no outcome yet.
    pub fn pending_records(&self) -> usize {
        self.waiting.len() + self.batches.values().map(|b| b.records.len()).sum::<usize>()
    }

    pub fn on_start(&mut self, cx: &mut Ctx) {
        self.run(cx);
    }

    /// `KafkaProducer.send`: the record's outcome comes later as an `Effect::Outcome`.
    pub fn send(&mut self, cx: &mut Ctx, record_id: u64, record: ProducerRecord) {
        self.wanted_topics.insert(record.topic.clone());
        let waiting_same_topic = self.waiting.iter().any(|w| w.record.topic == record.topic);
        if waiting_same_topic || !self.metadata_covers(&record) {
            self.metadata.need_update = true;
            self.waiting.push_back(WaitingRecord {
                record_id,
                record,
                sent_ms: cx.now,
            });
        } else {
            self.append(cx, record_id, record);
        }
        // The sender thread wakes up: records sent at the same instant share a batch.
        self.maybe_init_producer_id(cx);
        self.maybe_update_metadata(cx);
        self.schedule_poll(cx, cx.now);
    }

    pub fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: Message) {
        match msg {
            Message::MetadataResponse { request_id, metadata }
                if self.is_pending(request_id, &RequestKind::Metadata) =>
            {
                self.in_flight.remove(&request_id);
                self.handle_metadata(cx, metadata);
            }
            Message::InitProducerIdResponse {
                request_id,
                error,
                producer_id,
                producer_epoch,
            } if self.is_pending(request_id, &RequestKind::InitProducerId) => {
                self.in_flight.remove(&request_id);
                if error.is_none() && producer_id >= 0 {
                    self.producer_id = producer_id;
                    self.producer_epoch = producer_epoch;
                    cx.observe(Observation::Note(format!(
                        "producer {} got producer id {producer_id} epoch {producer_epoch}",
                        self.id
                    )));
                } else {
                    self.init_producer_id_last_attempt_ms = Some(cx.now);
                }
            }
            Message::ProduceResponse(response) => self.handle_produce_response(cx, response),
            Message::Disconnected => {
                // NetworkClient sees the reset at once: every request in flight to
                // that broker fails and its batches are retried.
                if let Some(id) = self.in_flight.iter().find(|(_, r)| r.node == from).map(|(id, _)| *id) {
                    self.disconnect(cx, from, id);
                }
            }
            _ => {}
        }
        self.run(cx);
    }

    pub fn on_timer(&mut self, cx: &mut Ctx, timer: Timer) {
        match timer {
            Timer::Poll { at } => {
                self.polls.remove(&at);
            }
            Timer::RequestTimeout { request_id } => {
                if let Some(request) = self.in_flight.get(&request_id) {
                    let node = request.node;
                    self.disconnect(cx, node, request_id);
                }
            }
        }
        self.run(cx);
    }

    // ----- metadata -----

    /// Whether the metadata knows the record's topic (and explicit partition).
    fn metadata_covers(&self, record: &ProducerRecord) -> bool {
        match self.metadata.topics.get(&record.topic) {
            Some(t) if t.error.is_none() && !t.partitions.is_empty() => record
                .partition
                .is_none_or(|p| p >= 0 && (p as usize) < t.partitions.len()),
            _ => false,
        }
    }

    /// The leader and leader epoch of a partition, if it has one.
    fn leader_for(&self, tp: &TopicPartition) -> Option<(NodeId, i32)> {
        self.metadata.leader_for(tp)
    }

    fn available_partitions(&mut self, topic: &str) -> (i32, std::sync::Arc<[i32]>) {
        if let Some((n, available)) = self.available.get(topic) {
            return (*n, available.clone());
        }
        let (n, available) = match self.metadata.topics.get(topic) {
            Some(t) => {
                let mut available: Vec<i32> = t
                    .partitions
                    .iter()
                    .filter(|p| p.leader >= 0)
                    .map(|p| p.partition)
                    .collect();
                available.sort_unstable();
                (t.partitions.len() as i32, available)
            }
            None => (0, Vec::new()),
        };
        let available: std::sync::Arc<[i32]> = available.into();
        self.available.insert(topic.to_string(), (n, available.clone()));
        (n, available)
    }

    /// Where metadata and InitProducerId requests go.
    fn request_node(&self) -> Option<NodeId> {
        self.metadata.request_node()
    }

    fn handle_metadata(&mut self, cx: &mut Ctx, metadata: ClusterMetadataView) {
        // Keep the rotation pointing at a live broker.
        self.metadata.update_succeeded(cx.now, &metadata.brokers);
        for t in metadata.topics {
            self.metadata.topics.insert(t.name.clone(), t);
        }
        self.available.clear();
        // Records whose topic is now known leave the waiting list, in send order.
        let waiting = std::mem::take(&mut self.waiting);
        let mut blocked: FlatSet<String> = FlatSet::new();
        for w in waiting {
            if !blocked.contains(&w.record.topic) && self.metadata_covers(&w.record) {
                self.append(cx, w.record_id, w.record);
            } else {
                blocked.insert(w.record.topic.clone());
                self.waiting.push_back(w);
            }
        }
        if !self.waiting.is_empty() {
            // Topics still unknown: keep asking (after retry.backoff.ms).
            self.metadata.need_update = true;
        }
    }

    fn maybe_update_metadata(&mut self, cx: &mut Ctx) {
        if self.in_flight.values().any(|r| r.kind == RequestKind::Metadata) {
            return;
        }
        let (max_age, backoff) = (self.config.metadata_max_age_ms, self.config.retry_backoff_ms);
        if !self.metadata.update_due(cx.now, max_age, backoff) {
            return;
        }
        let Some(node) = self.request_node() else { return };
        let request_id = self.start_request(cx, node, RequestKind::Metadata);
        self.metadata.last_attempt_ms = Some(cx.now);
        let topics = self.wanted_topics.iter().cloned().collect();
        cx.send(
            node,
            Message::MetadataRequest {
                request_id,
                topics: Some(topics),
            },
        );
    }

    // ----- idempotence -----

    fn maybe_init_producer_id(&mut self, cx: &mut Ctx) {
        if !self.idempotent || self.producer_id >= 0 {
            return;
        }
        if self.in_flight.values().any(|r| r.kind == RequestKind::InitProducerId) {
            return;
        }
        if self
            .init_producer_id_last_attempt_ms
            .is_some_and(|t| cx.now < t + self.config.retry_backoff_ms)
        {
            return;
        }
        let Some(node) = self.request_node() else { return };
        let request_id = self.start_request(cx, node, RequestKind::InitProducerId);
        self.init_producer_id_last_attempt_ms = Some(cx.now);
        cx.send(node, Message::InitProducerId { request_id });
    }

    /// `bumpIdempotentProducerEpoch`: a new epoch; the partitions that asked for
    /// it rewrite their unfinished batches' sequences from 0.
    fn maybe_bump_epoch(&mut self, cx: &mut Ctx) {
        if self.epoch_bump_partitions.is_empty() || self.producer_id < 0 {
            return;
        }
        if self.producer_epoch == i16::MAX {
            self.producer_id = -1;
            self.producer_epoch = -1;
            self.epoch_bump_partitions.clear();
            return;
        }
        self.producer_epoch += 1;
        cx.observe(Observation::Note(format!(
            "producer {} bumped epoch to {} (producer id {})",
            self.id, self.producer_epoch, self.producer_id
        )));
        let producer = (self.producer_id, self.producer_epoch);
        for tp in std::mem::take(&mut self.epoch_bump_partitions) {
            let entry = self.sequences.entry(tp).or_default();
            let mut sequence = 0;
            for batch_id in &entry.in_flight {
                if let Some(b) = self.batches.get_mut(batch_id) {
                    b.producer_state = Some((producer.0, producer.1, sequence));
                    sequence += b.record_count();
                }
            }
            entry.producer = producer;
            entry.next_sequence = sequence;
            entry.last_acked_sequence = -1;
        }
    }

    /// `shouldStopDrainBatchesForPartition`: keeps a partition's sequences in order.
    fn should_stop_drain(&self, first: &Batch) -> bool {
        if !self.idempotent {
            return false;
        }
        if self.producer_id < 0 {
            return true;
        }
        let Some(entry) = self.sequences.get(&first.tp) else {
            return false;
        };
        if first.producer_state.is_none()
            && !entry.in_flight.is_empty()
            && entry.producer != (self.producer_id, self.producer_epoch)
        {
            // Old-epoch batches must finish before sequence 0 of the new epoch goes.
            return true;
        }
        // A retried batch goes only when it is the first unfinished one, which
        // brings the partition down to one request in flight while retrying.
        let first_in_flight = entry
            .in_flight
            .first()
            .and_then(|id| self.batches.get(id))
            .and_then(Batch::base_sequence);
        matches!((first_in_flight, first.base_sequence()), (Some(f), Some(s)) if f != s)
    }

    fn assign_sequence(&mut self, batch_id: u64) {
        let producer = (self.producer_id, self.producer_epoch);
        let Some(batch) = self.batches.get_mut(&batch_id) else {
            return;
        };
        if !self.idempotent || batch.producer_state.is_some() {
            return;
        }
        let entry = self.sequences.entry(batch.tp.clone()).or_default();
        if entry.producer != producer && entry.in_flight.is_empty() {
            *entry = PartitionSequences {
                producer,
                next_sequence: 0,
                last_acked_sequence: -1,
                in_flight: Vec::new(),
            };
        }
        batch.producer_state = Some((producer.0, producer.1, entry.next_sequence));
        entry.next_sequence = entry.next_sequence.wrapping_add(batch.records.len() as i32);
        entry.in_flight.push(batch_id);
    }

    fn request_epoch_bump(&mut self, tp: &TopicPartition) {
        if self.idempotent {
            self.epoch_bump_partitions.insert(tp.clone());
        }
    }

    // ----- accumulator -----

    /// `RecordAccumulator.append` with the partition chosen first.
    fn append(&mut self, cx: &mut Ctx, record_id: u64, record: ProducerRecord) {
        let (num_partitions, available) = self.available_partitions(&record.topic);
        let topic = TopicPartitions {
            num_partitions,
            available: &available,
        };
        let batch_size = self.config.batch_size;
        let explicit = partitioner::partition(record.partition, record.key.as_deref(), num_partitions);
        let sticky = explicit.is_none();
        let partition = match explicit {
            Some(p) => p,
            None => {
                let partitioner = self
                    .partitioners
                    .entry(record.topic.clone())
                    .or_insert_with(|| BuiltInPartitioner::new(batch_size));
                let mut p = partitioner.current_partition(topic, cx.rng);
                // `partitionChanged`: a switch that waited for a full batch happens now.
                let tp = TopicPartition::new(&record.topic, p);
                if self.all_batches_full(&tp) {
                    let partitioner = self.partitioners.get_mut(&record.topic).expect("inserted above");
                    partitioner.update_partition_info(0, true, topic, cx.rng);
                    p = partitioner.current_partition(topic, cx.rng);
                }
                p
            }
        };
        let tp = TopicPartition::new(&record.topic, partition);
        let mut new_record = NewRecord {
            timestamp: cx.now,
            key: record.key,
            value: record.value,
            headers: Vec::new(),
        };
        new_record.headers = record
            .headers
            .into_iter()
            .map(|(key, value)| Header { key, value })
            .collect();

        let queue = self.queues.entry(tp.clone()).or_default();
        let last = queue.back().and_then(|id| self.batches.get_mut(id));
        let mut appended = None;
        if let Some(last) = last {
            let base_timestamp = last.records.first().map_or(cx.now, |(_, r)| r.timestamp);
            let size = record_size(last.record_count(), cx.now - base_timestamp, &new_record);
            if !last.closed && (last.records.is_empty() || last.size_bytes + size <= batch_size) {
                last.records.push((record_id, new_record.clone()));
                last.size_bytes += size;
                appended = Some(size);
            } else {
                last.closed = true;
            }
        }
        let appended_bytes = match appended {
            Some(size) => size,
            None => {
                let size = RECORD_BATCH_OVERHEAD as u32 + record_size(0, 0, &new_record);
                let id = self.next_batch_id;
                self.next_batch_id += 1;
                self.batches.insert(
                    id,
                    Batch {
                        tp: tp.clone(),
                        records: vec![(record_id, new_record)],
                        size_bytes: size,
                        closed: false,
                        created_ms: cx.now,
                        last_attempt_ms: cx.now,
                        attempts: 0,
                        producer_state: None,
                        sent_leader_epoch: None,
                    },
                );
                self.queues.entry(tp.clone()).or_default().push_back(id);
                size
            }
        };
        if sticky {
            let enable_switch = self.all_batches_full(&tp);
            if let Some(p) = self.partitioners.get_mut(tp.topic.as_str()) {
                p.update_partition_info(appended_bytes, enable_switch, topic, cx.rng);
            }
        }
    }

    /// `allBatchesFull`: only the last batch of a queue can be incomplete.
    fn all_batches_full(&self, tp: &TopicPartition) -> bool {
        let last = self
            .queues
            .get(tp)
            .and_then(|q| q.back())
            .and_then(|id| self.batches.get(id));
        last.is_none_or(|b| b.is_full(self.config.batch_size))
    }

    /// Whether a queued batch waits out its retry backoff (`shouldBackoff`).
    fn backing_off(&self, batch: &Batch, now: Ms) -> bool {
        let leader_changed = match (batch.sent_leader_epoch, self.leader_for(&batch.tp)) {
            (Some(sent), Some((_, current))) => current > sent,
            _ => false,
        };
        batch.attempts > 0 && now - batch.last_attempt_ms < self.config.retry_backoff_ms && !leader_changed
    }

    /// `RecordAccumulator.ready`: the leaders with a sendable batch, and when the
    /// next batch becomes sendable.
    fn ready(&mut self, now: Ms) -> (FlatSet<NodeId>, Option<Ms>) {
        let mut ready = FlatSet::new();
        let mut next: Option<Ms> = None;
        // Queue sizes per topic (the queues are in topic order, so a topic's
        // partitions come together).
        let mut load: Vec<(&str, Vec<(i32, i32)>)> = Vec::new();
        let mut unknown_leader = false;
        for (tp, queue) in &self.queues {
            let leader = self.leader_for(tp);
            if leader.is_some() {
                let entry = (tp.partition, queue.len() as i32);
                match load.last_mut() {
                    Some((topic, sizes)) if *topic == &*tp.topic => sizes.push(entry),
                    _ => load.push((&tp.topic, vec![entry])),
                }
            }
            let Some(first) = queue.front().and_then(|id| self.batches.get(id)) else {
                continue;
            };
            let Some((node, _)) = leader else {
                unknown_leader = true;
                continue;
            };
            let waited = now - first.last_attempt_ms;
            let backing_off = self.backing_off(first, now);
            let time_to_wait = if first.attempts > 0 {
                self.config.retry_backoff_ms
            } else {
                self.config.linger_ms
            };
            let full = queue.len() > 1 || first.is_full(self.config.batch_size);
            let sendable = full || waited >= time_to_wait;
            if sendable && !backing_off {
                ready.insert(node);
            } else {
                let at = first.last_attempt_ms + time_to_wait;
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        if unknown_leader {
            self.metadata.need_update = true;
        }
        // Adaptive partitioning: queue sizes once every partition has had a batch.
        for (topic, partitioner) in self.partitioners.iter_mut() {
            let Some(num_partitions) = self.metadata.topics.get(topic).map(|t| t.partitions.len() as i32) else {
                continue;
            };
            let known = self
                .queues
                .range(TopicPartition::new(topic, i32::MIN)..)
                .take_while(|(tp, _)| &tp.topic == topic);
            if (known.count() as i32) < num_partitions {
                partitioner.update_partition_load_stats(None, num_partitions);
            } else {
                let sizes = load
                    .iter()
                    .find(|(t, _)| *t == topic.as_str())
                    .map(|(_, v)| v.as_slice());
                partitioner.update_partition_load_stats(sizes, num_partitions);
            }
        }
        (ready, next)
    }

    /// `RecordAccumulator.drain` for one node.
    fn drain_node(&mut self, node: NodeId, now: Ms) -> Vec<u64> {
        let parts: Vec<TopicPartition> = self
            .queues
            .iter()
            .filter(|(tp, q)| !q.is_empty() && self.leader_for(tp).is_some_and(|(l, _)| l == node))
            .map(|(tp, _)| tp.clone())
            .collect();
        let mut drained = Vec::new();
        if parts.is_empty() {
            return drained;
        }
        let start = self.drain_index.get(&node).copied().unwrap_or(0) % parts.len();
        self.drain_index.insert(node, start + 1);
        let mut size = 0u32;
        for i in 0..parts.len() {
            let tp = &parts[(start + i) % parts.len()];
            if self.muted.contains(tp) {
                continue;
            }
            let Some(&first_id) = self.queues.get(tp).and_then(|q| q.front()) else {
                continue;
            };
            let first = &self.batches[&first_id];
            if self.backing_off(first, now) {
                continue;
            }
            if size + first.size_bytes > MAX_REQUEST_SIZE && !drained.is_empty() {
                break;
            }
            if self.should_stop_drain(first) {
                continue;
            }
            self.queues.get_mut(tp).expect("present").pop_front();
            self.assign_sequence(first_id);
            let leader_epoch = self.leader_for(tp).map(|(_, e)| e);
            let batch = self.batches.get_mut(&first_id).expect("present");
            batch.closed = true;
            batch.sent_leader_epoch = leader_epoch;
            size += batch.size_bytes;
            drained.push(first_id);
        }
        drained
    }

    // ----- sender -----

    /// `Sender.runOnce`: everything that is due now, then the next wake-up.
    fn run(&mut self, cx: &mut Ctx) {
        self.maybe_bump_epoch(cx);
        self.maybe_init_producer_id(cx);
        self.expire_waiting(cx);
        self.expire_batches(cx);
        self.send_produce_data(cx);
        self.maybe_update_metadata(cx);
        self.schedule_next_poll(cx);
    }

    fn send_produce_data(&mut self, cx: &mut Ctx) {
        let (ready, _) = self.ready(cx.now);
        let max_in_flight = self.config.max_in_flight_requests_per_connection.max(1) as usize;
        for node in ready {
            if self.in_flight.values().filter(|r| r.node == node).count() >= max_in_flight {
                continue;
            }
            let drained = self.drain_node(node, cx.now);
            if drained.is_empty() {
                continue;
            }
            let partitions = drained
                .iter()
                .map(|id| (self.batches[id].tp.clone(), self.batches[id].encode()))
                .collect();
            let request_id = self.next_request_id;
            self.next_request_id += 1;
            let request = ProduceRequest {
                request_id,
                acks: self.config.acks,
                timeout_ms: self.config.request_timeout_ms,
                partitions,
            };
            cx.send(node, Message::Produce(request));
            if self.config.acks == 0 {
                // No response comes: Kafka completes the batches once sent, offset -1.
                for id in drained {
                    self.complete_batch(cx, id, -1);
                }
                continue;
            }
            if self.config.max_in_flight_requests_per_connection == 1 {
                for id in &drained {
                    self.muted.insert(self.batches[id].tp.clone());
                }
            }
            self.in_flight.insert(
                request_id,
                InFlight {
                    node,
                    kind: RequestKind::Produce { batches: drained },
                },
            );
            cx.set_timer(
                self.config.request_timeout_ms,
                sim::Timer::Producer(Timer::RequestTimeout { request_id }),
            );
        }
    }

    fn start_request(&mut self, cx: &mut Ctx, node: NodeId, kind: RequestKind) -> u64 {
        let request_id = self.next_request_id;
        self.next_request_id += 1;
        self.in_flight.insert(request_id, InFlight { node, kind });
        cx.set_timer(
            self.config.request_timeout_ms,
            sim::Timer::Producer(Timer::RequestTimeout { request_id }),
        );
        request_id
    }

    fn is_pending(&self, request_id: u64, kind: &RequestKind) -> bool {
        self.in_flight.get(&request_id).is_some_and(|r| r.kind == *kind)
    }

    fn take_request(&mut self, request_id: u64, kind: impl Fn(&RequestKind) -> bool) -> Option<InFlight> {
        if self.in_flight.get(&request_id).is_some_and(|r| kind(&r.kind)) {
            self.in_flight.remove(&request_id)
        } else {
            None
        }
    }

    /// A request to `node` timed out: like Kafka's NetworkClient, drop the
    /// connection, failing every request in flight to that node.
    fn disconnect(&mut self, cx: &mut Ctx, node: NodeId, timed_out: u64) {
        let ids: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, r)| r.node == node)
            .map(|(id, _)| *id)
            .collect();
        // The next metadata or InitProducerId request tries another broker.
        self.metadata.node_failed(node);
        for id in ids {
            let Some(request) = self.in_flight.remove(&id) else {
                continue;
            };
            match request.kind {
                RequestKind::Metadata => {}
                RequestKind::InitProducerId => {
                    self.init_producer_id_last_attempt_ms = Some(cx.now);
                }
                RequestKind::Produce { batches } => {
                    let message = if id == timed_out {
                        format!("Disconnected from node {node} due to timeout")
                    } else {
                        format!("Disconnected from node {node}")
                    };
                    for batch_id in batches {
                        self.unmute(batch_id);
                        self.handle_batch_error(cx, batch_id, KafkaError::RequestTimedOut, Some(&message));
                    }
                }
            }
        }
    }

    fn unmute(&mut self, batch_id: u64) {
        if let Some(b) = self.batches.get(&batch_id) {
            self.muted.remove(&b.tp);
        }
    }

    fn handle_produce_response(&mut self, cx: &mut Ctx, response: ProduceResponse) {
        let Some(request) = self.take_request(response.request_id, |k| matches!(k, RequestKind::Produce { .. })) else {
            return; // Late (timed out) or unknown: the batches were handled already.
        };
        let RequestKind::Produce { batches } = request.kind else {
            return;
        };
        for batch_id in batches {
            let Some(batch) = self.batches.get(&batch_id) else {
                continue;
            };
            self.muted.remove(&batch.tp);
            let tp = batch.tp.clone();
            let part = response
                .partitions
                .iter()
                .find(|p| p.tp == tp)
                .cloned()
                .unwrap_or(ProducePartitionResponse {
                    tp,
                    error: Some(KafkaError::UnknownServerError),
                    error_message: None,
                    base_offset: -1,
                    log_append_time: -1,
                });
            match part.error {
                None | Some(KafkaError::DuplicateSequenceNumber) => self.complete_batch(cx, batch_id, part.base_offset),
                Some(e) => self.handle_batch_error(cx, batch_id, e, part.error_message.as_deref()),
            }
        }
    }

    /// `Sender.completeBatch` for an error: retry the same batch or fail it.
    fn handle_batch_error(&mut self, cx: &mut Ctx, batch_id: u64, error: KafkaError, message: Option<&str>) {
        let Some(batch) = self.batches.get(&batch_id) else {
            return;
        };
        let delivery_timeout_reached = cx.now - batch.created_ms >= self.config.delivery_timeout_ms;
        let attempts_left = batch.attempts < self.config.retries;
        let (tp, base_sequence) = (batch.tp.clone(), batch.base_sequence());
        let can_retry = !delivery_timeout_reached && attempts_left && self.error_can_retry(&tp, base_sequence, error);
        if is_invalid_metadata(error) || error == KafkaError::RequestTimedOut {
            self.metadata.need_update = true;
        }
        if can_retry {
            self.reenqueue(cx.now, batch_id);
        } else {
            self.fail_batch(cx, batch_id, exception_text(error, message));
        }
    }

    /// `TransactionManager.canRetry` for an idempotent producer, else `RetriableException`.
    fn error_can_retry(&mut self, tp: &TopicPartition, base_sequence: Option<i32>, error: KafkaError) -> bool {
        if !self.idempotent {
            return is_retriable(error);
        }
        match error {
            KafkaError::UnknownProducerId => {
                self.request_epoch_bump(tp);
                true
            }
            KafkaError::OutOfOrderSequenceNumber => {
                let last_acked = self.sequences.get(tp).map_or(-1, |e| e.last_acked_sequence);
                if base_sequence.is_some_and(|s| s.wrapping_sub(last_acked) == 1) {
                    // A real gap: start over in a new epoch.
                    self.request_epoch_bump(tp);
                }
                true
            }
            e => is_retriable(e),
        }
    }

    /// `RecordAccumulator.reenqueue`: back to the front of its queue, in
    /// sequence order when idempotent.
    fn reenqueue(&mut self, now: Ms, batch_id: u64) {
        let Some(batch) = self.batches.get_mut(&batch_id) else {
            return;
        };
        batch.attempts += 1;
        batch.last_attempt_ms = now;
        let tp = batch.tp.clone();
        let sequence = batch.base_sequence();
        let position = match (self.idempotent, sequence) {
            (true, Some(s)) => {
                let queue = self.queues.get(&tp);
                queue.map_or(0, |q| {
                    q.iter()
                        .take_while(|id| {
                            self.batches
                                .get(id)
                                .and_then(Batch::base_sequence)
                                .is_some_and(|o| o < s)
                        })
                        .count()
                })
            }
            _ => 0,
        };
        self.queues.entry(tp).or_default().insert(position, batch_id);
    }

    /// Success: every record gets its offset (-1 when unknown, as with acks=0).
    fn complete_batch(&mut self, cx: &mut Ctx, batch_id: u64, base_offset: i64) {
        let Some(batch) = self.remove_batch(batch_id) else {
            return;
        };
        if let (Some(seq), Some(entry)) = (batch.base_sequence(), self.sequences.get_mut(&batch.tp)) {
            let last = seq.wrapping_add(batch.record_count() - 1);
            if batch.producer_state.map(|(id, epoch, _)| (id, epoch)) == Some(entry.producer) {
                entry.last_acked_sequence = entry.last_acked_sequence.max(last);
            }
        }
        for (i, (record_id, _)) in batch.records.iter().enumerate() {
            let offset = if base_offset >= 0 { base_offset + i as i64 } else { -1 };
            cx.outcome(RecordOutcome {
                record_id: *record_id,
                producer: cx.me,
                tp: batch.tp.clone(),
                result: Ok(offset),
                time: cx.now,
            });
        }
        cx.observe(Observation::ProduceAcked {
            producer: cx.me,
            tp: batch.tp.clone(),
            base_offset,
            records: batch.records.len() as u32,
        });
    }

    /// Failure: every record gets the exception text. A batch that carried a
    /// sequence leaves the broker's view of the sequences uncertain, so the
    /// partition moves to a new epoch.
    fn fail_batch(&mut self, cx: &mut Ctx, batch_id: u64, text: String) {
        let Some(batch) = self.remove_batch(batch_id) else {
            return;
        };
        if batch.producer_state.is_some() {
            self.request_epoch_bump(&batch.tp);
        }
        for (record_id, _) in &batch.records {
            cx.outcome(RecordOutcome {
                record_id: *record_id,
                producer: cx.me,
                tp: batch.tp.clone(),
                result: Err(text.clone()),
                time: cx.now,
            });
        }
        cx.observe(Observation::ProduceFailed {
            producer: cx.me,
            tp: batch.tp.clone(),
            error: text,
            records: batch.records.len() as u32,
        });
    }

    /// Forgets a batch wherever it is: its queue, requests in flight, sequences.
    fn remove_batch(&mut self, batch_id: u64) -> Option<Batch> {
        let batch = self.batches.remove(&batch_id)?;
        if let Some(q) = self.queues.get_mut(&batch.tp) {
            q.retain(|id| *id != batch_id);
        }
        for r in self.in_flight.values_mut() {
            if let RequestKind::Produce { batches } = &mut r.kind {
                batches.retain(|id| *id != batch_id);
            }
        }
        if let Some(entry) = self.sequences.get_mut(&batch.tp) {
            entry.in_flight.retain(|id| *id != batch_id);
        }
        Some(batch)
    }

    /// `max.block.ms` ran out for records whose topic never showed up.
    fn expire_waiting(&mut self, cx: &mut Ctx) {
        while let Some(w) = self.waiting.front() {
            if cx.now - w.sent_ms < MAX_BLOCK_MS {
                // The list is in send order: the rest were sent later.
                break;
            }
            let w = self.waiting.pop_front().expect("front exists");
            let count = self
                .metadata
                .topics
                .get(&w.record.topic)
                .filter(|t| t.error.is_none())
                .map(|t| t.partitions.len());
            let text = match (w.record.partition, count) {
                (Some(p), Some(n)) if n > 0 => format!(
                    "{TIMEOUT_EXCEPTION}: Partition {p} of topic {} with partition count {n} is not present in metadata after {MAX_BLOCK_MS} ms.",
                    w.record.topic
                ),
                _ => format!("{TIMEOUT_EXCEPTION}: Topic {} not present in metadata after {MAX_BLOCK_MS} ms.", w.record.topic),
            };
            let tp = TopicPartition::new(&w.record.topic, w.record.partition.unwrap_or(-1));
            cx.outcome(RecordOutcome {
                record_id: w.record_id,
                producer: cx.me,
                tp,
                result: Err(text),
                time: cx.now,
            });
        }
    }

    /// `delivery.timeout.ms` passed since a batch was created: it fails, whether
    /// queued or in flight (`expiredBatches`, `getExpiredInflightBatches`).
    fn expire_batches(&mut self, cx: &mut Ctx) {
        let deadline = self.config.delivery_timeout_ms;
        let expired: Vec<u64> = self
            .batches
            .iter()
            .filter(|(_, b)| cx.now - b.created_ms >= deadline)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            let b = &self.batches[&id];
            let text = format!(
                "{TIMEOUT_EXCEPTION}: Expiring {} record(s) for {}:{} ms has passed since batch creation",
                b.records.len(),
                b.tp,
                cx.now - b.created_ms
            );
            self.unmute(id);
            self.fail_batch(cx, id, text);
        }
    }

    /// Sets a poll timer for the earliest deadline, unless an earlier one is set.
    fn schedule_next_poll(&mut self, cx: &mut Ctx) {
        let now = cx.now;
        let mut next: Option<Ms> = None;
        let mut consider = |t: Ms| next = Some(next.map_or(t, |n: Ms| n.min(t)));
        let (_, sendable_at) = self.ready(now);
        if let Some(t) = sendable_at {
            consider(t);
        }
        if let Some(t) = self
            .batches
            .values()
            .map(|b| b.created_ms + self.config.delivery_timeout_ms)
            .min()
        {
            consider(t);
        }
        if let Some(w) = self.waiting.front() {
            consider(w.sent_ms + MAX_BLOCK_MS);
        }
        if !self.in_flight.values().any(|r| r.kind == RequestKind::Metadata) {
            let backoff_end = self
                .metadata
                .last_attempt_ms
                .map_or(now, |t| t + self.config.retry_backoff_ms);
            if self.metadata.need_update {
                consider(backoff_end);
            } else if let Some(t) = self.metadata.last_success_ms {
                consider((t + self.config.metadata_max_age_ms).max(backoff_end));
            }
        }
        if self.idempotent
            && self.producer_id < 0
            && !self.in_flight.values().any(|r| r.kind == RequestKind::InitProducerId)
        {
            consider(
                self.init_producer_id_last_attempt_ms
                    .map_or(now, |t| t + self.config.retry_backoff_ms),
            );
        }
        if let Some(at) = next {
            self.schedule_poll(cx, at.max(now + 1));
        }
    }

    /// A poll at `at`, unless one at or before it is already set.
    fn schedule_poll(&mut self, cx: &mut Ctx, at: Ms) {
        if self.polls.first().is_some_and(|&first| first <= at) {
            return;
        }
        self.polls.insert(at);
        cx.set_timer(at - cx.now, sim::Timer::Producer(Timer::Poll { at }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::PartitionView;
    use crate::protocol::TopicView;
    use crate::sim::Effect;
    use crate::types::Uuid;
    use kafkaplay_log::BatchRef;
    use oorandom::Rand64;

    const ME: NodeId = 10_000;
    const T0: Ms = 1_700_000_000_000;

    /// Drives one producer directly: collects what it sends, its timers and outcomes.
    struct Harness {
        producer: Producer,
        rng: Rand64,
        now: Ms,
        timers: Vec<(Ms, u64, Timer)>,
        timer_seq: u64,
        sent: Vec<(NodeId, Message)>,
        outcomes: Vec<RecordOutcome>,
        observations: Vec<Observation>,
    }

    /// What a test reads back from a batch on the wire.
    #[derive(Debug, PartialEq)]
    struct SentBatch {
        producer_id: i64,
        producer_epoch: i16,
        base_sequence: i32,
        values: Vec<String>,
    }

    fn sent_batch(bytes: &[u8]) -> SentBatch {
        let b = BatchRef::parse_exact(bytes).expect("a valid batch");
        b.validate().expect("crc");
        SentBatch {
            producer_id: b.producer_id(),
            producer_epoch: b.producer_epoch(),
            base_sequence: b.base_sequence(),
            values: b
                .records()
                .expect("records")
                .into_iter()
                .map(|r| String::from_utf8(r.value.unwrap_or_default()).unwrap())
                .collect(),
        }
    }

    fn view(topics: &[(&str, &[NodeId])], leader_epoch: i32) -> ClusterMetadataView {
        ClusterMetadataView {
            cluster_id: "test".into(),
            controller: 1000,
            brokers: vec![1, 2, 3],
            topics: topics
                .iter()
                .map(|(name, leaders)| TopicView {
                    name: name.to_string(),
                    id: Uuid(7),
                    error: None,
                    partitions: leaders
                        .iter()
                        .enumerate()
                        .map(|(i, &leader)| PartitionView {
                            partition: i as i32,
                            leader,
                            leader_epoch,
                            replicas: vec![1, 2, 3],
                            isr: vec![1, 2, 3],
                            offline: vec![],
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn record(topic: &str, partition: Option<i32>, key: Option<&str>, value: &str) -> ProducerRecord {
        ProducerRecord {
            topic: topic.into(),
            partition,
            key: key.map(|k| k.as_bytes().to_vec()),
            value: Some(value.as_bytes().to_vec()),
            headers: vec![],
        }
    }

    impl Harness {
        fn new(config: ProducerConfig) -> Self {
            let mut h = Harness {
                producer: Producer::new(ME, config, vec![1, 2, 3]),
                rng: Rand64::new(42),
                now: T0,
                timers: Vec::new(),
                timer_seq: 0,
                sent: Vec::new(),
                outcomes: Vec::new(),
                observations: Vec::new(),
            };
            h.drive(|p, cx| p.on_start(cx));
            h
        }

        /// Started, with topic `t` (3 partitions led by brokers 1, 2, 3) known and
        /// producer id 42 (epoch 0) assigned; the clock at T0 + 1000.
        fn started(config: ProducerConfig) -> Self {
            Self::started_with(config, &[1, 2, 3])
        }

        fn started_with(config: ProducerConfig, leaders: &[NodeId]) -> Self {
            let mut h = Harness::new(config);
            h.answer_metadata(&[("t", leaders)], 0);
            if h.producer.is_idempotent() {
                h.answer_init_producer_id();
            }
            h.advance(1000);
            h.sent.clear();
            h
        }

        fn drive(&mut self, f: impl FnOnce(&mut Producer, &mut Ctx)) {
            let mut effects = Vec::new();
            {
                let mut cx = Ctx::new(self.now, ME, &mut self.rng, &mut effects);
                f(&mut self.producer, &mut cx);
            }
            for e in effects {
                match e {
                    Effect::Send(to, m) => self.sent.push((to, m)),
                    Effect::SetTimer(after, sim::Timer::Producer(t)) => {
                        self.timer_seq += 1;
                        self.timers.push((self.now + after, self.timer_seq, t));
                    }
                    Effect::Outcome(o) => self.outcomes.push(o),
                    Effect::Observe(o) => self.observations.push(o),
                    other => panic!("unexpected effect {other:?}"),
                }
            }
        }

        /// Fires every timer due up to `now + ms`, in order.
        fn advance(&mut self, ms: Ms) {
            let until = self.now + ms;
            loop {
                let next = self
                    .timers
                    .iter()
                    .enumerate()
                    .filter(|(_, (at, _, _))| *at <= until)
                    .min_by_key(|(_, (at, seq, _))| (*at, *seq))
                    .map(|(i, _)| i);
                let Some(i) = next else { break };
                let (at, _, timer) = self.timers.remove(i);
                self.now = at;
                self.drive(|p, cx| p.on_timer(cx, timer));
            }
            self.now = until;
        }

        fn send(&mut self, record_id: u64, r: ProducerRecord) {
            self.drive(|p, cx| p.send(cx, record_id, r));
        }

        fn deliver(&mut self, from: NodeId, msg: Message) {
            self.drive(|p, cx| p.on_message(cx, from, msg));
        }

        fn take_request(&mut self, pick: impl Fn(&Message) -> bool) -> Option<(NodeId, Message)> {
            let i = self.sent.iter().position(|(_, m)| pick(m))?;
            Some(self.sent.remove(i))
        }

        fn answer_metadata(&mut self, topics: &[(&str, &[NodeId])], leader_epoch: i32) {
            let (node, msg) = self
                .take_request(|m| matches!(m, Message::MetadataRequest { .. }))
                .expect("a metadata request");
            let Message::MetadataRequest { request_id, .. } = msg else {
                unreachable!()
            };
            self.deliver(
                node,
                Message::MetadataResponse {
                    request_id,
                    metadata: view(topics, leader_epoch),
                },
            );
        }

        fn answer_init_producer_id(&mut self) {
            let (node, msg) = self
                .take_request(|m| matches!(m, Message::InitProducerId { .. }))
                .expect("an InitProducerId");
            let Message::InitProducerId { request_id } = msg else {
                unreachable!()
            };
            self.deliver(
                node,
                Message::InitProducerIdResponse {
                    request_id,
                    error: None,
                    producer_id: 42,
                    producer_epoch: 0,
                },
            );
        }

        /// Takes every ProduceRequest sent so far.
        fn produce_requests(&mut self) -> Vec<(NodeId, ProduceRequest)> {
            let mut out = Vec::new();
            while let Some((node, Message::Produce(r))) = self.take_request(|m| matches!(m, Message::Produce(_))) {
                out.push((node, r));
            }
            out
        }

        fn respond(&mut self, node: NodeId, request: &ProduceRequest, error: Option<KafkaError>, base_offset: i64) {
            let partitions = request
                .partitions
                .iter()
                .map(|(tp, _)| ProducePartitionResponse {
                    tp: tp.clone(),
                    error,
                    error_message: None,
                    base_offset,
                    log_append_time: -1,
                })
                .collect();
            self.deliver(
                node,
                Message::ProduceResponse(ProduceResponse {
                    request_id: request.request_id,
                    partitions,
                }),
            );
        }

        fn partition_of(&self, record_id: u64) -> Option<i32> {
            self.producer
                .batches
                .values()
                .find(|b| b.records.iter().any(|(id, _)| *id == record_id))
                .map(|b| b.tp.partition)
        }
    }

    #[test]
    fn starts_by_asking_metadata_and_a_producer_id_from_a_bootstrap_broker() {
        let h = Harness::new(ProducerConfig::default());
        assert_eq!(
            h.sent,
            vec![
                (1, Message::InitProducerId { request_id: 1 }),
                (
                    1,
                    Message::MetadataRequest {
                        request_id: 2,
                        topics: Some(vec![])
                    }
                ),
            ]
        );
        assert!(h.producer.is_idempotent());
    }

    #[test]
    fn records_sent_together_share_one_batch_sent_after_linger_ms() {
        let mut h = Harness::started(ProducerConfig::default());
        for i in 0..3 {
            h.send(i, record("t", None, Some("k1"), &format!("v{i}")));
        }
        h.advance(4);
        assert!(h.produce_requests().is_empty(), "linger.ms=5 not over yet");
        h.advance(1);
        let requests = h.produce_requests();
        assert_eq!(requests.len(), 1);
        let (node, req) = &requests[0];
        // "k1" → partition 2 of 3, led by broker 3.
        assert_eq!(*node, 3);
        assert_eq!(req.acks, -1);
        assert_eq!(req.partitions.len(), 1);
        assert_eq!(req.partitions[0].0, TopicPartition::new("t", 2));
        assert_eq!(
            sent_batch(&req.partitions[0].1),
            SentBatch {
                producer_id: 42,
                producer_epoch: 0,
                base_sequence: 0,
                values: vec!["v0".into(), "v1".into(), "v2".into()]
            }
        );
    }

    #[test]
    fn a_full_batch_goes_without_waiting_for_linger_ms() {
        let config = ProducerConfig {
            batch_size: 200,
            linger_ms: 10_000,
            ..ProducerConfig::default()
        };
        let mut h = Harness::started(config);
        // Each record is 77 bytes encoded: 61 + 77 + 77 > 200.
        let value = "x".repeat(70);
        h.send(1, record("t", Some(0), None, &value));
        h.send(2, record("t", Some(0), None, &value));
        h.advance(0);
        let requests = h.produce_requests();
        assert_eq!(
            requests.len(),
            1,
            "the first batch is full once the second record does not fit"
        );
        assert_eq!(sent_batch(&requests[0].1.partitions[0].1).values.len(), 1);
        h.advance(9_999);
        assert!(h.produce_requests().is_empty(), "the second batch lingers");
    }

    #[test]
    fn keyed_records_go_to_murmur2_partitions() {
        let mut h = Harness::started(ProducerConfig::default());
        h.send(1, record("t", None, Some("k1"), "a"));
        h.send(2, record("t", None, Some("k2"), "b"));
        h.send(3, record("t", None, Some("k3"), "c"));
        h.send(4, record("t", Some(1), Some("k1"), "d"));
        assert_eq!(h.partition_of(1), Some(2));
        assert_eq!(h.partition_of(2), Some(0));
        assert_eq!(h.partition_of(3), Some(1));
        assert_eq!(h.partition_of(4), Some(1), "an explicit partition wins over the key");
        h.advance(5);
        let mut routed: Vec<(NodeId, Vec<TopicPartition>)> = h
            .produce_requests()
            .into_iter()
            .map(|(n, r)| (n, r.partitions.into_iter().map(|(tp, _)| tp).collect()))
            .collect();
        routed.sort();
        assert_eq!(
            routed,
            vec![
                (1, vec![TopicPartition::new("t", 0)]),
                (2, vec![TopicPartition::new("t", 1)]),
                (3, vec![TopicPartition::new("t", 2)]),
            ]
        );
    }

    #[test]
    fn null_key_records_stick_to_a_partition_with_a_leader_until_batch_size_bytes() {
        let config = ProducerConfig {
            batch_size: 1000,
            linger_ms: 100_000,
            ..ProducerConfig::default()
        };
        // Partition 1 has no leader: the sticky partitioner never picks it.
        let mut h = Harness::started_with(config, &[1, -1, 3]);
        let value = "y".repeat(50);
        for i in 0..120 {
            h.send(i, record("t", None, None, &value));
        }
        let partitions: Vec<i32> = (0..120).map(|i| h.partition_of(i).expect("queued")).collect();
        assert!(partitions.iter().all(|p| *p != 1), "{partitions:?}");
        let mut runs: Vec<(i32, usize)> = Vec::new();
        for p in &partitions {
            match runs.last_mut() {
                Some((last, n)) if last == p => *n += 1,
                _ => runs.push((*p, 1)),
            }
        }
        assert!(
            runs.len() >= 2,
            "120 records of ~57 bytes span several sticky periods: {runs:?}"
        );
        // Each record is 57 bytes encoded: no switch before batch.size (1000) bytes.
        for (_, n) in &runs[..runs.len() - 1] {
            assert!(*n as u32 * 57 >= 1000 - 61, "{runs:?}");
        }
    }

    #[test]
    fn success_gives_each_record_base_offset_plus_its_index() {
        let mut h = Harness::started(ProducerConfig::default());
        for i in 0..3 {
            h.send(10 + i, record("t", Some(0), None, "v"));
        }
        h.advance(5);
        let requests = h.produce_requests();
        let (node, req) = &requests[0];
        h.respond(*node, req, None, 100);
        let got: Vec<(u64, Result<i64, String>)> = h.outcomes.iter().map(|o| (o.record_id, o.result.clone())).collect();
        assert_eq!(got, vec![(10, Ok(100)), (11, Ok(101)), (12, Ok(102))]);
        assert!(h
            .outcomes
            .iter()
            .all(|o| o.tp == TopicPartition::new("t", 0) && o.producer == ME));
        assert!(h.observations.contains(&Observation::ProduceAcked {
            producer: ME,
            tp: TopicPartition::new("t", 0),
            base_offset: 100,
            records: 3
        }));
        assert_eq!(h.producer.pending_records(), 0);
    }

    #[test]
    fn not_leader_batch_is_retried_with_the_same_sequence_after_a_metadata_refresh() {
        let mut h = Harness::started(ProducerConfig::default());
        h.send(1, record("t", None, Some("k1"), "a"));
        h.send(2, record("t", None, Some("k1"), "b"));
        h.advance(5);
        let first = h.produce_requests();
        let (node, req) = &first[0];
        assert_eq!(*node, 3);
        h.respond(3, req, Some(KafkaError::NotLeaderOrFollower), -1);
        assert!(h.outcomes.is_empty(), "retriable: no outcome yet");
        // The error asks for fresh metadata: partition 2 moved to broker 1.
        h.answer_metadata(&[("t", &[1, 2, 1])], 1);
        h.advance(0);
        let retry = h.produce_requests();
        assert_eq!(retry.len(), 1, "a new leader skips the backoff (KIP-951)");
        assert_eq!(retry[0].0, 1);
        assert_eq!(
            retry[0].1.partitions, req.partitions,
            "the same bytes: same producer id, epoch and sequence"
        );
        h.respond(1, &retry[0].1, None, 0);
        assert_eq!(
            h.outcomes.iter().map(|o| o.result.clone()).collect::<Vec<_>>(),
            vec![Ok(0), Ok(1)]
        );
        // The next batch continues the partition's sequence.
        h.send(3, record("t", None, Some("k1"), "c"));
        h.advance(5);
        let next = h.produce_requests();
        assert_eq!(sent_batch(&next[0].1.partitions[0].1).base_sequence, 2);
    }

    #[test]
    fn not_enough_replicas_is_retried_after_retry_backoff_ms() {
        let mut h = Harness::started(ProducerConfig::default());
        h.send(1, record("t", Some(0), None, "a"));
        h.advance(5);
        let first = h.produce_requests();
        h.respond(1, &first[0].1, Some(KafkaError::NotEnoughReplicas), -1);
        h.advance(99);
        assert!(h.produce_requests().is_empty(), "retry.backoff.ms=100 not over");
        h.advance(1);
        let retry = h.produce_requests();
        assert_eq!(retry.len(), 1);
        assert_eq!(retry[0].1.partitions, first[0].1.partitions);
    }

    #[test]
    fn records_fail_after_delivery_timeout_with_kafkas_expiry_text() {
        let mut h = Harness::started(ProducerConfig::default());
        h.send(7, record("t", Some(0), None, "a"));
        // Nobody answers: requests time out every 30 s and are retried.
        h.advance(119_999);
        assert!(h.outcomes.is_empty());
        assert!(h.produce_requests().len() >= 4, "retried after each request timeout");
        h.advance(1);
        assert_eq!(h.outcomes.len(), 1);
        assert_eq!(
            h.outcomes[0].result,
            Err("org.apache.kafka.common.errors.TimeoutException: Expiring 1 record(s) for t-0:120000 ms has passed since batch creation".to_string())
        );
        assert!(matches!(
            &h.observations.last(),
            Some(Observation::ProduceFailed { records: 1, .. })
        ));
    }

    #[test]
    fn non_retriable_errors_fail_with_the_java_exception_text() {
        let config = ProducerConfig {
            retries: 0,
            ..ProducerConfig::default()
        };
        let mut h = Harness::started(config);
        assert!(!h.producer.is_idempotent(), "retries=0 turns idempotence off");
        h.send(1, record("t", Some(0), None, "a"));
        h.advance(5);
        let req = h.produce_requests();
        h.respond(1, &req[0].1, Some(KafkaError::NotEnoughReplicas), -1);
        assert_eq!(
            h.outcomes[0].result,
            Err("org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required.".to_string())
        );
    }

    #[test]
    fn acks_zero_reports_offset_minus_one_as_soon_as_sent() {
        let config = ProducerConfig {
            acks: 0,
            ..ProducerConfig::default()
        };
        let mut h = Harness::new(config);
        assert!(
            !h.sent.iter().any(|(_, m)| matches!(m, Message::InitProducerId { .. })),
            "acks=0: not idempotent"
        );
        h.answer_metadata(&[("t", &[1, 2, 3])], 0);
        h.send(1, record("t", Some(2), None, "a"));
        h.advance(5);
        let req = h.produce_requests();
        assert_eq!(req[0].1.acks, 0);
        assert_eq!(sent_batch(&req[0].1.partitions[0].1).producer_id, -1);
        assert_eq!(h.outcomes.len(), 1);
        assert_eq!(h.outcomes[0].result, Ok(-1));
        assert_eq!(h.outcomes[0].tp, TopicPartition::new("t", 2));
    }

    #[test]
    fn metadata_moves_to_the_next_bootstrap_broker_when_one_does_not_answer() {
        let mut h = Harness::new(ProducerConfig::default());
        let nodes = |h: &Harness| -> Vec<NodeId> {
            h.sent
                .iter()
                .filter(|(_, m)| matches!(m, Message::MetadataRequest { .. }))
                .map(|(n, _)| *n)
                .collect()
        };
        assert_eq!(nodes(&h), vec![1]);
        h.advance(30_000);
        assert_eq!(nodes(&h), vec![1, 2]);
        h.advance(30_000);
        assert_eq!(nodes(&h), vec![1, 2, 3]);
    }

    #[test]
    fn idempotent_retries_go_one_batch_at_a_time_in_sequence_order() {
        let config = ProducerConfig {
            linger_ms: 0,
            ..ProducerConfig::default()
        };
        let mut h = Harness::started(config);
        h.send(1, record("t", Some(0), None, "a"));
        h.advance(0);
        h.send(2, record("t", Some(0), None, "b"));
        h.advance(0);
        let reqs = h.produce_requests();
        assert_eq!(reqs.len(), 2, "two requests in flight to one broker");
        let seqs: Vec<i32> = reqs
            .iter()
            .map(|(_, r)| sent_batch(&r.partitions[0].1).base_sequence)
            .collect();
        assert_eq!(seqs, vec![0, 1]);
        h.respond(1, &reqs[0].1, Some(KafkaError::NotLeaderOrFollower), -1);
        h.respond(1, &reqs[1].1, Some(KafkaError::NotLeaderOrFollower), -1);
        h.answer_metadata(&[("t", &[1, 2, 3])], 0);
        h.advance(100);
        let retry = h.produce_requests();
        assert_eq!(retry.len(), 1, "only the first unfinished sequence is retried");
        assert_eq!(sent_batch(&retry[0].1.partitions[0].1).base_sequence, 0);
        h.advance(1_000);
        assert!(h.produce_requests().is_empty(), "sequence 1 waits for sequence 0");
        h.respond(1, &retry[0].1, None, 5);
        h.advance(0);
        let second = h.produce_requests();
        assert_eq!(second.len(), 1);
        assert_eq!(sent_batch(&second[0].1.partitions[0].1).base_sequence, 1);
        h.respond(1, &second[0].1, None, 6);
        let got: Vec<(u64, Result<i64, String>)> = h.outcomes.iter().map(|o| (o.record_id, o.result.clone())).collect();
        assert_eq!(got, vec![(1, Ok(5)), (2, Ok(6))]);
    }

    #[test]
    fn send_to_an_unknown_topic_fails_after_max_block_ms() {
        let mut h = Harness::started(ProducerConfig::default());
        h.send(9, record("nope", None, None, "a"));
        h.advance(59_999);
        assert!(h.outcomes.is_empty());
        h.advance(1);
        assert_eq!(
            h.outcomes[0].result,
            Err(
                "org.apache.kafka.common.errors.TimeoutException: Topic nope not present in metadata after 60000 ms."
                    .to_string()
            )
        );
        assert_eq!(h.outcomes[0].tp, TopicPartition::new("nope", -1));
    }

    #[test]
    fn records_wait_for_metadata_of_a_new_topic() {
        let mut h = Harness::started(ProducerConfig::default());
        h.send(1, record("u", None, Some("k1"), "a"));
        assert_eq!(h.producer.pending_records(), 1);
        let asked = h.sent.iter().any(
            |(_, m)| matches!(m, Message::MetadataRequest { topics: Some(t), .. } if t.contains(&"u".to_string())),
        );
        assert!(asked, "{:?}", h.sent);
        h.answer_metadata(&[("u", &[2, 3, 1])], 0);
        assert_eq!(h.partition_of(1), Some(2));
        h.advance(5);
        assert_eq!(h.produce_requests()[0].0, 1);
    }

    #[test]
    fn exception_text_is_what_a_java_client_shows() {
        assert_eq!(
            exception_text(KafkaError::NotEnoughReplicas, None),
            "org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required."
        );
        assert_eq!(
            exception_class(KafkaError::RequestTimedOut),
            "org.apache.kafka.common.errors.TimeoutException"
        );
        assert!(is_retriable(KafkaError::NotEnoughReplicasAfterAppend));
        assert!(!is_retriable(KafkaError::MessageTooLarge));
    }
}
