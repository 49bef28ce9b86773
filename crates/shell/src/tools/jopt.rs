//! A jopt-simple 5.0.4 work-alike: the option parser every Kafka tool uses, with
//! its error messages and its usage text (`BuiltinHelpFormatter`, 80 columns).
//!
//! Parsing follows `OptionParser`: `--name value`, `--name=value`, unique
//! abbreviations of long names, `-name` when `name` is a known long option, and
//! `--` to end the options. Everything else is a non-option argument, which
//! Kafka's tools ignore.

use kafkaplay_flatmap::FlatMap;

/// What an option takes after it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Takes {
    Nothing,
    /// `withRequiredArg()` (`true`) or `withOptionalArg()` (`false`), with its
    /// `describedAs` text and `ofType` short name.
    Argument {
        required: bool,
        described_as: &'static str,
        type_name: &'static str,
    },
}

/// An option's description, shown only by [`Parser::help`].
#[derive(Debug, Clone)]
pub enum Description {
    Text(String),
    /// Written when the help is: the tools that the docs widget runs at
    /// start (`kafka-topics`, `kafka-console-producer`) describe their
    /// options so, and its split (`cargo xtask split-data`) then leaves
    /// their help texts, which only these functions name, out of the
    /// start-up module.
    Later(fn() -> String),
}

impl Description {
    fn text(&self) -> String {
        match self {
            Description::Text(t) => t.clone(),
            Description::Later(f) => f(),
        }
    }
}

impl From<&str> for Description {
    fn from(text: &str) -> Self {
        Description::Text(text.to_string())
    }
}

impl From<&String> for Description {
    fn from(text: &String) -> Self {
        Description::Text(text.clone())
    }
}

/// A description written when the help is ([`Description::Later`]).
pub fn later(describe: fn() -> String) -> Description {
    Description::Later(describe)
}

#[derive(Debug, Clone)]
struct Spec {
    name: &'static str,
    description: Description,
    takes: Takes,
    defaults: Vec<String>,
}

/// A parser with its options (`--help` and `--version` are always there, as in
/// Kafka's `CommandDefaultOptions`).
#[derive(Debug, Clone)]
pub struct Parser {
    specs: Vec<Spec>,
}

/// The options found on a command line, with their arguments in order.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    values: FlatMap<&'static str, Vec<String>>,
    defaults: FlatMap<&'static str, Vec<String>>,
    /// Arguments that are not options.
    pub non_options: Vec<String>,
    /// How many arguments the tool was given.
    pub arg_count: usize,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The option's (first) argument, else its default.
    pub fn value(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .or_else(|| self.defaults.get(name).and_then(|v| v.first()))
            .cloned()
    }

    /// Every argument given to a repeatable option (`--config a=1 --config b=2`).
    pub fn values(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }

    /// The argument as a number; only call for options declared with a number
    /// type (the parser already checked it).
    pub fn number(&self, name: &str) -> Option<i64> {
        self.value(name).and_then(|v| parse_java_long(&v))
    }
}

