//! `tallyman verify ATTESTATION --key PUB [--check-subjects [ROOT]]`.
//!
//! Exit codes: 0 when every envelope verifies (and, with
//! `--check-subjects`, every file matches); 1 when the attestation does not
//! hold: malformed, wrong payload type, not signed by this key, bad
//! signature, or files that changed, vanished or were added; 2 when the
//! check could not run (unreadable attestation or key, bad arguments), as
//! for every command (docs/cli.md). The attested scan's own verdict is
//! reported, not judged: a verified "fail" still exits 0.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::attest::keys;
use crate::attest::verify::{self, SubjectCheck, Verified};
use crate::report::SeverityName;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The attestation (`.intoto.jsonl`, one DSSE envelope per line).
    attestation: PathBuf,
    /// The signer's public key (SPKI PEM, the .pub from `tallyman keygen`).
    #[arg(long, value_name = "PUB")]
    key: PathBuf,
    /// Re-hash every subject under ROOT (the scan's root: the directory it
    /// was given, else where it ran) [default: .], and look for Dockerfiles added since.
    #[arg(long, value_name = "ROOT", num_args = 0..=1, default_missing_value = ".")]
    check_subjects: Option<PathBuf>,
}

/// Exit code: the attestation does not hold.
pub const EXIT_NOT_VERIFIED: u8 = 1;

pub fn run(args: &VerifyArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let key = keys::read_verifying_key(&args.key)?;
    let bytes = std::fs::read(&args.attestation).with_context(|| {
        format!(
            "{}: cannot read the attestation",
            args.attestation.display()
        )
    })?;
    let Ok(text) = String::from_utf8(bytes) else {
        writeln!(
            err,
            "verification failed: {}: malformed envelope: (document): not UTF-8 text",
            args.attestation.display()
        )?;
        return Ok(EXIT_NOT_VERIFIED);
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i.saturating_add(1), line))
        .collect();
    if lines.is_empty() {
        writeln!(
            err,
            "verification failed: {}: malformed envelope: the file holds no envelope",
            args.attestation.display()
        )?;
        return Ok(EXIT_NOT_VERIFIED);
    }
    let several = lines.len() > 1;
    let mut ok = true;
    for (number, line) in lines {
        let what = if several {
            format!("{}:{number}", args.attestation.display())
        } else {
            args.attestation.display().to_string()
        };
        match verify::verify_envelope(line, &key) {
            Err(failure) => {
                writeln!(err, "verification failed: {what}: {failure}")?;
                ok = false;
            }
            Ok(verified) => {
                write_summary(&what, &verified, out)?;
                if let Some(root) = &args.check_subjects {
                    let check = verify::check_subjects(&verified.statement, root)?;
                    write_subject_check(&check, root, out)?;
                    if !check.all_match() {
                        writeln!(
                            err,
                            "verification failed: {what}: the files under {} no longer match the attestation's subjects",
                            root.display()
                        )?;
                        ok = false;
                    }
                }
            }
        }
    }
    if ok {
        writeln!(out, "verified")?;
        Ok(0)
    } else {
        Ok(EXIT_NOT_VERIFIED)
    }
}

fn write_summary(what: &str, verified: &Verified, out: &mut dyn Write) -> std::io::Result<()> {
    let statement = &verified.statement;
    let predicate = &statement.predicate;
    let report = &predicate.report;
    let verdict = match predicate.verdict.result {
        crate::report::Verdict::Pass => "pass",
        crate::report::Verdict::Fail => "fail",
    };
    writeln!(
        out,
        "{what}: signature ok (ed25519, keyid {})",
        verified.keyid
    )?;
    writeln!(
        out,
        "  tool:      {} {}",
        predicate.tool.name, predicate.tool.version
    )?;
    writeln!(
        out,
        "  verdict:   {verdict} (exit code {})",
        predicate.verdict.exit_code
    )?;
    let by_severity = verify::findings_by_severity(statement);
    let counts: Vec<String> = SeverityName::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            by_severity
                .get(s.as_str())
                .filter(|n| **n > 0)
                .map(|n| format!("{} {n}", s.as_str()))
        })
        .collect();
    writeln!(
        out,
        "  targets:   {} scanned of {}; findings: {}{}",
        report["summary"]["scanned"].as_u64().unwrap_or(0),
        report["summary"]["targets"].as_u64().unwrap_or(0),
        report["summary"]["findings"].as_u64().unwrap_or(0),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        }
    )?;
    writeln!(
        out,
        "  policies:  {}",
        predicate
            .policies
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        out,
        "  config:    sha256:{}{}",
        predicate.config.sha256,
        predicate
            .config
            .file
            .as_deref()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default()
    )?;
    writeln!(out, "  subjects:  {}", statement.subject.len())?;
    Ok(())
}

fn write_subject_check(
    check: &SubjectCheck,
    root: &Path,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "  files under {}: {} unchanged",
        root.display(),
        check.unchanged.len()
    )?;
    for changed in &check.changed {
        writeln!(
            out,
            "    changed:    {} (attested sha256:{}, now sha256:{})",
            changed.name, changed.attested, changed.now
        )?;
    }
    for name in &check.vanished {
        writeln!(out, "    vanished:   {name}")?;
    }
    for (name, reason) in &check.unreadable {
        writeln!(out, "    unreadable: {name} ({reason})")?;
    }
    for name in &check.added {
        writeln!(out, "    added:      {name}")?;
    }
    Ok(())
}
