//! What the randomized fault tests share (`random_faults.rs`,
//! `random_group_faults.rs`): the seeds to run and the replay command of a
//! failed one, the seeded fault schedule, and the stretches of simulated time
//! with the safety invariants checked after every event.
#![allow(dead_code)]

use kafkaplay_cluster::invariants::InvariantChecker;
use kafkaplay_cluster::{Fault, NodeId, Simulation};

/// Runs `run` for every seed: `KAFKAPLAY_SEED=S` replays one, `KAFKAPLAY_SEEDS=N`
/// runs 1..=N, else 1..=`default_seeds`. The first failure panics with its
/// seed and the command that replays it (`cargo test … --test <test>`).
pub fn for_each_seed(default_seeds: u64, test: &str, mut run: impl FnMut(u64) -> Result<(), String>) {
    let seeds: Vec<u64> = match std::env::var("KAFKAPLAY_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(s) => vec![s],
        None => {
            let n = std::env::var("KAFKAPLAY_SEEDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(default_seeds);
            (1..=n).collect()
        }
    };
    for seed in seeds {
        if let Err(e) = run(seed) {
            panic!("seed {seed}: {e}\nreplay: KAFKAPLAY_SEED={seed} cargo test -p kafkaplay-cluster --test {test}");
        }
    }
}

/// What the schedule does next.
#[derive(Debug)]
pub enum Step {
    /// Nothing this round.
    Nothing,
    /// Apply this fault.
    Fault(Fault),
    /// Kill this consumer process (a replacement should join): not
    /// remembered as down, so it is never restarted.
    ConsumerCrash(NodeId),
}

/// A seeded random schedule of faults, and the nodes it left down or paused.
pub struct FaultSchedule {
    rng: oorandom::Rand64,
    pub down: Vec<NodeId>,
    pub paused: Vec<NodeId>,
}

impl FaultSchedule {
    pub fn new(seed: u64) -> Self {
        FaultSchedule {
            rng: oorandom::Rand64::new((seed as u128) << 1 | 1),
            down: Vec::new(),
            paused: Vec::new(),
        }
    }

    /// How many records to send this round: 1 to 5.
    pub fn records(&mut self) -> u64 {
        self.rng.rand_range(1..6)
    }

    /// With a chance of 1 in `one_in`, a fault on a node drawn from `all`: a
    /// down node restarts and a paused one resumes; otherwise it is killed
    /// (2 in 6), paused (1 in 6), partitioned from all the others (1 in 6),
    /// or every partition heals (2 in 6). A kill of a node that `is_consumer`
    /// says is a consumer is a [`Step::ConsumerCrash`].
    pub fn next(&mut self, one_in: u64, all: &[NodeId], is_consumer: impl Fn(NodeId) -> bool) -> Step {
        if self.rng.rand_range(0..one_in) != 0 {
            return Step::Nothing;
        }
        let node = all[self.rng.rand_range(0..all.len() as u64) as usize];
        let fault = match self.rng.rand_range(0..6) {
            _ if self.down.contains(&node) => {
                self.down.retain(|n| *n != node);
                Fault::Restart(node)
            }
            _ if self.paused.contains(&node) => {
                self.paused.retain(|n| *n != node);
                Fault::Resume(node)
            }
            0 | 1 if is_consumer(node) => return Step::ConsumerCrash(node),
            0 | 1 => {
                self.down.push(node);
                Fault::Kill(node)
            }
            2 => {
                self.paused.push(node);
                Fault::Pause(node)
            }
            3 => {
                let rest: Vec<NodeId> = all.iter().copied().filter(|n| *n != node).collect();
                Fault::Partition(vec![vec![node], rest])
            }
            _ => Fault::Heal,
        };
        Step::Fault(fault)
    }

    /// Ends the faults: heals every partition, resumes the paused nodes and
    /// restarts the down ones.
    pub fn heal_all(&mut self, sim: &mut Simulation) {
        sim.apply_fault(Fault::Heal);
        for n in self.paused.drain(..) {
            sim.apply_fault(Fault::Resume(n));
        }
        for n in self.down.drain(..) {
            sim.apply_fault(Fault::Restart(n));
        }
    }
}

/// Runs `ms` of simulated time, checking the safety invariants after every
/// event; the first violation ends the run early and is returned.
pub fn run_checked(sim: &mut Simulation, checker: &mut InvariantChecker, ms: i64) -> Result<(), String> {
    let end = sim.now() + ms;
    let mut violation = None;
    sim.run_until_condition(ms, |s| {
        if let Err(e) = checker.check(s) {
            violation = Some(e);
            return true;
        }
        s.now() >= end
    });
    match violation {
        Some(v) => Err(format!("invariant: {v}")),
        None => Ok(()),
    }
}
