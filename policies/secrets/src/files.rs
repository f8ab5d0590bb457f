//! Files that hold secrets (`.env`, `id_rsa`, `*.pem`, `.npmrc`, ...),
//! and the path arithmetic the layer rules need.

use crate::names::words;

/// Why a path names a secret file, for messages: `an SSH private key`.
pub fn secret_file(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let components: Vec<&str> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let name = *components.last()?;
    let parent = components
        .len()
        .checked_sub(2)
        .and_then(|at| components.get(at))
        .copied();
    let lower = name.to_ascii_lowercase();

    // Directories and files under them.
    if components.contains(&".ssh") {
        // Public keys and host lists are not secrets; the rest of `.ssh` is.
        let public = lower.ends_with(".pub")
            || matches!(lower.as_str(), "known_hosts" | "authorized_keys" | "config");
        return (!public).then_some("an SSH directory or key");
    }
    match (parent, lower.as_str()) {
        (Some(".aws"), "credentials") | (_, ".aws") => return Some("AWS credentials"),
        (Some(".docker"), "config.json") => return Some("Docker registry credentials"),
        (Some(".kube"), "config") | (_, "kubeconfig") | (_, ".kube") => {
            return Some("a kubeconfig");
        }
        // Only under `etc`: a directory or package named `shadow`
        // (`shadow-utils`, a theme) is not the password database.
        (Some("etc"), "shadow" | "gshadow") => {
            return Some("a shadow password database, which holds password hashes");
        }
        _ => {}
    }
    match lower.as_str() {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            return Some("an SSH private key");
        }
        ".npmrc" => return Some("an npm configuration, which can hold auth tokens"),
        ".pypirc" => return Some("a PyPI configuration, which can hold upload credentials"),
        ".netrc" | "_netrc" => return Some("a .netrc, which holds login credentials"),
        ".git-credentials" => return Some("stored Git credentials"),
        ".env" => return Some("an environment file"),
        "ipsec.secrets" => return Some("IPsec pre-shared keys and key passphrases"),
        "chap-secrets" | "pap-secrets" => return Some("PPP login secrets"),
        _ => {}
    }
    if lower == ".htpasswd" || lower.ends_with(".htpasswd") {
        return Some("an htpasswd file, which holds password hashes");
    }
    if let Some(variant) = lower.strip_prefix(".env.") {
        // `.env.example` and friends are templates, committed on purpose.
        let template = [
            "example", "sample", "template", "dist", "defaults", "default", "tpl",
        ];
        return (!template
            .iter()
            .any(|t| variant.split('.').any(|part| part == *t)))
        .then_some("an environment file");
    }
    let (stem, extension) = lower.rsplit_once('.')?;
    match extension {
        "p12" | "pfx" => Some("a PKCS #12 key store"),
        "pem" if !names_public_material(stem) => Some("a PEM file (private key)"),
        "key" if !names_public_material(stem) && !names_repository_key(stem) => {
            Some("a private key file")
        }
        _ => None,
    }
}

/// A credential file a service reads while the container runs (a web
/// server's `.htpasswd`, `/etc/shadow`, VPN and PPP secrets), rather than
/// one a build step needs.
pub fn is_run_time_credential(path: &str) -> bool {
    let lower = basename(path).to_ascii_lowercase();
    lower.ends_with(".htpasswd")
        || matches!(
            lower.as_str(),
            "shadow" | "gshadow" | "ipsec.secrets" | "chap-secrets" | "pap-secrets"
        )
}

/// `ca.pem`, `cert.pem`, `fullchain.pem`, `root-ca.pem`, `public.key`:
/// certificates and public keys, not private keys.
fn names_public_material(stem: &str) -> bool {
    const PUBLIC: &[&str] = &[
        "ca",
        "cacert",
        "cacerts",
        "cert",
        "certs",
        "certificate",
        "certificates",
        "crt",
        "chain",
        "fullchain",
        "bundle",
        "root",
        "intermediate",
        "public",
        "pub",
        "trust",
        "truststore",
    ];
    words(stem)
        .iter()
        .any(|word| PUBLIC.contains(&word.as_str()))
}

/// `nodesource.gpg.key`, `Release.key`, `archive-key`: package repository
/// signing keys, which are public.
fn names_repository_key(stem: &str) -> bool {
    const REPOSITORY: &[&str] = &[
        "gpg", "pgp", "asc", "release", "archive", "repo", "apt", "keyring", "signing",
    ];
    words(stem)
        .iter()
        .any(|word| REPOSITORY.contains(&word.as_str()))
}

/// The source is the whole build context: `.`, `./`, `*`, `./*`.
pub fn is_whole_context(source: &str) -> bool {
    matches!(source.trim(), "." | "./" | "*" | "./*" | "/" | "")
}

/// A source that comes from outside the build context: a URL or a Git
/// repository.
pub fn is_remote(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

/// Joins `path` to `directory` unless it is absolute, and normalises
/// `.` and `..` components.
pub fn resolve(directory: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", directory.trim_end_matches('/'))
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The last component of a path.
pub fn basename(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// `inner` is `outer` or below it.
pub fn is_within(inner: &str, outer: &str) -> bool {
    let outer = outer.trim_end_matches('/');
    outer.is_empty()
        || inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_files() {
        for path in [
            ".env",
            "config/.env.production",
            "id_rsa",
            "/root/.ssh/id_ed25519",
            ".ssh",
            "./.ssh/",
            "deploy/key.pem",
            "server.key",
            "cert.p12",
            "keystore.pfx",
            ".npmrc",
            ".pypirc",
            ".netrc",
            ".git-credentials",
            ".aws/credentials",
            "/root/.aws",
            ".docker/config.json",
            "kubeconfig",
            ".kube/config",
            "/etc/ipsec.secrets",
            "ppp/chap-secrets",
            "/etc/ppp/pap-secrets",
            ".htpasswd",
            "nginx/admin.htpasswd",
            "/etc/shadow",
            "rootfs/etc/shadow",
            "/etc/gshadow",
        ] {
            assert!(secret_file(path).is_some(), "{path}");
        }
    }

    #[test]
    fn not_secret_files() {
        for path in [
            ".env.example",
            ".env.sample.local",
            "id_rsa.pub",
            ".ssh/known_hosts",
            "/root/.ssh/id_ed25519.pub",
            "ca.pem",
            "certs/fullchain.pem",
            "root-ca.pem",
            "public.key",
            "nodesource.gpg.key",
            "Release.key",
            "config.json",
            "package.json",
            "environment",
            ".envrc",
            "shadow",
            "themes/shadow",
            "shadow-utils",
            "/etc/shadow.d/README",
            "htpasswd.example",
            "/usr/bin/htpasswd",
            "ipsec.conf",
            "",
            "/",
        ] {
            assert_eq!(secret_file(path), None, "{path}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(resolve("/app", ".npmrc"), "/app/.npmrc");
        assert_eq!(resolve("/app/", "./x/../y"), "/app/y");
        assert_eq!(resolve("/app", "/root/.ssh"), "/root/.ssh");
        assert_eq!(resolve("/", "."), "/");
        assert_eq!(basename("/root/.ssh/"), ".ssh");
        assert!(is_within("/root/.ssh/id_rsa", "/root/.ssh"));
        assert!(is_within("/root/.ssh", "/root/.ssh/"));
        assert!(is_within("/anything", "/"));
        assert!(!is_within("/root/.sshx", "/root/.ssh"));
        assert!(is_whole_context("."));
        assert!(is_whole_context("./"));
        assert!(!is_whole_context("src"));
        assert!(is_remote("https://example.com/x.key"));
    }
}
