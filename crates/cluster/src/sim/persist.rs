//! Whole-cluster persistence: what a reload of the playground restarts from.
//!
//! A cluster's persistent state is what every node keeps on disk, plus the
//! simulator's own clock, seed and generator. [`Simulation::persisted`] hands it
//! out in two parts:
//!
//! - `meta`: one small binary image ([`FORMAT_VERSION`]) of everything but log
//!   bytes: the cluster config, the clock, the seed and the PRNG state, every
//!   controller's quorum state and whole metadata log (KRaft fsyncs both), and
//!   every broker's checkpoints and partition list (topic id, log config,
//!   overrides);
//! - `files`: every partition's segment bytes on every broker, borrowed from the
//!   stores' *durable* views, with each segment's lineage so a storage engine
//!   only writes what was appended since it last wrote (see
//!   [`kafkaplay_log::DurableSegment`]).
//!
//! [`Simulation::restore`] is a restart of every node from those disks: brokers
//! recover their logs (CRC checked, torn tails cut and reported as
//! `LogRecovered`/`Truncated` observations), controllers reload their metadata
//! logs, the clock goes on from where it stopped. Only durable (flushed) log
//! bytes are part of the image: a reload is a power loss of every node at the
//! moment the image was taken, as a closed tab is. Data a broker had not flushed
//! is gone from that broker and comes back from replicas that had it, as in
//! Kafka. Clients (producers, consumers) keep nothing; a consumer group's
//! committed offsets survive because they are records of `__consumer_offsets`.
//!
//! Numbers in the image are sized little-endian integers; configs are stored by
//! name (`segment.bytes` = …), so a later version reads an older image: a
//! missing name keeps its default and an unknown name is skipped.
//!
//! Versions: 1 stored each partition's log config with the partition; 2 (this
//! code) stores each distinct log config once, in a table before the brokers,
//! and a partition refers to its entry. A topic's partitions share one config,
//! so a cluster of 1,000 partitions RF 3 has a meta image of 247 KB
//! instead of 1.2 MB, which the page writes in a fraction of the time
//! (`cargo xtask bench`, the image case).

use kafkaplay_flatmap::FlatMap;
use std::sync::Arc;

use kafkaplay_log::{CleanupPolicy, DurableSegment, LogConfig, MemoryStore, StoredSegment, TimestampType};
use oorandom::Rand64;

use super::{Disk, NodeState, Simulation, Slot, FIRST_CLIENT_ID};
use crate::broker::disk_view::{PartitionOnDisk, PartitionParts};
use crate::broker::BrokerDisk;
use crate::config::ClusterConfig;
use crate::controller::disk_view::ControllerDiskView;
use crate::controller::{ControllerDisk, LogEntry};
use crate::metadata::{MetadataRecord, PartitionRegistration};
use crate::trace::{Observation, Trace};
use crate::types::{Ms, NodeId, TopicPartition, Uuid};

/// The version of the `meta` image this code writes. It reads every version
/// from 1 up to this one.
pub const FORMAT_VERSION: u32 = 2;
const MAGIC: &[u8; 8] = b"KPSIMv\0\0";
/// The most entries any list in an image may claim (bounds allocation on bad input).
const MAX_ITEMS: u32 = 50_000_000;

/// A persistence failure: an image that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistError(pub String);

impl std::fmt::Display for PersistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PersistError {}

/// One partition's segments on one broker.
#[derive(Debug, Clone)]
pub struct PartitionFiles<'a> {
    pub node: NodeId,
    pub tp: TopicPartition,
    /// Ascending by base offset.
    pub segments: Vec<DurableSegment<'a>>,
}

impl PartitionFiles<'_> {
    /// The file's name in a storage engine (see [`file_path`]).
    pub fn path(&self) -> String {
        file_path(self.node, &self.tp)
    }
}

/// A cluster's persistent state, borrowed from the running simulation.
#[derive(Debug, Clone)]
pub struct PersistedCluster<'a> {
    pub meta: Vec<u8>,
    pub files: Vec<PartitionFiles<'a>>,
}

impl PersistedCluster<'_> {
    /// Every file as a storage engine gives it back to [`Simulation::restore`]:
    /// by [`file_path`], each segment's bytes owned.
    pub fn stored_files(&self) -> FlatMap<String, Vec<StoredSegment>> {
        self.files
            .iter()
            .map(|f| {
                let segments = f
                    .segments
                    .iter()
                    .map(|s| StoredSegment {
                        base_offset: s.base_offset,
                        bytes: s.bytes.to_vec(),
                    })
                    .collect();
                (f.path(), segments)
            })
            .collect()
    }

    /// [`stored_hash`] of this state: what a storage engine must give back.
    pub fn hash(&self) -> u64 {
        let mut files: Vec<(String, &PartitionFiles)> = self.files.iter().map(|f| (f.path(), f)).collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut digest = CRC64.digest();
        digest.update(&self.meta);
        for (path, f) in files {
            hash_file(&mut digest, &path, f.segments.iter().map(|s| (s.base_offset, s.bytes)));
        }
        digest.finalize()
    }
}

/// CRC-64 over the image and every file's segments (by path, then base
/// offset): equal hashes mean the same disks, clock, seed and generator.
/// Lineages are left out (they name histories, not contents).
pub fn stored_hash(meta: &[u8], files: &FlatMap<String, Vec<StoredSegment>>) -> u64 {
    let mut digest = CRC64.digest();
    digest.update(meta);
    for (path, segments) in files {
        hash_file(
            &mut digest,
            path,
            segments.iter().map(|s| (s.base_offset, &s.bytes[..])),
        );
    }
    digest.finalize()
}

