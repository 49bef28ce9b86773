//! The interpreter: a [`Shell`] runs what the learner types over a [`World`].
//!
//! The web terminal and the native binary drive it the same way:
//!
//! - [`Shell::submit`] a line (or pasted lines); it returns what the commands
//!   printed. An incomplete line (open quote, heredoc, trailing `|`) waits for
//!   more, and [`Shell::prompt`] becomes `> `.
//! - A tool that keeps running (console producer, consumer) becomes the
//!   *foreground job*: later lines go to it, [`Shell::tick`] advances simulated
//!   time and prints what it received, [`Shell::eof`] is Ctrl+D and
//!   [`Shell::interrupt`] Ctrl+C. When it exits, the rest of the command list
//!   runs.
//! - [`Shell::complete`] (in [`crate::complete`]) completes a word.
//!
//! Pipes pass text: each command of a pipeline runs to completion (a job inside
//! a pipeline or with piped input is ticked until it exits, for at most
//! [`JOB_LIMIT_MS`] of simulated time), then its stdout feeds the next one.
//! One exception keeps tutorials interactive: a job typed at the prompt and
//! followed only by `grep`, `head` or `cat` stays in the foreground, and its
//! output streams through them line by line.
//!
//! `$(...)`, `bash -c`, `bash FILE` and every command of a multi-command
//! pipeline run as subshells: `cd`, `exit` and variables inside stay inside.

use kafkaplay_flatmap::FlatMap;

use kafkaplay_cluster::{Ms, NodeId};

use crate::builtins;
use crate::docker::{self, Action, Docker};
use crate::fs::Machine;
use crate::output::{Output, Stream};
use crate::syntax::{self, Command, Connector, ForLoop, ParseError, Pipeline, Redirect, SimpleCommand, Step};
use crate::tool::{Exit, Invocation, Job, Stdin};
use crate::views;
use crate::world::{Flavour, World};

/// How long a job that cannot be left in the foreground (it is inside a
/// pipeline, or its input is piped) may run in simulated time before the shell
/// stops it as Ctrl+C would.
pub const JOB_LIMIT_MS: Ms = 120_000;

/// The step in which [`Shell::tick`] and bounded job runs advance simulated time.
pub const TICK_MS: Ms = 100;

/// The most `for` iterations one command line may run (nested loops count
/// every inner iteration).
pub const LOOP_ITERATIONS_MAX: u32 = 100_000;

/// A shell variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub value: String,
    pub exported: bool,
}

/// One shell process: on the learner's machine, or inside a container after
/// `docker exec -it NAME bash`.
#[derive(Debug, Clone)]
pub struct Session {
    pub machine: Machine,
    pub vars: FlatMap<String, Var>,
    pub cwd: String,
    pub last_status: i32,
    /// `set -e` (honoured in scripts and `bash -c`).
    pub errexit: bool,
}

/// Where a file descriptor writes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dest {
    /// The terminal, on this stream.
    Terminal(Stream),
    /// The next command of the pipeline.
    Pipe,
    /// A file on the machine the command runs on.
    File(String),
    Null,
}

/// The running foreground job and what runs after it.
struct Foreground {
    job: Box<dyn Job>,
    stdout: Dest,
    stderr: Dest,
    negated: bool,
    rest: Vec<Step>,
    /// `| grep ...`, `| head ...`, `| cat` after the job: its stdout streams
    /// through them line by line.
    filters: Vec<Filter>,
    /// The job's last, unfinished stdout line.
    partial: String,
}

/// A command after a foreground job in a pipeline that can take its output
/// line by line.
enum Filter {
    /// `grep ARGS` (run on each line); whether some line matched.
    Grep {
        argv: Vec<String>,
        matched: bool,
    },
    /// `head -n N`: lines still to pass. Like Kafka's console consumer, whose
    /// `System.out` ignores a closed pipe, the job goes on after `head` ends.
    Head {
        left: usize,
    },
    Cat,
}

impl Filter {
    /// A filter for `argv` if the command can stream.
    fn for_argv(argv: &[String]) -> Option<Filter> {
        match argv.first()?.as_str() {
            "cat" if argv.len() == 1 => Some(Filter::Cat),
            "grep"
                if !argv[1..]
                    .iter()
                    .any(|a| a.starts_with('-') && (a.contains('c') || a.contains('q'))) =>
            {
                Some(Filter::Grep {
                    argv: argv.to_vec(),
                    matched: false,
                })
            }
            "head" => {
                let left = match &argv[1..] {
                    [] => 10,
                    [n] => n.strip_prefix('-')?.parse().ok()?,
                    [flag, n] if flag == "-n" => n.parse().ok()?,
                    _ => return None,
                };
                Some(Filter::Head { left })
            }
            _ => None,
        }
    }

    /// The pipeline's status once the job is over, when this filter is last.
    fn status(&self) -> i32 {
        match self {
            Filter::Grep { matched, .. } => i32::from(!matched),
            Filter::Head { .. } | Filter::Cat => 0,
        }
    }
}

/// What running one command gave.
enum Ran {
    Status(i32),
    /// A tool left running in the foreground.
    Job(Box<dyn Job>),
}

