//! Kafka's consumer partition assignors (`clients/.../consumer/RangeAssignor.java`,
//! `RoundRobinAssignor.java`, `StickyAssignor.java`, `CooperativeStickyAssignor.java`,
//! `internals/AbstractStickyAssignor.java`), the coordinator's protocol vote
//! (`ClassicGroup.selectProtocol`) and the `__consumer_offsets` partition of a group.
//!
//! The algorithms are Kafka's, step for step, without the rack-aware parts (our
//! members have no `client.rack`) and without static membership (no
//! `group.instance.id`). Where Kafka walks a `java.util.HashMap` and the order
//! changes the result (which member keeps `maxQuota` partitions, which partition a
//! sticky move picks), we walk the keys in the order Java's `HashMap` would: by
//! bucket of the spread `hashCode`, and by insertion within a bucket. Kafka inserts
//! in join order, which the assignor cannot see; we insert in member-id order. So
//! everything is deterministic and ordered (no Rust `HashMap` anywhere).
//!
//! For `sticky` (eager), Kafka carries the previous assignment and generation in
//! the assignor's `userData`; here [`Subscription::owned_partitions`] and
//! [`Subscription::generation_id`] play that part, so a client using `sticky`
//! should put its last assignment there even though it revoked it before joining.

use kafkaplay_flatmap::{FlatMap, FlatSet};
// B-trees for the maps and sets of partitions that fill member by member, so out
// of partition order (a thousand partitions: a flat map's moves made the sticky
// assignors' bench 10-20% slower); flat maps for those keyed by member or topic.
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::protocol::Subscription;
use crate::types::TopicPartition;

/// Assignor names as in `partition.assignment.strategy`: "range", "roundrobin", "sticky", "cooperative-sticky".
pub const RANGE: &str = "range";
pub const ROUND_ROBIN: &str = "roundrobin";
pub const STICKY: &str = "sticky";
pub const COOPERATIVE_STICKY: &str = "cooperative-sticky";
/// Kafka's default `partition.assignment.strategy` (RangeAssignor, CooperativeStickyAssignor).
pub const DEFAULT_STRATEGIES: &[&str] = &[RANGE, COOPERATIVE_STICKY];

/// `AbstractStickyAssignor.DEFAULT_GENERATION`: a subscription without a generation.
const DEFAULT_GENERATION: i32 = -1;

/// Whether the assignor uses the COOPERATIVE rebalance protocol.
pub fn is_cooperative(name: &str) -> bool {
    name == COOPERATIVE_STICKY
}

/// Runs the named assignor. `partitions_per_topic`: partition counts of the subscribed topics (topics missing
/// from it are skipped, as Kafka does); `subscriptions`: member id → subscription (owned_partitions/generation_id
/// used by the sticky ones). Returns member id → assigned partitions (every member present, possibly empty,
/// sorted by topic then partition). Err for an unknown assignor name.
pub fn assign(
    name: &str,
    partitions_per_topic: &FlatMap<String, i32>,
    subscriptions: &FlatMap<String, Subscription>,
) -> Result<FlatMap<String, Vec<TopicPartition>>, String> {
    // `AbstractPartitionAssignor.assign(Cluster, GroupSubscription)`: only subscribed topics with partitions.
    // Owned names, not `&String`: a flat set of references takes std's binary
    // search, slow with a `memcmp` per step (see kafkaplay_flatmap's `search`).
    let mut subscribed: FlatSet<String> = FlatSet::new();
    for topic in subscriptions.values().flat_map(|s| s.topics.iter()) {
        if !subscribed.contains(topic.as_str()) {
            subscribed.insert(topic.clone());
        }
    }
    let partitions_per_topic: FlatMap<String, i32> = partitions_per_topic
        .iter()
        .filter(|(t, &n)| n > 0 && subscribed.contains(t.as_str()))
        .map(|(t, &n)| (t.clone(), n))
        .collect();
    let mut assignment = match name {
        RANGE => range(&partitions_per_topic, subscriptions),
        ROUND_ROBIN => round_robin(&partitions_per_topic, subscriptions),
        STICKY => sticky(&partitions_per_topic, subscriptions, false),
        COOPERATIVE_STICKY => sticky(&partitions_per_topic, subscriptions, true),
        _ => return Err(format!("unknown partition assignment strategy '{name}'")),
    };
    for member in subscriptions.keys() {
        assignment.entry(member.clone()).or_default();
    }
    for partitions in assignment.values_mut() {
        partitions.sort();
    }
    Ok(assignment)
}

