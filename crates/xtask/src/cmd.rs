//! Running child processes: echo the command, fail with a readable message, and
//! optionally keep a copy of stdout (tee) for parsing test summaries.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use crate::Result;

/// A printable form of a command line, for logs and error messages.
pub fn display(cmd: &Command) -> String {
    let mut line = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// Runs `cmd` with inherited stdio; an unsuccessful exit is an error.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = status(cmd)?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed: {status}", display(cmd)))
    }
}

/// Runs `cmd` with inherited stdio and returns its exit status.
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    eprintln!("$ {}", display(cmd));
    cmd.status()
        .map_err(|e| format!("cannot start `{}`: {e}", display(cmd)))
}

/// Runs `cmd`, copying its stdout line by line to ours while keeping it, so the
/// caller can parse it. stderr is inherited.
pub fn tee(cmd: &mut Command) -> Result<(ExitStatus, String)> {
    eprintln!("$ {}", display(cmd));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", display(cmd)))?;
    let mut kept = String::new();
    let reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let stdout = std::io::stdout();
    for line in reader.split(b'\n') {
        let line = line.map_err(|e| format!("reading output of `{}`: {e}", display(cmd)))?;
        let line = String::from_utf8_lossy(&line);
        let mut out = stdout.lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
        kept.push_str(&line);
        kept.push('\n');
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{}`: {e}", display(cmd)))?;
    Ok((status, kept))
}

/// The trimmed stdout of `program args`, or None when it cannot run or fails.
pub fn output<I, S>(program: impl AsRef<OsStr>, args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Finds `name` on PATH (like `which`).
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// `~/.cargo/bin` (or `$CARGO_HOME/bin`): where `cargo install` puts binaries.
pub fn cargo_bin_dir() -> PathBuf {
    cargo_home().join("bin")
}

/// `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"))
}

/// Whether `name` is a variable that `cargo run` or rustup's proxies set for xtask
/// itself and that must not leak into a child build, where another toolchain
/// (Debian's rustc, or `cargo +nightly`) may run.
pub fn is_inherited_toolchain_var(name: &str) -> bool {
    matches!(
        name,
        "CARGO" | "RUSTUP_TOOLCHAIN" | "RUSTUP_TOOLCHAIN_SOURCE" | "RUST_RECURSION_COUNT"
    ) || name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || name.starts_with("CARGO_BIN_")
        || name == "CARGO_CRATE_NAME"
        || name == "CARGO_PRIMARY_PACKAGE"
}

/// A fresh Command with the toolchain variables inherited from `cargo run` removed.
pub fn clean(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if is_inherited_toolchain_var(&name.to_string_lossy()) {
            cmd.env_remove(name);
        }
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_run_variables_do_not_leak() {
        for var in ["CARGO", "RUSTUP_TOOLCHAIN", "CARGO_PKG_NAME", "CARGO_MANIFEST_DIR"] {
            assert!(is_inherited_toolchain_var(var), "{var}");
        }
        for var in ["CARGO_HOME", "CARGO_TARGET_DIR", "RUSTUP_HOME", "PATH", "RUSTFLAGS"] {
            assert!(!is_inherited_toolchain_var(var), "{var}");
        }
    }
}
