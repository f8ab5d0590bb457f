//! `tallyman merge REPORT...`: the shards' reports (JSON reports, or signed
//! attestations, verified first) as one report, optionally signed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Args;

use crate::attest::evidence::{self, Evidence};
use crate::attest::keys;
use crate::attest::statement::ConfigDigest;
use crate::merge::{self, ShardReport};
use crate::report::ReportFormat;

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

pub fn run(args: &MergeArgs) -> anyhow::Result<u8> {
    let destinations = super::scan::destinations(&args.formats, &args.outputs, ReportFormat::Json)?;
    let signer = args.signing.signer(&args.outputs)?;
    let verify_key = args
        .verify_key
        .as_deref()
        .map(keys::read_verifying_key)
        .transpose()?;

    // Attestations must verify against --verify-key; plain reports need none.
    let read: Vec<Evidence> = args
        .reports
        .iter()
        .map(|path| evidence::read(path, verify_key.as_ref()))
        .collect::<Result<_, _>>()?;
    let attested: Option<(ConfigDigest, Vec<String>)> = if signer.is_some() {
        if read.iter().any(|shard| shard.attested.is_none()) {
            anyhow::bail!(
                "--sign needs every shard signed: a signed merge vouches for the shards, so give their attestations (scan --shard K/N --sign KEY), not plain JSON reports"
            );
        }
        let inputs: BTreeSet<String> = read
            .iter()
            .filter_map(|shard| shard.attested.as_ref())
            .flat_map(|attested| attested.inputs.iter().cloned())
            .collect();
        read.first()
            .and_then(|shard| shard.attested.as_ref())
            .map(|attested| (attested.config.clone(), inputs.into_iter().collect()))
    } else {
        None
    };
    let shards = read
        .into_iter()
        .map(|shard| ShardReport {
            source: shard.file,
            report: shard.report,
        })
        .collect();
    let report = merge::merge(shards)?;
    let no_source = |_: &str| None;
    super::scan::write_reports(&report, &destinations, &no_source, None)?;
    if let (Some(signer), Some((config, inputs))) = (signer, attested) {
        let written = signer.write(&report, config, inputs)?;
        eprintln!("signed attestation: {}", written.display());
    }
    Ok(report.exit_code())
}
