//! The producer client. STUB — being implemented.

use crate::config::ProducerConfig;
use crate::protocol::Message;
use crate::sim::Ctx;
use crate::types::NodeId;

#[derive(Debug, Clone, PartialEq)]
pub enum Timer {}

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

#[derive(Debug)]
pub struct Producer {}

impl Producer {
    pub fn new(_id: NodeId, _config: ProducerConfig, _bootstrap: Vec<NodeId>) -> Self {
        Producer {}
    }
    pub fn on_start(&mut self, _cx: &mut Ctx) {}
    pub fn on_message(&mut self, _cx: &mut Ctx, _from: NodeId, _msg: Message) {}
    pub fn on_timer(&mut self, _cx: &mut Ctx, _timer: Timer) {}
    pub fn send(&mut self, _cx: &mut Ctx, _record_id: u64, _record: ProducerRecord) {}
}
