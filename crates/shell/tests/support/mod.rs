//! Runs Kafka's tools the way the shell does: by name, with arguments, on a
//! `World`, feeding and ticking jobs.
#![allow(dead_code)]

use kafkaplay_shell::tools::lookup;
use kafkaplay_shell::{Exit, Flavour, Invocation, Job, Output, Stdin, World};

/// A cluster of `brokers` brokers that has started (controller elected,
/// brokers registered and unfenced), as the learner's docker-compose set-up is
/// when they first type.
pub fn world(brokers: i32, flavour: Flavour) -> World {
    let mut w = World::new(brokers, 7, flavour);
    let ready = w.sim.run_until_condition(60_000, |s| {
        s.metadata()
            .is_some_and(|m| m.unfenced_brokers().len() == brokers as usize)
    });
    assert!(ready, "the cluster did not start");
    w.sim.run_for(1_000);
    w
}

/// Splits a command line on spaces, honouring single and double quotes.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                has = true;
            }
            None if c == ' ' => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                has = false;
            }
            None => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// What a finished command printed.
pub struct Ran {
    pub code: i32,
    pub out: Output,
}

impl Ran {
    pub fn stdout(&self) -> String {
        self.out.stdout()
    }
    pub fn stderr(&self) -> String {
        self.out.stderr()
    }
}

pub enum Started {
    Done(Ran),
    Job(Box<dyn Job>, Output),
}

pub fn start(world: &mut World, line: &str, stdin: Stdin) -> Started {
    let w = words(line);
    let tool = lookup(&w[0]).unwrap_or_else(|| panic!("no tool {}", w[0]));
    let mut out = Output::new();
    let exit = tool(Invocation {
        world,
        name: &w[0],
        args: &w[1..],
        stdin,
        out: &mut out,
    });
    match exit {
        Exit::Code(code) => Started::Done(Ran { code, out }),
        Exit::Running(job) => Started::Job(job, out),
    }
}

/// Runs a command that finishes by itself (ticking a job until it does, for at
/// most `max_ms` of simulated time).
pub fn run(world: &mut World, line: &str) -> Ran {
    run_with(world, line, Stdin::Terminal)
}

pub fn run_with(world: &mut World, line: &str, stdin: Stdin) -> Ran {
    match start(world, line, stdin) {
        Started::Done(r) => r,
        Started::Job(mut job, mut out) => {
            let code = tick_until_exit(world, job.as_mut(), &mut out, 600_000).expect("the job did not finish");
            Ran { code, out }
        }
    }
}

/// Advances simulated time in 100 ms steps, ticking the job, until it exits.
pub fn tick_until_exit(world: &mut World, job: &mut dyn Job, out: &mut Output, max_ms: i64) -> Option<i32> {
    let end = world.sim.now() + max_ms;
    while world.sim.now() < end {
        if let Some(code) = job.tick(world, out) {
            return Some(code);
        }
        world.sim.run_for(100);
    }
    None
}

/// Advances simulated time by `ms`, ticking the job every 100 ms.
pub fn tick_for(world: &mut World, job: &mut dyn Job, out: &mut Output, ms: i64) -> Option<i32> {
    let end = world.sim.now() + ms;
    while world.sim.now() < end {
        if let Some(code) = job.tick(world, out) {
            return Some(code);
        }
        world.sim.run_for(100);
    }
    job.tick(world, out)
}
