//! Kafka's default partitioner, bit for bit: `Utils.murmur2` and `toPositive`
//! for keyed records, and `BuiltInPartitioner` (KIP-794) for records without a
//! key: a sticky partition chosen at random among the partitions that have a
//! leader, switched after `batch.size` bytes were produced to it, and weighted
//! by queue sizes when the accumulator supplies load statistics (adaptive
//! partitioning, on by default in Kafka).
//!
//! The randomness is the simulation's generator, passed in by the caller, so
//! a seed reproduces every choice. Not here: `partitioner.availability.timeout.ms`
//! (excluding slow brokers; Kafka's default 0 disables it) and custom partitioners.

use oorandom::Rand64;

/// `Utils.murmur2`: the 32-bit MurmurHash2 Kafka uses for record keys
/// (seed `0x9747b28c`), with Java's wrapping `int` arithmetic.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;

    let mut h: u32 = SEED ^ data.len() as u32;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    // Java's switch falls through 3 → 2 → 1.
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `i32::MIN`).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// `BuiltInPartitioner.partitionForKey`: the partition of a keyed record among
/// all of the topic's partitions, available or not.
pub fn partition_for_key(key: &[u8], num_partitions: i32) -> i32 {
    debug_assert!(num_partitions > 0);
    to_positive(murmur2(key)) % num_partitions
}

/// `KafkaProducer.partition`: an explicit partition wins, then the key's hash;
/// `None` means "any partition": the caller asks the sticky partitioner.
pub fn partition(explicit: Option<i32>, key: Option<&[u8]>, num_partitions: i32) -> Option<i32> {
    match (explicit, key) {
        (Some(p), _) => Some(p),
        (None, Some(k)) => Some(partition_for_key(k, num_partitions)),
        (None, None) => None,
    }
}

/// The partitions of one topic as the producer's metadata shows them.
#[derive(Debug, Clone, Copy)]
pub struct TopicPartitions<'a> {
    /// The topic's partition count.
    pub num_partitions: i32,
    /// Partitions with a leader, ascending (`Cluster.availablePartitionsForTopic`).
    pub available: &'a [i32],
}

/// The cumulative frequency table of adaptive partitioning
/// (`BuiltInPartitioner.PartitionLoadStats`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PartitionLoadStats {
    cumulative_frequency_table: Vec<i32>,
    partition_ids: Vec<i32>,
}

/// The sticky partition and how much was produced to it (`StickyPartitionInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StickyPartition {
    partition: i32,
    produced_bytes: u32,
}

/// `BuiltInPartitioner`: one per topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltInPartitioner {
    sticky_batch_size: u32,
    sticky: Option<StickyPartition>,
    load_stats: Option<PartitionLoadStats>,
}

impl BuiltInPartitioner {
    /// `sticky_batch_size` is the producer's `batch.size`.
    pub fn new(sticky_batch_size: u32) -> Self {
        BuiltInPartitioner {
            sticky_batch_size: sticky_batch_size.max(1),
            sticky: None,
            load_stats: None,
        }
    }

    /// `peekCurrentPartitionInfo`: the current sticky partition, choosing one if
    /// there is none yet.
    pub fn current_partition(&mut self, topic: TopicPartitions<'_>, rng: &mut Rand64) -> i32 {
        if let Some(s) = self.sticky {
            return s.partition;
        }
        let partition = self.next_partition(topic, rng);
        self.sticky = Some(StickyPartition {
            partition,
            produced_bytes: 0,
        });
        partition
    }

    /// The sticky partition if one was chosen.
    pub fn peek(&self) -> Option<i32> {
        self.sticky.map(|s| s.partition)
    }

    /// `updatePartitionInfo`: counts `appended_bytes` produced to the sticky
    /// partition and switches once `batch.size` bytes were produced (or twice that
    /// when `enable_switch` is false, i.e. the partition's last batch is not full).
    pub fn update_partition_info(
        &mut self,
        appended_bytes: u32,
        enable_switch: bool,
        topic: TopicPartitions<'_>,
        rng: &mut Rand64,
    ) {
        let Some(sticky) = self.sticky.as_mut() else { return };
        sticky.produced_bytes = sticky.produced_bytes.saturating_add(appended_bytes);
        let produced = sticky.produced_bytes;
        let size = self.sticky_batch_size;
        if (produced >= size && enable_switch) || produced >= size.saturating_mul(2) {
            let partition = self.next_partition(topic, rng);
            self.sticky = Some(StickyPartition {
                partition,
                produced_bytes: 0,
            });
        }
    }

