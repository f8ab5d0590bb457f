//! A real registry and a scripted one on 127.0.0.1 for end-to-end tests,
//! and the helpers to fill them: Debian's `docker-registry` (optionally
//! with htpasswd basic auth) started on a free port and stopped on drop,
//! images pushed with `skopeo`, and a one-thread HTTP server that answers
//! as a test says. `scripts/test` installs `docker-registry`, `skopeo`
//! and `umoci`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// htpasswd entry for `tester` / `tester-password` (bcrypt, cost 4, made with
/// Python's `crypt.crypt(..., crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))`).
pub const HTPASSWD: &str = "tester:$2b$04$3PouiNQL.78u7z7H.wRYJ.JWteXQiq1l.dhIBk5cBspBqGJ5Gdy4O\n";

pub fn both(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn run(program: &str, args: &[&str], dir: &Path) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed (scripts/test installs it): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        both(&out)
    );
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A `docker-registry` on 127.0.0.1, stopped (and its storage deleted) on drop.
pub struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    pub fn start(htpasswd: bool) -> Registry {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let auth = if htpasswd {
            std::fs::write(dir.path().join("htpasswd"), HTPASSWD).expect("write htpasswd");
            format!(
                "auth:\n  htpasswd:\n    realm: tallyman-test\n    path: {}\n",
                dir.path().join("htpasswd").display()
            )
        } else {
            String::new()
        };
        let config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
            dir.path().join("storage").display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry is needed (scripts/test installs it)");
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn push(&self, dir: &Path, source: &str, repo_tag: &str, creds: Option<&str>) {
        self.copy(dir, source, repo_tag, creds, false);
    }

    /// Pushes a multi-platform index with every image it lists.
    pub fn push_all(&self, dir: &Path, source: &str, repo_tag: &str) {
        self.copy(dir, source, repo_tag, None, true);
    }

    fn copy(&self, dir: &Path, source: &str, repo_tag: &str, creds: Option<&str>, all: bool) {
        let dest = format!("docker://{}/{repo_tag}", self.host());
        let mut args = vec!["copy", "--quiet", "--dest-tls-verify=false"];
        if all {
            args.push("--all");
        }
        if let Some(creds) = creds {
            args.extend(["--dest-creds", creds]);
        }
        args.extend([source, dest.as_str()]);
        run("skopeo", &args, dir);
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A one-thread HTTP server answering each request with `respond(request line, headers)`.
pub fn fake_registry(
    respond: impl Fn(&str, &str) -> (u16, Vec<(String, String)>, Vec<u8>) + Send + 'static,
) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(false).expect("blocking");
    let handle = std::thread::spawn(move || {
        listener.set_nonblocking(true).expect("nonblocking");
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut idle_since = Instant::now();
        while Instant::now() < deadline && idle_since.elapsed() < Duration::from_secs(10) {
            let Ok((stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            idle_since = Instant::now();
            stream.set_nonblocking(false).expect("blocking");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            loop {
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                    break;
                }
                let mut headers = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    headers.push_str(&line.to_ascii_lowercase());
                }
                let (status, extra, body) = respond(request_line.trim(), &headers);
                let mut response =
                    format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (name, value) in extra {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                let mut stream = reader.get_ref();
                if stream
                    .write_all(response.as_bytes())
                    .and_then(|()| stream.write_all(&body))
                    .is_err()
                {
                    break;
                }
            }
        }
    });
    (port, handle)
}
