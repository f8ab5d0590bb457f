//! Which variable names say "secret": `NPM_TOKEN`, `DB_PASSWORD`,
//! `awsSecretAccessKey`, but not `GPG_KEYS`, `PASSWORD_FILE`,
//! `TOKEN_URL` or `PUBLIC_KEY`.
//!
//! Names are split into lower-case words (at `_`, `-`, `.` and camelCase
//! boundaries) and matched on words, never on raw substrings: substring
//! matching is what makes other linters flag `GPG_KEYS` (for `KEY`) or
//! `USERNAME` (for `NAME`… or `USER`).

use crate::settings::Settings;

/// Why a name is a secret's: the word that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretName {
    /// Why, for messages: the word or word pair that matched (`` `token` ``,
    /// `` `api key` ``), or the `secret-names` entry.
    pub because: String,
}

/// Words that make a name a secret's wherever they appear.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "passphrase",
    "pass",
    "pword",
    "secret",
    "secrets",
    "token",
    "tokens",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "apikeys",
    "accesskey",
    "privatekey",
    "secretkey",
    "authtoken",
    "accesstoken",
    "htpasswd",
    "auth",
];

/// Longer words that still say secret inside a compound word
/// (`ROOTPASSWORD`, `MYSECRET`, `GHTOKEN`): matched as a suffix of a word.
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "pass",
];

/// Words ending in a secret suffix that are not secrets.
const NOT_SECRET_COMPOUNDS: &[&str] = &[
    "bypass",
    "compass",
    "encompass",
    "surpass",
    "overpass",
    "underpass",
    "trespass",
    "impass",
];

/// Words before `key` that make it a private key (`API_KEY`, `LICENSE_KEY`,
/// `SSH_KEY`). `key` alone, or after `gpg`, `pgp`, `public`, `apt`, `repo`,
/// is usually public material (a key id or fingerprint).
const SECRET_KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "secret",
    "license",
    "licence",
    "encryption",
    "encrypt",
    "master",
    "signing",
    "client",
    "app",
    "application",
    "session",
    "ssh",
    "deploy",
    "account",
    "service",
    "auth",
    "hmac",
    "cookie",
    "crypt",
    "aes",
    "jwt",
    "webhook",
    "storage",
    "admin",
    "root",
    "rsa",
    "ed25519",
    "ecdsa",
    "tls",
    "ssl",
    "x509",
];

/// A last word that makes the name point at a secret, or describe one,
/// rather than hold it: `PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`,
/// `GPG_KEY_FINGERPRINT`, `NODE_SHA256`, `VAULT_VERSION`.
const REFERENCE_SUFFIXES: &[&str] = &[
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "dirs",
    "directory",
    "version",
    "ver",
    "sha",
    "sha1",
    "sha256",
    "sha384",
    "sha512",
    "sha256sum",
    "sha512sum",
    "md5",
    "checksum",
    "checksums",
    "sum",
    "url",
    "uri",
    "urls",
    "host",
    "hostname",
    "port",
    "endpoint",
    "server",
    "user",
    "username",
    "name",
    "id",
    "ids",
    "type",
    "kind",
    "mode",
    "method",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "length",
    "len",
    "size",
    "ttl",
    "expiry",
    "expires",
    "lifetime",
    "timeout",
    "header",
    "fingerprint",
    "fingerprints",
    "keyring",
    "keyserver",
    "location",
    "source",
    "src",
    "prefix",
    "format",
    "algorithm",
    "alg",
    "field",
    "scope",
    "scopes",
    "issuer",
    "audience",
    "realm",
    "provider",
    "policy",
    "sock",
    "socket",
    "helper",
    "mount",
    "target",
    "ref",
];

/// Words that make the whole name public data.
const PUBLIC_WORDS: &[&str] = &["public", "pub", "gpg", "pgp"];