    /// `updatePartitionLoadStats`: `queue` holds (partition, queue size) for the
    /// partitions with a leader; `None` (or fewer than two partitions in the topic,
    /// or equal queues) turns adaptive weighting off.
    pub fn update_partition_load_stats(&mut self, queue: Option<&[(i32, i32)]>, num_partitions: i32) {
        self.load_stats = None;
        let Some(queue) = queue else { return };
        if queue.is_empty() || num_partitions < 2 {
            return;
        }
        let max_size_plus_1 = queue.iter().map(|(_, s)| *s).max().unwrap_or(0) + 1;
        let all_equal = queue.iter().all(|(_, s)| *s == queue[0].1);
        if all_equal && queue.len() as i32 == num_partitions {
            return;
        }
        let mut running = 0;
        let cumulative_frequency_table = queue
            .iter()
            .map(|(_, s)| {
                running += max_size_plus_1 - s;
                running
            })
            .collect();
        let partition_ids = queue.iter().map(|(p, _)| *p).collect();
        self.load_stats = Some(PartitionLoadStats {
            cumulative_frequency_table,
            partition_ids,
        });
    }

    /// `nextPartition`: uniform among available partitions (all if none is
    /// available), or weighted by the load statistics.
    fn next_partition(&self, topic: TopicPartitions<'_>, rng: &mut Rand64) -> i32 {
        let random = random_partition(rng);
        match &self.load_stats {
            None if !topic.available.is_empty() => topic.available[(random as usize) % topic.available.len()],
            None => random % topic.num_partitions.max(1),
            Some(stats) => {
                let table = &stats.cumulative_frequency_table;
                let weighted = random % table[table.len() - 1];
                // The first entry strictly greater than `weighted`.
                let index = table.partition_point(|&v| v <= weighted);
                stats.partition_ids[index.min(table.len() - 1)]
            }
        }
    }
}

