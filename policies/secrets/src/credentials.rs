//! Credentials that commands set or are given on their command line:
//! `echo 'root:pw' | chpasswd`, `htpasswd -b file user pw`,
//! `mysql -ppw`, `java -Ddb.password=pw` (SEC008).
//!
//! Read from the shell model of `RUN`, `CMD` and `ENTRYPOINT` (simple
//! commands with their words, pipelines and heredocs), never from raw
//! text. A value is reported only when it is written out: a variable
//! (`$PASS`, `${X}`), a command substitution (`$(cat /run/secrets/x)`) or
//! input read from a file or a secret mount is not a credential in the
//! Dockerfile.

use tallyman_sdk::model::{Instruction, SimpleCommand};

use crate::names::secret_name;
use crate::settings::Settings;
use crate::values::{has_reference, is_placeholder, is_template_marker, unquote};

/// A credential written on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandCredential {
    /// What takes it, for messages: `` `chpasswd` ``, `` `-Ddb.password` ``.
    pub taker: String,
    /// What the command does with it: `sets the password of `root``.
    pub what: String,
    /// The credential as written.
    pub value: String,
    /// A stand-in (`changeit`, `<password>`) passed as a setting that is
    /// meant to be overridden, rather than a credential that is set.
    pub placeholder: bool,
    /// The line of the command that takes it (0 for an `ENV` and when
    /// not known).
    pub line: u32,
}

/// The credentials the simple commands of `instruction` set or are given.
pub fn command_credentials(
    instruction: &Instruction,
    settings: &Settings,
) -> Vec<CommandCredential> {
    if let Some(assignments) = instruction.as_env() {
        return assignments
            .iter()
            .filter(|assignment| is_jvm_options(&assignment.key))
            .flat_map(|assignment| {
                let words: Vec<&str> = unquote(&assignment.raw).split_whitespace().collect();
                java_properties_of(&words, settings)
            })
            .collect();
    }
    let Some(line) = instruction.command_line() else {
        return Vec::new();
    };
    let commands = &line.commands;
    let mut found = Vec::new();
    for command in commands {
        let before = found.len();
        let stdin = || standard_input(instruction, commands, command);
        let program = command.command().program();
        match program {
            "chpasswd" => found.extend(chpasswd(command, stdin())),
            "passwd" if command.has_flag(&["--stdin"]) => {
                found.extend(first_line(stdin()).map(|password| {
                    credential("passwd --stdin", "sets a user's password", password)
                }));
            }
            "vncpasswd" | "tigervncpasswd" if command.has_flag(&["-f"]) => {
                found.extend(
                    first_line(stdin()).map(|password| {
                        credential(program, "writes a VNC password file", password)
                    }),
                );
            }
            "htpasswd" => found.extend(htpasswd(command)),
            "x11vnc" => found.extend(x11vnc(command)),
            "openssl" => found.extend(openssl_passwd(command)),
            "useradd" | "usermod" | "adduser" => found.extend(user_password_hash(command)),
            "docker" | "podman" | "buildah" | "skopeo" | "helm" | "oras" => {
                found.extend(registry_login(command));
            }
            "az" => found.extend(az_login(command)),
            "doctl" => found.extend(doctl_auth(command)),
            "aws" => found.extend(aws_configure(command)),
            _ if is_mysql_client(program) => found.extend(mysql_password(command)),
            _ => {}
        }
        if is_jvm_launcher(program) {
            found.extend(java_properties(command, settings));
        }
        for credential in &mut found[before..] {
            credential.line = command.line;
        }
    }
    found
}

fn credential(taker: &str, what: &str, value: String) -> CommandCredential {
    CommandCredential {
        taker: format!("`{taker}`"),
        what: what.to_string(),
        value,
        placeholder: false,
        line: 0,
    }
}

/// Written out: not empty, no variable or command substitution, not a
/// template's slot (`root:{}` in a Dockerfile a script fills in).
fn is_written_out(value: &str) -> bool {
    let value = unquote(value);
    !value.trim().is_empty() && !has_reference(value) && !is_template_marker(value)
}

/// What a command reads on standard input, when the Dockerfile writes it:
/// the output of an `echo` or `printf` piped into it, or a heredoc.
pub fn standard_input(
    instruction: &Instruction,
    commands: &[SimpleCommand],
    command: &SimpleCommand,
) -> Option<String> {
    if let Some(body) = heredoc_input(instruction, command) {
        return Some(body);
    }
    let position = command.pipe_position.checked_sub(1)?;
    let producer = commands.iter().find(|candidate| {
        candidate.pipeline == command.pipeline
            && candidate.pipe_position == position
            && candidate.in_substitution == command.in_substitution
    })?;
    printed_text(producer)
}

