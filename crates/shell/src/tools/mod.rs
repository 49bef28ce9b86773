//! Kafka's command-line tools, one module each, and the registry by name. Each
//! tool answers to its plain name (Confluent image) and its `.sh` name (Apache
//! Kafka).

use crate::tool::ToolFn;

/// `(plain name, implementation)` for every tool.
const TOOLS: &[(&str, ToolFn)] = &[];

/// The tool called `name` (`kafka-topics` or `kafka-topics.sh`).
pub fn lookup(name: &str) -> Option<ToolFn> {
    let plain = name.strip_suffix(".sh").unwrap_or(name);
    TOOLS.iter().find(|(n, _)| *n == plain).map(|(_, f)| *f)
}

/// Every tool's plain name, sorted (for `ls /bin`, completion and `help`).
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<_> = TOOLS.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    names
}
