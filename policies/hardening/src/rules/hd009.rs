use tallyman_sdk::model::{Applicability, Edit, Instruction, RunInstruction, SimpleCommand, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{Family, assignments, is_pip, mounts_cache_on, program, quoted, removes};
use crate::node_cache::NodeTool;
use crate::scope::{instructions_before, shipping_stages, variable};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags package manager caches a `RUN` leaves in its layer, per package
    /// manager:
    /// - apt: `apt-get update` without `rm -rf /var/lib/apt/lists/*` (or
    ///   `apt-get dist-clean`) after it in the same `RUN`;
    /// - apk: `apk add`/`update`/`upgrade` without `--no-cache` (or
    ///   `--no-network`, which downloads nothing), unless
    ///   `/var/cache/apk` is removed or `apk cache clean` runs after it;
    /// - yum, dnf, microdnf, tdnf: an install, upgrade or `makecache`
    ///   without `clean all` (or `rm -rf /var/cache/yum` or `/var/cache/dnf`)
    ///   after it;
    /// - zypper: an install, upgrade or refresh without `zypper clean`;
    /// - pip: `pip install` without `--no-cache-dir`, unless
    ///   `PIP_NO_CACHE_DIR` is set or the cache is removed (`pip cache
    ///   purge`, `rm -rf ~/.cache/pip`) after it;
    /// - yarn: `yarn install` (or a bare `yarn`, `yarn add`, `yarn global
    ///   add`) without `yarn cache clean` (or `rm -rf` of the cache, such
    ///   as `/usr/local/share/.cache/yarn` or `~/.cache/yarn`) after it;
    /// - npm: `npm install`, `npm ci` or `npm update` without `npm cache
    ///   clean --force` (or `rm -rf ~/.npm`) after it.
    ///
    /// A cache moved with `YARN_CACHE_FOLDER`, `--cache-folder`,
    /// `npm_config_cache` or `--cache` counts as emptied when that
    /// directory is removed or mounted. `--offline` installs download
    /// nothing.
    ///
    /// A `RUN --mount=type=cache` (or `tmpfs`) whose target is the cache
    /// directory (`/var/lib/apt/lists`, `/var/cache/apk`, `/root/.cache/pip`,
    /// `/usr/local/share/.cache/yarn`, `/root/.npm`, or a parent of it) is
    /// the better fix and counts as clean.
    ///
    /// Only the stages that ship are checked: the final stage and the
    /// stages it is built on. A builder stage's caches stay behind when
    /// only its artifacts are copied out.
    ///
    /// ## Why is this bad?
    /// The cache is written in the same layer as the packages, so deleting
    /// it in a later `RUN` does not shrink the image: the files stay in the
    /// lower layer. Package lists and downloaded archives add tens to
    /// hundreds of megabytes to every pull, and stale lists in the image
    /// mislead anyone who installs in a derived image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    ///
    /// `tallyman fix` adds `--no-cache-dir` after `pip install` (safe: only
    /// the cache differs). `tallyman fix --unsafe-fixes` ends a one-line
    /// `RUN` with its package manager's cleanup: `rm -rf
    /// /var/lib/apt/lists/*` (apt), `rm -rf /var/cache/apk/*` (apk),
    /// `dnf clean all` (or the `yum`, `microdnf`, `tdnf` that ran),
    /// `zypper clean --all`, `yarn cache clean`, `npm cache clean --force`.
    /// Unsafe: a later `RUN` that installs without refreshing the index
    /// relied on what is removed.
    pub const HD009 = {
        id: "HD009",
        title: "Package manager cache left in the layer",
        severity: Low,
        tags: ["size"],
        equivalents: [
            "hadolint:DL3009",
            "hadolint:DL3019",
            "hadolint:DL3032",
            "hadolint:DL3036",
            "hadolint:DL3040",
            "hadolint:DL3042",
            "hadolint:DL3060",
            "trivy:DS-0015",
            "trivy:DS-0019",
            "trivy:DS-0020",
            "trivy:DS-0025",
            "trivy:DS-0027",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        for (instruction, run) in stage.runs() {
            let commands = run.command.commands.as_slice();
            let mut reported: Vec<&str> = Vec::new();
            for (index, command) in commands.iter().enumerate() {
                let later = commands.get(index + 1..).unwrap_or_default();
                let earlier = commands.get(..index).unwrap_or_default();
                let lookup = |name: &str| variable(dockerfile, stage, instruction, earlier, name);
                let leaves = package_cache(command, later, run)
                    .or_else(|| pip_cache(&lookup, command, later, run))
                    .map(|(manager, dir)| (manager, dir.to_string()))
                    .or_else(|| {
                        let user = user_at(dockerfile, stage, instruction);
                        node_cache(&lookup, user, command, later, run)
                    });
                let Some((manager, dirs)) = leaves else {
                    continue;
                };
                if reported.contains(&manager) {
                    continue;
                }
                reported.push(manager);
                let (applicability, edit) = cache_edit(instruction, run, manager, command);
                findings.push(
                    Finding::at(&HD009, (stage, instruction))
                        .message(format!(
                            "{} leaves its cache in the layer ({dirs})",
                            quoted(command)
                        ))
                        .fix(fix(manager, &dirs))
                        .fix_edits(applicability, [edit]),
                );
            }
        }
    }
}

/// The family and its cache directory, when `command` fills a system
/// package manager's cache that nothing after it in the `RUN` empties.
fn package_cache(
    command: &SimpleCommand,
    later: &[SimpleCommand],
    run: &RunInstruction,
) -> Option<(&'static str, &'static str)> {
    let invocation = program(command);
    let family = Family::of(&invocation)?;
    let fills = match family {
        Family::Apt => family.refreshes_index(&invocation),
        Family::Apk => {
            (family.installs(&invocation) || family.refreshes_index(&invocation))
                // `--no-network` installs from what is already there.
                && !invocation.has_flag(&["--no-cache", "--no-network"])
        }
        Family::Rpm | Family::Zypper => {
            family.installs(&invocation) || family.refreshes_index(&invocation)
        }
    };
    if !fills {
        return None;
    }
    let dirs = family.cache_dirs();
    let emptied = dirs.iter().any(|dir| mounts_cache_on(run, dir))
        || later.iter().any(|after| {
            let cleaner = program(after);
            dirs.iter().any(|dir| removes(after, dir))
                || (Family::of(&cleaner) == Some(family) && family.cleans(&cleaner))
        });
    // Name the directory this program writes.
    let shown = match invocation.program() {
        "yum" | "microdnf" => "/var/cache/yum",
        "tdnf" => "/var/cache/tdnf",
        _ => dirs.first().copied().unwrap_or_default(),
    };
    (!emptied).then_some((family.name(), shown))
}

/// `pip install` that writes pip's cache, which nothing turns off or
/// empties.
fn pip_cache<'a>(
    lookup: &impl Fn(&str) -> Option<&'a str>,
    command: &SimpleCommand,
    later: &[SimpleCommand],
    run: &RunInstruction,
) -> Option<(&'static str, &'static str)> {
    let invocation = program(command);
    if !is_pip(invocation.program()) || !invocation.has_subcommand("install") {
        return None;
    }
    let cache_off = invocation.has_flag(&["--no-cache-dir", "--no-cache"])
        || assignments(command)
            .iter()
            .any(|(name, _)| *name == "PIP_NO_CACHE_DIR")
        || lookup("PIP_NO_CACHE_DIR").is_some();
    let cache_mounted = run.mounts.iter().any(|mount| {
        matches!(mount.kind.as_str(), "cache" | "tmpfs")
            && mount.target.as_deref().is_some_and(is_pip_cache_dir)
    });
    let emptied = later.iter().any(|after| {
        let cleaner = program(after);
        (is_pip(cleaner.program())
            && cleaner.has_subcommand("cache")
            && cleaner
                .operands()
                .get(1)
                .is_some_and(|what| matches!(*what, "purge" | "remove")))
            || (cleaner.is("rm")
                && cleaner
                    .operands()
                    .iter()
                    .any(|operand| is_pip_cache_dir(operand)))
    });
    (!cache_off && !cache_mounted && !emptied).then_some(("pip", "~/.cache/pip"))
}

