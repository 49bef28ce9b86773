//! `kafka-consumer-groups`: list and describe (offsets, members, state) with
//! ConsumerGroupCommand's formats, from groups made by the console consumer.

mod support;

use kafkaplay_shell::{Flavour, Output, Stdin, World};
use support::*;

const BS: &str = "--bootstrap-server localhost:9092";

/// Topic `t` with 2 partitions and 10 keyed records; group `g` consumed 4 of
/// them and left (its offsets committed, no members).
fn setup() -> World {
    let mut w = world(3, Flavour::Confluent);
    assert_eq!(
        run(&mut w, &format!("kafka-topics {BS} --create --topic t --partitions 2")).code,
        0
    );
    let data: String = (0..10).map(|i| format!("k{i}\tv{i}\n")).collect();
    let r = run_with(
        &mut w,
        &format!("kafka-console-producer {BS} --topic t --property parse.key=true"),
        Stdin::Data(data),
    );
    assert_eq!(r.code, 0);
    let r = run(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic t --group g --from-beginning --max-messages 4"),
    );
    assert_eq!(r.stdout().lines().count(), 4);
    w.sim.run_for(2_000);
    w
}

fn hw(w: &World, p: i32) -> i64 {
    let tp = kafkaplay_cluster::TopicPartition::new("t", p);
    let leader = w.sim.metadata().unwrap().partition(&tp).unwrap().leader;
    w.sim.broker(leader).unwrap().log(&tp).unwrap().high_watermark()
}

/// The member of `g` (id, client id) as its coordinator describes it.
fn member(w: &World) -> String {
    for b in 1..=3 {
        let (err, d) = w.sim.broker(b).unwrap().group_coordinator().describe_group("g");
        if err.is_none() {
            return d.members[0].member_id.clone();
        }
    }
    panic!("no coordinator")
}

#[test]
fn empty_group_shows_committed_offsets_without_consumers() {
    let mut w = setup();
    assert_eq!(
        run(&mut w, &format!("kafka-consumer-groups {BS} --list")).stdout(),
        "g\n"
    );
    assert_eq!(
        run(&mut w, &format!("kafka-consumer-groups {BS} --list --state")).stdout(),
        "GROUP                     STATE               \ng                         Empty               \n"
    );
    let r = run(&mut w, &format!("kafka-consumer-groups {BS} --describe --group g"));
    let (e0, e1) = (hw(&w, 0), hw(&w, 1));
    assert_eq!(e0 + e1, 10);
    // Four records were printed; only those count as consumed.
    let committed_total = {
        let lines: Vec<String> = r.stdout().lines().skip(2).map(String::from).collect();
        lines
            .iter()
            .map(|l| l.split_whitespace().nth(3).unwrap().parse::<i64>().unwrap())
            .sum::<i64>()
    };
    assert_eq!(committed_total, 4);
    let rows: Vec<String> = r.stdout().lines().skip(2).map(String::from).collect();
    let c0: i64 = rows
        .iter()
        .find(|l| l.split_whitespace().nth(2) == Some("0"))
        .unwrap()
        .split_whitespace()
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    let c1 = 4 - c0;
    // Rows come out of a HashMap<TopicPartition, _>: t-1 before t-0 in Java.
    assert_eq!(
        r.stdout(),
        format!(
            "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n\
             g               t               1          {c1:<15} {e1:<15} {:<15} -               -               -\n\
             g               t               0          {c0:<15} {e0:<15} {:<15} -               -               -\n",
            e1 - c1,
            e0 - c0
        )
    );
    assert_eq!(r.stderr(), "\nConsumer group 'g' has no active members.\n");
    let r = run(&mut w, &format!("kafka-consumer-groups {BS} --describe --group nope"));
    assert_eq!(
        (r.code, r.stdout()),
        (0, "\nError: Consumer group 'nope' does not exist.\n".to_string())
    );
}

