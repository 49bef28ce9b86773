//! The message browser's query: where to start reading a partition (the
//! latest records, an offset, or a time, as a consumer's `seek` and
//! `offsetsForTimes` do) and a search over keys, values and headers. Pure
//! functions over the records the page reads from the leader's log, so they
//! test natively.

use crate::i18n::Lang;

/// Where the browser starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seek {
    /// The last records below the high watermark, newest first.
    #[default]
    Latest,
    /// From this offset on (`KafkaConsumer.seek`), oldest first.
    Offset(i64),
    /// From the first record whose timestamp is at or after this time
    /// (`offsetsForTimes`, ListOffsets with a timestamp), oldest first.
    Time(i64),
}

/// The browser's query: a start and a search text (empty: every record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub seek: Seek,
    pub search: String,
}

/// At most this many records are decoded for one search, so that a search of
/// a long log costs a bounded amount of work each time the page redraws.
pub const SEARCH_SCAN_MAX: usize = 10_000;

/// What a search went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Searched {
    /// Records decoded and matched.
    pub scanned: usize,
    /// The search stopped at [`SEARCH_SCAN_MAX`].
    pub capped: bool,
}

/// The kind of start the form's select names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeekKind {
    #[default]
    Latest,
    Offset,
    Time,
}

impl SeekKind {
    pub fn word(self) -> &'static str {
        match self {
            SeekKind::Latest => "latest",
            SeekKind::Offset => "offset",
            SeekKind::Time => "time",
        }
    }

    pub fn from_word(w: &str) -> SeekKind {
        match w {
            "offset" => SeekKind::Offset,
            "time" => SeekKind::Time,
            _ => SeekKind::Latest,
        }
    }
}

/// Why the text typed as a start cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekError {
    /// Not a whole number ≥ 0.
    BadOffset,
    /// Neither `2026-11-24T16:53:20Z` (seconds and `.mmm` optional, `Z`
    /// optional: always UTC, as the table shows) nor epoch milliseconds.
    BadTime,
}

/// The start the form describes.
pub fn parse_seek(kind: SeekKind, text: &str) -> Result<Seek, SeekError> {
    let text = text.trim();
    match kind {
        SeekKind::Latest => Ok(Seek::Latest),
        SeekKind::Offset => text
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0)
            .map(Seek::Offset)
            .ok_or(SeekError::BadOffset),
        SeekKind::Time => parse_time(text).map(Seek::Time).ok_or(SeekError::BadTime),
    }
}

/// Milliseconds since the epoch from `YYYY-MM-DDTHH:MM[:SS[.mmm]][Z]` (UTC, a
/// space allowed for the `T`) or from a plain number of milliseconds.
pub fn parse_time(text: &str) -> Option<i64> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let text = text.strip_suffix('Z').unwrap_or(text);
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-');
    let year: i64 = num(d.next()?, 4)?;
    let month: i64 = num(d.next()?, 2)?;
    let day: i64 = num(d.next()?, 2)?;
    let (hms, milli) = match time.split_once('.') {
        Some((hms, ms)) if (1..=3).contains(&ms.len()) => (hms, num(ms, ms.len())? * 10_i64.pow(3 - ms.len() as u32)),
        Some(_) => return None,
        None => (time, 0),
    };
    let mut t = hms.split(':');
    let hour: i64 = num(t.next()?, 2)?;
    let minute: i64 = num(t.next()?, 2)?;
    let second: i64 = t.next().map_or(Some(0), |s| num(s, 2))?;
    if t.next().is_some() || !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = kafkaplay_shell::tools::common::days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milli)
}

/// Exactly `len` ASCII digits.
fn num(s: &str, len: usize) -> Option<i64> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A search text, lowercased once for all the records it is matched against.
pub struct Needle(String);

impl Needle {
    pub fn new(search: &str) -> Needle {
        Needle(search.to_lowercase())
    }

    /// Whether a record matches: the text, ignoring case, inside its key, its
    /// value, or a header's key or value (bytes read as UTF-8, invalid
    /// sequences replaced). An empty search matches every record.
    pub fn matches(&self, key: Option<&[u8]>, value: Option<&[u8]>, headers: &[(String, Option<Vec<u8>>)]) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let has = |bytes: &[u8]| String::from_utf8_lossy(bytes).to_lowercase().contains(&self.0);
        key.is_some_and(has)
            || value.is_some_and(has)
            || headers
                .iter()
                .any(|(k, v)| has(k.as_bytes()) || v.as_deref().is_some_and(has))
    }
}

/// The browser form's texts.
pub struct BrowseText {
    pub start_at: &'static str,
    pub latest: &'static str,
    pub offset: &'static str,
    pub time: &'static str,
    pub start_placeholder_offset: &'static str,
    pub start_placeholder_time: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub bad_offset: &'static str,
    pub bad_time: &'static str,
    /// What the table shows, for the query in force.
    pub showing: fn(seek: Seek, start: i64, shown: usize, searched: Option<Searched>) -> String,
    pub no_match: &'static str,
}

pub fn text(lang: Lang) -> &'static BrowseText {
    lang.pick(&EN, &KO)
}