/// The group's protocol choice (`ClassicGroup.selectProtocol`): the candidates are the protocols every member
/// supports; each member votes for the first candidate in its own list; the most votes win. Ties go to the
/// protocol met first when iterating Kafka's `HashMap<String, Integer>` of votes (by bucket of the name's hash,
/// then by first vote, members taken in the order given). None for no members or no common protocol.
pub fn select_protocol(members: &[Vec<String>]) -> Option<String> {
    let first = members.first()?;
    let candidates: Vec<&String> = first.iter().filter(|p| members.iter().all(|m| m.contains(p))).collect();
    // (protocol, votes) in insertion order of the votes map.
    let mut votes: Vec<(&String, u32)> = Vec::new();
    for member in members {
        let vote = member.iter().find(|p| candidates.contains(p))?;
        match votes.iter_mut().find(|(p, _)| *p == vote) {
            Some((_, n)) => *n += 1,
            None => votes.push((vote, 1)),
        }
    }
    let keys: Vec<&str> = votes.iter().map(|(p, _)| p.as_str()).collect();
    let order = java_hash_order(&keys, |k| java_string_hash(k), hash_capacity(keys.len()));
    // `Stream.max` keeps the first of equal maxima.
    let mut best: Option<(&String, u32)> = None;
    for i in order {
        let (p, n) = votes[i];
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((p, n));
        }
    }
    best.map(|(p, _)| p.clone())
}

/// `__consumer_offsets` partition of a group: Utils.abs(groupId.hashCode()) % partitions, with Java's
/// String.hashCode over UTF-16 code units and Utils.abs(Integer.MIN_VALUE) == 0.
pub fn group_partition(group_id: &str, offsets_topic_partitions: i32) -> i32 {
    let h = java_string_hash(group_id);
    let abs = if h == i32::MIN { 0 } else { h.abs() };
    abs % offsets_topic_partitions.max(1)
}

// ----- Java hashing and HashMap iteration order -----

/// `String.hashCode`: s[0]*31^(n-1) + ... over UTF-16 code units, wrapping.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(unit as i32))
}

/// `TopicPartition.hashCode`.
fn java_tp_hash(tp: &TopicPartition) -> i32 {
    31i32
        .wrapping_add(tp.partition)
        .wrapping_mul(31)
        .wrapping_add(java_string_hash(&tp.topic))
}

/// Table size of a `new HashMap<>()` after `len` puts (16, doubled whenever the size passes 3/4 of it).
fn hash_capacity(len: usize) -> usize {
    let mut capacity = 16;
    while len > capacity * 3 / 4 {
        capacity *= 2;
    }
    capacity
}

/// Indices of `keys` (given in insertion order) in `HashMap` iteration order: by bucket
/// `(h ^ h >>> 16) & (capacity - 1)`, then insertion order within a bucket.
fn java_hash_order<K>(keys: &[K], hash: impl Fn(&K) -> i32, capacity: usize) -> Vec<usize> {
    let mut order: Vec<(usize, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let h = hash(k) as u32;
            (((h ^ (h >> 16)) as usize) & (capacity - 1), i)
        })
        .collect();
    order.sort();
    order.into_iter().map(|(_, i)| i).collect()
}

/// Member ids in the order Kafka's assignors walk their `HashMap`s keyed by member id.
fn member_order(subscriptions: &FlatMap<String, Subscription>) -> Vec<String> {
    let keys: Vec<&String> = subscriptions.keys().collect();
    java_hash_order(&keys, |k| java_string_hash(k), hash_capacity(keys.len()))
        .into_iter()
        .map(|i| keys[i].clone())
        .collect()
}

// ----- RangeAssignor -----

/// Per topic: the subscribed members sorted by member id; each gets `n / m` contiguous partitions, the first
/// `n % m` one more.
fn range(
    partitions_per_topic: &FlatMap<String, i32>,
    subscriptions: &FlatMap<String, Subscription>,
) -> FlatMap<String, Vec<TopicPartition>> {
    let mut assignment: FlatMap<String, Vec<TopicPartition>> = FlatMap::new();
    for (topic, &count) in partitions_per_topic {
        // FlatMap keys: already sorted by member id (`MemberInfo.compareTo` without static members).
        let consumers: Vec<&String> = subscriptions
            .iter()
            .filter(|(_, s)| s.topics.contains(topic))
            .map(|(m, _)| m)
            .collect();
        if consumers.is_empty() {
            continue;
        }
        let n = consumers.len() as i32;
        let per_consumer = count / n;
        let with_extra = count % n;
        for (i, consumer) in consumers.iter().enumerate() {
            let i = i as i32;
            let start = per_consumer * i + i.min(with_extra);
            let length = per_consumer + if i + 1 > with_extra { 0 } else { 1 };
            let list = assignment.entry((*consumer).clone()).or_default();
            list.extend((start..start + length).map(|p| TopicPartition::new(topic, p)));
        }
    }
    assignment
}

// ----- RoundRobinAssignor -----

