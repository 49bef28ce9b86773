//! A small static file server (std::net only) for the end-to-end tests.
//!
//! It serves a directory under a sub-path (e.g. `/kafkaplay/`), the way GitHub
//! Pages serves a project site, so a test proves the built site uses relative
//! URLs. It is not a production server: one thread per connection, GET and HEAD,
//! `Connection: close`.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::Result;

/// The request line and headers may not be longer than this.
const REQUEST_HEAD_BYTES_MAX: usize = 16 * 1024;

/// The Content-Type for a file, by extension. `application/wasm` matters:
/// `WebAssembly.instantiateStreaming` refuses any other type.
pub fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// What a request path maps to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A file below the root (it may not exist: the caller checks).
    File(PathBuf),
    /// Send a 301 to this location (the prefix without its trailing slash).
    Redirect(String),
    NotFound,
}

/// Maps a request target (`/kafkaplay/pkg/app.wasm?x=1`) to a file below
/// `root`, for a site served under `prefix` (`/kafkaplay/`, with both slashes).
/// Rejects `..` and anything outside the prefix.
pub fn resolve(root: &Path, prefix: &str, target: &str) -> Resolution {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(path) = percent_decode(path) else {
        return Resolution::NotFound;
    };
    if path == prefix.trim_end_matches('/') {
        return Resolution::Redirect(prefix.to_string());
    }
    let Some(rest) = path.strip_prefix(prefix) else {
        return Resolution::NotFound;
    };
    let relative = Path::new(rest);
    if !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        return Resolution::NotFound;
    }
    let mut file = root.join(relative);
    if rest.is_empty() || rest.ends_with('/') {
        file.push("index.html");
    }
    Resolution::File(file)
}

/// Decodes `%XX` escapes; None for malformed escapes or non-UTF-8 results.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Binds 127.0.0.1 on a free port and serves `root` under `prefix` from a
/// background thread for the rest of the process. Returns the bound address.
pub fn start(root: PathBuf, prefix: &str) -> Result<SocketAddr> {
    assert!(prefix.starts_with('/') && prefix.ends_with('/'), "prefix {prefix:?}");
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let root = Arc::new(root);
    let prefix: Arc<str> = Arc::from(prefix);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = Arc::clone(&root);
            let prefix = Arc::clone(&prefix);
            std::thread::spawn(move || {
                if let Err(e) = handle(stream, &root, &prefix) {
                    eprintln!("static server: {e}");
                }
            });
        }
    });
    Ok(addr)
}

fn handle(stream: TcpStream, root: &Path, prefix: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; we need none of them.
    let mut head_bytes = request_line.len();
    loop {
        let mut header = String::new();
        let n = reader.read_line(&mut header)?;
        head_bytes += n;
        if n == 0 || header == "\r\n" || header == "\n" || head_bytes > REQUEST_HEAD_BYTES_MAX {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut out = stream;
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain",
            &[],
            b"method not allowed\n",
            method,
        );
    }
    match resolve(root, prefix, target) {
        Resolution::Redirect(location) => {
            let header = format!("Location: {location}\r\n");
            respond(
                &mut out,
                "301 Moved Permanently",
                "text/plain",
                header.as_bytes(),
                b"",
                method,
            )
        }
        Resolution::File(path) => match std::fs::read(&path) {
            Ok(body) => respond(&mut out, "200 OK", mime_type(&path), &[], &body, method),
            Err(_) if path.is_dir() => {
                let header = format!("Location: {}/\r\n", target.trim_end_matches('/'));
                respond(
                    &mut out,
                    "301 Moved Permanently",
                    "text/plain",
                    header.as_bytes(),
                    b"",
                    method,
                )
            }
            Err(_) => respond(&mut out, "404 Not Found", "text/plain", &[], b"not found\n", method),
        },
        Resolution::NotFound => respond(&mut out, "404 Not Found", "text/plain", &[], b"not found\n", method),
    }
}

fn respond(
    out: &mut TcpStream,
    status: &str,
    content_type: &str,
    extra_headers: &[u8],
    body: &[u8],
    method: &str,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(extra_headers)?;
    out.write_all(b"\r\n")?;
    if method != "HEAD" {
        out.write_all(body)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn wasm_is_served_as_application_wasm() {
        assert_eq!(mime_type(Path::new("pkg/kafkaplay-web_bg.wasm")), "application/wasm");
        assert_eq!(mime_type(Path::new("a.JS")), "text/javascript; charset=utf-8");
        assert_eq!(mime_type(Path::new("index.html")), "text/html; charset=utf-8");
        assert_eq!(mime_type(Path::new("style.css")), "text/css; charset=utf-8");
        assert_eq!(mime_type(Path::new("logo.svg")), "image/svg+xml");
        assert_eq!(mime_type(Path::new("LICENSE")), "application/octet-stream");
    }

    #[test]
    fn resolves_paths_below_the_prefix() {
        let root = Path::new("/srv/dist");
        let p = "/kafkaplay/";
        assert_eq!(
            resolve(root, p, "/kafkaplay/"),
            Resolution::File(root.join("index.html"))
        );
        assert_eq!(
            resolve(root, p, "/kafkaplay/?seed=7"),
            Resolution::File(root.join("index.html"))
        );
        assert_eq!(
            resolve(root, p, "/kafkaplay/app-1f.wasm"),
            Resolution::File(root.join("app-1f.wasm"))
        );
        assert_eq!(
            resolve(root, p, "/kafkaplay/a%20b.js"),
            Resolution::File(root.join("a b.js"))
        );
        assert_eq!(
            resolve(root, p, "/kafkaplay/sub/"),
            Resolution::File(root.join("sub/index.html"))
        );
        assert_eq!(
            resolve(root, p, "/kafkaplay"),
            Resolution::Redirect("/kafkaplay/".into())
        );
    }

    #[test]
    fn refuses_paths_outside_the_prefix_or_root() {
        let root = Path::new("/srv/dist");
        let p = "/kafkaplay/";
        // An absolute URL would break on GitHub Pages: the test server must 404 it too.
        assert_eq!(resolve(root, p, "/index.html"), Resolution::NotFound);
        assert_eq!(resolve(root, p, "/kafkaplay/../etc/passwd"), Resolution::NotFound);
        assert_eq!(resolve(root, p, "/kafkaplay/%2e%2e/etc/passwd"), Resolution::NotFound);
        assert_eq!(resolve(root, p, "/kafkaplay//etc/passwd"), Resolution::NotFound);
        assert_eq!(resolve(root, p, "/kafkaplay/%zz"), Resolution::NotFound);
    }

    fn get(addr: SocketAddr, target: &str) -> String {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn serves_files_over_tcp() {
        let dir = std::env::temp_dir().join(format!("xtask-server-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join("app.wasm"), b"\0asm").unwrap();
        let addr = start(dir.clone(), "/kafkaplay/").unwrap();

        let index = get(addr, "/kafkaplay/");
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html; charset=utf-8\r\n"), "{index}");
        assert!(index.ends_with("\r\n\r\n<p>hi</p>"), "{index}");

        let wasm = get(addr, "/kafkaplay/app.wasm");
        assert!(wasm.contains("Content-Type: application/wasm\r\n"), "{wasm}");
        assert!(wasm.contains("Content-Length: 4\r\n"), "{wasm}");

        assert!(get(addr, "/kafkaplay").starts_with("HTTP/1.1 301"));
        assert!(get(addr, "/kafkaplay/missing.js").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "/app.wasm").starts_with("HTTP/1.1 404"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
