//! Idempotent producers: a retried batch gets its original offset back and is
//! not written twice; a sequence gap is refused; the state survives a leader
//! change because followers keep it too.

mod broker_harness;

use broker_harness::*;
use kafkaplay_cluster::protocol::Message;
use kafkaplay_cluster::{KafkaError, TopicPartition};

#[test]
fn duplicate_batch_returns_the_original_offset_without_appending() {
    let mut h = Harness::new(3);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2, 3]], &[]);
    let first = idempotent_batch(4000, 0, 0, &["a", "b"]);
    let r = h.produce_and_wait(1, -1, &tp, first.clone(), 2_000);
    assert_eq!((r.partitions[0].error, r.partitions[0].base_offset), (None, 0));
    let r = h.produce_and_wait(1, -1, &tp, idempotent_batch(4000, 0, 2, &["c"]), 2_000);
    assert_eq!(r.partitions[0].base_offset, 2);

    // The producer did not see the first answer and retries.
    let r = h.produce_and_wait(1, -1, &tp, first.clone(), 2_000);
    assert_eq!((r.partitions[0].error, r.partitions[0].base_offset), (None, 0));
    assert_eq!(h.info(1, &tp).log_end_offset, 3, "nothing was written twice");

    // A gap in sequence numbers.
    let r = h.produce_and_wait(1, 1, &tp, idempotent_batch(4000, 0, 7, &["z"]), 2_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::OutOfOrderSequenceNumber));
    // An older producer epoch.
    h.produce_and_wait(1, 1, &tp, idempotent_batch(4000, 1, 0, &["e1"]), 2_000);
    let r = h.produce_and_wait(1, 1, &tp, idempotent_batch(4000, 0, 3, &["old"]), 2_000);
    assert_eq!(r.partitions[0].error, Some(KafkaError::InvalidProducerEpoch));

    // After a leader change the new leader recognises the retry as well.
    h.run_for(1_000);
    h.change_partition(&tp, Some(2), None);
    h.settle();
    let r = h.produce_and_wait(2, -1, &tp, idempotent_batch(4000, 1, 0, &["e1"]), 2_000);
    assert_eq!((r.partitions[0].error, r.partitions[0].base_offset), (None, 3));
    assert_eq!(h.info(2, &tp).log_end_offset, 4);
}

#[test]
fn init_producer_id_hands_out_distinct_ids_across_restarts() {
    let mut h = Harness::new(1);
    let mut ids = Vec::new();
    for round in 0..2 {
        for i in 0..3 {
            h.send(
                CLIENT,
                1,
                Message::InitProducerId {
                    request_id: 500 + round * 10 + i,
                },
            );
        }
        h.settle();
        h.kill(1);
        h.start(1);
        h.run_for(3_000);
    }
    for (_, _, m) in &h.inbox {
        if let Message::InitProducerIdResponse {
            producer_id,
            producer_epoch,
            error,
            ..
        } = m
        {
            assert_eq!((*producer_epoch, *error), (0, None));
            ids.push(*producer_id);
        }
    }
    assert_eq!(ids.len(), 6);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 6, "{ids:?}");
}
