//! Every lesson played in a real shell over a real cluster: each step's own
//! command (as the panel shows it) is typed, and its check must pass; before
//! that, and after commands that do not do what the step asks, it must not.

use kafkaplay_shell::{Flavour, World};

use super::content::LESSONS;
use super::*;

/// A learner at the page's start: 3 brokers, a controller, the shell on their
/// machine, the lesson panel watching.
struct Play {
    shell: Shell,
    progress: Progress,
    seed: u64,
    /// Consumers started as the groups panel starts them, in order.
    consumers: Vec<kafkaplay_cluster::NodeId>,
}

impl Play {
    fn new(lesson: &str, seed: u64) -> Play {
        Play::after(lesson, seed, &[])
    }

    /// The lesson opened after `lines` were typed (e.g. where lesson 1 ends,
    /// inside broker1's container).
    fn after(lesson: &str, seed: u64, lines: &[&str]) -> Play {
        let mut world = World::new(3, seed, Flavour::Confluent);
        assert!(
            world.run_until_started(60_000),
            "seed {seed}: the cluster did not start"
        );
        let mut shell = Shell::new(world);
        for line in lines {
            shell.submit(line);
        }
        let index = LESSONS
            .iter()
            .position(|l| l.id == lesson)
            .expect("a lesson with this id");
        let mut progress = Progress::new(index, &shell);
        progress.observe(&shell);
        Play {
            shell,
            progress,
            seed,
            consumers: Vec::new(),
        }
    }

    fn step_name(&self) -> String {
        format!(
            "seed {}, lesson {}, step {} ({})",
            self.seed,
            self.progress.lesson().id,
            self.progress.step + 1,
            self.progress.current().title.en
        )
    }

    /// Types `line` and presses Enter; returns what it printed. The panel
    /// looks after each command.
    fn type_line(&mut self, line: &str) -> String {
        let out = self.shell.submit(line);
        self.progress.observe(&self.shell);
        out.chunks.iter().map(|(_, t)| t.as_str()).collect()
    }

    /// Lets `ms` of simulated time pass in the page's 100 ms ticks, the panel
    /// looking after each.
    /// Returns what a running job printed meanwhile.
    fn wait(&mut self, ms: i64) -> String {
        let mut printed = String::new();
        for _ in 0..ms / 100 {
            let out = self.shell.tick(100);
            printed.extend(out.chunks.iter().map(|(_, t)| t.as_str()));
            self.progress.observe(&self.shell);
        }
        printed
    }

    fn done(&self) -> bool {
        self.progress.is_done(self.progress.step)
    }

    fn assert_waiting(&mut self) {
        self.progress.observe(&self.shell);
        assert!(!self.done(), "{}: done before its action", self.step_name());
    }

    /// Types the current step's command as the panel shows it.
    fn type_step_command(&mut self) -> String {
        let command = self
            .progress
            .command_text(&self.shell)
            .unwrap_or_else(|| panic!("{}: no command to show", self.step_name()));
        self.type_line(&command)
    }

    /// Waits (at most `max_ms` of simulated time) until the current step is done.
    fn wait_done(&mut self, max_ms: i64) {
        let mut waited = 0;
        while !self.done() && waited < max_ms {
            let _ = self.wait(100);
            waited += 100;
        }
        assert!(self.done(), "{}: not done after {max_ms} ms", self.step_name());
    }

    /// The current step is not done yet; its command makes it done (within
    /// `max_ms` of simulated time); then the next step.
    fn step(&mut self, max_ms: i64) -> String {
        self.assert_waiting();
        let out = self.type_step_command();
        self.wait_done(max_ms);
        self.progress.next(&self.shell);
        out
    }

    /// Waits (at most `max_ms`) until the foreground job (a consumer) exits;
    /// returns what it printed.
    fn wait_job(&mut self, max_ms: i64) -> String {
        let mut out = String::new();
        let mut waited = 0;
        while self.shell.job_running() && waited < max_ms {
            out.push_str(&self.wait(100));
            waited += 100;
        }
        assert!(!self.shell.job_running(), "{}: the job still runs", self.step_name());
        out
    }

