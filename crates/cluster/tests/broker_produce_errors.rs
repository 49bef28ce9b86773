//! Produce errors a client sees, with Kafka's codes (and messages where Kafka
//! sends one).

mod broker_harness;

use broker_harness::*;
use kafkaplay_cluster::protocol::{Message, ProduceRequest};
use kafkaplay_cluster::{KafkaError, TopicPartition};
use kafkaplay_log::{BatchBuilder, NewRecord};

#[test]
fn only_the_leader_of_a_known_partition_accepts_records() {
    let mut h = Harness::new(2);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2]], &[]);
    let r = h.produce_and_wait(2, 1, &tp, batch("x", 1), 1_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::NotLeaderOrFollower));
    let r = h.produce_and_wait(1, 1, &TopicPartition::new("nope", 0), batch("x", 1), 1_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::UnknownTopicOrPartition));
    let r = h.produce_and_wait(1, 1, &TopicPartition::new("t", 5), batch("x", 1), 1_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::UnknownTopicOrPartition));
}

#[test]
fn invalid_acks_and_acks_zero() {
    let mut h = Harness::new(1);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1]], &[]);
    let r = h.produce_and_wait(1, 2, &tp, batch("x", 1), 1_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::InvalidRequiredAcks));
    let id = h.produce(1, 0, &tp, batch("fire-and-forget", 1));
    h.run_for(1_000);
    assert!(h.produce_response(id).is_none(), "acks=0 is never answered");
    assert_eq!(h.info(1, &tp).log_end_offset, 1);
}

#[test]
fn log_validation_errors_map_to_kafka_codes() {
    let mut h = Harness::new(1);
    h.create_topic("small", &[&[1]], &[("max.message.bytes", "100")]);
    h.create_topic("compacted", &[&[1]], &[("cleanup.policy", "compact")]);
    let small = TopicPartition::new("small", 0);
    let r = h.produce_and_wait(1, 1, &small, batch(&"x".repeat(200), 1), 1_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::MessageTooLarge));

    let compacted = TopicPartition::new("compacted", 0);
    let r = h.produce_and_wait(1, 1, &compacted, batch("no-key", 1), 1_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::InvalidRecord));
    assert_eq!(
        r.partitions[0].error_message.as_deref(),
        Some("Compacted topic cannot accept message without key in topic partition compacted-0.")
    );

    let mut corrupt = batch("hello", 1);
    let n = corrupt.len();
    corrupt[n - 2] ^= 1;
    let r = h.produce_and_wait(1, 1, &small, corrupt, 1_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::CorruptMessage));
}

#[test]
fn one_response_per_request_with_every_partition() {
    let mut h = Harness::new(2);
    h.create_topic("t", &[&[1, 2], &[2, 1]], &[]);
    let (p0, p1) = (TopicPartition::new("t", 0), TopicPartition::new("t", 1));
    let mut rec = BatchBuilder::new(0);
    rec.append(NewRecord::new(T0, None, Some(b"v")));
    h.send(
        CLIENT,
        1,
        Message::Produce(ProduceRequest {
            request_id: 77,
            acks: -1,
            timeout_ms: 5_000,
            partitions: vec![(p0.clone(), rec.build()), (p1.clone(), rec.build())],
        }),
    );
    assert!(h.run_until(2_000, |h| h.produce_response(77).is_some()));
    let (_, r) = h.produce_response(77).unwrap();
    assert_eq!(r.partitions.len(), 2);
    assert_eq!((r.partitions[0].tp.clone(), r.partitions[0].error), (p0, None));
    assert_eq!(
        (r.partitions[1].tp.clone(), r.partitions[1].error),
        (p1, Some(KafkaError::NotLeaderOrFollower))
    );
}
