//! `kafkaplay-log`: one Kafka partition's log, stored exactly the way Kafka
//! stores it.
//!
//! - [`batch`]: v2 record batches, byte for byte (`DefaultRecordBatch`), with
//!   CRC-32C checked on write and on read, and a bounded, panic-free decoder.
//! - [`PartitionLog`]: append as leader or follower, read, look up by time,
//!   truncate, roll segments by `segment.bytes`/`segment.ms`, keep sparse offset
//!   and time indexes, apply retention and compaction, keep the leader epoch cache.
//! - [`storage`]: the one seam to persistence, [`SegmentStore`], with an
//!   in-memory engine and a conformance suite for every engine.
//! - [`export`]: the partition as Kafka's `.log`/`.index`/`.timeindex` files, and back.
//!
//! What this crate is not: it does no I/O and reads no clock (every operation that
//! needs the time takes `now_ms`), has no randomness, and knows nothing of
//! brokers, replication or the network; those live in `kafkaplay-cluster`. It
//! never depends on a browser API, so it runs the same natively and in wasm.

pub mod batch;
pub mod cleaner;
pub mod config;
pub mod crc32c;
pub mod error;
pub mod export;
pub mod index;
pub mod log;
pub mod segment;
pub mod storage;
pub mod varint;

pub use batch::{BatchBuilder, BatchIter, BatchRef, Header, NewRecord, Record, TimestampType};
pub use cleaner::CleanReport;
pub use config::{CleanupPolicy, LogConfig};
pub use error::{DecodeError, LogError};
pub use export::KafkaFile;
pub use index::{OffsetPosition, TimestampOffset};
pub use log::{AppendInfo, EpochEntry, FetchData, PartitionLog, RecoveryReport, RetentionReport, SegmentInfo};
pub use storage::{DurableSegment, MemoryStore, SegmentStore, StorageError, StoredSegment};
