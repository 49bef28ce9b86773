//! Every jopt-simple tool's usage, byte for byte against the text jopt-simple
//! 5.0.4 prints for the same option declarations (fixtures/help/README.md).

mod support;

use kafkaplay_shell::Flavour;
use support::*;

#[test]
fn usage_texts_are_jopt_simples() {
    let mut w = world(1, Flavour::Apache);
    for tool in [
        "kafka-topics",
        "kafka-console-producer",
        "kafka-console-consumer",
        "kafka-get-offsets",
        "kafka-leader-election",
        "kafka-consumer-groups",
        "kafka-dump-log",
        "kafka-reassign-partitions",
    ] {
        let expected =
            std::fs::read_to_string(format!("{}/tests/fixtures/help/{tool}.txt", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let r = run(&mut w, &format!("{tool} --help"));
        assert_eq!(r.code, 1, "{tool}: Kafka's --help exits through printUsageAndExit");
        assert_eq!(r.stdout(), "", "{tool}");
        let stderr = r.stderr();
        let (message, usage) = stderr.split_once('\n').unwrap();
        assert!(
            message.starts_with("This tool ") || message == "An interactive shell for getting topic-partition offsets.",
            "{tool}: {message}"
        );
        assert_eq!(usage, expected, "{tool}");
    }
}

/// The Confluent image's kafka-topics is Kafka 3.7's TopicCommand.
#[test]
fn confluent_kafka_topics_usage_is_kafka_3_7_s() {
    let mut w = world(1, Flavour::Confluent);
    let expected = std::fs::read_to_string(format!(
        "{}/tests/fixtures/help/kafka-topics-3.7.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let r = run(&mut w, "kafka-topics");
    assert_eq!(
        r.stderr(),
        format!("Create, delete, describe, or change a topic.\n{expected}")
    );
}
