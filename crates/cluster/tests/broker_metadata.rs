//! The broker as a KRaft observer: it finds the active controller, registers,
//! is unfenced once its image holds its registration, and applies only
//! committed metadata (topic deletion, config changes).

mod broker_harness;

use broker_harness::*;
use kafkaplay_cluster::metadata::MetadataRecord;
use kafkaplay_cluster::protocol::Message;
use kafkaplay_cluster::{ClusterConfig, TopicPartition};

#[test]
fn a_silent_voter_is_skipped_after_the_fetch_timeout() {
    // Broker 1 starts with voter 1001, which never answers.
    let mut h = Harness::with_config(ClusterConfig::new(1, 2));
    assert!(
        h.now - T0 >= 2_000,
        "found the controller only after the 2 s fetch timeout"
    );
    h.run_for(3_000);
    let b = h.broker(1);
    assert_eq!(b.quorum_leader(), CONTROLLER);
    assert!(b.is_caught_up());
    assert!(!b.is_fenced());
    assert!(
        h.now - T0 >= 2_000,
        "found the controller only after the 2 s fetch timeout"
    );
    assert_eq!(b.image().offset, h.controller.log.len() as i64);
}

#[test]
fn deleting_a_topic_removes_its_replicas() {
    let mut h = Harness::new(2);
    let id = h.create_topic("gone", &[&[1, 2]], &[]);
    let tp = TopicPartition::new("gone", 0);
    h.produce_and_wait(1, -1, &tp, batch("x", 1), 1_000);
    h.controller.append(MetadataRecord::RemoveTopic { id });
    h.run_for(1_000);
    assert!(h.broker(1).replica_info(&tp).is_none());
    assert!(h.broker(2).log(&tp).is_none());
    h.kill(2);
    assert_eq!(h.disks[&2].partitions().count(), 0, "its files are gone too");
}

#[test]
fn topic_config_changes_reach_the_log() {
    let mut h = Harness::new(1);
    h.create_topic("t", &[&[1]], &[]);
    let tp = TopicPartition::new("t", 0);
    h.controller.append(MetadataRecord::Config {
        topic: "t".into(),
        name: "retention.ms".into(),
        value: Some("1000".into()),
    });
    h.run_for(1_000);
    assert_eq!(h.broker(1).log(&tp).unwrap().config().retention_ms, 1000);
}

#[test]
fn metadata_request_describes_the_committed_image() {
    let mut h = Harness::new(2);
    h.create_topic("t", &[&[2, 1]], &[]);
    h.send(
        CLIENT,
        1,
        Message::MetadataRequest {
            request_id: 9,
            topics: Some(vec!["t".into(), "nope".into()]),
        },
    );
    h.settle();
    let view = h
        .inbox
        .iter()
        .find_map(|(_, _, m)| match m {
            Message::MetadataResponse {
                request_id: 9,
                metadata,
            } => Some(metadata.clone()),
            _ => None,
        })
        .expect("answered");
    assert_eq!(view.cluster_id.len(), 22);
    assert_eq!(view.brokers, vec![1, 2]);
    assert_eq!(view.topics[0].name, "t");
    assert_eq!(view.topics[0].partitions[0].leader, 2);
    assert_eq!(view.topics[1].name, "nope");
    assert_eq!(
        view.topics[1].error,
        Some(kafkaplay_cluster::KafkaError::UnknownTopicOrPartition)
    );
}
