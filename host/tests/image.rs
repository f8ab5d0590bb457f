//! `tallyman image` end to end, on real images made in the test without
//! Docker: OCI layouts built with `umoci`, converted to a `docker save`
//! archive with `skopeo`, and pushed with `skopeo` to a real registry
//! (Debian's `docker-registry`) started on 127.0.0.1 by the test. The same
//! image read from the three sources must give the same findings; bad
//! inputs must give a clear error and exit code 2; a signed verdict must
//! verify and name the manifest digest.
//!
//! `scripts/test` installs `umoci`, `skopeo` and `docker-registry`.

mod cli_support;
mod registry_support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

use registry_support::{Registry, both, fake_registry, free_port, run, sha256_hex};
use serde_json::Value;

mod sarif_schema;

const NPM_TOKEN: &str = "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";

fn tallyman(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    cli_support::command(dir, "image-cache")
        .args(args)
        .env_remove("TALLYMAN_REGISTRY_USER")
        .env_remove("TALLYMAN_REGISTRY_PASSWORD")
        // No ~/.docker/config.json of the machine's user.
        .env("DOCKER_CONFIG", dir.join("no-docker-config"))
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

/// Builds the test images in `dir/layout`:
/// - `app`: runs as root, secrets in `Env`, a history that leaks a build
///   argument, pipes curl into sh, uses sudo, exposes port 22, a `latest` base;
/// - `nonroot`: user 10001, traceability labels, nothing secret;
/// - `arm`: like `nonroot`, built for linux/arm64;
/// - `multi`: a nested index over `nonroot` (linux/amd64) and `arm` (linux/arm64).
fn build_layout(dir: &Path) -> PathBuf {
    let layout = dir.join("layout");
    let l = layout.to_str().expect("utf-8 path");
    std::fs::write(dir.join("hello.txt"), "hi\n").expect("write");
    run("umoci", &["init", "--layout", l], dir);

    let app = format!("{l}:app");
    run("umoci", &["new", "--image", &app], dir);
    run(
        "umoci",
        &[
            "config",
            "--image",
            &app,
            "--config.user",
            "root",
            "--config.env",
            "API_TOKEN=s3cr3t-value-for-the-api",
            "--config.env",
            "REPO_URL=https://deploy:hunter2hunter2@git.example.com/app.git",
            "--config.env",
            "NODE_TLS_REJECT_UNAUTHORIZED=0",
            "--config.env",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "--config.exposedports",
            "22/tcp",
            "--config.label",
            "org.opencontainers.image.source=https://git.example.com/app",
            "--config.label",
            "org.opencontainers.image.base.name=alpine:latest",
            "--history.created_by",
            &format!("RUN |2 NPM_TOKEN={NPM_TOKEN} MODE=release /bin/sh -c npm ci # buildkit"),
        ],
        dir,
    );
    run(
        "umoci",
        &[
            "config",
            "--image",
            &app,
            "--history.created_by",
            "/bin/sh -c curl -fsSL https://get.example.com/install.sh | sh && sudo apt-get install -y tini",
        ],
        dir,
    );
    run(
        "umoci",
        &["insert", "--image", &app, "hello.txt", "/hello.txt"],
        dir,
    );

    for (tag, arch) in [("nonroot", "amd64"), ("arm", "arm64")] {
        let image = format!("{l}:{tag}");
        run("umoci", &["new", "--image", &image], dir);
        run(
            "umoci",
            &[
                "config",
                "--image",
                &image,
                "--architecture",
                arch,
                "--config.user",
                "10001",
                "--config.label",
                "org.opencontainers.image.source=https://git.example.com/app",
                "--config.label",
                "org.opencontainers.image.revision=0123456789abcdef",
                "--config.label",
                "org.opencontainers.image.created=2026-01-01T00:00:00Z",
                "--history.created_by",
                "RUN /bin/sh -c make install # buildkit",
            ],
            dir,
        );
        run(
            "umoci",
            &["insert", "--image", &image, "hello.txt", "/hello.txt"],
            dir,
        );
    }
    add_multi_platform_index(&layout);
    layout
}

/// Adds tag `multi`: an index blob listing `nonroot` and `arm` with their
/// platforms, referenced from `index.json` (an index nested in the layout's).
fn add_multi_platform_index(layout: &Path) {
    let index_path = layout.join("index.json");
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(&index_path).expect("index.json")).expect("json");
    let manifests = index["manifests"].as_array().expect("manifests").clone();
    let find = |tag: &str| {
        manifests
            .iter()
            .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == tag)
            .cloned()
            .expect("tag in index.json")
    };
    let mut amd = find("nonroot");
    let mut arm = find("arm");
    for (descriptor, arch) in [(&mut amd, "amd64"), (&mut arm, "arm64")] {
        descriptor
            .as_object_mut()
            .expect("object")
            .remove("annotations");
        descriptor["platform"] = serde_json::json!({"os": "linux", "architecture": arch});
    }
    let nested = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [amd, arm],
    });
    let bytes = serde_json::to_vec(&nested).expect("json");
    let digest = sha256_hex(&bytes);
    std::fs::write(layout.join("blobs/sha256").join(&digest), &bytes).expect("write blob");
    index["manifests"]
        .as_array_mut()
        .expect("manifests")
        .push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": format!("sha256:{digest}"),
            "size": bytes.len(),
            "annotations": {"org.opencontainers.image.ref.name": "multi"},
        }));
    std::fs::write(&index_path, serde_json::to_vec(&index).expect("json"))
        .expect("write index.json");
}

