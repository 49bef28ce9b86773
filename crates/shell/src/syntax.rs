//! The shell language, from text to a syntax tree: the lexer (words, quotes,
//! escapes, `$` expansions, operators, redirections, heredoc bodies, comments)
//! and the parser (simple commands, pipelines, `&&`/`||` lists, `;`).
//!
//! This is the part of POSIX `sh` that Kafka tutorials type, plus `for NAME in
//! WORDS; do ...; done` (to generate messages). It has no other control flow
//! (`if`, `while`, `case`), no functions, no subshells and no arithmetic: the
//! parser names such a construct in a syntax error instead of guessing.
//!
//! Input may be incomplete (an open quote, a heredoc without its delimiter line,
//! a trailing `|` or `&&`): [`parse`] says so with [`ParseError::Incomplete`], so
//! a terminal can ask for a continuation line (`> `), as bash does.

/// One piece of a word, before expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text. `quoted` text is never split or globbed.
    Lit { text: String, quoted: bool },
    /// `$NAME`, `${NAME}`, `$?`; `${NAME:-default}` carries its default.
    Var {
        name: String,
        quoted: bool,
        default: Option<String>,
    },
    /// `$(command)`: the command's output, trailing newlines removed.
    Command { source: String, quoted: bool },
    /// `~` at the start of a word: the home directory.
    Tilde,
}

/// A word: parts that expand and join into one or more fields.
pub type Word = Vec<Part>;

/// A redirection of one file descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    /// `n> file` or `n>> file`.
    Out { fd: u32, append: bool, target: Word },
    /// `&> file`, `&>> file`: stdout and stderr.
    OutErr { append: bool, target: Word },
    /// `< file`.
    In { target: Word },
    /// `n>&m` (`2>&1`).
    Dup { fd: u32, to: u32 },
    /// `<<DELIM` with its body; `expand` when the delimiter was unquoted.
    Heredoc { body: String, expand: bool },
    /// `<<< word`.
    HereString { word: Word },
}

/// `NAME=value ... word ... redirections`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    pub assignments: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

/// `for NAME in WORDS; do LIST; done` and its redirections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForLoop {
    pub var: String,
    pub words: Vec<Word>,
    pub body: Program,
    pub redirects: Vec<Redirect>,
}

/// One command of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Simple(SimpleCommand),
    For(ForLoop),
}

impl Command {
    /// The simple command, if this is one.
    pub fn simple(&self) -> Option<&SimpleCommand> {
        match self {
            Command::Simple(c) => Some(c),
            Command::For(_) => None,
        }
    }
}

/// `a | b | c`, optionally negated with `!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub negated: bool,
    pub commands: Vec<Command>,
}

/// How a pipeline is joined to the one before it in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// `;`, a newline, or the start: always runs.
    Always,
    /// `&&`: runs when the last status is 0.
    And,
    /// `||`: runs when the last status is not 0.
    Or,
}

/// One pipeline of a command list and how it is joined to the previous one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub connector: Connector,
    pub pipeline: Pipeline,
    /// Ended by `&` (run in the background).
    pub background: bool,
}

/// A whole input: steps in order.
pub type Program = Vec<Step>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// More input is needed (open quote, heredoc, trailing operator).
    Incomplete,
    /// bash's message, without the `bash: ` prefix.
    Syntax(String),
}

/// Parses a complete input (which may hold several lines).
pub fn parse(input: &str) -> Result<Program, ParseError> {
    let tokens = Lexer::new(input).run()?;
    Parser { tokens, pos: 0 }.program()
}

// ----- lexer -----

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Word),
    /// `|`, `||`, `&&`, `;`, `&`, `;;`, `(`, `)`.
    Op(&'static str),
    Newline,
    Redirect(Redirect),
}

/// Characters that end an unquoted word.
fn is_meta(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')')
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// A heredoc waiting for its body (after the end of the current line).
struct PendingHeredoc {
    token: usize,
    delimiter: String,
    strip_tabs: bool,
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    tokens: Vec<Tok>,
    heredocs: Vec<PendingHeredoc>,
}

