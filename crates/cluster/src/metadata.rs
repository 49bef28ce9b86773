//! The cluster metadata: the records of the KRaft metadata log
//! (`__cluster_metadata`) and the image that replaying them builds. The active
//! controller writes records; every controller and broker applies the committed
//! ones to its own [`MetadataImage`], so they all agree on topics, partitions,
//! leaders, ISRs and brokers.

use kafkaplay_flatmap::FlatMap;
use std::sync::Arc;

use crate::protocol::{ClusterMetadataView, PartitionView, TopicView};
use crate::types::{NodeId, TopicPartition, Uuid, NO_NODE};

/// One record of the metadata log (`metadata/src/main/resources/common/metadata/*.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataRecord {
    /// A broker registered; it starts fenced.
    RegisterBroker {
        broker: NodeId,
        broker_epoch: i64,
        incarnation: u64,
    },
    UnregisterBroker {
        broker: NodeId,
        broker_epoch: i64,
    },
    FenceBroker {
        broker: NodeId,
        broker_epoch: i64,
    },
    UnfenceBroker {
        broker: NodeId,
        broker_epoch: i64,
    },
    /// The broker asked for a controlled shutdown.
    BrokerInControlledShutdown {
        broker: NodeId,
        broker_epoch: i64,
    },
    Topic {
        name: String,
        id: Uuid,
    },
    /// Shared: the controller's log, every fetch response and every image that
    /// applies it hold the same registration until a `PartitionChange` copies it.
    Partition(Arc<PartitionRegistration>),
    /// Only the fields that change are set; a leader (even the same one) bumps
    /// the leader epoch, and any change bumps the partition epoch.
    PartitionChange {
        topic_id: Uuid,
        partition: i32,
        leader: Option<NodeId>,
        isr: Option<Vec<NodeId>>,
        replicas: Option<Vec<NodeId>>,
        /// KIP-455: the replicas a reassignment removes (`Some(vec![])` clears).
        removing: Option<Vec<NodeId>>,
        /// KIP-455: the replicas a reassignment adds (`Some(vec![])` clears).
        adding: Option<Vec<NodeId>>,
    },
    RemoveTopic {
        id: Uuid,
    },
    /// A topic config override set (`Some`) or removed (`None`).
    Config {
        topic: String,
        name: String,
        value: Option<String>,
    },
    /// A dynamic broker config (KIP-226) set (`Some`) or removed (`None`): a
    /// ConfigRecord for the BROKER resource `resource`, a broker id or `""`
    /// for the cluster-wide default.
    BrokerConfig {
        resource: String,
        name: String,
        value: Option<String>,
    },
    /// The next block of producer ids handed to a broker.
    ProducerIds {
        broker: NodeId,
        next_producer_id: i64,
    },
    /// KRaft's leader-change control record: a new quorum epoch starts.
    LeaderChange {
        epoch: i32,
        leader: NodeId,
    },
}

/// A partition's state in the metadata (`PartitionRegistration`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionRegistration {
    pub topic_id: Uuid,
    pub partition: i32,
    pub replicas: Vec<NodeId>,
    pub isr: Vec<NodeId>,
    /// `NO_NODE` (-1) when there is no leader.
    pub leader: NodeId,
    pub leader_epoch: i32,
    pub partition_epoch: i32,
    /// KIP-455: replicas a reassignment is adding (in `replicas` meanwhile).
    pub adding_replicas: Vec<NodeId>,
    /// KIP-455: replicas a reassignment will remove (still in `replicas`).
    pub removing_replicas: Vec<NodeId>,
}

impl PartitionRegistration {
    /// A reassignment is in progress (`isReassignmentInProgress`).
    pub fn is_reassigning(&self) -> bool {
        !self.adding_replicas.is_empty() || !self.removing_replicas.is_empty()
    }

    /// The preferred leader: the first replica.
    pub fn preferred_leader(&self) -> NodeId {
        self.replicas.first().copied().unwrap_or(NO_NODE)
    }
}

/// A registered broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerRegistration {
    pub id: NodeId,
    pub epoch: i64,
    pub incarnation: u64,
    pub fenced: bool,
    pub in_controlled_shutdown: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicImage {
    pub name: String,
    pub id: Uuid,
    /// Shared with the `Partition` record until a change copies it.
    pub partitions: PartitionMap,
    /// Non-default config overrides.
    pub configs: FlatMap<String, String>,
}

