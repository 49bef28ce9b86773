//! `kafka-dump-log`: Kafka's `DumpLogSegments` over files read through
//! [`World::read_file`]: `.log` segments (batches, and records with
//! `--deep-iteration`/`--print-data-log`), `.index` and `.timeindex` files.

use kafkaplay_log::batch::{BatchRef, Record};

use crate::output::Output;
use crate::tool::{Exit, Invocation};
use crate::world::World;

use super::common::{help_or_version, parse_or_exit, usage_and_exit};
use super::jopt::Parser;

/// `FileLogInputStream`'s header up to the magic byte.
const HEADER_SIZE_UP_TO_MAGIC: usize = 17;

pub fn parser() -> Parser {
    let mut p = Parser::new();
    p.flag(
        "print-data-log",
        "If set, printing the messages content when dumping data logs. Automatically set if any decoder option is \
         specified.",
    )
    .flag(
        "verify-index-only",
        "If set, just verify the index log without printing its content.",
    )
    .flag(
        "index-sanity-check",
        "If set, just checks the index sanity without printing its content. This is the same check that is executed \
         on broker startup to determine if an index needs rebuilding or not.",
    )
    .arg(
        "files",
        "REQUIRED: The comma separated list of data and index log files to be dumped.",
        "file1, file2, ...",
        "String",
    )
    .arg("max-message-size", "Size of largest message.", "size", "Integer")
    .default("5242880")
    .arg(
        "max-bytes",
        "Limit the amount of total batches read in bytes avoiding reading the whole .log file(s).",
        "size",
        "Integer",
    )
    .default("2147483647")
    .flag(
        "deep-iteration",
        "If set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled.",
    )
    .optional_arg(
        "value-decoder-class",
        "If set, used to deserialize the messages. This class should implement org.apache.kafka.tools.api.Decoder \
         trait. Custom jar should be available in kafka/libs directory.",
        "",
        "String",
    )
    .default("org.apache.kafka.tools.api.StringDecoder")
    .optional_arg(
        "key-decoder-class",
        "If set, used to deserialize the keys. This class should implement org.apache.kafka.tools.api.Decoder trait. \
         Custom jar should be available in kafka/libs directory.",
        "",
        "String",
    )
    .default("org.apache.kafka.tools.api.StringDecoder")
    .flag(
        "offsets-decoder",
        "If set, log data will be parsed as offset data from the __consumer_offsets topic.",
    )
    .flag(
        "transaction-log-decoder",
        "If set, log data will be parsed as transaction metadata from the __transaction_state topic.",
    )
    .flag(
        "cluster-metadata-decoder",
        "If set, log data will be parsed as cluster metadata records.",
    )
    .flag(
        "remote-log-metadata-decoder",
        "If set, log data will be parsed as TopicBasedRemoteLogMetadataManager (RLMM) metadata records. Instead, the \
         value-decoder-class option can be used if a custom RLMM implementation is configured.",
    )
    .flag(
        "share-group-state-decoder",
        "If set, log data will be parsed as share group state data from the __share_group_state topic.",
    )
    .flag(
        "skip-record-metadata",
        "Whether to skip printing metadata for each record.",
    );
    p
}