impl Lexer {
    fn new(input: &str) -> Self {
        Lexer {
            chars: input.chars().collect(),
            pos: 0,
            tokens: Vec::new(),
            heredocs: Vec::new(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }

    fn run(mut self) -> Result<Vec<Tok>, ParseError> {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' => self.pos += 1,
                '\\' if self.peek_at(1) == Some('\n') => self.pos += 2,
                '\n' => {
                    self.pos += 1;
                    self.tokens.push(Tok::Newline);
                    self.read_heredoc_bodies()?;
                }
                '#' => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                '|' | '&' | ';' | '(' | ')' => self.operator(c)?,
                '<' | '>' => self.redirect(None)?,
                _ => {
                    if let Some(fd) = self.fd_prefix() {
                        self.redirect(Some(fd))?;
                    } else {
                        let word = self.word()?;
                        self.tokens.push(Tok::Word(word));
                    }
                }
            }
        }
        if !self.heredocs.is_empty() {
            return Err(ParseError::Incomplete);
        }
        Ok(self.tokens)
    }

    fn operator(&mut self, c: char) -> Result<(), ParseError> {
        let next = self.peek_at(1);
        let op = match (c, next) {
            ('|', Some('|')) => "||",
            ('&', Some('&')) => "&&",
            (';', Some(';')) => ";;",
            ('&', Some('>')) => {
                // `&>file` / `&>>file`
                self.pos += 2;
                let append = self.peek() == Some('>');
                if append {
                    self.pos += 1;
                }
                let target = self.redirect_target()?;
                self.tokens.push(Tok::Redirect(Redirect::OutErr { append, target }));
                return Ok(());
            }
            ('|', _) => "|",
            ('&', _) => "&",
            (';', _) => ";",
            ('(', _) => "(",
            _ => ")",
        };
        self.pos += op.len();
        self.tokens.push(Tok::Op(op));
        Ok(())
    }

    /// Digits directly followed by `<` or `>` (`2>`): the file descriptor.
    fn fd_prefix(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut end = start;
        while self.chars.get(end).is_some_and(|c| c.is_ascii_digit()) {
            end += 1;
        }
        if end == start || end - start > 4 || !matches!(self.chars.get(end), Some('<' | '>')) {
            return None;
        }
        let fd: String = self.chars[start..end].iter().collect();
        self.pos = end;
        fd.parse().ok()
    }

    fn redirect(&mut self, fd: Option<u32>) -> Result<(), ParseError> {
        let c = self.peek().unwrap_or('>');
        self.pos += 1;
        let redirect = if c == '>' {
            let fd = fd.unwrap_or(1);
            match self.peek() {
                Some('>') => {
                    self.pos += 1;
                    Redirect::Out {
                        fd,
                        append: true,
                        target: self.redirect_target()?,
                    }
                }
                Some('&') => {
                    self.pos += 1;
                    let target = self.redirect_target()?;
                    match literal_of(&target).and_then(|t| t.parse::<u32>().ok()) {
                        Some(to) => Redirect::Dup { fd, to },
                        // `>&file` is bash's `&>file`.
                        None if fd == 1 => Redirect::OutErr { append: false, target },
                        None => return Err(ParseError::Syntax("ambiguous redirect".to_string())),
                    }
                }
                Some('|') => {
                    self.pos += 1;
                    Redirect::Out {
                        fd,
                        append: false,
                        target: self.redirect_target()?,
                    }
                }
                _ => Redirect::Out {
                    fd,
                    append: false,
                    target: self.redirect_target()?,
                },
            }
        } else {
            match self.peek() {
                Some('<') if self.peek_at(1) == Some('<') => {
                    self.pos += 2;
                    Redirect::HereString {
                        word: self.redirect_target()?,
                    }
                }
                Some('<') => {
                    self.pos += 1;
                    let strip_tabs = self.peek() == Some('-');
                    if strip_tabs {
                        self.pos += 1;
                    }
                    let target = self.redirect_target()?;
                    let quoted = target.iter().any(|p| matches!(p, Part::Lit { quoted: true, .. }));
                    let delimiter = raw_text(&target);
                    self.heredocs.push(PendingHeredoc {
                        token: self.tokens.len(),
                        delimiter,
                        strip_tabs,
                    });
                    Redirect::Heredoc {
                        body: String::new(),
                        expand: !quoted,
                    }
                }
                Some('&') => {
                    // `<&0` and friends: duplicating stdin changes nothing here.
                    self.pos += 1;
                    self.redirect_target()?;
                    return Ok(());
                }
                _ => Redirect::In {
                    target: self.redirect_target()?,
                },
            }
        };
        self.tokens.push(Tok::Redirect(redirect));
        Ok(())
    }

