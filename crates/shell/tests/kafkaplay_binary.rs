//! The native `kafkaplay` binary end to end: a script on stdin, stdout and
//! stderr kept apart, flags, the exit status, and the files it writes on exit
//! (`--export-dir` in Kafka's on-disk format, `--export-compose`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn kafkaplay(args: &[&str], script: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafkaplay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kafkaplay runs");
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory under the target's temp dir.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_script_runs_inside_the_first_broker() {
    let out = kafkaplay(
        &[],
        "hostname\necho \"node ${KAFKA_NODE_ID}\"\nnope\necho status $?\ngrep node.id /etc/kafka/server.properties\n",
    );
    assert_eq!(text(&out.stdout), "broker1\nnode 1\nstatus 127\nnode.id=1\n");
    assert_eq!(text(&out.stderr), "bash: nope: command not found\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn flags_choose_brokers_flavour_and_seed() {
    let out = kafkaplay(
        &["--brokers", "2", "--flavour", "apache", "--seed", "42"],
        "kafkaplay seed\nexit\ndocker ps --all | wc -l\nls /opt/kafka\n",
    );
    // The header, a controller and two brokers; the host has no /opt/kafka.
    assert_eq!(text(&out.stdout), "42\n4\n");
    assert_eq!(
        text(&out.stderr),
        "exit\nls: cannot access '/opt/kafka': No such file or directory\n"
    );
    assert_eq!(out.status.code(), Some(2));
    let bad = kafkaplay(&["--flavour", "kraft"], "");
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).starts_with("kafkaplay: unknown flavour kraft"));
    assert!(text(&kafkaplay(&["--help"], "").stdout).contains("--export-dir DIR"));
}

#[test]
fn same_seed_same_output() {
    let script =
        "kafkaplay sample t 25\nexit\ndocker kill broker3\nsleep 12\nkafkaplay status\ndocker logs broker1 | tail -3\n";
    let a = kafkaplay(&["--seed", "5"], script);
    let b = kafkaplay(&["--seed", "5"], script);
    assert_eq!(text(&a.stdout), text(&b.stdout));
    assert!(text(&a.stdout).contains("broker3      id 3     down"));
}

#[test]
fn export_dir_holds_each_brokers_partitions_in_kafkas_format() {
    let dir = scratch("export-dir");
    let out = kafkaplay(
        &[
            "--export-dir",
            dir.to_str().unwrap(),
            "--export-compose",
            dir.join("real").to_str().unwrap(),
        ],
        "kafkaplay sample orders 30\nls /var/lib/kafka/data | grep -v meta.properties\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listed: Vec<String> = text(&out.stdout)
        .lines()
        .skip(1)
        .flat_map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .collect();
    // Broker 1's directories are exactly what `ls` showed inside it.
    let mut on_disk: Vec<String> = std::fs::read_dir(dir.join("1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, listed);
    // Every broker holds a replica of each partition (replication factor 3).
    let mut total_bytes = 0;
    for broker in ["1", "2", "3"] {
        for p in 0..3 {
            let part = dir.join(broker).join(format!("orders-{p}"));
            for file in [
                "00000000000000000000.log",
                "00000000000000000000.index",
                "00000000000000000000.timeindex",
                "leader-epoch-checkpoint",
            ] {
                assert!(part.join(file).exists(), "{}", part.join(file).display());
            }
            let log = std::fs::read(part.join("00000000000000000000.log")).unwrap();
            if !log.is_empty() {
                assert_eq!(log[16], 2, "magic byte of the first batch");
            }
            total_bytes += log.len();
        }
    }
    assert!(total_bytes > 0);
    let compose = std::fs::read_to_string(dir.join("real").join("docker-compose.yml")).unwrap();
    assert!(compose.contains("KAFKA_NODE_ID: '2'"));
    let script = std::fs::read_to_string(dir.join("real").join("create-topics.sh")).unwrap();
    assert!(script.contains("--create --topic orders --replica-assignment "));
}
