//! `kafka-reassign-partitions`: --generate, --execute, --verify, --list and
//! --cancel with ReassignPartitionsCommand's output, and `kafka-topics
//! --describe` during a move.

mod support;

use kafkaplay_shell::{Flavour, World};
use support::*;

const BS: &str = "--bootstrap-server localhost:9092";

fn setup() -> World {
    let mut w = world(3, Flavour::Confluent);
    let r = run(
        &mut w,
        &format!("kafka-topics {BS} --create --topic t --replica-assignment 1:2,2:3,3:1"),
    );
    assert_eq!(r.code, 0);
    w
}

#[test]
fn generate_prints_current_and_proposed() {
    let mut w = setup();
    w.fs.write(
        "/tmp/topics.json",
        br#"{"topics": [{"topic": "t"}], "version": 1}"#.to_vec(),
    );
    let r = run(
        &mut w,
        &format!(
            "kafka-reassign-partitions {BS} --generate --topics-to-move-json-file /tmp/topics.json --broker-list 2,3"
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stdout());
    let stdout = r.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "Current partition replica assignment");
    assert_eq!(
        lines[1],
        r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},{"topic":"t","partition":1,"replicas":[2,3],"log_dirs":["any","any"]},{"topic":"t","partition":2,"replicas":[3,1],"log_dirs":["any","any"]}]}"#
    );
    assert_eq!(lines[2], "");
    assert_eq!(lines[3], "Proposed partition reassignment configuration");
    let proposed = kafkaplay_shell::tools::json::Json::parse(lines[4]).unwrap();
    let parts = proposed.get("partitions").unwrap().as_array().unwrap();
    assert_eq!(parts.len(), 3);
    for p in parts {
        let replicas: Vec<i32> = p
            .get("replicas")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r.as_i32())
            .collect();
        assert_eq!(replicas.len(), 2);
        assert!(replicas.iter().all(|r| [2, 3].contains(r)) && replicas[0] != replicas[1]);
    }
    assert_eq!(lines.len(), 5);
}

#[test]
fn verify_compares_the_plan_with_the_replicas() {
    let mut w = setup();
    w.fs.write(
        "/tmp/plan.json",
        br#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},{"topic":"t","partition":1,"replicas":[3,1]}]}"#.to_vec(),
    );
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --verify --reassignment-json-file /tmp/plan.json"),
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout(),
        "Status of partition reassignment:\n\
         Reassignment of partition t-0 is completed.\n\
         There is no active reassignment of partition t-1, but replica set is 2,3 rather than 3,1.\n\
         \n\
         Clearing broker-level throttles on brokers 1,2,3\n\
         Clearing topic-level throttles on topic t\n"
    );
    let r = run(&mut w, &format!("kafka-reassign-partitions {BS} --list"));
    assert_eq!(r.stdout(), "No partition reassignments found.\n");
}

#[test]
fn argument_errors() {
    let mut w = setup();
    let help = kafkaplay_shell::tools::reassign_partitions::parser().help();
    for (args, message) in [
        (
            BS.to_string(),
            "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list",
        ),
        (
            "--list".to_string(),
            "Please specify either --bootstrap-server or --bootstrap-controller",
        ),
        (
            format!("{BS} --generate --broker-list 1"),
            "Missing required argument \"[topics-to-move-json-file]\"",
        ),
        (
            format!("{BS} --verify --reassignment-json-file x --broker-list 1"),
            "Option \"[broker-list]\" can't be used with action \"[verify]\"",
        ),
    ] {
        let r = run(&mut w, &format!("kafka-reassign-partitions {args}"));
        assert_eq!((r.code, r.stderr()), (1, format!("{message}\n{help}")), "{args}");
    }
    w.fs.write("/tmp/bad.json", b"{not json".to_vec());
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --verify --reassignment-json-file /tmp/bad.json"),
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout().starts_with("Error: The input string is not a valid JSON\n"));
}

fn plan(w: &mut World, path: &str, json: &str) {
    w.fs.write(path, json.as_bytes().to_vec());
}

