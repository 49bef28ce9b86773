//! The learner's Docker set-up: the `docker-compose.yml` describing the
//! playground's nodes (Confluent or Apache Kafka images in KRaft mode, one
//! isolated controller and brokers `broker1..N`), and the `docker` /
//! `docker compose` / `docker-compose` commands over the simulation.
//!
//! A container's state is the simulated node's: `docker kill` is
//! [`Fault::Kill`], `docker stop` a controlled shutdown ([`Fault::Shutdown`],
//! then SIGKILL after Docker's 10 s grace period), `docker start`
//! [`Fault::Restart`], `docker pause`/`unpause` [`Fault::Pause`]/[`Fault::Resume`].
//! `docker ps` reads `is_up`/`is_paused` from the simulation, so a fault
//! injected elsewhere (the playground's buttons) shows too.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::{Fault, Ms, NodeId, Simulation};

use crate::output::Output;
use crate::views::{host_port, LOG_DIR};
use crate::world::{Flavour, World};

/// Docker's grace period between SIGTERM and SIGKILL (`docker stop -t`).
pub const STOP_TIMEOUT_MS: Ms = 10_000;

/// The image a node runs, by flavour.
pub fn image(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Confluent => "confluentinc/cp-kafka:7.8.0",
        Flavour::Apache => "apache/kafka:4.0.0",
    }
}

fn command(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Confluent => "/etc/confluent/docker/run",
        Flavour::Apache => "/__cacert_entrypoint.sh /etc/kafka/docker/run",
    }
}

/// The Compose project: named after the directory holding the compose file.
pub const PROJECT: &str = "learner";

/// Every node that runs in a container: controllers first, then brokers.
pub fn nodes(world: &World) -> Vec<NodeId> {
    let c = world.sim.config();
    c.controllers.iter().chain(c.brokers.iter()).copied().collect()
}

/// The container (and host) name of node `id`: `controller`, `broker1`, ...
/// (`broker` when there is one broker, matching [`World::new`]'s listeners).
pub fn container_name(world: &World, id: NodeId) -> String {
    let c = world.sim.config();
    if let Some(i) = c.controllers.iter().position(|x| *x == id) {
        return if c.controllers.len() == 1 {
            "controller".to_string()
        } else {
            format!("controller{}", i + 1)
        };
    }
    if c.brokers.len() == 1 {
        "broker".to_string()
    } else {
        format!("broker{id}")
    }
}

/// The node a container name (or id prefix) refers to.
pub fn node_named(world: &World, name: &str) -> Option<NodeId> {
    nodes(world).into_iter().find(|id| {
        container_name(world, *id) == name || (name.len() >= 4 && container_id(world, *id).starts_with(name))
    })
}

/// `controller.quorum.voters`: `1000@controller:9093`.
pub fn quorum_voters(world: &World) -> String {
    world
        .sim
        .config()
        .controllers
        .iter()
        .map(|id| format!("{id}@{}:9093", container_name(world, *id)))
        .collect::<Vec<_>>()
        .join(",")
}

/// FNV-1a, then SplitMix64's finalizer so that similar names give unrelated ids.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A container's 12-hex-digit short id, stable for a seed and a name.
pub fn container_id(world: &World, id: NodeId) -> String {
    let h = fnv1a(format!("{}/{}", world.sim.seed(), container_name(world, id)).as_bytes());
    format!("{h:016x}")[..12].to_string()
}

/// The KRaft cluster id (22 characters of URL-safe base64), stable for a seed.
pub fn cluster_id(seed: u64) -> String {
    base64_id(&format!("cluster-{seed}"))
}