/// The learner's shell over a simulated cluster.
pub struct Shell {
    pub(crate) world: World,
    pub(crate) docker: Docker,
    /// The innermost session last (`docker exec` pushes, `exit` pops).
    pub(crate) sessions: Vec<Session>,
    pub(crate) history: Vec<String>,
    /// Lines of an incomplete command.
    pending: Option<String>,
    job: Option<Foreground>,
    exited: bool,
    /// Nesting of `$(...)`, bounded.
    depth: u32,
    /// Network faults set with `kafkaplay partition`/`slow` (for `kafkaplay status`).
    pub(crate) network: Vec<String>,
    /// Tools added with [`Shell::register_tool`], after the registry's.
    extra_tools: Vec<(String, crate::tool::ToolFn)>,
    /// The stdout of the last subshell.
    last_captured_stdout: Option<String>,
    /// `for` iterations left for the command line being run.
    loop_budget: u32,
    /// The loop limit was reported for this command line.
    loop_stopped: bool,
    /// What [`Shell::poll_held`] polled out of the job, until taken.
    held: Output,
}

impl Shell {
    /// A shell on the learner's machine, in their home directory (which holds
    /// the playground's `docker-compose.yml`), with the containers already up.
    pub fn new(world: World) -> Shell {
        let docker = Docker::running(&world);
        Shell::with_docker(world, docker)
    }

    /// A shell on the learner's machine before `docker compose up`: every
    /// node is stopped until the learner starts the containers.
    pub fn before_compose_up(mut world: World) -> Shell {
        let docker = Docker::not_created(&mut world);
        Shell::with_docker(world, docker)
    }

    fn with_docker(mut world: World, docker: Docker) -> Shell {
        let compose = docker::compose_yaml(&world);
        world.fs.write_on(
            None,
            &format!("{}/docker-compose.yml", views::HOST_HOME),
            compose.into_bytes(),
        );
        world.host = None;
        world.fs.cwd = views::HOST_HOME.to_string();
        let session = host_session(&world);
        Shell {
            world,
            docker,
            sessions: vec![session],
            history: Vec::new(),
            pending: None,
            job: None,
            exited: false,
            depth: 0,
            network: Vec::new(),
            extra_tools: Vec::new(),
            last_captured_stdout: None,
            loop_budget: LOOP_ITERATIONS_MAX,
            loop_stopped: false,
            held: Output::new(),
        }
    }

