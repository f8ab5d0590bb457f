//! `tallyman policy new NAME --lang rust|python|js|rego [--dir DIR]`: writes a
//! policy project that builds and passes its own tests straight away.
//!
//! The templates live in `host/templates/` and are embedded in the binary:
//! `common/` (the `tallyman-policy.yaml` and the test cases every language
//! shares) and one directory per language. `{{name}}`, `{{crate_name}}`
//! and `{{sdk_dependency}}` are replaced; a `.tmpl` suffix is dropped and
//! `gitignore` becomes `.gitignore` (so the templates neither look like
//! manifests to cargo nor ignore files in this repository).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Arguments of `tallyman policy new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The policy's name: lower case letters, digits and dashes (`acme-base-images`)
    pub name: String,
    /// The language of the policy
    #[arg(long, value_enum)]
    pub lang: Lang,
    /// The directory to create [default: ./NAME]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Rust: depend on the tallyman-sdk crate in this directory (a tallyman
    /// checkout's `plugin-sdk`) [default: the checkout this tallyman was built
    /// from, when it is still there; else the published crate]
    #[arg(long, value_name = "DIR")]
    pub sdk_path: Option<PathBuf>,
}

/// A language a policy can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Python,
    Js,
    /// A Rego set over tallyman's model, with its tests (`opa test` style).
    Rego,
}

/// A file of a template: its path under `host/templates/` and its text.
struct TemplateFile {
    path: &'static str,
    text: &'static str,
}

macro_rules! template {
    ($path:literal) => {
        TemplateFile {
            path: $path,
            text: include_str!(concat!("../../templates/", $path)),
        }
    };
}

const COMMON: &[TemplateFile] = &[
    template!("common/tallyman-policy.yaml"),
    template!("common/tests/sudo-in-run/Dockerfile"),
    template!("common/tests/sudo-in-run/expected.yaml"),
    template!("common/tests/no-sudo/Dockerfile"),
    template!("common/tests/no-sudo/expected.yaml"),
];

const RUST: &[TemplateFile] = &[
    template!("rust/Cargo.toml.tmpl"),
    template!("rust/src/lib.rs"),
    template!("rust/build.sh"),
    template!("rust/gitignore.tmpl"),
    template!("rust/README.md"),
];

const PYTHON: &[TemplateFile] = &[
    template!("python/app.py"),
    template!("python/build.sh"),
    template!("python/gitignore.tmpl"),
    template!("python/README.md"),
];

const JS: &[TemplateFile] = &[
    template!("js/app.js"),
    template!("js/build.sh"),
    template!("js/package.json.tmpl"),
    template!("js/gitignore.tmpl"),
    template!("js/README.md"),
];

/// A Rego project is a policy set, not a component: no build, no WIT, and
/// its tests are `test_` rules rather than the common cases.
const REGO: &[TemplateFile] = &[
    template!("rego/policy/policy.rego"),
    template!("rego/policy/policy_test.rego"),
    template!("rego/README.md"),
];

/// The WIT contract, copied into every project.
const WIT: &str = include_str!("../../../wit/policy.wit");

/// The SDK of the checkout this binary was built from.
const BUILT_FROM_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugin-sdk");

/// Runs `tallyman policy new`: writes the project, then says what to do next.
pub fn run(args: &NewArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    check_name(&args.name)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists()
        && std::fs::read_dir(&dir)
            .with_context(|| format!("{}: cannot list", dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{}: already exists and is not empty; choose another --dir",
            dir.display()
        );
    }
    let sdk_dependency = match args.lang {
        Lang::Rust => sdk_dependency(args.sdk_path.as_deref())?,
        Lang::Python | Lang::Js | Lang::Rego => String::new(),
    };
    let values = [
        ("{{name}}", args.name.clone()),
        ("{{crate_name}}", args.name.replace('-', "_")),
        ("{{sdk_dependency}}", sdk_dependency.clone()),
    ];
    let language = match args.lang {
        Lang::Rust => RUST,
        Lang::Python => PYTHON,
        Lang::Js => JS,
        Lang::Rego => REGO,
    };
    let common = if args.lang == Lang::Rego {
        &[][..]
    } else {
        COMMON
    };
    let mut written = Vec::new();
    for file in common.iter().chain(language) {
        let relative = output_path(file.path);
        let mut text = file.text.to_string();
        for (placeholder, value) in &values {
            text = text.replace(placeholder, value);
        }
        write_file(&dir.join(&relative), &text, relative.ends_with(".sh"))?;
        written.push(relative);
    }
    if args.lang != Lang::Rego {
        write_file(&dir.join("wit/policy.wit"), WIT, false)?;
        written.push("wit/policy.wit".to_string());
    }
    written.sort();

    writeln!(
        out,
        "Created {} policy `{}` in {}:",
        lang_name(args.lang),
        args.name,
        dir.display()
    )?;
    for file in &written {
        writeln!(out, "    {file}")?;
    }
    if args.lang == Lang::Rust {
        writeln!(out, "tallyman-sdk: {sdk_dependency}")?;
    }
    writeln!(out, "\nNext:")?;
    match args.lang {
        Lang::Rust => writeln!(out, "    rustup target add wasm32-wasip2   # once")?,
        Lang::Python => writeln!(out, "    pip install componentize-py==0.25.1   # once")?,
        Lang::Js => writeln!(out, "    (cd {} && npm install)   # once", dir.display())?,
        Lang::Rego => {}
    }
    writeln!(out, "    tallyman policy test {}", dir.display())?;
    Ok(())
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "a Rust",
        Lang::Python => "a Python",
        Lang::Js => "a JavaScript",
        Lang::Rego => "a Rego",
    }
}

