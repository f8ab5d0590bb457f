use tallyman_sdk::model::{Instruction, RunInstruction, SimpleCommand, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::files::{is_within, resolve};
use crate::logins::{Login, is_logout, login};
use crate::settings::Settings;
use crate::support::{Walk, shipping_stages};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `RUN` of a stage that ships which logs a CLI in with a
    /// credential that the CLI then keeps in a file of the image:
    /// - `aws configure set aws_secret_access_key|aws_session_token`,
    ///   `aws configure import` (`~/.aws/credentials`);
    /// - `gcloud auth activate-service-account`, `gcloud auth login
    ///   --cred-file` (`~/.config/gcloud`);
    /// - `az login` with `-p`/`--password`, `--federated-token` or
    ///   `--service-principal` (`~/.azure`);
    /// - `doctl auth init` (`~/.config/doctl`);
    /// - `docker login`, `oras login` (`~/.docker/config.json`),
    ///   `helm registry login` (`~/.config/helm/registry/config.json`).
    ///
    /// Wherever the credential comes from: a BuildKit secret mount keeps
    /// it out of the Dockerfile and the history, but the CLI still writes
    /// it to its store, in the layer of this `RUN`. Nothing is reported
    /// when the store does not end up in the layer: a mount of the `RUN`
    /// covers it (`--mount=type=tmpfs,target=/root/.aws`), the same `RUN`
    /// removes it afterwards (`rm -rf ~/.aws`) or logs out (`docker
    /// logout`, `gcloud auth revoke`, `az logout`, `doctl auth remove`),
    /// or a variable moves it somewhere this rule cannot follow. The home
    /// directory is the `USER`'s (`/root` for root, `/home/<user>`
    /// otherwise) unless `ENV HOME` says. Only stages that ship are
    /// checked: a builder stage's layers are not part of the image.
    ///
    /// A credential written out in the command is also SEC008's, and a
    /// secret build argument SEC006's.
    ///
    /// ## Why is this bad?
    /// Everyone who can pull the image can read the credential from the
    /// layer (`docker save`, or `docker run ... cat ~/.aws/credentials`),
    /// long after the build: a cloud key, a service account key or a
    /// registry password. Removing it in a later `RUN` does not take it out
    /// of the earlier layer. Trivy's DS-0031 and Checkov's CKV2_DOCKER_17
    /// look at how the credential is passed; this rule looks at where it
    /// is kept, which a secret mount does not change.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM amazon/aws-cli:2.17.0
    /// RUN --mount=type=secret,id=aws_key,env=AWS_SECRET_ACCESS_KEY \
    ///     aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY" \
    ///  && aws s3 cp s3://bucket/model.bin /models/
    /// ```
    ///
    /// ## Fix
    /// Pass the credential to the command through the environment, where
    /// the CLI reads it without storing it, or keep the store on a tmpfs:
    /// ```dockerfile
    /// FROM amazon/aws-cli:2.17.0
    /// RUN --mount=type=secret,id=aws_key,env=AWS_SECRET_ACCESS_KEY \
    ///     --mount=type=secret,id=aws_key_id,env=AWS_ACCESS_KEY_ID \
    ///     aws s3 cp s3://bucket/model.bin /models/
    /// ```
    pub const SEC009 = {
        id: "SEC009",
        title: "CLI login keeps a credential in the image",
        severity: High,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: ["trivy:DS-0031"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        let mut walk = Walk::at_start(dockerfile, stage);
        for instruction in &stage.instructions {
            if let Some(run) = instruction.as_run() {
                check_run(dockerfile, stage, instruction, run, &walk, findings);
            }
            walk.apply(instruction);
        }
    }
}

fn check_run(
    dockerfile: &Dockerfile,
    stage: &Stage,
    instruction: &Instruction,
    run: &RunInstruction,
    walk: &Walk,
    findings: &mut Vec<Finding>,
) {
    let commands = &run.command.commands;
    for (at, command) in commands.iter().enumerate() {
        let Some(login) = login(command) else {
            continue;
        };
        let earlier = commands.get(..at).unwrap_or_default();
        let Some(store) = store_path(
            dockerfile,
            stage,
            instruction,
            earlier,
            command,
            &login,
            walk,
        ) else {
            continue;
        };
        let mounted = run.mounts.iter().any(|mount| {
            mount
                .target
                .as_deref()
                .is_some_and(|target| is_within(&store, &walk.resolve(target)))
        });
        let later = commands.get(at + 1..).unwrap_or_default();
        let cleaned = later
            .iter()
            .any(|later| is_logout(&login, later) || removes(later, &store, walk));
        if mounted || cleaned {
            continue;
        }
        let directory = if login.store.directory {
            store.clone()
        } else {
            resolve(&store, "..")
        };
        findings.push(
            Finding::at(&SEC009, (stage, instruction))
                .on_line_of(command)
                .message(format!(
                    "{} stores the credential in {store}, which stays in this step's layer of the \
                     image, wherever the value came from",
                    login.what
                ))
                .fix(format!(
                    "give the credential to the commands that need it as environment variables \
                     from a secret mount, or keep the store off the layer \
                     (`RUN --mount=type=tmpfs,target={directory} ...`, or `&& rm -rf {store}` at \
                     the end of this RUN), or log in only in a builder stage"
                )),
        );
    }
}

/// Where `login` writes: its store under the home directory, or where
/// its variable moves it. `None` when the variable's value is not known.
fn store_path(
    dockerfile: &Dockerfile,
    stage: &Stage,
    instruction: &Instruction,
    earlier: &[SimpleCommand],
    command: &SimpleCommand,
    login: &Login,
    walk: &Walk,
) -> Option<String> {
    let store = login.store;
    let moved = command
        .assignment(store.variable)
        .map(str::to_string)
        .or_else(|| exported(earlier, store.variable))
        .or_else(|| {
            dockerfile
                .env_before(stage, instruction.line(), store.variable)
                .map(str::to_string)
        });
    if let Some(value) = moved {
        if value.contains('$') || value.is_empty() {
            return None;
        }
        let place = walk.resolve(&value);
        return Some(if store.file_in_variable.is_empty() {
            place
        } else {
            resolve(&place, store.file_in_variable)
        });
    }
    let home = match dockerfile.env_before(stage, instruction.line(), "HOME") {
        Some(home) if home.contains('$') => return None,
        Some(home) if home.starts_with('/') => home.to_string(),
        _ => walk.home(),
    };
    Some(resolve(&home, store.in_home))
}

/// The value an `export NAME=value` (or a bare `NAME=value`) earlier in
/// the script gives `name`.
fn exported(earlier: &[SimpleCommand], name: &str) -> Option<String> {
    earlier.iter().rev().find_map(|command| {
        let from_export = (command.name == "export")
            .then(|| {
                command
                    .args
                    .iter()
                    .find_map(|arg| arg.strip_prefix(name)?.strip_prefix('='))
            })
            .flatten();
        let bare = command
            .name
            .is_empty()
            .then(|| command.assignment(name))
            .flatten();
        from_export.or(bare).map(str::to_string)
    })
}

/// `rm` of the store or of a directory it is in (`rm -rf ~/.aws`,
/// `rm -rf /root/.docker/*`).
fn removes(command: &SimpleCommand, store: &str, walk: &Walk) -> bool {
    let rm = command.command();
    rm.program() == "rm"
        && rm.operands().iter().any(|operand| {
            let removed = operand.trim_end_matches('*').trim_end_matches('/');
            !removed.is_empty() && is_within(store, &walk.resolve(removed))
        })
}
