//! The helpers rules share, on models the host's parser builds.

use tallyman_policy_multi_stage::Settings;
use tallyman_policy_multi_stage::support::graph::{self, Source, Use};
use tallyman_policy_multi_stage::support::image_kind::{self, ImageKind};
use tallyman_policy_multi_stage::support::packages;
use tallyman_policy_multi_stage::support::script::{Script, working_directory};
use tallyman_sdk::Dockerfile;
use tallyman_sdk::testing::Check;

fn model(text: &str) -> Dockerfile {
    Check::new(text).model()
}

#[test]
fn copy_sources_follow_buildkit_not_file_order() {
    let dockerfile = model(
        "FROM alpine:3.20 AS a\nCOPY --from=later /x /x\nCOPY --from=1 /y /y\n\
         COPY --from=nginx:1.27 /n /n\nCOPY --from=LATER /w /w\n\
         FROM alpine:3.20 AS later\n",
    );
    let stage = &dockerfile.stages[0];
    let sources: Vec<Source> = stage
        .instructions
        .iter()
        .flat_map(graph::source_references)
        .map(|reference| graph::copy_source(&dockerfile, reference))
        .collect();
    assert_eq!(
        sources,
        [
            Source::Stage(1),
            Source::Stage(1),
            Source::External,
            Source::Stage(1)
        ]
    );
}

#[test]
fn dependencies_include_forward_copies_and_variable_shapes() {
    let dockerfile = model(
        "FROM alpine:3.20 AS base-amd64\nFROM alpine:3.20 AS base-arm64\n\
         FROM alpine:3.20 AS tool\n\
         FROM base-${TARGETARCH} AS final\nCOPY --from=assets /a /a\n\
         RUN --mount=from=tool,target=/t true\n\
         FROM node:22 AS assets\n",
    );
    let final_stage = &dockerfile.stages[3];
    let mut uses: Vec<(u32, Use, bool)> = graph::dependencies(&dockerfile, final_stage)
        .into_iter()
        .map(|dependency| (dependency.stage, dependency.how, dependency.certain))
        .collect();
    uses.sort_by_key(|(stage, _, certain)| (*stage, *certain));
    assert_eq!(
        uses,
        [
            (0, Use::Base, false),
            (0, Use::Base, true),
            (1, Use::Base, false),
            (2, Use::Mount, true),
            (4, Use::Copy, true)
        ]
    );
    assert_eq!(graph::needed_by(&dockerfile, final_stage), [0, 1, 2, 3, 4]);
    assert!(graph::is_multi_stage_build(&dockerfile, final_stage));
    let lone = model("FROM alpine:3.20 AS a\nFROM alpine:3.20 AS b\n");
    assert!(!graph::is_multi_stage_build(&lone, &lone.stages[1]));
}

#[test]
fn a_build_ships_artifacts_only_when_something_crosses_into_the_final_chain() {
    let last = |dockerfile: &Dockerfile| {
        graph::ships_artifacts_of_other_stages(
            dockerfile,
            &dockerfile.stages[dockerfile.stages.len() - 1],
        )
    };
    let linear = model("FROM ubuntu:24.04 AS base\nRUN true\nFROM base AS release\nCMD [\"/x\"]\n");
    assert!(!last(&linear));
    let from_an_ancestor = model(
        "FROM alpine:3.20 AS base\nRUN touch /a\nFROM base AS mid\nFROM mid\nCOPY --from=base /a /b\n",
    );
    assert!(!last(&from_an_ancestor));
    let copied = model(
        "FROM golang:1.23 AS build\nRUN true\nFROM debian:12 AS runtime\nFROM runtime\n\
         COPY --from=build /app /app\n",
    );
    assert!(last(&copied));
    let into_a_base_stage = model(
        "FROM golang:1.23 AS build\nRUN true\nFROM debian:12 AS runtime\n\
         COPY --from=build /app /app\nFROM runtime\n",
    );
    assert!(last(&into_a_base_stage));
    let mounted = model(
        "FROM alpine:3.20 AS tools\nFROM alpine:3.20\nRUN --mount=from=tools,target=/t cp /t/x /x\n",
    );
    assert!(last(&mounted));
    let external = model("FROM alpine:3.20\nCOPY --from=busybox:1.36 /bin/busybox /bin/\n");
    assert!(!last(&external));
}

