//! From the parser's model (`tallyman_dockerfile::model`) to the guest
//! types the policy sees.
//!
//! The parser's model mirrors the WIT one-to-one with the same Rust names
//! as the generated bindings, and both derive serde's default
//! representation, so a JSON round trip converts one into the other. That
//! is what this harness uses: it costs a few microseconds per test and
//! needs no code to keep in step with the WIT. The same JSON is what
//! `tallyman parse --format json` prints, so a model saved from the CLI
//! loads with [`dockerfile_from_json`]. A divergence between the two type
//! sets shows up as a conversion error naming the field, and the round-trip
//! tests in this module compare every variant both ways.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::{Dockerfile, Image};

/// Converts the parser's Dockerfile model into the guest model.
pub fn dockerfile_from_host(model: &tallyman_dockerfile::model::Dockerfile) -> Dockerfile {
    round_trip(model, "Dockerfile")
}

/// Converts the host's image model into the guest model.
pub fn image_from_host(model: &tallyman_dockerfile::model::Image) -> Image {
    round_trip(model, "Image")
}

/// Loads a Dockerfile model saved as JSON (`tallyman parse --format json`).
pub fn dockerfile_from_json(json: &str) -> Result<Dockerfile, String> {
    serde_json::from_str(json).map_err(|error| format!("not a Dockerfile model: {error}"))
}

/// Loads an image model saved as JSON.
pub fn image_from_json(json: &str) -> Result<Image, String> {
    serde_json::from_str(json).map_err(|error| format!("not an image model: {error}"))
}