/// A topic's partitions by partition id. Kafka numbers them 0, 1, 2, … without
/// gaps, so they sit in a vector indexed by id (a map's lookups and inserts cost
/// too much when 50 brokers each apply thousands of partitions); ids that were
/// never registered are empty slots, and negative ids are never stored.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct PartitionMap {
    slots: Vec<Option<Arc<PartitionRegistration>>>,
    len: usize,
}

impl PartitionMap {
    pub fn get(&self, partition: &i32) -> Option<&Arc<PartitionRegistration>> {
        let i = usize::try_from(*partition).ok()?;
        self.slots.get(i)?.as_ref()
    }

    pub fn get_mut(&mut self, partition: &i32) -> Option<&mut Arc<PartitionRegistration>> {
        let i = usize::try_from(*partition).ok()?;
        self.slots.get_mut(i)?.as_mut()
    }

    /// Sets a partition's registration; ignored for a negative id.
    pub fn insert(&mut self, partition: i32, registration: Arc<PartitionRegistration>) {
        self.replace(partition, registration);
    }

    /// Sets a partition's registration and returns the one it replaces;
    /// ignored for a negative id.
    pub fn replace(
        &mut self,
        partition: i32,
        registration: Arc<PartitionRegistration>,
    ) -> Option<Arc<PartitionRegistration>> {
        let i = usize::try_from(partition).ok()?;
        if i == self.slots.len() {
            // The usual case: partitions arrive in order.
            self.slots.push(Some(registration));
            self.len += 1;
            return None;
        }
        if i > self.slots.len() {
            self.slots.resize(i + 1, None);
        }
        let old = self.slots[i].replace(registration);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// The number of registered partitions.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Registrations in partition order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Arc<PartitionRegistration>> {
        self.slots.iter().flatten()
    }

    /// `(partition id, registration)` in partition order, as a map's `iter`.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&i32, &Arc<PartitionRegistration>)> {
        self.values().map(|p| (&p.partition, p))
    }

    /// Partition ids in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &i32> {
        self.values().map(|p| &p.partition)
    }

    pub fn contains_key(&self, partition: &i32) -> bool {
        self.get(partition).is_some()
    }
}

/// `map[&partition]`, as on a `FlatMap`: panics if the partition is not registered.
impl std::ops::Index<&i32> for PartitionMap {
    type Output = Arc<PartitionRegistration>;

    fn index(&self, partition: &i32) -> &Self::Output {
        self.get(partition).expect("no such partition")
    }
}

impl std::fmt::Debug for PartitionMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.values().map(|p| (p.partition, p))).finish()
    }
}

/// What replaying the metadata log up to some offset gives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetadataImage {
    /// The offset after the last applied record.
    pub offset: i64,
    pub brokers: FlatMap<NodeId, BrokerRegistration>,
    pub topics: FlatMap<Uuid, TopicImage>,
    pub topic_ids: FlatMap<String, Uuid>,
    /// Configs of topics by name (kept with the topic while it exists).
    pub next_producer_id: i64,
    /// Dynamic broker configs by BROKER resource name (a broker id, or `""`
    /// for the cluster-wide default); resources without configs are absent.
    pub broker_configs: FlatMap<String, FlatMap<String, String>>,
    /// Current quorum epoch and leader, from LeaderChange records.
    pub quorum_epoch: i32,
    pub quorum_leader: NodeId,
}

impl MetadataImage {
    /// Applies one record at `offset`.
    pub fn apply(&mut self, offset: i64, record: &MetadataRecord) {
        self.apply_noting(offset, record, NO_NODE);
    }

    /// Applies one record at `offset`; for a `Partition` or `PartitionChange`
    /// record, returns whether the partition's replicas name `broker` before
    /// or after it (a broker's own replicas may change), else false.
    ///
    /// Kept small, with the per-partition records first: a broker applies
    /// thousands of these in one metadata fetch, and a small function is one
    /// that wasm engines optimize early (the other records go through
    /// [`Self::apply_other`]).
    pub fn apply_noting(&mut self, offset: i64, record: &MetadataRecord, broker: NodeId) -> bool {
        self.offset = offset + 1;
        match record {
            MetadataRecord::Partition(p) => {
                let Some(t) = self.topics.get_mut(&p.topic_id) else {
                    return false;
                };
                let old = t.partitions.replace(p.partition, Arc::clone(p));
                p.replicas.contains(&broker) || old.is_some_and(|o| o.replicas.contains(&broker))
            }
            MetadataRecord::PartitionChange { .. } => self.apply_partition_change(record, broker),
            _ => {
                self.apply_other(record);
                false
            }
        }
    }

