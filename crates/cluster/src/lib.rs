//! `kafkaplay-cluster`: a Kafka cluster as sans-IO state machines.
//!
//! Controllers ([`controller`]), brokers ([`broker`], which also coordinate
//! consumer groups) and clients ([`producer`], [`consumer`]) each handle `(now, input)` and answer with effects through a [`sim::Ctx`];
//! they never read a clock, draw randomness of their own or do I/O. The
//! [`sim::Simulation`] owns the clock, the seeded PRNG and the network (delays,
//! drops, partitions, pauses), delivers messages and timers in a deterministic
//! order, and records a [`trace`] whose hash is the same natively and in wasm.
//!
//! Partition data lives in `kafkaplay-log` logs on each broker, so what a
//! replica holds is byte for byte what a Kafka broker would hold.
//!
//! Not here: the command-line tools (`kafkaplay-shell`), persistence in the
//! browser (`kafkaplay-storage-idb`), transactions, static group membership and
//! the KIP-848 consumer protocol.

pub mod assignor;
pub mod broker;
pub mod checker;
mod client;
pub mod config;
pub mod consumer;
pub mod controller;
pub mod dynamic_config;
pub mod error;
pub mod invariants;
pub mod metadata;
pub mod partitioner;
pub mod producer;
pub mod protocol;
pub mod sim;
pub mod snapshot;
pub mod trace;
pub mod types;

pub use config::{BrokerConfig, ClusterConfig, ProducerConfig, QuorumConfig};
pub use error::KafkaError;
pub use sim::{Fault, LinkRule, Simulation};
pub use types::{Ms, NodeId, Topic, TopicPartition, Uuid, NO_NODE};
