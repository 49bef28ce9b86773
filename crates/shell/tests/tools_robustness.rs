//! Bad input never panics: every tool with odd arguments and stdin.

mod support;

use kafkaplay_shell::tools::{lookup, names};
use kafkaplay_shell::{Exit, Flavour, Invocation, Output, Stdin};
use support::*;

#[test]
fn odd_arguments_never_panic() {
    let mut w = world(1, Flavour::Apache);
    let odd: &[&[&str]] = &[
        &[],
        &[""],
        &["--"],
        &["-"],
        &["--=x"],
        &["-x"],
        &["--bootstrap-server"],
        &["--bootstrap-server", ""],
        &["--bootstrap-server", "localhost:9092", "--topic", ""],
        &["--bootstrap-server", "localhost:9092", "--topic", "(", "--describe"],
        &[
            "--bootstrap-server",
            "localhost:9092",
            "--topic",
            "t",
            "--partition",
            "-1",
            "--offset",
            "99999999999999999999",
        ],
        &[
            "--bootstrap-server",
            "localhost:9092",
            "--create",
            "--topic",
            "é",
            "--partitions",
            "2147483647",
        ],
        &["--bootstrap-server", "localhost:9092", "--list", "--state", "--type"],
        &["--files", ",,", "--print-data-log"],
        &["--files", "/etc/nothing.index"],
        &[
            "--bootstrap-server",
            "localhost:9092",
            "--describe",
            "--all-groups",
            "--state",
        ],
        &["--bootstrap-server", "localhost:9092", "--time", "-9"],
        &[
            "--topic",
            "t",
            "--num-records",
            "-5",
            "--record-size",
            "0",
            "--throughput",
            "NaN",
            "--producer-props",
        ],
        &[
            "--bootstrap-server",
            "localhost:9092",
            "describe",
            "--replication",
            "--human-readable",
        ],
        &[
            "--bootstrap-server",
            "localhost:9092",
            "--alter",
            "--entity-type",
            "topics",
            "--entity-name",
            "x",
            "--add-config",
            "=,=",
        ],
        &[
            "--bootstrap-server",
            "localhost:9092",
            "--election-type",
            "unclean",
            "--path-to-json-file",
            "/nope",
        ],
    ];
    w.fs.write("/etc/nothing.index", vec![0xff; 13]);
    for tool in names() {
        for args in odd {
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            for stdin in [Stdin::Terminal, Stdin::Data("a\u{0}b\r\n\tc:d\n".into())] {
                let mut out = Output::new();
                let exit = lookup(tool).unwrap()(Invocation {
                    world: &mut w,
                    name: tool,
                    args: &args,
                    stdin,
                    out: &mut out,
                });
                if let Exit::Running(mut job) = exit {
                    job.input(&mut w, "\u{1F600}:x", &mut out);
                    let _ = tick_for(&mut w, job.as_mut(), &mut out, 1_000);
                    let _ = job.interrupt(&mut w, &mut out);
                }
            }
        }
    }
}
