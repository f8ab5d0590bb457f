//! `tallyman lsp` with a real editor: headless Neovim's built-in LSP
//! client (the Debian package `neovim`; scripts/test installs it) opens a
//! Dockerfile, receives the diagnostics, applies the "ignore this rule
//! here" code action and sees the finding go.

mod lsp_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

const DOCKERFILE: &str = "FROM ubuntu:latest AS build\nRUN apt-get update && apt-get install -y curl\nFROM build\nUSER root\n";

#[test]
fn neovim_shows_the_diagnostics_and_applies_the_ignore_action() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, DOCKERFILE).expect("write");
    let out = dir.path().join("result.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lsp/neovim.lua");
    let mut child = Command::new("nvim")
        .args([
            "--headless",
            "-n",
            "-i",
            "NONE",
            "-u",
            "NONE",
            "--noplugin",
            "-c",
        ])
        .arg(format!("luafile {}", script.display()))
        .env("TALLYMAN", env!("CARGO_BIN_EXE_tallyman"))
        .env("LSP_FILE", &file)
        .env("LSP_ROOT", dir.path())
        .env("LSP_CACHE", lsp_support::cache_dir())
        .env("LSP_OUT", &out)
        // Neovim writes its state (logs, swap) here, not in the user's home.
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .current_dir(dir.path())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run `nvim` ({e}): install the Debian package neovim (scripts/test does)")
        });
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish in 300 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "the Neovim script failed: {status}");

    let result: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the script wrote its result"))
            .expect("JSON");
    let codes = |key: &str| -> Vec<String> {
        result[key]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(
        codes("before"),
        [
            "BI002", "BI003", "HD009", "HD010", "HD020", "HD007", "HD001"
        ]
    );
    let hd009 = result["before"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "HD009")
        .expect("HD009");
    assert_eq!(hd009["line"], 1);
    assert_eq!(hd009["source"], "tallyman");
    // vim.diagnostic.severity.WARN
    assert_eq!(hd009["severity"], 2);
    // The finding's own fix comes first (HD009's cache cleanup changes what
    // the layer holds, so it is unsafe), then the pragmas.
    assert_eq!(
        result["actions"],
        serde_json::json!([
            "Fix HD009 (unsafe: may change the build)",
            "Ignore HD009 for this instruction (tallyman pragma)",
            "Ignore HD009 in this file (tallyman pragma)"
        ])
    );
    assert_eq!(
        result["lines"],
        serde_json::json!([
            "FROM ubuntu:latest AS build",
            "# tallyman ignore=HD009",
            "RUN apt-get update && apt-get install -y curl",
            "FROM build",
            "USER root"
        ])
    );
    assert_eq!(
        codes("after"),
        ["BI002", "BI003", "HD010", "HD020", "HD007", "HD001"]
    );
    assert_eq!(result["after"][2]["line"], 2, "{result:#}");
}