/// All partitions of the subscribed topics, topics sorted, dealt one by one over the members sorted by id,
/// skipping members not subscribed to the partition's topic.
fn round_robin(
    partitions_per_topic: &FlatMap<String, i32>,
    subscriptions: &FlatMap<String, Subscription>,
) -> FlatMap<String, Vec<TopicPartition>> {
    let members: Vec<(&String, &Subscription)> = subscriptions.iter().collect();
    let mut assignment: FlatMap<String, Vec<TopicPartition>> = FlatMap::new();
    let mut next = 0usize; // CircularIterator position
                           // `allPartitionsSorted`: a TreeSet of the subscribed topics; all of them are in the (filtered) map.
    for (topic, &count) in partitions_per_topic {
        for p in 0..count {
            while !members[next].1.topics.contains(topic) {
                next = (next + 1) % members.len();
            }
            assignment
                .entry(members[next].0.clone())
                .or_default()
                .push(TopicPartition::new(topic, p));
            next = (next + 1) % members.len();
        }
    }
    assignment
}

// ----- AbstractStickyAssignor -----

/// `MemberData.generation`: a subscription's generation, None below 0 (`Subscription.generationId()`).
fn generation(s: &Subscription) -> Option<i32> {
    (s.generation_id >= 0).then_some(s.generation_id)
}

/// `AbstractStickyAssignor.assignPartitions`, then `CooperativeStickyAssignor.adjustAssignment` if cooperative.
fn sticky(
    partitions_per_topic: &FlatMap<String, i32>,
    subscriptions: &FlatMap<String, Subscription>,
    cooperative: bool,
) -> FlatMap<String, Vec<TopicPartition>> {
    if subscriptions.is_empty() {
        return FlatMap::new();
    }
    let members = member_order(subscriptions);
    let owned = all_subscriptions_equal(partitions_per_topic, subscriptions, &members);
    let (mut assignment, transferring) = if owned.all_equal {
        let mut builder = Constrained::new(partitions_per_topic, owned.consumer_to_owned, owned.multiple_owners);
        let assignment = builder.build(&members);
        (assignment, builder.transferring)
    } else {
        let assignment = General::new(partitions_per_topic, subscriptions, owned.consumer_to_owned, &members)
            .build(owned.max_generation);
        let transferring = compute_partitions_transferring_ownership(subscriptions, &assignment);
        (assignment, transferring)
    };
    if cooperative {
        // `adjustAssignment`: a partition changing owner is first revoked; it is assigned in the next rebalance.
        for (tp, consumer) in &transferring {
            if let Some(list) = assignment.get_mut(consumer) {
                list.retain(|p| p != tp);
            }
        }
    }
    assignment
}

struct OwnedPartitions {
    all_equal: bool,
    max_generation: i32,
    /// Each member's still-valid owned partitions (every member present).
    consumer_to_owned: FlatMap<String, Vec<TopicPartition>>,
    /// Partitions claimed by two members of the same generation.
    multiple_owners: FlatSet<TopicPartition>,
}

/// `allSubscriptionsEqual`: whether every member subscribes to the same topics; also each member's owned
/// partitions (of existing topics), a partition claimed by two members going to the higher generation, or to
/// nobody when the generations are equal.
fn all_subscriptions_equal(
    partitions_per_topic: &FlatMap<String, i32>,
    subscriptions: &FlatMap<String, Subscription>,
    members: &[String],
) -> OwnedPartitions {
    let mut all_equal = true;
    let mut subscribed_topics: FlatSet<String> = FlatSet::new();
    let mut max_generation = DEFAULT_GENERATION;
    let mut consumer_to_owned: FlatMap<String, Vec<TopicPartition>> = FlatMap::new();
    let mut multiple_owners = FlatSet::new();
    let mut previous_owner: BTreeMap<TopicPartition, String> = BTreeMap::new();
    for consumer in members {
        let subscription = &subscriptions[consumer];
        if subscribed_topics.is_empty() {
            subscribed_topics = subscription.topics.iter().cloned().collect();
        } else if all_equal
            && !(subscription.topics.len() == subscribed_topics.len()
                && subscription
                    .topics
                    .iter()
                    .all(|t| subscribed_topics.contains(t.as_str())))
        {
            all_equal = false;
        }
        let member_generation = generation(subscription).unwrap_or(DEFAULT_GENERATION);
        max_generation = max_generation.max(member_generation);
        consumer_to_owned.insert(consumer.clone(), Vec::new());
        for tp in &subscription.owned_partitions {
            if !partitions_per_topic.contains_key(tp.topic.as_str()) {
                continue;
            }
            match previous_owner.get(tp).cloned() {
                None => {
                    consumer_to_owned.get_mut(consumer).unwrap().push(tp.clone());
                    previous_owner.insert(tp.clone(), consumer.clone());
                }
                Some(other) => {
                    let other_generation = generation(&subscriptions[&other]).unwrap_or(DEFAULT_GENERATION);
                    if member_generation == other_generation {
                        multiple_owners.insert(tp.clone());
                        consumer_to_owned.get_mut(&other).unwrap().retain(|p| p != tp);
                        previous_owner.insert(tp.clone(), consumer.clone());
                    } else if member_generation > other_generation {
                        consumer_to_owned.get_mut(consumer).unwrap().push(tp.clone());
                        consumer_to_owned.get_mut(&other).unwrap().retain(|p| p != tp);
                        previous_owner.insert(tp.clone(), consumer.clone());
                    }
                }
            }
        }
    }
    OwnedPartitions {
        all_equal,
        max_generation,
        consumer_to_owned,
        multiple_owners,
    }
}

