//! A partition in Kafka's on-disk format: for each segment
//! `00000000000000000000.log` (the batches), `.index` (8-byte entries: relative
//! offset, position) and `.timeindex` (12-byte entries: timestamp, relative
//! offset), named by base offset, plus `leader-epoch-checkpoint`. Kafka's own tools
//! (`kafka-dump-log`) read these files; importing them rebuilds the log.

use crate::config::LogConfig;
use crate::error::LogError;
use crate::log::{storage, PartitionLog, RecoveryReport};
use crate::storage::SegmentStore;

/// One file of a partition directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// `00000000000000000042` for base offset 42.
pub fn segment_file_stem(base_offset: i64) -> String {
    format!("{base_offset:020}")
}

impl<S: SegmentStore> PartitionLog<S> {
    /// The partition's files as Kafka writes them, indexes trimmed to their entries
    /// (as Kafka leaves them when a segment is rolled or the broker shuts down).
    pub fn export_files(&self) -> Vec<KafkaFile> {
        let mut files = Vec::new();
        for seg in self.segments() {
            let stem = segment_file_stem(seg.base_offset());
            files.push(KafkaFile {
                name: format!("{stem}.log"),
                bytes: seg.data().to_vec(),
            });
            files.push(KafkaFile {
                name: format!("{stem}.index"),
                bytes: seg.offset_index().to_bytes(),
            });
            files.push(KafkaFile {
                name: format!("{stem}.timeindex"),
                bytes: seg.time_index().to_bytes(),
            });
        }
        // LeaderEpochCheckpointFile: version 0, entry count, then "epoch startOffset".
        let mut checkpoint = format!("0\n{}\n", self.leader_epochs().len());
        for e in self.leader_epochs() {
            checkpoint.push_str(&format!("{} {}\n", e.epoch, e.start_offset));
        }
        files.push(KafkaFile {
            name: "leader-epoch-checkpoint".to_string(),
            bytes: checkpoint.into_bytes(),
        });
        files
    }

    /// Rebuilds a log from Kafka partition files (only the `.log` files are
    /// needed: indexes are rebuilt, as Kafka does when it finds them missing).
    /// Every batch is validated; a corrupt tail is cut and reported. `store` must
    /// be empty.
    pub fn import_files(
        name: &str,
        files: &[KafkaFile],
        mut store: S,
        config: LogConfig,
        now_ms: i64,
    ) -> Result<(Self, RecoveryReport), LogError> {
        let mut logs: Vec<(i64, &[u8])> = Vec::new();
        for f in files {
            let Some(stem) = f.name.strip_suffix(".log") else {
                continue;
            };
            let base = (stem.len() == 20 && stem.bytes().all(|c| c.is_ascii_digit()))
                .then(|| stem.parse::<i64>().ok())
                .flatten()
                .ok_or_else(|| {
                    LogError::InvalidRecord(format!(
                        "{} is not a segment file name (20 digits, the segment's base offset, then .log)",
                        f.name
                    ))
                })?;
            logs.push((base, &f.bytes));
        }
        if logs.is_empty() {
            return Err(LogError::InvalidRecord("No segment (.log) files to import".to_string()));
        }
        logs.sort_by_key(|(b, _)| *b);
        for (base, bytes) in &logs {
            store.create(*base).map_err(storage)?;
            store.append(*base, bytes).map_err(storage)?;
        }
        store.flush().map_err(storage)?;
        let stored = store.load().map_err(storage)?;
        PartitionLog::recover(name, stored, store, config, now_ms)
    }
}