    /// A step whose command runs as a job until it exits by itself (a
    /// performance test, a consumer with `--max-messages`/`--timeout-ms`).
    fn job_step(&mut self) -> String {
        self.assert_waiting();
        let mut out = self.type_step_command();
        out.push_str(&self.wait_job(60_000));
        self.wait_done(1_000);
        self.progress.next(&self.shell);
        out
    }

    /// Types records into the running console producer and ends it (Ctrl+D).
    fn produce(&mut self, records: &[&str]) -> String {
        assert!(
            self.shell.job_running(),
            "{}: the producer is not running",
            self.step_name()
        );
        let mut out = String::new();
        for r in records {
            out.push_str(&self.type_line(r));
        }
        out.push_str(&self.wait(2_000));
        let eof = self.shell.eof();
        out.extend(eof.chunks.iter().map(|(_, t)| t.as_str()));
        out.push_str(&self.wait(2_000));
        assert!(
            !self.shell.job_running(),
            "{}: the producer did not end",
            self.step_name()
        );
        out
    }

    /// Does on the page what a [`Command::Page`] step asks, as the page does
    /// it (the groups panel's consumer, the New cluster of the lesson panel).
    fn page_action(&mut self, action: PageAction) {
        match action {
            PageAction::StartConsumer { group, topic } => {
                let config = crate::groups_panel::group_consumer_config(group, "earliest");
                let sim = &mut self.shell.world_mut().sim;
                let id = crate::groups_panel::add_group_consumer(sim, config, topic);
                self.consumers.push(id);
            }
            PageAction::StopConsumer { .. } => {
                let id = self.consumers.remove(0);
                self.shell.world_mut().sim.close_consumer(id);
            }
            PageAction::NewCluster { controllers } => {
                let brokers = self.shell.world().sim.config().brokers.len() as i32;
                let mut world = World::with_controllers(brokers, controllers, self.seed, Flavour::Confluent);
                assert!(
                    world.run_until_started(60_000),
                    "seed {}: the cluster did not start",
                    self.seed
                );
                self.shell = Shell::new(world);
                self.progress.restart(&self.shell);
            }
        }
        self.progress.observe(&self.shell);
    }

    /// The current step's page action.
    fn current_page_action(&self) -> PageAction {
        match self.progress.current().command {
            Some(Command::Page(a)) => a,
            _ => panic!("{}: not a page step", self.step_name()),
        }
    }

    /// A step done on the page: not done before; done (within `max_ms`) after.
    fn page_step(&mut self, max_ms: i64) {
        self.assert_waiting();
        let action = self.current_page_action();
        self.page_action(action);
        self.wait_done(max_ms);
        self.progress.next(&self.shell);
    }

    /// A step that starts a console producer: the command, records, Ctrl+D.
    fn produce_step(&mut self, records: &[&str]) -> String {
        self.assert_waiting();
        self.type_step_command();
        let out = self.produce(records);
        self.wait_done(5_000);
        self.progress.next(&self.shell);
        out
    }
}

const SEEDS: &[u64] = &[1, 2, 3, 7, 42];

#[test]
fn every_lesson_has_both_languages_and_real_steps() {
    let mut ids = Vec::new();
    for lesson in LESSONS {
        assert!(!ids.contains(&lesson.id), "duplicate lesson id {}", lesson.id);
        ids.push(lesson.id);
        for text in [lesson.title, lesson.intro] {
            assert!(
                !text.en.trim().is_empty() && !text.ko.trim().is_empty(),
                "{}",
                lesson.id
            );
            assert!(
                text.ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "{}: {}",
                lesson.id,
                text.ko
            );
        }
        assert!(lesson.steps.len() >= 3, "{}", lesson.id);
        for step in lesson.steps {
            for text in [step.title, step.instruction, step.explanation] {
                assert!(!text.en.trim().is_empty(), "{}: {}", lesson.id, step.title.en);
                assert!(
                    text.ko.chars().any(|c| ('가'..='힣').contains(&c)),
                    "{}: {}",
                    lesson.id,
                    text.ko
                );
                // Inline code spans are closed, in both languages.
                assert_eq!(text.en.matches('`').count() % 2, 0, "{}", text.en);
                assert_eq!(text.ko.matches('`').count() % 2, 0, "{}", text.ko);
            }
            assert!(step.command.is_some(), "{}: {}", lesson.id, step.title.en);
        }
    }
    assert!(LESSONS.len() >= 5);
}

