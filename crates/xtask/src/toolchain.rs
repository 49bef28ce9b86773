//! The toolchain: which route gives us a wasm32 standard library, the shared
//! "wasm env" every wasm build runs in, and the idempotent install steps.
//!
//! Two routes (see /work/shared/docs/toolchain.md for the verified recipe):
//! - **Rustup**: rustup's `wasm32-unknown-unknown` target is installed (or can be
//!   added). Plain `cargo --target wasm32-unknown-unknown`.
//! - **Debian**: rustup cannot download the target (it hangs), so Debian's
//!   `rustc-web`/`cargo-web`/`rust-web-src` build std from source with
//!   `-Zbuild-std`. These are rustc 1.96 while rustup stable may be older, so wasm
//!   builds get their own target directory (`target/wasm`).
//!
//! Set `KAFKAPLAY_WASM_ROUTE=debian|rustup` to override the detection.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, cargo_bin_dir, clean};
use crate::{lockfile, Result};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Debian packages of the Debian route: wasm32 std (rustc-web, cargo-web,
/// rust-web-src), the linker `rust-lld` points at (lld-22), the browser and its
/// driver of the same major version, wasm-opt (binaryen), and cmake, which
/// builds wasm-split (see [`install_wasm_split`]).
/// Installed with `--no-install-recommends` (Chromium recommends a desktop's worth),
/// so what rustc-web only recommends is named here: `rust-web-llvm` provides
/// `rust-lld`, without which wasm links fail with "linker `rust-lld` not found".
pub const DEBIAN_PACKAGES: &[&str] = &[
    "rustc-web",
    "cargo-web",
    "rust-web-llvm",
    "rust-web-src",
    "lld-22",
    "chromium",
    "chromium-driver",
    "binaryen",
    "cmake",
];

pub const TRUNK_VERSION: &str = "0.22.1";

/// wasm-opt (binaryen) older than this breaks wasm-bindgen 0.2.130's output: with
/// Debian 12's binaryen 108, `trunk build --release` (which runs wasm-opt by
/// default) produced a page failing with "WebAssembly.Table.set(): Argument 1 is
/// invalid for table". 131 is the version trunk 0.22.1 would download itself.
pub const WASM_OPT_VERSION_MIN: u64 = 131;
/// The npm package that provides a newer wasm-opt when the system's is too old.
pub const BINARYEN_NPM: &str = "binaryen@132.0.0";
/// trunk 0.22.1's minimum supported rustc.
pub const TRUNK_RUSTC_MIN: (u64, u64, u64) = (1, 96, 1);

/// std's features for the site's build on the Debian route (see [`WasmEnv::site_command`]).
pub const SITE_STD_FEATURES: &str = "optimize_for_size";

/// rustc flags of the release site's build on the Debian route (see
/// [`WasmEnv::site_release_command`]): nightly-only, like `-Zbuild-std` itself.
/// A panic traps at once (`immediate-abort`: no message formatting, no panic
/// hook) and carries no file and line (`location-detail=none`): together 30 KB
/// of the gzipped wasm (BENCHMARKS.md). A panic is a bug either way; on the
/// page it is a `RuntimeError: unreachable` in the console instead of Rust's
/// message. `KAFKAPLAY_SITE_RUSTFLAGS` replaces these flags (empty: none, for
/// a release build that prints panic messages).
///
/// `-reference-types`: wasm-bindgen then keeps JS values in a JS-side slab
/// instead of an `externref` table, whose shims use `table.fill`, which the
/// Binaryen that splits the wasm ([`WASM_SPLIT_CRATE`]) cannot read. std is
/// built with these flags too (`-Zbuild-std`), so no object brings the feature
/// back. The wasm is 2 KB smaller gzipped without it (701 KB against 703).
pub const SITE_RELEASE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Ctarget-feature=-reference-types";

/// The crates.io crate whose sources carry Binaryen's, from which `install`
/// builds `wasm-split` (web/build/split.mjs splits the site's wasm with it).
/// No registry here has a wasm-split binary: Debian 12's binaryen (108) and
/// npm's binaryen.js leave it out, and 116 is the newest Binaryen on crates.io.
pub const WASM_SPLIT_CRATE: (&str, &str) = ("wasm-opt-sys", "0.116.0");
/// What `wasm-split --version` prints for the Binaryen of [`WASM_SPLIT_CRATE`].
pub const WASM_SPLIT_VERSION: &str = "wasm-split version 116";

const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Rustup,
    Debian,
}

