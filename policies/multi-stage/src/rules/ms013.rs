use tallyman_sdk::image::glob_match;
use tallyman_sdk::model::{CopyInstruction, Instruction, SimpleCommand, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::graph::{self, Source};
use crate::support::packages;
use crate::support::script::{Script, join, normalize};
use crate::support::{images, through};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `COPY --from=<stage>` into a `scratch` or distroless/Chainguard
    /// `static` final stage that copies the output of a `go build` or
    /// `go install` built with cgo on: no `CGO_ENABLED=0` (as a prefix
    /// assignment, `export`, `ENV`, `ARG` default, `go env -w`, or on a
    /// `sh -c` the build runs in) and no static link flags (`-ldflags` with
    /// `-extldflags -static`, or the `netgo` and `osusergo` tags).
    ///
    /// The copied paths are matched against where each build writes its
    /// binary (`-o`, resolved against `WORKDIR` and `cd`; `$GOBIN` or
    /// `/go/bin` for `go install`), so a copy of certificates from the same
    /// stage is not confused with the binary. Builds on `golang:*-alpine`
    /// without a C compiler installed are static: Go turns cgo off when it
    /// finds no compiler. Link flags held in a variable whose value cannot
    /// be known are given the benefit of the doubt.
    ///
    /// ## Why is this bad?
    /// With cgo on (the default where a C compiler exists, as in the
    /// Debian-based `golang` images), a binary that uses `net` or `os/user`
    /// is dynamically linked against the C library. `scratch` and
    /// `distroless/static` have none, so the container dies at start with
    /// the baffling `exec /app: no such file or directory`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN go build -o /out/app .
    ///
    /// FROM scratch
    /// COPY --from=build /out/app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /out/app .
    ///
    /// FROM scratch
    /// COPY --from=build /out/app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    pub const MS013 = {
        id: "MS013",
        title: "Go binary built with cgo copied into a static final stage",
        severity: Medium,
        tags: ["correctness"],
        equivalents: [],
    };
}

/// Where a build writes its binary.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Output {
    File(String),
    /// Somewhere in one of these directories, name unknown.
    Directories(Vec<String>),
    /// Nowhere (`go build ./...` only compiles).
    Nothing,
    /// Cannot be known.
    Unknown,
}

/// A `go build` or `go install` that leaves cgo on.
struct DynamicBuild<'a> {
    stage: &'a Stage,
    instruction: &'a Instruction,
    text: String,
    output: Output,
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(final_stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    let Some(base) = images::is_static_base(dockerfile.root_base(final_stage)) else {
        return;
    };
    for stage in dockerfile.ancestry(final_stage) {
        for (instruction, copy) in stage.copies() {
            let Some(from) = &copy.from else {
                continue;
            };
            let Source::Stage(index) = graph::copy_source(dockerfile, from) else {
                continue;
            };
            let Some(source_stage) = dockerfile.stage(index).filter(|s| s.index != stage.index)
            else {
                continue;
            };
            let builds = dynamic_builds(dockerfile, source_stage);
            let Some(build) = builds
                .iter()
                .find(|build| copies_output(copy, &build.output))
            else {
                continue;
            };
            findings.push(
                Finding::at(&MS013, (stage, instruction))
                    .message(format!(
                        "`{}` (line {}, stage {}) builds with cgo on, and its binary is copied \
                         into the final stage {} on {base}{}: a binary linked against the C \
                         library will not start there",
                        build.text.trim(),
                        build.instruction.line(),
                        build.stage.label(),
                        final_stage.label(),
                        through(final_stage, stage)
                    ))
                    .fix(format!(
                        "build a static binary: `CGO_ENABLED=0 {}` on line {}, or \
                         `ENV CGO_ENABLED=0` in stage {}",
                        build.text.trim(),
                        build.instruction.line(),
                        build.stage.label()
                    )),
            );
        }
    }
}

/// The `go build`/`go install` commands whose output `stage` holds (its
/// own and those of the stages it is built on) that leave cgo on.
fn dynamic_builds<'a>(dockerfile: &'a Dockerfile, stage: &'a Stage) -> Vec<DynamicBuild<'a>> {
    let mut chain = dockerfile.ancestry(stage);
    chain.reverse();
    let no_compiler = builds_without_a_c_compiler(dockerfile, stage);
    let mut builds = Vec::new();
    let mut go_env_cgo_off = false;
    for ancestor in &chain {
        for (instruction, _) in ancestor.runs() {
            let script = Script::new(dockerfile, ancestor, instruction);
            for (at, command) in script.commands.iter().enumerate() {
                let run = command.command();
                // `xx-go` is the cross-compiling wrapper of tonistiigi/xx.
                if !run.is_any(&["go", "xx-go"]) || command.in_substitution {
                    continue;
                }
                let operands = run.operands();
                if operands.first() == Some(&"env")
                    && run.has_flag(&["-w"])
                    && operands.contains(&"CGO_ENABLED=0")
                {
                    go_env_cgo_off = true;
                    continue;
                }
                if !matches!(operands.first(), Some(&("build" | "install"))) {
                    continue;
                }
                if go_env_cgo_off
                    || no_compiler
                    || cgo_disabled(&script, at, command)
                    || links_statically(&script, at, command)
                {
                    continue;
                }
                builds.push(DynamicBuild {
                    stage: ancestor,
                    instruction,
                    text: command.text.clone(),
                    output: output(&script, at, command),
                });
            }
        }
    }
    builds
}

