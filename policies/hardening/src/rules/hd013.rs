use tallyman_sdk::model::{
    CommandLine, Connector, HealthcheckInstruction, ImageReference, InstructionDetail,
    SimpleCommand,
};
use tallyman_sdk::{Dockerfile, Finding, Image, Severity};

use crate::history::split;
use crate::scope::{is_windows, shell_before, shipping_stages};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` in shell form
    /// (`CMD node server.js`, `HEALTHCHECK CMD curl -f http://localhost/`)
    /// in the stages that ship: the final stage and the stages it is built
    /// on. Not flagged:
    /// - a `CMD` or `ENTRYPOINT` script that ends with `exec …`, which
    ///   replaces the shell with the program;
    /// - a stage where `SHELL` was set explicitly, as BuildKit does: the
    ///   author chose the shell that runs it;
    /// - Windows images, where `cmd` is the shell and signals work
    ///   differently;
    /// - builder stages, which never run as containers.
    ///
    /// hadolint's DL3025 covers the same three instructions (since hadolint
    /// 6e37923); BuildKit's JSONArgsRecommended and KICS's "Not Using JSON
    /// In CMD And ENTRYPOINT Arguments" cover `CMD` and `ENTRYPOINT` only.
    ///
    /// A shell-form health check is reported at info, since it works where
    /// the image has a shell, and at medium in an image with no shell
    /// (`FROM scratch`, distroless, .NET's chiseled images), where it fails
    /// on every run, so the container is never healthy.
    ///
    /// `tallyman image` flags the same in the image config: a `Healthcheck`
    /// of `CMD-SHELL`, and an `Entrypoint` or `Cmd` of `/bin/sh -c <script>`
    /// (what the shell form writes there), on Linux images.
    ///
    /// ## Why is this bad?
    /// The shell form runs `/bin/sh -c "<command>"`: the shell is PID 1 and
    /// the program its child. `docker stop` sends `SIGTERM` to the shell,
    /// which does not forward it, so the program never shuts down cleanly
    /// and is killed after the timeout. Arguments given to `docker run` are
    /// also ignored by a shell-form `ENTRYPOINT`. A shell-form health check
    /// needs `/bin/sh` in the image: without one it can never pass.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENTRYPOINT node server.js
    /// HEALTHCHECK CMD curl -fsS http://localhost:8080/health
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// ENTRYPOINT ["node", "server.js"]
    /// HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8080/health"]
    /// ```
    /// or, when a shell is needed for variable expansion,
    /// `ENTRYPOINT exec node server.js --port "$PORT"`.
    ///
    /// `tallyman fix --unsafe-fixes` writes the exec form of a `CMD` or
    /// `ENTRYPOINT` that is one plain command on one line (unsafe: no shell
    /// runs any more, and an exec-form `ENTRYPOINT` takes `CMD` as arguments).
    pub const HD013 = {
        id: "HD013",
        title: "Shell form ENTRYPOINT, CMD or HEALTHCHECK",
        severity: Low,
        tags: ["reliability"],
        equivalents: [
            "hadolint:DL3025",
            "buildkit:JSONArgsRecommended",
            "kics:b86987e1-6397-4619-81d5-8807f2387c79",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        if is_windows(dockerfile, stage) {
            continue;
        }
        for instruction in &stage.instructions {
            let (command, is_healthcheck) = match &instruction.detail {
                InstructionDetail::Cmd(command) | InstructionDetail::Entrypoint(command) => {
                    (command, false)
                }
                InstructionDetail::Healthcheck(HealthcheckInstruction {
                    command: Some(command),
                    ..
                }) => (command, true),
                _ => continue,
            };
            if command.exec_form
                || (!is_healthcheck && execs_directly(command))
                || shell_before(dockerfile, stage, instruction.line()).is_some()
            {
                continue;
            }
            let finding = Finding::at(&HD013, (stage, instruction));
            findings.push(if is_healthcheck {
                healthcheck_finding(finding, command, dockerfile.root_base(stage))
            } else {
                let exec_line = exec_form_edit(&command.commands).map(|json| {
                    format!(
                        "{} {json}",
                        instruction.in_keyword_case(&instruction.keyword)
                    )
                });
                let finding = entrypoint_finding(finding, &instruction.keyword, command);
                match exec_line {
                    Some(line) => finding.unsafe_edit(instruction.whole_span(), line),
                    None => finding,
                }
            });
        }
    }
}

fn entrypoint_finding(finding: Finding, keyword: &str, command: &CommandLine) -> Finding {
    let script = command.args.join(" ");
    finding
        .message(format!(
            "`{keyword} {script}` runs under `/bin/sh -c`, which does not pass \
             `docker stop`'s SIGTERM on to the program"
        ))
        .fix(match exec_form(&command.commands) {
            Some(json) => format!("use the exec form: `{keyword} {json}`"),
            None => format!(
                "use the exec form (`{keyword} [\"executable\", \"arg\"]`), or \
                 start the script with `exec` so that the program replaces the shell"
            ),
        })
}