/// Picks the route: an explicit `KAFKAPLAY_WASM_ROUTE`, else rustup when it has
/// the wasm32 target, else Debian when apt-get exists, else rustup (and `install`
/// will `rustup target add`).
pub fn detect_route() -> Result<Route> {
    match std::env::var("KAFKAPLAY_WASM_ROUTE").as_deref() {
        Ok("debian") => return Ok(Route::Debian),
        Ok("rustup") => return Ok(Route::Rustup),
        Ok(other) => return Err(format!("KAFKAPLAY_WASM_ROUTE={other}: expected debian or rustup")),
        Err(_) => {}
    }
    if rustup_has_wasm_target() {
        Ok(Route::Rustup)
    } else if Path::new("/usr/bin/apt-get").exists() {
        Ok(Route::Debian)
    } else {
        Ok(Route::Rustup)
    }
}

/// Whether the default (rustup) rustc has a wasm32 standard library.
pub fn rustup_has_wasm_target() -> bool {
    let libdir = cmd::output("rustc", ["--print", "target-libdir", "--target", WASM_TARGET]);
    if libdir.is_some_and(|dir| Path::new(&dir).is_dir()) {
        return true;
    }
    cmd::output("rustup", ["target", "list", "--installed"])
        .is_some_and(|list| list.lines().any(|line| line.trim() == WASM_TARGET))
}

/// The environment of every wasm build (cargo, trunk, wasm-pack).
#[derive(Clone, Debug)]
pub struct WasmEnv {
    pub route: Route,
    pub root: PathBuf,
}

impl WasmEnv {
    pub fn new(route: Route) -> Self {
        WasmEnv {
            route,
            root: crate::repo_root(),
        }
    }

    /// Where wasm builds put their artifacts.
    pub fn target_dir(&self) -> PathBuf {
        match self.route {
            Route::Debian => self.root.join("target").join("wasm"),
            Route::Rustup => self.root.join("target"),
        }
    }

    /// `program` in the wasm env, run from the repository root.
    ///
    /// Debian route: `/usr/bin` first on PATH (so `cargo`/`rustc` are Debian's,
    /// also for trunk and wasm-pack, which call `cargo`), `~/.cargo/bin` still on
    /// it (wasm-bindgen, trunk), std built from source, and a separate target dir.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = clean(program);
        cmd.current_dir(&self.root);
        let mut path = path_with_cargo_bin(self.route == Route::Debian);
        let binaryen_bin = binaryen_bin_dir(&self.root);
        if binaryen_bin.join("wasm-opt").exists() {
            // Before /usr/bin: Debian's wasm-opt is too old (see WASM_OPT_VERSION_MIN).
            let mut dirs = vec![binaryen_bin];
            dirs.extend(std::env::split_paths(&path));
            path = std::env::join_paths(dirs).expect("PATH entries contain no ':'");
        }
        cmd.env("PATH", path);
        if self.route == Route::Debian {
            cmd.env("RUSTC", DEBIAN_RUSTC)
                .env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
                .env("CARGO_TARGET_DIR", self.target_dir());
        }
        cmd
    }

    /// `program` (trunk) building the site: the wasm env, plus on the Debian
    /// route std built with `optimize_for_size` (`-Zbuild-std-features`), which
    /// trades the speed of std's generic code for size: its sort alone is about
    /// 45 KB of the gzipped wasm otherwise. Only the site's build: tests and
    /// benchmarks keep the ordinary std. (On the rustup route std comes
    /// prebuilt, without this.)
    pub fn site_command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.command(program);
        if self.route == Route::Debian {
            cmd.env("CARGO_UNSTABLE_BUILD_STD_FEATURES", SITE_STD_FEATURES);
        }
        cmd
    }

    /// `program` (trunk) building the release site: [`Self::site_command`], plus
    /// on the Debian route [`SITE_RELEASE_RUSTFLAGS`] for the wasm target only
    /// (`CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS`: build scripts and proc
    /// macros keep theirs; a RUSTFLAGS of the user's takes precedence), and the
    /// wasm-split and browser that split the wasm when `install` built the one.
    /// Not for `serve` (a debug build, where panic messages help).
    pub fn site_release_command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.site_command(program);
        if self.route == Route::Debian {
            let flags = std::env::var("KAFKAPLAY_SITE_RUSTFLAGS").unwrap_or_else(|_| SITE_RELEASE_RUSTFLAGS.into());
            cmd.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", flags);
            // The post-build hook splits the wasm (web/build/split.mjs) with
            // these, all three or none; a KAFKAPLAY_WASM_SPLIT of the user's
            // (empty: no split) wins.
            if std::env::var_os("KAFKAPLAY_WASM_SPLIT").is_none() {
                if let (Some(split), Ok(chrome), Ok(xtask)) = (
                    wasm_split(&self.root),
                    crate::browser::chrome(self.route),
                    std::env::current_exe(),
                ) {
                    cmd.env("KAFKAPLAY_WASM_SPLIT", split)
                        .env("KAFKAPLAY_CHROME", chrome)
                        .env("KAFKAPLAY_XTASK", xtask);
                }
            }
        }
        cmd
    }

    /// cargo in the wasm env: `/usr/bin/cargo` on the Debian route.
    pub fn cargo(&self) -> Command {
        match self.route {
            Route::Debian => self.command(DEBIAN_CARGO),
            Route::Rustup => self.command("cargo"),
        }
    }
}

