//! `tallyman lsp` driven over JSON-RPC the way an editor drives it:
//! initialize, open, change, code actions, hover, commands, configuration
//! changes, hostile input, shutdown.

mod lsp_support;

use std::path::Path;

use lsp_support::{Server, codes, file_uri};
use serde_json::{Value, json};

const DOCKERFILE: &str = "FROM ubuntu:latest AS build\nRUN apt-get update && apt-get install -y curl\nFROM build\nUSER root\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).expect("write");
    dir
}

fn start(root: &Path) -> Server {
    Server::start(root, &[], json!({}))
}

fn find<'a>(diagnostics: &'a [Value], code: &str) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diagnostics:#?}"))
}

/// Applies a code action's edits (one document, edits not overlapping) to `text`.
fn apply(text: &str, action: &Value, uri: &str) -> String {
    let mut edits: Vec<&Value> = action["edit"]["changes"][uri]
        .as_array()
        .expect("edits for the document")
        .iter()
        .collect();
    edits.sort_by_key(|e| {
        std::cmp::Reverse((
            e["range"]["start"]["line"].as_u64(),
            e["range"]["start"]["character"].as_u64(),
        ))
    });
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for edit in edits {
        let (sl, sc) = (
            edit["range"]["start"]["line"].as_u64().unwrap() as usize,
            edit["range"]["start"]["character"].as_u64().unwrap() as usize,
        );
        let (el, ec) = (
            edit["range"]["end"]["line"].as_u64().unwrap() as usize,
            edit["range"]["end"]["character"].as_u64().unwrap() as usize,
        );
        // ASCII documents: UTF-16 units are bytes.
        let joined = lines.join("\n");
        let offset = |line: usize, col: usize| -> usize {
            lines[..line].iter().map(|l| l.len() + 1).sum::<usize>() + col
        };
        let (start, end) = (offset(sl, sc), offset(el, ec));
        let new = format!(
            "{}{}{}",
            &joined[..start],
            edit["newText"].as_str().unwrap(),
            &joined[end..]
        );
        lines = new.split('\n').map(str::to_string).collect();
    }
    lines.join("\n")
}

/// The pragma actions among a diagnostic's code actions.
fn ignore_actions(server: &mut Server, uri: &str, diagnostic: &Value) -> Vec<Value> {
    code_actions(server, uri, diagnostic)
        .into_iter()
        .filter(|action| {
            action["title"]
                .as_str()
                .is_some_and(|title| title.starts_with("Ignore "))
        })
        .collect()
}

fn code_actions(server: &mut Server, uri: &str, diagnostic: &Value) -> Vec<Value> {
    server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]},
            }),
        )
        .expect("codeAction succeeds")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn diagnostics_on_open_and_after_a_change() {
    let dir = workspace();
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let mut server = start(dir.path());
    server.open(&uri, "dockerfile", DOCKERFILE);
    let diagnostics = server.diagnostics(&uri, 1);
    assert_eq!(
        codes(&diagnostics),
        [
            "BI002", "BI003", "HD009", "HD010", "HD020", "HD007", "HD001"
        ]
    );

    let latest = find(&diagnostics, "BI002");
    assert_eq!(latest["source"], "tallyman");
    assert_eq!(latest["severity"], 2, "medium is a warning");
    assert_eq!(
        latest["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 27}})
    );
    assert_eq!(
        latest["codeDescription"]["href"],
        format!(
            "{}/blob/main/docs/rules.md#bi002",
            env!("CARGO_PKG_REPOSITORY")
        )
    );
    assert_eq!(
        find(&diagnostics, "HD001")["severity"],
        1,
        "high is an error"
    );
    assert_eq!(
        find(&diagnostics, "HD020")["severity"],
        3,
        "info is information"
    );
    // A finding in a stage points at the stage's FROM.
    let related = &find(&diagnostics, "HD009")["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri.as_str());
    assert_eq!(related["location"]["range"]["start"]["line"], 0);
    assert_eq!(related["message"], "in stage `build`, which starts here");
    assert!(
        find(&diagnostics, "HD020")["message"]
            .as_str()
            .unwrap()
            .contains("\nFix: pin each package")
    );

    // Unsaved edits are what is checked.
    server.change(&uri, 2, "FROM ubuntu:24.04\nUSER 10001\nHEALTHCHECK NONE\n");
    let after = server.diagnostics(&uri, 2);
    assert_eq!(codes(&after), ["BI003"]);
    assert!(server.shutdown().success());
}

#[test]
fn changes_in_quick_succession_are_checked_once_settled() {
    let dir = workspace();
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let mut server = Server::start(dir.path(), &["--debounce-ms", "300"], json!({}));
    server.open(&uri, "dockerfile", DOCKERFILE);
    server.diagnostics(&uri, 1);
    for version in 2..=6 {
        server.change(
            &uri,
            version,
            &format!("FROM ubuntu:latest\nUSER {version}\n"),
        );
    }
    // Only the last version is published: the others were superseded
    // before the debounce interval ran out.
    let last = server.diagnostics(&uri, 6);
    assert!(codes(&last).contains(&"BI002".to_string()));
    let status = server.shutdown();
    assert!(status.success());
}

#[test]
fn ignore_actions_insert_pragmas_that_silence_the_finding() {
    let dir = workspace();
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let mut server = start(dir.path());
    server.open(&uri, "dockerfile", DOCKERFILE);
    let diagnostics = server.diagnostics(&uri, 1);

    let hd009 = find(&diagnostics, "HD009").clone();
    let actions = ignore_actions(&mut server, &uri, &hd009);
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Ignore HD009 for this instruction (tallyman pragma)",
            "Ignore HD009 in this file (tallyman pragma)"
        ]
    );
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["diagnostics"][0]["code"], "HD009");

    let here = apply(DOCKERFILE, &actions[0], &uri);
    assert_eq!(
        here,
        "FROM ubuntu:latest AS build\n# tallyman ignore=HD009\nRUN apt-get update && apt-get install -y curl\nFROM build\nUSER root\n"
    );
    server.change(&uri, 2, &here);
    let after = server.diagnostics(&uri, 2);
    assert!(!codes(&after).contains(&"HD009".to_string()), "{after:#?}");
    assert!(codes(&after).contains(&"HD010".to_string()));

    // A second rule on the same instruction joins the pragma.
    let hd010 = find(&after, "HD010").clone();
    let actions = ignore_actions(&mut server, &uri, &hd010);
    let joined = apply(&here, &actions[0], &uri);
    assert!(
        joined.contains("# tallyman ignore=HD009,HD010\nRUN"),
        "{joined}"
    );

    // In the whole file.
    let bi002 = find(&after, "BI002").clone();
    let actions = ignore_actions(&mut server, &uri, &bi002);
    assert_eq!(actions.len(), 2);
    let global = apply(&here, &actions[1], &uri);
    assert!(global.starts_with("# tallyman global ignore=BI002\nFROM ubuntu:latest"));
    server.change(&uri, 3, &global);
    let after = server.diagnostics(&uri, 3);
    assert!(!codes(&after).contains(&"BI002".to_string()));

    // Nothing to offer for diagnostics that are not ours, or documents
    // the server does not know.
    let foreign =
        json!({"range": hd009["range"], "message": "x", "code": "HD009", "source": "hadolint"});
    assert!(ignore_actions(&mut server, &uri, &foreign).is_empty());
    assert!(ignore_actions(&mut server, "file:///nowhere/Dockerfile", &hd009).is_empty());
    assert!(server.shutdown().success());
}

