//! `kafka-dump-log`: a broker's real segment files (exported by the log crate)
//! dumped as DumpLogSegments prints them.

mod support;

use kafkaplay_cluster::TopicPartition;
use kafkaplay_shell::{Flavour, Stdin, World};
use support::*;

const DIR: &str = "/var/lib/kafka/data/t-0";

/// Produces `data` to `t` (one partition) and writes the leader's partition
/// directory into the filesystem.
fn segment_world(flavour: Flavour, data: &str, extra: &str) -> World {
    let mut w = world(1, flavour);
    assert_eq!(
        run(
            &mut w,
            "kafka-topics --bootstrap-server localhost:9092 --create --topic t"
        )
        .code,
        0
    );
    let r = run_with(
        &mut w,
        &format!("kafka-console-producer --bootstrap-server localhost:9092 --topic t {extra}"),
        Stdin::Data(data.into()),
    );
    assert_eq!(r.code, 0, "{}", r.stderr());
    let files = w
        .sim
        .broker(1)
        .unwrap()
        .log(&TopicPartition::new("t", 0))
        .unwrap()
        .export_files();
    for f in files {
        w.fs.write(&format!("{DIR}/{}", f.name), f.bytes);
    }
    w
}

#[test]
fn dumps_batches_and_records() {
    let mut w = segment_world(Flavour::Confluent, "hello\n", "");
    let bytes = w.read_file(&format!("{DIR}/00000000000000000000.log")).unwrap();
    let batch = kafkaplay_log::batch::BatchRef::parse_exact(&bytes).unwrap();
    let (ts, crc, size) = (batch.max_timestamp(), batch.crc(), bytes.len());
    let (pid, epoch) = (batch.producer_id(), batch.producer_epoch());
    assert!(pid >= 0, "the console producer is idempotent by default");
    let head = format!(
        "Dumping {DIR}/00000000000000000000.log\nLog starting offset: 0\n\
         baseOffset: 0 lastOffset: 0 count: 1 baseSequence: 0 lastSequence: 0 producerId: {pid} producerEpoch: {epoch} \
         partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty \
         position: 0 CreateTime: {ts} size: {size} magic: 2 compresscodec: none crc: {crc} isvalid: true\n"
    );
    let r = run(
        &mut w,
        &format!("kafka-dump-log --files {DIR}/00000000000000000000.log"),
    );
    assert_eq!((r.code, r.stdout(), r.stderr()), (0, head.clone(), String::new()));
    let r = run(
        &mut w,
        &format!("kafka-dump-log --files {DIR}/00000000000000000000.log --deep-iteration"),
    );
    assert_eq!(
        r.stdout(),
        format!("{head}| offset: 0 CreateTime: {ts} keySize: -1 valueSize: 5 sequence: 0 headerKeys: []\n")
    );
    let r = run(
        &mut w,
        &format!("kafka-dump-log --files {DIR}/00000000000000000000.log --print-data-log"),
    );
    assert_eq!(
        r.stdout(),
        format!(
            "{head}| offset: 0 CreateTime: {ts} keySize: -1 valueSize: 5 sequence: 0 headerKeys: [] payload: hello\n"
        )
    );
}

