//! Errors of the engine, classified so the app can say what happened.

use std::fmt;

/// What kind of failure, for the app to choose its message and next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The browser refused to store more (`QuotaExceededError`, also when it
    /// arrives as the cause of an `AbortError`). Nothing already stored changed.
    QuotaExceeded,
    /// Another tab holds this playground; this one may only read.
    ReadOnly,
    /// IndexedDB is missing or disabled (private mode in some browsers), or the
    /// connection was closed (another tab upgraded or deleted the database).
    Unavailable,
    /// Stored data could not be read back (a damaged record or image).
    Damaged,
    /// A transaction was aborted for another reason; nothing of it was stored.
    Aborted,
    /// A paced commit found a segment it was writing rewritten by the
    /// cluster (see `Pace`); nothing of it was stored, and the next
    /// commit writes the difference. Not a failure to show.
    Superseded,
    Other,
}

/// An engine failure with a message meant for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdbError {
    pub kind: ErrorKind,
    pub message: String,
}

/// The message a full storage quota gives.
pub const QUOTA_MESSAGE: &str = "The browser's storage for this site is full (QuotaExceededError), so the \
playground could not be saved. The cluster keeps running in memory, and what was saved before is intact. \
Delete another playground or allow this site more storage, and saving resumes.";

impl IdbError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        IdbError {
            kind,
            message: message.into(),
        }
    }

    pub fn quota() -> Self {
        IdbError::new(ErrorKind::QuotaExceeded, QUOTA_MESSAGE)
    }

    pub fn is_quota(&self) -> bool {
        self.kind == ErrorKind::QuotaExceeded
    }

    /// Classifies a DOM error by its `name` and `message`: `QuotaExceededError`
    /// is a quota error, and so is an `AbortError` whose message or cause says
    /// quota (some engines abort the transaction and name the quota only there).
    pub fn from_dom(context: &str, name: &str, message: &str) -> Self {
        let quota_text = message.to_ascii_lowercase().contains("quota");
        match name {
            "QuotaExceededError" => IdbError::quota(),
            "AbortError" if quota_text => IdbError::quota(),
            "AbortError" => IdbError::new(
                ErrorKind::Aborted,
                format!("{context}: the transaction was aborted ({message})"),
            ),
            "InvalidStateError" | "UnknownError" | "SecurityError" => IdbError::new(
                ErrorKind::Unavailable,
                format!("{context}: IndexedDB is not usable here ({name}: {message})"),
            ),
            _ if quota_text => IdbError::quota(),
            _ => IdbError::new(ErrorKind::Other, format!("{context}: {name}: {message}")),
        }
    }
}

impl fmt::Display for IdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IdbError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_errors_are_recognised_directly_and_inside_an_abort() {
        assert!(IdbError::from_dom("commit", "QuotaExceededError", "").is_quota());
        assert!(IdbError::from_dom("commit", "AbortError", "Transaction aborted: Quota exceeded.").is_quota());
        let abort = IdbError::from_dom("commit", "AbortError", "The transaction was aborted.");
        assert_eq!(abort.kind, ErrorKind::Aborted);
        assert_eq!(IdbError::quota().to_string(), QUOTA_MESSAGE);
    }
}
