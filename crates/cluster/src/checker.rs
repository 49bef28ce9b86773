//! A history checker in the style of Jepsen's Kafka checker: it judges what
//! clients saw, never how the cluster got there. It reads only the history
//! (producer outcomes, the values that were sent, what consumers polled) and a
//! final full read of every partition; it does not look at brokers, logs or
//! any other internals, so a bug in them cannot hide a bug here.
//!
//! Records are identified by their value, which must be unique per record
//! (tests send `"r-<id>"` or similar). Null values cannot be identified and are
//! ignored in the final read.
//!
//! Anomalies:
//! - **lost write**: an acknowledged record is not in the final read;
//! - **duplicate**: a value appears more than once in the final read;
//! - **inconsistent offset**: an acknowledged record is found at another
//!   offset than acknowledged, its acknowledged offset holds another value, or
//!   a consumer read a different value at an offset than the final read holds;
//! - **non-monotonic read**: a consumer's offsets within a partition did not
//!   advance (Jepsen's `nonmonotonic-poll`);
//! - **unexpected value**: the final read holds a value no one sent.
//!
//! Records that failed or never got an outcome may or may not be in the log
//! (Kafka may have written a batch whose response was lost): those found are
//! counted as *indeterminate* and are not anomalies.

// B-trees, not `kafkaplay_flatmap`: these maps hold every record of a run and
// several are keyed by record values, so they fill out of key order.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::consumer::ConsumedRecord;
use crate::sim::RecordOutcome;
use crate::types::{NodeId, TopicPartition};

/// A final read of one partition: (offset, value) in offset order.
pub type PartitionRead = (TopicPartition, Vec<(i64, Option<Vec<u8>>)>);

/// One record a consumer polled: (partition, offset, value), in poll order.
pub type PolledRecord = (TopicPartition, i64, Option<Vec<u8>>);