/// A Kafka `Uuid` in its 22-character URL-safe base64 form, derived from `name`.
pub fn base64_id(name: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&fnv1a(format!("a-{name}").as_bytes()).to_be_bytes());
    bytes.extend_from_slice(&fnv1a(format!("b-{name}").as_bytes()).to_be_bytes());
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = String::new();
    for b in bytes {
        bits = (bits << 8) | u32::from(b);
        nbits += 8;
        while nbits >= 6 {
            nbits -= 6;
            out.push(ALPHABET[((bits >> nbits) & 63) as usize] as char);
        }
    }
    if nbits > 0 {
        out.push(ALPHABET[((bits << (6 - nbits)) & 63) as usize] as char);
    }
    out
}

/// The `docker-compose.yml` that runs this playground's cluster on real Kafka
/// images: the same node ids, listeners and broker settings.
pub fn compose_yaml(world: &World) -> String {
    let config = world.sim.config();
    let voters = quorum_voters(world);
    let cluster = cluster_id(world.sim.seed());
    let img = image(world.flavour);
    let mut y = String::from("services:\n");
    for &id in &config.controllers {
        let name = container_name(world, id);
        y.push_str(&format!(
            "  {name}:\n    image: {img}\n    hostname: {name}\n    container_name: {name}\n    environment:\n"
        ));
        let env = [
            ("KAFKA_NODE_ID", id.to_string()),
            ("KAFKA_PROCESS_ROLES", "controller".to_string()),
            ("KAFKA_CONTROLLER_QUORUM_VOTERS", voters.clone()),
            ("KAFKA_LISTENERS", format!("CONTROLLER://{name}:9093")),
            ("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER".to_string()),
            ("KAFKA_LOG_DIRS", LOG_DIR.to_string()),
            ("CLUSTER_ID", cluster.clone()),
        ];
        for (k, v) in env {
            y.push_str(&format!("      {k}: '{v}'\n"));
        }
    }
    let controller_names: Vec<String> = config.controllers.iter().map(|c| container_name(world, *c)).collect();
    for &id in &config.brokers {
        let name = container_name(world, id);
        let port = host_port(world, id);
        y.push_str(&format!(
            "  {name}:\n    image: {img}\n    hostname: {name}\n    container_name: {name}\n    depends_on:\n"
        ));
        for c in &controller_names {
            y.push_str(&format!("      - {c}\n"));
        }
        y.push_str(&format!("    ports:\n      - \"{port}:{port}\"\n    environment:\n"));
        for (k, v) in broker_env(world, id) {
            y.push_str(&format!("      {k}: '{v}'\n"));
        }
    }
    y
}

/// A broker's `KAFKA_*` environment (the Docker images turn each into a
/// `server.properties` line: `KAFKA_NUM_PARTITIONS` → `num.partitions`).
pub fn broker_env(world: &World, id: NodeId) -> Vec<(String, String)> {
    let config = world.sim.config();
    let b = &config.broker;
    let name = container_name(world, id);
    let port = host_port(world, id);
    let env: Vec<(&str, String)> = vec![
        ("KAFKA_NODE_ID", id.to_string()),
        ("KAFKA_PROCESS_ROLES", "broker".to_string()),
        ("KAFKA_CONTROLLER_QUORUM_VOTERS", quorum_voters(world)),
        (
            "KAFKA_LISTENERS",
            format!("PLAINTEXT://{name}:29092,PLAINTEXT_HOST://0.0.0.0:{port}"),
        ),
        (
            "KAFKA_ADVERTISED_LISTENERS",
            format!("PLAINTEXT://{name}:29092,PLAINTEXT_HOST://localhost:{port}"),
        ),
        (
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
            "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT".to_string(),
        ),
        ("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT".to_string()),
        ("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER".to_string()),
        ("KAFKA_LOG_DIRS", LOG_DIR.to_string()),
        ("KAFKA_NUM_PARTITIONS", b.num_partitions.to_string()),
        (
            "KAFKA_DEFAULT_REPLICATION_FACTOR",
            b.default_replication_factor.to_string(),
        ),
        ("KAFKA_MIN_INSYNC_REPLICAS", b.min_insync_replicas.to_string()),
        (
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
            b.offsets_topic_replication_factor
                .min(config.brokers.len() as i16)
                .to_string(),
        ),
        (
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS",
            b.group_initial_rebalance_delay_ms.to_string(),
        ),
        (
            "KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE",
            b.unclean_leader_election_enable.to_string(),
        ),
        ("KAFKA_REPLICA_LAG_TIME_MAX_MS", b.replica_lag_time_max_ms.to_string()),
        ("CLUSTER_ID", cluster_id(world.sim.seed())),
    ];
    env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// What `docker` knows beyond the simulation: when containers were created,
/// started and how they exited.
#[derive(Debug, Clone, Default)]
pub struct Docker {
    /// The Compose project is up (`docker compose up`) and not yet `down`.
    pub created: bool,
    containers: FlatMap<NodeId, Container>,
}

#[derive(Debug, Clone, Copy)]
struct Container {
    created_at: Ms,
    started_at: Ms,
    /// Exit code and time of the last stop, while stopped.
    exited: Option<(i32, Ms)>,
}

/// What a `docker` command asks the shell to do besides printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `docker exec -it NAME bash`: open a shell inside node `id`'s container.
    EnterShell(NodeId),
    /// `docker exec NAME cmd args...`: run one command inside the container.
    Run(NodeId, Vec<String>),
}