    fn redirect_target(&mut self) -> Result<Word, ParseError> {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
        match self.peek() {
            None => Err(ParseError::Syntax(
                "syntax error near unexpected token `newline'".to_string(),
            )),
            Some(c) if is_meta(c) => {
                let token = match c {
                    '\n' => "newline".to_string(),
                    _ => c.to_string(),
                };
                Err(ParseError::Syntax(format!(
                    "syntax error near unexpected token `{token}'"
                )))
            }
            Some(_) => self.word(),
        }
    }

    /// After a newline: the bodies of the heredocs opened on that line.
    fn read_heredoc_bodies(&mut self) -> Result<(), ParseError> {
        for pending in std::mem::take(&mut self.heredocs) {
            let mut body = String::new();
            let mut found = false;
            while self.pos < self.chars.len() {
                let start = self.pos;
                while self.peek().is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
                let had_newline = self.peek() == Some('\n');
                let mut line: String = self.chars[start..self.pos].iter().collect();
                if had_newline {
                    self.pos += 1;
                }
                if pending.strip_tabs {
                    line = line.trim_start_matches('\t').to_string();
                }
                if line == pending.delimiter {
                    found = true;
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            if !found {
                return Err(ParseError::Incomplete);
            }
            if let Some(Tok::Redirect(Redirect::Heredoc { body: b, .. })) = self.tokens.get_mut(pending.token) {
                *b = body;
            }
        }
        Ok(())
    }

    /// One word: quoted and unquoted pieces up to a metacharacter.
    fn word(&mut self) -> Result<Word, ParseError> {
        let mut parts: Word = Vec::new();
        let mut lit = String::new();
        if self.peek() == Some('~') && self.peek_at(1).is_none_or(|c| c == '/' || is_meta(c)) {
            self.pos += 1;
            parts.push(Part::Tilde);
        }
        while let Some(c) = self.peek() {
            if is_meta(c) {
                break;
            }
            match c {
                '\\' => {
                    flush(&mut parts, &mut lit, false);
                    match self.peek_at(1) {
                        None => return Err(ParseError::Incomplete),
                        Some('\n') => self.pos += 2,
                        Some(n) => {
                            self.pos += 2;
                            push_lit(&mut parts, n.to_string(), true);
                        }
                    }
                }
                '\'' => {
                    flush(&mut parts, &mut lit, false);
                    self.pos += 1;
                    let start = self.pos;
                    while self.peek().is_some_and(|c| c != '\'') {
                        self.pos += 1;
                    }
                    if self.peek().is_none() {
                        return Err(ParseError::Incomplete);
                    }
                    let text: String = self.chars[start..self.pos].iter().collect();
                    self.pos += 1;
                    push_lit(&mut parts, text, true);
                }
                '"' => {
                    flush(&mut parts, &mut lit, false);
                    self.pos += 1;
                    self.double_quoted(&mut parts)?;
                }
                '$' => {
                    flush(&mut parts, &mut lit, false);
                    match self.dollar(false)? {
                        Some(part) => parts.push(part),
                        None => lit.push('$'),
                    }
                }
                _ => {
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        flush(&mut parts, &mut lit, false);
        Ok(parts)
    }

    fn double_quoted(&mut self, parts: &mut Word) -> Result<(), ParseError> {
        let mut lit = String::new();
        // `""` is an empty quoted word, not nothing.
        push_lit(parts, String::new(), true);
        loop {
            match self.peek() {
                None => return Err(ParseError::Incomplete),
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => match self.peek_at(1) {
                    None => return Err(ParseError::Incomplete),
                    Some('\n') => self.pos += 2,
                    Some(n @ ('$' | '`' | '"' | '\\')) => {
                        lit.push(n);
                        self.pos += 2;
                    }
                    Some(_) => {
                        lit.push('\\');
                        self.pos += 1;
                    }
                },
                Some('$') => {
                    flush(parts, &mut lit, true);
                    match self.dollar(true)? {
                        Some(part) => parts.push(part),
                        None => lit.push('$'),
                    }
                }
                Some(c) => {
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        flush(parts, &mut lit, true);
        Ok(())
    }

    /// At a `$`: the expansion it starts, or `None` for a literal `$`.
    fn dollar(&mut self, quoted: bool) -> Result<Option<Part>, ParseError> {
        let next = self.peek_at(1);
        match next {
            Some(c @ ('?' | '$' | '#' | '!' | '0'..='9' | '@' | '*' | '-')) => {
                self.pos += 2;
                Ok(Some(Part::Var {
                    name: c.to_string(),
                    quoted,
                    default: None,
                }))
            }
            Some(c) if is_name_start(c) => {
                self.pos += 1;
                let start = self.pos;
                while self.peek().is_some_and(is_name_char) {
                    self.pos += 1;
                }
                Ok(Some(Part::Var {
                    name: self.chars[start..self.pos].iter().collect(),
                    quoted,
                    default: None,
                }))
            }
            Some('{') => {
                self.pos += 2;
                let start = self.pos;
                while self.peek().is_some_and(|c| c != '}') {
                    self.pos += 1;
                }
                if self.peek().is_none() {
                    return Err(ParseError::Incomplete);
                }
                let inner: String = self.chars[start..self.pos].iter().collect();
                self.pos += 1;
                let (name, default) = match inner.split_once(":-").or_else(|| inner.split_once('-')) {
                    Some((n, d)) => (n.to_string(), Some(d.to_string())),
                    None => (inner.clone(), None),
                };
                let valid = name
                    .chars()
                    .next()
                    .is_some_and(|c| is_name_start(c) || c.is_ascii_digit() || c == '?')
                    && (name == "?" || name.chars().all(is_name_char));
                if !valid {
                    return Err(ParseError::Syntax(format!("${{{inner}}}: bad substitution")));
                }
                Ok(Some(Part::Var { name, quoted, default }))
            }
            Some('(') => {
                self.pos += 2;
                let start = self.pos;
                let mut depth = 1;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '(') => depth += 1,
                        (None, ')') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
                if self.peek().is_none() {
                    return Err(ParseError::Incomplete);
                }
                let source: String = self.chars[start..self.pos].iter().collect();
                self.pos += 1;
                Ok(Some(Part::Command { source, quoted }))
            }
            _ => {
                self.pos += 1;
                Ok(None)
            }
        }
    }
}

fn push_lit(parts: &mut Word, text: String, quoted: bool) {
    if let Some(Part::Lit { text: t, quoted: q }) = parts.last_mut() {
        if *q == quoted {
            t.push_str(&text);
            return;
        }
    }
    parts.push(Part::Lit { text, quoted });
}

fn flush(parts: &mut Word, lit: &mut String, quoted: bool) {
    if !lit.is_empty() {
        push_lit(parts, std::mem::take(lit), quoted);
    }
}

/// The word's text if it is only literal parts (quoted or not).
pub fn literal_of(word: &Word) -> Option<String> {
    let mut s = String::new();
    for p in word {
        match p {
            Part::Lit { text, .. } => s.push_str(text),
            _ => return None,
        }
    }
    Some(s)
}

/// The word's text as typed, expansions written back as `$NAME` (used for
/// heredoc delimiters, which are never expanded).
fn raw_text(word: &Word) -> String {
    let mut s = String::new();
    for p in word {
        match p {
            Part::Lit { text, .. } => s.push_str(text),
            Part::Var { name, .. } => {
                s.push('$');
                s.push_str(name);
            }
            Part::Command { source, .. } => {
                s.push_str("$(");
                s.push_str(source);
                s.push(')');
            }
            Part::Tilde => s.push('~'),
        }
    }
    s
}

// ----- parser -----

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

fn unexpected(token: &str) -> ParseError {
    ParseError::Syntax(format!("syntax error near unexpected token `{token}'"))
}

/// Reserved words this shell does not run, and the construct they start.
const UNSUPPORTED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "while", "until", "case", "esac", "function", "{", "}", "[[",
];

/// Whether `tok` is the unquoted word `word`.
fn is_word(tok: Option<&Tok>, word: &str) -> bool {
    match tok {
        Some(Tok::Word(w)) => {
            literal_of(w).as_deref() == Some(word) && w.iter().all(|p| matches!(p, Part::Lit { quoted: false, .. }))
        }
        _ => false,
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn program(&mut self) -> Result<Program, ParseError> {
        self.list(None)
    }

    /// Steps up to the end, or (inside a loop) up to the reserved word `stop`.
    fn list(&mut self, stop: Option<&str>) -> Result<Program, ParseError> {
        let mut steps = Vec::new();
        let mut connector = Connector::Always;
        loop {
            while matches!(self.peek(), Some(Tok::Newline)) {
                self.pos += 1;
            }
            if let Some(word) = stop {
                if self.peek().is_none() {
                    return Err(ParseError::Incomplete);
                }
                if is_word(self.peek(), word) {
                    break;
                }
            }
            for reserved in ["do", "done", "in"] {
                if is_word(self.peek(), reserved) {
                    return Err(unexpected(reserved));
                }
            }
            let Some(tok) = self.peek() else { break };
            if let Tok::Op(op) = tok {
                return Err(unexpected(op));
            }
            let pipeline = self.pipeline()?;
            let mut step = Step {
                connector,
                pipeline,
                background: false,
            };
            connector = Connector::Always;
            match self.peek().cloned() {
                None if stop.is_some() => return Err(ParseError::Incomplete),
                None => {
                    steps.push(step);
                    break;
                }
                Some(Tok::Newline) | Some(Tok::Op(";")) => self.pos += 1,
                Some(Tok::Op("&")) => {
                    step.background = true;
                    self.pos += 1;
                }
                Some(Tok::Op(op @ ("&&" | "||"))) => {
                    self.pos += 1;
                    connector = if op == "&&" { Connector::And } else { Connector::Or };
                    while matches!(self.peek(), Some(Tok::Newline)) {
                        self.pos += 1;
                    }
                    match self.peek() {
                        None => return Err(ParseError::Incomplete),
                        Some(Tok::Op(o)) => return Err(unexpected(o)),
                        _ => {}
                    }
                }
                Some(Tok::Op(op)) => return Err(unexpected(op)),
                Some(_) => return Err(unexpected("newline")),
            }
            steps.push(step);
        }
        Ok(steps)
    }

    fn pipeline(&mut self) -> Result<Pipeline, ParseError> {
        let mut negated = false;
        if let Some(Tok::Word(w)) = self.peek() {
            if literal_of(w).as_deref() == Some("!") && w.iter().all(|p| matches!(p, Part::Lit { quoted: false, .. })) {
                negated = true;
                self.pos += 1;
            }
        }
        let mut commands = vec![self.command()?];
        while let Some(Tok::Op("|")) = self.peek() {
            self.pos += 1;
            while matches!(self.peek(), Some(Tok::Newline)) {
                self.pos += 1;
            }
            match self.peek() {
                None => return Err(ParseError::Incomplete),
                Some(Tok::Op(o)) => return Err(unexpected(o)),
                _ => {}
            }
            commands.push(self.command()?);
        }
        Ok(Pipeline { negated, commands })
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        if is_word(self.peek(), "for") {
            self.pos += 1;
            return self.for_loop().map(Command::For);
        }
        self.simple_command().map(Command::Simple)
    }

    /// After `for`: `NAME [in WORDS] ; do LIST ; done [redirections]`.
    fn for_loop(&mut self) -> Result<ForLoop, ParseError> {
        let var = match self.peek() {
            None => return Err(ParseError::Incomplete),
            Some(Tok::Word(w)) => match literal_of(w) {
                Some(name) if name.chars().next().is_some_and(is_name_start) && name.chars().all(is_name_char) => name,
                Some(other) => return Err(ParseError::Syntax(format!("`{other}': not a valid identifier"))),
                None => return Err(unexpected("$")),
            },
            Some(Tok::Op(o)) => return Err(unexpected(o)),
            Some(_) => return Err(unexpected("newline")),
        };
        self.pos += 1;
        let mut words = Vec::new();
        while matches!(self.peek(), Some(Tok::Newline)) {
            self.pos += 1;
        }
        if is_word(self.peek(), "in") {
            self.pos += 1;
            while let Some(Tok::Word(w)) = self.peek() {
                words.push(w.clone());
                self.pos += 1;
            }
        }
        match self.peek() {
            None => return Err(ParseError::Incomplete),
            Some(Tok::Op(";")) | Some(Tok::Newline) => self.pos += 1,
            Some(_) if is_word(self.peek(), "do") => {}
            Some(Tok::Op(o)) => return Err(unexpected(o)),
            Some(_) => return Err(unexpected("newline")),
        }
        while matches!(self.peek(), Some(Tok::Newline)) {
            self.pos += 1;
        }
        if self.peek().is_none() {
            return Err(ParseError::Incomplete);
        }
        if !is_word(self.peek(), "do") {
            return Err(match self.peek() {
                Some(Tok::Word(w)) => unexpected(&literal_of(w).unwrap_or_default()),
                Some(Tok::Op(o)) => unexpected(o),
                _ => unexpected("newline"),
            });
        }
        self.pos += 1;
        let body = self.list(Some("done"))?;
        if body.is_empty() {
            return Err(unexpected("done"));
        }
        self.pos += 1; // `done`
        let mut redirects = Vec::new();
        while let Some(Tok::Redirect(r)) = self.peek() {
            redirects.push(r.clone());
            self.pos += 1;
        }
        if let Some(Tok::Word(w)) = self.peek() {
            return Err(unexpected(&literal_of(w).unwrap_or_default()));
        }
        Ok(ForLoop {
            var,
            words,
            body,
            redirects,
        })
    }

    fn simple_command(&mut self) -> Result<SimpleCommand, ParseError> {
        let mut cmd = SimpleCommand::default();
        loop {
            match self.peek().cloned() {
                Some(Tok::Word(w)) => {
                    self.pos += 1;
                    if cmd.words.is_empty() {
                        if let Some((name, value)) = assignment(&w) {
                            cmd.assignments.push((name, value));
                            continue;
                        }
                        if let Some(text) = literal_of(&w) {
                            let unquoted = w.iter().all(|p| matches!(p, Part::Lit { quoted: false, .. }));
                            if unquoted && UNSUPPORTED.contains(&text.as_str()) {
                                return Err(ParseError::Syntax(format!(
                                    "`{text}': shell control flow other than `for' (if, while, case, functions) is not supported in this playground"
                                )));
                            }
                        }
                    }
                    cmd.words.push(w);
                }
                Some(Tok::Redirect(r)) => {
                    self.pos += 1;
                    cmd.redirects.push(r);
                }
                Some(Tok::Op(op @ ("(" | ")"))) => {
                    return Err(if cmd.words.is_empty() && op == "(" {
                        ParseError::Syntax("subshells `( ... )' are not supported in this playground".to_string())
                    } else {
                        unexpected(op)
                    });
                }
                _ => break,
            }
        }
        if cmd.words.is_empty() && cmd.assignments.is_empty() && cmd.redirects.is_empty() {
            return Err(match self.peek() {
                None => ParseError::Incomplete,
                Some(Tok::Op(o)) => unexpected(o),
                Some(_) => unexpected("newline"),
            });
        }
        Ok(cmd)
    }
}

/// `NAME=value` as the word starts (an unquoted name then `=`).
fn assignment(word: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit { text, quoted: false }) = word.first() else {
        return None;
    };
    let (name, rest) = text.split_once('=')?;
    if !name.chars().next().is_some_and(is_name_start) || !name.chars().all(is_name_char) {
        return None;
    }
    let mut value: Word = Vec::new();
    if !rest.is_empty() {
        value.push(Part::Lit {
            text: rest.to_string(),
            quoted: false,
        });
    }
    value.extend(word[1..].iter().cloned());
    Some((name.to_string(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str, quoted: bool) -> Part {
        Part::Lit {
            text: s.to_string(),
            quoted,
        }
    }

    fn words(input: &str) -> Vec<Word> {
        let program = parse(input).unwrap();
        program[0].pipeline.commands[0].simple().unwrap().words.clone()
    }

    #[test]
    fn quotes_and_escapes_make_one_word() {
        assert_eq!(
            words("echo 'a b'"),
            vec![vec![lit("echo", false)], vec![lit("a b", true)]]
        );
        assert_eq!(
            words(r#"echo "x $y" a\ b"#)[1],
            vec![
                lit("x ", true),
                Part::Var {
                    name: "y".into(),
                    quoted: true,
                    default: None
                }
            ]
        );
        assert_eq!(
            words(r"echo a\ b")[1],
            vec![lit("a", false), lit(" ", true), lit("b", false)]
        );
        assert_eq!(words(r#"echo "a\"b\n""#)[1], vec![lit("a\"b\\n", true)]);
        assert_eq!(words("echo ''")[1], vec![lit("", true)]);
    }

    #[test]
    fn variables_in_braces_and_special_names() {
        assert_eq!(
            words("echo ${host}:${port} $? ${x:-d}")[1],
            vec![
                Part::Var {
                    name: "host".into(),
                    quoted: false,
                    default: None
                },
                lit(":", false),
                Part::Var {
                    name: "port".into(),
                    quoted: false,
                    default: None
                },
            ]
        );
        assert_eq!(
            words("echo $?")[1],
            vec![Part::Var {
                name: "?".into(),
                quoted: false,
                default: None
            }]
        );
        assert_eq!(
            words("echo ${x:-d}")[1],
            vec![Part::Var {
                name: "x".into(),
                quoted: false,
                default: Some("d".into())
            }]
        );
        assert_eq!(words("echo a$")[1], vec![lit("a$", false)]);
        assert!(matches!(parse("echo ${a b}"), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn comments_are_skipped_but_not_inside_words() {
        assert_eq!(words("echo a#b # comment").len(), 2);
        assert_eq!(parse("# only a comment").unwrap(), vec![]);
    }

    #[test]
    fn lists_pipes_and_connectors() {
        let p = parse("a | b && c || d; e &").unwrap();
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].pipeline.commands.len(), 2);
        assert_eq!(p[1].connector, Connector::And);
        assert_eq!(p[2].connector, Connector::Or);
        assert_eq!(p[3].connector, Connector::Always);
        assert!(p[3].background);
    }

    #[test]
    fn redirections() {
        let p = parse("cmd > out 2>&1 >> log < in 2>/dev/null &> both").unwrap();
        let r = &p[0].pipeline.commands[0].simple().unwrap().redirects;
        assert_eq!(
            r,
            &vec![
                Redirect::Out {
                    fd: 1,
                    append: false,
                    target: vec![lit("out", false)]
                },
                Redirect::Dup { fd: 2, to: 1 },
                Redirect::Out {
                    fd: 1,
                    append: true,
                    target: vec![lit("log", false)]
                },
                Redirect::In {
                    target: vec![lit("in", false)]
                },
                Redirect::Out {
                    fd: 2,
                    append: false,
                    target: vec![lit("/dev/null", false)]
                },
                Redirect::OutErr {
                    append: false,
                    target: vec![lit("both", false)]
                },
            ]
        );
        // A number not touching `>` is an argument.
        assert_eq!(words("echo 2 > f").len(), 2);
    }

    #[test]
    fn heredocs_take_the_following_lines() {
        let p = parse("cat <<EOF | wc -l\nline $x\nEOF\necho after").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0].pipeline.commands[0].simple().unwrap().redirects,
            vec![Redirect::Heredoc {
                body: "line $x\n".into(),
                expand: true
            }]
        );
        let q = parse("cat <<'EOF'\n$x\nEOF").unwrap();
        assert_eq!(
            q[0].pipeline.commands[0].simple().unwrap().redirects,
            vec![Redirect::Heredoc {
                body: "$x\n".into(),
                expand: false
            }]
        );
        let t = parse("cat <<-END\n\tindented\n\tEND\n").unwrap();
        assert_eq!(
            t[0].pipeline.commands[0].simple().unwrap().redirects,
            vec![Redirect::Heredoc {
                body: "indented\n".into(),
                expand: true
            }]
        );
    }

    #[test]
    fn incomplete_input_asks_for_more() {
        for input in [
            "echo 'abc",
            "echo \"abc",
            "cat <<EOF\nabc",
            "a |",
            "a &&",
            "a ||\n",
            "echo \\",
            "echo $(date",
            "echo ${x",
        ] {
            assert_eq!(parse(input), Err(ParseError::Incomplete), "{input:?}");
        }
    }

    #[test]
    fn syntax_errors_name_the_token() {
        assert_eq!(
            parse("| a"),
            Err(ParseError::Syntax("syntax error near unexpected token `|'".into()))
        );
        assert_eq!(
            parse("a ;; b"),
            Err(ParseError::Syntax("syntax error near unexpected token `;;'".into()))
        );
        assert_eq!(
            parse("echo >"),
            Err(ParseError::Syntax(
                "syntax error near unexpected token `newline'".into()
            ))
        );
        assert!(matches!(parse("while true; do echo; done"), Err(ParseError::Syntax(_))));
        assert_eq!(parse("done"), Err(unexpected("done")));
        assert_eq!(
            parse("for 1x in a; do echo; done"),
            Err(ParseError::Syntax("`1x': not a valid identifier".into()))
        );
        assert_eq!(parse("for i in a; do done"), Err(unexpected("done")));
    }

    #[test]
    fn for_loops() {
        let p = parse("for i in a \"b c\"; do echo $i; echo done; done | wc -l > out").unwrap();
        assert_eq!(p.len(), 1);
        let cmds = &p[0].pipeline.commands;
        assert_eq!(cmds.len(), 2);
        let Command::For(f) = &cmds[0] else {
            panic!("not a for loop: {cmds:?}")
        };
        assert_eq!(f.var, "i");
        assert_eq!(f.words.len(), 2);
        assert_eq!(f.body.len(), 2);
        assert!(cmds[1].simple().unwrap().redirects.len() == 1);
        // Typed over several lines.
        for partial in [
            "for i in 1 2",
            "for i in 1 2; do",
            "for i in 1 2; do echo $i",
            "for i in 1 2\ndo\necho $i\n",
        ] {
            assert_eq!(parse(partial), Err(ParseError::Incomplete), "{partial:?}");
        }
        assert!(parse("for i in 1 2\ndo\n  echo $i\ndone").is_ok());
        assert!(parse("for i; do echo; done > f").is_ok());
    }

    #[test]
    fn assignments_before_the_command() {
        let p = parse("host=localhost port=9092").unwrap();
        let c = p[0].pipeline.commands[0].simple().unwrap();
        assert_eq!(c.assignments.len(), 2);
        assert!(c.words.is_empty());
        let q = parse("echo a=b").unwrap();
        assert_eq!(q[0].pipeline.commands[0].simple().unwrap().words.len(), 2);
    }
}
