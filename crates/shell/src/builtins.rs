//! The shell's builtins and the small coreutils a Kafka tutorial pipes through:
//! `echo`, `printf`, `cat`, `ls`, `cd`, `pwd`, `grep`, `head`, `tail`, `wc`,
//! `sort`, `uniq`, `seq`, `export`, `unset`, `env`, `clear`, `history`, `help`,
//! `true`, `false`, `exit`, `sleep` (advances simulated time), `mkdir`, `rm`,
//! `touch`, `date`, `hostname`, `whoami`, `which`/`type`.
//!
//! Each takes its arguments, its standard input (`None` is the terminal, read
//! as empty: there is nothing to wait for) and whether stdout is a terminal
//! (`ls` prints columns then), and returns its exit status. Messages follow
//! GNU coreutils and bash.

use regex_lite::RegexBuilder;

use crate::docker;
use crate::output::Output;
use crate::shell::{Shell, Var};
use crate::views::Kind;

/// Commands that exist as programs in `/bin` (listed by `ls /bin`).
pub const NAMES: &[&str] = &[
    "bash", "cat", "clear", "date", "echo", "env", "false", "grep", "head", "hostname", "ls", "mkdir", "printenv",
    "printf", "pwd", "rm", "seq", "sleep", "sort", "tail", "touch", "true", "uniq", "wc", "which", "whoami",
];

/// Shell builtins (not files).
pub const SHELL_BUILTINS: &[&str] = &["cd", "exit", "export", "help", "history", "set", "type", "unset"];

/// Runs `argv` if it names a builtin; `None` otherwise.
///
/// Each builtin with a body of its own is `#[inline(never)]`: called from one
/// place, the compiler would otherwise inline them all here, and every
/// command (a `kafka-topics` too) runs this function first, so the docs
/// widget's start-up module (web/build/split-widget.mjs) would carry every
/// builtin. Kept apart, the ones nobody ran stay in the rest. One call each.
pub fn run(shell: &mut Shell, argv: &[String], stdin: Option<&str>, stdout_tty: bool, out: &mut Output) -> Option<i32> {
    let name = argv[0].as_str();
    let name = name
        .strip_prefix("/usr/bin/")
        .or_else(|| name.strip_prefix("/bin/"))
        .unwrap_or(name);
    let args = &argv[1..];
    let input = stdin.unwrap_or("");
    let code = match name {
        "echo" => echo(args, out),
        "printf" => printf(args, out),
        "cat" => cat(shell, args, input, out),
        "ls" => ls(shell, args, stdout_tty, out),
        "cd" => cd(shell, args, out),
        "pwd" => {
            out.outln(&shell.session().cwd);
            0
        }
        "grep" => grep(shell, args, input, out),
        "head" => head_tail(shell, "head", args, input, out),
        "tail" => head_tail(shell, "tail", args, input, out),
        "wc" => wc(shell, args, input, out),
        "sort" => sort(args, input, out),
        "uniq" => uniq(args, input, out),
        "seq" => seq(args, out),
        "export" => export(shell, args, out),
        "unset" => {
            for a in args {
                shell.session_mut().vars.remove(a);
            }
            0
        }
        "env" | "printenv" => {
            let vars: Vec<(String, String)> = shell
                .session()
                .vars
                .iter()
                .filter(|(_, v)| v.exported)
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            if name == "printenv" && !args.is_empty() {
                let mut code = 0;
                for a in args {
                    match vars.iter().find(|(k, _)| k == a) {
                        Some((_, v)) => out.outln(v),
                        None => code = 1,
                    }
                }
                code
            } else {
                for (k, v) in vars {
                    out.outln(format!("{k}={v}"));
                }
                0
            }
        }
        "clear" => {
            out.out("\x1b[H\x1b[2J\x1b[3J");
            0
        }
        "history" => history(shell, args, out),
        "help" => {
            help(shell, out);
            0
        }
        "true" | ":" => 0,
        "set" => {
            for a in args {
                match a.as_str() {
                    "-e" | "-o errexit" => shell.session_mut().errexit = true,
                    "+e" => shell.session_mut().errexit = false,
                    _ => {}
                }
            }
            0
        }
        "false" => 1,
        "exit" => {
            let status = match args.first() {
                None => shell.last_status(),
                Some(a) => match a.parse::<i64>() {
                    Ok(n) => n.rem_euclid(256) as i32,
                    Err(_) => {
                        out.errln(format!("bash: exit: {a}: numeric argument required"));
                        2
                    }
                },
            };
            out.errln("exit");
            shell.exit_session(status);
            status
        }
        "sleep" => sleep(shell, args, out),
        "mkdir" => mkdir(shell, args, out),
        "rm" => rm(shell, args, out),
        "touch" => {
            let mut code = 0;
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                if shell.world.read_file(a).is_none() {
                    if let Err(reason) = shell.world.write_file(a, b"", true) {
                        out.errln(format!("touch: cannot touch '{a}': {reason}"));
                        code = 1;
                    }
                }
            }
            code
        }
        "date" => {
            out.outln(date(shell.world.sim.now()));
            0
        }
        "hostname" => {
            let host = match shell.world.host {
                None => "kafkaplay".to_string(),
                Some(id) => docker::container_name(&shell.world, id),
            };
            out.outln(host);
            0
        }
        "whoami" => {
            out.outln(if shell.world.host.is_none() {
                "learner"
            } else {
                "appuser"
            });
            0
        }
        "which" | "type" => which(shell, name, args, out),
        _ => return None,
    };
    Some(code)
}

