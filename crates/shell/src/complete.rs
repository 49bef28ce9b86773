//! Tab completion: [`Shell::complete`] gives the candidates for the word under
//! the cursor and the byte range they replace. It completes command names,
//! the options of the Kafka tool being typed (the table [`tool_options`],
//! from the tools' option lists in kafka-reference.md), topic names after
//! `--topic`, consumer groups after `--group`, listener addresses after
//! `--bootstrap-server`, Docker subcommands and container names, `kafkaplay`
//! subcommands, and paths.

use kafkaplay_flatmap::FlatSet;

use crate::builtins;
use crate::docker;
use crate::shell::Shell;
use crate::views::{tool_file_name, Kind};

/// Candidates for the word at `start..end` of the line (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    pub start: usize,
    pub end: usize,
    /// Sorted; a directory ends with `/`.
    pub candidates: Vec<String>,
}

/// The options each Kafka tool accepts, by plain name.
pub fn tool_options(tool: &str) -> &'static [&'static str] {
    match tool {
        "kafka-topics" => &[
            "--alter",
            "--at-min-isr-partitions",
            "--bootstrap-server",
            "--command-config",
            "--config",
            "--create",
            "--delete",
            "--delete-config",
            "--describe",
            "--exclude-internal",
            "--help",
            "--if-exists",
            "--if-not-exists",
            "--list",
            "--partitions",
            "--replica-assignment",
            "--replication-factor",
            "--topic",
            "--topic-id",
            "--topics-with-overrides",
            "--unavailable-partitions",
            "--under-min-isr-partitions",
            "--under-replicated-partitions",
            "--version",
        ],
        "kafka-console-producer" => &[
            "--batch-size",
            "--bootstrap-server",
            "--compression-codec",
            "--help",
            "--line-reader",
            "--max-block-ms",
            "--message-send-max-retries",
            "--producer-property",
            "--producer.config",
            "--property",
            "--reader-config",
            "--request-required-acks",
            "--request-timeout-ms",
            "--retry-backoff-ms",
            "--sync",
            "--timeout",
            "--topic",
            "--version",
        ],
        "kafka-console-consumer" => &[
            "--bootstrap-server",
            "--consumer-property",
            "--consumer.config",
            "--enable-systest-events",
            "--formatter",
            "--formatter-config",
            "--from-beginning",
            "--group",
            "--help",
            "--include",
            "--isolation-level",
            "--key-deserializer",
            "--max-messages",
            "--offset",
            "--partition",
            "--property",
            "--skip-message-on-error",
            "--timeout-ms",
            "--topic",
            "--value-deserializer",
            "--version",
        ],
        "kafka-consumer-groups" => &[
            "--all-groups",
            "--all-topics",
            "--bootstrap-server",
            "--by-duration",
            "--command-config",
            "--delete",
            "--delete-offsets",
            "--describe",
            "--dry-run",
            "--execute",
            "--export",
            "--from-file",
            "--group",
            "--help",
            "--list",
            "--members",
            "--offsets",
            "--reset-offsets",
            "--shift-by",
            "--state",
            "--timeout",
            "--to-current",
            "--to-datetime",
            "--to-earliest",
            "--to-latest",
            "--to-offset",
            "--topic",
            "--verbose",
            "--version",
        ],
        "kafka-get-offsets" => &[
            "--bootstrap-server",
            "--command-config",
            "--exclude-internal-topics",
            "--help",
            "--partitions",
            "--time",
            "--topic",
            "--topic-partitions",
            "--version",
        ],
        "kafka-leader-election" => &[
            "--admin.config",
            "--all-topic-partitions",
            "--bootstrap-server",
            "--election-type",
            "--help",
            "--partition",
            "--path-to-json-file",
            "--topic",
            "--version",
        ],
        "kafka-reassign-partitions" => &[
            "--bootstrap-server",
            "--broker-list",
            "--cancel",
            "--command-config",
            "--disable-rack-aware",
            "--execute",
            "--generate",
            "--help",
            "--list",
            "--preserve-throttles",
            "--reassignment-json-file",
            "--throttle",
            "--timeout",
            "--topics-to-move-json-file",
            "--verify",
            "--version",
        ],
        "kafka-dump-log" => &[
            "--deep-iteration",
            "--files",
            "--help",
            "--index-sanity-check",
            "--key-decoder-class",
            "--max-bytes",
            "--offsets-decoder",
            "--print-data-log",
            "--skip-record-metadata",
            "--transaction-log-decoder",
            "--value-decoder-class",
            "--verify-index-only",
            "--version",
        ],
        "kafka-configs" => &[
            "--add-config",
            "--all",
            "--alter",
            "--bootstrap-server",
            "--broker",
            "--broker-defaults",
            "--delete-config",
            "--describe",
            "--entity-default",
            "--entity-name",
            "--entity-type",
            "--help",
            "--topic",
            "--version",
        ],
        "kafka-producer-perf-test" => &[
            "--num-records",
            "--payload-file",
            "--print-metrics",
            "--producer-props",
            "--producer.config",
            "--record-size",
            "--throughput",
            "--topic",
            "--transactional-id",
        ],
        "kafka-consumer-perf-test" => &[
            "--bootstrap-server",
            "--consumer.config",
            "--fetch-size",
            "--from-latest",
            "--group",
            "--help",
            "--hide-header",
            "--messages",
            "--print-metrics",
            "--reporting-interval",
            "--show-detailed-stats",
            "--timeout",
            "--topic",
        ],
        _ => &[],
    }
}