#[test]
fn hover_on_a_rule_id_shows_its_documentation() {
    let dir = workspace();
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let mut server = start(dir.path());
    let text = "# tallyman ignore=HD001,bi002\nFROM ubuntu:latest\n";
    server.open(&uri, "dockerfile", text);
    server.diagnostics(&uri, 1);
    let hover = |server: &mut Server, line: u32, character: u32| {
        server
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
            )
            .expect("hover succeeds")
    };
    let rule = hover(&mut server, 0, 26);
    let documentation = rule["contents"]["value"].as_str().expect("markdown");
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_tallyman"))
        .args(["rule", "BI002", "--cache-dir"])
        .arg(lsp_support::cache_dir())
        .output()
        .expect("tallyman rule runs");
    assert_eq!(documentation, String::from_utf8_lossy(&printed.stdout));
    assert_eq!(rule["contents"]["kind"], "markdown");
    assert_eq!(
        rule["range"],
        json!({"start": {"line": 0, "character": 24}, "end": {"line": 0, "character": 29}})
    );
    // Elsewhere on the pragma: every rule it names.
    let pragma = hover(&mut server, 0, 4);
    let both = pragma["contents"]["value"].as_str().expect("markdown");
    assert!(both.starts_with("# HD001: "), "{both}");
    assert!(both.contains("\n# BI002: "), "{both}");
    // Not on a comment, past the end, inside nothing: no hover.
    assert_eq!(hover(&mut server, 1, 2), Value::Null);
    assert_eq!(hover(&mut server, 900, 900), Value::Null);
    assert!(server.shutdown().success());
}