#[test]
fn recognises_commands_as_typed() {
    let words = simple_commands(
        "docker exec -it broker1 kafka-topics --bootstrap-server ${host}:${port} --describe --topic \"test_topic_02\"",
    );
    assert_eq!(words.len(), 2);
    assert!(invokes(
        &words[1],
        "kafka-topics",
        &["--describe"],
        Some("test_topic_02")
    ));
    assert!(invokes(&words[1], "kafka-topics", &["--bootstrap-server"], None));
    assert!(!invokes(&words[1], "kafka-topics", &["--list"], None));
    assert!(!invokes(&words[1], "kafka-topics", &["--describe"], Some("other")));

    let words = simple_commands("kafka-topics.sh --describe --topic=$T | grep Leader; docker ps && echo ok");
    assert!(invokes(
        &words[0],
        "kafka-topics",
        &["--describe"],
        Some("test_topic_02")
    ));
    assert_eq!(words[1], vec!["grep", "Leader"]);
    assert!(invokes(&words[2], "docker", &["ps"], None));
    assert!(simple_commands("  ").is_empty());
    assert!(simple_commands("docker exec broker1").len() == 1);
    assert!(simple_commands("'unterminated --list").len() == 1);
}

#[test]
fn lesson_1_a_topic_with_three_partitions() {
    let mut p = Play::new("topics", 1);

    // docker ps: not before it runs; `docker images` is not it.
    p.assert_waiting();
    p.type_line("docker images");
    p.assert_waiting();
    let ps = p.step(0);
    assert!(ps.contains("broker1") && ps.contains("controller"), "{ps}");

    // Into broker1's container.
    p.step(0);
    assert!(p.shell.prompt().starts_with("[appuser@broker1"), "{}", p.shell.prompt());

    // kafka-topics alone prints its usage.
    p.type_line("ls /bin | grep kafka");
    p.assert_waiting();
    let usage = p.step(0);
    assert!(
        usage.contains("Create, delete, describe, or change a topic."),
        "{usage}"
    );

    // test_topic_01 with the default partitions; the notes' variables work too.
    p.assert_waiting();
    p.type_line("host=localhost; port=9092");
    let created = p.step(0);
    assert!(created.contains("Created topic test_topic_01."), "{created}");

    // --list: a failing --list (no --bootstrap-server) does not count.
    p.type_line("kafka-topics --list");
    p.assert_waiting();
    assert_eq!(p.progress.last_failed(), Some(1));
    let list = p.step(0);
    assert!(list.lines().any(|l| l == "test_topic_01"), "{list}");

    // Three partitions.
    let created = p.step(0);
    assert!(created.contains("Created topic test_topic_02."), "{created}");

    // Describing another topic is not describing test_topic_02.
    p.type_line("kafka-topics --bootstrap-server localhost:9092 --describe --topic test_topic_01");
    p.assert_waiting();
    let described = p.step(0);
    assert!(
        described.contains("PartitionCount: 3\tReplicationFactor: 1"),
        "{described}"
    );
    assert_eq!(described.matches("\tPartition: ").count(), 3, "{described}");
    assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
}

#[test]
fn lesson_1_the_notes_variables() {
    // The notes write `${host}:${port}` and `${topic_name}`: a command with
    // variables passes as well.
    let mut p = Play::new("topics", 3);
    p.step(0);
    p.step(0);
    p.step(0);
    p.type_line("host=localhost port=9092 topic_name=test_topic_01");
    p.type_line("kafka-topics --bootstrap-server ${host}:${port} --create --topic ${topic_name}");
    p.wait_done(0);
    p.progress.next(&p.shell);
    p.type_line("kafka-topics --bootstrap-server ${host}:${port} --list");
    p.wait_done(0);
}

