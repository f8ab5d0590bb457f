use tallyman_sdk::model::{Instruction, SimpleCommand, Stage};
use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::rules::hd001::is_dev_container;
use crate::scope::{instructions_before, is_windows};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a final stage whose user is a name (`USER app`, `USER
    /// node:node`) rather than a numeric UID (`USER 10001`, `USER
    /// 10001:app`). The user is the last `USER` that applies to the final
    /// stage: its own, or else the one it inherits from the stage it is
    /// built on. Variables are resolved (`ARG APP_UID=10001` then `USER
    /// $APP_UID` is numeric; `ENV APP_USER=app` then `USER $APP_USER` is
    /// not).
    ///
    /// Not flagged:
    /// - a `USER` in another stage, or an earlier `USER` of the final stage
    ///   (`USER root` to install packages, then `USER 10001`);
    /// - a value the file does not decide (`USER $APP_UID` with no `ARG`
    ///   default or `ENV` value): the build does, and `tallyman image` sees
    ///   the result;
    /// - `USER root`: HD001 reports it;
    /// - Windows images (`ContainerUser`), where users are names;
    /// - dev containers, which are not deployed (see HD001).
    ///
    /// `tallyman image` checks the image's `User` the same way.
    ///
    /// ## Why is this bad?
    /// Kubernetes' `runAsNonRoot: true` (required by the `restricted` Pod
    /// Security Standard) can only check a numeric user: with a name, the
    /// kubelet refuses to start the container ("image has non-numeric user
    /// (app), cannot verify user is non-root") unless the pod also sets
    /// `runAsUser`. A UID is also what file ownership and volume
    /// permissions are decided by.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY --chown=node:node . /app
    /// USER node
    /// ```
    ///
    /// ## Fix
    /// Use the user's UID (the `node` user of the Node.js images is 1000):
    /// ```dockerfile
    /// USER 1000
    /// ```
    pub const HD030 = {
        id: "HD030",
        title: "Final USER is not a numeric UID",
        severity: Low,
        tags: ["portability"],
        equivalents: ["hadolint:DL3066"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    if is_windows(dockerfile, stage) || is_dev_container(dockerfile, stage) {
        return;
    }
    let Some((owner, instruction)) = dockerfile.inherited_instruction(stage, "USER") else {
        return;
    };
    let Some(user) = instruction.as_user() else {
        return;
    };
    let name = user.user.trim();
    if !is_a_name(name) {
        return;
    }
    let written = instruction.args.join(" ");
    let resolved = if written.contains('$') {
        format!(" (`USER {written}`)")
    } else {
        String::new()
    };
    let whose = if owner.index == stage.index {
        format!(
            "the final stage {} runs as `{name}`{resolved}",
            stage.label()
        )
    } else {
        format!(
            "the final stage {} inherits `USER {written}` from stage {}, so it runs as \
             `{name}`",
            stage.label(),
            owner.label()
        )
    };
    let fix = match created_uid(dockerfile, owner, instruction, name) {
        Some(uid) => format!(
            "use the UID the file gives `{name}`: `USER {uid}{}`",
            user.group
                .as_deref()
                .map(|group| format!(":{group}"))
                .unwrap_or_default()
        ),
        None => format!(
            "use the numeric UID of `{name}` (`USER <uid>`), giving the user a fixed UID \
             where the file creates it (`useradd -u 10001 {name}`)"
        ),
    };
    findings.push(
        Finding::at(&HD030, (owner, instruction))
            .message(format!(
                "{whose}, a name: Kubernetes `runAsNonRoot` cannot verify \
                 a name is not root and refuses to start the container unless the pod sets \
                 `runAsUser`"
            ))
            .fix(fix),
    );
}

/// A user name the file decides: not a UID, not root (HD001's), not empty
/// or left to a build argument.
fn is_a_name(user: &str) -> bool {
    !user.is_empty()
        && !user.contains('$')
        && !user.chars().all(|c| c.is_ascii_digit())
        && user != "root"
}

/// The UID an earlier `useradd -u 10001 app` / `adduser -u 10001 app` of
/// the stage or the stages it is built on gives `name`.
fn created_uid<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
    user: &'a Instruction,
    name: &str,
) -> Option<&'a str> {
    instructions_before(dockerfile, stage, user.line())
        .into_iter()
        .flat_map(Instruction::run_commands)
        .filter(|command| matches!(command.name.as_str(), "useradd" | "adduser"))
        .filter(|command| command.args.last().is_some_and(|last| last == name))
        .find_map(uid_option)
}

/// The value of `-u`/`--uid` (`-u 10001`, `-u10001`, `--uid=10001`), when
/// it is a number.
fn uid_option(command: &SimpleCommand) -> Option<&str> {
    let mut words = command.args.iter();
    while let Some(word) = words.next() {
        let value = match word.as_str() {
            "-u" | "--uid" => words.next().map(String::as_str),
            other => other
                .strip_prefix("--uid=")
                .or_else(|| other.strip_prefix("-u").filter(|rest| !rest.is_empty())),
        };
        if let Some(uid) =
            value.filter(|uid| !uid.is_empty() && uid.chars().all(|c| c.is_ascii_digit()))
        {
            return Some(uid);
        }
    }
    None
}

/// The image's `User` is a name (Linux images; an empty user is root,
/// HD001's).
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    if image.platform.os.eq_ignore_ascii_case("windows") {
        return;
    }
    let written = image.config.user.trim();
    let user = written.split(':').next().unwrap_or_default();
    if !is_a_name(user) {
        return;
    }
    findings.push(
        Finding::new(&HD030)
            .message(format!(
                "the image's `User` is `{written}`, a name: Kubernetes `runAsNonRoot` cannot \
                 verify a name is not root and refuses to start the container unless the pod \
                 sets `runAsUser`"
            ))
            .fix("build the image with `USER <uid>` (a number such as `10001`)"),
    );
}
