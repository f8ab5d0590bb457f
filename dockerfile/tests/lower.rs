//! The typed model: what lowering makes of real Dockerfile constructs.

use tallyman_dockerfile::model::{Connector, Dockerfile, ImageSource, InstructionDetail};
use tallyman_dockerfile::{LowerOptions, lower, parse_str};

fn model(text: &str) -> Dockerfile {
    model_with(text, LowerOptions::default())
}

fn model_with(text: &str, options: LowerOptions) -> Dockerfile {
    let ast = parse_str(text).expect("test Dockerfile parses");
    lower(&ast, &options)
}

fn image(source: &ImageSource) -> (String, String, Option<String>) {
    match source {
        ImageSource::Image(name) => (
            name.registry.clone(),
            name.repository.clone(),
            name.tag.clone(),
        ),
        other => panic!("expected an image, got {other:?}"),
    }
}

#[test]
fn from_resolves_meta_args_and_build_args() {
    let text = "ARG BASE=python\nARG VERSION=3.12\nFROM ${BASE}:${VERSION}-slim AS app\n";
    let df = model(text);
    assert_eq!(df.stages[0].base.expanded, "python:3.12-slim");
    assert_eq!(
        image(&df.stages[0].base.source),
        (
            "docker.io".into(),
            "library/python".into(),
            Some("3.12-slim".into())
        )
    );
    assert_eq!(df.global_args.len(), 2);

    let df = model_with(
        text,
        LowerOptions {
            build_args: vec![("VERSION".into(), "3.13".into())],
            ..LowerOptions::default()
        },
    );
    assert_eq!(df.stages[0].base.expanded, "python:3.13-slim");
}

#[test]
fn from_with_undeclared_or_empty_arg_is_unresolved() {
    let df = model("FROM alpine:${TAG}\n");
    match &df.stages[0].base.source {
        ImageSource::Unresolved(reason) => assert!(reason.contains("$TAG"), "{reason}"),
        other => panic!("expected unresolved, got {other:?}"),
    }
    // Declared without a default: still no value.
    let df = model("ARG IMAGE\nFROM $IMAGE\n");
    assert!(matches!(
        df.stages[0].base.source,
        ImageSource::Unresolved(_)
    ));
    // An ARG declared inside a stage is not visible to a later FROM.
    let df = model("FROM alpine AS a\nARG V=1\nFROM alpine:$V\n");
    assert!(matches!(
        df.stages[1].base.source,
        ImageSource::Unresolved(_)
    ));
}

#[test]
fn valueless_arg_that_does_not_matter_still_resolves() {
    // BuildKit's own Dockerfile: `${BUILDKIT_DEBUG:+-debug}` is empty
    // without the build arg, and the stage name resolves.
    let text = "ARG BUILDKIT_DEBUG\nFROM alpine AS buildkit-linux\nFROM buildkit-$TARGETOS${BUILDKIT_DEBUG:+-debug} AS final\nFROM ${MISSING:-alpine:3.20}\n";
    let df = model(text);
    assert_eq!(df.stages[1].base.source, ImageSource::Stage(0));
    assert_eq!(df.stages[1].base.expanded, "buildkit-linux");
    assert_eq!(df.stages[2].base.expanded, "alpine:3.20");
    assert!(matches!(df.stages[2].base.source, ImageSource::Image(_)));
}

#[test]
fn automatic_platform_args_are_visible_in_from() {
    let df = model("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine:3.20\n");
    assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
    let df = model("FROM busybox:${TARGETARCH}\n");
    assert_eq!(df.stages[0].base.expanded, "busybox:amd64");
}

