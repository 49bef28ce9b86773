//! `kafka-console-producer` and `kafka-console-consumer`: jobs fed from the
//! terminal or a pipe, records through the simulated clients, and the texts of
//! ConsoleProducer/LineMessageReader/ConsoleConsumer/DefaultMessageFormatter.

mod support;

use kafkaplay_cluster::{Fault, TopicPartition};
use kafkaplay_shell::tools::common::log4j_time;
use kafkaplay_shell::{Flavour, Output, Stdin, World};
use support::*;

const BS: &str = "--bootstrap-server localhost:9092";

fn create(w: &mut World, args: &str) {
    let r = run(w, &format!("kafka-topics {BS} --create {args}"));
    assert_eq!(r.code, 0, "{}", r.stdout());
}

fn produce(w: &mut World, topic: &str, extra: &str, data: &str) -> Ran {
    run_with(
        w,
        &format!("kafka-console-producer {BS} --topic {topic} {extra}"),
        Stdin::Data(data.into()),
    )
}

/// `(timestamp, key, value)` of every record in a partition's leader log.
fn log_records(w: &World, topic: &str, partition: i32) -> Vec<(i64, Option<String>, Option<String>)> {
    let tp = TopicPartition::new(topic, partition);
    let leader = w.sim.metadata().unwrap().partition(&tp).unwrap().leader;
    let log = w.sim.broker(leader).unwrap().log(&tp).unwrap();
    let s = |b: Option<Vec<u8>>| b.map(|b| String::from_utf8(b).unwrap());
    log.batches()
        .flat_map(|(_, b)| b.records().unwrap())
        .map(|r| (r.timestamp, s(r.key), s(r.value)))
        .collect()
}

#[test]
fn interactive_producer_prompts_then_consumer_reads_from_beginning() {
    let mut w = world(1, Flavour::Confluent);
    create(&mut w, "--topic greetings");
    let Started::Job(mut job, mut out) = start(
        &mut w,
        &format!("kafka-console-producer {BS} --topic greetings"),
        Stdin::Terminal,
    ) else {
        panic!("the producer is a job")
    };
    for line in ["hello", "world", ""] {
        assert_eq!(job.prompt(), Some(">"));
        job.input(&mut w, line, &mut out);
        assert_eq!(tick_for(&mut w, job.as_mut(), &mut out, 200), None);
    }
    job.end_of_input(&mut w, &mut out);
    assert_eq!(job.prompt(), None);
    assert_eq!(tick_until_exit(&mut w, job.as_mut(), &mut out, 10_000), Some(0));
    assert_eq!(out, Output::new(), "nothing printed on success");

    let values: Vec<_> = log_records(&w, "greetings", 0).into_iter().map(|r| r.2).collect();
    assert_eq!(
        values,
        vec![Some("hello".into()), Some("world".into()), Some(String::new())]
    );

    let r = run(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic greetings --from-beginning --max-messages 3"),
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout(), "hello\nworld\n\n");
    assert_eq!(r.stderr(), "Processed a total of 3 messages\n");
}

#[test]
fn piped_keys_and_headers_are_printed_by_the_formatter() {
    let mut w = world(1, Flavour::Apache);
    create(&mut w, "--topic kv");
    let r = produce(
        &mut w,
        "kv",
        "--property parse.key=true --property key.separator=: --property parse.headers=true --property null.marker=NULL",
        "h1:v1,h2:v2\tk1:first\nNULL\tNULL:second\n",
    );
    assert_eq!((r.code, r.stdout(), r.stderr()), (0, String::new(), String::new()));
    let records = log_records(&w, "kv", 0);
    assert_eq!(records.len(), 2);
    let (t0, t1) = (records[0].0, records[1].0);
    let r = run(
        &mut w,
        &format!(
            "kafka-console-consumer.sh {BS} --topic kv --from-beginning --max-messages 2 \
             --property print.timestamp=true --property print.partition=true --property print.offset=true \
             --property print.headers=true --property print.key=true"
        ),
    );
    assert_eq!(
        r.stdout(),
        format!(
            "CreateTime:{t0}\tPartition:0\tOffset:0\th1:v1,h2:v2\tk1\tfirst\n\
             CreateTime:{t1}\tPartition:0\tOffset:1\tNO_HEADERS\tnull\tsecond\n"
        )
    );
    assert_eq!(r.stderr(), "Processed a total of 2 messages\n");

    // Separators, the null literal, and no value (then no line separator either).
    let r = run(
        &mut w,
        &format!(
            "kafka-console-consumer.sh {BS} --topic kv --from-beginning --max-messages 2 --property print.key=true \
             --property key.separator=| --property null.literal=<none> --property print.value=false"
        ),
    );
    assert_eq!(r.stdout(), "k1\n<none>\n");
}

