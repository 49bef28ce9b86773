//! What a command prints: stdout and stderr chunks in the order they were
//! written (a terminal shows them interleaved), plus helpers.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Ordered output of one command or job step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub chunks: Vec<(Stream, String)>,
}

impl Output {
    pub fn new() -> Self {
        Output::default()
    }

    /// Writes to stdout (no newline added).
    pub fn out(&mut self, text: impl Into<String>) {
        self.push(Stream::Stdout, text.into());
    }

    /// Writes a line to stdout.
    pub fn outln(&mut self, text: impl AsRef<str>) {
        self.push(Stream::Stdout, format!("{}\n", text.as_ref()));
    }

    /// Writes to stderr (no newline added).
    pub fn err(&mut self, text: impl Into<String>) {
        self.push(Stream::Stderr, text.into());
    }

    /// Writes a line to stderr.
    pub fn errln(&mut self, text: impl AsRef<str>) {
        self.push(Stream::Stderr, format!("{}\n", text.as_ref()));
    }

    fn push(&mut self, stream: Stream, text: String) {
        if text.is_empty() {
            return;
        }
        match self.chunks.last_mut() {
            Some((s, last)) if *s == stream => last.push_str(&text),
            _ => self.chunks.push((stream, text)),
        }
    }

    /// Appends everything `other` wrote, keeping the order.
    pub fn extend(&mut self, other: Output) {
        for (stream, text) in other.chunks {
            self.push(stream, text);
        }
    }

    /// Everything written to stdout, concatenated.
    pub fn stdout(&self) -> String {
        self.collect(Stream::Stdout)
    }

    /// Everything written to stderr, concatenated.
    pub fn stderr(&self) -> String {
        self.collect(Stream::Stderr)
    }

    fn collect(&self, stream: Stream) -> String {
        self.chunks
            .iter()
            .filter(|(s, _)| *s == stream)
            .map(|(_, t)| t.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_merges_adjacent_chunks() {
        let mut o = Output::new();
        o.outln("a");
        o.out("b");
        o.errln("e");
        o.outln("c");
        o.err("");
        assert_eq!(
            o.chunks,
            vec![
                (Stream::Stdout, "a\nb".to_string()),
                (Stream::Stderr, "e\n".to_string()),
                (Stream::Stdout, "c\n".to_string()),
            ]
        );
        assert_eq!(o.stdout(), "a\nbc\n");
        assert_eq!(o.stderr(), "e\n");
    }
}