fn hash_file<'a>(digest: &mut crc::Digest<'_, u64>, path: &str, segments: impl Iterator<Item = (i64, &'a [u8])>) {
    digest.update(&(path.len() as u64).to_le_bytes());
    digest.update(path.as_bytes());
    for (base, bytes) in segments {
        digest.update(&base.to_le_bytes());
        digest.update(&(bytes.len() as u64).to_le_bytes());
        digest.update(bytes);
    }
}

const CRC64: crc::Crc<u64> = crc::Crc::<u64>::new(&crc::CRC_64_XZ);

/// What a restore found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Partition replicas recovered from stored files.
    pub partitions: u32,
    /// Bytes cut off torn or corrupt tails.
    pub truncated_bytes: u64,
    /// `(broker, partition, from offset, to offset)` of records recovery cut.
    pub truncated: Vec<(NodeId, TopicPartition, i64, i64)>,
    /// Stored files no broker in the image owns (left alone, not loaded).
    pub orphan_files: Vec<String>,
}

/// A storage engine's name for a partition's files on a node:
/// `<node>/<topic>-<partition>` (topic names cannot contain `/`).
pub fn file_path(node: NodeId, tp: &TopicPartition) -> String {
    format!("{node}/{}-{}", tp.topic, tp.partition)
}

/// The inverse of [`file_path`].
pub fn parse_file_path(path: &str) -> Option<(NodeId, TopicPartition)> {
    let (node, rest) = path.split_once('/')?;
    let (topic, partition) = rest.rsplit_once('-')?;
    if topic.is_empty() {
        return None;
    }
    Some((node.parse().ok()?, TopicPartition::new(topic, partition.parse().ok()?)))
}

/// The decoded `meta` image.
#[derive(Debug, Clone, PartialEq)]
struct Image {
    config: ClusterConfig,
    seed: u64,
    now: Ms,
    rng: (u128, u128),
    next_client_id: NodeId,
    next_request_id: u64,
    controllers: FlatMap<NodeId, ControllerDisk>,
    brokers: FlatMap<NodeId, BrokerImage>,
}

#[derive(Debug, Clone, PartialEq)]
struct BrokerImage {
    producer_ids_issued: i64,
    high_watermarks: FlatMap<TopicPartition, i64>,
    partitions: FlatMap<TopicPartition, PartitionImage>,
}

#[derive(Debug, Clone, PartialEq)]
struct PartitionImage {
    topic_id: Uuid,
    config: LogConfig,
    overrides: FlatMap<String, String>,
}