/// Backslash escapes of `echo -e` and `printf`: `\n`, `\t`, `\\`, `\a`, ...
/// `\c` stops the output (returned as `true`).
fn unescape(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('e') => out.push('\x1b'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('\\') => out.push('\\'),
            Some('c') => return (out, true),
            Some('0') => {
                let mut n = 0u32;
                for _ in 0..3 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            n = n * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(n).unwrap_or('\0'));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

#[inline(never)]
fn echo(args: &[String], out: &mut Output) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut text = args[i..].join(" ");
    if escapes {
        let (t, stop) = unescape(&text);
        text = t;
        if stop {
            newline = false;
        }
    }
    if newline {
        text.push('\n');
    }
    out.out(text);
    0
}

/// The widest field and longest precision `printf` pads to.
const PRINTF_FIELD_MAX: usize = 4096;

/// `printf FORMAT [ARGS...]`: `%s %d %i %u %x %c %f %b %%` with flags and width;
/// the format is reused while arguments remain.
#[inline(never)]
fn printf(args: &[String], out: &mut Output) -> i32 {
    let Some(format) = args.first() else {
        out.errln("printf: usage: printf [-v var] format [arguments]");
        return 2;
    };
    let mut rest = args[1..].iter();
    let mut code = 0;
    let mut text = String::new();
    loop {
        let mut consumed = false;
        let chars: Vec<char> = format.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                let mut j = i + 1;
                if j < chars.len() {
                    j += 1;
                }
                let piece: String = chars[i..j].iter().collect();
                let (t, stop) = unescape(&piece);
                text.push_str(&t);
                if stop {
                    out.out(text);
                    return code;
                }
                i = j;
                continue;
            }
            if c != '%' {
                text.push(c);
                i += 1;
                continue;
            }
            // %[flags][width][.precision]conv
            let mut j = i + 1;
            while j < chars.len() && "-+ 0#".contains(chars[j]) {
                j += 1;
            }
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            let Some(&conv) = chars.get(j) else {
                text.push('%');
                break;
            };
            let spec: String = chars[i + 1..j].iter().collect();
            i = j + 1;
            if conv == '%' {
                text.push('%');
                continue;
            }
            let arg = rest.next();
            consumed |= arg.is_some();
            let arg = arg.map(String::as_str).unwrap_or("");
            let body = match conv {
                's' => arg.to_string(),
                'b' => unescape(arg).0,
                'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                    let n: i64 = if arg.is_empty() {
                        0
                    } else {
                        match arg.trim().parse() {
                            Ok(n) => n,
                            Err(_) => {
                                out.errln(format!("bash: printf: {arg}: invalid number"));
                                code = 1;
                                0
                            }
                        }
                    };
                    match conv {
                        'x' => format!("{n:x}"),
                        'X' => format!("{n:X}"),
                        'o' => format!("{n:o}"),
                        _ => n.to_string(),
                    }
                }
                'f' | 'g' | 'e' => {
                    let n: f64 = arg.trim().parse().unwrap_or(0.0);
                    let precision: usize = spec.split_once('.').and_then(|(_, p)| p.parse().ok()).unwrap_or(6);
                    let precision = precision.min(PRINTF_FIELD_MAX);
                    format!("{n:.precision$}")
                }
                other => {
                    out.errln(format!("bash: printf: `{other}': invalid format character"));
                    return 1;
                }
            };
            let left = spec.contains('-');
            let zero = spec.starts_with('0') && !left;
            let width: usize = spec
                .trim_start_matches(['-', '+', ' ', '0', '#'])
                .split('.')
                .next()
                .and_then(|w| w.parse::<usize>().ok())
                .unwrap_or(0)
                .min(PRINTF_FIELD_MAX);
            let body = if conv == 's' {
                match spec.split_once('.').and_then(|(_, p)| p.parse::<usize>().ok()) {
                    Some(p) => body.chars().take(p).collect(),
                    None => body,
                }
            } else {
                body
            };
            let len = body.chars().count();
            if len >= width {
                text.push_str(&body);
            } else if left {
                text.push_str(&body);
                text.push_str(&" ".repeat(width - len));
            } else if zero {
                text.push_str(&"0".repeat(width - len));
                text.push_str(&body);
            } else {
                text.push_str(&" ".repeat(width - len));
                text.push_str(&body);
            }
        }
        if !consumed || rest.len() == 0 {
            break;
        }
    }
    out.out(text);
    code
}

