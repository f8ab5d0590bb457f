use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::scan::texts;
use crate::settings::Settings;
use crate::support::finding_at;
use crate::url::{CredentialUrl, credential_urls};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags URLs with a password in them (`scheme://user:password@host`) in
    /// `RUN` commands and their heredocs, `ADD` sources, `ENV` values and
    /// `ARG` defaults (and any other instruction).
    ///
    /// A user without a password (`ssh://git@github.com`, `user@host`) is
    /// not a credential, and a password that is a variable or a command
    /// substitution (`https://ci:${TOKEN}@…`, `$(cat /run/secrets/token)`)
    /// is not written in the file: neither is flagged.
    ///
    /// ## Why is this bad?
    /// The password is in the Dockerfile, so in version control; in `ENV` it
    /// is also in the image configuration, in `RUN` and `ADD` in the image
    /// history, and a proxy or registry URL set in `ENV` is handed to every
    /// process of every container started from the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// RUN pip install --index-url https://deploy:s3cr3t@pypi.example.com/simple app
    /// ```
    ///
    /// ## Fix
    /// Mount the credential for the step that needs it:
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// RUN --mount=type=secret,id=pip_index,env=PIP_INDEX_URL pip install app
    /// # docker build --secret id=pip_index,env=PIP_INDEX_URL .
    /// ```
    pub const SEC003 = {
        id: "SEC003",
        title: "Credentials in a URL",
        severity: High,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.every_instruction() {
        let mut reported: Vec<String> = Vec::new();
        for text in texts(instruction) {
            for url in credential_urls(text) {
                let masked = url.masked();
                if settings.value_is_allowed(url.password) || reported.contains(&masked) {
                    continue;
                }
                findings.push(
                    finding_at(&SEC003, stage, instruction)
                        .message(format!(
                            "{} has a password written in the URL `{masked}`",
                            instruction.keyword
                        ))
                        .fix(fix(&instruction.keyword, &url)),
                );
                reported.push(masked);
            }
        }
    }
}

fn fix(keyword: &str, url: &CredentialUrl<'_>) -> String {
    let templated = format!("{}://{}:${{PASSWORD}}@{}", url.scheme, url.user, url.host);
    if keyword == "ENV" || keyword == "LABEL" {
        "change that password and set the URL when the container starts \
         (`docker run -e ...`, or a secret file) instead of in the image"
            .to_string()
    } else {
        format!(
            "change that password and mount it for the RUN that needs it: \
             `RUN --mount=type=secret,id=password,env=PASSWORD ...` with `{templated}`"
        )
    }
}

/// URLs with passwords in the image's `Env`, `Labels` and history.
pub fn check_image(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    for text in crate::image::texts(image) {
        for url in credential_urls(text.text) {
            if settings.value_is_allowed(url.password) {
                continue;
            }
            let place = match text.name {
                Some(name) => format!("`{name}` in the image's `{}`", text.place),
                None => format!("the image's {}", text.place),
            };
            findings.push(
                Finding::new(&SEC003)
                    .message(format!(
                        "{place} has a URL with a password (`{}`), readable by anyone who pulls the image",
                        url.masked()
                    ))
                    .fix("rebuild without the password in the URL: pass credentials with `RUN --mount=type=secret` (a netrc or config file), and rotate the password"),
            );
        }
    }
}
