//! Identifiers: node ids, topic-partitions, Kafka's `Uuid` (TopicId).

use std::fmt;

/// A broker's or controller's `node.id`.
pub type NodeId = i32;

/// Simulated milliseconds since the simulation started (plus the configured
/// wall-clock origin, so timestamps look like real ones).
pub type Ms = i64;

/// `-1`: no leader, no node.
pub const NO_NODE: NodeId = -1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: &str, partition: i32) -> Self {
        TopicPartition {
            topic: topic.to_string(),
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
