//! The commands: install, serve, build, test, bench, wasm-pack-test.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bench::{self, BenchResult, Machine, MetricResult};
use crate::browser;
use crate::cmd;
use crate::server;
use crate::summary::{self, TestCounts};
use crate::toolchain::{self, native_cargo, Route, WasmEnv, WASM_TARGET};
use crate::Result;

/// Crates whose tests also run as wasm in headless Chromium
/// (`wasm_bindgen_test_configure!(run_in_browser)`). Extend as crates gain them.
pub const WASM_TEST_PACKAGES: &[&str] = &["kafkaplay-log", "kafkaplay-cluster", "kafkaplay-storage-idb"];

/// Workspace members left out of the native `cargo test --workspace`: only
/// those that cannot build for the host.
pub const NATIVE_TEST_EXCLUDE: &[&str] = &[];

/// The sub-path the end-to-end tests serve `dist/` under, as GitHub Pages serves
/// a project site (`https://<owner>.github.io/<repo>/`).
pub const E2E_SUB_PATH: &str = "/kafkaplay/";

const BENCH_PACKAGE: &str = "kafkaplay-bench";
const IDB_PACKAGE: &str = "kafkaplay-storage-idb";

pub fn install() -> Result<WasmEnv> {
    toolchain::install_all()
}

/// `cargo fetch`, so the `--offline` builds that follow find every crate.
fn fetch(env: &WasmEnv) -> Result<()> {
    cmd::run(env.cargo().arg("fetch"))?;
    // The wasm target's own dependencies, std's among them on the Debian route
    // (built from source: dlmalloc): a plain fetch resolves std for the host.
    // Without this, an offline build on a fresh machine fails to download them.
    cmd::run(env.cargo().args(["fetch", "--target", WASM_TARGET]))
}

/// trunk in the site's env; `release` adds the release build's flags
/// ([`WasmEnv::site_release_command`]).
fn trunk(env: &WasmEnv, release: bool) -> Result<Command> {
    let trunk = toolchain::find_tool("trunk").ok_or("trunk is not installed (run `cargo xtask install`)")?;
    let root = &env.root;
    if !root.join("index.html").is_file() {
        return Err(format!(
            "{} is missing: trunk builds the site from it",
            root.join("index.html").display()
        ));
    }
    Ok(if release {
        env.site_release_command(trunk)
    } else {
        env.site_command(trunk)
    })
}

pub fn serve() -> Result<()> {
    let env = install()?;
    fetch(&env)?;
    println!("serving at http://127.0.0.1:8080/ (Ctrl-C stops)");
    cmd::run(trunk(&env, false)?.args(["serve", "--address", "127.0.0.1", "--port", "8080", "--offline"]))
}

/// `trunk build --release` into dist/, with relative URLs (`--public-url ./`) so
/// dist/ works from any static host under any sub-path.
pub fn build() -> Result<PathBuf> {
    let env = install()?;
    build_with(&env)
}

fn build_with(env: &WasmEnv) -> Result<PathBuf> {
    fetch(env)?;
    let dist = env.root.join("dist");
    cmd::run(
        trunk(env, true)?
            .args(["build", "--release", "--offline", "--public-url", "./", "--dist"])
            .arg(&dist),
    )?;
    if !dist.join("index.html").is_file() {
        return Err(format!("trunk build wrote no {}", dist.join("index.html").display()));
    }
    crate::widget::build(env, &dist)?;
    println!("built {}", dist.display());
    Ok(dist)
}

/// Only the widget, into an existing `dist/` (`dist/widget/`).
pub fn build_widget() -> Result<PathBuf> {
    let env = install()?;
    fetch(&env)?;
    crate::widget::build(&env, &env.root.join("dist"))
}

/// `cargo test --target wasm32-unknown-unknown` with the tests run by
/// wasm-bindgen-test-runner in headless Chromium, configured by a generated
/// webdriver.json (flags for running as root in a container).
fn wasm_test_command(env: &WasmEnv) -> Result<Command> {
    let runner = toolchain::find_tool("wasm-bindgen-test-runner")
        .ok_or("wasm-bindgen-test-runner is not installed (run `cargo xtask install`)")?;
    let chrome = browser::chrome(env.route)?;
    let chromedriver = browser::chromedriver(env.route)?;
    let webdriver_json = env.target_dir().join("webdriver.json");
    std::fs::create_dir_all(env.target_dir()).map_err(|e| e.to_string())?;
    std::fs::write(&webdriver_json, browser::webdriver_json(&chrome))
        .map_err(|e| format!("write {}: {e}", webdriver_json.display()))?;
    let mut cargo = env.cargo();
    cargo
        .args(["test", "--target", WASM_TARGET])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
        .env("CHROMEDRIVER", chromedriver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json);
    Ok(cargo)
}