/// `CooperativeStickyAssignor.computePartitionsTransferringOwnership`: partitions newly assigned to one member
/// and revoked from another.
fn compute_partitions_transferring_ownership(
    subscriptions: &FlatMap<String, Subscription>,
    assignment: &FlatMap<String, Vec<TopicPartition>>,
) -> BTreeMap<TopicPartition, String> {
    let mut added: BTreeMap<TopicPartition, String> = BTreeMap::new();
    let mut revoked: BTreeSet<TopicPartition> = BTreeSet::new();
    for (consumer, assigned) in assignment {
        let owned = &subscriptions[consumer].owned_partitions;
        for tp in assigned {
            if !owned.contains(tp) {
                added.insert(tp.clone(), consumer.clone());
            }
        }
        for tp in owned {
            if !assigned.contains(tp) {
                revoked.insert(tp.clone());
            }
        }
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

/// `ConstrainedAssignmentBuilder`: every member subscribes to the same topics.
struct Constrained<'a> {
    partitions_per_topic: &'a FlatMap<String, i32>,
    current_assignment: FlatMap<String, Vec<TopicPartition>>,
    multiple_owners: FlatSet<TopicPartition>,
    maybe_revoked: BTreeMap<TopicPartition, String>,
    under_min_quota: Vec<String>,
    exactly_min_quota: VecDeque<String>,
    min_quota: usize,
    max_quota: usize,
    expected_over_min_quota: usize,
    current_over_min_quota: usize,
    assignment: FlatMap<String, Vec<TopicPartition>>,
    transferring: BTreeMap<TopicPartition, String>,
}

impl<'a> Constrained<'a> {
    fn new(
        partitions_per_topic: &'a FlatMap<String, i32>,
        current_assignment: FlatMap<String, Vec<TopicPartition>>,
        multiple_owners: FlatSet<TopicPartition>,
    ) -> Self {
        let total: usize = partitions_per_topic.values().map(|&n| n as usize).sum();
        let consumers = current_assignment.len();
        let assignment = current_assignment.keys().map(|c| (c.clone(), Vec::new())).collect();
        Constrained {
            partitions_per_topic,
            current_assignment,
            multiple_owners,
            maybe_revoked: BTreeMap::new(),
            under_min_quota: Vec::new(),
            exactly_min_quota: VecDeque::new(),
            min_quota: total / consumers,
            max_quota: total.div_ceil(consumers),
            expected_over_min_quota: total % consumers,
            current_over_min_quota: 0,
            assignment,
            transferring: BTreeMap::new(),
        }
    }

    fn build(&mut self, members: &[String]) -> FlatMap<String, Vec<TopicPartition>> {
        let assigned = self.assign_owned_partitions(members);
        let unassigned: Vec<TopicPartition> = self
            .partitions_per_topic
            .iter()
            .flat_map(|(t, &n)| (0..n).map(move |p| TopicPartition::new(t, p)))
            .filter(|tp| !assigned.contains(tp))
            .collect();
        self.under_min_quota.sort();
        self.exactly_min_quota.make_contiguous().sort();
        self.assign_round_robin(&unassigned);
        std::mem::take(&mut self.assignment)
    }

    /// `assignOwnedPartitions`: keep owned partitions up to the quotas, members walked in Kafka's map order.
    fn assign_owned_partitions(&mut self, members: &[String]) -> BTreeSet<TopicPartition> {
        let mut assigned = BTreeSet::new();
        for consumer in members {
            let mut owned = self.current_assignment[consumer].clone();
            owned.sort_by(|a, b| a.partition.cmp(&b.partition).then_with(|| a.topic.cmp(&b.topic)));
            owned.retain(|tp| !self.multiple_owners.contains(tp));
            let keep = if owned.len() < self.min_quota {
                self.under_min_quota.push(consumer.clone());
                owned.len()
            } else if owned.len() >= self.max_quota && self.current_over_min_quota < self.expected_over_min_quota {
                self.current_over_min_quota += 1;
                if self.current_over_min_quota == self.expected_over_min_quota {
                    self.exactly_min_quota.clear();
                }
                self.max_quota
            } else {
                if self.current_over_min_quota < self.expected_over_min_quota {
                    self.exactly_min_quota.push_back(consumer.clone());
                }
                self.min_quota
            };
            for tp in owned.drain(keep..) {
                self.maybe_revoked.insert(tp, consumer.clone());
            }
            assigned.extend(owned.iter().cloned());
            self.assignment.get_mut(consumer).unwrap().extend(owned);
        }
        assigned
    }

    /// `assignRoundRobin`: fill the members under `minQuota` in turn, then those at `minQuota` up to `maxQuota`.
    fn assign_round_robin(&mut self, unassigned: &[TopicPartition]) {
        // A java.util.Iterator over `under_min_quota`: next index and the index last returned.
        let mut cursor = 0usize;
        let mut last_returned: Option<usize> = None;
        for tp in unassigned {
            let consumer = if cursor < self.under_min_quota.len() {
                last_returned = Some(cursor);
                cursor += 1;
                self.under_min_quota[cursor - 1].clone()
            } else if self.under_min_quota.is_empty() && self.exactly_min_quota.is_empty() {
                // Kafka throws "No more unfilled consumers to be assigned." (a bug in the algorithm).
                debug_assert!(false, "no more unfilled consumers to be assigned");
                return;
            } else if self.under_min_quota.is_empty() {
                self.exactly_min_quota.pop_front().unwrap()
            } else {
                cursor = 1;
                last_returned = Some(0);
                self.under_min_quota[0].clone()
            };
            let count = self.assign_new_partition(tp, &consumer);
            if count == self.min_quota {
                if let Some(i) = last_returned.take() {
                    self.under_min_quota.remove(i);
                    cursor = i;
                }
                self.exactly_min_quota.push_back(consumer);
            } else if count == self.max_quota {
                self.current_over_min_quota += 1;
            }
        }
    }

    fn assign_new_partition(&mut self, tp: &TopicPartition, consumer: &str) -> usize {
        let list = self.assignment.get_mut(consumer).unwrap();
        list.push(tp.clone());
        if self.maybe_revoked.get(tp).is_some_and(|c| c != consumer) || self.multiple_owners.contains(tp) {
            self.transferring.insert(tp.clone(), consumer.to_string());
        }
        list.len()
    }
}

/// A `java.util.HashSet<TopicPartition>`: its elements in insertion order and its table size, so that
/// `iterator().next()` picks what Java would.
#[derive(Default)]
struct JavaTpSet {
    items: Vec<TopicPartition>,
    capacity: usize,
}

impl JavaTpSet {
    fn insert(&mut self, tp: TopicPartition) {
        if !self.items.contains(&tp) {
            self.items.push(tp);
            self.capacity = self.capacity.max(hash_capacity(self.items.len()));
        }
    }

    fn first(&self) -> &TopicPartition {
        let order = java_hash_order(&self.items, java_tp_hash, self.capacity.max(16));
        &self.items[order[0]]
    }
}

/// `PartitionMovements`: where each moved partition came from, to keep moves sticky.
#[derive(Default)]
struct PartitionMovements {
    /// topic → (src, dst) → partitions moved from src to dst.
    by_topic: FlatMap<String, FlatMap<(String, String), JavaTpSet>>,
    movements: BTreeMap<TopicPartition, (String, String)>,
}

impl PartitionMovements {
    fn remove_movement_record(&mut self, tp: &TopicPartition) -> (String, String) {
        let pair = self.movements.remove(tp).expect("moved partition");
        let for_topic = self.by_topic.get_mut(tp.topic.as_str()).unwrap();
        let set = for_topic.get_mut(&pair).unwrap();
        set.items.retain(|p| p != tp);
        if set.items.is_empty() {
            for_topic.remove(&pair);
        }
        if for_topic.is_empty() {
            self.by_topic.remove(tp.topic.as_str());
        }
        pair
    }

    fn add_movement_record(&mut self, tp: &TopicPartition, pair: (String, String)) {
        self.movements.insert(tp.clone(), pair.clone());
        self.by_topic
            .entry(tp.topic.to_string())
            .or_default()
            .entry(pair)
            .or_default()
            .insert(tp.clone());
    }

    fn move_partition(&mut self, tp: &TopicPartition, old: &str, new: &str) {
        if self.movements.contains_key(tp) {
            let (src, _dst) = self.remove_movement_record(tp);
            if src != new {
                self.add_movement_record(tp, (src, new.to_string()));
            }
        } else {
            self.add_movement_record(tp, (old.to_string(), new.to_string()));
        }
    }

    /// `getTheActualPartitionToBeMoved`: prefer moving back a partition that earlier moved the other way.
    fn actual_partition_to_move(&self, tp: &TopicPartition, old: &str, new: &str) -> TopicPartition {
        let Some(for_topic) = self.by_topic.get(tp.topic.as_str()) else {
            return tp.clone();
        };
        let old = self.movements.get(tp).map_or(old, |(src, _)| src.as_str());
        match for_topic.get(&(new.to_string(), old.to_string())) {
            Some(set) => set.first().clone(),
            None => tp.clone(),
        }
    }
}

/// `GeneralAssignmentBuilder`: members subscribe to different topics.
struct General<'a> {
    partitions_per_topic: &'a FlatMap<String, i32>,
    subscriptions: &'a FlatMap<String, Subscription>,
    members: &'a [String],
    total_partitions: usize,
    topic_to_consumers: FlatMap<String, Vec<String>>,
    consumer_to_topics: FlatMap<String, Vec<String>>,
    current_assignment: FlatMap<String, Vec<TopicPartition>>,
    current_partition_consumer: BTreeMap<TopicPartition, String>,
    sorted_all_partitions: Vec<TopicPartition>,
    /// `sortedCurrentSubscriptions`: a TreeSet ordered by assignment size, then member id.
    sorted_subscriptions: FlatSet<(usize, String)>,
    revocation_required: bool,
    movements: PartitionMovements,
}

