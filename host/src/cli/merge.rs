//! `tallyman merge REPORT...`: the shards' reports (JSON reports, or signed
//! attestations, verified first) as one report, optionally signed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::attest::keys;
use crate::attest::statement::ConfigDigest;
use crate::attest::verify;
use crate::merge::{self, ShardReport};
use crate::report::{Report, ReportFormat};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' reports: `-f json` reports, or `.intoto.jsonl` attestations.
    #[arg(required = true, value_name = "REPORT")]
    reports: Vec<PathBuf>,
    /// Report format [default: json]; repeat with -o to write several.
    #[arg(short, long = "format", value_enum)]
    formats: Vec<ReportFormat>,
    /// Write the merged report to FILE instead of stdout; the n-th -o takes the n-th -f.
    #[arg(short, long = "output", value_name = "FILE")]
    outputs: Vec<PathBuf>,
    /// Verify attestations with this ed25519 public key (SPKI PEM); needed
    /// when any REPORT is an attestation.
    #[arg(long, value_name = "PUB")]
    verify_key: Option<PathBuf>,
    #[command(flatten)]
    signing: super::sign::SignArgs,
}

/// A shard as read: its report, and the attestation's configuration and
/// inputs when it was signed.
struct ReadShard {
    shard: ShardReport,
    attested: Option<(ConfigDigest, Vec<String>)>,
}

pub fn run(args: &MergeArgs) -> anyhow::Result<u8> {
    let mut formats = args.formats.clone();
    if formats.is_empty() {
        formats.push(ReportFormat::Json);
    }
    let destinations = super::scan::destinations(&formats, &args.outputs)?;
    let signer = args.signing.signer(&args.outputs)?;
    let verify_key = args
        .verify_key
        .as_deref()
        .map(keys::read_verifying_key)
        .transpose()?;

    let read: Vec<ReadShard> = args
        .reports
        .iter()
        .map(|path| read_shard(path, verify_key.as_ref()))
        .collect::<anyhow::Result<_>>()?;
    let signed = read.iter().filter(|r| r.attested.is_some()).count();
    let attested: Option<(ConfigDigest, Vec<String>)> = if signer.is_some() {
        if signed != read.len() {
            anyhow::bail!(
                "--sign needs every shard signed: a signed merge vouches for the shards, so give their attestations (scan --shard K/N --sign KEY), not plain JSON reports"
            );
        }
        let inputs: BTreeSet<String> = read
            .iter()
            .filter_map(|r| r.attested.as_ref())
            .flat_map(|(_, inputs)| inputs.iter().cloned())
            .collect();
        read.first()
            .and_then(|r| r.attested.as_ref())
            .map(|(config, _)| (config.clone(), inputs.into_iter().collect()))
    } else {
        None
    };
    let report = merge::merge(read.into_iter().map(|r| r.shard).collect())?;
    let no_source = |_: &str| None;
    super::scan::write_reports(&report, &destinations, &no_source, None)?;
    if let (Some(signer), Some((config, inputs))) = (signer, attested) {
        let written = signer.write(&report, config, inputs)?;
        eprintln!("signed attestation: {}", written.display());
    }
    Ok(report.exit_code())
}

/// Reads one shard: a JSON report, or a one-envelope attestation that must
/// verify against `key` and whose configuration must be the report's.
fn read_shard(path: &Path, key: Option<&ed25519_dalek::VerifyingKey>) -> anyhow::Result<ReadShard> {
    let source = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("{source}: cannot read the report"))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!("{source}: not UTF-8 text; give a JSON report or an attestation")
    })?;
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        // A .intoto.jsonl may hold several lines; a shard's holds one.
        Err(_) if text.trim().lines().count() > 1 => anyhow::bail!(
            "{source}: holds several envelopes; give one shard's attestation per file"
        ),
        Err(e) => {
            anyhow::bail!("{source}: not JSON ({e}); give a `-f json` report or an attestation")
        }
    };
    if value.get("payloadType").is_none() {
        let report: Report = serde_json::from_value(value)
            .with_context(|| format!("{source}: not a tallyman JSON report"))?;
        return Ok(ReadShard {
            shard: ShardReport { source, report },
            attested: None,
        });
    }
    let Some(key) = key else {
        anyhow::bail!(
            "{source}: is a signed attestation; give --verify-key PUB to verify it before merging"
        );
    };
    let verified = verify::verify_envelope(text.trim(), key)
        .map_err(|e| anyhow::anyhow!("{source}: does not verify: {e}"))?;
    let predicate = verified.statement.predicate;
    let report: Report = serde_json::from_value(predicate.report)
        .with_context(|| format!("{source}: the attested report is not a tallyman report"))?;
    if report.run.config_sha256.as_deref() != Some(predicate.config.sha256.as_str()) {
        anyhow::bail!(
            "{source}: the attested report's run.config_sha256 is not the attestation's configuration digest"
        );
    }
    Ok(ReadShard {
        shard: ShardReport { source, report },
        attested: Some((predicate.config, predicate.inputs)),
    })
}
