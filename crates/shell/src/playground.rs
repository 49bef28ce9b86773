//! `kafkaplay`: the playground's own command, for what Docker cannot do —
//! network partitions and slow links between nodes, moving simulated time, the
//! seed — and for taking the cluster to real Kafka (`export-compose`).

use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::snapshot;
use kafkaplay_cluster::{Fault, LinkRule, NodeId, ProducerConfig};
use kafkaplay_flatmap::FlatSet;

use crate::builtins::{parse_duration_ms, ADVANCE_MAX_MS};
use crate::docker;
use crate::output::Output;
use crate::shell::Shell;
use crate::views;
use crate::world::{Flavour, World};

const HELP: &str = "Usage: kafkaplay COMMAND [ARGS]

Playground commands (Docker's are `docker ...`):
  status                     Nodes, partitions and simulated time
  partition A / B [/ C ...]  Cut the network between groups of nodes, e.g.
                             `kafkaplay partition broker1,broker2 / broker3`
                             (names or ids; unnamed nodes still reach everyone)
  heal                       Remove every network partition and slow link
  slow NODE MS               Add MS of one-way delay to every link of NODE
  advance DURATION           Let simulated time pass (500ms, 10s, 2m, 1h)
  seed                       The simulation's seed (same seed and commands, same run)
  sample [TOPIC] [RECORDS]   Create TOPIC (default sample: 3 partitions, replication
                             factor up to 3) and produce RECORDS keyed records (default 10)
  export-compose [DIR]       Write DIR/docker-compose.yml (real Kafka images, KRaft)
                             and DIR/create-topics.sh recreating this cluster's topics
                             (DIR defaults to kafka-real)
  help, --help               This text";

/// Runs `kafkaplay ARGS`; returns the exit status.
pub fn run(shell: &mut Shell, args: &[String], out: &mut Output) -> i32 {
    let Some(sub) = args.first() else {
        out.outln(HELP);
        return 0;
    };
    let rest = &args[1..];
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        out.outln(HELP);
        return 0;
    }
    match sub.as_str() {
        "help" | "--help" | "-h" => {
            out.outln(HELP);
            0
        }
        "status" => {
            status(&shell.world, &shell.network, out);
            0
        }
        "seed" => {
            out.outln(shell.world.sim.seed().to_string());
            0
        }
        "advance" => {
            let Some(ms) = rest.first().and_then(|d| parse_duration_ms(d, 1)) else {
                out.errln("kafkaplay advance: give a duration such as 500ms, 10s, 2m or 1h");
                return 2;
            };
            if ms > ADVANCE_MAX_MS {
                out.errln("kafkaplay advance: capped at 1 day of simulated time");
            }
            shell.world.sim.run_for(ms.min(ADVANCE_MAX_MS));
            out.outln(format!(
                "simulated time is now {}",
                docker::log4j_time(shell.world.sim.now())
            ));
            0
        }
        "heal" => {
            shell.world.sim.apply_fault(Fault::Heal);
            shell.network.clear();
            out.outln("network healed: no partitions, no slow links");
            0
        }
        "partition" => {
            let text = rest.join(" ");
            let mut groups: Vec<Vec<NodeId>> = Vec::new();
            for group in text.split('/') {
                let mut ids = Vec::new();
                for name in group.split([',', ' ']).filter(|s| !s.is_empty()) {
                    match node(&shell.world, name) {
                        Some(id) => ids.push(id),
                        None => {
                            out.errln(format!("kafkaplay partition: no node named {name}"));
                            return 2;
                        }
                    }
                }
                if !ids.is_empty() {
                    groups.push(ids);
                }
            }
            if groups.len() < 2 {
                out.errln("kafkaplay partition: give at least two groups, e.g. `kafkaplay partition 1,2 / 3`");
                return 2;
            }
            let shown = groups
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|id| docker::container_name(&shell.world, *id))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect::<Vec<_>>()
                .join(" / ");
            shell.world.sim.apply_fault(Fault::Partition(groups));
            out.outln(format!("network partitioned: {shown}"));
            shell.network.push(format!("partitioned: {shown}"));
            0
        }
        "slow" => {
            let (Some(name), Some(delay)) = (rest.first(), rest.get(1)) else {
                out.errln("kafkaplay slow: usage: kafkaplay slow NODE MS");
                return 2;
            };
            let Some(id) = node(&shell.world, name) else {
                out.errln(format!("kafkaplay slow: no node named {name}"));
                return 2;
            };
            let Some(ms) = parse_duration_ms(delay, 1) else {
                out.errln(format!("kafkaplay slow: {delay} is not a delay in ms"));
                return 2;
            };
            let others: Vec<NodeId> = shell.world.sim.node_ids().filter(|n| *n != id).collect();
            let rule = LinkRule {
                extra_delay_ms: ms,
                drop_probability: 0.0,
            };
            for other in others {
                shell.world.sim.apply_fault(Fault::Link {
                    from: id,
                    to: other,
                    rule,
                });
                shell.world.sim.apply_fault(Fault::Link {
                    from: other,
                    to: id,
                    rule,
                });
            }
            let name = docker::container_name(&shell.world, id);
            out.outln(format!("{name}: every link now has {ms} ms of extra delay each way"));
            shell.network.push(format!("slow: {name} +{ms} ms"));
            0
        }
        "sample" => sample(&mut shell.world, rest, out),
        "export-compose" => {
            let dir = rest.first().cloned().unwrap_or_else(|| "kafka-real".to_string());
            let mut code = 0;
            for (name, text) in export_compose(&shell.world) {
                let path = format!("{dir}/{name}");
                let abs = shell.world.absolute_path(&path);
                let machine = shell.world.host;
                shell.world.fs.mkdir_on(machine, &crate::fs::parent_of(&abs));
                match shell.world.write_file(&path, text.as_bytes(), false) {
                    Ok(()) => out.outln(format!("wrote {path}")),
                    Err(reason) => {
                        out.errln(format!("kafkaplay export-compose: {path}: {reason}"));
                        code = 1;
                    }
                }
            }
            code
        }
        other => {
            out.errln(format!(
                "kafkaplay: '{other}' is not a kafkaplay command. See 'kafkaplay --help'."
            ));
            2
        }
    }
}

