//! Each limit and contract check on its own: output caps at their edges,
//! settings validation, deadlines, load refusals, images, and instance reuse.

mod common;

use std::time::{Duration, Instant};

use tallyman::dockerfile::model::{Image, ImageConfig, Platform};
use tallyman::engine::{ConfiguredPolicy, Engine, ErrorKind, Limits, Outcome, PolicySource};

use common::{
    dockerfile, engine_with, load, peak_rss_bytes, policy_wasm, sample_targets, temp_cache,
};

fn run_one(engine: &Engine, name: &str, settings: &str) -> Outcome {
    let policies = [ConfiguredPolicy::new(load(engine, name), settings)];
    let target = dockerfile("Dockerfile", &["alpine:3.20", "scratch"]);
    engine
        .session(&policies)
        .check_dockerfile(&target)
        .remove(0)
}

fn error_of(outcome: &Outcome) -> (ErrorKind, String) {
    let error = outcome.result.as_ref().expect_err("an error");
    (error.kind, error.message.clone())
}

#[test]
fn findings_cap_is_exact() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let at_cap = run_one(&engine, "finding-flood", r#"{"count": 1000}"#);
    assert_eq!(at_cap.result.unwrap().len(), 1000);
    let (kind, message) = error_of(&run_one(&engine, "finding-flood", r#"{"count": 1001}"#));
    assert_eq!(kind, ErrorKind::InvalidOutput);
    assert!(
        message.contains("1001 findings are more than the cap of 1000"),
        "{message}"
    );
}

#[test]
fn message_cap_is_exact() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let at_cap = run_one(&engine, "huge-message", r#"{"bytes": 4096}"#);
    assert_eq!(at_cap.result.unwrap()[0].message.len(), 4096);
    let (kind, message) = error_of(&run_one(&engine, "huge-message", r#"{"bytes": 4097}"#));
    assert_eq!(kind, ErrorKind::InvalidOutput);
    assert!(message.contains("4097 bytes"), "{message}");
}

/// With room to build them, a million findings and a 100 MB message reach
/// the host, which refuses them by their length without lifting them.
#[test]
fn a_million_findings_and_a_100_mb_message_are_refused_unread() {
    let cache = temp_cache();
    let limits = Limits {
        memory_mib: 512,
        ..Limits::default()
    };
    let engine = engine_with(limits, cache.path());
    let before = peak_rss_bytes();

    let (kind, message) = error_of(&run_one(&engine, "finding-flood", "{}"));
    assert_eq!(kind, ErrorKind::InvalidOutput);
    assert!(message.contains("1000000 findings"), "{message}");

    let (kind, message) = error_of(&run_one(&engine, "huge-message", "{}"));
    assert_eq!(kind, ErrorKind::InvalidOutput);
    assert!(message.contains("100000000 bytes"), "{message}");

    let peak = peak_rss_bytes().max(before);
    eprintln!("peak RSS with 512 MiB guests: {} MiB", peak / (1024 * 1024));
}

#[test]
fn out_of_range_spans_and_stages_are_invalid_output() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    for (mode, expected) in [
        ("line", "the file has 4 lines"),
        ("zero", "lines are 1-based"),
        ("stage", "stage 2 does not exist"),
    ] {
        let settings = format!(r#"{{"mode": "{mode}"}}"#);
        let (kind, message) = error_of(&run_one(&engine, "out-of-range", &settings));
        assert_eq!(kind, ErrorKind::InvalidOutput, "{mode}");
        assert!(message.contains(expected), "{mode}: {message}");
    }
}

#[test]
fn picky_settings_are_refused_with_the_policys_reason() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let policy = load(&engine, "picky-settings");
    let error = engine.validate_settings(&policy, "{}").unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidSettings);
    assert_eq!(error.policy, "picky-settings");
    assert_eq!(error.target, None);
    assert_eq!(error.message, "key `strict`: must be set to true");
    engine
        .validate_settings(&policy, r#"{"strict": true}"#)
        .expect("accepted");
}

#[test]
fn endless_loop_stops_within_three_seconds_and_then_is_not_run_again() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let policies = [ConfiguredPolicy::new(load(&engine, "endless-loop"), "{}")];
    let target = dockerfile("Dockerfile", &["alpine:3.20"]);
    let mut session = engine.session(&policies);
    for attempt in 0..3 {
        let started = Instant::now();
        let outcome = session.check_dockerfile(&target).remove(0);
        let elapsed = started.elapsed();
        assert_eq!(
            error_of(&outcome).0,
            ErrorKind::Timeout,
            "attempt {attempt}"
        );
        assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    }
    // Three timeouts: the policy is skipped from now on, at once.
    let started = Instant::now();
    let (kind, message) = error_of(&session.check_dockerfile(&target).remove(0));
    assert!(started.elapsed() < Duration::from_millis(100));
    assert_eq!(kind, ErrorKind::Timeout);
    assert!(message.contains("not run"), "{message}");
}

#[test]
fn a_shorter_deadline_is_honoured() {
    let cache = temp_cache();
    let limits = Limits {
        timeout_ms: 100,
        ..Limits::default()
    };
    let engine = engine_with(limits, cache.path());
    let policies = [ConfiguredPolicy::new(load(&engine, "endless-loop"), "{}")];
    let target = dockerfile("Dockerfile", &["alpine:3.20"]);
    let started = Instant::now();
    let outcome = engine
        .session(&policies)
        .check_dockerfile(&target)
        .remove(0);
    let elapsed = started.elapsed();
    let (kind, message) = error_of(&outcome);
    assert_eq!(kind, ErrorKind::Timeout);
    assert!(message.contains("100 ms"), "{message}");
    assert!(elapsed >= Duration::from_millis(90), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");
}

#[test]
fn a_smaller_memory_limit_is_honoured() {
    let cache = temp_cache();
    let limits = Limits {
        memory_mib: 8,
        ..Limits::default()
    };
    let engine = engine_with(limits, cache.path());
    let (kind, message) = error_of(&run_one(&engine, "memory-bomb", "{}"));
    assert_eq!(kind, ErrorKind::OutOfMemory);
    assert!(message.contains("limits.memory-mib is 8"), "{message}");
}

#[test]
fn non_components_and_forbidden_imports_are_refused_at_load() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());

    let core_module = b"\0asm\x01\0\0\0";
    let error = engine
        .load_bytes(core_module, PolicySource::Bytes)
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::LoadError);
    assert!(
        error.message.contains("not a WebAssembly component"),
        "{}",
        error.message
    );

    // A component whose only content is an import of `wasi:http`.
    let name = b"wasi:http/outgoing-handler@0.2.0";
    let mut component = b"\0asm\x0d\0\x01\0".to_vec();
    component.extend([0x07, 0x03, 0x01, 0x42, 0x00]); // type 0: an empty instance type
    let mut import = vec![0x01, 0x00, u8::try_from(name.len()).unwrap()];
    import.extend(name);
    import.extend([0x05, 0x00]); // an instance of type 0
    component.push(0x0a);
    component.push(u8::try_from(import.len()).unwrap());
    component.extend(import);
    let error = engine
        .load_bytes(&component, PolicySource::Bytes)
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::LoadError);
    assert!(
        error
            .message
            .contains("imports `wasi:http/outgoing-handler@0.2.0`"),
        "{}",
        error.message
    );

    let missing = engine.load_file(std::path::Path::new("/nonexistent/policy.wasm"));
    assert_eq!(missing.unwrap_err().kind, ErrorKind::LoadError);
}