    /// A `PartitionChange` record; whether the replicas name `broker` before or after.
    #[inline(never)]
    fn apply_partition_change(&mut self, record: &MetadataRecord, broker: NodeId) -> bool {
        let MetadataRecord::PartitionChange {
            topic_id,
            partition,
            leader,
            isr,
            replicas,
            removing,
            adding,
        } = record
        else {
            return false;
        };
        let Some(p) = self
            .topics
            .get_mut(topic_id)
            .and_then(|t| t.partitions.get_mut(partition))
        else {
            return false;
        };
        let names_broker = p.replicas.contains(&broker) || replicas.as_ref().is_some_and(|r| r.contains(&broker));
        let p = Arc::make_mut(p);
        // Any leader set bumps the leader epoch, even the same leader
        // (Kafka's replay; a reassignment uses it to fence removed replicas).
        if let Some(l) = leader {
            p.leader = *l;
            p.leader_epoch += 1;
        }
        if let Some(isr) = isr {
            p.isr = isr.clone();
        }
        if let Some(r) = replicas {
            p.replicas = r.clone();
        }
        if let Some(r) = removing {
            p.removing_replicas = r.clone();
        }
        if let Some(a) = adding {
            p.adding_replicas = a.clone();
        }
        p.partition_epoch += 1;
        names_broker
    }

    /// Every record but `Partition` and `PartitionChange`.
    #[inline(never)]
    fn apply_other(&mut self, record: &MetadataRecord) {
        match record {
            MetadataRecord::RegisterBroker {
                broker,
                broker_epoch,
                incarnation,
            } => {
                self.brokers.insert(
                    *broker,
                    BrokerRegistration {
                        id: *broker,
                        epoch: *broker_epoch,
                        incarnation: *incarnation,
                        fenced: true,
                        in_controlled_shutdown: false,
                    },
                );
            }
            MetadataRecord::UnregisterBroker { broker, .. } => {
                self.brokers.remove(broker);
            }
            MetadataRecord::FenceBroker { broker, .. } => {
                if let Some(b) = self.brokers.get_mut(broker) {
                    b.fenced = true;
                }
            }
            MetadataRecord::UnfenceBroker { broker, .. } => {
                if let Some(b) = self.brokers.get_mut(broker) {
                    b.fenced = false;
                    b.in_controlled_shutdown = false;
                }
            }
            MetadataRecord::BrokerInControlledShutdown { broker, .. } => {
                if let Some(b) = self.brokers.get_mut(broker) {
                    b.in_controlled_shutdown = true;
                }
            }
            MetadataRecord::Topic { name, id } => {
                self.topic_ids.insert(name.clone(), *id);
                self.topics.insert(
                    *id,
                    TopicImage {
                        name: name.clone(),
                        id: *id,
                        ..TopicImage::default()
                    },
                );
            }
            MetadataRecord::RemoveTopic { id } => {
                if let Some(t) = self.topics.remove(id) {
                    self.topic_ids.remove(&t.name);
                }
            }
            MetadataRecord::Config { topic, name, value } => {
                if let Some(t) = self.topic_ids.get(topic).and_then(|id| self.topics.get_mut(id)) {
                    match value {
                        Some(v) => t.configs.insert(name.clone(), v.clone()),
                        None => t.configs.remove(name),
                    };
                }
            }
            MetadataRecord::BrokerConfig { resource, name, value } => match value {
                Some(v) => {
                    self.broker_configs
                        .entry(resource.clone())
                        .or_default()
                        .insert(name.clone(), v.clone());
                }
                None => {
                    if let Some(m) = self.broker_configs.get_mut(resource) {
                        m.remove(name);
                        if m.is_empty() {
                            self.broker_configs.remove(resource);
                        }
                    }
                }
            },
            MetadataRecord::ProducerIds { next_producer_id, .. } => {
                self.next_producer_id = *next_producer_id;
            }
            MetadataRecord::LeaderChange { epoch, leader } => {
                self.quorum_epoch = *epoch;
                self.quorum_leader = *leader;
            }
            MetadataRecord::Partition(_) | MetadataRecord::PartitionChange { .. } => {}
        }
    }

