//! Record batches in Kafka's v2 format (`DefaultRecordBatch`, `DefaultRecord`).
//!
//! ```text
//! BaseOffset i64 | Length i32 | PartitionLeaderEpoch i32 | Magic i8 (=2) | CRC u32 |
//! Attributes i16 | LastOffsetDelta i32 | BaseTimestamp i64 | MaxTimestamp i64 |
//! ProducerId i64 | ProducerEpoch i16 | BaseSequence i32 | RecordsCount i32 | records
//! ```
//! All big-endian. The CRC-32C covers Attributes to the end, so the base offset and
//! the partition leader epoch can be rewritten by the leader without recomputing it.
//!
//! [`BatchBuilder`] encodes; [`BatchRef`] is a checked view of encoded bytes and
//! [`BatchIter`] walks a buffer of back-to-back batches (a segment file). Every
//! length read from the input is checked against what is actually there before it
//! is used, so corrupt bytes give a [`DecodeError`], never a panic or a large
//! allocation.

use crate::crc32c::crc32c;
use crate::error::DecodeError;
use crate::varint::{get_varint, get_varlong, put_varint, put_varlong, varint_size, varlong_size};

/// Bytes before a batch's records: the batch header.
pub const RECORD_BATCH_OVERHEAD: usize = 61;
/// Base offset and length: what precedes every batch's `Length` bytes.
pub const LOG_OVERHEAD: usize = 12;
pub const MAGIC_V2: i8 = 2;
pub const NO_PRODUCER_ID: i64 = -1;
pub const NO_PRODUCER_EPOCH: i16 = -1;
pub const NO_SEQUENCE: i32 = -1;
pub const NO_PARTITION_LEADER_EPOCH: i32 = -1;
pub const NO_TIMESTAMP: i64 = -1;

const OFFSET_LENGTH: usize = 8;
const OFFSET_LEADER_EPOCH: usize = 12;
const OFFSET_MAGIC: usize = 16;
const OFFSET_CRC: usize = 17;
const OFFSET_ATTRIBUTES: usize = 21;
const OFFSET_LAST_OFFSET_DELTA: usize = 23;
const OFFSET_BASE_TIMESTAMP: usize = 27;
const OFFSET_MAX_TIMESTAMP: usize = 35;
const OFFSET_PRODUCER_ID: usize = 43;
const OFFSET_PRODUCER_EPOCH: usize = 51;
const OFFSET_BASE_SEQUENCE: usize = 53;
const OFFSET_RECORDS_COUNT: usize = 57;

const COMPRESSION_CODEC_MASK: i16 = 0x07;
const TIMESTAMP_TYPE_MASK: i16 = 0x08;
const TRANSACTIONAL_FLAG_MASK: i16 = 0x10;
const CONTROL_FLAG_MASK: i16 = 0x20;
/// KIP-534: the base timestamp holds the delete horizon of the batch's tombstones.
const DELETE_HORIZON_FLAG_MASK: i16 = 0x40;

/// The smallest possible encoded record: seven one-byte fields.
const MIN_RECORD_SIZE: usize = 7;

/// Which clock a batch's timestamps come from (`message.timestamp.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    CreateTime,
    LogAppendTime,
}

impl TimestampType {
    /// Kafka's name, as printed by the console consumer and `kafka-dump-log`.
    pub fn name(self) -> &'static str {
        match self {
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        }
    }
}

/// A record header: a string key and a nullable byte value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// A record handed to a [`BatchBuilder`]: what a producer sends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewRecord {
    pub timestamp: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

impl NewRecord {
    pub fn new(timestamp: i64, key: Option<&[u8]>, value: Option<&[u8]>) -> Self {
        NewRecord {
            timestamp,
            key: key.map(<[u8]>::to_vec),
            value: value.map(<[u8]>::to_vec),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, key: &str, value: Option<&[u8]>) -> Self {
        self.headers.push(Header {
            key: key.to_string(),
            value: value.map(<[u8]>::to_vec),
        });
        self
    }
}

/// A decoded record with its absolute offset and timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub offset: i64,
    pub timestamp: i64,
    /// `BaseSequence + OffsetDelta`, or -1 for a batch without a producer sequence.
    pub sequence: i32,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
    /// Encoded size, including the leading length varint.
    pub size_in_bytes: u32,
}

