//! The widget build: `dist/widget/`, what a docs page includes.
//!
//! - `kafkaplay_widget_bg.wasm` and `kafkaplay_widget.js`: the `kafkaplay-widget`
//!   crate (web/widget) built with the site's release flags and the `widget`
//!   profile (the site's, with the simulation's crates at opt-level "z"),
//!   bound by wasm-bindgen (`--target web`) and shrunk by wasm-opt as Trunk
//!   does the app's.
//! - `kafkaplay-widget.js`: the loader (web/widget/kafkaplay-widget.js) with
//!   the widget's styles put in it: the app's style.css, terminal.css and
//!   lessons.css
//!   (`:root` made `:host`, `body` made `.kpw-root`) and web/widget/widget.css.
//!   A stylesheet built from a string and adopted by the shadow root is not
//!   subject to the host page's `style-src`, so the widget needs no exception
//!   in it.
//! - `example.html` (with `example.css`, `example.js`): a docs page with three
//!   widgets under a strict CSP.
//! - `split-loader.js` (web/build/), which the loader imports: where
//!   `install` built Binaryen's `wasm-split` (the Debian route), the wasm is
//!   split by `web/build/split-widget.mjs` into a start-up module
//!   (`kafkaplay_widget_bg.wasm`: what the example page's widgets run until
//!   a reader uses one) and `kafkaplay_widget_rest.wasm`, fetched when a
//!   reader uses a widget. Elsewhere the loader's `SPLIT` stays `null` and
//!   the one module is all of it.
//!
//! Trunk builds one wasm per page, so the widget is built here, after the
//! site, rather than by Trunk.

use std::path::{Path, PathBuf};

use crate::cmd;
use crate::toolchain::{self, WasmEnv, WASM_TARGET};
use crate::Result;

const PACKAGE: &str = "kafkaplay-widget";
/// The cargo profile (Cargo.toml: the site's, with the simulation at "z").
const PROFILE: &str = "widget";
/// What wasm-bindgen names its output (`<name>.js`, `<name>_bg.wasm`).
const OUT_NAME: &str = "kafkaplay_widget";
/// The files copied from web/widget/ as they are.
const EXAMPLE_FILES: [&str; 3] = ["example.html", "example.css", "example.js"];
/// The app's stylesheets the widget's components need (web/), in order.
const APP_CSS: [&str; 3] = ["style.css", "terminal.css", "lessons.css"];
/// The split's loader (web/build/), which the widget's loader imports.
const SPLIT_LOADER: &str = "split-loader.js";
/// The placeholder in the loader that the styles replace.
const CSS_PLACEHOLDER: &str = "__KAFKAPLAY_WIDGET_CSS__";