struct Settings {
    print_data: bool,
    deep: bool,
    skip_metadata: bool,
    verify_only: bool,
    sanity_only: bool,
    max_bytes: usize,
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;
    let parser = parser();
    let o = match parse_or_exit(out, &parser, args) {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    if let Some(exit) = help_or_version(
        world,
        out,
        &parser,
        &o,
        "This tool helps to parse a log file and dump its contents to the console, useful for debugging a seemingly \
         corrupt log segment.",
    ) {
        return exit;
    }
    if !o.has("files") {
        return usage_and_exit(out, &parser, "Missing required argument \"[files]\"");
    }
    let print_data = ["print-data-log", "value-decoder-class", "key-decoder-class"]
        .iter()
        .any(|x| o.has(x));
    let s = Settings {
        print_data,
        deep: o.has("deep-iteration") || print_data,
        skip_metadata: o.has("skip-record-metadata"),
        verify_only: o.has("verify-index-only"),
        sanity_only: o.has("index-sanity-check"),
        max_bytes: o.number("max-bytes").unwrap_or(i64::from(i32::MAX)).max(0) as usize,
    };
    let mut index_mismatches: Vec<(String, Vec<(i64, i64)>)> = Vec::new();
    let mut non_consecutive: Vec<(String, Vec<(i64, i64)>)> = Vec::new();
    for path in o.value("files").unwrap_or_default().split(',') {
        out.outln(format!("Dumping {path}"));
        let name = path.rsplit('/').next().unwrap_or(path);
        let Some(dot) = name.rfind('.') else {
            return main_threw(
                out,
                "java.lang.StringIndexOutOfBoundsException",
                &format!("begin -1, end {}, length {}", name.len(), name.len()),
            );
        };
        let suffix = &name[dot..];
        if !matches!(
            suffix,
            ".log" | ".index" | ".timeindex" | ".snapshot" | ".txnindex" | ".checkpoint"
        ) {
            out.errln(format!("Ignoring unknown file {path}"));
            continue;
        }
        let stem = name.split('.').next().unwrap_or("");
        let Ok(start_offset) = stem.parse::<i64>() else {
            return main_threw(
                out,
                "java.lang.NumberFormatException",
                &format!("For input string: \"{stem}\""),
            );
        };
        let dir = &path[..path.len() - name.len()];
        let log_path = format!("{dir}{stem}.log");
        let result = match suffix {
            ".log" => dump_log(world, out, path, start_offset, &s, &mut non_consecutive),
            ".index" => dump_index(world, out, path, &log_path, start_offset, &s, &mut index_mismatches),
            ".timeindex" => dump_time_index(world, out, path, &log_path, start_offset, &s),
            _ => {
                out.errln(format!("Ignoring unknown file {path}"));
                Ok(())
            }
        };
        if let Err(missing) = result {
            return main_threw(out, "java.nio.file.NoSuchFileException", &missing);
        }
    }
    for (file, list) in index_mismatches {
        out.errln(format!("Mismatches in :{file}"));
        for (index_offset, log_offset) in list {
            out.errln(format!("  Index offset: {index_offset}, log offset: {log_offset}"));
        }
    }
    for (file, list) in non_consecutive {
        out.errln(format!("Non-consecutive offsets in {file}"));
        for (first, second) in list {
            out.errln(format!("  {first} is followed by {second}"));
        }
    }
    Exit::Code(0)
}

/// An exception escaping `main`: the JVM's report, exit 1.
fn main_threw(out: &mut Output, class: &str, message: &str) -> Exit {
    out.errln(format!("Exception in thread \"main\" {class}: {message}"));
    Exit::Code(1)
}

fn read(world: &World, path: &str) -> Result<Vec<u8>, String> {
    world.read_file(path).ok_or_else(|| path.to_string())
}

/// `FileLogInputStream`: the batches at the front of `bytes` whose header and
/// whole body are present, with their file positions.
fn batches(bytes: &[u8]) -> Vec<(usize, BatchRef<'_>)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while bytes.len() - pos >= HEADER_SIZE_UP_TO_MAGIC {
        match BatchRef::parse(&bytes[pos..], bytes.len() - pos) {
            Ok(b) => {
                out.push((pos, b));
                pos += b.size();
            }
            Err(_) => break,
        }
    }
    out
}

