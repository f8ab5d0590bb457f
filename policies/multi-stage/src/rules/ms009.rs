use tallyman_sdk::model::{Instruction, SimpleCommand, Stage};
use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a dependency install that needs only the manifests (`npm ci`,
    /// `npm install`, `yarn`, `pnpm install`, `pip install -r`, `uv sync`,
    /// `poetry install`, `pipenv install`, `go mod download`, `cargo fetch`,
    /// `cargo build`, `bundle install`, `mvn dependency:go-offline`,
    /// `composer install`, `dotnet restore`) run after the whole source was
    /// copied (`COPY . .`) into the same stage, or into a stage it is built
    /// on.
    ///
    /// Installs of named packages (`npm install -g pm2`, `pip install
    /// flask`) do not read manifests and are not flagged, nor is an install
    /// of an ecosystem whose dependencies were already installed before the
    /// source was copied (the second `cargo build` of the dummy-source
    /// trick, `dotnet publish` after `dotnet restore`). Every stage is
    /// checked: builder stages are where this costs the most time.
    ///
    /// ## Why is this bad?
    /// Each instruction's cache depends on everything before it. After
    /// `COPY . .`, any edit to any file invalidates the copy, so the
    /// dependency install below it runs again from scratch on every build,
    /// downloading and compiling the same packages. Copying the manifests
    /// first and installing from them keeps that layer cached until the
    /// dependencies change. A cache mount (`--mount=type=cache`) makes the
    /// downloads faster but does not bring the layer back.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS build
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// RUN npm run build
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM node:22 AS build
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// RUN npm run build
    /// ```
    pub const MS009 = {
        id: "MS009",
        title: "Whole source copied before the dependency install",
        severity: Low,
        tags: ["performance"],
        equivalents: [],
    };
}

/// A dependency install that needs only manifests: its ecosystem, and what
/// to copy before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ecosystem {
    name: &'static str,
    manifests: &'static str,
}

const NPM: Ecosystem = Ecosystem {
    name: "npm",
    manifests: "package.json package-lock.json",
};
const YARN: Ecosystem = Ecosystem {
    name: "yarn",
    manifests: "package.json yarn.lock",
};
const PNPM: Ecosystem = Ecosystem {
    name: "pnpm",
    manifests: "package.json pnpm-lock.yaml",
};
const PIP: Ecosystem = Ecosystem {
    name: "pip",
    manifests: "the requirements file",
};
const UV: Ecosystem = Ecosystem {
    name: "uv",
    manifests: "pyproject.toml uv.lock",
};
const POETRY: Ecosystem = Ecosystem {
    name: "poetry",
    manifests: "pyproject.toml poetry.lock",
};
const PIPENV: Ecosystem = Ecosystem {
    name: "pipenv",
    manifests: "Pipfile Pipfile.lock",
};
const GO: Ecosystem = Ecosystem {
    name: "go",
    manifests: "go.mod go.sum",
};
const CARGO: Ecosystem = Ecosystem {
    name: "cargo",
    manifests: "Cargo.toml Cargo.lock",
};
const BUNDLER: Ecosystem = Ecosystem {
    name: "bundler",
    manifests: "Gemfile Gemfile.lock",
};
const MAVEN: Ecosystem = Ecosystem {
    name: "maven",
    manifests: "pom.xml",
};
const COMPOSER: Ecosystem = Ecosystem {
    name: "composer",
    manifests: "composer.json composer.lock",
};
const DOTNET: Ecosystem = Ecosystem {
    name: "dotnet",
    manifests: "the *.csproj / *.sln files",
};

