//! `kafkaplay-shell`: the shell a learner types into, and Kafka's command-line
//! tools, over a simulated [`kafkaplay_cluster::Simulation`].
//!
//! Everything is structured output ([`Output`]: ordered stdout/stderr chunks and
//! an exit code), so the web terminal and the native binary print the same bytes.
//!
//! - [`world`]: what commands act on — the simulation, the flavour (Confluent
//!   image or Apache Kafka), the listeners that `--bootstrap-server` resolves,
//!   the virtual filesystem and the environment variables.
//! - [`tool`]: the contract every Kafka tool implements ([`tool::ToolFn`]), and
//!   [`tool::Job`] for tools that keep running (console producer and consumer).
//! - [`tools`]: Kafka's tools, one file each, and the registry by name.
//!
//! The shell language (lexer, parser, expansion, pipes, redirections), the
//! Docker emulation, completion and history live beside these (see
//! ARCHITECTURE.md).

pub mod fs;
pub mod output;
pub mod tool;
pub mod tools;
pub mod world;

pub use output::{Output, Stream};
pub use tool::{Exit, Invocation, Job, Stdin, ToolFn};
pub use world::{Flavour, Listener, World};