/// One stage of `cargo xtask test`: its counts, and whether it succeeded. A stage
/// that fails without a failed test (a compile error, a crash) counts as one
/// failure so the summary line never reads "0 failed" on a failing run.
fn finish_stage(name: &str, result: Result<(bool, TestCounts)>, total: &mut TestCounts, failed: &mut Vec<String>) {
    let counts = match result {
        Ok((true, counts)) => counts,
        Ok((false, mut counts)) => {
            if counts.failed == 0 {
                counts.failed = 1;
            }
            failed.push(name.to_string());
            counts
        }
        Err(e) => {
            eprintln!("xtask: {name}: {e}");
            failed.push(name.to_string());
            TestCounts { passed: 0, failed: 1 }
        }
    };
    eprintln!("xtask: stage {name}: {counts}");
    *total += counts;
}

pub fn test() -> Result<()> {
    let env = install()?;
    let mut total = TestCounts::default();
    let mut failed = Vec::new();

    // 1. Native: every workspace member (rustup's toolchain, no build-std).
    let native = (|| {
        let mut cargo = native_cargo();
        cargo.args(["test", "--workspace", "--no-fail-fast"]);
        for package in NATIVE_TEST_EXCLUDE {
            cargo.args(["--exclude", package]);
        }
        let (status, out) = cmd::tee(&mut cargo)?;
        Ok((status.success(), summary::parse_cargo(&out)))
    })();
    finish_stage("native", native, &mut total, &mut failed);

    // 2. wasm in headless Chromium. Doc tests are left to the native stage
    //    (`--tests`): rustdoc would hand them to the wasm-bindgen runner.
    let wasm = (|| {
        let mut cargo = wasm_test_command(&env)?;
        cargo.args(["--no-fail-fast", "--tests"]);
        for package in WASM_TEST_PACKAGES {
            cargo.args(["-p", package]);
        }
        let (status, out) = cmd::tee(&mut cargo)?;
        Ok((status.success(), summary::parse_cargo(&out)))
    })();
    finish_stage("wasm", wasm, &mut total, &mut failed);

    // 3. End-to-end: the release site, served under a sub-path, driven by
    //    playwright-core in headless Chromium.
    let e2e = run_e2e(&env, &[]);
    finish_stage("e2e", e2e, &mut total, &mut failed);

    println!("{total}");
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failing stages: {}", failed.join(", ")))
    }
}

/// The end-to-end stage: the release site, served under a sub-path, driven by
/// playwright-core in headless Chromium. `files` narrows the run to some of
/// `tests/e2e/*.test.mjs` (all of them when empty).
fn run_e2e(env: &WasmEnv, files: &[&str]) -> Result<(bool, TestCounts)> {
    let dist = build_with(env)?;
    let addr = server::start(dist, E2E_SUB_PATH)?;
    let base_url = format!("http://{addr}{E2E_SUB_PATH}");
    println!("serving dist/ at {base_url}");
    let chrome = browser::chrome(env.route)?;
    let mut node = Command::new("node");
    node.args(["--test", "--test-reporter=tap"]);
    if files.is_empty() {
        node.arg("tests/e2e/");
    } else {
        node.args(files);
    }
    node.current_dir(&env.root)
        .env("BASE_URL", &base_url)
        .env("CHROME", chrome);
    let (status, out) = cmd::tee(&mut node)?;
    Ok((status.success(), summary::parse_node_tap(&out)))
}

/// `cargo xtask e2e [files]`: build the site and run some or all end-to-end tests.
pub fn e2e(files: &[&str]) -> Result<()> {
    let env = install()?;
    let (ok, counts) = run_e2e(&env, files)?;
    println!("{counts}");
    if ok {
        Ok(())
    } else {
        Err("end-to-end tests failed".to_string())
    }
}

/// `cargo xtask test-wasm <package> [args]`: one package's wasm tests in
/// headless Chromium (a quicker loop than the whole `test`); `args` go to the
/// test binaries (e.g. a test name filter).
pub fn test_wasm_package(package: &str, args: &[&str]) -> Result<()> {
    let env = install()?;
    let mut cargo = wasm_test_command(&env)?;
    cargo.args(["--no-fail-fast", "--tests", "-p", package]);
    if !args.is_empty() {
        cargo.arg("--").args(args);
    }
    let (status, out) = cmd::tee(&mut cargo)?;
    println!("{}", summary::parse_cargo(&out));
    if status.success() {
        Ok(())
    } else {
        Err(format!("wasm tests of {package} failed"))
    }
}

