//! `tallyman fix --pin-digests` end to end, against a real registry
//! (Debian's `docker-registry`) started on 127.0.0.1 by each test, filled
//! with images made in the test by `umoci` and pushed by `skopeo`. The
//! digests expected are read back from the registry with
//! `skopeo inspect --raw`, not computed by tallyman's code.
//!
//! `scripts/test` installs `umoci`, `skopeo` and `docker-registry`.

mod cli_support;
mod registry_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use registry_support::{Registry, both, fake_registry, free_port, run, sha256_hex};
use serde_json::Value;

fn tallyman(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    cli_support::command(dir, "pin-digests-cache")
        .args(args)
        .env_remove("TALLYMAN_REGISTRY_USER")
        .env_remove("TALLYMAN_REGISTRY_PASSWORD")
        // No ~/.docker/config.json of the machine's user.
        .env("DOCKER_CONFIG", dir.join("no-docker-config"))
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

/// `tallyman fix --pin-digests --insecure ARGS` in `dir`.
fn pin(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["fix", "--pin-digests", "--insecure", "--timeout", "5"];
    all.extend_from_slice(args);
    tallyman(dir, &all, env)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

/// Builds `dir/layout` with images tagged `amd` (linux/amd64), `amd2`
/// (another linux/amd64 image), `arm` (linux/arm64) and `multi`, an index
/// over `amd` and `arm` with their platforms.
fn build_layout(dir: &Path) -> PathBuf {
    let layout = dir.join("layout");
    let l = layout.to_str().expect("utf-8 path");
    std::fs::write(dir.join("hello.txt"), "hi\n").expect("write");
    run("umoci", &["init", "--layout", l], dir);
    for (tag, arch, revision) in [
        ("amd", "amd64", "1"),
        ("amd2", "amd64", "2"),
        ("arm", "arm64", "1"),
    ] {
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
                "--config.label",
                &format!("org.opencontainers.image.revision={revision}"),
            ],
            dir,
        );
        run(
            "umoci",
            &["insert", "--image", &image, "hello.txt", "/hello.txt"],
            dir,
        );
    }
    add_index(&layout);
    layout
}

/// Adds tag `multi`: an index blob listing `amd` and `arm` with their
/// platforms.
fn add_index(layout: &Path) {
    let index_path = layout.join("index.json");
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(&index_path).expect("index.json")).expect("json");
    let manifests = index["manifests"].as_array().expect("manifests").clone();
    let entry = |tag: &str, arch: &str| {
        let mut descriptor = manifests
            .iter()
            .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == tag)
            .cloned()
            .expect("tag in index.json");
        descriptor
            .as_object_mut()
            .expect("object")
            .remove("annotations");
        descriptor["platform"] = serde_json::json!({"os": "linux", "architecture": arch});
        descriptor
    };
    let nested = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [entry("amd", "amd64"), entry("arm", "arm64")],
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

/// What the registry serves for `repo_tag`, asked with skopeo: the digest
/// of the document and the document.
fn served(registry: &Registry, repo_tag: &str) -> (String, Value) {
    served_to(registry, repo_tag, None)
}

fn served_to(registry: &Registry, repo_tag: &str, creds: Option<&str>) -> (String, Value) {
    let mut args = vec!["inspect", "--raw", "--tls-verify=false"];
    if let Some(creds) = creds {
        args.extend(["--creds", creds]);
    }
    let reference = format!("docker://{}/{repo_tag}", registry.host());
    args.push(&reference);
    let out = Command::new("skopeo")
        .args(&args)
        .output()
        .expect("skopeo runs");
    assert!(out.status.success(), "skopeo inspect: {}", both(&out));
    let digest = format!("sha256:{}", sha256_hex(&out.stdout));
    (digest, serde_json::from_slice(&out.stdout).expect("json"))
}