/// `yarn install` or `npm ci` that writes its download cache, which no
/// cache mount keeps out and nothing after it empties.
fn node_cache<'a>(
    lookup: &impl Fn(&str) -> Option<&'a str>,
    user: Option<&str>,
    command: &'a SimpleCommand,
    later: &[SimpleCommand],
    run: &RunInstruction,
) -> Option<(&'static str, String)> {
    let tool = NodeTool::filled_by(&program(command))?;
    let moved_to = tool.moved_to(command, lookup);
    let kept_out =
        tool.mounted(run, moved_to) || later.iter().any(|after| tool.emptied_by(after, moved_to));
    if kept_out {
        return None;
    }
    let dir = match (moved_to, user) {
        (Some(dir), _) => dir.to_string(),
        (None, None | Some("root" | "0")) => tool.cache_dir().to_string(),
        (None, Some(name)) => {
            // A named user's home is /home/<name> by convention (node,
            // jovyan); a UID or a variable says nothing about it.
            let named = !name.contains('$') && !name.chars().all(|c| c.is_ascii_digit());
            tool.user_cache_dir(named.then(|| format!("/home/{name}")).as_deref())
        }
    };
    Some((tool.name(), dir))
}

/// The user a `RUN` runs as, from the last `USER` before it in the stage
/// and the stages it is built on; `None` when no `USER` was set.
fn user_at<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
    instruction: &Instruction,
) -> Option<&'a str> {
    instructions_before(dockerfile, stage, instruction.line())
        .into_iter()
        .rev()
        .find_map(Instruction::as_user)
        .map(|user| user.user.trim())
}

