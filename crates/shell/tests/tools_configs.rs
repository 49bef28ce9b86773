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
         \x20 retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n"
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
        stdout.contains("\n  retention.ms=604800000 sensitive=false synonyms={}\n"),
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

/// `ConfigHelper.configSynonyms` drops the synonyms before the config's own
/// name: `retention.ms` lists `log.retention.ms` only when it is set.
#[test]
fn dynamic_broker_configs_alter_describe_and_delete_in_both_flavours() {
    for flavour in [Flavour::Confluent, Flavour::Apache] {
        let mut w = world(3, flavour);
        let cases: &[(&str, i32, &str, &str)] = &[
            (
                "--alter --entity-type brokers --entity-default --add-config log.retention.hours=1,min.insync.replicas=2",
                0,
                "Completed updating default config for brokers in the cluster.\n",
                "",
            ),
            (
                "--alter --broker 1 --add-config min.insync.replicas=3,leader.replication.throttled.rate=1000",
                0,
                "Completed updating config for broker 1.\n",
                "",
            ),
            (
                "--describe --entity-type brokers --entity-name 1",
                0,
                "Dynamic configs for broker 1 are:\n\
                 \x20 leader.replication.throttled.rate=1000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:leader.replication.throttled.rate=1000}\n\
                 \x20 min.insync.replicas=3 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:min.insync.replicas=3, DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2, DEFAULT_CONFIG:min.insync.replicas=1}\n",
                "",
            ),
            (
                "--describe --entity-type brokers --entity-default",
                0,
                "Default configs for brokers in the cluster are:\n\
                 \x20 log.retention.hours=1 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.hours=1}\n\
                 \x20 min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2}\n",
                "",
            ),
            (
                "--describe --broker 2",
                0,
                "Dynamic configs for broker 2 are:\n",
                "",
            ),
            (
                "--alter --broker 1 --delete-config nope",
                1,
                "",
                "Invalid config(s): nope\n",
            ),
        ];
        for (args, code, stdout, stderr) in cases {
            let r = run(&mut w, &format!("kafka-configs {BS} {args}"));
            assert_eq!(
                (r.code, r.stdout(), r.stderr()),
                (*code, stdout.to_string(), stderr.to_string()),
                "{flavour:?} {args}"
            );
        }
        let all = run(&mut w, &format!("kafka-configs {BS} --describe --broker 2 --all")).stdout();
        assert!(all.starts_with("All configs for broker 2 are:\n"), "{all}");
        for line in [
            "  log.retention.hours=1 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.hours=1, DEFAULT_CONFIG:log.retention.hours=168}\n",
            "  log.retention.ms=null sensitive=false synonyms={}\n",
            "  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2, DEFAULT_CONFIG:min.insync.replicas=1}\n",
            "  num.partitions=1 sensitive=false synonyms={DEFAULT_CONFIG:num.partitions=1}\n",
        ] {
            assert!(all.contains(line), "{flavour:?} {line}{all}");
        }
        assert!(!all.contains("throttled.rate"), "broker 2 has no throttle: {all}");
        // A topic without overrides takes the dynamic defaults (seen from broker 1).
        assert_eq!(run(&mut w, &format!("kafka-topics {BS} --create --topic t")).code, 0);
        let topic = run(&mut w, &format!("kafka-configs {BS} --describe --all --topic t")).stdout();
        assert!(
            topic.contains("\n  retention.ms=3600000 sensitive=false synonyms={}\n"),
            "{topic}"
        );
        assert!(topic.contains("\n  min.insync.replicas=3 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:min.insync.replicas=3, DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2, DEFAULT_CONFIG:min.insync.replicas=1}\n"), "{topic}");

        let r = run(&mut w, &format!("kafka-configs {BS} --alter --broker 1 --delete-config min.insync.replicas,leader.replication.throttled.rate"));
        assert_eq!(
            (r.code, r.stdout()),
            (0, "Completed updating config for broker 1.\n".to_string())
        );
        let r = run(&mut w, &format!("kafka-configs {BS} --describe --broker 1"));
        assert_eq!(r.stdout(), "Dynamic configs for broker 1 are:\n");
        // Describing asked the brokers over the network.
        assert!(
            w.sim
                .trace()
                .lines()
                .any(|l| l.text.contains("DescribeConfigsResponse")),
            "a DescribeConfigs round trip"
        );
        // The brokers really run with them.
        let b = w.sim.broker(2).unwrap().dynamic_configs().clone();
        assert_eq!(
            b.get("min.insync.replicas").map(String::as_str),
            Some("2"),
            "{flavour:?}"
        );
    }
}

#[test]
fn broker_config_errors_are_kafkas() {
    let mut w = world(3, Flavour::Confluent);
    let thrown = |args: &str, exception: &str| {
        format!("Error while executing config command with args '{args}'\njava.util.concurrent.ExecutionException: {exception}\n")
    };
    let cases = [
        (
            format!("{BS} --alter --entity-type brokers --entity-name 1 --add-config num.partitions=3"),
            "org.apache.kafka.common.errors.InvalidRequestException: Cannot update these configs dynamically: Set(num.partitions)",
        ),
        (
            format!("{BS} --alter --entity-type brokers --entity-default --add-config min.insync.replicas=x"),
            "org.apache.kafka.common.errors.InvalidRequestException: Invalid value x for configuration min.insync.replicas: Not a number of type INT",
        ),
        (
            format!("{BS} --alter --entity-type brokers --entity-default --add-config min.insync.replicas=0"),
            "org.apache.kafka.common.errors.InvalidRequestException: Invalid value 0 for configuration min.insync.replicas: Value must be at least 1",
        ),
        (
            format!("{BS} --alter --broker-defaults --add-config listeners=PLAINTEXT://:9092"),
            "org.apache.kafka.common.errors.InvalidRequestException: Cannot update these configs at default cluster level, broker id must be specified: Set(listeners)",
        ),
        (
            format!("{BS} --alter --broker 7 --add-config min.insync.replicas=2"),
            "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeConfigs",
        ),
        (
            format!("{BS} --describe --broker 7"),
            "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeConfigs",
        ),
    ];
    for (args, exception) in cases {
        let r = run(&mut w, &format!("kafka-configs {args}"));
        // `describeResourceConfig` prints the header before it asks.
        let stdout = if args.contains("--describe") {
            "Dynamic configs for broker 7 are:\n"
        } else {
            ""
        };
        assert_eq!(
            (r.code, r.stdout(), r.stderr()),
            (1, stdout.to_string(), thrown(&args, exception)),
            "{args}"
        );
    }
    assert!(
        w.sim.metadata().unwrap().broker_configs.is_empty(),
        "nothing was written"
    );
    // A stopped broker cannot take its own configs.
    w.sim.apply_fault(kafkaplay_cluster::Fault::Kill(3));
    let args = format!("{BS} --alter --broker 3 --add-config min.insync.replicas=2");
    let r = run(&mut w, &format!("kafka-configs {args}"));
    assert!(
        r.stderr()
            .ends_with("Timed out waiting for a node assignment. Call: describeConfigs\n"),
        "{}",
        r.stderr()
    );
}
