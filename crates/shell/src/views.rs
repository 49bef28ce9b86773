//! The filesystem as each machine shows it: the learner's machine (a home
//! directory with `docker-compose.yml`) and every container, whose files are
//! views of the simulation — the broker's `server.properties` built from its
//! real configuration, its log directory with one `<topic>-<partition>`
//! directory per replica it holds, and in each Kafka's own files
//! (`00000000000000000000.log`, `.index`, `.timeindex`,
//! `leader-epoch-checkpoint`, `partition.metadata`) with the bytes the broker's
//! log holds (`kafkaplay_log::export`). Learner-written files ([`crate::fs`])
//! sit on top.

use kafkaplay_cluster::{NodeId, TopicPartition};

use crate::docker;
use crate::fs::{normalize, parent_of, Machine};
use crate::world::{Flavour, World};

/// A broker's log directory (`log.dirs`), in both flavours (the compose file
/// sets `KAFKA_LOG_DIRS` to it).
pub const LOG_DIR: &str = "/var/lib/kafka/data";

/// The largest file the learner can write (the playground keeps files in memory).
pub const FILE_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The learner's home directory on their machine.
pub const HOST_HOME: &str = "/home/learner";

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub kind: Kind,
    pub size: u64,
}

/// Where the Kafka tools are on a container, by flavour.
pub fn tools_dir(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Confluent => "/usr/bin",
        Flavour::Apache => "/opt/kafka/bin",
    }
}

/// Where `server.properties` is on a container, by flavour.
pub fn server_properties_path(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Confluent => "/etc/kafka/server.properties",
        Flavour::Apache => "/opt/kafka/config/server.properties",
    }
}

/// The home directory (and `docker exec`'s working directory) of a machine.
pub fn home_of(world: &World, machine: Machine) -> &'static str {
    match (machine, world.flavour) {
        (None, _) => HOST_HOME,
        (Some(_), Flavour::Confluent) => "/home/appuser",
        (Some(_), Flavour::Apache) => "/",
    }
}

/// A tool's file name in the tools directory (`kafka-topics.sh` for Apache).
pub fn tool_file_name(flavour: Flavour, tool: &str) -> String {
    match flavour {
        Flavour::Confluent => tool.to_string(),
        Flavour::Apache => format!("{tool}.sh"),
    }
}

/// The broker's `server.properties`: its configuration as the simulation runs it.
pub fn server_properties(world: &World, id: NodeId) -> String {
    let config = world.sim.config();
    let b = &config.broker;
    let log = &config.log;
    let voters = docker::quorum_voters(world);
    let mut p = String::new();
    let mut line = |k: &str, v: String| {
        p.push_str(k);
        p.push('=');
        p.push_str(&v);
        p.push('\n');
    };
    let is_controller = config.controllers.contains(&id);
    if is_controller {
        line("process.roles", "controller".into());
        line("node.id", id.to_string());
        line("controller.quorum.voters", voters);
        line(
            "listeners",
            format!("CONTROLLER://{}:9093", docker::container_name(world, id)),
        );
        line("controller.listener.names", "CONTROLLER".into());
        line("log.dirs", LOG_DIR.into());
        return p;
    }
    let host = docker::container_name(world, id);
    let port = host_port(world, id);
    line("process.roles", "broker".into());
    line("node.id", id.to_string());
    line("controller.quorum.voters", voters);
    line(
        "listeners",
        format!("PLAINTEXT://{host}:29092,PLAINTEXT_HOST://0.0.0.0:{port}"),
    );
    line(
        "advertised.listeners",
        format!("PLAINTEXT://{host}:29092,PLAINTEXT_HOST://localhost:{port}"),
    );
    line(
        "listener.security.protocol.map",
        "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT".into(),
    );
    line("inter.broker.listener.name", "PLAINTEXT".into());
    line("controller.listener.names", "CONTROLLER".into());
    line("log.dirs", LOG_DIR.into());
    line("num.partitions", b.num_partitions.to_string());
    line("default.replication.factor", b.default_replication_factor.to_string());
    line("min.insync.replicas", b.min_insync_replicas.to_string());
    line(
        "offsets.topic.replication.factor",
        b.offsets_topic_replication_factor
            .min(config.brokers.len() as i16)
            .to_string(),
    );
    line(
        "offsets.topic.num.partitions",
        b.offsets_topic_num_partitions.to_string(),
    );
    line(
        "unclean.leader.election.enable",
        b.unclean_leader_election_enable.to_string(),
    );
    line(
        "auto.leader.rebalance.enable",
        b.auto_leader_rebalance_enable.to_string(),
    );
    line(
        "leader.imbalance.check.interval.seconds",
        (b.leader_imbalance_check_interval_ms / 1000).to_string(),
    );
    line("replica.lag.time.max.ms", b.replica_lag_time_max_ms.to_string());
    line("replica.fetch.wait.max.ms", b.replica_fetch_wait_max_ms.to_string());
    line("broker.session.timeout.ms", b.broker_session_timeout_ms.to_string());
    line(
        "broker.heartbeat.interval.ms",
        b.broker_heartbeat_interval_ms.to_string(),
    );
    line(
        "group.initial.rebalance.delay.ms",
        b.group_initial_rebalance_delay_ms.to_string(),
    );
    line("message.max.bytes", b.message_max_bytes.to_string());
    line("log.segment.bytes", log.segment_bytes.to_string());
    line("log.roll.ms", log.segment_ms.to_string());
    line("log.retention.ms", log.retention_ms.to_string());
    line("log.retention.bytes", log.retention_bytes.to_string());
    line("log.index.interval.bytes", log.index_interval_bytes.to_string());
    line("log.cleanup.policy", log.cleanup_policy.name().to_string());
    p
}