#[test]
fn configuration_changes_reload_the_policies() {
    let dir = workspace();
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let config = dir.path().join("tallyman.yaml");
    let mut server = Server::start(
        dir.path(),
        &[],
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    server.open(&uri, "dockerfile", DOCKERFILE);
    assert!(codes(&server.diagnostics(&uri, 1)).contains(&"BI002".to_string()));

    // Broken: one diagnostic saying why, and the server lives on.
    std::fs::write(&config, "ignore:\n  rules: BI002\n  nonsense: 1\n").expect("write");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&config), "type": 1}]}),
    );
    let broken = server.diagnostics(&uri, 1);
    assert_eq!(codes(&broken), ["config-error"], "{broken:#?}");
    assert_eq!(broken[0]["severity"], 1);
    assert!(
        broken[0]["message"]
            .as_str()
            .unwrap()
            .contains("tallyman.yaml"),
        "{broken:#?}"
    );

    std::fs::write(
        &config,
        "ignore:\n  rules: [BI002]\nseverity:\n  HD009: high\n",
    )
    .expect("write");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&config), "type": 2}]}),
    );
    let fixed = server.diagnostics(&uri, 1);
    assert!(!codes(&fixed).contains(&"BI002".to_string()), "{fixed:#?}");
    assert_eq!(find(&fixed, "HD009")["severity"], 1);

    // Deleted, with no event: noticed at the next check all the same.
    std::fs::remove_file(&config).expect("remove");
    server.change(&uri, 2, DOCKERFILE);
    assert!(codes(&server.diagnostics(&uri, 2)).contains(&"BI002".to_string()));

    // And on request.
    std::fs::write(&config, "ignore:\n  rules: [HD001]\n").expect("write");
    let reloaded = server.request(
        "workspace/executeCommand",
        json!({"command": "tallyman.reloadConfiguration", "arguments": []}),
    );
    assert_eq!(reloaded, Ok(Value::Null));
    assert!(!codes(&server.diagnostics(&uri, 2)).contains(&"HD001".to_string()));
    assert!(
        server
            .request("workspace/executeCommand", json!({"command": "no.such"}))
            .is_err()
    );
    assert!(server.shutdown().success());
}

#[test]
fn hostile_input_gets_answers_not_a_crash() {
    let dir = workspace();
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let mut server = start(dir.path());

    // Not a Dockerfile BuildKit accepts.
    server.open(&uri, "dockerfile", "FROM alpine\nCOPY --frm=x a b\n");
    let refused = server.diagnostics(&uri, 1);
    assert_eq!(codes(&refused), ["parse-error"]);
    assert_eq!(refused[0]["range"]["start"]["line"], 1);

    // Larger than the limit.
    let huge = format!("FROM alpine\n{}", "# padding\n".repeat(500_000));
    let big = file_uri(&dir.path().join("big.Dockerfile"));
    server.open(&big, "dockerfile", &huge);
    assert_eq!(codes(&server.diagnostics(&big, 1)), ["file-too-large"]);

    // A document with no file behind it, and characters outside the BMP.
    let untitled = "untitled:Containerfile";
    server.open(
        untitled,
        "dockerfile",
        "# 😀 note\nFROM ubuntu:latest\nRUN echo 😀😀\n",
    );
    assert!(codes(&server.diagnostics(untitled, 1)).contains(&"BI002".to_string()));
    // Positions past the end, inside surrogate pairs and of unknown documents.
    for (line, character) in [(0, 3), (2, 10), (7, 0), (u32::MAX, u32::MAX)] {
        let hover = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": untitled}, "position": {"line": line, "character": character}}),
        );
        assert_eq!(hover, Ok(Value::Null));
    }
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": untitled, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 2, "character": 11}, "end": {"line": 99, "character": 3}}, "text": "x"}
        ]}),
    );
    assert!(codes(&server.diagnostics(untitled, 2)).contains(&"BI002".to_string()));
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere/Dockerfile", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    // Malformed parameters and unknown methods are errors, answered.
    assert!(
        server
            .request("textDocument/hover", json!({"nonsense": true}))
            .is_err()
    );
    assert!(
        server
            .request("textDocument/definition", json!({}))
            .is_err()
    );
    server.notify("textDocument/didOpen", json!({"textDocument": 7}));

    // Files that are not Dockerfiles get no diagnostics; closing clears them.
    server.open(
        &file_uri(&dir.path().join("README.md")),
        "markdown",
        "FROM x",
    );
    server.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = server.wait_for("cleared diagnostics", |n| {
        n.method == "textDocument/publishDiagnostics"
            && n.params["uri"] == uri.as_str()
            && n.params["diagnostics"] == json!([])
    });
    assert_eq!(cleared.params["diagnostics"], json!([]));
    assert!(server.shutdown().success());
}

#[test]
fn quick_fixes_apply_the_edits_findings_carry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "FROM alpine:3.19\nMAINTAINER jane@example.com\nRUN apk add curl\n";
    std::fs::write(dir.path().join("Dockerfile"), text).expect("write");
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let mut server = start(dir.path());
    server.open(&uri, "dockerfile", text);
    let diagnostics = server.diagnostics(&uri, 1);
    let hd016 = find(&diagnostics, "HD016").clone();

    let actions = code_actions(&mut server, &uri, &hd016);
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Fix HD016 (safe)")
        .unwrap_or_else(|| panic!("no HD016 fix among {actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    let fixed = apply(text, fix, &uri);
    assert!(
        fixed.contains("LABEL") && !fixed.contains("MAINTAINER"),
        "{fixed}"
    );
    server.change(&uri, 2, &fixed);
    let after = server.diagnostics(&uri, 2);
    assert!(!codes(&after).contains(&"HD016".to_string()), "{after:#?}");

    // "Fix all" applies every safe fix of the file at once, as `tallyman fix` does.
    let all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll")
        .unwrap_or_else(|| panic!("no fix-all action among {actions:#?}"));
    let fixed_all = apply(text, all, &uri);
    assert!(!fixed_all.contains("MAINTAINER"), "{fixed_all}");
    assert!(server.shutdown().success());
}