impl<'a> General<'a> {
    fn new(
        partitions_per_topic: &'a FlatMap<String, i32>,
        subscriptions: &'a FlatMap<String, Subscription>,
        mut current_assignment: FlatMap<String, Vec<TopicPartition>>,
        members: &'a [String],
    ) -> Self {
        let mut topic_to_consumers: FlatMap<String, Vec<String>> =
            partitions_per_topic.keys().map(|t| (t.clone(), Vec::new())).collect();
        let mut consumer_to_topics = FlatMap::new();
        for consumer in members {
            let mut topics = Vec::new();
            for topic in &subscriptions[consumer].topics {
                if let Some(consumers) = topic_to_consumers.get_mut(topic) {
                    topics.push(topic.clone());
                    consumers.push(consumer.clone());
                }
            }
            consumer_to_topics.insert(consumer.clone(), topics);
            current_assignment.entry(consumer.clone()).or_default();
        }
        let mut current_partition_consumer = BTreeMap::new();
        for consumer in members {
            for tp in &current_assignment[consumer] {
                current_partition_consumer.insert(tp.clone(), consumer.clone());
            }
        }
        // `TopicComparator`: fewest potential consumers first, then by name.
        let mut sorted_topics: Vec<&String> = topic_to_consumers.keys().collect();
        sorted_topics.sort_by_key(|t| (topic_to_consumers[*t].len(), *t));
        let sorted_all_partitions = sorted_topics
            .iter()
            .flat_map(|t| (0..partitions_per_topic[*t]).map(move |p| TopicPartition::new(t, p)))
            .collect();
        General {
            partitions_per_topic,
            subscriptions,
            members,
            total_partitions: partitions_per_topic.values().map(|&n| n as usize).sum(),
            topic_to_consumers,
            consumer_to_topics,
            current_assignment,
            current_partition_consumer,
            sorted_all_partitions,
            sorted_subscriptions: FlatSet::new(),
            revocation_required: false,
            movements: PartitionMovements::default(),
        }
    }