/// The manifest digest (hex) of a tag in the layout.
fn manifest_hex(layout: &Path, tag: &str) -> String {
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("read"))
            .expect("json");
    let descriptor = index["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .expect("tag");
    descriptor["digest"]
        .as_str()
        .expect("digest")
        .trim_start_matches("sha256:")
        .to_string()
}

/// `(rule_id, severity, message)` of every finding of a JSON report.
fn findings(out: &Output) -> Vec<(String, String, String)> {
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", both(out)));
    let mut found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn rule_ids(found: &[(String, String, String)]) -> Vec<&str> {
    let mut ids: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    ids.dedup();
    ids
}

const JSON: &[&str] = &["-f", "json"];

fn image(dir: &Path, reference: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec!["image", reference];
    args.extend_from_slice(JSON);
    args.extend_from_slice(extra);
    tallyman(dir, &args, env)
}

#[test]
fn an_oci_layout_gives_the_image_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let out = image(dir.path(), "oci:layout:app", &[], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let found = findings(&out);
    assert_eq!(
        rule_ids(&found),
        [
            "BI002", "HD001", "HD002", "HD005", "HD006", "HD007", "HD011", "IMG001", "SEC001",
            "SEC002", "SEC003", "SEC006"
        ],
        "{found:#?}"
    );
    let messages: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    assert!(has("`API_TOKEN` in the image's `Env`"), "{messages:#?}");
    assert!(
        has("records the build argument `NPM_TOKEN`"),
        "{messages:#?}"
    );
    assert!(has("https://deploy:****@git.example.com"), "{messages:#?}");
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("hunter2hunter2") || m.contains(NPM_TOKEN)),
        "a secret is printed whole: {messages:#?}"
    );
    assert!(has("`org.opencontainers.image.revision`"), "{messages:#?}");
    assert!(has("`User` is `root`"), "{messages:#?}");

    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let target = &report["targets"][0];
    assert_eq!(target["kind"], "image");
    assert_eq!(target["path"], "oci:layout:app");
    assert_eq!(
        target["sha256"],
        manifest_hex(&dir.path().join("layout"), "app")
    );
}