/// What the checker judges.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Every producer outcome (acknowledgement or final failure).
    pub outcomes: Vec<RecordOutcome>,
    /// The value each record id carried when it was sent.
    pub sent: BTreeMap<u64, Vec<u8>>,
    /// A full read of every partition after the run.
    pub final_read: Vec<PartitionRead>,
    /// One consumer's polls, if a consumer ran.
    pub consumer: Option<Vec<PolledRecord>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostWrite {
    pub record_id: u64,
    pub tp: TopicPartition,
    /// The acknowledged offset (-1 when the producer was told none, as with acks=0).
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub value: Vec<u8>,
    pub record_id: Option<u64>,
    pub locations: Vec<(TopicPartition, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InconsistentOffset {
    /// The acknowledged record, or `None` for a consumer read.
    pub record_id: Option<u64>,
    pub tp: TopicPartition,
    pub offset: i64,
    /// The value the history puts at this offset.
    pub expected: Vec<u8>,
    /// What the final read holds there: `None` when the offset is absent.
    pub actual: Option<Option<Vec<u8>>>,
    /// Where the expected value is in the final read.
    pub found_at: Vec<(TopicPartition, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonMonotonicRead {
    pub tp: TopicPartition,
    pub previous_offset: i64,
    pub offset: i64,
    /// Position of the offending poll in the consumer's sequence.
    pub index: usize,
}

/// The checker's verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Records sent.
    pub sent: usize,
    /// Records with an `Ok` outcome.
    pub acked: usize,
    /// Records with an `Err` outcome.
    pub failed: usize,
    /// Records with no outcome at all.
    pub unacknowledged: usize,
    /// Failed or unacknowledged records that are in the final read anyway (fine).
    pub indeterminate_present: usize,
    pub lost: Vec<LostWrite>,
    pub duplicates: Vec<Duplicate>,
    pub inconsistent_offsets: Vec<InconsistentOffset>,
    pub non_monotonic_reads: Vec<NonMonotonicRead>,
    /// Values in the final read that no record carried.
    pub unexpected: Vec<(TopicPartition, i64, Vec<u8>)>,
}

impl Report {
    /// No anomaly of any kind.
    pub fn is_clean(&self) -> bool {
        self.lost.is_empty()
            && self.duplicates.is_empty()
            && self.inconsistent_offsets.is_empty()
            && self.non_monotonic_reads.is_empty()
            && self.unexpected.is_empty()
    }
}

/// Checks a history.
pub fn check(history: &History) -> Report {
    let mut report = Report {
        sent: history.sent.len(),
        ..Report::default()
    };

    // The final read, both ways: value → locations and location → value.
    let mut by_value: BTreeMap<&[u8], Vec<(TopicPartition, i64)>> = BTreeMap::new();
    let mut by_offset: BTreeMap<(&TopicPartition, i64), &Option<Vec<u8>>> = BTreeMap::new();
    for (tp, records) in &history.final_read {
        for (offset, value) in records {
            by_offset.insert((tp, *offset), value);
            if let Some(v) = value {
                by_value.entry(v.as_slice()).or_default().push((tp.clone(), *offset));
            }
        }
    }
    let record_of_value: BTreeMap<&[u8], u64> = history.sent.iter().map(|(id, v)| (v.as_slice(), *id)).collect();

    // The outcome of each record (the first one if a record had several).
    let mut outcome_of: BTreeMap<u64, &RecordOutcome> = BTreeMap::new();
    for o in &history.outcomes {
        outcome_of.entry(o.record_id).or_insert(o);
    }

    for (&record_id, value) in &history.sent {
        let found = by_value.get(value.as_slice()).cloned().unwrap_or_default();
        match outcome_of.get(&record_id).map(|o| (o, &o.result)) {
            Some((o, Ok(offset))) => {
                report.acked += 1;
                if found.is_empty() {
                    report.lost.push(LostWrite {
                        record_id,
                        tp: o.tp.clone(),
                        offset: *offset,
                    });
                }
                if *offset >= 0 {
                    let actual = by_offset.get(&(&o.tp, *offset)).map(|v| (*v).clone());
                    let elsewhere = !found.is_empty() && !found.contains(&(o.tp.clone(), *offset));
                    let overwritten = matches!(&actual, Some(v) if v.as_deref() != Some(value.as_slice()));
                    if elsewhere || overwritten {
                        report.inconsistent_offsets.push(InconsistentOffset {
                            record_id: Some(record_id),
                            tp: o.tp.clone(),
                            offset: *offset,
                            expected: value.clone(),
                            actual,
                            found_at: found.clone(),
                        });
                    }
                }
            }
            Some((_, Err(_))) => {
                report.failed += 1;
                if !found.is_empty() {
                    report.indeterminate_present += 1;
                }
            }
            None => {
                report.unacknowledged += 1;
                if !found.is_empty() {
                    report.indeterminate_present += 1;
                }
            }
        }
    }

    for (value, locations) in &by_value {
        if locations.len() > 1 {
            report.duplicates.push(Duplicate {
                value: value.to_vec(),
                record_id: record_of_value.get(value).copied(),
                locations: locations.clone(),
            });
        }
        if !record_of_value.contains_key(value) {
            for (tp, offset) in locations {
                report.unexpected.push((tp.clone(), *offset, value.to_vec()));
            }
        }
    }

    if let Some(polls) = &history.consumer {
        let mut last: BTreeMap<&TopicPartition, i64> = BTreeMap::new();
        let mut reported: BTreeSet<(&TopicPartition, i64)> = BTreeSet::new();
        for (index, (tp, offset, value)) in polls.iter().enumerate() {
            if let Some(&previous) = last.get(tp) {
                if *offset <= previous {
                    report.non_monotonic_reads.push(NonMonotonicRead {
                        tp: tp.clone(),
                        previous_offset: previous,
                        offset: *offset,
                        index,
                    });
                }
            }
            last.insert(tp, *offset);
            let Some(v) = value else { continue };
            let actual = by_offset.get(&(tp, *offset)).map(|v| (*v).clone());
            if actual.as_ref() != Some(&Some(v.clone())) && reported.insert((tp, *offset)) {
                report.inconsistent_offsets.push(InconsistentOffset {
                    record_id: None,
                    tp: tp.clone(),
                    offset: *offset,
                    expected: v.clone(),
                    actual,
                    found_at: by_value.get(v.as_slice()).cloned().unwrap_or_default(),
                });
            }
        }
    }
    report
}

fn show(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

fn show_locations(locations: &[(TopicPartition, i64)]) -> String {
    let parts: Vec<String> = locations.iter().map(|(tp, o)| format!("{tp}@{o}")).collect();
    parts.join(", ")
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "sent {}, acked {}, failed {}, unacknowledged {}, indeterminate but present {}",
            self.sent, self.acked, self.failed, self.unacknowledged, self.indeterminate_present
        )?;
        if self.is_clean() {
            return writeln!(f, "no anomalies");
        }
        if !self.lost.is_empty() {
            writeln!(f, "lost writes: {}", self.lost.len())?;
            for l in &self.lost {
                writeln!(
                    f,
                    "  record {} acked at {}@{} is not in the log",
                    l.record_id, l.tp, l.offset
                )?;
            }
        }
        if !self.duplicates.is_empty() {
            writeln!(f, "duplicates: {}", self.duplicates.len())?;
            for d in &self.duplicates {
                let who = d.record_id.map_or(String::new(), |id| format!("record {id} "));
                writeln!(
                    f,
                    "  {who}value {:?} at {}",
                    show(&d.value),
                    show_locations(&d.locations)
                )?;
            }
        }
        if !self.inconsistent_offsets.is_empty() {
            writeln!(f, "inconsistent offsets: {}", self.inconsistent_offsets.len())?;
            for i in &self.inconsistent_offsets {
                let who = match i.record_id {
                    Some(id) => format!("record {id} acked at"),
                    None => "consumer read".to_string(),
                };
                let actual = match &i.actual {
                    None => "nothing".to_string(),
                    Some(None) => "a null value".to_string(),
                    Some(Some(v)) => format!("{:?}", show(v)),
                };
                let found = if i.found_at.is_empty() {
                    "not found elsewhere".to_string()
                } else {
                    format!("found at {}", show_locations(&i.found_at))
                };
                writeln!(
                    f,
                    "  {who} {}@{}: {:?} expected, log holds {actual}; {found}",
                    i.tp,
                    i.offset,
                    show(&i.expected)
                )?;
            }
        }
        if !self.non_monotonic_reads.is_empty() {
            writeln!(f, "non-monotonic reads: {}", self.non_monotonic_reads.len())?;
            for n in &self.non_monotonic_reads {
                writeln!(
                    f,
                    "  poll #{}: {} went from offset {} to {}",
                    n.index, n.tp, n.previous_offset, n.offset
                )?;
            }
        }
        if !self.unexpected.is_empty() {
            writeln!(f, "unexpected values: {}", self.unexpected.len())?;
            for (tp, offset, v) in &self.unexpected {
                writeln!(f, "  {tp}@{offset}: {:?} was never sent", show(v))?;
            }
        }
        Ok(())
    }
}

// ----- consumer groups: delivery to the application -----

/// A record of the final read that one group processed more than once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reprocessed {
    pub tp: TopicPartition,
    pub offset: i64,
    /// Who processed it, in order (a consumer may appear twice).
    pub consumers: Vec<NodeId>,
}

/// Processing that went backwards within one consumer and one assignment of
/// a partition: offsets must grow until the partition is reassigned or sought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingRegression {
    pub consumer: NodeId,
    pub tp: TopicPartition,
    pub previous_offset: i64,
    pub offset: i64,
}