#[test]
fn consumer_from_latest_sees_only_new_records_and_stops_on_ctrl_c() {
    let mut w = world(1, Flavour::Confluent);
    create(&mut w, "--topic live");
    produce(&mut w, "live", "", "old\n");
    let Started::Job(mut consumer, mut out) = start(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic live"),
        Stdin::Terminal,
    ) else {
        panic!("the consumer is a job")
    };
    // Let it join the group and find the end of the log.
    assert_eq!(tick_for(&mut w, consumer.as_mut(), &mut out, 6_000), None);
    produce(&mut w, "live", "", "new 1\nnew 2\n");
    assert_eq!(tick_for(&mut w, consumer.as_mut(), &mut out, 3_000), None);
    assert_eq!(out.stdout(), "new 1\nnew 2\n");
    assert_eq!(consumer.interrupt(&mut w, &mut out), 130);
    assert_eq!(out.stderr(), "Processed a total of 2 messages\n");
}

#[test]
fn partition_and_offset_and_include() {
    let mut w = world(2, Flavour::Confluent);
    create(&mut w, "--topic p --partitions 2");
    create(&mut w, "--topic p-audit");
    produce(&mut w, "p", "--property parse.key=true", "k\ta\nk\tb\nk\tc\n");
    // One key: all three records in the partition murmur2 picks for it.
    let partition = if log_records(&w, "p", 0).len() == 3 { 0 } else { 1 };
    let r = run(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic p --partition {partition} --offset 1 --max-messages 2"),
    );
    assert_eq!((r.code, r.stdout()), (0, "b\nc\n".to_string()));
    let r = run(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic p --partition {partition} --offset earliest --max-messages 1"),
    );
    assert_eq!(r.stdout(), "a\n");
    produce(&mut w, "p-audit", "", "audited\n");
    let r = run(
        &mut w,
        &format!("kafka-console-consumer {BS} --include 'p-.*' --from-beginning --max-messages 1"),
    );
    assert_eq!(r.stdout(), "audited\n");
}

#[test]
fn timeout_ms_ends_with_kafkas_error_and_the_count() {
    let mut w = world(1, Flavour::Confluent);
    create(&mut w, "--topic quiet");
    let start_ms = w.sim.now();
    let r = run(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic quiet --timeout-ms 3000"),
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout(), "");
    let err = r.stderr();
    let (log, rest) = err.split_once('\n').unwrap();
    assert!(log.starts_with('[') && log.ends_with("] ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)"), "{log}");
    assert_eq!(
        rest,
        "org.apache.kafka.common.errors.TimeoutException\nProcessed a total of 0 messages\n"
    );
    assert!(w.sim.now() - start_ms >= 3_000);
}

#[test]
fn producer_parse_error_stops_reading_but_delivers_earlier_lines() {
    let mut w = world(1, Flavour::Confluent);
    create(&mut w, "--topic keyed");
    let r = produce(&mut w, "keyed", "--property parse.key=true", "k\tv\noops\nnever\n");
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr(),
        "org.apache.kafka.common.KafkaException: No key separator found on line number 2: 'oops'\n"
    );
    assert_eq!(
        log_records(&w, "keyed", 0),
        vec![(log_records(&w, "keyed", 0)[0].0, Some("k".into()), Some("v".into()))]
    );
}

#[test]
fn failed_sends_are_logged_like_error_logging_callback() {
    let mut w = world(2, Flavour::Confluent);
    create(
        &mut w,
        "--topic safe --replica-assignment 1:2 --config min.insync.replicas=2",
    );
    w.sim.apply_fault(Fault::Kill(2));
    w.sim.run_for(20_000);
    let r = produce(&mut w, "safe", "", "hello\n");
    assert_eq!(r.code, 0);
    let err = r.stderr();
    let (log, exception) = err.split_once('\n').unwrap();
    assert!(log.ends_with("] ERROR Error when sending message to topic safe with key: null, value: 5 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)"), "{log}");
    assert_eq!(
        exception,
        "org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required.\n"
    );
    // With --sync the failure ends the tool.
    let r = produce(&mut w, "safe", "--sync", "hello\nagain\n");
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr(),
        "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required.\n"
    );
    // acks=1 is accepted by the leader alone.
    let r = produce(&mut w, "safe", "--request-required-acks 1", "one\n");
    assert_eq!((r.code, r.stderr()), (0, String::new()));
}