#[test]
fn stable_group_shows_members_state_and_assignment() {
    let mut w = setup();
    let Started::Job(mut job, mut out) = start(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic t --group g"),
        Stdin::Terminal,
    ) else {
        panic!("a job")
    };
    assert_eq!(tick_for(&mut w, job.as_mut(), &mut out, 8_000), None);
    assert_eq!(
        out.stdout().lines().count(),
        6,
        "the rest of the records: {}",
        out.stdout()
    );
    let id = member(&w);
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --describe --group g --members --verbose"),
    );
    let width = id.len();
    assert_eq!(
        r.stdout(),
        format!(
            "\nGROUP           {:<width$} HOST            CLIENT-ID        #PARTITIONS     ASSIGNMENT\n\
             g               {id} /127.0.0.1      console-consumer 2               (0,1)\n",
            "CONSUMER-ID"
        )
    );
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --describe --group g --state"),
    );
    let coordinator = (1..=3)
        .find(|b| {
            w.sim
                .broker(*b)
                .unwrap()
                .group_coordinator()
                .describe_group("g")
                .0
                .is_none()
        })
        .unwrap();
    assert_eq!(
        r.stdout(),
        format!(
            "\nGROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n\
             g                         localhost:{}  ({coordinator})       range                Stable          1\n",
            9091 + coordinator
        )
    );
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --describe --group g --offsets"),
    );
    assert!(r
        .stdout()
        .lines()
        .skip(2)
        .all(|l| l.contains(&format!(" {id} /127.0.0.1      console-consumer"))));
    assert!(
        r.stdout()
            .lines()
            .skip(2)
            .all(|l| l.split_whitespace().nth(5) == Some("0")),
        "lag 0: {}",
        r.stdout()
    );
    let mut quiet = Output::new();
    assert_eq!(job.interrupt(&mut w, &mut quiet), 130);
}

#[test]
fn argument_errors() {
    let mut w = setup();
    let help = kafkaplay_shell::tools::consumer_groups::parser().help();
    for (args, message) in [
        (
            "--describe",
            "Option [describe] takes one of these options: [all-groups], [group]",
        ),
        (
            "--describe --group g --members --state",
            "Option [describe] takes at most one of these options: [members], [offsets], [state]",
        ),
        (
            "--delete --group g --topic t",
            "The consumer does not support topic-specific offset deletion from a consumer group.",
        ),
        (
            "--group g",
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets",
        ),
        (
            "--list --group g",
            "Option \"[group]\" can't be used with option \"[list]\"",
        ),
        (
            "--reset-offsets --group g --to-earliest --to-latest --execute",
            "Option \"[to-earliest]\" can't be used with option \"[to-latest]\"",
        ),
        (
            "--reset-offsets --group g --dry-run --execute",
            "Option [reset-offsets] only accepts one of [execute] and [dry-run]",
        ),
    ] {
        let r = run(&mut w, &format!("kafka-consumer-groups {BS} {args}"));
        assert_eq!((r.code, r.stderr()), (1, format!("{message}\n{help}")), "{args}");
    }
    let r = run(&mut w, "kafka-consumer-groups --list");
    assert_eq!(
        r.stderr(),
        format!("Missing required argument \"[bootstrap-server]\"\n{help}")
    );
    let r = run(&mut w, &format!("kafka-consumer-groups {BS} --members"));
    assert_eq!(
        r.stderr(),
        "Exception in thread \"main\" joptsimple.UnavailableOptionException: Option(s) [members] are unavailable given other options on the command line\n"
    );
}

fn plan_header() -> String {
    format!(
        "\n{:<30} {:<30} {:<10} {:<15}",
        "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"
    )
}

fn plan_row(topic: &str, partition: i32, offset: i64) -> String {
    format!("\n{:<30} {topic:<30} {partition:<10} {offset:<15}", "g")
}

