use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{is_pip, program};
use crate::rpm_pins::{
    RPM_VALUE_FLAGS, RpmInstall, ZYPPER_VALUE_FLAGS, enabled_streams, in_enabled_stream,
    is_rpm_manager, module_pinned, rpm_install, rpm_pinned, zypper_install, zypper_pinned,
};
use crate::scope::{expand_word, instructions_before, variable};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags packages installed without a version:
    /// - `apt-get`/`apt install pkg` (pinned: `pkg=1.2-3`, `pkg=1.2*`);
    /// - `apk add pkg` (pinned: `pkg=1.2-r0`, `pkg~1.2`, `pkg>=1.2`);
    /// - `pip install pkg` (pinned: `pkg==1.2`, `pkg~=1.2`, any version
    ///   bound, `pkg @ <url>`, a VCS URL at `@<ref>`);
    /// - `npm install`/`yarn add`/`pnpm add pkg` (pinned: `pkg@1.2.3`,
    ///   `pkg@^1.2`; `pkg@latest` and other dist-tags are not);
    /// - `gem install pkg` (pinned: `-v 1.2`, `pkg:1.2`);
    /// - `go install pkg@latest` (or `@master`, `@main`, `@HEAD`), and
    ///   `go get pkg` without a version, which takes the latest;
    /// - `yum`/`dnf`/`microdnf`/`tdnf install pkg` (pinned:
    ///   `pkg-1.2.3`, `pkg-1.2.3-4.el9`, `pkg-1.2*`, an epoch `pkg-1:2.3`,
    ///   `'pkg >= 1.2'`) and `dnf module install name` (pinned: a stream,
    ///   `name:18`);
    /// - `zypper install pkg` (pinned: `pkg=1.2`, `'pkg>=1.2'`,
    ///   `pkg-1.2-3.1`).
    ///
    /// It reads what users report hadolint gets wrong (DL3008, DL3013,
    /// DL3016, DL3018) as not unpinned:
    /// - variables: `apt-get install foo=$FOO_VERSION` is pinned; a word
    ///   that is only a variable (`apt-get install $PACKAGES`) is resolved
    ///   from `ENV`, `ARG` defaults and assignments earlier in the `RUN`,
    ///   and skipped when its value cannot be known (a loop variable, a
    ///   `--build-arg` without default);
    /// - local files: `apt-get install ./pkg.deb`, `apk add /tmp/x.apk`,
    ///   `pip install .`, `pip install dist/*.whl`, `gem install x.gem`;
    /// - requirement and lock files: `pip install -r requirements.txt`,
    ///   `-c constraints.txt` (which pins every package named with it) or
    ///   `PIP_CONSTRAINT`, `npm ci`, `npm install`/`yarn install` without
    ///   package names, `bundle install`, `go install` without `@version`
    ///   (which uses the module's `go.mod`);
    /// - flag values: `apk add --virtual .build-deps`, `apt-get -t
    ///   bookworm-backports`, `pip install -e .`, `dnf --installroot
    ///   /staging --releasever 9 install …`;
    /// - rpm names that end in a number (`gcc-toolset-12`,
    ///   `java-17-openjdk`) are names, not `name-version`; a version starts
    ///   with a digit and is a dotted number, a glob or is followed by a
    ///   release;
    /// - groups and patterns, which have no version (`dnf group install`,
    ///   `yum install @development-tools`, `zypper install -t pattern`),
    ///   local and remote `.rpm` files (but not `…-latest….rpm`), and the
    ///   packages of a module stream the stage enabled (`dnf module enable
    ///   httpd:2.4` pins `httpd` and `httpd-*` at that stream).
    ///
    /// The message names the command as the script wrote it (`apt install`,
    /// `pnpm add`, `pip3 install`).
    ///
    /// The severity is `info` by default; the `unpinned-severity` setting
    /// raises it for teams that require reproducible builds.
    ///
    /// The finding points at the line of the install command.
    ///
    /// ## Why is this bad?
    /// An unpinned install takes whatever version the repository has on
    /// the day of the build: two builds of the same Dockerfile differ, a
    /// new major version breaks the build without a change in the
    /// repository, and a compromised release goes in unnoticed.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && pip install --no-cache-dir flask \
    ///  && npm install -g pnpm
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// ARG CURL_VERSION=7.88.1-10+deb12u8
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=${CURL_VERSION} \
    ///  && pip install --no-cache-dir flask==3.0.3 \
    ///  && npm install -g pnpm@9.12.1
    /// ```
    pub const HD020 = {
        id: "HD020",
        title: "Package installed without a pinned version",
        severity: Info,
        tags: ["reproducibility", "supply-chain"],
        equivalents: [
            "hadolint:DL3008",
            "hadolint:DL3013",
            "hadolint:DL3016",
            "hadolint:DL3018",
            "hadolint:DL3028",
            "hadolint:DL3033",
            "hadolint:DL3037",
            "hadolint:DL3041",
            "hadolint:DL3062",
            "kics:Yum install Without Version",
            "kics:Missing Version Specification In dnf install",
            "kics:Zypper Install Without Version",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let commands = instruction.run_commands();
        for (index, command) in commands.iter().enumerate() {
            let earlier = commands.get(..index).unwrap_or_default();
            let lookup = |name: &str| variable(dockerfile, stage, instruction, earlier, name);
            let run = program(command);
            let Some(mut install) = unpinned(&run, &lookup) else {
                continue;
            };
            if install.manager == "dnf install" {
                let before = instructions_before(dockerfile, stage, instruction.line());
                let modules = enabled_streams(
                    before
                        .iter()
                        .flat_map(|earlier| earlier.run_commands())
                        .chain(earlier),
                );
                install
                    .packages
                    .retain(|package| !in_enabled_stream(package, &modules));
            }
            if install.packages.is_empty() {
                continue;
            }
            let list = install
                .packages
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let example = install.packages.first().map_or("pkg", String::as_str);
            let mut finding = Finding::at_command(&HD020, (stage, instruction), command)
                .message(format!(
                    "`{}` installs {list} without a {}",
                    install.written,
                    if install.manager == "dnf module install" {
                        "stream"
                    } else {
                        "version"
                    }
                ))
                .fix(fix(install.manager, run.program(), example));
            if let Some(severity) = settings.unpinned_severity() {
                finding = finding.severity(severity);
            }
            findings.push(finding);
        }
    }
}