const DOCKER_SUBCOMMANDS: &[&str] = &[
    "compose", "exec", "kill", "logs", "pause", "ps", "restart", "start", "stop", "unpause", "version",
];
const COMPOSE_SUBCOMMANDS: &[&str] = &[
    "config", "down", "exec", "kill", "logs", "pause", "ps", "restart", "start", "stop", "unpause", "up", "version",
];
const KAFKAPLAY_SUBCOMMANDS: &[&str] = &[
    "advance",
    "export-compose",
    "heal",
    "help",
    "partition",
    "sample",
    "seed",
    "slow",
    "status",
];

/// Characters that end a word for completion.
fn is_break(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '|' | ';' | '&' | '<' | '>' | '(' | ')' | '=')
}

impl Shell {
    /// Completes the word before byte `cursor` of `line`.
    pub fn complete(&self, line: &str, cursor: usize) -> Completion {
        let mut cursor = cursor.min(line.len());
        while !line.is_char_boundary(cursor) {
            cursor -= 1;
        }
        let before = &line[..cursor];
        let start = before
            .rfind(is_break)
            .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
        let word = &before[start..];
        // The words of the current simple command, before this one.
        let command_start = before[..start].rfind(['|', ';', '&', '(']).map_or(0, |i| i + 1);
        let earlier: Vec<&str> = before[command_start..start].split_whitespace().collect();
        let prev_equals = before[..start].ends_with('=');
        let candidates = self.candidates(&earlier, word, prev_equals);
        let mut set: FlatSet<String> = candidates.into_iter().filter(|c| c.starts_with(word)).collect();
        set.remove(word);
        if set.is_empty() && !word.is_empty() {
            // An exact match is still a (complete) candidate.
            if self.candidates(&earlier, word, prev_equals).iter().any(|c| c == word) {
                set.insert(word.to_string());
            }
        }
        Completion {
            start,
            end: cursor,
            candidates: set.into_iter().collect(),
        }
    }

