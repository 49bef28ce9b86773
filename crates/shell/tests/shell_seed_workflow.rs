//! The learner's seed notes, typed as they wrote them: `docker-compose up -d`
//! with one broker, `docker exec -it broker bash`, then `kafka-topics` with
//! `${host}:${port}` variables. Kafka's tools come from `crate::tools`; on a
//! branch where `kafka-topics` is not registered yet, the shell must say
//! `command not found` instead.

use kafkaplay_shell::{tools, Flavour, Shell, World};

fn run(sh: &mut Shell, line: &str) -> (String, String, i32) {
    let out = sh.submit(line);
    (out.stdout(), out.stderr(), sh.last_status())
}

#[test]
fn seed_notes_workflow_on_one_broker() {
    let mut sh = Shell::before_compose_up(World::new(1, 11, Flavour::Confluent));
    let (up, _, code) = run(&mut sh, "docker-compose up -d");
    assert_eq!(code, 0);
    assert!(up.contains(" ✔ Container broker "), "{up}");
    // Give the broker the few seconds it takes to register.
    run(&mut sh, "sleep 10");
    run(&mut sh, "docker exec -it broker bash");
    assert_eq!(sh.prompt(), "[appuser@broker ~]$ ");
    assert_eq!(
        run(&mut sh, "ls /bin | grep kafka-topics").0,
        if tools::lookup("kafka-topics").is_some() {
            "kafka-topics\n"
        } else {
            ""
        }
    );
    assert_eq!(
        run(&mut sh, "grep -E '^(node.id|log.dirs)=' /etc/kafka/server.properties").0,
        "node.id=1\nlog.dirs=/var/lib/kafka/data\n"
    );

    run(&mut sh, "host=localhost; port=9092");
    let create = "kafka-topics --bootstrap-server ${host}:${port} --create --topic test_topic_02 --partitions 3";
    if tools::lookup("kafka-topics").is_none() {
        let (_, err, code) = run(&mut sh, create);
        assert_eq!((err.as_str(), code), ("bash: kafka-topics: command not found\n", 127));
        return;
    }
    let (out, _, code) = run(&mut sh, create);
    assert_eq!(code, 0);
    assert!(out.ends_with("Created topic test_topic_02.\n"), "{out}");
    let (list, _, _) = run(&mut sh, "kafka-topics --bootstrap-server ${host}:${port} --list");
    assert_eq!(list, "test_topic_02\n");
    let (describe, _, _) = run(
        &mut sh,
        "kafka-topics --bootstrap-server localhost:9092 --describe --topic test_topic_02",
    );
    let lines: Vec<&str> = describe.lines().collect();
    assert_eq!(lines.len(), 4, "{describe}");
    assert!(lines[0].starts_with("Topic: test_topic_02\tTopicId: "));
    // (Trailing blanks are the tools' business; the seed's copy lost them.)
    assert!(
        lines[0]
            .trim_end()
            .ends_with("\tPartitionCount: 3\tReplicationFactor: 1\tConfigs:"),
        "{:?}",
        lines[0]
    );
    for (p, line) in lines[1..].iter().enumerate() {
        assert_eq!(
            line.trim_end(),
            format!("\tTopic: test_topic_02\tPartition: {p}\tLeader: 1\tReplicas: 1\tIsr: 1\tOffline:")
        );
    }
    // The new partitions are directories in the broker's log dir.
    assert_eq!(
        run(&mut sh, "ls /var/lib/kafka/data | grep test_topic").0,
        "test_topic_02-0\ntest_topic_02-1\ntest_topic_02-2\n"
    );
    // Produce through a pipe, read back, and find the batch on disk.
    let (_, _, code) = run(
        &mut sh,
        "printf 'k1:v1\\nk2:v2\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic test_topic_02 --property parse.key=true --property key.separator=:",
    );
    assert_eq!(code, 0);
    let (consumed, err, _) = run(
        &mut sh,
        "kafka-console-consumer --bootstrap-server localhost:9092 --topic test_topic_02 --from-beginning --max-messages 2 --property print.key=true | sort",
    );
    assert_eq!(consumed, "k1\tv1\nk2\tv2\n");
    assert!(err.contains("Processed a total of 2 messages"), "{err}");
    let (dump, _, _) = run(
        &mut sh,
        "kafka-dump-log --files /var/lib/kafka/data/test_topic_02-*/00000000000000000000.log | grep -c baseOffset",
    );
    assert!(dump.trim().parse::<u32>().unwrap_or(0) >= 1, "{dump}");
}
