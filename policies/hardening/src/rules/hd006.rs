use tallyman_sdk::model::{Instruction, SimpleCommand};
use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::commands::{Family, assignments, is_pip, option_values, program, written_text};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags every way a Dockerfile turns off TLS certificate or package
    /// signature verification (Checkov's integrity family, and a few it
    /// misses):
    /// - download tools: `curl -k`/`--insecure`, `wget --no-check-certificate`,
    ///   `check_certificate = off` written to a `.wgetrc`;
    /// - Python: `pip --trusted-host`, `pip config set global.trusted-host`,
    ///   `PIP_TRUSTED_HOST`, `PYTHONHTTPSVERIFY=0`;
    /// - Node.js: `NODE_TLS_REJECT_UNAUTHORIZED=0`, `npm`/`yarn config set
    ///   strict-ssl false`, `--strict-ssl=false`, `NPM_CONFIG_STRICT_SSL=false`,
    ///   `strict-ssl=false` in an `.npmrc`;
    /// - Git and Go: `GIT_SSL_NO_VERIFY` (any value), `git config http.sslVerify
    ///   false`, `git -c http.sslVerify=false`, `GOINSECURE`;
    /// - apt: `--allow-unauthenticated`, `--force-yes`,
    ///   `--allow-insecure-repositories` on a command that can download
    ///   (`install`, `update`, `upgrade`, ...; not `remove`, `purge`,
    ///   `autoremove` or `clean`, which fetch nothing), the same as
    ///   `-o APT::...` options or
    ///   in an `apt.conf` snippet, `Verify-Peer "false"`, sources marked
    ///   `[trusted=yes]` (except a `file:` repository of packages the build
    ///   just made, as the official postgres and nginx images do);
    /// - apk `--allow-untrusted` when installing from a repository or a URL
    ///   (not `apk index`, which builds an index of local packages, nor
    ///   `apk add` of local package files only: `/tmp/packages/*.apk`, a
    ///   builder stage's unsigned output, has no signature to check);
    ///   yum/dnf `--nogpgcheck`, `--setopt=gpgcheck=0`,
    ///   `--setopt=sslverify=0` (also through `config-manager`), `gpgcheck=0`
    ///   or `sslverify=0` in a `.repo` file; zypper `--no-gpg-checks`; rpm
    ///   `--nosignature`, `--nodigest`, `--nofiledigest`, `--noverify`.
    ///
    /// Variables count whether set by `ENV`, an `ARG` default, an `export` or
    /// a command prefix. All stages are checked: a builder that downloads
    /// over unverified TLS can be fed anything, and what it builds ships.
    ///
    /// A finding about a command points at the line of the argument that
    /// turns the check off (a `--force-yes` on the third line of a `RUN`
    /// continued over five is reported on the third), not at the whole
    /// `RUN`; one about a variable or written configuration, at the
    /// instruction.
    ///
    /// ## Why is this bad?
    /// TLS verification and package signatures are what make a download the
    /// one its publisher meant. Without them anyone on the network path (a
    /// proxy, a compromised mirror, a hostile Wi-Fi on a developer's laptop)
    /// can substitute packages or scripts, and the build succeeds. A variable
    /// set with `ENV` also stays in the image and weakens every connection
    /// the application makes at run time.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV NODE_TLS_REJECT_UNAUTHORIZED=0
    /// RUN curl -k https://example.com/tool.tgz | tar -xz \
    ///  && pip install --trusted-host pypi.example.com -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// Trust the certificate authority instead of turning checks off:
    /// ```dockerfile
    /// COPY corporate-ca.crt /usr/local/share/ca-certificates/
    /// RUN update-ca-certificates
    /// ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/corporate-ca.crt
    /// RUN curl -fsSL https://example.com/tool.tgz | tar -xz \
    ///  && pip install --cert /etc/ssl/certs/ca-certificates.crt -r requirements.txt
    /// ```
    pub const HD006 = {
        id: "HD006",
        title: "TLS or signature verification turned off",
        severity: High,
        tags: ["cis-docker-1.6:4.11", "cis-docker-1.6:4.12", "security", "supply-chain"],
        equivalents: [
            "checkov:CKV2_DOCKER_2",
            "checkov:CKV2_DOCKER_3",
            "checkov:CKV2_DOCKER_4",
            "checkov:CKV2_DOCKER_5",
            "checkov:CKV2_DOCKER_6",
            "checkov:CKV2_DOCKER_7",
            "checkov:CKV2_DOCKER_8",
            "checkov:CKV2_DOCKER_9",
            "checkov:CKV2_DOCKER_10",
            "checkov:CKV2_DOCKER_11",
            "checkov:CKV2_DOCKER_12",
            "checkov:CKV2_DOCKER_13",
            "checkov:CKV2_DOCKER_14",
            "checkov:CKV2_DOCKER_15",
            "checkov:CKV2_DOCKER_16",
        ],
    };
}

