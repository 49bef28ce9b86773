//! `kafka-topics`: the seed notes' commands and sample output, and the texts of
//! Kafka's TopicCommand (kafka-reference.md), in both flavours.

mod support;

use kafkaplay_cluster::Fault;
use kafkaplay_shell::{Flavour, World};
use support::*;

const BS: &str = "--bootstrap-server localhost:9092";

fn topic_id(w: &World, topic: &str) -> String {
    w.sim.metadata().unwrap().topic(topic).unwrap().id.to_string()
}

fn ok(w: &mut World, cmd: &str) -> String {
    let r = run(w, cmd);
    assert_eq!(r.code, 0, "{cmd}: {}{}", r.stdout(), r.stderr());
    assert_eq!(r.stderr(), "", "{cmd}");
    r.stdout()
}

/// The seed notes' session, byte for byte (their sample shows tabs as spaces).
#[test]
fn seed_notes_session_confluent() {
    let mut w = world(1, Flavour::Confluent);
    let usage = run(&mut w, "kafka-topics");
    assert_eq!(usage.code, 1);
    assert_eq!(usage.stdout(), "");
    assert!(usage.stderr().starts_with(
        "Create, delete, describe, or change a topic.\nOption                                   Description"
    ));

    let warning = "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n";
    assert_eq!(
        ok(
            &mut w,
            "kafka-topics --bootstrap-server localhost:9092 --create --topic test_topic_01"
        ),
        format!("{warning}Created topic test_topic_01.\n")
    );
    assert_eq!(
        ok(&mut w, "kafka-topics --bootstrap-server localhost:9092 --list"),
        "test_topic_01\n"
    );
    assert_eq!(
        ok(
            &mut w,
            "kafka-topics --bootstrap-server localhost:9092 --create --topic test_topic_02 --partitions 3"
        ),
        format!("{warning}Created topic test_topic_02.\n")
    );
    let id = topic_id(&w, "test_topic_02");
    assert_eq!(id.len(), 22);
    assert_eq!(
        ok(
            &mut w,
            "kafka-topics --bootstrap-server localhost:9092 --describe --topic test_topic_02"
        ),
        format!(
            "Topic: test_topic_02\tTopicId: {id}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs:\n\
             \tTopic: test_topic_02\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tOffline:\n\
             \tTopic: test_topic_02\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tOffline:\n\
             \tTopic: test_topic_02\tPartition: 2\tLeader: 1\tReplicas: 1\tIsr: 1\tOffline:\n"
        )
    );
    assert_eq!(
        ok(&mut w, "kafka-topics --bootstrap-server localhost:9092 --list"),
        "test_topic_01\ntest_topic_02\n"
    );
}

#[test]
fn apache_flavour_prints_elr_columns_and_configs_with_a_space() {
    let mut w = world(3, Flavour::Apache);
    ok(
        &mut w,
        "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --replica-assignment 1:2,2:3",
    );
    let id = topic_id(&w, "orders");
    assert_eq!(
        ok(
            &mut w,
            "kafka-topics.sh --bootstrap-server localhost:9093 --describe --topic orders"
        ),
        format!(
            "Topic: orders\tTopicId: {id}\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: \n\
             \tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2\tElr: \tLastKnownElr: \n\
             \tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3\tIsr: 2,3\tElr: \tLastKnownElr: \n"
        )
    );
    ok(&mut w, "kafka-topics.sh --bootstrap-server broker1:29092 --create --topic tuned --config retention.ms=1000 --config cleanup.policy=compact");
    let id = topic_id(&w, "tuned");
    let d = ok(
        &mut w,
        "kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic tuned",
    );
    assert!(
        d.starts_with(&format!(
            "Topic: tuned\tTopicId: {id}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=1000\n"
        )),
        "{d}"
    );
}

