//! The terminal: a Yew component in which the learner types into a
//! [`kafkaplay_shell::Shell`], as into `bash` on their machine or inside a
//! broker's container.
//!
//! - [`Screen`]: the scrollback, as lines of spans tagged by where they came
//!   from (stdout, stderr, the echoed prompt and command). It interprets the
//!   few control sequences the shell prints (`clear`'s `ESC[H ESC[2J ESC[3J`)
//!   and drops the others. Text is only ever rendered as Yew text nodes.
//! - [`TermState`]: the line editor over a shell: Enter, history (↑/↓), Tab
//!   completion, Ctrl+C/Ctrl+D/Ctrl+L, multi-line paste. No browser API, so it
//!   is tested natively against a real `Shell`.
//! - [`Terminal`]: the component. It takes the page's shared
//!   `Rc<RefCell<Shell>>` (or makes its own playground), ticks a running job
//!   (the console consumer) on a 100 ms timer, and tells the page when the
//!   simulation may have changed ([`TerminalProps::on_change`]).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use kafkaplay_shell::{Flavour, Output, Shell, Stream, World};
use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, Element, HtmlTextAreaElement};
use yew::prelude::*;

/// The shell a page shares between the terminal and its cluster view: the
/// `Shell` owns the `World`, which owns the `Simulation`
/// (`shell.borrow_mut().world_mut().sim`).
pub type SharedShell = Rc<RefCell<Shell>>;

/// Lines kept in the scrollback; older ones are dropped.
pub const SCROLLBACK_LINES_MAX: usize = 5_000;

/// A longer line is wrapped into several (a `cat` of a huge one-line file
/// stays renderable).
pub const LINE_BYTES_MAX: usize = 16 * 1024;

/// History entries kept in the browser's storage.
pub const HISTORY_ENTRIES_MAX: usize = 500;

/// Separates history entries in storage (an entry may hold newlines: a heredoc).
const HISTORY_SEPARATOR: char = '\u{1e}';

/// The last [`HISTORY_ENTRIES_MAX`] entries, as stored.
pub fn encode_history(history: &[String]) -> String {
    let from = history.len().saturating_sub(HISTORY_ENTRIES_MAX);
    let kept: Vec<&str> = history[from..].iter().map(String::as_str).collect();
    kept.join(&HISTORY_SEPARATOR.to_string())
}

/// Stored history back as entries (empty and oversized parts dropped).
pub fn decode_history(stored: &str) -> Vec<String> {
    let entries: Vec<String> = stored
        .split(HISTORY_SEPARATOR)
        .filter(|e| !e.trim().is_empty())
        .map(str::to_string)
        .collect();
    let from = entries.len().saturating_sub(HISTORY_ENTRIES_MAX);
    entries[from..].to_vec()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// How often a running job is ticked, in real milliseconds: about one
/// animation frame, so a busy job (`kafka-producer-perf-test` at 10,000
/// records/s) does a frame's share of its work at a time.
pub const TICK_INTERVAL_MS: i32 = 16;

/// The most simulated time one tick advances, however long the browser left
/// the timer asleep (a background tab runs timers once a second or less).
pub const TICK_ELAPSED_MAX_MS: i64 = 1_000;

/// The playground the terminal starts when the page gives it no shell: a
/// one-broker cluster, as in the seed notes' `docker-compose.yml` (broker 1
/// answers at `localhost:9092`), started, with the learner on their machine.
pub fn playground_shell(brokers: i32, seed: u64) -> SharedShell {
    let mut world = World::new(brokers.clamp(1, 50), seed, Flavour::Confluent);
    // If it does not start in a minute of simulated time, the learner sees
    // it in `docker ps` / `kafkaplay status`; the shell still works.
    world.run_until_started(60_000);
    Rc::new(RefCell::new(Shell::new(world)))
}

// ---------------------------------------------------------------------------
// Screen

/// Where a piece of the scrollback came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stdout,
    Stderr,
    /// The prompt shown before an entered line.
    Prompt,
    /// What the learner typed (echoed, as a terminal does).
    Echo,
    /// The greeting, rendered in the page's language.
    Banner,
}

impl Kind {
    fn class(self) -> &'static str {
        match self {
            Kind::Stdout => "term-stdout",
            Kind::Stderr => "term-stderr",
            Kind::Prompt => "term-prompt",
            Kind::Echo => "term-echo",
            Kind::Banner => "term-banner",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: Kind,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Stable across trimming: the key of the line's element.
    pub id: u64,
    pub spans: Vec<Span>,
    bytes: usize,
}

impl Line {
    #[cfg(test)]
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    pub fn has_stderr(&self) -> bool {
        self.spans.iter().any(|s| s.kind == Kind::Stderr)
    }
}

/// The scrollback. The last line is *open* when the text so far did not end
/// with a newline: the prompt is then shown after it, as in a real terminal.
#[derive(Debug, Default)]
pub struct Screen {
    lines: VecDeque<Line>,
    open: bool,
    next_id: u64,
}

impl Screen {
    /// Every line, the open one last.
    #[cfg(test)]
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter()
    }

    /// The finished lines (all but the open one).
    pub fn closed_lines(&self) -> impl Iterator<Item = &Line> {
        let n = self.lines.len() - usize::from(self.open);
        self.lines.iter().take(n)
    }

    /// The unfinished last line, which the prompt follows.
    pub fn open_line(&self) -> Option<&Line> {
        if self.open {
            self.lines.back()
        } else {
            None
        }
    }