#[inline(never)]
fn cat(shell: &mut Shell, args: &[String], input: &str, out: &mut Output) -> i32 {
    let number = args.iter().any(|a| a == "-n");
    let files: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with('-') || a.as_str() == "-")
        .collect();
    let mut code = 0;
    let mut text = String::new();
    if files.is_empty() {
        text.push_str(input);
    }
    for f in files {
        if f == "-" {
            text.push_str(input);
            continue;
        }
        match shell.world.read_file(f) {
            Some(bytes) => text.push_str(&String::from_utf8_lossy(&bytes)),
            None if shell.world.path_kind(f) == Some(Kind::Dir) => {
                out.errln(format!("cat: {f}: Is a directory"));
                code = 1;
            }
            None => {
                out.errln(format!("cat: {f}: No such file or directory"));
                code = 1;
            }
        }
    }
    if number {
        let mut numbered = String::new();
        for (i, line) in text.split_inclusive('\n').enumerate() {
            numbered.push_str(&format!("{:>6}\t{line}", i + 1));
        }
        text = numbered;
    }
    out.out(text);
    code
}

#[inline(never)]
fn ls(shell: &mut Shell, args: &[String], stdout_tty: bool, out: &mut Output) -> i32 {
    let mut long = false;
    let mut all = false;
    let mut one = false;
    let mut paths = Vec::new();
    for a in args {
        if a.starts_with('-') && a.len() > 1 {
            for c in a[1..].chars() {
                match c {
                    'l' => long = true,
                    'a' | 'A' => all = true,
                    '1' => one = true,
                    'h' | 'F' | 't' | 'r' | 'R' | 'S' => {}
                    other => {
                        out.errln(format!(
                            "ls: invalid option -- '{other}'\nTry 'ls --help' for more information."
                        ));
                        return 2;
                    }
                }
            }
        } else {
            paths.push(a.clone());
        }
    }
    if paths.is_empty() {
        paths.push(".".to_string());
    }
    let mut code = 0;
    let mut file_args = Vec::new();
    let mut dir_args = Vec::new();
    for p in &paths {
        match shell.world.path_kind(p) {
            Some(Kind::Dir) => dir_args.push(p.clone()),
            Some(Kind::File) => file_args.push(p.clone()),
            None => {
                out.errln(format!("ls: cannot access '{p}': No such file or directory"));
                code = 2;
            }
        }
    }
    let now = shell.world.sim.now();
    let owner = if shell.world.host.is_none() {
        "learner"
    } else {
        "appuser"
    };
    let print = |names: Vec<(String, Kind, u64)>, out: &mut Output| {
        if long {
            let total: u64 = names.iter().map(|(_, _, s)| s.div_ceil(1024)).sum();
            out.outln(format!("total {total}"));
            let width = names.iter().map(|(_, _, s)| s.to_string().len()).max().unwrap_or(1);
            for (name, kind, size) in &names {
                let mode = if *kind == Kind::Dir { "drwxr-xr-x" } else { "-rw-r--r--" };
                out.outln(format!(
                    "{mode} 1 {owner} {owner} {size:>width$} {} {name}",
                    ls_time(now)
                ));
            }
        } else if stdout_tty && !one {
            let names: Vec<String> = names.into_iter().map(|(n, _, _)| n).collect();
            for line in columns(&names, 80) {
                out.outln(line);
            }
        } else {
            for (n, _, _) in names {
                out.outln(n);
            }
        }
    };
    if !file_args.is_empty() {
        let entries = file_args
            .iter()
            .map(|f| {
                let size = shell.world.read_file(f).map_or(0, |b| b.len() as u64);
                (f.clone(), Kind::File, size)
            })
            .collect();
        print(entries, out);
    }
    let headers = dir_args.len() + file_args.len() > 1;
    for (i, d) in dir_args.iter().enumerate() {
        if headers {
            if i > 0 || !file_args.is_empty() {
                out.outln("");
            }
            out.outln(format!("{d}:"));
        }
        match shell.world.list_dir(d) {
            Ok(entries) => {
                let mut names: Vec<(String, Kind, u64)> = Vec::new();
                if all {
                    names.push((".".to_string(), Kind::Dir, 4096));
                    names.push(("..".to_string(), Kind::Dir, 4096));
                }
                names.extend(
                    entries
                        .into_iter()
                        .filter(|e| all || !e.name.starts_with('.'))
                        .map(|e| (e.name, e.kind, e.size)),
                );
                print(names, out);
            }
            Err(reason) => {
                out.errln(format!("ls: cannot open directory '{d}': {reason}"));
                code = 2;
            }
        }
    }
    code
}