impl Simulation {
    /// The cluster's persistent state now (see the module docs).
    pub fn persisted(&self) -> PersistedCluster<'_> {
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u32(FORMAT_VERSION);
        write_config(&mut w, &self.config);
        w.u64(self.seed);
        w.i64(self.now);
        let (a, b) = self.rng.state();
        w.u128(a);
        w.u128(b);
        w.i32(self.next_client_id);
        w.u64(self.next_request_id);
        let mut controllers = Vec::new();
        let mut brokers = Vec::new();
        for (id, state) in &self.nodes {
            match &state.slot {
                Slot::Up(super::Node::Controller(c)) => controllers.push((*id, c.disk_view())),
                Slot::Down(Disk::Controller(d)) => controllers.push((*id, d.view())),
                Slot::Up(super::Node::Broker(b)) => brokers.push((
                    *id,
                    b.partitions_on_disk(),
                    b.high_watermark_checkpoints(),
                    b.producer_ids_issued(),
                )),
                Slot::Down(Disk::Broker(d)) => brokers.push((
                    *id,
                    d.partitions_on_disk(),
                    d.high_watermark_checkpoints(),
                    d.producer_ids_issued(),
                )),
                _ => {}
            }
        }
        w.len(controllers.len());
        for (id, c) in &controllers {
            w.i32(*id);
            write_controller(&mut w, c);
        }
        // The distinct log configs, in first-seen order (a handful: one per
        // topic at most, usually fewer); a partition refers to its entry.
        let mut configs: Vec<&LogConfig> = Vec::new();
        for p in brokers.iter().flat_map(|(_, partitions, _, _)| partitions) {
            if !configs.contains(&p.config) {
                configs.push(p.config);
            }
        }
        w.len(configs.len());
        for c in &configs {
            w.props(&log_config_props(c));
        }
        // Every partition's config is in the table, built from them just above.
        let config_index = |c: &LogConfig| configs.iter().rposition(|t| *t == c).unwrap_or_default();
        w.len(brokers.len());
        let mut files = Vec::new();
        for (id, partitions, hws, pids) in &brokers {
            w.i32(*id);
            w.i64(*pids);
            w.len(hws.len());
            for (tp, hw) in hws.iter() {
                write_tp(&mut w, tp);
                w.i64(*hw);
            }
            w.len(partitions.len());
            for p in partitions {
                write_partition(&mut w, p, config_index(p.config));
                files.push(PartitionFiles {
                    node: *id,
                    tp: p.tp.clone(),
                    segments: p.store.durable_segments().collect(),
                });
            }
        }
        PersistedCluster { meta: w.out, files }
    }

    /// One durable segment of one file now, by [`file_path`] and base offset:
    /// what [`persisted`](Self::persisted) lists for it, without building the
    /// image (a storage engine that writes a large commit over several tasks
    /// reads each segment's bytes when it writes them).
    pub fn durable_segment(&self, path: &str, base_offset: i64) -> Option<DurableSegment<'_>> {
        let (node, tp) = parse_file_path(path)?;
        let store = match &self.nodes.get(&node)?.slot {
            Slot::Up(super::Node::Broker(b)) => b.partition_store(&tp)?,
            Slot::Down(Disk::Broker(d)) => d.partition_store(&tp)?,
            _ => return None,
        };
        store.durable_segments().find(|s| s.base_offset == base_offset)
    }

    /// Restarts a cluster from a persisted image: every controller and broker
    /// starts from its disk at the image's time. `files` maps [`file_path`]
    /// names to stored segments (a missing file is an empty log, which
    /// replication refills).
    pub fn restore(
        meta: &[u8],
        mut files: FlatMap<String, Vec<StoredSegment>>,
    ) -> Result<(Simulation, RestoreReport), PersistError> {
        let image = decode_meta(meta)?;
        let mut sim = Simulation::new_stopped(image.config.clone(), image.seed);
        sim.now = image.now;
        sim.rng = Rand64::from_state(image.rng);
        sim.next_client_id = image.next_client_id.max(FIRST_CLIENT_ID);
        sim.next_request_id = image.next_request_id.max(1);
        let mut report = RestoreReport::default();
        for (id, disk) in image.controllers {
            sim.nodes.insert(id, NodeState::down(Disk::Controller(disk)));
        }
        for (id, b) in image.brokers {
            let mut parts = FlatMap::new();
            for (tp, p) in b.partitions {
                let segments = files.remove(&file_path(id, &tp)).unwrap_or_default();
                parts.insert(
                    tp,
                    PartitionParts {
                        topic_id: p.topic_id,
                        config: p.config,
                        overrides: p.overrides,
                        store: MemoryStore::with_segments(segments),
                    },
                );
            }
            let disk = BrokerDisk::from_parts(parts, b.high_watermarks, b.producer_ids_issued);
            sim.nodes.insert(id, NodeState::down(Disk::Broker(disk)));
        }
        report.orphan_files = files.into_keys().collect();
        let ids: Vec<NodeId> = sim.nodes.keys().copied().collect();
        // Controllers first, then brokers, as `Simulation::new` starts them.
        let (controllers, brokers): (Vec<NodeId>, Vec<NodeId>) = ids
            .into_iter()
            .partition(|id| matches!(sim.nodes[id].slot, Slot::Down(Disk::Controller(_))));
        for id in controllers.into_iter().chain(brokers) {
            sim.start(id);
        }
        for (_, node, o) in &sim.observations {
            match o {
                Observation::LogRecovered {
                    partitions,
                    truncated_bytes,
                    ..
                } => {
                    report.partitions += partitions;
                    report.truncated_bytes += truncated_bytes;
                }
                Observation::Truncated { tp, broker, from, to } if broker == node => {
                    report.truncated.push((*broker, tp.clone(), *from, *to));
                }
                _ => {}
            }
        }
        Ok((sim, report))
    }

    /// A simulation with no nodes yet: `Simulation::new` adds fresh ones,
    /// `restore` adds them from disk.
    pub(super) fn new_stopped(config: ClusterConfig, seed: u64) -> Simulation {
        Simulation {
            now: config.origin_ms,
            rng: Rand64::new(seed as u128),
            queue: std::collections::BTreeMap::new(),
            seq: 0,
            nodes: FlatMap::new(),
            blocked: Default::default(),
            links: FlatMap::new(),
            last_delivery: FlatMap::new(),
            trace: Trace::new(Trace::DEFAULT_CAPACITY),
            observations: Vec::new(),
            outcomes: Vec::new(),
            admin_pending: FlatMap::new(),
            admin_responses: FlatMap::new(),
            next_request_id: 1,
            next_client_id: FIRST_CLIENT_ID,
            seed,
            traffic: FlatMap::new(),
            records_sent: 0,
            consumed: Vec::new(),
            group_admin_inbox: FlatMap::new(),
            effects: Vec::new(),
            config,
        }
    }
}

/// Reads the config, seed and clock of an image without restoring it (a list
/// of playgrounds shows them).
pub fn image_summary(meta: &[u8]) -> Result<(ClusterConfig, u64, Ms), PersistError> {
    let image = decode_meta(meta)?;
    Ok((image.config, image.seed, image.now))
}

// ----- encoding -----

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.bytes(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.bytes(&v.to_le_bytes());
    }
    fn u128(&mut self, v: u128) {
        self.bytes(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes(s.as_bytes());
    }
    fn ids(&mut self, ids: &[NodeId]) {
        self.len(ids.len());
        for id in ids {
            self.i32(*id);
        }
    }
    fn opt_ids(&mut self, ids: &Option<Vec<NodeId>>) {
        match ids {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.ids(v);
            }
        }
    }
    /// Named integer settings: `count, (name, value)*`.
    fn props(&mut self, props: &[(&str, i64)]) {
        self.len(props.len());
        for (name, value) in props {
            self.str(name);
            self.i64(*value);
        }
    }
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

