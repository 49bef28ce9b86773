//! What commands act on: the simulated cluster, the flavour of Kafka being
//! emulated, the listeners that `--bootstrap-server` resolves, and the virtual
//! filesystem.

use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::{ClusterConfig, Ms, NodeId, Simulation};

use crate::fs::Fs;

/// Which distribution's tools and output shapes are emulated
/// (`../shared/docs/kafka-reference.md`, "Flavours").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// The Confluent Platform image the seed notes use: `kafka-topics` without
    /// `.sh`, `/etc/kafka/server.properties`, describe lines end with `Offline:`.
    #[default]
    Confluent,
    /// Apache Kafka 4.x: `kafka-topics.sh`, `Elr:`/`LastKnownElr:` columns.
    Apache,
}

/// A `host:port` a broker listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub host: String,
    pub port: u16,
    pub broker: NodeId,
}

impl Listener {
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Kafka's `default.api.timeout.ms`: how long an admin call waits for a node.
pub const DEFAULT_API_TIMEOUT_MS: Ms = 60_000;

/// Everything a command can touch.
pub struct World {
    pub sim: Simulation,
    pub flavour: Flavour,
    /// Every listener of every broker, as the Docker set-up advertises them.
    pub listeners: Vec<Listener>,
    pub fs: Fs,
    /// Where the shell is: `None` on the learner's machine, `Some(id)` inside
    /// broker `id`'s container (after `docker exec -it broker bash`).
    pub host: Option<NodeId>,
}

impl World {
    /// A cluster of `brokers` brokers (ids 1..=n) and one controller, with the
    /// listeners of the learner's docker-compose set-up: broker n answers at
    /// `localhost:(9091+n)` from the host and at `broker<n>:29092` (`broker:29092`
    /// for a one-broker cluster) inside the Docker network.
    pub fn new(brokers: i32, seed: u64, flavour: Flavour) -> World {
        World::with_controllers(brokers, 1, seed, flavour)
    }

    /// As [`World::new`], with `controllers` KRaft controller voters (1 or 3;
    /// containers `controller1`.. when there are several).
    pub fn with_controllers(brokers: i32, controllers: i32, seed: u64, flavour: Flavour) -> World {
        let sim = Simulation::new(ClusterConfig::new(brokers, controllers), seed);
        let mut listeners = Vec::new();
        for id in 1..=brokers {
            listeners.push(Listener {
                host: "localhost".into(),
                port: (9091 + id) as u16,
                broker: id,
            });
            let name = if brokers == 1 {
                "broker".to_string()
            } else {
                format!("broker{id}")
            };
            listeners.push(Listener {
                host: name,
                port: 29092,
                broker: id,
            });
        }
        World {
            sim,
            flavour,
            listeners,
            fs: Fs::default(),
            host: None,
        }
    }

    /// The brokers a `--bootstrap-server` list names (comma-separated
    /// `host:port`), in order, without duplicates. Addresses nobody listens on
    /// are skipped: a Kafka client does not fail on them at parse time, it times
    /// out trying to connect (see [`World::reachable`]).
    pub fn resolve_bootstrap(&self, list: &str) -> Vec<NodeId> {
        let mut out = Vec::new();
        for address in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            for l in &self.listeners {
                if l.address() == address && !out.contains(&l.broker) {
                    out.push(l.broker);
                }
            }
        }
        out
    }

    /// Whether a client given `--bootstrap-server list` can reach the cluster:
    /// some listed broker is up.
    pub fn reachable(&self, list: &str) -> bool {
        self.resolve_bootstrap(list).into_iter().any(|b| self.sim.is_up(b))
    }

    /// The bytes of the file at `path` as seen from [`World::host`]: files the
    /// learner wrote, and views of the simulation such as a broker's log
    /// directories (see [`crate::views`]). A relative path starts at the
    /// shell's working directory (`fs.cwd`). `None` when there is no such file.
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        self.read_view_or_file(path)
    }

    /// Runs the simulation until a controller is active and every broker has
    /// registered and is unfenced (what `docker compose up` plus a few seconds
    /// gives), for at most `max_ms` of simulated time; whether it got there.
    pub fn run_until_started(&mut self, max_ms: Ms) -> bool {
        let brokers = self.sim.config().brokers.len();
        self.sim.run_until_condition(max_ms, |s| {
            s.metadata().is_some_and(|m| m.unfenced_brokers().len() == brokers)
        })
    }

    /// Sends an admin request and runs the simulation until its answer arrives
    /// or `timeout_ms` of simulated time passes (`None`).
    pub fn admin_call(&mut self, request: AdminRequest, timeout_ms: Ms) -> Option<AdminResponse> {
        self.sim.admin_and_wait(request, timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_resolves_known_listeners_only() {
        let w = World::new(3, 1, Flavour::Confluent);
        assert_eq!(w.resolve_bootstrap("localhost:9092"), vec![1]);
        assert_eq!(
            w.resolve_bootstrap("broker2:29092,localhost:9094, localhost:9092"),
            vec![2, 3, 1]
        );
        assert!(w.resolve_bootstrap("localhost:9999").is_empty());
        assert!(w.reachable("localhost:9093"));
        assert!(!w.reachable("nowhere:1"));
    }
}