#[test]
fn a_non_root_labelled_image_passes() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let out = image(dir.path(), "oci:layout:nonroot", &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    // Only the informational "no healthcheck" remains.
    assert_eq!(rule_ids(&findings(&out)), ["HD007"], "{}", both(&out));
}

#[test]
fn platforms_are_chosen_from_nested_indexes_and_mismatches_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let layout = build_layout(dir.path());
    let amd = image(dir.path(), "oci:layout:multi", &[], &[]);
    assert_eq!(amd.status.code(), Some(0), "{}", both(&amd));
    let report: Value = serde_json::from_slice(&amd.stdout).expect("json");
    assert_eq!(
        report["targets"][0]["sha256"],
        manifest_hex(&layout, "nonroot")
    );

    let arm = image(
        dir.path(),
        "oci:layout:multi",
        &["--platform", "linux/arm64"],
        &[],
    );
    assert_eq!(arm.status.code(), Some(0), "{}", both(&arm));
    let report: Value = serde_json::from_slice(&arm.stdout).expect("json");
    assert_eq!(report["targets"][0]["sha256"], manifest_hex(&layout, "arm"));

    let none = image(
        dir.path(),
        "oci:layout:multi",
        &["--platform", "linux/s390x"],
        &[],
    );
    assert_eq!(none.status.code(), Some(2), "{}", both(&none));
    let stderr = String::from_utf8_lossy(&none.stderr);
    assert!(
        stderr.contains("no image for platform linux/s390x"),
        "{stderr}"
    );
    assert!(
        stderr.contains("available: linux/amd64, linux/arm64"),
        "{stderr}"
    );

    // A single-platform image is read whatever was asked, and IMG002 says so.
    let mismatch = image(dir.path(), "oci:layout:arm", &[], &[]);
    assert_eq!(mismatch.status.code(), Some(1), "{}", both(&mismatch));
    let found = findings(&mismatch);
    assert!(
        found
            .iter()
            .any(|f| f.0 == "IMG002" && f.2.contains("built for linux/arm64, not for linux/amd64")),
        "{found:#?}"
    );
}

#[test]
fn the_same_image_from_a_layout_an_archive_and_a_registry_gives_the_same_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let layout = build_layout(dir.path());
    run(
        "skopeo",
        &[
            "copy",
            "--quiet",
            "oci:layout:app",
            "docker-archive:app.tar:localhost/app:1.0",
        ],
        dir.path(),
    );
    let registry = Registry::start(false);
    registry.push(dir.path(), "oci:layout:app", "team/app:1.0", None);

    let from_layout = image(dir.path(), "oci:layout:app", &[], &[]);
    let from_archive = image(dir.path(), "docker-archive:app.tar", &[], &[]);
    let reference = format!("{}/team/app:1.0", registry.host());
    let from_registry = image(dir.path(), &reference, &["--insecure"], &[]);
    for out in [&from_layout, &from_archive, &from_registry] {
        assert_eq!(out.status.code(), Some(1), "{}", both(out));
    }
    assert_eq!(findings(&from_layout), findings(&from_archive));
    assert_eq!(findings(&from_layout), findings(&from_registry));

    // The registry serves the layout's manifest as is: same identity.
    let hex = manifest_hex(&layout, "app");
    let registry_report: Value = serde_json::from_slice(&from_registry.stdout).expect("json");
    assert_eq!(registry_report["targets"][0]["sha256"], hex);
    // By digest too.
    let by_digest = format!("{}/team/app@sha256:{hex}", registry.host());
    let out = image(dir.path(), &by_digest, &["--insecure"], &[]);
    assert_eq!(findings(&out), findings(&from_layout), "{}", both(&out));

    // A gzip-compressed archive, and the archive's image named explicitly.
    let tar = std::fs::read(dir.path().join("app.tar")).expect("read");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).expect("gzip");
    std::fs::write(dir.path().join("app.tar.gz"), gz.finish().expect("gzip")).expect("write");
    let out = image(
        dir.path(),
        "docker-archive:app.tar.gz:localhost/app:1.0",
        &[],
        &[],
    );
    assert_eq!(findings(&out), findings(&from_layout), "{}", both(&out));
}

