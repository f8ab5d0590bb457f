//! ed25519 keys in the PEM forms OpenSSL reads: PKCS#8 for the private key,
//! SubjectPublicKeyInfo for the public one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{SECRET_KEY_LENGTH, SigningKey, VerifyingKey};

use crate::scan::read::sha256_hex;

/// The environment variable naming the signing key when `--sign` is not given.
pub const SIGNING_KEY_ENV: &str = "TALLYMAN_SIGNING_KEY";

/// A key's id: the sha256, in lower-case hex, of its public key's DER
/// SubjectPublicKeyInfo (the bytes inside the `.pub` PEM), so anyone can
/// recompute it: `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum`.
pub fn keyid(key: &VerifyingKey) -> anyhow::Result<String> {
    let der = key
        .to_public_key_der()
        .context("cannot encode the public key as DER")?;
    Ok(sha256_hex(der.as_bytes()))
}

/// A new key from the operating system's random source.
pub fn generate() -> anyhow::Result<SigningKey> {
    let mut seed = [0u8; SECRET_KEY_LENGTH];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("cannot get random bytes from the system: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    Ok(key)
}

/// The files `keygen --out PREFIX` writes.
pub fn key_paths(prefix: &Path) -> (PathBuf, PathBuf) {
    let with = |ext: &str| {
        let mut name = prefix.as_os_str().to_os_string();
        name.push(ext);
        PathBuf::from(name)
    };
    (with(".key"), with(".pub"))
}

/// Writes a key pair to `PREFIX.key` (mode 0600 from the moment it exists)
/// and `PREFIX.pub`. Without `force`, refuses if either file exists, before
/// writing anything.
pub fn write_key_pair(
    key: &SigningKey,
    prefix: &Path,
    force: bool,
) -> anyhow::Result<[PathBuf; 2]> {
    let (private_path, public_path) = key_paths(prefix);
    if !force {
        for path in [&private_path, &public_path] {
            if path.symlink_metadata().is_ok() {
                anyhow::bail!(
                    "{}: already exists; give --force to replace the key pair",
                    path.display()
                );
            }
        }
    }
    // PKCS#8 v1, the seed alone: OpenSSL 3.0 refuses the v2 form with the
    // public key embedded, which is what `SigningKey::to_pkcs8_pem` writes.
    let seed = KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    };
    let private_pem = seed
        .to_pkcs8_pem(LineEnding::LF)
        .context("cannot encode the private key as PKCS#8")?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .context("cannot encode the public key as SPKI")?;
    write_new(&private_path, private_pem.as_bytes(), 0o600, force)?;
    write_new(&public_path, public_pem.as_bytes(), 0o644, force)?;
    Ok([private_path, public_path])
}

/// Creates `path` with `mode` (on Unix) and writes `bytes`. An existing file
/// is removed first when `replace` is set, so the new one never inherits
/// looser permissions; the file is opened with `create_new` so nothing can
/// slip in between.
fn write_new(path: &Path, bytes: &[u8], mode: u32, replace: bool) -> anyhow::Result<()> {
    if replace && path.symlink_metadata().is_ok() {
        std::fs::remove_file(path)
            .with_context(|| format!("{}: cannot replace it", path.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options
        .open(path)
        .with_context(|| format!("{}: cannot create it", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("{}: cannot write it", path.display()))
}

fn read_pem(path: &Path, what: &str) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the {what}", path.display()))?;
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}: the {what} is not PEM text", path.display()))
}

/// Reads a PKCS#8 PEM ed25519 private key.
pub fn read_signing_key(path: &Path) -> anyhow::Result<SigningKey> {
    let pem = read_pem(path, "private key")?;
    if pem.contains("-----BEGIN PUBLIC KEY-----") {
        anyhow::bail!(
            "{}: this is a public key; signing needs the private key (the .key file from `tallyman keygen`)",
            path.display()
        );
    }
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
        anyhow::anyhow!(
            "{}: not an ed25519 private key in PKCS#8 PEM ({e})",
            path.display()
        )
    })
}

/// Reads an SPKI PEM ed25519 public key.
pub fn read_verifying_key(path: &Path) -> anyhow::Result<VerifyingKey> {
    let pem = read_pem(path, "public key")?;
    if pem.contains("PRIVATE KEY-----") {
        anyhow::bail!(
            "{}: this is a private key; verifying needs the public key (the .pub file from `tallyman keygen`)",
            path.display()
        );
    }
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| {
        anyhow::anyhow!(
            "{}: not an ed25519 public key in SPKI PEM ({e})",
            path.display()
        )
    })
}

/// A warning when a private key file can be read by its group or by
/// others: such a key may already be in other hands.
pub fn permission_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o044 != 0 {
            return Some(format!(
                "{}: the private key is readable by {} (mode {mode:04o}); `chmod 600 {}`",
                path.display(),
                match (mode & 0o040 != 0, mode & 0o004 != 0) {
                    (true, true) => "its group and by others",
                    (true, false) => "its group",
                    _ => "others",
                },
                path.display()
            ));
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