#[test]
fn keys_headers_and_the_index_files() {
    let mut w = segment_world(
        Flavour::Apache,
        "h1:a,h2:b\tk1\tv1\nh1:c\tk2\tv2\n",
        "--property parse.key=true --property parse.headers=true --sync",
    );
    let r = run(
        &mut w,
        &format!("kafka-dump-log.sh --files {DIR}/00000000000000000000.log --print-data-log --skip-record-metadata"),
    );
    let stdout = r.stdout();
    let records: Vec<&str> = stdout.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(records, vec!["| key: k1 payload: v1", "| key: k2 payload: v2"]);
    let r = run(
        &mut w,
        &format!("kafka-dump-log.sh --files {DIR}/00000000000000000000.log --deep-iteration"),
    );
    assert!(r.stdout().contains(" headerKeys: [h1,h2]\n"), "{}", r.stdout());
    // Two sends with --sync: two batches; the second starts where the first ends.
    let batches: Vec<String> = r
        .stdout()
        .lines()
        .filter(|l| l.starts_with("baseOffset"))
        .map(String::from)
        .collect();
    assert_eq!(batches.len(), 2);
    let first_size: usize = batches[0]
        .split(" size: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        batches[1].contains(&format!(" position: {first_size} ")),
        "{}",
        batches[1]
    );

    // The indexes are sparse (one entry per 4096 bytes): empty for two small batches.
    let r = run(
        &mut w,
        &format!("kafka-dump-log.sh --files {DIR}/00000000000000000000.index"),
    );
    assert_eq!(
        r.stdout(),
        format!("Dumping {DIR}/00000000000000000000.index\n{DIR}/00000000000000000000.index is empty.\n")
    );
    let r = run(
        &mut w,
        &format!("kafka-dump-log.sh --files {DIR}/00000000000000000000.timeindex,{DIR}/leader-epoch-checkpoint"),
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout(),
        format!("Dumping {DIR}/00000000000000000000.timeindex\nDumping {DIR}/leader-epoch-checkpoint\n")
    );
}

#[test]
fn index_entries_point_at_batches() {
    // Enough data for the sparse index to get entries (index.interval.bytes = 4096).
    let line = "x".repeat(1000);
    let data: String = (0..20).map(|_| format!("{line}\n")).collect();
    let mut w = segment_world(Flavour::Confluent, &data, "--sync");
    let r = run(
        &mut w,
        &format!("kafka-dump-log --files {DIR}/00000000000000000000.index"),
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr(),
        "",
        "every entry names the last offset of the batch at its position"
    );
    let stdout = r.stdout();
    let entries: Vec<&str> = stdout.lines().skip(1).collect();
    assert!(!entries.is_empty());
    assert!(entries
        .iter()
        .all(|l| l.starts_with("offset: ") && l.contains(" position: ")));
    let r = run(
        &mut w,
        &format!("kafka-dump-log --files {DIR}/00000000000000000000.timeindex"),
    );
    assert_eq!(r.stderr(), "");
    assert!(r.stdout().lines().skip(1).all(|l| l.starts_with("timestamp: ")));
}

#[test]
fn corrupt_tail_missing_files_and_argument_errors() {
    let mut w = segment_world(Flavour::Confluent, "a\nb\n", "");
    let path = format!("{DIR}/00000000000000000000.log");
    let mut bytes = w.read_file(&path).unwrap();
    bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 9, 0, 0]);
    let last = bytes.len() - 11;
    bytes[last] ^= 0xff; // flips a byte inside the batch: the CRC no longer matches
    w.fs.write("/tmp/00000000000000000000.log", bytes);
    let r = run(&mut w, "kafka-dump-log --files /tmp/00000000000000000000.log");
    assert!(r.stdout().contains(" isvalid: false\n"), "{}", r.stdout());
    assert!(r
        .stdout()
        .ends_with("Found 10 invalid bytes at the end of 00000000000000000000.log\n"));

    let r = run(&mut w, "kafka-dump-log --files /nope/00000000000000000042.log");
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout(),
        "Dumping /nope/00000000000000000042.log\nLog starting offset: 42\n"
    );
    assert_eq!(
        r.stderr(),
        "Exception in thread \"main\" java.nio.file.NoSuchFileException: /nope/00000000000000000042.log\n"
    );
    let r = run(&mut w, "kafka-dump-log --files /tmp/notes.txt");
    assert_eq!(
        (r.code, r.stderr()),
        (0, "Ignoring unknown file /tmp/notes.txt\n".to_string())
    );
    let r = run(&mut w, "kafka-dump-log --print-data-log");
    let help = kafkaplay_shell::tools::dump_log::parser().help();
    assert_eq!(
        (r.code, r.stderr()),
        (1, format!("Missing required argument \"[files]\"\n{help}"))
    );
}
