//! A widget's scenario: the cluster a docs page starts (brokers, controllers,
//! seed, topics with their configs) and the commands typed into it first.
//!
//! The embeddable widget (`web/widget`) reads one from its `scenario`
//! attribute or `mount()` option: a built-in name ([`Scenario::builtin`]) or
//! inline JSON, `{"brokers": 3, "topics": [{"name": "orders", "partitions": 2,
//! "replicationFactor": 3, "configs": {"min.insync.replicas": "2"}}],
//! "commands": ["kafka-topics --bootstrap-server localhost:9092 --describe"]}`.
//! The playground's "copy embed code" writes one for its current cluster
//! ([`Scenario::to_json`]). Every field may be left out; an unknown field is
//! an error (a misspelt `replicationfactor` would otherwise be silently 1).
//!
//! [`Scenario::start`] builds the cluster natively testable: the same
//! scenario gives the same cluster, trace and outputs, in the page and here.

use std::collections::BTreeMap;

use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::Ms;
use serde::{Deserialize, Serialize};

use crate::playground::{Playground, BROKERS_MAX, CONTROLLERS};

/// How long the start waits for a scenario topic's creation (simulated ms).
const CREATE_TIMEOUT_MS: Ms = 30_000;

/// A scenario command that starts a job (a console consumer, a producer
/// reading a heredoc) runs at most this long (simulated ms) before the next
/// command; the last command's job is left running for the learner.
pub const COMMAND_JOB_MS: Ms = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Scenario {
    /// Brokers, 1 to [`BROKERS_MAX`] (ids 1, 2, ...).
    pub brokers: i32,
    /// KRaft controller voters: 1 or 3 (ids 1000, ...).
    pub controllers: i32,
    /// The simulation's seed: the same seed and commands give the same run.
    pub seed: u64,
    pub topics: Vec<ScenarioTopic>,
    /// Shell lines run in order before the learner types (the terminal shows
    /// them as if typed).
    pub commands: Vec<String>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            brokers: 3,
            controllers: 1,
            seed: 1,
            topics: Vec::new(),
            commands: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioTopic {
    pub name: String,
    #[serde(default = "one_i32")]
    pub partitions: i32,
    #[serde(default = "one_i16")]
    pub replication_factor: i16,
    /// Topic configs (`cleanup.policy`, `min.insync.replicas`, ...), checked
    /// by the controller as `kafka-topics --create --config` is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configs: BTreeMap<String, String>,
}

fn one_i32() -> i32 {
    1
}

fn one_i16() -> i16 {
    1
}

/// The built-in scenarios' names, in the order the docs list them.
pub const BUILTIN: [&str; 4] = ["three-brokers", "replicated", "rf1", "empty"];

/// What went wrong starting a scenario: shown in the widget, in English
/// (Kafka's own texts are English too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    UnknownBuiltin(String),
    Brokers(i32),
    Controllers(i32),
    /// A topic the controller refused: its name, Kafka's error and message.
    Topic(String, String),
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioError::UnknownBuiltin(name) => write!(
                f,
                "unknown scenario \"{name}\": use one of {} or inline JSON ({{\"brokers\": 3, ...}})",
                BUILTIN.join(", ")
            ),
            ScenarioError::Brokers(n) => write!(f, "brokers must be 1 to {BROKERS_MAX}, not {n}"),
            ScenarioError::Controllers(n) => write!(f, "controllers must be 1 or 3, not {n}"),
            ScenarioError::Topic(name, why) => write!(f, "topic \"{name}\" was not created: {why}"),
        }
    }
}

