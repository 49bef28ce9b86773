//! `kafka-metadata-quorum describe`: the status block and the replication
//! table, numbers from the controllers and brokers.

mod support;

use kafkaplay_shell::Flavour;
use support::*;

#[test]
fn status_in_both_flavours() {
    let mut w = world(3, Flavour::Confluent);
    let c = w.sim.active_controller().unwrap();
    let (epoch, hw) = {
        let ctl = w.sim.controller(c).unwrap();
        (ctl.epoch(), ctl.high_watermark())
    };
    let r = run(
        &mut w,
        "kafka-metadata-quorum --bootstrap-server localhost:9092 describe --status",
    );
    assert_eq!(r.code, 0, "{}", r.stderr());
    let hw_now = w.sim.controller(c).unwrap().high_watermark();
    assert!(hw_now >= hw);
    assert_eq!(
        r.stdout(),
        format!(
            "ClusterId:              MkU3OEVBNTcwNTJENDM2Qk\nLeaderId:               {c}\nLeaderEpoch:            {epoch}\n\
             HighWatermark:          {hw_now}\nMaxFollowerLag:         0\nMaxFollowerLagTimeMs:   0\n\
             CurrentVoters:          [{c}]\nCurrentObservers:       [1,2,3]\n"
        )
    );
    let mut w = world(1, Flavour::Apache);
    let c = w.sim.active_controller().unwrap();
    let r = run(
        &mut w,
        "kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status",
    );
    assert!(
        r.stdout().ends_with(&format!(
            "CurrentVoters:          [{{\"id\": {c}, \"directoryId\": null}}]\nCurrentObservers:       [{{\"id\": 1, \"directoryId\": null}}]\n"
        )),
        "{}",
        r.stdout()
    );
}

#[test]
fn replication_table_is_padded_and_tab_separated() {
    let mut w = world(2, Flavour::Confluent);
    let c = w.sim.active_controller().unwrap();
    let r = run(
        &mut w,
        "kafka-metadata-quorum --bootstrap-server localhost:9092 describe --replication",
    );
    assert_eq!(r.code, 0);
    let stdout = r.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "NodeId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t"
    );
    let leo = w.sim.controller(c).unwrap().log_end_offset();
    assert!(lines[1].starts_with(&format!("{c}")), "{}", lines[1]);
    assert!(lines[1].ends_with("\tLeader  \t"), "{}", lines[1]);
    assert!(lines[1].contains(&format!("\t{leo}")));
    assert_eq!(lines.len(), 4, "leader and two observers");
    assert!(
        lines[2].starts_with("1     \t") && lines[2].ends_with("\tObserver\t"),
        "{}",
        lines[2]
    );
    let apache = {
        let mut w = world(1, Flavour::Apache);
        run(
            &mut w,
            "kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --replication",
        )
        .stdout()
    };
    assert!(
        apache.starts_with("NodeId\tDirectoryId           \tLogEndOffset\t"),
        "{apache}"
    );
}

#[test]
fn errors() {
    let mut w = world(1, Flavour::Confluent);
    for (args, stderr) in [
        (
            "--bootstrap-server localhost:9092 describe",
            "One of --status or --replication must be specified with describe sub-command\n",
        ),
        (
            "--bootstrap-server localhost:9092 describe --status --replication",
            "Only one of --status or --replication should be specified with describe sub-command\n",
        ),
        (
            "--bootstrap-server localhost:9092 describe --status --human-readable",
            "The option --human-readable is only supported along with --replication\n",
        ),
    ] {
        let r = run(&mut w, &format!("kafka-metadata-quorum {args}"));
        assert_eq!((r.code, r.stderr()), (1, stderr.to_string()), "{args}");
    }
    // argparse4j 0.7.0's texts for MetadataQuorumCommand's parser.
    let usage = "usage: kafka-metadata-quorum [-h] [--command-config COMMAND_CONFIG]
                             (--bootstrap-server BOOTSTRAP_SERVER |
                             --bootstrap-controller BOOTSTRAP_CONTROLLER)
                             {describe,add-controller,remove-controller}
                             ...
";
    for (args, error) in [
        ("", "kafka-metadata-quorum: error: too few arguments\n"),
        ("describe --status", "kafka-metadata-quorum: error: one  of  the  arguments --bootstrap-server --\nbootstrap-controller is required\n"),
        ("--bootstrap-server a:1 bogus", "kafka-metadata-quorum:  error:  invalid   choice:   'bogus'   (choose  from\n'describe', 'add-controller', 'remove-controller')\n"),
        ("--bootstrap-server a:1 --bootstrap-controller b:2 describe", "kafka-metadata-quorum: error: argument  --bootstrap-controller: not allowed\nwith argument --bootstrap-server\n"),
    ] {
        let r = run(&mut w, format!("kafka-metadata-quorum {args}").trim_end());
        assert_eq!((r.code, r.stderr()), (1, format!("{usage}{error}")), "{args}");
    }
    let r = run(
        &mut w,
        "kafka-metadata-quorum --bootstrap-server a:1 describe --status --foo",
    );
    assert_eq!(
        r.stderr(),
        "usage: kafka-metadata-quorum (--bootstrap-server BOOTSTRAP_SERVER |\n                             --bootstrap-controller BOOTSTRAP_CONTROLLER)\n                             describe [-h] [--status] [--replication]\n                             [--human-readable]\nkafka-metadata-quorum: error: unrecognized arguments: '--foo'\n"
    );
    let r = run(&mut w, "kafka-metadata-quorum -h");
    assert_eq!(r.code, 0);
    assert!(
        r.stdout().starts_with(usage)
            && r.stdout()
                .contains("\nThis tool describes kraft metadata quorum status.\n")
    );
    let r = run(
        &mut w,
        "kafka-metadata-quorum --bootstrap-server localhost:9999 describe --status",
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr().starts_with("org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeCluster\n"));
}
