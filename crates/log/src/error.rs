//! Errors. Their `Display` texts follow the messages of Kafka's own exceptions
//! (`CorruptRecordException`, `InvalidRecordException`, `RecordTooLargeException`,
//! `OffsetOutOfRangeException`) so the layers above can show what Kafka shows.

use std::fmt;

/// Bytes that are not a well-formed v2 record batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended inside the named field.
    Truncated(&'static str),
    VarintTooLong,
    VarlongTooLong,
    /// A batch whose size field is below the 61-byte batch overhead.
    BatchTooSmall {
        size: i64,
    },
    /// A batch whose size field exceeds the caller's limit (or the buffer).
    BatchTooLarge {
        size: i64,
        max: i64,
    },
    UnsupportedMagic(i8),
    /// Stored and computed CRC-32C differ.
    CrcMismatch {
        stored: u32,
        computed: u32,
    },
    UnsupportedCompression(u8),
    /// A record or field inconsistent with its batch (negative lengths, counts,
    /// trailing bytes...).
    InvalidRecord(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated(what) => write!(f, "Found invalid record batch: input ends inside {what}"),
            DecodeError::VarintTooLong => {
                write!(f, "Varint is too long, the most significant bit in the 5th byte is set")
            }
            DecodeError::VarlongTooLong => {
                write!(f, "Varlong is too long, most significant bit in the 10th byte is set")
            }
            DecodeError::BatchTooSmall { size } => write!(
                f,
                "Record batch is corrupt (the size {size} is smaller than the minimum allowed overhead {})",
                crate::batch::RECORD_BATCH_OVERHEAD
            ),
            DecodeError::BatchTooLarge { size, max } => {
                write!(
                    f,
                    "Record size {size} exceeds the largest allowable message size ({max})."
                )
            }
            DecodeError::UnsupportedMagic(m) => {
                write!(f, "Unsupported record batch magic {m} (kafkaplay reads magic 2 only)")
            }
            DecodeError::CrcMismatch { stored, computed } => {
                write!(
                    f,
                    "Record is corrupt (stored crc = {stored}, computed crc = {computed})"
                )
            }
            DecodeError::UnsupportedCompression(c) => write!(
                f,
                "Unsupported compression codec {c} (kafkaplay stores uncompressed batches only)"
            ),
            DecodeError::InvalidRecord(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// An operation on a partition log that Kafka would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogError {
    Corrupt(DecodeError),
    /// `RecordTooLargeException` for a batch above `max.message.bytes`.
    RecordTooLarge {
        partition: String,
        size: u32,
        max: u32,
    },
    /// `OffsetOutOfRangeException` on a read.
    OffsetOutOfRange {
        partition: String,
        offset: i64,
        log_start_offset: i64,
        log_end_offset: i64,
    },
    /// A follower append that does not continue the log.
    UnexpectedAppendOffset {
        partition: String,
        first_offset: i64,
        log_end_offset: i64,
    },
    /// `InvalidRecordException`: a record the validator rejects.
    InvalidRecord(String),
    /// `CorruptRecordException` on a leader append (bad CRC or size).
    CorruptRecord(String),
    /// `RecordBatchTooLargeException`: a batch larger than a whole segment.
    RecordBatchTooLarge(String),
    /// The storage engine failed; the in-memory log is unchanged.
    Storage(String),
    /// A configuration value out of range.
    InvalidConfig(String),
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogError::Corrupt(e) => e.fmt(f),
            LogError::RecordTooLarge { partition, size, max } => write!(
                f,
                "The record batch size in the append to {partition} is {size} bytes which exceeds the maximum configured value of {max})." // sic: Kafka's text has the stray parenthesis
            ),
            LogError::OffsetOutOfRange { partition, offset, log_start_offset, log_end_offset } => write!(
                f,
                "Received request for offset {offset} for partition {partition}, but we only have log segments in the range {log_start_offset} to {log_end_offset}."
            ),
            LogError::UnexpectedAppendOffset { partition, first_offset, log_end_offset } => write!(
                f,
                "Unexpected offset in append to {partition}. First offset {first_offset} is less than the next offset {log_end_offset}."
            ),
            LogError::InvalidRecord(msg) | LogError::CorruptRecord(msg) | LogError::RecordBatchTooLarge(msg) => {
                write!(f, "{msg}")
            }
            LogError::Storage(msg) => write!(f, "storage error: {msg}"),
            LogError::InvalidConfig(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for LogError {}

impl From<DecodeError> for LogError {
    fn from(e: DecodeError) -> Self {
        LogError::Corrupt(e)
    }
}
