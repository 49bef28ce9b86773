//! `kafka-configs`: describing and altering topic configs, describing
//! brokers, with ConfigCommand's texts.

mod support;

use kafkaplay_shell::{Flavour, World};
use support::*;

const BS: &str = "--bootstrap-server localhost:9092";

fn setup() -> World {
    let mut w = world(1, Flavour::Confluent);
    assert_eq!(run(&mut w, &format!("kafka-topics {BS} --create --topic t")).code, 0);
    w
}

#[test]
fn alter_then_describe_topic_configs() {
    let mut w = setup();
    let r = run(&mut w, &format!("kafka-configs {BS} --alter --entity-type topics --entity-name t --add-config retention.ms=1000,cleanup.policy=[compact,delete]"));
    assert_eq!(
        (r.code, r.stdout(), r.stderr()),
        (0, "Completed updating config for topic t.\n".into(), String::new())
    );
    let r = run(
        &mut w,
        &format!("kafka-configs {BS} --describe --entity-type topics --entity-name t"),
    );
    assert_eq!(
        r.stdout(),
        "Dynamic configs for topic t are:\n\
         \x20 cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}\n\
         \x20 retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, DEFAULT_CONFIG:log.retention.hours=168}\n"
    );
    // kafka-topics shows the overrides too.
    let d = run(&mut w, &format!("kafka-topics {BS} --describe --topic t")).stdout();
    assert!(
        d.lines()
            .next()
            .unwrap()
            .ends_with("\tConfigs: cleanup.policy=compact,delete,retention.ms=1000"),
        "{d}"
    );

    let r = run(
        &mut w,
        &format!("kafka-configs {BS} --alter --topic t --delete-config retention.ms"),
    );
    assert_eq!(r.stdout(), "Completed updating config for topic t.\n");
    let r = run(&mut w, &format!("kafka-configs {BS} --describe --topic t"));
    assert_eq!(r.stdout().lines().count(), 2);
    let r = run(
        &mut w,
        &format!("kafka-configs {BS} --alter --topic t --delete-config retention.ms"),
    );
    assert_eq!(
        (r.code, r.stderr()),
        (1, "Invalid config(s): retention.ms\n".to_string())
    );
}

#[test]
fn describe_all_lists_defaults_with_synonyms() {
    let mut w = setup();
    let r = run(&mut w, &format!("kafka-configs {BS} --describe --all --topic t"));
    let stdout = r.stdout();
    assert!(stdout.starts_with("All configs for topic t are:\n"));
    assert!(
        stdout
            .contains("\n  retention.ms=604800000 sensitive=false synonyms={DEFAULT_CONFIG:log.retention.hours=168}\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n  min.insync.replicas=1 sensitive=false synonyms={DEFAULT_CONFIG:min.insync.replicas=1}\n")
    );
    let r = run(&mut w, &format!("kafka-configs {BS} --describe --entity-type brokers"));
    assert_eq!(
        r.stdout(),
        "Dynamic configs for broker 1 are:\nDefault configs for brokers in the cluster are:\n"
    );
    let r = run(&mut w, &format!("kafka-configs {BS} --describe --broker 1 --all"));
    assert!(r
        .stdout()
        .contains("\n  min.insync.replicas=1 sensitive=false synonyms={DEFAULT_CONFIG:min.insync.replicas=1}\n"));
}

#[test]
fn errors() {
    let mut w = setup();
    let cases = [
        ("--describe --entity-type topics", "One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be specified\n"),
        (&*format!("{BS} --describe"), "At least one entity type must be specified\n"),
        (&*format!("{BS} --describe --entity-type planets"), "Invalid entity type planets, the entity type must be one of topics, clients, users, brokers, broker-loggers, ips, client-metrics, groups with a --bootstrap-server or --bootstrap-controller argument\n"),
        (&*format!("{BS} --alter --entity-type topics"), "An entity name must be specified with --alter of topics\n"),
        (&*format!("{BS} --alter --topic t"), "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter\n"),
        (&*format!("{BS} --alter --topic t --add-config retention.ms"), "requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\".\n"),
        (&*format!("{BS} --describe --broker one"), "The entity name for brokers must be a valid integer broker id, but it is: one\n"),
        (&*format!("{BS} --describe --topic t --entity-name x"), "--entity-{type,name,default} should not be used in conjunction with specific entity flags\n"),
    ];
    for (args, stderr) in cases {
        let r = run(&mut w, &format!("kafka-configs {args}"));
        assert_eq!((r.code, r.stderr()), (1, stderr.to_string()), "{args}");
    }
    let help = kafkaplay_shell::tools::configs::parser().help();
    let r = run(&mut w, &format!("kafka-configs {BS} --topic t"));
    assert_eq!(
        r.stderr(),
        format!("Command must include exactly one action: --describe, --alter\n{help}")
    );
    let args = format!("{BS} --alter --topic t --add-config retention.ms=abc");
    let r = run(&mut w, &format!("kafka-configs {args}"));
    assert_eq!(
        r.stderr(),
        format!("Error while executing config command with args '{args}'\njava.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidConfigurationException: Invalid value abc for configuration retention.ms: Not a number of type LONG\n")
    );
    let r = run(&mut w, &format!("kafka-configs {BS} --describe --topic nope"));
    assert!(r
        .stderr()
        .ends_with("UnknownTopicOrPartitionException: The topic 'nope' does not exist.\n"));
}
