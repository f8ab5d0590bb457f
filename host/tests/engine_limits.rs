//! Each limit and contract check on its own: output caps at their edges,
//! settings validation, deadlines, load refusals, images, and instance reuse.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use tallyman::dockerfile::model::{Image, ImageConfig, Platform};
use tallyman::engine::{
    ConfiguredPolicy, Engine, ErrorKind, Limits, Outcome, PolicySource, check_distinct,
};

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
    // Since `tallyman:policy@0.2.0` a finding record is larger (it may carry
    // edits), and a million of them exceed wasmtime's own cap on the data
    // one call copies before our cap reads the list's length: either refusal
    // leaves the list unread.
    assert!(
        message.contains("1000000 findings") || message.contains("too much data is being copied"),
        "{message}"
    );

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
    // Every embedded policy but the Rego runner, which runs only loaded Rego sets.
    assert_eq!(builtin.len(), tallyman::engine::default_builtins().count());
    assert_eq!(
        tallyman::engine::BUILTIN_POLICIES.len(),
        builtin.len() + 1,
        "the Rego runner is embedded too"
    );
    let mut names: Vec<&str> = builtin.iter().map(|p| p.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), builtin.len(), "duplicate names: {names:?}");
    assert!(builtin.iter().all(|p| p.is_builtin()));
}

/// `load_builtin_named` selects built-ins by crate name before loading
/// them, and the configuration's `builtin:` list names policies: the two
/// must agree for every built-in, or renaming one would silently drop it
/// from scans that list it.
#[test]
fn every_builtin_policy_is_named_after_its_crate() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    for builtin in tallyman::engine::default_builtins() {
        let loaded = engine
            .load_builtin_named(|name| name == builtin.crate_name)
            .expect("built-in policies load");
        let names: Vec<&str> = loaded.iter().map(|p| p.name()).collect();
        assert_eq!(
            names,
            [builtin.crate_name],
            "policies/{} must build the policy of that name",
            builtin.crate_name
        );
    }
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

/// `bytes` as a WAT data string.
fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// A little-endian `u32` as a WAT data string.
fn wat_u32(value: usize) -> String {
    wat_bytes(&u32::try_from(value).expect("small").to_le_bytes())
}

/// Memory 0 of a WAT policy's core module: the canonical ABI's memory,
/// holding the answers of `metadata` (policy `name` with one rule, `rule`)
/// and `validate-settings` at fixed addresses, and a bump heap.
fn wat_policy_memory(name: &str, rule: &str) -> String {
    assert!(name.len() <= 64 && rule.len() <= 32);
    let (name_at, rule_at, version_at) = (512, 576, 608);
    let string = |at: usize, text: &str| format!("{}{}", wat_u32(at), wat_u32(text.len()));
    // One rule-info record, at 128.
    let rules_field = format!("{}{}", wat_u32(128), wat_u32(1));
    format!(
        r#"
  (memory $main (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const {name_at}) "{name}")
  (data (i32.const {rule_at}) "{rule}")
  (data (i32.const {version_at}) "0.1.0")
  ;; policy-info: name, version, description (empty), one rule
  (data (i32.const 64) "{name_field}{version_field}{empty}{rules}")
  ;; rule-info: id, title, severity (medium) and padding; description,
  ;; help, tags and equivalents stay empty (zeroed)
  (data (i32.const 128) "{id}{id}\02\00\00\00")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $at i32)
    (local.set $at
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $at) (local.get 3)))
    (block $room
      (loop $grow
        (br_if $room
          (i32.le_u (global.get $heap) (i32.mul (memory.size $main) (i32.const 65536))))
        (if (i32.eq (memory.grow $main (i32.const 1)) (i32.const -1)) (then unreachable))
        (br $grow)))
    (local.get $at))
  (func (export "metadata") (result i32) (i32.const 64))
  ;; result<_, string>: a zeroed area is `ok`
  (func (export "validate-settings") (param i32 i32) (result i32) (i32.const 256))
"#,
        name_field = string(name_at, name),
        version_field = string(version_at, "0.1.0"),
        empty = string(0, ""),
        rules = rules_field,
        id = string(rule_at, rule),
    )
}

/// A policy component from the WAT of its core module (which exports what
/// [`wat_policy_memory`] defines, `check-dockerfile` and `check-image`),
/// given the policy world's type information from `wit/` and made a
/// component by wit-component.
fn wat_policy_component(module: &str) -> Vec<u8> {
    let mut core = wat::parse_str(module).expect("the policy's WAT");
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve
        .push_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit"))
        .expect("wit/ parses");
    let world = resolve
        .select_world(&[package], Some("policy"))
        .expect("the policy world");
    wit_component::embed_component_metadata(
        &mut core,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .expect("embed the world");
    wit_component::ComponentEncoder::default()
        .module(&core)
        .expect("a policy module")
        .validate(true)
        .encode()
        .expect("a policy component")
}

/// A policy (`name`, declaring `rule`) whose checks find nothing.
fn quiet_wat_policy(name: &str, rule: &str) -> Vec<u8> {
    wat_policy_component(&format!(
        r#"(module
  {memory}
  (func (export "check-dockerfile") (param i32) (result i32) (i32.const 272))
  (func (export "check-image") (param i32) (result i32) (i32.const 272))
)"#,
        memory = wat_policy_memory(name, rule)
    ))
}

