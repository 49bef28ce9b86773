//! Replica placement for new partitions: Kafka's `StripedReplicaPlacer`
//! (`metadata/.../placement/StripedReplicaPlacer.java`) for a cluster without
//! racks (every broker is in the one `null` rack).
//!
//! The structure follows Kafka's: a sorted unfenced list and a sorted fenced
//! list, each with a random start offset; partition `p` takes the next unfenced
//! broker as leader and then the following brokers (unfenced first, then
//! fenced). Every partition advances the iteration epoch, which moves each
//! list's start by one, and after as many partitions as there are unfenced
//! brokers both lists are shuffled (`Collections.shuffle`). Randomness comes
//! from the simulation's generator, so a seed reproduces a layout.
//!
//! Not here: racks (the simulated brokers have no `broker.rack`).

use oorandom::Rand64;

use crate::types::NodeId;

/// A broker the placer may use (registered and not in controlled shutdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsableBroker {
    pub id: NodeId,
    pub fenced: bool,
}

/// Java's `Random.nextInt(bound)`, drawn from the simulation's generator.
fn next_int(rng: &mut Rand64, bound: usize) -> usize {
    rng.rand_range(0..bound as u64) as usize
}

/// Java's `Collections.shuffle(list, rnd)`: for i from size down to 2, swap
/// `i-1` with `rnd.nextInt(i)`.
fn java_shuffle(list: &mut [NodeId], rng: &mut Rand64) {
    for i in (2..=list.len()).rev() {
        let j = next_int(rng, i);
        list.swap(i - 1, j);
    }
}

/// `StripedReplicaPlacer.BrokerList`.
#[derive(Debug, Default)]
struct BrokerList {
    brokers: Vec<NodeId>,
    /// How many brokers were returned in the current iteration epoch.
    index: usize,
    /// Added to `index` (mod size) to find the entry to return.
    offset: usize,
    /// The last iteration epoch seen; a new one resets `index` and moves `offset`.
    epoch: i32,
}

impl BrokerList {
    fn initialize(&mut self, rng: &mut Rand64) {
        if !self.brokers.is_empty() {
            self.brokers.sort_unstable();
            self.offset = next_int(rng, self.brokers.len());
        }
    }

    fn next(&mut self, epoch: i32) -> Option<NodeId> {
        if self.brokers.is_empty() {
            return None;
        }
        if self.epoch != epoch {
            self.epoch = epoch;
            self.index = 0;
            self.offset = (self.offset + 1) % self.brokers.len();
        }
        if self.index >= self.brokers.len() {
            return None;
        }
        let broker = self.brokers[(self.index + self.offset) % self.brokers.len()];
        self.index += 1;
        Some(broker)
    }
}

/// The one rack of a rack-less cluster (`StripedReplicaPlacer.Rack` inside a
/// one-entry `RackList`).
#[derive(Debug)]
struct Placer {
    fenced: BrokerList,
    unfenced: BrokerList,
    epoch: i32,
}

impl Placer {
    fn new(rng: &mut Rand64, brokers: &[UsableBroker]) -> Self {
        let mut placer = Placer {
            fenced: BrokerList::default(),
            unfenced: BrokerList::default(),
            epoch: 0,
        };
        for b in brokers {
            if b.fenced {
                placer.fenced.brokers.push(b.id);
            } else {
                placer.unfenced.brokers.push(b.id);
            }
        }
        // Rack.initialize: the fenced list first, then the unfenced one. A single
        // rack needs no rack offset (nextInt(1) is always 0).
        placer.fenced.initialize(rng);
        placer.unfenced.initialize(rng);
        placer
    }

    /// `RackList.place` for one partition.
    fn place(&mut self, rng: &mut Rand64, replication_factor: usize) -> Vec<NodeId> {
        let unfenced = self.unfenced.brokers.len() as i32;
        if self.epoch == unfenced && unfenced > 1 {
            // RackList.shuffle: the rack names (one: no draws), then each rack's
            // fenced and unfenced lists.
            java_shuffle(&mut self.fenced.brokers, rng);
            java_shuffle(&mut self.unfenced.brokers, rng);
            self.epoch = 0;
        }
        let mut replicas = Vec::with_capacity(replication_factor);
        if let Some(first) = self.unfenced.next(self.epoch) {
            replicas.push(first);
        }
        while replicas.len() < replication_factor {
            let next = self.unfenced.next(self.epoch).or_else(|| self.fenced.next(self.epoch));
            match next {
                Some(b) => replicas.push(b),
                None => break, // cannot happen: rf ≤ total brokers was checked
            }
        }
        self.epoch += 1;
        replicas
    }
}

/// Places `partitions` partitions of `replication_factor` replicas, or returns
/// Kafka's `InvalidReplicationFactorException` message (without the
/// `Unable to replicate the partition N time(s): ` prefix the caller adds).
pub fn place(
    rng: &mut Rand64,
    brokers: &[UsableBroker],
    partitions: i32,
    replication_factor: i16,
) -> Result<Vec<Vec<NodeId>>, String> {
    let mut placer = Placer::new(rng, brokers);
    if replication_factor <= 0 {
        return Err(format!(
            "Invalid replication factor {replication_factor}: the replication factor must be positive."
        ));
    }
    if placer.unfenced.brokers.is_empty() {
        return Err("All brokers are currently fenced.".to_string());
    }
    if replication_factor as usize > brokers.len() {
        return Err(format!(
            "The target replication factor of {replication_factor} cannot be reached because only {} broker(s) are registered.",
            brokers.len()
        ));
    }
    Ok((0..partitions)
        .map(|_| placer.place(rng, replication_factor as usize))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unfenced(ids: &[NodeId]) -> Vec<UsableBroker> {
        ids.iter().map(|&id| UsableBroker { id, fenced: false }).collect()
    }

    #[test]
    fn first_n_partitions_are_striped_from_a_random_start() {
        // replicas(p) = sorted[(r + p + j) % n] for p < n.
        for seed in 0..50 {
            let mut rng = Rand64::new(seed);
            let layout = place(&mut rng, &unfenced(&[3, 1, 2, 4]), 4, 3).unwrap();
            let r = [1, 2, 3, 4].iter().position(|&b| b == layout[0][0]).unwrap();
            for (p, replicas) in layout.iter().enumerate() {
                let want: Vec<NodeId> = (0..3).map(|j| [1, 2, 3, 4][(r + p + j) % 4]).collect();
                assert_eq!(replicas, &want, "seed {seed} partition {p}");
            }
        }
    }

    #[test]
    fn fenced_brokers_are_never_leaders_and_come_last() {
        let brokers = vec![
            UsableBroker { id: 1, fenced: false },
            UsableBroker { id: 2, fenced: true },
            UsableBroker { id: 3, fenced: false },
        ];
        let mut rng = Rand64::new(9);
        for replicas in place(&mut rng, &brokers, 12, 3).unwrap() {
            assert_ne!(replicas[0], 2);
            assert_eq!(replicas[2], 2);
        }
    }

    #[test]
    fn errors_are_kafkas() {
        let mut rng = Rand64::new(1);
        assert_eq!(
            place(&mut rng, &unfenced(&[1]), 1, 3).unwrap_err(),
            "The target replication factor of 3 cannot be reached because only 1 broker(s) are registered."
        );
        assert_eq!(
            place(&mut rng, &[], 1, 1).unwrap_err(),
            "All brokers are currently fenced."
        );
        assert_eq!(
            place(&mut rng, &unfenced(&[1]), 1, 0).unwrap_err(),
            "Invalid replication factor 0: the replication factor must be positive."
        );
    }
}