#[test]
fn lesson_2_replication_factor_1_and_a_broker_down() {
    for &seed in SEEDS {
        // Where lesson 1 ends, inside broker1's container: the host step
        // waits for `exit`.
        let mut p = Play::after("rf1-broker-down", seed, &["docker exec -it broker1 bash"]);
        p.type_line("ls");
        p.assert_waiting();
        p.step(0);
        p.step(0);
        let described = p.step(0);
        assert!(
            described.contains("PartitionCount: 2\tReplicationFactor: 1"),
            "{described}"
        );

        // Killing the broker: not done until the controller has fenced it.
        p.assert_waiting();
        let command = p.progress.command_text(&p.shell).expect("a broker to stop");
        assert!(
            command.starts_with("docker kill broker") && command != "docker kill broker1",
            "{command}"
        );
        p.type_line(&command);
        let _ = p.wait(1_000);
        assert!(!p.done(), "seed {seed}: offline before the session timeout");
        p.wait_done(15_000);
        assert_eq!(p.progress.command_text(&p.shell).as_deref(), Some(command.as_str()));
        p.progress.next(&p.shell);

        let described = p.step(0);
        assert!(described.contains("Leader: none"), "seed {seed}: {described}");
        let killed = command.trim_start_matches("docker kill broker");
        assert!(
            described.contains(&format!("Offline: {killed}\n")),
            "seed {seed}: {described}"
        );

        let start = p.progress.command_text(&p.shell).expect("a broker to start");
        assert_eq!(start, format!("docker start broker{killed}"));
        p.step(30_000);
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
    }
}

#[test]
fn lesson_3_replication_factor_2_and_failover() {
    for &seed in SEEDS {
        let mut p = Play::after("rf2-failover", seed, &["docker exec -it broker1 bash"]);
        p.step(0);
        // RF 1 is not what the step asks for.
        p.type_line("docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --create --topic topic_b --partitions 2");
        p.assert_waiting();
        p.type_line("docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --delete --topic topic_b");
        let _ = p.wait(2_000);
        p.step(0);
        let described = p.step(0);
        assert!(described.contains("ReplicationFactor: 2"), "{described}");

        // Killing a follower only is not a failover.
        p.assert_waiting();
        let command = p.progress.command_text(&p.shell).expect("a leader to stop");
        let killed: i32 = command
            .trim_start_matches("docker kill broker")
            .parse()
            .expect("a broker id");
        p.type_line(&command);
        p.wait_done(15_000);
        p.progress.next(&p.shell);

        let described = p.step(0);
        assert!(!described.contains("Leader: none"), "seed {seed}: {described}");
        assert!(
            described.contains(&format!("Offline: {killed}\n")),
            "seed {seed}: {described}"
        );

        p.step(30_000);
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
    }
}

#[test]
fn lesson_3_a_follower_down_is_not_a_failover() {
    let mut p = Play::after("rf2-failover", 2, &["docker exec -it broker1 bash"]);
    p.step(0);
    p.step(0);
    p.step(0);
    // Stop a broker that only follows (the preferred leader of no partition).
    let (followers_only, leaders): (Vec<i32>, Vec<i32>) = {
        let image = p.shell.world().sim.metadata().expect("metadata");
        let t = image.topic("topic_b").expect("topic_b");
        let leaders: Vec<i32> = t.partitions.values().map(|x| x.leader).collect();
        let followers: Vec<i32> = t
            .partitions
            .values()
            .flat_map(|x| x.replicas.iter().copied())
            .filter(|b| !leaders.contains(b) && *b != 1)
            .collect();
        (followers, leaders)
    };
    let Some(&follower) = followers_only.first() else {
        panic!("no broker follows only (leaders {leaders:?})");
    };
    p.type_line(&format!("docker kill broker{follower}"));
    let _ = p.wait(15_000);
    p.assert_waiting();
}

#[test]
fn lesson_4_acks_and_min_insync_replicas() {
    for &seed in SEEDS {
        let mut p = Play::after("acks-min-insync", seed, &["docker exec -it broker1 bash"]);
        p.step(0);
        p.step(0);
        let out = p.produce_step(&["order-1", "order-2"]);
        assert!(!out.contains("Exception"), "{out}");

        // Not until the ISR has shrunk to the leader.
        p.assert_waiting();
        p.type_step_command();
        let _ = p.wait(1_000);
        p.assert_waiting();
        p.wait_done(15_000);
        p.progress.next(&p.shell);

        // acks=all refused: NotEnoughReplicasException.
        let out = p.produce_step(&["order-3"]);
        assert!(out.contains("NotEnoughReplicasException"), "seed {seed}: {out}");

        // acks=1 accepted, above the high watermark.
        let out = p.produce_step(&["order-4"]);
        assert!(!out.contains("Exception"), "seed {seed}: {out}");

        p.step(30_000);
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
        let offsets =
            p.type_line("docker exec broker1 kafka-get-offsets --bootstrap-server localhost:9092 --topic orders");
        assert_eq!(offsets.trim(), "orders:0:3", "seed {seed}");
    }
}

