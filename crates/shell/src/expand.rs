//! Word expansion, as bash does it before running a command: `$VAR`,
//! `${VAR}`, `${VAR:-default}`, `$?`, `$(...)`, `~`, brace expansion
//! (`{1..10}`, `{a,b}`), field splitting of unquoted expansions, and globbing
//! (`*`, `?`) against the virtual filesystem.

use crate::output::Output;
use crate::shell::{Shell, Var};
use crate::syntax::{self, Part, Word};
use crate::views;

impl Shell {
    pub(crate) fn var(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.last_status().to_string()),
            "$" => Some("4242".to_string()),
            "#" => Some("0".to_string()),
            "0" => Some("bash".to_string()),
            "PWD" => Some(self.session().cwd.clone()),
            _ => self.session().vars.get(name).map(|v| v.value.clone()),
        }
    }

    pub(crate) fn set_var(&mut self, name: &str, value: String) {
        let exported = self.session().vars.get(name).is_some_and(|v| v.exported);
        self.session_mut()
            .vars
            .insert(name.to_string(), Var { value, exported });
    }

    fn home(&self) -> String {
        self.var("HOME")
            .unwrap_or_else(|| views::home_of(&self.world, self.session().machine).to_string())
    }

    /// Expands a word into fields: variables, `$(...)`, `~`, field splitting
    /// of unquoted expansions, and globbing of unquoted `*`/`?`.
    pub(crate) fn expand_word(&mut self, word: &Word, out: &mut Output) -> Result<Vec<String>, String> {
        let braced = brace_expand(word);
        if braced.len() != 1 || braced[0] != *word {
            let mut fields = Vec::new();
            for w in braced {
                fields.extend(self.expand_fields(&w, out)?);
            }
            return Ok(fields);
        }
        self.expand_fields(word, out)
    }

    fn expand_fields(&mut self, word: &Word, out: &mut Output) -> Result<Vec<String>, String> {
        let mut fields: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut has = false;
        let mut glob = false;
        for part in word {
            let (value, quoted) = match part {
                Part::Lit { text, quoted } => {
                    if !quoted && text.contains(['*', '?']) {
                        glob = true;
                    }
                    current.push_str(text);
                    has |= *quoted || !text.is_empty();
                    continue;
                }
                Part::Tilde => {
                    current.push_str(&self.home());
                    has = true;
                    continue;
                }
                Part::Var { name, quoted, default } => {
                    let value = match (self.var(name), default) {
                        (Some(v), Some(d)) if v.is_empty() => d.clone(),
                        (Some(v), _) => v,
                        (None, Some(d)) => d.clone(),
                        (None, None) => String::new(),
                    };
                    (value, *quoted)
                }
                Part::Command { source, quoted } => (self.command_output(source, out), *quoted),
            };
            if quoted {
                current.push_str(&value);
                has = true;
                continue;
            }
            // Field splitting on blanks.
            let starts_blank = value.starts_with(char::is_whitespace);
            let ends_blank = value.ends_with(char::is_whitespace);
            let pieces: Vec<&str> = value.split_whitespace().collect();
            if starts_blank && (has || !current.is_empty()) {
                fields.push(std::mem::take(&mut current));
                has = false;
            }
            for (i, p) in pieces.iter().enumerate() {
                if i > 0 {
                    fields.push(std::mem::take(&mut current));
                }
                current.push_str(p);
                has = true;
            }
            if ends_blank && !pieces.is_empty() {
                fields.push(std::mem::take(&mut current));
                has = false;
            }
        }
        if has || !current.is_empty() {
            fields.push(current);
        }
        if glob {
            let mut expanded = Vec::new();
            for f in fields {
                let matches = self.glob(&f);
                if matches.is_empty() {
                    expanded.push(f);
                } else {
                    expanded.extend(matches);
                }
            }
            return Ok(expanded);
        }
        Ok(fields)
    }

    /// A word that must stay one field (a redirection target, an assignment).
    pub(crate) fn expand_single(&mut self, word: &Word, out: &mut Output) -> Result<String, String> {
        // Assignments and redirection targets are not split.
        let mut s = String::new();
        for part in word {
            match part {
                Part::Lit { text, .. } => s.push_str(text),
                Part::Tilde => s.push_str(&self.home()),
                Part::Var { name, default, .. } => {
                    let v = self.var(name).filter(|v| !v.is_empty());
                    s.push_str(&v.or_else(|| default.clone()).unwrap_or_default());
                }
                Part::Command { source, .. } => {
                    let v = self.command_output(source, out);
                    s.push_str(&v);
                }
            }
        }
        Ok(s)
    }

    /// `$VAR`, `${VAR}` and `$(...)` inside an unquoted heredoc body.
    pub(crate) fn expand_text(&mut self, body: &str, out: &mut Output) -> String {
        let mut result = String::new();
        for line in body.split_inclusive('\n') {
            let (content, newline) = match line.strip_suffix('\n') {
                Some(c) => (c, "\n"),
                None => (line, ""),
            };
            // Parse the line as the inside of double quotes.
            let quoted = format!("\"{}\"", content.replace('"', "\\\""));
            match syntax::parse(&format!("x {quoted}")) {
                Ok(program)
                    if program.len() == 1
                        && program[0].pipeline.commands[0]
                            .simple()
                            .is_some_and(|c| c.words.len() == 2) =>
                {
                    let word = program[0].pipeline.commands[0]
                        .simple()
                        .map(|c| c.words[1].clone())
                        .unwrap_or_default();
                    match self.expand_single(&word, out) {
                        Ok(v) => result.push_str(&v),
                        Err(_) => result.push_str(content),
                    }
                }
                _ => result.push_str(content),
            }
            result.push_str(newline);
        }
        result
    }

    /// Paths matching `pattern` (`*` and `?` in any component), sorted; empty
    /// when nothing matches.
    pub(crate) fn glob(&self, pattern: &str) -> Vec<String> {
        let absolute = pattern.starts_with('/');
        let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
        // (path as it will be printed, path to look up)
        let mut current: Vec<String> = vec![if absolute { "/".to_string() } else { String::new() }];
        for (i, component) in components.iter().enumerate() {
            let last = i + 1 == components.len();
            let mut next = Vec::new();
            for base in &current {
                let join = |name: &str| {
                    if base.is_empty() {
                        name.to_string()
                    } else if base.ends_with('/') {
                        format!("{base}{name}")
                    } else {
                        format!("{base}/{name}")
                    }
                };
                if !component.contains(['*', '?']) {
                    let path = join(component);
                    if last || self.world.path_kind(&path) == Some(views::Kind::Dir) {
                        next.push(path);
                    }
                    continue;
                }
                let dir = if base.is_empty() { "." } else { base.as_str() };
                let Ok(entries) = self.world.list_dir(dir) else {
                    continue;
                };
                for e in entries {
                    if e.name.starts_with('.') && !component.starts_with('.') {
                        continue;
                    }
                    if wildcard_match(component, &e.name) && (last || e.kind == views::Kind::Dir) {
                        next.push(join(&e.name));
                    }
                }
            }
            current = next;
            if current.is_empty() {
                return Vec::new();
            }
        }
        let mut matches: Vec<String> = current
            .into_iter()
            .filter(|p| self.world.path_kind(p).is_some())
            .map(|p| if pattern.ends_with('/') { format!("{p}/") } else { p })
            .collect();
        matches.sort();
        matches
    }
}