/// The body of a heredoc redirected into the command (`chpasswd <<EOF`).
fn heredoc_input(instruction: &Instruction, command: &SimpleCommand) -> Option<String> {
    let (_, after) = command.text.split_once("<<")?;
    if after.starts_with('<') {
        // A here-string (`<<<`): its word is not kept apart; not read.
        return None;
    }
    let word: String = after
        .trim_start_matches('-')
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | '>' | ')'))
        .filter(|c| !matches!(c, '"' | '\''))
        .collect();
    instruction
        .heredocs
        .iter()
        .find(|heredoc| heredoc.name == word)
        .map(|heredoc| heredoc.content.clone())
}

/// What an `echo` or `printf` prints, with `\n` escapes as new lines.
fn printed_text(command: &SimpleCommand) -> Option<String> {
    let literal = command.literal();
    let args = literal.args();
    let text = match literal.program() {
        "echo" => {
            let words: Vec<&str> = args
                .iter()
                .map(String::as_str)
                .skip_while(|arg| matches!(*arg, "-e" | "-n" | "-E" | "-ne" | "-en"))
                .collect();
            words.join(" ")
        }
        "printf" => {
            let (format, values) = args.split_first()?;
            let mut values = values.iter();
            let mut printed = String::new();
            let mut rest = format.as_str();
            while let Some((before, after)) = rest.split_once("%s") {
                printed.push_str(before);
                printed.push_str(values.next().map_or("", String::as_str));
                rest = after;
            }
            printed.push_str(rest);
            printed
        }
        _ => return None,
    };
    Some(text.replace("\\n", "\n"))
}

fn first_line(input: Option<String>) -> Option<String> {
    let input = input?;
    let line = input.lines().find(|line| !line.trim().is_empty())?.trim();
    is_written_out(line).then(|| line.to_string())
}

/// `user:password` lines: each written-out password.
fn chpasswd(command: &SimpleCommand, input: Option<String>) -> Vec<CommandCredential> {
    let hashed = command.has_flag(&["-e", "--encrypted"]);
    let Some(input) = input else {
        return Vec::new();
    };
    input
        .lines()
        .filter_map(|line| line.trim().split_once(':'))
        .filter(|(user, password)| !user.is_empty() && is_written_out(password))
        // `root:!` or `root:*` with `-e` locks the account.
        .filter(|(_, password)| !(hashed && is_lock_marker(password)))
        .map(|(user, password)| {
            let what = if hashed {
                format!("sets the password hash of `{user}`")
            } else {
                format!("sets the password of `{user}`")
            };
            credential("chpasswd", &what, password.to_string())
        })
        .collect()
}

/// `htpasswd -b[c] file user password`, `htpasswd -nb user password`.
fn htpasswd(command: &SimpleCommand) -> Option<CommandCredential> {
    let htpasswd = command.command().value_flags(&["-C", "-r"]);
    if !htpasswd.has_flag(&["-b"]) {
        return None;
    }
    let operands = htpasswd.operands();
    let wanted = if htpasswd.has_flag(&["-n"]) { 2 } else { 3 };
    if operands.len() != wanted {
        return None;
    }
    let password = operands.last()?;
    is_written_out(password).then(|| {
        credential(
            "htpasswd -b",
            "writes a password to an htpasswd file",
            (*password).to_string(),
        )
    })
}

/// `x11vnc -storepasswd password file`.
fn x11vnc(command: &SimpleCommand) -> Option<CommandCredential> {
    let args = command.command().args();
    let at = args.iter().position(|arg| arg == "-storepasswd")?;
    let password = args.get(at + 1).filter(|next| !next.starts_with('-'))?;
    is_written_out(password).then(|| {
        credential(
            "x11vnc -storepasswd",
            "writes a VNC password file",
            password.clone(),
        )
    })
}

/// `openssl passwd [-1|-6|...] password`: hashes a password written here.
fn openssl_passwd(command: &SimpleCommand) -> Option<CommandCredential> {
    let openssl = command.command().value_flags(&["-salt", "-in", "-table"]);
    if openssl.subcommand() != Some("passwd") || openssl.has_flag(&["-stdin", "-in"]) {
        return None;
    }
    let password = openssl.operands_after("passwd").into_iter().next()?;
    is_written_out(password).then(|| {
        credential(
            "openssl passwd",
            "hashes a password for an account",
            password.to_string(),
        )
    })
}

