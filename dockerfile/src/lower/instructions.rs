//! The typed detail of each instruction, from BuildKit's argument values.

use super::commands::command_line;
use super::reference::{StageName, resolve_from};
use super::scope::Vars;
use super::words::Words;
use crate::ast::Node;
use crate::expand::Env;
use crate::model::{
    ArgDeclaration, Assignment, CopyInstruction, Flag, HealthcheckInstruction, ImageReference,
    InstructionDetail, KeyValue, Mount, OnbuildTrigger, PortSpec, RunInstruction, UserInstruction,
};
use crate::mount;

/// What lowering an instruction needs to know about its surroundings.
pub(crate) struct Context<'a> {
    pub(crate) words: &'a Words,
    pub(crate) env: &'a Vars,
    pub(crate) stages: &'a [StageName],
}

impl Context<'_> {
    fn expand(&self, text: &str) -> String {
        self.words.value(text, self.env)
    }

    fn reference(&self, written: &str) -> ImageReference {
        let kept = self.words.value(written, self.env);
        let built = self.words.as_built(written, self.env);
        resolve_from(written, kept, built, self.stages)
    }
}

/// `--name=value` and `--name` flags, split.
pub(crate) fn parse_flags(flags: &[String]) -> Vec<Flag> {
    flags
        .iter()
        .map(|flag| {
            let body = flag.trim_start_matches('-');
            match body.split_once('=') {
                Some((name, value)) => Flag {
                    name: name.to_string(),
                    value: Some(value.to_string()),
                },
                None => Flag {
                    name: body.to_string(),
                    value: None,
                },
            }
        })
        .collect()
}

fn flag<'f>(flags: &'f [Flag], name: &str) -> Option<&'f Flag> {
    flags
        .iter()
        .rev()
        .find(|f| f.name.eq_ignore_ascii_case(name))
}

fn flag_value(flags: &[Flag], name: &str) -> Option<String> {
    flag(flags, name).map(|f| f.value.clone().unwrap_or_default())
}

/// A boolean flag: `--link`, `--link=true`, `--link=false`.
fn flag_set(flags: &[Flag], name: &str) -> bool {
    flag(flags, name).is_some_and(|f| {
        f.value
            .as_deref()
            .is_none_or(|v| !v.eq_ignore_ascii_case("false"))
    })
}