#[test]
fn registry_basic_auth_uses_the_environment_or_docker_config_and_reports_401() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let registry = Registry::start(true);
    registry.push(
        dir.path(),
        "oci:layout:nonroot",
        "app:1.0",
        Some("tester:tester-password"),
    );
    let reference = format!("{}/app:1.0", registry.host());

    let anonymous = image(dir.path(), &reference, &["--insecure"], &[]);
    assert_eq!(anonymous.status.code(), Some(2), "{}", both(&anonymous));
    let stderr = String::from_utf8_lossy(&anonymous.stderr);
    assert!(
        stderr.contains("HTTP 401") && stderr.contains("TALLYMAN_REGISTRY_USER"),
        "{stderr}"
    );

    let wrong = image(
        dir.path(),
        &reference,
        &["--insecure"],
        &[
            ("TALLYMAN_REGISTRY_USER", "tester"),
            ("TALLYMAN_REGISTRY_PASSWORD", "wrong"),
        ],
    );
    assert_eq!(wrong.status.code(), Some(2), "{}", both(&wrong));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("credentials were rejected"),
        "{}",
        both(&wrong)
    );

    let with_env = image(
        dir.path(),
        &reference,
        &["--insecure"],
        &[
            ("TALLYMAN_REGISTRY_USER", "tester"),
            ("TALLYMAN_REGISTRY_PASSWORD", "tester-password"),
        ],
    );
    assert_eq!(with_env.status.code(), Some(0), "{}", both(&with_env));

    // `docker login` writes base64(user:password) under the registry's host.
    let docker_config = dir.path().join("docker-config");
    std::fs::create_dir_all(&docker_config).expect("mkdir");
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        "tester:tester-password",
    );
    std::fs::write(
        docker_config.join("config.json"),
        serde_json::json!({"auths": {registry.host(): {"auth": auth}}}).to_string(),
    )
    .expect("write");
    let with_config = image(
        dir.path(),
        &reference,
        &["--insecure"],
        &[("DOCKER_CONFIG", docker_config.to_str().expect("utf-8"))],
    );
    assert_eq!(with_config.status.code(), Some(0), "{}", both(&with_config));
    assert_eq!(findings(&with_config), findings(&with_env));
}

#[test]
fn registry_errors_are_clear_and_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let registry = Registry::start(false);
    registry.push(dir.path(), "oci:layout:nonroot", "app:1.0", None);

    let missing = image(
        dir.path(),
        &format!("{}/app:no-such-tag", registry.host()),
        &["--insecure"],
        &[],
    );
    assert_eq!(missing.status.code(), Some(2), "{}", both(&missing));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("HTTP 404"),
        "{}",
        both(&missing)
    );

    // Plain HTTP only with --insecure, and only to loopback.
    let https = image(
        dir.path(),
        &format!("{}/app:1.0", registry.host()),
        &["--timeout", "5"],
        &[],
    );
    assert_eq!(https.status.code(), Some(2), "{}", both(&https));
    let remote = image(
        dir.path(),
        "registry.example.com/app:1.0",
        &["--insecure"],
        &[],
    );
    assert_eq!(remote.status.code(), Some(2), "{}", both(&remote));
    assert!(
        String::from_utf8_lossy(&remote.stderr)
            .contains("only to a registry on a loopback address"),
        "{}",
        both(&remote)
    );

    let down = format!("127.0.0.1:{}/app:1.0", free_port());
    let out = image(dir.path(), &down, &["--insecure", "--timeout", "3"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot reach registry"),
        "{}",
        both(&out)
    );
}