/// Encodes one v2 record batch.
#[derive(Debug, Clone)]
pub struct BatchBuilder {
    base_offset: i64,
    partition_leader_epoch: i32,
    timestamp_type: TimestampType,
    producer_id: i64,
    producer_epoch: i16,
    base_sequence: i32,
    transactional: bool,
    control: bool,
    delete_horizon_ms: Option<i64>,
    /// The cleaner keeps a rebuilt batch's original last offset.
    last_offset_override: Option<i64>,
    /// (offset, record): offsets ascend; gaps are allowed (compacted batches).
    records: Vec<(i64, NewRecord)>,
}

impl BatchBuilder {
    /// A batch whose first record gets `base_offset` (a producer uses 0; the
    /// leader assigns the real offset on append).
    pub fn new(base_offset: i64) -> Self {
        BatchBuilder {
            base_offset,
            partition_leader_epoch: NO_PARTITION_LEADER_EPOCH,
            timestamp_type: TimestampType::CreateTime,
            producer_id: NO_PRODUCER_ID,
            producer_epoch: NO_PRODUCER_EPOCH,
            base_sequence: NO_SEQUENCE,
            transactional: false,
            control: false,
            delete_horizon_ms: None,
            last_offset_override: None,
            records: Vec::new(),
        }
    }

    pub fn partition_leader_epoch(mut self, epoch: i32) -> Self {
        self.partition_leader_epoch = epoch;
        self
    }

    pub fn timestamp_type(mut self, t: TimestampType) -> Self {
        self.timestamp_type = t;
        self
    }

    /// Idempotent-producer fields: producer id, epoch and the first record's sequence.
    pub fn producer(mut self, producer_id: i64, producer_epoch: i16, base_sequence: i32) -> Self {
        self.producer_id = producer_id;
        self.producer_epoch = producer_epoch;
        self.base_sequence = base_sequence;
        self
    }

    pub fn transactional(mut self, yes: bool) -> Self {
        self.transactional = yes;
        self
    }

    pub fn control(mut self, yes: bool) -> Self {
        self.control = yes;
        self
    }

    /// KIP-534: mark the batch with the time after which its tombstones may go.
    pub fn delete_horizon_ms(mut self, horizon: Option<i64>) -> Self {
        self.delete_horizon_ms = horizon;
        self
    }

    /// `MemoryRecordsBuilder.overrideLastOffset`: the batch claims offsets up to
    /// `offset` even if its last record is below it.
    pub fn override_last_offset(mut self, offset: i64) -> Self {
        self.last_offset_override = Some(offset);
        self
    }

    /// Adds a record at the next offset.
    pub fn append(&mut self, record: NewRecord) -> &mut Self {
        let offset = self.records.last().map_or(self.base_offset, |(o, _)| o + 1);
        self.records.push((offset, record));
        self
    }

