//! A policy whose rules declare what they read (`reads:` tags) is handed
//! only that: instructions of the kinds it reads in full, the others as
//! placeholders at the same place with the same span, and the comments and
//! build context only when declared. A policy that declares nothing gets
//! everything.

mod common;

use tallyman::dockerfile::lower::{LowerOptions, lower};
use tallyman::dockerfile::model::{BuildContext, Dockerfile, Finding};
use tallyman::dockerfile::parser::parse_str;
use tallyman::engine::{ConfiguredPolicy, Engine, Limits, PolicySource};

use common::{engine_with, load, policy_wasm, temp_cache};

const DOCKERFILE: &str = "\
# syntax=docker/dockerfile:1
# the base, overridable
ARG BASE=alpine:3.20
FROM $BASE AS build
# refresh the index first
RUN apk update && \\
    apk add curl
LABEL org.example.team=platform
COPY --chown=app . /src
FROM build
expose 80
";

fn model() -> Dockerfile {
    let ast = parse_str(DOCKERFILE).expect("the test Dockerfile parses");
    let options = LowerOptions {
        path: "svc/Dockerfile".to_string(),
        build_context: BuildContext {
            dockerignore_path: Some(".dockerignore".to_string()),
            dockerignore_patterns: vec!["target".to_string(), "*.log".to_string()],
        },
        ..LowerOptions::default()
    };
    lower(&ast, &options)
}

fn findings(engine: &Engine, name: &str, model: &Dockerfile) -> Vec<Finding> {
    let policies = [ConfiguredPolicy::new(load(engine, name), "{}")];
    let mut session = engine.session(&policies);
    let outcome = session
        .check_dockerfile(model)
        .pop()
        .expect("one outcome per policy");
    outcome.result.unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn messages(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.message.as_str()).collect()
}

#[test]
fn a_policy_gets_only_the_parts_it_declares() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let model = model();
    let received = findings(&engine, "reads-report", &model);
    let run = &model.stages[0].instructions[1];
    let label = &model.stages[0].instructions[2];
    assert_eq!(
        messages(&received),
        [
            "3 comments, dockerignore None with 0 patterns, 1 directives, target stage 1, 11 lines",
            "#0 ARG (ARG) other: original 0 bytes, 0 args, 0 flags, 0 comments",
            "#0 FROM (FROM) other: original 0 bytes, 0 args, 0 flags, 0 comments",
            &format!(
                "#1 RUN (RUN) run: original {} bytes, 1 args, 0 flags, 1 comments",
                run.original.len()
            ),
            &format!(
                "#2 LABEL (LABEL) label: original {} bytes, {} args, 0 flags, 0 comments",
                label.original.len(),
                label.args.len()
            ),
            "#3 COPY (COPY) other: original 0 bytes, 0 args, 0 flags, 0 comments",
            "#0 FROM (FROM) other: original 0 bytes, 0 args, 0 flags, 0 comments",
            "#1 EXPOSE (expose) other: original 0 bytes, 0 args, 0 flags, 0 comments",
        ]
    );
    assert_eq!(
        model.global_args[0].comments.len(),
        1,
        "the ARG's comment is in the model, and not handed with its placeholder"
    );
}

#[test]
fn a_policy_that_declares_nothing_gets_everything() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let model = model();
    let received = findings(&engine, "reads-everything", &model);
    let stage = |i: usize| &model.stages[i].instructions;
    let arg = &model.global_args[0];
    let expected_instruction =
        |position: usize, instruction: &tallyman::dockerfile::model::Instruction, kind: &str| {
            format!(
                "#{position} {} ({}) {kind}: original {} bytes, {} args, {} flags, {} comments",
                instruction.keyword,
                instruction.keyword_written,
                instruction.original.len(),
                instruction.args.len(),
                instruction.flags.len(),
                instruction.comments.len(),
            )
        };
    let expected = [
        "3 comments, dockerignore Some(\".dockerignore\") with 2 patterns, 1 directives, target stage 1, 11 lines".to_string(),
        expected_instruction(0, arg, "arg"),
        expected_instruction(0, &stage(0)[0], "from"),
        expected_instruction(1, &stage(0)[1], "run"),
        expected_instruction(2, &stage(0)[2], "label"),
        expected_instruction(3, &stage(0)[3], "copy"),
        expected_instruction(0, &stage(1)[0], "from"),
        expected_instruction(1, &stage(1)[1], "expose"),
    ];
    assert_eq!(messages(&received), expected);
    assert!(
        expected[5].contains("1 flags"),
        "COPY's --chown reaches a policy that reads everything: {}",
        expected[5]
    );
}

#[test]
fn placeholders_keep_every_span_and_stage() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let model = model();
    let place = |findings: Vec<Finding>| -> Vec<_> {
        findings.into_iter().map(|f| (f.span, f.stage)).collect()
    };
    let filtered = place(findings(&engine, "reads-report", &model));
    let whole = place(findings(&engine, "reads-everything", &model));
    assert_eq!(filtered, whole);
    let lines: Vec<u32> = filtered
        .iter()
        .filter_map(|(span, _)| span.map(|s| s.start_line))
        .collect();
    assert_eq!(lines, [3, 4, 6, 8, 9, 10, 11]);
}

#[test]
fn what_a_policy_reads_is_known_once_it_is_loaded() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let policy = engine
        .load_bytes(&policy_wasm("reads-report"), PolicySource::Bytes)
        .expect("reads-report loads");
    let reads = policy.reads().expect("reads-report declares what it reads");
    assert_eq!(reads.to_string(), "LABEL, RUN, comments");
    let everything = engine
        .load_bytes(&policy_wasm("reads-everything"), PolicySource::Bytes)
        .expect("reads-everything loads");
    assert!(everything.reads().is_none());
}