#[test]
fn garbage_from_a_registry_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (port, _server) = fake_registry(|_, _| {
        (
            200,
            vec![("Content-Type".into(), "application/json".into())],
            b"<html>not a manifest".to_vec(),
        )
    });
    let out = image(
        dir.path(),
        &format!("127.0.0.1:{port}/app:1.0"),
        &["--insecure"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not valid JSON"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bearer_token_auth_and_digest_checks_against_a_scripted_registry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let layout = build_layout(dir.path());
    let manifest_hex = manifest_hex(&layout, "nonroot");
    let manifest =
        std::fs::read(layout.join("blobs/sha256").join(&manifest_hex)).expect("manifest");
    let parsed: Value = serde_json::from_slice(&manifest).expect("json");
    let config_digest = parsed["config"]["digest"]
        .as_str()
        .expect("digest")
        .to_string();
    let config = std::fs::read(
        layout
            .join("blobs/sha256")
            .join(config_digest.trim_start_matches("sha256:")),
    )
    .expect("config");

    for tamper in [false, true] {
        let (manifest, config, config_digest) =
            (manifest.clone(), config.clone(), config_digest.clone());
        let (port, _server) = fake_registry(move |request, headers| {
            let path = request
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_string();
            if path.starts_with("/token?") {
                assert!(path.contains("scope=repository%3Aapp%3Apull"), "{path}");
                return (200, vec![], br#"{"token":"t0ken"}"#.to_vec());
            }
            if !headers.contains("authorization: bearer t0ken") {
                let port = headers
                    .lines()
                    .find_map(|l| l.strip_prefix("host: "))
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let challenge = format!(
                    r#"Bearer realm="http://{port}/token",service="fake",scope="repository:app:pull""#
                );
                return (401, vec![("WWW-Authenticate".into(), challenge)], vec![]);
            }
            if path == "/v2/app/manifests/1.0" {
                let mut body = manifest.clone();
                if tamper {
                    body.push(b' ');
                }
                let header = format!("sha256:{}", sha256_hex(&manifest));
                return (
                    200,
                    vec![
                        (
                            "Content-Type".into(),
                            "application/vnd.oci.image.manifest.v1+json".into(),
                        ),
                        ("Docker-Content-Digest".into(), header),
                    ],
                    body,
                );
            }
            if path == format!("/v2/app/blobs/{config_digest}") {
                return (200, vec![], config.clone());
            }
            (404, vec![], vec![])
        });
        let out = image(
            dir.path(),
            &format!("127.0.0.1:{port}/app:1.0"),
            &["--insecure"],
            &[],
        );
        if tamper {
            assert_eq!(out.status.code(), Some(2), "{}", both(&out));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("digest mismatch"),
                "{}",
                both(&out)
            );
        } else {
            assert_eq!(out.status.code(), Some(0), "{}", both(&out));
            let report: Value = serde_json::from_slice(&out.stdout).expect("json");
            assert_eq!(report["targets"][0]["sha256"], manifest_hex.as_str());
        }
    }
}

#[test]
fn bad_layouts_and_archives_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let layout = build_layout(dir.path());
    run(
        "skopeo",
        &[
            "copy",
            "--quiet",
            "oci:layout:app",
            "docker-archive:app.tar:localhost/app:1.0",
        ],
        dir.path(),
    );

    let expect_error = |reference: &str, needle: &str| {
        let out = image(dir.path(), reference, &[], &[]);
        assert_eq!(out.status.code(), Some(2), "{reference}: {}", both(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(needle),
            "{reference}: `{needle}` not in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    };
    expect_error("oci:no-such-layout", "no such OCI layout directory");
    expect_error(
        "oci:layout:no-such-tag",
        "has no image tagged `no-such-tag`",
    );
    expect_error("oci:layout", "several images");
    expect_error("docker-archive:no-such.tar", "no such docker-archive file");

    let tar = std::fs::read(dir.path().join("app.tar")).expect("read");
    for cut in [tar.len() / 2, 700, 10] {
        std::fs::write(dir.path().join("cut.tar"), tar.get(..cut).expect("prefix")).expect("write");
        let out = image(dir.path(), "docker-archive:cut.tar", &[], &[]);
        assert_eq!(out.status.code(), Some(2), "cut at {cut}: {}", both(&out));
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{}",
            both(&out)
        );
    }
    std::fs::write(
        dir.path().join("junk.tar"),
        b"this is not a tar archive at all",
    )
    .expect("write");
    let out = image(dir.path(), "docker-archive:junk.tar", &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));

    // A config blob that no longer matches its digest.
    let manifest_hex = manifest_hex(&layout, "app");
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(layout.join("blobs/sha256").join(&manifest_hex)).expect("read"),
    )
    .expect("json");
    let config_path = layout.join("blobs/sha256").join(
        manifest["config"]["digest"]
            .as_str()
            .expect("digest")
            .trim_start_matches("sha256:"),
    );
    let mut config = std::fs::read(&config_path).expect("read");
    config.extend_from_slice(b" ");
    std::fs::write(&config_path, &config).expect("write");
    expect_error("oci:layout:app", "digest mismatch");
    // A manifest that no longer matches its digest.
    let manifest_path = layout.join("blobs/sha256").join(&manifest_hex);
    let mut bytes = std::fs::read(&manifest_path).expect("read");
    bytes.extend_from_slice(b"\n");
    std::fs::write(&manifest_path, &bytes).expect("write");
    expect_error(
        "oci:layout:app",
        &format!("manifest sha256:{manifest_hex}: digest mismatch"),
    );

    // A layer of a docker archive that no longer matches the config's diff_id.
    let mut archive = tar::Archive::new(std::io::Cursor::new(tar.clone()));
    let mut builder = tar::Builder::new(Vec::new());
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let mut header = entry.header().clone();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read");
        let name = entry.path().expect("path").to_string_lossy().into_owned();
        if name.ends_with(".tar")
            && header.entry_type().is_file()
            && let Some(last) = data.last_mut()
        {
            *last ^= 1;
        }
        header.set_cksum();
        builder.append(&header, data.as_slice()).expect("append");
    }
    std::fs::write(
        dir.path().join("tampered.tar"),
        builder.into_inner().expect("tar"),
    )
    .expect("write");
    let out = image(dir.path(), "docker-archive:tampered.tar", &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("digest mismatch"),
        "{}",
        both(&out)
    );
}

