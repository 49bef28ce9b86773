//! Random input never panics the parser, the interpreter or completion.
//!
//! Each case is built from a seeded generator out of shell-significant pieces
//! (quotes, operators, redirections, heredocs, expansions, real commands) and
//! random characters. A failure names its seed; replay one case with
//! `KAFKAPLAY_SEED=N cargo test -p kafkaplay-shell --test shell_never_panics`,
//! run more with `KAFKAPLAY_SEEDS=N`.

mod support_shell;

use std::panic::{catch_unwind, AssertUnwindSafe};

use kafkaplay_shell::syntax;
use support_shell::shell;

/// SplitMix64: a small, stable generator.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "echo",
    "printf",
    "cat",
    "ls",
    "grep",
    "-v",
    "-i",
    "-E",
    "-c",
    "head",
    "-n",
    "tail",
    "wc",
    "-l",
    "sort",
    "-rn",
    "uniq",
    "seq",
    "export",
    "unset",
    "env",
    "x=1",
    "y='a b'",
    "$x",
    "${x}",
    "${x:-d}",
    "${",
    "}",
    "$?",
    "$$",
    "$(",
    ")",
    "(",
    "'",
    "\"",
    "\\",
    "|",
    "||",
    "&&",
    ";",
    ";;",
    "&",
    ">",
    ">>",
    "<",
    "<<",
    "<<-",
    "<<<",
    "2>&1",
    "2>",
    ">&2",
    "&>",
    "/dev/null",
    "EOF",
    "\n",
    "#",
    "~",
    "*",
    "?",
    "*.log",
    "docker",
    "docker-compose",
    "compose",
    "up",
    "-d",
    "down",
    "ps",
    "-a",
    "exec",
    "-it",
    "broker1",
    "broker2",
    "controller",
    "bash",
    "kill",
    "stop",
    "start",
    "pause",
    "unpause",
    "logs",
    "--tail",
    "exit",
    "kafkaplay",
    "status",
    "partition",
    "/",
    "heal",
    "slow",
    "advance",
    "sample",
    "export-compose",
    "cd",
    "/var/lib/kafka/data",
    "t-0",
    "..",
    ".",
    "%s",
    "%d",
    "%5.2f",
    "%",
    "\\n",
    "fake-lines",
    "fake-ticker",
    "fake-fail",
    "1",
    "2",
    "0",
    "-1",
    "99999999999999999999",
    "history",
    "help",
    "clear",
    "true",
    "false",
    "!",
    "sleep",
    "mkdir",
    "rm",
    "touch",
    "f.txt",
    "for",
    "i",
    "in",
    "do",
    "done",
    "{1..3}",
    "{a,b}",
    "if",
    "{",
    "é",
    "\t",
    "\r",
    "=",
    "a=",
    "kafka-topics",
    "--topic",
    "--bootstrap-server",
    "localhost:9092",
    "which",
    "type",
];

fn case(g: &mut Gen) -> String {
    let n = 1 + g.below(12);
    let mut s = String::new();
    for _ in 0..n {
        match g.below(10) {
            0 => {
                // A random character, sometimes far outside ASCII.
                let c = char::from_u32((g.next() % 0x3_0000) as u32).unwrap_or('x');
                s.push(c);
            }
            1 => s.push_str(PIECES[g.below(PIECES.len())]),
            _ => {
                s.push_str(PIECES[g.below(PIECES.len())]);
                s.push(' ');
            }
        }
    }
    s
}

#[test]
fn random_input_never_panics() {
    let (first, count) = match std::env::var("KAFKAPLAY_SEED").ok().and_then(|s| s.parse::<u64>().ok()) {
        Some(seed) => (seed, 1),
        None => (
            1,
            std::env::var("KAFKAPLAY_SEEDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1500u64),
        ),
    };
    let mut sh = shell();
    for seed in first..first + count {
        let mut g = Gen(seed);
        let input = case(&mut g);
        let cursor = g.below(input.len() + 2);
        let action = g.below(8);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _ = syntax::parse(&input);
            let _ = sh.complete(&input, cursor);
            let _ = sh.submit(&input);
            match action {
                0 => {
                    let _ = sh.tick(300);
                }
                1 => {
                    let _ = sh.eof();
                }
                2 => {
                    let _ = sh.interrupt();
                }
                _ => {}
            }
            let _ = sh.prompt();
        }));
        if result.is_err() {
            panic!(
                "seed {seed} panicked on input {input:?}; replay: KAFKAPLAY_SEED={seed} cargo test -p kafkaplay-shell --test shell_never_panics"
            );
        }
        // A fresh shell now and then, and whenever the last one exited.
        if sh.has_exited() || seed % 100 == 0 {
            sh = shell();
        }
        // Leave no job or continuation behind for the next case.
        if sh.job_running() || sh.prompt() == "> " {
            let _ = sh.interrupt();
        }
    }
}

#[test]
fn the_parser_never_panics_on_raw_characters() {
    for seed in 0..3000u64 {
        let mut g = Gen(seed);
        let len = g.below(40);
        let input: String = (0..len)
            .map(|_| {
                let pick = g.below(4);
                if pick == 0 {
                    char::from_u32((g.next() % 0x11_0000) as u32).unwrap_or('?')
                } else {
                    let alphabet = b"'\"\\$`|&;<>(){}#~*? \n\tab=0129-";
                    alphabet[g.below(alphabet.len())] as char
                }
            })
            .collect();
        let result = catch_unwind(|| syntax::parse(&input));
        assert!(result.is_ok(), "seed {seed} panicked the parser on {input:?}");
    }
}