#[test]
fn a_pinned_digest_must_match() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let file = cache.path().join("echo.wasm");
    std::fs::write(&file, policy_wasm("echo")).unwrap();
    let policy = engine.load_file(&file).unwrap();
    assert_eq!(policy.source().to_string(), file.display().to_string());
    engine
        .load_file_pinned(&file, &format!("sha256:{}", policy.sha256()))
        .expect("matching pin");
    let error = engine.load_file_pinned(&file, &"0".repeat(64)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::LoadError);
    assert!(
        error.message.contains("sha256 mismatch"),
        "{}",
        error.message
    );
}

#[test]
fn policy_metadata_and_imports_are_reported() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let echo = load(&engine, "echo");
    assert_eq!(echo.name(), "echo");
    assert_eq!(echo.version(), "0.1.0");
    assert_eq!(echo.sha256().len(), 64);
    assert_eq!(echo.info().rules[0].id, "ECHO1");
    assert!(
        echo.imports()
            .iter()
            .any(|i| i.starts_with("tallyman:policy/host@"))
    );
    // snoop really reaches for the network: the sandbox, not the linker,
    // is what stops it (engine_hostile.rs).
    let snoop = load(&engine, "snoop");
    assert!(
        snoop
            .imports()
            .iter()
            .any(|i| i.starts_with("wasi:sockets/tcp-create-socket@")),
        "{:?}",
        snoop.imports()
    );
}

/// A linux/amd64 image with nothing in its config.
fn image(reference: &str) -> Image {
    Image {
        reference: reference.into(),
        manifest_digest: format!("sha256:{}", "a".repeat(64)),
        platform: Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        },
        requested_platform: Platform::default(),
        config: ImageConfig::default(),
        history: Vec::new(),
        layers: Vec::new(),
        annotations: Vec::new(),
        created: None,
        evaluated_on: "2025-01-01".into(),
    }
}

