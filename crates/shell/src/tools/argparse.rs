//! What the argparse4j 0.7.0 tools (producer perf test, metadata quorum) print
//! for an argument error: the usage, then `prog: error: message` wrapped and
//! justified at 75 columns (`TextHelper.wrap`/`adjustSpace`), then for an
//! unknown flag the `Did you mean:` candidates.

use crate::output::Output;
use crate::tool::Exit;

use super::jopt::line_break_words;

/// `ArgumentParsers.DEFAULT_FORMAT_WIDTH` (no terminal to measure).
const WIDTH: usize = 75;

/// `TextHelper.wrap(counter, s, width, 0, "", "")`.
pub fn wrap(s: &str) -> String {
    let mut res = String::new();
    let mut sb = String::new();
    let mut current = 0;
    for sub in line_break_words(s) {
        let w = sub.chars().count();
        current += w;
        if current > WIDTH {
            res.push_str(&adjust_space(&sb, current - w));
            res.push('\n');
            sb.clear();
            current = w;
        }
        sb.push_str(sub);
        if sub.ends_with('\n') {
            res.push_str(&sb);
            sb.clear();
            current = 0;
        }
    }
    res.push_str(&sb);
    res
}

/// `TextHelper.adjustSpace`: trims the line, then widens its blocks of spaces
/// to fill the width, the extra ones in the middle blocks.
fn adjust_space(line: &str, current: usize) -> String {
    let trimmed = line.trim_matches(' ');
    let current = current - (line.chars().count() - trimmed.chars().count());
    let blocks = trimmed
        .as_bytes()
        .windows(2)
        .filter(|w| w[0] != b' ' && w[1] == b' ')
        .count();
    if blocks == 0 {
        return trimmed.to_string();
    }
    let need = WIDTH.saturating_sub(current);
    let (each, rem) = (need / blocks, need % blocks);
    let rem_start = (blocks - rem).div_ceil(2);
    let rem_end = rem_start + rem;
    let mut out = String::new();
    let mut in_block = false;
    let mut b = 0;
    for c in trimmed.chars() {
        if c == ' ' {
            if !in_block {
                in_block = true;
                let add = each + usize::from(rem_start <= b && b < rem_end);
                out.push_str(&" ".repeat(add));
                b += 1;
            }
        } else {
            in_block = false;
        }
        out.push(c);
    }
    out
}

/// `parser.handleError(e)` on stderr, exit 1. `flags` are the parser's long
/// flags, for the candidates of an unrecognized one.
pub fn error(out: &mut Output, prog: &str, usage: &str, message: &str, unknown: Option<&str>, flags: &[&str]) -> Exit {
    out.err(usage);
    out.err(wrap(&format!("{prog}: error: {message}\n")));
    if let Some(body) = unknown.and_then(|u| u.strip_prefix("--").or_else(|| u.strip_prefix('-'))) {
        if body.chars().count() >= 2 {
            let mut candidates: Vec<(usize, &str)> = flags
                .iter()
                .filter_map(|f| {
                    let b = f.trim_start_matches('-');
                    (b.len() > 1).then(|| (if b.starts_with(body) { 0 } else { levenshtein(body, b) }, *f))
                })
                .collect();
            candidates.sort();
            if let Some(&(threshold, _)) = candidates.first() {
                if threshold < 7 {
                    out.err("\nDid you mean:\n");
                    for (s, f) in candidates {
                        if s > threshold {
                            break;
                        }
                        out.err(format!("\t{f}\n"));
                    }
                }
            }
        }
    }
    Exit::Code(1)
}

/// argparse4j's weighted Damerau-Levenshtein (git's costs: swap 0,
/// substitution 2, insertion 1, deletion 4).
fn levenshtein(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (swap, sub, add, del) = (0, 2, 1, 4);
    let mut rows = [
        vec![0; b.len() + 1],
        (0..=b.len()).collect::<Vec<_>>(),
        vec![0; b.len() + 1],
    ];
    for i in 1..=a.len() {
        rows[0][0] = i;
        for j in 1..=b.len() {
            let mut v = rows[1][j - 1] + if a[i - 1] == b[j - 1] { 0 } else { sub };
            if i >= 2 && j >= 2 && a[i - 1] != b[j - 1] && a[i - 2] == b[j - 1] && a[i - 1] == b[j - 2] {
                v = v.min(rows[2][j - 2] + swap);
            }
            v = v.min((rows[1][j] + del).min(rows[0][j - 1] + add));
            rows[0][j] = v;
        }
        // The row just computed becomes the previous one, and so on.
        rows.rotate_right(1);
    }
    rows[1][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn justified_like_argparse4j() {
        // argparse4j 0.7.0's own output for these messages.
        assert_eq!(
            wrap("producer-performance: error: argument --payload-monotonic: not allowed with argument --record-size\n"),
            "producer-performance:  error:  argument  --payload-monotonic:  not  allowed\nwith argument --record-size\n"
        );
        assert_eq!(
            wrap("producer-performance: error: one of the arguments --record-size --payload-file --payload-monotonic is required\n"),
            "producer-performance: error: one of  the arguments --record-size --payload-\nfile --payload-monotonic is required\n"
        );
        assert_eq!(
            wrap("producer-performance: error: argument --num-records: could not convert 'x' to Long (For input string: \"x\")\n"),
            "producer-performance: error: argument --num-records:  could not convert 'x'\nto Long (For input string: \"x\")\n"
        );
        assert_eq!(levenshtein("abc", "abc"), 0);
        assert_eq!(levenshtein("ab", "abc"), 1);
        assert_eq!(levenshtein("abc", "ab"), 4);
    }
}
