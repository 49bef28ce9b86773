//! The playground's "copy embed code": the snippet that puts the current
//! cluster into a docs page as a `<kafka-playground>` widget
//! (`web/widget`), with the playground's cluster as its scenario
//! ([`crate::scenario`]).
//!
//! [`scenario_of`] reads the scenario from the playground's journal
//! ([`crate::journal`]): the cluster's brokers, controllers and seed; the
//! topics made with the topic form; and, in order, the lines typed in the
//! terminal and the node boxes' faults that a shell command does the same as
//! (`docker kill`, `stop`, `start`, `pause`, `unpause`: see
//! [`fault_command`]). The widget creates the topics when it starts, then
//! types the commands. What is left out, because no scenario field or
//! command says it:
//!
//! - *Isolate*, *Slow* and *Unslow* on a box, the network cuts and *Heal
//!   all*: the learner's shell has no command for the simulated network.
//! - The producer form and the consumer-groups panel's consumers: they are
//!   the page's clients, not the shell's (`kafka-console-producer` and
//!   `kafka-console-consumer` typed in the terminal are kept, as lines).
//! - Ctrl+C, Ctrl+D, Step and the times things were done at: the widget runs
//!   a command until its job ends (at most
//!   [`crate::scenario::COMMAND_JOB_MS`]) before the next. Lines typed
//!   *into* a running job (a console producer's records, journaled as
//!   [`Action::Input`]) become that command's heredoc (`<<EOF`), which ends
//!   its input as Ctrl+D does. A journal from before `Action::Input` has
//!   them as commands of their own.
//! - Topics the form could not have created, so that the widget does start:
//!   a form that does not parse, and one the controller refuses whatever the
//!   cluster's state (an invalid name, a non-positive count, a replication
//!   factor above the broker count, a name taken by an earlier form topic).
//!   A refusal that depended on the moment (brokers down, a topic the
//!   terminal had made) is not known here.
//! - A playground restarted from the browser's storage without its journal
//!   (`Playground::from_storage`) has only its brokers, controllers and seed.
//!
//! [`snippet`] is the HTML a docs author pastes: the widget's script and the
//! element, with the scenario's JSON in a single-quoted attribute.

use kafkaplay_cluster::controller::validation::{unify_collision_chars, validate_topic_name};
use kafkaplay_cluster::NodeId;
use kafkaplay_shell::docker;
use kafkaplay_shell::world::World;

use crate::journal::Action;
use crate::playground::{FaultKind, Playground, TopicForm};
use crate::scenario::{Scenario, ScenarioTopic};

/// The widget's script, relative to the playground page's address (the site
/// serves the widget beside the page).
pub const WIDGET_SCRIPT: &str = "widget/kafkaplay-widget.js";

/// The playground `pg` as a widget's scenario (see the module's doc for what
/// it holds and leaves out).
pub fn scenario_of(pg: &Playground) -> Scenario {
    let shell = pg.shell.borrow();
    let world = shell.world();
    let config = world.sim.config();
    let brokers = config.brokers.len() as i32;
    let controllers = config.controllers.len() as i32;
    let mut topics: Vec<ScenarioTopic> = Vec::new();
    let mut commands = Vec::new();
    // The last command typed, with the lines typed into its job since.
    let mut open: Option<(String, Vec<String>)> = None;
    for entry in &pg.journal.borrow().entries {
        match &entry.action {
            Action::Line(line) => {
                commands.extend(open.take().map(with_input));
                open = Some((line.clone(), Vec::new()));
            }
            Action::Input(line) => {
                // (Input with no command before it in the journal has nothing to go to.)
                if let Some((_, input)) = &mut open {
                    input.push(line.clone());
                }
            }
            Action::Interrupt | Action::Eof => commands.extend(open.take().map(with_input)),
            Action::Fault(kind, node) => {
                commands.extend(open.take().map(with_input));
                commands.extend(fault_command(world, *kind, *node));
            }
            Action::CreateTopic(form) => {
                let Some(topic) = topic_of(form, brokers) else { continue };
                // The same name as an earlier form topic, or one that collides
                // with it ('.' and '_' are one character to Kafka): refused.
                let unified = unify_collision_chars(&topic.name);
                if !topics.iter().any(|t| unify_collision_chars(&t.name) == unified) {
                    topics.push(topic);
                }
            }
            _ => {}
        }
    }
    commands.extend(open.take().map(with_input));
    Scenario {
        brokers,
        controllers,
        seed: pg.seed,
        topics,
        commands,
    }
}

