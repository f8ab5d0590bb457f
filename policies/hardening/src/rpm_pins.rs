//! What pins a package for the rpm family (`yum`, `dnf`, `microdnf`,
//! `tdnf`) and for `zypper`: the forms their package specs take, read the
//! way the package managers read them rather than hadolint's
//! "anything after a dash" (HD020).

use tallyman_sdk::model::SimpleCommand;
use tallyman_sdk::shell::Command;

use crate::commands::program;

/// `yum`/`dnf`/`microdnf`/`tdnf` flags that take the next argument as their
/// value: without them `--installroot /staging` reads `/staging` as a
/// package (hadolint#945).
pub const RPM_VALUE_FLAGS: &[&str] = &[
    "-c",
    "--config",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
    "--enablerepo",
    "--disablerepo",
    "--repo",
    "--repoid",
    "--repofrompath",
    "--installroot",
    "--releasever",
    "--setopt",
    "-x",
    "--exclude",
    "--disableplugin",
    "--enableplugin",
    "--forcearch",
    "--downloaddir",
    "--destdir",
    "--comment",
    "--color",
    "--rpmverbosity",
];

/// `zypper` flags that take a value, global and of `install`.
pub const ZYPPER_VALUE_FLAGS: &[&str] = &[
    "-r",
    "--repo",
    "--from",
    "-t",
    "--type",
    "--root",
    "-D",
    "--reposd-dir",
    "-C",
    "--cache-dir",
    "--raw-cache-dir",
    "--solv-cache-dir",
    "--pkg-cache-dir",
    "--download",
    "-R",
    "--config",
];

/// The programs of the rpm family.
pub fn is_rpm_manager(program: &str) -> bool {
    matches!(program, "yum" | "dnf" | "dnf5" | "microdnf" | "tdnf")
}

/// What an rpm-family or zypper command installs by name: the words that
/// name packages, and how to tell whether one is pinned.
pub enum RpmInstall<'a> {
    /// `dnf install`, `yum localinstall`, `zypper install`: package specs.
    Packages(Vec<&'a str>),
    /// `dnf module install`: module specs, pinned by a stream.
    Modules(Vec<&'a str>),
}

/// The packages or modules an rpm-family command installs, `None` when it
/// installs nothing by name (`dnf group install`, `dnf upgrade`).
pub fn rpm_install<'a>(run: &Command<'a>) -> Option<RpmInstall<'a>> {
    let operands = run.value_flags(RPM_VALUE_FLAGS).operands();
    match operands.as_slice() {
        [sub, packages @ ..] if matches!(*sub, "install" | "in" | "localinstall" | "reinstall") => {
            Some(RpmInstall::Packages(packages.to_vec()))
        }
        ["module", "install", modules @ ..] => Some(RpmInstall::Modules(modules.to_vec())),
        _ => None,
    }
}

/// The packages `zypper install` installs; `None` for other subcommands
/// and for patterns, patches and products (`-t pattern`), which have no
/// version a Dockerfile could pin.
pub fn zypper_install<'a>(run: &Command<'a>) -> Option<Vec<&'a str>> {
    let run = run.value_flags(ZYPPER_VALUE_FLAGS);
    let operands = run.operands();
    let (sub, packages) = operands.split_first()?;
    if !matches!(*sub, "install" | "in") {
        return None;
    }
    let kind = run.flag_value(&["-t", "--type"]).unwrap_or("package");
    (kind == "package").then(|| packages.to_vec())
}

/// A package spec that names a version, or that cannot have one.
///
/// - `name-version` and `name-version-release` (`git-core-2.51.0-2.fc42`,
///   `glibc-2.28-225.el8.x86_64`, `python3.12-3.12.1-4.el9_4.1`, an epoch
///   `name-1:2.3-4`, a glob `nodejs-18.*`): dnf splits a spec at its last
///   dashes, and a version starts with a digit. `java-17-openjdk` and
///   `gcc-toolset-12` are names: the last part is not a version, or is a
///   bare number with no release after it;
/// - a relation: `name = 1.2`, `name>=1.2` (dnf provides, zypper, tdnf);
/// - a local or remote `.rpm` file, a path, or a version the build fills
///   in (`name-${VERSION}` with no known value);
/// - `@group` and `@environment`: groups have no version.
pub fn rpm_pinned(word: &str) -> bool {
    if word.starts_with('@') || word.contains(['=', '<', '>']) {
        return true;
    }
    if word.contains("://") {
        let file = word.rsplit('/').next().unwrap_or(word);
        // `epel-release-latest-9.noarch.rpm` is whatever is current.
        return file.ends_with(".rpm") && !file.contains("latest");
    }
    if word.ends_with(".rpm") || word.starts_with(['/', '.', '~']) {
        return true;
    }
    let parts: Vec<&str> = word.split('-').collect();
    let Some((last, before)) = parts.split_last() else {
        return false;
    };
    if before.is_empty() {
        return false;
    }
    if last.contains('$') {
        return true;
    }
    if !is_version(last) {
        return false;
    }
    // `pkg-1.2`, `pkg-1.*`, `pkg-1:2`, or `pkg-1.2-3` (a release after a
    // version); a lone `-12` is part of the name (`gcc-toolset-12`).
    let qualified = last.contains(['.', '*', ':']);
    let after_version = before.len() > 1 && before.last().is_some_and(|part| is_version(part));
    qualified || after_version
}