/// A native cargo (rustup's): never with build-std, never Debian's rustc.
pub fn native_cargo() -> Command {
    let mut cmd = clean("cargo");
    cmd.current_dir(crate::repo_root())
        .env("PATH", path_with_cargo_bin(false))
        .env_remove("CARGO_UNSTABLE_BUILD_STD")
        .env_remove("RUSTC_BOOTSTRAP");
    cmd
}

/// PATH with `~/.cargo/bin` present (appended when missing), optionally with
/// `/usr/bin` moved to the front.
fn path_with_cargo_bin(usr_bin_first: bool) -> OsString {
    let current: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let mut dirs = Vec::new();
    if usr_bin_first {
        dirs.push(PathBuf::from("/usr/bin"));
    }
    dirs.extend(current);
    let cargo_bin = cargo_bin_dir();
    if !dirs.contains(&cargo_bin) {
        dirs.push(cargo_bin);
    }
    std::env::join_paths(dirs).expect("PATH entries contain no ':'")
}

/// Where `install` puts a newer wasm-opt (npm's binaryen) when the system's is too old.
pub fn binaryen_bin_dir(root: &Path) -> PathBuf {
    root.join(".tools").join("binaryen").join("node_modules").join(".bin")
}

/// Finds a binary the way the wasm env would: PATH plus `~/.cargo/bin`.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    cmd::which(name).or_else(|| {
        let candidate = cargo_bin_dir().join(name);
        cmd::is_executable(&candidate).then_some(candidate)
    })
}

/// The first `X.Y.Z` in a `--version` output (`rustc 1.95.0 (59807616e ...)`).
pub fn parse_version(output: &str) -> Option<(u64, u64, u64)> {
    output.split_whitespace().find_map(|word| {
        let word = word.trim_start_matches('v');
        let core = word.split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let v = (
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
        );
        parts.next().is_none().then_some(v)
    })
}

fn tool_version(tool: &str) -> Option<(u64, u64, u64)> {
    let path = find_tool(tool)?;
    parse_version(&cmd::output(path, ["--version"])?)
}

fn version_string(v: (u64, u64, u64)) -> String {
    format!("{}.{}.{}", v.0, v.1, v.2)
}

// ---------------------------------------------------------------------------
// Install steps. Each prints exactly one line: "skip: X already present" or
// "install: X" (followed by the installer's own output).

