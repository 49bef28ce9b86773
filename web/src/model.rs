//! The page's model: partition `demo-0` on one broker (replication factor 1), what
//! the append form holds, and plain-data views of the log for the UI to render.
//!
//! No browser API is used here (the clock comes in as `now_ms`), so everything in
//! this module is tested natively.

use kafkaplay_log::{
    AppendInfo, BatchBuilder, BatchRef, Header, LogConfig, LogError, MemoryStore, NewRecord, PartitionLog,
    TimestampType,
};

/// The partition the page shows.
pub const PARTITION: &str = "demo-0";
/// The leader epoch of the only broker; it never changes on this page.
pub const LEADER_EPOCH: i32 = 0;
/// Bounds of "records in this batch".
pub const BATCH_RECORDS_MIN: u32 = 1;
pub const BATCH_RECORDS_MAX: u32 = 100;
/// How many bytes of a batch the hex dump shows.
pub const HEX_DUMP_BYTES_MAX: usize = 256;

/// What the append form holds, as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppendForm {
    /// Empty means a null key.
    pub key: String,
    pub value: String,
    /// A null value (a tombstone); `value` is then ignored.
    pub tombstone: bool,
    /// (key, value) rows.
    pub headers: Vec<(String, String)>,
    /// "records in this batch", as typed.
    pub record_count: String,
}

/// Why the form could not become a batch (the UI translates these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormError {
    /// The record count is not a whole number in 1..=100.
    RecordCount,
    /// A header row has an empty key.
    HeaderKeyEmpty,
}

/// Why an append failed.
#[derive(Debug, Clone, PartialEq)]
pub enum AppendError {
    Form(FormError),
    Log(LogError),
}

impl AppendForm {
    pub fn new() -> Self {
        AppendForm {
            record_count: "1".to_string(),
            ..Default::default()
        }
    }

    /// The records this form produces at `now_ms`. With N > 1 records, record i
    /// (1..=N) gets the value `<value>-i`; key and headers are repeated unchanged; a
    /// tombstone stays null.
    pub fn records(&self, now_ms: i64) -> Result<Vec<NewRecord>, FormError> {
        let count: u32 = self.record_count.trim().parse().map_err(|_| FormError::RecordCount)?;
        if !(BATCH_RECORDS_MIN..=BATCH_RECORDS_MAX).contains(&count) {
            return Err(FormError::RecordCount);
        }
        if self.headers.iter().any(|(k, _)| k.is_empty()) {
            return Err(FormError::HeaderKeyEmpty);
        }
        let key = (!self.key.is_empty()).then(|| self.key.as_bytes().to_vec());
        let headers: Vec<Header> = self
            .headers
            .iter()
            .map(|(k, v)| Header {
                key: k.clone(),
                value: Some(v.as_bytes().to_vec()),
            })
            .collect();
        Ok((1..=count)
            .map(|i| {
                let value = match (self.tombstone, count) {
                    (true, _) => None,
                    (false, 1) => Some(self.value.as_bytes().to_vec()),
                    (false, _) => Some(format!("{}-{i}", self.value).into_bytes()),
                };
                NewRecord {
                    timestamp: now_ms,
                    key: key.clone(),
                    value,
                    headers: headers.clone(),
                }
            })
            .collect())
    }
}

/// The config panel's three settings, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigForm {
    pub segment_bytes: String,
    pub index_interval_bytes: String,
    pub message_timestamp_type: TimestampType,
}

impl ConfigForm {
    pub fn from_config(c: &LogConfig) -> Self {
        ConfigForm {
            segment_bytes: c.segment_bytes.to_string(),
            index_interval_bytes: c.index_interval_bytes.to_string(),
            message_timestamp_type: c.message_timestamp_type,
        }
    }

    /// `base` with this form's settings, or the config name whose value is not a number.
    pub fn apply_to(&self, base: &LogConfig) -> Result<LogConfig, &'static str> {
        let mut c = base.clone();
        c.segment_bytes = self.segment_bytes.trim().parse().map_err(|_| "segment.bytes")?;
        c.index_interval_bytes = self
            .index_interval_bytes
            .trim()
            .parse()
            .map_err(|_| "index.interval.bytes")?;
        c.message_timestamp_type = self.message_timestamp_type;
        Ok(c)
    }
}

/// One decoded record of a batch, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordView {
    pub offset: i64,
    pub timestamp: i64,
    /// `None` for a null key/value.
    pub key: Option<String>,
    pub value: Option<String>,
    pub headers: Vec<(String, Option<String>)>,
}

/// One batch of the log, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchView {
    pub segment_base_offset: i64,
    pub base_offset: i64,
    pub last_offset: i64,
    pub records_count: i32,
    pub size: u32,
    pub crc: u32,
    pub crc_valid: bool,
    pub timestamp_type: TimestampType,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub partition_leader_epoch: i32,
    pub magic: i8,
    pub attributes: i16,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    /// The decoded records, or why they could not be decoded.
    pub records: Result<Vec<RecordView>, String>,
    /// The first [`HEX_DUMP_BYTES_MAX`] bytes of the batch.
    pub head: Vec<u8>,
}