/// The lower-case words of a variable name.
///
/// ```
/// # use tallyman_policy_secrets::names::words;
/// assert_eq!(words("AWS_SECRET_ACCESS_KEY"), ["aws", "secret", "access", "key"]);
/// assert_eq!(words("awsSecretAccessKey"), ["aws", "secret", "access", "key"]);
/// assert_eq!(words("NPMToken"), ["npm", "token"]);
/// assert_eq!(words("node.gpg-keys"), ["node", "gpg", "keys"]);
/// ```
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut current = String::new();
    for (at, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = at.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(at + 1).copied();
        // camelCase: `aB`, and the end of an acronym: `APIKey` -> API|Key.
        let boundary = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase() || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The name holds a secret: it says so in its words, or matches a
/// `secret-names` entry, and is not allow-listed, a reference (`*_FILE`,
/// `*_PATH`, ...) or public data (`PUBLIC_KEY`, `GPG_KEYS`).
pub fn secret_name(name: &str, settings: &Settings) -> Option<SecretName> {
    if settings.name_is_allowed(name) {
        return None;
    }
    let extra = settings.extra_secret_name(name);
    // A pattern (`ACME_*`) is the user's word for the whole name.
    if let Some(entry) = extra.filter(|entry| entry.contains('*')) {
        return Some(SecretName {
            because: format!("the `secret-names` entry `{entry}`"),
        });
    }
    let words = words(name);
    let last = words.last()?;
    if REFERENCE_SUFFIXES.contains(&last.as_str()) {
        return None;
    }
    // A passphrase or password is secret even for public material: it
    // protects the private half (`GPG_PASSPHRASE`, `gpg.passphrase`).
    let protects_a_key = words
        .iter()
        .any(|word| matches!(word.as_str(), "passphrase" | "password" | "passwd"));
    if !protects_a_key
        && words
            .iter()
            .any(|word| PUBLIC_WORDS.contains(&word.as_str()))
    {
        return None;
    }
    if let Some(entry) = extra {
        return Some(SecretName {
            because: format!("the `secret-names` entry `{entry}`"),
        });
    }
    // The shell's own variables.
    if matches!(name, "PWD" | "OLDPWD") {
        return None;
    }
    for (at, word) in words.iter().enumerate() {
        if SECRET_WORDS.contains(&word.as_str()) || (word == "pwd" && words.len() > 1) {
            return Some(SecretName {
                because: format!("`{word}`"),
            });
        }
        if !NOT_SECRET_COMPOUNDS.contains(&word.as_str())
            && let Some(suffix) = SECRET_SUFFIXES
                .iter()
                .find(|suffix| word.len() > suffix.len() && word.ends_with(*suffix))
        {
            return Some(SecretName {
                because: format!("`{suffix}`"),
            });
        }
        if (word == "key" || word == "keys")
            && let Some(qualifier) = at
                .checked_sub(1)
                .and_then(|before| words.get(before))
                .filter(|before| SECRET_KEY_QUALIFIERS.contains(&before.as_str()))
        {
            return Some(SecretName {
                because: format!("`{qualifier} {word}`"),
            });
        }
    }
    None
}

/// Whether the name's words contain `wanted` as a run of consecutive words
/// (both given as names: `client_cert` matches `MY_CLIENT_CERT_PEM`).
pub fn has_word_run(name: &str, wanted: &str) -> bool {
    let words = words(name);
    let wanted = self::words(wanted);
    !wanted.is_empty() && words.windows(wanted.len()).any(|window| window == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_secret(name: &str) -> bool {
        secret_name(name, &Settings::default()).is_some()
    }

    #[test]
    fn secret_names() {
        for name in [
            "NPM_TOKEN",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "LDAP_ROOTPASS",
            "AWS_SECRET_ACCESS_KEY",
            "awsSecretAccessKey",
            "API_KEY",
            "apiKey",
            "OPENAI_APIKEY",
            "LICENSE_KEY",
            "SSH_PRIVATE_KEY",
            "CLIENT_SECRET",
            "BASIC_AUTH",
            "GOOGLE_CREDENTIALS",
            "DB_PWD",
            "ADMIN_PASS",
            "GHTOKEN",
            "SECRET_KEY_BASE",
            "passphrase",
            "GPG_PASSPHRASE",
            "gpg.passphrase",
            "PUBLIC_KEY_PASSWORD",
        ] {
            assert!(is_secret(name), "{name} should be a secret name");
        }
    }

    #[test]
    fn not_secret_names() {
        for name in [
            "GPG_KEY",
            "GPG_KEYS",
            "NODE_GPG_KEYS",
            "WORDPRESS_CLI_GPG_KEY",
            "PUBLIC_KEY",
            "SSH_PUBLIC_KEY",
            "DB_PASSWORD_FILE",
            "TOKEN_PATH",
            "SECRETS_DIR",
            "OAUTH2_PROXY_VERSION",
            "DOCKER_AUTH_VERSION",
            "KEEPASSXC_VERSION",
            "NODE_SHA256",
            "TOKEN_URL",
            "SSH_AUTH_SOCK",
            "USERNAME",
            "KEY",
            "APT_KEY",
            "PWD",
            "OLDPWD",
            "PASSENGER_VERSION",
            "TOKENIZERS_PARALLELISM",
            "AUTHOR",
            "PROXY_BYPASS",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "DOCKER_HARDENED_IMAGES_KEYRING_VERSION",
            "KEY_FINGERPRINT",
        ] {
            assert!(!is_secret(name), "{name} should not be a secret name");
        }
    }

    #[test]
    fn word_runs() {
        assert!(has_word_run("MY_CLIENT_CERT_PEM", "client_cert"));
        assert!(has_word_run("myClientCert", "CLIENT_CERT"));
        assert!(!has_word_run("CLIENT_CERTIFICATE", "client_cert"));
        assert!(!has_word_run("X", ""));
    }
}