/// Assignments of `ENV`/`LABEL`: BuildKit keeps `key, value, separator` triples.
fn assignments(args: &[String], cx: &Context) -> Vec<Assignment> {
    args.chunks(3)
        .filter_map(|triple| match triple {
            [key, raw, ..] => Some(Assignment {
                key: cx.expand(key),
                value: cx.expand(raw),
                raw: raw.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// `ARG a=1 b`: names with optional defaults (the default is expanded with
/// what is visible before this instruction).
pub(crate) fn arg_declarations(
    args: &[String],
    words: &Words,
    env: &impl Env,
) -> Vec<ArgDeclaration> {
    args.iter()
        .map(|arg| match arg.split_once('=') {
            Some((name, default)) => ArgDeclaration {
                name: name.to_string(),
                default: Some(words.value(default, env)),
            },
            None => ArgDeclaration {
                name: arg.clone(),
                default: None,
            },
        })
        .collect()
}

fn copy(node: &Node, flags: &[Flag], cx: &Context) -> CopyInstruction {
    let mut paths: Vec<String> = node.args.iter().map(|a| cx.expand(a)).collect();
    let destination = if paths.len() > 1 {
        paths.pop().unwrap_or_default()
    } else {
        String::new()
    };
    CopyInstruction {
        sources: paths,
        destination,
        from: flag_value(flags, "from").map(|from| cx.reference(&from)),
        chown: flag_value(flags, "chown").map(|v| cx.expand(&v)),
        chmod: flag_value(flags, "chmod").map(|v| cx.expand(&v)),
        link: flag_set(flags, "link"),
        checksum: flag_value(flags, "checksum").map(|v| cx.expand(&v)),
        parents: flag_set(flags, "parents"),
        exclude: flags
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("exclude"))
            .filter_map(|f| f.value.as_deref().map(|v| cx.expand(v)))
            .collect(),
    }
}

fn run(node: &Node, flags: &[Flag], cx: &Context) -> RunInstruction {
    let mounts = flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .map(|f| {
            let value = cx.expand(f.value.as_deref().unwrap_or_default());
            match mount::parse_mount(&value) {
                Ok(m) => Mount {
                    kind: m.kind,
                    target: m.target,
                    source: m.source,
                    from: m.from.map(|from| cx.reference(&from)),
                    id: m.id,
                    env: m.env,
                    read_only: m.read_only,
                    required: m.required,
                    options: m
                        .options
                        .into_iter()
                        .map(|(key, value)| KeyValue { key, value })
                        .collect(),
                },
                // An unreadable mount is kept with its raw text so rules can still see it.
                Err(err) => Mount {
                    kind: String::new(),
                    target: None,
                    source: None,
                    from: None,
                    id: None,
                    env: None,
                    read_only: false,
                    required: false,
                    options: vec![
                        KeyValue {
                            key: "error".into(),
                            value: err.to_string(),
                        },
                        KeyValue {
                            key: "raw".into(),
                            value,
                        },
                    ],
                },
            }
        })
        .collect();
    RunInstruction {
        command: command_line(node, &node.args, &node.heredocs),
        mounts,
        network: flag_value(flags, "network"),
        security: flag_value(flags, "security"),
    }
}

/// One `EXPOSE` word: `80`, `80/udp`, `8000-8010/tcp`; `8080:80` is the
/// `docker run -p` form, which a Dockerfile does not accept.
pub(crate) fn port_spec(written: &str, expanded: String) -> PortSpec {
    let (ports, protocol) = match expanded.split_once('/') {
        Some((ports, protocol)) => (ports, protocol.to_ascii_lowercase()),
        None => (expanded.as_str(), "tcp".to_string()),
    };
    let host_form = ports.contains(':');
    let container_ports = ports.rsplit(':').next().unwrap_or(ports);
    let (start, end) = match container_ports.split_once('-') {
        Some((a, b)) => (a.parse::<u32>().ok(), b.parse::<u32>().ok()),
        None => {
            let port = container_ports.parse::<u32>().ok();
            (port, port)
        }
    };
    let valid = host_form || start.is_none() || end.is_none();
    PortSpec {
        written: written.to_string(),
        start: if valid { None } else { start },
        end: if valid { None } else { end },
        protocol,
        host_form,
        expanded,
    }
}

fn expose(node: &Node, cx: &Context) -> Vec<PortSpec> {
    node.args
        .iter()
        .flat_map(|written| {
            cx.words
                .words(written, cx.env)
                .into_iter()
                .map(move |expanded| port_spec(written, expanded))
        })
        .collect()
}

/// The first `:` outside `${...}`: `${USER:-app}:staff` is user and group.
fn user_group_separator(value: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in value.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn user(node: &Node, cx: &Context) -> UserInstruction {
    let value = cx.expand(&node.args.join(" "));
    match user_group_separator(&value) {
        Some(at) => UserInstruction {
            user: value[..at].to_string(),
            group: Some(value[at + 1..].to_string()),
        },
        None => UserInstruction {
            user: value,
            group: None,
        },
    }
}

fn healthcheck(node: &Node, flags: &[Flag]) -> HealthcheckInstruction {
    let kind = node.args.first().map(|a| a.to_ascii_uppercase());
    let disabled = kind.as_deref() == Some("NONE");
    let command = match kind.as_deref() {
        Some("CMD") => Some(command_line(
            node,
            node.args.get(1..).unwrap_or_default(),
            &[],
        )),
        _ => None,
    };
    HealthcheckInstruction {
        disabled,
        command,
        interval: flag_value(flags, "interval"),
        timeout: flag_value(flags, "timeout"),
        start_period: flag_value(flags, "start-period"),
        start_interval: flag_value(flags, "start-interval"),
        retries: flag_value(flags, "retries"),
    }
}

/// The typed detail of one instruction (not `FROM`, which the stage walker handles).
pub(crate) fn detail(node: &Node, flags: &[Flag], cx: &Context) -> InstructionDetail {
    match node.keyword.as_str() {
        "run" => InstructionDetail::Run(run(node, flags, cx)),
        "cmd" => InstructionDetail::Cmd(command_line(node, &node.args, &[])),
        "entrypoint" => InstructionDetail::Entrypoint(command_line(node, &node.args, &[])),
        "shell" => InstructionDetail::Shell(node.args.clone()),
        "copy" => InstructionDetail::Copy(copy(node, flags, cx)),
        "add" => InstructionDetail::Add(copy(node, flags, cx)),
        "env" => InstructionDetail::Env(assignments(&node.args, cx)),
        "label" => InstructionDetail::Label(assignments(&node.args, cx)),
        "arg" => InstructionDetail::Arg(arg_declarations(&node.args, cx.words, cx.env)),
        "expose" => InstructionDetail::Expose(expose(node, cx)),
        "user" => InstructionDetail::User(user(node, cx)),
        "workdir" => InstructionDetail::Workdir(cx.expand(&node.args.join(" "))),
        "volume" => InstructionDetail::Volume(node.args.iter().map(|a| cx.expand(a)).collect()),
        "stopsignal" => InstructionDetail::Stopsignal(cx.expand(&node.args.join(" "))),
        "healthcheck" => InstructionDetail::Healthcheck(healthcheck(node, flags)),
        "maintainer" => InstructionDetail::Maintainer(node.args.join(" ")),
        "onbuild" => match &node.sub {
            Some(sub) => InstructionDetail::Onbuild(OnbuildTrigger {
                keyword: sub.keyword.to_ascii_uppercase(),
                original: sub.original.clone(),
                args: sub.args.clone(),
            }),
            None => InstructionDetail::Other,
        },
        _ => InstructionDetail::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        let p = port_spec("80", "80".into());
        assert_eq!(
            (p.start, p.end, p.protocol.as_str(), p.host_form),
            (Some(80), Some(80), "tcp", false)
        );
        let p = port_spec("8000-8010/udp", "8000-8010/udp".into());
        assert_eq!(
            (p.start, p.end, p.protocol.as_str()),
            (Some(8000), Some(8010), "udp")
        );
        let p = port_spec("8080:80", "8080:80".into());
        assert!(p.host_form);
        assert_eq!(p.start, None);
        let p = port_spec("$PORT", "$PORT".into());
        assert_eq!(p.start, None);
    }

    #[test]
    fn flags_split() {
        let flags = parse_flags(&["--from=build".into(), "--link".into()]);
        assert_eq!(flag_value(&flags, "from").as_deref(), Some("build"));
        assert!(flag_set(&flags, "link"));
        assert!(!flag_set(&flags, "parents"));
    }
}
