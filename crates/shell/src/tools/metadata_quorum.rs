//! `kafka-metadata-quorum describe --status | --replication`: Kafka's
//! `MetadataQuorumCommand` (argparse4j options).
//!
//! There is no DescribeQuorum request in the simulation on `main` yet, so the
//! quorum is read from the nodes themselves: each controller's epoch, leader,
//! log end offset and high watermark (the voters), and each broker's applied
//! metadata offset (the observers). Fetch timestamps are not exposed by the
//! Raft implementation, so they print as Kafka prints absent ones: `-1`.

use kafkaplay_cluster::{NodeId, Uuid};

use crate::output::Output;
use crate::tool::{Exit, Invocation};
use crate::world::{Flavour, World};

use super::common::connect;

const PROG: &str = "kafka-metadata-quorum";

/// `-h`: argparse4j 0.7.0's help for MetadataQuorumCommand's parser.
const HELP: &str = include_str!("usage/kafka-metadata-quorum.txt");

fn usage() -> &'static str {
    HELP.split("\n\n").next().map_or(HELP, |u| &HELP[..u.len() + 1])
}

/// The `describe` sub-parser's usage line.
const DESCRIBE_USAGE: &str = "usage: kafka-metadata-quorum (--bootstrap-server BOOTSTRAP_SERVER |
                             --bootstrap-controller BOOTSTRAP_CONTROLLER)
                             describe [-h] [--status] [--replication]
                             [--human-readable]
";

const FLAGS: &[&str] = &[
    "-h",
    "--help",
    "--bootstrap-server",
    "--bootstrap-controller",
    "--command-config",
];
const DESCRIBE_FLAGS: &[&str] = &["-h", "--help", "--status", "--replication", "--human-readable"];

#[derive(Default)]
struct Args {
    bootstrap_server: Option<String>,
    bootstrap_controller: Option<String>,
    command: Option<String>,
    status: bool,
    replication: bool,
    human_readable: bool,
}

/// An argparse4j error: the message, the usage to show, the unknown flag.
struct ArgError {
    message: String,
    describe: bool,
    unknown: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, ArgError> {
    let mut a = Args::default();
    let err = |message: String, describe: bool| ArgError {
        message,
        describe,
        unknown: None,
    };
    let mut i = 0;
    while i < args.len() {
        let t = args[i].as_str();
        i += 1;
        let in_describe = a.command.is_some();
        let mut value = |name: &str| -> Result<String, ArgError> {
            let v = args.get(i).filter(|v| !v.starts_with('-')).cloned();
            i += 1;
            v.ok_or_else(|| err(format!("argument {name}: expected one argument"), in_describe))
        };
        match (t, in_describe) {
            ("--bootstrap-server", false) => {
                if a.bootstrap_controller.is_some() {
                    return Err(err(
                        "argument --bootstrap-server: not allowed with argument --bootstrap-controller".into(),
                        false,
                    ));
                }
                a.bootstrap_server = Some(value(t)?);
            }
            ("--bootstrap-controller", false) => {
                if a.bootstrap_server.is_some() {
                    return Err(err(
                        "argument --bootstrap-controller: not allowed with argument --bootstrap-server".into(),
                        false,
                    ));
                }
                a.bootstrap_controller = Some(value(t)?);
            }
            ("--command-config", false) => {
                value(t)?;
            }
            ("describe", false) => a.command = Some("describe".into()),
            ("add-controller" | "remove-controller", false) => {
                return Err(err(format!("the {t} sub-command is not simulated"), false));
            }
            ("--status", true) => a.status = true,
            ("--replication", true) => a.replication = true,
            ("--human-readable", true) => a.human_readable = true,
            (other, false) if !other.starts_with('-') => {
                return Err(err(
                    format!(
                        "invalid choice: '{other}' (choose from 'describe', 'add-controller', 'remove-controller')"
                    ),
                    false,
                ))
            }
            (other, describe) => {
                return Err(ArgError {
                    message: format!("unrecognized arguments: '{other}'"),
                    describe,
                    unknown: Some(other.to_string()),
                })
            }
        }
    }
    if a.command.is_none() {
        return Err(err("too few arguments".into(), false));
    }
    if a.bootstrap_server.is_none() && a.bootstrap_controller.is_none() {
        return Err(err(
            "one of the arguments --bootstrap-server --bootstrap-controller is required".into(),
            false,
        ));
    }
    Ok(a)
}

/// One replica of the metadata log as DescribeQuorum reports it.
struct ReplicaState {
    id: NodeId,
    log_end_offset: i64,
}

struct QuorumInfo {
    leader_id: NodeId,
    leader_epoch: i32,
    high_watermark: i64,
    voters: Vec<ReplicaState>,
    observers: Vec<ReplicaState>,
}

/// The quorum as the active controller knows it (see the module doc).
fn quorum_info(world: &World) -> Option<QuorumInfo> {
    let leader_id = world.sim.active_controller()?;
    let leader = world.sim.controller(leader_id)?;
    let voters = world
        .sim
        .config()
        .controllers
        .iter()
        .map(|&id| ReplicaState {
            id,
            // A stopped voter last reported nothing this leader can see: 0, as
            // a voter that never fetched in this epoch.
            log_end_offset: world.sim.controller(id).map_or(0, |c| c.log_end_offset()),
        })
        .collect();
    let observers = world
        .sim
        .config()
        .brokers
        .iter()
        .filter_map(|&id| world.sim.broker(id).map(|b| (id, b)))
        .map(|(id, b)| ReplicaState {
            id,
            log_end_offset: b.image().offset,
        })
        .collect();
    Some(QuorumInfo {
        leader_id,
        leader_epoch: leader.epoch(),
        high_watermark: leader.high_watermark(),
        voters,
        observers,
    })
}

pub fn run(inv: Invocation<'_>) -> Exit {
    let Invocation { world, args, out, .. } = inv;

    if args.first().is_some_and(|a| a == "-h" || a == "--help") {
        out.out(HELP);
        return Exit::Code(0);
    }
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            let (usage, flags) = if e.describe {
                (DESCRIBE_USAGE, DESCRIBE_FLAGS)
            } else {
                (usage(), FLAGS)
            };
            return super::argparse::error(out, PROG, usage, &e.message, e.unknown.as_deref(), flags);
        }
    };
    if a.status && a.replication {
        out.errln("Only one of --status or --replication should be specified with describe sub-command");
        return Exit::Code(1);
    }
    if !a.status && !a.replication {
        out.errln("One of --status or --replication must be specified with describe sub-command");
        return Exit::Code(1);
    }
    if a.status && a.human_readable {
        out.errln("The option --human-readable is only supported along with --replication");
        return Exit::Code(1);
    }
    let bootstrap = a.bootstrap_server.or(a.bootstrap_controller).unwrap_or_default();
    let call = if a.status {
        "describeCluster"
    } else {
        "describeMetadataQuorum"
    };
    let info = if connect(world, &bootstrap) {
        quorum_info(world)
    } else {
        None
    };
    let Some(info) = info else {
        let message = format!(
            "org.apache.kafka.common.errors.TimeoutException: {}",
            super::common::node_assignment_timeout(call)
        );
        out.errln(&message);
        out.errln(format!("java.util.concurrent.ExecutionException: {message}"));
        return Exit::Code(1);
    };
    if a.status {
        describe_status(world, out, &info);
    } else {
        describe_replication(world, out, &info, a.human_readable);
    }
    Exit::Code(0)
}