pub fn bench() -> Result<()> {
    let env = install()?;
    if !env.root.join("crates").join("bench").join("Cargo.toml").is_file() {
        return Err("crates/bench does not exist yet: nothing to benchmark".into());
    }
    let (status, native_out) = cmd::tee(native_cargo().args(["run", "--release", "-p", BENCH_PACKAGE]))?;
    if !status.success() {
        return Err(format!("native benchmark failed: {status}"));
    }
    let wasm_out = run_wasm_bench(&env, BENCH_PACKAGE, None, "wasm benchmark")?;
    let wasm_metrics = wasm_cluster_median(&env, bench::parse_metrics(&wasm_out)?)?;
    // The IndexedDB engine's benchmarks (wasm only: IndexedDB is the browser's).
    let idb_out = run_wasm_bench(&env, IDB_PACKAGE, Some("idb_bench"), "IndexedDB benchmark")?;
    let mut results: Vec<BenchResult> = bench::parse_output(&native_out)?;
    results.extend(bench::parse_output(&wasm_out)?);
    let mut metrics: Vec<MetricResult> = bench::parse_metrics(&native_out)?;
    metrics.extend(wasm_metrics);
    let idb_metrics = bench::parse_metrics(&idb_out)?;
    if idb_metrics.is_empty() {
        return Err("no BENCH lines from the IndexedDB benchmark".into());
    }
    metrics.extend(idb_metrics);
    for platform in ["native", "wasm"] {
        if !results.iter().any(|r| r.platform == platform) {
            return Err(format!("no BENCH lines with \"platform\":\"{platform}\" in the output"));
        }
        if !metrics.iter().any(|m| m.platform == platform) {
            return Err(format!(
                "no cluster BENCH lines (with \"metric\") with \"platform\":\"{platform}\" in the output"
            ));
        }
    }
    metrics.extend(page_bench(&env)?);
    let machine = machine(&env)?;
    let md = bench::report(&results, &metrics, &machine);
    let path = env.root.join("BENCHMARKS.md");
    std::fs::write(&path, &md).map_err(|e| format!("write {}: {e}", path.display()))?;
    print!("{}", bench::table(&results));
    println!();
    print!("{}", bench::metrics_table(&metrics));
    println!("wrote {}", path.display());
    Ok(())
}

/// Runs `package`'s wasm benchmarks (all its test binaries, or only `test`)
/// in headless Chromium, ignored tests included, and returns their output
/// (the BENCH lines). `--nocapture` makes wasm-bindgen-test-runner copy the
/// tests' console.log output to stdout; println! goes nowhere in the browser.
/// `what` names it in the error.
fn run_wasm_bench(env: &WasmEnv, package: &str, test: Option<&str>, what: &str) -> Result<String> {
    let mut wasm = wasm_test_command(env)?;
    wasm.args(["--release", "-p", package]);
    if let Some(test) = test {
        wasm.args(["--test", test]);
    }
    wasm.args(["--", "--include-ignored", "--nocapture"]);
    let (status, out) = cmd::tee(&mut wasm)?;
    if !status.success() {
        return Err(format!("{what} failed: {status}"));
    }
    Ok(out)
}

/// The quick loop for the cluster's scale case: natively that case alone, in
/// wasm the cluster benchmark binary (the scale case, then the speed case), in
/// a fresh browser as `bench` runs it. Prints the BENCH lines' table and writes
/// nothing. `CHROME` may name a wrapper script that adds flags, for diagnosis.
pub fn bench_scale() -> Result<()> {
    let env = install()?;
    let (status, native_out) = cmd::tee(native_cargo().args(["run", "--release", "-p", BENCH_PACKAGE, "scale"]))?;
    if !status.success() {
        return Err(format!("native benchmark failed: {status}"));
    }
    let wasm_out = run_wasm_bench(&env, BENCH_PACKAGE, Some("wasm_cluster_bench"), "wasm benchmark")?;
    let mut metrics: Vec<MetricResult> = bench::parse_metrics(&native_out)?;
    metrics.extend(wasm_cluster_median(&env, bench::parse_metrics(&wasm_out)?)?);
    print!("{}", bench::metrics_table(&metrics));
    Ok(())
}