static EN: BrowseText = BrowseText {
    start_at: "Start at",
    latest: "latest",
    offset: "offset",
    time: "time",
    start_placeholder_offset: "e.g. 0",
    start_placeholder_time: "e.g. 2026-11-24T10:00:00Z",
    search: "Search",
    search_placeholder: "key, value or header",
    bad_offset: "The offset must be a whole number, 0 or more.",
    bad_time: "Give the time as 2026-11-24T10:00:00Z (UTC, as the table shows it) or in epoch milliseconds.",
    showing: |seek, start, shown, searched| {
        let from = match seek {
            Seek::Latest => "The latest records below the high watermark, newest first".to_string(),
            Seek::Offset(_) => format!("From offset {start}, oldest first"),
            Seek::Time(_) => format!("From offset {start}, the first record at or after that time, oldest first"),
        };
        match searched {
            None => format!("{from}: {shown} shown."),
            Some(Searched { scanned, capped }) => format!(
                "{from}: {shown} matching of {scanned} searched{}.",
                if capped {
                    " (the search stops there; start later to search further)"
                } else {
                    ""
                }
            ),
        }
    },
    no_match: "No record matches.",
};

static KO: BrowseText = BrowseText {
    start_at: "시작 위치",
    latest: "최신",
    offset: "오프셋",
    time: "시각",
    start_placeholder_offset: "예: 0",
    start_placeholder_time: "예: 2026-11-24T10:00:00Z",
    search: "검색",
    search_placeholder: "키, 값 또는 헤더",
    bad_offset: "오프셋은 0 이상의 정수여야 합니다.",
    bad_time: "시각은 2026-11-24T10:00:00Z 형식(표와 같은 UTC)이나 에포크 밀리초로 입력하세요.",
    showing: |seek, start, shown, searched| {
        let from = match seek {
            Seek::Latest => "하이 워터마크 아래의 최근 레코드(최신순)".to_string(),
            Seek::Offset(_) => format!("오프셋 {start}부터(오래된 순)"),
            Seek::Time(_) => format!("그 시각 이후 첫 레코드인 오프셋 {start}부터(오래된 순)"),
        };
        match searched {
            None => format!("{from}: {shown}개 표시."),
            Some(Searched { scanned, capped }) => format!(
                "{from}: {scanned}개 중 {shown}개 일치{}.",
                if capped {
                    " (검색은 여기서 멈춥니다. 더 찾으려면 더 뒤에서 시작하세요)"
                } else {
                    ""
                }
            ),
        }
    },
    no_match: "일치하는 레코드가 없습니다.",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::iso_time;

    #[test]
    fn times_parse_as_the_table_prints_them() {
        for ms in [
            0,
            1_714_566_896_789,
            951_782_400_000, /* 2000-02-29 */
            4_102_444_799_999,
        ] {
            assert_eq!(parse_time(&iso_time(ms)), Some(ms), "{}", iso_time(ms));
        }
        assert_eq!(parse_time("2024-05-01T12:34:56Z"), Some(1_714_566_896_000));
        assert_eq!(parse_time("2024-05-01 12:34"), Some(1_714_566_840_000));
        assert_eq!(parse_time("2024-05-01T12:34:56.7"), Some(1_714_566_896_700));
        assert_eq!(parse_time("1714566896789"), Some(1_714_566_896_789));
        for bad in [
            "",
            "yesterday",
            "2024-13-01T00:00Z",
            "2023-02-29T00:00Z",
            "2024-05-01T24:00Z",
            "2024-05-01T12:34:56.7890Z",
            "2024-5-1T1:2Z",
            "-5",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn seeks_parse_or_say_why_not() {
        assert_eq!(parse_seek(SeekKind::Latest, "whatever"), Ok(Seek::Latest));
        assert_eq!(parse_seek(SeekKind::Offset, " 42 "), Ok(Seek::Offset(42)));
        assert_eq!(parse_seek(SeekKind::Offset, "-1"), Err(SeekError::BadOffset));
        assert_eq!(parse_seek(SeekKind::Offset, "4.5"), Err(SeekError::BadOffset));
        assert_eq!(parse_seek(SeekKind::Time, "soon"), Err(SeekError::BadTime));
        for k in [SeekKind::Latest, SeekKind::Offset, SeekKind::Time] {
            assert_eq!(SeekKind::from_word(k.word()), k);
        }
    }

    #[test]
    fn search_looks_in_keys_values_and_headers_ignoring_case() {
        let headers = vec![
            ("trace-id".to_string(), Some(b"ABC-123".to_vec())),
            ("empty".to_string(), None),
        ];
        assert!(Needle::new("").matches(None, None, &[]));
        assert!(Needle::new("order").matches(Some(b"Order-7"), None, &[]));
        assert!(Needle::new("paid").matches(None, Some(br#"{"status":"PAID"}"#), &[]));
        assert!(Needle::new("abc-1").matches(None, None, &headers));
        assert!(Needle::new("TRACE").matches(None, None, &headers));
        assert!(!Needle::new("zzz").matches(Some(b"k"), Some(b"v"), &headers));
        // Binary values are read as UTF-8 with replacements, never a panic.
        assert!(!Needle::new("x").matches(Some(&[0xff, 0xfe]), Some(&[0xc3]), &[]));
        assert!(Needle::new("é").matches(None, Some("café".as_bytes()), &[]));
    }
}