fn dump_log(
    world: &World,
    out: &mut Output,
    path: &str,
    start_offset: i64,
    s: &Settings,
    non_consecutive: &mut Vec<(String, Vec<(i64, i64)>)>,
) -> Result<(), String> {
    out.outln(format!("Log starting offset: {start_offset}"));
    let bytes = read(world, path)?;
    let bytes = &bytes[..bytes.len().min(s.max_bytes)];
    let mut valid_bytes = 0usize;
    let mut last_offset = -1i64;
    let mut gaps: Vec<(i64, i64)> = Vec::new();
    for (position, batch) in batches(bytes) {
        print_batch(out, &batch, position);
        if s.deep {
            for record in batch.records().unwrap_or_default() {
                if last_offset != -1 && record.offset != last_offset + 1 {
                    gaps.insert(0, (last_offset, record.offset));
                }
                last_offset = record.offset;
                out.outln(record_line(&batch, &record, s));
            }
        }
        valid_bytes += batch.size();
    }
    let trailing = bytes.len() - valid_bytes;
    if trailing > 0 && s.max_bytes == i32::MAX as usize {
        let name = path.rsplit('/').next().unwrap_or(path);
        out.outln(format!("Found {trailing} invalid bytes at the end of {name}"));
    }
    if !gaps.is_empty() {
        non_consecutive.push((path.to_string(), gaps));
    }
    Ok(())
}

/// `printBatchLevel` for a v2 batch.
fn print_batch(out: &mut Output, b: &BatchRef<'_>, position: usize) {
    let horizon = match b.delete_horizon_ms() {
        Some(ms) => format!("OptionalLong[{ms}]"),
        None => "OptionalLong.empty".to_string(),
    };
    out.outln(format!(
        "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} producerId: {} producerEpoch: {} \
         partitionLeaderEpoch: {} isTransactional: {} isControl: {} deleteHorizonMs: {horizon} position: {position} \
         {}: {} size: {} magic: {} compresscodec: {} crc: {} isvalid: {}",
        b.base_offset(),
        b.last_offset(),
        b.records_count(),
        b.base_sequence(),
        b.last_sequence(),
        b.producer_id(),
        b.producer_epoch(),
        b.partition_leader_epoch(),
        b.is_transactional(),
        b.is_control(),
        b.timestamp_type().name(),
        b.max_timestamp(),
        b.size(),
        b.magic(),
        codec_name(b.compression_codec()),
        b.crc(),
        b.compute_crc() == b.crc(),
    ));
}

fn codec_name(codec: u8) -> &'static str {
    match codec {
        0 => "none",
        1 => "gzip",
        2 => "snappy",
        3 => "lz4",
        4 => "zstd",
        _ => "unknown",
    }
}