/// Installs everything the wasm builds and tests need; returns the wasm env.
pub fn install_all() -> Result<WasmEnv> {
    let route = detect_route()?;
    println!(
        "route: {} ({})",
        match route {
            Route::Debian => "debian",
            Route::Rustup => "rustup",
        },
        match route {
            Route::Debian => "wasm32 std built from Debian's rust-web-src",
            Route::Rustup => "rustup's wasm32-unknown-unknown target",
        }
    );
    match route {
        Route::Debian => install_debian_packages()?,
        Route::Rustup => install_rustup_target()?,
    }
    let env = WasmEnv::new(route);
    install_wasm_bindgen_cli(&env)?;
    install_trunk()?;
    install_wasm_opt(&env.root)?;
    if route == Route::Debian {
        install_wasm_split(&env.root)?;
    }
    install_e2e_node_modules(&env.root)?;
    if route == Route::Rustup {
        report_browser();
    }
    Ok(env)
}

fn debian_package_installed(package: &str) -> bool {
    cmd::output("dpkg-query", ["-W", "-f=${Status}", package]).is_some_and(|status| status == "install ok installed")
}

fn install_debian_packages() -> Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            let present = debian_package_installed(p);
            if present {
                println!("skip: {p} already present");
            }
            !present
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    for p in &missing {
        println!("install: {p}");
    }
    let sudo = !is_root() && cmd::which("sudo").is_some();
    let apt = |args: &[&str]| {
        let mut c = if sudo {
            let mut c = Command::new("sudo");
            c.args(["-n", "apt-get"]);
            c
        } else {
            Command::new("apt-get")
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    cmd::run(&mut apt(&["update"]))?;
    let mut install = apt(&["install", "-y", "--no-install-recommends"]);
    install.args(&missing);
    cmd::run(&mut install)
}

fn is_root() -> bool {
    cmd::output("id", ["-u"]).as_deref() == Some("0")
}

fn install_rustup_target() -> Result<()> {
    if rustup_has_wasm_target() {
        println!("skip: rustup target {WASM_TARGET} already present");
        return Ok(());
    }
    println!("install: rustup target {WASM_TARGET}");
    cmd::run(clean("rustup").args(["target", "add", WASM_TARGET]))
}

/// wasm-bindgen-cli at exactly the version of `wasm-bindgen` in Cargo.lock.
fn install_wasm_bindgen_cli(env: &WasmEnv) -> Result<()> {
    let wanted = lockfile::locked_version(&env.root.join("Cargo.lock"), "wasm-bindgen")?;
    let have = tool_version("wasm-bindgen").map(version_string);
    let runner = find_tool("wasm-bindgen-test-runner").is_some();
    if have.as_deref() == Some(wanted.as_str()) && runner {
        println!("skip: wasm-bindgen-cli {wanted} already present");
        return Ok(());
    }
    println!(
        "install: wasm-bindgen-cli {wanted} (found {})",
        have.as_deref().unwrap_or("none")
    );
    // Not --locked: the registry here lacks one of its locked transitive versions.
    cmd::run(clean("cargo").args(["install", "wasm-bindgen-cli", "--version", &wanted, "--force"]))
}

/// trunk 0.22.1 needs rustc >= 1.96.1: build it with nightly when stable is older.
fn install_trunk() -> Result<()> {
    let have = tool_version("trunk");
    if have.map(version_string).as_deref() == Some(TRUNK_VERSION) {
        println!("skip: trunk {TRUNK_VERSION} already present");
        return Ok(());
    }
    let stable = cmd::output("rustc", ["--version"]).and_then(|v| parse_version(&v));
    let nightly_works = cmd::output("cargo", ["+nightly", "--version"]).is_some();
    let use_nightly = stable.is_none_or(|v| v < TRUNK_RUSTC_MIN) && nightly_works;
    println!(
        "install: trunk {TRUNK_VERSION} (found {}; with {})",
        have.map(version_string).as_deref().unwrap_or("none"),
        if use_nightly { "cargo +nightly" } else { "cargo" }
    );
    let mut install = clean("cargo");
    if use_nightly {
        install.arg("+nightly");
    }
    install.args(["install", "trunk", "--version", TRUNK_VERSION, "--force"]);
    cmd::run(&mut install)
}

/// `wasm-opt --version` → 108 for "wasm-opt version 108 (version_108)".
pub fn parse_wasm_opt_version(output: &str) -> Option<u64> {
    let rest = output.split("version").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

/// A wasm-opt that trunk's release build can use: the system's when it is new
/// enough, else binaryen from npm in `.tools/binaryen` (the wasm env puts it first
/// on PATH).
fn install_wasm_opt(root: &Path) -> Result<()> {
    let version_of = |path: &Path| cmd::output(path, ["--version"]).and_then(|v| parse_wasm_opt_version(&v));
    let local = binaryen_bin_dir(root).join("wasm-opt");
    if let Some(v) = version_of(&local).filter(|v| *v >= WASM_OPT_VERSION_MIN) {
        println!("skip: wasm-opt {v} already present (.tools/binaryen)");
        return Ok(());
    }
    let system = cmd::which("wasm-opt").and_then(|p| version_of(&p));
    if let Some(v) = system.filter(|v| *v >= WASM_OPT_VERSION_MIN) {
        println!("skip: wasm-opt {v} already present");
        return Ok(());
    }
    println!(
        "install: wasm-opt from npm {BINARYEN_NPM} into .tools/binaryen (system wasm-opt: {})",
        system.map_or("none".to_string(), |v| format!(
            "{v}, older than {WASM_OPT_VERSION_MIN}"
        ))
    );
    let dir = root.join(".tools").join("binaryen");
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    cmd::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(BINARYEN_NPM),
    )
}

/// Where `install` builds Binaryen's wasm-split: `<dir>/src` (a copy of the
/// crate's Binaryen sources), `<dir>/build`.
pub fn wasm_split_dir(root: &Path) -> PathBuf {
    root.join(".tools").join("wasm-split")
}

/// The wasm-split that `install` built, when it is there.
pub fn wasm_split(root: &Path) -> Option<PathBuf> {
    let bin = wasm_split_dir(root).join("build").join("bin").join("wasm-split");
    (cmd::output(&bin, ["--version"]).as_deref() == Some(WASM_SPLIT_VERSION)).then_some(bin)
}

/// Builds Binaryen's `wasm-split` from the sources in the crates.io crate
/// [`WASM_SPLIT_CRATE`] (`cargo fetch` brings them) with cmake: the static
/// library and the one tool, at -O1 (about 5 minutes on 2 cores; the tool runs
/// for a second a build). Only on the Debian route, whose site build leaves out
/// reference types (see [`SITE_RELEASE_RUSTFLAGS`]).
fn install_wasm_split(root: &Path) -> Result<()> {
    if wasm_split(root).is_some() {
        println!("skip: {WASM_SPLIT_VERSION} already present (.tools/wasm-split)");
        return Ok(());
    }
    let (krate, version) = WASM_SPLIT_CRATE;
    println!("install: wasm-split (Binaryen from crates.io {krate} {version}) into .tools/wasm-split");
    let dir = wasm_split_dir(root);
    let fetch = dir.join("fetch");
    std::fs::create_dir_all(fetch.join("src")).map_err(|e| format!("create {}: {e}", fetch.display()))?;
    let write =
        |path: PathBuf, text: String| std::fs::write(&path, text).map_err(|e| format!("write {}: {e}", path.display()));
    write(
        fetch.join("Cargo.toml"),
        format!(
            "[package]\nname = \"fetch-binaryen\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\n{krate} = \"={version}\"\n"
        ),
    )?;
    write(fetch.join("src").join("lib.rs"), String::new())?;
    cmd::run(
        clean("cargo")
            .arg("fetch")
            .arg("--manifest-path")
            .arg(fetch.join("Cargo.toml")),
    )?;
    let registry_src = cmd::cargo_home().join("registry").join("src");
    let crate_dir = std::fs::read_dir(&registry_src)
        .map_err(|e| format!("read {}: {e}", registry_src.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join(format!("{krate}-{version}")).join("binaryen"))
        .find(|path| path.join("CMakeLists.txt").is_file())
        .ok_or_else(|| {
            format!(
                "cargo fetch left no {krate}-{version}/binaryen under {}",
                registry_src.display()
            )
        })?;
    // A copy, so the registry's sources stay as cargo unpacked them: the crate
    // leaves out Binaryen's tests, and CMakeLists.txt adds test/lit's
    // directory unconditionally, so the copy gets an empty one.
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    cmd::run(Command::new("cp").arg("-r").arg(&crate_dir).arg(&src))?;
    std::fs::create_dir_all(src.join("test").join("lit")).map_err(|e| format!("create test/lit: {e}"))?;
    write(src.join("test").join("lit").join("CMakeLists.txt"), String::new())?;
    let cmake = if Path::new("/usr/bin/cmake").exists() {
        PathBuf::from("/usr/bin/cmake")
    } else {
        PathBuf::from("cmake")
    };
    let build = dir.join("build");
    cmd::run(Command::new(&cmake).arg("-S").arg(&src).arg("-B").arg(&build).args([
        "-DCMAKE_BUILD_TYPE=Release",
        "-DCMAKE_CXX_FLAGS_RELEASE=-O1",
        "-DBUILD_TESTS=OFF",
        "-DBUILD_STATIC_LIB=ON",
        "-DENABLE_WERROR=OFF",
        // cmake 4 refuses projects declaring a minimum below 3.5 without it.
        "-DCMAKE_POLICY_VERSION_MINIMUM=3.5",
    ]))?;
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get()).to_string();
    cmd::run(
        Command::new(&cmake)
            .arg("--build")
            .arg(&build)
            .args(["--target", "wasm-split", "--parallel", &jobs]),
    )?;
    wasm_split(root).map(|_| ()).ok_or_else(|| {
        format!(
            "the build left no working wasm-split in {}",
            build.join("bin").display()
        )
    })
}

/// `npm ci` in tests/e2e (playwright-core only; never `npx playwright install`).
fn install_e2e_node_modules(root: &Path) -> Result<()> {
    let dir = root.join("tests").join("e2e");
    if dir
        .join("node_modules")
        .join("playwright-core")
        .join("package.json")
        .is_file()
    {
        println!("skip: tests/e2e node_modules (playwright-core) already present");
        return Ok(());
    }
    let verb = if dir.join("package-lock.json").is_file() {
        "ci"
    } else {
        "install"
    };
    println!("install: tests/e2e node_modules (npm {verb})");
    cmd::run(
        Command::new("npm")
            .args([verb, "--no-audit", "--no-fund"])
            .current_dir(&dir),
    )
}

/// wasm-pack, for `cargo xtask wasm-pack-test` only.
pub fn install_wasm_pack() -> Result<()> {
    if let Some(v) = tool_version("wasm-pack") {
        println!("skip: wasm-pack {} already present", version_string(v));
        return Ok(());
    }
    println!("install: wasm-pack");
    cmd::run(clean("cargo").args(["install", "wasm-pack"]))
}

fn report_browser() {
    match crate::browser::chrome(Route::Rustup) {
        Ok(path) => println!("skip: chromium already present ({})", path.display()),
        Err(e) => println!("missing: {e}"),
    }
    match crate::browser::chromedriver(Route::Rustup) {
        Ok(path) => println!("skip: chromedriver already present ({})", path.display()),
        Err(e) => println!("missing: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tool_versions() {
        assert_eq!(parse_version("rustc 1.95.0 (59807616e 2026-04-14)"), Some((1, 95, 0)));
        assert_eq!(
            parse_version("rustc 1.97.0-nightly (4d1f98451 2026-05-15)"),
            Some((1, 97, 0))
        );
        assert_eq!(parse_version("wasm-bindgen 0.2.130"), Some((0, 2, 130)));
        assert_eq!(parse_version("trunk 0.22.1"), Some((0, 22, 1)));
        assert_eq!(parse_version("v20.20.2"), Some((20, 20, 2)));
        assert_eq!(parse_version("wasm-opt version 108"), None);
    }

    #[test]
    fn parses_wasm_opt_versions() {
        assert_eq!(parse_wasm_opt_version("wasm-opt version 108"), Some(108));
        assert_eq!(parse_wasm_opt_version("wasm-opt version 132 (version_132)"), Some(132));
        assert_eq!(parse_wasm_opt_version("wasm-opt"), None);
    }

    #[test]
    fn trunk_needs_a_newer_rustc_than_1_95() {
        assert!((1, 95, 0) < TRUNK_RUSTC_MIN);
        assert!((1, 96, 0) < TRUNK_RUSTC_MIN);
        assert!((1, 97, 0) >= TRUNK_RUSTC_MIN);
    }

    #[test]
    fn debian_env_puts_usr_bin_first_and_keeps_cargo_bin() {
        let env = WasmEnv::new(Route::Debian);
        let cmd = env.cargo();
        let vars: Vec<(String, Option<String>)> = cmd
            .get_envs()
            .map(|(k, v)| (k.to_string_lossy().into(), v.map(|v| v.to_string_lossy().into())))
            .collect();
        let get = |k: &str| vars.iter().find(|(name, _)| name == k).and_then(|(_, v)| v.clone());
        assert_eq!(cmd.get_program(), "/usr/bin/cargo");
        assert_eq!(get("RUSTC").as_deref(), Some("/usr/bin/rustc"));
        assert_eq!(get("CARGO_UNSTABLE_BUILD_STD").as_deref(), Some("std,panic_abort"));
        assert!(get("CARGO_TARGET_DIR").unwrap().ends_with("target/wasm"));
        let path = get("PATH").unwrap();
        // /usr/bin first, after only the newer wasm-opt of `.tools/binaryen` if installed.
        let binaryen = binaryen_bin_dir(&env.root).display().to_string();
        let path_after_binaryen = path.strip_prefix(&format!("{binaryen}:")).unwrap_or(&path);
        assert!(path_after_binaryen.starts_with("/usr/bin:"), "{path}");
        assert!(path.contains(cargo_bin_dir().to_str().unwrap()), "{path}");
    }

    #[test]
    fn only_the_site_builds_std_for_size() {
        let feature = |cmd: &Command| {
            cmd.get_envs()
                .find(|(k, _)| *k == "CARGO_UNSTABLE_BUILD_STD_FEATURES")
                .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()))
        };
        let debian = WasmEnv::new(Route::Debian);
        assert_eq!(
            feature(&debian.site_command("trunk")).as_deref(),
            Some("optimize_for_size")
        );
        assert_eq!(feature(&debian.cargo()), None);
        assert_eq!(feature(&WasmEnv::new(Route::Rustup).site_command("trunk")), None);
    }

    #[test]
    fn only_the_release_site_on_the_debian_route_gets_nightly_rustflags() {
        let flags = |cmd: &Command| {
            cmd.get_envs()
                .find(|(k, _)| *k == "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS")
                .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()))
        };
        let debian = WasmEnv::new(Route::Debian);
        if std::env::var_os("KAFKAPLAY_SITE_RUSTFLAGS").is_none() {
            assert_eq!(
                flags(&debian.site_release_command("trunk")).as_deref(),
                Some(SITE_RELEASE_RUSTFLAGS)
            );
        }
        assert_eq!(
            feature_of(&debian.site_release_command("trunk")).as_deref(),
            Some("optimize_for_size")
        );
        assert_eq!(flags(&debian.site_command("trunk")), None);
        assert_eq!(flags(&debian.cargo()), None);
        assert_eq!(flags(&WasmEnv::new(Route::Rustup).site_release_command("trunk")), None);
    }

    fn feature_of(cmd: &Command) -> Option<String> {
        cmd.get_envs()
            .find(|(k, _)| *k == "CARGO_UNSTABLE_BUILD_STD_FEATURES")
            .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()))
    }

    #[test]
    fn native_cargo_never_builds_std() {
        let cmd = native_cargo();
        for (k, v) in cmd.get_envs() {
            if k == "CARGO_UNSTABLE_BUILD_STD" || k == "RUSTC_BOOTSTRAP" {
                assert!(v.is_none(), "{k:?} must be removed");
            }
        }
    }
}
