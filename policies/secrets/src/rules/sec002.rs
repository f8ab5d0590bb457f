use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::detectors::{detect, redact};
use crate::names::secret_name;
use crate::scan::{assignments, texts};
use crate::settings::Settings;
use crate::support::finding_at;
use crate::values::{looks_random, unquote};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Finds secrets written out anywhere in the Dockerfile: in `ENV`, `ARG`
    /// defaults, `LABEL`s, `RUN` commands and heredoc bodies. Two kinds of
    /// evidence count:
    ///
    /// - a value in a known token format: AWS access key ids (`AKIA…`,
    ///   `ASIA…`), GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`,
    ///   `github_pat_`), GitLab (`glpat-`), Slack (`xoxb-`, …), Stripe live
    ///   keys (`sk_live_`, `rk_live_`), Google API keys (`AIza…`), npm
    ///   (`npm_`), PyPI (`pypi-AgEIcHlwaS5vcmc…`) and Docker Hub
    ///   (`dckr_pat_`) tokens, private key PEM blocks, and JSON Web Tokens
    ///   (three base64url parts whose header is JSON with `alg`);
    /// - a random-looking value (long, high entropy) assigned to a key whose
    ///   name says secret (`API_KEY=…`, `--password=…`, `_authToken=…` in an
    ///   `.npmrc` heredoc).
    ///
    /// Values that refer to a secret are not flagged: `${TOKEN}`,
    /// `$(cat /run/secrets/token)`, paths, GPG fingerprints, checksums.
    /// `allowed-values` lists known test values.
    ///
    /// ## Why is this bad?
    /// A Dockerfile is committed, shared and copied into image metadata: a
    /// credential written in it is leaked to everyone who can read the
    /// repository, the image history or the image config, and stays in the
    /// version history after it is removed.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.22
    /// ENV GITHUB_TOKEN=ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R
    /// RUN git clone https://x-access-token:${GITHUB_TOKEN}@github.com/acme/app.git
    /// ```
    ///
    /// ## Fix
    /// Revoke the credential, remove it from the file (and the repository's
    /// history), and mount it for the one `RUN` that needs it:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN \
    ///     git clone https://x-access-token:${GITHUB_TOKEN}@github.com/acme/app.git
    /// ```
    pub const SEC002 = {
        id: "SEC002",
        title: "Hard-coded secret",
        severity: Critical,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: [],
    };
}

const FIX: &str = "revoke this credential now, remove it from the Dockerfile and the \
                   repository's history, and pass it at build time with \
                   `RUN --mount=type=secret,id=...` (or at run time) instead";

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.every_instruction() {
        // Each secret is reported once per instruction, by its value.
        let mut reported: Vec<String> = Vec::new();
        for text in texts(instruction) {
            for detected in detect(text) {
                if settings.value_is_allowed(detected.value)
                    || reported.iter().any(|seen| seen.contains(detected.value))
                {
                    continue;
                }
                reported.push(detected.value.to_string());
                findings.push(
                    finding_at(&SEC002, stage, instruction)
                        .message(format!(
                            "{} contains {} written out in the Dockerfile (`{}`)",
                            instruction.keyword,
                            detected.kind,
                            redact(detected.value)
                        ))
                        .fix(FIX),
                );
            }
        }
        for assigned in assignments(instruction) {
            let value = unquote(&assigned.value);
            if !looks_random(value)
                || settings.value_is_allowed(value)
                || reported
                    .iter()
                    .any(|seen| seen.contains(value) || value.contains(seen.as_str()))
            {
                continue;
            }
            let Some(secret) = secret_name(&assigned.key, settings) else {
                continue;
            };
            reported.push(value.to_string());
            findings.push(
                finding_at(&SEC002, stage, instruction)
                    .message(format!(
                        "{} assigns a random-looking value (`{}`) to `{}`, a name for a \
                         secret ({})",
                        instruction.keyword,
                        redact(value),
                        assigned.key,
                        secret.because
                    ))
                    .fix(FIX),
            );
        }
    }
}

/// Tokens and keys in the image's `Env`, `Labels` and history.
pub fn check_image(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    let mut reported: Vec<String> = Vec::new();
    for text in crate::image::texts(image) {
        for detected in detect(text.text) {
            if settings.value_is_allowed(detected.value)
                || reported.iter().any(|seen| seen == detected.value)
            {
                continue;
            }
            reported.push(detected.value.to_string());
            let place = match text.name {
                Some(name) => format!("`{name}` in the image's `{}`", text.place),
                None => format!("the image's {}", text.place),
            };
            findings.push(
                Finding::new(&SEC002)
                    .message(format!(
                        "{place} contains {} (`{}`), readable by anyone who pulls the image",
                        detected.kind,
                        redact(detected.value)
                    ))
                    .fix(FIX),
            );
        }
    }
    // Secret-named build arguments recorded in the history with a random-looking value.
    for (at, entry) in image.history.iter().enumerate() {
        for (name, value) in crate::image::build_args(&entry.created_by) {
            if !looks_random(value)
                || settings.value_is_allowed(value)
                || reported.iter().any(|seen| seen == value)
                || secret_name(name, settings).is_none()
            {
                continue;
            }
            reported.push(value.to_string());
            findings.push(
                Finding::new(&SEC002)
                    .message(format!(
                        "the image's history step {} records the build argument `{name}` with a \
                         random-looking value (`{}`)",
                        at + 1,
                        redact(value)
                    ))
                    .fix(FIX),
            );
        }
    }
}