/// `/root/.cache/pip`, `~/.cache`, `$HOME/.cache/pip/*`.
fn is_pip_cache_dir(path: &str) -> bool {
    let path = path.trim_end_matches(['*', '/']);
    path.ends_with("/.cache/pip")
        || path.ends_with("/.cache")
        || path == "~/.cache"
        || path == "~/.cache/pip"
}

/// The edit that keeps `manager`'s cache out of the layer: `pip install
/// --no-cache-dir` (safe: only the cache differs), or a cleanup at the end
/// of a one-line `RUN` (unsafe: a later `RUN` that installs without
/// refreshing the index relied on it).
fn cache_edit(
    instruction: &Instruction,
    run: &RunInstruction,
    manager: &str,
    command: &SimpleCommand,
) -> (Applicability, Option<Edit>) {
    let invocation = program(command);
    let cleanup = match manager {
        "pip" => return (Applicability::Safe, after_install(instruction, command)),
        "apt-get" => "rm -rf /var/lib/apt/lists/*".to_string(),
        "apk" => "rm -rf /var/cache/apk/*".to_string(),
        "yum/dnf" => match invocation.program() {
            program @ ("yum" | "dnf" | "dnf5" | "microdnf" | "tdnf") => {
                format!("{program} clean all")
            }
            _ => return (Applicability::Unsafe, None),
        },
        "zypper" => "zypper clean --all".to_string(),
        "yarn" => "yarn cache clean".to_string(),
        "npm" => "npm cache clean --force".to_string(),
        _ => return (Applicability::Unsafe, None),
    };
    (
        Applicability::Unsafe,
        append_to_script(instruction, run, &cleanup),
    )
}

/// ` && cleanup` at the end of a one-line shell-form `RUN` whose script
/// ends in a command: not after an operator, and with no comment that
/// would swallow it.
fn append_to_script(
    instruction: &Instruction,
    run: &RunInstruction,
    cleanup: &str,
) -> Option<Edit> {
    let script = run
        .command
        .args
        .first()
        .filter(|_| !run.command.exec_form)?;
    let ends_in_command = script
        .trim_end()
        .chars()
        .last()
        .is_some_and(|last| !";&|\\({".contains(last));
    if !ends_in_command || script.contains('#') {
        return None;
    }
    let end = instruction.original.trim_end().len();
    Edit::at(instruction.text_span(end..end), format!(" && {cleanup}"))
}

/// ` --no-cache-dir` right after `install`, on the `RUN`'s first line.
fn after_install(instruction: &Instruction, command: &SimpleCommand) -> Option<Edit> {
    let index = command.args.iter().position(|arg| arg == "install")?;
    if command.arg_lines.get(index).copied() != Some(command.line) {
        return None;
    }
    let text = command.text.trim();
    let mut offset = 0;
    for token in text.split([' ', '\t']) {
        if token == "install" {
            let end = offset + token.len();
            return Edit::at(
                instruction.command_text_span(command, end..end),
                " --no-cache-dir",
            );
        }
        offset += token.len() + 1;
    }
    None
}

fn fix(manager: &str, dir: &str) -> String {
    let cleanup = match manager {
        "apt-get" => "end the `RUN` with `&& rm -rf /var/lib/apt/lists/*`",
        "apk" => "use `apk add --no-cache`",
        "yum/dnf" => "end the `RUN` with `&& dnf clean all` (or `yum clean all`)",
        "zypper" => "end the `RUN` with `&& zypper clean --all`",
        "yarn" => "end the `RUN` with `&& yarn cache clean`",
        "npm" => "end the `RUN` with `&& npm cache clean --force`",
        _ => "use `pip install --no-cache-dir` or set `ENV PIP_NO_CACHE_DIR=1`",
    };
    let target = if manager == "pip" {
        "/root/.cache/pip".to_string()
    } else {
        // A mount target is absolute: name the home a `~` stands for.
        dir.replacen('~', "<home>", 1)
    };
    format!(
        "{cleanup}, or keep the cache out of the image with `RUN --mount=type=cache,target={target}`"
    )
}