impl Docker {
    /// Containers already created and running since the simulation started.
    pub fn running(world: &World) -> Docker {
        let now = world.sim.now();
        Docker {
            created: true,
            containers: nodes(world)
                .into_iter()
                .map(|id| {
                    (
                        id,
                        Container {
                            created_at: now,
                            started_at: now,
                            exited: None,
                        },
                    )
                })
                .collect(),
        }
    }

    /// Nothing created yet: every node is stopped until `docker compose up`.
    pub fn not_created(world: &mut World) -> Docker {
        for id in nodes(world) {
            world.sim.apply_fault(Fault::Kill(id));
        }
        Docker::default()
    }

    fn container(&self, id: NodeId) -> Container {
        self.containers.get(&id).copied().unwrap_or(Container {
            created_at: 0,
            started_at: 0,
            exited: None,
        })
    }

    /// Whether node `id`'s container exists (`docker compose up` ran).
    pub fn exists(&self, id: NodeId) -> bool {
        self.created && self.containers.contains_key(&id)
    }

    /// Runs `docker ARGS` (or `docker-compose ARGS` when `compose`).
    pub fn run(
        &mut self,
        world: &mut World,
        args: &[String],
        compose: bool,
        out: &mut Output,
    ) -> (i32, Option<Action>) {
        if compose {
            return self.compose(world, args, out);
        }
        let Some(sub) = args.first() else {
            out.outln(DOCKER_USAGE);
            return (0, None);
        };
        let rest = &args[1..];
        match sub.as_str() {
            "compose" => self.compose(world, rest, out),
            "ps" | "container" if sub == "ps" || rest.first().is_some_and(|s| s == "ls") => {
                let all = rest.iter().any(|a| a == "-a" || a == "--all");
                self.ps(world, all, out);
                (0, None)
            }
            "start" | "stop" | "restart" | "kill" | "pause" | "unpause" => {
                let names: Vec<&String> = rest.iter().filter(|a| !a.starts_with('-')).collect();
                if names.is_empty() {
                    out.errln(format!("\"docker {sub}\" requires at least 1 argument.\nSee 'docker {sub} --help'.\n\nUsage:  docker {sub} [OPTIONS] CONTAINER [CONTAINER...]"));
                    return (1, None);
                }
                let mut code = 0;
                for name in names {
                    match self.node(world, name) {
                        Some(id) => {
                            if let Err(e) = self.lifecycle(world, sub, id) {
                                out.errln(format!("Error response from daemon: {e}"));
                                code = 1;
                            } else {
                                out.outln(name);
                            }
                        }
                        None => {
                            out.errln(format!("Error response from daemon: No such container: {name}"));
                            code = 1;
                        }
                    }
                }
                (code, None)
            }
            "logs" => self.logs(world, rest, out),
            "exec" => self.exec(world, rest, out),
            "version" | "--version" | "-v" => {
                out.outln("Docker version 27.3.1, build ce12230");
                (0, None)
            }
            "help" | "--help" => {
                out.outln(DOCKER_USAGE);
                (0, None)
            }
            _ => {
                out.errln(format!("docker: '{sub}' is not a docker command.\nSee 'docker --help'"));
                (1, None)
            }
        }
    }

