//! Safety invariants, checked from the outside after any step of a simulation
//! (kept apart from the code they check, like TigerBeetle's state checkers):
//!
//! - HW ≤ LEO on every replica;
//! - at most one leader per partition leader epoch (across all brokers, ever);
//! - a broker's leader epoch for a partition never goes backwards while it runs;
//! - at most one quorum leader per controller epoch.

use std::collections::BTreeMap;

use kafkaplay_flatmap::FlatMap;

use crate::sim::Simulation;
use crate::types::{NodeId, TopicPartition};

/// Remembers what it has seen, so that checks span the whole run.
#[derive(Debug, Default)]
pub struct InvariantChecker {
    // These two stay B-trees: they grow with every partition (and epoch) of the
    // run and are filled out of key order.
    leaders: BTreeMap<(TopicPartition, i32), NodeId>,
    epochs: BTreeMap<(NodeId, TopicPartition), i32>,
    quorum_leaders: FlatMap<i32, NodeId>,
    checks: u64,
}

impl InvariantChecker {
    pub fn new() -> Self {
        InvariantChecker::default()
    }

    /// How many times `check` ran.
    pub fn checks(&self) -> u64 {
        self.checks
    }

    /// Checks every invariant against the simulation's current state.
    pub fn check(&mut self, sim: &Simulation) -> Result<(), String> {
        self.checks += 1;
        let partitions: Vec<TopicPartition> = match sim.metadata() {
            Some(image) => image.partitions().map(|(tp, _)| tp).collect(),
            None => self.epochs.keys().map(|(_, tp)| tp.clone()).collect(),
        };
        for broker in sim.config().brokers.clone() {
            let Some(b) = sim.broker(broker) else {
                self.epochs.retain(|(id, _), _| *id != broker);
                continue;
            };
            for tp in &partitions {
                let Some(info) = b.replica_info(tp) else { continue };
                if info.high_watermark > info.log_end_offset {
                    return Err(format!(
                        "{tp} on broker {broker}: high watermark {} above log end offset {}",
                        info.high_watermark, info.log_end_offset
                    ));
                }
                let key = (broker, tp.clone());
                if let Some(&before) = self.epochs.get(&key) {
                    if info.leader_epoch < before {
                        return Err(format!(
                            "{tp} on broker {broker}: leader epoch went back from {before} to {}",
                            info.leader_epoch
                        ));
                    }
                }
                self.epochs.insert(key, info.leader_epoch);
                if info.role == "leader" {
                    let claimed = self.leaders.entry((tp.clone(), info.leader_epoch)).or_insert(broker);
                    if *claimed != broker {
                        return Err(format!(
                            "{tp}: two leaders in epoch {}: brokers {} and {broker}",
                            info.leader_epoch, *claimed
                        ));
                    }
                }
            }
        }
        for c in sim.config().controllers.clone() {
            if let Some((epoch, true)) = sim.controller(c).map(|x| (x.image().quorum_epoch, x.is_active())) {
                let claimed = self.quorum_leaders.entry(epoch).or_insert(c);
                if *claimed != c {
                    return Err(format!(
                        "two quorum leaders in epoch {epoch}: controllers {} and {c}",
                        *claimed
                    ));
                }
            }
        }
        Ok(())
    }
}