    fn build(mut self, max_generation: i32) -> FlatMap<String, Vec<TopicPartition>> {
        let prev_assignment = self.prepopulate_current_assignments(max_generation);
        let assigned = self.assign_owned_partitions();
        let unassigned: Vec<TopicPartition> = self
            .sorted_all_partitions
            .iter()
            .filter(|tp| !assigned.contains(*tp))
            .cloned()
            .collect();
        let members: Vec<String> = self.current_assignment.keys().cloned().collect();
        for consumer in members {
            self.put_sorted(&consumer);
        }
        self.balance(&prev_assignment, unassigned);
        self.current_assignment
    }

    fn size(&self, consumer: &str) -> usize {
        self.current_assignment.get(consumer).map_or(0, Vec::len)
    }

    fn take_sorted(&mut self, consumer: &str) {
        let key = (self.size(consumer), consumer.to_string());
        self.sorted_subscriptions.remove(&key);
    }

    fn put_sorted(&mut self, consumer: &str) {
        let key = (self.size(consumer), consumer.to_string());
        self.sorted_subscriptions.insert(key);
    }

    fn sorted_first(&self) -> &str {
        &self.sorted_subscriptions.first().unwrap().1
    }

    fn sorted_last(&self) -> &str {
        &self.sorted_subscriptions.last().unwrap().1
    }

