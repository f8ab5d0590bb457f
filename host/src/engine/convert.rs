//! Conversions between the model (`tallyman_dockerfile::model`) and the
//! types `bindgen!` generates from the same WIT. The two mirror each other
//! field for field; a target is converted once and shared by every policy.

use tallyman_dockerfile::model;

use super::bindings::wit;

/// Converts a model value into its WIT twin.
pub(super) trait ToWit<T> {
    fn to_wit(&self) -> T;
}

macro_rules! copied {
    ($($t:ty),*) => {$(
        impl ToWit<$t> for $t {
            fn to_wit(&self) -> $t {
                *self
            }
        }
    )*};
}
copied!(u32, u64, bool);

impl ToWit<String> for String {
    fn to_wit(&self) -> String {
        self.clone()
    }
}

impl<A: ToWit<B>, B> ToWit<Option<B>> for Option<A> {
    fn to_wit(&self) -> Option<B> {
        self.as_ref().map(ToWit::to_wit)
    }
}

impl<A: ToWit<B>, B> ToWit<Vec<B>> for Vec<A> {
    fn to_wit(&self) -> Vec<B> {
        self.iter().map(ToWit::to_wit).collect()
    }
}

/// Records convert field by field: a field missing on either side is a
/// compile error, so the two mirrors cannot drift apart silently.
macro_rules! records {
    ($($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl ToWit<wit::$name> for model::$name {
            fn to_wit(&self) -> wit::$name {
                wit::$name { $($field: self.$field.to_wit()),* }
            }
        }
    )*};
}

records! {
    Span { start_line, start_column, end_line, end_column }
    KeyValue { key, value }
    ImageName { registry, repository, tag, digest }
    ImageReference { written, expanded, source }
    Flag { name, value }
    Heredoc { name, file_descriptor, expand, chomp, content, span }
    SimpleCommand { name, args, assignments, text, line, arg_lines, pipeline, pipe_position, in_substitution, shell_depth, negated, in_condition, connector }
    Mount { kind, target, source, from, id, env, read_only, required, options }
    CommandLine { exec_form, args, commands, shell_error }
    FromInstruction { base, platform, stage_name, as_keyword }
    RunInstruction { command, mounts, network, security }
    CopyInstruction { sources, destination, from, chown, chmod, link, checksum, parents, exclude }
    ArgDeclaration { name, default }
    Assignment { key, value, raw }
    PortSpec { written, expanded, start, end, protocol, host_form }
    UserInstruction { user, group }
    HealthcheckInstruction { disabled, command, interval, timeout, start_period, start_interval, retries }
    OnbuildTrigger { keyword, original, args }
    Instruction { keyword, keyword_written, original, span, flags, args, heredocs, comments, empty_continuation_lines, detail }
    Stage { index, name, base, platform, span, instructions }
    Directive { name, value, line }
    Comment { line, text }
    BuildContext { dockerignore_path, dockerignore_patterns }
    Dockerfile { path, directives, escape_char, comments, global_args, stages, target_stage, build_context, line_count, evaluated_on }
    Platform { os, architecture, variant }
    ImageLayer { digest, size, media_type }
    HistoryEntry { created, created_by, empty_layer, comment }
    ImageHealthcheck { test, interval_ns, timeout_ns, start_period_ns, retries }
    ImageConfig { user, env, entrypoint, cmd, working_dir, exposed_ports, labels, healthcheck, volumes, stop_signal }
    Image { reference, manifest_digest, platform, requested_platform, config, history, layers, annotations, created, evaluated_on }
}

impl ToWit<wit::Connector> for model::Connector {
    fn to_wit(&self) -> wit::Connector {
        match self {
            model::Connector::Start => wit::Connector::Start,
            model::Connector::Sequence => wit::Connector::Sequence,
            model::Connector::And => wit::Connector::And,
            model::Connector::Or => wit::Connector::Or,
        }
    }
}

impl ToWit<wit::ImageSource> for model::ImageSource {
    fn to_wit(&self) -> wit::ImageSource {
        match self {
            model::ImageSource::Image(name) => wit::ImageSource::Image(name.to_wit()),
            model::ImageSource::Scratch => wit::ImageSource::Scratch,
            model::ImageSource::Stage(index) => wit::ImageSource::Stage(*index),
            model::ImageSource::Unresolved(why) => wit::ImageSource::Unresolved(why.clone()),
        }
    }
}