    /// The whole scrollback as text (for tests).
    #[cfg(test)]
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            s.push_str(&line.text());
            if i + 1 < self.lines.len() || !self.open {
                s.push('\n');
            }
        }
        s
    }

    pub fn clear(&mut self) {
        self.lines.clear();
        self.open = false;
    }

    /// Prints everything an [`Output`] holds, in order.
    pub fn print(&mut self, out: &Output) {
        for (stream, text) in &out.chunks {
            let kind = match stream {
                Stream::Stdout => Kind::Stdout,
                Stream::Stderr => Kind::Stderr,
            };
            self.push(kind, text);
        }
    }

    /// Appends `text`: newlines end lines, `ESC[2J`/`ESC[3J` clear the
    /// screen, other escape sequences and control characters (except tab)
    /// are dropped.
    pub fn push(&mut self, kind: Kind, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            let special = rest.char_indices().find(|&(_, c)| c.is_control() && c != '\t');
            let Some((i, c)) = special else {
                self.append(kind, rest);
                break;
            };
            self.append(kind, &rest[..i]);
            rest = &rest[i + c.len_utf8()..];
            match c {
                '\n' => self.end_line(),
                '\x1b' => rest = self.escape(rest),
                _ => {}
            }
        }
    }

    /// Echoes a line the learner entered after the prompt it was entered at.
    pub fn echo(&mut self, prompt: &str, line: &str) {
        self.append(Kind::Prompt, prompt);
        self.append(Kind::Echo, line);
        self.end_line();
    }

    /// Interprets the escape sequence after an ESC; returns what follows it.
    fn escape<'a>(&mut self, rest: &'a str) -> &'a str {
        let Some(csi) = rest.strip_prefix('[') else {
            // A two-character sequence (`ESC c` resets the terminal).
            let mut chars = rest.chars();
            if chars.next() == Some('c') {
                self.clear();
            }
            return chars.as_str();
        };
        let params_end = csi
            .find(|c: char| !(c.is_ascii_digit() || c == ';' || c == '?'))
            .unwrap_or(csi.len());
        let params = &csi[..params_end];
        let mut tail = csi[params_end..].chars();
        match tail.next() {
            Some('J') if params == "2" || params == "3" => self.clear(),
            // Cursor moves, colours and the like: not rendered.
            Some(c) if ('\x40'..='\x7e').contains(&c) => {}
            // Not a complete sequence: drop the ESC and keep the text.
            _ => return csi,
        }
        tail.as_str()
    }

    fn append(&mut self, kind: Kind, text: &str) {
        let mut text = text;
        while !text.is_empty() {
            if !self.open {
                self.new_line();
                self.open = true;
            }
            let Some(line) = self.lines.back_mut() else { return };
            let room = LINE_BYTES_MAX.saturating_sub(line.bytes);
            if room == 0 {
                self.end_line();
                continue;
            }
            let mut take = room.min(text.len());
            while !text.is_char_boundary(take) {
                take -= 1;
            }
            if take == 0 {
                // Less room than one character: wrap.
                self.end_line();
                continue;
            }
            let (head, tail) = text.split_at(take);
            line.bytes += head.len();
            match line.spans.last_mut() {
                Some(span) if span.kind == kind => span.text.push_str(head),
                _ => line.spans.push(Span {
                    kind,
                    text: head.to_string(),
                }),
            }
            text = tail;
        }
    }

    fn end_line(&mut self) {
        if !self.open {
            self.new_line();
        }
        self.open = false;
    }

    fn new_line(&mut self) {
        self.lines.push_back(Line {
            id: self.next_id,
            spans: Vec::new(),
            bytes: 0,
        });
        self.next_id += 1;
        while self.lines.len() > SCROLLBACK_LINES_MAX {
            self.lines.pop_front();
        }
    }
}

// ---------------------------------------------------------------------------
// The line editor

/// The terminal's state over a shell: the scrollback, the line being typed,
/// where ↑/↓ are in the history.
#[derive(Debug, Default)]
pub struct TermState {
    pub screen: Screen,
    /// The line being typed (several lines after recalling a heredoc).
    pub input: String,
    /// The history entry shown while browsing with ↑/↓.
    history_pos: Option<usize>,
    /// What was typed before browsing began.
    draft: String,
    /// Where each submitted line, Ctrl+C and Ctrl+D is recorded, if anywhere
    /// (the page's journal, `crate::journal`).
    pub journal: Option<crate::journal::SharedJournal>,
}

/// The byte offset in `s` of UTF-16 offset `units` (a DOM selection offset).
pub fn utf16_to_byte(s: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in s.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16() as u32;
    }
    s.len()
}

/// The UTF-16 offset of byte offset `byte` of `s`.
pub fn byte_to_utf16(s: &str, byte: usize) -> u32 {
    let byte = byte.min(s.len());
    s.char_indices()
        .take_while(|&(i, _)| i < byte)
        .map(|(_, c)| c.len_utf16() as u32)
        .sum()
}

fn common_prefix(words: &[String]) -> &str {
    let Some(first) = words.first() else { return "" };
    let mut end = first.len();
    for w in &words[1..] {
        end = first
            .char_indices()
            .zip(w.chars())
            .find(|((_, a), b)| a != b)
            .map_or(end.min(w.len()), |((i, _), _)| i)
            .min(end);
    }
    &first[..end]
}

impl TermState {
    /// Enter: runs the line being typed (each of its lines, in order).
    pub fn enter(&mut self, shell: &mut Shell) {
        let text = std::mem::take(&mut self.input);
        self.run_text(shell, &text);
    }

    /// Types the script's lines from `from` on, as if entered, while no job
    /// runs (a line typed during a job would be the job's input): a
    /// scenario's commands one after another, each after the job before it
    /// ended. Calls `each` with each line's index, output and exit status;
    /// returns where the script stopped.
    pub fn type_script(
        &mut self,
        shell: &mut Shell,
        script: &[String],
        from: usize,
        each: &mut dyn FnMut(usize, Output, i32),
    ) -> usize {
        let mut next = from;
        while next < script.len() && !shell.job_running() && !shell.has_exited() {
            let out = self.run_text(shell, &script[next]);
            each(next, out, shell.last_status());
            next += 1;
        }
        next
    }

