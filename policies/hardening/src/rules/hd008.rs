use tallyman_sdk::model::{Connector, SimpleCommand};
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{Family, SHELLS, program, quoted, removes};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a package index refresh (`apt-get update`, `apk update`,
    /// `dnf makecache`, `zypper refresh`) that no install or upgrade of the
    /// same package manager follows in the same `RUN`. The split commands
    /// are used, so `apt-get update && apt-get install`, `apt-get update;
    /// DEBIAN_FRONTEND=noninteractive apt-get -y install`, an install in a
    /// nested `sh -c` or behind `xargs` all count; an install that runs
    /// only when the update fails (`apt-get update || apt-get install …`)
    /// does not.
    ///
    /// Not flagged either: a refresh followed by a local script
    /// (`./install-deps.sh`, `bash /tmp/setup.sh`), which may install; a
    /// refresh whose index the same `RUN` deletes again (`apt-get update`
    /// to check a repository, then `rm -rf /var/lib/apt/lists/*` or
    /// `apt-get dist-clean`), which leaves nothing to go stale.
    /// `yum update`/`dnf upgrade` install packages themselves and are not
    /// refreshes.
    ///
    /// ## Why is this bad?
    /// The refreshed index is cached in its own layer. When a later `RUN`
    /// installs, the build cache reuses that old layer: the install works
    /// from an index that can be months old, fails when packages it lists
    /// are gone from the mirror, or silently installs outdated versions
    /// with known vulnerabilities.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    pub const HD008 = {
        id: "HD008",
        title: "Package index update without install in the same RUN",
        severity: Medium,
        tags: ["cis-docker-1.6:4.7"],
        equivalents: ["trivy:DS-0017", "checkov:CKV_DOCKER_5"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let commands = instruction.run_commands();
        for (index, command) in commands.iter().enumerate() {
            let run = program(command);
            let Some(family) = Family::of(&run) else {
                continue;
            };
            if !family.refreshes_index(&run) {
                continue;
            }
            let later = commands.get(index + 1..).unwrap_or_default();
            if installs_after(later, command, family)
                || removes_index(later, family)
                || later.iter().any(runs_local_script)
            {
                continue;
            }
            findings.push(
                Finding::at(&HD008, (stage, instruction))
                    .message(format!(
                        "{} refreshes the package index, but nothing in this `RUN` installs \
                         with it: a later install reuses the cached, ageing index",
                        quoted(command)
                    ))
                    .fix(format!(
                        "install in the same `RUN`: `{} && {} …`",
                        command.text.trim(),
                        install_example(family)
                    )),
            );
            break;
        }
    }
}

/// An install of `family` runs after `update` in the same script, and not
/// only when the update failed.
fn installs_after(later: &[SimpleCommand], update: &SimpleCommand, family: Family) -> bool {
    later.iter().enumerate().any(|(at, command)| {
        let run = program(command);
        let only_on_failure =
            at == 0 && command.connector == Connector::Or && command.pipeline != update.pipeline;
        Family::of(&run) == Some(family) && family.installs(&run) && !only_on_failure
    })
}

/// The refreshed index is deleted later in the `RUN` (`apt-get update`
/// to check a new repository, then `apt-get dist-clean`): no layer keeps it.
fn removes_index(later: &[SimpleCommand], family: Family) -> bool {
    later.iter().any(|command| {
        let run = program(command);
        (Family::of(&run) == Some(family) && family.cleans(&run))
            || family.cache_dirs().iter().any(|dir| removes(command, dir))
    })
}

/// `./install.sh`, `/tmp/setup.sh`, `sh install.sh`: a script this rule
/// cannot see into.
fn runs_local_script(command: &SimpleCommand) -> bool {
    let run = program(command);
    if command.name.contains('/')
        && !command.name.starts_with("/usr/")
        && !command.name.starts_with("/bin/")
    {
        return true;
    }
    let inline = run
        .args()
        .iter()
        .any(|arg| arg.starts_with('-') && !arg.starts_with("--") && arg.contains('c'));
    run.is_any(SHELLS)
        && !inline
        && run
            .args()
            .iter()
            .find(|arg| !arg.starts_with('-'))
            .is_some_and(|script| script.ends_with(".sh") || script.contains('/'))
}

fn install_example(family: Family) -> &'static str {
    match family {
        Family::Apt => "apt-get install -y --no-install-recommends",
        Family::Apk => "apk add",
        Family::Rpm => "dnf install -y",
        Family::Zypper => "zypper --non-interactive install",
    }
}
