use tallyman_sdk::model::{CopyInstruction, Instruction};
use tallyman_sdk::{Dockerfile, Finding};

use crate::files::{basename, is_remote, is_run_time_credential, is_within, secret_file};
use crate::settings::Settings;
use crate::support::{Walk, copied_out, secret_id, shipping_stages};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `COPY` and `ADD` of files that hold secrets: `.env` files, SSH
    /// keys (`id_rsa`, `id_ed25519`, a `.ssh/` directory), private keys and
    /// key stores (`*.pem`, `*.key`, `*.p12`, `*.pfx`), `.npmrc`, `.pypirc`,
    /// `.netrc`, `.git-credentials`, `.aws/credentials`,
    /// `.docker/config.json`, kubeconfigs, `ipsec.secrets`, PPP's
    /// `chap-secrets` and `pap-secrets`, `.htpasswd` and `*.htpasswd`, and
    /// the shadow password database (`shadow` or `gshadow` in an `etc`
    /// directory, such as `/etc/shadow`: a directory or package merely named
    /// `shadow` is not flagged), by source or by destination.
    ///
    /// Only what ships is flagged: the final stage and the stages it is built
    /// on. A builder stage that copies `.npmrc` to install dependencies is
    /// flagged only when a shipping stage copies that file (or a directory
    /// holding it) out with `COPY --from`. Certificates and public keys
    /// (`ca.pem`, `fullchain.pem`, `public.key`, `*.pub`, repository signing
    /// keys such as `nodesource.gpg.key`) and templates (`.env.example`) are
    /// not secrets; remote `ADD` sources are not files of the build context.
    ///
    /// ## Why is this bad?
    /// Every file copied into a layer ships with the image: anyone who pulls
    /// it can extract the layer, and deleting the file in a later
    /// instruction does not remove it from the layer (see SEC007).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY .npmrc package.json package-lock.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix
    /// Mount the file for the one `RUN` that needs it; it is never written to
    /// a layer:
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY package.json package-lock.json ./
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// # docker build --secret id=npmrc,src=$HOME/.npmrc .
    /// ```
    /// For SSH keys, forward the agent instead: `RUN --mount=type=ssh git clone …`
    /// with `docker build --ssh default`.
    pub const SEC004 = {
        id: "SEC004",
        title: "Secret file copied into the image",
        severity: High,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: [],
    };
}

/// One secret file a `COPY`/`ADD` puts into the stage.
pub struct SecretCopy {
    /// How to name the source in a message: `` `id_rsa` `` or `a heredoc`.
    pub source: String,
    /// Where it lands, resolved against the working directory.
    pub destination: String,
    /// What kind of secret, for messages.
    pub what: &'static str,
}

/// The secret files a `COPY`/`ADD` copies, by source name or by
/// destination name. Heredoc sources are judged by their destination.
pub fn secret_copies(
    instruction: &Instruction,
    copy: &CopyInstruction,
    walk: &Walk,
) -> Vec<SecretCopy> {
    let destination = walk.resolve(&copy.destination);
    // `COPY a b/`, `COPY a .`, `COPY a b c/` and globs land inside the
    // destination; `COPY a b` lands as `b`.
    let into_directory = copy.destination.ends_with('/')
        || matches!(copy.destination.as_str(), "." | "..")
        || destination == walk.workdir
        || copy.sources.len() > 1
        || copy
            .sources
            .iter()
            .any(|source| source.contains(['*', '?', '[']));
    copy.sources
        .iter()
        .filter(|source| !is_remote(source))
        .filter_map(|source| {
            // A heredoc source is written `<<EOF` (or `<<-"EOF"`).
            let heredoc = source.strip_prefix("<<").is_some_and(|word| {
                let word = word
                    .trim_start_matches('-')
                    .trim_matches(|c| c == '"' || c == '\'');
                instruction
                    .heredocs
                    .iter()
                    .any(|heredoc| heredoc.name == word)
            });
            let landed = if into_directory {
                format!("{}/{}", destination.trim_end_matches('/'), basename(source))
            } else {
                destination.clone()
            };
            let what = (!heredoc)
                .then(|| secret_file(source))
                .flatten()
                .or_else(|| secret_file(&landed))?;
            Some(SecretCopy {
                source: if heredoc {
                    "a heredoc".to_string()
                } else {
                    format!("`{source}`")
                },
                destination: landed,
                what,
            })
        })
        .collect()
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let shipping = shipping_stages(dockerfile, settings);
    for stage in &dockerfile.stages {
        let ships = shipping.iter().any(|shipped| shipped.index == stage.index);
        let mut walk = Walk::at_start(dockerfile, stage);
        for instruction in &stage.instructions {
            if let Some(copy) = instruction.as_copy_or_add() {
                for secret in secret_copies(instruction, copy, &walk) {
                    let finding = Finding::at(&SEC004, (stage, instruction));
                    let message = format!(
                        "{} copies {} ({}) into {}",
                        instruction.keyword, secret.source, secret.what, secret.destination
                    );
                    let finding = if ships {
                        finding.message(format!("{message}, a layer of the image"))
                    } else if let Some((target, out)) =
                        copied_out(dockerfile, &shipping, stage, |source| {
                            is_within(&secret.destination, source)
                                || is_within(source, &secret.destination)
                        })
                    {
                        finding.message(format!(
                            "{message} in builder stage {}, and stage {} copies it into the \
                             image on line {}",
                            stage.label(),
                            target.label(),
                            out.line()
                        ))
                    } else {
                        continue;
                    };
                    findings.push(finding.fix(fix(&secret)));
                }
            }
            walk.apply(instruction);
        }
    }
}

fn fix(secret: &SecretCopy) -> String {
    if secret.what.contains("SSH") {
        "don't copy SSH keys: forward the agent to the RUN that needs it with \
         `RUN --mount=type=ssh ...` and `docker build --ssh default`"
            .to_string()
    } else if is_run_time_credential(&secret.destination) {
        format!(
            "don't bake it into the image: mount it when the container starts (a Docker or \
             Kubernetes secret, or a volume, at {}), or generate it at startup from a secret",
            secret.destination
        )
    } else {
        let id = secret_id(&secret.destination);
        format!(
            "don't copy it: mount it for the RUN that needs it with \
             `RUN --mount=type=secret,id={id},target={} ...` and \
             `docker build --secret id={id},src=<path>`",
            secret.destination
        )
    }
}
