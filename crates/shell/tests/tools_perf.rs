//! `kafka-producer-perf-test` and `kafka-consumer-perf-test`: their output
//! lines, every number computed from simulated time.

mod support;

use kafkaplay_cluster::TopicPartition;
use kafkaplay_shell::{Flavour, World};
use support::*;

fn topic(w: &mut World, name: &str, partitions: i32) {
    let r = run(
        w,
        &format!("kafka-topics --bootstrap-server localhost:9092 --create --topic {name} --partitions {partitions}"),
    );
    assert_eq!(r.code, 0);
}

fn log_end(w: &World, topic: &str, partitions: i32) -> i64 {
    (0..partitions)
        .map(|p| {
            w.sim
                .broker(1)
                .unwrap()
                .log(&TopicPartition::new(topic, p))
                .unwrap()
                .log_end_offset()
        })
        .sum()
}

/// `N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, ...`
fn fields(line: &str) -> Vec<f64> {
    line.split([' ', '(', ','])
        .filter_map(|t| t.parse::<f64>().ok())
        .collect()
}

#[test]
fn producer_perf_throttles_and_reports_windows_and_totals() {
    let mut w = world(1, Flavour::Confluent);
    topic(&mut w, "perf", 2);
    let start = w.sim.now();
    let r = run(
        &mut w,
        "kafka-producer-perf-test --topic perf --num-records 1200 --record-size 100 --throughput 100 \
         --producer-props bootstrap.servers=localhost:9092 acks=1",
    );
    assert_eq!(r.code, 0, "{}", r.stderr());
    assert_eq!(r.stderr(), "");
    let elapsed_ms = w.sim.now() - start;
    assert!(
        (12_000..13_000).contains(&elapsed_ms),
        "100 records/s for 1200 records: {elapsed_ms} ms"
    );
    let stdout = r.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    // Windows of at least 5 s, then the total.
    assert_eq!(lines.len(), 3, "{stdout}");
    for window in &lines[..2] {
        assert!(window.ends_with(" ms max latency."), "{window}");
        let f = fields(window);
        assert!((480.0..=520.0).contains(&f[0]), "{window}");
        assert!((95.0..=105.0).contains(&f[1]), "{window}");
    }
    let total = lines[2];
    assert!(total.starts_with("1200 records sent, "), "{total}");
    assert!(total.ends_with(" ms 99.9th."), "{total}");
    let f = fields(total);
    let expected_rate = 1000.0 * 1200.0 / elapsed_ms as f64;
    assert_eq!(format!("{:.1}", f[1]), format!("{expected_rate:.1}"));
    assert!(f[3] >= 1.0 && f[3] <= f[4], "avg {} <= max {}", f[3], f[4]);
    assert_eq!(log_end(&w, "perf", 2), 1200);
    // Payloads are SplittableRandom(0)'s letters, as Kafka draws them.
    let first = w.sim.broker(1).unwrap().log(&TopicPartition::new("perf", 0)).unwrap();
    let value = first.batches().next().unwrap().1.records().unwrap()[0]
        .value
        .clone()
        .unwrap();
    assert_eq!(value.len(), 100);
    assert!(value.iter().all(u8::is_ascii_uppercase));
}

/// The usage, then the error as argparse4j 0.7.0 prints it for
/// ProducerPerformance's parser (run with the JDK to get these texts).
#[test]
fn producer_perf_argument_errors_are_argparse4j_s() {
    let mut w = world(1, Flavour::Apache);
    let usage = "usage: producer-performance [-h] --topic TOPIC --num-records NUM-RECORDS
                            [--payload-delimiter PAYLOAD-DELIMITER]
                            --throughput THROUGHPUT
                            [--producer-props PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]]
                            [--producer.config CONFIG-FILE]
                            [--print-metrics]
                            [--transactional-id TRANSACTIONAL-ID]
                            [--transaction-duration-ms TRANSACTION-DURATION]
                            (--record-size RECORD-SIZE |
                            --payload-file PAYLOAD-FILE |
                            --payload-monotonic)