/// WAT that grows memory `$m{index}` by `pages` pages and writes a byte to
/// every 4 KiB of the growth, so that the pages are really backed.
fn grow_and_fill(index: usize, pages: u32) -> String {
    format!(
        r#"
    (if (i32.eq (memory.grow $m{index} (i32.const {pages})) (i32.const -1)) (then unreachable))
    (local.set $at (i32.const 0))
    (block $filled{index}
      (loop $fill{index}
        (br_if $filled{index} (i32.ge_u (local.get $at) (i32.const {bytes})))
        (i32.store8 $m{index} (local.get $at) (i32.const 1))
        (local.set $at (i32.add (local.get $at) (i32.const 4096)))
        (br $fill{index})))"#,
        bytes = u64::from(pages) * 65536,
    )
}

/// Where the extra memories of [`split_memory_policy`] are filled.
#[derive(Clone, Copy)]
enum Fill {
    /// By `check-dockerfile` and `check-image`, in the policy's own module.
    OnEachCheck,
    /// By the start function of a second core module, when the component is
    /// instantiated.
    AtInstantiation,
}

/// A policy component (name `memory-split`, rule `SPLIT1`) with `memories`
/// extra linear memories of `pages` 64 KiB pages each, filled as `fill`
/// says; its checks return no finding.
fn split_memory_policy(memories: usize, pages: u32, fill: Fill) -> Vec<u8> {
    let on_check = matches!(fill, Fill::OnEachCheck);
    let extra = |declared: u32| -> String {
        (1..=memories)
            .map(|i| format!("(memory $m{i} {declared})\n"))
            .collect()
    };
    let fill_all: String = (1..=memories).map(|i| grow_and_fill(i, pages)).collect();
    let (main_extra, checks_fill) = if on_check {
        (extra(0), fill_all.clone())
    } else {
        (String::new(), String::new())
    };
    let component = wat_policy_component(&format!(
        r#"(module
  {memory}
  {main_extra}
  (func $fill (local $at i32) {checks_fill})
  (func (export "check-dockerfile") (param i32) (result i32) (call $fill) (i32.const 272))
  (func (export "check-image") (param i32) (result i32) (call $fill) (i32.const 272))
)"#,
        memory = wat_policy_memory("memory-split", "SPLIT1")
    ));
    if on_check {
        return component;
    }
    let second = wat::parse_str(format!(
        "(module {} (func $fill (local $at i32) {fill_all}) (start $fill))",
        extra(0)
    ))
    .expect("the second module's WAT");
    with_instantiated_module(component, &second)
}

/// Appends a core module to `component`, and an instance of it: the
/// component model instantiates every core instance of a component when the
/// component is instantiated, used or not.
fn with_instantiated_module(mut component: Vec<u8>, module: &[u8]) -> Vec<u8> {
    fn leb128(mut value: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    fn read_leb128(bytes: &[u8], at: &mut usize) -> usize {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = bytes[*at];
            *at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return value;
            }
            shift += 7;
        }
    }
    // The new module's index is the number of core modules defined so far
    // (section 1 holds one core module each).
    let mut modules = 0;
    let mut at = 8;
    while at < component.len() {
        let id = component[at];
        at += 1;
        let size = read_leb128(&component, &mut at);
        modules += usize::from(id == 1);
        at += size;
    }
    component.push(1);
    leb128(module.len(), &mut component);
    component.extend_from_slice(module);
    // One instance: `instantiate` (0x00) the module, with no arguments.
    let mut instance = vec![1, 0];
    leb128(modules, &mut instance);
    instance.push(0);
    component.push(2);
    leb128(instance.len(), &mut component);
    component.extend_from_slice(&instance);
    component
}