#[test]
fn reset_offsets_dry_run_plans_every_scenario() {
    let mut w = setup();
    let (e0, e1) = (hw(&w, 0), hw(&w, 1));
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --reset-offsets --group g --all-topics --to-earliest --dry-run"),
    );
    assert_eq!((r.code, r.stderr()), (0, String::new()));
    assert_eq!(
        r.stdout(),
        format!("{}{}{}\n", plan_header(), plan_row("t", 1, 0), plan_row("t", 0, 0))
    );
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --reset-offsets --group g --topic t --to-latest"),
    );
    assert!(r
        .stderr()
        .starts_with("WARN: No action will be performed as the --execute option is missing."));
    assert_eq!(
        r.stdout(),
        format!("{}{}{}\n", plan_header(), plan_row("t", 1, e1), plan_row("t", 0, e0))
    );
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --reset-offsets --group g --topic t:1 --to-offset 1000 --dry-run"),
    );
    assert_eq!(r.stdout(), format!("{}{}\n", plan_header(), plan_row("t", 1, e1)));
    assert!(r.stderr().ends_with(&format!(
        "] WARN New offset (1000) is higher than latest offset for topic partition t-1. Value will be set to {e1} (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)\n"
    )));
    let r = run(&mut w, &format!("kafka-consumer-groups {BS} --reset-offsets --group g --all-topics --to-datetime 2000-01-01T00:00:00.000 --dry-run"));
    assert_eq!(
        r.stdout(),
        format!("{}{}{}\n", plan_header(), plan_row("t", 1, 0), plan_row("t", 0, 0))
    );
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --reset-offsets --group g --all-topics --by-duration PT0.001S --dry-run"),
    );
    assert!(
        r.stdout()
            .contains("Warn: Partition 0 from topic t is empty. Falling back to latest known offset."),
        "{}",
        r.stdout()
    );
}

#[test]
fn reset_offsets_refuses_an_active_group() {
    let mut w = setup();
    let Started::Job(mut job, mut out) = start(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic t --group g"),
        Stdin::Terminal,
    ) else {
        panic!("a job")
    };
    tick_for(&mut w, job.as_mut(), &mut out, 8_000);
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --reset-offsets --group g --all-topics --to-earliest --execute"),
    );
    assert_eq!(
        r.stdout(),
        format!("\nError: Assignments can only be reset if the group 'g' is inactive, but the current state is Stable.\n{}\n", plan_header())
    );
    job.interrupt(&mut w, &mut out);
}

#[test]
fn unreachable_bootstrap_times_out_after_the_tool_timeout() {
    let mut w = world(1, Flavour::Confluent);
    let t0 = w.sim.now();
    let r = run(&mut w, "kafka-consumer-groups --bootstrap-server localhost:9999 --list");
    assert_eq!(w.sim.now() - t0, 5_000);
    assert_eq!(
        (r.code, r.stdout()),
        (
            1,
            "\nError: Executing consumer group command failed due to java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: findAllBrokers\n".to_string()
        )
    );
}

#[test]
fn reset_offsets_from_a_csv_file_and_export() {
    let mut w = setup();
    let e1 = hw(&w, 1);
    w.fs.write("/tmp/plan.csv", b"t,0,1\nt,1,999\n".to_vec());
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --reset-offsets --group g --from-file /tmp/plan.csv --dry-run"),
    );
    assert_eq!(
        r.stdout(),
        format!("{}{}{}\n", plan_header(), plan_row("t", 1, e1), plan_row("t", 0, 1))
    );
    assert!(r.stderr().contains(&format!(
        "WARN New offset (999) is higher than latest offset for topic partition t-1. Value will be set to {e1}"
    )));
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --reset-offsets --group g --all-topics --to-earliest --dry-run --export"),
    );
    assert_eq!(r.stdout(), "t,1,0\nt,0,0\n\n");
}

#[test]
fn delete_removes_an_empty_group_and_refuses_an_active_one() {
    let mut w = setup();
    let Started::Job(mut job, mut out) = start(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic t --group busy"),
        Stdin::Terminal,
    ) else {
        panic!("a job")
    };
    tick_for(&mut w, job.as_mut(), &mut out, 8_000);
    let r = run(&mut w, &format!("kafka-consumer-groups {BS} --delete --group busy"));
    assert_eq!(
        r.stdout(),
        "\nError: Deletion of some consumer groups failed:\n* Group 'busy' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n"
    );
    job.interrupt(&mut w, &mut out);
    let r = run(&mut w, &format!("kafka-consumer-groups {BS} --delete --group g"));
    assert_eq!(
        r.stdout(),
        "Deletion of requested consumer groups ('g') was successful.\n"
    );
    let r = run(&mut w, &format!("kafka-consumer-groups {BS} --list"));
    assert!(!r.stdout().lines().any(|l| l == "g"), "{}", r.stdout());
}