#[test]
fn a_signed_image_verdict_verifies_and_names_the_manifest_digest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let layout = build_layout(dir.path());
    let keygen = tallyman(dir.path(), &["keygen", "--out", "signer"], &[]);
    assert_eq!(keygen.status.code(), Some(0), "{}", both(&keygen));
    let out = tallyman(
        dir.path(),
        &[
            "image",
            "oci:layout:app",
            "-f",
            "json",
            "-o",
            "report.json",
            "--sign",
            "signer.key",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let attestation = dir.path().join("report.json.intoto.jsonl");
    let verify = tallyman(
        dir.path(),
        &[
            "verify",
            attestation.to_str().expect("utf-8"),
            "--key",
            "signer.pub",
        ],
        &[],
    );
    assert_eq!(verify.status.code(), Some(0), "{}", both(&verify));
    let printed = String::from_utf8_lossy(&verify.stdout);
    assert!(printed.contains("signature ok"), "{printed}");
    // --check-subjects re-hashes files: it says why it cannot for an image.
    let check = tallyman(
        dir.path(),
        &[
            "verify",
            attestation.to_str().expect("utf-8"),
            "--key",
            "signer.pub",
            "--check-subjects",
            ".",
        ],
        &[],
    );
    assert_eq!(check.status.code(), Some(2), "{}", both(&check));
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("manifest digest"),
        "{}",
        both(&check)
    );
    let envelope: Value =
        serde_json::from_slice(&std::fs::read(&attestation).expect("read")).expect("json");
    let payload = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        envelope["payload"].as_str().expect("payload"),
    )
    .expect("base64");
    let statement: Value = serde_json::from_slice(&payload).expect("json");
    assert_eq!(
        statement["subject"],
        serde_json::json!([{"name": "oci:layout:app", "digest": {"sha256": manifest_hex(&layout, "app")}}])
    );
    assert_eq!(statement["predicate"]["verdict"]["result"], "fail");
    assert_eq!(
        statement["predicate"]["config"]["effective"]["image"]["manifest-digest"],
        format!("sha256:{}", manifest_hex(&layout, "app"))
    );
}