impl ToWit<wit::InstructionDetail> for model::InstructionDetail {
    fn to_wit(&self) -> wit::InstructionDetail {
        use model::InstructionDetail as M;
        use wit::InstructionDetail as W;
        match self {
            M::From(v) => W::From(v.to_wit()),
            M::Run(v) => W::Run(v.to_wit()),
            M::Cmd(v) => W::Cmd(v.to_wit()),
            M::Entrypoint(v) => W::Entrypoint(v.to_wit()),
            M::Shell(v) => W::Shell(v.to_wit()),
            M::Copy(v) => W::Copy(v.to_wit()),
            M::Add(v) => W::Add(v.to_wit()),
            M::Env(v) => W::Env(v.to_wit()),
            M::Label(v) => W::Label(v.to_wit()),
            M::Arg(v) => W::Arg(v.to_wit()),
            M::Expose(v) => W::Expose(v.to_wit()),
            M::User(v) => W::User(v.to_wit()),
            M::Workdir(v) => W::Workdir(v.clone()),
            M::Volume(v) => W::Volume(v.to_wit()),
            M::Stopsignal(v) => W::Stopsignal(v.clone()),
            M::Healthcheck(v) => W::Healthcheck(v.to_wit()),
            M::Onbuild(v) => W::Onbuild(v.to_wit()),
            M::Maintainer(v) => W::Maintainer(v.clone()),
            M::Other => W::Other,
        }
    }
}

impl From<&model::Dockerfile> for wit::Dockerfile {
    fn from(dockerfile: &model::Dockerfile) -> Self {
        dockerfile.to_wit()
    }
}

impl From<&model::Image> for wit::Image {
    fn from(image: &model::Image) -> Self {
        image.to_wit()
    }
}

// ---- what policies return, back into the model ----

impl From<wit::Severity> for model::Severity {
    fn from(severity: wit::Severity) -> Self {
        match severity {
            wit::Severity::Info => model::Severity::Info,
            wit::Severity::Low => model::Severity::Low,
            wit::Severity::Medium => model::Severity::Medium,
            wit::Severity::High => model::Severity::High,
            wit::Severity::Critical => model::Severity::Critical,
        }
    }
}

impl From<wit::Span> for model::Span {
    fn from(span: wit::Span) -> Self {
        model::Span {
            start_line: span.start_line,
            start_column: span.start_column,
            end_line: span.end_line,
            end_column: span.end_column,
        }
    }
}

impl From<wit::RuleInfo> for model::RuleInfo {
    fn from(rule: wit::RuleInfo) -> Self {
        model::RuleInfo {
            id: rule.id,
            title: rule.title,
            default_severity: rule.default_severity.into(),
            description: rule.description,
            help: rule.help,
            tags: rule.tags,
            equivalents: rule.equivalents,
        }
    }
}