    /// Runs each line of `text` as if typed and entered, echoing each after
    /// the prompt it was entered at (`> ` inside a heredoc).
    /// Returns what the lines printed.
    pub fn run_text(&mut self, shell: &mut Shell, text: &str) -> Output {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut printed = Output::new();
        for line in text.split('\n') {
            if shell.has_exited() {
                break;
            }
            let prompt = shell.prompt();
            self.screen.echo(&prompt, line);
            let action = if shell.job_running() {
                crate::journal::Action::Input(line.to_string())
            } else {
                crate::journal::Action::Line(line.to_string())
            };
            self.record(shell, action);
            let out = shell.submit(line);
            self.screen.print(&out);
            printed.extend(out);
        }
        self.history_pos = None;
        self.draft.clear();
        printed
    }

    /// A paste of `text` over bytes `start..end` of the input. Every complete
    /// line runs at once, in order, as in bash; what follows the last newline
    /// stays in the input. Returns the cursor (a byte offset in the input).
    pub fn paste(&mut self, shell: &mut Shell, start: usize, end: usize, text: &str) -> usize {
        let (start, end) = self.clamp_range(start, end);
        let after = self.input[end..].to_string();
        let mut combined = String::with_capacity(self.input.len() + text.len());
        combined.push_str(&self.input[..start]);
        combined.push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
        combined.push_str(&after);
        match combined.rfind('\n') {
            Some(last) => {
                self.input = combined[last + 1..].to_string();
                self.run_text(shell, &combined[..last]);
            }
            None => self.input = combined,
        }
        self.input.len() - after.len().min(self.input.len())
    }

    /// Tab at byte `cursor`: one candidate completes the word; several extend
    /// it by their common prefix and are listed. Returns the new cursor.
    pub fn complete(&mut self, shell: &Shell, cursor: usize) -> Option<usize> {
        let (cursor, _) = self.clamp_range(cursor, cursor);
        let c = shell.complete(&self.input, cursor);
        if c.start > c.end
            || c.end > self.input.len()
            || !self.input.is_char_boundary(c.start)
            || !self.input.is_char_boundary(c.end)
        {
            return None;
        }
        let word_len = c.end - c.start;
        match c.candidates.as_slice() {
            [] => None,
            [only] => {
                let mut replacement = only.clone();
                if !(only.ends_with('/') || only.ends_with('=')) {
                    replacement.push(' ');
                }
                self.input.replace_range(c.start..c.end, &replacement);
                Some(c.start + replacement.len())
            }
            many => {
                let prefix = common_prefix(many).to_string();
                self.screen.echo(&shell.prompt(), &self.input);
                self.screen.push(Kind::Stdout, &many.join("  "));
                self.screen.push(Kind::Stdout, "\n");
                if prefix.len() > word_len {
                    self.input.replace_range(c.start..c.end, &prefix);
                    Some(c.start + prefix.len())
                } else {
                    Some(cursor)
                }
            }
        }
    }

    /// ↑: the previous history entry.
    pub fn history_prev(&mut self, shell: &Shell) {
        let history = shell.history();
        if history.is_empty() {
            return;
        }
        let pos = match self.history_pos {
            None => {
                self.draft = self.input.clone();
                history.len() - 1
            }
            Some(p) => p.saturating_sub(1).min(history.len() - 1),
        };
        self.history_pos = Some(pos);
        self.input = history[pos].clone();
    }

    /// ↓: the next history entry, then back to what was being typed.
    pub fn history_next(&mut self, shell: &Shell) {
        let Some(p) = self.history_pos else { return };
        let history = shell.history();
        if p + 1 < history.len() {
            self.history_pos = Some(p + 1);
            self.input = history[p + 1].clone();
        } else {
            self.history_pos = None;
            self.input = std::mem::take(&mut self.draft);
        }
    }

    /// Ctrl+C: `^C` after what was typed (or after a job's output), then
    /// the shell stops the job or abandons the line.
    pub fn interrupt(&mut self, shell: &mut Shell) {
        if shell.job_running() && !shell.job_reads_input() {
            self.screen.push(Kind::Echo, "^C\n");
        } else {
            let prompt = shell.prompt();
            let line = format!("{}^C", self.input);
            self.screen.echo(&prompt, &line);
        }
        self.input.clear();
        self.history_pos = None;
        self.record(shell, crate::journal::Action::Interrupt);
        let out = shell.interrupt();
        self.screen.print(&out);
    }

    /// Ctrl+D: end of input, only on an empty line (as in bash). Returns
    /// whether it did anything.
    pub fn eof(&mut self, shell: &mut Shell) -> bool {
        if !self.input.is_empty() {
            return false;
        }
        if shell.job_running() {
            if shell.job_reads_input() {
                self.screen.echo(&shell.prompt(), "");
            }
        } else {
            // bash prints `exit` after the prompt (the shell writes it).
            self.screen.push(Kind::Prompt, &shell.prompt());
        }
        self.record(shell, crate::journal::Action::Eof);
        let out = shell.eof();
        self.screen.print(&out);
        true
    }

    fn record(&self, shell: &Shell, action: crate::journal::Action) {
        if let Some(j) = &self.journal {
            j.borrow_mut().record_on(shell, action);
        }
    }

    /// Prints what the page polled out of the running job
    /// ([`Shell::take_held`]). Returns whether anything was printed.
    pub fn print_held(&mut self, shell: &mut Shell) -> bool {
        let out = shell.take_held();
        let printed = !out.chunks.is_empty();
        self.screen.print(&out);
        printed
    }

