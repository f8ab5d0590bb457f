use tallyman_sdk::vars::referenced_variables;
use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::names::secret_name;
use crate::scan::{arg_defaults, texts};
use crate::settings::Settings;
use crate::support::shipping_stages;
use crate::values::{ValueKind, classify};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that uses a build argument whose name says it holds a
    /// secret (see SEC001): `ARG NPM_TOKEN` then
    /// `RUN npm config set //registry.npmjs.org/:_authToken=$NPM_TOKEN`.
    ///
    /// Only stages that ship are checked (the final stage and the stages it
    /// is built on): a builder stage's history is not part of the image. A
    /// variable that a secret mount of the same `RUN` provides
    /// (`--mount=type=secret,env=NPM_TOKEN`) is not a build argument there.
    ///
    /// ## Why is this bad?
    /// The value of every build argument a `RUN` sees is written into the
    /// image history with that step (`docker history --no-trunc` shows
    /// `|1 NPM_TOKEN=npm_… /bin/sh -c …`), and into the build's provenance.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    ///     echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    /// # docker build --secret id=npm_token,env=NPM_TOKEN .
    /// ```
    pub const SEC006 = {
        id: "SEC006",
        title: "Secret build argument used in RUN",
        severity: High,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        // Secret-named ARGs declared so far in the stage (an ARG's scope is
        // its stage), with the line of the declaration.
        let mut secret_args: Vec<(String, u32)> = Vec::new();
        for instruction in &stage.instructions {
            if instruction.as_arg().is_some() {
                for (name, default) in arg_defaults(instruction) {
                    let public_value = default.as_deref().is_some_and(|value| {
                        matches!(
                            classify(value),
                            ValueKind::Path | ValueKind::Switch | ValueKind::Fingerprints
                        )
                    });
                    secret_args.retain(|(declared, _)| *declared != name);
                    if !public_value && secret_name(&name, settings).is_some() {
                        secret_args.push((name, instruction.line()));
                    }
                }
                continue;
            }
            let Some(run) = instruction.as_run() else {
                continue;
            };
            let mounted: Vec<&str> = run
                .mounts
                .iter()
                .filter(|mount| mount.kind == "secret")
                .filter_map(|mount| mount.env.as_deref())
                .collect();
            let mut used: Vec<&str> = Vec::new();
            for text in texts(instruction) {
                for name in referenced_variables(text) {
                    if !used.contains(&name) && !mounted.contains(&name) {
                        used.push(name);
                    }
                }
            }
            for (name, declared) in &secret_args {
                if !used.contains(&name.as_str()) {
                    continue;
                }
                findings.push(
                    Finding::at(&SEC006, (stage, instruction))
                        .message(format!(
                            "RUN uses build argument `{name}` (declared on line {declared}), whose \
                             name says it holds a secret: its value is recorded in the image \
                             history of this step"
                        ))
                        .fix(format!(
                            "remove `ARG {name}` and mount the secret in this RUN: \
                             `RUN --mount=type=secret,id={},env={name} ...`",
                            name.to_ascii_lowercase()
                        )),
                );
            }
        }
    }
}

/// Secret-named build arguments that a `RUN` saw, recorded with their
/// values in the image's history.
pub fn check_image(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    for (at, entry) in image.history.iter().enumerate() {
        for (name, value) in crate::image::build_args(&entry.created_by) {
            let Some(secret) = secret_name(name, settings) else {
                continue;
            };
            if matches!(
                classify(value),
                ValueKind::Empty | ValueKind::Path | ValueKind::Switch | ValueKind::Fingerprints
            ) || settings.value_is_allowed(value)
            {
                continue;
            }
            findings.push(
                Finding::new(&SEC006)
                    .message(format!(
                        "the image's history step {} records the build argument `{name}` (named for a \
                         secret: {}) with its value (`{}`): anyone who pulls the image can read it",
                        at + 1,
                        secret.because,
                        crate::detectors::redact(value)
                    ))
                    .fix(format!(
                        "pass `{name}` as a secret (`RUN --mount=type=secret,id={id},env={name}`, built \
                         with `--secret id={id},env={name}`), rebuild, and rotate the value",
                        id = name.to_ascii_lowercase()
                    )),
            );
        }
    }
}
