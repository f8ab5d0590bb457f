use tallyman_sdk::model::{CopyInstruction, Instruction, Stage};
use tallyman_sdk::{Dockerfile, Finding, Severity};

use crate::files::{basename, is_remote, is_whole_context, is_within, resolve};
use crate::ignore::is_ignored;
use crate::scan::arg_defaults;
use crate::settings::Settings;
use crate::support::{Walk, shipping_stages};
use crate::values::unquote;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a variable that tells a program where its credential file is
    /// (`ENV GOOGLE_APPLICATION_CREDENTIALS=/app/key.json`) when a `COPY`
    /// or `ADD` of a stage that ships puts that file in the image:
    /// - `GOOGLE_APPLICATION_CREDENTIALS`: a Google Cloud service account
    ///   key;
    /// - `AWS_SHARED_CREDENTIALS_FILE`: AWS credentials;
    /// - `HF_TOKEN_PATH`: a Hugging Face token;
    /// - `AZURE_CLIENT_CERTIFICATE_PATH`: an Azure service principal's
    ///   certificate and private key;
    /// - `PGPASSFILE`: PostgreSQL passwords;
    /// - `AWS_CONFIG_FILE` and `KUBECONFIG`, which often but not always
    ///   hold credentials: medium.
    ///
    /// The variable is set with `ENV` or an `ARG` default; a relative path
    /// is read from the final `WORKDIR`, where the program runs. The file
    /// is in the image when a `COPY` puts it at that path (`COPY key.json
    /// /app/key.json`, `COPY key.json /app/`, or `COPY ./key $AWS_CONFIG_FILE`
    /// with the variable itself as the destination): high. When a
    /// directory copy covers the path (`COPY . /app`) the file is there if
    /// the build context has it: medium, and nothing when the
    /// `.dockerignore` excludes it. A path no `COPY` covers is a file
    /// mounted when the container runs, the right way: not reported.
    ///
    /// ## Why is this bad?
    /// The credential file is in a layer of the image: everyone who can
    /// pull the image has the service account key, token or password, and
    /// it outlives any rotation of the deployment's secrets. This is
    /// Trivy's DS-0031 part (b).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// WORKDIR /app
    /// COPY service-account.json /app/
    /// ENV GOOGLE_APPLICATION_CREDENTIALS=/app/service-account.json
    /// ```
    ///
    /// ## Fix
    /// Mount the file when the container runs (a Kubernetes secret volume,
    /// `docker run -v`), and keep it out of the build context:
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// WORKDIR /app
    /// ENV GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json
    /// # docker run -v ./service-account.json:/var/secrets/google/key.json:ro ...
    /// ```
    pub const SEC010 = {
        id: "SEC010",
        title: "Credential file variable points at a copied file",
        severity: High,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: ["trivy:DS-0031"],
    };
}

/// A variable that names a credential file.
struct CredentialVariable {
    name: &'static str,
    what: &'static str,
    /// The file does not always hold a credential.
    maybe: bool,
}

const CREDENTIAL_VARIABLES: &[CredentialVariable] = &[
    CredentialVariable {
        name: "GOOGLE_APPLICATION_CREDENTIALS",
        what: "a Google Cloud service account key",
        maybe: false,
    },
    CredentialVariable {
        name: "AWS_SHARED_CREDENTIALS_FILE",
        what: "AWS credentials",
        maybe: false,
    },
    CredentialVariable {
        name: "HF_TOKEN_PATH",
        what: "a Hugging Face token",
        maybe: false,
    },
    CredentialVariable {
        name: "AZURE_CLIENT_CERTIFICATE_PATH",
        what: "an Azure service principal's certificate and key",
        maybe: false,
    },
    CredentialVariable {
        name: "PGPASSFILE",
        what: "PostgreSQL passwords",
        maybe: false,
    },
    CredentialVariable {
        name: "AWS_CONFIG_FILE",
        what: "an AWS configuration, which can hold credentials",
        maybe: true,
    },
    CredentialVariable {
        name: "KUBECONFIG",
        what: "a kubeconfig, which usually holds cluster credentials",
        maybe: true,
    },
];

/// A `COPY` or `ADD` of a stage that ships, with the working directory
/// it ran in.
struct Copied<'a> {
    stage: &'a Stage,
    instruction: &'a Instruction,
    copy: &'a CopyInstruction,
    walk: Walk,
}