/// A command and the lines typed into its job, as one scenario command: the
/// lines become its heredoc, which a console producer reads as it reads
/// typed lines, ending with the heredoc as with Ctrl+D.
fn with_input((command, input): (String, Vec<String>)) -> String {
    if input.is_empty() {
        return command;
    }
    // A delimiter no input line is.
    let mut delimiter = String::from("EOF");
    let mut n = 0;
    while input.iter().any(|l| l.trim() == delimiter) {
        n += 1;
        delimiter = format!("EOF{n}");
    }
    format!("{command} <<{delimiter}\n{}\n{delimiter}", input.join("\n"))
}

/// The topic a form creates, parsed as [`Playground::create_topic`] parses
/// it; `None` when it does not parse or the controller refuses it whatever
/// the cluster's state (`brokers` brokers). Partitions or a replication
/// factor of -1 are the brokers' defaults, as in Kafka's CreateTopics.
fn topic_of(form: &TopicForm, brokers: i32) -> Option<ScenarioTopic> {
    let partitions: i32 = form.partitions.trim().parse().ok()?;
    let replication_factor: i16 = form.replication_factor.trim().parse().ok()?;
    let name = form.name.trim();
    let counts_valid = (partitions == -1 || partitions > 0)
        && (replication_factor == -1 || (1..=brokers).contains(&i32::from(replication_factor)));
    if validate_topic_name(name).is_err() || !counts_valid {
        return None;
    }
    Some(ScenarioTopic {
        name: name.to_string(),
        partitions,
        replication_factor,
        configs: Default::default(),
    })
}

/// The learner's shell command that does what the fault button `kind` does
/// to node `node`: the node's container (`controller`, `broker2`, ...) with
/// `docker kill` (a crash), `docker stop` (a controlled shutdown; Docker
/// waits for it, and kills after its grace period), `docker start` (the
/// *Restart* of a stopped node), `docker pause` or `docker unpause`. `None`
/// for the network's faults (*Isolate*, *Slow*, *Unslow*) and for a node
/// that is not a container.
pub fn fault_command(world: &World, kind: FaultKind, node: NodeId) -> Option<String> {
    let verb = match kind {
        FaultKind::Kill => "kill",
        FaultKind::Shutdown => "stop",
        FaultKind::Restart => "start",
        FaultKind::Pause => "pause",
        FaultKind::Resume => "unpause",
        FaultKind::Isolate | FaultKind::Slow | FaultKind::Unslow => return None,
    };
    docker::nodes(world)
        .contains(&node)
        .then(|| format!("docker {verb} {}", docker::container_name(world, node)))
}

/// The HTML that embeds `scenario` in a page: the widget's module script
/// from `script_url`, then the `<kafka-playground>` element in language
/// `lang`. A browser decodes the attribute's entities, so the element's
/// `getAttribute("scenario")` is exactly [`Scenario::to_json`].
pub fn snippet(scenario: &Scenario, script_url: &str, lang: &str) -> String {
    format!(
        "<script type=\"module\" src=\"{}\"></script>\n<kafka-playground scenario='{}' lang=\"{}\"></kafka-playground>",
        escape_attribute(script_url, '"'),
        escape_attribute(&scenario.to_json(), '\''),
        escape_attribute(lang, '"'),
    )
}