/// `Long.valueOf`: an optional sign and decimal digits.
pub fn parse_java_long(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.starts_with('+') || digits.is_empty() {
        return None;
    }
    digits.parse().ok()
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl Parser {
    pub fn new() -> Parser {
        let mut p = Parser { specs: Vec::new() };
        p.flag("help", "Print usage information.");
        p.flag("version", "Display Kafka version.");
        p
    }

    /// An option without an argument (`parser.accepts(name, description)`).
    pub fn flag(&mut self, name: &'static str, description: impl Into<Description>) -> &mut Self {
        self.specs.push(Spec {
            name,
            description: description.into(),
            takes: Takes::Nothing,
            defaults: Vec::new(),
        });
        self
    }

    /// `.withRequiredArg().describedAs(described_as).ofType(type_name)`; an
    /// empty `described_as` means no `describedAs`.
    pub fn arg(
        &mut self,
        name: &'static str,
        description: impl Into<Description>,
        described_as: &'static str,
        type_name: &'static str,
    ) -> &mut Self {
        self.specs.push(Spec {
            name,
            description: description.into(),
            takes: Takes::Argument {
                required: true,
                described_as,
                type_name,
            },
            defaults: Vec::new(),
        });
        self
    }

    /// `.withOptionalArg()`.
    pub fn optional_arg(
        &mut self,
        name: &'static str,
        description: impl Into<Description>,
        described_as: &'static str,
        type_name: &'static str,
    ) -> &mut Self {
        self.arg(name, description, described_as, type_name);
        if let Some(Takes::Argument { required, .. }) = self.specs.last_mut().map(|s| &mut s.takes) {
            *required = false;
        }
        self
    }

    /// `.defaultsTo(value)` on the option declared last.
    pub fn default(&mut self, value: &str) -> &mut Self {
        if let Some(s) = self.specs.last_mut() {
            s.defaults.push(value.to_string());
        }
        self
    }

    fn find(&self, name: &str) -> Option<&Spec> {
        if let Some(s) = self.specs.iter().find(|s| s.name == name) {
            return Some(s);
        }
        // Unique abbreviations of long names (AbbreviationMap).
        let mut matches = self.specs.iter().filter(|s| s.name.starts_with(name));
        match (matches.next(), matches.next()) {
            (Some(s), None) if !name.is_empty() => Some(s),
            _ => None,
        }
    }

    /// Parses `args`, or returns jopt-simple's exception message.
    pub fn parse(&self, args: &[String]) -> Result<Parsed, String> {
        let mut parsed = Parsed {
            arg_count: args.len(),
            ..Parsed::default()
        };
        for s in &self.specs {
            if !s.defaults.is_empty() {
                parsed.defaults.insert(s.name, s.defaults.clone());
            }
        }
        let mut i = 0;
        while i < args.len() {
            let token = &args[i];
            i += 1;
            if token == "--" {
                parsed.non_options.extend(args[i..].iter().cloned());
                break;
            }
            let body = if let Some(long) = token.strip_prefix("--") {
                long
            } else if let Some(short) = token.strip_prefix('-').filter(|s| !s.is_empty()) {
                let key = short.split('=').next().unwrap_or(short);
                if self.find(key).is_none() {
                    let first = short.chars().next().map(String::from).unwrap_or_default();
                    return Err(format!("{first} is not a recognized option"));
                }
                short
            } else {
                parsed.non_options.push(token.clone());
                continue;
            };
            let (key, inline) = match body.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (body, None),
            };
            let Some(spec) = self.find(key) else {
                return Err(format!("{key} is not a recognized option"));
            };
            let value = match &spec.takes {
                Takes::Nothing => None,
                Takes::Argument { required: true, .. } => match inline {
                    Some(v) => Some(v),
                    None if i < args.len() => {
                        i += 1;
                        Some(args[i - 1].clone())
                    }
                    None => return Err(format!("Option {} requires an argument", spec.name)),
                },
                Takes::Argument { required: false, .. } => match inline {
                    Some(v) => Some(v),
                    None if i < args.len() && !args[i].starts_with('-') => {
                        i += 1;
                        Some(args[i - 1].clone())
                    }
                    None => None,
                },
            };
            let entry = parsed.values.entry(spec.name).or_default();
            if let Some(v) = value {
                if let Takes::Argument { type_name, .. } = &spec.takes {
                    if !converts(type_name, &v) {
                        return Err(format!("Cannot parse argument '{v}' of option {}", spec.name));
                    }
                }
                entry.push(v);
            }
        }
        Ok(parsed)
    }

    /// `parser.printHelpOn(...)`: the usage table.
    pub fn help(&self) -> String {
        let mut specs: Vec<&Spec> = self.specs.iter().collect();
        specs.sort_by(|a, b| a.name.cmp(b.name));
        let mut rows = vec![
            ("Option".to_string(), "Description".to_string()),
            ("------".to_string(), "-----------".to_string()),
        ];
        for s in specs {
            let mut left = format!("--{}", s.name);
            if let Takes::Argument {
                required,
                described_as,
                type_name,
            } = &s.takes
            {
                let (open, close) = if *required { ('<', '>') } else { ('[', ']') };
                left.push(' ');
                left.push(open);
                left.push_str(type_name);
                if !described_as.is_empty() {
                    left.push_str(": ");
                    left.push_str(described_as);
                }
                left.push(close);
            }
            let right = if s.defaults.is_empty() {
                s.description.text()
            } else {
                let shown = if s.defaults.len() == 1 {
                    s.defaults[0].clone()
                } else {
                    format!("[{}]", s.defaults.join(", "))
                };
                format!("{} (default: {shown})", s.description.text())
                    .trim()
                    .to_string()
            };
            rows.push((left, right));
        }
        render_rows(&rows, 80, 2)
    }
}