#[test]
fn lesson_6_consumer_groups_and_lag() {
    for &seed in SEEDS {
        let mut p = Play::after("consumer-lag", seed, &["docker exec -it broker1 bash"]);
        p.step(0);
        p.step(0);
        let out = p.job_step();
        assert!(out.contains("100 records sent"), "{out}");

        // A consumer without a group commits nothing.
        p.assert_waiting();
        p.type_line("docker exec broker1 kafka-console-consumer --bootstrap-server localhost:9092 --topic events --from-beginning --max-messages 5");
        p.wait_job(60_000);
        let out = p.job_step();
        assert!(out.contains("Processed a total of 30 messages"), "seed {seed}: {out}");

        let described = p.step(0);
        assert!(
            described.contains("Consumer group 'readers' has no active members."),
            "{described}"
        );
        let lag: i64 = described
            .lines()
            .filter(|l| l.starts_with("readers "))
            .map(|l| {
                l.split_whitespace()
                    .nth(5)
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(0)
            })
            .sum();
        assert_eq!(lag, 70, "seed {seed}: {described}");

        let out = p.job_step();
        assert!(out.contains("Processed a total of 70 messages"), "seed {seed}: {out}");

        let out = p.job_step();
        assert!(out.contains("50 records sent"), "{out}");
        let described = p.step(0);
        let lag: i64 = described
            .lines()
            .filter(|l| l.starts_with("readers "))
            .map(|l| {
                l.split_whitespace()
                    .nth(5)
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(0)
            })
            .sum();
        assert_eq!(lag, 50, "seed {seed}: {described}");
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
    }
}

#[test]
fn lesson_5_unclean_election_loses_records() {
    for &seed in SEEDS {
        let mut p = Play::after("unclean-election", seed, &["docker exec -it broker1 bash"]);
        p.step(0);
        p.step(0);
        p.step(10_000);
        p.assert_waiting();
        p.step(15_000);
        p.step(10_000);
        p.step(15_000);
        let offsets_before =
            p.type_line("docker exec broker1 kafka-get-offsets --bootstrap-server localhost:9092 --topic payments");
        assert!(
            offsets_before.starts_with("Skip getting offsets for topic-partition payments-0 due to error"),
            "seed {seed}: {offsets_before}"
        );
        p.step(20_000);
        let offsets =
            p.type_line("docker exec broker1 kafka-get-offsets --bootstrap-server localhost:9092 --topic payments");
        assert_eq!(offsets.trim(), "payments:0:5", "seed {seed}");
        p.step(30_000);
        let described = p.type_line(
            "docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --describe --topic payments",
        );
        assert!(
            described.contains("Leader: 3\tReplicas: 2,3\tIsr: 3,2"),
            "seed {seed}: {described}"
        );
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
    }
}

#[test]
fn unclean_election_is_not_clean_failover() {
    // The follower comes back before the leader dies: the leader's death is a
    // clean failover, not an offline partition, and no unclean election.
    let mut p = Play::after("unclean-election", 3, &["docker exec -it broker1 bash"]);
    for _ in 0..5 {
        let _ = p.type_step_command();
        p.wait_done(15_000);
        p.progress.next(&p.shell);
    }
    p.type_line("docker start broker3");
    let _ = p.wait(20_000);
    p.type_line("docker kill broker2");
    let _ = p.wait(20_000);
    p.assert_waiting();
    p.progress.next(&p.shell);
    let _ = p.wait(1_000);
    p.assert_waiting();
    let described =
        p.type_line("docker exec broker1 kafka-topics --bootstrap-server localhost:9092 --describe --topic payments");
    assert!(described.contains("Leader: 3"), "{described}");
}