/// `text` as the value of an HTML attribute quoted with `quote`: `&`, `<`
/// and that quote as character references. The other quote stays as it is,
/// so the JSON's `"`s stay readable in a single-quoted attribute.
fn escape_attribute(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '\'' if quote == '\'' => out.push_str("&#39;"),
            '"' if quote == '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::apply;

    const DESCRIBE: &str = "kafka-topics --bootstrap-server localhost:9092 --describe --topic orders";

    /// The five entities an attribute value of [`snippet`] may hold, decoded
    /// as a browser does.
    fn decode_entities(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('&') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let (decoded, len) = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
                ("&#39;", '\''),
            ]
            .into_iter()
            .find(|(entity, _)| rest.starts_with(entity))
            .map(|(entity, c)| (c, entity.len()))
            .unwrap_or(('&', 1));
            out.push(decoded);
            rest = &rest[len..];
        }
        out.push_str(rest);
        out
    }

    /// The value of attribute `name` in `html`, read as an HTML parser does:
    /// after `name=` and its quote, up to the same quote, entities decoded.
    fn attribute(html: &str, name: &str) -> String {
        let start = html
            .find(&format!(" {name}="))
            .unwrap_or_else(|| panic!("no {name} in {html}"))
            + name.len()
            + 2;
        let quote = html[start..].chars().next().unwrap();
        assert!(quote == '\'' || quote == '"', "{html}");
        let value = &html[start + 1..];
        let end = value
            .find(quote)
            .unwrap_or_else(|| panic!("{name} is not closed in {html}"));
        decode_entities(&value[..end])
    }

    const PRODUCE: &str = "kafka-console-producer --bootstrap-server localhost:9092 --topic orders";

    /// Three brokers, seed 7: `orders` from the topic form, a describe typed
    /// in the terminal, a broker killed from its box.
    fn played() -> Playground {
        let mut pg = Playground::new(3, 7);
        pg.create_topic(&TopicForm {
            name: " orders ".into(),
            partitions: "3".into(),
            replication_factor: " 2".into(),
        })
        .unwrap();
        pg.run_for(2_000);
        apply(&mut pg, &Action::Line(DESCRIBE.into()));
        pg.fault(FaultKind::Kill, 2);
        pg.fault(FaultKind::Isolate, 3);
        pg.run_for(1_000);
        pg
    }

    #[test]
    fn a_playground_gives_its_brokers_seed_form_topics_and_typed_lines() {
        let scenario = scenario_of(&played());
        assert_eq!(
            scenario,
            Scenario {
                brokers: 3,
                controllers: 1,
                seed: 7,
                topics: vec![ScenarioTopic {
                    name: "orders".into(),
                    partitions: 3,
                    replication_factor: 2,
                    configs: Default::default(),
                }],
                // The kill is a command; the isolation has none.
                commands: vec![DESCRIBE.into(), "docker kill broker2".into()],
            }
        );
        assert_eq!(
            scenario.to_json(),
            format!(
                r#"{{"brokers":3,"controllers":1,"seed":7,"topics":[{{"name":"orders","partitions":3,"replicationFactor":2}}],"commands":["{DESCRIBE}","docker kill broker2"]}}"#
            )
        );
    }

    #[test]
    fn lines_typed_into_a_console_producer_become_its_heredoc() {
        let mut pg = Playground::new(3, 7);
        pg.create_topic(&TopicForm {
            name: "orders".into(),
            partitions: "1".into(),
            replication_factor: "3".into(),
        })
        .unwrap();
        pg.run_for(2_000);
        // Typed in the terminal as a learner does: the producer, two records, Ctrl+D.
        let mut term = crate::terminal::TermState::default();
        term.journal = Some(pg.journal.clone());
        let shell = pg.shell.clone();
        term.run_text(&mut shell.borrow_mut(), PRODUCE);
        assert!(shell.borrow().job_running());
        term.run_text(&mut shell.borrow_mut(), "first");
        term.run_text(&mut shell.borrow_mut(), "EOF");
        assert!(term.eof(&mut shell.borrow_mut()));
        pg.run_for(3_000);
        let kinds: Vec<Action> = pg.journal.borrow().entries.iter().map(|e| e.action.clone()).collect();
        assert!(
            kinds.iter().any(|a| matches!(a, Action::Input(l) if l == "first")),
            "{kinds:?}"
        );
        let scenario = scenario_of(&pg);
        // A record that is "EOF" itself: the heredoc takes another delimiter.
        assert_eq!(scenario.commands, vec![format!("{PRODUCE} <<EOF1\nfirst\nEOF\nEOF1")]);
        // The widget's run of it produces the same two records.
        let mut widget = scenario.start().unwrap();
        scenario.run_commands(&mut widget);
        widget.run_for(3_000);
        let tp = kafkaplay_cluster::TopicPartition::new("orders", 0);
        let leader = widget.sim().metadata().unwrap().partition(&tp).unwrap().leader;
        let end = widget
            .sim()
            .broker(leader)
            .unwrap()
            .log(&tp)
            .map(|l| l.log_end_offset());
        assert_eq!(end, Some(2));
    }

    #[test]
    fn the_scenario_started_reproduces_the_topic_and_the_kill() {
        let live = played();
        let scenario = scenario_of(&live);
        let mut pg = scenario.start().unwrap();
        let outputs = scenario.run_commands(&mut pg);
        assert_eq!(outputs.len(), 2);
        let (describe, status) = &outputs[0];
        assert_eq!(*status, 0, "{describe:?}");
        let describe = describe.stdout();
        assert!(
            describe.starts_with("Topic: orders\tTopicId: ")
                && describe.contains("PartitionCount: 3\tReplicationFactor: 2\t"),
            "{describe}"
        );
        assert_eq!(outputs[1].1, 0, "{:?}", outputs[1]);
        assert!(!pg.sim().is_up(2));
        // Three partitions of two replicas each, as the form asked.
        let (partitions, _) = pg.partitions();
        let orders: Vec<_> = partitions.iter().filter(|p| p.tp.topic == "orders").collect();
        assert_eq!(orders.len(), 3);
        assert!(orders.iter().all(|p| p.replicas.len() == 2), "{orders:?}");
    }

    #[test]
    fn every_box_fault_with_a_command_does_what_the_button_does() {
        // Three controllers and one broker: the names `controller2` and `broker`.
        let mut pg = Playground::with_controllers(1, 3, 5);
        pg.run_for(1_000);
        let command = |pg: &Playground, kind, id| fault_command(pg.shell.borrow().world(), kind, id);
        assert_eq!(
            command(&pg, FaultKind::Kill, 1001).as_deref(),
            Some("docker kill controller2")
        );
        assert_eq!(command(&pg, FaultKind::Isolate, 1), None);
        assert_eq!(command(&pg, FaultKind::Kill, 4242), None, "not a node");
        let up = |pg: &Playground, id| (pg.sim().is_up(id), pg.sim().is_paused(id));
        for (kind, id, want) in [
            (FaultKind::Pause, 1, (true, true)),
            (FaultKind::Resume, 1, (true, false)),
            (FaultKind::Kill, 1001, (false, false)),
            (FaultKind::Restart, 1001, (true, false)),
            (FaultKind::Shutdown, 1, (false, false)),
            (FaultKind::Restart, 1, (true, false)),
        ] {
            let line = command(&pg, kind, id).unwrap();
            let out = pg.shell.borrow_mut().submit(&line);
            assert_eq!(pg.shell.borrow().last_status(), 0, "{line}: {out:?}");
            assert_eq!(up(&pg, id), want, "{line}");
            pg.run_for(1_000);
        }
        assert_eq!(
            command(&pg, FaultKind::Shutdown, 1).as_deref(),
            Some("docker stop broker")
        );
    }

    #[test]
    fn form_topics_the_controller_would_refuse_are_left_out() {
        let mut pg = Playground::new(2, 3);
        let form = |name: &str, partitions: &str, rf: &str| TopicForm {
            name: name.into(),
            partitions: partitions.into(),
            replication_factor: rf.into(),
        };
        for f in [
            form("a.b", "2", "2"),
            form("a_b", "1", "1"),  // collides with a.b
            form("a.b", "1", "1"),  // exists
            form("big", "1", "3"),  // more replicas than brokers
            form("none", "0", "1"), // no partitions
            form("bad name", "1", "1"),
            form("default", "-1", "-1"),
        ] {
            pg.create_topic(&f).unwrap();
        }
        assert!(pg.create_topic(&form("x", "many", "1")).is_err());
        pg.run_for(2_000);
        let scenario = scenario_of(&pg);
        let names: Vec<_> = scenario.topics.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a.b", "default"]);
        let started = scenario.start().unwrap();
        let (partitions, _) = started.partitions();
        assert!(partitions.iter().any(|p| p.tp.topic == "default"));
    }

    #[test]
    fn the_snippet_attribute_decodes_to_the_json() {
        let scenario = Scenario {
            commands: vec![
                "echo 'a & b' <in >out".into(),
                "kafka-console-producer --topic t <<EOF\n{\"k\": \"it's\"}\nEOF".into(),
                "echo &amp; &#39; 한국어".into(),
            ],
            ..Scenario::default()
        };
        let html = snippet(
            &scenario,
            "https://example.org/kp/widget/kafkaplay-widget.js?v=1&x=\"",
            "ko",
        );
        let (script, element) = html.split_once('\n').unwrap();
        assert!(script.starts_with("<script type=\"module\" src=\""), "{script}");
        assert!(script.ends_with("\"></script>"), "{script}");
        assert!(element.starts_with("<kafka-playground scenario='"), "{element}");
        assert!(element.ends_with(" lang=\"ko\"></kafka-playground>"), "{element}");
        assert_eq!(attribute(element, "scenario"), scenario.to_json());
        assert_eq!(Scenario::from_json(&attribute(element, "scenario")).unwrap(), scenario);
        assert_eq!(
            attribute(script, "src"),
            "https://example.org/kp/widget/kafkaplay-widget.js?v=1&x=\""
        );
        assert_eq!(attribute(element, "lang"), "ko");
        // Nothing in the value ends the attribute or starts a tag.
        let value = element.split('\'').nth(1).unwrap();
        assert!(!value.contains('<') && !value.contains('\''), "{value}");
        assert!(
            value.contains(r#""commands":["echo &#39;a &amp; b&#39; &lt;in >out""#),
            "{value}"
        );
        assert_eq!(
            decode_entities("&amp;amp; &lt;&gt;&quot;&#39; & &x;"),
            "&amp; <>\"' & &x;"
        );
    }
}