fn converts(type_name: &str, v: &str) -> bool {
    match type_name {
        "Integer" => parse_java_long(v).is_some_and(|n| i32::try_from(n).is_ok()),
        "Long" => parse_java_long(v).is_some(),
        "Double" => v.trim() == v && !v.is_empty() && v.parse::<f64>().is_ok(),
        // An enum's `valuePattern()`, e.g. `[PREFERRED,UNCLEAN]` (EnumConverter).
        t if t.starts_with('[') && t.ends_with(']') => t[1..t.len() - 1].split(',').any(|c| c.eq_ignore_ascii_case(v)),
        _ => true,
    }
}

/// `joptsimple.internal.Rows`: fit every row into the two columns, then pad.
fn render_rows(rows: &[(String, String)], overall: usize, separator: usize) -> String {
    let widths = |rows: &[(String, String)]| {
        let widest_option = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let widest_description = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
        let option = ((overall - separator) / 2).min(widest_option);
        let description = (overall - option - separator).min(widest_description);
        (option, description)
    };
    let (option_width, description_width) = widths(rows);
    let mut fitted = Vec::new();
    for (option, description) in rows {
        let options = pieces_of(option, option_width);
        let descriptions = pieces_of(description, description_width);
        for i in 0..options.len().max(descriptions.len()) {
            fitted.push((
                options.get(i).cloned().unwrap_or_default(),
                descriptions.get(i).cloned().unwrap_or_default(),
            ));
        }
    }
    let (option_width, description_width) = widths(&fitted);
    let mut out = String::new();
    for (option, description) in &fitted {
        pad(&mut out, option, option_width);
        out.push_str(&" ".repeat(separator));
        pad(&mut out, description, description_width);
        out.push('\n');
    }
    out
}

fn pad(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    out.push_str(&" ".repeat(width.saturating_sub(s.chars().count())));
}

/// `Columns.piecesOf`: split on newlines, then wrap each line at word breaks,
/// continuation pieces indented by two spaces.
fn pieces_of(raw: &str, width: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let trimmed = raw.trim_matches(|c: char| c <= ' ');
    let mut lines: Vec<&str> = trimmed.split('\n').collect();
    while lines.len() > 1 && lines.last() == Some(&"") {
        lines.pop();
    }
    for line in lines {
        let mut next = String::new();
        for word in line_break_words(line) {
            if next.chars().count() + word.chars().count() > width {
                pieces.push(next.trim_end().to_string());
                next = format!("  {word}");
            } else {
                next.push_str(word);
            }
        }
        if !next.is_empty() {
            pieces.push(next);
        }
    }
    pieces
}