#[test]
fn confluent_describe_shows_configs_after_a_space_and_offline_replicas() {
    let mut w = world(3, Flavour::Confluent);
    ok(
        &mut w,
        &format!("kafka-topics {BS} --create --topic t --replica-assignment 1:3,2:3 --config min.insync.replicas=2"),
    );
    w.sim.apply_fault(Fault::Kill(3));
    w.sim.run_for(20_000);
    let id = topic_id(&w, "t");
    assert_eq!(
        ok(&mut w, &format!("kafka-topics {BS} --describe --topic t")),
        format!(
            "Topic: t\tTopicId: {id}\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: min.insync.replicas=2\n\
             \tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,3\tIsr: 1\tOffline: 3\n\
             \tTopic: t\tPartition: 1\tLeader: 2\tReplicas: 2,3\tIsr: 2\tOffline: 3\n"
        )
    );
    // Partition filters print partition lines only.
    let under = ok(
        &mut w,
        &format!("kafka-topics {BS} --describe --under-replicated-partitions"),
    );
    assert_eq!(under.lines().count(), 2, "{under}");
    assert!(under.lines().all(|l| l.starts_with("\tTopic: t\tPartition: ")));
    assert_eq!(
        ok(
            &mut w,
            &format!("kafka-topics {BS} --describe --under-min-isr-partitions")
        ),
        under
    );
    assert_eq!(
        ok(&mut w, &format!("kafka-topics {BS} --describe --at-min-isr-partitions")),
        ""
    );
    assert_eq!(
        ok(
            &mut w,
            &format!("kafka-topics {BS} --describe --unavailable-partitions")
        ),
        ""
    );
    // Only topics with overrides, and only their topic line.
    ok(&mut w, &format!("kafka-topics {BS} --create --topic plain"));
    assert_eq!(
        ok(&mut w, &format!("kafka-topics {BS} --describe --topics-with-overrides")),
        format!("Topic: t\tTopicId: {id}\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: min.insync.replicas=2\n")
    );
}

#[test]
fn unavailable_and_at_min_isr_partitions() {
    let mut w = world(2, Flavour::Confluent);
    ok(
        &mut w,
        &format!("kafka-topics {BS} --create --topic solo --replica-assignment 2"),
    );
    ok(
        &mut w,
        &format!("kafka-topics {BS} --create --topic pair --replica-assignment 1:2 --config min.insync.replicas=2"),
    );
    let at_min = ok(&mut w, &format!("kafka-topics {BS} --describe --at-min-isr-partitions"));
    // min.insync.replicas is 1 for solo (the broker default) and 2 for pair.
    assert_eq!(
        at_min,
        "\tTopic: pair\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2\tOffline:\n\
         \tTopic: solo\tPartition: 0\tLeader: 2\tReplicas: 2\tIsr: 2\tOffline:\n"
    );
    w.sim.apply_fault(Fault::Kill(2));
    w.sim.run_for(20_000);
    assert_eq!(
        ok(
            &mut w,
            &format!("kafka-topics {BS} --describe --unavailable-partitions")
        ),
        "\tTopic: solo\tPartition: 0\tLeader: none\tReplicas: 2\tIsr: 2\tOffline: 2\n"
    );
    assert_eq!(
        ok(
            &mut w,
            &format!("kafka-topics {BS} --describe --under-min-isr-partitions")
        ),
        "\tTopic: pair\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1\tOffline: 2\n\
         \tTopic: solo\tPartition: 0\tLeader: none\tReplicas: 2\tIsr: 2\tOffline: 2\n"
    );
}

#[test]
fn list_is_sorted_and_topic_is_a_regex() {
    let mut w = world(1, Flavour::Confluent);
    for t in ["orders", "audit", "orders-eu", "zeta"] {
        ok(&mut w, &format!("kafka-topics {BS} --create --topic {t}"));
    }
    assert_eq!(
        ok(&mut w, &format!("kafka-topics {BS} --list")),
        "audit\norders\norders-eu\nzeta\n"
    );
    assert_eq!(
        ok(&mut w, &format!("kafka-topics {BS} --list --topic orders.*")),
        "orders\norders-eu\n"
    );
    assert_eq!(
        ok(&mut w, &format!("kafka-topics {BS} --list --topic audit,zeta")),
        "audit\nzeta\n"
    );
    assert_eq!(
        ok(
            &mut w,
            &format!("kafka-topics {BS} --list --exclude-internal --topic nothing")
        ),
        "\n"
    );
    let d = ok(&mut w, &format!("kafka-topics {BS} --describe --topic 'orders.*'"));
    assert_eq!(d.lines().filter(|l| l.starts_with("Topic: ")).count(), 2);
    // Describing prints topics in the order of Java's HashMap (what jshell
    // prints for these four names), not sorted.
    let all = ok(&mut w, &format!("kafka-topics {BS} --describe"));
    let order: Vec<&str> = all
        .lines()
        .filter_map(|l| l.strip_prefix("Topic: "))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(order, vec!["zeta", "orders", "audit", "orders-eu"]);
    // Delete by regex, then nothing left to match.
    assert_eq!(ok(&mut w, &format!("kafka-topics {BS} --delete --topic orders.*")), "");
    w.sim.run_for(1_000);
    assert_eq!(ok(&mut w, &format!("kafka-topics {BS} --list")), "audit\nzeta\n");
}

