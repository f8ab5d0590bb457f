//! Package manager installs and removals in `RUN` scripts (apt-get, apt,
//! aptitude, dpkg, apk, yum, dnf, microdnf, tdnf, zypper), and which
//! packages are build tools.

use tallyman_sdk::model::SimpleCommand;

use super::script::Script;

/// A family of package managers that share a package database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// apt-get, apt, aptitude, dpkg.
    Apt,
    Apk,
    /// yum, dnf, microdnf, tdnf.
    Rpm,
    Zypper,
}

/// Packages installed by one command of a script.
#[derive(Debug, Clone)]
pub struct Install {
    /// The command's index in the script.
    pub at: usize,
    pub manager: Manager,
    /// The program as written (`apt-get`, `apk`).
    pub program: String,
    /// Package names, versions and architectures removed, variables
    /// expanded where their values are known.
    pub packages: Vec<String>,
    /// `apk add --virtual NAME`: the name the packages can be removed by.
    pub virtual_name: Option<String>,
}

/// Packages removed by one command of a script.
#[derive(Debug, Clone)]
pub struct Removal {
    pub at: usize,
    pub manager: Manager,
    /// The packages named; `None` when a variable hides them, which is read
    /// as "whatever was installed".
    pub packages: Option<Vec<String>>,
    /// Also removes what is marked as automatically installed
    /// (`apt-get autoremove`, `apt-get purge --auto-remove`).
    pub autoremove: bool,
}

/// A command's package manager, and the program as written.
fn manager(command: &SimpleCommand) -> Option<(Manager, &str)> {
    let program = command.command().program();
    let manager = match program {
        "apt-get" | "apt" | "aptitude" | "dpkg" => Manager::Apt,
        "apk" => Manager::Apk,
        "yum" | "dnf" | "microdnf" | "tdnf" | "dnf5" => Manager::Rpm,
        "zypper" => Manager::Zypper,
        _ => return None,
    };
    Some((manager, program))
}

/// The package words after the install subcommand, if the command installs.
fn install_operands(command: &SimpleCommand, manager: Manager) -> Option<Vec<&str>> {
    let run = command.command();
    let operands = run.operands();
    let (subcommand, rest) = operands.split_first()?;
    match (manager, *subcommand) {
        (Manager::Apt, "install") if run.program() != "dpkg" => Some(rest.to_vec()),
        (Manager::Apk, "add") => Some(rest.to_vec()),
        (Manager::Rpm, "install" | "groupinstall" | "localinstall") => Some(rest.to_vec()),
        (Manager::Rpm, "group" | "groups") => match rest.split_first() {
            Some((&"install", groups)) => Some(groups.to_vec()),
            _ => None,
        },
        (Manager::Zypper, "install" | "in") => Some(rest.to_vec()),
        _ => None,
    }
}

/// Every install in the script.
pub fn installs(script: &Script<'_>) -> Vec<Install> {
    let mut found = Vec::new();
    for (at, command) in script.commands.iter().enumerate() {
        let Some((manager, program)) = manager(command) else {
            continue;
        };
        let Some(words) = install_operands(command, manager) else {
            continue;
        };
        let packages = words
            .into_iter()
            .filter_map(|word| script.expand(at, word))
            .flatten()
            .filter_map(|word| package_name(&word, manager))
            .collect();
        let virtual_name = match manager {
            Manager::Apk => command.flag_value(&["-t", "--virtual"]).map(str::to_string),
            _ => None,
        };
        found.push(Install {
            at,
            manager,
            program: program.to_string(),
            packages,
            virtual_name,
        });
    }
    found
}

