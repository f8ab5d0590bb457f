//! The JSON report: exactly the contract of docs/reports.md, pretty-printed.
//!
//! Serialisation follows the field order of the structs in this module's
//! parent, so for a [finalized](super::Report::finalize) report the bytes
//! depend only on the data; only `run` (timing and date) differs between
//! two runs over the same inputs.

use std::io::{self, Write};

use super::Report;

/// Writes `report` as pretty-printed JSON followed by a newline.
pub fn to_writer(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // serde_json writes token by token: buffer so a file gets few syscalls.
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")?;
    out.flush()
}
