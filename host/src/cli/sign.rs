//! `scan --sign KEY`: the signed attestation written beside the report.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use ed25519_dalek::SigningKey;

use crate::attest::keys::{self, SIGNING_KEY_ENV};
use crate::attest::statement::{ConfigDigest, Statement};
use crate::report::Report;

/// The attestation's file name when the report goes to stdout.
pub const STDOUT_ATTESTATION: &str = "tallyman.intoto.jsonl";
/// Appended to the first `-o` report's path to name the attestation.
pub const ATTESTATION_SUFFIX: &str = ".intoto.jsonl";

#[derive(Debug, Args)]
pub struct SignArgs {
    /// Sign the results with this ed25519 private key (PKCS#8 PEM, from `tallyman keygen`) [env: TALLYMAN_SIGNING_KEY].
    #[arg(long = "sign", value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Write the attestation here [default: the first -o report's path + .intoto.jsonl, or tallyman.intoto.jsonl when the report goes to stdout].
    #[arg(long, value_name = "FILE")]
    pub attestation: Option<PathBuf>,
}

/// A key ready to sign, and where the attestation goes.
pub struct ScanSigner {
    key: SigningKey,
    out: PathBuf,
}

impl SignArgs {
    /// The signing key from `--sign`, else `TALLYMAN_SIGNING_KEY`.
    fn key_path(&self) -> Option<PathBuf> {
        self.key.clone().or_else(|| {
            std::env::var_os(SIGNING_KEY_ENV)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        })
    }

    /// Reads the key before the scan starts, so a missing or bad key fails
    /// before any work is done. `None` when the scan is not signed.
    pub fn signer(&self, outputs: &[PathBuf]) -> anyhow::Result<Option<ScanSigner>> {
        let Some(path) = self.key_path() else {
            if self.attestation.is_some() {
                anyhow::bail!(
                    "--attestation needs a key: give --sign KEY or set {SIGNING_KEY_ENV}"
                );
            }
            return Ok(None);
        };
        let key = keys::read_signing_key(&path)?;
        if let Some(warning) = keys::permission_warning(&path) {
            eprintln!("warning: {warning}");
        }
        let out = match (&self.attestation, outputs.first()) {
            (Some(explicit), _) => explicit.clone(),
            (None, Some(report)) => {
                let mut name = report.as_os_str().to_os_string();
                name.push(ATTESTATION_SUFFIX);
                PathBuf::from(name)
            }
            (None, None) => PathBuf::from(STDOUT_ATTESTATION),
        };
        Ok(Some(ScanSigner { key, out }))
    }
}

impl ScanSigner {
    /// Signs the finalized report and writes the attestation; returns its path.
    pub fn write(
        &self,
        report: &Report,
        config: ConfigDigest,
        inputs: Vec<String>,
    ) -> anyhow::Result<&Path> {
        let statement = Statement::for_scan(report, config, inputs)?;
        let line = crate::attest::sign_statement(&statement, &self.key)?;
        std::fs::write(&self.out, line)
            .with_context(|| format!("{}: cannot write the attestation", self.out.display()))?;
        Ok(&self.out)
    }
}