/// `first` (the wasm metrics of one run) with the cluster benchmark run
/// [`bench::WASM_CLUSTER_RUNS`] times in all, each in a fresh browser: each
/// metric is the median, and the first create also shows its fastest and
/// slowest run.
fn wasm_cluster_median(env: &WasmEnv, first: Vec<MetricResult>) -> Result<Vec<MetricResult>> {
    let mut runs = vec![first];
    for _ in 1..bench::WASM_CLUSTER_RUNS {
        let out = run_wasm_bench(env, BENCH_PACKAGE, Some("wasm_cluster_bench"), "wasm benchmark")?;
        runs.push(bench::parse_metrics(&out)?);
    }
    Ok(bench::median_metrics(&runs, "create: admin request"))
}

/// The page's measurements (issue 8): the release site built and served
/// under [`E2E_SUB_PATH`], measured by `tests/e2e/page_bench.mjs` in headless
/// Chromium (size, first render, frame budget).
fn page_bench(env: &WasmEnv) -> Result<Vec<MetricResult>> {
    let dist = build_with(env)?;
    let addr = server::start(dist.clone(), E2E_SUB_PATH)?;
    let mut node = Command::new("node");
    node.arg("tests/e2e/page_bench.mjs")
        .current_dir(&env.root)
        .env("BASE_URL", format!("http://{addr}{E2E_SUB_PATH}"))
        .env("CHROME", browser::chrome(env.route)?)
        .env("DIST", &dist);
    let (status, out) = cmd::tee(&mut node)?;
    if !status.success() {
        return Err(format!("page benchmark failed: {status}"));
    }
    let metrics = bench::parse_metrics(&out)?;
    if !metrics.iter().any(|m| m.case.starts_with(bench::PAGE_CASE_PREFIX)) {
        return Err("no page BENCH lines from tests/e2e/page_bench.mjs".into());
    }
    Ok(metrics)
}

/// `cargo xtask bench page`: only the page's measurements, written into the
/// page section of the existing BENCHMARKS.md (the other sections stay).
pub fn bench_page() -> Result<()> {
    let env = install()?;
    let metrics = page_bench(&env)?;
    let path = env.root.join("BENCHMARKS.md");
    let md = std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let md = bench::replace_page_section(&md, &bench::page_section(&metrics));
    std::fs::write(&path, md).map_err(|e| format!("write {}: {e}", path.display()))?;
    print!("{}", bench::page_table(&metrics));
    println!("wrote the page section of {}", path.display());
    Ok(())
}

fn machine(env: &WasmEnv) -> Result<Machine> {
    let unknown = || "unknown".to_string();
    let native_rustc = cmd::output("rustc", ["--version"]).unwrap_or_else(unknown);
    let wasm_rustc = match env.route {
        Route::Debian => cmd::output("/usr/bin/rustc", ["--version"]).unwrap_or_else(unknown),
        Route::Rustup => native_rustc.clone(),
    };
    let chromium = browser::chrome(env.route)
        .ok()
        .and_then(|c| cmd::output(c, ["--version"]))
        .unwrap_or_else(unknown);
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| bench::cpu_model(&info))
        .unwrap_or_else(unknown);
    let nproc = std::thread::available_parallelism()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| unknown());
    Ok(Machine {
        nproc,
        cpu_model,
        native_rustc,
        wasm_rustc,
        chromium,
        // The system's `date` rather than a calendar of our own.
        date: cmd::output("date", ["-u", "+%Y-%m-%d"]).map_or_else(unknown, |d| d.trim().to_string()),
    })
}

/// `wasm-pack test --headless --chrome crates/log`: the command users know, in
/// the same wasm env (not run in CI).
pub fn wasm_pack_test() -> Result<()> {
    let env = install()?;
    toolchain::install_wasm_pack()?;
    let wasm_pack = toolchain::find_tool("wasm-pack").ok_or("wasm-pack is not on PATH after install")?;
    let chrome = browser::chrome(env.route)?;
    let chromedriver = browser::chromedriver(env.route)?;
    let webdriver_json = env.target_dir().join("webdriver.json");
    std::fs::create_dir_all(env.target_dir()).map_err(|e| e.to_string())?;
    std::fs::write(&webdriver_json, browser::webdriver_json(&chrome)).map_err(|e| e.to_string())?;
    let crate_dir: &Path = Path::new("crates/log");
    cmd::run(
        env.command(wasm_pack)
            .args(["test", "--headless", "--chrome", "--mode", "no-install"])
            .arg(crate_dir)
            .env("CHROMEDRIVER", chromedriver)
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json),
    )
}
