//! A leader with two followers: replication, the high watermark rule, ISR
//! shrink after `replica.lag.time.max.ms` and expansion once caught up.

mod broker_harness;

use broker_harness::*;
use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::TopicPartition;

#[test]
fn leader_with_two_followers_replicates_and_moves_the_high_watermark() {
    let mut h = Harness::new(3);
    let tp = TopicPartition::new("orders", 0);
    h.create_topic("orders", &[&[1, 2, 3]], &[]);
    assert_eq!(h.info(1, &tp).role, "leader");
    assert_eq!(h.info(2, &tp).role, "follower");
    assert_eq!(h.info(3, &tp).role, "follower");

    let r = h.produce_and_wait(1, -1, &tp, batch("a", 3), 5_000);
    assert_eq!(r.partitions[0].error, None);
    assert_eq!(r.partitions[0].base_offset, 0);
    assert_eq!(
        h.info(1, &tp).high_watermark,
        3,
        "acks=all answers once the HW passed the batch"
    );
    for b in [2, 3] {
        assert_eq!(h.info(b, &tp).log_end_offset, 3);
        assert_eq!(
            values(&h, b, &tp),
            values(&h, 1, &tp),
            "broker {b} holds the leader's records"
        );
    }
    // Followers learn the HW on their next fetch.
    h.run_for(1_000);
    for b in [2, 3] {
        assert_eq!(h.info(b, &tp).high_watermark, 3);
    }
    // Byte for byte the same log.
    let bytes = |b| h.broker(b).log(&tp).unwrap().read(0, u32::MAX, i64::MAX).unwrap().bytes;
    assert_eq!(bytes(1), bytes(2));
    assert!(h
        .observed(|o| matches!(o, Observation::HighWatermark { high_watermark: 3, .. }))
        .iter()
        .any(|(_, b, _)| *b == 1));
}

#[test]
fn high_watermark_waits_for_the_slowest_isr_member_until_it_is_shrunk_out() {
    let mut h = Harness::new(3);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2, 3]], &[]);
    h.blocked.insert((3, 1)); // broker 3 can no longer fetch
    let r = h.produce_and_wait(1, 1, &tp, batch("x", 2), 1_000);
    assert_eq!(r.partitions[0].error, None, "acks=1 answers after the leader's append");
    h.run_for(5_000);
    assert_eq!(h.info(2, &tp).log_end_offset, 2);
    assert_eq!(
        h.info(1, &tp).high_watermark,
        0,
        "HW = min LEO over the ISR, and 3 is still in it"
    );

    // replica.lag.time.max.ms (30 s) later, checked every 15 s, broker 3 leaves the ISR.
    let shrunk = h.run_until(60_000, |h| h.partition(&tp).isr == vec![1, 2]);
    assert!(shrunk, "ISR was never shrunk: {:?}", h.partition(&tp).isr);
    let shrink = h
        .controller
        .alter_requests
        .iter()
        .find(|a| a.new_isr == vec![1, 2])
        .expect("AlterPartition");
    assert_eq!((shrink.broker, shrink.leader_epoch), (1, 0));
    h.settle();
    assert_eq!(h.info(1, &tp).high_watermark, 2, "without 3 the HW reaches the LEO");
    let shrunk_at = h.now;
    assert!(shrunk_at - T0 >= 30_000);

    // Heal: 3 catches up and is added back. Its lost fetch is retried after the
    // request timeout (`replica.socket.timeout.ms`, 30 s) at the latest.
    h.blocked.clear();
    assert!(
        h.run_until(31_000, |h| h.partition(&tp).isr == vec![1, 2, 3]),
        "not re-added"
    );
    assert_eq!(h.info(3, &tp).log_end_offset, 2);
    assert_eq!(h.info(1, &tp).isr, vec![1, 2, 3]);
}

#[test]
fn a_follower_that_keeps_up_stays_in_the_isr() {
    let mut h = Harness::new(3);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2, 3]], &[]);
    for i in 0..20 {
        h.produce(1, 1, &tp, batch(&format!("b{i}"), 1));
        h.run_for(5_000);
    }
    assert_eq!(h.partition(&tp).isr, vec![1, 2, 3]);
    assert!(h.controller.alter_requests.is_empty());
    assert_eq!(h.info(1, &tp).high_watermark, 20);
}

#[test]
fn acks_all_waits_for_the_followers_and_acks_one_does_not() {
    let mut h = Harness::new(3);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2, 3]], &[]);
    // Let the followers' fetches be parked at the leader (long poll).
    h.run_for(200);
    let sent = h.now;
    let all = h.produce(1, -1, &tp, batch("all", 1));
    let one = h.produce(1, 1, &tp, batch("one", 1));
    h.run_until(2_000, |h| h.produce_response(all).is_some());
    let (t_one, r_one) = h.produce_response(one).unwrap();
    let (t_all, r_all) = h.produce_response(all).unwrap();
    assert_eq!(
        (r_all.partitions[0].base_offset, r_one.partitions[0].base_offset),
        (0, 1)
    );
    // acks=1: one round trip. acks=all: the followers' next fetches must report
    // their new LEO first (two more hops).
    assert_eq!(t_one - sent, 2);
    assert!(t_all - sent >= 4, "acks=all answered after {} ms", t_all - sent);
    assert!(h.info(1, &tp).high_watermark >= 1);
}