fn err(what: &str) -> PersistError {
    PersistError(format!("the stored cluster image is damaged: {what}"))
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PersistError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.input.len());
        let end = end.ok_or_else(|| err("it ends too early"))?;
        let b = &self.input[self.pos..end];
        self.pos = end;
        Ok(b)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], PersistError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, PersistError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, PersistError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn i32(&mut self) -> Result<i32, PersistError> {
        Ok(i32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, PersistError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64, PersistError> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    fn u128(&mut self) -> Result<u128, PersistError> {
        Ok(u128::from_le_bytes(self.array()?))
    }
    /// A count, checked against the bytes left (each item takes at least `min_item_bytes`).
    fn len(&mut self, min_item_bytes: usize) -> Result<usize, PersistError> {
        let n = self.u32()?;
        let left = self.input.len() - self.pos;
        if n > MAX_ITEMS || (n as usize).saturating_mul(min_item_bytes.max(1)) > left {
            return Err(err("a count is larger than the data"));
        }
        Ok(n as usize)
    }
    fn str(&mut self) -> Result<String, PersistError> {
        let n = self.len(1)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| err("a name is not UTF-8"))
    }
    fn ids(&mut self) -> Result<Vec<NodeId>, PersistError> {
        let n = self.len(4)?;
        (0..n).map(|_| self.i32()).collect()
    }
    fn opt_ids(&mut self) -> Result<Option<Vec<NodeId>>, PersistError> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.ids()?)),
            _ => Err(err("a bad option tag")),
        }
    }
    fn props(&mut self) -> Result<FlatMap<String, i64>, PersistError> {
        let n = self.len(12)?;
        let mut m = FlatMap::new();
        for _ in 0..n {
            let name = self.str()?;
            m.insert(name, self.i64()?);
        }
        Ok(m)
    }
}

/// Sets `field` from a named setting if present; a value out of the field's
/// range is an error rather than a silent wrap.
fn set<T: TryFrom<i64>>(m: &FlatMap<String, i64>, name: &str, field: &mut T) -> Result<(), PersistError> {
    if let Some(v) = m.get(name) {
        *field = T::try_from(*v).map_err(|_| err(&format!("{name}={v} is out of range")))?;
    }
    Ok(())
}

fn set_bool(m: &FlatMap<String, i64>, name: &str, field: &mut bool) {
    if let Some(v) = m.get(name) {
        *field = *v != 0;
    }
}

fn log_config_props(c: &LogConfig) -> Vec<(&'static str, i64)> {
    vec![
        ("segment.bytes", c.segment_bytes as i64),
        ("segment.ms", c.segment_ms),
        ("segment.index.bytes", c.segment_index_bytes as i64),
        ("index.interval.bytes", c.index_interval_bytes as i64),
        ("retention.ms", c.retention_ms),
        ("retention.bytes", c.retention_bytes),
        (
            "cleanup.policy",
            c.cleanup_policy.delete as i64 | (c.cleanup_policy.compact as i64) << 1,
        ),
        ("delete.retention.ms", c.delete_retention_ms),
        ("min.compaction.lag.ms", c.min_compaction_lag_ms),
        ("max.message.bytes", c.max_message_bytes as i64),
        (
            "message.timestamp.type",
            matches!(c.message_timestamp_type, TimestampType::LogAppendTime) as i64,
        ),
    ]
}

fn read_log_config(m: &FlatMap<String, i64>) -> Result<LogConfig, PersistError> {
    let mut c = LogConfig::default();
    set(m, "segment.bytes", &mut c.segment_bytes)?;
    set(m, "segment.ms", &mut c.segment_ms)?;
    set(m, "segment.index.bytes", &mut c.segment_index_bytes)?;
    set(m, "index.interval.bytes", &mut c.index_interval_bytes)?;
    set(m, "retention.ms", &mut c.retention_ms)?;
    set(m, "retention.bytes", &mut c.retention_bytes)?;
    if let Some(p) = m.get("cleanup.policy") {
        c.cleanup_policy = CleanupPolicy {
            delete: p & 1 != 0,
            compact: p & 2 != 0,
        };
    }
    set(m, "delete.retention.ms", &mut c.delete_retention_ms)?;
    set(m, "min.compaction.lag.ms", &mut c.min_compaction_lag_ms)?;
    set(m, "max.message.bytes", &mut c.max_message_bytes)?;
    if let Some(t) = m.get("message.timestamp.type") {
        c.message_timestamp_type = if *t == 1 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        };
    }
    c.validate()
        .map_err(|e| err(&format!("a log config is invalid: {e}")))?;
    Ok(c)
}