/// Every removal in the script.
pub fn removals(script: &Script<'_>) -> Vec<Removal> {
    let mut found = Vec::new();
    for (at, command) in script.commands.iter().enumerate() {
        let Some((manager, program)) = manager(command) else {
            continue;
        };
        let run = command.command();
        let words: Vec<&str> = if program == "dpkg" {
            if !run.has_flag(&["-r", "-P", "--remove", "--purge"]) {
                continue;
            }
            run.operands()
        } else {
            let operands = run.operands();
            let Some((subcommand, rest)) = operands.split_first() else {
                continue;
            };
            let removes = match manager {
                Manager::Apt => matches!(*subcommand, "remove" | "purge" | "autoremove"),
                Manager::Apk => *subcommand == "del",
                Manager::Rpm => matches!(
                    *subcommand,
                    "remove" | "erase" | "autoremove" | "groupremove"
                ),
                Manager::Zypper => matches!(*subcommand, "remove" | "rm"),
            };
            if !removes {
                continue;
            }
            rest.to_vec()
        };
        let autoremove = manager == Manager::Apt
            && (run.has_subcommand("autoremove")
                || run.has_flag(&["--auto-remove", "--autoremove"]));
        let mut packages = Some(Vec::new());
        for word in words {
            match script.expand(at, word) {
                Some(expanded) => {
                    if let Some(list) = packages.as_mut() {
                        list.extend(expanded.iter().filter_map(|w| package_name(w, manager)));
                        // Virtual package names are kept as written.
                        list.extend(expanded.into_iter().filter(|w| w.starts_with('.')));
                    }
                }
                None => packages = None,
            }
        }
        found.push(Removal {
            at,
            manager,
            packages,
            autoremove,
        });
    }
    found
}

/// The `apt-mark` commands of a script, which decide what a later
/// autoremove takes.
#[derive(Debug, Clone, Default)]
pub struct AptMarks {
    /// Indexes of `apt-mark auto` (with `.*`: every package becomes
    /// removable by a later autoremove).
    pub auto: Vec<usize>,
    /// The script also runs `apt-mark manual` (the official images'
    /// `apt-mark manual $savedAptMark`): what was installed before the
    /// script is kept.
    pub restores_manual: bool,
}

/// The script's `apt-mark` commands.
pub fn apt_marks(script: &Script<'_>) -> AptMarks {
    let mut marks = AptMarks::default();
    for (at, command) in script.commands.iter().enumerate() {
        let run = command.command();
        if !run.is("apt-mark") {
            continue;
        }
        if run.has_subcommand("auto") {
            marks.auto.push(at);
        } else if run.has_subcommand("manual") {
            marks.restores_manual = true;
        }
    }
    marks
}

/// Whether `package`, installed by `install`, is removed by `removal` (of
/// the same script or a later one; `marks` are the `apt-mark` commands of
/// the script doing the removal, and `same_script` says whether install
/// and removal share one).
pub fn is_removed(
    install: &Install,
    package: &str,
    removal: &Removal,
    marks: &AptMarks,
    same_script: bool,
) -> bool {
    if removal.manager != install.manager || (same_script && removal.at <= install.at) {
        return false;
    }
    let Some(removed) = &removal.packages else {
        return true;
    };
    if removed.iter().any(|name| name == package) {
        return true;
    }
    if let Some(virtual_name) = &install.virtual_name
        && removed.iter().any(|name| name == virtual_name)
    {
        return true;
    }
    // `apt-mark auto '.*'` then `apt-get purge --auto-remove`: the
    // official images' idiom that removes what the script itself installed.
    // With `apt-mark manual $savedAptMark`, what earlier scripts installed
    // is marked manual again and stays.
    removal.autoremove
        && (same_script || !marks.restores_manual)
        && marks
            .auto
            .iter()
            .any(|&mark| (!same_script || mark > install.at) && mark < removal.at)
}

/// The package a word names, without version, release or architecture;
/// `None` for files, URLs and flags.
pub fn package_name(word: &str, manager: Manager) -> Option<String> {
    if word.is_empty()
        || word.starts_with('-')
        || word.contains("://")
        || word.starts_with('/')
        || word.starts_with("./")
        || [".deb", ".rpm", ".apk"]
            .iter()
            .any(|ext| word.ends_with(ext))
    {
        return None;
    }
    let mut name = word;
    // Versions: `gcc=4:12.2`, `gcc>=12`, `gcc~12`; apt target releases:
    // `gcc/bookworm-backports`.
    if let Some(end) = name.find(['=', '<', '>', '~']) {
        name = name.get(..end).unwrap_or(name);
    }
    if manager == Manager::Apt {
        if let Some(end) = name.find('/') {
            name = name.get(..end).unwrap_or(name);
        }
        // Architectures: `libc6-dev:arm64`.
        if let Some(end) = name.find(':') {
            name = name.get(..end).unwrap_or(name);
        }
    }
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}