/// One weakened check: what the file says, what it turns off, and the
/// argument of a command that says it (a finding points at its line).
pub struct Weakening<'a> {
    what: String,
    effect: &'static str,
    word: Option<&'a str>,
}

impl<'a> Weakening<'a> {
    fn new(what: String, effect: &'static str) -> Self {
        Weakening {
            what,
            effect,
            word: None,
        }
    }

    /// Said by `word`, an argument (or a piece of one) of the command.
    fn in_word(what: String, effect: &'static str, word: &'a str) -> Self {
        Weakening {
            what,
            effect,
            word: Some(word),
        }
    }
}

const TLS: &str = "turns off TLS certificate verification";
const SIGNATURES: &str = "turns off package signature verification";

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.every_instruction() {
        // The command a weakening is written in, so that the finding
        // points at the line of the argument that says it rather than at
        // the whole instruction.
        let mut found: Vec<(Weakening, Option<&SimpleCommand>)> = in_variables(instruction)
            .into_iter()
            .map(|weakening| (weakening, None))
            .collect();
        for command in instruction.run_commands() {
            found.extend(
                in_command(command)
                    .into_iter()
                    .map(|weakening| (weakening, Some(command))),
            );
        }
        if instruction.as_run().is_some() {
            found.extend(
                in_written_config(instruction)
                    .into_iter()
                    .map(|weakening| (weakening, None)),
            );
        }
        let mut seen: Vec<String> = Vec::new();
        for (weakening, command) in found {
            let Weakening { what, effect, word } = weakening;
            if seen.contains(&what) {
                continue;
            }
            seen.push(what.clone());
            let finding = match stage {
                Some(stage) => Finding::at(&HD006, (stage, instruction)),
                None => Finding::at(&HD006, instruction),
            };
            let finding = match (command, word) {
                (Some(command), Some(word)) => finding.on_line_of_word(command, word),
                (Some(command), None) => finding.on_line_of(command),
                (None, _) => finding,
            };
            findings.push(finding.message(format!("{what} {effect}")).fix(
                "keep verification on: install the certificate authority you need \
                          (`update-ca-certificates`, `--cert`, `NODE_EXTRA_CA_CERTS`) or the \
                          repository's signing key",
            ));
        }
    }
}

/// `ENV` assignments and `ARG` defaults.
fn in_variables(instruction: &Instruction) -> Vec<Weakening<'static>> {
    let (keyword, pairs): (&str, Vec<(&str, &str)>) = if let Some(env) = instruction.as_env() {
        (
            "ENV",
            env.iter()
                .map(|a| (a.key.as_str(), a.value.as_str()))
                .collect(),
        )
    } else if let Some(args) = instruction.as_arg() {
        let defaults = args
            .iter()
            .filter_map(|arg| {
                arg.default
                    .as_deref()
                    .map(|value| (arg.name.as_str(), value))
            })
            .collect();
        ("ARG", defaults)
    } else {
        return Vec::new();
    };
    pairs
        .into_iter()
        .filter_map(|(name, value)| {
            weakening_variable(name, value)
                .map(|effect| Weakening::new(format!("`{keyword} {name}={value}`"), effect))
        })
        .collect()
}