/// An install by name, and what it leaves unpinned.
struct Install {
    /// The manager's kind, which decides the fix: `apt-get install` also
    /// for `apt` and `aptitude`, `npm install` also for `pnpm`.
    manager: &'static str,
    /// The program and subcommand as the script wrote them (`apt install`,
    /// `pnpm add`, `pip3 install`), for the message.
    written: String,
    packages: Vec<String>,
}

/// The packages a command installs unpinned; `None` when the command
/// installs nothing by name.
fn unpinned<'a>(run: &Command<'_>, lookup: &impl Fn(&str) -> Option<&'a str>) -> Option<Install> {
    let name = run.program();
    let (manager, operands, pinned): (&'static str, Vec<&str>, fn(&str) -> bool) = match name {
        "apt-get" | "apt" | "aptitude" => {
            ("apt-get install", run.operands_after("install"), apt_pinned)
        }
        "apk" => ("apk add", run.operands_after("add"), apk_pinned),
        "gem" if run.has_subcommand("install") => {
            if run.has_flag(&["-v", "--version", "-g", "--file"]) {
                return None;
            }
            ("gem install", run.operands_after("install"), gem_pinned)
        }
        "go" if run.has_subcommand("get") => ("go get", run.operands_after("get"), go_get_pinned),
        "go" => ("go install", run.operands_after("install"), go_pinned),
        "npm" | "pnpm" => {
            let sub = run.subcommand()?;
            if !matches!(sub, "install" | "i" | "add" | "isntall") {
                return None;
            }
            ("npm install", run.operands_after(sub), npm_pinned)
        }
        "yarn" => {
            let operands = run.operands();
            let packages = match operands.as_slice() {
                ["add", rest @ ..] | ["global", "add", rest @ ..] => rest.to_vec(),
                _ => return None,
            };
            ("yarn add", packages, npm_pinned)
        }
        _ if is_rpm_manager(name) => match rpm_install(run)? {
            RpmInstall::Packages(packages) => ("dnf install", packages, rpm_pinned),
            RpmInstall::Modules(modules) => ("dnf module install", modules, module_pinned),
        },
        "zypper" => ("zypper install", zypper_install(run)?, zypper_pinned),
        _ if is_pip(name) && run.has_subcommand("install") => {
            let constrained =
                run.has_flag(&["-c", "--constraint"]) || lookup("PIP_CONSTRAINT").is_some();
            if constrained {
                return None;
            }
            ("pip install", run.operands_after("install"), pip_pinned)
        }
        _ => return None,
    };
    let mut unpinned = Vec::new();
    for operand in relations_joined(operands) {
        // A word the build alone can fill (`$PACKAGES` with no known value).
        let Some(words) = expand_word(&operand, lookup) else {
            continue;
        };
        unpinned.extend(
            words
                .into_iter()
                .filter(|word| !word.starts_with('-') && !pinned(word)),
        );
    }
    Some(Install {
        manager,
        written: written_subcommand(run),
        packages: unpinned,
    })
}

/// The operands with a relation written as three words (`zypper install
/// curl = 8.0`) joined into one spec (`curl = 8.0`).
fn relations_joined(operands: Vec<&str>) -> Vec<String> {
    let mut specs: Vec<String> = Vec::with_capacity(operands.len());
    let mut words = operands.into_iter();
    while let Some(word) = words.next() {
        let is_relation = matches!(word, "=" | "==" | ">=" | "<=" | "<" | ">");
        match specs.last_mut() {
            Some(name) if is_relation => {
                name.push(' ');
                name.push_str(word);
                if let Some(version) = words.next() {
                    name.push(' ');
                    name.push_str(version);
                }
            }
            _ => specs.push(word.to_string()),
        }
    }
    specs
}

