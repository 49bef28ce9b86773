//! A KRaft controller: a voter of the metadata quorum and, when it leads, the
//! active controller (`QuorumController`). STUB — being implemented.

use crate::config::ClusterConfig;
use crate::metadata::MetadataImage;
use crate::protocol::Message;
use crate::sim::Ctx;
use crate::types::{Ms, NodeId};

#[derive(Debug, Clone, PartialEq)]
pub enum Timer {}

/// What a controller keeps on disk: the metadata log and its quorum state.
#[derive(Debug, Clone, Default)]
pub struct ControllerDisk {}

#[derive(Debug)]
pub struct Controller {
    image: MetadataImage,
}

impl Controller {
    pub fn new(_id: NodeId, _config: &ClusterConfig, _disk: ControllerDisk, _now: Ms) -> Self {
        Controller { image: MetadataImage::default() }
    }
    pub fn on_start(&mut self, _cx: &mut Ctx) {}
    pub fn on_message(&mut self, _cx: &mut Ctx, _from: NodeId, _msg: Message) {}
    pub fn on_timer(&mut self, _cx: &mut Ctx, _timer: Timer) {}
    pub fn into_disk(self) -> ControllerDisk {
        ControllerDisk::default()
    }
    pub fn is_active(&self) -> bool {
        false
    }
    pub fn image(&self) -> &MetadataImage {
        &self.image
    }
}
