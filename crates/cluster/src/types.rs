//! Identifiers: node ids, topic-partitions, Kafka's `Uuid` (TopicId).

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

/// A broker's or controller's `node.id`.
pub type NodeId = i32;

/// Simulated milliseconds since the simulation started (plus the configured
/// wall-clock origin, so timestamps look like real ones).
pub type Ms = i64;

/// `-1`: no leader, no node.
pub const NO_NODE: NodeId = -1;

/// A topic's name, shared: cloning one is a reference count, and names are
/// interned per thread, so two names built from the same text are usually the
/// same allocation and compare by pointer. They order, compare and hash by
/// their text, like `String`.
///
/// Why not a `String`: a broker keys its replicas, fetch sessions and
/// high-watermark checkpoints by [`TopicPartition`], so a 5,000-partition
/// create made hundreds of thousands of string clones and compares. Why not
/// an interning crate: those compare interned values by address, and the
/// simulation needs the names' own order (Kafka's outputs are sorted by it).
#[derive(Clone)]
pub struct Topic(Arc<str>);

thread_local! {
    /// The names seen on this thread. Topic names are few (a playground or a
    /// test has tens), so they are kept for the thread's life.
    static TOPICS: RefCell<HashSet<Arc<str>>> = RefCell::new(HashSet::new());
}

impl Topic {
    pub fn new(name: &str) -> Topic {
        TOPICS.with(|t| {
            let mut t = t.borrow_mut();
            if let Some(a) = t.get(name) {
                return Topic(Arc::clone(a));
            }
            let a: Arc<str> = Arc::from(name);
            t.insert(Arc::clone(&a));
            Topic(a)
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Topic {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Topic {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Topic {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Topic {
    fn from(s: &str) -> Topic {
        Topic::new(s)
    }
}

impl From<&String> for Topic {
    fn from(s: &String) -> Topic {
        Topic::new(s)
    }
}

impl From<String> for Topic {
    fn from(s: String) -> Topic {
        Topic::new(&s)
    }
}

impl PartialEq for Topic {
    fn eq(&self, other: &Topic) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl Eq for Topic {}

impl PartialEq<str> for Topic {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Topic {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Topic {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Topic> for str {
    fn eq(&self, other: &Topic) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Topic> for &str {
    fn eq(&self, other: &Topic) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Topic> for String {
    fn eq(&self, other: &Topic) -> bool {
        **self == *other.0
    }
}

impl Ord for Topic {
    fn cmp(&self, other: &Topic) -> std::cmp::Ordering {
        if Arc::ptr_eq(&self.0, &other.0) {
            std::cmp::Ordering::Equal
        } else {
            self.0.cmp(&other.0)
        }
    }
}

impl PartialOrd for Topic {
    fn partial_cmp(&self, other: &Topic) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for Topic {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl fmt::Debug for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Topic {
    /// As a `str`'s: width, fill and alignment apply (`{:<30}` pads).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: Topic,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: &str, partition: i32) -> Self {
        TopicPartition {
            topic: Topic::new(topic),
            partition,
        }
    }

    /// A partition of a topic whose name is already at hand (no lookup).
    pub fn of(topic: &Topic, partition: i32) -> Self {
        TopicPartition {
            topic: topic.clone(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    /// Kafka's `topic-partition` form, e.g. `orders-0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// Kafka's `Uuid` (a TopicId): 128 bits shown as 22 characters of URL-safe base64
/// without padding, e.g. `OtpWoj4YTQGnkwm0QcMM5w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uuid(pub u128);

impl Uuid {
    pub const ZERO: Uuid = Uuid(0);
    /// `Uuid.METADATA_TOPIC_ID`: 0x...01, reserved for `__cluster_metadata`.
    pub const METADATA_TOPIC_ID: Uuid = Uuid(1);

    /// `Uuid.randomUuid()` from the simulation's generator: never the zero or
    /// metadata ids, and never one whose text starts with `-` (Kafka rejects
    /// those because they look like command-line flags).
    pub fn random(rng: &mut oorandom::Rand64) -> Uuid {
        loop {
            let hi = rng.rand_u64() as u128;
            let lo = rng.rand_u64() as u128;
            let u = Uuid((hi << 64) | lo);
            if u != Uuid::ZERO && u != Uuid::METADATA_TOPIC_ID && !u.to_string().starts_with('-') {
                return u;
            }
        }
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let bytes = self.0.to_be_bytes();
        let mut out = String::with_capacity(22);
        for chunk in bytes.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_compare_and_print_as_their_text() {
        let a = Topic::new("orders");
        let b = Topic::from(String::from("orders"));
        assert!(Arc::ptr_eq(&a.0, &b.0), "interned per thread");
        assert_eq!(a, b);
        assert_eq!(a, "orders");
        // Not interned (another thread's copy would be): still equal by text.
        let c = Topic(Arc::from("orders"));
        assert_eq!(a, c);
        assert_eq!(a.cmp(&c), std::cmp::Ordering::Equal);
        assert!(Topic::new("a") < Topic::new("b") && Topic::new("b") > Topic::new("a"));
        let mut tps = [
            TopicPartition::new("b", 0),
            TopicPartition::new("a", 10),
            TopicPartition::new("a", 2),
        ];
        tps.sort();
        assert_eq!(tps.map(|tp| tp.to_string()), ["a-2", "a-10", "b-0"]);
        assert_eq!(format!("[{:<8}]", a), "[orders  ]");
        assert_eq!(format!("[{:>8}]", a), "[  orders]");
        assert_eq!(format!("{a:?}"), "\"orders\"");
    }

    #[test]
    fn uuid_text_is_kafkas() {
        // Kafka's UuidTest: new Uuid(0L, 1L) prints "AAAAAAAAAAAAAAAAAAAAAQ".
        assert_eq!(Uuid(1).to_string(), "AAAAAAAAAAAAAAAAAAAAAQ");
        assert_eq!(Uuid(u128::MAX).to_string(), "_____________________w");
        let mut rng = oorandom::Rand64::new(7);
        for _ in 0..1000 {
            let u = Uuid::random(&mut rng);
            assert_eq!(u.to_string().len(), 22);
            assert!(!u.to_string().starts_with('-'));
        }
    }
}