    fn node(&self, world: &World, name: &str) -> Option<NodeId> {
        node_named(world, name).filter(|id| self.exists(*id))
    }

    /// Starts, stops, kills, pauses one container.
    fn lifecycle(&mut self, world: &mut World, verb: &str, id: NodeId) -> Result<(), String> {
        let now = world.sim.now();
        let short = container_id(world, id);
        let up = world.sim.is_up(id);
        let paused = world.sim.is_paused(id);
        match verb {
            "start" => {
                if !up {
                    self.start(world, id);
                }
            }
            "stop" => {
                if up {
                    self.stop(world, id);
                }
            }
            "restart" => {
                if up {
                    self.stop(world, id);
                }
                self.start(world, id);
            }
            "kill" => {
                if !up {
                    return Err(format!(
                        "cannot kill container: {}: container {short} is not running",
                        container_name(world, id)
                    ));
                }
                world.sim.apply_fault(Fault::Kill(id));
                self.record_exit(id, 137, now);
            }
            "pause" => {
                if !up {
                    return Err(format!("container {short} is not running"));
                }
                if paused {
                    return Err(format!("container {short} is already paused"));
                }
                world.sim.apply_fault(Fault::Pause(id));
            }
            _ => {
                if !paused {
                    return Err(format!("container {short} is not paused"));
                }
                world.sim.apply_fault(Fault::Resume(id));
            }
        }
        Ok(())
    }

    fn start(&mut self, world: &mut World, id: NodeId) {
        world.sim.apply_fault(Fault::Restart(id));
        let now = world.sim.now();
        let c = self.containers.entry(id).or_insert(Container {
            created_at: now,
            started_at: now,
            exited: None,
        });
        c.started_at = now;
        c.exited = None;
    }

    /// SIGTERM: Kafka's controlled shutdown; SIGKILL after the grace period.
    fn stop(&mut self, world: &mut World, id: NodeId) {
        if world.sim.is_paused(id) {
            world.sim.apply_fault(Fault::Resume(id));
        }
        world.sim.apply_fault(Fault::Shutdown(id));
        let stopped = world.sim.run_until_condition(STOP_TIMEOUT_MS, |s| !s.is_up(id));
        let code = if stopped {
            143
        } else {
            world.sim.apply_fault(Fault::Kill(id));
            137
        };
        let now = world.sim.now();
        self.record_exit(id, code, now);
    }

    fn record_exit(&mut self, id: NodeId, code: i32, at: Ms) {
        if let Some(c) = self.containers.get_mut(&id) {
            c.exited = Some((code, at));
        }
    }

    /// `STATUS` as `docker ps` prints it.
    fn status(&self, world: &World, id: NodeId) -> (bool, String) {
        let now = world.sim.now();
        let c = self.container(id);
        if world.sim.is_up(id) {
            let mut s = format!("Up {}", human_duration(now - c.started_at));
            if world.sim.is_paused(id) {
                s.push_str(" (Paused)");
            }
            (true, s)
        } else {
            let (code, at) = c.exited.unwrap_or((137, now));
            (false, format!("Exited ({code}) {} ago", human_duration(now - at)))
        }
    }