#[test]
fn stages_scratch_and_stage_references() {
    let text = "FROM golang:1.22 AS Build\nRUN go build -o /app\nFROM build AS test\nFROM scratch\nCOPY --from=Build /app /app\nCOPY --from=1 /x /x\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\n";
    let df = model(text);
    assert_eq!(df.stages.len(), 3);
    assert_eq!(df.stages[1].base.source, ImageSource::Stage(0));
    assert_eq!(df.stages[2].base.source, ImageSource::Scratch);
    assert_eq!(df.target_stage, 2);
    let froms: Vec<ImageSource> = df.stages[2]
        .instructions
        .iter()
        .filter_map(|i| match &i.detail {
            InstructionDetail::Copy(c) => c.from.as_ref().map(|f| f.source.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(froms[0], ImageSource::Stage(0));
    assert_eq!(froms[1], ImageSource::Stage(1));
    assert!(matches!(&froms[2], ImageSource::Image(n) if n.repository == "library/nginx"));
}

#[test]
fn a_stage_number_past_the_last_stage_lowers_to_unresolved() {
    // `parse` refuses this file (BuildKit: "invalid stage index 7"); lowering
    // a tree from `parse_syntax` still gives a model rather than failing.
    let text = "FROM alpine\nCOPY --from=7 /y /y\n";
    let ast = tallyman_dockerfile::parse_syntax(text.as_bytes(), &Default::default())
        .expect("the line parser accepts it");
    let df = lower(&ast, &LowerOptions::default());
    let InstructionDetail::Copy(copy) = &df.stages[0].instructions[1].detail else {
        panic!("expected COPY");
    };
    assert!(matches!(
        copy.from.as_ref().map(|f| &f.source),
        Some(ImageSource::Unresolved(_))
    ));
}

#[test]
fn copy_from_may_name_a_later_stage_but_from_may_not() {
    let text = "FROM alpine AS a\nCOPY --from=later /x /x\nFROM later AS b\nFROM alpine AS later\n";
    let df = model(text);
    let InstructionDetail::Copy(copy) = &df.stages[0].instructions[1].detail else {
        panic!("expected COPY");
    };
    assert_eq!(
        copy.from.as_ref().map(|f| f.source.clone()),
        Some(ImageSource::Stage(2))
    );
    // `FROM later` before `later` is defined is an image named `later`.
    assert!(
        matches!(&df.stages[1].base.source, ImageSource::Image(n) if n.repository == "library/later")
    );
}

#[test]
fn target_option_picks_the_built_stage() {
    let text = "FROM alpine AS base\nFROM base AS Runtime\nFROM base AS debug\n";
    let df = model_with(
        text,
        LowerOptions {
            target: Some("runtime".into()),
            ..LowerOptions::default()
        },
    );
    assert_eq!(df.target_stage, 1);
}

#[test]
fn env_and_arg_scoping_inside_a_stage() {
    let text = "ARG VERSION=1.0\nFROM alpine\nARG VERSION\nENV APP_HOME=/opt/app \\\n    APP_BIN=\"$APP_HOME/bin\"\nENV APP_LIB=$APP_HOME/lib\nWORKDIR $APP_HOME\nUSER ${USER_NAME:-app}:staff\nLABEL version=\"$VERSION\" other='$NOT_EXPANDED'\n";
    let df = model(text);
    let details: Vec<&InstructionDetail> = df.stages[0]
        .instructions
        .iter()
        .map(|i| &i.detail)
        .collect();
    match details[2] {
        InstructionDetail::Env(env) => {
            assert_eq!(env[0].key, "APP_HOME");
            assert_eq!(env[0].value, "/opt/app");
            // BuildKit expands all values of one ENV with the environment
            // from before it, so APP_HOME is not yet visible here.
            assert_eq!(env[1].value, "$APP_HOME/bin");
            assert_eq!(env[1].raw, "\"$APP_HOME/bin\"");
        }
        other => panic!("expected ENV, got {other:?}"),
    }
    match details[3] {
        InstructionDetail::Env(env) => assert_eq!(env[0].value, "/opt/app/lib"),
        other => panic!("expected ENV, got {other:?}"),
    }
    assert_eq!(details[4], &InstructionDetail::Workdir("/opt/app".into()));
    match details[5] {
        InstructionDetail::User(user) => {
            // USER_NAME may come from the base image: kept as written.
            assert_eq!(user.user, "${USER_NAME:-app}");
            assert_eq!(user.group.as_deref(), Some("staff"));
        }
        other => panic!("expected USER, got {other:?}"),
    }
    match details[6] {
        InstructionDetail::Label(labels) => {
            // ARG VERSION without a default inherits the meta arg's value.
            assert_eq!(labels[0].value, "1.0");
            assert_eq!(labels[1].value, "$NOT_EXPANDED");
        }
        other => panic!("expected LABEL, got {other:?}"),
    }
}

#[test]
fn run_is_split_into_simple_commands() {
    let text = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && curl -fsSL https://example.com/install.sh | sh || true\n";
    let df = model(text);
    let InstructionDetail::Run(run) = &df.stages[0].instructions[1].detail else {
        panic!("expected RUN");
    };
    let names: Vec<&str> = run
        .command
        .commands
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["apt-get", "apt-get", "curl", "sh", "true"]);
    assert_eq!(run.command.commands[4].connector, Connector::Or);
    let sh = &run.command.commands[3];
    assert_eq!(sh.pipe_position, 1);
    assert_eq!(sh.pipeline, run.command.commands[2].pipeline);
    assert_eq!(run.command.commands[1].connector, Connector::And);
    assert!(run.command.shell_error.is_none());
    assert_eq!(df.stages[0].instructions[1].span.start_line, 2);
    assert_eq!(df.stages[0].instructions[1].span.end_line, 3);
}

#[test]
fn heredoc_run_scripts_are_split_but_other_interpreters_are_not() {
    let text = "FROM alpine\nRUN <<EOF\nset -e\napk add --no-cache git\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint('hi')\nEOF\nRUN bash <<EOF\nmake install\nEOF\nRUN cat <<EOF > /etc/motd\nwelcome\nEOF\n";
    let df = model(text);
    let commands = |i: usize| -> Vec<String> {
        match &df.stages[0].instructions[i].detail {
            InstructionDetail::Run(run) => run
                .command
                .commands
                .iter()
                .map(|c| c.name.clone())
                .collect(),
            other => panic!("expected RUN, got {other:?}"),
        }
    };
    assert_eq!(commands(1), ["set", "apk"]);
    assert!(commands(2).is_empty());
    assert!(commands(3).contains(&"make".to_string()));
    assert_eq!(commands(4), ["cat"]);
    let heredoc = &df.stages[0].instructions[1].heredocs[0];
    assert_eq!((heredoc.span.start_line, heredoc.span.end_line), (3, 5));
}

#[test]
fn mounts_flags_and_exec_form() {
    let text = "FROM alpine AS deps\nFROM alpine\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=bind,from=deps,source=/x,target=/y --network=none npm ci\nCOPY --chown=app:app --chmod=755 --link a b /dst/\nCMD [\"node\", \"server.js\"]\nENTRYPOINT exec node\n";
    let df = model(text);
    let stage = &df.stages[1];
    let InstructionDetail::Run(run) = &stage.instructions[1].detail else {
        panic!("expected RUN");
    };
    assert_eq!(run.mounts[0].kind, "secret");
    assert_eq!(run.mounts[0].id.as_deref(), Some("npmrc"));
    assert_eq!(
        run.mounts[1].from.as_ref().map(|f| f.source.clone()),
        Some(ImageSource::Stage(0))
    );
    assert_eq!(run.network.as_deref(), Some("none"));
    let InstructionDetail::Copy(copy) = &stage.instructions[2].detail else {
        panic!("expected COPY");
    };
    assert_eq!(copy.sources, ["a", "b"]);
    assert_eq!(copy.destination, "/dst/");
    assert_eq!(copy.chown.as_deref(), Some("app:app"));
    assert_eq!(copy.chmod.as_deref(), Some("755"));
    assert!(copy.link);
    let InstructionDetail::Cmd(cmd) = &stage.instructions[3].detail else {
        panic!("expected CMD");
    };
    assert!(cmd.exec_form);
    assert_eq!(cmd.commands[0].name, "node");
    assert_eq!(cmd.commands[0].args, ["server.js"]);
    let InstructionDetail::Entrypoint(entrypoint) = &stage.instructions[4].detail else {
        panic!("expected ENTRYPOINT");
    };
    assert!(!entrypoint.exec_form);
    assert_eq!(entrypoint.args, ["exec node"]);
}

#[test]
fn expose_healthcheck_onbuild_and_pragmas() {
    let text = "FROM alpine\nARG PORT=9000\n# tallyman ignore=HD011\nEXPOSE 80/udp $PORT 22 8080:80\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\nONBUILD RUN make\nHEALTHCHECK NONE\n";
    let df = model(text);
    let stage = &df.stages[0];
    let InstructionDetail::Expose(ports) = &stage.instructions[2].detail else {
        panic!("expected EXPOSE");
    };
    let starts: Vec<Option<u32>> = ports.iter().map(|p| p.start).collect();
    assert_eq!(starts, [Some(80), Some(9000), Some(22), None]);
    assert_eq!(ports[0].protocol, "udp");
    assert!(ports[3].host_form);
    assert_eq!(stage.instructions[2].comments, ["tallyman ignore=HD011"]);
    assert!(df.comments.iter().any(|c| c.line == 3));
    let InstructionDetail::Healthcheck(health) = &stage.instructions[3].detail else {
        panic!("expected HEALTHCHECK");
    };
    assert_eq!(health.interval.as_deref(), Some("5s"));
    let command = health.command.as_ref().expect("a command");
    assert_eq!(command.commands[0].name, "curl");
    let InstructionDetail::Onbuild(trigger) = &stage.instructions[4].detail else {
        panic!("expected ONBUILD");
    };
    assert_eq!(trigger.keyword, "RUN");
    let InstructionDetail::Healthcheck(none) = &stage.instructions[5].detail else {
        panic!("expected HEALTHCHECK NONE");
    };
    assert!(none.disabled);
}

#[test]
fn model_json_round_trips() {
    let df = model(
        "FROM golang:1.22 AS build\nRUN go build\nFROM scratch\nCOPY --from=build /app /app\n",
    );
    let json = serde_json::to_string(&df).expect("serialises");
    let back: Dockerfile = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, df);
}

/// Every real Dockerfile lowers into a model (the vendored sample always,
/// the whole `../shared/corpus` when it is there), and the model's image
/// references resolve except where a variable really has no value.
#[test]
fn real_dockerfiles_lower_and_resolve() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![manifest.join("tests/data/corpus-sample/files")];
    let shared = manifest.join("../../shared/corpus/dockerfiles");
    if shared.is_dir() {
        dirs.push(shared);
    } else {
        println!("skipped: ../shared/corpus is not here; lowered the vendored sample only");
    }
    for dir in dirs {
        let mut files = 0;
        let mut bases = 0;
        let mut unresolved = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("readable");
            let Ok(ast) = tallyman_dockerfile::parse(&bytes, &Default::default()) else {
                continue;
            };
            files += 1;
            let df = lower(&ast, &LowerOptions::default());
            for stage in &df.stages {
                bases += 1;
                if let ImageSource::Unresolved(reason) = &stage.base.source {
                    unresolved.push(format!("{}: {reason}", path.display()));
                }
            }
        }
        println!(
            "{}: {files} files, {bases} FROMs, {} unresolved",
            dir.display(),
            unresolved.len()
        );
        // Unresolved bases come only from ARGs without a value (supplied
        // as --build-arg at build time) and from text that is no image
        // reference at all: Go templates and placeholders such as
        // `REPLACE-ME` that some repositories keep as `Dockerfile.*`.
        for line in &unresolved {
            println!("  {line}");
            assert!(
                line.contains("has no value")
                    || line.contains("have no value")
                    || line.contains("is not a valid image reference"),
                "{line}"
            );
        }
        let invalid = unresolved
            .iter()
            .filter(|l| l.contains("is not a valid image reference"))
            .count();
        assert!(
            invalid * 100 <= bases,
            "{invalid} of {bases} FROMs are invalid references: more than 1%"
        );
        assert!(files > 0);
    }
}

/// Empty lines inside a continuation are what BuildKit's NoEmptyContinuation
/// warns about: each instruction lists its own, with their lines.
#[test]
fn empty_continuation_lines_are_listed_per_instruction() {
    let text = "FROM alpine\nRUN apk add \\\n\n    curl \\\n   \n    # a comment is not empty\n    git\nRUN echo \\\n    done\n# escape comment\nCOPY a \\\n\nb\n";
    let df = model(text);
    let lines: Vec<Vec<u32>> = df.stages[0]
        .instructions
        .iter()
        .map(|instruction| instruction.empty_continuation_lines.clone())
        .collect();
    assert_eq!(lines, [vec![], vec![3, 5], vec![], vec![12]]);

    let windows = model("# escape=`\nFROM alpine\nRUN echo one `\n\n    two\n");
    assert_eq!(
        windows.stages[0].instructions[1].empty_continuation_lines,
        [4]
    );

    // Empty lines of a heredoc body are the body's.
    let heredoc = model("FROM alpine\nRUN <<EOF\necho a\n\necho b\nEOF\n");
    assert!(
        heredoc.stages[0].instructions[1]
            .empty_continuation_lines
            .is_empty()
    );
}
