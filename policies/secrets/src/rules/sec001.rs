use tallyman_sdk::model::{Instruction, OnbuildTrigger, Stage};
use tallyman_sdk::{Dockerfile, Finding, Image, Severity};

use crate::detectors::redact;
use crate::names::{SecretName, secret_name};
use crate::scan::arg_defaults;
use crate::settings::Settings;
use crate::support::finding_at;
use crate::values::{ValueKind, classify, is_placeholder, unquote};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `ARG` and `ENV` instructions whose name says they hold a secret,
    /// matched on the words of the name (`NPM_TOKEN`, `dbPassword`,
    /// `AWS_SECRET_ACCESS_KEY`): password, passwd, pass (`DB_PASS`, and as the
    /// end of a word, `LDAP_ROOTPASS`; not `bypass` or `compass`),
    /// passphrase, pword, secret, token, credential(s), creds, auth,
    /// htpasswd, API key, access key, private key, a key with a qualifier
    /// that makes it private (`LICENSE_KEY`, `SSH_KEY`; not `GPG_KEY`), and
    /// the names in the `secret-names` setting.
    ///
    /// What is reported depends on the value:
    /// - `high`: a value written in the file (`ENV DB_PASSWORD=hunter2`,
    ///   `ARG API_KEY=abc123`): the secret itself is in the Dockerfile and,
    ///   for `ENV`, in the image;
    /// - `medium`: `ENV` copies another variable (`ENV TOKEN=${TOKEN}`):
    ///   whatever the build was given lands in the image configuration;
    /// - `low`: a value that is a placeholder rather than a secret (`pass`,
    ///   `password`, `changeme`, `example`, `<password>`, `{{ token }}`,
    ///   `YOUR_API_KEY`, `xxxx`): nothing leaks, but it is a well-known
    ///   credential in every container that does not override it;
    /// - `low`: an `ARG` with no value (`ARG NPM_TOKEN`, `ARG NPM_TOKEN=`) or
    ///   one that defaults to another variable: nothing is written in the
    ///   file, but passing a secret as a build argument keeps it in the
    ///   history of the `RUN`s that use it (reported by SEC006) and in
    ///   max-mode provenance;
    /// - nothing for an empty `ENV` (`ENV TOKEN=""` stores nothing; it often
    ///   clears a build argument).
    ///
    /// Names that point at a secret or hold public data are not flagged:
    /// `*_FILE`, `*_PATH`, `*_DIR`, `*_URL`, `*_VERSION`, `*_SHA256`,
    /// `*_CHECKSUM`, `*_ID`, `PUBLIC_KEY`, `GPG_KEY(S)`. Nor are values that
    /// are a path (`/run/secrets/db`), a switch (`true`, `0`) or a list of
    /// key fingerprints. `allowed-names` and `allowed-values` silence the
    /// rest.
    ///
    /// Trivy's DS-0031 is equivalent in part: it also flags secret-file
    /// variables (`GOOGLE_APPLICATION_CREDENTIALS`) pointing at a copied file
    /// and credentials set up in `RUN` without a secret mount, which this
    /// rule does not.
    ///
    /// ## Why is this bad?
    /// `ENV` values are part of the image configuration: anyone who can pull
    /// the image reads them with `docker inspect`. `ARG` values are recorded
    /// in the image history of every `RUN` that uses them and in the build's
    /// provenance, and a default written in the Dockerfile is in version
    /// control for good.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ARG NPM_TOKEN
    /// ENV DB_PASSWORD=hunter2
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// ```
    ///
    /// ## Fix
    /// Pass build-time secrets as BuildKit secrets, and run-time secrets when
    /// the container starts:
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// # docker build --secret id=npmrc,src=$HOME/.npmrc .
    /// # docker run -e DB_PASSWORD ...   (or a secret file: DB_PASSWORD_FILE=/run/secrets/db)
    /// ```
    pub const SEC001 = {
        id: "SEC001",
        title: "Secret passed in an ARG or ENV",
        severity: High,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: [
            "hadolint:DL3064",
            "buildkit:SecretsUsedInArgOrEnv",
            "trivy:DS-0031",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.every_instruction() {
        if let Some(trigger) = instruction.as_onbuild() {
            // `ONBUILD ARG`/`ONBUILD ENV` run in every image built from this one.
            for (keyword, name, value) in onbuild_variables(trigger) {
                if let Some(secret) = secret_name(&name, settings) {
                    check_variable(
                        Variable {
                            keyword,
                            name: &name,
                            value: value.as_deref(),
                        },
                        &secret,
                        stage,
                        instruction,
                        settings,
                        findings,
                    );
                }
            }
        } else if instruction.as_arg().is_some() {
            for (name, default) in arg_defaults(instruction) {
                if let Some(secret) = secret_name(&name, settings) {
                    check_variable(
                        Variable {
                            keyword: "ARG",
                            name: &name,
                            value: default.as_deref(),
                        },
                        &secret,
                        stage,
                        instruction,
                        settings,
                        findings,
                    );
                }
            }
        } else if let Some(assignments) = instruction.as_env() {
            for assignment in assignments {
                if let Some(secret) = secret_name(&assignment.key, settings) {
                    check_variable(
                        Variable {
                            keyword: "ENV",
                            name: &assignment.key,
                            value: Some(&assignment.raw),
                        },
                        &secret,
                        stage,
                        instruction,
                        settings,
                        findings,
                    );
                }
            }
        }
    }
}

/// One declaration of a secret-named variable.
struct Variable<'a> {
    keyword: &'static str,
    name: &'a str,
    /// As written; `None` for an `ARG` without a default.
    value: Option<&'a str>,
}

