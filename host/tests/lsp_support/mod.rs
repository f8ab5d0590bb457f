//! A minimal LSP client for the tests: spawns `tallyman lsp` and speaks
//! JSON-RPC to it over its stdin and stdout, as an editor does.

#![allow(dead_code)]

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

/// Long enough for a cold compile of the built-in policies on a busy machine.
const PATIENCE: Duration = Duration::from_secs(180);

/// One compile cache for every LSP test: the built-ins compile once.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp-cache")
}

pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Message>,
    /// Notifications read while waiting for something else.
    backlog: Vec<Notification>,
    next_id: i32,
}

impl Server {
    /// Starts `tallyman lsp` in `root` with `args` and initializes it with
    /// `root` as the workspace folder; `capabilities` are the client's.
    pub fn start(root: &Path, args: &[&str], capabilities: Value) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tallyman"))
            .arg("lsp")
            .arg("--cache-dir")
            .arg(cache_dir())
            .args(args)
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tallyman lsp starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            stdin: child.stdin.take(),
            child,
            incoming,
            backlog: Vec::new(),
            next_id: 0,
        };
        let result = server
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": file_uri(root),
                    "workspaceFolders": [{"uri": file_uri(root), "name": "test"}],
                    "capabilities": capabilities,
                }),
            )
            .expect("initialize succeeds");
        assert_eq!(result["serverInfo"]["name"], "tallyman");
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: Message) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        message.write(stdin).expect("the server reads its stdin");
        stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    fn next(&mut self, deadline: Instant) -> Option<Message> {
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(wait) {
            Ok(message) => Some(message),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its stdout"),
        }
    }

    /// Sends a request and waits for its response: the result, or the
    /// error's message.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Message::Request(Request::new(
            id.clone(),
            method.to_string(),
            params,
        )));
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.next(deadline) {
                None => panic!("no response to {method} in {PATIENCE:?}"),
                Some(Message::Response(response)) if response.id == id => {
                    return response.response_result.map_err(|error| error.message);
                }
                Some(message) => self.keep(message),
            }
        }
    }

    /// Answers the server's own requests (capability registration) and
    /// keeps its notifications for later.
    fn keep(&mut self, message: Message) {
        match message {
            Message::Notification(notification) => self.backlog.push(notification),
            Message::Request(request) => {
                self.send(Message::Response(Response::new_ok(request.id, Value::Null)))
            }
            Message::Response(_) => {}
        }
    }

    /// The server's requests seen so far are answered as they come; this
    /// waits for the first notification `accept` takes, in arrival order.
    pub fn wait_for(&mut self, what: &str, accept: impl Fn(&Notification) -> bool) -> Notification {
        if let Some(i) = self.backlog.iter().position(&accept) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.next(deadline) {
                None => panic!("no {what} in {PATIENCE:?}; seen: {:?}", self.backlog),
                Some(Message::Notification(n)) if accept(&n) => return n,
                Some(message) => self.keep(message),
            }
        }
    }

    /// The diagnostics published for `uri` at document version `version`
    /// (earlier publications are dropped).
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let published = self.wait_for(&format!("diagnostics for {uri} v{version}"), |n| {
            n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri
                && n.params["version"] == version
        });
        self.backlog
            .retain(|n| !(n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri));
        published.params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// shutdown, then exit; the server's exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        self.request("shutdown", Value::Null)
            .expect("shutdown succeeds");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The codes of a list of diagnostics.
pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}
