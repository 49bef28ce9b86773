//! `kafka-get-offsets`: GetOffsetShell's lines and errors.

mod support;

use kafkaplay_shell::{Flavour, Stdin, World};
use support::*;

const BS: &str = "--bootstrap-server localhost:9092";

fn setup(flavour: Flavour) -> World {
    let mut w = world(1, flavour);
    for t in ["orders --partitions 3", "audit", "a-b --partitions 12"] {
        assert_eq!(run(&mut w, &format!("kafka-topics {BS} --create --topic {t}")).code, 0);
    }
    let data: String = (0..9).map(|i| format!("k{i}\tv{i}\n")).collect();
    let r = run_with(
        &mut w,
        &format!("kafka-console-producer {BS} --topic orders --property parse.key=true"),
        Stdin::Data(data),
    );
    assert_eq!(r.code, 0);
    w
}

/// The high watermark of each partition of `orders`, from the leader.
fn ends(w: &World) -> Vec<i64> {
    (0..3)
        .map(|p| {
            let tp = kafkaplay_cluster::TopicPartition::new("orders", p);
            w.sim.broker(1).unwrap().log(&tp).unwrap().high_watermark()
        })
        .collect()
}

#[test]
fn latest_earliest_and_sorting() {
    let mut w = setup(Flavour::Confluent);
    let e = ends(&w);
    assert_eq!(e.iter().sum::<i64>(), 9);
    assert_eq!(
        run(&mut w, &format!("kafka-get-offsets {BS} --topic orders")).stdout(),
        format!("orders:0:{}\norders:1:{}\norders:2:{}\n", e[0], e[1], e[2])
    );
    assert_eq!(
        run(&mut w, &format!("kafka-get-offsets {BS} --topic orders --time -2")).stdout(),
        "orders:0:0\norders:1:0\norders:2:0\n"
    );
    // Sorted by the string "topic-partition": a-b-10 before a-b-2.
    let all = run(
        &mut w,
        &format!("kafka-get-offsets {BS} --topic-partitions a-b:1-3,a-b:10,audit"),
    );
    assert_eq!(all.stdout(), "a-b:1:0\na-b:10:0\na-b:2:0\naudit:0:0\n");
    let r = run(
        &mut w,
        &format!("kafka-get-offsets {BS} --topic orders --partitions 0,2 --time earliest"),
    );
    assert_eq!(r.stdout(), "orders:0:0\norders:2:0\n");
}

#[test]
fn timestamps_find_the_first_record_at_or_after() {
    let mut w = setup(Flavour::Apache);
    let t0 = w.sim.now();
    w.sim.run_for(10_000);
    let r = run_with(
        &mut w,
        &format!("kafka-console-producer.sh {BS} --topic audit"),
        Stdin::Data("later\n".into()),
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        run(&mut w, &format!("kafka-get-offsets.sh {BS} --topic audit --time {t0}")).stdout(),
        "audit:0:0\n"
    );
    assert_eq!(
        run(
            &mut w,
            &format!("kafka-get-offsets.sh {BS} --topic audit --time max-timestamp")
        )
        .stdout(),
        "audit:0:0\n"
    );
    // Later than every record: no offset, no line.
    let future = w.sim.now() + 1;
    assert_eq!(
        run(
            &mut w,
            &format!("kafka-get-offsets.sh {BS} --topic audit --time {future}")
        )
        .stdout(),
        ""
    );
}

#[test]
fn errors() {
    let mut w = setup(Flavour::Confluent);
    let cases = [
        ("--topic nope", "Error occurred: Could not match any topic-partitions with the specified filters\n"),
        ("--topic orders --time yesterday", "Error occurred: Malformed time argument yesterday. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp\n"),
        ("--topic-partitions orders:0 --topic orders", "Error occurred: --topic-partitions cannot be used with --topic or --partitions\n"),
        ("--topic orders --partitions x", "Error occurred: --partitions expects a comma separated list of numeric partition ids, but received: x\n"),
        ("--colour", "Error occurred: colour is not a recognized option\n"),
    ];
    for (args, stderr) in cases {
        let r = run(&mut w, &format!("kafka-get-offsets {BS} {args}"));
        assert_eq!((r.code, r.stderr()), (1, stderr.to_string()), "{args}");
    }
    let help = kafkaplay_shell::tools::get_offsets::parser().help();
    let r = run(&mut w, "kafka-get-offsets");
    assert_eq!(
        (r.code, r.stderr()),
        (
            1,
            format!("An interactive shell for getting topic-partition offsets.\n{help}")
        )
    );
    let r = run(&mut w, "kafka-get-offsets --topic x");
    assert_eq!(
        r.stderr(),
        format!("Missing required argument \"[bootstrap-server]\"\n{help}")
    );
}
