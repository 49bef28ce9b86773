//! What persistence (`sim::persist`) needs of a broker's disk: read access to
//! the files of a running or stopped broker, and a disk built from stored
//! parts. A child module, so the broker's fields stay private.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_log::{LogConfig, MemoryStore};

use super::{Broker, BrokerDisk, StoredPartition};
use crate::types::{TopicPartition, Uuid};

/// One partition's files on a broker's disk.
#[derive(Debug, Clone, Copy)]
pub struct PartitionOnDisk<'a> {
    pub tp: &'a TopicPartition,
    pub topic_id: Uuid,
    pub config: &'a LogConfig,
    /// The topic's config overrides the log config was built from.
    pub overrides: &'a FlatMap<String, String>,
    pub store: &'a MemoryStore,
}

/// One partition's files, owned (to build a [`BrokerDisk`]).
#[derive(Debug)]
pub struct PartitionParts {
    pub topic_id: Uuid,
    pub config: LogConfig,
    pub overrides: FlatMap<String, String>,
    pub store: MemoryStore,
}

impl Broker {
    /// Every partition's files, as a power loss now would find them (the
    /// stores' durable views) plus the checkpoint files.
    pub fn partitions_on_disk(&self) -> Vec<PartitionOnDisk<'_>> {
        self.partitions
            .iter()
            .map(|(tp, p)| PartitionOnDisk {
                tp,
                topic_id: p.topic_id,
                config: p.log.config(),
                overrides: &p.overrides,
                store: p.log.store(),
            })
            .collect()
    }

    /// `replication-offset-checkpoint` as last written.
    pub fn high_watermark_checkpoints(&self) -> &FlatMap<TopicPartition, i64> {
        &self.high_watermarks
    }

    pub fn producer_ids_issued(&self) -> i64 {
        self.producer_ids_issued
    }

    /// One partition's store, if this broker has the partition.
    pub fn partition_store(&self, tp: &TopicPartition) -> Option<&MemoryStore> {
        self.partitions.get(tp).map(|p| p.log.store())
    }
}

impl BrokerDisk {
    /// One partition's store, if this disk has the partition.
    pub fn partition_store(&self, tp: &TopicPartition) -> Option<&MemoryStore> {
        self.partitions.get(tp).map(|p| &p.store)
    }

    pub fn partitions_on_disk(&self) -> Vec<PartitionOnDisk<'_>> {
        self.partitions
            .iter()
            .map(|(tp, p)| PartitionOnDisk {
                tp,
                topic_id: p.topic_id,
                config: &p.config,
                overrides: &p.overrides,
                store: &p.store,
            })
            .collect()
    }

    pub fn high_watermark_checkpoints(&self) -> &FlatMap<TopicPartition, i64> {
        &self.high_watermarks
    }

    pub fn producer_ids_issued(&self) -> i64 {
        self.producer_ids_issued
    }

    /// A disk holding these files and checkpoints (a broker restarted from it
    /// recovers every log).
    pub fn from_parts(
        partitions: FlatMap<TopicPartition, PartitionParts>,
        high_watermarks: FlatMap<TopicPartition, i64>,
        producer_ids_issued: i64,
    ) -> Self {
        BrokerDisk {
            partitions: partitions
                .into_iter()
                .map(|(tp, p)| {
                    (
                        tp,
                        StoredPartition {
                            topic_id: p.topic_id,
                            config: p.config,
                            overrides: p.overrides,
                            store: p.store,
                        },
                    )
                })
                .collect(),
            high_watermarks,
            producer_ids_issued,
        }
    }
}