#[test]
fn create_errors_are_kafkas() {
    let mut w = world(1, Flavour::Confluent);
    ok(&mut w, &format!("kafka-topics {BS} --create --topic a"));
    let r = run(&mut w, &format!("kafka-topics {BS} --create --topic a"));
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout(),
        "Error while executing topic command : Topic 'a' already exists.\n"
    );
    let now = kafkaplay_shell::tools::common::log4j_time(w.sim.now());
    assert_eq!(
        r.stderr(),
        format!("[{now}] ERROR org.apache.kafka.common.errors.TopicExistsException: Topic 'a' already exists.\n (org.apache.kafka.tools.TopicCommand)\n")
    );
    assert_eq!(
        ok(&mut w, &format!("kafka-topics {BS} --create --topic a --if-not-exists")),
        ""
    );

    let cases = [
        (
            "--create --topic b --replication-factor 3",
            "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.",
        ),
        ("--create --topic b --replication-factor 0", "The replication factor must be between 1 and 32767 inclusive"),
        ("--create --topic b --partitions 0", "The partitions must be greater than 0"),
        ("--create --topic b --partitions -3", "The partitions must be greater than 0"),
        ("--create --topic b --config retention.ms", "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\"."),
        ("--create --topic b --config retention.ms=abc", "Invalid value abc for configuration retention.ms: Not a number of type LONG"),
        ("--create --topic b --config colour=red", "Unknown topic config name: colour"),
        ("--create --topic b --replica-assignment 1:1", "Partition replica lists may not contain duplicate entries: 1"),
        ("--create --topic b --replica-assignment 7", "The manual partition assignment includes broker 7, but no such broker is registered."),
        ("--create --topic 'a b' --partitions 1", "Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"),
        ("--create --topic ..", "Topic name is invalid: '..' is not allowed"),
    ];
    for (args, message) in cases {
        let r = run(&mut w, &format!("kafka-topics {BS} {args}"));
        assert_eq!(r.code, 1, "{args}");
        let stdout = r.stdout();
        let last = stdout.lines().last().unwrap_or_default().to_string();
        assert_eq!(
            last,
            format!("Error while executing topic command : {message}"),
            "{args}"
        );
        assert!(r.stderr().contains(" ERROR "), "{args}");
    }
}

#[test]
fn period_underscore_collision() {
    let mut w = world(1, Flavour::Confluent);
    ok(&mut w, &format!("kafka-topics {BS} --create --topic a.b"));
    let r = run(&mut w, &format!("kafka-topics {BS} --create --topic a_b"));
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout(),
        "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n\
         Error while executing topic command : Topic 'a_b' collides with existing topic: a.b\n"
    );
}

#[test]
fn alter_adds_partitions_and_refuses_decreases() {
    let mut w = world(3, Flavour::Confluent);
    ok(
        &mut w,
        &format!("kafka-topics {BS} --create --topic t --partitions 2 --replication-factor 2"),
    );
    assert_eq!(
        ok(&mut w, &format!("kafka-topics {BS} --alter --topic t --partitions 4")),
        ""
    );
    let d = ok(&mut w, &format!("kafka-topics {BS} --describe --topic t"));
    assert!(d.contains("\tPartitionCount: 4\t"), "{d}");
    assert_eq!(d.lines().count(), 5);

    // The assignment lists every partition; the existing ones are skipped.
    ok(
        &mut w,
        &format!("kafka-topics {BS} --alter --topic t --partitions 5 --replica-assignment 1:2,1:2,1:2,1:2,3:1"),
    );
    let d = ok(&mut w, &format!("kafka-topics {BS} --describe --topic t"));
    assert!(
        d.contains("\tTopic: t\tPartition: 4\tLeader: 3\tReplicas: 3,1\tIsr: 3,1\tOffline:\n"),
        "{d}"
    );

    let r = run(&mut w, &format!("kafka-topics {BS} --alter --topic t --partitions 2"));
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout(),
        "Error while executing topic command : The topic t currently has 5 partition(s); 2 would not be an increase.\n"
    );
    let r = run(
        &mut w,
        &format!("kafka-topics {BS} --alter --topic nope --partitions 2"),
    );
    assert_eq!(
        r.stdout(),
        "Error while executing topic command : Topic 'nope' does not exist as expected\n"
    );
    assert_eq!(
        ok(
            &mut w,
            &format!("kafka-topics {BS} --alter --topic nope --partitions 2 --if-exists")
        ),
        ""
    );
}