#[test]
fn reset_offsets_execute_commits_the_plan() {
    let mut w = setup();
    let r = run(
        &mut w,
        &format!("kafka-consumer-groups {BS} --reset-offsets --group g --all-topics --to-earliest --execute"),
    );
    assert_eq!(
        r.stdout(),
        format!("{}{}{}\n", plan_header(), plan_row("t", 1, 0), plan_row("t", 0, 0))
    );
    w.sim.run_for(1_000);
    let r = run(&mut w, &format!("kafka-consumer-groups {BS} --describe --group g"));
    assert!(
        r.stdout()
            .lines()
            .skip(2)
            .all(|l| l.split_whitespace().nth(3) == Some("0")),
        "{}",
        r.stdout()
    );
}

fn status_table(rows: &[(&str, &str, &str)]) -> String {
    let mut s = format!("\n{:<30} {:<15} {:<15}", "TOPIC", "PARTITION", "STATUS");
    for (t, p, status) in rows {
        s.push_str(&format!("\n{t:<30} {p:<15} {status:<15}"));
    }
    s.push('\n');
    s
}

/// `--delete-offsets`: an active group keeps the offsets of the topics it
/// subscribes to; an empty one loses what is asked; OffsetDelete's errors
/// appear per partition in ConsumerGroupCommand's table.
#[test]
fn delete_offsets_spares_subscribed_topics_and_empties_an_idle_group() {
    for flavour in [Flavour::Confluent, Flavour::Apache] {
        let mut w = world(3, flavour);
        for t in ["t --partitions 2", "u"] {
            assert_eq!(run(&mut w, &format!("kafka-topics {BS} --create --topic {t}")).code, 0);
        }
        let r = run(
            &mut w,
            &format!(
                "kafka-consumer-groups {BS} --group g --reset-offsets --to-earliest --topic t --topic u --execute"
            ),
        );
        assert_eq!(r.code, 0);
        let Started::Job(mut job, mut out) = start(
            &mut w,
            &format!("kafka-console-consumer {BS} --topic t --group g"),
            Stdin::Terminal,
        ) else {
            panic!("a job")
        };
        tick_for(&mut w, job.as_mut(), &mut out, 8_000);
        let r = run(
            &mut w,
            &format!("kafka-consumer-groups {BS} --delete-offsets --group g --topic t:0 --topic u"),
        );
        let subscribed = "Error: :org.apache.kafka.common.errors.GroupSubscribedToTopicException: Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.";
        assert_eq!(
            (r.code, r.stdout(), r.stderr()),
            (
                0,
                format!(
                    "\nError: Encounter some partition level error, see the follow-up details:\n{}",
                    status_table(&[("t", "0", subscribed), ("u", "0", "Successful")])
                ),
                String::new()
            ),
            "{flavour:?}"
        );
        job.interrupt(&mut w, &mut out);
        w.sim.run_for(2_000);
        let r = run(
            &mut w,
            &format!("kafka-consumer-groups {BS} --delete-offsets --group g --topic t --topic nope"),
        );
        assert_eq!(
            r.stdout(),
            format!(
                "Request succeed for deleting offsets with topic t, nope group g\n{}",
                status_table(&[
                    (
                        "nope",
                        "Not Provided",
                        "Error: :org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition."
                    ),
                    ("t", "0", "Successful"),
                    ("t", "1", "Successful"),
                ])
            ),
            "{flavour:?}"
        );
        assert_eq!(
            w.sim.list_group_offsets("g").unwrap(),
            vec![],
            "{flavour:?}: every offset is gone"
        );
        let r = run(
            &mut w,
            &format!("kafka-consumer-groups {BS} --delete-offsets --group zz --topic u:0"),
        );
        assert_eq!(
            r.stdout(),
            format!(
                "\nError: 'zz' does not exist.\n{}",
                status_table(&[(
                    "u",
                    "0",
                    "Error: :org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist."
                )])
            )
        );
    }
}
