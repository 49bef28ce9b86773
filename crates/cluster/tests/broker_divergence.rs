//! KIP-101/279: after a leader change, a follower whose log diverged truncates
//! to where its last epoch ends on the new leader, then catches up.

mod broker_harness;

use broker_harness::*;
use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::TopicPartition;

#[test]
fn old_leader_truncates_its_unreplicated_tail_after_a_leader_change() {
    let mut h = Harness::new(2);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2]], &[]);
    let r = h.produce_and_wait(1, -1, &tp, batch("committed", 2), 2_000);
    assert_eq!(r.partitions[0].error, None);

    // Broker 1 is cut off from its follower and appends two more with acks=1.
    h.blocked.insert((2, 1));
    h.blocked.insert((1, 2));
    h.produce_and_wait(1, 1, &tp, batch("lost", 2), 1_000);
    assert_eq!(h.info(1, &tp).log_end_offset, 4);
    assert_eq!(h.info(2, &tp).log_end_offset, 2);

    // The controller makes 2 the leader (epoch 1); it takes a write of its own.
    h.change_partition(&tp, Some(2), Some(vec![2]));
    h.settle();
    assert_eq!(h.info(2, &tp).role, "leader");
    assert_eq!(h.info(2, &tp).leader_epoch, 1);
    assert_eq!(h.info(1, &tp).role, "follower");
    let r = h.produce_and_wait(2, 1, &tp, batch("new", 1), 1_000);
    assert_eq!(r.partitions[0].base_offset, 2);

    // Healed: broker 1 fetches with last_fetched_epoch 0 at offset 4; epoch 0 ends
    // at 2 on the new leader, so it truncates [2, 4) and fetches from 2.
    h.blocked.clear();
    assert!(h.run_until(40_000, |h| h.info(1, &tp).log_end_offset == 3));
    let truncated = h.observed(|o| matches!(o, Observation::Truncated { .. }));
    assert_eq!(truncated.len(), 1);
    assert!(matches!(
        &truncated[0].2,
        Observation::Truncated {
            broker: 1,
            from: 2,
            to: 4,
            ..
        }
    ));
    assert_eq!(values(&h, 1, &tp), values(&h, 2, &tp));
    assert_eq!(
        values(&h, 1, &tp).iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>(),
        ["committed-0", "committed-1", "new-0"]
    );
    let epochs = h.broker(1).log(&tp).unwrap().leader_epochs().to_vec();
    assert_eq!(epochs, h.broker(2).log(&tp).unwrap().leader_epochs().to_vec());
}

#[test]
fn fetch_with_an_old_leader_epoch_is_fenced_and_a_newer_one_is_unknown() {
    use kafkaplay_cluster::protocol::{FetchPartition, FetchRequest, Message};
    use kafkaplay_cluster::KafkaError;
    let mut h = Harness::new(2);
    let tp = TopicPartition::new("t", 0);
    h.create_topic("t", &[&[1, 2]], &[]);
    h.change_partition(&tp, Some(2), None);
    h.change_partition(&tp, Some(1), None);
    h.settle();
    assert_eq!(h.info(1, &tp).leader_epoch, 2);
    for (epoch, want) in [
        (1, Some(KafkaError::FencedLeaderEpoch)),
        (3, Some(KafkaError::UnknownLeaderEpoch)),
        (2, None),
    ] {
        let request_id = 900 + epoch as u64;
        h.send(
            CLIENT,
            1,
            Message::Fetch(FetchRequest {
                replica: -1,
                request_id,
                max_wait_ms: 0,
                partitions: vec![FetchPartition {
                    tp: tp.clone(),
                    current_leader_epoch: epoch,
                    fetch_offset: 0,
                    last_fetched_epoch: -1,
                    max_bytes: 1024,
                }],
            }),
        );
        h.settle();
        let got = h.inbox.iter().find_map(|(_, _, m)| match m {
            Message::FetchResponse(r) if r.request_id == request_id => Some(r.partitions[0].error),
            _ => None,
        });
        assert_eq!(got, Some(want), "epoch {epoch}");
    }
}
