//! `cargo xtask <command>`: build, test, install and benchmark orchestration for
//! kafkaplay, in Rust instead of shell scripts (rust-analyzer's convention).
//!
//! Commands:
//! - `install`: idempotent toolchain set-up (wasm32 std, wasm-bindgen-cli, trunk,
//!   Chromium + ChromeDriver, playwright-core for tests/e2e)
//! - `serve`: `trunk serve` at http://127.0.0.1:8080
//! - `build`: `trunk build --release` into `dist/` with relative URLs
//! - `test`: every test: native, wasm in headless Chromium, end-to-end
//! - `bench`: native and wasm benchmarks and the page's (size, first render,
//!   frame budget), written to BENCHMARKS.md; `bench page`: only the page's
//! - `wasm-pack-test`: `wasm-pack test --headless --chrome crates/log` (not in CI)
//! - `screenshot <url> <out.png>`: headless Chromium screenshot
//!
//! What this crate is not: it has no dependencies beyond std (compile time matters,
//! every CI run builds it first), and it never edits project sources.
//!
//! Two routes to a wasm32 standard library are supported (see `toolchain.rs`):
//! rustup's `wasm32-unknown-unknown` target on an ordinary machine, or Debian's
//! `rustc-web` packages with `-Zbuild-std` where rustup cannot download targets.

mod bench;
mod browser;
mod cmd;
mod lockfile;
mod server;
mod split_data;
mod summary;
mod tasks;
mod toolchain;
mod trampolines;
mod widget;

use std::path::PathBuf;
use std::process::ExitCode;

pub type Result<T> = std::result::Result<T, String>;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  install                     install the toolchain (idempotent)
  serve                       build and serve the site at http://127.0.0.1:8080
  build                       build the site into dist/ (relative URLs), the
                              docs widget into dist/widget/
  build-widget                only the docs widget, into dist/widget/
  test                        run every test (native, wasm in Chromium, end-to-end)
  test-wasm <package> [args]  run one package's wasm tests in headless Chromium
                              (args go to the test binary, e.g. a name filter)
  e2e [files]                 build the site, run tests/e2e (or only the given files)
  bench                       run native and wasm benchmarks, write BENCHMARKS.md
  bench scale                 only the cluster benchmarks' scale case (wasm: the
                              cluster test binary), printed, BENCHMARKS.md untouched
  bench page                  measure the page only (size, first render, frames),
                              rewrite BENCHMARKS.md's page section
  wasm-pack-test              run `wasm-pack test --headless --chrome crates/log`
  screenshot <url> <out.png>  headless Chromium screenshot at 1280x900
  split-trampolines <in> <out>
                              the release build's split step (web/build/split.mjs):
                              calls to the second module through trampolines
  split-data <primary> <secondary> <original> [<touched>]
                              the widget's split step (web/build/split-widget.mjs):
                              constants only the second module uses move there
  split-keep <profile> <wasm> <pattern>...
                              the widget's split step: functions named like a
                              pattern stay in the start-up module
";

/// The workspace root: two levels above this crate's manifest.
pub fn repo_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .expect("crates/xtask is two levels below the workspace root")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["install"] => tasks::install().map(|_| ()),
        ["serve"] => tasks::serve(),
        ["build"] => tasks::build().map(|_| ()),
        ["build-widget"] => tasks::build_widget().map(|_| ()),
        ["test"] => tasks::test(),
        ["test-wasm", package, rest @ ..] => tasks::test_wasm_package(package, rest),
        ["e2e", files @ ..] => tasks::e2e(files),
        ["bench"] => tasks::bench(),
        ["bench", "scale"] => tasks::bench_scale(),
        ["bench", "page"] => tasks::bench_page(),
        ["wasm-pack-test"] => tasks::wasm_pack_test(),
        ["screenshot", url, out] => browser::screenshot(url, out.as_ref()),
        ["split-trampolines", input, output] => trampolines::run(input.as_ref(), output.as_ref()),
        ["split-data", primary, secondary, original] => {
            split_data::run(primary.as_ref(), secondary.as_ref(), original.as_ref(), None)
        }
        ["split-data", primary, secondary, original, touched] => split_data::run(
            primary.as_ref(),
            secondary.as_ref(),
            original.as_ref(),
            Some(touched.as_ref()),
        ),
        ["split-keep", profile, wasm, patterns @ ..] if !patterns.is_empty() => {
            let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
            split_data::keep(profile.as_ref(), wasm.as_ref(), &patterns)
        }
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}