/// `ls`'s column layout: as many columns as fit in `width`, filled top to bottom.
fn columns(names: &[String], width: usize) -> Vec<String> {
    if names.is_empty() {
        return Vec::new();
    }
    let n = names.len();
    for cols in (1..=n).rev() {
        let rows = n.div_ceil(cols);
        let cols = n.div_ceil(rows);
        let widths: Vec<usize> = (0..cols)
            .map(|c| {
                (0..rows)
                    .filter_map(|r| names.get(c * rows + r))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let total: usize = widths.iter().sum::<usize>() + 2 * (cols - 1);
        if total <= width || cols == 1 {
            let mut lines = Vec::new();
            for r in 0..rows {
                let mut line = String::new();
                for (c, column_width) in widths.iter().enumerate() {
                    if let Some(name) = names.get(c * rows + r) {
                        line.push_str(name);
                        if c + 1 < cols && names.get((c + 1) * rows + r).is_some() {
                            line.push_str(&" ".repeat(column_width - name.chars().count() + 2));
                        }
                    }
                }
                lines.push(line);
            }
            return lines;
        }
    }
    names.to_vec()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn ls_time(ms: i64) -> String {
    let (_, m, d) = docker::civil_from_days(ms.div_euclid(86_400_000));
    let rem = ms.rem_euclid(86_400_000);
    format!(
        "{} {:>2} {:02}:{:02}",
        MONTHS[(m - 1) as usize],
        d,
        rem / 3_600_000,
        rem / 60_000 % 60
    )
}

/// `date`'s default format, in UTC: `Tue Nov 14 22:13:20 UTC 2023`.
pub fn date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let (y, m, d) = docker::civil_from_days(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let rem = ms.rem_euclid(86_400_000);
    format!(
        "{weekday} {} {d:>2} {:02}:{:02}:{:02} UTC {y}",
        MONTHS[(m - 1) as usize],
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60
    )
}

#[inline(never)]
fn cd(shell: &mut Shell, args: &[String], out: &mut Output) -> i32 {
    let target = match args.first().map(String::as_str) {
        None | Some("~") => shell.var("HOME").unwrap_or_else(|| "/".to_string()),
        Some("-") => match shell.var("OLDPWD") {
            Some(old) => {
                out.outln(&old);
                old
            }
            None => {
                out.errln("bash: cd: OLDPWD not set");
                return 1;
            }
        },
        Some(p) => p.to_string(),
    };
    if args.len() > 1 {
        out.errln("bash: cd: too many arguments");
        return 1;
    }
    match shell.world.path_kind(&target) {
        Some(Kind::Dir) => {
            let old = shell.session().cwd.clone();
            let new = shell.world.absolute_path(&target);
            shell.set_var("OLDPWD", old);
            shell.session_mut().cwd = new;
            shell.sync_location();
            0
        }
        Some(Kind::File) => {
            out.errln(format!("bash: cd: {target}: Not a directory"));
            1
        }
        None => {
            out.errln(format!("bash: cd: {target}: No such file or directory"));
            1
        }
    }
}

/// Files named on the command line, or the input: `(name, text)` pairs, with
/// errors printed as `tool: f: No such file or directory`.
fn inputs(shell: &Shell, tool: &str, files: &[String], input: &str, out: &mut Output) -> (Vec<(String, String)>, i32) {
    if files.is_empty() {
        return (vec![("(standard input)".to_string(), input.to_string())], 0);
    }
    let mut code = 0;
    let mut result = Vec::new();
    for f in files {
        if f == "-" {
            result.push(("(standard input)".to_string(), input.to_string()));
            continue;
        }
        match shell.world.read_file(f) {
            Some(bytes) => result.push((f.clone(), String::from_utf8_lossy(&bytes).into_owned())),
            None => {
                let reason = if shell.world.path_kind(f) == Some(Kind::Dir) {
                    "Is a directory"
                } else {
                    "No such file or directory"
                };
                out.errln(format!("{tool}: {f}: {reason}"));
                code = 2;
            }
        }
    }
    (result, code)
}

/// A POSIX basic regular expression in `regex-lite`'s syntax: `\+ \? \|
/// \( \) \{ \}` are operators and their bare forms are literal.
fn bre_to_ere(p: &str) -> String {
    let mut out = String::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('+' | '?' | '|' | '(' | ')' | '{' | '}')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push_str("\\\\"),
            },
            '+' | '?' | '|' | '(' | ')' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn lowercase_outside_escapes(p: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in p.chars() {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == '\\' {
            out.push(c);
            escaped = true;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[inline(never)]
fn grep(shell: &mut Shell, args: &[String], input: &str, out: &mut Output) -> i32 {
    let (mut invert, mut ignore_case, mut extended, mut count, mut number, mut quiet, mut fixed, mut word, mut only) =
        (false, false, false, false, false, false, false, false, false);
    let mut patterns: Vec<String> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    let mut i = 0;
    let mut options_done = false;
    while i < args.len() {
        let a = &args[i];
        if !options_done && a == "--" {
            options_done = true;
        } else if !options_done && a == "-e" {
            match args.get(i + 1) {
                Some(p) => patterns.push(p.clone()),
                None => {
                    out.errln("grep: option requires an argument -- 'e'\nUsage: grep [OPTION]... PATTERNS [FILE]...");
                    return 2;
                }
            }
            i += 1;
        } else if !options_done && a.starts_with("--") {
            match a.as_str() {
                "--invert-match" => invert = true,
                "--ignore-case" => ignore_case = true,
                "--extended-regexp" => extended = true,
                "--count" => count = true,
                "--color=auto" | "--color=never" | "--color" | "--colour" => {}
                _ => {
                    out.errln(format!(
                        "grep: unrecognized option '{a}'\nUsage: grep [OPTION]... PATTERNS [FILE]..."
                    ));
                    return 2;
                }
            }
        } else if !options_done && a.starts_with('-') && a.len() > 1 {
            for c in a[1..].chars() {
                match c {
                    'v' => invert = true,
                    'i' => ignore_case = true,
                    'E' => extended = true,
                    'c' => count = true,
                    'n' => number = true,
                    'q' => quiet = true,
                    'F' => fixed = true,
                    'w' => word = true,
                    'o' => only = true,
                    'h' | 's' => {}
                    other => {
                        out.errln(format!(
                            "grep: invalid option -- '{other}'\nUsage: grep [OPTION]... PATTERNS [FILE]..."
                        ));
                        return 2;
                    }
                }
            }
        } else {
            rest.push(a.clone());
        }
        i += 1;
    }
    if patterns.is_empty() {
        if rest.is_empty() {
            out.errln("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.");
            return 2;
        }
        patterns.push(rest.remove(0));
    }
    let alternatives: Vec<String> = patterns
        .iter()
        .flat_map(|p| p.split('\n').map(str::to_string).collect::<Vec<_>>())
        .map(|p| {
            let body = if fixed {
                regex_lite::escape(&p)
            } else if extended {
                p
            } else {
                bre_to_ere(&p)
            };
            if word {
                format!(r"\b(?:{body})\b")
            } else {
                format!("(?:{body})")
            }
        })
        .collect();
    // -i folds case on both sides (regex-lite has no Unicode case
    // tables); escapes such as `\S` keep their case.
    let pattern = alternatives.join("|");
    let pattern = if ignore_case {
        lowercase_outside_escapes(&pattern)
    } else {
        pattern
    };
    let fold = |line: &str| {
        if ignore_case {
            line.to_lowercase()
        } else {
            line.to_string()
        }
    };
    let re = match RegexBuilder::new(&pattern).build() {
        Ok(re) => re,
        Err(_) => {
            out.errln("grep: Invalid regular expression");
            return 2;
        }
    };
    let (sources, mut code) = inputs(shell, "grep", &rest, input, out);
    let prefix = sources.len() > 1;
    let mut any = false;
    for (name, text) in &sources {
        let mut n = 0;
        for (lineno, line) in text.lines().enumerate() {
            if re.is_match(&fold(line)) == invert {
                continue;
            }
            n += 1;
            any = true;
            if quiet || count {
                continue;
            }
            let mut head = String::new();
            if prefix {
                head.push_str(name);
                head.push(':');
            }
            if number {
                head.push_str(&format!("{}:", lineno + 1));
            }
            if only && !invert {
                let folded = fold(line);
                for m in re.find_iter(&folded) {
                    // Lower-casing can change lengths outside ASCII: print the
                    // match from the folded line then.
                    let shown = if folded.len() == line.len() {
                        line.get(m.range()).unwrap_or(m.as_str())
                    } else {
                        m.as_str()
                    };
                    out.outln(format!("{head}{shown}"));
                }
            } else {
                out.outln(format!("{head}{line}"));
            }
        }
        if count && !quiet {
            if prefix {
                out.outln(format!("{name}:{n}"));
            } else {
                out.outln(n.to_string());
            }
        }
    }
    if code == 0 {
        code = if any { 0 } else { 1 };
    } else if quiet && any {
        code = 0;
    }
    code
}

#[inline(never)]
fn head_tail(shell: &mut Shell, tool: &str, args: &[String], input: &str, out: &mut Output) -> i32 {
    let mut n: usize = 10;
    let mut from_start = false;
    let mut bytes = false;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let value = |v: &str, out: &mut Output| -> Option<(usize, bool)> {
            let plus = v.starts_with('+');
            match v.trim_start_matches(['+', '-']).parse::<usize>() {
                Ok(n) => Some((n, plus)),
                Err(_) => {
                    out.errln(format!("{tool}: invalid number of lines: '{v}'"));
                    None
                }
            }
        };
        if a == "-n" || a == "-c" {
            bytes = a == "-c";
            let Some(v) = args.get(i + 1) else {
                out.errln(format!("{tool}: option requires an argument -- '{}'", &a[1..]));
                return 1;
            };
            match value(v, out) {
                Some((v, plus)) => {
                    n = v;
                    from_start = plus;
                }
                None => return 1,
            }
            i += 1;
        } else if let Some(v) = a.strip_prefix("-n").or_else(|| a.strip_prefix("--lines=")) {
            match value(v, out) {
                Some((v, plus)) => {
                    n = v;
                    from_start = plus;
                }
                None => return 1,
            }
        } else if a == "-f" || a == "-F" || a == "--follow" {
            out.errln(format!("{tool}: following a file is not supported in this playground"));
        } else if a.starts_with('-') && a.len() > 1 && a[1..].chars().all(|c| c.is_ascii_digit()) {
            n = a[1..].parse().unwrap_or(10);
        } else if a.starts_with('-') && a.len() > 1 {
            out.errln(format!("{tool}: invalid option -- '{}'", &a[1..]));
            return 1;
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let (sources, code) = inputs(shell, tool, &files, input, out);
    let headers = sources.len() > 1;
    for (idx, (name, text)) in sources.iter().enumerate() {
        if headers {
            if idx > 0 {
                out.outln("");
            }
            out.outln(format!("==> {name} <=="));
        }
        if bytes {
            let b = text.as_bytes();
            let slice = if tool == "head" {
                &b[..n.min(b.len())]
            } else {
                &b[b.len().saturating_sub(n)..]
            };
            out.out(String::from_utf8_lossy(slice).into_owned());
            continue;
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let chosen: &[&str] = if tool == "head" {
            &lines[..n.min(lines.len())]
        } else if from_start {
            &lines[n.saturating_sub(1).min(lines.len())..]
        } else {
            &lines[lines.len().saturating_sub(n)..]
        };
        out.out(chosen.concat());
    }
    code
}

#[inline(never)]
fn wc(shell: &mut Shell, args: &[String], input: &str, out: &mut Output) -> i32 {
    let mut show = [false; 3];
    let mut files = Vec::new();
    for a in args {
        if a.starts_with('-') && a.len() > 1 {
            for c in a[1..].chars() {
                match c {
                    'l' => show[0] = true,
                    'w' => show[1] = true,
                    'c' | 'm' => show[2] = true,
                    other => {
                        out.errln(format!("wc: invalid option -- '{other}'"));
                        return 1;
                    }
                }
            }
        } else {
            files.push(a.clone());
        }
    }
    if !show.iter().any(|s| *s) {
        show = [true; 3];
    }
    let (sources, code) = inputs(shell, "wc", &files, input, out);
    let counts: Vec<[usize; 3]> = sources
        .iter()
        .map(|(_, t)| [t.matches('\n').count(), t.split_whitespace().count(), t.len()])
        .collect();
    let single = show.iter().filter(|s| **s).count() == 1;
    let width = if single && files.len() <= 1 {
        1
    } else if files.is_empty() {
        7
    } else {
        let total: usize = counts.iter().map(|c| c[2]).sum();
        total.to_string().len()
    };
    let line = |c: &[usize; 3], name: Option<&str>| {
        let mut parts: Vec<String> = (0..3)
            .filter(|i| show[*i])
            .map(|i| format!("{:>width$}", c[i]))
            .collect();
        if let Some(n) = name {
            parts.push(n.to_string());
        }
        parts.join(" ")
    };
    for (i, (name, _)) in sources.iter().enumerate() {
        let shown = if files.is_empty() { None } else { Some(name.as_str()) };
        out.outln(line(&counts[i], shown));
    }
    if sources.len() > 1 {
        let mut total = [0usize; 3];
        for c in &counts {
            for i in 0..3 {
                total[i] += c[i];
            }
        }
        out.outln(line(&total, Some("total")));
    }
    code
}

#[inline(never)]
fn sort(args: &[String], input: &str, out: &mut Output) -> i32 {
    let flags: String = args.iter().filter(|a| a.starts_with('-')).map(|a| &a[1..]).collect();
    let mut lines: Vec<&str> = input.lines().collect();
    if flags.contains('n') {
        let key = |s: &str| -> f64 {
            let t = s.trim_start();
            let end = t
                .char_indices()
                .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-')))
                .map_or(t.len(), |(i, _)| i);
            t[..end].parse().unwrap_or(0.0)
        };
        lines.sort_by(|a, b| {
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(b))
        });
    } else {
        lines.sort();
    }
    if flags.contains('r') {
        lines.reverse();
    }
    if flags.contains('u') {
        lines.dedup();
    }
    for l in lines {
        out.outln(l);
    }
    0
}

#[inline(never)]
fn uniq(args: &[String], input: &str, out: &mut Output) -> i32 {
    let counts = args.iter().any(|a| a == "-c");
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for line in input.lines() {
        match groups.last_mut() {
            Some((l, n)) if *l == line => *n += 1,
            _ => groups.push((line, 1)),
        }
    }
    for (l, n) in groups {
        if counts {
            out.outln(format!("{n:>7} {l}"));
        } else {
            out.outln(l);
        }
    }
    0
}

/// The most lines `seq` prints here (a tutorial never needs more).
const SEQ_MAX_LINES: i64 = 100_000;

#[inline(never)]
fn seq(args: &[String], out: &mut Output) -> i32 {
    let nums: Result<Vec<i64>, &String> = args.iter().map(|a| a.parse::<i64>().map_err(|_| a)).collect();
    let nums = match nums {
        Ok(n) => n,
        Err(bad) => {
            out.errln(format!(
                "seq: invalid floating point argument: '{bad}'\nTry 'seq --help' for more information."
            ));
            return 1;
        }
    };
    let (first, step, last) = match nums.as_slice() {
        [l] => (1, 1, *l),
        [f, l] => (*f, 1, *l),
        [f, s, l] => (*f, *s, *l),
        _ => {
            out.errln("seq: missing operand\nTry 'seq --help' for more information.");
            return 1;
        }
    };
    if step == 0 {
        out.errln("seq: invalid Zero increment value: '0'\nTry 'seq --help' for more information.");
        return 1;
    }
    let mut text = String::new();
    let mut x = first;
    let mut n = 0;
    while (step > 0 && x <= last) || (step < 0 && x >= last) {
        if n == SEQ_MAX_LINES {
            out.errln(format!("seq: stopped after {SEQ_MAX_LINES} lines (kafkaplay's limit)"));
            break;
        }
        text.push_str(&x.to_string());
        text.push('\n');
        n += 1;
        x = match x.checked_add(step) {
            Some(v) => v,
            None => break,
        };
    }
    out.out(text);
    0
}

#[inline(never)]
fn export(shell: &mut Shell, args: &[String], out: &mut Output) -> i32 {
    let names: Vec<&String> = args.iter().filter(|a| *a != "-p").collect();
    if names.is_empty() {
        for (k, v) in shell.session().vars.iter().filter(|(_, v)| v.exported) {
            out.outln(format!("declare -x {k}=\"{}\"", v.value.replace('"', "\\\"")));
        }
        return 0;
    }
    let mut code = 0;
    for a in names {
        let (name, value) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let valid = name.chars().next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
        if !valid {
            out.errln(format!("bash: export: `{a}': not a valid identifier"));
            code = 1;
            continue;
        }
        let value = value
            .or_else(|| shell.session().vars.get(&name).map(|v| v.value.clone()))
            .unwrap_or_default();
        shell.session_mut().vars.insert(name, Var { value, exported: true });
    }
    code
}

#[inline(never)]
fn history(shell: &mut Shell, args: &[String], out: &mut Output) -> i32 {
    if args.first().is_some_and(|a| a == "-c") {
        shell.history.clear();
        return 0;
    }
    let skip = match args.first().and_then(|a| a.parse::<usize>().ok()) {
        Some(n) => shell.history.len().saturating_sub(n),
        None => 0,
    };
    for (i, line) in shell.history.iter().enumerate().skip(skip) {
        out.outln(format!("{:>5}  {line}", i + 1));
    }
    0
}

/// `sleep 1`, `sleep 0.5`, `sleep 2s`, `sleep 1m`: simulated time passes.
#[inline(never)]
fn sleep(shell: &mut Shell, args: &[String], out: &mut Output) -> i32 {
    if args.is_empty() {
        out.errln("sleep: missing operand\nTry 'sleep --help' for more information.");
        return 1;
    }
    let mut total: i64 = 0;
    for a in args {
        match parse_duration_ms(a, 1000) {
            Some(ms) => total = total.saturating_add(ms),
            None => {
                out.errln(format!(
                    "sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information."
                ));
                return 1;
            }
        }
    }
    if total > SLEEP_MAX_MS {
        out.errln("kafkaplay: sleep is capped at 1 h of simulated time (kafkaplay advance goes further)");
    }
    shell.world.sim.run_for(total.min(SLEEP_MAX_MS));
    0
}

/// The longest `sleep` (simulating time costs real time too).
pub const SLEEP_MAX_MS: i64 = 3_600_000;

/// The longest `kafkaplay advance`.
pub const ADVANCE_MAX_MS: i64 = 24 * 3_600_000;

/// `1.5`, `500ms`, `10s`, `2m`, `1h`, `1d` in milliseconds; a bare number is
/// in `unit_ms`.
pub fn parse_duration_ms(s: &str, unit_ms: i64) -> Option<i64> {
    let (number, unit) = match s.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let value: f64 = number.parse().ok()?;
    let scale = match unit {
        "" => unit_ms as f64,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    let ms = value * scale;
    (0.0..1e15).contains(&ms).then_some(ms as i64)
}

#[inline(never)]
fn mkdir(shell: &mut Shell, args: &[String], out: &mut Output) -> i32 {
    let parents = args.iter().any(|a| a == "-p");
    let mut code = 0;
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let path = shell.world.absolute_path(a);
        if shell.world.path_kind(&path).is_some() {
            if !parents {
                out.errln(format!("mkdir: cannot create directory '{a}': File exists"));
                code = 1;
            }
            continue;
        }
        if !parents && shell.world.path_kind(&crate::fs::parent_of(&path)) != Some(Kind::Dir) {
            out.errln(format!(
                "mkdir: cannot create directory '{a}': No such file or directory"
            ));
            code = 1;
            continue;
        }
        let machine = shell.world.host;
        shell.world.fs.mkdir_on(machine, &path);
    }
    code
}

#[inline(never)]
fn rm(shell: &mut Shell, args: &[String], out: &mut Output) -> i32 {
    let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
    let mut code = 0;
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let machine = shell.world.host;
        let path = shell.world.absolute_path(a);
        if !shell.world.fs.remove_on(machine, &path) {
            let reason = match shell.world.path_kind(&path) {
                Some(Kind::Dir) => "Is a directory",
                Some(Kind::File) => "Permission denied",
                None if force => continue,
                None => "No such file or directory",
            };
            out.errln(format!("rm: cannot remove '{a}': {reason}"));
            code = 1;
        }
    }
    code
}

#[inline(never)]
fn which(shell: &mut Shell, name: &str, args: &[String], out: &mut Output) -> i32 {
    let mut code = 0;
    for a in args {
        let tool = crate::tools::lookup(a).is_some();
        let found = if SHELL_BUILTINS.contains(&a.as_str()) {
            if name == "type" {
                out.outln(format!("{a} is a shell builtin"));
                continue;
            }
            None
        } else if NAMES.contains(&a.as_str()) {
            Some(format!("/usr/bin/{a}"))
        } else if tool {
            Some(format!("{}/{a}", crate::views::tools_dir(shell.world.flavour)))
        } else if shell.session().machine.is_none() && matches!(a.as_str(), "docker" | "docker-compose" | "kafkaplay") {
            Some(format!("/usr/bin/{a}"))
        } else {
            None
        };
        match found {
            Some(path) if name == "type" => out.outln(format!("{a} is {path}")),
            Some(path) => out.outln(path),
            None => {
                if name == "type" {
                    out.errln(format!("bash: type: {a}: not found"));
                }
                code = 1;
            }
        }
    }
    code
}

#[inline(never)]
fn help(shell: &Shell, out: &mut Output) {
    let tools = crate::tools::names();
    let tool_names: Vec<String> = tools
        .iter()
        .map(|t| crate::views::tool_file_name(shell.world.flavour, t))
        .collect();
    out.outln("kafkaplay shell: bash-like commands over a simulated Kafka cluster.");
    out.outln("");
    out.outln("Kafka's tools:");
    for line in columns(&tool_names, 78) {
        out.outln(format!("  {line}"));
    }
    out.outln("");
    out.outln("Docker (on the learner's machine):");
    out.outln("  docker compose up -d | down | ps | logs | stop | start | restart");
    out.outln("  docker ps [-a], docker stop|start|restart|kill|pause|unpause NAME, docker logs NAME");
    out.outln("  docker exec -it NAME bash (exit leaves it), docker exec NAME COMMAND...");
    out.outln("");
    out.outln(
        "Playground: kafkaplay status | partition | heal | slow | advance | seed | export-compose (kafkaplay --help)",
    );
    out.outln("");
    out.outln("Shell commands:");
    let mut names: Vec<String> = NAMES
        .iter()
        .chain(SHELL_BUILTINS.iter())
        .map(|s| s.to_string())
        .collect();
    names.sort();
    for line in columns(&names, 78) {
        out.outln(format!("  {line}"));
    }
    out.outln("");
    out.outln("Quotes, $VAR and ${VAR}, $?, ;, &&, ||, pipes (|), < file, > file, >> file, 2>&1, 2>/dev/null,");
    out.outln("heredocs (<<EOF), $(...), {1..10}, globs and `for i in ...; do ...; done` work as in bash.");
    out.outln("Tab completes commands, options, topics and groups.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_top_to_bottom() {
        let names: Vec<String> = ["a", "bb", "c", "dd", "e"].iter().map(|s| s.to_string()).collect();
        assert_eq!(columns(&names, 80), vec!["a  bb  c  dd  e"]);
        assert_eq!(columns(&names, 6), vec!["a   dd", "bb  e", "c"]);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("1.5", 1000), Some(1500));
        assert_eq!(parse_duration_ms("500ms", 1000), Some(500));
        assert_eq!(parse_duration_ms("2m", 1000), Some(120_000));
        assert_eq!(parse_duration_ms("x", 1000), None);
        assert_eq!(parse_duration_ms("-1", 1000), None);
    }

    #[test]
    fn date_is_utc() {
        assert_eq!(date(1_700_000_000_000), "Tue Nov 14 22:13:20 UTC 2023");
    }

    #[test]
    fn basic_regex_operators_need_backslashes() {
        assert_eq!(bre_to_ere("a+b"), "a\\+b");
        assert_eq!(bre_to_ere("a\\|b"), "a|b");
    }
}