    fn candidates(&self, earlier: &[&str], word: &str, prev_equals: bool) -> Vec<String> {
        let world = &self.world;
        let on_host = self.session().machine.is_none();
        let Some(command) = earlier.first() else {
            if word.contains('/') {
                return self.path_candidates(word);
            }
            let mut names: Vec<String> = builtins::NAMES
                .iter()
                .chain(builtins::SHELL_BUILTINS)
                .map(|s| s.to_string())
                .collect();
            names.extend(
                crate::tools::names()
                    .into_iter()
                    .map(|t| tool_file_name(world.flavour, t)),
            );
            names.push("kafkaplay".to_string());
            if on_host {
                names.extend(["docker", "docker-compose"].map(String::from));
            }
            return names;
        };
        let previous = earlier.last().copied().unwrap_or("");
        let tool = crate::fs::base_name(command);
        let tool = tool.strip_suffix(".sh").unwrap_or(tool);
        if prev_equals {
            return Vec::new();
        }
        match previous {
            "--topic" | "--topics" | "--include" => return self.topic_names(),
            "--group" => return self.group_names(),
            "--bootstrap-server" | "--broker-list" => return world.listeners.iter().map(|l| l.address()).collect(),
            "--files"
            | "--reassignment-json-file"
            | "--topics-to-move-json-file"
            | "--path-to-json-file"
            | "--command-config" => return self.path_candidates(word),
            "--election-type" => return vec!["preferred".to_string(), "unclean".to_string()],
            "--offset" => return vec!["earliest".to_string(), "latest".to_string()],
            _ => {}
        }
        match tool {
            "docker" | "docker-compose" => {
                let args: Vec<&str> = earlier[1..].iter().copied().filter(|a| !a.starts_with('-')).collect();
                let compose = tool == "docker-compose" || args.first() == Some(&"compose");
                let sub_args = if tool == "docker-compose" {
                    &args[..]
                } else {
                    args.get(1..).unwrap_or(&[])
                };
                if tool == "docker" && args.is_empty() {
                    return DOCKER_SUBCOMMANDS.iter().map(|s| s.to_string()).collect();
                }
                if compose && sub_args.is_empty() {
                    return COMPOSE_SUBCOMMANDS.iter().map(|s| s.to_string()).collect();
                }
                if word.starts_with('-') {
                    return ["-a", "-d", "-it", "--tail"].map(String::from).to_vec();
                }
                let exec_target_given = args.first() == Some(&"exec") && args.len() >= 2;
                if exec_target_given {
                    return ["bash"]
                        .iter()
                        .map(|s| s.to_string())
                        .chain(
                            crate::tools::names()
                                .into_iter()
                                .map(|t| tool_file_name(world.flavour, t)),
                        )
                        .collect();
                }
                docker::nodes(world)
                    .into_iter()
                    .map(|id| docker::container_name(world, id))
                    .collect()
            }
            "kafkaplay" => {
                if earlier.len() == 1 {
                    KAFKAPLAY_SUBCOMMANDS.iter().map(|s| s.to_string()).collect()
                } else {
                    docker::nodes(world)
                        .into_iter()
                        .map(|id| docker::container_name(world, id))
                        .collect()
                }
            }
            _ if crate::tools::lookup(tool).is_some() || !tool_options(tool).is_empty() => {
                if word.starts_with('-') || word.is_empty() {
                    tool_options(tool).iter().map(|s| s.to_string()).collect()
                } else {
                    self.path_candidates(word)
                }
            }
            "cd" => self
                .path_candidates(word)
                .into_iter()
                .filter(|c| c.ends_with('/'))
                .collect(),
            _ => self.path_candidates(word),
        }
    }

    fn topic_names(&self) -> Vec<String> {
        self.world
            .sim
            .metadata()
            .map(|m| m.topic_ids.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn group_names(&self) -> Vec<String> {
        let mut groups = FlatSet::new();
        for id in &self.world.sim.config().brokers {
            if let Some(b) = self.world.sim.broker(*id) {
                for listing in b.group_coordinator().list_groups() {
                    groups.insert(listing.group_id);
                }
            }
        }
        groups.into_iter().collect()
    }

    /// Entries of the directory part of `word` on the current machine, with
    /// that directory part kept (`/var/lib/kafka/data/t-0/0000...log`).
    fn path_candidates(&self, word: &str) -> Vec<String> {
        let (dir, _) = match word.rfind('/') {
            Some(i) => (&word[..=i], &word[i + 1..]),
            None => ("", word),
        };
        let listing = if dir.is_empty() {
            self.world.list_dir(".")
        } else if let Some(rest) = dir.strip_prefix("~/") {
            let home = self.var("HOME").unwrap_or_default();
            self.world.list_dir(&format!("{home}/{rest}"))
        } else {
            self.world.list_dir(dir)
        };
        let Ok(entries) = listing else { return Vec::new() };
        entries
            .into_iter()
            .map(|e| {
                let slash = if e.kind == Kind::Dir { "/" } else { "" };
                format!("{dir}{}{slash}", e.name)
            })
            .collect()
    }
}
