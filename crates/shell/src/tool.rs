//! The contract between the shell and Kafka's tools.
//!
//! A tool is a function from its arguments to an [`Exit`]: most finish at once
//! (after running the simulation as long as the real tool would block), while
//! the console producer and consumer return a [`Job`] that the shell (web
//! terminal or native REPL) feeds input lines to and ticks as simulated time
//! passes, until it exits.

use crate::output::Output;
use crate::world::World;

/// Where a tool's standard input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stdin {
    /// The terminal: lines arrive through [`Job::input`] as the user types.
    Terminal,
    /// A pipe, heredoc or `< file`: all of it, known up front.
    Data(String),
}

/// One run of a tool.
pub struct Invocation<'a> {
    pub world: &'a mut World,
    /// The name it was called by (`kafka-topics` or `kafka-topics.sh`).
    pub name: &'a str,
    /// The arguments after the name, already expanded and unquoted.
    pub args: &'a [String],
    pub stdin: Stdin,
    pub out: &'a mut Output,
}

/// How a tool ended, or that it keeps running.
pub enum Exit {
    Code(i32),
    Running(Box<dyn Job>),
}

/// A tool that keeps running (console producer, console consumer).
pub trait Job {
    /// The prompt to show before the next input line (`>` for the console
    /// producer), if the job reads the terminal.
    fn prompt(&self) -> Option<&str> {
        None
    }
    /// A line the user typed (without its newline).
    fn input(&mut self, world: &mut World, line: &str, out: &mut Output);
    /// Ctrl+D: end of input.
    fn end_of_input(&mut self, world: &mut World, out: &mut Output);
    /// Ctrl+C. Returns the exit code (130 for SIGINT in a shell).
    fn interrupt(&mut self, world: &mut World, out: &mut Output) -> i32;
    /// Called after simulated time advanced; prints what arrived. `Some(code)`
    /// when the job has finished.
    fn tick(&mut self, world: &mut World, out: &mut Output) -> Option<i32>;
}

pub type ToolFn = fn(Invocation<'_>) -> Exit;