    /// Ticks the shell: `elapsed_ms` of simulated time (0 polls a job
    /// without moving time). Returns whether anything was printed.
    pub fn tick(&mut self, shell: &mut Shell, elapsed_ms: i64) -> bool {
        let out = shell.tick(elapsed_ms.max(0));
        let printed = !out.chunks.is_empty();
        self.screen.print(&out);
        printed
    }

    fn clamp_range(&self, start: usize, end: usize) -> (usize, usize) {
        let fix = |mut i: usize| {
            i = i.min(self.input.len());
            while !self.input.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (a, b) = (fix(start), fix(end));
        (a.min(b), a.max(b))
    }
}

// ---------------------------------------------------------------------------
// Text

struct Text {
    title: &'static str,
    hint: &'static str,
    input_label: &'static str,
    output_label: &'static str,
    /// The greeting; `{}` is the first broker's container name.
    banner: &'static str,
    exited: &'static str,
    job_running: &'static str,
}

const EN: Text = Text {
    title: "Terminal",
    hint: "Click and type. Tab completes, ↑/↓ recall commands, Ctrl+C interrupts, Ctrl+D ends input, \
           Ctrl+L clears. Pasted lines run in order.",
    input_label: "Command line",
    output_label: "Terminal output",
    banner: "kafkaplay: a simulated Kafka cluster in your browser. Try `docker ps`, then \
             `docker exec -it {} bash`. Type `help` for the commands.",
    exited: "The shell has exited. Reload the page to start a new one.",
    job_running: "A command is running: Ctrl+C stops it.",
};

const KO: Text = Text {
    title: "터미널",
    hint: "클릭하고 입력하세요. Tab 자동 완성, ↑/↓ 이전 명령, Ctrl+C 중단, Ctrl+D 입력 끝, \
           Ctrl+L 화면 지우기. 붙여 넣은 여러 줄은 차례로 실행됩니다.",
    input_label: "명령줄",
    output_label: "터미널 출력",
    banner: "kafkaplay: 브라우저에서 돌아가는 시뮬레이션 Kafka 클러스터입니다. `docker ps` 를 입력한 뒤 \
             `docker exec -it {} bash` 로 브로커 컨테이너에 들어가 보세요. 명령 목록은 `help` 로 볼 수 있습니다.",
    exited: "셸이 종료되었습니다. 새 셸을 시작하려면 페이지를 새로 고치세요.",
    job_running: "명령이 실행 중입니다. Ctrl+C 로 멈출 수 있습니다.",
};

fn text_for(lang: &str) -> &'static Text {
    if lang.trim().to_ascii_lowercase().starts_with("ko") {
        &KO
    } else {
        &EN
    }
}

// ---------------------------------------------------------------------------
// The component

#[derive(Properties, Clone)]
pub struct TerminalProps {
    /// The page's shared shell. Without one the terminal starts its own
    /// playground ([`playground_shell`]: one broker, seed 1).
    #[prop_or_default]
    pub shell: Option<SharedShell>,
    /// The page's language, a BCP 47 tag (`en`, `ko`).
    #[prop_or(AttrValue::Static("en"))]
    pub lang: AttrValue,
    /// Whether the terminal moves simulated time while a job runs (100 ms
    /// per 100 ms). Set it to false when the page advances the simulation
    /// itself: the terminal then only collects the job's output.
    #[prop_or(true)]
    pub drive_time: bool,
    /// The `localStorage` key the command history is kept under (so ↑ works
    /// after a reload); `None` keeps it only in memory. A shell that already
    /// has a history keeps its own.
    #[prop_or(Some(AttrValue::Static("kafkaplay.terminal.history")))]
    pub history_key: Option<AttrValue>,
    /// Called after a command ran or a job printed: the simulation may have
    /// changed (topics created, records produced, brokers stopped).
    #[prop_or_default]
    pub on_change: Callback<()>,
    /// The journal the terminal's inputs are recorded in (the page's).
    #[prop_or_default]
    pub journal: Option<crate::journal::SharedJournal>,
    /// When set, the shell is shown read-only (another tab writes the
    /// playground): an entered line is echoed and answered with this text on
    /// stderr instead of running.
    #[prop_or_default]
    pub read_only: Option<AttrValue>,
    /// Lines the terminal types itself, in order, each once the job before
    /// it ended (a widget's scenario commands, and the host page's `run`).
    /// Only grows: a new `Rc` with more lines types the new ones.
    #[prop_or_default]
    pub script: Option<Rc<Vec<String>>>,
    /// Called for each script line typed: its index, output and exit status.
    /// (An `Option`, so the page's terminal, which has none, keeps props that
    /// compare equal between redraws: a default `Callback` is a new one each
    /// time, and unequal props re-render the whole scrollback.)
    #[prop_or_default]
    pub on_script: Option<Callback<(usize, Output, i32)>>,
}

impl PartialEq for TerminalProps {
    fn eq(&self, other: &Self) -> bool {
        let same_shell = match (&self.shell, &other.shell) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_shell
            && self.lang == other.lang
            && self.history_key == other.history_key
            && self.drive_time == other.drive_time
            && self.on_change == other.on_change
            && match (&self.journal, &other.journal) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
            && self.read_only == other.read_only
            && match (&self.script, &other.script) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
            && self.on_script == other.on_script
    }
}

pub enum Msg {
    Input(String),
    Enter,
    /// Tab, with the cursor as a UTF-16 offset.
    Complete(u32),
    HistoryPrev,
    HistoryNext,
    Interrupt,
    Eof,
    ClearScreen,
    KillLine,
    /// A multi-line paste over UTF-16 offsets `start..end`.
    Paste {
        text: String,
        start: u32,
        end: u32,
    },
    Tick,
    Scrolled(bool),
}