";
    for (args, error) in [
        ("--topic t --num-records 10 --throughput -1", "producer-performance: error: one of  the arguments --record-size --payload-\nfile --payload-monotonic is required\n"),
        ("--num-records 10 --record-size 1 --throughput -1", "producer-performance: error: argument --topic is required\n"),
        ("--topic t --num-records x --record-size 1 --throughput -1", "producer-performance: error: argument --num-records:  could not convert 'x'\nto Long (For input string: \"x\")\n"),
        ("--topic t --num-records 1 --record-size 1 --payload-monotonic --throughput -1", "producer-performance:  error:  argument  --payload-monotonic:  not  allowed\nwith argument --record-size\n"),
        ("--topic t --num-records 1 --record-size 1 --throughput -1 --foo", "producer-performance: error: unrecognized arguments: '--foo'\n\nDid you mean:\n\t--topic\n"),
        ("--topic", "producer-performance: error: argument --topic: expected one argument\n"),
        ("--topic t --num-records 0 --record-size 1 --throughput -1 --producer-props a=b", "producer-performance: error: --num-records should be greater than zero\n"),
        ("--topic t --num-records 1 --record-size 1 --throughput -1", "producer-performance: error: Either  --producer-props  or --producer.config\nmust be specified.\n"),
    ] {
        let r = run(&mut w, &format!("kafka-producer-perf-test.sh {args}"));
        assert_eq!((r.code, r.stdout()), (1, String::new()), "{args}");
        assert_eq!(r.stderr(), format!("{usage}{error}"), "{args}");
    }
    let r = run(&mut w, "kafka-producer-perf-test.sh");
    assert_eq!(r.code, 0);
    assert!(r.stdout().starts_with(usage));
    assert!(r
        .stdout()
        .contains("\nThis  tool  is  used  to   verify   the  producer  performance.  To  enable\n"));
}

#[test]
fn consumer_perf_reads_what_was_produced() {
    let mut w = world(1, Flavour::Confluent);
    topic(&mut w, "perf", 1);
    let r = run(
        &mut w,
        "kafka-producer-perf-test --topic perf --num-records 500 --record-size 200 --throughput -1 \
         --producer-props bootstrap.servers=localhost:9092",
    );
    assert_eq!(r.code, 0, "{}", r.stderr());
    assert!(r.stdout().starts_with("500 records sent, "));
    let start = w.sim.now();
    let r = run(
        &mut w,
        "kafka-consumer-perf-test --bootstrap-server localhost:9092 --topic perf --messages 500",
    );
    assert_eq!(r.code, 0, "{}", r.stderr());
    let end = w.sim.now();
    let stdout = r.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec"
    );
    let cols: Vec<&str> = lines[1].split(", ").collect();
    assert_eq!(cols.len(), 10, "{}", lines[1]);
    let fmt = |ms: i64| kafkaplay_shell::tools::consumer_perf::simple_date_format("yyyy-MM-dd HH:mm:ss:SSS", ms);
    assert_eq!(cols[0], fmt(start));
    assert!(
        cols[1] >= fmt(end - 100).as_str() && cols[1] <= fmt(end).as_str(),
        "{}",
        cols[1]
    );
    assert_eq!(cols[2], "0.0954"); // 500 * 200 bytes
    assert_eq!(cols[4], "500");
    let rebalance: i64 = cols[6].parse().unwrap();
    let fetch: i64 = cols[7].parse().unwrap();
    assert!(rebalance > 0, "joining the group takes the initial rebalance delay");
    // end.time is taken before consumer.close(), which takes a round trip or two.
    assert!(rebalance + fetch <= end - start && end - start - (rebalance + fetch) < 100);

    // Nothing more to read: the timeout warning, then the line.
    let r = run(&mut w, "kafka-consumer-perf-test --bootstrap-server localhost:9092 --topic perf --messages 10 --from-latest --timeout 2000 --hide-header");
    let stdout = r.stdout();
    assert!(stdout.starts_with("WARNING: Exiting before consuming the expected number of messages: timeout (2000 ms) exceeded. You can use the --timeout option to increase the timeout.\n"), "{stdout}");
    assert!(stdout.lines().nth(1).unwrap().contains(", 0.0000, 0.0000, 0, 0.0000, "));
}

#[test]
fn consumer_perf_argument_errors() {
    let mut w = world(1, Flavour::Confluent);
    let help = kafkaplay_shell::tools::consumer_perf::parser(&w).help();
    let r = run(
        &mut w,
        "kafka-consumer-perf-test --bootstrap-server localhost:9092 --topic t",
    );
    assert_eq!(
        (r.code, r.stderr()),
        (1, format!("Missing required argument \"[messages]\"\n{help}"))
    );
    let r = run(&mut w, "kafka-consumer-perf-test");
    assert_eq!(
        (r.code, r.stderr()),
        (
            1,
            format!("This tool is used to verify the consumer performance.\n{help}")
        )
    );
    assert!(help.contains("perf-consumer-"), "the random default group is shown");
}
