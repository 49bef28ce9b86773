//! `kafka-leader-election`: ElectLeaders through the controller, with
//! LeaderElectionCommand's texts.

mod support;

use kafkaplay_cluster::{Fault, TopicPartition};
use kafkaplay_shell::{Flavour, World};
use support::*;

const BS: &str = "--bootstrap-server localhost:9092";

fn leader(w: &World, topic: &str, p: i32) -> i32 {
    w.sim
        .metadata()
        .unwrap()
        .partition(&TopicPartition::new(topic, p))
        .unwrap()
        .leader
}

/// Kills broker 1, waits for its partitions to move, brings it back in sync.
fn bounce_broker_1(w: &mut World) {
    w.sim.apply_fault(Fault::Kill(1));
    w.sim.run_for(15_000);
    w.sim.apply_fault(Fault::Restart(1));
    w.sim.run_for(15_000);
}

#[test]
fn preferred_election_moves_leadership_back() {
    let mut w = world(3, Flavour::Confluent);
    assert_eq!(
        run(
            &mut w,
            &format!("kafka-topics {BS} --create --topic t --replica-assignment 1:2,2:1,1:3")
        )
        .code,
        0
    );
    bounce_broker_1(&mut w);
    assert_eq!((leader(&w, "t", 0), leader(&w, "t", 2)), (2, 3));
    let r = run(
        &mut w,
        "kafka-leader-election --bootstrap-server localhost:9093 --election-type preferred --topic t --partition 0",
    );
    assert_eq!(r.code, 0, "{}", r.stderr());
    assert_eq!(
        r.stdout(),
        "Successfully completed leader election (PREFERRED) for partitions t-0\n"
    );
    assert_eq!(leader(&w, "t", 0), 1);
    let r = run(
        &mut w,
        &format!("kafka-leader-election {BS} --election-type PREFERRED --topic t --partition 1"),
    );
    assert_eq!(
        (r.code, r.stdout()),
        (0, "Valid replica already elected for partitions t-1\n".to_string())
    );

    // A JSON file names several partitions.
    w.fs.write(
        "/tmp/election.json",
        br#"{"partitions": [{"topic": "t", "partition": 2}, {"topic": "t", "partition": 1}]}"#.to_vec(),
    );
    let r = run(
        &mut w,
        &format!("kafka-leader-election {BS} --election-type preferred --path-to-json-file /tmp/election.json"),
    );
    assert_eq!(
        r.stdout(),
        "Successfully completed leader election (PREFERRED) for partitions t-2\nValid replica already elected for partitions t-1\n"
    );
    assert_eq!(leader(&w, "t", 2), 1);
}

#[test]
fn failed_elections_are_listed_and_exit_1() {
    let mut w = world(2, Flavour::Apache);
    assert_eq!(
        run(
            &mut w,
            &format!("kafka-topics.sh {BS} --create --topic solo --replica-assignment 2")
        )
        .code,
        0
    );
    w.sim.apply_fault(Fault::Kill(2));
    w.sim.run_for(15_000);
    let r = run(
        &mut w,
        &format!("kafka-leader-election.sh {BS} --election-type preferred --topic solo --partition 0"),
    );
    assert_eq!(r.code, 1);
    let stdout = r.stdout();
    assert!(
        stdout.starts_with(
            "Error completing leader election (PREFERRED) for partition: solo-0: org.apache.kafka.common.errors."
        ),
        "{stdout}"
    );
    assert_eq!(r.stderr(), "1 replica(s) could not be elected\norg.apache.kafka.server.common.AdminCommandFailedException: 1 replica(s) could not be elected\n");
    let r = run(
        &mut w,
        &format!("kafka-leader-election.sh {BS} --election-type preferred --topic nope --partition 0"),
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout().starts_with("Error completing leader election (PREFERRED) for partition: nope-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: "), "{}", r.stdout());
}

#[test]
fn argument_errors() {
    let mut w = world(1, Flavour::Confluent);
    let cases = [
        (
            "--topic t --partition 0",
            "Missing required option(s): bootstrap-server, election-type",
        ),
        (
            "--bootstrap-server localhost:9092 --election-type preferred",
            "One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file",
        ),
        (
            "--bootstrap-server localhost:9092 --election-type preferred --topic t --all-topic-partitions",
            "One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file",
        ),
        (
            "--bootstrap-server localhost:9092 --election-type preferred --topic t",
            "Missing required option(s): partition",
        ),
        (
            "--bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions --partition 1",
            "Option partition is only allowed if topic is used",
        ),
    ];
    for (args, message) in cases {
        let r = run(&mut w, &format!("kafka-leader-election {args}"));
        assert_eq!(r.code, 1, "{args}");
        assert_eq!(
            r.stderr(),
            format!("{message}\norg.apache.kafka.server.common.AdminCommandFailedException: {message}\n"),
            "{args}"
        );
    }
    let r = run(
        &mut w,
        "kafka-leader-election --bootstrap-server localhost:9092 --election-type sideways --all-topic-partitions",
    );
    assert_eq!(r.code, 1);
    assert!(r
        .stderr()
        .starts_with("Cannot parse argument 'sideways' of option election-type\n"));
    let r = run(&mut w, "kafka-leader-election");
    assert_eq!(r.code, 1);
    let help = kafkaplay_shell::tools::leader_election::parser().help();
    assert_eq!(
        r.stderr(),
        format!("This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.\n{help}")
    );
    assert!(help.contains("--election-type <[PREFERRED,UNCLEAN]:"));
    let r = run(
        &mut w,
        "kafka-leader-election --bootstrap-server localhost:9999 --election-type preferred --all-topic-partitions",
    );
    assert_eq!(r.stdout(), "Timeout waiting for election results\n");
    assert_eq!(r.code, 1);
}