impl BatchView {
    fn of(segment_base_offset: i64, b: &BatchRef<'_>) -> Self {
        let crc = b.crc();
        BatchView {
            segment_base_offset,
            base_offset: b.base_offset(),
            last_offset: b.last_offset(),
            records_count: b.records_count(),
            size: b.size() as u32,
            crc,
            crc_valid: b.compute_crc() == crc,
            timestamp_type: b.timestamp_type(),
            base_timestamp: b.base_timestamp(),
            max_timestamp: b.max_timestamp(),
            partition_leader_epoch: b.partition_leader_epoch(),
            magic: b.magic(),
            attributes: b.attributes(),
            producer_id: b.producer_id(),
            producer_epoch: b.producer_epoch(),
            base_sequence: b.base_sequence(),
            records: b
                .records()
                .map(|rs| {
                    rs.into_iter()
                        .map(|r| RecordView {
                            offset: r.offset,
                            timestamp: r.timestamp,
                            key: r.key.as_deref().map(text),
                            value: r.value.as_deref().map(text),
                            headers: r
                                .headers
                                .iter()
                                .map(|h| (h.key.clone(), h.value.as_deref().map(text)))
                                .collect(),
                        })
                        .collect()
                })
                .map_err(|e| e.to_string()),
            head: b.bytes()[..b.size().min(HEX_DUMP_BYTES_MAX)].to_vec(),
        }
    }
}

/// Bytes as text: UTF-8 when they are, else hex (`0x…`).
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => format!("0x{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()),
    }
}

/// Partition `demo-0` on a single broker: the leader and the only replica.
#[derive(Debug)]
pub struct Demo {
    pub log: PartitionLog<MemoryStore>,
}

impl Demo {
    pub fn new(config: LogConfig, now_ms: i64) -> Result<Self, LogError> {
        Ok(Demo {
            log: PartitionLog::create(PARTITION, MemoryStore::new(), config, now_ms)?,
        })
    }

    /// Builds one batch from the form and appends it as the leader. With RF=1 the
    /// leader is the whole ISR, so the high watermark moves to the log end offset.
    pub fn append(&mut self, form: &AppendForm, now_ms: i64) -> Result<AppendInfo, AppendError> {
        let records = form.records(now_ms).map_err(AppendError::Form)?;
        let mut builder = BatchBuilder::new(0);
        for r in records {
            builder.append(r);
        }
        let info = self
            .log
            .append_as_leader(&builder.build(), LEADER_EPOCH, now_ms)
            .map_err(AppendError::Log)?;
        let leo = self.log.log_end_offset();
        self.log.update_high_watermark(leo);
        Ok(info)
    }

    pub fn batches(&self) -> Vec<BatchView> {
        self.log
            .batches()
            .map(|(segment, b)| BatchView::of(segment, &b))
            .collect()
    }

    /// The bytes of one exported file (`00000000000000000000.log`, ...).
    pub fn export_file(&self, name: &str) -> Option<Vec<u8>> {
        self.log
            .export_files()
            .into_iter()
            .find(|f| f.name == name)
            .map(|f| f.bytes)
    }
}

/// `0x1a2b3c4d`.
pub fn crc_hex(crc: u32) -> String {
    format!("0x{crc:08x}")
}

/// A classic hex dump: offset, 16 bytes in hex, the printable ASCII.
pub fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}  ", line * 16));
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => out.push_str(&format!("{b:02x} ")),
                None => out.push_str("   "),
            }
            if i == 7 {
                out.push(' ');
            }
        }
        out.push_str(" |");
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    out
}