/// How surely a copy puts a file at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landing {
    /// The copy writes exactly that path.
    Exact,
    /// A directory copy covers the path: the file is there if the source
    /// has it.
    Covered,
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let shipping = shipping_stages(dockerfile, settings);
    let mut copies: Vec<Copied> = Vec::new();
    let mut variables: Vec<(&Stage, &Instruction, &CredentialVariable, String)> = Vec::new();
    let mut walk = match shipping.first() {
        Some(root) => Walk::at_start(dockerfile, root),
        None => return,
    };
    for stage in &shipping {
        for instruction in &stage.instructions {
            if let Some(copy) = instruction.as_copy_or_add() {
                copies.push(Copied {
                    stage,
                    instruction,
                    copy,
                    walk: walk.clone(),
                });
            }
            for (name, value) in assigned(instruction) {
                if let Some(variable) = CREDENTIAL_VARIABLES.iter().find(|v| v.name == name) {
                    variables.push((stage, instruction, variable, value));
                }
            }
            walk.apply(instruction);
        }
    }
    let patterns = dockerfile
        .build_context
        .dockerignore_path
        .is_some()
        .then_some(dockerfile.build_context.dockerignore_patterns.as_slice());

    for copied in &copies {
        if let Some(variable) = destination_variable(&copied.copy.destination) {
            findings.push(
                with_severity(
                    Finding::at(&SEC010, (copied.stage, copied.instruction)),
                    variable,
                    Landing::Exact,
                )
                .message(format!(
                    "{} copies a file to the path in `{}`, {}: it is in a layer of the image",
                    copied.instruction.keyword, variable.name, variable.what
                ))
                .fix(fix(variable)),
            );
        }
    }
    for (stage, instruction, variable, value) in variables {
        // KUBECONFIG is a list, like PATH.
        let paths: Vec<&str> = if variable.name == "KUBECONFIG" {
            value.split(':').collect()
        } else {
            vec![value.as_str()]
        };
        for path in paths {
            let path = unquote(path.trim());
            if path.is_empty() || path.contains('$') {
                continue;
            }
            let path = walk.resolve(path);
            let landed = copies.iter().find_map(|copied| {
                landing(copied, &path, patterns).map(|landing| (copied, landing))
            });
            let Some((copied, landing)) = landed else {
                continue;
            };
            let how = match landing {
                Landing::Exact => "puts it in the image",
                Landing::Covered => "copies a directory that holds it, if the build context has it",
            };
            findings.push(
                with_severity(
                    Finding::at(&SEC010, (stage, instruction)),
                    variable,
                    landing,
                )
                .message(format!(
                    "`{}` points at {path}, {}, and the {} on line {} {how}",
                    variable.name,
                    variable.what,
                    copied.instruction.keyword,
                    copied.instruction.line()
                ))
                .fix(fix(variable)),
            );
            // One finding per assignment, for its first copied path.
            break;
        }
    }
}

/// The names and values an `ENV` or an `ARG` default gives.
fn assigned(instruction: &Instruction) -> Vec<(String, String)> {
    if let Some(assignments) = instruction.as_env() {
        return assignments
            .iter()
            .map(|assignment| (assignment.key.clone(), assignment.value.clone()))
            .collect();
    }
    arg_defaults(instruction)
        .into_iter()
        .filter_map(|(name, default)| Some((name, default?)))
        .collect()
}

/// A destination that is only a credential variable nobody set in the
/// file (`COPY ./config $AWS_CONFIG_FILE`).
fn destination_variable(destination: &str) -> Option<&'static CredentialVariable> {
    let name = destination
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .or_else(|| destination.strip_prefix('$'))?;
    CREDENTIAL_VARIABLES
        .iter()
        .find(|variable| variable.name == name)
}

/// Whether `copied` puts a file at `path`.
fn landing(copied: &Copied, path: &str, patterns: Option<&[String]>) -> Option<Landing> {
    let copy = copied.copy;
    let destination = copied.walk.resolve(&copy.destination);
    let into_directory = copy.destination.ends_with('/')
        || matches!(copy.destination.as_str(), "." | "..")
        || destination == copied.walk.workdir
        || copy.sources.len() > 1
        || copy
            .sources
            .iter()
            .any(|source| source.contains(['*', '?', '[']));
    let sources = copy
        .sources
        .iter()
        .filter(|source| !is_remote(source) && !source.starts_with("<<"));
    let mut covered = false;
    for source in sources {
        let landed = if into_directory {
            resolve(&destination, basename(source))
        } else {
            destination.clone()
        };
        if landed == path {
            return Some(Landing::Exact);
        }
        if !may_be_directory(source) || path == destination || !is_within(path, &destination) {
            continue;
        }
        // A directory's contents land in the destination.
        let rest = path
            .strip_prefix(destination.trim_end_matches('/'))
            .unwrap_or(path)
            .trim_start_matches('/');
        let in_context = if is_whole_context(source) {
            rest.to_string()
        } else {
            format!("{}/{rest}", source.trim_end_matches('/'))
        };
        let ignored = copy.from.is_none()
            && patterns.is_some_and(|patterns| is_ignored(patterns, &in_context));
        covered |= !ignored;
    }
    covered.then_some(Landing::Covered)
}

/// `.`, `src/`, `config`: a source that can be a directory. A name with an
/// extension (`key.json`, `app.jar`) is taken for a file.
fn may_be_directory(source: &str) -> bool {
    is_whole_context(source) || source.ends_with('/') || !basename(source).contains('.')
}

fn with_severity(finding: Finding, variable: &CredentialVariable, landing: Landing) -> Finding {
    match (variable.maybe, landing) {
        (false, Landing::Exact) => finding,
        (true, Landing::Exact) | (false, Landing::Covered) => finding.severity(Severity::Medium),
        (true, Landing::Covered) => finding.severity(Severity::Low),
    }
}

fn fix(variable: &CredentialVariable) -> String {
    format!(
        "don't copy the file into the image: mount it when the container runs (a Kubernetes \
         secret volume, `docker run -v <file>:<path>:ro`) at the path `{}` names, and keep it \
         out of the build context (`.dockerignore`)",
        variable.name
    )
}
