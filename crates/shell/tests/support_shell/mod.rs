//! A started cluster with a shell on the learner's machine, stand-in tools for
//! the job protocol (registered on the shell, not in the tool registry), and
//! helpers that run a line and split what it printed.
#![allow(dead_code)]

use kafkaplay_shell::{Exit, Flavour, Invocation, Job, Output, Shell, Stdin, World};

/// A cluster whose brokers have all registered, as after `docker compose up`
/// and a few seconds.
pub fn started_world(brokers: i32, seed: u64, flavour: Flavour) -> World {
    let mut w = World::new(brokers, seed, flavour);
    assert!(w.run_until_started(60_000), "the cluster did not start (seed {seed})");
    w
}

pub fn shell() -> Shell {
    shell_with(3, Flavour::Confluent)
}

pub fn shell_with(brokers: i32, flavour: Flavour) -> Shell {
    let mut sh = Shell::new(started_world(brokers, 7, flavour));
    sh.register_tool("fake-lines", fake_lines);
    sh.register_tool("fake-ticker", fake_ticker);
    sh.register_tool("fake-fail", fake_fail);
    sh
}

/// What one submitted line printed, and `$?` after it.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
    pub out: Output,
}

pub fn run(sh: &mut Shell, line: &str) -> Ran {
    let out = sh.submit(line);
    Ran {
        stdout: out.stdout(),
        stderr: out.stderr(),
        status: sh.last_status(),
        out,
    }
}

/// Like `run`, for a line expected to succeed: returns its stdout.
pub fn ok(sh: &mut Shell, line: &str) -> String {
    let r = run(sh, line);
    assert_eq!(r.status, 0, "`{line}` failed: {}", r.stderr);
    r.stdout
}

/// `fake-lines`: reads lines (`> ` prompt on a terminal) and prints
/// `got: LINE` for each; exits 0 at end of input, or with the number given as
/// its argument.
struct Lines {
    done: bool,
    interactive: bool,
    code: i32,
}

impl Job for Lines {
    fn prompt(&self) -> Option<&str> {
        (self.interactive && !self.done).then_some(">")
    }
    fn input(&mut self, _world: &mut World, line: &str, out: &mut Output) {
        if !self.done {
            out.outln(format!("got: {line}"));
        }
    }
    fn end_of_input(&mut self, _world: &mut World, _out: &mut Output) {
        self.done = true;
    }
    fn interrupt(&mut self, _world: &mut World, _out: &mut Output) -> i32 {
        130
    }
    fn tick(&mut self, _world: &mut World, _out: &mut Output) -> Option<i32> {
        self.done.then_some(self.code)
    }
}

fn fake_lines(inv: Invocation<'_>) -> Exit {
    let code = inv.args.first().and_then(|a| a.parse().ok()).unwrap_or(0);
    let mut job = Lines {
        done: false,
        interactive: inv.stdin == Stdin::Terminal,
        code,
    };
    // Like Kafka's tools: piped input is read at once.
    if let Stdin::Data(data) = &inv.stdin {
        for line in data.lines() {
            job.input(inv.world, line, inv.out);
        }
        job.done = true;
    }
    Exit::Running(Box::new(job))
}

/// `fake-ticker [N]`: prints `tick K at T` once per simulated second; exits 0
/// after N ticks (never without N); Ctrl+C prints `stopped` and gives 130.
struct Ticker {
    next_ms: i64,
    count: u32,
    limit: Option<u32>,
}

impl Job for Ticker {
    fn input(&mut self, _world: &mut World, _line: &str, _out: &mut Output) {}
    fn end_of_input(&mut self, _world: &mut World, _out: &mut Output) {}
    fn interrupt(&mut self, _world: &mut World, out: &mut Output) -> i32 {
        out.errln("stopped");
        130
    }
    fn tick(&mut self, world: &mut World, out: &mut Output) -> Option<i32> {
        while world.sim.now() >= self.next_ms {
            self.count += 1;
            out.outln(format!("tick {}", self.count));
            self.next_ms += 1000;
            if Some(self.count) == self.limit {
                return Some(0);
            }
        }
        None
    }
}

fn fake_ticker(inv: Invocation<'_>) -> Exit {
    Exit::Running(Box::new(Ticker {
        next_ms: inv.world.sim.now() + 1000,
        count: 0,
        limit: inv.args.first().and_then(|a| a.parse().ok()),
    }))
}

/// `fake-fail`: prints `boom` on stderr and `partial` on stdout, exits 3.
fn fake_fail(inv: Invocation<'_>) -> Exit {
    inv.out.outln("partial");
    inv.out.errln("boom");
    Exit::Code(3)
}
