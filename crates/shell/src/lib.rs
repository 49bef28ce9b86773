//! `kafkaplay-shell`: the shell a learner types into, and Kafka's command-line
//! tools, over a simulated [`kafkaplay_cluster::Simulation`].
//!
//! Everything is structured output ([`Output`]: ordered stdout/stderr chunks and
//! an exit code), so the web terminal and the native binary print the same bytes.
//!
//! - [`world`]: what commands act on — the simulation, the flavour (Confluent
//!   image or Apache Kafka), the listeners that `--bootstrap-server` resolves,
//!   the virtual filesystem, and where the shell is (the learner's machine or
//!   a container).
//! - [`tool`]: the contract every Kafka tool implements ([`tool::ToolFn`]), and
//!   [`tool::Job`] for tools that keep running (console producer and consumer).
//! - [`tools`]: Kafka's tools, one file each, and the registry by name.
//!
//! - [`syntax`]: the shell language's lexer and parser; [`expand`]: word
//!   expansion (variables, `$(...)`, braces, globs); [`shell`]: the
//!   interpreter ([`Shell`]: submit a line, tick a running job, Ctrl+C/D,
//!   prompt, history), with [`builtins`] (echo, printf, cat, ls, grep, head,
//!   tail, wc, sort, export, sleep, ...) and [`complete`] (tab completion).
//! - [`docker`]: the learner's `docker-compose.yml` and the `docker` /
//!   `docker compose` commands mapped to the simulation's faults;
//!   [`playground`]: the `kafkaplay` command (network faults, time, seed,
//!   `export-compose` for a real cluster).
//! - [`fs`] and [`views`]: the virtual filesystem — the learner's files, and
//!   each container's view of the simulation (`server.properties`, log
//!   directories with Kafka's segment files).
//!
//! The crate does no I/O: the native binary (`src/bin/kafkaplay.rs`) and the
//! web app own the terminal, the clock and the disk.

pub mod builtins;
pub mod complete;
pub mod docker;
pub mod expand;
pub mod fs;
pub mod output;
pub mod playground;
pub mod shell;
pub mod syntax;
pub mod tool;
pub mod tools;
pub mod views;
pub mod world;

pub use complete::Completion;
pub use output::{Output, Stream};
pub use shell::Shell;
pub use tool::{Exit, Invocation, Job, Stdin, ToolFn};
pub use world::{Flavour, Listener, World};
