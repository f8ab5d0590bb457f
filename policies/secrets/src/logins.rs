//! Commands that log a CLI in and keep the credential in a file of the
//! image (SEC009): `aws configure set aws_secret_access_key`, `gcloud auth
//! activate-service-account`, `az login --service-principal -p`,
//! `doctl auth init`, `docker login`, `helm registry login`, `oras login`.
//!
//! Where the value comes from (a literal, a variable, a secret mount)
//! does not change where the CLI writes it: its credential store, a file
//! under the user's home unless a variable moves it.

use tallyman_sdk::model::SimpleCommand;

/// A CLI's credential store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Store {
    /// Where it is, relative to the home directory.
    pub in_home: &'static str,
    /// The variable that moves it (`AWS_SHARED_CREDENTIALS_FILE`).
    pub variable: &'static str,
    /// The variable names a directory, and the store is this file in it
    /// (`DOCKER_CONFIG` → `config.json`); empty when it names the store.
    pub file_in_variable: &'static str,
    /// The store is a directory (not one file).
    pub directory: bool,
}

/// A command that writes a credential to its CLI's store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The command, for messages: `` `docker login` ``.
    pub what: String,
    pub store: Store,
    /// The commands that remove the stored credential (`docker logout`),
    /// as (program, subcommand words).
    pub logout: &'static [(&'static str, &'static [&'static str])],
}

const AWS: Store = Store {
    in_home: ".aws/credentials",
    variable: "AWS_SHARED_CREDENTIALS_FILE",
    file_in_variable: "",
    directory: false,
};
const GCLOUD: Store = Store {
    in_home: ".config/gcloud",
    variable: "CLOUDSDK_CONFIG",
    file_in_variable: "",
    directory: true,
};
const AZURE: Store = Store {
    in_home: ".azure",
    variable: "AZURE_CONFIG_DIR",
    file_in_variable: "",
    directory: true,
};
const DOCTL: Store = Store {
    in_home: ".config/doctl",
    variable: "XDG_CONFIG_HOME",
    file_in_variable: "doctl",
    directory: true,
};
const DOCKER: Store = Store {
    in_home: ".docker/config.json",
    variable: "DOCKER_CONFIG",
    file_in_variable: "config.json",
    directory: false,
};
const HELM: Store = Store {
    in_home: ".config/helm/registry/config.json",
    variable: "HELM_REGISTRY_CONFIG",
    file_in_variable: "",
    directory: false,
};

/// The login `command` performs, if it is one.
pub fn login(command: &SimpleCommand) -> Option<Login> {
    let cli = command.command();
    let login = |what: &str, store, logout| Login {
        what: format!("`{what}`"),
        store,
        logout,
    };
    match cli.program() {
        "aws" => {
            let aws = cli.value_flags(&["--profile", "--region", "--output"]);
            let operands = aws.operands();
            match operands.as_slice() {
                ["configure", "set", key, _, ..]
                    if key.rsplit('.').next().is_some_and(|key| {
                        matches!(key, "aws_secret_access_key" | "aws_session_token")
                    }) =>
                {
                    Some(login(&format!("aws configure set {key}"), AWS, &[]))
                }
                ["configure", "import", ..] => Some(login("aws configure import", AWS, &[])),
                _ => None,
            }
        }
        "gcloud" => {
            let gcloud = cli.value_flags(&["--key-file", "--cred-file", "--project", "--account"]);
            let operands = gcloud.operands();
            let service_account =
                operands.get(..2) == Some(&["auth", "activate-service-account"][..]);
            let credential_file = operands.get(..2) == Some(&["auth", "login"][..])
                && gcloud.has_flag(&["--cred-file"]);
            (service_account || credential_file).then(|| {
                login(
                    &format!(
                        "gcloud auth {}",
                        operands.get(1).copied().unwrap_or_default()
                    ),
                    GCLOUD,
                    &[("gcloud", &["auth", "revoke"])],
                )
            })
        }
        "az" => {
            let az = cli.value_flags(&[
                "-u",
                "--username",
                "-p",
                "--password",
                "-t",
                "--tenant",
                "--federated-token",
                "--scope",
            ]);
            let secret = az.has_flag(&[
                "-p",
                "--password",
                "--federated-token",
                "--service-principal",
            ]);
            (az.subcommand() == Some("login") && secret).then(|| {
                login(
                    "az login",
                    AZURE,
                    &[("az", &["logout"]), ("az", &["account", "clear"])],
                )
            })
        }
        "doctl" => {
            let doctl = cli.value_flags(&["-t", "--access-token", "--context", "--config", "-c"]);
            // `--config` moves the store to a file this module does not follow.
            (doctl.operands().get(..2) == Some(&["auth", "init"][..])
                && !doctl.has_flag(&["--config", "-c"]))
            .then(|| login("doctl auth init", DOCTL, &[("doctl", &["auth", "remove"])]))
        }
        "docker" | "oras" => {
            let docker = cli.value_flags(&[
                "-u",
                "--username",
                "-p",
                "--password",
                "--config",
                "--registry-config",
            ]);
            let program = docker.program();
            // `--config` and `--registry-config` move the store.
            (docker.subcommand() == Some("login")
                && !docker.has_flag(&["--config", "--registry-config"]))
            .then(|| login(&format!("{program} login"), DOCKER, logouts(program)))
        }
        "helm" => {
            let helm =
                cli.value_flags(&["-u", "--username", "-p", "--password", "--registry-config"]);
            (helm.operands().get(..2) == Some(&["registry", "login"][..])
                && !helm.has_flag(&["--registry-config"]))
            .then(|| {
                login(
                    "helm registry login",
                    HELM,
                    &[("helm", &["registry", "logout"])],
                )
            })
        }
        _ => None,
    }
}