#[test]
fn execute_verify_list_and_describe_follow_the_move() {
    let mut w = setup();
    // Broker 3 is paused: it cannot catch up, so the move stays in progress.
    w.sim.apply_fault(kafkaplay_cluster::Fault::Pause(3));
    plan(
        &mut w,
        "/tmp/move.json",
        r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3]}]}"#,
    );
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --execute --reassignment-json-file /tmp/move.json"),
    );
    assert_eq!((r.code, r.stderr()), (0, String::new()));
    assert_eq!(
        r.stdout(),
        "Current partition replica assignment\n\
         \n\
         {\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2],\"log_dirs\":[\"any\",\"any\"]}]}\n\
         \n\
         Save this to use as the --reassignment-json-file option during rollback\n\
         Successfully started partition reassignment for t-0\n"
    );
    let r = run(&mut w, &format!("kafka-reassign-partitions {BS} --list"));
    assert_eq!(
        r.stdout(),
        "Current partition reassignments:\n\
         t-0: replicas: 2,3,1. adding: 3. removing: 1.\n"
    );
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --verify --reassignment-json-file /tmp/move.json"),
    );
    assert_eq!(
        r.stdout(),
        "Status of partition reassignment:\nReassignment of partition t-0 is still in progress.\n\n"
    );
    w.sim.run_for(2_000);
    let r = run(&mut w, &format!("kafka-topics {BS} --describe --topic t"));
    let line = r
        .stdout()
        .lines()
        .find(|l| l.contains("Partition: 0"))
        .unwrap()
        .to_string();
    assert!(
        line.contains("\tReplicas: 2,3,1\tIsr: 1,2\tAdding Replicas: 3\tRemoving Replicas: 1"),
        "{line}"
    );
    // The replication factor leaves out the replicas being added.
    assert!(r.stdout().starts_with("Topic: t\tTopicId: "), "{}", r.stdout());
    assert!(
        r.stdout().lines().next().unwrap().contains("\tReplicationFactor: 2\t"),
        "{}",
        r.stdout()
    );
    let r = run(
        &mut w,
        &format!("kafka-topics {BS} --describe --under-replicated-partitions"),
    );
    assert!(!r.stdout().contains("Partition: 0\t"), "{}", r.stdout());
    // A second plan while one runs needs --additional.
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --execute --reassignment-json-file /tmp/move.json"),
    );
    assert_eq!(r.code, 1);
    assert!(r
        .stdout()
        .starts_with("Cannot execute because there is an existing partition assignment.  Use --additional"));

    w.sim.apply_fault(kafkaplay_cluster::Fault::Resume(3));
    w.sim.run_for(15_000);
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --verify --reassignment-json-file /tmp/move.json"),
    );
    assert_eq!(
        r.stdout(),
        "Status of partition reassignment:\n\
         Reassignment of partition t-0 is completed.\n\
         \n\
         Clearing broker-level throttles on brokers 1,2,3\n\
         Clearing topic-level throttles on topic t\n"
    );
    let r = run(&mut w, &format!("kafka-topics {BS} --describe --topic t"));
    let line = r
        .stdout()
        .lines()
        .find(|l| l.contains("Partition: 0"))
        .unwrap()
        .to_string();
    assert!(line.contains("\tLeader: 2\tReplicas: 2,3\tIsr: "), "{line}");
    assert!(!line.contains("Adding Replicas"), "{line}");
    let r = run(&mut w, &format!("kafka-reassign-partitions {BS} --list"));
    assert_eq!(r.stdout(), "No partition reassignments found.\n");
}

#[test]
fn cancel_reverts_an_active_move() {
    let mut w = setup();
    w.sim.apply_fault(kafkaplay_cluster::Fault::Pause(3));
    plan(
        &mut w,
        "/tmp/move.json",
        r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3]}]}"#,
    );
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --execute --reassignment-json-file /tmp/move.json"),
    );
    assert_eq!(r.code, 0, "{}", r.stdout());
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --cancel --reassignment-json-file /tmp/move.json"),
    );
    assert_eq!(
        r.stdout(),
        "Successfully cancelled partition reassignment for: t-0\n\
         None of the specified partition moves are active.\
         Clearing broker-level throttles on brokers 1,2,3\n\
         Clearing topic-level throttles on topic t\n"
    );
    let r = run(&mut w, &format!("kafka-topics {BS} --describe --topic t"));
    let line = r
        .stdout()
        .lines()
        .find(|l| l.contains("Partition: 0"))
        .unwrap()
        .to_string();
    assert!(line.contains("\tReplicas: 2,1\t"), "{line}");
    assert!(!line.contains("Adding Replicas"), "{line}");
    let r = run(
        &mut w,
        &format!(
            "kafka-reassign-partitions {BS} --cancel --reassignment-json-file /tmp/move.json --preserve-throttles"
        ),
    );
    assert_eq!(
        r.stdout(),
        "None of the specified partition reassignments are active.\n\
         None of the specified partition moves are active."
    );
}