    /// Adds a command that runs `tool` (looked up after Kafka's tools): a
    /// front end's own commands, or a test's stand-in for a tool.
    pub fn register_tool(&mut self, name: &str, tool: crate::tool::ToolFn) {
        self.extra_tools.push((name.to_string(), tool));
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// The status of the last command (`$?`).
    pub fn last_status(&self) -> i32 {
        self.session().last_status
    }

    /// The shell has exited (`exit` or Ctrl+D on the learner's machine).
    pub fn has_exited(&self) -> bool {
        self.exited
    }

    /// A tool is running in the foreground: input lines go to it.
    pub fn job_running(&self) -> bool {
        self.job.is_some()
    }

    /// Every command line entered, oldest first (the app persists it).
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Restores a persisted history.
    pub fn set_history(&mut self, history: Vec<String>) {
        self.history = history;
    }

    pub(crate) fn session(&self) -> &Session {
        self.sessions.last().expect("a shell has a session")
    }

    pub(crate) fn session_mut(&mut self) -> &mut Session {
        self.sessions.last_mut().expect("a shell has a session")
    }

    /// The prompt to show before the next line: the foreground job's (`>` for
    /// the console producer, nothing for the consumer), `> ` while a command is
    /// incomplete, else bash's prompt for the machine the shell is on.
    pub fn prompt(&self) -> String {
        if let Some(fg) = &self.job {
            return fg.job.prompt().unwrap_or("").to_string();
        }
        if self.pending.is_some() {
            return "> ".to_string();
        }
        let s = self.session();
        let home = views::home_of(&self.world, s.machine);
        match s.machine {
            None => {
                let cwd = if s.cwd == home {
                    "~".to_string()
                } else if let Some(rest) = s.cwd.strip_prefix(&format!("{home}/")) {
                    format!("~/{rest}")
                } else {
                    s.cwd.clone()
                };
                format!("learner@kafkaplay:{cwd}$ ")
            }
            Some(id) => {
                let host = docker::container_name(&self.world, id);
                match self.world.flavour {
                    Flavour::Confluent => {
                        let dir = if s.cwd == home {
                            "~".to_string()
                        } else if s.cwd == "/" {
                            "/".to_string()
                        } else {
                            crate::fs::base_name(&s.cwd).to_string()
                        };
                        format!("[appuser@{host} {dir}]$ ")
                    }
                    Flavour::Apache => format!("{host}:{}$ ", s.cwd),
                }
            }
        }
    }

    /// Opens a shell inside node `id`'s container, as `docker exec -it NAME
    /// bash` does (the native binary starts there).
    pub fn enter_container(&mut self, id: NodeId) {
        let machine = Some(id);
        let home = views::home_of(&self.world, machine).to_string();
        let mut vars = FlatMap::new();
        let name = docker::container_name(&self.world, id);
        let mut set = |k: &str, v: String| {
            vars.insert(
                k.to_string(),
                Var {
                    value: v,
                    exported: true,
                },
            );
        };
        set("HOME", home.clone());
        set("HOSTNAME", name);
        set("PATH", container_path(self.world.flavour).to_string());
        set("PWD", home.clone());
        set("SHELL", "/bin/bash".to_string());
        set("USER", "appuser".to_string());
        if self.world.sim.config().brokers.contains(&id) {
            for (k, v) in docker::broker_env(&self.world, id) {
                set(&k, v);
            }
        }
        self.sessions.push(Session {
            machine,
            vars,
            cwd: home,
            last_status: 0,
            errexit: false,
        });
        self.sync_location();
    }

    /// Makes the world's location (host, working directory) the current session's.
    pub(crate) fn sync_location(&mut self) {
        let s = self.session();
        let (machine, cwd) = (s.machine, s.cwd.clone());
        self.world.host = machine;
        self.world.fs.cwd = cwd;
    }

    /// Leaves the current session (`exit`): back to the machine it was
    /// entered from, or the end of the shell.
    pub(crate) fn exit_session(&mut self, status: i32) {
        if self.sessions.len() > 1 {
            self.sessions.pop();
            self.session_mut().last_status = status;
            self.sync_location();
        } else {
            self.session_mut().last_status = status;
            self.exited = true;
        }
    }

    /// One line (or several, pasted) typed at the prompt.
    pub fn submit(&mut self, text: &str) -> Output {
        let mut out = Output::new();
        let text = text.strip_suffix('\n').unwrap_or(text);
        for line in text.split('\n') {
            if self.exited {
                break;
            }
            let line = line.strip_suffix('\r').unwrap_or(line);
            self.submit_line(line, &mut out);
        }
        out
    }

    fn submit_line(&mut self, line: &str, out: &mut Output) {
        if let Some(mut fg) = self.job.take() {
            let mut captured = Output::new();
            fg.job.input(&mut self.world, line, &mut captured);
            self.emit(&mut fg, captured, out);
            self.job = Some(fg);
            self.poll_job(out);
            return;
        }
        let source = match self.pending.take() {
            Some(mut p) => {
                p.push('\n');
                p.push_str(line);
                p
            }
            None => line.to_string(),
        };
        match syntax::parse(&source) {
            Err(ParseError::Incomplete) => self.pending = Some(source),
            Err(ParseError::Syntax(message)) => {
                self.remember(&source);
                out.errln(format!("bash: {message}"));
                self.session_mut().last_status = 2;
            }
            Ok(program) => {
                self.remember(&source);
                self.loop_budget = LOOP_ITERATIONS_MAX;
                self.loop_stopped = false;
                self.run_steps(program, out);
            }
        }
    }

    fn remember(&mut self, source: &str) {
        if !source.trim().is_empty() {
            self.history.push(source.to_string());
        }
    }

    /// Advances simulated time by `elapsed_ms` in [`TICK_MS`] steps, ticking the
    /// foreground job; prints what it printed (and what ran after it).
    pub fn tick(&mut self, elapsed_ms: Ms) -> Output {
        let mut out = Output::new();
        let mut remaining = elapsed_ms.max(0);
        loop {
            self.poll_job(&mut out);
            if remaining == 0 {
                break;
            }
            let step = remaining.min(TICK_MS);
            self.world.sim.run_for(step);
            remaining -= step;
        }
        out
    }

    /// Polls the foreground job once without moving time, and keeps what it
    /// printed for [`Shell::take_held`]: for a front end whose page moves
    /// simulated time and polls the job at fixed simulated times (so that a
    /// replay polls it at the same times), while its terminal prints later.
    pub fn poll_held(&mut self) {
        let mut out = Output::new();
        self.poll_job(&mut out);
        self.held.extend(out);
    }

    /// What [`Shell::poll_held`] kept since the last call.
    pub fn take_held(&mut self) -> Output {
        std::mem::take(&mut self.held)
    }

    /// Ctrl+C: stops the foreground job (and the rest of its command list),
    /// or abandons an incomplete command.
    pub fn interrupt(&mut self) -> Output {
        let mut out = Output::new();
        if let Some(mut fg) = self.job.take() {
            let mut captured = Output::new();
            let code = fg.job.interrupt(&mut self.world, &mut captured);
            self.emit(&mut fg, captured, &mut out);
            // SIGINT stops the whole pipeline: its status is the job's.
            self.finish_filters(&mut fg, code, &mut out);
            self.session_mut().last_status = code;
        } else {
            self.pending = None;
            self.session_mut().last_status = 130;
        }
        out
    }

    /// Ctrl+D: end of input for the foreground job; at an empty prompt, leaves
    /// the shell like `exit`.
    pub fn eof(&mut self) -> Output {
        let mut out = Output::new();
        if let Some(mut fg) = self.job.take() {
            let mut captured = Output::new();
            fg.job.end_of_input(&mut self.world, &mut captured);
            self.emit(&mut fg, captured, &mut out);
            self.job = Some(fg);
            self.poll_job(&mut out);
        } else if let Some(source) = self.pending.take() {
            self.remember(&source);
            out.errln("bash: syntax error: unexpected end of file");
            self.session_mut().last_status = 2;
        } else {
            out.errln("exit");
            let status = self.last_status();
            self.exit_session(status);
        }
        out
    }

    /// The foreground job reads the terminal (it shows a prompt, like the
    /// console producer): typed lines are its input.
    pub fn job_reads_input(&self) -> bool {
        self.job.as_ref().is_some_and(|fg| fg.job.prompt().is_some())
    }

    /// Runs a whole script (bash reading it from stdin): see
    /// [`Shell::script_line`] and [`Shell::finish`].
    pub fn run_script(&mut self, script: &str) -> Output {
        let mut out = Output::new();
        let script = script.strip_suffix('\n').unwrap_or(script);
        for line in script.split('\n') {
            if self.exited {
                break;
            }
            out.extend(self.script_line(line));
        }
        out.extend(self.finish());
        out
    }

    /// One line of a script read from stdin. As with bash, a job that reads
    /// its input (the console producer) gets the following lines; a job that
    /// does not (the console consumer) runs until it exits before the next
    /// line is read (stopped after [`JOB_LIMIT_MS`] of simulated time).
    pub fn script_line(&mut self, line: &str) -> Output {
        let mut out = Output::new();
        self.wait_for_job(&mut out);
        out.extend(self.submit(line));
        out
    }

    /// Ticks a foreground job that does not read input until it exits.
    fn wait_for_job(&mut self, out: &mut Output) {
        if self.job.is_none() || self.job_reads_input() {
            return;
        }
        let deadline = self.world.sim.now() + JOB_LIMIT_MS;
        while self.job.is_some() && !self.job_reads_input() && self.world.sim.now() < deadline {
            out.extend(self.tick(TICK_MS));
        }
        if self.job.is_some() && !self.job_reads_input() {
            out.errln(format!(
                "kafkaplay: the job was still running after {} s of simulated time; stopped it as Ctrl+C would",
                JOB_LIMIT_MS / 1000
            ));
            out.extend(self.interrupt());
        }
    }

    /// End of a script: ends the foreground job's input and ticks it until it
    /// exits (stopping it after [`JOB_LIMIT_MS`]).
    pub fn finish(&mut self) -> Output {
        let mut out = Output::new();
        if self.pending.is_some() {
            out.extend(self.eof());
        }
        if self.job.is_some() {
            out.extend(self.eof());
        }
        let deadline = self.world.sim.now() + JOB_LIMIT_MS;
        while self.job.is_some() && self.world.sim.now() < deadline {
            out.extend(self.tick(TICK_MS));
        }
        if self.job.is_some() {
            out.errln(format!(
                "kafkaplay: the job was still running after {} s of simulated time; stopped it as Ctrl+C would",
                JOB_LIMIT_MS / 1000
            ));
            out.extend(self.interrupt());
        }
        out
    }

    /// Routes what the foreground job printed, its stdout through the
    /// pipeline's filters first.
    fn emit(&mut self, fg: &mut Foreground, captured: Output, out: &mut Output) {
        if fg.filters.is_empty() {
            self.route(&captured, &fg.stdout, &fg.stderr, out, None);
            return;
        }
        let mut filtered = Output::new();
        for (stream, text) in captured.chunks {
            if stream == Stream::Stderr {
                filtered.err(text);
                continue;
            }
            fg.partial.push_str(&text);
            while let Some(end) = fg.partial.find('\n') {
                let line: String = fg.partial.drain(..=end).collect();
                filtered.out(self.filter_line(&mut fg.filters, line));
            }
        }
        self.route(&filtered, &fg.stdout, &fg.stderr, out, None);
    }

    /// One line through the filters; what comes out of the last one.
    fn filter_line(&mut self, filters: &mut [Filter], line: String) -> String {
        let mut text = line;
        for f in filters.iter_mut() {
            if text.is_empty() {
                break;
            }
            match f {
                Filter::Cat => {}
                Filter::Head { left } => {
                    if *left == 0 {
                        text.clear();
                    } else {
                        *left -= 1;
                    }
                }
                Filter::Grep { argv, matched } => {
                    let mut o = Output::new();
                    builtins::run(self, argv, Some(&text), false, &mut o);
                    text = o.stdout();
                    *matched |= !text.is_empty();
                }
            }
        }
        text
    }

    /// The job is over: its unfinished line goes through the filters, and
    /// the last filter's status is the pipeline's.
    fn finish_filters(&mut self, fg: &mut Foreground, code: i32, out: &mut Output) -> i32 {
        if fg.filters.is_empty() {
            return code;
        }
        let rest = std::mem::take(&mut fg.partial);
        if !rest.is_empty() {
            let mut filtered = Output::new();
            filtered.out(self.filter_line(&mut fg.filters, rest));
            self.route(&filtered, &fg.stdout, &fg.stderr, out, None);
        }
        fg.filters.last().map_or(code, Filter::status)
    }

    /// Ticks the foreground job once; when it exits, records its status and
    /// runs the rest of its command list.
    fn poll_job(&mut self, out: &mut Output) {
        let Some(mut fg) = self.job.take() else { return };
        let mut captured = Output::new();
        let done = fg.job.tick(&mut self.world, &mut captured);
        self.emit(&mut fg, captured, out);
        match done {
            None => self.job = Some(fg),
            Some(code) => {
                let code = self.finish_filters(&mut fg, code, out);
                let status = if fg.negated { i32::from(code == 0) } else { code };
                self.session_mut().last_status = status;
                let rest = std::mem::take(&mut fg.rest);
                self.run_steps(rest, out);
            }
        }
    }

    // ----- running commands -----

    fn run_steps(&mut self, steps: Vec<Step>, out: &mut Output) {
        let mut steps = steps.into_iter();
        while let Some(step) = steps.next() {
            if self.exited {
                return;
            }
            let status = self.last_status();
            let run = match step.connector {
                Connector::Always => true,
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if !run {
                continue;
            }
            if step.background {
                out.errln("kafkaplay: background jobs (&) are not supported; running in the foreground");
            }
            let sessions_before = self.sessions.len();
            match self.run_pipeline(&step.pipeline, out, true) {
                PipelineEnd::Status(s) => self.session_mut().last_status = s,
                PipelineEnd::Job(fg) => {
                    let mut fg = fg;
                    fg.rest = steps.collect();
                    self.job = Some(fg);
                    return;
                }
            }
            if self.sessions.len() < sessions_before {
                // `exit` left this shell: the rest of its list is not run.
                return;
            }
        }
    }

    fn run_pipeline(&mut self, pipeline: &Pipeline, out: &mut Output, may_foreground: bool) -> PipelineEnd {
        let n = pipeline.commands.len();
        if n > 1 {
            // Every command of a real pipeline runs in a subshell: `cd`, `exit`
            // or `docker exec -it` there leave this shell as it was.
            let saved = (self.sessions.clone(), self.exited);
            let end = self.run_pipeline_commands(pipeline, out, may_foreground);
            let status = self.last_status();
            (self.sessions, self.exited) = saved;
            self.session_mut().last_status = status;
            self.sync_location();
            return end;
        }
        self.run_pipeline_commands(pipeline, out, may_foreground)
    }

    fn run_pipeline_commands(&mut self, pipeline: &Pipeline, out: &mut Output, may_foreground: bool) -> PipelineEnd {
        let n = pipeline.commands.len();
        let mut input: Option<String> = None;
        let mut status = 0;
        // `job | grep x | head -n 5` at the prompt: the job stays in the
        // foreground and its output streams through the filters.
        let mut filters = if may_foreground && n > 1 {
            stream_filters(&pipeline.commands[1..])
        } else {
            Vec::new()
        };
        for (i, cmd) in pipeline.commands.iter().enumerate() {
            if i == 1 {
                filters.clear();
            }
            let last = i + 1 == n;
            let stdout = if last {
                Dest::Terminal(Stream::Stdout)
            } else {
                Dest::Pipe
            };
            let mut piped = String::new();
            let stdin = input.take();
            let end = match cmd {
                Command::Simple(c) => {
                    let foreground = may_foreground && (last || (i == 0 && !filters.is_empty()));
                    self.run_simple(c, stdin, stdout, foreground, out, &mut piped)
                }
                Command::For(f) => SimpleEnd::Status(self.run_for(f, stdin, stdout, out, &mut piped)),
            };
            match end {
                SimpleEnd::Status(s) => status = s,
                SimpleEnd::Job { job, stdout, stderr } => {
                    let streaming = !filters.is_empty();
                    let mut fg = Foreground {
                        job,
                        stdout: if streaming {
                            Dest::Terminal(Stream::Stdout)
                        } else {
                            stdout
                        },
                        stderr,
                        negated: pipeline.negated,
                        rest: Vec::new(),
                        filters: std::mem::take(&mut filters),
                        partial: String::new(),
                    };
                    if streaming {
                        // What the job printed as it started went to the pipe.
                        let mut started = Output::new();
                        started.out(std::mem::take(&mut piped));
                        self.emit(&mut fg, started, out);
                    }
                    return PipelineEnd::Job(fg);
                }
            }
            input = Some(piped);
        }
        if pipeline.negated {
            status = i32::from(status == 0);
        }
        PipelineEnd::Status(status)
    }

    /// Expands and runs one simple command with its redirections.
    fn run_simple(
        &mut self,
        cmd: &SimpleCommand,
        stdin: Option<String>,
        stdout: Dest,
        may_foreground: bool,
        out: &mut Output,
        piped: &mut String,
    ) -> SimpleEnd {
        let mut argv = Vec::new();
        for w in &cmd.words {
            match self.expand_word(w, out) {
                Ok(fields) => argv.extend(fields),
                Err(message) => {
                    out.errln(format!("bash: {message}"));
                    return SimpleEnd::Status(1);
                }
            }
        }
        let mut assignments = Vec::new();
        for (name, value) in &cmd.assignments {
            match self.expand_single(value, out) {
                Ok(v) => assignments.push((name.clone(), v)),
                Err(message) => {
                    out.errln(format!("bash: {message}"));
                    return SimpleEnd::Status(1);
                }
            }
        }
        // Redirections, left to right.
        let mut stdin = stdin;
        let mut fd1 = stdout;
        let mut fd2 = Dest::Terminal(Stream::Stderr);
        for r in &cmd.redirects {
            if let Err(message) = self.redirect(r, &mut stdin, &mut fd1, &mut fd2, out) {
                out.errln(format!("bash: {message}"));
                return SimpleEnd::Status(1);
            }
        }
        if argv.is_empty() {
            for (name, value) in assignments {
                self.set_var(&name, value);
            }
            return SimpleEnd::Status(0);
        }
        let stdout_tty = fd1 == Dest::Terminal(Stream::Stdout);
        let mut captured = Output::new();
        let ran = self.run_argv(&argv, stdin.as_deref(), stdout_tty, &mut captured);
        self.route(&captured, &fd1, &fd2, out, Some(piped));
        match ran {
            Ran::Status(s) => SimpleEnd::Status(s),
            Ran::Job(job) => {
                // (A pipe here leads to streaming filters: see run_pipeline_commands.)
                let foreground = may_foreground && stdin.is_none();
                if foreground {
                    SimpleEnd::Job {
                        job,
                        stdout: fd1,
                        stderr: fd2,
                    }
                } else {
                    let mut captured = Output::new();
                    let code = self.drive(job, &mut captured);
                    self.route(&captured, &fd1, &fd2, out, Some(piped));
                    SimpleEnd::Status(code)
                }
            }
        }
    }

    /// `for NAME in WORDS; do BODY; done`: the body runs once per field, in
    /// this shell (its variables stay set); what it prints goes where the
    /// loop's stdout and stderr point, iteration by iteration.
    fn run_for(
        &mut self,
        f: &ForLoop,
        stdin: Option<String>,
        stdout: Dest,
        out: &mut Output,
        piped: &mut String,
    ) -> i32 {
        let mut stdin = stdin;
        let mut fd1 = stdout;
        let mut fd2 = Dest::Terminal(Stream::Stderr);
        for r in &f.redirects {
            if let Err(message) = self.redirect(r, &mut stdin, &mut fd1, &mut fd2, out) {
                out.errln(format!("bash: {message}"));
                return 1;
            }
        }
        let mut items = Vec::new();
        for w in &f.words {
            match self.expand_word(w, out) {
                Ok(fields) => items.extend(fields),
                Err(message) => {
                    out.errln(format!("bash: {message}"));
                    return 1;
                }
            }
        }
        let sessions = self.sessions.len();
        let mut status = 0;
        for item in items {
            if self.loop_budget == 0 {
                if !self.loop_stopped {
                    out.errln(format!(
                        "kafkaplay: loop stopped: more than {LOOP_ITERATIONS_MAX} iterations in one command line"
                    ));
                    self.loop_stopped = true;
                }
                return 1;
            }
            self.loop_budget -= 1;
            self.set_var(&f.var, item);
            let mut captured = Output::new();
            for step in &f.body {
                if self.exited || self.sessions.len() < sessions {
                    break;
                }
                let last = self.last_status();
                let run = match step.connector {
                    Connector::Always => true,
                    Connector::And => last == 0,
                    Connector::Or => last != 0,
                };
                if run {
                    if let PipelineEnd::Status(s) = self.run_pipeline(&step.pipeline, &mut captured, false) {
                        self.session_mut().last_status = s;
                    }
                }
            }
            status = self.last_status();
            self.route(&captured, &fd1, &fd2, out, Some(piped));
            if self.exited || self.sessions.len() < sessions {
                break;
            }
        }
        status
    }

    /// Ticks a job that cannot stay in the foreground until it exits.
    fn drive(&mut self, mut job: Box<dyn Job>, out: &mut Output) -> i32 {
        // Its whole input was given up front (`Invocation::stdin`).
        job.end_of_input(&mut self.world, out);
        let deadline = self.world.sim.now() + JOB_LIMIT_MS;
        loop {
            if let Some(code) = job.tick(&mut self.world, out) {
                return code;
            }
            if self.world.sim.now() >= deadline {
                out.errln(format!(
                    "kafkaplay: still running after {} s of simulated time; stopped it as Ctrl+C would",
                    JOB_LIMIT_MS / 1000
                ));
                return job.interrupt(&mut self.world, out);
            }
            self.world.sim.run_for(TICK_MS);
        }
    }

    fn redirect(
        &mut self,
        r: &Redirect,
        stdin: &mut Option<String>,
        fd1: &mut Dest,
        fd2: &mut Dest,
        out: &mut Output,
    ) -> Result<(), String> {
        match r {
            Redirect::Out { fd, append, target } => {
                let path = self.expand_single(target, out)?;
                let dest = self.open_for_write(&path, *append)?;
                match fd {
                    1 => *fd1 = dest,
                    2 => *fd2 = dest,
                    _ => {}
                }
            }
            Redirect::OutErr { append, target } => {
                let path = self.expand_single(target, out)?;
                let dest = self.open_for_write(&path, *append)?;
                *fd1 = dest.clone();
                *fd2 = dest;
            }
            Redirect::In { target } => {
                let path = self.expand_single(target, out)?;
                match self.world.read_file(&path) {
                    Some(bytes) => *stdin = Some(String::from_utf8_lossy(&bytes).into_owned()),
                    None if self.world.path_kind(&path) == Some(views::Kind::Dir) => {
                        return Err(format!("{path}: Is a directory"));
                    }
                    None => return Err(format!("{path}: No such file or directory")),
                }
            }
            Redirect::Dup { fd, to } => {
                let source = match to {
                    1 => fd1.clone(),
                    2 => fd2.clone(),
                    0 => return Ok(()),
                    n => return Err(format!("{n}: Bad file descriptor")),
                };
                match fd {
                    1 => *fd1 = source,
                    2 => *fd2 = source,
                    _ => {}
                }
            }
            Redirect::Heredoc { body, expand } => {
                *stdin = Some(if *expand {
                    self.expand_text(body, out)
                } else {
                    body.clone()
                });
            }
            Redirect::HereString { word } => {
                let mut text = self.expand_single(word, out)?;
                text.push('\n');
                *stdin = Some(text);
            }
        }
        Ok(())
    }

    fn open_for_write(&mut self, path: &str, append: bool) -> Result<Dest, String> {
        if path == "/dev/null" {
            return Ok(Dest::Null);
        }
        if path == "/dev/stderr" {
            return Ok(Dest::Terminal(Stream::Stderr));
        }
        if path == "/dev/stdout" {
            return Ok(Dest::Terminal(Stream::Stdout));
        }
        self.world
            .write_file(path, b"", append)
            .map_err(|reason| format!("{path}: {reason}"))?;
        Ok(Dest::File(self.world.absolute_path(path)))
    }

    /// Sends each chunk a command printed where its descriptor points.
    fn route(&mut self, captured: &Output, fd1: &Dest, fd2: &Dest, out: &mut Output, mut piped: Option<&mut String>) {
        for (stream, text) in &captured.chunks {
            let dest = if *stream == Stream::Stdout { fd1 } else { fd2 };
            match dest {
                Dest::Terminal(Stream::Stdout) => out.out(text.clone()),
                Dest::Terminal(Stream::Stderr) => out.err(text.clone()),
                Dest::Pipe => {
                    if let Some(p) = piped.as_deref_mut() {
                        p.push_str(text);
                    }
                }
                Dest::File(path) => {
                    if let Err(reason) = self.world.write_file(path, text.as_bytes(), true) {
                        out.errln(format!("bash: {path}: {reason}"));
                    }
                }
                Dest::Null => {}
            }
        }
    }

    /// Runs a command by name: a shell builtin, `docker`, `kafkaplay`, or one of
    /// Kafka's tools.
    fn run_argv(&mut self, argv: &[String], stdin: Option<&str>, stdout_tty: bool, out: &mut Output) -> Ran {
        let name = argv[0].as_str();
        let args = &argv[1..];
        match name {
            "docker" | "docker-compose" if self.session().machine.is_none() => {
                let mut docker = std::mem::take(&mut self.docker);
                let (code, action) = docker.run(&mut self.world, args, name == "docker-compose", out);
                self.docker = docker;
                match action {
                    None => Ran::Status(code),
                    Some(Action::EnterShell(id)) => {
                        self.enter_container(id);
                        Ran::Status(0)
                    }
                    Some(Action::Run(id, command)) => {
                        // The command runs in the container's own process
                        // environment (its KAFKA_* variables, its home).
                        let before = self.sessions.len();
                        self.enter_container(id);
                        let ran = self.run_argv(&command, stdin, stdout_tty, out);
                        self.sessions.truncate(before);
                        self.sync_location();
                        ran
                    }
                }
            }
            "kafkaplay" => Ran::Status(crate::playground::run(self, args, out)),
            "bash" | "sh" | "/bin/bash" | "/bin/sh" => {
                let name = crate::fs::base_name(name).to_string();
                Ran::Status(self.run_bash(&name, args, out))
            }
            _ if name.contains('/')
                && self.find_tool(name).is_none()
                && self.world.path_kind(name) == Some(views::Kind::File)
                && !name.starts_with("/bin/")
                && !name.starts_with("/usr/bin/") =>
            {
                // `./script.sh`: run the learner's file as a bash script.
                let file = name.to_string();
                let mut argv = vec![file];
                argv.extend(args.iter().cloned());
                Ran::Status(self.run_bash("bash", &argv, out))
            }
            _ => {
                if let Some(code) = builtins::run(self, argv, stdin, stdout_tty, out) {
                    return Ran::Status(code);
                }
                let Some((tool_name, tool)) = self.find_tool(name) else {
                    if name.contains('/') {
                        out.errln(format!("bash: {name}: No such file or directory"));
                    } else {
                        out.errln(format!("bash: {name}: command not found"));
                    }
                    return Ran::Status(127);
                };
                let stdin = match stdin {
                    Some(data) => Stdin::Data(data.to_string()),
                    None => Stdin::Terminal,
                };
                let exit = tool(Invocation {
                    world: &mut self.world,
                    name: &tool_name,
                    args,
                    stdin,
                    out,
                });
                match exit {
                    Exit::Code(c) => Ran::Status(c),
                    Exit::Running(job) => Ran::Job(job),
                }
            }
        }
    }

    /// The tool a command name runs: a bare name (`kafka-topics`,
    /// `kafka-topics.sh`) or a path to it in the container's tools directory.
    fn find_tool(&self, name: &str) -> Option<(String, crate::tool::ToolFn)> {
        if name.contains('/') {
            let path = self.world.absolute_path(name);
            let base = crate::fs::base_name(&path).to_string();
            let dir = crate::fs::parent_of(&path);
            let in_bin = ["/bin", "/usr/bin", views::tools_dir(self.world.flavour)].contains(&dir.as_str());
            if !in_bin || self.world.read_file(&path).is_none() {
                return None;
            }
            return crate::tools::lookup(&base).map(|t| (base, t));
        }
        crate::tools::lookup(name)
            .or_else(|| self.extra_tools.iter().find(|(n, _)| n == name).map(|(_, t)| *t))
            .map(|t| (name.to_string(), t))
    }

    /// Runs `source` as a command and returns its stdout, trailing newlines
    /// removed (for `$(...)`).
    pub(crate) fn command_output(&mut self, source: &str, out: &mut Output) -> String {
        let mut captured = Output::new();
        self.subshell(source, "command substitution", &mut captured);
        for (stream, text) in captured.chunks {
            if stream == Stream::Stderr {
                out.err(text);
            }
        }
        let mut text = self.last_captured_stdout.take().unwrap_or_default();
        while text.ends_with('\n') {
            text.pop();
        }
        text
    }

    /// Runs `source` in a subshell (`$(...)`, `bash -c`, `bash FILE`): its
    /// `cd`, `exit` and variables stay inside, jobs inside it are bounded, and
    /// its status becomes `$?`. What it prints goes to `out`; its stdout is
    /// also kept for [`Shell::command_output`].
    fn subshell(&mut self, source: &str, context: &str, out: &mut Output) -> i32 {
        if self.depth >= 8 {
            out.errln(format!("bash: {context}: nested too deeply"));
            return 2;
        }
        let program = match syntax::parse(source) {
            Ok(p) => p,
            Err(ParseError::Incomplete) => {
                out.errln(format!("bash: {context}: syntax error: unexpected end of file"));
                self.session_mut().last_status = 2;
                return 2;
            }
            Err(ParseError::Syntax(m)) => {
                out.errln(format!("bash: {context}: {m}"));
                self.session_mut().last_status = 2;
                return 2;
            }
        };
        self.depth += 1;
        let saved = (self.sessions.clone(), self.exited);
        let mut stdout = String::new();
        let mut steps = program.into_iter().peekable();
        while let Some(step) = steps.next() {
            if self.exited || self.sessions.len() < saved.0.len() {
                break;
            }
            let status = self.last_status();
            let run = match step.connector {
                Connector::Always => true,
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if !run {
                continue;
            }
            let mut inner = Output::new();
            if let PipelineEnd::Status(s) = self.run_pipeline(&step.pipeline, &mut inner, false) {
                self.session_mut().last_status = s;
            }
            stdout.push_str(&inner.stdout());
            out.extend(inner);
            // `set -e`: a failing command that is not tested by `&&`/`||` ends the script.
            let tested = steps.peek().is_some_and(|next| next.connector != Connector::Always);
            if self.session().errexit && self.last_status() != 0 && !tested && !step.pipeline.negated {
                break;
            }
        }
        self.depth -= 1;
        let status = self.last_status();
        (self.sessions, self.exited) = saved;
        self.session_mut().last_status = status;
        self.sync_location();
        self.last_captured_stdout = Some(stdout);
        status
    }

    /// `bash`/`sh`: `-c COMMAND`, a script file, or (no arguments) a nested
    /// interactive shell on the same machine (`exit` returns).
    fn run_bash(&mut self, name: &str, args: &[String], out: &mut Output) -> i32 {
        match args.first().map(String::as_str) {
            None => {
                let mut session = self.session().clone();
                session.vars.retain(|_, v| v.exported);
                session.last_status = 0;
                self.sessions.push(session);
                0
            }
            Some("-c") => match args.get(1) {
                Some(command) => self.subshell(&command.clone(), name, out),
                None => {
                    out.errln(format!("{name}: -c: option requires an argument"));
                    2
                }
            },
            Some(file) => match self.world.read_file(file) {
                Some(bytes) => {
                    let source = String::from_utf8_lossy(&bytes).into_owned();
                    self.subshell(&source, file, out)
                }
                None => {
                    out.errln(format!("{name}: {file}: No such file or directory"));
                    127
                }
            },
        }
    }
}

enum PipelineEnd {
    Status(i32),
    Job(Foreground),
}

enum SimpleEnd {
    Status(i32),
    Job {
        job: Box<dyn Job>,
        stdout: Dest,
        stderr: Dest,
    },
}

/// The commands after a job as streaming filters, if all of them can be
/// (`grep` without `-c`/`-q`, `head [-n] N`, `cat`; literal words, no
/// redirections).
fn stream_filters(commands: &[Command]) -> Vec<Filter> {
    let mut filters = Vec::new();
    for c in commands {
        let Some(simple) = c.simple() else { return Vec::new() };
        if !simple.redirects.is_empty() || !simple.assignments.is_empty() {
            return Vec::new();
        }
        let Some(argv) = simple
            .words
            .iter()
            .map(syntax::literal_of)
            .collect::<Option<Vec<String>>>()
        else {
            return Vec::new();
        };
        match Filter::for_argv(&argv) {
            Some(f) => filters.push(f),
            None => return Vec::new(),
        }
    }
    filters
}

fn container_path(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Confluent => "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        Flavour::Apache => "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/kafka/bin",
    }
}

fn host_session(world: &World) -> Session {
    let mut vars = FlatMap::new();
    let mut set = |k: &str, v: &str| {
        vars.insert(
            k.to_string(),
            Var {
                value: v.to_string(),
                exported: true,
            },
        );
    };
    set("HOME", views::HOST_HOME);
    set("HOSTNAME", "kafkaplay");
    set("LANG", "C.UTF-8");
    set("PATH", "/usr/local/bin:/usr/bin:/bin");
    set("SHELL", "/bin/bash");
    set("TERM", "xterm-256color");
    set("USER", "learner");
    let _ = world;
    Session {
        machine: None,
        vars,
        cwd: views::HOST_HOME.to_string(),
        last_status: 0,
        errexit: false,
    }
}
