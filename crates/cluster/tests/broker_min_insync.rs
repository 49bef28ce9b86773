//! `min.insync.replicas`: acks=all is refused before the append when the ISR is
//! too small, fails after the append when the ISR shrinks while it waits, and
//! the high watermark stands still below the minimum (Kafka 3.7+).

mod broker_harness;

use broker_harness::*;
use kafkaplay_cluster::{KafkaError, TopicPartition};

#[test]
fn acks_all_is_refused_when_the_isr_is_below_min_insync_replicas() {
    let mut h = Harness::new(3);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2, 3]], &[("min.insync.replicas", "2")]);
    // The followers are cut off (else they would rejoin the ISR at once).
    h.blocked.insert((2, 1));
    h.blocked.insert((3, 1));
    h.change_partition(&tp, None, Some(vec![1]));
    h.settle();
    assert_eq!(h.info(1, &tp).isr, vec![1]);

    let r = h.produce_and_wait(1, -1, &tp, batch("x", 1), 1_000);
    let p = &r.partitions[0];
    assert_eq!(p.error, Some(KafkaError::NotEnoughReplicas));
    assert_eq!(p.error.unwrap().code(), 19);
    assert_eq!(p.error.unwrap().name(), "NOT_ENOUGH_REPLICAS");
    assert_eq!(
        p.error.unwrap().message(),
        "Messages are rejected since there are fewer in-sync replicas than required."
    );
    assert_eq!(h.info(1, &tp).log_end_offset, 0, "nothing was appended");

    // acks=1 is still accepted, but the HW does not move while |ISR| < min ISR.
    let r = h.produce_and_wait(1, 1, &tp, batch("y", 1), 1_000);
    assert_eq!(r.partitions[0].error, None);
    h.run_for(2_000);
    assert_eq!(h.info(1, &tp).log_end_offset, 1);
    assert_eq!(h.info(1, &tp).high_watermark, 0);
    assert_eq!(
        h.consumer_fetch(1, &tp, 0).partitions[0].records.len(),
        0,
        "consumers see nothing above the HW"
    );

    // Healed, the followers catch up, rejoin, and the HW moves.
    h.blocked.clear();
    assert!(h.run_until(40_000, |h| h.info(1, &tp).high_watermark == 1));
    assert!(
        h.partition(&tp).isr.len() >= 2,
        "the HW moves once the ISR reaches min.insync.replicas"
    );
    assert!(h.run_until(40_000, |h| h.partition(&tp).isr.len() == 3));
    assert_eq!(h.consumer_fetch(1, &tp, 0).partitions[0].high_watermark, 1);
}

#[test]
fn min_insync_above_the_replication_factor_counts_as_the_replication_factor() {
    let mut h = Harness::new(1);
    let tp = TopicPartition::new("solo", 0);
    h.create_topic("solo", &[&[1]], &[("min.insync.replicas", "2")]);
    let r = h.produce_and_wait(1, -1, &tp, batch("x", 1), 1_000);
    assert_eq!(r.partitions[0].error, None, "effective min ISR = min(2, RF 1)");
    assert_eq!(h.info(1, &tp).high_watermark, 1);
}

/// Kafka's `DelayedProduce`: NOT_ENOUGH_REPLICAS_AFTER_APPEND only once the HW has
/// reached the batch while the ISR is below the minimum; with the 3.7+ rule the HW
/// is frozen below the minimum, so a request written just before the ISR shrank
/// waits and times out.
#[test]
fn isr_shrinking_below_the_minimum_while_acks_all_waits_times_out() {
    let mut h = Harness::new(3);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2, 3]], &[("min.insync.replicas", "2")]);
    h.blocked.insert((2, 1));
    h.blocked.insert((3, 1));
    let id = h.produce_with_timeout(1, -1, &tp, batch("x", 1), 60_000);
    h.run_for(10_000);
    assert!(h.produce_response(id).is_none(), "still waiting for the followers");
    assert!(h.run_until(70_000, |h| h.produce_response(id).is_some()));
    let (t, r) = h.produce_response(id).unwrap();
    assert_eq!(r.partitions[0].error, Some(KafkaError::RequestTimedOut));
    assert!(t - T0 >= 60_000, "only at the request timeout");
    assert_eq!(h.partition(&tp).isr, vec![1], "the ISR shrank meanwhile");
    assert_eq!(
        h.info(1, &tp).high_watermark,
        0,
        "the HW stayed frozen below min.insync.replicas"
    );
    assert_eq!(h.info(1, &tp).log_end_offset, 1, "the record was written");
}

#[test]
fn acks_all_times_out_when_the_high_watermark_does_not_move() {
    let mut h = Harness::new(2);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2]], &[]);
    h.blocked.insert((2, 1));
    let id = h.produce_with_timeout(1, -1, &tp, batch("x", 1), 3_000);
    assert!(h.run_until(5_000, |h| h.produce_response(id).is_some()));
    let (t, r) = h.produce_response(id).unwrap();
    assert_eq!(r.partitions[0].error, Some(KafkaError::RequestTimedOut));
    assert!(t - T0 > 3_000);
}