/// The log directory's `meta.properties`, as `kafka-storage format` writes it
/// when the container first starts (Java `Properties.store`: an empty comment,
/// the date, then the keys).
pub fn meta_properties(world: &World, id: NodeId) -> String {
    let seed = world.sim.seed();
    format!(
        "#\n#{}\ncluster.id={}\ndirectory.id={}\nnode.id={id}\nversion=1\n",
        crate::builtins::date(world.sim.config().origin_ms),
        docker::cluster_id(seed),
        docker::base64_id(&format!("directory-{seed}-{id}")),
    )
}

/// The port broker `id` listens on for the learner's machine (`localhost:909x`).
pub fn host_port(world: &World, id: NodeId) -> u16 {
    world
        .listeners
        .iter()
        .find(|l| l.broker == id && l.host == "localhost")
        .map(|l| l.port)
        .unwrap_or(9092)
}

/// The replicas broker `id` holds, as `<topic>-<partition>` directories.
fn partition_dirs(world: &World, id: NodeId) -> Vec<(String, TopicPartition)> {
    let Some(broker) = world.sim.broker(id) else {
        return Vec::new();
    };
    let mut dirs: Vec<(String, TopicPartition)> = broker
        .image()
        .partitions()
        .filter(|(tp, _)| broker.log(tp).is_some())
        .map(|(tp, _)| (tp.to_string(), tp))
        .collect();
    dirs.sort();
    dirs
}