/// `useradd -p <hash>`, `usermod --password <hash>`: a fixed password hash.
/// `!`, `*` and `x` lock the account instead.
fn user_password_hash(command: &SimpleCommand) -> Option<CommandCredential> {
    let hash = command
        .command()
        .value_flags(&[
            "-p",
            "--password",
            "-u",
            "-g",
            "-G",
            "-d",
            "-s",
            "-c",
            "-e",
            "-f",
            "-k",
            "-K",
            "-b",
            "-R",
        ])
        .flag_value(&["-p", "--password"])?;
    let locked = unquote(hash).chars().all(|c| matches!(c, '!' | '*' | 'x'));
    (is_written_out(hash) && !locked).then(|| {
        credential(
            "useradd -p",
            "sets an account's password hash",
            hash.to_string(),
        )
    })
}

/// `!`, `!!`, `*`, `x`: a password field that locks the account or
/// points at the shadow file, not a password hash.
fn is_lock_marker(field: &str) -> bool {
    unquote(field).chars().all(|c| matches!(c, '!' | '*' | 'x'))
}

fn is_mysql_client(program: &str) -> bool {
    matches!(
        program,
        "mysql"
            | "mysqladmin"
            | "mysqldump"
            | "mysqlimport"
            | "mysqlcheck"
            | "mysqlshow"
            | "mysqlpump"
            | "mariadb"
            | "mariadb-admin"
            | "mariadb-dump"
            | "mariadb-import"
            | "mariadb-check"
            | "mariadb-show"
    )
}

/// `-p<password>` (attached: `-p password` prompts, then names a
/// database) and `--password=<password>`.
fn mysql_password(command: &SimpleCommand) -> Option<CommandCredential> {
    const VALUE_FLAGS: &[&str] = &[
        "-u",
        "-h",
        "-P",
        "-D",
        "-e",
        "-S",
        "--user",
        "--host",
        "--port",
        "--database",
        "--execute",
        "--socket",
    ];
    let client = command.command();
    let mut args = client.args().iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        if VALUE_FLAGS.contains(&arg.as_str()) {
            args.next();
            continue;
        }
        let password = arg
            .strip_prefix("--password=")
            .or_else(|| arg.strip_prefix("--pass="))
            .or_else(|| arg.strip_prefix("-p").filter(|_| !arg.starts_with("--")));
        if let Some(password) = password
            && is_written_out(password)
        {
            return Some(credential(
                &format!("{} -p", client.program()),
                "logs in to the database with a password",
                password.to_string(),
            ));
        }
    }
    None
}

/// `docker login -p <pw>` (and `podman`, `buildah`, `skopeo`, `helm
/// registry`, `oras`): `--password-stdin` is the safe form.
fn registry_login(command: &SimpleCommand) -> Option<CommandCredential> {
    let cli = command
        .command()
        .value_flags(&["-u", "--username", "-p", "--password"]);
    // `docker login`, `helm registry login`: not `docker run -p 80:80 x login`.
    let operands = cli.operands();
    if !matches!(
        operands.as_slice(),
        ["login", ..] | ["registry", "login", ..]
    ) {
        return None;
    }
    let password = cli.flag_value(&["-p", "--password"])?;
    is_written_out(password).then(|| {
        credential(
            &format!("{} login -p", cli.program()),
            "logs in to a registry with a password",
            password.to_string(),
        )
    })
}

/// `az login -p <secret>` (a password or a service principal's secret).
fn az_login(command: &SimpleCommand) -> Option<CommandCredential> {
    let az =
        command
            .command()
            .value_flags(&["-u", "--username", "-p", "--password", "-t", "--tenant"]);
    if az.subcommand() != Some("login") {
        return None;
    }
    let password = az.flag_value(&["-p", "--password"])?;
    (is_written_out(password) && !crate::values::is_path_like(password)).then(|| {
        credential(
            "az login -p",
            "logs in to Azure with a secret",
            password.to_string(),
        )
    })
}

/// `doctl auth init -t <token>`.
fn doctl_auth(command: &SimpleCommand) -> Option<CommandCredential> {
    let doctl = command
        .command()
        .value_flags(&["-t", "--access-token", "--context"]);
    if doctl.operands().get(..2) != Some(&["auth", "init"][..]) {
        return None;
    }
    let token = doctl.flag_value(&["-t", "--access-token"])?;
    is_written_out(token).then(|| {
        credential(
            "doctl auth init -t",
            "logs in to DigitalOcean with a token",
            token.to_string(),
        )
    })
}

/// `aws configure set aws_secret_access_key <key>` (or
/// `aws_session_token`).
fn aws_configure(command: &SimpleCommand) -> Option<CommandCredential> {
    let aws = command.command().value_flags(&["--profile", "--region"]);
    let operands = aws.operands();
    let [configure, set, key, value, ..] = operands.as_slice() else {
        return None;
    };
    let secret_key = key
        .rsplit('.')
        .next()
        .is_some_and(|key| matches!(key, "aws_secret_access_key" | "aws_session_token"));
    (*configure == "configure" && *set == "set" && secret_key && is_written_out(value)).then(|| {
        credential(
            &format!("aws configure set {key}"),
            "stores an AWS secret in the image",
            (*value).to_string(),
        )
    })
}