/// The variables that turn a check off, by value. Names are case-sensitive
/// except npm's, which npm reads in any case.
pub fn weakening_variable(name: &str, value: &str) -> Option<&'static str> {
    let value = value.trim();
    match name {
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => (value == "0").then_some(TLS),
        // Git reads the variable's presence, whatever its value.
        "GIT_SSL_NO_VERIFY" => Some(TLS),
        "PIP_TRUSTED_HOST" | "GOINSECURE" => (!value.is_empty()).then_some(TLS),
        "YARN_STRICT_SSL" => is_false(value).then_some(TLS),
        _ if name.eq_ignore_ascii_case("NPM_CONFIG_STRICT_SSL") => is_false(value).then_some(TLS),
        _ => None,
    }
}

pub fn in_command(command: &SimpleCommand) -> Vec<Weakening<'_>> {
    let mut found: Vec<Weakening> = assignments(command)
        .into_iter()
        .filter_map(|(name, value)| {
            weakening_variable(name, value)
                .map(|effect| Weakening::new(format!("`{name}={value}`"), effect))
        })
        .collect();
    let run = program(command);
    let name = run.program();
    let flag = |flags: &[&str], effect: &'static str| -> Option<Weakening> {
        flags.iter().find_map(|flag| {
            run.flag_word(&[*flag])
                .map(|word| Weakening::in_word(format!("`{name} {flag}`"), effect, word))
        })
    };
    match name {
        "curl" => found.extend(flag(&["--insecure", "-k"], TLS)),
        "wget" => found.extend(flag(&["--no-check-certificate"], TLS)),
        // `apk index --allow-untrusted` builds an index of local packages.
        "apk" if Family::Apk.installs(&run) && !installs_local_files_only(&run) => {
            found.extend(flag(&["--allow-untrusted"], SIGNATURES))
        }
        "rpm" => found.extend(flag(
            &[
                "--nosignature",
                "--nodigest",
                "--nofiledigest",
                "--noverify",
            ],
            SIGNATURES,
        )),
        "zypper" => found.extend(flag(&["--no-gpg-checks"], SIGNATURES)),
        "git" => found.extend(git(&run)),
        "npm" | "yarn" | "pnpm" => found.extend(node_strict_ssl(&run)),
        _ if is_pip(name) => {
            found.extend(flag(&["--trusted-host"], TLS));
            let operands = run.operands();
            if operands.first() == Some(&"config")
                && let Some(key) = operands.iter().find(|o| o.ends_with(".trusted-host"))
            {
                found.push(Weakening::in_word(
                    "`pip config set global.trusted-host`".to_string(),
                    TLS,
                    key,
                ));
            }
        }
        _ => {}
    }
    match Family::of(&run) {
        Some(Family::Apt) if apt_fetches(&run) => {
            found.extend(flag(
                &[
                    "--allow-unauthenticated",
                    "--force-yes",
                    "--allow-insecure-repositories",
                ],
                SIGNATURES,
            ));
            for option in option_values(&run, "-o", "--option") {
                if let Some(effect) = apt_setting(option) {
                    found.push(Weakening::in_word(
                        format!("`{name} -o {option}`"),
                        effect,
                        option,
                    ));
                }
            }
        }
        Some(Family::Rpm) => found.extend(flag(&["--nogpgcheck"], SIGNATURES)),
        _ => {}
    }
    if matches!(
        name,
        "yum" | "dnf" | "dnf5" | "microdnf" | "tdnf" | "yum-config-manager"
    ) {
        for option in option_values(&run, "--setopt", "--setopt") {
            if let Some(effect) = repo_setting(option) {
                found.push(Weakening::in_word(
                    format!("`{name} --setopt={option}`"),
                    effect,
                    option,
                ));
            }
        }
    }
    found
}