#[test]
fn images_are_checked_and_image_findings_have_no_lines() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let image = image("localhost:5000/app:1.0");
    let policies = [
        ConfiguredPolicy::new(load(&engine, "echo"), "{}"),
        ConfiguredPolicy::new(load(&engine, "out-of-range"), "{}"),
    ];
    let outcomes = engine
        .check_images(&policies, std::slice::from_ref(&image))
        .remove(0);
    let echo = outcomes[0].result.as_ref().unwrap();
    assert_eq!(echo[0].message, "image localhost:5000/app:1.0");
    let error = outcomes[1].result.as_ref().unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidOutput);
    assert_eq!(error.target.as_deref(), Some("localhost:5000/app:1.0"));
}

#[test]
fn a_policy_whose_rules_are_all_tagged_target_image_is_not_called_on_dockerfiles() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let image_only = load(&engine, "image-only");
    assert!(!image_only.checks_dockerfiles());
    assert!(image_only.checks_images());
    let echo = load(&engine, "echo");
    assert!(echo.checks_dockerfiles() && echo.checks_images());
    let policies = [
        ConfiguredPolicy::new(image_only, "{}"),
        ConfiguredPolicy::new(echo, "{}"),
    ];
    // Its Dockerfile check panics: were it called, this would be a trap.
    let outcomes = engine
        .session(&policies)
        .check_dockerfile(&sample_targets()[0]);
    assert_eq!(outcomes[0].result.as_ref().map(Vec::len), Ok(0));
    assert!(outcomes[0].diagnostics.is_empty());
    assert!(
        !outcomes[1].result.as_ref().unwrap().is_empty(),
        "echo still runs"
    );

    let image = image("registry.example/app:2");
    let outcomes = engine.session(&policies).check_image(&image);
    let findings = outcomes[0].result.as_ref().unwrap();
    assert_eq!(findings[0].message, "checked registry.example/app:2");
}

#[test]
fn fresh_and_reused_instances_give_the_same_results() {
    let cache = temp_cache();
    let run = |reuse_instances| {
        let limits = Limits {
            reuse_instances,
            ..Limits::default()
        };
        let engine = engine_with(limits, cache.path());
        let policies = [ConfiguredPolicy::new(load(&engine, "echo"), "{}")];
        engine
            .check_dockerfiles(&policies, &sample_targets())
            .into_iter()
            .map(|mut outcomes| (outcomes.remove(0).result.unwrap(), ()))
            .map(|(findings, ())| findings)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(true), run(false));
}

#[test]
fn output_and_logs_are_captured_per_evaluation() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let policies = [ConfiguredPolicy::new(load(&engine, "echo"), "{}")];
    let mut session = engine.session(&policies);
    for target in sample_targets() {
        let outcome = session.check_dockerfile(&target).remove(0);
        assert_eq!(
            outcome.diagnostics.stdout,
            format!("echo: {} stages\n", target.stages.len())
        );
        assert_eq!(outcome.diagnostics.logs.len(), 1);
        assert_eq!(
            outcome.diagnostics.logs[0].message,
            format!("echo checked {}", target.path)
        );
    }
}

#[test]
fn every_builtin_policy_loads_with_a_unique_name() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let builtin = engine.load_builtin().expect("built-in policies load");
    assert_eq!(builtin.len(), tallyman::engine::BUILTIN_POLICIES.len());
    let mut names: Vec<&str> = builtin.iter().map(|p| p.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), builtin.len(), "duplicate names: {names:?}");
    assert!(builtin.iter().all(|p| p.is_builtin()));
}

/// A failure on a reused instance is retried on a fresh one: a policy that
/// breaks the purity contract cannot make one target's result depend on
/// the targets evaluated before it on the same instance.
#[test]
fn a_failure_on_a_reused_instance_is_retried_on_a_fresh_one() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let policy = load(&engine, "second-call-panics");

    // The instance is indeed reused: it counts its calls.
    let counting = [ConfiguredPolicy::new(policy.clone(), r#"{"count": 1}"#)];
    let mut session = engine.session(&counting);
    let calls: Vec<String> = sample_targets()
        .iter()
        .map(|t| {
            session.check_dockerfile(t).remove(0).result.unwrap()[0]
                .message
                .clone()
        })
        .collect();
    assert_eq!(calls, ["call 1", "call 2", "call 3"]);

    // So the second target's panic came from the reused instance, and the
    // retry on a fresh one answered it.
    let policies = [ConfiguredPolicy::new(policy, "{}")];
    let mut session = engine.session(&policies);
    for target in sample_targets() {
        let outcome = session.check_dockerfile(&target).remove(0);
        let findings = outcome.result.expect("answered by a fresh instance");
        assert_eq!(findings[0].message, format!("first call: {}", target.path));
    }
}
