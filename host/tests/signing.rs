//! Signed results end to end: `keygen`, `scan --sign`, `verify`, the
//! attestation checked by OpenSSL, and signed and pinned policies. Every
//! test works on real files in its own temporary directory and runs the
//! real binary.

mod cli_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// One compile cache for every test of this binary.
fn tallyman(dir: &Path, args: &[&str]) -> Output {
    tallyman_env(dir, args, &[])
}

fn tallyman_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    cli_support::run(dir, "signing-cache", args, env)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn both(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

fn write(dir: &Path, path: &str, contents: &[u8]) {
    let path = dir.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dir");
    }
    std::fs::write(path, contents).expect("write");
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A temp dir with a key pair `signer.key`/`signer.pub` and a small tree.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tallyman(dir.path(), &["keygen", "--out", "signer"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    write(
        dir.path(),
        "tree/Dockerfile",
        b"FROM alpine:3.19\nRUN echo hello\n",
    );
    write(
        dir.path(),
        "tree/services/api/Dockerfile",
        b"FROM node:20\nUSER node\nCMD [\"node\", \"index.js\"]\n",
    );
    write(dir.path(), "tree/README.md", b"not a Dockerfile\n");
    dir
}

/// Scans `tree` with a JSON report and a signature; returns the
/// attestation's path.
fn signed_scan(dir: &Path) -> PathBuf {
    let out = tallyman(
        dir,
        &[
            "scan",
            "tree",
            "-f",
            "json",
            "-o",
            "report.json",
            "--sign",
            "signer.key",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", both(&out));
    let attestation = dir.join("report.json.intoto.jsonl");
    assert!(attestation.is_file(), "no attestation: {}", both(&out));
    attestation
}

fn verify(dir: &Path, attestation: &Path, key: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "verify",
        attestation.to_str().expect("utf-8 path"),
        "--key",
        key,
    ];
    args.extend_from_slice(extra);
    tallyman(dir, &args)
}

fn envelope(attestation: &Path) -> Value {
    let text = std::fs::read_to_string(attestation).expect("read attestation");
    serde_json::from_str(text.trim_end()).expect("one JSON envelope")
}

fn write_envelope(attestation: &Path, envelope: &Value) {
    std::fs::write(attestation, format!("{envelope}\n")).expect("write attestation");
}

fn payload(envelope: &Value) -> Vec<u8> {
    STANDARD
        .decode(envelope["payload"].as_str().expect("payload"))
        .expect("base64 payload")
}

fn statement(attestation: &Path) -> Value {
    serde_json::from_slice(&payload(&envelope(attestation))).expect("statement JSON")
}

/// The DSSE PAE, built here independently of the crate.
fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn openssl(args: &[&str], dir: &Path) -> Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl must be installed (scripts/test installs it)")
}

// --- keygen -----------------------------------------------------------------

#[test]
fn keygen_writes_a_private_key_only_its_owner_can_read_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tallyman(dir.path(), &["keygen", "--out", "ci"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let private = std::fs::read_to_string(dir.path().join("ci.key")).expect("ci.key");
    let public = std::fs::read_to_string(dir.path().join("ci.pub")).expect("ci.pub");
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "{private}"
    );
    assert!(
        public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
        "{public}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("ci.key"))
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }

    let again = tallyman(dir.path(), &["keygen", "--out", "ci"]);
    assert_eq!(again.status.code(), Some(2), "{}", both(&again));
    assert!(
        stderr(&again).contains("ci.key: already exists"),
        "{}",
        both(&again)
    );
    assert!(stderr(&again).contains("--force"), "{}", both(&again));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ci.key")).expect("ci.key"),
        private,
        "the refused keygen changed the key"
    );
    // Only the public half existing is refused too.
    std::fs::remove_file(dir.path().join("ci.key")).expect("rm");
    let again = tallyman(dir.path(), &["keygen", "--out", "ci"]);
    assert_eq!(again.status.code(), Some(2), "{}", both(&again));
    assert!(
        stderr(&again).contains("ci.pub: already exists"),
        "{}",
        both(&again)
    );

    let forced = tallyman(dir.path(), &["keygen", "--out", "ci", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", both(&forced));
    assert_ne!(
        std::fs::read_to_string(dir.path().join("ci.pub")).expect("ci.pub"),
        public,
        "--force made no new key"
    );
}

#[test]
fn openssl_reads_the_keys_and_agrees_on_the_keyid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tallyman(dir.path(), &["keygen", "--out", "k"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let check = openssl(&["pkey", "-in", "k.key", "-noout"], dir.path());
    assert!(check.status.success(), "openssl pkey: {}", both(&check));
    // The public key OpenSSL derives from the private key is ours.
    let derived = openssl(&["pkey", "-in", "k.key", "-pubout"], dir.path());
    assert!(derived.status.success(), "{}", both(&derived));
    assert_eq!(
        stdout(&derived),
        std::fs::read_to_string(dir.path().join("k.pub")).expect("k.pub")
    );
    // keyid = sha256 of the SPKI DER.
    let der = openssl(
        &["pkey", "-pubin", "-in", "k.pub", "-outform", "DER"],
        dir.path(),
    );
    assert!(der.status.success(), "{}", both(&der));
    let keyid = sha256_hex(&der.stdout);
    assert!(
        stdout(&out).contains(&keyid),
        "keyid {keyid} not in {}",
        both(&out)
    );
}

#[test]
fn a_key_made_by_openssl_signs_too() {
    let dir = workspace();
    let generated = openssl(
        &["genpkey", "-algorithm", "ed25519", "-out", "openssl.key"],
        dir.path(),
    );
    assert!(generated.status.success(), "{}", both(&generated));
    let public = openssl(
        &[
            "pkey",
            "-in",
            "openssl.key",
            "-pubout",
            "-out",
            "openssl.pub",
        ],
        dir.path(),
    );
    assert!(public.status.success(), "{}", both(&public));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("openssl.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod");
    }
    let out = tallyman(
        dir.path(),
        &[
            "scan",
            "tree",
            "--sign",
            "openssl.key",
            "--attestation",
            "a.jsonl",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", both(&out));
    let ok = verify(dir.path(), &dir.path().join("a.jsonl"), "openssl.pub", &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", both(&ok));
}

// --- scan --sign and verify --------------------------------------------------

#[test]
fn a_signed_scan_verifies_and_attests_the_report_subjects_policies_and_config() {
    let dir = workspace();
    let attestation = signed_scan(dir.path());
    let text = std::fs::read_to_string(&attestation).expect("attestation");
    assert_eq!(text.lines().count(), 1, "one envelope, one line: {text}");
    assert!(text.ends_with('\n'));

    let envelope = envelope(&attestation);
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    let signatures = envelope["signatures"].as_array().expect("signatures");
    assert_eq!(signatures.len(), 1);
    let der = openssl(
        &["pkey", "-pubin", "-in", "signer.pub", "-outform", "DER"],
        dir.path(),
    );
    assert_eq!(signatures[0]["keyid"], sha256_hex(&der.stdout));

    let statement = statement(&attestation);
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        statement["predicateType"],
        "https://tallyman.dev/attestation/scan/v1"
    );
    let mut subjects: Vec<(String, String)> = statement["subject"]
        .as_array()
        .expect("subject")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name").to_string(),
                s["digest"]["sha256"].as_str().expect("sha256").to_string(),
            )
        })
        .collect();
    subjects.sort();
    let expected: Vec<(String, String)> = ["Dockerfile", "services/api/Dockerfile"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(dir.path().join("tree").join(name)).expect("read");
            (name.to_string(), sha256_hex(&bytes))
        })
        .collect();
    assert_eq!(subjects, expected);

    // The predicate's report is the report that was written.
    let report: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("report.json")).expect("report.json"),
    )
    .expect("report JSON");
    let predicate = &statement["predicate"];
    assert_eq!(predicate["report"], report);
    assert_eq!(predicate["tool"]["name"], "tallyman");
    assert_eq!(predicate["tool"]["version"], report["tool"]["version"]);
    assert_eq!(predicate["verdict"]["result"], report["summary"]["verdict"]);
    let policies: Vec<(&str, &str)> = predicate["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or(""),
                p["sha256"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let reported: Vec<(&str, &str)> = report["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or(""),
                p["sha256"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(policies, reported);
    assert!(policies.iter().all(|(_, sha)| sha.len() == 64));
    let config = &predicate["config"];
    assert_eq!(config["effective"]["options"]["fail-on"], "high");
    assert_eq!(config["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(predicate["inputs"], serde_json::json!(["."]));

    let out = verify(dir.path(), &attestation, "signer.pub", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let printed = stdout(&out);
    assert!(printed.contains("signature ok"), "{printed}");
    let verdict = format!(
        "verdict:   {} (exit code {})",
        report["summary"]["verdict"].as_str().unwrap_or(""),
        predicate["verdict"]["exit_code"]
    );
    assert!(printed.contains(&verdict), "{verdict} not in {printed}");
    assert!(printed.contains("2 scanned of 2"), "{printed}");
    assert!(printed.trim_end().ends_with("verified"), "{printed}");

    // With the files untouched, --check-subjects passes too.
    let out = verify(
        dir.path(),
        &attestation,
        "signer.pub",
        &["--check-subjects", "tree"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(stdout(&out).contains("2 unchanged"), "{}", both(&out));
}

#[test]
fn the_config_digest_changes_with_the_configuration() {
    let dir = workspace();
    let first = signed_scan(dir.path());
    let digest = |path: &Path| statement(path)["predicate"]["config"]["sha256"].clone();
    let before = digest(&first);
    write(dir.path(), "tree/tallyman.yaml", b"fail-on: low\n");
    let second = signed_scan(dir.path());
    let after = statement(&second);
    assert_ne!(after["predicate"]["config"]["sha256"], before);
    assert_eq!(
        after["predicate"]["config"]["effective"]["config"]["fail-on"],
        "low"
    );
    assert_eq!(after["predicate"]["config"]["file"], "tree/tallyman.yaml");
    assert_eq!(
        after["predicate"]["config"]["file_sha256"],
        sha256_hex(b"fail-on: low\n").as_str()
    );
    // Same configuration, same digest.
    let third = signed_scan(dir.path());
    assert_eq!(digest(&third), after["predicate"]["config"]["sha256"]);
}

#[test]
fn signing_does_not_change_the_report() {
    let dir = workspace();
    let plain = tallyman(
        dir.path(),
        &["scan", "tree", "-f", "json", "-o", "plain.json"],
    );
    assert!(
        matches!(plain.status.code(), Some(0 | 1)),
        "{}",
        both(&plain)
    );
    signed_scan(dir.path());
    // Two runs differ only in their timing fields.
    let without_timing = |name: &str| -> String {
        std::fs::read_to_string(dir.path().join(name))
            .expect("report")
            .lines()
            .filter(|l| !l.contains("\"started_at\"") && !l.contains("\"duration_ms\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_timing("plain.json"), without_timing("report.json"));
}

#[test]
fn the_key_can_come_from_the_environment_and_the_attestation_defaults_beside_stdout() {
    let dir = workspace();
    let out = tallyman_env(
        dir.path(),
        &["scan", "tree"],
        &[("TALLYMAN_SIGNING_KEY", "signer.key")],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", both(&out));
    let attestation = dir.path().join("tallyman.intoto.jsonl");
    assert!(attestation.is_file(), "{}", both(&out));
    let ok = verify(dir.path(), &attestation, "signer.pub", &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", both(&ok));

    let lonely = tallyman(dir.path(), &["scan", "tree", "--attestation", "x.jsonl"]);
    assert_eq!(lonely.status.code(), Some(2), "{}", both(&lonely));
    assert!(
        stderr(&lonely).contains("--attestation needs a key"),
        "{}",
        both(&lonely)
    );

    let missing = tallyman(dir.path(), &["scan", "tree", "--sign", "nope.key"]);
    assert_eq!(missing.status.code(), Some(2), "{}", both(&missing));
    assert!(stderr(&missing).contains("nope.key"), "{}", both(&missing));

    let public = tallyman(dir.path(), &["scan", "tree", "--sign", "signer.pub"]);
    assert_eq!(public.status.code(), Some(2), "{}", both(&public));
    assert!(
        stderr(&public).contains("this is a public key"),
        "{}",
        both(&public)
    );
}

#[cfg(unix)]
#[test]
fn a_private_key_others_can_read_draws_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace();
    let quiet = tallyman(dir.path(), &["scan", "tree", "--sign", "signer.key"]);
    assert!(!stderr(&quiet).contains("warning"), "{}", both(&quiet));
    std::fs::set_permissions(
        dir.path().join("signer.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let out = tallyman(dir.path(), &["scan", "tree", "--sign", "signer.key"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", both(&out));
    let err = stderr(&out);
    assert!(err.contains("warning: signer.key"), "{err}");
    assert!(
        err.contains("readable by its group and by others (mode 0644)"),
        "{err}"
    );
}

#[test]
fn a_flipped_byte_anywhere_in_the_payload_is_a_bad_signature() {
    let dir = workspace();
    let attestation = signed_scan(dir.path());
    let original = envelope(&attestation);
    let body = payload(&original);
    // The first byte, one in the middle (inside the report) and the last.
    let mut failures = Vec::new();
    for index in [0, body.len() / 2, body.len() - 1] {
        let mut flipped = body.clone();
        flipped[index] ^= 0x01;
        let mut tampered = original.clone();
        tampered["payload"] = Value::String(STANDARD.encode(&flipped));
        write_envelope(&attestation, &tampered);
        let out = verify(dir.path(), &attestation, "signer.pub", &[]);
        if out.status.code() != Some(1) || !stderr(&out).contains("bad signature") {
            failures.push(format!("byte {index}: {}", both(&out)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_flipped_byte_of_the_signature_is_a_bad_signature() {
    let dir = workspace();
    let attestation = signed_scan(dir.path());
    let original = envelope(&attestation);
    let sig = STANDARD
        .decode(original["signatures"][0]["sig"].as_str().expect("sig"))
        .expect("base64");
    let mut failures = Vec::new();
    for index in [0, 31, 32, 63] {
        let mut flipped = sig.clone();
        flipped[index] ^= 0x80;
        let mut tampered = original.clone();
        tampered["signatures"][0]["sig"] = Value::String(STANDARD.encode(&flipped));
        write_envelope(&attestation, &tampered);
        let out = verify(dir.path(), &attestation, "signer.pub", &[]);
        let err = stderr(&out);
        if out.status.code() != Some(1) || !err.contains("bad signature") {
            failures.push(format!("byte {index}: {}", both(&out)));
        }
        assert!(!stdout(&out).contains("verified"), "{}", both(&out));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn another_key_is_not_the_signer() {
    let dir = workspace();
    let attestation = signed_scan(dir.path());
    let other = tallyman(dir.path(), &["keygen", "--out", "other"]);
    assert_eq!(other.status.code(), Some(0), "{}", both(&other));
    let out = verify(dir.path(), &attestation, "other.pub", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let err = stderr(&out);
    assert!(err.contains("not signed by this key"), "{err}");
    let signer_keyid = envelope(&attestation)["signatures"][0]["keyid"]
        .as_str()
        .expect("keyid")
        .to_string();
    assert!(
        err.contains(&signer_keyid),
        "the message names the signer's keyid: {err}"
    );

    // Without a keyid to go by, the other key is tried and fails.
    let mut anonymous = envelope(&attestation);
    anonymous["signatures"][0]
        .as_object_mut()
        .expect("signature object")
        .remove("keyid");
    write_envelope(&attestation, &anonymous);
    let out = verify(dir.path(), &attestation, "other.pub", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr(&out).contains("bad signature"), "{}", both(&out));
    let out = verify(dir.path(), &attestation, "signer.pub", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn malformed_envelopes_and_wrong_payload_types_have_their_own_messages() {
    let dir = workspace();
    let attestation = signed_scan(dir.path());
    let original = envelope(&attestation);
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut v = original.clone();
                v.as_object_mut().expect("object").remove("payload");
                v
            },
            "malformed envelope: payload: missing",
        ),
        (
            {
                let mut v = original.clone();
                v["signatures"] = serde_json::json!([]);
                v
            },
            "malformed envelope: signatures: empty",
        ),
        (
            {
                let mut v = original.clone();
                v["signatures"][0]["sig"] = Value::String("not base64!".into());
                v
            },
            "malformed envelope: signatures[0].sig: not base64",
        ),
        (
            {
                let mut v = original.clone();
                v["payloadType"] = Value::String("application/json".into());
                v
            },
            "wrong payloadType: `application/json`",
        ),
    ];
    let mut failures = Vec::new();
    for (tampered, message) in cases {
        write_envelope(&attestation, &tampered);
        let out = verify(dir.path(), &attestation, "signer.pub", &[]);
        if out.status.code() != Some(1) || !stderr(&out).contains(message) {
            failures.push(format!("expected `{message}`: {}", both(&out)));
        }
    }
    std::fs::write(&attestation, "{not json\n").expect("write");
    let out = verify(dir.path(), &attestation, "signer.pub", &[]);
    if out.status.code() != Some(1)
        || !stderr(&out).contains("malformed envelope: (document): not JSON")
    {
        failures.push(format!("not JSON: {}", both(&out)));
    }
    std::fs::write(&attestation, b"\xff\xfe{}\n").expect("write");
    let out = verify(dir.path(), &attestation, "signer.pub", &[]);
    if out.status.code() != Some(1)
        || !stderr(&out).contains("malformed envelope: (document): not UTF-8")
    {
        failures.push(format!("not UTF-8: {}", both(&out)));
    }
    std::fs::write(&attestation, "\n\n").expect("write");
    let out = verify(dir.path(), &attestation, "signer.pub", &[]);
    if out.status.code() != Some(1) || !stderr(&out).contains("the file holds no envelope") {
        failures.push(format!("empty: {}", both(&out)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn verify_exits_2_when_it_cannot_run() {
    let dir = workspace();
    let attestation = signed_scan(dir.path());
    let out = verify(
        dir.path(),
        &dir.path().join("missing.jsonl"),
        "signer.pub",
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        stderr(&out).contains("cannot read the attestation"),
        "{}",
        both(&out)
    );
    let out = verify(dir.path(), &attestation, "missing.pub", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(stderr(&out).contains("missing.pub"), "{}", both(&out));
    let out = verify(dir.path(), &attestation, "signer.key", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        stderr(&out).contains("this is a private key"),
        "{}",
        both(&out)
    );
}

#[test]
fn check_subjects_names_changed_vanished_and_added_files() {
    let dir = workspace();
    let attestation = signed_scan(dir.path());
    let tree = dir.path().join("tree");

    write(
        &tree,
        "services/api/Dockerfile",
        b"FROM node:20\nUSER root\n",
    );
    let out = verify(
        dir.path(),
        &attestation,
        "signer.pub",
        &["--check-subjects", "tree"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let printed = stdout(&out);
    assert!(
        printed.contains("changed:    services/api/Dockerfile"),
        "{printed}"
    );
    assert!(!printed.contains("changed:    Dockerfile"), "{printed}");
    assert!(stderr(&out).contains("no longer match"), "{}", both(&out));
    // The signature itself still verifies: without --check-subjects, exit 0.
    let out = verify(dir.path(), &attestation, "signer.pub", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));

    std::fs::remove_file(tree.join("Dockerfile")).expect("rm");
    let out = verify(
        dir.path(),
        &attestation,
        "signer.pub",
        &["--check-subjects", "tree"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(
        stdout(&out).contains("vanished:   Dockerfile"),
        "{}",
        both(&out)
    );

    write(&tree, "web/Containerfile", b"FROM nginx:1.27\n");
    // Not a Dockerfile by name: discovery ignores it, so it is not "added".
    write(&tree, "web/notes.txt", b"FROM nothing\n");
    let out = verify(
        dir.path(),
        &attestation,
        "signer.pub",
        &["--check-subjects", "tree"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let printed = stdout(&out);
    assert!(
        printed.contains("added:      web/Containerfile"),
        "{printed}"
    );
    assert!(!printed.contains("notes.txt"), "{printed}");
}

#[test]
fn check_subjects_defaults_to_the_current_directory() {
    let dir = workspace();
    let tree = dir.path().join("tree");
    let out = tallyman(&tree, &["scan", "--sign", "../signer.key"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", both(&out));
    let attestation = tree.join("tallyman.intoto.jsonl");
    let out = verify(&tree, &attestation, "../signer.pub", &["--check-subjects"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    write(&tree, "Dockerfile", b"FROM alpine:3.20\n");
    let out = verify(&tree, &attestation, "../signer.pub", &["--check-subjects"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(
        stdout(&out).contains("changed:    Dockerfile"),
        "{}",
        both(&out)
    );
}

// --- OpenSSL, independently ----------------------------------------------------

/// Rebuilds the PAE from the envelope without tallyman's code and has
/// OpenSSL verify the ed25519 signature over it. Fails (does not skip)
/// when openssl is missing: `scripts/test` installs it.
#[test]
fn openssl_verifies_the_attestation_signature() {
    let dir = workspace();
    let attestation = signed_scan(dir.path());
    let envelope = envelope(&attestation);
    let body = payload(&envelope);
    let payload_type = envelope["payloadType"].as_str().expect("payloadType");
    let sig = STANDARD
        .decode(envelope["signatures"][0]["sig"].as_str().expect("sig"))
        .expect("base64 sig");
    std::fs::write(dir.path().join("pae.bin"), pae(payload_type, &body)).expect("pae");
    std::fs::write(dir.path().join("sig.bin"), &sig).expect("sig");
    let args = [
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        "signer.pub",
        "-rawin",
        "-in",
        "pae.bin",
        "-sigfile",
        "sig.bin",
    ];
    let out = openssl(&args, dir.path());
    assert!(
        out.status.success(),
        "openssl rejects the signature: {}",
        both(&out)
    );
    assert!(
        stdout(&out).contains("Signature Verified Successfully"),
        "{}",
        both(&out)
    );

    // And OpenSSL is really checking: one flipped PAE byte fails.
    let mut tampered = pae(payload_type, &body);
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    std::fs::write(dir.path().join("pae.bin"), tampered).expect("pae");
    let out = openssl(&args, dir.path());
    assert!(
        !out.status.success(),
        "openssl accepted a tampered PAE: {}",
        both(&out)
    );
}

// --- policy signing ------------------------------------------------------------

/// A real policy component outside the binary: the first built-in's bytes,
/// written to `org/policy.wasm` (scans use --no-builtin so names don't clash).
fn external_policy(dir: &Path) -> PathBuf {
    let builtin = tallyman::engine::BUILTIN_POLICIES
        .first()
        .expect("this build embeds the built-in policies");
    write(dir, "org/policy.wasm", builtin.wasm);
    dir.join("org/policy.wasm")
}

fn scan_with_config(dir: &Path, config: &str) -> Output {
    write(dir, "tallyman.yaml", config.as_bytes());
    tallyman(
        dir,
        &[
            "scan",
            "tree",
            "--no-builtin",
            "-c",
            "tallyman.yaml",
            "-f",
            "json",
        ],
    )
}

const TRUSTING: &str = "trusted-policy-keys: [signer.pub]\npolicies:\n  - path: org/policy.wasm\n";

#[test]
fn a_validly_signed_policy_is_accepted_and_openssl_agrees_on_what_was_signed() {
    let dir = workspace();
    let module = external_policy(dir.path());
    let out = tallyman(
        dir.path(),
        &["policy", "sign", "org/policy.wasm", "--key", "signer.key"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let sig: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("org/policy.wasm.sig")).expect("the .sig file"),
    )
    .expect("JSON");
    let module_sha = sha256_hex(&std::fs::read(&module).expect("module"));
    assert_eq!(sig["sha256"], module_sha.as_str());
    assert_eq!(
        sig.as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec![
            "keyid".to_string(),
            "sha256".into(),
            "signature".into()
        ])
    );

    let out = scan_with_config(dir.path(), TRUSTING);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", both(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("report");
    let external: Vec<&Value> = report["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .filter(|p| p["builtin"] == false)
        .collect();
    assert_eq!(external.len(), 1, "{report}");
    assert_eq!(external[0]["sha256"], module_sha.as_str());

    // The signed bytes are `tallyman-policy-v1 sha256:<hex>`: OpenSSL verifies them.
    std::fs::write(
        dir.path().join("signed.txt"),
        format!("tallyman-policy-v1 sha256:{module_sha}"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("policy.sig.bin"),
        STANDARD
            .decode(sig["signature"].as_str().expect("signature"))
            .expect("base64"),
    )
    .expect("write");
    let check = openssl(
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signer.pub",
            "-rawin",
            "-in",
            "signed.txt",
            "-sigfile",
            "policy.sig.bin",
        ],
        dir.path(),
    );
    assert!(check.status.success(), "{}", both(&check));
}

#[test]
fn unsigned_wrongly_signed_and_tampered_policies_are_refused() {
    let dir = workspace();
    let module = external_policy(dir.path());
    let refused = |out: &Output, reason: &str| -> Option<String> {
        let err = stderr(out);
        let ok = out.status.code() == Some(2)
            && err.contains("org/policy.wasm: policy refused: ")
            && err.contains(reason);
        (!ok).then(|| format!("expected `{reason}`: {}", both(out)))
    };
    let mut failures = Vec::new();

    // No .sig at all.
    let out = scan_with_config(dir.path(), TRUSTING);
    failures.extend(refused(&out, "missing signature: "));
    failures.extend(refused(&out, "org/policy.wasm.sig does not exist"));

    // Signed by a key that is not trusted.
    let other = tallyman(dir.path(), &["keygen", "--out", "other"]);
    assert_eq!(other.status.code(), Some(0), "{}", both(&other));
    let sign = |key: &str| {
        let out = tallyman(
            dir.path(),
            &["policy", "sign", "org/policy.wasm", "--key", key],
        );
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    };
    sign("other.key");
    failures.extend(refused(
        &scan_with_config(dir.path(), TRUSTING),
        "unknown key: ",
    ));
    // ... but accepted once that key is trusted as well.
    let both_keys =
        "trusted-policy-keys: [signer.pub, other.pub]\npolicies:\n  - path: org/policy.wasm\n";
    let out = scan_with_config(dir.path(), both_keys);
    if !matches!(out.status.code(), Some(0 | 1)) {
        failures.push(format!("second trusted key: {}", both(&out)));
    }

    // The module changed after signing.
    sign("signer.key");
    let mut bytes = std::fs::read(&module).expect("module");
    bytes.extend_from_slice(b"\0");
    std::fs::write(&module, &bytes).expect("tamper");
    failures.extend(refused(
        &scan_with_config(dir.path(), TRUSTING),
        "signature for other bytes: ",
    ));

    // The signature itself altered.
    sign("signer.key");
    let sig_path = dir.path().join("org/policy.wasm.sig");
    let mut sig: Value =
        serde_json::from_slice(&std::fs::read(&sig_path).expect("sig")).expect("JSON");
    let mut raw = STANDARD
        .decode(sig["signature"].as_str().expect("signature"))
        .expect("base64");
    raw[10] ^= 0x01;
    sig["signature"] = Value::String(STANDARD.encode(&raw));
    std::fs::write(&sig_path, sig.to_string()).expect("write");
    failures.extend(refused(
        &scan_with_config(dir.path(), TRUSTING),
        "bad signature: ",
    ));

    // A .sig that is not one.
    std::fs::write(&sig_path, "{}").expect("write");
    failures.extend(refused(
        &scan_with_config(dir.path(), TRUSTING),
        "not a tallyman policy signature",
    ));

    // -p policies need a signature too.
    std::fs::remove_file(&sig_path).expect("rm");
    write(
        dir.path(),
        "tallyman.yaml",
        b"trusted-policy-keys: [signer.pub]\n",
    );
    let out = tallyman(
        dir.path(),
        &["scan", "tree", "--no-builtin", "-p", "org/policy.wasm"],
    );
    failures.extend(refused(&out, "missing signature: "));

    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_pin_that_does_not_match_is_refused_with_or_without_keys() {
    let dir = workspace();
    let module = external_policy(dir.path());
    let actual = sha256_hex(&std::fs::read(&module).expect("module"));
    let wrong = "0".repeat(64);
    let pinned = |pin: &str, keys: bool| {
        format!(
            "{}policies:\n  - path: org/policy.wasm\n    sha256: sha256:{pin}\n",
            if keys {
                "trusted-policy-keys: [signer.pub]\n"
            } else {
                ""
            }
        )
    };
    let out = scan_with_config(dir.path(), &pinned(&wrong, false));
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = stderr(&out);
    assert!(
        err.contains("org/policy.wasm: policy refused: sha256 mismatch"),
        "{err}"
    );
    assert!(
        err.contains(&format!("the file is sha256:{actual}")),
        "{err}"
    );

    let out = scan_with_config(dir.path(), &pinned(&actual, false));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", both(&out));

    // With keys, a valid signature does not excuse a wrong pin.
    let sign = tallyman(
        dir.path(),
        &["policy", "sign", "org/policy.wasm", "--key", "signer.key"],
    );
    assert_eq!(sign.status.code(), Some(0), "{}", both(&sign));
    let out = scan_with_config(dir.path(), &pinned(&wrong, true));
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(stderr(&out).contains("sha256 mismatch"), "{}", both(&out));
    let out = scan_with_config(dir.path(), &pinned(&actual, true));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", both(&out));
}

#[test]
fn an_unusable_trusted_key_is_a_config_error() {
    let dir = workspace();
    external_policy(dir.path());
    let out = scan_with_config(
        dir.path(),
        "trusted-policy-keys: [missing.pub]\npolicies:\n  - path: org/policy.wasm\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = stderr(&out);
    assert!(err.contains("trusted-policy-keys"), "{err}");
    assert!(err.contains("missing.pub"), "{err}");
}