#[test]
fn delete_removes_and_if_exists_is_quiet() {
    let mut w = world(1, Flavour::Apache);
    ok(&mut w, &format!("kafka-topics.sh {BS} --create --topic gone"));
    assert_eq!(ok(&mut w, &format!("kafka-topics.sh {BS} --delete --topic gone")), "");
    w.sim.run_for(1_000);
    assert_eq!(ok(&mut w, &format!("kafka-topics.sh {BS} --list")), "\n");
    let r = run(&mut w, &format!("kafka-topics.sh {BS} --delete --topic gone"));
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout(),
        "Error while executing topic command : Topic 'Optional[gone]' does not exist as expected\n"
    );
    assert_eq!(
        ok(
            &mut w,
            &format!("kafka-topics.sh {BS} --delete --topic gone --if-exists")
        ),
        ""
    );
    let r = run(&mut w, &format!("kafka-topics.sh {BS} --describe --topic gone"));
    assert_eq!(r.code, 1);
    assert_eq!(
        ok(
            &mut w,
            &format!("kafka-topics.sh {BS} --describe --topic gone --if-exists")
        ),
        ""
    );
}

#[test]
fn argument_errors_print_usage_on_stderr() {
    let mut w = world(1, Flavour::Confluent);
    let usage_cases = [
        ("--list --describe", "Command must include exactly one action: --list, --describe, --create, --alter or --delete"),
        ("--bootstrap-server localhost:9092", "Command must include exactly one action: --list, --describe, --create, --alter or --delete"),
        ("--bootstrap-server localhost:9092 --create", "Missing required argument \"[topic]\""),
        ("--bootstrap-server localhost:9092 --alter --topic t", "Missing required argument \"[partitions]\""),
        ("--bootstrap-server localhost:9092 --alter --topic t --partitions 2 --replication-factor 2", "Option \"[replication-factor]\" can't be used with option \"[alter]\""),
        ("--bootstrap-server localhost:9092 --list --partitions 2", "Option \"[partitions]\" can't be used with option \"[list]\""),
        ("--bootstrap-server localhost:9092 --create --topic t --partitions 2 --replica-assignment 1", "Option \"[replica-assignment]\" can't be used with option \"[partitions]\""),
        ("--bootstrap-server localhost:9092 --describe --under-replicated-partitions --topics-with-overrides", "Option \"[under-replicated-partitions]\" can't be used with option \"[topics-with-overrides]\""),
        ("--bootstrap-server localhost:9092 --create --topic t --if-exists", "Option \"[if-exists]\" can't be used with option \"[create]\""),
        ("--bootstrap-server localhost:9092 --delete --topic t --if-not-exists", "Option \"[if-not-exists]\" can't be used with option \"[delete]\""),
        ("--bootstrap-server localhost:9092 --alter --topic t --config a=b", "Option combination \"[bootstrap-server, config]\" can't be used with option \"[alter]\" (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)"),
        ("--bootstrap-server localhost:9092 --alter --topic t --partitions 2 --delete-config a", "Option \"[delete-config]\" can't be used with option \"[bootstrap-server]\""),
        ("--help", "This tool helps to create, delete, describe, or change a topic."),
    ];
    let help = kafkaplay_shell::tools::topics::parser_3_7().help();
    for (args, message) in usage_cases {
        let r = run(&mut w, &format!("kafka-topics {args}"));
        assert_eq!(r.code, 1, "{args}");
        assert_eq!(r.stdout(), "", "{args}");
        assert_eq!(r.stderr(), format!("{message}\n{help}"), "{args}");
    }
    let thrown = [
        (
            "--list",
            "--bootstrap-server must be specified",
            "java.lang.IllegalArgumentException",
        ),
        (
            "--list --bootstrap-server",
            "Option bootstrap-server requires an argument",
            "joptsimple.OptionMissingRequiredArgumentException",
        ),
        (
            "--list --colour",
            "colour is not a recognized option",
            "joptsimple.UnrecognizedOptionException",
        ),
        (
            "--create --topic t --partitions x",
            "Cannot parse argument 'x' of option partitions",
            "joptsimple.OptionArgumentConversionException",
        ),
    ];
    for (args, message, class) in thrown {
        let r = run(&mut w, &format!("kafka-topics {args}"));
        assert_eq!(r.code, 1, "{args}");
        assert_eq!(r.stdout(), "");
        assert_eq!(r.stderr(), format!("{message}\n{class}: {message}\n"), "{args}");
    }
    let r = run(&mut w, "kafka-topics --version");
    assert_eq!((r.code, r.stdout()), (0, "7.7.1-ce\n".to_string()));
}

