//! What persistence (`sim::persist`) needs of a running controller: its
//! quorum state as `into_disk` would write it, without stopping it.

use super::{Controller, ControllerDisk, LogEntry};
use crate::types::NodeId;

/// A running controller's disk, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct ControllerDiskView<'a> {
    pub epoch: i32,
    pub voted_for: NodeId,
    pub leader: NodeId,
    pub log: &'a [LogEntry],
}

impl Controller {
    pub fn disk_view(&self) -> ControllerDiskView<'_> {
        ControllerDiskView {
            epoch: self.epoch,
            voted_for: self.voted_for,
            leader: self.known_leader,
            log: &self.log,
        }
    }
}

impl ControllerDisk {
    pub fn view(&self) -> ControllerDiskView<'_> {
        ControllerDiskView {
            epoch: self.epoch,
            voted_for: self.voted_for,
            leader: self.leader,
            log: &self.log,
        }
    }
}