/// Build tools and headers by exact package name.
const BUILD_TOOLS: &[&str] = &[
    "gcc",
    "g++",
    "gcc-c++",
    "c++",
    "cc",
    "clang",
    "clang++",
    "llvm",
    "lld",
    "gfortran",
    "gcc-gfortran",
    "make",
    "cmake",
    "ninja",
    "ninja-build",
    "meson",
    "build-essential",
    "build-base",
    "alpine-sdk",
    "autoconf",
    "automake",
    "libtool",
    "pkg-config",
    "pkgconf",
    "pkgconfig",
    "bison",
    "flex",
    "golang",
    "golang-go",
    "go",
    "rustc",
    "cargo",
    "rust",
    "maven",
    "gradle",
    "ant",
    "default-jdk",
    "default-jdk-headless",
    "linux-headers",
    "kernel-headers",
];

/// Prefixes of versioned tool packages (`gcc-12`, `clang-17`, `golang-1.22-go`,
/// `openjdk-17-jdk`, `dotnet-sdk-8.0`), each followed by a digit.
const VERSIONED_PREFIXES: &[&str] = &[
    "gcc-", "g++-", "gcc", "clang-", "llvm-", "lld-", "golang-", "openjdk-", "openjdk", "rust-",
    "cargo-",
];

/// Applications whose `-dev` package is a release channel, not headers.
const RELEASE_CHANNELS: &[&str] = &["microsoft-edge-dev", "brave-browser-dev"];

/// Whether a package (as [`package_name`] returns it) is a compiler, a
/// build tool or development headers.
pub fn is_build_tool(package: &str) -> bool {
    let name = package.trim_start_matches('@').replace(' ', "-");
    let name = name.as_str();
    if BUILD_TOOLS.contains(&name) {
        return true;
    }
    if RELEASE_CHANNELS.contains(&name) {
        return false;
    }
    // Development headers: Debian and Alpine `-dev`, RPM `-devel`.
    if name.ends_with("-dev") || name.ends_with("-devel") || name.ends_with("-headers") {
        return true;
    }
    // RPM and YUM groups: `@development-tools`, "Development Tools".
    if name.contains("development") {
        return true;
    }
    if name.starts_with("dotnet-sdk") {
        return true;
    }
    for prefix in VERSIONED_PREFIXES {
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        // `openjdk-17-jdk` and Alpine's `openjdk17` are JDKs;
        // `openjdk-17-jre` is a runtime.
        return !(prefix.starts_with("openjdk") && rest.contains("jre"));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_lose_versions_and_architectures() {
        assert_eq!(
            package_name("gcc=4:12.2.0-3", Manager::Apt).as_deref(),
            Some("gcc")
        );
        assert_eq!(
            package_name("libc6-dev:arm64", Manager::Apt).as_deref(),
            Some("libc6-dev")
        );
        assert_eq!(
            package_name("gcc/bookworm-backports", Manager::Apt).as_deref(),
            Some("gcc")
        );
        assert_eq!(package_name("gcc~12", Manager::Apk).as_deref(), Some("gcc"));
        assert_eq!(package_name("./local.deb", Manager::Apt), None);
        assert_eq!(package_name("https://x/y.rpm", Manager::Rpm), None);
        assert_eq!(package_name("-y", Manager::Apt), None);
    }

    #[test]
    fn build_tools() {
        for tool in [
            "gcc",
            "g++",
            "gcc-12",
            "clang-17",
            "make",
            "cmake",
            "build-essential",
            "build-base",
            "libssl-dev",
            "openssl-devel",
            "musl-dev",
            "linux-headers",
            "golang-1.22-go",
            "openjdk-17-jdk",
            "openjdk-17-jdk-headless",
            "openjdk17",
            "dotnet-sdk-8.0",
            "@development-tools",
            "development tools",
            "gcc13",
            "rust",
            "cargo",
        ] {
            assert!(is_build_tool(tool), "{tool}");
        }
        for runtime in [
            "ca-certificates",
            "curl",
            "libssl3",
            "udev",
            "openjdk-17-jre",
            "openjdk17-jre",
            "openjdk-17-jre-headless",
            "python3",
            "nodejs",
            "git",
            "gccgo-common-x",
            "libgcc",
            "libstdc++",
            "microsoft-edge-dev",
        ] {
            assert!(!is_build_tool(runtime), "{runtime}");
        }
    }
}