/// Builds the widget into `dist/widget/`.
pub fn build(env: &WasmEnv, dist: &Path) -> Result<PathBuf> {
    let cargo = match env.route {
        toolchain::Route::Debian => PathBuf::from("/usr/bin/cargo"),
        toolchain::Route::Rustup => PathBuf::from("cargo"),
    };
    cmd::run(env.site_release_command(cargo).args([
        "build",
        "--offline",
        "--profile",
        PROFILE,
        "--lib",
        "--target",
        WASM_TARGET,
        "-p",
        PACKAGE,
    ]))?;
    let wasm = env
        .target_dir()
        .join(WASM_TARGET)
        .join(PROFILE)
        .join(format!("{OUT_NAME}.wasm"));
    let out = dist.join("widget");
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("remove {}: {e}", out.display()))?;
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("create {}: {e}", out.display()))?;
    let bindgen =
        toolchain::find_tool("wasm-bindgen").ok_or("wasm-bindgen is not installed (run `cargo xtask install`)")?;
    cmd::run(
        env.command(bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                OUT_NAME,
                "--out-dir",
            ])
            .arg(&out)
            .arg(&wasm),
    )?;
    let bound = out.join(format!("{OUT_NAME}_bg.wasm"));
    // The split (below) runs with the release env's three variables, all or
    // none (toolchain.rs); a KAFKAPLAY_WASM_SPLIT of the user's wins.
    let mut node = env.site_release_command("node");
    let split = node
        .get_envs()
        .find(|(k, _)| *k == "KAFKAPLAY_WASM_SPLIT")
        .and_then(|(_, v)| v.map(|v| v.to_os_string()))
        .or_else(|| std::env::var_os("KAFKAPLAY_WASM_SPLIT"))
        .is_some_and(|v| !v.is_empty());
    // The same passes as Trunk's for the app (index.html: data-wasm-opt="z").
    // For the split, two more:
    // - Binaryen inlines every function that has one caller, whatever its
    //   size, and a split moves whole functions only: one message handler
    //   inlined into `Simulation::step` (about 90 KB) would keep them all
    //   at start. Functions of over 50 nodes with one caller stay apart
    //   (the start-up module: 365 KB gzipped at the default, 341 here; the
    //   whole wasm 19 KB larger).
    // - `-g` keeps the names of the functions for `split-keep` and of the
    //   data segments for `split-data` (the split's outputs have none), and
    //   memory packing is left out: it cuts constants into pieces at runs of
    //   zeros, and `split-data` needs one segment per constant (a piece of
    //   one, moved while another piece stays, read as zeros at start).
    let mut opt = env.command("wasm-opt");
    opt.args(["-Oz", "--low-memory-unused"]);
    if split {
        opt.args([
            "--one-caller-inline-max-function-size",
            "50",
            "-g",
            "--skip-pass=memory-packing",
        ]);
    }
    cmd::run(opt.arg(&bound).arg("-o").arg(&bound))?;
    let web = env.root.join("web");
    let mut app_css = Vec::new();
    for name in APP_CSS {
        app_css.push(read(&web.join(name))?);
    }
    let app_css: Vec<&str> = app_css.iter().map(String::as_str).collect();
    let css = widget_css(&app_css, &read(&web.join("widget").join("widget.css"))?);
    let loader = read(&web.join("widget").join("kafkaplay-widget.js"))?;
    if !loader.contains(CSS_PLACEHOLDER) {
        return Err(format!("web/widget/kafkaplay-widget.js has no {CSS_PLACEHOLDER}"));
    }
    let loader = loader.replace(CSS_PLACEHOLDER, &js_string(&css));
    write(&out.join("kafkaplay-widget.js"), &loader)?;
    for name in EXAMPLE_FILES {
        write(&out.join(name), &read(&web.join("widget").join(name))?)?;
    }
    write(&out.join(SPLIT_LOADER), &read(&web.join("build").join(SPLIT_LOADER))?)?;
    // The split profiles the example page, so it comes last.
    if split {
        node.arg(web.join("build").join("split-widget.mjs")).arg(&out);
        cmd::run(&mut node)?;
    } else {
        println!("widget: the wasm is not split (no wasm-split: `cargo xtask install` builds it on the Debian route)");
    }
    println!("built {}", out.display());
    Ok(out)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

/// The app's styles made to apply inside a shadow root, then the widget's.
pub fn widget_css(app: &[&str], widget: &str) -> String {
    let scoped = |css: &str| {
        css.lines()
            .map(|line| match line {
                l if l.starts_with(":root {") => l.replacen(":root", ":host", 1),
                l if l.starts_with("body {") => l.replacen("body", ".kpw-root", 1),
                l => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut out: String = app.iter().map(|css| scoped(css) + "\n").collect();
    out.push_str(widget);
    out.push('\n');
    out
}

/// `text` as a JavaScript string literal: a JSON string (`browser::json_string`;
/// JSON is valid JavaScript) with `<` escaped too, so the text never closes a
/// script element, and U+2028/U+2029, which older JavaScript took as line ends.
pub fn js_string(text: &str) -> String {
    crate::browser::json_string(text)
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_body_rules_move_into_the_shadow_root() {
        let css = widget_css(
            &[
                ":root {\n  --bg: #fff;\n}\nbody {\n  margin: 0;\n}\n.x { color: red; }",
                ".t {}",
            ],
            ".w {}",
        );
        assert!(css.starts_with(":host {\n  --bg: #fff;\n}\n.kpw-root {\n  margin: 0;\n}\n.x { color: red; }"));
        assert!(css.ends_with(".t {}\n.w {}\n"));
    }

    #[test]
    fn a_js_string_escapes_what_would_end_it() {
        assert_eq!(js_string("a\"b\\c\nd</style>"), "\"a\\\"b\\\\c\\nd\\u003c/style>\"");
        assert_eq!(js_string("한국어\u{1}"), "\"한국어\\u0001\"");
    }
}