/// `kafkaplay sample [TOPIC] [RECORDS]`: a topic with keyed records
/// (`key-<i>` → `message-<i>`), produced with acks=all by a simulated producer.
fn sample(world: &mut World, args: &[String], out: &mut Output) -> i32 {
    let topic = args.first().cloned().unwrap_or_else(|| "sample".to_string());
    let records: u32 = match args.get(1).map(|r| r.parse::<u32>()) {
        None => 10,
        Some(Ok(n)) if n <= 100_000 => n,
        Some(_) => {
            out.errln("kafkaplay sample: RECORDS is a number up to 100000");
            return 2;
        }
    };
    let rf = world.sim.config().brokers.len().min(3) as i16;
    let request = AdminRequest::CreateTopic {
        name: topic.clone(),
        partitions: 3,
        replication_factor: rf,
        assignment: None,
        configs: Vec::new(),
        validate_only: false,
    };
    match world.admin_call(request, crate::world::DEFAULT_API_TIMEOUT_MS) {
        Some(AdminResponse::CreateTopic(Ok(_))) => {}
        Some(AdminResponse::CreateTopic(Err((_, message)))) => {
            out.errln(format!("kafkaplay sample: {message}"));
            return 1;
        }
        _ => {
            out.errln("kafkaplay sample: the cluster did not answer (is the controller up?)");
            return 1;
        }
    }
    let producer = world.sim.add_producer(ProducerConfig::default());
    let first = world.sim.outcomes().len();
    for i in 0..records {
        world.sim.send_record(
            producer,
            ProducerRecord {
                topic: topic.clone(),
                partition: None,
                key: Some(format!("key-{i}").into_bytes()),
                value: Some(format!("message-{i}").into_bytes()),
                headers: Vec::new(),
            },
        );
    }
    let wanted = first + records as usize;
    world.sim.run_until_condition(120_000, |s| s.outcomes().len() >= wanted);
    let outcomes = &world.sim.outcomes()[first.min(world.sim.outcomes().len())..];
    let ok = outcomes
        .iter()
        .filter(|o| o.producer == producer && o.result.is_ok())
        .count();
    out.outln(format!(
        "created topic {topic} (3 partitions, replication factor {rf}) and produced {ok} of {records} records"
    ));
    if ok == records as usize {
        0
    } else {
        1
    }
}