    /// Adds a record at an explicit offset (greater than the previous one).
    pub fn append_with_offset(&mut self, offset: i64, record: NewRecord) -> &mut Self {
        debug_assert!(self.records.last().is_none_or(|(o, _)| *o < offset));
        self.records.push((offset, record));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Encodes the batch. An empty builder encodes a batch of zero records.
    pub fn build(&self) -> Vec<u8> {
        let first_timestamp = self.records.first().map_or(NO_TIMESTAMP, |(_, r)| r.timestamp);
        let base_timestamp = self.delete_horizon_ms.unwrap_or(first_timestamp);
        let max_timestamp = self
            .records
            .iter()
            .map(|(_, r)| r.timestamp)
            .max()
            .unwrap_or(NO_TIMESTAMP);
        let last_offset = self.records.last().map_or(self.base_offset, |(o, _)| *o);
        let last_offset_delta =
            (self.last_offset_override.unwrap_or(last_offset).max(last_offset) - self.base_offset) as i32;

        let body_size: usize = self
            .records
            .iter()
            .map(|(o, r)| {
                let n = record_body_size(o - self.base_offset, r.timestamp - base_timestamp, r);
                varint_size(n as i32) + n
            })
            .sum();
        let mut out = Vec::with_capacity(RECORD_BATCH_OVERHEAD + body_size);
        out.extend_from_slice(&self.base_offset.to_be_bytes());
        out.extend_from_slice(&((RECORD_BATCH_OVERHEAD + body_size - LOG_OVERHEAD) as i32).to_be_bytes());
        out.extend_from_slice(&self.partition_leader_epoch.to_be_bytes());
        out.push(MAGIC_V2 as u8);
        out.extend_from_slice(&[0; 4]); // CRC, filled in below
        let mut attributes: i16 = 0;
        if self.timestamp_type == TimestampType::LogAppendTime {
            attributes |= TIMESTAMP_TYPE_MASK;
        }
        if self.transactional {
            attributes |= TRANSACTIONAL_FLAG_MASK;
        }
        if self.control {
            attributes |= CONTROL_FLAG_MASK;
        }
        if self.delete_horizon_ms.is_some() {
            attributes |= DELETE_HORIZON_FLAG_MASK;
        }
        out.extend_from_slice(&attributes.to_be_bytes());
        out.extend_from_slice(&last_offset_delta.to_be_bytes());
        out.extend_from_slice(&base_timestamp.to_be_bytes());
        out.extend_from_slice(&max_timestamp.to_be_bytes());
        out.extend_from_slice(&self.producer_id.to_be_bytes());
        out.extend_from_slice(&self.producer_epoch.to_be_bytes());
        out.extend_from_slice(&self.base_sequence.to_be_bytes());
        out.extend_from_slice(&(self.records.len() as i32).to_be_bytes());
        for (offset, r) in &self.records {
            let offset_delta = offset - self.base_offset;
            let timestamp_delta = r.timestamp - base_timestamp;
            let n = record_body_size(offset_delta, timestamp_delta, r);
            put_varint(&mut out, n as i32);
            out.push(0); // record attributes: unused
            put_varlong(&mut out, timestamp_delta);
            put_varint(&mut out, offset_delta as i32);
            put_bytes(&mut out, r.key.as_deref());
            put_bytes(&mut out, r.value.as_deref());
            put_varint(&mut out, r.headers.len() as i32);
            for h in &r.headers {
                put_bytes(&mut out, Some(h.key.as_bytes()));
                put_bytes(&mut out, h.value.as_deref());
            }
        }
        debug_assert_eq!(out.len(), RECORD_BATCH_OVERHEAD + body_size);
        let crc = crc32c(&out[OFFSET_ATTRIBUTES..]);
        out[OFFSET_CRC..OFFSET_CRC + 4].copy_from_slice(&crc.to_be_bytes());
        out
    }
}

fn bytes_size(b: Option<&[u8]>) -> usize {
    match b {
        None => varint_size(-1),
        Some(b) => varint_size(b.len() as i32) + b.len(),
    }
}

fn put_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => put_varint(out, -1),
        Some(b) => {
            put_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
    }
}

/// Size of a record after its length varint (`DefaultRecord.sizeOfBodyInBytes`).
fn record_body_size(offset_delta: i64, timestamp_delta: i64, r: &NewRecord) -> usize {
    1 + varlong_size(timestamp_delta)
        + varint_size(offset_delta as i32)
        + bytes_size(r.key.as_deref())
        + bytes_size(r.value.as_deref())
        + varint_size(r.headers.len() as i32)
        + r.headers
            .iter()
            .map(|h| bytes_size(Some(h.key.as_bytes())) + bytes_size(h.value.as_deref()))
            .sum::<usize>()
}

fn be_i16(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}
fn be_i32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn be_i64(b: &[u8], at: usize) -> i64 {
    i64::from_be_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// A view of one encoded batch. Construct it with [`BatchRef::parse`], which checks
/// the size fields; [`BatchRef::validate`] checks the CRC.
#[derive(Debug, Clone, Copy)]
pub struct BatchRef<'a> {
    bytes: &'a [u8],
}