thread_local! {
    static NEXT_TERMINAL: Cell<u32> = const { Cell::new(0) };
}

pub struct Terminal {
    shell: SharedShell,
    state: TermState,
    /// Unique per terminal on the page (element ids).
    dom_id: String,
    input_ref: NodeRef,
    screen_ref: NodeRef,
    /// The view follows new output unless the learner scrolled up.
    stick_to_bottom: bool,
    /// Where to put the caret after the next render (a byte offset).
    caret: Option<usize>,
    exited: bool,
    /// History entries last written to storage.
    saved_history_len: usize,
    last_tick_ms: f64,
    _interval: Option<crate::browser::Interval>,
    /// Whether a job ran at the last tick (its end changes the prompt).
    job_was_running: bool,
    /// How many lines of the `script` prop have been typed.
    scripted: usize,
}

impl Terminal {
    fn with_script(mut self, ctx: &Context<Self>) -> Self {
        self.continue_script(ctx);
        self
    }

    /// Types the script's lines not typed yet, as far as no job is running.
    /// Returns whether it typed any.
    fn continue_script(&mut self, ctx: &Context<Self>) -> bool {
        let Some(script) = ctx.props().script.clone() else {
            return false;
        };
        if self.scripted >= script.len() {
            return false;
        }
        let shell_rc = self.shell.clone();
        let Ok(mut shell) = shell_rc.try_borrow_mut() else {
            return false;
        };
        let on_script = ctx.props().on_script.clone();
        let before = self.scripted;
        self.scripted = self
            .state
            .type_script(&mut shell, &script, before, &mut |i, out, status| {
                if let Some(cb) = &on_script {
                    cb.emit((i, out, status));
                }
            });
        self.exited = shell.has_exited();
        self.stick_to_bottom = true;
        self.scripted > before
    }

    fn greet(state: &mut TermState, shell: &Shell) {
        let first_broker = shell.world().sim.config().brokers.first().copied().unwrap_or(1);
        let name = kafkaplay_shell::docker::container_name(shell.world(), first_broker);
        state.screen.push(Kind::Banner, &name);
        state.screen.push(Kind::Banner, "\n");
    }

    fn input_element(&self) -> Option<HtmlTextAreaElement> {
        self.input_ref.cast::<HtmlTextAreaElement>()
    }

    /// The caret as a byte offset in the input.
    fn caret_byte(&self, utf16: u32) -> usize {
        utf16_to_byte(&self.state.input, utf16)
    }
}

impl Component for Terminal {
    type Message = Msg;
    type Properties = TerminalProps;