/// A node by container name (`broker2`, `controller`) or id (`2`, `1000`).
fn node(world: &World, name: &str) -> Option<NodeId> {
    if let Ok(id) = name.parse::<NodeId>() {
        return docker::nodes(world).contains(&id).then_some(id);
    }
    docker::node_named(world, name)
}

fn status(world: &World, network: &[String], out: &mut Output) {
    let sim = &world.sim;
    out.outln(format!(
        "simulated time: {} (seed {})",
        docker::log4j_time(sim.now()),
        sim.seed()
    ));
    let image = sim.metadata();
    let active = sim.active_controller();
    for id in docker::nodes(world) {
        let name = docker::container_name(world, id);
        let state = if !sim.is_up(id) {
            "down"
        } else if sim.is_paused(id) {
            "paused"
        } else {
            "up"
        };
        let role = if sim.config().controllers.contains(&id) {
            if active == Some(id) {
                "controller (active)".to_string()
            } else {
                "controller".to_string()
            }
        } else {
            let registered = image.and_then(|m| m.brokers.get(&id));
            match registered {
                Some(b) if b.fenced => "broker (fenced)".to_string(),
                Some(_) => "broker".to_string(),
                None => "broker (not registered)".to_string(),
            }
        };
        out.outln(format!("  {name:<12} id {id:<5} {state:<7} {role}"));
    }
    let parts = snapshot::partitions(sim);
    let user: Vec<_> = parts.iter().filter(|p| !p.tp.topic.starts_with("__")).collect();
    let topics: FlatSet<&str> = user.iter().map(|p| p.tp.topic.as_str()).collect();
    let m = snapshot::metrics(sim);
    out.outln(format!(
        "topics: {} ({} partitions); offline partitions: {}, under-replicated: {}, under min ISR: {}",
        topics.len(),
        user.len(),
        m.offline_partitions,
        m.under_replicated_partitions,
        m.under_min_isr_partitions
    ));
    if network.is_empty() {
        out.outln("network: healthy");
    } else {
        for n in network {
            out.outln(format!("network: {n}"));
        }
    }
}

/// The files that recreate this playground on real Kafka: `docker-compose.yml`
/// and `create-topics.sh` (`kafka-topics --create` with each topic's replica
/// assignment, which fixes its partition count and replication factor, and
/// its non-default configs).
pub fn export_compose(world: &World) -> Vec<(String, String)> {
    let compose = docker::compose_yaml(world);
    let first_broker = world.sim.config().brokers.first().copied().unwrap_or(1);
    let container = docker::container_name(world, first_broker);
    let tool = match world.flavour {
        Flavour::Confluent => "kafka-topics".to_string(),
        Flavour::Apache => format!("{}/kafka-topics.sh", views::tools_dir(Flavour::Apache)),
    };
    let mut script = String::from(
        "#!/bin/sh\n# Recreates the playground's topics on the cluster of docker-compose.yml.\n# Run it after `docker compose up -d` (the brokers take a few seconds to start).\nset -e\n",
    );
    if let Some(image) = world.sim.metadata() {
        for topic in image.topic_ids.values().filter_map(|id| image.topics.get(id)) {
            if topic.name.starts_with("__") {
                continue;
            }
            let assignment = topic
                .partitions
                .values()
                .map(|p| p.replicas.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(":"))
                .collect::<Vec<_>>()
                .join(",");
            let rf = topic.partitions.values().next().map_or(0, |p| p.replicas.len());
            script.push_str(&format!(
                "# {}: {} partition(s), replication factor {rf}\n",
                topic.name,
                topic.partitions.len()
            ));
            let mut line = format!(
                "docker exec {container} {tool} --bootstrap-server {container}:29092 --create --topic {} --replica-assignment {assignment}",
                topic.name
            );
            for (k, v) in &topic.configs {
                line.push_str(&format!(" --config {k}={v}"));
            }
            script.push_str(&line);
            script.push('\n');
        }
    }
    vec![
        ("docker-compose.yml".to_string(), compose),
        ("create-topics.sh".to_string(), script),
    ]
}