fn describe_status(world: &World, out: &mut Output, q: &QuorumInfo) {
    let leader_leo = q
        .voters
        .iter()
        .find(|v| v.id == q.leader_id)
        .map_or(0, |v| v.log_end_offset);
    let max_lag_follower = q.voters.iter().min_by_key(|v| v.log_end_offset);
    let max_lag = max_lag_follower.map_or(0, |f| leader_leo - f.log_end_offset);
    // The leader itself, else the caught-up timestamps are unknown here (-1).
    let max_lag_time = if max_lag_follower.is_none_or(|f| f.id == q.leader_id) {
        0
    } else {
        -1
    };
    let list = |replicas: &[ReplicaState]| -> String {
        match world.flavour {
            Flavour::Confluent => {
                let ids: Vec<String> = replicas.iter().map(|r| r.id.to_string()).collect();
                format!("[{}]", ids.join(","))
            }
            Flavour::Apache => {
                let nodes: Vec<String> = replicas
                    .iter()
                    .map(|r| format!("{{\"id\": {}, \"directoryId\": null}}", r.id))
                    .collect();
                format!("[{}]", nodes.join(", "))
            }
        }
    };
    out.outln(format!(
        "ClusterId:              {}\nLeaderId:               {}\nLeaderEpoch:            {}\nHighWatermark:          {}\n\
         MaxFollowerLag:         {max_lag}\nMaxFollowerLagTimeMs:   {max_lag_time}\nCurrentVoters:          {}\n\
         CurrentObservers:       {}",
        kafkaplay_cluster::broker::CLUSTER_ID,
        q.leader_id,
        q.leader_epoch,
        q.high_watermark,
        list(&q.voters),
        list(&q.observers),
    ));
}

fn describe_replication(world: &World, out: &mut Output, q: &QuorumInfo, _human_readable: bool) {
    let leader_leo = q
        .voters
        .iter()
        .find(|v| v.id == q.leader_id)
        .map_or(0, |v| v.log_end_offset);
    let with_directory = world.flavour == Flavour::Apache;
    let mut headers = vec!["NodeId"];
    if with_directory {
        headers.push("DirectoryId");
    }
    headers.extend([
        "LogEndOffset",
        "Lag",
        "LastFetchTimestamp",
        "LastCaughtUpTimestamp",
        "Status",
    ]);
    let row = |r: &ReplicaState, status: &str| -> Vec<String> {
        let mut cells = vec![r.id.to_string()];
        if with_directory {
            cells.push(Uuid::ZERO.to_string());
        }
        cells.extend([
            r.log_end_offset.to_string(),
            (leader_leo - r.log_end_offset).to_string(),
            "-1".to_string(),
            "-1".to_string(),
            status.to_string(),
        ]);
        cells
    };
    let mut rows = Vec::new();
    rows.extend(
        q.voters
            .iter()
            .filter(|v| v.id == q.leader_id)
            .map(|v| row(v, "Leader")),
    );
    rows.extend(
        q.voters
            .iter()
            .filter(|v| v.id != q.leader_id)
            .map(|v| row(v, "Follower")),
    );
    rows.extend(q.observers.iter().map(|o| row(o, "Observer")));
    out.out(pretty_table(&headers, &rows));
}

/// `ToolsUtils.prettyPrintTable`: every cell padded to its column, then a tab.
pub fn pretty_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(widths.len()) {
            widths[i] = widths[i].max(c.len());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            s.push_str(&" ".repeat(widths[i].saturating_sub(c.len())));
            s.push('\t');
        }
        s.push('\n');
        s
    };
    let mut out = line(headers.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}