/// A test harness may panic: a failure here is a bug in the parser's model
/// or in the bindings, and the message says which field.
fn round_trip<From: Serialize, To: DeserializeOwned>(value: &From, what: &str) -> To {
    let json = match serde_json::to_value(value) {
        Ok(json) => json,
        Err(error) => panic!("the parser's {what} model does not serialise: {error}"),
    };
    match serde_json::from_value(json) {
        Ok(converted) => converted,
        Err(error) => panic!(
            "the parser's {what} model does not match the WIT bindings (update one of them): {error}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use tallyman_dockerfile::model as host;

    use super::*;

    fn span(line: u32) -> host::Span {
        host::Span {
            start_line: line,
            start_column: 1,
            end_line: line,
            end_column: 9,
        }
    }

    fn reference(source: host::ImageSource) -> host::ImageReference {
        host::ImageReference {
            written: "$BASE".into(),
            expanded: "golang:1.22".into(),
            source,
        }
    }

    fn command_line() -> host::CommandLine {
        host::CommandLine {
            exec_form: false,
            args: vec!["CGO_ENABLED=0 go build | tee log".into()],
            commands: vec![host::SimpleCommand {
                name: "go".into(),
                args: vec!["build".into()],
                assignments: vec![host::KeyValue {
                    key: "CGO_ENABLED".into(),
                    value: "0".into(),
                }],
                text: "CGO_ENABLED=0 go build".into(),
                line: 7,
                arg_lines: vec![8],
                pipeline: 0,
                pipe_position: 0,
                in_substitution: false,
                shell_depth: 1,
                negated: true,
                in_condition: true,
                connector: host::Connector::Or,
            }],
            shell_error: Some("unterminated quote".into()),
        }
    }

    fn copy() -> host::CopyInstruction {
        host::CopyInstruction {
            sources: vec!["a".into(), "b".into()],
            destination: "/app/".into(),
            from: Some(reference(host::ImageSource::Stage(0))),
            chown: Some("1000:1000".into()),
            chmod: Some("0755".into()),
            link: true,
            checksum: Some("sha256:00".into()),
            parents: true,
            exclude: vec!["*.md".into()],
        }
    }

    fn instruction(line: u32, keyword: &str, detail: host::InstructionDetail) -> host::Instruction {
        host::Instruction {
            keyword: keyword.into(),
            keyword_written: keyword.to_lowercase(),
            original: format!("{keyword} x"),
            span: span(line),
            flags: vec![
                host::Flag {
                    name: "link".into(),
                    value: None,
                },
                host::Flag {
                    name: "from".into(),
                    value: Some("build".into()),
                },
            ],
            args: vec!["x".into()],
            heredocs: vec![host::Heredoc {
                name: "EOF".into(),
                file_descriptor: 3,
                expand: true,
                chomp: false,
                content: "echo hi\n".into(),
                span: span(line + 1),
            }],
            comments: vec![" a comment".into()],
            empty_continuation_lines: vec![line + 2],
            detail,
        }
    }

    /// One instruction of every kind, every optional field set somewhere.
    fn every_detail() -> Vec<host::InstructionDetail> {
        use host::InstructionDetail as D;
        vec![
            D::From(host::FromInstruction {
                base: reference(host::ImageSource::Image(host::ImageName {
                    registry: "docker.io".into(),
                    repository: "library/golang".into(),
                    tag: Some("1.22".into()),
                    digest: Some("sha256:ab".into()),
                })),
                platform: Some("$BUILDPLATFORM".into()),
                stage_name: Some("Build".into()),
                as_keyword: Some("as".into()),
            }),
            D::Run(host::RunInstruction {
                command: command_line(),
                mounts: vec![host::Mount {
                    kind: "secret".into(),
                    target: Some("/run/secrets/x".into()),
                    source: Some("src".into()),
                    from: Some(reference(host::ImageSource::Unresolved("no".into()))),
                    id: Some("x".into()),
                    env: Some("X".into()),
                    read_only: true,
                    required: true,
                    options: vec![host::KeyValue {
                        key: "required".into(),
                        value: "true".into(),
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
            D::Env(vec![host::Assignment {
                key: "A".into(),
                value: "b c".into(),
                raw: "\"b c\"".into(),
            }]),
            D::Label(vec![]),
            D::Arg(vec![
                host::ArgDeclaration {
                    name: "A".into(),
                    default: None,
                },
                host::ArgDeclaration {
                    name: "B".into(),
                    default: Some("".into()),
                },
            ]),
            D::Expose(vec![host::PortSpec {
                written: "80/udp".into(),
                expanded: "80/udp".into(),
                start: Some(80),
                end: Some(80),
                protocol: "udp".into(),
                host_form: false,
            }]),
            D::User(host::UserInstruction {
                user: "app".into(),
                group: Some("app".into()),
            }),
            D::Workdir("/app".into()),
            D::Volume(vec!["/data".into()]),
            D::Stopsignal("SIGTERM".into()),
            D::Healthcheck(host::HealthcheckInstruction {
                disabled: false,
                command: Some(command_line()),
                interval: Some("30s".into()),
                timeout: Some("5s".into()),
                start_period: Some("1s".into()),
                start_interval: Some("1s".into()),
                retries: Some("3".into()),
            }),
            D::Onbuild(host::OnbuildTrigger {
                keyword: "RUN".into(),
                original: "ONBUILD RUN x".into(),
                args: vec!["x".into()],
            }),
            D::Maintainer("me".into()),
            D::Other,
        ]
    }

    fn rich_dockerfile() -> host::Dockerfile {
        let instructions: Vec<host::Instruction> = every_detail()
            .into_iter()
            .zip(1..)
            .map(|(detail, line)| instruction(line * 2, "RUN", detail))
            .collect();
        host::Dockerfile {
            path: "svc/Dockerfile".into(),
            directives: vec![host::Directive {
                name: "syntax".into(),
                value: "docker/dockerfile:1".into(),
                line: 1,
            }],
            escape_char: "`".into(),
            comments: vec![host::Comment {
                line: 1,
                text: " syntax=docker/dockerfile:1".into(),
            }],
            global_args: vec![instruction(1, "ARG", host::InstructionDetail::Arg(vec![]))],
            stages: vec![
                host::Stage {
                    index: 0,
                    name: Some("build".into()),
                    base: reference(host::ImageSource::Scratch),
                    platform: Some("linux/amd64".into()),
                    span: span(2),
                    instructions,
                },
                host::Stage {
                    index: 1,
                    name: None,
                    base: reference(host::ImageSource::Stage(0)),
                    platform: None,
                    span: span(90),
                    instructions: vec![],
                },
            ],
            target_stage: 1,
            build_context: host::BuildContext {
                dockerignore_path: Some(".dockerignore".into()),
                dockerignore_patterns: vec!["target".into(), "!keep".into()],
            },
            line_count: 99,
            evaluated_on: "2025-06-01".into(),
        }
    }

    fn rich_image() -> host::Image {
        let platform = host::Platform {
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into()),
        };
        host::Image {
            reference: "oci:./layout:1.0".into(),
            manifest_digest: "sha256:cd".into(),
            platform: platform.clone(),
            requested_platform: platform,
            config: host::ImageConfig {
                user: "app".into(),
                env: vec![host::KeyValue {
                    key: "PATH".into(),
                    value: "/bin".into(),
                }],
                entrypoint: Some(vec!["/app".into()]),
                cmd: None,
                working_dir: "/".into(),
                exposed_ports: vec!["80/tcp".into()],
                labels: vec![],
                healthcheck: Some(host::ImageHealthcheck {
                    test: vec!["CMD".into(), "true".into()],
                    interval_ns: Some(30_000_000_000),
                    timeout_ns: None,
                    start_period_ns: Some(u64::MAX),
                    retries: Some(3),
                }),
                volumes: vec!["/data".into()],
                stop_signal: Some("SIGINT".into()),
            },
            history: vec![host::HistoryEntry {
                created: Some("2024-01-01T00:00:00Z".into()),
                created_by: "RUN x".into(),
                empty_layer: true,
                comment: None,
            }],
            layers: vec![host::ImageLayer {
                digest: "sha256:ef".into(),
                size: 1 << 40,
                media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
            }],
            annotations: vec![host::KeyValue {
                key: "org.opencontainers.image.base.name".into(),
                value: "docker.io/library/alpine:3.20".into(),
            }],
            created: None,
            evaluated_on: "2025-06-01".into(),
        }
    }

    #[test]
    fn every_dockerfile_field_and_variant_survives_conversion() {
        let model = rich_dockerfile();
        let guest = dockerfile_from_host(&model);
        assert_eq!(
            serde_json::to_value(&guest).unwrap(),
            serde_json::to_value(&model).unwrap()
        );
        // Spot checks that the values landed in the typed fields.
        assert_eq!(guest.stages[0].instructions.len(), every_detail().len());
        assert_eq!(guest.stages[1].base.stage_index(), Some(0));
        assert!(guest.stages[0].base.is_scratch());
        assert_eq!(
            guest.stages[0].instructions[1].run_commands()[0].assignment("CGO_ENABLED"),
            Some("0")
        );
    }

    #[test]
    fn every_image_field_survives_conversion() {
        let model = rich_image();
        let guest = image_from_host(&model);
        assert_eq!(
            serde_json::to_value(&guest).unwrap(),
            serde_json::to_value(&model).unwrap()
        );
        assert_eq!(guest.layers[0].size, 1 << 40);
    }

    #[test]
    fn json_models_load_and_bad_ones_are_errors() {
        let json = serde_json::to_string(&rich_dockerfile()).unwrap();
        let loaded = dockerfile_from_json(&json).unwrap();
        assert_eq!(loaded, dockerfile_from_host(&rich_dockerfile()));
        let error = dockerfile_from_json(r#"{"path": 1}"#).unwrap_err();
        assert!(error.starts_with("not a Dockerfile model"), "{error}");
        let json = serde_json::to_string(&rich_image()).unwrap();
        assert_eq!(
            image_from_json(&json).unwrap(),
            image_from_host(&rich_image())
        );
        assert!(image_from_json("{}").is_err());
    }
}