    /// `prepopulateCurrentAssignments`: partitions members of older generations held (the latest one wins).
    fn prepopulate_current_assignments(&self, max_generation: i32) -> BTreeMap<TopicPartition, (String, i32)> {
        let mut prev: BTreeMap<TopicPartition, (String, i32)> = BTreeMap::new();
        for consumer in self.members {
            let subscription = &self.subscriptions[consumer];
            let generation = match generation(subscription) {
                Some(g) if g < max_generation => g,
                None if max_generation > DEFAULT_GENERATION => DEFAULT_GENERATION,
                _ => continue,
            };
            for tp in &subscription.owned_partitions {
                match prev.get(tp) {
                    Some((_, g)) if generation <= *g => {}
                    _ => {
                        prev.insert(tp.clone(), (consumer.clone(), generation));
                    }
                }
            }
        }
        prev
    }

    /// `assignOwnedPartitions`: keep owned partitions of topics the owner still subscribes to.
    fn assign_owned_partitions(&mut self) -> BTreeSet<TopicPartition> {
        let mut assigned = BTreeSet::new();
        for (consumer, partitions) in self.current_assignment.iter_mut() {
            let topics = &self.subscriptions[consumer].topics;
            let mut kept = Vec::new();
            for tp in partitions.drain(..) {
                if !self.topic_to_consumers.contains_key(tp.topic.as_str()) {
                    self.current_partition_consumer.remove(&tp);
                } else if !topics.iter().any(|t| *t == tp.topic) {
                    self.revocation_required = true;
                } else {
                    assigned.insert(tp.clone());
                    kept.push(tp);
                }
            }
            *partitions = kept;
        }
        assigned
    }

    fn max_assignment_size(&self, topics: &[String]) -> usize {
        if topics.len() == self.partitions_per_topic.len() {
            self.total_partitions
        } else {
            topics.iter().map(|t| self.partitions_per_topic[t] as usize).sum()
        }
    }

    fn can_topic_participate(&self, topic: &str) -> bool {
        self.topic_to_consumers[topic].len() >= 2
    }

    fn can_consumer_participate(&self, consumer: &str) -> bool {
        let partitions = &self.current_assignment[consumer];
        if partitions.len() < self.max_assignment_size(&self.consumer_to_topics[consumer]) {
            return true;
        }
        partitions.iter().any(|tp| self.can_topic_participate(&tp.topic))
    }

    /// `maybeAssignPartition`: to the least loaded member subscribed to the topic.
    fn maybe_assign_partition(&mut self, tp: &TopicPartition) {
        let consumer = self
            .sorted_subscriptions
            .iter()
            .map(|(_, c)| c)
            .find(|c| self.consumer_to_topics[*c].iter().any(|t| *t == tp.topic))
            .cloned();
        if let Some(consumer) = consumer {
            self.take_sorted(&consumer);
            self.current_assignment.get_mut(&consumer).unwrap().push(tp.clone());
            self.current_partition_consumer.insert(tp.clone(), consumer.clone());
            self.put_sorted(&consumer);
        }
    }

    fn balance(&mut self, prev: &BTreeMap<TopicPartition, (String, i32)>, mut unassigned: Vec<TopicPartition>) {
        let initializing = self.current_assignment[self.sorted_last()].is_empty();
        for tp in &unassigned {
            if !self.topic_to_consumers[tp.topic.as_str()].is_empty() {
                self.maybe_assign_partition(tp);
            }
        }
        // Only partitions of topics with two or more potential consumers can move.
        let fixed_topics: FlatSet<String> = self
            .topic_to_consumers
            .keys()
            .filter(|t| !self.can_topic_participate(t))
            .cloned()
            .collect();
        self.sorted_all_partitions
            .retain(|tp| !fixed_topics.contains(tp.topic.as_str()));
        unassigned.retain(|tp| !fixed_topics.contains(tp.topic.as_str()));
        // Only members that can gain or lose a partition take part.
        let mut fixed_assignments: Vec<(String, Vec<TopicPartition>)> = Vec::new();
        let consumers: Vec<String> = self.consumer_to_topics.keys().cloned().collect();
        for consumer in consumers {
            if !self.can_consumer_participate(&consumer) {
                self.take_sorted(&consumer);
                let partitions = self.current_assignment.remove(&consumer).unwrap();
                fixed_assignments.push((consumer, partitions));
            }
        }
        let pre_balance_assignment = self.current_assignment.clone();
        let pre_balance_partition_consumer = self.current_partition_consumer.clone();
        if !self.revocation_required {
            self.perform_reassignments(&unassigned, prev);
        }
        let all = self.sorted_all_partitions.clone();
        let performed = self.perform_reassignments(&all, prev);
        if !initializing
            && performed
            && balance_score(&self.current_assignment) >= balance_score(&pre_balance_assignment)
        {
            self.current_assignment = pre_balance_assignment;
            self.current_partition_consumer = pre_balance_partition_consumer;
        }
        for (consumer, partitions) in fixed_assignments {
            self.current_assignment.insert(consumer, partitions);
        }
    }