fn write_config(w: &mut Writer, c: &ClusterConfig) {
    w.ids(&c.brokers);
    w.ids(&c.controllers);
    let b = &c.broker;
    let q = &c.quorum;
    w.props(&[
        ("network.delay.ms", c.network_delay_ms),
        ("origin.ms", c.origin_ms),
        ("num.partitions", b.num_partitions as i64),
        ("default.replication.factor", b.default_replication_factor as i64),
        ("min.insync.replicas", b.min_insync_replicas as i64),
        (
            "unclean.leader.election.enable",
            b.unclean_leader_election_enable as i64,
        ),
        ("auto.leader.rebalance.enable", b.auto_leader_rebalance_enable as i64),
        (
            "leader.imbalance.check.interval.ms",
            b.leader_imbalance_check_interval_ms,
        ),
        (
            "leader.imbalance.per.broker.percentage",
            b.leader_imbalance_per_broker_percentage as i64,
        ),
        ("replica.lag.time.max.ms", b.replica_lag_time_max_ms),
        ("replica.fetch.wait.max.ms", b.replica_fetch_wait_max_ms),
        ("replica.fetch.max.bytes", b.replica_fetch_max_bytes as i64),
        ("replica.fetch.backoff.ms", b.replica_fetch_backoff_ms),
        ("broker.session.timeout.ms", b.broker_session_timeout_ms),
        ("broker.heartbeat.interval.ms", b.broker_heartbeat_interval_ms),
        ("message.max.bytes", b.message_max_bytes as i64),
        ("page.cache.flush.interval.ms", b.page_cache_flush_interval_ms),
        ("request.timeout.ms", b.request_timeout_ms),
        ("offsets.topic.num.partitions", b.offsets_topic_num_partitions as i64),
        (
            "offsets.topic.replication.factor",
            b.offsets_topic_replication_factor as i64,
        ),
        ("offsets.topic.segment.bytes", b.offsets_topic_segment_bytes as i64),
        ("offsets.commit.timeout.ms", b.offsets_commit_timeout_ms),
        ("group.initial.rebalance.delay.ms", b.group_initial_rebalance_delay_ms),
        ("group.min.session.timeout.ms", b.group_min_session_timeout_ms),
        ("group.max.session.timeout.ms", b.group_max_session_timeout_ms),
        ("controller.quorum.election.timeout.ms", q.election_timeout_ms),
        ("controller.quorum.fetch.timeout.ms", q.fetch_timeout_ms),
        ("controller.quorum.election.backoff.max.ms", q.election_backoff_max_ms),
        ("controller.quorum.fetch.max.wait.ms", q.fetch_max_wait_ms),
    ]);
    w.props(&log_config_props(&c.log));
}

fn read_config(r: &mut Reader) -> Result<ClusterConfig, PersistError> {
    let mut c = ClusterConfig::new(0, 0);
    c.brokers = r.ids()?;
    c.controllers = r.ids()?;
    let m = r.props()?;
    let b = &mut c.broker;
    set(&m, "network.delay.ms", &mut c.network_delay_ms)?;
    set(&m, "origin.ms", &mut c.origin_ms)?;
    set(&m, "num.partitions", &mut b.num_partitions)?;
    set(&m, "default.replication.factor", &mut b.default_replication_factor)?;
    set(&m, "min.insync.replicas", &mut b.min_insync_replicas)?;
    set_bool(
        &m,
        "unclean.leader.election.enable",
        &mut b.unclean_leader_election_enable,
    );
    set_bool(&m, "auto.leader.rebalance.enable", &mut b.auto_leader_rebalance_enable);
    set(
        &m,
        "leader.imbalance.check.interval.ms",
        &mut b.leader_imbalance_check_interval_ms,
    )?;
    set(
        &m,
        "leader.imbalance.per.broker.percentage",
        &mut b.leader_imbalance_per_broker_percentage,
    )?;
    set(&m, "replica.lag.time.max.ms", &mut b.replica_lag_time_max_ms)?;
    set(&m, "replica.fetch.wait.max.ms", &mut b.replica_fetch_wait_max_ms)?;
    set(&m, "replica.fetch.max.bytes", &mut b.replica_fetch_max_bytes)?;
    set(&m, "replica.fetch.backoff.ms", &mut b.replica_fetch_backoff_ms)?;
    set(&m, "broker.session.timeout.ms", &mut b.broker_session_timeout_ms)?;
    set(&m, "broker.heartbeat.interval.ms", &mut b.broker_heartbeat_interval_ms)?;
    set(&m, "message.max.bytes", &mut b.message_max_bytes)?;
    set(&m, "page.cache.flush.interval.ms", &mut b.page_cache_flush_interval_ms)?;
    set(&m, "request.timeout.ms", &mut b.request_timeout_ms)?;
    set(&m, "offsets.topic.num.partitions", &mut b.offsets_topic_num_partitions)?;
    set(
        &m,
        "offsets.topic.replication.factor",
        &mut b.offsets_topic_replication_factor,
    )?;
    set(&m, "offsets.topic.segment.bytes", &mut b.offsets_topic_segment_bytes)?;
    set(&m, "offsets.commit.timeout.ms", &mut b.offsets_commit_timeout_ms)?;
    set(
        &m,
        "group.initial.rebalance.delay.ms",
        &mut b.group_initial_rebalance_delay_ms,
    )?;
    set(&m, "group.min.session.timeout.ms", &mut b.group_min_session_timeout_ms)?;
    set(&m, "group.max.session.timeout.ms", &mut b.group_max_session_timeout_ms)?;
    let q = &mut c.quorum;
    set(&m, "controller.quorum.election.timeout.ms", &mut q.election_timeout_ms)?;
    set(&m, "controller.quorum.fetch.timeout.ms", &mut q.fetch_timeout_ms)?;
    set(
        &m,
        "controller.quorum.election.backoff.max.ms",
        &mut q.election_backoff_max_ms,
    )?;
    set(&m, "controller.quorum.fetch.max.wait.ms", &mut q.fetch_max_wait_ms)?;
    c.log = read_log_config(&r.props()?)?;
    Ok(c)
}

fn write_tp(w: &mut Writer, tp: &TopicPartition) {
    w.str(&tp.topic);
    w.i32(tp.partition);
}

fn read_tp(r: &mut Reader) -> Result<TopicPartition, PersistError> {
    let topic = r.str()?;
    Ok(TopicPartition {
        topic: topic.into(),
        partition: r.i32()?,
    })
}

fn write_controller(w: &mut Writer, c: &ControllerDiskView) {
    w.i32(c.epoch);
    w.i32(c.voted_for);
    w.i32(c.leader);
    w.len(c.log.len());
    for e in c.log {
        w.i64(e.offset);
        w.i32(e.epoch);
        write_record(w, &e.record);
    }
}