#[test]
fn abbreviated_options_work_like_jopt_simple() {
    let mut w = world(1, Flavour::Confluent);
    assert_eq!(
        ok(
            &mut w,
            "kafka-topics --bootstrap localhost:9092 --cr --topic t --partitions 2"
        ),
        "Created topic t.\n"
    );
    // In 4.0 `--part` could be --partitions or --partition-size-limit-per-response.
    let mut apache = world(1, Flavour::Apache);
    let r = run(
        &mut apache,
        "kafka-topics.sh --bootstrap localhost:9092 --alter --topic t --part 3",
    );
    assert_eq!(
        r.stderr(),
        "part is not a recognized option\njoptsimple.UnrecognizedOptionException: part is not a recognized option\n"
    );
    assert!(ok(
        &mut w,
        "kafka-topics --bootstrap-server=localhost:9092 --desc --topic t"
    )
    .contains("PartitionCount: 2"));
}

#[test]
fn unreachable_bootstrap_times_out_after_the_api_timeout() {
    let mut w = world(1, Flavour::Confluent);
    let start = w.sim.now();
    let r = run(
        &mut w,
        "kafka-topics --bootstrap-server localhost:9999 --create --topic t",
    );
    assert_eq!(r.code, 1);
    assert_eq!(w.sim.now() - start, 60_000);
    assert_eq!(
        r.stdout(),
        "Error while executing topic command : Timed out waiting for a node assignment. Call: createTopics\n"
    );
    assert!(r.stderr().contains("ERROR org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: createTopics\n"));

    // Only a dead broker listed: the same.
    w.sim.apply_fault(Fault::Kill(1));
    let r = run(&mut w, "kafka-topics --bootstrap-server localhost:9092 --list");
    assert_eq!(
        r.stdout(),
        "Error while executing topic command : Timed out waiting for a node assignment. Call: listTopics\n"
    );
}

#[test]
fn same_seed_same_output() {
    let session = |flavour| {
        let mut w = world(3, flavour);
        let mut all = String::new();
        for cmd in [
            "kafka-topics --bootstrap-server localhost:9092 --create --topic a --partitions 6 --replication-factor 2",
            "kafka-topics --bootstrap-server localhost:9092 --describe",
        ] {
            all.push_str(&run(&mut w, cmd).stdout());
        }
        all
    };
    assert_eq!(session(Flavour::Confluent), session(Flavour::Confluent));
    assert_ne!(session(Flavour::Confluent), session(Flavour::Apache));
}

/// Writes every tool's usage to /tmp/kafkaplay-help/<tool>.txt (for comparing
/// with jopt-simple's own output).
#[test]
#[ignore]
fn dump_help_texts() {
    std::fs::create_dir_all("/tmp/kafkaplay-help").unwrap();
    let mut w = world(1, Flavour::Apache);
    for tool in kafkaplay_shell::tools::names() {
        let r = run(&mut w, &format!("{tool} --help"));
        std::fs::write(format!("/tmp/kafkaplay-help/{tool}.txt"), r.stdout() + &r.stderr()).unwrap();
    }
    let mut w = world(1, Flavour::Confluent);
    let r = run(&mut w, "kafka-topics --help");
    std::fs::write("/tmp/kafkaplay-help/kafka-topics-3.7.txt", r.stderr()).unwrap();
}
