//! `LogManager.cleanupLogs` (the `kafka-log-retention` task): every
//! `log.retention.check.interval.ms` each log hosted here, leader or follower,
//! deletes the segments that `retention.ms` or `retention.bytes` no longer keep
//! (`UnifiedLog.deleteOldSegments`).

use kafkaplay_flatmap::FlatMap;

use super::partition::Partition;
use crate::sim::Ctx;
use crate::trace::Observation;
use crate::types::{NodeId, TopicPartition};

/// Runs retention over every log of the broker, noting each deletion.
pub(super) fn run(cx: &mut Ctx, broker: NodeId, partitions: &mut FlatMap<TopicPartition, Box<Partition>>) {
    for (tp, p) in partitions.iter_mut() {
        let Ok(report) = p.log.delete_old_segments(cx.now) else {
            continue;
        };
        if report.deleted_segments.is_empty() {
            continue;
        }
        cx.observe(Observation::Note(format!(
            "broker {broker} deleted {} segment(s) of {tp} ({}); log start offset {}",
            report.deleted_segments.len(),
            report.reasons.join(", "),
            report.log_start_offset
        )));
    }
}