impl Scenario {
    /// A built-in scenario by name.
    ///
    /// - `three-brokers`: three brokers and a topic `orders` with three
    ///   partitions on all three (replication factor 3), described.
    /// - `replicated`: as the seed notes' replication part: `orders` with
    ///   `min.insync.replicas=2`, five records produced, described; kill its
    ///   leader and a follower takes over with every record.
    /// - `rf1`: the seed notes' warning: two brokers, `test-topic` with two
    ///   partitions and replication factor 1; kill a broker and half of the
    ///   topic is offline.
    /// - `empty`: three brokers, nothing else.
    pub fn builtin(name: &str) -> Option<Scenario> {
        let describe =
            |topic: &str| format!("kafka-topics --bootstrap-server localhost:9092 --describe --topic {topic}");
        let produce = |topic: &str, n: usize| {
            let lines: Vec<String> = (1..=n).map(|i| format!("key-{i}:value-{i}")).collect();
            format!(
                "kafka-console-producer --bootstrap-server localhost:9092 --topic {topic} \
                 --property parse.key=true --property key.separator=: <<EOF\n{}\nEOF",
                lines.join("\n")
            )
        };
        let topic = |name: &str, partitions, replication_factor, configs: &[(&str, &str)]| ScenarioTopic {
            name: name.to_string(),
            partitions,
            replication_factor,
            configs: configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        match name {
            "three-brokers" => Some(Scenario {
                topics: vec![topic("orders", 3, 3, &[])],
                commands: vec![describe("orders")],
                ..Scenario::default()
            }),
            "replicated" => Some(Scenario {
                topics: vec![topic("orders", 1, 3, &[("min.insync.replicas", "2")])],
                commands: vec![produce("orders", 5), describe("orders")],
                ..Scenario::default()
            }),
            "rf1" => Some(Scenario {
                brokers: 2,
                topics: vec![topic("test-topic", 2, 1, &[])],
                commands: vec![produce("test-topic", 6), describe("test-topic")],
                ..Scenario::default()
            }),
            "empty" => Some(Scenario::default()),
            _ => None,
        }
    }

    /// A built-in name, or inline JSON already parsed by the caller: this
    /// resolves the name.
    pub fn named(name: &str) -> Result<Scenario, ScenarioError> {
        Scenario::builtin(name.trim()).ok_or_else(|| ScenarioError::UnknownBuiltin(name.trim().to_string()))
    }

    /// The scenario as compact JSON (what an embed snippet carries).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Inline JSON: a scenario, or serde's message (which names the field).
    pub fn from_json(json: &str) -> Result<Scenario, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    /// Starts the scenario's cluster (started as a new playground's is) and
    /// creates its topics, each waited for. The commands are not run here:
    /// the terminal types them (or [`Scenario::run_commands`] without one).
    pub fn start(&self) -> Result<Playground, ScenarioError> {
        if !(1..=BROKERS_MAX).contains(&self.brokers) {
            return Err(ScenarioError::Brokers(self.brokers));
        }
        if !CONTROLLERS.contains(&self.controllers) {
            return Err(ScenarioError::Controllers(self.controllers));
        }
        let mut pg = Playground::with_controllers(self.brokers, self.controllers, self.seed);
        for t in &self.topics {
            let request = AdminRequest::CreateTopic {
                name: t.name.clone(),
                partitions: t.partitions,
                replication_factor: t.replication_factor,
                assignment: None,
                configs: t.configs.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                validate_only: false,
            };
            let answer = pg.sim_mut().admin_and_wait(request, CREATE_TIMEOUT_MS);
            match answer {
                Some(AdminResponse::CreateTopic(Ok(_))) => {}
                Some(AdminResponse::CreateTopic(Err((error, message)))) => {
                    return Err(ScenarioError::Topic(
                        t.name.clone(),
                        format!("{}: {message}", error.exception_class()),
                    ))
                }
                _ => {
                    return Err(ScenarioError::Topic(
                        t.name.clone(),
                        "no answer from the controller".into(),
                    ))
                }
            }
        }
        // Let the new partitions elect their leaders before the page shows them.
        let names: Vec<&str> = self.topics.iter().map(|t| t.name.as_str()).collect();
        pg.sim_mut().run_until_condition(CREATE_TIMEOUT_MS, |s| {
            let Some(image) = s.metadata() else { return false };
            names.iter().all(|n| image.topic(n).is_some())
                && s.config().brokers.iter().all(|b| {
                    s.broker(*b)
                        .is_none_or(|broker| names.iter().all(|n| broker.image().topic(n).is_some()))
                })
        });
        pg.refresh();
        Ok(pg)
    }

    /// Runs the commands in the playground's shell without a terminal (a
    /// widget that shows no terminal): each job runs at most
    /// [`COMMAND_JOB_MS`], the last one's is left running. Returns each
    /// command's output and exit status, in order.
    pub fn run_commands(&self, pg: &mut Playground) -> Vec<(kafkaplay_shell::Output, i32)> {
        let mut outputs = Vec::new();
        for (i, line) in self.commands.iter().enumerate() {
            let last = i + 1 == self.commands.len();
            let mut out = pg.shell.borrow_mut().submit(line);
            let mut waited = 0;
            while !last && pg.shell.borrow().job_running() && waited < COMMAND_JOB_MS {
                let more = pg.shell.borrow_mut().tick(kafkaplay_shell::shell::TICK_MS);
                out.extend(more);
                waited += kafkaplay_shell::shell::TICK_MS;
            }
            if !last && pg.shell.borrow().job_running() {
                out.extend(pg.shell.borrow_mut().interrupt());
            }
            let status = pg.shell.borrow().last_status();
            outputs.push((out, status));
        }
        pg.refresh();
        outputs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_starts_with_its_topics_led() {
        for name in BUILTIN {
            let s = Scenario::builtin(name).unwrap();
            let pg = s.start().unwrap_or_else(|e| panic!("{name}: {e}"));
            let (partitions, _) = pg.partitions();
            let want: i32 = s.topics.iter().map(|t| t.partitions).sum();
            let user: Vec<_> = partitions.iter().filter(|p| !p.tp.topic.starts_with("__")).collect();
            assert_eq!(user.len() as i32, want, "{name}");
            assert!(
                user.iter().all(|p| !p.is_offline()),
                "{name}: a partition without a leader"
            );
        }
    }

    #[test]
    fn replicated_commands_produce_and_describe_as_kafka_prints() {
        let s = Scenario::builtin("replicated").unwrap();
        let mut pg = s.start().unwrap();
        let outputs = s.run_commands(&mut pg);
        assert_eq!(outputs.len(), 2);
        assert_eq!(outputs[0].1, 0, "{:?}", outputs[0]);
        let describe = outputs[1].0.stdout();
        assert!(describe.starts_with("Topic: orders\tTopicId: "), "{describe}");
        assert!(
            describe.contains("PartitionCount: 1\tReplicationFactor: 3\tConfigs: min.insync.replicas=2"),
            "{describe}"
        );
        let tp = kafkaplay_cluster::TopicPartition::new("orders", 0);
        let leader = pg.sim().metadata().unwrap().partition(&tp).unwrap().leader;
        let log_end = pg.sim().broker(leader).unwrap().log(&tp).map(|l| l.log_end_offset());
        assert_eq!(log_end, Some(5));
    }

    #[test]
    fn the_same_scenario_gives_the_same_trace() {
        let s = Scenario::builtin("rf1").unwrap();
        let run = || {
            let mut pg = s.start().unwrap();
            s.run_commands(&mut pg);
            pg.run_for(5_000);
            let hash = pg.sim().trace().hash();
            hash
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn json_round_trips_and_names_a_misspelt_field() {
        let s = Scenario::builtin("replicated").unwrap();
        assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s);
        let short = Scenario::from_json(r#"{"topics":[{"name":"t"}]}"#).unwrap();
        assert_eq!(short.brokers, 3);
        assert_eq!(short.topics[0].partitions, 1);
        assert_eq!(short.topics[0].replication_factor, 1);
        let err = Scenario::from_json(r#"{"topics":[{"name":"t","replicationfactor":3}]}"#).unwrap_err();
        assert!(err.contains("unknown field `replicationfactor`"), "{err}");
    }

    #[test]
    fn bad_scenarios_say_why() {
        let too_many = Scenario {
            brokers: 12,
            ..Scenario::default()
        };
        assert_eq!(too_many.start().err(), Some(ScenarioError::Brokers(12)));
        assert!(matches!(Scenario::named("nope"), Err(ScenarioError::UnknownBuiltin(_))));
        let bad_rf = Scenario {
            topics: vec![ScenarioTopic {
                name: "t".into(),
                partitions: 1,
                replication_factor: 5,
                configs: BTreeMap::new(),
            }],
            ..Scenario::default()
        };
        let err = bad_rf.start().err().unwrap().to_string();
        assert!(
            err.ends_with(
                "InvalidReplicationFactorException: Unable to replicate the partition 5 time(s): \
                 The target replication factor of 5 cannot be reached because only 3 broker(s) are registered."
            ),
            "{err}"
        );
    }
}