/// Eight memories of 1,000 pages (62.5 MiB) each fit the 64 MiB limit one
/// by one, not together: the limit counts every memory of the instance.
/// Grown during a check, it is that (policy, target) pair's error, and the
/// other policy and targets go on.
#[test]
fn the_memory_limit_counts_every_memory_of_a_policy() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let wasm = split_memory_policy(8, 1000, Fill::OnEachCheck);
    let split = engine
        .load_bytes(&wasm, PolicySource::Bytes)
        .expect("the policy loads: its extra memories start empty");
    assert_eq!(split.name(), "memory-split");
    let policies = [
        ConfiguredPolicy::new(split, "{}"),
        ConfiguredPolicy::new(load(&engine, "echo"), "{}"),
    ];
    let before = peak_rss_bytes();
    let targets = sample_targets();
    let results = engine.check_dockerfiles(&policies, &targets);
    assert_eq!(results.len(), targets.len());
    for outcomes in &results {
        let (kind, message) = error_of(&outcomes[0]);
        assert_eq!(kind, ErrorKind::OutOfMemory, "{message}");
        assert!(
            message.contains("memory limit of 67108864 bytes exceeded")
                && message.contains("limits.memory-mib is 64"),
            "{message}"
        );
        assert!(outcomes[1].result.is_ok(), "echo still runs");
    }
    eprintln!(
        "peak RSS: {} MiB before, {} MiB after",
        before / (1024 * 1024),
        peak_rss_bytes() / (1024 * 1024)
    );

    // The same memories, one at a time, are within the limit.
    let one = split_memory_policy(1, 1000, Fill::OnEachCheck);
    let one = engine.load_bytes(&one, PolicySource::Bytes).unwrap();
    let outcome = engine
        .session(&[ConfiguredPolicy::new(one, "{}")])
        .check_dockerfile(&targets[0])
        .remove(0);
    assert_eq!(outcome.result.expect("one memory of 62.5 MiB fits"), vec![]);
}

/// The component of the report: a second core module whose eight memories
/// of 1,000 pages are filled by its start function. The policy cannot even
/// be instantiated to read its metadata, so it does not load.
#[test]
fn memories_filled_at_instantiation_count_too() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let wasm = split_memory_policy(8, 1000, Fill::AtInstantiation);
    let error = engine.load_bytes(&wasm, PolicySource::Bytes).unwrap_err();
    assert_eq!(error.kind, ErrorKind::LoadError);
    assert!(
        error.message.contains("`metadata` failed (out-of-memory)")
            && error
                .message
                .contains("memory limit of 67108864 bytes exceeded"),
        "{}",
        error.message
    );
    // Within the limit, the same construction loads and runs.
    let small = split_memory_policy(8, 100, Fill::AtInstantiation);
    let small = engine.load_bytes(&small, PolicySource::Bytes).unwrap();
    let outcome = engine
        .session(&[ConfiguredPolicy::new(small, "{}")])
        .check_dockerfile(&sample_targets()[0])
        .remove(0);
    assert_eq!(outcome.result.expect("8 x 6.25 MiB fits"), vec![]);
}

/// Forty empty memories: each reserves address space, and no policy needs
/// more than a few. The cap refuses the instance before any is made.
#[test]
fn how_many_memories_a_policy_may_create_is_capped() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let wasm = split_memory_policy(40, 0, Fill::OnEachCheck);
    let error = engine.load_bytes(&wasm, PolicySource::Bytes).unwrap_err();
    assert_eq!(error.kind, ErrorKind::LoadError);
    assert!(
        error.message.contains("memory count too high")
            && error
                .message
                .contains("at most 32 core instances, 16 memories and 32 tables"),
        "{}",
        error.message
    );
}

/// An organisation's policy that declares a built-in's rule id under its
/// own name is refused, with both policies and the rule named, before
/// anything is scanned: its findings would be reported as the built-in
/// rule's, and `severity:` and `ignore:` keys could not tell them apart.
#[test]
fn a_policy_claiming_a_builtin_rule_id_is_refused() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let mut policies = engine.load_builtin().expect("built-in policies load");
    check_distinct(&policies).expect("built-in rule ids are distinct");
    let wasm = quiet_wat_policy("org-rules", "SEC001");
    let claiming = engine.load_bytes(&wasm, PolicySource::Bytes).unwrap();
    assert_eq!(claiming.name(), "org-rules");
    policies.push(claiming);
    let clash = check_distinct(&policies).unwrap_err();
    assert!(
        clash.starts_with(
            "two policies declare rule `SEC001`: `secrets` (built-in) and `org-rules` (bytes);"
        ),
        "{clash}"
    );

    // The same through `tallyman scan -p`.
    let file = cache.path().join("org-rules.wasm");
    std::fs::write(&file, &wasm).unwrap();
    let tree = cache.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("Dockerfile"), "FROM alpine:3.20\nUSER 1000\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tallyman"))
        .arg("scan")
        .arg(&tree)
        .arg("-p")
        .arg(&file)
        .arg("--cache-dir")
        .arg(cache.path().join("cache"))
        .env_remove("TALLYMAN_CACHE_DIR")
        .output()
        .expect("tallyman runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "two policies declare rule `SEC001`: `secrets` (built-in) and `org-rules` ({})",
            file.display()
        )),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing is reported");

    // Under an id of its own, the same policy runs beside the built-ins.
    let own = engine
        .load_bytes(
            &quiet_wat_policy("org-rules", "ORG001"),
            PolicySource::Bytes,
        )
        .unwrap();
    *policies.last_mut().unwrap() = own;
    check_distinct(&policies).expect("distinct ids");
}