#[test]
fn scripts_expand_variables_from_the_script_env_and_args() {
    let dockerfile = model(
        "ARG TOOLS=\"gcc make\"\nFROM alpine:3.20\nENV EXTRA=cmake\nARG TOOLS\nARG LOCAL=clang\n\
         WORKDIR /src\nWORKDIR app\n\
         RUN deps='musl-dev g++' && apk add $deps $EXTRA ${TOOLS} ${LOCAL} ${MISSING:-ninja} \
         && cd sub && export OUT=/out && go build -o \"$OUT/app\" $(cat x)\n",
    );
    let stage = &dockerfile.stages[0];
    let run = stage.instructions.last().expect("a RUN");
    let script = Script::new(&dockerfile, stage, run);
    let add = script
        .commands
        .iter()
        .position(|command| command.name == "apk")
        .expect("apk");
    let expand = |word: &str| script.expand(add, word);
    assert_eq!(expand("$deps"), Some(vec!["musl-dev".into(), "g++".into()]));
    assert_eq!(expand("$EXTRA"), Some(vec!["cmake".into()]));
    assert_eq!(expand("${TOOLS}"), Some(vec!["gcc".into(), "make".into()]));
    assert_eq!(expand("${LOCAL}"), Some(vec!["clang".into()]));
    assert_eq!(expand("${MISSING:-ninja}"), Some(vec!["ninja".into()]));
    assert_eq!(expand("$MISSING"), None);
    assert_eq!(expand("$(cat x)"), None);
    let build = script
        .commands
        .iter()
        .position(|command| command.name == "go")
        .expect("go");
    assert_eq!(
        script.expand(build, "$OUT/app"),
        Some(vec!["/out/app".into()])
    );
    assert_eq!(
        working_directory(&dockerfile, stage, run.line()),
        "/src/app"
    );
    assert_eq!(script.directory(build).as_deref(), Some("/src/app/sub"));
    assert_eq!(script.directory(add).as_deref(), Some("/src/app"));
}

#[test]
fn installs_and_removals() {
    let dockerfile = model(
        "FROM debian:12\n\
         RUN apt-get update && sudo apt-get -y install --no-install-recommends gcc=4:12.2 \
         libc6-dev:arm64 ./local.deb && apt-get purge -y gcc\n\
         RUN apk add --no-cache --virtual .deps build-base && apk del .deps\n\
         RUN dnf -y group install 'Development Tools' && yum remove -y $UNKNOWN\n",
    );
    let stage = &dockerfile.stages[0];
    let scripts: Vec<Script<'_>> = stage
        .runs()
        .map(|(instruction, _)| Script::new(&dockerfile, stage, instruction))
        .collect();
    let apt = packages::installs(&scripts[0]);
    assert_eq!(apt.len(), 1);
    assert_eq!(apt[0].packages, ["gcc", "libc6-dev"]);
    let purge = packages::removals(&scripts[0]);
    assert_eq!(purge.len(), 1);
    assert_eq!(purge[0].packages.as_deref(), Some(&["gcc".to_string()][..]));
    let marks = packages::apt_marks(&scripts[0]);
    assert!(packages::is_removed(
        &apt[0], "gcc", &purge[0], &marks, true
    ));
    assert!(!packages::is_removed(
        &apt[0],
        "libc6-dev",
        &purge[0],
        &marks,
        true
    ));

    let apk = packages::installs(&scripts[1]);
    assert_eq!(apk[0].virtual_name.as_deref(), Some(".deps"));
    let del = packages::removals(&scripts[1]);
    let marks = packages::apt_marks(&scripts[1]);
    assert!(packages::is_removed(
        &apk[0],
        "build-base",
        &del[0],
        &marks,
        true
    ));

    let dnf = packages::installs(&scripts[2]);
    assert_eq!(dnf[0].packages, ["development tools"]);
    let remove = packages::removals(&scripts[2]);
    assert_eq!(remove[0].packages, None, "a hidden list removes anything");
}

#[test]
fn image_kinds_say_why() {
    let kind = |text: &str, path: &str| {
        let dockerfile = Check::new(text).path(path).model();
        let final_stage = &dockerfile.stages[dockerfile.stages.len() - 1];
        match image_kind::classify(&dockerfile, &Settings::default(), final_stage) {
            ImageKind::Application => "application".to_string(),
            ImageKind::Toolchain(why) => why,
        }
    };
    let cases = [
        (
            "FROM mcr.microsoft.com/devcontainers/base:bookworm\nCMD [\"/app\"]\n",
            "Dockerfile",
            "it is a dev environment or CI image (built on `mcr.microsoft.com/devcontainers/base:bookworm`)",
        ),
        (
            "FROM python:3.12\nLABEL io.openshift.s2i.scripts-url=image:///s2i\nCMD [\"/app\"]\n",
            "Dockerfile",
            "it is a source-to-image builder (`io.openshift.s2i.scripts-url` label)",
        ),
        (
            "FROM golang:1.23 AS build\nRUN true\nFROM golang:1.23\nCOPY --from=build /x /x\n",
            "Dockerfile",
            "it sets neither `ENTRYPOINT` nor `CMD`, and its base `golang:1.23` runs no application",
        ),
        (
            "FROM node:22 AS dev-envs\nCMD [\"node\", \"server.js\"]\n",
            "Dockerfile",
            "its stage `dev-envs` says `dev`",
        ),
        (
            "FROM debian:12\nENTRYPOINT [\"/usr/bin/make\", \"-C\", \"/src\"]\n",
            "Dockerfile",
            "it runs `make`, a tool to build, test or develop with",
        ),
        (
            "FROM ubuntu:24.04 AS toolchain\nFROM toolchain AS cross\nENTRYPOINT [\"/entry.sh\"]\n",
            "Dockerfile",
            "its stage `cross` says `cross`",
        ),
        (
            "FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n",
            "Dockerfile",
            "application",
        ),
        (
            "FROM golang:1.23 AS builder\nRUN go build -o /app .\nENTRYPOINT [\"/app\"]\n",
            "Dockerfile.build",
            "application",
        ),
    ];
    for (text, path, expected) in cases {
        assert_eq!(kind(text, path), expected, "{text}");
    }
}