/// The program and the operands up to its subcommand, as written: `apt
/// install`, `pnpm add`, `yarn global add`, `go get`, `dnf module install`.
fn written_subcommand(run: &Command<'_>) -> String {
    let operands = if is_rpm_manager(run.program()) {
        run.value_flags(RPM_VALUE_FLAGS).operands()
    } else if run.is("zypper") {
        run.value_flags(ZYPPER_VALUE_FLAGS).operands()
    } else {
        run.operands()
    };
    let subcommand_words = match operands.first() {
        Some(&"global") => 2,
        Some(&"module") if is_rpm_manager(run.program()) => 2,
        _ => 1,
    };
    std::iter::once(run.program())
        .chain(operands.into_iter().take(subcommand_words))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A path rather than a package name: `./x.deb`, `/tmp/x.apk`, `dist/*.whl`.
fn is_local_file(word: &str, extensions: &[&str]) -> bool {
    word.starts_with(['.', '/', '~']) || extensions.iter().any(|ext| word.ends_with(ext))
}

fn apt_pinned(word: &str) -> bool {
    word.contains('=') || is_local_file(word, &[".deb"])
}

fn apk_pinned(word: &str) -> bool {
    word.contains(['=', '~', '<', '>']) || is_local_file(word, &[".apk"])
}

fn gem_pinned(word: &str) -> bool {
    word.contains(':') || is_local_file(word, &[".gem"])
}

/// `go install pkg@v1.2.3` or a commit; without `@`, the module's go.mod
/// decides.
/// `go get pkg` takes the latest version (and writes it into go.mod);
/// `go get ./...` fetches what go.mod already pins.
fn go_get_pinned(word: &str) -> bool {
    word.contains('@') && go_pinned(word) || word.starts_with('.') || word.starts_with('/')
}

fn go_pinned(word: &str) -> bool {
    match word.rsplit_once('@') {
        Some((_, version)) => !matches!(
            version,
            "" | "latest" | "master" | "main" | "HEAD" | "upgrade" | "patch"
        ),
        None => true,
    }
}

fn pip_pinned(word: &str) -> bool {
    const ARCHIVES: &[&str] = &[".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"];
    if word.contains("://") {
        let last = word.rsplit('/').next().unwrap_or(word);
        return last.contains('@')
            || word.contains(" @ ")
            || ARCHIVES.iter().any(|ext| word.ends_with(ext));
    }
    word.contains(['=', '<', '>', '@']) || is_local_file(word, ARCHIVES)
}

/// `pkg@1.2.3`, `@scope/pkg@^1.2`, a tarball, a path, a Git URL at a ref.
fn npm_pinned(word: &str) -> bool {
    if word.contains("://") || word.starts_with("github:") || word.starts_with("git+") {
        return word.contains('#') || word.ends_with(".tgz") || word.ends_with(".tar.gz");
    }
    if is_local_file(word, &[".tgz", ".tar.gz"]) || word.starts_with("file:") {
        return true;
    }
    // The version follows the last `@` that is not the scope's.
    let Some((_, version)) = word.get(1..).and_then(|rest| rest.rsplit_once('@')) else {
        // `user/repo` is a GitHub shorthand at its default branch.
        return false;
    };
    let version = version.strip_prefix('v').unwrap_or(version);
    // `pkg@${VERSION#v}`: a version the build fills in.
    version
        .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '^' | '~' | '=' | '<' | '>' | '$'))
}

fn fix(manager: &str, program: &str, example: &str) -> String {
    let name = example
        .split(['=', '@', '[', ':'])
        .next()
        .unwrap_or(example);
    match manager {
        "apt-get install" => format!(
            "pin each package: `{name}=<version>` (a variable such as `{name}=${{{}_VERSION}}` works)",
            name.to_ascii_uppercase().replace(['-', '.', '+'], "_")
        ),
        "apk add" => format!("pin each package: `{name}=<version>` or `{name}~<major.minor>`"),
        "dnf install" if program == "tdnf" => {
            format!("pin each package: `{name}-<version>` or `{name}-<version>-<release>`")
        }
        "dnf install" => format!(
            "pin each package: `{name}-<version>` or `{name}-<version>-<release>`, \
             or enable a module stream first (`{program} module enable {name}:<stream>`)"
        ),
        "dnf module install" => {
            format!("name a stream: `{program} module install {name}:<stream>`")
        }
        "zypper install" => {
            format!("pin each package: `{name}=<version>` (or `'{name}>=<version>'`)")
        }
        "gem install" => {
            format!("`gem install {name} -v <version>`, or a Gemfile.lock with `bundle install`")
        }
        "go install" | "go get" => format!(
            "`go {} {name}@<version>`",
            manager.trim_start_matches("go ")
        ),
        "npm install" | "yarn add" => {
            format!("`{name}@<version>`, or a package.json with a lock file and `npm ci`")
        }
        _ => format!(
            "`{name}==<version>`, or a requirements file with pinned versions (`pip install -r`)"
        ),
    }
}