impl<'a> BatchRef<'a> {
    /// Reads the batch at the front of `buf`, checking that its `Length` is sane
    /// (at least the batch overhead, at most `max_size`, and present in `buf`).
    /// Does not check the CRC or the records.
    pub fn parse(buf: &'a [u8], max_size: usize) -> Result<BatchRef<'a>, DecodeError> {
        if buf.len() < LOG_OVERHEAD {
            return Err(DecodeError::Truncated("batch header"));
        }
        let size = be_i32(buf, OFFSET_LENGTH) as i64 + LOG_OVERHEAD as i64;
        if size < RECORD_BATCH_OVERHEAD as i64 {
            return Err(DecodeError::BatchTooSmall { size });
        }
        if size as u64 > max_size as u64 {
            return Err(DecodeError::BatchTooLarge {
                size,
                max: i64::try_from(max_size).unwrap_or(i64::MAX),
            });
        }
        if buf.len() < OFFSET_MAGIC + 1 {
            return Err(DecodeError::Truncated("batch header"));
        }
        let magic = buf[OFFSET_MAGIC] as i8;
        if magic != MAGIC_V2 {
            return Err(DecodeError::UnsupportedMagic(magic));
        }
        if (buf.len() as i64) < size {
            return Err(DecodeError::Truncated("record batch"));
        }
        Ok(BatchRef {
            bytes: &buf[..size as usize],
        })
    }

    /// Parses and fully validates one batch that must span `buf` exactly.
    pub fn parse_exact(buf: &'a [u8]) -> Result<BatchRef<'a>, DecodeError> {
        let b = BatchRef::parse(buf, buf.len())?;
        if b.size() != buf.len() {
            return Err(DecodeError::InvalidRecord(format!(
                "Expected one record batch of {} bytes but found {} bytes",
                b.size(),
                buf.len()
            )));
        }
        b.validate()?;
        Ok(b)
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
    pub fn size(&self) -> usize {
        self.bytes.len()
    }
    pub fn base_offset(&self) -> i64 {
        be_i64(self.bytes, 0)
    }
    pub fn last_offset_delta(&self) -> i32 {
        be_i32(self.bytes, OFFSET_LAST_OFFSET_DELTA)
    }
    pub fn last_offset(&self) -> i64 {
        self.base_offset() + self.last_offset_delta() as i64
    }
    /// The offset after this batch.
    pub fn next_offset(&self) -> i64 {
        self.last_offset() + 1
    }
    pub fn partition_leader_epoch(&self) -> i32 {
        be_i32(self.bytes, OFFSET_LEADER_EPOCH)
    }
    pub fn magic(&self) -> i8 {
        self.bytes[OFFSET_MAGIC] as i8
    }
    pub fn crc(&self) -> u32 {
        be_i32(self.bytes, OFFSET_CRC) as u32
    }
    pub fn compute_crc(&self) -> u32 {
        crc32c(&self.bytes[OFFSET_ATTRIBUTES..])
    }
    pub fn attributes(&self) -> i16 {
        be_i16(self.bytes, OFFSET_ATTRIBUTES)
    }
    pub fn compression_codec(&self) -> u8 {
        (self.attributes() & COMPRESSION_CODEC_MASK) as u8
    }
    pub fn timestamp_type(&self) -> TimestampType {
        if self.attributes() & TIMESTAMP_TYPE_MASK != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        }
    }
    pub fn is_transactional(&self) -> bool {
        self.attributes() & TRANSACTIONAL_FLAG_MASK != 0
    }
    pub fn is_control(&self) -> bool {
        self.attributes() & CONTROL_FLAG_MASK != 0
    }
    /// KIP-534 delete horizon, when the cleaner has set one.
    pub fn delete_horizon_ms(&self) -> Option<i64> {
        (self.attributes() & DELETE_HORIZON_FLAG_MASK != 0).then(|| self.base_timestamp())
    }
    pub fn base_timestamp(&self) -> i64 {
        be_i64(self.bytes, OFFSET_BASE_TIMESTAMP)
    }
    pub fn max_timestamp(&self) -> i64 {
        be_i64(self.bytes, OFFSET_MAX_TIMESTAMP)
    }
    pub fn producer_id(&self) -> i64 {
        be_i64(self.bytes, OFFSET_PRODUCER_ID)
    }
    pub fn producer_epoch(&self) -> i16 {
        be_i16(self.bytes, OFFSET_PRODUCER_EPOCH)
    }
    pub fn base_sequence(&self) -> i32 {
        be_i32(self.bytes, OFFSET_BASE_SEQUENCE)
    }
    /// `BaseSequence + LastOffsetDelta`, or -1.
    pub fn last_sequence(&self) -> i32 {
        let base = self.base_sequence();
        if base == NO_SEQUENCE {
            NO_SEQUENCE
        } else {
            // Kafka wraps sequences at i32::MAX.
            let d = self.last_offset_delta() as i64;
            ((base as i64 + d) % (i32::MAX as i64 + 1)) as i32
        }
    }
    pub fn records_count(&self) -> i32 {
        be_i32(self.bytes, OFFSET_RECORDS_COUNT)
    }

    /// Checks the CRC-32C (`DefaultRecordBatch.ensureValid`).
    pub fn validate(&self) -> Result<(), DecodeError> {
        let computed = self.compute_crc();
        if computed != self.crc() {
            return Err(DecodeError::CrcMismatch {
                stored: self.crc(),
                computed,
            });
        }
        Ok(())
    }

    /// Decodes every record. Fails on anything inconsistent: a count that does not
    /// match, a record that overruns its length, bytes left over, a compressed batch.
    pub fn records(&self) -> Result<Vec<Record>, DecodeError> {
        let codec = self.compression_codec();
        if codec != 0 {
            return Err(DecodeError::UnsupportedCompression(codec));
        }
        let count = self.records_count();
        if count < 0 {
            return Err(DecodeError::InvalidRecord(format!(
                "Found invalid record count {count} in magic v2 batch"
            )));
        }
        let mut body = &self.bytes[RECORD_BATCH_OVERHEAD..];
        // Bounded by what the bytes can hold, whatever the count field claims.
        let mut out = Vec::with_capacity((count as usize).min(body.len() / MIN_RECORD_SIZE));
        let base_offset = self.base_offset();
        let base_timestamp = self.base_timestamp();
        let log_append_time = (self.timestamp_type() == TimestampType::LogAppendTime).then(|| self.max_timestamp());
        let base_sequence = self.base_sequence();
        for _ in 0..count {
            let (record, used) = decode_record(body, base_offset, base_timestamp, log_append_time, base_sequence)?;
            out.push(record);
            body = &body[used..];
        }
        if !body.is_empty() {
            return Err(DecodeError::InvalidRecord(format!(
                "Found {} bytes after the last record of a batch with {count} records",
                body.len()
            )));
        }
        Ok(out)
    }
}

fn read_bytes<'b>(buf: &'b [u8], pos: &mut usize, what: &'static str) -> Result<Option<&'b [u8]>, DecodeError> {
    let (len, n) = get_varint(&buf[*pos..])?;
    *pos += n;
    if len < 0 {
        return Ok(None);
    }
    let len = len as usize;
    if buf.len() - *pos < len {
        return Err(DecodeError::Truncated(what));
    }
    let s = &buf[*pos..*pos + len];
    *pos += len;
    Ok(Some(s))
}

fn decode_record(
    buf: &[u8],
    base_offset: i64,
    base_timestamp: i64,
    log_append_time: Option<i64>,
    base_sequence: i32,
) -> Result<(Record, usize), DecodeError> {
    let (size, n) = get_varint(buf)?;
    if size < 0 || (buf.len() - n) < size as usize {
        return Err(DecodeError::InvalidRecord(format!(
            "Invalid record size: expected to read {size} bytes in record payload, but only {} bytes remain",
            buf.len() - n
        )));
    }
    let rec = &buf[n..n + size as usize];
    let mut pos = 1; // attributes byte
    if rec.is_empty() {
        return Err(DecodeError::Truncated("record attributes"));
    }
    let (timestamp_delta, k) = get_varlong(&rec[pos..])?;
    pos += k;
    let (offset_delta, k) = get_varint(&rec[pos..])?;
    pos += k;
    let key = read_bytes(rec, &mut pos, "record key")?.map(<[u8]>::to_vec);
    let value = read_bytes(rec, &mut pos, "record value")?.map(<[u8]>::to_vec);
    let (header_count, k) = get_varint(&rec[pos..])?;
    pos += k;
    if header_count < 0 {
        return Err(DecodeError::InvalidRecord(format!(
            "Found invalid number of record headers {header_count}"
        )));
    }
    let mut headers = Vec::with_capacity((header_count as usize).min((rec.len() - pos) / 2));
    for _ in 0..header_count {
        let key = read_bytes(rec, &mut pos, "header key")?
            .ok_or_else(|| DecodeError::InvalidRecord("Invalid negative header key size".to_string()))?;
        let key = String::from_utf8(key.to_vec())
            .map_err(|_| DecodeError::InvalidRecord("Invalid header key: not valid UTF-8".to_string()))?;
        let value = read_bytes(rec, &mut pos, "header value")?.map(<[u8]>::to_vec);
        headers.push(Header { key, value });
    }
    if pos != rec.len() {
        return Err(DecodeError::InvalidRecord(format!(
            "Invalid record size: expected to read {size} bytes in record payload, but instead read {pos}"
        )));
    }
    let sequence = if base_sequence == NO_SEQUENCE {
        NO_SEQUENCE
    } else {
        ((base_sequence as i64 + offset_delta as i64) % (i32::MAX as i64 + 1)) as i32
    };
    Ok((
        Record {
            offset: base_offset + offset_delta as i64,
            timestamp: log_append_time.unwrap_or(base_timestamp.wrapping_add(timestamp_delta)),
            sequence,
            key,
            value,
            headers,
            size_in_bytes: (n + size as usize) as u32,
        },
        n + size as usize,
    ))
}

/// Walks back-to-back batches in a buffer (a segment file, a fetch response).
/// Yields an error once, at the first bad batch, and then stops; `position()`
/// tells where the good bytes end.
pub struct BatchIter<'a> {
    buf: &'a [u8],
    pos: usize,
    max_batch_size: usize,
    check_crc: bool,
    failed: bool,
}

impl<'a> BatchIter<'a> {
    /// `max_batch_size` bounds one batch (Kafka uses `max.message.bytes` plus overhead
    /// when it recovers a segment); `check_crc` validates each batch's checksum.
    pub fn new(buf: &'a [u8], max_batch_size: usize, check_crc: bool) -> Self {
        BatchIter {
            buf,
            pos: 0,
            max_batch_size,
            check_crc,
            failed: false,
        }
    }