#[test]
fn lesson_7_retention_deletes_old_segments() {
    for &seed in SEEDS {
        let mut p = Play::after("retention", seed, &["docker exec -it broker1 bash"]);
        p.step(0);
        p.step(0);
        let out = p.job_step();
        assert!(out.contains("100 records sent"), "{out}");
        // Another partition's files are not these.
        p.type_line("docker exec broker1 ls -l /var/lib/kafka/data");
        p.assert_waiting();
        let files = p.step(0);
        assert!(files.contains("00000000000000000000.log"), "seed {seed}: {files}");
        let altered = p.step(0);
        assert_eq!(altered.trim(), "Completed updating config for topic logs.");
        // Not deleted before the retention task runs.
        p.type_line("sleep 10");
        p.assert_waiting();
        p.step(0);
        let earliest = p.step(0);
        assert_eq!(earliest.trim(), "logs:0:100", "seed {seed}");
        let files = p.type_line("docker exec broker1 ls /var/lib/kafka/data/logs-0");
        assert!(!files.contains("00000000000000000000.log"), "seed {seed}: {files}");
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
    }
}

#[test]
fn lesson_8_compaction_keeps_the_latest_value_per_key() {
    for &seed in SEEDS {
        let mut p = Play::after("compaction", seed, &["docker exec -it broker1 bash"]);
        p.step(0);
        p.step(0);
        p.step(10_000);
        // The segment does not roll before segment.ms has passed.
        p.assert_waiting();
        p.type_line("printf 'cherry:10\\n' | docker exec -i broker1 kafka-console-producer --bootstrap-server localhost:9092 --topic prices --property parse.key=true --property key.separator=:");
        let _ = p.wait(1_000);
        p.assert_waiting();
        let _ = p.wait(10_000);
        p.step(0);
        // Not cleaned before the cleaner's backoff.
        p.assert_waiting();
        p.step(1_000);
        p.assert_waiting();
        p.type_step_command();
        let out = p.wait_job(60_000);
        p.wait_done(0);
        let read: Vec<&str> = out.lines().filter(|l| l.starts_with("Offset:")).collect();
        assert!(
            read.contains(&"Offset:3\tbanana\t55") && read.contains(&"Offset:4\tapple\t130"),
            "seed {seed}: {out}"
        );
        assert!(!out.contains("\tapple\t100"), "seed {seed}: {out}");
        assert!(read.iter().any(|l| l.ends_with("\tcherry\t10")), "seed {seed}: {out}");
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
    }
}

/// `kafka-consumer-groups --describe` rows of `group`: (partition, consumer id).
fn assignment_rows(out: &str, group: &str) -> Vec<(String, String)> {
    out.lines()
        .filter(|l| l.starts_with(&format!("{group} ")))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w[2].to_string(), w[6].to_string())
        })
        .collect()
}

