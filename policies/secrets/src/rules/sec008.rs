use tallyman_sdk::{Dockerfile, Finding, Severity};

use crate::credentials::{CommandCredential, command_credentials};
use crate::detectors::redact;
use crate::settings::Settings;
use crate::support::finding_at;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK` commands (and JVM
    /// options in `ENV`) that set a credential or are given one written out in the
    /// Dockerfile:
    /// - `echo 'root:pw' | chpasswd` (also `printf`, a heredoc, and
    ///   `chpasswd -e` with a hash);
    /// - `echo pw | passwd --stdin user`;
    /// - `htpasswd -b file user pw` and `htpasswd -nb user pw`;
    /// - `x11vnc -storepasswd pw file`, `echo pw | vncpasswd -f`;
    /// - `openssl passwd -1 pw`, `useradd -p <hash>` / `usermod -p <hash>`;
    /// - `mysql -p<pw>`, `--password=<pw>` (and `mysqladmin`, `mysqldump`,
    ///   the `mariadb` clients); `-p pw` with a space prompts instead, and
    ///   `pw` is then a database name;
    /// - `-D<name>=<value>` Java system properties whose name says secret
    ///   (`-Ddb.password=...`, `-Djavax.net.ssl.keyStorePassword=...`) on
    ///   `java`, `mvn`, `gradle`, `sbt`, `ant` command lines. A trust store's
    ///   password is not flagged (trust stores hold public certificates).
    ///
    /// Whatever the value looks like: unlike SEC002 there is no entropy
    /// threshold, because the command says what the value is. Nothing is
    /// reported when the value is not written out: a variable (`$PASS`,
    /// `${X}`), a command substitution (`$(cat /run/secrets/pw)`), input
    /// read from a file or a secret mount, an empty value, or a template's
    /// slot (`root:{}`, `<password>`, `@PASSWORD@`) in a Dockerfile that
    /// something else fills in. The shell model keeps no quotes, so a value
    /// with a `$` in single quotes (`'$6$salt$hash'`) reads as a variable
    /// and is not reported.
    ///
    /// The finding is `high`, except for a Java property set to a placeholder
    /// (`changeit`, `<password>`), which is `low`: a stand-in meant to be
    /// overridden, not a credential. In a `RUN` it points at the line of
    /// the command that takes the credential.
    ///
    /// ## Why is this bad?
    /// The command, with the credential in it, is in version control and in
    /// the image history (`docker history --no-trunc`), and for `CMD` and
    /// `ENTRYPOINT` in the image configuration (`docker inspect`). A password
    /// set with `chpasswd` or `htpasswd` is the same in every container of
    /// the image and known to everyone who can read the Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN useradd -m app && echo 'app:hunter2' | chpasswd
    /// RUN htpasswd -bc /etc/nginx/.htpasswd admin s3cret
    /// CMD ["java", "-Ddb.password=hunter2", "-jar", "/app.jar"]
    /// ```
    ///
    /// ## Fix
    /// Read build-time credentials from a BuildKit secret, and give run-time
    /// ones when the container starts:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN --mount=type=secret,id=app_password \
    ///     useradd -m app && echo "app:$(cat /run/secrets/app_password)" | chpasswd
    /// # docker build --secret id=app_password,src=app_password.txt .
    /// CMD ["java", "-jar", "/app.jar"]
    /// # docker run -e DB_PASSWORD ... (read by the application)
    /// ```
    pub const SEC008 = {
        id: "SEC008",
        title: "Credential set or passed on a command line",
        severity: High,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: ["checkov:CKV2_DOCKER_17", "trivy:DS-0031"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        for found in command_credentials(instruction, settings) {
            if settings.value_is_allowed(&found.value) {
                continue;
            }
            let mut finding = finding_at(&SEC008, Some(stage), instruction)
                .message(message(&found, &instruction.keyword))
                .fix(fix(&instruction.keyword))
                .on_line(found.line);
            if found.placeholder {
                finding = finding.severity(Severity::Low);
            }
            findings.push(finding);
        }
    }
}

fn message(found: &CommandCredential, keyword: &str) -> String {
    if found.placeholder {
        return format!(
            "{} is set to `{}`, a placeholder rather than a secret: make sure it is \
             overridden where the program runs",
            found.taker, found.value
        );
    }
    let kept = if keyword == "RUN" {
        "the image history"
    } else {
        "the image configuration"
    };
    format!(
        "{} {}, written out in the Dockerfile (`{}`): it is kept in {kept}",
        found.taker,
        found.what,
        redact(&found.value)
    )
}

fn fix(keyword: &str) -> String {
    if keyword == "RUN" {
        "read it from a build secret: `RUN --mount=type=secret,id=<id> ... \
         \"$(cat /run/secrets/<id>)\"` with `docker build --secret id=<id>,src=<file>`, \
         and change the credential"
            .to_string()
    } else {
        "give it when the container starts (an environment variable or a secret file the \
         program reads), and change the credential"
            .to_string()
    }
}