/// `CGO_ENABLED=0` applies to the command: as its prefix, through `env`,
/// on a shell it runs in (`CGO_ENABLED=0 sh -c '...'`), or as a variable
/// of the script, `ENV` or `ARG`.
fn cgo_disabled(script: &Script<'_>, at: usize, command: &SimpleCommand) -> bool {
    if command.assignment("CGO_ENABLED") == Some("0")
        || command.args.iter().any(|arg| arg == "CGO_ENABLED=0") && command.is("env")
    {
        return true;
    }
    let mut depth = command.shell_depth;
    for earlier in script.commands.get(..at).unwrap_or_default().iter().rev() {
        if depth == 0 {
            break;
        }
        if earlier.shell_depth < depth {
            if earlier.assignment("CGO_ENABLED") == Some("0") {
                return true;
            }
            depth = earlier.shell_depth;
        }
    }
    script.variable(at, "CGO_ENABLED").as_deref() == Some("0")
}

/// Link flags that make the binary static, or flags that cannot be known.
fn links_statically(script: &Script<'_>, at: usize, command: &SimpleCommand) -> bool {
    let expand = |value: &str| script.expand(at, value).map(|words| words.join(" "));
    let goflags = script.variable(at, "GOFLAGS").unwrap_or_default();
    let ldflags = match command.flag_value(&["-ldflags", "--ldflags"]) {
        Some(value) => match expand(value) {
            Some(value) => value,
            // A variable we cannot see may well hold `-extldflags -static`.
            None => return true,
        },
        None => String::new(),
    };
    let tags = command
        .flag_value(&["-tags", "--tags"])
        .and_then(expand)
        .unwrap_or_default();
    let all = format!("{ldflags} {tags} {goflags}");
    (all.contains("-extldflags") && all.contains("-static"))
        || (all.contains("netgo") && all.contains("osusergo"))
}

/// The stage chain builds on `golang:*-alpine` and installs no C compiler:
/// Go then turns cgo off by itself.
fn builds_without_a_c_compiler(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    let Some(name) = dockerfile.root_base(stage).image() else {
        return false;
    };
    if !(name.is_family(&["golang"]) && name.has_variant("alpine")) {
        return false;
    }
    !dockerfile.ancestry(stage).iter().any(|ancestor| {
        ancestor.runs().any(|(instruction, _)| {
            let script = Script::new(dockerfile, ancestor, instruction);
            packages::installs(&script).iter().any(|install| {
                install.packages.iter().any(|package| {
                    matches!(
                        package.as_str(),
                        "gcc" | "build-base" | "clang" | "musl-dev" | "alpine-sdk"
                    )
                })
            })
        })
    })
}

/// Where the command writes its binary.
fn output(script: &Script<'_>, at: usize, command: &SimpleCommand) -> Output {
    let run = command.command();
    let Some(directory) = script.directory(at) else {
        return Output::Unknown;
    };
    if let Some(path) = command.flag_value(&["-o"]) {
        let Some(path) = script
            .expand(at, path)
            .and_then(|words| words.into_iter().next())
        else {
            return Output::Unknown;
        };
        return if path.ends_with('/') {
            Output::Directories(vec![join(&directory, &path)])
        } else {
            Output::File(join(&directory, &path))
        };
    }
    let operands = run.operands();
    let packages = operands.get(1..).unwrap_or_default();
    if packages.iter().any(|package| package.contains("...")) || packages.len() > 1 {
        return Output::Nothing;
    }
    if run.has_subcommand("install") {
        let bin = script.variable(at, "GOBIN").or_else(|| {
            script
                .variable(at, "GOPATH")
                .map(|path| format!("{path}/bin"))
        });
        return Output::Directories(match bin {
            Some(bin) => vec![join(&directory, &bin)],
            None => vec!["/go/bin".to_string(), "/root/go/bin".to_string()],
        });
    }
    Output::Directories(vec![directory])
}

/// Whether a `COPY --from` source takes a build's output. Source paths of
/// `COPY --from` are relative to the stage's root.
fn copies_output(copy: &CopyInstruction, output: &Output) -> bool {
    copy.sources.iter().any(|source| {
        let source = normalize(source);
        let covers = |path: &str| {
            source == path
                || source == "/"
                || path.starts_with(&format!("{source}/"))
                || glob_match(&source, path)
        };
        match output {
            Output::File(path) => covers(path),
            Output::Directories(directories) => directories.iter().any(|directory| {
                covers(directory)
                    || source
                        .strip_prefix(&format!("{directory}/"))
                        .is_some_and(|name| !name.contains('/') && !looks_like_data(&source))
            }),
            Output::Nothing => false,
            Output::Unknown => !looks_like_data(&source),
        }
    })
}

/// Paths that hold configuration or data rather than a program.
fn looks_like_data(path: &str) -> bool {
    path.starts_with("/etc/")
        || path.starts_with("/usr/share/")
        || path.contains("zoneinfo")
        || [
            ".crt", ".pem", ".json", ".yaml", ".yml", ".toml", ".conf", ".html", ".js", ".css",
            ".txt", ".md",
        ]
        .iter()
        .any(|extension| path.ends_with(extension))
}