fn check_variable(
    variable: Variable<'_>,
    secret: &SecretName,
    stage: Option<&Stage>,
    instruction: &Instruction,
    settings: &Settings,
    findings: &mut Vec<Finding>,
) {
    let Variable {
        keyword,
        name,
        value,
    } = variable;
    let kind = value.map_or(ValueKind::Empty, classify);
    let named = format!(
        "{keyword} `{name}` is named for a secret ({})",
        secret.because
    );
    let finding = finding_at(&super::sec001::SEC001, stage, instruction).fix(fix(keyword, name));
    let finding = match kind {
        // A path, a switch or fingerprints is not a secret value.
        ValueKind::Path | ValueKind::Switch | ValueKind::Fingerprints => return,
        ValueKind::Literal => {
            let value = unquote(value.unwrap_or_default());
            if settings.value_is_allowed(value) {
                return;
            }
            if is_placeholder(value) {
                let consequence = if keyword == "ARG" {
                    "the value of every build that does not pass `--build-arg`"
                } else {
                    "the credential of every container that does not override it"
                };
                finding.severity(Severity::Low).message(format!(
                    "{named} and set to `{value}`, a placeholder rather than a secret: it is \
                     {consequence}"
                ))
            } else {
                finding.message(format!(
                    "{named} and set to a hard-coded value (`{}`), stored in the Dockerfile \
                     and in the image",
                    redact(value)
                ))
            }
        }
        ValueKind::Reference if keyword == "ENV" => {
            finding.severity(Severity::Medium).message(format!(
                "{named} and copies `{}` into the image configuration, where \
                 `docker inspect` shows it",
                unquote(value.unwrap_or_default())
            ))
        }
        ValueKind::Reference => finding.severity(Severity::Low).message(format!(
            "{named} and defaults to `{}`: no value is written here, but a secret passed as a \
             build argument is kept in the history of each RUN that uses it (SEC006) and in \
             max-mode provenance",
            unquote(value.unwrap_or_default())
        )),
        // `ENV TOKEN=""` stores nothing (it often clears a build argument).
        ValueKind::Empty if keyword == "ENV" => return,
        ValueKind::Empty => finding.severity(Severity::Low).message(format!(
            "{named}: no value is written here, but a secret passed with `--build-arg` is kept \
             in the history of each RUN that uses it (SEC006) and in max-mode provenance"
        )),
    };
    findings.push(finding);
}

fn fix(keyword: &str, name: &str) -> String {
    let id = name.to_ascii_lowercase();
    if keyword == "ARG" {
        format!(
            "drop `ARG {name}` and mount the secret in the RUN that needs it: \
             `RUN --mount=type=secret,id={id},env={name} ...`, built with \
             `docker build --secret id={id},env={name}`"
        )
    } else {
        format!(
            "drop `ENV {name}`: give it at run time (`docker run -e {name}`, or a secret file \
             such as `{name}_FILE=/run/secrets/{id}`), or at build time with \
             `RUN --mount=type=secret,id={id},env={name} ...`"
        )
    }
}

/// The variables an `ONBUILD ARG` or `ONBUILD ENV` declares: `(keyword,
/// name, value as written)`. BuildKit keeps `ARG` words as `NAME[=value]`
/// and `ENV` pairs as `name, value, separator` triples.
fn onbuild_variables(trigger: &OnbuildTrigger) -> Vec<(&'static str, String, Option<String>)> {
    match trigger.keyword.as_str() {
        "ARG" => trigger
            .args
            .iter()
            .map(|word| match word.split_once('=') {
                Some((name, value)) => ("ARG", name.to_string(), Some(value.to_string())),
                None => ("ARG", word.clone(), None),
            })
            .collect(),
        "ENV" => trigger
            .args
            .chunks(3)
            .filter_map(|triple| match triple {
                [name, value, ..] => Some(("ENV", name.clone(), Some(value.clone()))),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Secret-named `Env` variables and labels with a hard-coded value in the
/// image's configuration, where `docker inspect` shows them to anyone who
/// can pull it.
pub fn check_image(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    let entries = image
        .config
        .env
        .iter()
        .map(|kv| ("Env", kv))
        .chain(image.config.labels.iter().map(|kv| ("Labels", kv)));
    for (place, kv) in entries {
        let Some(secret) = secret_name(&kv.key, settings) else {
            continue;
        };
        if classify(&kv.value) != ValueKind::Literal
            || settings.value_is_allowed(unquote(&kv.value))
        {
            continue;
        }
        let value = unquote(&kv.value);
        let finding = if is_placeholder(value) {
            Finding::new(&SEC001)
                .severity(Severity::Low)
                .message(format!(
                    "`{}` in the image's `{place}` is named for a secret ({}) and set to `{value}`, \
                     a placeholder rather than a secret: it is the credential of every container \
                     that does not override it",
                    kv.key, secret.because
                ))
        } else {
            Finding::new(&SEC001).message(format!(
                "`{}` in the image's `{place}` is named for a secret ({}) and holds a value \
                 (`{}`) that anyone who pulls the image can read",
                kv.key,
                secret.because,
                redact(value)
            ))
        };
        findings.push(finding.fix(format!(
            "rebuild without `{}`: give it at run time, or at build time with \
                     `RUN --mount=type=secret`, and rotate the value",
            kv.key
        )));
    }
}
