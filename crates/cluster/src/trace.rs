//! What the simulation reports: every delivered message and every state change
//! that a learner (or a test) can observe, as stable text lines whose running
//! CRC-64 is the determinism fingerprint.

use std::collections::VecDeque;
use std::fmt;

use crate::types::{Ms, NodeId, TopicPartition};

/// A state change worth showing. Nodes emit these through their `Ctx`.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A controller won a quorum election.
    ControllerElected {
        epoch: i32,
        leader: NodeId,
    },
    /// A controller became a follower or candidate.
    ControllerState {
        state: &'static str,
        epoch: i32,
    },
    BrokerRegistered {
        broker: NodeId,
        broker_epoch: i64,
    },
    BrokerFenced {
        broker: NodeId,
        reason: &'static str,
    },
    BrokerUnfenced {
        broker: NodeId,
    },
    TopicCreated {
        topic: String,
        partitions: i32,
        replication_factor: i16,
    },
    TopicDeleted {
        topic: String,
    },
    /// The controller chose a leader (`none` = -1). `reason`: `clean`, `unclean`,
    /// `preferred`, `controlled shutdown`, `no eligible replica`, ...
    LeaderElected {
        tp: TopicPartition,
        leader: NodeId,
        leader_epoch: i32,
        isr: Vec<NodeId>,
        reason: &'static str,
    },
    IsrChanged {
        tp: TopicPartition,
        isr: Vec<NodeId>,
        reason: &'static str,
    },
    /// A broker started leading or following a partition.
    ReplicaRole {
        tp: TopicPartition,
        broker: NodeId,
        role: &'static str,
        leader_epoch: i32,
    },
    HighWatermark {
        tp: TopicPartition,
        broker: NodeId,
        high_watermark: i64,
    },
    /// A follower truncated its log (KIP-101/279), or an unclean leader's
    /// followers lost records: offsets `[from, to)` are gone from this replica.
    Truncated {
        tp: TopicPartition,
        broker: NodeId,
        from: i64,
        to: i64,
    },
    /// A broker came back and recovered its logs.
    LogRecovered {
        broker: NodeId,
        partitions: u32,
        truncated_bytes: u64,
    },
    /// Produce results as a client saw them.
    ProduceAcked {
        producer: NodeId,
        tp: TopicPartition,
        base_offset: i64,
        records: u32,
    },
    ProduceFailed {
        producer: NodeId,
        tp: TopicPartition,
        error: String,
        records: u32,
    },
    /// A consumer group changed state (`GroupCoordinator`'s transitions): the
    /// generation and the member count after the change.
    GroupState {
        group: String,
        state: &'static str,
        generation: i32,
        members: u32,
    },
    /// A group's offset commit is in the log below the high watermark.
    OffsetCommitted {
        group: String,
        tp: TopicPartition,
        offset: i64,
    },
    /// Anything else, in words.
    Note(String),
}

impl fmt::Display for Observation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Observation::*;
        match self {
            ControllerElected { epoch, leader } => write!(f, "controller-elected epoch={epoch} leader={leader}"),
            ControllerState { state, epoch } => write!(f, "controller-state {state} epoch={epoch}"),
            BrokerRegistered { broker, broker_epoch } => write!(f, "broker-registered {broker} epoch={broker_epoch}"),
            BrokerFenced { broker, reason } => write!(f, "broker-fenced {broker} ({reason})"),
            BrokerUnfenced { broker } => write!(f, "broker-unfenced {broker}"),
            TopicCreated {
                topic,
                partitions,
                replication_factor,
            } => {
                write!(
                    f,
                    "topic-created {topic} partitions={partitions} rf={replication_factor}"
                )
            }
            TopicDeleted { topic } => write!(f, "topic-deleted {topic}"),
            LeaderElected {
                tp,
                leader,
                leader_epoch,
                isr,
                reason,
            } => {
                write!(
                    f,
                    "leader {tp} leader={leader} epoch={leader_epoch} isr={isr:?} ({reason})"
                )
            }
            IsrChanged { tp, isr, reason } => write!(f, "isr {tp} {isr:?} ({reason})"),
            ReplicaRole {
                tp,
                broker,
                role,
                leader_epoch,
            } => write!(f, "role {tp} broker={broker} {role} epoch={leader_epoch}"),
            HighWatermark {
                tp,
                broker,
                high_watermark,
            } => write!(f, "hw {tp} broker={broker} {high_watermark}"),
            Truncated { tp, broker, from, to } => write!(f, "truncated {tp} broker={broker} [{from},{to})"),
            LogRecovered {
                broker,
                partitions,
                truncated_bytes,
            } => {
                write!(
                    f,
                    "log-recovered broker={broker} partitions={partitions} truncated_bytes={truncated_bytes}"
                )
            }
            ProduceAcked {
                producer,
                tp,
                base_offset,
                records,
            } => {
                write!(
                    f,
                    "produce-acked producer={producer} {tp} offset={base_offset} n={records}"
                )
            }
            ProduceFailed {
                producer,
                tp,
                error,
                records,
            } => write!(f, "produce-failed producer={producer} {tp} {error} n={records}"),
            GroupState {
                group,
                state,
                generation,
                members,
            } => write!(f, "group {group} {state} generation={generation} members={members}"),
            OffsetCommitted { group, tp, offset } => write!(f, "offset-committed {group} {tp}={offset}"),
            Note(s) => f.write_str(s),
        }
    }
}

