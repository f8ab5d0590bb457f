//! Registry credentials: `TALLYMAN_REGISTRY_USER` / `TALLYMAN_REGISTRY_PASSWORD`
//! first (what a CI job sets), else the `auths` of Docker's
//! `config.json` (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`),
//! as `docker login` writes them. Credential helpers (`credsStore`,
//! `credHelpers`) are not run: they are programs, and a gate should not
//! start programs it was not asked to.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine as _;
use serde::Deserialize;

pub const USER_ENV: &str = "TALLYMAN_REGISTRY_USER";
pub const PASSWORD_ENV: &str = "TALLYMAN_REGISTRY_PASSWORD";

/// A user name and password (or token) for basic auth and token requests.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials {{ user: {:?}, password: <hidden> }}",
            self.user
        )
    }
}

impl Credentials {
    /// The `Authorization: Basic ...` value.
    pub fn basic_header(&self) -> String {
        let pair = format!("{}:{}", self.user, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

#[derive(Debug, Default, Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, DockerAuth>,
}

#[derive(Debug, Default, Deserialize)]
struct DockerAuth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// The credentials for `registry` (`docker.io`, `localhost:5000`), if any.
pub fn credentials(registry: &str) -> anyhow::Result<Option<Credentials>> {
    let user = std::env::var(USER_ENV).ok().filter(|u| !u.is_empty());
    let password = std::env::var(PASSWORD_ENV).ok();
    match (user, password) {
        (Some(user), Some(password)) => return Ok(Some(Credentials { user, password })),
        (Some(_), None) => anyhow::bail!("{USER_ENV} is set but {PASSWORD_ENV} is not"),
        _ => {}
    }
    let Some(path) = docker_config_path() else {
        return Ok(None);
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(None);
    };
    let config: DockerConfig = serde_json::from_slice(&bytes)
        .map_err(|err| anyhow::anyhow!("{}: not a valid Docker config: {err}", path.display()))?;
    from_docker_config(&config, registry)
        .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))
}

fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".docker").join("config.json"))
}

/// The host an `auths` key names: keys may be `host`, `https://host/v1/`, ...
fn auth_key_host(key: &str) -> &str {
    let without_scheme = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    without_scheme.split('/').next().unwrap_or_default()
}

fn from_docker_config(
    config: &DockerConfig,
    registry: &str,
) -> anyhow::Result<Option<Credentials>> {
    let hosts: &[&str] = if registry == "docker.io" {
        &["docker.io", "index.docker.io", "registry-1.docker.io"]
    } else {
        &[registry]
    };
    let Some(entry) = config
        .auths
        .iter()
        .find(|(key, _)| hosts.contains(&auth_key_host(key)))
        .map(|(_, entry)| entry)
    else {
        return Ok(None);
    };
    if let (Some(user), Some(password)) = (&entry.username, &entry.password) {
        return Ok(Some(Credentials {
            user: user.clone(),
            password: password.clone(),
        }));
    }
    let Some(encoded) = entry.auth.as_deref().filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| anyhow::anyhow!("the `auth` for {registry} is not base64"))?;
    let text = String::from_utf8(decoded)
        .map_err(|_| anyhow::anyhow!("the `auth` for {registry} is not UTF-8"))?;
    let Some((user, password)) = text.split_once(':') else {
        anyhow::bail!("the `auth` for {registry} is not user:password");
    };
    Ok(Some(Credentials {
        user: user.to_string(),
        password: password.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> DockerConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_docker_login_entries() {
        // "alice:s3cret" in base64.
        let c = config(
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"YWxpY2U6czNjcmV0"},"localhost:5000":{"username":"bob","password":"pw"}}}"#,
        );
        let hub = from_docker_config(&c, "docker.io").unwrap().unwrap();
        assert_eq!(
            (hub.user.as_str(), hub.password.as_str()),
            ("alice", "s3cret")
        );
        let local = from_docker_config(&c, "localhost:5000").unwrap().unwrap();
        assert_eq!(local.user, "bob");
        assert!(from_docker_config(&c, "ghcr.io").unwrap().is_none());
        let bad = config(r#"{"auths":{"ghcr.io":{"auth":"!!"}}}"#);
        assert!(from_docker_config(&bad, "ghcr.io").is_err());
    }

    #[test]
    fn hides_the_password_in_debug_output() {
        let c = Credentials {
            user: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