fn healthcheck_finding(finding: Finding, command: &CommandLine, base: &ImageReference) -> Finding {
    let script = command.args.join(" ");
    let finding = if has_no_shell(base) {
        finding.severity(Severity::Medium).message(format!(
            "`HEALTHCHECK CMD {script}` runs under `/bin/sh -c`, but the image is built on \
             `{}`, which has no shell: the check fails every time and the container never \
             becomes healthy",
            base.expanded
        ))
    } else {
        // Where a shell exists the check works: only a process per check
        // and a dependency on the shell are at stake.
        finding.severity(Severity::Info).message(format!(
            "`HEALTHCHECK CMD {script}` runs under `/bin/sh -c`: it needs a shell in the \
             image and starts one at every check"
        ))
    };
    // Any exit status but 0 marks the container unhealthy: the customary
    // `|| exit 1` adds nothing to the exec form.
    let commands = without_trailing_exit_1(&command.commands);
    finding.fix(match exec_form(commands) {
        Some(json) => format!("use the exec form: `HEALTHCHECK CMD {json}`"),
        None => "use the exec form (`HEALTHCHECK CMD [\"executable\", \"arg\"]`): any \
                 non-zero exit status counts as unhealthy"
            .to_string(),
    })
}

/// `curl -f http://localhost/ || exit 1` without its `|| exit 1`.
fn without_trailing_exit_1(commands: &[SimpleCommand]) -> &[SimpleCommand] {
    match commands {
        [rest @ .., last]
            if !rest.is_empty()
                && last.name == "exit"
                && last.args == ["1"]
                && last.connector == Connector::Or =>
        {
            rest
        }
        _ => commands,
    }
}

/// A base with no `/bin/sh`: `scratch`, distroless images (not their
/// `debug` tags, which carry busybox) and .NET's chiseled images.
fn has_no_shell(base: &ImageReference) -> bool {
    if base.is_scratch() {
        return true;
    }
    base.image().is_some_and(|name| {
        let tag = name.tag.as_deref().unwrap_or_default().to_ascii_lowercase();
        ((name.is_distroless() || tag.contains("distroless")) && !name.has_variant("debug"))
            || tag.contains("chiseled")
    })
}

/// `CMD exec nginx -g 'daemon off;'`, `CMD prepare && exec app`: the
/// shell ends by replacing itself with the program.
fn execs_directly(command: &CommandLine) -> bool {
    ends_with_exec(&command.commands)
}

fn ends_with_exec(commands: &[SimpleCommand]) -> bool {
    commands
        .iter()
        .rfind(|command| command.shell_depth == 0 && !command.in_substitution)
        .is_some_and(|last| last.name == "exec")
}

/// The JSON form of a script that is one plain command.
/// The exec form of a script that is one plain command, as JSON, for an
/// edit: only words the shell reads as they are written, or quoted (no
/// variables, globs, redirections, escapes or operators), so that the
/// program receives the same arguments. Unsafe all the same: the shell no
/// longer runs, and an exec-form `ENTRYPOINT` takes `CMD` as arguments.
fn exec_form_edit(commands: &[SimpleCommand]) -> Option<String> {
    let [only] = commands else {
        return None;
    };
    let plain = |c: char| c.is_ascii_alphanumeric() || " \t-_./:=@%+,\"'".contains(c);
    if !only.assignments.is_empty() || only.name.is_empty() || !only.text.chars().all(plain) {
        return None;
    }
    // The characters allowed above need no JSON escape but these two.
    let json = |word: &String| format!("\"{}\"", word.replace('"', "\\\"").replace('\t', "\\t"));
    let words: Vec<String> = std::iter::once(&only.name)
        .chain(&only.args)
        .map(json)
        .collect();
    Some(format!("[{}]", words.join(", ")))
}

fn exec_form(commands: &[SimpleCommand]) -> Option<String> {
    match commands {
        [only] if only.assignments.is_empty() && !only.text.contains(['$', '*', '?', '~']) => {
            let words: Vec<String> = std::iter::once(&only.name)
                .chain(&only.args)
                .map(|word| format!("{word:?}"))
                .collect();
            Some(format!("[{}]", words.join(", ")))
        }
        _ => None,
    }
}

/// The image config as the shell forms leave it: a `Healthcheck` test of
/// `CMD-SHELL`, an `Entrypoint` or `Cmd` of `/bin/sh -c <script>`. Windows
/// images are left alone, as in Dockerfiles.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    if image.platform.os.eq_ignore_ascii_case("windows") {
        return;
    }
    let config = &image.config;
    for (key, words) in [("Entrypoint", &config.entrypoint), ("Cmd", &config.cmd)] {
        if let Some([shell, dash_c, script]) = words.as_deref()
            && shell == "/bin/sh"
            && dash_c == "-c"
            && !ends_with_exec(&split(script))
        {
            findings.push(
                Finding::new(&HD013)
                    .message(format!(
                        "the image's `{key}` is `/bin/sh -c {script:?}`: the shell is PID 1 \
                         and does not pass `docker stop`'s SIGTERM on to the program"
                    ))
                    .fix(
                        "build the image with the exec form (`CMD [\"executable\", \"arg\"]`), \
                         or start the script with `exec`",
                    ),
            );
        }
    }
    if let Some(healthcheck) = &config.healthcheck
        && let [kind, script, ..] = healthcheck.test.as_slice()
        && kind == "CMD-SHELL"
    {
        findings.push(
            Finding::new(&HD013)
                .severity(Severity::Info)
                .message(format!(
                    "the image's health check is `CMD-SHELL {script:?}`: it needs a shell in \
                     the image and starts one at every check"
                ))
                .fix(
                    "build the image with `HEALTHCHECK CMD [\"executable\", \"arg\"]`: any \
                     non-zero exit status counts as unhealthy",
                ),
        );
    }
}
