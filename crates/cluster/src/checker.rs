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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::sim::RecordOutcome;
use crate::types::TopicPartition;

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
}