    fn ps(&self, world: &World, all: bool, out: &mut Output) {
        let now = world.sim.now();
        let mut rows = vec![[
            "CONTAINER ID".to_string(),
            "IMAGE".to_string(),
            "COMMAND".to_string(),
            "CREATED".to_string(),
            "STATUS".to_string(),
            "PORTS".to_string(),
            "NAMES".to_string(),
        ]];
        // Docker lists the newest container first.
        for id in nodes(world).into_iter().rev().filter(|id| self.exists(*id)) {
            let (running, status) = self.status(world, id);
            if !running && !all {
                continue;
            }
            let ports = if !running {
                String::new()
            } else if world.sim.config().brokers.contains(&id) {
                let p = host_port(world, id);
                format!("0.0.0.0:{p}->{p}/tcp, 9092/tcp")
            } else {
                "9092/tcp".to_string()
            };
            rows.push([
                container_id(world, id),
                image(world.flavour).to_string(),
                quoted_command(world.flavour),
                format!("{} ago", human_duration(now - self.container(id).created_at)),
                status,
                ports,
                container_name(world, id),
            ]);
        }
        print_table(&rows, out);
    }

    fn logs(&self, world: &World, args: &[String], out: &mut Output) -> (i32, Option<Action>) {
        let mut tail: Option<usize> = None;
        let mut name = None;
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--tail" || a == "-n" {
                tail = args.get(i + 1).and_then(|v| v.parse().ok());
                i += 1;
            } else if let Some(v) = a.strip_prefix("--tail=") {
                tail = v.parse().ok();
            } else if !a.starts_with('-') {
                name = Some(a.clone());
            }
            i += 1;
        }
        let Some(name) = name else {
            out.errln("\"docker logs\" requires exactly 1 argument.\nSee 'docker logs --help'.\n\nUsage:  docker logs [OPTIONS] CONTAINER");
            return (1, None);
        };
        let Some(id) = self.node(world, &name) else {
            out.errln(format!("Error response from daemon: No such container: {name}"));
            return (1, None);
        };
        let lines = log_lines(world, id);
        let skip = tail.map_or(0, |n| lines.len().saturating_sub(n));
        for l in &lines[skip..] {
            out.outln(l);
        }
        (0, None)
    }

    fn exec(&self, world: &World, args: &[String], out: &mut Output) -> (i32, Option<Action>) {
        let mut i = 0;
        while i < args.len() && args[i].starts_with('-') {
            if matches!(args[i].as_str(), "-u" | "--user" | "-w" | "--workdir" | "-e" | "--env") {
                i += 1;
            }
            i += 1;
        }
        let (Some(name), true) = (args.get(i), args.len() > i + 1) else {
            out.errln("\"docker exec\" requires at least 2 arguments.\nSee 'docker exec --help'.\n\nUsage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nExecute a command in a running container");
            return (1, None);
        };
        let Some(id) = self.node(world, name) else {
            out.errln(format!("Error response from daemon: No such container: {name}"));
            return (1, None);
        };
        let short = container_id(world, id);
        if !world.sim.is_up(id) {
            out.errln(format!("Error response from daemon: container {short} is not running"));
            return (1, None);
        }
        if world.sim.is_paused(id) {
            out.errln(format!(
                "Error response from daemon: container {short} is paused, unpause the container before exec"
            ));
            return (1, None);
        }
        let command: Vec<String> = args[i + 1..].to_vec();
        if command.len() == 1 && matches!(command[0].as_str(), "bash" | "sh" | "/bin/bash" | "/bin/sh") {
            return (0, Some(Action::EnterShell(id)));
        }
        (0, Some(Action::Run(id, command)))
    }

    /// `docker compose ...` / `docker-compose ...`.
    fn compose(&mut self, world: &mut World, args: &[String], out: &mut Output) -> (i32, Option<Action>) {
        // Global options: `-f FILE`, `-p NAME` (the project is always this one).
        let mut file: Option<String> = None;
        let mut rest = Vec::new();
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "-f" | "--file" => {
                    file = args.get(i + 1).cloned();
                    i += 1;
                }
                "-p" | "--project-name" => i += 1,
                "-d" | "--detach" => {}
                _ => rest.push(args[i].clone()),
            }
            i += 1;
        }
        let args = rest;
        let needs_file = args
            .first()
            .is_some_and(|s| !matches!(s.as_str(), "version" | "help" | "--help"));
        if needs_file {
            let found = match &file {
                Some(f) => world.read_file(f).is_some(),
                None => [
                    "docker-compose.yml",
                    "docker-compose.yaml",
                    "compose.yml",
                    "compose.yaml",
                ]
                .iter()
                .any(|f| world.read_file(f).is_some()),
            };
            if !found {
                match file {
                    Some(f) => out.errln(format!("open {}: no such file or directory", world.absolute_path(&f))),
                    None => out.errln("no configuration file provided: not found"),
                }
                return (1, None);
            }
        }
        let Some(sub) = args.first() else {
            out.outln(COMPOSE_USAGE);
            return (0, None);
        };
        let services: Vec<NodeId> = {
            let named: Vec<NodeId> = args[1..].iter().filter_map(|n| node_named(world, n)).collect();
            if named.is_empty() {
                nodes(world)
            } else {
                named
            }
        };
        if let Some(bad) = args[1..]
            .iter()
            .find(|n| !n.starts_with('-') && node_named(world, n).is_none())
        {
            if !matches!(sub.as_str(), "exec" | "logs") {
                out.errln(format!("no such service: {bad}"));
                return (1, None);
            }
        }
        match sub.as_str() {
            "up" => {
                let mut lines = Vec::new();
                if !self.created {
                    self.create_all(world);
                    lines.push(("Network", format!("{PROJECT}_default"), "Created", "0.1s"));
                    for id in nodes(world) {
                        lines.push(("Container", container_name(world, id), "Started", "0.5s"));
                    }
                } else {
                    for id in services {
                        let state = if world.sim.is_up(id) {
                            "Running"
                        } else {
                            self.start(world, id);
                            "Started"
                        };
                        lines.push((
                            "Container",
                            container_name(world, id),
                            state,
                            if state == "Running" { "0.0s" } else { "0.4s" },
                        ));
                    }
                }
                print_progress(&lines, out);
                (0, None)
            }
            "down" => {
                let mut lines = Vec::new();
                if self.created {
                    for id in nodes(world).into_iter().rev() {
                        if world.sim.is_up(id) {
                            self.stop(world, id);
                        }
                        lines.push(("Container", container_name(world, id), "Removed", "0.3s"));
                    }
                    lines.push(("Network", format!("{PROJECT}_default"), "Removed", "0.1s"));
                    self.created = false;
                    self.containers.clear();
                }
                print_progress(&lines, out);
                (0, None)
            }
            "start" | "stop" | "restart" | "kill" | "pause" | "unpause" => {
                if !self.created {
                    out.errln("service \"controller\" has no container to start");
                    return (1, None);
                }
                let done = match sub.as_str() {
                    "start" => "Started",
                    "stop" => "Stopped",
                    "restart" => "Started",
                    "kill" => "Killed",
                    "pause" => "Paused",
                    _ => "Unpaused",
                };
                let mut lines = Vec::new();
                let order: Vec<NodeId> = if sub == "stop" || sub == "kill" {
                    services.into_iter().rev().collect()
                } else {
                    services
                };
                for id in order {
                    if sub == "kill" && !world.sim.is_up(id) {
                        continue;
                    }
                    if self.lifecycle(world, sub, id).is_ok() {
                        lines.push(("Container", container_name(world, id), done, "0.4s"));
                    }
                }
                print_progress(&lines, out);
                (0, None)
            }
            "ps" => {
                let mut rows = vec![[
                    "NAME".to_string(),
                    "IMAGE".to_string(),
                    "COMMAND".to_string(),
                    "SERVICE".to_string(),
                    "CREATED".to_string(),
                    "STATUS".to_string(),
                    "PORTS".to_string(),
                ]];
                let now = world.sim.now();
                for id in nodes(world).into_iter().filter(|id| self.exists(*id)) {
                    let (running, status) = self.status(world, id);
                    if !running && !args.iter().any(|a| a == "-a" || a == "--all") {
                        continue;
                    }
                    let ports = if running && world.sim.config().brokers.contains(&id) {
                        let p = host_port(world, id);
                        format!("0.0.0.0:{p}->{p}/tcp, 9092/tcp")
                    } else if running {
                        "9092/tcp".to_string()
                    } else {
                        String::new()
                    };
                    let name = container_name(world, id);
                    rows.push([
                        name.clone(),
                        image(world.flavour).to_string(),
                        quoted_command(world.flavour),
                        name,
                        format!("{} ago", human_duration(now - self.container(id).created_at)),
                        status,
                        ports,
                    ]);
                }
                print_table(&rows, out);
                (0, None)
            }
            "logs" => {
                let names: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
                let ids: Vec<NodeId> = if names.is_empty() {
                    nodes(world)
                } else {
                    names.iter().filter_map(|n| node_named(world, n)).collect()
                };
                let width = ids.iter().map(|id| container_name(world, *id).len()).max().unwrap_or(0);
                for id in ids {
                    let name = container_name(world, id);
                    for l in log_lines(world, id) {
                        out.outln(format!("{name:<width$}  | {l}"));
                    }
                }
                (0, None)
            }
            "exec" => {
                let mut exec_args: Vec<String> = vec!["-it".to_string()];
                exec_args.extend(args[1..].iter().cloned());
                self.exec(world, &exec_args, out)
            }
            "config" => {
                out.out(compose_yaml(world));
                (0, None)
            }
            "version" => {
                out.outln("Docker Compose version v2.29.7");
                (0, None)
            }
            _ => {
                out.errln(format!("unknown docker command: \"compose {sub}\""));
                (1, None)
            }
        }
    }

    fn create_all(&mut self, world: &mut World) {
        // A fresh project: new containers, empty disks, the same seed.
        let mut config = world.sim.config().clone();
        config.origin_ms = world.sim.now();
        let seed = world.sim.seed();
        world.sim = Simulation::new(config, seed);
        *self = Docker::running(world);
    }
}