    /// Byte position after the last batch yielded successfully.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for BatchIter<'a> {
    type Item = Result<(usize, BatchRef<'a>), DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let result = BatchRef::parse(rest, self.max_batch_size).and_then(|b| {
            if self.check_crc {
                b.validate()?;
            }
            Ok(b)
        });
        match result {
            Ok(b) => {
                let at = self.pos;
                self.pos += b.size();
                Some(Ok((at, b)))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// In-place rewrites the leader makes on append: offsets and epoch are not covered
/// by the CRC; a LogAppendTime timestamp is, so the CRC is recomputed.
pub(crate) fn set_base_offset(batch: &mut [u8], base_offset: i64) {
    batch[0..8].copy_from_slice(&base_offset.to_be_bytes());
}

pub(crate) fn set_partition_leader_epoch(batch: &mut [u8], epoch: i32) {
    batch[OFFSET_LEADER_EPOCH..OFFSET_LEADER_EPOCH + 4].copy_from_slice(&epoch.to_be_bytes());
}

/// `DefaultRecordBatch.setMaxTimestamp(LOG_APPEND_TIME, now)`.
pub(crate) fn set_log_append_time(batch: &mut [u8], now_ms: i64) {
    let attributes = be_i16(batch, OFFSET_ATTRIBUTES) | TIMESTAMP_TYPE_MASK;
    batch[OFFSET_ATTRIBUTES..OFFSET_ATTRIBUTES + 2].copy_from_slice(&attributes.to_be_bytes());
    batch[OFFSET_MAX_TIMESTAMP..OFFSET_MAX_TIMESTAMP + 8].copy_from_slice(&now_ms.to_be_bytes());
    let crc = crc32c(&batch[OFFSET_ATTRIBUTES..]);
    batch[OFFSET_CRC..OFFSET_CRC + 4].copy_from_slice(&crc.to_be_bytes());
}

/// `DefaultRecordBatch.writeEmptyHeader`: a batch with no records that keeps a
/// batch's offsets and producer fields (the cleaner writes it where removing the
/// batch entirely would lose the last offset of the cleaned range).
pub fn empty_batch(original: &BatchRef<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(RECORD_BATCH_OVERHEAD);
    out.extend_from_slice(&original.base_offset().to_be_bytes());
    out.extend_from_slice(&((RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) as i32).to_be_bytes());
    out.extend_from_slice(&original.partition_leader_epoch().to_be_bytes());
    out.push(MAGIC_V2 as u8);
    out.extend_from_slice(&[0; 4]);
    let keep = TIMESTAMP_TYPE_MASK | TRANSACTIONAL_FLAG_MASK | CONTROL_FLAG_MASK;
    out.extend_from_slice(&(original.attributes() & keep).to_be_bytes());
    out.extend_from_slice(&original.last_offset_delta().to_be_bytes());
    out.extend_from_slice(&original.max_timestamp().to_be_bytes());
    out.extend_from_slice(&original.max_timestamp().to_be_bytes());
    out.extend_from_slice(&original.producer_id().to_be_bytes());
    out.extend_from_slice(&original.producer_epoch().to_be_bytes());
    out.extend_from_slice(&original.base_sequence().to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    let crc = crc32c(&out[OFFSET_ATTRIBUTES..]);
    out[OFFSET_CRC..OFFSET_CRC + 4].copy_from_slice(&crc.to_be_bytes());
    out
}
