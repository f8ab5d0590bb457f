use tallyman_sdk::{Dockerfile, Finding};

use crate::scope::instructions_before;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `COPY` or `ADD` to a relative destination (`COPY app.py .`,
    /// `COPY src/ src/`) in a stage where no `WORKDIR` is set before it,
    /// neither in the stage nor in the stages it is built on (`FROM
    /// base`), in any stage.
    ///
    /// Not flagged:
    /// - an absolute destination (`/app/`, `C:\app` on Windows);
    /// - a destination whose value the build decides (`COPY app $APP_HOME`
    ///   with no `ARG` default or `ENV` value);
    /// - a stage built on `scratch`, whose working directory is `/`;
    /// - an `ONBUILD COPY`, which runs in the image built from this one,
    ///   under that image's `WORKDIR`.
    ///
    /// ## Why is this bad?
    /// A relative destination is relative to the working directory, which
    /// no instruction of the file sets: it is the base image's
    /// `WorkingDir`, `/` for most but not for all (`golang` uses `/go`,
    /// `php` `/var/www/html`, the Jupyter images the notebook user's home),
    /// and it changes when the base image does. Where the files land, and
    /// what a later `COPY --from` of them must name, is not visible in the
    /// Dockerfile; copied to `/`, they mix with the system's directories.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// COPY app.py .
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// WORKDIR /app
    /// COPY app.py .
    /// ```
    pub const HD033 = {
        id: "HD033",
        title: "COPY to a relative destination without WORKDIR",
        severity: Low,
        tags: ["maintainability"],
        equivalents: ["hadolint:DL3045"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        let base = dockerfile.root_base(stage);
        if base.is_scratch() {
            continue;
        }
        for instruction in &stage.instructions {
            let Some(copy) = instruction.as_copy_or_add() else {
                continue;
            };
            let destination = copy.destination.trim();
            if destination.is_empty() || is_absolute(destination) || destination.contains('$') {
                continue;
            }
            let workdir_set = instructions_before(dockerfile, stage, instruction.line())
                .into_iter()
                .any(|earlier| earlier.as_workdir().is_some());
            if workdir_set {
                continue;
            }
            findings.push(
                Finding::at(&HD033, (stage, instruction))
                    .message(format!(
                        "`{}` copies to `{destination}`, relative to a working directory no \
                         `WORKDIR` of this stage sets: whatever `{}` sets, `/` for most images",
                        instruction.keyword, base.expanded
                    ))
                    .fix(
                        "set the directory first (`WORKDIR /app`), or copy to an absolute \
                         destination",
                    ),
            );
        }
    }
}

/// `/app`, `\app`, `C:\app`, `c:/app`.
fn is_absolute(path: &str) -> bool {
    let mut chars = path.chars();
    match (chars.next(), chars.next()) {
        (Some('/' | '\\'), _) => true,
        (Some(drive), Some(':')) => drive.is_ascii_alphabetic(),
        _ => false,
    }
}