#[test]
fn a_dockerfile_given_with_the_image_is_checked_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.22\nRUN adduser -D app\nUSER root\nCMD [\"sh\"]\n",
    )
    .expect("write");
    let out = image(
        dir.path(),
        "oci:layout:nonroot",
        &["--dockerfile", "Dockerfile"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let kinds: Vec<&str> = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter_map(|t| t["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["dockerfile", "image"]);
    let hd001 = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "HD001")
        .expect("HD001 from the Dockerfile");
    assert_eq!(hd001["path"], "Dockerfile");
    assert_eq!(hd001["line"], 3);
    // The image's own "no healthcheck" is the Dockerfile's, which has a line.
    let hd007: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "HD007")
        .collect();
    assert_eq!(hd007.len(), 1, "{hd007:#?}");
    assert_eq!(hd007[0]["path"], "Dockerfile");
    assert!(hd007[0]["line"].is_u64(), "{hd007:#?}");
}

#[test]
fn every_report_format_renders_an_image() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let out = tallyman(
        dir.path(),
        &[
            "image",
            "oci:layout:app",
            "-f",
            "sarif",
            "-o",
            "r.sarif",
            "-f",
            "junit",
            "-o",
            "r.xml",
            "-f",
            "text",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("high[HD001]") && text.contains("--> oci:layout:app"),
        "{text}"
    );
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.sarif")).expect("sarif"))
            .expect("json");
    let errors: Vec<String> = sarif_schema::validator()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results.iter().any(|r| r["ruleId"] == "SEC006"),
        "{results:#?}"
    );
    let junit = std::fs::read_to_string(dir.path().join("r.xml")).expect("junit");
    assert!(junit.contains("SEC001"), "{junit}");
}

#[test]
fn a_docker_25_archive_with_an_oci_index_is_identified_by_its_manifest_digest() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    run(
        "skopeo",
        &["copy", "--quiet", "oci:layout:app", "oci:single:app"],
        dir.path(),
    );
    let single = dir.path().join("single");
    let hex = manifest_hex(&single, "app");
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(single.join("blobs/sha256").join(&hex)).expect("read"),
    )
    .expect("json");
    // Docker 25+ writes the OCI layout and a manifest.json pointing into it.
    let listing = serde_json::json!([{
        "Config": format!("blobs/sha256/{}", manifest["config"]["digest"].as_str().expect("digest").trim_start_matches("sha256:")),
        "RepoTags": ["localhost/app:1.0"],
        "Layers": manifest["layers"].as_array().expect("layers").iter()
            .map(|l| format!("blobs/sha256/{}", l["digest"].as_str().expect("digest").trim_start_matches("sha256:")))
            .collect::<Vec<_>>(),
    }]);
    std::fs::write(single.join("manifest.json"), listing.to_string()).expect("write");
    let mut builder = tar::Builder::new(Vec::new());
    builder.append_dir_all(".", &single).expect("tar");
    std::fs::write(
        dir.path().join("docker25.tar"),
        builder.into_inner().expect("tar"),
    )
    .expect("write");

    let out = image(dir.path(), "docker-archive:docker25.tar", &[], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["targets"][0]["sha256"], hex.as_str());
    let from_layout = image(dir.path(), "oci:layout:app", &[], &[]);
    assert_eq!(findings(&out), findings(&from_layout));
}