/// A module spec names a stream: `nodejs:18`, `nodejs:18/common`,
/// `@nodejs:18`.
pub fn module_pinned(word: &str) -> bool {
    word.contains(':') || word.contains('$')
}

/// A zypper spec with a version: a relation (`name=1.2`, `'name>=1.2'`),
/// an rpm-style `name-version-release`, or a file.
pub fn zypper_pinned(word: &str) -> bool {
    rpm_pinned(word)
}

/// Starts with a digit (or is an epoch `1:2.3`), then only the
/// characters rpm versions and releases use.
fn is_version(part: &str) -> bool {
    part.starts_with(|c: char| c.is_ascii_digit())
        && part.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '~' | '^' | '_' | ':' | '+' | '*')
        })
}

/// The module names a script enables a stream of: `dnf module enable
/// nodejs:18` (or `module install`, `module switch-to`) makes the `nodejs`
/// packages come from stream 18, which pins them at that level as `apk add
/// pkg~1.2` does.
pub fn enabled_streams<'a>(commands: impl IntoIterator<Item = &'a SimpleCommand>) -> Vec<&'a str> {
    let mut modules = Vec::new();
    for command in commands {
        let run = program(command);
        if !is_rpm_manager(run.program()) {
            continue;
        }
        let operands = run.value_flags(RPM_VALUE_FLAGS).operands();
        if let ["module", "enable" | "install" | "switch-to", specs @ ..] = operands.as_slice() {
            modules.extend(specs.iter().filter_map(|spec| {
                let (name, _stream) = spec.trim_start_matches('@').split_once(':')?;
                Some(name)
            }));
        }
    }
    modules
}

/// A package of an enabled module: its name is the module's, or starts
/// with it and a dash (`httpd-devel` of module `httpd`).
pub fn in_enabled_stream(package: &str, modules: &[&str]) -> bool {
    modules.iter().any(|module| {
        package == *module
            || package
                .strip_prefix(module)
                .is_some_and(|rest| rest.starts_with('-'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_after_the_name() {
        for pinned in [
            "git-core-2.51.0-2.fc42",
            "glibc-2.28-225.el8.x86_64",
            "python3.12-3.12.1-4.el9_4.1",
            "nodejs-18.*",
            "curl-7.76.1",
            "bash-1:5.1-2",
            "which-2.21-30.el9_6",
            "libfoo-1-2",
            "mysql-community-server-minimal-${MYSQL_VERSION}",
            "@development-tools",
            "python3 >= 3.9",
            "curl=8.5.0",
            "./vendor/tool.rpm",
            "/tmp/rpms/*",
            "https://example.com/tool-1.2-1.x86_64.rpm",
        ] {
            assert!(rpm_pinned(pinned), "{pinned} is pinned");
        }
        for unpinned in [
            "gzip",
            "dnf-plugins-core",
            "java-17-openjdk",
            "java-11-openjdk-devel",
            "gcc-toolset-12",
            "glibc-devel.i686",
            "python3.12",
            "nss_wrapper-libs",
            "https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm",
            "dnf-command(config-manager)",
            "",
        ] {
            assert!(!rpm_pinned(unpinned), "{unpinned} is not pinned");
        }
    }

    #[test]
    fn module_specs_need_a_stream() {
        assert!(module_pinned("nodejs:18"));
        assert!(module_pinned("nodejs:18/common"));
        assert!(!module_pinned("nodejs"));
    }

    #[test]
    fn packages_of_enabled_streams() {
        let modules = ["httpd", "python36"];
        assert!(in_enabled_stream("httpd", &modules));
        assert!(in_enabled_stream("httpd-devel", &modules));
        assert!(!in_enabled_stream("httpd2", &modules));
        assert!(!in_enabled_stream("mod_ssl", &modules));
    }
}