    /// `isBalanced`: sizes differ by at most one, or no member could take a partition from a fuller one.
    fn is_balanced(&self) -> bool {
        let min = self.size(self.sorted_first());
        let max = self.size(self.sorted_last());
        if min + 1 >= max {
            return true;
        }
        let mut owner: BTreeMap<&TopicPartition, &String> = BTreeMap::new();
        for (consumer, partitions) in &self.current_assignment {
            for tp in partitions {
                owner.insert(tp, consumer);
            }
        }
        for (_, consumer) in &self.sorted_subscriptions {
            let partitions = &self.current_assignment[consumer];
            let count = partitions.len();
            let topics = &self.consumer_to_topics[consumer];
            if count == self.max_assignment_size(topics) {
                continue;
            }
            for topic in topics {
                for p in 0..self.partitions_per_topic[topic] {
                    let tp = TopicPartition::new(topic, p);
                    if partitions.contains(&tp) {
                        continue;
                    }
                    if let Some(other) = owner.get(&tp) {
                        if count + 1 < self.size(other) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    fn perform_reassignments(
        &mut self,
        partitions: &[TopicPartition],
        prev: &BTreeMap<TopicPartition, (String, i32)>,
    ) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(consumer) = self.current_partition_consumer.get(tp).cloned() else {
                    continue;
                };
                if let Some((prev_consumer, _)) = prev.get(tp) {
                    if self.current_assignment.contains_key(prev_consumer)
                        && self.size(&consumer) > self.size(prev_consumer) + 1
                    {
                        self.reassign_partition_to(tp, prev_consumer);
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                let size = self.size(&consumer);
                if self.topic_to_consumers[tp.topic.as_str()]
                    .iter()
                    .any(|other| size > self.size(other) + 1)
                {
                    self.reassign_partition(tp);
                    performed = true;
                    modified = true;
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    /// `reassignPartition(partition)`: to the least loaded member subscribed to its topic.
    fn reassign_partition(&mut self, tp: &TopicPartition) {
        let new = self
            .sorted_subscriptions
            .iter()
            .map(|(_, c)| c)
            .find(|c| self.consumer_to_topics[*c].iter().any(|t| *t == tp.topic))
            .cloned()
            .expect("a member subscribed to the topic");
        self.reassign_partition_to(tp, &new);
    }

    fn reassign_partition_to(&mut self, tp: &TopicPartition, new: &str) {
        let consumer = self.current_partition_consumer[tp].clone();
        let actual = self.movements.actual_partition_to_move(tp, &consumer, new);
        self.process_partition_movement(&actual, new);
    }

    fn process_partition_movement(&mut self, tp: &TopicPartition, new: &str) {
        let old = self.current_partition_consumer[tp].clone();
        self.take_sorted(&old);
        self.take_sorted(new);
        self.movements.move_partition(tp, &old, new);
        self.current_assignment.get_mut(&old).unwrap().retain(|p| p != tp);
        self.current_assignment.get_mut(new).unwrap().push(tp.clone());
        self.current_partition_consumer.insert(tp.clone(), new.to_string());
        self.put_sorted(new);
        self.put_sorted(&old);
    }
}

/// `getBalanceScore`: the sum over member pairs of their size difference (0 is perfectly balanced).
fn balance_score(assignment: &FlatMap<String, Vec<TopicPartition>>) -> usize {
    let sizes: Vec<usize> = assignment.values().map(Vec::len).collect();
    let mut score = 0;
    for (i, a) in sizes.iter().enumerate() {
        for b in &sizes[i + 1..] {
            score += a.abs_diff(*b);
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hashes_and_map_order() {
        // Values from Java: "range".hashCode() = 108280125, TopicPartition("t", 0).hashCode() = 31 * 31 + 116.
        assert_eq!(java_string_hash("range"), 108280125);
        assert_eq!(java_tp_hash(&TopicPartition::new("t", 0)), 1077);
        assert_eq!(
            (
                hash_capacity(0),
                hash_capacity(12),
                hash_capacity(13),
                hash_capacity(25)
            ),
            (16, 16, 32, 64)
        );
        // "range" → bucket 9, "cooperative-sticky" → 15, "sticky" → 8 (of 16).
        let keys = ["cooperative-sticky", "range", "sticky"];
        assert_eq!(java_hash_order(&keys, |k| java_string_hash(k), 16), vec![2, 1, 0]);
    }
}