/// `JAVA_OPTS`, `CATALINA_OPTS`, `JAVA_TOOL_OPTIONS`: options a JVM
/// launcher script passes on.
fn is_jvm_options(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    upper.ends_with("_OPTS") || upper.ends_with("_OPTIONS")
}

fn is_jvm_launcher(program: &str) -> bool {
    matches!(
        program,
        "java" | "javaw" | "jshell" | "mvn" | "mvnw" | "gradle" | "gradlew" | "sbt" | "ant"
    )
}

/// `-D<name>=<value>` whose name is a secret's (`-Ddb.password=...`,
/// `-Djavax.net.ssl.keyStorePassword=...`). A trust store's password is
/// not a secret: trust stores hold public certificates.
fn java_properties(command: &SimpleCommand, settings: &Settings) -> Vec<CommandCredential> {
    let args: Vec<&str> = command
        .command()
        .args()
        .iter()
        .map(String::as_str)
        .collect();
    java_properties_of(&args, settings)
}

fn java_properties_of(args: &[&str], settings: &Settings) -> Vec<CommandCredential> {
    args.iter()
        .take_while(|arg| !matches!(**arg, "-jar" | "--"))
        .filter_map(|arg| arg.strip_prefix("-D")?.split_once('='))
        .filter(|(name, _)| !name.to_ascii_lowercase().contains("truststore"))
        .filter(|(name, value)| {
            secret_name(name, settings).is_some()
                && is_written_out(value)
                && crate::values::classify(value) == crate::values::ValueKind::Literal
                && !settings.value_is_allowed(unquote(value))
        })
        .map(|(name, value)| CommandCredential {
            taker: format!("`-D{name}`"),
            what: "passes a secret as a Java system property".to_string(),
            value: unquote(value).to_string(),
            placeholder: is_placeholder(value),
            line: 0,
        })
        .collect()
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

    #[test]
    fn printed_text_of_echo_and_printf() {
        assert_eq!(
            printed_text(&command(&["echo", "-e", "root:pw\\nuser:x"])),
            Some("root:pw\nuser:x".to_string())
        );
        assert_eq!(
            printed_text(&command(&["printf", "%s:%s\\n", "root", "pw"])),
            Some("root:pw\n".to_string())
        );
        assert_eq!(printed_text(&command(&["cat", "/run/secrets/x"])), None);
    }

    #[test]
    fn htpasswd_needs_batch_mode_and_its_operands() {
        let value = |words: &[&str]| htpasswd(&command(words)).map(|found| found.value);
        assert_eq!(
            value(&["htpasswd", "-Bbc", "/etc/.htpasswd", "admin", "pw"]),
            Some("pw".into())
        );
        assert_eq!(
            value(&["htpasswd", "-nbB", "-C", "10", "admin", "pw"]),
            Some("pw".into())
        );
        assert_eq!(value(&["htpasswd", "-c", "/etc/.htpasswd", "admin"]), None);
        assert_eq!(
            value(&["htpasswd", "-b", "/etc/.htpasswd", "admin", "$PW"]),
            None
        );
    }

    #[test]
    fn mysql_passwords_are_attached() {
        let value = |words: &[&str]| mysql_password(&command(words)).map(|found| found.value);
        assert_eq!(value(&["mysql", "-uroot", "-proot"]), Some("root".into()));
        assert_eq!(
            value(&["mysqladmin", "--password=abc", "status"]),
            Some("abc".into())
        );
        assert_eq!(value(&["mysql", "-u", "root", "-p", "appdb"]), None);
        assert_eq!(value(&["mysql", "-p$MYSQL_ROOT_PASSWORD"]), None);
        assert_eq!(value(&["mysql", "-e", "-pnot-a-flag"]), None);
        assert_eq!(value(&["mysql", "-P3306", "-hdb"]), None);
    }

    #[test]
    fn account_hashes_but_not_locks() {
        let value = |words: &[&str]| user_password_hash(&command(words)).map(|found| found.value);
        assert_eq!(
            value(&["useradd", "-m", "-p", "$6$x", "app"]),
            None,
            "a `$` starts a reference"
        );
        assert_eq!(
            value(&["useradd", "-m", "-p", "5yfRRkrhJDbomacm2lsvEdg4GyY", "app"]),
            Some("5yfRRkrhJDbomacm2lsvEdg4GyY".into())
        );
        assert_eq!(value(&["usermod", "-p", "!", "root"]), None);
        assert_eq!(value(&["useradd", "-s", "/bin/sh", "app"]), None);
    }
}