/// `value`'s text, written once into a buffer sized for a typical trace line
/// (`to_string` grows its buffer several times on the way).
pub fn text(value: impl fmt::Display) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(128);
    let _ = write!(s, "{value}");
    s
}

/// Appends `n` in decimal, as `Display` writes it (without the formatting
/// machinery, which costs more than the digits on the trace's hot path).
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_uint(out, n.unsigned_abs());
}

/// Appends `v` in decimal (`itoa`: the trace writes hundreds of thousands of
/// numbers in a large create, and `write!` goes through `fmt`'s machinery).
pub fn push_uint(out: &mut String, v: u64) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// Appends `tp` as `topic-partition` (its `Display`).
pub fn push_tp(out: &mut String, tp: &TopicPartition) {
    out.push_str(&tp.topic);
    out.push('-');
    push_int(out, tp.partition.into());
}

impl Observation {
    /// The observation's text (its `Display`), written directly for the
    /// variants every replica and every produce reports.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(64);
        match self {
            Observation::ReplicaRole {
                tp,
                broker,
                role,
                leader_epoch,
            } => {
                out.push_str("role ");
                push_tp(&mut out, tp);
                out.push_str(" broker=");
                push_int(&mut out, (*broker).into());
                out.push(' ');
                out.push_str(role);
                out.push_str(" epoch=");
                push_int(&mut out, (*leader_epoch).into());
            }
            Observation::HighWatermark {
                tp,
                broker,
                high_watermark,
            } => {
                out.push_str("hw ");
                push_tp(&mut out, tp);
                out.push_str(" broker=");
                push_int(&mut out, (*broker).into());
                out.push(' ');
                push_int(&mut out, *high_watermark);
            }
            Observation::ProduceAcked {
                producer,
                tp,
                base_offset,
                records,
            } => {
                out.push_str("produce-acked producer=");
                push_int(&mut out, (*producer).into());
                out.push(' ');
                push_tp(&mut out, tp);
                out.push_str(" offset=");
                push_int(&mut out, *base_offset);
                out.push_str(" n=");
                push_int(&mut out, (*records).into());
            }
            Observation::LeaderElected {
                tp,
                leader,
                leader_epoch,
                isr,
                reason,
            } => {
                out.push_str("leader ");
                push_tp(&mut out, tp);
                out.push_str(" leader=");
                push_int(&mut out, (*leader).into());
                out.push_str(" epoch=");
                push_int(&mut out, (*leader_epoch).into());
                out.push_str(" isr=[");
                for (i, r) in isr.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    push_int(&mut out, (*r).into());
                }
                out.push_str("] (");
                out.push_str(reason);
                out.push(')');
            }
            other => {
                use fmt::Write;
                let _ = write!(out, "{other}");
            }
        }
        out
    }
}

/// One line of the trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceLine {
    pub time: Ms,
    pub node: NodeId,
    pub text: String,
}

impl fmt::Display for TraceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.time, self.node, self.text)
    }
}

/// Slice-by-16 tables: the same CRC-64/XZ as byte-at-a-time, several times faster.
/// Computed at the first use, not at compile time: as a constant the tables
/// (32 KiB) would be data in the page's wasm, where they do not compress.
static CRC64: std::sync::LazyLock<crc::Crc<u64, crc::Table<16>>> =
    std::sync::LazyLock::new(|| crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_XZ));

