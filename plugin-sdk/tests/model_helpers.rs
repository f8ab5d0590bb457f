//! The SDK's helpers on models the host's parser makes from real text.

use tallyman_sdk::Finding;
use tallyman_sdk::model::Dockerfile;
use tallyman_sdk::testing::Check;

fn model(text: &str) -> Dockerfile {
    Check::new(text).model()
}

const MULTI_STAGE: &str = "\
ARG GO=1.23
FROM golang:${GO} AS Build
RUN go build -o /app .

FROM build AS test
RUN go test ./...

FROM debian:12-slim AS assets
RUN echo assets > /assets

FROM alpine:3.22 AS unused
RUN echo never

FROM gcr.io/distroless/static-debian12:nonroot AS release
COPY --from=BUILD /app /app
RUN --mount=from=assets,source=/assets,target=/mnt/assets true
";

#[test]
fn final_stage_follows_the_target_setting_then_the_model() {
    let dockerfile = model(MULTI_STAGE);
    let index = |target: Option<&str>| dockerfile.final_stage(target).map(|stage| stage.index);
    assert_eq!(index(None), Some(4));
    assert_eq!(index(Some("TEST")), Some(1));
    // An unknown target falls back to what the host chose.
    assert_eq!(index(Some("nope")), Some(4));
    let targeted = Check::new(MULTI_STAGE).target("assets").model();
    assert_eq!(targeted.final_stage(None).map(|stage| stage.index), Some(2));
    // A model with no stage (the parser refuses a file without FROM, as
    // BuildKit does, but a model can come from elsewhere): nothing to build.
    let mut no_stages = model(MULTI_STAGE);
    no_stages.stages.clear();
    assert_eq!(no_stages.final_stage(None), None);
}

#[test]
fn stages_by_name_are_case_insensitive() {
    let dockerfile = model(MULTI_STAGE);
    assert_eq!(dockerfile.stage_named("build").map(|s| s.index), Some(0));
    assert_eq!(dockerfile.stage_named("BUILD").map(|s| s.index), Some(0));
    assert!(dockerfile.stage_named("builder").is_none());
    assert_eq!(
        dockerfile.stage(4).and_then(|s| s.name.as_deref()),
        Some("release")
    );
    assert_eq!(
        dockerfile.stage(0).map(|s| s.label()),
        Some("`Build`".to_string())
    );
}

#[test]
fn stages_needed_by_the_final_one_follow_from_copy_and_mounts() {
    let dockerfile = model(MULTI_STAGE);
    let release = dockerfile.final_stage(None).expect("a final stage");
    assert_eq!(dockerfile.stage_dependencies(release), [0, 2]);
    assert_eq!(dockerfile.stages_needed_by(release), [0, 2, 4]);
    let test = dockerfile.stage(1).expect("stage 1");
    assert_eq!(dockerfile.stages_needed_by(test), [0, 1]);
    // Stage 3 is dead: nothing the final stage needs refers to it.
    assert!(!dockerfile.stages_needed_by(release).contains(&3));
}

#[test]
fn root_base_goes_up_stage_chains() {
    let dockerfile = model(MULTI_STAGE);
    let test = dockerfile.stage(1).expect("stage 1");
    let root = dockerfile.root_base(test);
    assert_eq!(
        root.image().map(|name| name.familiar()),
        Some("golang:1.23".to_string())
    );
    assert_eq!(root.written, "golang:${GO}");
}

#[test]
fn run_commands_and_image_references() {
    let dockerfile = model(
        "FROM debian:12\n\
         RUN apt-get update && sudo apt-get install -y --no-install-recommends curl \\\n\
         \x20   && rm -rf /var/lib/apt/lists/*\n\
         COPY --from=ghcr.io/astral-sh/uv:0.8 /uv /bin/uv\n",
    );
    let installs: Vec<(u32, Vec<&str>)> = dockerfile
        .run_commands()
        .filter(|(_, _, command)| command.is("apt-get") && command.has_subcommand("install"))
        .map(|(_, run, command)| (run.line(), command.command().operands_after("install")))
        .collect();
    assert_eq!(installs, [(2, vec!["curl"])]);
    let (_, install_run, install) = dockerfile
        .run_commands()
        .find(|(_, _, command)| command.has_subcommand("install"))
        .expect("an install");
    assert!(install.is("sudo"));
    assert!(install.has_flag(&["--no-install-recommends"]));
    assert_eq!(install_run.span.end_line, 3);
    let copy = dockerfile.stages[0]
        .copies()
        .next()
        .map(|(instruction, _)| instruction)
        .expect("a COPY");
    let references = copy.image_references();
    assert_eq!(references.len(), 1);
    assert_eq!(
        references[0].image().map(|name| name.normalized()),
        Some("ghcr.io/astral-sh/uv:0.8".to_string())
    );
}