#[test]
fn lesson_6_consumer_groups_and_rebalancing() {
    for &seed in SEEDS {
        let mut p = Play::after("rebalance", seed, &["docker exec -it broker1 bash"]);
        p.step(0);
        p.step(0);
        // A consumer of another group is not the first member of `dashboard`.
        p.page_action(PageAction::StartConsumer {
            group: "other",
            topic: "clicks",
        });
        let _ = p.wait(8_000);
        p.assert_waiting();
        p.consumers.clear();
        p.page_step(15_000);
        // Describe: not before it is typed.
        let _ = p.wait(1_000);
        p.assert_waiting();
        let out = p.step(0);
        let rows = assignment_rows(&out, "dashboard");
        assert_eq!(rows.len(), 6, "seed {seed}: {out}");
        assert!(
            rows.iter()
                .all(|(_, id)| *id == rows[0].1 && id.starts_with("consumer-dashboard-")),
            "{out}"
        );

        p.page_step(20_000);
        let out = p.step(0);
        let rows = assignment_rows(&out, "dashboard");
        let mut ids: Vec<&str> = rows.iter().map(|(_, id)| id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!((rows.len(), ids.len()), (6, 2), "seed {seed}: {out}");

        p.page_step(20_000);
        // Stopping is checked as a member leaving: not before.
        let _ = p.wait(3_000);
        p.assert_waiting();
        p.page_step(20_000);
        // `--describe` without `--members` is not the step's command.
        p.type_line(
            "docker exec broker1 kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group dashboard",
        );
        p.assert_waiting();
        let out = p.step(0);
        assert!(out.contains("ASSIGNMENT"), "seed {seed}: {out}");
        let members: Vec<&str> = out.lines().filter(|l| l.starts_with("dashboard ")).collect();
        assert_eq!(members.len(), 2, "seed {seed}: {out}");
        assert!(
            members
                .iter()
                .all(|l| l.contains('(') && l.split_whitespace().nth(4) == Some("3")),
            "seed {seed}: {out}"
        );
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
    }
}

#[test]
fn lesson_10_kraft_controller_failover() {
    for &seed in SEEDS {
        let mut p = Play::new("kraft-failover", seed);
        // The page's usual cluster has one controller.
        p.assert_waiting();
        assert!(p.progress.command_text(&p.shell).is_none());
        p.page_step(0);
        let status = p.step(0);
        assert!(
            status.contains("CurrentVoters:          [1000,1001,1002]"),
            "seed {seed}: {status}"
        );
        let leader_line = status.lines().find(|l| l.starts_with("LeaderId:")).unwrap().to_string();
        let replication = p.step(0);
        assert_eq!(replication.matches("Follower").count(), 2, "seed {seed}: {replication}");

        // Killing a follower is not a failover.
        let active = p.shell.world().sim.active_controller().unwrap();
        let follower = *p
            .shell
            .world()
            .sim
            .config()
            .controllers
            .iter()
            .find(|&&c| c != active)
            .unwrap();
        let name = kafkaplay_shell::docker::container_name(p.shell.world(), follower);
        p.type_line(&format!("docker kill {name}"));
        let _ = p.wait(5_000);
        p.assert_waiting();
        p.type_line(&format!("docker start {name}"));
        let _ = p.wait(5_000);
        p.assert_waiting();

        let command = p.progress.command_text(&p.shell).unwrap();
        let killed =
            kafkaplay_shell::docker::container_name(p.shell.world(), p.shell.world().sim.active_controller().unwrap());
        assert_eq!(command, format!("docker kill {killed}"));
        p.step(15_000);
        let status = p.step(0);
        let new_leader = status.lines().find(|l| l.starts_with("LeaderId:")).unwrap();
        assert_ne!(new_leader, leader_line, "seed {seed}: {status}");
        p.step(10_000);
        // Not back before it is started.
        let _ = p.wait(3_000);
        p.assert_waiting();
        assert_eq!(
            p.progress.command_text(&p.shell).unwrap(),
            format!("docker start {killed}")
        );
        p.step(20_000);
        let replication = p.step(0);
        assert_eq!(replication.matches("Follower").count(), 2, "seed {seed}: {replication}");
        assert!(replication.contains("Leader"), "{replication}");
        assert_eq!(p.progress.done_count(), p.progress.lesson().steps.len());
    }
}

#[test]
fn on_the_host_already_the_host_step_is_done() {
    let p = Play::new("rf2-failover", 1);
    assert!(p.done());
}

#[test]
fn a_new_shell_restarts_the_count() {
    let mut p = Play::new("topics", 1);
    p.type_line("docker ps");
    assert!(p.done());
    // The page's New cluster: another shell, with an empty history.
    let mut world = World::new(3, 9, Flavour::Confluent);
    world.run_until_started(60_000);
    let shell = Shell::new(world);
    p.progress.restart(&shell);
    assert!(!p.progress.is_done(0));
    assert_eq!(p.progress.step, 0);
}

#[test]
fn old_history_does_not_count() {
    // The terminal restores the stored history when it starts: those
    // commands were not run in this cluster.
    let mut world = World::new(3, 1, Flavour::Confluent);
    world.run_until_started(60_000);
    let mut shell = Shell::new(world);
    shell.set_history(vec!["docker ps".into()]);
    // (A restored history appears before the panel's first look.)
    let mut progress2 = Progress::new(0, &shell);
    progress2.observe(&shell);
    assert!(!progress2.is_done(0));
    shell.submit("docker ps");
    assert!(progress2.observe(&shell));
    // Going back and forth keeps what was done.
    progress2.next(&shell);
    progress2.previous(&shell);
    assert!(progress2.is_done(0));
}