/// What one group's applications processed, judged against the final read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Records in the final read.
    pub records: usize,
    pub processed: usize,
    /// Records in the final read the group never processed (at-most-once loss).
    pub never_processed: Vec<(TopicPartition, i64)>,
    /// Records the group processed more than once (at-least-once duplicates).
    pub reprocessed: Vec<Reprocessed>,
    pub regressions: Vec<ProcessingRegression>,
    /// Processed records whose offset holds another value (or nothing) in the
    /// final read.
    pub inconsistent: Vec<(TopicPartition, i64)>,
}

impl DeliveryReport {
    /// Exactly once: every record processed once, in order.
    pub fn is_exactly_once(&self) -> bool {
        self.never_processed.is_empty()
            && self.reprocessed.is_empty()
            && self.regressions.is_empty()
            && self.inconsistent.is_empty()
    }
}

/// Checks one group's processing history against the final read of the
/// partitions it consumed. Records the group was never meant to see (before
/// the position it started from) should be left out of `final_read`. A record
/// processed again after its partition moved to another consumer, or came back
/// after a rebalance, is a duplicate, not a regression.
pub fn check_group_delivery(final_read: &[PartitionRead], processed: &[ConsumedRecord]) -> DeliveryReport {
    let mut report = DeliveryReport {
        processed: processed.len(),
        ..DeliveryReport::default()
    };
    let mut by_offset: BTreeMap<(&TopicPartition, i64), &Option<Vec<u8>>> = BTreeMap::new();
    for (tp, records) in final_read {
        for (offset, value) in records {
            by_offset.insert((tp, *offset), value);
        }
    }
    report.records = by_offset.len();
    let mut who: BTreeMap<(&TopicPartition, i64), Vec<NodeId>> = BTreeMap::new();
    let mut last: BTreeMap<(NodeId, &TopicPartition), (u32, i64)> = BTreeMap::new();
    let mut inconsistent = BTreeSet::new();
    for r in processed {
        who.entry((&r.tp, r.offset)).or_default().push(r.consumer);
        if let Some(&(assignment_id, previous)) = last.get(&(r.consumer, &r.tp)) {
            if assignment_id == r.assignment_id && r.offset <= previous {
                report.regressions.push(ProcessingRegression {
                    consumer: r.consumer,
                    tp: r.tp.clone(),
                    previous_offset: previous,
                    offset: r.offset,
                });
            }
        }
        last.insert((r.consumer, &r.tp), (r.assignment_id, r.offset));
        match by_offset.get(&(&r.tp, r.offset)) {
            Some(v) if **v == r.value => {}
            _ => {
                inconsistent.insert((r.tp.clone(), r.offset));
            }
        }
    }
    for (tp, offset) in by_offset.keys() {
        match who.get(&(*tp, *offset)) {
            None => report.never_processed.push(((*tp).clone(), *offset)),
            Some(consumers) if consumers.len() > 1 => report.reprocessed.push(Reprocessed {
                tp: (*tp).clone(),
                offset: *offset,
                consumers: consumers.clone(),
            }),
            Some(_) => {}
        }
    }
    report.inconsistent = inconsistent.into_iter().collect();
    report
}