fn quoted_command(flavour: Flavour) -> String {
    let full = command(flavour);
    let shown: String = if full.chars().count() > 19 {
        format!("{}…", full.chars().take(19).collect::<String>())
    } else {
        full.to_string()
    };
    format!("\"{shown}\"")
}

/// Columns as Docker's tabwriter prints them (`minwidth` 10, padding 3).
fn print_table<const N: usize>(rows: &[[String; N]], out: &mut Output) {
    let mut widths = [0usize; N];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < N {
                let pad = (widths[i] + 3).max(10) - c.chars().count();
                line.push_str(&" ".repeat(pad));
            }
        }
        out.outln(line.trim_end());
    }
}

/// Compose's progress lines after `[+] Running n/n`.
fn print_progress(lines: &[(&str, String, &str, &str)], out: &mut Output) {
    let n = lines.len();
    out.outln(format!("[+] Running {n}/{n}"));
    let width = lines
        .iter()
        .map(|(k, name, _, _)| k.len() + 1 + name.len())
        .max()
        .unwrap_or(0);
    for (kind, name, state, took) in lines {
        let what = format!("{kind} {name}");
        out.outln(format!(" ✔ {what:<width$}  {state:<10}{took:>20}"));
    }
}

/// Docker's `HumanDuration` (go-units): `Less than a second`, `5 seconds`,
/// `About a minute`, `3 minutes`, `About an hour`, `4 hours`, `2 days`, ...
pub fn human_duration(ms: Ms) -> String {
    let seconds = ms.max(0) / 1000;
    if seconds < 1 {
        return "Less than a second".to_string();
    }
    if seconds == 1 {
        return "1 second".to_string();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = seconds / 60;
    if minutes == 1 {
        return "About a minute".to_string();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours = (ms.max(0) as f64 / 3_600_000.0 + 0.5) as i64;
    if hours == 1 {
        return "About an hour".to_string();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    format!("{} weeks", hours / 24 / 7)
}

/// `2023-11-14 22:13:20,000`: a log4j timestamp (UTC) for simulated time `ms`.
pub fn log4j_time(ms: Ms) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},{:03}",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// Howard Hinnant's days-from-civil inverse: days since 1970-01-01 → (y, m, d).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A container's log: what the node observed (elections, ISR changes, leader
/// changes, ...) and when it started and stopped, as log4j lines.
pub fn log_lines(world: &World, id: NodeId) -> Vec<String> {
    let mut lines: Vec<(Ms, String)> = world
        .sim
        .observations()
        .iter()
        .filter(|(_, node, _)| *node == id)
        .map(|(t, _, o)| (*t, format!("[{}] INFO {o} (kafkaplay)", log4j_time(*t))))
        .collect();
    for l in world.sim.trace().lines().filter(|l| l.node == id) {
        let text = match l.text.as_str() {
            "started" => {
                "[KafkaServer id={id}] started (kafka.server.KafkaRaftServer)".replace("{id}", &id.to_string())
            }
            "stopped" => format!("[KafkaServer id={id}] shut down completed (kafka.server.KafkaRaftServer)"),
            "power lost" => format!("[KafkaServer id={id}] power lost (kafkaplay)"),
            _ => continue,
        };
        lines.push((l.time, format!("[{}] INFO {text}", log4j_time(l.time))));
    }
    lines.sort_by_key(|(t, _)| *t);
    lines.into_iter().map(|(_, l)| l).collect()
}

const DOCKER_USAGE: &str = "Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers

Common Commands (in this playground):
  ps          List containers
  exec        Execute a command in a running container
  logs        Fetch the logs of a container
  start       Start one or more stopped containers
  stop        Stop one or more running containers
  restart     Restart one or more containers
  kill        Kill one or more running containers
  pause       Pause all processes within one or more containers
  unpause     Unpause all processes within one or more containers
  compose     Docker Compose (up, down, ps, logs, start, stop, restart, kill, exec)";

const COMPOSE_USAGE: &str = "Usage:  docker compose [OPTIONS] COMMAND

Define and run multi-container applications with Docker

Commands (in this playground):
  up          Create and start containers
  down        Stop and remove containers, networks
  ps          List containers
  logs        View output from containers
  start       Start services
  stop        Stop services
  restart     Restart service containers
  kill        Force stop service containers
  pause       Pause services
  unpause     Unpause services
  exec        Execute a command in a running container
  config      Parse, resolve and render compose file in canonical format";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations_match_docker() {
        assert_eq!(human_duration(500), "Less than a second");
        assert_eq!(human_duration(1_000), "1 second");
        assert_eq!(human_duration(59_000), "59 seconds");
        assert_eq!(human_duration(61_000), "About a minute");
        assert_eq!(human_duration(5 * 60_000), "5 minutes");
        assert_eq!(human_duration(60 * 60_000), "About an hour");
        assert_eq!(human_duration(3 * 3_600_000), "3 hours");
        assert_eq!(human_duration(72 * 3_600_000), "3 days");
    }

    #[test]
    fn log4j_time_is_utc() {
        assert_eq!(log4j_time(1_700_000_000_000), "2023-11-14 22:13:20,000");
        assert_eq!(log4j_time(0), "1970-01-01 00:00:00,000");
    }

    #[test]
    fn cluster_id_is_22_base64_characters_and_stable() {
        let a = cluster_id(7);
        assert_eq!(a.len(), 22);
        assert_eq!(a, cluster_id(7));
        assert_ne!(a, cluster_id(8));
    }
}