impl From<wit::PolicyInfo> for model::PolicyInfo {
    fn from(info: wit::PolicyInfo) -> Self {
        model::PolicyInfo {
            name: info.name,
            version: info.version,
            description: info.description,
            rules: info.rules.into_iter().map(Into::into).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::InstructionDetail as D;

    fn span(line: u32) -> model::Span {
        model::Span {
            start_line: line,
            start_column: 1,
            end_line: line,
            end_column: 9,
        }
    }

    fn reference(written: &str, source: model::ImageSource) -> model::ImageReference {
        model::ImageReference {
            written: written.into(),
            expanded: format!("{written}-expanded"),
            source,
        }
    }

    fn command_line() -> model::CommandLine {
        model::CommandLine {
            exec_form: false,
            args: vec!["go build ./...".into()],
            commands: vec![model::SimpleCommand {
                name: "go".into(),
                args: vec!["build".into(), "./...".into()],
                assignments: vec![model::KeyValue {
                    key: "CGO_ENABLED".into(),
                    value: "0".into(),
                }],
                text: "CGO_ENABLED=0 go build ./...".into(),
                line: 4,
                arg_lines: vec![4, 5],
                pipeline: 1,
                pipe_position: 2,
                in_substitution: true,
                shell_depth: 3,
                negated: true,
                in_condition: true,
                connector: model::Connector::Or,
            }],
            shell_error: Some("unterminated quote".into()),
        }
    }

    fn copy() -> model::CopyInstruction {
        model::CopyInstruction {
            sources: vec!["a".into(), "b".into()],
            destination: "/app/".into(),
            from: Some(reference("builder", model::ImageSource::Stage(0))),
            chown: Some("1000:1000".into()),
            chmod: Some("0755".into()),
            link: true,
            checksum: Some("sha256:abc".into()),
            parents: true,
            exclude: vec!["*.md".into()],
        }
    }

    /// Every instruction detail, every image source, every optional field set.
    fn every_detail() -> Vec<model::InstructionDetail> {
        let assignment = model::Assignment {
            key: "K".into(),
            value: "v".into(),
            raw: "\"v\"".into(),
        };
        vec![
            D::From(model::FromInstruction {
                base: reference(
                    "golang:1.22",
                    model::ImageSource::Image(model::ImageName {
                        registry: "docker.io".into(),
                        repository: "library/golang".into(),
                        tag: Some("1.22".into()),
                        digest: Some("sha256:def".into()),
                    }),
                ),
                platform: Some("linux/amd64".into()),
                stage_name: Some("Builder".into()),
                as_keyword: Some("as".into()),
            }),
            D::Run(model::RunInstruction {
                command: command_line(),
                mounts: vec![model::Mount {
                    kind: "cache".into(),
                    target: Some("/root/.cache".into()),
                    source: Some("src".into()),
                    from: Some(reference(
                        "$BASE",
                        model::ImageSource::Unresolved("no ARG".into()),
                    )),
                    id: Some("gocache".into()),
                    env: Some("TOKEN".into()),
                    read_only: true,
                    required: true,
                    options: vec![model::KeyValue {
                        key: "sharing".into(),
                        value: "locked".into(),
                    }],
                }],
                network: Some("none".into()),
                security: Some("insecure".into()),
            }),
            D::Cmd(command_line()),
            D::Entrypoint(command_line()),
            D::Shell(vec!["/bin/bash".into(), "-c".into()]),
            D::Copy(copy()),
            D::Add(copy()),
            D::Env(vec![assignment.clone()]),
            D::Label(vec![assignment]),
            D::Arg(vec![model::ArgDeclaration {
                name: "VERSION".into(),
                default: Some("1".into()),
            }]),
            D::Expose(vec![model::PortSpec {
                written: "$PORT/udp".into(),
                expanded: "53/udp".into(),
                start: Some(53),
                end: Some(53),
                protocol: "udp".into(),
                host_form: true,
            }]),
            D::User(model::UserInstruction {
                user: "app".into(),
                group: Some("app".into()),
            }),
            D::Workdir("/app".into()),
            D::Volume(vec!["/data".into()]),
            D::Stopsignal("SIGTERM".into()),
            D::Healthcheck(model::HealthcheckInstruction {
                disabled: false,
                command: Some(command_line()),
                interval: Some("30s".into()),
                timeout: Some("3s".into()),
                start_period: Some("5s".into()),
                start_interval: Some("1s".into()),
                retries: Some("3".into()),
            }),
            D::Onbuild(model::OnbuildTrigger {
                keyword: "RUN".into(),
                original: "ONBUILD RUN make".into(),
                args: vec!["make".into()],
            }),
            D::Maintainer("someone".into()),
            D::Other,
        ]
    }

    fn dockerfile() -> model::Dockerfile {
        let instructions: Vec<model::Instruction> = every_detail()
            .into_iter()
            .enumerate()
            .map(|(n, detail)| model::Instruction {
                keyword: "KEYWORD".into(),
                keyword_written: "keyword".into(),
                original: format!("instruction {n}"),
                span: span(u32::try_from(n).unwrap() + 1),
                flags: vec![model::Flag {
                    name: "link".into(),
                    value: None,
                }],
                args: vec!["arg".into()],
                heredocs: vec![model::Heredoc {
                    name: "EOF".into(),
                    file_descriptor: 3,
                    expand: true,
                    chomp: true,
                    content: "echo hi\n".into(),
                    span: span(40),
                }],
                comments: vec![" a comment".into()],
                empty_continuation_lines: vec![u32::try_from(n).unwrap() + 2],
                detail,
            })
            .collect();
        model::Dockerfile {
            path: "svc/Dockerfile".into(),
            directives: vec![model::Directive {
                name: "syntax".into(),
                value: "docker/dockerfile:1".into(),
                line: 1,
            }],
            escape_char: "`".into(),
            comments: vec![model::Comment {
                line: 1,
                text: " syntax=docker/dockerfile:1".into(),
            }],
            global_args: instructions.iter().take(1).cloned().collect(),
            stages: vec![model::Stage {
                index: 0,
                name: Some("Builder".into()),
                base: reference("scratch", model::ImageSource::Scratch),
                platform: Some("linux/arm64".into()),
                span: span(2),
                instructions,
            }],
            target_stage: 0,
            build_context: model::BuildContext {
                dockerignore_path: Some(".dockerignore".into()),
                dockerignore_patterns: vec!["target".into()],
            },
            line_count: 41,
            evaluated_on: "2025-01-01".into(),
        }
    }

    #[test]
    fn dockerfile_converts_field_for_field() {
        let model = dockerfile();
        let converted = wit::Dockerfile::from(&model);
        assert_eq!(
            serde_json::to_value(&converted).unwrap(),
            serde_json::to_value(&model).unwrap()
        );
    }

    #[test]
    fn image_converts_field_for_field() {
        let model = image();
        let converted = wit::Image::from(&model);
        assert_eq!(
            serde_json::to_value(&converted).unwrap(),
            serde_json::to_value(&model).unwrap()
        );
    }

    /// The host encodes its own model for the `encoded` checks, which
    /// `tallyman-sdk` decodes as the WIT types: postcard writes neither names
    /// nor tags, so the two must agree on every field's order and type, and
    /// every variant's index. JSON equality (above) would not notice a swap.
    #[test]
    fn the_model_encodes_to_the_bytes_of_its_wit_twin() {
        fn encoded<T: serde::Serialize>(value: &T) -> Vec<u8> {
            postcard::to_allocvec(value).expect("the model encodes")
        }
        let mut dockerfiles = vec![dockerfile()];
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../dockerfile/tests/data/corpus-sample/files");
        let mut paths: Vec<_> = std::fs::read_dir(&sample)
            .unwrap_or_else(|e| panic!("{}: {e}", sample.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(ast) = tallyman_dockerfile::parser::parse_str(&text) else {
                continue;
            };
            let options = tallyman_dockerfile::LowerOptions {
                path: path.display().to_string(),
                ..Default::default()
            };
            dockerfiles.push(tallyman_dockerfile::lower::lower(&ast, &options));
        }
        assert!(dockerfiles.len() > 50, "the corpus sample is read");
        for model in &dockerfiles {
            assert_eq!(
                encoded(model),
                encoded(&wit::Dockerfile::from(model)),
                "{}",
                model.path
            );
        }
        let image = image();
        assert_eq!(encoded(&image), encoded(&wit::Image::from(&image)));
    }

    fn image() -> model::Image {
        model::Image {
            reference: "oci:./layout:1.0".into(),
            manifest_digest: "sha256:aaa".into(),
            platform: model::Platform {
                os: "linux".into(),
                architecture: "arm".into(),
                variant: Some("v7".into()),
            },
            requested_platform: model::Platform::default(),
            config: model::ImageConfig {
                user: "65532".into(),
                env: vec![model::KeyValue {
                    key: "PATH".into(),
                    value: "/bin".into(),
                }],
                entrypoint: Some(vec!["/app".into()]),
                cmd: None,
                working_dir: "/".into(),
                exposed_ports: vec!["80/tcp".into()],
                labels: Vec::new(),
                healthcheck: Some(model::ImageHealthcheck {
                    test: vec!["NONE".into()],
                    interval_ns: Some(1),
                    timeout_ns: Some(2),
                    start_period_ns: None,
                    retries: Some(3),
                }),
                volumes: vec!["/data".into()],
                stop_signal: Some("SIGINT".into()),
            },
            history: vec![model::HistoryEntry {
                created: Some("2024-01-01T00:00:00Z".into()),
                created_by: "RUN make".into(),
                empty_layer: true,
                comment: Some("buildkit".into()),
            }],
            layers: vec![model::ImageLayer {
                digest: "sha256:bbb".into(),
                size: u64::MAX,
                media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
            }],
            annotations: Vec::new(),
            created: None,
            evaluated_on: "2025-01-01".into(),
        }
    }
}