/// The files of one partition directory on broker `id`.
fn partition_files(world: &World, id: NodeId, tp: &TopicPartition) -> Vec<(String, Vec<u8>)> {
    let Some(broker) = world.sim.broker(id) else {
        return Vec::new();
    };
    let Some(log) = broker.log(tp) else { return Vec::new() };
    let mut files: Vec<(String, Vec<u8>)> = log.export_files().into_iter().map(|f| (f.name, f.bytes)).collect();
    if let Some(topic) = broker.image().topic(&tp.topic) {
        // PartitionMetadataFile: the topic id the directory belongs to.
        files.push((
            "partition.metadata".to_string(),
            format!("version: 0\ntopic_id: {}\n", topic.id).into_bytes(),
        ));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// Every file of broker `id`'s log directories, as
/// `<topic>-<partition>/<file>` paths with their bytes (for `--export-dir`).
pub fn broker_log_files(world: &World, id: NodeId) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for (dir, tp) in partition_dirs(world, id) {
        for (name, bytes) in partition_files(world, id, &tp) {
            files.push((format!("{dir}/{name}"), bytes));
        }
    }
    files
}

/// The commands in a `bin` directory of `machine`.
fn bin_entries(world: &World, dir: &str, machine: Machine) -> Option<Vec<String>> {
    let builtins = || crate::builtins::NAMES.iter().map(|s| s.to_string());
    let tools = || {
        crate::tools::names()
            .into_iter()
            .map(|t| tool_file_name(world.flavour, t))
    };
    let names: Vec<String> = match (machine, world.flavour, dir) {
        (None, _, "/bin" | "/usr/bin") => builtins()
            .chain(["docker", "docker-compose", "kafkaplay"].map(String::from))
            .chain(tools())
            .collect(),
        (Some(_), Flavour::Confluent, "/bin" | "/usr/bin") => builtins().chain(tools()).collect(),
        (Some(_), Flavour::Apache, "/bin" | "/usr/bin") => builtins().collect(),
        (Some(_), Flavour::Apache, "/opt/kafka/bin") => tools().collect(),
        _ => return None,
    };
    let mut names = names;
    names.sort();
    names.dedup();
    Some(names)
}

/// A launcher script's text, as `cat` shows it.
fn launcher(name: &str) -> Vec<u8> {
    format!("#!/bin/bash\n# {name}: run by kafkaplay's simulation (the real script starts a JVM through kafka-run-class).\n").into_bytes()
}

/// The fixed directories of a machine and their subdirectories.
fn fixed_dirs(world: &World, machine: Machine) -> Vec<(&'static str, &'static [&'static str])> {
    match (machine, world.flavour) {
        (None, _) => vec![
            ("/", &["bin", "dev", "etc", "home", "tmp", "usr"][..]),
            ("/usr", &["bin"][..]),
            ("/home", &["learner"][..]),
        ],
        (Some(_), Flavour::Confluent) => vec![
            ("/", &["bin", "dev", "etc", "home", "tmp", "usr", "var"][..]),
            ("/usr", &["bin"][..]),
            ("/etc", &["kafka"][..]),
            ("/home", &["appuser"][..]),
            ("/var", &["lib"][..]),
            ("/var/lib", &["kafka"][..]),
            ("/var/lib/kafka", &["data"][..]),
        ],
        (Some(_), Flavour::Apache) => vec![
            ("/", &["bin", "dev", "etc", "home", "opt", "tmp", "usr", "var"][..]),
            ("/usr", &["bin"][..]),
            ("/opt", &["kafka"][..]),
            ("/opt/kafka", &["bin", "config"][..]),
            ("/home", &["appuser"][..]),
            ("/var", &["lib"][..]),
            ("/var/lib", &["kafka"][..]),
            ("/var/lib/kafka", &["data"][..]),
        ],
    }
}

/// The generated entries of directory `dir` on `machine`, or `None` when the
/// view has no such directory.
fn view_children(world: &World, machine: Machine, dir: &str) -> Option<Vec<DirEntry>> {
    let file = |name: String, size: u64| DirEntry {
        name,
        kind: Kind::File,
        size,
    };
    let subdir = |name: String| DirEntry {
        name,
        kind: Kind::Dir,
        size: 4096,
    };
    if let Some(names) = bin_entries(world, dir, machine) {
        return Some(
            names
                .into_iter()
                .map(|n| file(n.clone(), launcher(&n).len() as u64))
                .collect(),
        );
    }
    if let Some((_, subs)) = fixed_dirs(world, machine).into_iter().find(|(d, _)| *d == dir) {
        return Some(subs.iter().map(|s| subdir(s.to_string())).collect());
    }
    match dir {
        "/tmp" => return Some(Vec::new()),
        "/dev" => return Some(vec![file("null".into(), 0)]),
        "/etc" if machine.is_none() => return Some(Vec::new()),
        "/etc/kafka" | "/opt/kafka/config"
            if machine.is_some() && Some(dir) == parent_dir_of_config(world, machine).as_deref() =>
        {
            return Some(vec![file("server.properties".into(), self_config_len(world, machine))]);
        }
        _ => {}
    }
    if dir == home_of(world, machine) {
        return Some(Vec::new());
    }
    let id = machine?;
    if dir == LOG_DIR {
        let mut entries: Vec<DirEntry> = partition_dirs(world, id)
            .into_iter()
            .map(|(name, _)| subdir(name))
            .collect();
        entries.push(file("meta.properties".into(), meta_properties(world, id).len() as u64));
        return Some(entries);
    }
    if parent_of(dir) == LOG_DIR {
        let name = crate::fs::base_name(dir);
        let (_, tp) = partition_dirs(world, id).into_iter().find(|(n, _)| n == name)?;
        return Some(
            partition_files(world, id, &tp)
                .into_iter()
                .map(|(n, b)| file(n, b.len() as u64))
                .collect(),
        );
    }
    None
}

fn parent_dir_of_config(world: &World, machine: Machine) -> Option<String> {
    machine.map(|_| parent_of(server_properties_path(world.flavour)))
}

fn self_config_len(world: &World, machine: Machine) -> u64 {
    machine.map(|id| server_properties(world, id).len() as u64).unwrap_or(0)
}

/// The generated bytes of the file at absolute `path` on `machine`.
fn view_read(world: &World, machine: Machine, path: &str) -> Option<Vec<u8>> {
    let dir = parent_of(path);
    let name = crate::fs::base_name(path);
    if let Some(names) = bin_entries(world, &dir, machine) {
        return names.iter().any(|n| n == name).then(|| launcher(name));
    }
    if path == "/dev/null" {
        return Some(Vec::new());
    }
    let id = machine?;
    if path == format!("{LOG_DIR}/meta.properties") {
        return Some(meta_properties(world, id).into_bytes());
    }
    if path == server_properties_path(world.flavour) {
        return Some(server_properties(world, id).into_bytes());
    }
    if parent_of(&dir) == LOG_DIR {
        let dir_name = crate::fs::base_name(&dir);
        let (_, tp) = partition_dirs(world, id).into_iter().find(|(n, _)| n == dir_name)?;
        return partition_files(world, id, &tp)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b);
    }
    None
}

impl World {
    /// `path` made absolute against the shell's working directory.
    pub fn absolute_path(&self, path: &str) -> String {
        let cwd = if self.fs.cwd.is_empty() { "/" } else { &self.fs.cwd };
        normalize(cwd, path)
    }

    /// What `path` names on the current machine ([`World::host`]), if anything.
    pub fn path_kind(&self, path: &str) -> Option<Kind> {
        let path = self.absolute_path(path);
        if path == "/" || self.list_dir(&path).is_ok() {
            return Some(Kind::Dir);
        }
        self.read_file(&path).map(|_| Kind::File)
    }

    /// The entries of directory `path` on the current machine, sorted by name:
    /// the simulation's views and the learner's files. `Err` carries `ls`'s
    /// reason (`No such file or directory`, `Not a directory`).
    pub fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, &'static str> {
        let path = self.absolute_path(path);
        let machine = self.host;
        let view = view_children(self, machine, &path);
        let exists = view.is_some() || self.fs.is_dir_on(machine, &path);
        if !exists {
            return Err(if self.read_file(&path).is_some() {
                "Not a directory"
            } else {
                "No such file or directory"
            });
        }
        let mut entries = view.unwrap_or_default();
        let (files, dirs) = self.fs.children_on(machine, &path);
        for (name, size) in files {
            entries.retain(|e| e.name != name);
            entries.push(DirEntry {
                name,
                kind: Kind::File,
                size,
            });
        }
        for name in dirs {
            if !entries.iter().any(|e| e.name == name) {
                entries.push(DirEntry {
                    name,
                    kind: Kind::Dir,
                    size: 4096,
                });
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    /// Writes (or with `append` extends) a file on the current machine. Views
    /// of the simulation cannot be written.
    pub fn write_file(&mut self, path: &str, bytes: &[u8], append: bool) -> Result<(), &'static str> {
        let path = self.absolute_path(path);
        if path == "/dev/null" {
            return Ok(());
        }
        let machine = self.host;
        if self.fs.read_on(machine, &path).is_none() {
            if view_read(self, machine, &path).is_some() {
                return Err("Permission denied");
            }
            if self.list_dir(&path).is_ok() {
                return Err("Is a directory");
            }
            let parent = parent_of(&path);
            if self.list_dir(&parent).is_err() {
                return Err("No such file or directory");
            }
        }
        let current = self.fs.read_on(machine, &path).map_or(0, <[u8]>::len);
        let size = if append { current + bytes.len() } else { bytes.len() };
        if size > FILE_MAX_BYTES {
            return Err("File too large");
        }
        if append {
            self.fs.append_on(machine, &path, bytes);
        } else {
            self.fs.write_on(machine, &path, bytes.to_vec());
        }
        Ok(())
    }

    pub(crate) fn read_view_or_file(&self, path: &str) -> Option<Vec<u8>> {
        let path = self.absolute_path(path);
        let machine = self.host;
        self.fs
            .read_on(machine, &path)
            .map(<[u8]>::to_vec)
            .or_else(|| view_read(self, machine, &path))
    }
}