/// `apk add` of package files on disk only (`/tmp/packages/*.apk`,
/// `./tool.apk`): packages a builder stage made, unsigned by construction.
/// A package name (fetched from a repository), a URL, or no package at all
/// (`apk upgrade`) is not.
fn installs_local_files_only(run: &Command<'_>) -> bool {
    let packages = run.operands().into_iter().skip(1).collect::<Vec<_>>();
    !packages.is_empty() && packages.into_iter().all(is_local_package_file)
}

/// A path (`/tmp/x.apk`, `./pkgs/*`) or a package file name (`x.apk`,
/// `*.deb`), not a URL.
fn is_local_package_file(argument: &str) -> bool {
    if argument.contains("://") {
        return false;
    }
    let name = argument.to_ascii_lowercase();
    name.contains('/')
        || [".apk", ".deb", ".rpm"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// The apt command may download packages or indexes, whose signatures its
/// flags can turn off. Removing, cleaning and querying fetch nothing:
/// `apt-get purge --force-yes` (a deprecated spelling of "remove even
/// essential packages") verifies nothing less.
fn apt_fetches(run: &Command<'_>) -> bool {
    !matches!(
        run.subcommand(),
        Some(
            "remove"
                | "purge"
                | "autoremove"
                | "autopurge"
                | "clean"
                | "autoclean"
                | "auto-clean"
                | "distclean"
                | "dist-clean"
                | "check"
                | "markauto"
                | "unmarkauto"
                | "mark"
                | "hold"
                | "unhold"
                | "list"
                | "search"
                | "show"
                | "policy"
        )
    )
}

fn git<'a>(run: &Command<'a>) -> Vec<Weakening<'a>> {
    let mut found = Vec::new();
    for option in option_values(run, "-c", "--config") {
        if let Some((key, value)) = option.split_once('=')
            && is_ssl_verify_key(key)
            && is_false(value)
        {
            found.push(Weakening::in_word(
                format!("`git -c {option}`"),
                TLS,
                option,
            ));
        }
    }
    let operands = run.operands();
    if let [first, key, value, ..] = operands.as_slice()
        && *first == "config"
        && is_ssl_verify_key(key)
        && is_false(value)
    {
        found.push(Weakening::in_word(
            format!("`git config {key} {value}`"),
            TLS,
            key,
        ));
    }
    found
}

/// `http.sslVerify` and `http.<url>.sslVerify`.
fn is_ssl_verify_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("http.") && key.ends_with(".sslverify")
}

fn is_false(value: &str) -> bool {
    matches!(
        value
            .trim_matches(['"', '\''])
            .to_ascii_lowercase()
            .as_str(),
        "false" | "0" | "no" | "off"
    )
}

/// `npm config set strict-ssl false`, `npm set strict-ssl=false`, `yarn
/// config set enableStrictSsl false`, `npm install --strict-ssl=false`.
fn node_strict_ssl<'a>(run: &Command<'a>) -> Vec<Weakening<'a>> {
    let name = run.program();
    let mut found = Vec::new();
    if let Some(value) = run.flag_value(&["--strict-ssl"])
        && is_false(value)
    {
        found.push(Weakening::in_word(
            format!("`{name} --strict-ssl={value}`"),
            TLS,
            value,
        ));
    }
    if let Some(word) = run.flag_word(&["--no-strict-ssl"]) {
        found.push(Weakening::in_word(
            format!("`{name} --no-strict-ssl`"),
            TLS,
            word,
        ));
    }
    let operands = run.operands();
    let setting = match operands.as_slice() {
        [config, "set", rest @ ..] if matches!(*config, "config" | "c") => rest,
        ["set", rest @ ..] => rest,
        _ => return found,
    };
    let (key, value) = match setting {
        [pair] => pair.split_once('=').unwrap_or((pair, "")),
        [key, value, ..] => (*key, *value),
        [] => return found,
    };
    if matches!(
        key.to_ascii_lowercase().as_str(),
        "strict-ssl" | "enablestrictssl"
    ) && is_false(value)
    {
        found.push(Weakening::in_word(
            format!("`{name} config set {key} {value}`"),
            TLS,
            key,
        ));
    }
    found
}