    pub fn topic(&self, name: &str) -> Option<&TopicImage> {
        self.topic_ids.get(name).and_then(|id| self.topics.get(id))
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionRegistration> {
        self.topic(&tp.topic)
            .and_then(|t| t.partitions.get(&tp.partition))
            .map(|p| &**p)
    }

    /// Brokers that are registered and not fenced, ascending.
    pub fn unfenced_brokers(&self) -> Vec<NodeId> {
        self.brokers.values().filter(|b| !b.fenced).map(|b| b.id).collect()
    }

    pub fn is_alive(&self, broker: NodeId) -> bool {
        self.brokers.get(&broker).is_some_and(|b| !b.fenced)
    }

    /// Every partition, ordered by topic name then partition.
    pub fn partitions(&self) -> impl Iterator<Item = (TopicPartition, &PartitionRegistration)> {
        self.topic_ids
            .iter()
            .filter_map(|(name, id)| self.topics.get(id).map(|t| (name, t)))
            .flat_map(|(name, t)| {
                t.partitions
                    .values()
                    .map(move |p| (TopicPartition::new(name, p.partition), &**p))
            })
    }

    /// The Metadata response a broker gives for this image.
    pub fn view(&self, cluster_id: &str, topics: Option<&[String]>) -> ClusterMetadataView {
        let wanted = |name: &String| topics.is_none_or(|t| t.contains(name));
        ClusterMetadataView {
            cluster_id: cluster_id.to_string(),
            controller: self.quorum_leader,
            brokers: self.unfenced_brokers(),
            topics: self
                .topic_ids
                .iter()
                .filter(|(name, _)| wanted(name))
                .filter_map(|(_, id)| self.topics.get(id))
                .map(|t| TopicView {
                    name: t.name.clone(),
                    id: t.id,
                    error: None,
                    partitions: t
                        .partitions
                        .values()
                        .map(|p| PartitionView {
                            partition: p.partition,
                            leader: p.leader,
                            leader_epoch: p.leader_epoch,
                            replicas: p.replicas.clone(),
                            isr: p.isr.clone(),
                            offline: p.replicas.iter().copied().filter(|r| !self.is_alive(*r)).collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(partition: i32) -> Arc<PartitionRegistration> {
        Arc::new(PartitionRegistration {
            topic_id: Uuid(7),
            partition,
            replicas: vec![1, 2],
            isr: vec![1, 2],
            leader: 1,
            leader_epoch: 0,
            partition_epoch: 0,
            adding_replicas: Vec::new(),
            removing_replicas: Vec::new(),
        })
    }

    #[test]
    fn partition_map_behaves_like_an_ordered_map() {
        let mut m = PartitionMap::default();
        assert!(m.is_empty());
        m.insert(0, reg(0));
        m.insert(3, reg(3)); // a gap
        m.insert(-1, reg(-1)); // ignored
        assert_eq!(m.len(), 2);
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), vec![0, 3]);
        assert!(m.contains_key(&3) && !m.contains_key(&1) && !m.contains_key(&-1) && !m.contains_key(&9));
        assert_eq!(
            m.iter().map(|(k, p)| (*k, p.partition)).collect::<Vec<_>>(),
            vec![(0, 0), (3, 3)]
        );
        let old = m.replace(3, reg(3));
        assert!(old.is_some());
        assert_eq!(m.len(), 2);
        m.insert(1, reg(1));
        assert_eq!(m.len(), 3);
        assert_eq!(m[&1].partition, 1);
        assert_eq!(format!("{m:?}").matches("partition:").count(), 3);
    }

    #[test]
    fn apply_noting_sees_a_brokers_replicas_before_and_after() {
        let mut image = MetadataImage::default();
        image.apply(
            0,
            &MetadataRecord::Topic {
                name: "t".into(),
                id: Uuid(7),
            },
        );
        assert!(image.apply_noting(1, &MetadataRecord::Partition(reg(0)), 2));
        assert!(!image.apply_noting(2, &MetadataRecord::Partition(reg(1)), 5));
        let change = |replicas: Option<Vec<NodeId>>| MetadataRecord::PartitionChange {
            topic_id: Uuid(7),
            partition: 0,
            leader: None,
            isr: None,
            replicas,
            removing: None,
            adding: None,
        };
        // Moved away from 2 (named before) and onto 5 (named after).
        let moved = change(Some(vec![1, 5]));
        let mut copy = image.clone();
        assert!(copy.apply_noting(3, &moved, 2));
        assert!(image.apply_noting(3, &moved, 5));
        assert!(!image.apply_noting(4, &change(None), 3));
        assert_eq!(image.offset, 5);
        assert_eq!(
            image.partition(&TopicPartition::new("t", 0)).unwrap().replicas,
            vec![1, 5]
        );
    }
}