fn logouts(program: &str) -> &'static [(&'static str, &'static [&'static str])] {
    match program {
        "oras" => &[("oras", &["logout"])],
        _ => &[("docker", &["logout"])],
    }
}

/// `command` logs out of `login`'s CLI.
pub fn is_logout(login: &Login, command: &SimpleCommand) -> bool {
    let cli = command.command();
    let operands = cli.operands();
    login.logout.iter().any(|(program, words)| {
        cli.program() == *program && operands.get(..words.len()) == Some(words)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(words: &[&str]) -> SimpleCommand {
        SimpleCommand {
            name: words.first().map(|w| w.to_string()).unwrap_or_default(),
            args: words.iter().skip(1).map(|w| w.to_string()).collect(),
            assignments: Vec::new(),
            text: words.join(" "),
            pipeline: 0,
            pipe_position: 0,
            in_substitution: false,
            shell_depth: 0,
            negated: false,
            in_condition: false,
            connector: tallyman_sdk::model::Connector::Start,
            line: 0,
            arg_lines: Vec::new(),
        }
    }

    fn what(words: &[&str]) -> Option<String> {
        login(&command(words)).map(|login| login.what)
    }

    #[test]
    fn logins() {
        for (words, expected) in [
            (
                &[
                    "aws",
                    "configure",
                    "set",
                    "aws_secret_access_key",
                    "$(cat /run/secrets/k)",
                ][..],
                "`aws configure set aws_secret_access_key`",
            ),
            (
                &[
                    "aws",
                    "--profile",
                    "ci",
                    "configure",
                    "set",
                    "profile.ci.aws_session_token",
                    "x",
                ],
                "`aws configure set profile.ci.aws_session_token`",
            ),
            (
                &[
                    "gcloud",
                    "auth",
                    "activate-service-account",
                    "--key-file=/run/secrets/gcp",
                ],
                "`gcloud auth activate-service-account`",
            ),
            (
                &[
                    "gcloud",
                    "auth",
                    "login",
                    "--cred-file",
                    "/run/secrets/gcp.json",
                ],
                "`gcloud auth login`",
            ),
            (
                &[
                    "az",
                    "login",
                    "--service-principal",
                    "-u",
                    "id",
                    "-p",
                    "$SECRET",
                    "--tenant",
                    "t",
                ],
                "`az login`",
            ),
            (
                &["doctl", "auth", "init", "-t", "$TOKEN"],
                "`doctl auth init`",
            ),
            (
                &["docker", "login", "-u", "me", "--password-stdin", "ghcr.io"],
                "`docker login`",
            ),
            (
                &["oras", "login", "-u", "me", "-p", "$TOKEN", "ghcr.io"],
                "`oras login`",
            ),
            (
                &["helm", "registry", "login", "ghcr.io", "-u", "me"],
                "`helm registry login`",
            ),
        ] {
            assert_eq!(what(words).as_deref(), Some(expected), "{words:?}");
        }
        for words in [
            &["aws", "configure", "set", "region", "eu-west-1"][..],
            &["aws", "configure", "set", "aws_access_key_id", "AKIA"],
            &["aws", "s3", "cp", "s3://b/k", "."],
            &["gcloud", "auth", "configure-docker"],
            &["az", "login", "--identity"],
            &["doctl", "auth", "init", "--config", "/tmp/doctl.yaml"],
            &["docker", "run", "-p", "80:80", "x", "login"],
            &[
                "docker", "--config", "/tmp/d", "login", "-u", "me", "ghcr.io",
            ],
            &["docker", "logout"],
            &["helm", "repo", "add", "x", "https://x"],
        ] {
            assert_eq!(what(words), None, "{words:?}");
        }
    }
}
