//! `kafkaplay`: the playground's shell in a terminal.
//!
//! It starts a simulated cluster (brokers `1..=N` and a controller), waits
//! until every broker has registered, and opens a shell inside the first
//! broker's container, as after `docker exec -it broker1 bash`. On a terminal
//! it is a REPL in which simulated time follows the wall clock (a running
//! console consumer prints as records arrive); with a script on stdin it
//! prints only what the commands print, stdout to stdout and stderr to stderr,
//! and simulated time passes only as the commands make it (deterministic).
//!
//! ```text
//! kafkaplay [--seed N] [--brokers N] [--flavour confluent|apache] [--host]
//!           [--export-dir DIR] [--export-compose DIR]
//! ```

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use kafkaplay_shell::output::Stream;
use kafkaplay_shell::{playground, views, Flavour, Output, Shell, World};

const USAGE: &str = "Usage: kafkaplay [--seed N] [--brokers N] [--flavour confluent|apache] [--host]
                 [--export-dir DIR] [--export-compose DIR]

Starts a simulated Kafka cluster and a shell inside the first broker's container
(or on the learner's machine with --host). Reads a script from stdin when stdin
is not a terminal.

  --seed N              the simulation's seed (default 1): same seed and commands, same output
  --brokers N           number of brokers, ids 1..N (default 3)
  --flavour F           confluent (kafka-topics, the default) or apache (kafka-topics.sh)
  --host                start on the learner's machine (docker, docker compose) instead
  --export-dir DIR      on exit, write every running broker's log directories to
                        DIR/<broker-id>/<topic>-<partition>/ in Kafka's on-disk format
  --export-compose DIR  on exit, write DIR/docker-compose.yml and DIR/create-topics.sh
                        for a real Kafka cluster with this playground's brokers and topics";

struct Options {
    seed: u64,
    brokers: i32,
    flavour: Flavour,
    host: bool,
    export_dir: Option<String>,
    export_compose: Option<String>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        seed: 1,
        brokers: 3,
        flavour: Flavour::Confluent,
        host: false,
        export_dir: None,
        export_compose: None,
    };
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a, None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("{name} needs a value"))
        };
        match name {
            "--seed" => o.seed = value()?.parse().map_err(|_| "--seed takes a number".to_string())?,
            "--brokers" => {
                o.brokers = value()?.parse().map_err(|_| "--brokers takes a number".to_string())?;
                if !(1..=50).contains(&o.brokers) {
                    return Err("--brokers must be between 1 and 50".to_string());
                }
            }
            "--flavour" | "--flavor" => {
                o.flavour = match value()?.as_str() {
                    "confluent" => Flavour::Confluent,
                    "apache" => Flavour::Apache,
                    other => return Err(format!("unknown flavour {other} (confluent or apache)")),
                }
            }
            "--host" => o.host = true,
            "--export-dir" => o.export_dir = Some(value()?),
            "--export-compose" => o.export_compose = Some(value()?),
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown option {other}")),
        }
        i += 1;
    }
    Ok(o)
}

fn print(out: &Output) {
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    for (stream, text) in &out.chunks {
        // A closed pipe (`kafkaplay | head`) is not an error worth a panic.
        let _ = match stream {
            Stream::Stdout => stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()),
            Stream::Stderr => stderr.write_all(text.as_bytes()).and_then(|_| stderr.flush()),
        };
    }
}

fn prompt(shell: &Shell) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(shell.prompt().as_bytes());
    let _ = stdout.flush();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_options(&args) {
        Ok(o) => o,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return;
        }
        Err(message) => {
            eprintln!("kafkaplay: {message}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let mut world = World::new(options.brokers, options.seed, options.flavour);
    if !world.run_until_started(60_000) {
        eprintln!("kafkaplay: the cluster did not start within 60 s of simulated time");
    }
    let mut shell = Shell::new(world);
    if !options.host {
        shell.enter_container(1);
    }

    if std::io::stdin().is_terminal() {
        repl(&mut shell);
    } else {
        let stdin = std::io::stdin().lock();
        for line in stdin.lines() {
            let Ok(line) = line else { break };
            print(&shell.script_line(&line));
            if shell.has_exited() {
                break;
            }
        }
        print(&shell.finish());
    }

    if let Some(dir) = &options.export_dir {
        export_log_dirs(shell.world(), Path::new(dir));
    }
    if let Some(dir) = &options.export_compose {
        write_files(Path::new(dir), &playground::export_compose(shell.world()));
    }
    std::process::exit(shell.last_status());
}

/// The interactive loop: lines come from a reader thread so that a running
/// job (a console consumer) keeps printing while the user types. Ctrl+D is
/// end of input (for a job, or `exit` at the prompt); it also stops a job that
/// does not read input, as Ctrl+C would (std cannot catch SIGINT).
fn repl(shell: &mut Shell) {
    let (tx, rx) = mpsc::channel::<Option<String>>();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        loop {
            let mut line = String::new();
            let message = match stdin.lock().read_line(&mut line) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line),
            };
            let eof = message.is_none();
            if tx.send(message).is_err() {
                return;
            }
            if eof {
                // A terminal gives more input after Ctrl+D; don't spin.
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    });
    print(&shell.submit("echo 'kafkaplay: a simulated Kafka cluster. Type help for the commands, exit to leave.'"));
    prompt(shell);
    let tick = Duration::from_millis(100);
    while !shell.has_exited() {
        // Simulated time follows the wall clock while the learner reads and
        // types (a killed broker is fenced after its session timeout, as on
        // a real cluster); a script on stdin stays deterministic instead.
        let received = match rx.recv_timeout(tick) {
            Ok(message) => message,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let was_running = shell.job_running();
                print(&shell.tick(100));
                if was_running && !shell.job_running() {
                    prompt(shell);
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let was_running = shell.job_running();
        let eof = received.is_none();
        let mut out = match received {
            Some(line) => shell.submit(line.trim_end_matches(['\n', '\r'])),
            None => shell.eof(),
        };
        if eof && was_running && shell.job_running() && !shell.job_reads_input() {
            // Without signal handling in std, Ctrl+C would end kafkaplay
            // itself: Ctrl+D stops a job that does not read its input.
            out.extend(shell.interrupt());
        }
        print(&out);
        if !was_running && shell.job_running() && !shell.job_reads_input() {
            eprintln!("(kafkaplay: press Ctrl+D to stop it)");
        }
        if !shell.has_exited() && (!shell.job_running() || shell.job_reads_input()) {
            prompt(shell);
        }
    }
}

fn write_files(dir: &Path, files: &[(String, String)]) {
    for (name, text) in files {
        let path = dir.join(name);
        if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, text)) {
            eprintln!("kafkaplay: cannot write {}: {e}", path.display());
        }
    }
}

/// Writes `DIR/<broker-id>/<topic>-<partition>/<files>` for every running broker.
fn export_log_dirs(world: &World, dir: &Path) {
    for &id in &world.sim.config().brokers {
        if world.sim.broker(id).is_none() {
            eprintln!("kafkaplay: broker {id} is not running; its log directories are not exported");
            continue;
        }
        for (relative, bytes) in views::broker_log_files(world, id) {
            let path = dir.join(id.to_string()).join(&relative);
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|_| std::fs::write(&path, &bytes));
            if let Err(e) = written {
                eprintln!("kafkaplay: cannot write {}: {e}", path.display());
            }
        }
    }
}