/// The most words one brace expansion gives.
const BRACE_MAX_WORDS: usize = 100_000;

/// Bash's brace expansion of unquoted text: `{1..5}`, `{5..1}`, `{1..10..2}`,
/// `{a..e}`, `{x,y,z}`, with a prefix and suffix (`msg-{1..3}`); several
/// braces multiply. Anything else stays as it is.
pub fn brace_expand(word: &Word) -> Vec<Word> {
    for (i, part) in word.iter().enumerate() {
        let Part::Lit { text, quoted: false } = part else {
            continue;
        };
        let Some((start, end, items)) = find_brace(text) else {
            continue;
        };
        let mut out = Vec::new();
        for item in items {
            let mut w = word.clone();
            w[i] = Part::Lit {
                text: format!("{}{item}{}", &text[..start], &text[end..]),
                quoted: false,
            };
            for expanded in brace_expand(&w) {
                if out.len() == BRACE_MAX_WORDS {
                    return out;
                }
                out.push(expanded);
            }
        }
        return out;
    }
    vec![word.clone()]
}

/// The first expandable `{...}` in `text`: its byte range and its items.
fn find_brace(text: &str) -> Option<(usize, usize, Vec<String>)> {
    let mut search = 0;
    while let Some(open) = text[search..].find('{').map(|i| i + search) {
        let close = open + text[open..].find('}')?;
        let inner = &text[open + 1..close];
        if let Some(items) = brace_items(inner) {
            return Some((open, close + 1, items));
        }
        search = open + 1;
    }
    None
}

fn brace_items(inner: &str) -> Option<Vec<String>> {
    if inner.contains('{') {
        return None;
    }
    if inner.contains(',') {
        return Some(inner.split(',').map(str::to_string).collect());
    }
    let parts: Vec<&str> = inner.split("..").collect();
    let (a, b, step) = match parts.as_slice() {
        [a, b] => (*a, *b, 1i64),
        [a, b, s] => (*a, *b, s.parse::<i64>().ok()?.checked_abs()?.max(1)),
        _ => return None,
    };
    if let (Ok(x), Ok(y)) = (a.parse::<i64>(), b.parse::<i64>()) {
        let count = ((x - y).unsigned_abs() / step as u64 + 1).min(BRACE_MAX_WORDS as u64) as usize;
        let dir = if y >= x { step } else { -step };
        return Some((0..count).map(|k| (x + dir * k as i64).to_string()).collect());
    }
    let (mut ca, mut cb) = (a.chars(), b.chars());
    match (ca.next(), ca.next(), cb.next(), cb.next()) {
        (Some(x), None, Some(y), None) if x.is_ascii_alphabetic() && y.is_ascii_alphabetic() => {
            let (x, y) = (x as u8, y as u8);
            let items: Vec<String> = if x <= y {
                (x..=y)
                    .step_by(step as usize)
                    .map(|c| (c as char).to_string())
                    .collect()
            } else {
                (y..=x)
                    .rev()
                    .step_by(step as usize)
                    .map(|c| (c as char).to_string())
                    .collect()
            };
            Some(items)
        }
        _ => None,
    }
}

/// `*` and `?` matching over characters.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.log", "00000000000000000000.log"));
        assert!(!wildcard_match("*.log", "00000000000000000000.index"));
        assert!(wildcard_match("t-?", "t-0"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYc"));
        assert!(!wildcard_match("a*b", "ac"));
    }
}