#[test]
fn unknown_topic_and_unreachable_bootstrap_time_out_after_max_block_ms() {
    let mut w = world(1, Flavour::Confluent);
    let t0 = w.sim.now();
    let r = produce(&mut w, "nope", "", "x\n");
    assert_eq!(r.code, 0);
    let now = log4j_time(w.sim.now());
    assert_eq!(
        r.stderr(),
        format!("[{now}] ERROR Error when sending message to topic nope with key: null, value: 1 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\norg.apache.kafka.common.errors.TimeoutException: Topic nope not present in metadata after 60000 ms.\n")
    );
    assert!(w.sim.now() - t0 >= 60_000);
    let r = run_with(
        &mut w,
        "kafka-console-producer --bootstrap-server localhost:9999 --topic t",
        Stdin::Data("x\n".into()),
    );
    assert!(r.stderr().ends_with(
        "org.apache.kafka.common.errors.TimeoutException: Topic t not present in metadata after 60000 ms.\n"
    ));
}

#[test]
fn producer_argument_errors() {
    let mut w = world(1, Flavour::Confluent);
    let help = kafkaplay_shell::tools::console_producer::parser().help();
    let cases = [
        (
            "kafka-console-producer --bootstrap-server localhost:9092",
            "Missing required argument \"[topic]\"\n",
        ),
        (
            "kafka-console-producer --topic t",
            "Error while validating the bootstrap address\n\n",
        ),
        (
            "kafka-console-producer --topic t --bootstrap-server localhost",
            "Please provide valid host:port like host1:9091,host2:9092\n\n",
        ),
        (
            "kafka-console-producer --topic t --colour",
            "colour is not a recognized option\n",
        ),
        (
            "kafka-console-producer",
            "This tool helps to read data from standard input and publish it to Kafka.\n",
        ),
    ];
    for (cmd, message) in cases {
        let r = run(&mut w, cmd);
        assert_eq!(r.code, 1, "{cmd}");
        assert_eq!(r.stdout(), "");
        assert_eq!(r.stderr(), format!("{message}{help}"), "{cmd}");
    }
    let r = run(
        &mut w,
        &format!("kafka-console-producer {BS} --topic t --request-required-acks 2"),
    );
    assert_eq!(
        (r.code, r.stderr()),
        (1, "org.apache.kafka.common.config.ConfigException: Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1\n".to_string())
    );
    let acks: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("--request-required-acks"))
        .take(2)
        .collect();
    assert_eq!(
        acks[0].trim_end(),
        "--request-required-acks <String:         The required `acks` of the producer"
    );
    assert_eq!(
        acks[1].trim_end(),
        "  request required acks>                   requests (default: -1)"
    );
}

#[test]
fn consumer_argument_errors() {
    let mut w = world(1, Flavour::Confluent);
    let help = kafkaplay_shell::tools::console_consumer::parser().help();
    let cases = [
        ("--topic t --offset 3", "The partition is required when offset is specified."),
        ("--topic t --partition 0 --group g", "Options group and partition cannot be specified together."),
        ("--topic t --include x", "Exactly one of --include/--topic is required. "),
        ("--partition 0", "Exactly one of --include/--topic is required. "),
        ("--include x --partition 0", "The topic is required when partition is specified."),
        ("--topic t --partition 0 --offset 1 --from-beginning", "Options from-beginning and offset cannot be specified together."),
        ("--topic t --partition 0 --offset -5", "The provided offset value '-5' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."),
        ("--topic t --formatter kafka.tools.LoggingMessageFormatter", "kafka.tools.LoggingMessageFormatter"),
        ("--topic t --group a --consumer-property group.id=b", "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: 'a', 'b'"),
    ];
    for (args, message) in cases {
        let r = run(&mut w, &format!("kafka-console-consumer {BS} {args}"));
        assert_eq!(r.code, 1, "{args}");
        assert_eq!(r.stderr(), format!("{message}\n{help}"), "{args}");
    }
    let r = run(&mut w, "kafka-console-consumer --topic t");
    assert_eq!(
        r.stderr(),
        format!("Missing required argument \"[bootstrap-server]\"\n{help}")
    );
    let r = run(
        &mut w,
        &format!("kafka-console-consumer {BS} --topic t --from-beginning --consumer-property auto.offset.reset=latest"),
    );
    assert_eq!(
        (r.code, r.stderr()),
        (
            1,
            "Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest', please remove one option\n"
                .to_string()
        )
    );
}