impl fmt::Display for DeliveryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "records {}, processed {}", self.records, self.processed)?;
        if self.is_exactly_once() {
            return writeln!(f, "each record processed exactly once");
        }
        if !self.never_processed.is_empty() {
            writeln!(f, "never processed: {}", self.never_processed.len())?;
            for (tp, o) in &self.never_processed {
                writeln!(f, "  {tp}@{o}")?;
            }
        }
        if !self.reprocessed.is_empty() {
            writeln!(f, "processed more than once: {}", self.reprocessed.len())?;
            for r in &self.reprocessed {
                let by: Vec<String> = r.consumers.iter().map(|c| c.to_string()).collect();
                writeln!(f, "  {}@{} by {}", r.tp, r.offset, by.join(", "))?;
            }
        }
        if !self.regressions.is_empty() {
            writeln!(f, "processing went backwards: {}", self.regressions.len())?;
            for r in &self.regressions {
                writeln!(
                    f,
                    "  consumer {} {} went from offset {} to {}",
                    r.consumer, r.tp, r.previous_offset, r.offset
                )?;
            }
        }
        if !self.inconsistent.is_empty() {
            writeln!(f, "processed values not in the log: {}", self.inconsistent.len())?;
            for (tp, o) in &self.inconsistent {
                writeln!(f, "  {tp}@{o}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::NodeId;

    const PRODUCER: NodeId = 10_000;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    fn v(id: u64) -> Vec<u8> {
        format!("r-{id}").into_bytes()
    }

    fn acked(record_id: u64, partition: i32, offset: i64) -> RecordOutcome {
        RecordOutcome {
            record_id,
            producer: PRODUCER,
            tp: tp(partition),
            result: Ok(offset),
            time: 0,
        }
    }

    fn failed(record_id: u64, partition: i32) -> RecordOutcome {
        RecordOutcome {
            record_id,
            producer: PRODUCER,
            tp: tp(partition),
            result: Err("org.apache.kafka.common.errors.TimeoutException: Expiring 1 record(s) for t-0:120000 ms has passed since batch creation".into()),
            time: 0,
        }
    }

    /// A history of `n` records all acked in partition 0 at offsets 0.., and a
    /// final read that holds exactly them.
    fn clean(n: u64) -> History {
        History {
            outcomes: (0..n).map(|i| acked(i, 0, i as i64)).collect(),
            sent: (0..n).map(|i| (i, v(i))).collect(),
            final_read: vec![(tp(0), (0..n).map(|i| (i as i64, Some(v(i)))).collect())],
            consumer: None,
        }
    }

    #[test]
    fn a_clean_history_has_no_anomalies() {
        let report = check(&clean(5));
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.acked, 5);
        assert_eq!(
            report.to_string(),
            "sent 5, acked 5, failed 0, unacknowledged 0, indeterminate but present 0\nno anomalies\n"
        );
    }

    #[test]
    fn acknowledged_record_missing_from_the_log_is_a_lost_write() {
        let mut h = clean(3);
        // An unclean election truncated offset 2 away.
        h.final_read[0].1.truncate(2);
        let report = check(&h);
        assert_eq!(
            report.lost,
            vec![LostWrite {
                record_id: 2,
                tp: tp(0),
                offset: 2
            }]
        );
        assert!(report.inconsistent_offsets.is_empty(), "the offset is simply gone");
        assert!(!report.is_clean());
        assert!(
            report.to_string().contains("record 2 acked at t-0@2 is not in the log"),
            "{report}"
        );
    }

    #[test]
    fn lost_write_overwritten_by_another_record_is_also_an_inconsistent_offset() {
        let mut h = clean(3);
        // Offset 2 was truncated and then reused by record 3.
        h.sent.insert(3, v(3));
        h.outcomes.push(acked(3, 0, 2));
        h.final_read[0].1[2] = (2, Some(v(3)));
        let report = check(&h);
        assert_eq!(
            report.lost,
            vec![LostWrite {
                record_id: 2,
                tp: tp(0),
                offset: 2
            }]
        );
        assert_eq!(report.inconsistent_offsets.len(), 1);
        let i = &report.inconsistent_offsets[0];
        assert_eq!(
            (i.record_id, i.offset, i.actual.clone()),
            (Some(2), 2, Some(Some(v(3))))
        );
    }

    #[test]
    fn a_value_in_the_log_twice_is_a_duplicate() {
        let mut h = clean(3);
        // A retry without idempotence wrote record 1 again.
        h.final_read[0].1.push((3, Some(v(1))));
        let report = check(&h);
        assert_eq!(
            report.duplicates,
            vec![Duplicate {
                value: v(1),
                record_id: Some(1),
                locations: vec![(tp(0), 1), (tp(0), 3)]
            }]
        );
        assert!(report.lost.is_empty());
    }

    #[test]
    fn record_found_at_another_offset_than_acked_is_inconsistent() {
        let mut h = clean(3);
        h.final_read[0].1 = vec![(0, Some(v(0))), (1, Some(v(2))), (2, Some(v(1)))];
        let report = check(&h);
        let ids: Vec<Option<u64>> = report.inconsistent_offsets.iter().map(|i| i.record_id).collect();
        assert_eq!(ids, vec![Some(1), Some(2)]);
        assert_eq!(report.inconsistent_offsets[0].found_at, vec![(tp(0), 2)]);
        assert!(report.lost.is_empty() && report.duplicates.is_empty());
    }

    #[test]
    fn failed_or_unacknowledged_records_in_the_log_are_indeterminate_not_anomalies() {
        let mut h = clean(2);
        // Record 2 timed out but was written; record 3 has no outcome and was
        // written; record 4 failed and is absent.
        for id in 2..5 {
            h.sent.insert(id, v(id));
        }
        h.outcomes.push(failed(2, 0));
        h.outcomes.push(failed(4, 0));
        h.final_read[0].1.push((2, Some(v(2))));
        h.final_read[0].1.push((3, Some(v(3))));
        let report = check(&h);
        assert!(report.is_clean(), "{report}");
        assert_eq!((report.acked, report.failed, report.unacknowledged), (2, 2, 1));
        assert_eq!(report.indeterminate_present, 2);
    }

    #[test]
    fn acks_zero_outcomes_without_offsets_are_only_checked_for_presence() {
        let mut h = clean(2);
        h.outcomes = vec![acked(0, 0, -1), acked(1, 0, -1)];
        assert!(check(&h).is_clean());
        h.final_read[0].1.pop();
        assert_eq!(
            check(&h).lost,
            vec![LostWrite {
                record_id: 1,
                tp: tp(0),
                offset: -1
            }]
        );
    }

    #[test]
    fn consumer_offsets_going_backwards_are_non_monotonic() {
        let mut h = clean(4);
        h.final_read.push((tp(1), vec![]));
        h.consumer = Some(vec![
            (tp(0), 0, Some(v(0))),
            (tp(0), 1, Some(v(1))),
            (tp(1), 7, None),
            (tp(0), 3, Some(v(3))),
            (tp(0), 2, Some(v(2))),
        ]);
        let report = check(&h);
        assert_eq!(
            report.non_monotonic_reads,
            vec![NonMonotonicRead {
                tp: tp(0),
                previous_offset: 3,
                offset: 2,
                index: 4
            }]
        );
        assert!(
            report.to_string().contains("poll #4: t-0 went from offset 3 to 2"),
            "{report}"
        );
    }

    #[test]
    fn consumer_reading_a_value_the_log_no_longer_holds_is_an_inconsistent_offset() {
        let mut h = clean(2);
        // The consumer read a record at offset 1 that a truncation later replaced.
        h.consumer = Some(vec![(tp(0), 0, Some(v(0))), (tp(0), 1, Some(b"ghost".to_vec()))]);
        let report = check(&h);
        assert_eq!(report.inconsistent_offsets.len(), 1);
        let i = &report.inconsistent_offsets[0];
        assert_eq!(
            (i.record_id, i.offset, i.expected.clone()),
            (None, 1, b"ghost".to_vec())
        );
        assert_eq!(i.actual, Some(Some(v(1))));
    }

    #[test]
    fn a_value_no_one_sent_is_unexpected() {
        let mut h = clean(1);
        h.final_read[0].1.push((1, Some(b"junk".to_vec())));
        let report = check(&h);
        assert_eq!(report.unexpected, vec![(tp(0), 1, b"junk".to_vec())]);
        assert!(!report.is_clean());
    }

    // ----- group delivery -----

    fn processed(consumer: NodeId, partition: i32, offset: i64, assignment_id: u32) -> ConsumedRecord {
        ConsumedRecord {
            consumer,
            group: Some("g".into()),
            tp: tp(partition),
            offset,
            value: Some(v(offset as u64)),
            time: 0,
            assignment_id,
        }
    }

    fn log(n: i64) -> Vec<PartitionRead> {
        vec![(tp(0), (0..n).map(|o| (o, Some(v(o as u64)))).collect())]
    }

    #[test]
    fn each_record_processed_once_is_exactly_once() {
        let history: Vec<ConsumedRecord> = (0..4).map(|o| processed(1, 0, o, 1)).collect();
        let report = check_group_delivery(&log(4), &history);
        assert!(report.is_exactly_once(), "{report}");
        assert_eq!(
            report.to_string(),
            "records 4, processed 4\neach record processed exactly once\n"
        );
    }

    #[test]
    fn a_crash_after_commit_before_processing_loses_records_for_the_group() {
        // Consumer 1 committed 0..4, processed 0..2 and died; consumer 2 went on at 4.
        let mut history: Vec<ConsumedRecord> = (0..2).map(|o| processed(1, 0, o, 1)).collect();
        history.extend((4..6).map(|o| processed(2, 0, o, 1)));
        let report = check_group_delivery(&log(6), &history);
        assert_eq!(report.never_processed, vec![(tp(0), 2), (tp(0), 3)]);
        assert!(report.reprocessed.is_empty());
        assert!(report.regressions.is_empty());
        assert!(
            report.to_string().contains("never processed: 2\n  t-0@2\n  t-0@3\n"),
            "{report}"
        );
    }

    #[test]
    fn a_crash_after_processing_before_commit_duplicates_records() {
        // Consumer 1 processed 0..4 with 0..2 committed; consumer 2 re-read 2..4.
        let mut history: Vec<ConsumedRecord> = (0..4).map(|o| processed(1, 0, o, 1)).collect();
        history.extend((2..4).map(|o| processed(2, 0, o, 1)));
        let report = check_group_delivery(&log(4), &history);
        assert!(report.never_processed.is_empty());
        assert_eq!(
            report.reprocessed,
            vec![
                Reprocessed {
                    tp: tp(0),
                    offset: 2,
                    consumers: vec![1, 2]
                },
                Reprocessed {
                    tp: tp(0),
                    offset: 3,
                    consumers: vec![1, 2]
                },
            ]
        );
        assert!(
            report.regressions.is_empty(),
            "another consumer re-reading is no regression"
        );
    }

    #[test]
    fn rereading_after_a_rebalance_is_a_duplicate_but_going_back_within_one_assignment_is_not_monotonic() {
        // The partition came back to consumer 1 (assignment 2) from the committed offset 1.
        let history = vec![
            processed(1, 0, 0, 1),
            processed(1, 0, 1, 1),
            processed(1, 0, 2, 1),
            processed(1, 0, 1, 2),
            processed(1, 0, 2, 2),
        ];
        let report = check_group_delivery(&log(3), &history);
        assert!(report.regressions.is_empty(), "{report}");
        assert_eq!(report.reprocessed.len(), 2);
        // The same within one assignment is a bug in the consumer.
        let history = vec![processed(1, 0, 0, 1), processed(1, 0, 2, 1), processed(1, 0, 1, 1)];
        let report = check_group_delivery(&log(3), &history);
        assert_eq!(
            report.regressions,
            vec![ProcessingRegression {
                consumer: 1,
                tp: tp(0),
                previous_offset: 2,
                offset: 1
            }]
        );
        assert!(
            report.to_string().contains("consumer 1 t-0 went from offset 2 to 1"),
            "{report}"
        );
    }

    #[test]
    fn a_processed_value_the_log_does_not_hold_is_inconsistent() {
        let mut r = processed(1, 0, 1, 1);
        r.value = Some(b"other".to_vec());
        let report = check_group_delivery(&log(2), &[processed(1, 0, 0, 1), r]);
        assert_eq!(report.inconsistent, vec![(tp(0), 1)]);
        assert!(!report.is_exactly_once());
    }
}