/// The trace: the last `capacity` lines kept for viewing, every line hashed.
pub struct Trace {
    lines: VecDeque<TraceLine>,
    capacity: usize,
    digest: crc::Digest<'static, u64, crc::Table<16>>,
    count: u64,
    /// Reused for each line's `time node ` prefix.
    prefix: String,
}

impl Trace {
    /// The number of lines kept by default (older lines are still in the hash).
    pub const DEFAULT_CAPACITY: usize = 20_000;

    pub fn new(capacity: usize) -> Self {
        Trace {
            lines: VecDeque::new(),
            capacity,
            digest: CRC64.digest(),
            count: 0,
            prefix: String::new(),
        }
    }

    pub fn push(&mut self, line: TraceLine) {
        // The CRC of the line's text form (`TraceLine`'s Display) and a newline,
        // fed in pieces.
        self.prefix.clear();
        push_int(&mut self.prefix, line.time);
        self.prefix.push(' ');
        push_int(&mut self.prefix, line.node.into());
        self.prefix.push(' ');
        self.digest.update(self.prefix.as_bytes());
        self.digest.update(line.text.as_bytes());
        self.digest.update(b"\n");
        self.count += 1;
        if self.capacity > 0 {
            if self.lines.len() == self.capacity {
                self.lines.pop_front();
            }
            self.lines.push_back(line);
        }
    }

    /// CRC-64/XZ of every line so far: equal for equal runs, natively and in wasm.
    pub fn hash(&self) -> u64 {
        self.digest.clone().finalize()
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn lines(&self) -> impl Iterator<Item = &TraceLine> {
        self.lines.iter()
    }

    /// The newest `n` lines kept (all of them if fewer are kept), oldest
    /// first, without walking the older ones.
    pub fn last_lines(&self, n: usize) -> impl Iterator<Item = &TraceLine> {
        self.lines.range(self.lines.len().saturating_sub(n)..)
    }
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Trace {{ count: {}, hash: {:016x} }}", self.count, self.hash())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_text_is_display() {
        let tp = TopicPartition::new("orders", 12);
        let cases = [
            Observation::ReplicaRole {
                tp: tp.clone(),
                broker: -1,
                role: "leader",
                leader_epoch: i32::MAX,
            },
            Observation::HighWatermark {
                tp: tp.clone(),
                broker: 3,
                high_watermark: i64::MIN,
            },
            Observation::ProduceAcked {
                producer: 10_000,
                tp: TopicPartition::new("", -7),
                base_offset: 0,
                records: u32::MAX,
            },
            Observation::BrokerUnfenced { broker: 2 },
            Observation::LeaderElected {
                tp: tp.clone(),
                leader: -1,
                leader_epoch: 4,
                isr: vec![3, 1, 20],
                reason: "clean",
            },
            Observation::LeaderElected {
                tp: tp.clone(),
                leader: 2,
                leader_epoch: 0,
                isr: Vec::new(),
                reason: "new partition",
            },
        ];
        for o in cases {
            assert_eq!(o.text(), o.to_string());
        }
        for n in [0, 7, -7, 10, 99, 1_700_000_000_123, i64::MAX, i64::MIN] {
            let mut s = String::new();
            push_int(&mut s, n);
            assert_eq!(s, n.to_string());
        }
        let mut s = String::new();
        push_uint(&mut s, u64::MAX);
        assert_eq!(s, u64::MAX.to_string());
    }

    #[test]
    fn hash_is_crc_of_the_lines() {
        let mut t = Trace::new(1);
        let lines = [(5, -100, "a b"), (1_700_000_000_000, 3, "")];
        let mut text = String::new();
        for (time, node, s) in lines {
            let line = TraceLine {
                time,
                node,
                text: s.to_string(),
            };
            text.push_str(&format!("{line}\n"));
            t.push(line);
        }
        assert_eq!(
            t.hash(),
            crc::Crc::<u64>::new(&crc::CRC_64_XZ).checksum(text.as_bytes())
        );
        assert_eq!(t.count(), 2);
        assert_eq!(t.lines().count(), 1);
        assert_eq!(t.last_lines(5).map(|l| l.time).collect::<Vec<_>>(), [1_700_000_000_000]);
        assert_eq!(t.last_lines(0).count(), 0);
    }
}