/// An apt option that turns a check off: `APT::Get::AllowUnauthenticated=true`.
fn apt_setting(option: &str) -> Option<&'static str> {
    let (key, value) = option.split_once('=')?;
    let key = key.to_ascii_lowercase();
    let truthy = matches!(
        value
            .trim_matches(['"', '\''])
            .to_ascii_lowercase()
            .as_str(),
        "true" | "1" | "yes"
    );
    if (key.ends_with("::allowunauthenticated") || key.ends_with("::allowinsecurerepositories"))
        && truthy
    {
        return Some(SIGNATURES);
    }
    if (key.ends_with("::verify-peer") || key.ends_with("::verify-host")) && is_false(value) {
        return Some(TLS);
    }
    None
}

/// A yum/dnf repository option that turns a check off: `sslverify=0`,
/// `*.gpgcheck=false`.
fn repo_setting(option: &str) -> Option<&'static str> {
    let (key, value) = option.split_once('=')?;
    let key = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    if !is_false(value) {
        return None;
    }
    match key.as_str() {
        "sslverify" => Some(TLS),
        "gpgcheck" => Some(SIGNATURES),
        _ => None,
    }
}

/// Configuration a `RUN` writes with `echo`, `printf` or a heredoc: repo
/// files, `apt.conf` snippets, apt sources, `.wgetrc`, `.npmrc`.
fn in_written_config(instruction: &Instruction) -> Vec<Weakening<'static>> {
    let text = written_text(instruction);
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let compact: String = line
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let effect = if let Some((key, value)) = compact.split_once('=')
            && !key.contains(['[', ' '])
        {
            match key {
                "sslverify" | "check_certificate" | "check-certificate" | "strict-ssl"
                    if is_false(value) =>
                {
                    Some(TLS)
                }
                "gpgcheck" if is_false(value) => Some(SIGNATURES),
                _ => None,
            }
        } else {
            None
        };
        let effect = effect.or_else(|| {
            if line.starts_with("deb") && compact.contains("trusted=yes") && !local_repository(line)
            {
                Some(SIGNATURES)
            } else {
                apt_conf_line(&compact)
            }
        });
        if let Some(effect) = effect {
            found.push(Weakening::new(format!("writing `{line}`"), effect));
        }
    }
    found
}

/// `deb [trusted=yes] file:/tmp/debs ./`: a repository of packages the build
/// itself just made, with nothing on the network to verify.
fn local_repository(line: &str) -> bool {
    let after_options = line.rsplit(']').next().unwrap_or(line);
    after_options
        .split_whitespace()
        .next()
        .is_some_and(|uri| uri.starts_with("file:") || uri.starts_with("copy:"))
}

/// An `apt.conf` line: `APT::Get::AllowUnauthenticated "true";`.
fn apt_conf_line(compact: &str) -> Option<&'static str> {
    let (key, rest) = compact.split_once('"')?;
    let value = rest.split('"').next().unwrap_or_default();
    apt_setting(&format!("{key}={value}"))
}

/// TLS or signature checks turned off: in the image's `Env`, or by a `RUN`
/// recorded in its history.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    let fix = "keep verification on: install the certificate authority you need \
               (`update-ca-certificates`, `--cert`, `NODE_EXTRA_CA_CERTS`) or the repository's \
               signing key";
    for variable in &image.config.env {
        if let Some(effect) = weakening_variable(&variable.key, &variable.value) {
            findings.push(
                Finding::new(&HD006)
                    .message(format!(
                        "`{}={}` in the image's `Env` {effect}",
                        variable.key, variable.value
                    ))
                    .fix(fix),
            );
        }
    }
    for (step, commands) in crate::history::run_steps(image) {
        let mut seen: Vec<String> = Vec::new();
        for Weakening { what, effect, .. } in commands.iter().flat_map(in_command) {
            if seen.contains(&what) {
                continue;
            }
            seen.push(what.clone());
            findings.push(
                Finding::new(&HD006)
                    .message(format!("history step {step}: {what} {effect}"))
                    .fix(fix),
            );
        }
    }
}