/// The digest of `arch`'s manifest in an index.
fn platform_digest(index: &Value, arch: &str) -> String {
    index["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .find(|d| d["platform"]["architecture"] == arch)
        .and_then(|d| d["digest"].as_str())
        .expect("platform in index")
        .to_string()
}

#[test]
fn every_image_a_build_pulls_is_pinned_and_nothing_else_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let registry = Registry::start(false);
    registry.push(dir.path(), "oci:layout:amd", "app:1.0", None);
    registry.push(dir.path(), "oci:layout:arm", "tools/cli:2", None);
    let host = registry.host();
    let (app, _) = served(&registry, "app:1.0");
    let (cli, _) = served(&registry, "tools/cli:2");

    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    let dockerfile = format!(
        "# syntax=docker/dockerfile:1\n\
         ARG BASE=\"{host}/app:1.0\"\n\
         FROM ${{BASE}} AS build\n\
         RUN --mount=type=bind,from={host}/app:1.0,target=/m \\\n    cp /m/hello.txt /x\n\
         FROM --platform=linux/arm64 {host}/tools/cli:2 AS cli\n\
         FROM scratch\n\
         COPY --from=build /x /x\n\
         COPY --from={host}/app:1.0 /hello.txt /hello.txt\n\
         COPY --from=cli /hello.txt /cli.txt\n"
    );
    write(&work, "Dockerfile", &dockerfile);
    let crlf =
        format!("\u{feff}FROM {host}/app:1.0\r\nCOPY --from={host}/app:1.0 /hello.txt /\r\n");
    write(&work, "Crlf.Dockerfile", &crlf);

    // --check and --diff write nothing.
    let check = pin(&work, &["--check"], &[]);
    assert_eq!(check.status.code(), Some(1), "{}", both(&check));
    assert!(
        stdout(&check).contains("would pin 6 image references"),
        "{}",
        both(&check)
    );
    let diff = pin(&work, &["--diff"], &[]);
    assert_eq!(diff.status.code(), Some(0), "{}", both(&diff));
    assert!(
        stdout(&diff).contains(&format!("FROM {host}/app:1.0@{app}\r\n")),
        "{}",
        both(&diff)
    );
    assert_eq!(read(&work, "Dockerfile"), dockerfile);
    assert_eq!(read(&work, "Crlf.Dockerfile"), crlf);

    let out = pin(&work, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let expected = format!(
        "# syntax=docker/dockerfile:1\n\
         ARG BASE=\"{host}/app:1.0@{app}\"\n\
         FROM ${{BASE}} AS build\n\
         RUN --mount=type=bind,from={host}/app:1.0@{app},target=/m \\\n    cp /m/hello.txt /x\n\
         FROM --platform=linux/arm64 {host}/tools/cli:2@{cli} AS cli\n\
         FROM scratch\n\
         COPY --from=build /x /x\n\
         COPY --from={host}/app:1.0@{app} /hello.txt /hello.txt\n\
         COPY --from=cli /hello.txt /cli.txt\n"
    );
    assert_eq!(read(&work, "Dockerfile"), expected);
    assert_eq!(
        read(&work, "Crlf.Dockerfile"),
        format!(
            "\u{feff}FROM {host}/app:1.0@{app}\r\nCOPY --from={host}/app:1.0@{app} /hello.txt /\r\n"
        )
    );
    let summary = stdout(&out);
    assert!(
        summary.contains("pinned 6 image references by digest"),
        "{summary}"
    );
    assert!(
        summary
            .lines()
            .any(|l| l.split_whitespace().eq(["BI003", "6"])),
        "{summary}"
    );

    // Pinned, the files have nothing more to pin.
    let again = pin(&work, &[], &[]);
    assert_eq!(again.status.code(), Some(0), "{}", both(&again));
    assert_eq!(read(&work, "Dockerfile"), expected);
    assert!(!stdout(&again).contains("pinned"), "{}", both(&again));

    // A pragma ignoring BI003 leaves its reference alone.
    let ignored = format!("# tallyman ignore=BI003\nFROM {host}/app:1.0\n");
    write(&work, "Dockerfile", &ignored);
    std::fs::remove_file(work.join("Crlf.Dockerfile")).expect("rm");
    let out = pin(&work, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(read(&work, "Dockerfile"), ignored);
}

#[test]
fn a_multi_platform_index_is_pinned_by_its_digest_once_it_serves_the_platform() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let registry = Registry::start(false);
    registry.push_all(dir.path(), "oci:layout:multi", "multi:1");
    registry.push(dir.path(), "oci:layout:arm", "armonly:1", None);
    let host = registry.host();
    let (index, document) = served(&registry, "multi:1");
    assert_eq!(
        document["manifests"].as_array().map(Vec::len),
        Some(2),
        "{document}"
    );
    let amd = platform_digest(&document, "amd64");
    let arm = platform_digest(&document, "arm64");
    assert_ne!(amd, arm);
    assert!(
        index != amd && index != arm,
        "the index is a document of its own"
    );

    let plain = format!("FROM {host}/multi:1\n");
    let cases: [(&str, &[&str], &str); 6] = [
        // The index is what the tag names, for any platform it serves.
        ("amd64", &[], &index),
        ("arm64", &["--platform", "linux/arm64"], &index),
        // The platform's own manifest, when asked for.
        ("amd64-manifest", &["--pin-platform-manifest"], &amd),
        (
            "arm64-manifest",
            &["--pin-platform-manifest", "--platform", "linux/arm64"],
            &arm,
        ),
        (
            "arm64/v8-manifest",
            &["--pin-platform-manifest", "--platform", "linux/arm64/v8"],
            &arm,
        ),
        ("index-again", &["--platform", "linux/amd64"], &index),
    ];
    for (name, args, digest) in cases {
        let work = dir.path().join(name.replace('/', "-"));
        std::fs::create_dir_all(&work).expect("mkdir");
        write(&work, "Dockerfile", &plain);
        let out = pin(&work, args, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", both(&out));
        assert_eq!(
            read(&work, "Dockerfile"),
            format!("FROM {host}/multi:1@{digest}\n"),
            "{name}"
        );
    }

    // A FROM --platform wins over --platform.
    let work = dir.path().join("from-platform");
    std::fs::create_dir_all(&work).expect("mkdir");
    write(
        &work,
        "Dockerfile",
        &format!("FROM --platform=linux/arm64 {host}/multi:1\n"),
    );
    let out = pin(&work, &["--pin-platform-manifest"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(
        read(&work, "Dockerfile"),
        format!("FROM --platform=linux/arm64 {host}/multi:1@{arm}\n")
    );

    // A platform the index does not serve, and a single-platform image
    // for another platform, are errors, and the file is left as it was.
    let work = dir.path().join("missing-platform");
    std::fs::create_dir_all(&work).expect("mkdir");
    let text = format!("FROM {host}/multi:1\nFROM {host}/armonly:1\n");
    write(&work, "Dockerfile", &text);
    let out = pin(&work, &["--platform", "linux/s390x"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: Dockerfile:1: FROM `{host}/multi:1`: its index {index} has no image for platform linux/s390x; available: linux/amd64, linux/arm64"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: Dockerfile:2: FROM `{host}/armonly:1`: it is a single-platform image for linux/arm64, not for the build's platform linux/s390x"
        )),
        "{err}"
    );
    assert_eq!(read(&work, "Dockerfile"), text);
    assert!(
        stdout(&out).contains("2 image references could not be pinned; 1 files left as they were"),
        "{}",
        both(&out)
    );
}

#[test]
fn pins_are_kept_unless_refreshed_and_a_refresh_follows_a_moved_tag() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let registry = Registry::start(false);
    registry.push(dir.path(), "oci:layout:amd", "app:1.0", None);
    let host = registry.host();
    let (first, _) = served(&registry, "app:1.0");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    write(&work, "Dockerfile", &format!("FROM {host}/app:1.0\n"));
    let out = pin(&work, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let pinned = format!("FROM {host}/app:1.0@{first}\n");
    assert_eq!(read(&work, "Dockerfile"), pinned);

    // The tag moves to another image.
    registry.push(dir.path(), "oci:layout:amd2", "app:1.0", None);
    let (moved, _) = served(&registry, "app:1.0");
    assert_ne!(first, moved);
    let digest_only = format!("FROM {host}/app@{first}\n");
    write(&work, "Only.Dockerfile", &digest_only);

    let out = pin(&work, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(
        read(&work, "Dockerfile"),
        pinned,
        "a pin is kept by default"
    );

    let check = pin(&work, &["--refresh-pins", "--check"], &[]);
    assert_eq!(check.status.code(), Some(1), "{}", both(&check));
    assert_eq!(read(&work, "Dockerfile"), pinned);

    let out = pin(&work, &["--refresh-pins"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(
        read(&work, "Dockerfile"),
        format!("FROM {host}/app:1.0@{moved}\n")
    );
    let summary = stdout(&out);
    assert!(
        summary.contains("pinned 1 image references by digest (1 of them refreshed)"),
        "{summary}"
    );
    assert!(
        summary.contains("is pinned by digest alone: no tag to refresh"),
        "{summary}"
    );
    assert_eq!(read(&work, "Only.Dockerfile"), digest_only);

    // Refreshed again: the digest is current, nothing changes.
    let again = pin(&work, &["--refresh-pins", "--check"], &[]);
    assert_eq!(again.status.code(), Some(0), "{}", both(&again));
}

#[test]
fn a_digest_map_pins_without_any_network_access() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A registry that counts what it is asked: nothing, in this mode.
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    let (port, _server) = fake_registry(move |_, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        (500, vec![], vec![])
    });
    let local = format!("127.0.0.1:{port}");
    let [a, b, c, d] = ['a', 'b', 'c', 'd'].map(|x| format!("sha256:{}", x.to_string().repeat(64)));
    let mut map = serde_json::json!({
        // As written in the Dockerfile, and normalised.
        "python:3.12-slim": a,
        "docker.io/library/alpine:3.20": b,
        "bad:1": "sha256:not-hex",
    });
    map[format!("{local}/tool:1").as_str()] =
        serde_json::json!({"linux/amd64": c, "linux/arm64": d});
    write(dir.path(), "digests.json", &map.to_string());
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    let good = format!(
        "FROM python:3.12-slim\nCOPY --from=alpine:3.20 /etc/os-release /\nCOPY --from={local}/tool:1 /tool /tool\n"
    );
    write(&work, "Dockerfile", &good);
    let missing = "FROM python:3.12-slim\nFROM node:22\n";
    write(&work, "Missing.Dockerfile", missing);
    let malformed = "FROM bad:1\n";
    write(&work, "Malformed.Dockerfile", malformed);
    let map_path = dir.path().join("digests.json");
    let map_path = map_path.to_str().expect("utf-8");

    let out = pin(&work, &["--digests", map_path], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert_eq!(
        read(&work, "Dockerfile"),
        format!(
            "FROM python:3.12-slim@{a}\nCOPY --from=alpine:3.20@{b} /etc/os-release /\nCOPY --from={local}/tool:1@{c} /tool /tool\n"
        )
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: Missing.Dockerfile:2: FROM `node:22`: not in the digest map {map_path} (add `\"docker.io/library/node:22\": \"sha256:...\"`)"
        )),
        "{err}"
    );
    assert!(
        err.contains("error: Malformed.Dockerfile:1: FROM `bad:1`: the digest map")
            && err.contains("gives a malformed digest for docker.io/library/bad:1"),
        "{err}"
    );
    assert_eq!(read(&work, "Missing.Dockerfile"), missing);
    assert_eq!(read(&work, "Malformed.Dockerfile"), malformed);

    // The platform's entry of a per-platform value.
    std::fs::remove_file(work.join("Missing.Dockerfile")).expect("rm");
    std::fs::remove_file(work.join("Malformed.Dockerfile")).expect("rm");
    write(&work, "Dockerfile", &format!("FROM {local}/tool:1\n"));
    let out = pin(
        &work,
        &["--digests", map_path, "--platform", "linux/arm64"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(
        read(&work, "Dockerfile"),
        format!("FROM {local}/tool:1@{d}\n")
    );

    assert_eq!(requests.load(Ordering::SeqCst), 0, "no request in map mode");

    // A map that is not one is an error for the run.
    write(dir.path(), "digests.json", "[1]");
    let out = pin(&work, &["--digests", map_path], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        stderr(&out).contains("expected a JSON object"),
        "{}",
        both(&out)
    );
}

#[test]
fn each_registry_failure_is_an_error_for_its_reference_and_its_file_is_left_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    build_layout(dir.path());
    let registry = Registry::start(false);
    registry.push(dir.path(), "oci:layout:amd", "app:1.0", None);
    let locked = Registry::start(true);
    locked.push(
        dir.path(),
        "oci:layout:amd",
        "private:1",
        Some("tester:tester-password"),
    );
    let (forbidding, _server) = fake_registry(|_, _| {
        (
            403,
            vec![("Content-Type".into(), "application/json".into())],
            br#"{"errors":[{"code":"DENIED"}]}"#.to_vec(),
        )
    });
    let host = registry.host();
    let (app, _) = served(&registry, "app:1.0");
    let down = format!("127.0.0.1:{}", free_port());

    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    let files = [
        ("Good.Dockerfile", format!("FROM {host}/app:1.0\n")),
        ("Down.Dockerfile", format!("FROM {down}/app:1.0\n")),
        ("NoTag.Dockerfile", format!("FROM {host}/app:9.9\n")),
        ("NoRepo.Dockerfile", format!("FROM {host}/nothing:1\n")),
        (
            "Auth.Dockerfile",
            format!("FROM {}/private:1\n", locked.host()),
        ),
        (
            "Forbidden.Dockerfile",
            format!("FROM 127.0.0.1:{forbidding}/secret:1\n"),
        ),
        // One reference that resolves and one that does not: no partial pin.
        (
            "Mixed.Dockerfile",
            format!("FROM {host}/app:1.0\nCOPY --from={host}/app:9.9 /a /a\n"),
        ),
    ];
    for (name, text) in &files {
        write(&work, name, text);
    }
    let out = pin(&work, &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = stderr(&out);
    let expect = |prefix: String, detail: &str| {
        assert!(
            err.lines()
                .any(|line| line.starts_with(&prefix) && line.contains(detail)),
            "`{prefix}` ... `{detail}` in:\n{err}"
        );
    };
    expect(
        format!("error: Down.Dockerfile:1: FROM `{down}/app:1.0`: cannot reach registry {down}"),
        "after 3 attempts",
    );
    expect(
        format!(
            "error: NoTag.Dockerfile:1: FROM `{host}/app:9.9`: manifest {host}/app:9.9 not found"
        ),
        "HTTP 404",
    );
    expect(
        format!(
            "error: NoRepo.Dockerfile:1: FROM `{host}/nothing:1`: manifest {host}/nothing:1 not found"
        ),
        "HTTP 404",
    );
    expect(
        format!(
            "error: Auth.Dockerfile:1: FROM `{}/private:1`: registry {} refused access",
            locked.host(),
            locked.host()
        ),
        "HTTP 401 Unauthorized): it needs credentials; set TALLYMAN_REGISTRY_USER and TALLYMAN_REGISTRY_PASSWORD or log in with `docker login",
    );
    expect(
        format!(
            "error: Forbidden.Dockerfile:1: FROM `127.0.0.1:{forbidding}/secret:1`: registry 127.0.0.1:{forbidding} denied access"
        ),
        "HTTP 403 Forbidden; check that the credentials (from TALLYMAN_REGISTRY_USER and TALLYMAN_REGISTRY_PASSWORD, or `docker login",
    );
    expect(
        format!("error: Mixed.Dockerfile:2: COPY --from `{host}/app:9.9`:"),
        "HTTP 404",
    );
    assert_eq!(err.matches("error: ").count(), 6, "{err}");
    for (name, text) in &files[1..] {
        assert_eq!(&read(&work, name), text, "{name} is left as it was");
    }
    assert_eq!(
        read(&work, "Good.Dockerfile"),
        format!("FROM {host}/app:1.0@{app}\n"),
        "the other files go on"
    );
    assert!(
        stdout(&out).contains("6 image references could not be pinned; 6 files left as they were"),
        "{}",
        both(&out)
    );

    // The credentials `tallyman image` uses open the locked registry.
    for (name, _) in &files {
        if *name != "Auth.Dockerfile" {
            std::fs::remove_file(work.join(name)).expect("rm");
        }
    }
    let out = pin(
        &work,
        &[],
        &[
            ("TALLYMAN_REGISTRY_USER", "tester"),
            ("TALLYMAN_REGISTRY_PASSWORD", "tester-password"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let (private, _) = served_to(&locked, "private:1", Some("tester:tester-password"));
    assert_eq!(
        read(&work, "Auth.Dockerfile"),
        format!("FROM {}/private:1@{private}\n", locked.host())
    );
}