fn read_controller(r: &mut Reader) -> Result<ControllerDisk, PersistError> {
    let epoch = r.i32()?;
    let voted_for = r.i32()?;
    let leader = r.i32()?;
    let n = r.len(13)?;
    let mut log = Vec::with_capacity(n);
    for _ in 0..n {
        let offset = r.i64()?;
        let epoch = r.i32()?;
        log.push(LogEntry {
            offset,
            epoch,
            record: read_record(r)?,
        });
    }
    Ok(ControllerDisk {
        epoch,
        voted_for,
        leader,
        log,
    })
}

fn write_partition(w: &mut Writer, p: &PartitionOnDisk, config: usize) {
    write_tp(w, p.tp);
    w.u128(p.topic_id.0);
    w.len(config);
    w.len(p.overrides.len());
    for (k, v) in p.overrides {
        w.str(k);
        w.str(v);
    }
}

/// A partition of an image of `version`; from version 2 its log config is an
/// index into `configs`, the image's table.
fn read_partition(
    r: &mut Reader,
    version: u32,
    configs: &[LogConfig],
) -> Result<(TopicPartition, PartitionImage), PersistError> {
    let tp = read_tp(r)?;
    let topic_id = Uuid(r.u128()?);
    let config = if version == 1 {
        read_log_config(&r.props()?)?
    } else {
        let i = r.u32()? as usize;
        configs
            .get(i)
            .cloned()
            .ok_or_else(|| err("a partition refers to a log config the image does not have"))?
    };
    let n = r.len(8)?;
    let mut overrides = FlatMap::new();
    for _ in 0..n {
        let k = r.str()?;
        overrides.insert(k, r.str()?);
    }
    Ok((
        tp,
        PartitionImage {
            topic_id,
            config,
            overrides,
        },
    ))
}

fn write_record(w: &mut Writer, rec: &MetadataRecord) {
    use MetadataRecord::*;
    match rec {
        RegisterBroker {
            broker,
            broker_epoch,
            incarnation,
        } => {
            w.u8(0);
            w.i32(*broker);
            w.i64(*broker_epoch);
            w.u64(*incarnation);
        }
        UnregisterBroker { broker, broker_epoch } => {
            w.u8(1);
            w.i32(*broker);
            w.i64(*broker_epoch);
        }
        FenceBroker { broker, broker_epoch } => {
            w.u8(2);
            w.i32(*broker);
            w.i64(*broker_epoch);
        }
        UnfenceBroker { broker, broker_epoch } => {
            w.u8(3);
            w.i32(*broker);
            w.i64(*broker_epoch);
        }
        BrokerInControlledShutdown { broker, broker_epoch } => {
            w.u8(4);
            w.i32(*broker);
            w.i64(*broker_epoch);
        }
        Topic { name, id } => {
            w.u8(5);
            w.str(name);
            w.u128(id.0);
        }
        // A registration or change with reassignment fields has its own tag
        // (12, 13), so images without reassignments keep their old bytes.
        Partition(p) if p.is_reassigning() => {
            w.u8(12);
            w.u128(p.topic_id.0);
            w.i32(p.partition);
            w.ids(&p.replicas);
            w.ids(&p.isr);
            w.i32(p.leader);
            w.i32(p.leader_epoch);
            w.i32(p.partition_epoch);
            w.ids(&p.adding_replicas);
            w.ids(&p.removing_replicas);
        }
        Partition(p) => {
            w.u8(6);
            w.u128(p.topic_id.0);
            w.i32(p.partition);
            w.ids(&p.replicas);
            w.ids(&p.isr);
            w.i32(p.leader);
            w.i32(p.leader_epoch);
            w.i32(p.partition_epoch);
        }
        PartitionChange {
            topic_id,
            partition,
            leader,
            isr,
            replicas,
            removing,
            adding,
        } => {
            let reassignment = removing.is_some() || adding.is_some();
            w.u8(if reassignment { 13 } else { 7 });
            w.u128(topic_id.0);
            w.i32(*partition);
            w.opt_ids(&leader.map(|l| vec![l]));
            w.opt_ids(isr);
            w.opt_ids(replicas);
            if reassignment {
                w.opt_ids(removing);
                w.opt_ids(adding);
            }
        }
        RemoveTopic { id } => {
            w.u8(8);
            w.u128(id.0);
        }
        Config { topic, name, value } => {
            w.u8(9);
            w.str(topic);
            w.str(name);
            match value {
                None => w.u8(0),
                Some(v) => {
                    w.u8(1);
                    w.str(v);
                }
            }
        }
        BrokerConfig { resource, name, value } => {
            w.u8(14);
            w.str(resource);
            w.str(name);
            match value {
                None => w.u8(0),
                Some(v) => {
                    w.u8(1);
                    w.str(v);
                }
            }
        }
        ProducerIds {
            broker,
            next_producer_id,
        } => {
            w.u8(10);
            w.i32(*broker);
            w.i64(*next_producer_id);
        }
        LeaderChange { epoch, leader } => {
            w.u8(11);
            w.i32(*epoch);
            w.i32(*leader);
        }
    }
}

