use std::collections::BTreeSet;

use tallyman_sdk::model::{Instruction, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::base_env::known_env;
use crate::scope::{
    AUTOMATIC_ARGS, NEVER_REPORTED, defined_by, defined_later, global_args, inherited,
};
use crate::settings::Settings;
use crate::suggest::near_miss;
use crate::uses::variable_uses;
use crate::words::Guard;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a variable used where BuildKit expands it itself (`COPY`,
    /// `ADD`, `ENV`, `LABEL`, `ARG` defaults, `WORKDIR`, `USER`, `VOLUME`,
    /// `STOPSIGNAL`, `EXPOSE`, `RUN --mount` options, `COPY` heredocs) that
    /// nothing defines at that point: no `ARG` or `ENV` of the stage before
    /// it, none in the stages it is built on, and not set by its base image.
    ///
    /// What base images set is known for the official operating system and
    /// language images (`debian`, `alpine`, `python`, `node`, `golang`,
    /// `eclipse-temurin`, `maven`…). On any other base only what cannot be
    /// the base's doing is reported: a global `ARG` not declared again in
    /// the stage, one of BuildKit's automatic platform `ARG`s
    /// (`TARGETARCH`…) not declared in the stage, a variable used before the
    /// line that defines it, and a one-letter typo of a defined name. The
    /// `base-variables` setting lists what your own base images set.
    /// `${NAME:-default}`, `${NAME:+x}` and `${NAME:?}` say what an unset
    /// variable means and are never reported, nor is an `ENV` appending to
    /// its own variable with spaces (`ENV JAVA_OPTS="$JAVA_OPTS -Xmx1g"`);
    /// appending to a `:` list (`ENV LD_LIBRARY_PATH=$LD_LIBRARY_PATH:/opt/lib`)
    /// is, since the empty entry it leaves means the current directory.
    /// `ENV A=1 B=$A` is CR002's. Shell-form `RUN`, `CMD` and `ENTRYPOINT`
    /// are expanded by the shell at run time and not checked.
    ///
    /// ## Why is this bad?
    /// An undefined variable expands to the empty string without a word:
    /// `COPY app-$VERSION.jar /app/` copies `app-.jar`, `WORKDIR $HOME/app`
    /// on Debian is `/app`, and an `ARG` declared before the first `FROM` is
    /// empty in every stage that does not declare it again. The build goes
    /// on and the image is not what was meant.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG VERSION=1.4.2
    /// FROM eclipse-temurin:21-jre
    /// COPY target/app-$VERSION.jar /app/app.jar
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// ARG VERSION=1.4.2
    /// FROM eclipse-temurin:21-jre
    /// ARG VERSION
    /// COPY target/app-$VERSION.jar /app/app.jar
    /// ```
    pub const CR001 = {
        id: "CR001",
        title: "Variable used but never defined",
        severity: Low,
        tags: ["correctness"],
        equivalents: ["buildkit:UndefinedVar"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let escape = dockerfile.escape_char.chars().next().unwrap_or('\\');
    let globals = global_args(dockerfile);
    for stage in &dockerfile.stages {
        let base = known_env(dockerfile.root_base(stage));
        let mut defined: BTreeSet<&str> = inherited(dockerfile, stage);
        defined.extend(NEVER_REPORTED);
        defined.extend(settings.base_variables.iter().map(String::as_str));
        if let Some(known) = &base {
            defined.extend(&known.names);
        }
        let context = Context {
            stage,
            globals: &globals,
            base_family: base.map(|known| known.family),
        };
        for instruction in &stage.instructions {
            check_instruction(&context, instruction, &defined, escape, findings);
            defined.extend(defined_by(instruction));
        }
    }
}

struct Context<'a> {
    stage: &'a Stage,
    globals: &'a BTreeSet<&'a str>,
    /// The family of the stage's root base, when what it sets is known.
    base_family: Option<String>,
}

/// Set by the container runtime or a login shell, never by BuildKit: a
/// `WORKDIR $HOME/app` does not see them.
const RUNTIME_ONLY: &[&str] = &["HOME", "USER", "HOSTNAME", "PWD", "SHELL", "UID", "LOGNAME"];

/// `raw` uses `name` as an entry of a `:`-separated list (`$NAME:/opt/lib`,
/// `/opt/bin:${NAME}`).
fn is_list_entry(raw: &str, name: &str) -> bool {
    [format!("${name}"), format!("${{{name}}}")]
        .iter()
        .any(|reference| {
            raw.match_indices(reference.as_str()).any(|(at, found)| {
                let after = raw[at + found.len()..].chars().next();
                let before = raw[..at].chars().next_back();
                let continues_name =
                    after.is_some_and(|c| c == '_' || c.is_alphanumeric()) && !found.ends_with('}');
                !continues_name && (after == Some(':') || before == Some(':'))
            })
        })
}

fn check_instruction(
    context: &Context<'_>,
    instruction: &Instruction,
    defined: &BTreeSet<&str>,
    escape: char,
    findings: &mut Vec<Finding>,
) {
    let statement_names = defined_by(instruction);
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for found in variable_uses(instruction, escape) {
        let name = found.reference.name.as_str();
        if found.reference.guard == Guard::Handled || defined.contains(name) {
            continue;
        }
        let mut empty_list_entry = false;
        if let Some(index) = found.env_assignment {
            let own = instruction
                .as_env()
                .and_then(|assignments| assignments.get(index));
            match own {
                // `ENV JAVA_OPTS="$JAVA_OPTS -Xmx1g"`: appending to whatever
                // the base set gives what was meant when it set nothing.
                // `ENV LD_LIBRARY_PATH=$LD_LIBRARY_PATH:/opt/lib` does not:
                // the empty entry it leaves means the current directory.
                Some(own) if own.key == name => {
                    if !is_list_entry(&own.raw, name) {
                        continue;
                    }
                    empty_list_entry = true;
                }
                // `ENV A=1 B=$A`: defined, but not yet; CR002's finding.
                _ if statement_names.contains(&name) => continue,
                _ => {}
            }
        }
        // `ARG A=1 B=$A`: each declaration sees the ones before it.
        if let Some(position) = found.arg_position
            && statement_names
                .iter()
                .take(position)
                .any(|earlier| *earlier == name)
        {
            continue;
        }
        let Some(mut reason) = reason(context, instruction, defined, name) else {
            continue;
        };
        if empty_list_entry {
            reason.push_str(
                "; the list then has an empty entry, which search paths read as the current directory",
            );
        }
        if !reported.insert(name.to_string()) {
            continue;
        }
        findings.push(
            Finding::at(&CR001, (context.stage, instruction))
                .message(format!(
                    "`${name}` is not defined at this `{}`: BuildKit expands it to an empty string ({reason})",
                    instruction.keyword
                ))
                .fix(if found.in_heredoc {
                    format!(
                        "quote the heredoc's delimiter (`<<'EOF'`) if `${name}` is for the script to read when it runs; otherwise define it before this line"
                    )
                } else {
                    fix(context, instruction, defined, name)
                }),
        );
    }
}

/// Why `name` is undefined, when the rule can be sure enough to say so.
fn reason(
    context: &Context<'_>,
    instruction: &Instruction,
    defined: &BTreeSet<&str>,
    name: &str,
) -> Option<String> {
    if context.globals.contains(name) {
        return Some(format!(
            "the global `ARG {name}` is visible only in `FROM` lines until the stage declares it again"
        ));
    }
    if AUTOMATIC_ARGS.contains(&name) {
        return Some(format!(
            "BuildKit sets `{name}` in the global scope only; a stage must declare `ARG {name}` to see it"
        ));
    }
    if let Some(line) = defined_later(context.stage, instruction.line(), name) {
        return Some(format!("it is defined later, on line {line}"));
    }
    if let Some(typo) = near_miss(name, defined.iter().copied()) {
        return Some(format!("did you mean `${typo}`?"));
    }
    let family = context.base_family.as_deref()?;
    if RUNTIME_ONLY.contains(&name) {
        return Some(format!(
            "`{name}` is set for the processes of a running container, not in the image config BuildKit expands from, and `{family}` images do not set it there"
        ));
    }
    Some(format!(
        "no `ARG` or `ENV` defines it and `{family}` images do not set it"
    ))
}

fn fix(
    context: &Context<'_>,
    instruction: &Instruction,
    defined: &BTreeSet<&str>,
    name: &str,
) -> String {
    if context.globals.contains(name) || AUTOMATIC_ARGS.contains(&name) {
        return format!("add `ARG {name}` to the stage, before this line");
    }
    if defined_later(context.stage, instruction.line(), name).is_some() {
        return format!("move the definition of `{name}` above this line");
    }
    if let Some(typo) = near_miss(name, defined.iter().copied()) {
        return format!("write `${typo}`");
    }
    if RUNTIME_ONLY.contains(&name) {
        return format!("write the path or value itself, or set `ENV {name}=...` before this line");
    }
    format!(
        "declare `ARG {name}` (or `ENV {name}=...`) before this line, or write `${{{name}:-default}}` if an empty value is meant"
    )
}