/// The ecosystem whose dependencies `command` installs from manifests.
fn dependency_install(command: &SimpleCommand) -> Option<Ecosystem> {
    let run = command.command();
    // `python -m pip ...` is pip.
    let run = match run.program() {
        program if program.starts_with("python") => {
            let args = run.args();
            match args {
                [flag, module, rest @ ..]
                    if flag == "-m" && matches!(module.as_str(), "pip" | "pip3") =>
                {
                    Command::new("pip", rest)
                }
                _ => return None,
            }
        }
        _ => run,
    };
    let operands = run.operands();
    let subcommand = operands.first().copied();
    let no_packages = |sub: &str| run.operands_after(sub).is_empty();
    // Bare `yarn` and `bundle` install, but not `yarn --version`.
    let bare_install = || !run.has_flag(&["--version", "-v", "--help", "-h"]);
    match run.program() {
        "npm" => match subcommand {
            Some("ci") => Some(NPM),
            Some(sub @ ("install" | "i")) if no_packages(sub) => Some(NPM),
            _ => None,
        },
        "yarn" => match subcommand {
            None if bare_install() => Some(YARN),
            Some("install") => Some(YARN),
            _ => None,
        },
        "pnpm" => match subcommand {
            Some("fetch") => Some(PNPM),
            Some(sub @ ("install" | "i")) if no_packages(sub) => Some(PNPM),
            _ => None,
        },
        "pip" | "pip3" => {
            (subcommand == Some("install") && run.has_flag(&["-r", "--requirement"])).then_some(PIP)
        }
        "uv" => match subcommand {
            Some("sync") => Some(UV),
            Some("pip") if operands.get(1) == Some(&"install") => {
                run.has_flag(&["-r", "--requirement"]).then_some(UV)
            }
            _ => None,
        },
        "poetry" => (subcommand == Some("install")).then_some(POETRY),
        "pipenv" => match subcommand {
            Some("sync") => Some(PIPENV),
            Some("install") if no_packages("install") => Some(PIPENV),
            _ => None,
        },
        "go" => (subcommand == Some("mod") && operands.get(1) == Some(&"download")).then_some(GO),
        "cargo" => matches!(subcommand, Some("fetch" | "build" | "b")).then_some(CARGO),
        "bundle" | "bundler" => match subcommand {
            None if bare_install() => Some(BUNDLER),
            Some("install") => Some(BUNDLER),
            _ => None,
        },
        "mvn" | "mvnw" => operands
            .iter()
            .any(|goal| goal.starts_with("dependency:"))
            .then_some(MAVEN),
        "composer" => match subcommand {
            Some("install") if no_packages("install") => Some(COMPOSER),
            _ => None,
        },
        "dotnet" => (subcommand == Some("restore")).then_some(DOTNET),
        _ => None,
    }
}

/// The first whole-context copy met so far in build order.
#[derive(Clone, Copy)]
struct SourceCopy<'a> {
    stage: &'a Stage,
    instruction: &'a Instruction,
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        let mut chain = dockerfile.ancestry(stage);
        chain.reverse();
        let mut copied: Option<SourceCopy<'_>> = None;
        let mut installed_before_copy: Vec<Ecosystem> = Vec::new();
        for ancestor in chain {
            for instruction in &ancestor.instructions {
                if let Some(copy) = instruction.as_copy_or_add() {
                    if copied.is_none() && support::copies_whole_context(copy) {
                        copied = Some(SourceCopy {
                            stage: ancestor,
                            instruction,
                        });
                    }
                    continue;
                }
                let installs: Vec<(Ecosystem, &SimpleCommand)> = instruction
                    .run_commands()
                    .iter()
                    .filter(|command| !command.in_substitution)
                    .filter_map(|command| dependency_install(command).map(|e| (e, command)))
                    .collect();
                let Some(source) = copied else {
                    installed_before_copy.extend(installs.iter().map(|(ecosystem, _)| *ecosystem));
                    continue;
                };
                // Only the stage's own RUNs: its ancestors are checked as stages.
                if ancestor.index != stage.index {
                    continue;
                }
                let Some((ecosystem, command)) = installs
                    .iter()
                    .find(|(ecosystem, _)| !installed_before_copy.contains(ecosystem))
                else {
                    continue;
                };
                let copy_place = if source.stage.index == stage.index {
                    format!("line {}", source.instruction.line())
                } else {
                    format!(
                        "line {}, in stage {} this stage is built on",
                        source.instruction.line(),
                        source.stage.label()
                    )
                };
                findings.push(
                    Finding::at(&MS009, (stage, instruction))
                        .message(format!(
                            "`{}` installs {} dependencies after the whole source is copied \
                             ({copy_place}): any change to any file reruns the install",
                            command.text.trim(),
                            ecosystem.name
                        ))
                        .fix(format!(
                            "copy {} first, run the install, then copy the rest of the source",
                            ecosystem.manifests
                        )),
                );
            }
        }
    }
}