fn read_record(r: &mut Reader) -> Result<MetadataRecord, PersistError> {
    use MetadataRecord::*;
    Ok(match r.u8()? {
        0 => RegisterBroker {
            broker: r.i32()?,
            broker_epoch: r.i64()?,
            incarnation: r.u64()?,
        },
        1 => UnregisterBroker {
            broker: r.i32()?,
            broker_epoch: r.i64()?,
        },
        2 => FenceBroker {
            broker: r.i32()?,
            broker_epoch: r.i64()?,
        },
        3 => UnfenceBroker {
            broker: r.i32()?,
            broker_epoch: r.i64()?,
        },
        4 => BrokerInControlledShutdown {
            broker: r.i32()?,
            broker_epoch: r.i64()?,
        },
        5 => Topic {
            name: r.str()?,
            id: Uuid(r.u128()?),
        },
        tag @ (6 | 12) => Partition(Arc::new(PartitionRegistration {
            topic_id: Uuid(r.u128()?),
            partition: r.i32()?,
            replicas: r.ids()?,
            isr: r.ids()?,
            leader: r.i32()?,
            leader_epoch: r.i32()?,
            partition_epoch: r.i32()?,
            adding_replicas: if tag == 12 { r.ids()? } else { Vec::new() },
            removing_replicas: if tag == 12 { r.ids()? } else { Vec::new() },
        })),
        tag @ (7 | 13) => PartitionChange {
            topic_id: Uuid(r.u128()?),
            partition: r.i32()?,
            leader: match r.opt_ids()? {
                None => None,
                Some(v) if v.len() == 1 => Some(v[0]),
                Some(_) => return Err(err("a leader change names more than one leader")),
            },
            isr: r.opt_ids()?,
            replicas: r.opt_ids()?,
            removing: if tag == 13 { r.opt_ids()? } else { None },
            adding: if tag == 13 { r.opt_ids()? } else { None },
        },
        8 => RemoveTopic { id: Uuid(r.u128()?) },
        9 => Config {
            topic: r.str()?,
            name: r.str()?,
            value: match r.u8()? {
                0 => None,
                1 => Some(r.str()?),
                _ => return Err(err("a bad option tag")),
            },
        },
        10 => ProducerIds {
            broker: r.i32()?,
            next_producer_id: r.i64()?,
        },
        11 => LeaderChange {
            epoch: r.i32()?,
            leader: r.i32()?,
        },
        14 => BrokerConfig {
            resource: r.str()?,
            name: r.str()?,
            value: match r.u8()? {
                0 => None,
                1 => Some(r.str()?),
                _ => return Err(err("a bad option tag")),
            },
        },
        t => return Err(err(&format!("unknown metadata record type {t}"))),
    })
}