#[test]
fn execute_refuses_unknown_brokers_and_partitions() {
    let mut w = setup();
    plan(
        &mut w,
        "/tmp/bad.json",
        r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,7]}]}"#,
    );
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --execute --reassignment-json-file /tmp/bad.json"),
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout().starts_with("Error: Unknown broker id 7\n"), "{}", r.stdout());
    plan(
        &mut w,
        "/tmp/dup.json",
        r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,2]}]}"#,
    );
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --execute --reassignment-json-file /tmp/dup.json"),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout().ends_with(
            "Error reassigning partition(s):\nt-0: The manual partition assignment includes the broker 2 more than once.\n"
        ),
        "{}",
        r.stdout()
    );
    plan(
        &mut w,
        "/tmp/gone.json",
        r#"{"version":1,"partitions":[{"topic":"t","partition":9,"replicas":[1,2]}]}"#,
    );
    let r = run(
        &mut w,
        &format!("kafka-reassign-partitions {BS} --execute --reassignment-json-file /tmp/gone.json"),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout().starts_with("Error: Unable to find partition: t-9\n"),
        "{}",
        r.stdout()
    );
}

/// `--throttle` sets the topic and broker throttles as Kafka's command does;
/// `--verify` keeps them while the move runs and clears them once it is done.
#[test]
fn throttled_execute_sets_throttles_and_verify_clears_them() {
    for flavour in [Flavour::Confluent, Flavour::Apache] {
        let mut w = world(3, flavour);
        let r = run(
            &mut w,
            &format!("kafka-topics {BS} --create --topic t --replica-assignment 1:2,2:3,3:1"),
        );
        assert_eq!(r.code, 0);
        plan(
            &mut w,
            "/tmp/move.json",
            r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3]},{"topic":"t","partition":1,"replicas":[3,1]}]}"#,
        );
        // Broker 3 is paused: the moves onto it cannot finish.
        w.sim.apply_fault(kafkaplay_cluster::Fault::Pause(3));
        let r = run(
            &mut w,
            &format!(
                "kafka-reassign-partitions {BS} --execute --reassignment-json-file /tmp/move.json --throttle 1000 --replica-alter-log-dirs-throttle 500"
            ),
        );
        assert_eq!(
            (r.code, r.stdout(), r.stderr()),
            (
                0,
                "Current partition replica assignment\n\n\
                 {\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2],\"log_dirs\":[\"any\",\"any\"]},{\"topic\":\"t\",\"partition\":1,\"replicas\":[2,3],\"log_dirs\":[\"any\",\"any\"]}]}\n\n\
                 Save this to use as the --reassignment-json-file option during rollback\n\
                 Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\n\
                 The inter-broker throttle limit was set to 1000 B/s\n\
                 The replica-alter-dir throttle limit was set to 500 B/s\n\
                 Successfully started partition reassignments for t-0,t-1\n"
                    .to_string(),
                String::new()
            ),
            "{flavour:?}"
        );
        let image = w.sim.metadata().unwrap().clone();
        let topic = image.topic("t").unwrap();
        assert_eq!(
            topic.configs["leader.replication.throttled.replicas"],
            "0:1,0:2,1:2,1:3"
        );
        assert_eq!(topic.configs["follower.replication.throttled.replicas"], "0:3,1:1");
        for b in ["1", "2", "3"] {
            assert_eq!(image.broker_configs[b]["leader.replication.throttled.rate"], "1000");
            assert_eq!(image.broker_configs[b]["follower.replication.throttled.rate"], "1000");
        }
        let r = run(&mut w, &format!("kafka-configs {BS} --describe --broker 2"));
        assert_eq!(
            r.stdout(),
            "Dynamic configs for broker 2 are:\n\
             \x20 follower.replication.throttled.rate=1000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:follower.replication.throttled.rate=1000}\n\
             \x20 leader.replication.throttled.rate=1000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:leader.replication.throttled.rate=1000}\n"
        );
        // Still moving: --verify leaves the throttles.
        let verify = format!("kafka-reassign-partitions {BS} --verify --reassignment-json-file /tmp/move.json");
        let r = run(&mut w, &verify);
        assert!(!r.stdout().contains("Clearing"), "{}", r.stdout());
        assert!(w.sim.metadata().unwrap().broker_configs.contains_key("1"));

        w.sim.apply_fault(kafkaplay_cluster::Fault::Resume(3));
        w.sim.run_for(10_000);
        let r = run(&mut w, &verify);
        assert_eq!(
            r.stdout(),
            "Status of partition reassignment:\n\
             Reassignment of partition t-0 is completed.\n\
             Reassignment of partition t-1 is completed.\n\n\
             Clearing broker-level throttles on brokers 1,2,3\n\
             Clearing topic-level throttles on topic t\n",
            "{flavour:?}"
        );
        let image = w.sim.metadata().unwrap();
        assert!(image.broker_configs.is_empty(), "{:?}", image.broker_configs);
        assert!(image.topic("t").unwrap().configs.is_empty());
    }
}