    fn create(ctx: &Context<Self>) -> Self {
        let shell = ctx.props().shell.clone().unwrap_or_else(|| playground_shell(1, 1));
        let mut state = TermState {
            journal: ctx.props().journal.clone(),
            ..TermState::default()
        };
        match shell.try_borrow_mut() {
            Ok(mut s) => {
                Terminal::greet(&mut state, &s);
                let stored = ctx
                    .props()
                    .history_key
                    .as_ref()
                    .and_then(|key| local_storage().and_then(|storage| storage.get_item(key).ok().flatten()));
                if let Some(stored) = stored {
                    if s.history().is_empty() {
                        s.set_history(decode_history(&stored));
                    }
                }
            }
            Err(_) => state.screen.push(Kind::Banner, "\n"),
        }
        let shell_history_len = shell.try_borrow().map_or(0, |s| s.history().len());
        let link = ctx.link().clone();
        let interval = crate::browser::Interval::new(TICK_INTERVAL_MS, move || link.send_message(Msg::Tick));
        let n = NEXT_TERMINAL.with(|c| {
            let n = c.get();
            c.set(n.wrapping_add(1));
            n
        });
        Terminal {
            shell,
            state,
            dom_id: format!("kafkaplay-terminal-{n}"),
            input_ref: NodeRef::default(),
            screen_ref: NodeRef::default(),
            stick_to_bottom: true,
            caret: None,
            exited: false,
            saved_history_len: shell_history_len,
            last_tick_ms: js_sys::Date::now(),
            _interval: interval,
            job_was_running: false,
            scripted: 0,
        }
        .with_script(ctx)
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        let props = ctx.props();
        let same = match (&props.shell, &old.shell) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            if let Some(shell) = props.shell.clone() {
                self.shell = shell;
                self.state = TermState::default();
                if let Ok(s) = self.shell.try_borrow() {
                    Terminal::greet(&mut self.state, &s);
                    self.exited = s.has_exited();
                }
            }
        }
        self.state.journal = props.journal.clone();
        self.continue_script(ctx);
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let shell_rc = self.shell.clone();
        // The page may be using the simulation right now (it never should
        // across an await, but a busy shell must not panic the page).
        let Ok(mut shell) = shell_rc.try_borrow_mut() else {
            return false;
        };
        let mut ran = false;
        if let (Some(refusal), Msg::Enter | Msg::Paste { .. }) = (&ctx.props().read_only, &msg) {
            let line = match &msg {
                Msg::Paste { text, .. } => text.clone(),
                _ => std::mem::take(&mut self.state.input),
            };
            let prompt = shell.prompt();
            self.state.screen.echo(&prompt, line.lines().next().unwrap_or(""));
            self.state.screen.push(Kind::Stderr, &format!("{refusal}\n"));
            self.stick_to_bottom = true;
            self.caret = Some(0);
            return true;
        }
        match msg {
            Msg::Input(value) => {
                self.state.input = value;
                return false;
            }
            Msg::Scrolled(at_bottom) => {
                self.stick_to_bottom = at_bottom;
                return false;
            }
            Msg::Tick => {
                if self.scripted < ctx.props().script.as_ref().map_or(0, |s| s.len()) && !shell.job_running() {
                    drop(shell);
                    if self.continue_script(ctx) {
                        ctx.props().on_change.emit(());
                        return true;
                    }
                    return false;
                }
                let now = js_sys::Date::now();
                let elapsed = ((now - self.last_tick_ms).max(0.0) as i64).min(TICK_ELAPSED_MAX_MS);
                self.last_tick_ms = now;
                if !ctx.props().drive_time {
                    // The page moves time and polls the job (`Shell::poll_held`).
                    let printed = self.state.print_held(&mut shell);
                    let job_ended =
                        std::mem::replace(&mut self.job_was_running, shell.job_running()) && !shell.job_running();
                    if !printed && !job_ended {
                        return false;
                    }
                    drop(shell);
                    ctx.props().on_change.emit(());
                    return true;
                }
                if !shell.job_running() {
                    return false;
                }
                let step = if ctx.props().drive_time { elapsed } else { 0 };
                let printed = self.state.tick(&mut shell, step);
                ran = true;
                if !printed && shell.job_running() && ctx.props().drive_time {
                    // Time moved but nothing to show: still tell the page.
                    drop(shell);
                    ctx.props().on_change.emit(());
                    return false;
                }
            }
            Msg::Enter => {
                self.state.enter(&mut shell);
                self.stick_to_bottom = true;
                self.caret = Some(0);
                ran = true;
            }
            Msg::Complete(utf16) => {
                let cursor = self.caret_byte(utf16);
                if let Some(c) = self.state.complete(&shell, cursor) {
                    self.caret = Some(c);
                    self.stick_to_bottom = true;
                }
            }
            Msg::HistoryPrev => {
                self.state.history_prev(&shell);
                self.caret = Some(self.state.input.len());
            }
            Msg::HistoryNext => {
                self.state.history_next(&shell);
                self.caret = Some(self.state.input.len());
            }
            Msg::Interrupt => {
                self.state.interrupt(&mut shell);
                self.stick_to_bottom = true;
                self.caret = Some(0);
                ran = true;
            }
            Msg::Eof => {
                if !self.state.eof(&mut shell) {
                    return false;
                }
                self.stick_to_bottom = true;
                ran = true;
            }
            Msg::ClearScreen => self.state.screen.clear(),
            Msg::KillLine => {
                self.state.input.clear();
                self.caret = Some(0);
            }
            Msg::Paste { text, start, end } => {
                let start = self.caret_byte(start);
                let end = self.caret_byte(end);
                let caret = self.state.paste(&mut shell, start, end, &text);
                self.caret = Some(caret);
                self.stick_to_bottom = true;
                ran = true;
            }
        }
        self.exited = shell.has_exited();
        if let Some(key) = &ctx.props().history_key {
            let history = shell.history();
            if history.len() != self.saved_history_len {
                self.saved_history_len = history.len();
                if let Some(storage) = local_storage() {
                    // Full or forbidden storage: the history stays in memory.
                    let _ = storage.set_item(key, &encode_history(history));
                }
            }
        }
        drop(shell);
        if ran {
            ctx.props().on_change.emit(());
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let t = text_for(&ctx.props().lang);
        let link = ctx.link();
        let (prompt, job_running) = match self.shell.try_borrow() {
            Ok(s) => (s.prompt(), s.job_running() && !s.job_reads_input()),
            Err(_) => (String::new(), false),
        };
        let id = &self.dom_id;
        let input_id = format!("{id}-input");
        let hint_id = format!("{id}-hint");
        let title_id = format!("{id}-title");

        let onkeydown = link.batch_callback(|e: KeyboardEvent| {
            // Keys that compose Korean (or any IME) text belong to the IME.
            if e.is_composing() || e.key_code() == 229 {
                return None;
            }
            let ctrl = e.ctrl_key() && !e.alt_key() && !e.meta_key();
            let plain = !e.ctrl_key() && !e.alt_key() && !e.meta_key();
            let caret = || {
                e.target_dyn_into::<HtmlTextAreaElement>()
                    .and_then(|t| Some((t.selection_start().ok()??, t.selection_end().ok()??)))
            };
            let msg = match e.key().as_str() {
                "Enter" if plain && !e.shift_key() => Msg::Enter,
                "Tab" if plain && !e.shift_key() => Msg::Complete(caret().map_or(u32::MAX, |(s, _)| s)),
                "ArrowUp" if plain => Msg::HistoryPrev,
                "ArrowDown" if plain => Msg::HistoryNext,
                "c" | "C" if ctrl && !e.shift_key() => {
                    // With text selected in the line, Ctrl+C copies it.
                    if caret().is_some_and(|(s, end)| s != end) {
                        return None;
                    }
                    Msg::Interrupt
                }
                "d" | "D" if ctrl && !e.shift_key() => Msg::Eof,
                "l" | "L" if ctrl && !e.shift_key() => Msg::ClearScreen,
                "u" | "U" if ctrl && !e.shift_key() => Msg::KillLine,
                _ => return None,
            };
            e.prevent_default();
            Some(msg)
        });
        let oninput =
            link.callback(|e: InputEvent| Msg::Input(e.target_unchecked_into::<HtmlTextAreaElement>().value()));
        let onpaste = link.batch_callback(|e: Event| {
            let e = e.dyn_into::<ClipboardEvent>().ok()?;
            let text = e.clipboard_data()?.get_data("text").ok()?;
            if !text.contains(['\n', '\r']) {
                // One line: the browser inserts it.
                return None;
            }
            let (start, end) = e
                .target_dyn_into::<HtmlTextAreaElement>()
                .and_then(|t| Some((t.selection_start().ok()??, t.selection_end().ok()??)))
                .unwrap_or((u32::MAX, u32::MAX));
            e.prevent_default();
            Some(Msg::Paste { text, start, end })
        });
        let onscroll = link.callback(|e: Event| {
            let at_bottom = e.target_dyn_into::<Element>().is_none_or(|el| {
                f64::from(el.scroll_top()) + f64::from(el.client_height()) >= f64::from(el.scroll_height()) - 8.0
            });
            Msg::Scrolled(at_bottom)
        });
        let input_ref = self.input_ref.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            // Focus the line unless the learner is selecting text to copy.
            let selecting = web_sys::window()
                .and_then(|w| w.get_selection().ok().flatten())
                .is_some_and(|s| !s.is_collapsed());
            if !selecting {
                if let Some(input) = input_ref.cast::<web_sys::HtmlElement>() {
                    let _ = input.focus();
                }
            }
        });

        let render_spans = |line: &Line| -> Html {
            line.spans
                .iter()
                .map(|span| {
                    let text = if span.kind == Kind::Banner {
                        t.banner.replace("{}", &span.text)
                    } else {
                        span.text.clone()
                    };
                    html! { <span class={span.kind.class()}>{ text }</span> }
                })
                .collect()
        };
        let lines = self.state.screen.closed_lines().map(|line| {
            let class = classes!("term-line", line.has_stderr().then_some("term-line-stderr"));
            html! {
                <div key={line.id} {class} data-testid="terminal-line">{ render_spans(line) }</div>
            }
        });
        let open_line = self.state.screen.open_line().map(render_spans).unwrap_or_default();
        let rows = (self.state.input.matches('\n').count() + 1).min(20).to_string();

        html! {
            <section class="terminal" aria-labelledby={title_id.clone()} data-testid="terminal">
                <div class="terminal-bar">
                    <h2 id={title_id}>{ t.title }</h2>
                    <p class="terminal-hint" id={hint_id.clone()}>{ t.hint }</p>
                </div>
                <div class="terminal-screen" ref={self.screen_ref.clone()} {onclick} {onscroll} data-testid="terminal-screen">
                    <div class="terminal-log" role="log" aria-live="polite" aria-label={t.output_label}
                        data-testid="terminal-output">
                        { for lines }
                    </div>
                    if self.exited {
                        <p class="term-exited" role="status" data-testid="terminal-exited">{ t.exited }</p>
                    } else {
                        <div class="terminal-input-row">
                            { open_line }
                            <span class="term-prompt" data-testid="terminal-prompt">{ prompt }</span>
                            <textarea id={input_id} class="terminal-input" ref={self.input_ref.clone()}
                                rows={rows} value={self.state.input.clone()}
                                {oninput} {onkeydown} {onpaste}
                                spellcheck="false" autocomplete="off" autocapitalize="off" autocorrect="off"
                                aria-label={t.input_label} aria-describedby={hint_id}
                                data-testid="terminal-input" />
                        </div>
                        if job_running {
                            <p class="term-job" data-testid="terminal-job">{ t.job_running }</p>
                        }
                    }
                </div>
            </section>
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        if let Some(byte) = self.caret.take() {
            if let Some(input) = self.input_element() {
                // The DOM value may lag the state by one render; use the state.
                let at = byte_to_utf16(&self.state.input, byte);
                let _ = input.set_selection_range(at, at);
            }
        }
        if self.stick_to_bottom {
            if let Some(screen) = self.screen_ref.cast::<Element>() {
                screen.set_scroll_top(screen.scroll_height());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell() -> Shell {
        let mut world = World::new(1, 1, Flavour::Confluent);
        assert!(world.run_until_started(60_000), "the cluster did not start");
        Shell::new(world)
    }

    fn typed(input: &str) -> TermState {
        TermState {
            input: input.to_string(),
            ..TermState::default()
        }
    }

    #[test]
    fn screen_splits_lines_and_keeps_streams_apart() {
        let mut s = Screen::default();
        s.push(Kind::Stdout, "a\nb");
        s.push(Kind::Stderr, "E\n");
        s.push(Kind::Stdout, "c");
        assert_eq!(s.text(), "a\nbE\nc");
        let lines: Vec<&Line> = s.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(!lines[0].has_stderr());
        assert_eq!(
            lines[1].spans,
            vec![
                Span {
                    kind: Kind::Stdout,
                    text: "b".into()
                },
                Span {
                    kind: Kind::Stderr,
                    text: "E".into()
                },
            ]
        );
        assert_eq!(s.open_line().map(Line::text).as_deref(), Some("c"));
        assert_eq!(s.closed_lines().count(), 2);
    }

    #[test]
    fn clear_sequence_clears_and_other_escapes_are_dropped() {
        let mut s = Screen::default();
        s.push(Kind::Stdout, "old\n");
        s.push(Kind::Stdout, "\x1b[H\x1b[2J\x1b[3Jnew \x1b[1;31mred\x1b[0m\r\n\x07");
        assert_eq!(s.text(), "new red\n");
        // A lone or truncated ESC never panics and keeps the text.
        s.push(Kind::Stdout, "x\x1b");
        s.push(Kind::Stdout, "\x1b[12");
        assert_eq!(s.text(), "new red\nx12");
    }

    #[test]
    fn scrollback_and_line_length_are_bounded() {
        let mut s = Screen::default();
        for i in 0..SCROLLBACK_LINES_MAX + 10 {
            s.push(Kind::Stdout, &format!("{i}\n"));
        }
        assert_eq!(s.lines().count(), SCROLLBACK_LINES_MAX);
        assert_eq!(s.lines().next().map(Line::text).as_deref(), Some("10"));
        let mut s = Screen::default();
        s.push(Kind::Stdout, &"한".repeat(LINE_BYTES_MAX));
        assert!(s.lines().all(|l| l.bytes <= LINE_BYTES_MAX));
        assert_eq!(
            s.lines().map(|l| l.text()).collect::<String>(),
            "한".repeat(LINE_BYTES_MAX)
        );
    }

    #[test]
    fn enter_echoes_the_prompt_and_prints_stderr_apart() {
        let mut sh = shell();
        let mut t = typed("echo hi; foo");
        t.enter(&mut sh);
        assert_eq!(
            t.screen.text(),
            "learner@kafkaplay:~$ echo hi; foo\nhi\nbash: foo: command not found\n"
        );
        let err = t.screen.lines().last().cloned();
        assert!(err.is_some_and(|l| l.has_stderr()));
        assert_eq!(sh.last_status(), 127);
        assert!(t.input.is_empty());
    }

    #[test]
    fn history_goes_back_and_forth_and_restores_the_draft() {
        let mut sh = shell();
        let mut t = TermState::default();
        t.run_text(&mut sh, "echo one");
        t.run_text(&mut sh, "echo two");
        t.input = "draft".into();
        t.history_prev(&sh);
        assert_eq!(t.input, "echo two");
        t.history_prev(&sh);
        assert_eq!(t.input, "echo one");
        t.history_prev(&sh);
        assert_eq!(t.input, "echo one");
        t.history_next(&sh);
        assert_eq!(t.input, "echo two");
        t.history_next(&sh);
        assert_eq!(t.input, "draft");
    }

    #[test]
    fn paste_runs_lines_in_order_and_heredocs_work() {
        let mut sh = shell();
        let mut t = typed("X");
        let caret = t.paste(&mut sh, 0, 0, "cat <<EOF\r\nhello\nEOF\necho after\npartial");
        assert_eq!(t.input, "partialX");
        assert_eq!(caret, "partial".len());
        assert_eq!(
            t.screen.text(),
            "learner@kafkaplay:~$ cat <<EOF\n> hello\n> EOF\nhello\nlearner@kafkaplay:~$ echo after\nafter\n"
        );
    }

    #[test]
    fn tab_completes_one_candidate_and_lists_several() {
        let sh = shell();
        let mut t = typed("kafkapl");
        assert_eq!(t.complete(&sh, 7), Some("kafkaplay ".len()));
        assert_eq!(t.input, "kafkaplay ");
        // `docker` and `docker-compose`: the common prefix, and both listed.
        t.input = "dock".into();
        assert_eq!(t.complete(&sh, 4), Some("docker".len()));
        assert_eq!(t.input, "docker");
        assert!(t
            .screen
            .text()
            .ends_with("learner@kafkaplay:~$ dock\ndocker  docker-compose\n"));
        t.input = "docker ex".into();
        let c = sh.complete("docker ex", 9);
        assert_eq!(c.candidates, vec!["exec".to_string()]);
        t.input = "ec".into();
        let before = t.screen.text();
        t.complete(&sh, 2);
        assert_eq!(t.input, "echo ");
        assert_eq!(t.screen.text(), before, "a single candidate prints nothing");
        // Several: listed after the echoed line.
        t.input = "s".into();
        let many = sh.complete("s", 1).candidates;
        assert!(many.len() > 1, "{many:?}");
        t.complete(&sh, 1);
        assert!(t
            .screen
            .text()
            .ends_with(&format!("learner@kafkaplay:~$ s\n{}\n", many.join("  "))));
        // Out-of-range and mid-character cursors are clamped, never a panic.
        t.input = "한".into();
        t.complete(&sh, 1);
        t.complete(&sh, 99);
    }

    #[test]
    fn ctrl_c_abandons_a_heredoc_and_ctrl_d_exits() {
        let mut sh = shell();
        let mut t = TermState::default();
        t.run_text(&mut sh, "cat <<EOF");
        assert_eq!(sh.prompt(), "> ");
        t.input = "half".into();
        t.interrupt(&mut sh);
        assert!(t.screen.text().ends_with("> half^C\n"));
        assert_eq!(sh.last_status(), 130);
        assert_eq!(sh.prompt(), "learner@kafkaplay:~$ ");
        t.input = "x".into();
        assert!(!t.eof(&mut sh), "Ctrl+D on a non-empty line does nothing");
        t.input.clear();
        assert!(t.eof(&mut sh));
        assert!(t.screen.text().ends_with("learner@kafkaplay:~$ exit\n"));
        assert!(sh.has_exited());
    }

    #[test]
    fn history_is_stored_with_heredocs_and_bounded() {
        let history = vec!["echo a".to_string(), "cat <<EOF\nx\nEOF".to_string()];
        assert_eq!(decode_history(&encode_history(&history)), history);
        assert_eq!(decode_history(""), Vec::<String>::new());
        let long: Vec<String> = (0..HISTORY_ENTRIES_MAX + 5).map(|i| format!("echo {i}")).collect();
        let back = decode_history(&encode_history(&long));
        assert_eq!(back.len(), HISTORY_ENTRIES_MAX);
        assert_eq!(back[0], "echo 5");
        // Whatever another page left under the key loads without a panic.
        assert_eq!(decode_history("\u{1e}\u{1e} \u{1e}ls"), vec!["ls".to_string()]);
    }

    #[test]
    fn utf16_offsets_map_to_bytes() {
        let s = "a한😀b";
        assert_eq!(utf16_to_byte(s, 0), 0);
        assert_eq!(utf16_to_byte(s, 1), 1);
        assert_eq!(utf16_to_byte(s, 2), 4);
        assert_eq!(utf16_to_byte(s, 4), 8);
        assert_eq!(utf16_to_byte(s, 99), s.len());
        assert_eq!(byte_to_utf16(s, 8), 4);
        assert_eq!(byte_to_utf16(s, 99), 5);
        assert_eq!(common_prefix(&["topics".into(), "topic".into(), "tops".into()]), "top");
    }
}