fn decode_meta(meta: &[u8]) -> Result<Image, PersistError> {
    let mut r = Reader { input: meta, pos: 0 };
    if r.take(MAGIC.len()).ok() != Some(&MAGIC[..]) {
        return Err(PersistError("this is not a kafkaplay cluster image".into()));
    }
    let version = r.u32()?;
    if version == 0 || version > FORMAT_VERSION {
        return Err(PersistError(format!(
            "the cluster image has format version {version}; this build reads 1 to {FORMAT_VERSION}"
        )));
    }
    let config = read_config(&mut r)?;
    let seed = r.u64()?;
    let now = r.i64()?;
    let rng = (r.u128()?, r.u128()?);
    let next_client_id = r.i32()?;
    let next_request_id = r.u64()?;
    let mut controllers = FlatMap::new();
    for _ in 0..r.len(16)? {
        let id = r.i32()?;
        controllers.insert(id, read_controller(&mut r)?);
    }
    let mut configs = Vec::new();
    if version >= 2 {
        for _ in 0..r.len(4)? {
            configs.push(read_log_config(&r.props()?)?);
        }
    }
    let mut brokers = FlatMap::new();
    for _ in 0..r.len(16)? {
        let id = r.i32()?;
        let producer_ids_issued = r.i64()?;
        let mut high_watermarks = FlatMap::new();
        for _ in 0..r.len(12)? {
            let tp = read_tp(&mut r)?;
            high_watermarks.insert(tp, r.i64()?);
        }
        let mut partitions = FlatMap::new();
        for _ in 0..r.len(24)? {
            let (tp, p) = read_partition(&mut r, version, &configs)?;
            partitions.insert(tp, p);
        }
        brokers.insert(
            id,
            BrokerImage {
                producer_ids_issued,
                high_watermarks,
                partitions,
            },
        );
    }
    if r.pos != meta.len() {
        return Err(err("bytes follow the end of the image"));
    }
    Ok(Image {
        config,
        seed,
        now,
        rng,
        next_client_id,
        next_request_id,
        controllers,
        brokers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_paths_round_trip() {
        let tp = TopicPartition::new("a-b.c_d", 12);
        assert_eq!(parse_file_path(&file_path(3, &tp)), Some((3, tp)));
        assert_eq!(parse_file_path("x/t-1"), None);
        assert_eq!(parse_file_path("1/-1"), None);
        assert_eq!(parse_file_path("1/t"), None);
    }

    #[test]
    fn every_truncated_image_is_an_error_not_a_panic() {
        let sim = Simulation::new(ClusterConfig::new(1, 1), 3);
        let meta = sim.persisted().meta;
        for n in 0..meta.len() {
            assert!(
                Simulation::restore(&meta[..n], FlatMap::new()).is_err(),
                "prefix of {n} bytes"
            );
        }
        let mut longer = meta.clone();
        longer.push(0);
        assert!(Simulation::restore(&longer, FlatMap::new()).is_err());
        let mut newer = meta;
        newer[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let e = Simulation::restore(&newer, FlatMap::new())
            .err()
            .expect("a newer format is refused");
        assert!(e.0.contains("format version"), "{e}");
    }

    /// An image the version-1 writer saved (3 brokers; topics `plain` and
    /// `tuned`, 3 partitions RF 2 each, `tuned` with segment.bytes=4000,
    /// cleanup.policy=compact and retention.ms=60000): a page saved before
    /// version 2 reloads into the same cluster.
    const IMAGE_V1: &[u8] = include_bytes!("../../tests/fixtures/image-v1.bin");

    fn version(meta: &[u8]) -> u32 {
        u32::from_le_bytes(meta[MAGIC.len()..MAGIC.len() + 4].try_into().unwrap())
    }

    #[test]
    fn a_version_1_image_restores_and_saves_as_version_2_with_the_same_contents() {
        assert_eq!(version(IMAGE_V1), 1);
        let old = decode_meta(IMAGE_V1).expect("a version 1 image decodes");
        let tuned: Vec<&LogConfig> = old
            .brokers
            .values()
            .flat_map(|b| b.partitions.iter())
            .filter(|(tp, _)| tp.topic == "tuned")
            .map(|(_, p)| &p.config)
            .collect();
        assert_eq!(tuned.len(), 6, "3 partitions RF 2");
        for c in tuned {
            assert_eq!(c.segment_bytes, 4_000);
            assert_eq!(c.retention_ms, 60_000);
            assert!(c.cleanup_policy.compact && !c.cleanup_policy.delete);
        }
        let (sim, _) = Simulation::restore(IMAGE_V1, FlatMap::new()).expect("restore");
        let meta = sim.persisted().meta;
        assert_eq!(version(&meta), FORMAT_VERSION);
        let new = decode_meta(&meta).expect("decodes");
        // The same brokers' disks, config and clock (the restarted controller
        // has since started an election: its log only grew).
        assert_eq!(new.brokers, old.brokers);
        assert_eq!((&new.config, new.seed, new.now), (&old.config, old.seed, old.now));
        let (new_log, old_log) = (&new.controllers[&1000].log, &old.controllers[&1000].log);
        assert_eq!(new_log[..old_log.len()], old_log[..]);
        assert!(
            meta.len() < IMAGE_V1.len(),
            "{} bytes, version 1 {}",
            meta.len(),
            IMAGE_V1.len()
        );
    }

    #[test]
    fn a_partition_that_refers_to_a_missing_log_config_is_an_error() {
        let mut sim = Simulation::new(ClusterConfig::new(1, 1), 5);
        assert!(sim.run_until_condition(60_000, |s| s
            .metadata()
            .is_some_and(|m| m.unfenced_brokers() == vec![1])));
        let request = crate::protocol::AdminRequest::CreateTopic {
            name: "t".into(),
            partitions: 1,
            replication_factor: 1,
            assignment: None,
            configs: Vec::new(),
            validate_only: false,
        };
        assert!(sim.admin_and_wait(request, 30_000).is_some());
        sim.run_for(1_000); // the broker creates its replica
        let meta = sim.persisted().meta;
        assert_eq!(decode_meta(&meta).expect("decodes").brokers[&1].partitions.len(), 1);
        // The image ends with its one partition's config index (0, into a
        // table of one) and its overrides' count (0): point past the table.
        let at = meta.len() - 8;
        assert_eq!(meta[at..], [0; 8]);
        let mut bad = meta.clone();
        bad[at] = 1;
        let e = Simulation::restore(&bad, FlatMap::new()).err().expect("refused");
        assert!(e.0.contains("log config"), "{e}");
    }

    #[test]
    fn reassignment_records_round_trip_and_old_tags_stay() {
        let reg = |adding: Vec<NodeId>, removing: Vec<NodeId>| {
            MetadataRecord::Partition(Arc::new(PartitionRegistration {
                topic_id: Uuid(9),
                partition: 2,
                replicas: vec![2, 3, 1],
                isr: vec![1, 2],
                leader: 1,
                leader_epoch: 4,
                partition_epoch: 6,
                adding_replicas: adding,
                removing_replicas: removing,
            }))
        };
        let change = |removing: Option<Vec<NodeId>>, adding: Option<Vec<NodeId>>| MetadataRecord::PartitionChange {
            topic_id: Uuid(9),
            partition: 2,
            leader: Some(2),
            isr: Some(vec![2, 3]),
            replicas: Some(vec![2, 3]),
            removing,
            adding,
        };
        for (record, tag) in [
            (reg(Vec::new(), Vec::new()), 6),
            (reg(vec![3], vec![1]), 12),
            (change(None, None), 7),
            (change(Some(Vec::new()), Some(Vec::new())), 13),
            (change(Some(vec![1]), None), 13),
            (
                MetadataRecord::BrokerConfig {
                    resource: "1".into(),
                    name: "min.insync.replicas".into(),
                    value: Some("2".into()),
                },
                14,
            ),
            (
                MetadataRecord::BrokerConfig {
                    resource: String::new(),
                    name: "log.retention.ms".into(),
                    value: None,
                },
                14,
            ),
        ] {
            let mut w = Writer { out: Vec::new() };
            write_record(&mut w, &record);
            assert_eq!(w.out[0], tag, "{record:?}");
            let mut r = Reader { input: &w.out, pos: 0 };
            assert_eq!(read_record(&mut r).unwrap(), record);
            assert_eq!(r.pos, w.out.len());
            for n in 0..w.out.len() {
                let mut r = Reader {
                    input: &w.out[..n],
                    pos: 0,
                };
                assert!(read_record(&mut r).is_err(), "prefix of {n} bytes of {record:?}");
            }
        }
    }
}