#[test]
fn inherited_settings_come_from_parent_stages() {
    let dockerfile = model(
        "ARG BASE=debian:12\n\
         FROM $BASE AS runtime\n\
         ENV MODE=base PORT=80\n\
         USER app\n\
         SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n\
         FROM runtime AS release\n\
         ENV MODE=release\n\
         RUN echo $MODE\n\
         FROM runtime AS debug\n\
         USER root\n",
    );
    let release = dockerfile.stage_named("release").expect("release");
    let debug = dockerfile.stage_named("debug").expect("debug");
    let indexes = |stages: Vec<&tallyman_sdk::model::Stage>| {
        stages.iter().map(|stage| stage.index).collect::<Vec<_>>()
    };
    assert_eq!(indexes(dockerfile.ancestry(release)), [1, 0]);
    let user = |stage| {
        dockerfile
            .inherited_instruction(stage, "user")
            .and_then(|(_, instruction)| instruction.as_user())
            .map(|user| user.user.clone())
    };
    assert_eq!(user(release).as_deref(), Some("app"));
    assert_eq!(user(debug).as_deref(), Some("root"));
    let shell = dockerfile
        .inherited_instruction(release, "SHELL")
        .and_then(|(_, instruction)| instruction.as_shell())
        .map(<[String]>::to_vec);
    assert_eq!(
        shell,
        Some(vec![
            "/bin/bash".into(),
            "-o".into(),
            "pipefail".into(),
            "-c".into()
        ])
    );
    assert_eq!(dockerfile.env_before(release, 7, "MODE"), Some("base"));
    assert_eq!(dockerfile.env_before(release, 8, "MODE"), Some("release"));
    assert_eq!(dockerfile.env_before(release, 8, "PORT"), Some("80"));
    assert_eq!(dockerfile.env_before(release, 8, "NONE"), None);
    let all: Vec<(Option<u32>, u32)> = dockerfile
        .every_instruction()
        .map(|(stage, instruction)| (stage.map(|s| s.index), instruction.line()))
        .take(3)
        .collect();
    assert_eq!(all, [(None, 1), (Some(0), 2), (Some(0), 3)]);
}

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// A rule for the tests of finding placement.
    ///
    /// ## Why is this bad?
    /// It is not.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN false
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN true
    /// ```
    const TEST001 = {
        id: "TEST001",
        title: "a test rule",
        severity: Low,
        tags: [],
        equivalents: [],
    };
}

#[test]
fn a_finding_about_a_command_points_at_the_line_it_starts_on() {
    let dockerfile = model(concat!(
        "FROM debian:12\n",
        "RUN apt-get update \\\n",
        " # a comment inside the continuation\n",
        " && apt-get install -y \\\n",
        "      --force-yes curl \\\n",
        " && rm -rf /var/lib/apt/lists/*\n",
    ));
    let (stage, run) = dockerfile
        .instructions()
        .find(|(_, instruction)| instruction.is("RUN"))
        .expect("a RUN");
    let lines: Vec<(&str, u32)> = run
        .run_commands()
        .iter()
        .map(|c| (c.args.first().map_or("", String::as_str), c.line))
        .collect();
    assert_eq!(lines, [("update", 2), ("install", 4), ("-rf", 6)]);
    let install = run.run_commands().get(1).expect("apt-get install");
    let finding = Finding::at_command(&TEST001, (stage, run), install);
    assert_eq!(finding.line(), Some(4));
    assert_eq!(finding.span.map(|s| s.end_line), Some(4));
    assert_eq!(finding.stage, Some(0));
}

#[test]
fn a_command_without_a_known_line_leaves_the_instruction_span() {
    let dockerfile = model("FROM debian:12\nRUN true \\\n && false\n");
    let (stage, run) = dockerfile
        .instructions()
        .find(|(_, instruction)| instruction.is("RUN"))
        .expect("a RUN");
    let mut command = run.run_commands().last().expect("false").clone();
    assert_eq!(command.line, 3);
    command.line = 0;
    let unknown = Finding::at_command(&TEST001, (stage, run), &command);
    assert_eq!(
        unknown.span.map(|s| (s.start_line, s.end_line)),
        Some((2, 3))
    );
    command.line = 9;
    let elsewhere = Finding::at_command(&TEST001, (stage, run), &command);
    assert_eq!(
        elsewhere.span.map(|s| (s.start_line, s.end_line)),
        Some((2, 3))
    );
    assert_eq!(Finding::new(&TEST001).on_line_of(&command).line(), Some(9));
}
