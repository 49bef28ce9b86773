//! Export to Kafka's partition directory format and import back.

use kafkaplay_log::{BatchIter, KafkaFile, LogConfig, MemoryStore, PartitionLog};

use crate::support::*;

fn file<'a>(files: &'a [KafkaFile], name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .bytes
}

fn sample() -> PartitionLog<MemoryStore> {
    let mut log = new_log(LogConfig {
        segment_bytes: 1_000,
        index_interval_bytes: 200,
        ..LogConfig::default()
    });
    for i in 0..40i64 {
        let k = format!("key-{}", i % 7);
        let v = format!("value-{i}");
        let epoch = if i < 25 { 0 } else { 1 };
        let mut r = rec(T0 + i * 10, Some(&k), Some(&v));
        if i % 3 == 0 {
            r = r.with_header("trace", Some(b"abc"));
        }
        log.append_as_leader(&batch([r]), epoch, T0).unwrap();
    }
    log
}

scenario! {
    fn files_are_named_by_base_offset_with_twenty_digits() {
        let log = sample();
        let names: Vec<String> = log.export_files().into_iter().map(|f| f.name).collect();
        assert_eq!(&names[..3], &["00000000000000000000.log", "00000000000000000000.index", "00000000000000000000.timeindex"]);
        let second = log.segment_infos()[1].base_offset;
        assert!(names.contains(&format!("{second:020}.log")));
        assert_eq!(names.last().unwrap(), "leader-epoch-checkpoint");
    }
}

scenario! {
    fn log_files_are_the_batches_with_valid_crcs() {
        let log = sample();
        let files = log.export_files();
        let mut next = 0;
        for seg in log.segment_infos() {
            let bytes = file(&files, &format!("{:020}.log", seg.base_offset));
            assert_eq!(bytes.len() as u32, seg.size);
            for item in BatchIter::new(bytes, usize::MAX, true) {
                let (_, b) = item.expect("every batch parses with a valid CRC-32C");
                assert_eq!(b.base_offset(), next);
                assert_eq!(b.magic(), 2);
                next = b.next_offset();
            }
        }
        assert_eq!(next, 40);
    }
}

scenario! {
    fn index_files_hold_kafkas_entries() {
        let log = sample();
        let files = log.export_files();
        for seg in log.segments() {
            let stem = format!("{:020}", seg.base_offset());
            let index = file(&files, &format!("{stem}.index"));
            assert_eq!(index.len(), seg.offset_index().len() * 8);
            for (i, e) in seg.offset_index().entries().enumerate() {
                let rel = u32::from_be_bytes(index[i * 8..i * 8 + 4].try_into().unwrap());
                let pos = u32::from_be_bytes(index[i * 8 + 4..i * 8 + 8].try_into().unwrap());
                assert_eq!((seg.base_offset() + rel as i64, pos), (e.offset, e.position));
                // kafka-dump-log's check: the batch at `pos` ends at the entry's offset.
                let (_, b) = BatchIter::new(&seg.data()[pos as usize..], usize::MAX, true).next().unwrap().unwrap();
                assert_eq!(b.last_offset(), e.offset);
            }
            let time = file(&files, &format!("{stem}.timeindex"));
            assert_eq!(time.len(), seg.time_index().len() * 12);
            let mut prev = i64::MIN;
            for i in 0..time.len() / 12 {
                let ts = i64::from_be_bytes(time[i * 12..i * 12 + 8].try_into().unwrap());
                let rel = u32::from_be_bytes(time[i * 12 + 8..i * 12 + 12].try_into().unwrap());
                assert!(ts > prev, "time index timestamps increase");
                prev = ts;
                let offset = seg.base_offset() + rel as i64;
                let b = seg.batches_from(0).map(|(_, b)| b).find(|b| b.last_offset() == offset).expect("indexed offset in the log");
                assert_eq!(b.max_timestamp(), ts, "the entry is that batch's max timestamp");
            }
            assert!(!seg.offset_index().is_empty(), "segments of 1000 bytes at interval 200 have entries");
        }
    }
}

scenario! {
    fn leader_epoch_checkpoint_lists_epoch_starts() {
        let log = sample();
        let files = log.export_files();
        assert_eq!(std::str::from_utf8(file(&files, "leader-epoch-checkpoint")).unwrap(), "0\n2\n0 0\n1 25\n");
    }
}

scenario! {
    fn import_rebuilds_the_same_log() {
        let log = sample();
        let files = log.export_files();
        let (imported, report) =
            PartitionLog::import_files("t-0", &files, MemoryStore::new(), log.config().clone(), T0).unwrap();
        assert_eq!(report.truncated_bytes, 0);
        assert_eq!(contents(&imported), contents(&log));
        assert_eq!(imported.export_files(), files, "indexes rebuilt byte for byte");
    }
}

scenario! {
    fn import_refuses_bad_names_and_cuts_bad_tails() {
        let bad = [KafkaFile { name: "0.log".into(), bytes: vec![] }];
        let e = PartitionLog::import_files("t-0", &bad, MemoryStore::new(), LogConfig::default(), T0).unwrap_err();
        assert!(e.to_string().contains("is not a segment file name"));
        let mut files = sample().export_files();
        files[0].bytes.extend_from_slice(b"torn");
        let (log, report) = PartitionLog::import_files("t-0", &files, MemoryStore::new(), LogConfig::default(), T0).unwrap();
        assert_eq!(report.truncated_bytes as usize, 4 + files.iter().filter(|f| f.name.ends_with(".log")).skip(1).map(|f| f.bytes.len()).sum::<usize>());
        assert!(log.log_end_offset() < 40);
    }
}