/// A policy name: it names the crate, the package and the policy.
fn check_name(name: &str) -> anyhow::Result<()> {
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && !name.contains("--");
    if !valid {
        bail!(
            "`{name}` is not a policy name: use lower case letters, digits and single dashes, \
             starting with a letter (`acme-base-images`)"
        );
    }
    Ok(())
}

/// `common/tests/x/Dockerfile` → `tests/x/Dockerfile`; `rust/gitignore.tmpl` → `.gitignore`.
fn output_path(template_path: &str) -> String {
    let relative = template_path
        .split_once('/')
        .map_or(template_path, |(_, rest)| rest);
    let relative = relative.strip_suffix(".tmpl").unwrap_or(relative);
    if relative == "gitignore" {
        ".gitignore".to_string()
    } else {
        relative.to_string()
    }
}

/// The `tallyman-sdk = ...` line of a Rust project's `Cargo.toml`.
fn sdk_dependency(explicit: Option<&Path>) -> anyhow::Result<String> {
    let path = match explicit {
        Some(path) => {
            if !path.join("Cargo.toml").is_file() {
                bail!(
                    "--sdk-path {}: no Cargo.toml there (give a tallyman checkout's plugin-sdk directory)",
                    path.display()
                );
            }
            Some(path.to_path_buf())
        }
        None => Some(PathBuf::from(BUILT_FROM_SDK)).filter(|p| p.join("Cargo.toml").is_file()),
    };
    Ok(match path {
        Some(path) => {
            let absolute = std::fs::canonicalize(&path)
                .with_context(|| format!("{}: cannot resolve", path.display()))?;
            // A TOML basic string: escape what TOML escapes.
            let quoted = absolute
                .display()
                .to_string()
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            format!("tallyman-sdk = {{ path = \"{quoted}\" }}")
        }
        None => "tallyman-sdk = \"0.1\"".to_string(),
    })
}

fn write_file(path: &Path, text: &str, executable: bool) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("{}: cannot write", path.display()))?;
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("{}: cannot make executable", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["acme", "acme-base-images", "org2"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Acme", "2acme", "acme-", "a--b", "a_b", "a b", "../x"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn output_paths() {
        assert_eq!(
            output_path("common/tests/a/Dockerfile"),
            "tests/a/Dockerfile"
        );
        assert_eq!(output_path("rust/Cargo.toml.tmpl"), "Cargo.toml");
        assert_eq!(output_path("js/gitignore.tmpl"), ".gitignore");
        assert_eq!(output_path("rust/src/lib.rs"), "src/lib.rs");
    }

    #[test]
    fn every_template_placeholder_is_known() {
        for file in COMMON.iter().chain(RUST).chain(PYTHON).chain(JS) {
            let mut rest = file.text;
            while let Some(at) = rest.find("{{") {
                let after = rest.get(at..).unwrap_or_default();
                let known = ["{{name}}", "{{crate_name}}", "{{sdk_dependency}}"]
                    .iter()
                    .any(|p| after.starts_with(p));
                assert!(
                    known,
                    "{}: unknown placeholder near {:?}",
                    file.path,
                    after.get(..30)
                );
                rest = after.get(2..).unwrap_or_default();
            }
        }
    }
}