/// `BuiltInPartitioner.randomPartition`: `toPositive(nextInt())`.
fn random_partition(rng: &mut Rand64) -> i32 {
    to_positive((rng.rand_u64() >> 32) as u32 as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_kafkas_utils_test_vectors() {
        assert_eq!(murmur2(b"21"), -973932308);
        assert_eq!(murmur2(b"foobar"), -790332482);
        assert_eq!(murmur2(b"a-little-bit-long-string"), -985981536);
        assert_eq!(murmur2(b"a-little-bit-longer-string"), -1486304829);
        assert_eq!(murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
        assert_eq!(murmur2(b"abc"), 479470107);
    }

    #[test]
    fn to_positive_clears_the_sign_bit() {
        assert_eq!(to_positive(-1), 0x7fff_ffff);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(42), 42);
        assert_eq!(to_positive(-973932308), -973932308 & 0x7fff_ffff);
    }

    #[test]
    fn keyed_records_go_to_murmur2_mod_partitions() {
        // "foobar" → -790332482 → toPositive 1357151166 → % 3 = 0, % 4 = 2.
        assert_eq!(partition_for_key(b"foobar", 3), 0);
        assert_eq!(partition_for_key(b"foobar", 4), 2);
        // "21" → -973932308 → 1173551340 → % 3 = 0.
        assert_eq!(partition_for_key(b"21", 3), 0);
        // murmur2("k1") = 1684045097 → % 3 = 2; "k2" → 380483553 → 0; "k3" → 1676809936 → 1.
        assert_eq!(murmur2(b"k1"), 1684045097);
        assert_eq!(partition_for_key(b"k1", 3), 2);
        assert_eq!(partition_for_key(b"k2", 3), 0);
        assert_eq!(partition_for_key(b"k3", 3), 1);
    }

    #[test]
    fn explicit_partition_wins_over_the_key() {
        assert_eq!(partition(Some(5), Some(b"foobar"), 3), Some(5));
        assert_eq!(partition(None, Some(b"foobar"), 4), Some(2));
        assert_eq!(partition(None, None, 4), None);
    }

    #[test]
    fn sticky_partition_holds_until_batch_size_bytes_then_switches() {
        let mut rng = Rand64::new(3);
        let mut p = BuiltInPartitioner::new(100);
        let topic = TopicPartitions {
            num_partitions: 3,
            available: &[0, 1, 2],
        };
        let first = p.current_partition(topic, &mut rng);
        for _ in 0..9 {
            p.update_partition_info(10, true, topic, &mut rng);
            assert_eq!(p.current_partition(topic, &mut rng), first);
        }
        // The tenth record reaches batch.size: a new sticky partition is drawn
        // (it may be the same one again, as in Kafka).
        let before = p.sticky.unwrap();
        p.update_partition_info(10, true, topic, &mut rng);
        let after = p.sticky.unwrap();
        assert_eq!(after.produced_bytes, 0);
        assert_eq!(before.produced_bytes, 90);
    }

    #[test]
    fn sticky_switch_waits_for_a_full_batch_up_to_twice_batch_size() {
        let mut rng = Rand64::new(5);
        let mut p = BuiltInPartitioner::new(100);
        let topic = TopicPartitions {
            num_partitions: 3,
            available: &[0, 1, 2],
        };
        p.current_partition(topic, &mut rng);
        p.update_partition_info(150, false, topic, &mut rng);
        assert_eq!(
            p.sticky.unwrap().produced_bytes,
            150,
            "no switch while the batch is not full"
        );
        p.update_partition_info(50, false, topic, &mut rng);
        assert_eq!(p.sticky.unwrap().produced_bytes, 0, "2x batch.size forces the switch");
    }

    #[test]
    fn sticky_choice_is_uniform_among_partitions_with_a_leader() {
        let mut rng = Rand64::new(11);
        let mut counts = [0u32; 4];
        for _ in 0..4000 {
            let mut p = BuiltInPartitioner::new(1);
            let topic = TopicPartitions {
                num_partitions: 4,
                available: &[1, 3],
            };
            counts[p.current_partition(topic, &mut rng) as usize] += 1;
        }
        assert_eq!(
            counts[0] + counts[2],
            0,
            "partitions without a leader are never chosen: {counts:?}"
        );
        assert!(counts[1] > 1800 && counts[3] > 1800, "{counts:?}");
    }

    #[test]
    fn sticky_choice_falls_back_to_all_partitions_when_none_has_a_leader() {
        let mut rng = Rand64::new(1);
        let mut seen = [false; 3];
        for _ in 0..100 {
            let mut p = BuiltInPartitioner::new(1);
            seen[p.current_partition(
                TopicPartitions {
                    num_partitions: 3,
                    available: &[],
                },
                &mut rng,
            ) as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn adaptive_partitioning_prefers_short_queues() {
        // Kafka's example: queue sizes 0 3 1 → CFT 4 5 8.
        let mut p = BuiltInPartitioner::new(1);
        p.update_partition_load_stats(Some(&[(0, 0), (1, 3), (2, 1)]), 3);
        assert_eq!(p.load_stats.as_ref().unwrap().cumulative_frequency_table, vec![4, 5, 8]);
        let mut rng = Rand64::new(9);
        let mut counts = [0u32; 3];
        let topic = TopicPartitions {
            num_partitions: 3,
            available: &[0, 1, 2],
        };
        for _ in 0..8000 {
            counts[p.next_partition(topic, &mut rng) as usize] += 1;
        }
        // Expected 4/8, 1/8, 3/8.
        assert!((3700..4300).contains(&counts[0]), "{counts:?}");
        assert!((800..1200).contains(&counts[1]), "{counts:?}");
        assert!((2700..3300).contains(&counts[2]), "{counts:?}");
        // Equal queues over all partitions: back to uniform.
        p.update_partition_load_stats(Some(&[(0, 2), (1, 2), (2, 2)]), 3);
        assert!(p.load_stats.is_none());
    }
}
