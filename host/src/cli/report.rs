//! `tallyman report REPORT --framework cis-docker-1.6`: a scan report (or a
//! signed attestation, verified first) as a compliance report.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::attest::keys;
use crate::compliance::{self, ComplianceFormat, Framework};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The evidence: a `scan -f json` report, or a `.intoto.jsonl`
    /// attestation of `scan --sign` (needs --verify-key).
    #[arg(value_name = "REPORT")]
    input: PathBuf,
    /// The benchmark to assess against.
    #[arg(long, value_enum)]
    framework: FrameworkArg,
    /// Report format [default: md]; repeat with -o to write several.
    #[arg(short, long = "format", value_enum)]
    formats: Vec<ComplianceFormat>,
    /// Write the report to FILE instead of stdout; the n-th -o takes the n-th -f.
    #[arg(short, long = "output", value_name = "FILE")]
    outputs: Vec<PathBuf>,
    /// Verify the attestation with this ed25519 public key (SPKI PEM); the
    /// report then says it was verified, and by which key.
    #[arg(long, value_name = "PUB")]
    verify_key: Option<PathBuf>,
}

/// The frameworks, as `--framework` spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FrameworkArg {
    /// CIS Docker Benchmark v1.6.0, section 4 (container images and build files).
    #[value(name = "cis-docker-1.6")]
    CisDocker16,
}

impl FrameworkArg {
    fn framework(self) -> &'static Framework {
        match self {
            FrameworkArg::CisDocker16 => &compliance::CIS_DOCKER_1_6,
        }
    }
}

pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    let destinations =
        super::scan::destinations(&args.formats, &args.outputs, ComplianceFormat::Markdown)?;
    let key = args
        .verify_key
        .as_deref()
        .map(keys::read_verifying_key)
        .transpose()?;
    let (report, provenance) = compliance::read_evidence(&args.input, key.as_ref())?;
    let assessment = compliance::assess(&report, args.framework.framework(), provenance);
    for note in &assessment.notes {
        eprintln!("note: {note}");
    }
    for (format, output) in destinations {
        match output {
            Some(file) => {
                let mut out = std::io::BufWriter::new(
                    std::fs::File::create(&file)
                        .with_context(|| format!("{}: cannot write the report", file.display()))?,
                );
                compliance::render(&assessment, format, &mut out)
                    .and_then(|()| out.flush())
                    .with_context(|| format!("{}: cannot write the report", file.display()))?;
            }
            None => {
                let mut out = std::io::stdout().lock();
                compliance::render(&assessment, format, &mut out)?;
                out.flush()?;
            }
        }
    }
    Ok(compliance::exit_code(&assessment))
}