/// The segments between line-break opportunities, as the JDK's
/// `BreakIterator.getLineInstance()` finds them in ASCII text (checked against
/// the JDK): after spaces and tabs (which stay with the word before them);
/// after `-` between word characters; after `.` and `,` unless digits stand on
/// both sides; after `:`, `;`, `!`, `?`, `%`, `)` and `]` before a letter or
/// digit; and before `(` and `[` that follow a non-space.
pub(crate) fn line_break_words(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len() {
        let Some(&n) = bytes.get(i + 1) else { break };
        let c = bytes[i];
        let prev = i.checked_sub(1).map(|j| bytes[j]);
        let space = |b: u8| b == b' ' || b == b'\t';
        let alnum = |b: u8| b.is_ascii_alphanumeric();
        let boundary = if space(c) {
            !space(n)
        } else if space(n) {
            false
        } else {
            match c {
                // A leading `-` before a digit is a sign: `-1` stays whole.
                b'-' => {
                    n != b'-' && !(start == i && (n.is_ascii_digit() || n == b'(')) && prev.is_some_and(|p| !space(p))
                }
                b'.' | b',' => {
                    (alnum(n) && !(n.is_ascii_digit() && prev.is_some_and(|p| p.is_ascii_digit())))
                        || ((n == b'(' || n == b'[') && prev.is_some_and(|p| !space(p)))
                }
                b':' | b';' => alnum(n) || matches!(n, b'/' | b'(' | b'[' | b'-'),
                // After a signed number (`-3>`).
                b'0'..=b'9' if n == b'>' => bytes[start] == b'-',
                b'!' | b'?' | b'%' => alnum(n) || n == b'(' || n == b'[',
                b')' | b']' => alnum(n) || matches!(n, b'(' | b'[' | b'-'),
                _ => (n == b'(' || n == b'[') && !matches!(c, b'(' | b'[' | b'"' | b'\''),
            }
        };
        if boundary {
            words.push(&line[start..=i]);
            start = i + 1;
        }
    }
    if start < line.len() {
        words.push(&line[start..]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_like_jopt_simple() {
        let mut p = Parser::new();
        p.flag("list", "List.")
            .arg("topic", "The topic.", "topic", "String")
            .arg("topic-id", "Id.", "topic-id", "String")
            .arg("partitions", "N.", "# of partitions", "Integer");
        let o = p.parse(&args("--li --topic a --partitions=3 x -topic b")).unwrap();
        assert!(o.has("list"));
        assert_eq!(o.values("topic"), vec!["a", "b"]);
        assert_eq!(o.number("partitions"), Some(3));
        assert_eq!(o.non_options, vec!["x"]);
        assert_eq!(p.parse(&args("--top a")).unwrap_err(), "top is not a recognized option");
        assert_eq!(p.parse(&args("--foo")).unwrap_err(), "foo is not a recognized option");
        assert_eq!(
            p.parse(&args("--topic")).unwrap_err(),
            "Option topic requires an argument"
        );
        assert_eq!(
            p.parse(&args("--partitions x")).unwrap_err(),
            "Cannot parse argument 'x' of option partitions"
        );
        assert_eq!(
            p.parse(&args("--partitions 99999999999")).unwrap_err(),
            "Cannot parse argument '99999999999' of option partitions"
        );
    }

    #[test]
    fn wraps_at_hyphens_and_spaces() {
        assert_eq!(
            line_break_words("with a --bootstrap-server option, -1"),
            vec!["with ", "a ", "--", "bootstrap-", "server ", "option, ", "-1"]
        );
        // What the JDK's line BreakIterator gives for these (checked with jshell).
        let jdk = |s: &str| line_break_words(s).join("|");
        assert_eq!(jdk("(default: -1) a -1 x)(y"), "(default: |-1) |a |-1 |x)|(y");
        assert_eq!(
            jdk("'k1=v1,k2=[v1,v2,v2],k3=v3' host1:9091,host2:9092 a/b"),
            "'k1=v1,|k2=|[v1,|v2,|v2],|k3=v3' |host1:|9091,|host2:|9092 |a/b"
        );
        assert_eq!(
            jdk("1.a a.1 e.g. 8.1 X.Y 2:a y-2 --z (a-b)"),
            "1.|a |a.|1 |e.|g. |8.1 |X.|Y |2:|a |y-|2 |--|z |(a-|b)"
        );
        assert_eq!(
            jdk("topic5:-3> a3>b a:-b 5-, x-3 =-x"),
            "topic5:|-3|> |a3>b |a:|-|b |5-|, |x-|3 |=-|x"
        );
        assert_eq!(
            pieces_of(
                "DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.",
                38
            ),
            vec![
                "DEPRECATED, use --bootstrap-server",
                "  instead; ignored if --bootstrap-",
                "  server is specified."
            ]
        );
    }
}