fn record_line(batch: &BatchRef<'_>, r: &Record, s: &Settings) -> String {
    let mut line = String::new();
    let mut prefix = "| ";
    if !s.skip_metadata {
        let keys: Vec<&str> = r.headers.iter().map(|h| h.key.as_str()).collect();
        line.push_str(&format!(
            "{prefix}offset: {} {}: {} keySize: {} valueSize: {} sequence: {} headerKeys: [{}]",
            r.offset,
            batch.timestamp_type().name(),
            r.timestamp,
            r.key.as_ref().map_or(-1, |k| k.len() as i64),
            r.value.as_ref().map_or(-1, |v| v.len() as i64),
            r.sequence,
            keys.join(",")
        ));
        prefix = " ";
    }
    if s.print_data && !batch.is_control() {
        if let Some(k) = &r.key {
            line.push_str(&format!("{prefix}key: {}", String::from_utf8_lossy(k)));
        }
        if let Some(v) = &r.value {
            line.push_str(&format!(" payload: {}", String::from_utf8_lossy(v)));
        }
    }
    line
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Offset index entries: `(absolute offset, position)`.
fn offset_entries(bytes: &[u8], base: i64) -> Vec<(i64, u32)> {
    bytes
        .chunks_exact(8)
        .map(|c| (base + i64::from(be_u32(c, 0)), be_u32(c, 4)))
        .collect()
}

fn dump_index(
    world: &World,
    out: &mut Output,
    path: &str,
    log_path: &str,
    base: i64,
    s: &Settings,
    mismatches: &mut Vec<(String, Vec<(i64, i64)>)>,
) -> Result<(), String> {
    let log = read(world, log_path)?;
    let entries = offset_entries(&read(world, path)?, base);
    if entries.is_empty() {
        out.outln(format!("{path} is empty."));
        return Ok(());
    }
    if s.sanity_only {
        out.outln(format!("{path} passed sanity check."));
        return Ok(());
    }
    let mut found: Vec<(i64, i64)> = Vec::new();
    for (i, (offset, position)) in entries.into_iter().enumerate() {
        // A sparse file after a crash holds zero entries: stop at the first.
        if offset == base && i > 0 {
            break;
        }
        let first_last_offset = log
            .get(position as usize..)
            .and_then(|slice| batches(slice).first().map(|(_, b)| b.last_offset()));
        match first_last_offset {
            Some(last) if last != offset => found.insert(0, (offset, last)),
            None => found.insert(0, (offset, -1)),
            _ => {}
        }
        if !s.verify_only {
            out.outln(format!("offset: {offset} position: {position}"));
        }
    }
    if !found.is_empty() {
        mismatches.push((path.to_string(), found));
    }
    Ok(())
}

fn dump_time_index(
    world: &World,
    out: &mut Output,
    path: &str,
    log_path: &str,
    base: i64,
    s: &Settings,
) -> Result<(), String> {
    let log = read(world, log_path)?;
    let index_path = format!("{}.index", log_path.trim_end_matches(".log"));
    let offsets = offset_entries(&world.read_file(&index_path).unwrap_or_default(), base);
    let bytes = read(world, path)?;
    if s.sanity_only {
        out.outln(format!("{path} passed sanity check."));
        return Ok(());
    }
    let mut mismatch: Vec<(i64, i64)> = Vec::new();
    let mut out_of_order: Vec<(i64, i64)> = Vec::new();
    let mut not_found: Vec<(i64, i64)> = Vec::new();
    let mut prev = -1i64;
    for (i, c) in bytes.chunks_exact(12).enumerate() {
        let timestamp = i64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let offset = base + i64::from(be_u32(c, 8));
        if offset == base && i > 0 {
            break;
        }
        // OffsetIndex.lookup: the last entry at or below the offset.
        let position = offsets
            .iter()
            .take_while(|(o, _)| *o <= offset)
            .last()
            .map_or(0, |(_, p)| *p as usize);
        let slice = log.get(position..).unwrap_or_default();
        match batches(slice).into_iter().find(|(_, b)| b.last_offset() >= offset) {
            None => not_found.push((offset, -1)),
            Some((_, b)) if b.last_offset() != offset => not_found.push((offset, b.last_offset())),
            Some((_, b)) => {
                let max = b
                    .records()
                    .unwrap_or_default()
                    .iter()
                    .map(|r| r.timestamp)
                    .max()
                    .unwrap_or(-1);
                if max != timestamp {
                    mismatch.push((timestamp, max));
                }
                if prev >= timestamp {
                    out_of_order.push((timestamp, prev));
                }
            }
        }
        if !s.verify_only {
            out.outln(format!("timestamp: {timestamp} offset: {offset}"));
        }
        prev = timestamp;
    }
    if !mismatch.is_empty() {
        out.errln(format!("Found timestamp mismatch in :{path}"));
        for (index_ts, log_ts) in mismatch {
            out.errln(format!("  Index timestamp: {index_ts}, log timestamp: {log_ts}"));
        }
    }
    if !out_of_order.is_empty() {
        out.errln(format!("Found out of order timestamp in :{path}"));
        for (ts, prev) in out_of_order {
            out.errln(format!("  Index timestamp: {ts}, Previously indexed timestamp: {prev}"));
        }
    }
    if !not_found.is_empty() {
        out.errln("The following indexed offsets are not found in the log.");
        for (indexed, found) in not_found {
            out.errln(format!("Indexed offset: {indexed}, found log offset: {found}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        for bytes in [
            &b""[..],
            &[0u8; 16],
            &[0xff; 80],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 2],
        ] {
            let _ = batches(bytes);
            let _ = offset_entries(bytes, 0);
        }
    }
}