/// Milliseconds since the epoch as ISO 8601 UTC (`2024-05-01T12:34:56.789Z`);
/// `-` for Kafka's "no timestamp" (-1).
pub fn iso_time(ms: i64) -> String {
    if ms < 0 {
        return "-".to_string();
    }
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_714_566_896_789; // 2024-05-01T12:34:56.789Z

    fn form(key: &str, value: &str, headers: &[(&str, &str)], count: &str) -> AppendForm {
        AppendForm {
            key: key.into(),
            value: value.into(),
            tombstone: false,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            record_count: count.into(),
        }
    }

    #[test]
    fn keyed_record_then_batch_of_three() {
        let mut demo = Demo::new(LogConfig::default(), NOW).unwrap();
        let first = demo
            .append(&form("user-1", "hello", &[("source", "web")], "1"), NOW)
            .unwrap();
        assert_eq!((first.first_offset, first.last_offset), (0, 0));
        let second = demo.append(&form("", "v", &[], "3"), NOW + 1).unwrap();
        assert_eq!((second.first_offset, second.last_offset), (1, 3));
        assert_eq!(demo.log.log_end_offset(), 4);
        assert_eq!(demo.log.high_watermark(), 4, "RF=1: HW follows LEO");

        let batches = demo.batches();
        assert_eq!(batches.len(), 2);
        assert_eq!(
            (batches[0].base_offset, batches[0].last_offset, batches[0].records_count),
            (0, 0, 1)
        );
        assert_eq!(
            (batches[1].base_offset, batches[1].last_offset, batches[1].records_count),
            (1, 3, 3)
        );
        assert!(batches
            .iter()
            .all(|b| b.crc_valid && b.partition_leader_epoch == LEADER_EPOCH));
        let r0 = &batches[0].records.as_ref().unwrap()[0];
        assert_eq!(r0.key.as_deref(), Some("user-1"));
        assert_eq!(r0.value.as_deref(), Some("hello"));
        assert_eq!(r0.headers, vec![("source".to_string(), Some("web".to_string()))]);
        let values: Vec<_> = batches[1]
            .records
            .as_ref()
            .unwrap()
            .iter()
            .map(|r| r.value.clone().unwrap())
            .collect();
        assert_eq!(values, ["v-1", "v-2", "v-3"]);
        assert!(batches[1].records.as_ref().unwrap().iter().all(|r| r.key.is_none()));
        assert_eq!(
            demo.export_file("00000000000000000000.log").unwrap().len() as u32,
            demo.log.size_bytes() as u32
        );
    }

    #[test]
    fn tombstone_has_a_null_value() {
        let mut demo = Demo::new(LogConfig::default(), NOW).unwrap();
        let mut f = form("k", "ignored", &[], "2");
        f.tombstone = true;
        demo.append(&f, NOW).unwrap();
        let records = demo.batches()[0].records.clone().unwrap();
        assert!(records
            .iter()
            .all(|r| r.value.is_none() && r.key.as_deref() == Some("k")));
    }

    #[test]
    fn form_errors_leave_the_log_alone() {
        let mut demo = Demo::new(LogConfig::default(), NOW).unwrap();
        for bad in ["0", "101", "x", ""] {
            assert_eq!(
                demo.append(&form("", "v", &[], bad), NOW),
                Err(AppendError::Form(FormError::RecordCount))
            );
        }
        assert_eq!(
            demo.append(&form("", "v", &[("", "x")], "1"), NOW),
            Err(AppendError::Form(FormError::HeaderKeyEmpty))
        );
        assert_eq!(demo.log.log_end_offset(), 0);
    }

    #[test]
    fn log_errors_are_returned_not_panics() {
        let config = LogConfig {
            max_message_bytes: 100,
            ..LogConfig::default()
        };
        let mut demo = Demo::new(config, NOW).unwrap();
        let err = demo.append(&form("", &"x".repeat(200), &[], "1"), NOW).unwrap_err();
        let AppendError::Log(e) = err else {
            panic!("expected a log error, got {err:?}")
        };
        assert!(
            e.to_string().contains("exceeds the maximum configured value of 100"),
            "{e}"
        );
    }

    #[test]
    fn config_form_parses_and_the_log_validates() {
        let base = LogConfig::default();
        let mut f = ConfigForm::from_config(&base);
        f.segment_bytes = "200".into();
        f.message_timestamp_type = TimestampType::LogAppendTime;
        let c = f.apply_to(&base).unwrap();
        assert_eq!(
            (c.segment_bytes, c.message_timestamp_type),
            (200, TimestampType::LogAppendTime)
        );
        f.index_interval_bytes = "lots".into();
        assert_eq!(f.apply_to(&base), Err("index.interval.bytes"));

        let mut demo = Demo::new(base.clone(), NOW).unwrap();
        let too_small = LogConfig {
            segment_bytes: 10,
            ..base
        };
        assert!(demo
            .log
            .set_config(too_small)
            .unwrap_err()
            .to_string()
            .contains("segment.bytes"));
    }

    #[test]
    fn small_segments_roll() {
        let config = LogConfig {
            segment_bytes: 200,
            index_interval_bytes: 1,
            ..LogConfig::default()
        };
        let mut demo = Demo::new(config, NOW).unwrap();
        for _ in 0..4 {
            demo.append(&form("k", "some value", &[], "1"), NOW).unwrap();
        }
        let segments = demo.log.segment_infos();
        assert!(segments.len() > 1, "{segments:?}");
        assert!(segments.iter().all(|s| s.size <= 200));
        assert!(demo
            .batches()
            .windows(2)
            .all(|w| w[0].segment_base_offset <= w[1].segment_base_offset));
    }

    #[test]
    fn formats() {
        assert_eq!(crc_hex(0x1a2b3c4d), "0x1a2b3c4d");
        assert_eq!(crc_hex(7), "0x00000007");
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(NOW), "2024-05-01T12:34:56.789Z");
        assert_eq!(iso_time(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_time(-1), "-");
        let dump = hex_dump(b"\x00\x01Kafka batch bytes!");
        assert_eq!(
            dump,
            "00000000  00 01 4b 61 66 6b 61 20  62 61 74 63 68 20 62 79  |..Kafka batch by|\n\
             00000010  74 65 73 21                                       |tes!|\n"
        );
    }

    #[test]
    fn hex_dump_is_bounded() {
        let mut demo = Demo::new(LogConfig::default(), NOW).unwrap();
        demo.append(&form("", &"v".repeat(1000), &[], "1"), NOW).unwrap();
        let b = &demo.batches()[0];
        assert!(b.size > 1000);
        assert_eq!(b.head.len(), HEX_DUMP_BYTES_MAX);
    }
}
