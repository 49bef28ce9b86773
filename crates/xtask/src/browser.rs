//! Headless Chromium: finding it and its driver, the flags it needs on these
//! machines (running as root in a container: no sandbox, no GPU, no network
//! chatter), the `webdriver.json` that passes them to wasm-bindgen-test-runner,
//! and screenshots.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;
use crate::toolchain::{detect_route, Route};
use crate::Result;

/// Browser names looked up on PATH, in order, when `CHROME` is unset.
const CHROME_NAMES: &[&str] = &["chromium", "google-chrome", "google-chrome-stable", "chromium-browser"];

/// Flags for every headless Chromium we start (toolchain.md §4, §5), except the
/// per-run `--user-data-dir`.
pub const CHROME_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// Chromium: `$CHROME`, else `/usr/bin/chromium` on the Debian route, else the
/// first of `CHROME_NAMES` on PATH.
pub fn chrome(route: Route) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROME") {
        return Ok(PathBuf::from(path));
    }
    let debian = Path::new("/usr/bin/chromium");
    if route == Route::Debian && cmd::is_executable(debian) {
        return Ok(debian.to_path_buf());
    }
    CHROME_NAMES.iter().find_map(|name| cmd::which(name)).ok_or_else(|| {
        format!(
            "chromium: none of {} on PATH; install Chromium or Chrome, or set CHROME",
            CHROME_NAMES.join(", ")
        )
    })
}

/// ChromeDriver: `$CHROMEDRIVER`, else `chromedriver` on PATH. It must match the
/// browser's major version.
pub fn chromedriver(_route: Route) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMEDRIVER") {
        return Ok(PathBuf::from(path));
    }
    cmd::which("chromedriver").ok_or_else(|| {
        "chromedriver: not on PATH; install the ChromeDriver matching your Chrome, or set CHROMEDRIVER".to_string()
    })
}

/// The `webdriver.json` capabilities for wasm-bindgen-test-runner, which reads
/// the file named by `WASM_BINDGEN_TEST_WEBDRIVER_JSON` (default: `webdriver.json`
/// in the working directory) and then appends `headless`, `no-sandbox` and
/// `disable-dev-shm-usage` itself. ChromeDriver makes its own temporary profile.
pub fn webdriver_json(chrome: &Path) -> String {
    let args: Vec<String> = CHROME_FLAGS
        .iter()
        .map(|flag| format!("\"{}\"", flag.trim_start_matches("--")))
        .collect();
    format!(
        "{{\n  \"goog:chromeOptions\": {{\n    \"binary\": {},\n    \"args\": [{}]\n  }}\n}}\n",
        json_string(&chrome.to_string_lossy()),
        args.join(", ")
    )
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A fresh, empty directory under the system temp dir.
pub fn fresh_temp_dir(label: &str) -> Result<PathBuf> {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("kafkaplay-{label}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// `cargo xtask screenshot <url> <out.png>`.
pub fn screenshot(url: &str, out: &Path) -> Result<()> {
    let chrome = chrome(detect_route()?)?;
    let out = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir().map_err(|e| e.to_string())?.join(out)
    };
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
    }
    let profile = fresh_temp_dir("chromium-profile")?;
    let mut command = Command::new(&chrome);
    command
        .args(CHROME_FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--hide-scrollbars")
        .arg("--window-size=1280,900")
        // Let the page load its wasm and render before the capture.
        .arg("--virtual-time-budget=10000")
        .arg(format!("--screenshot={}", out.display()))
        .arg(url);
    let result = cmd::run(&mut command);
    let _ = std::fs::remove_dir_all(&profile);
    result?;
    if !out.is_file() {
        return Err(format!("chromium exited but wrote no {}", out.display()));
    }
    println!("wrote {}", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webdriver_json_names_the_binary_and_flags() {
        let json = webdriver_json(Path::new("/usr/bin/chromium"));
        assert!(json.contains("\"binary\": \"/usr/bin/chromium\""), "{json}");
        assert!(json.contains("\"no-sandbox\""), "{json}");
        assert!(json.contains("\"disable-gpu\""), "{json}");
        assert!(
            !json.contains("--"),
            "chromedriver args are given without dashes: {json}"
        );
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(json_string("\u{1}"), "\"\\u0001\"");
    }
}
