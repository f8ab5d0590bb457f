//! Reading one discovered Dockerfile into its model, or saying exactly why not.

use std::io::Read;
use std::path::Path;

use tallyman_dockerfile::model::{BuildContext, Dockerfile};
use tallyman_dockerfile::{LowerOptions, ParseOptions, parse_and_lower};

use crate::report::Sha256Digest;

/// What the scan learned about one file.
pub enum ReadOutcome {
    Model {
        sha256: String,
        model: Box<Dockerfile>,
    },
    /// Unreadable, too large, binary or refused by the parser.
    Failed {
        sha256: Option<String>,
        reason: String,
    },
}

/// Everything lowering needs besides the file.
pub struct ReadOptions {
    pub max_size: usize,
    pub evaluated_on: String,
    pub target: Option<String>,
    pub build_args: Vec<(String, String)>,
    pub platform: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256Digest::of(bytes).hex()
}

/// Reads at most `max_size + 1` bytes, so that a huge file is refused
/// without being loaded.
fn read_bounded(path: &Path, max_size: usize) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    // Sized from the file's length, the read takes one call instead of a
    // probe and several doublings (a file's length is only a hint: it may
    // change while it is read).
    let expected = file
        .metadata()
        .map(|m| usize::try_from(m.len()).unwrap_or(usize::MAX))
        .unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected.min(max_size).saturating_add(1));
    let limit = u64::try_from(max_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The bytes of a Dockerfile, or why it cannot be scanned (unreadable, or
/// over the size limit).
pub fn read_bytes(path: &Path, options: &ReadOptions) -> Result<Vec<u8>, String> {
    let bytes = read_bounded(path, options.max_size)
        .map_err(|err| format!("cannot read the file: {err}"))?;
    if bytes.len() > options.max_size {
        let size = std::fs::metadata(path)
            .map(|m| m.len())
            .unwrap_or(bytes.len() as u64);
        return Err(format!(
            "the file is {size} bytes, over the limit of {} (raise `limits.max-file-bytes` or pass --max-file-size)",
            options.max_size
        ));
    }
    Ok(bytes)
}

impl ReadOptions {
    /// How the file at report path `display` is lowered into its model.
    pub fn lower_options(&self, display: &str, build_context: BuildContext) -> LowerOptions {
        LowerOptions {
            path: display.to_string(),
            evaluated_on: self.evaluated_on.clone(),
            target: self.target.clone(),
            build_args: self.build_args.clone(),
            platform: self.platform.clone(),
            build_context,
        }
    }
}

/// Parses and lowers a Dockerfile's bytes (which hash to `sha256`).
pub fn parse_model(
    bytes: &[u8],
    sha256: String,
    lower_options: &LowerOptions,
    options: &ReadOptions,
) -> ReadOutcome {
    let parse_options = ParseOptions {
        max_size: options.max_size,
    };
    match parse_and_lower(bytes, &parse_options, lower_options) {
        Ok(model) => ReadOutcome::Model {
            sha256,
            model: Box::new(model),
        },
        Err(err) => ReadOutcome::Failed {
            sha256: Some(sha256),
            reason: format!("not a Dockerfile BuildKit accepts: {err}"),
        },
    }
}

pub fn read_dockerfile(
    path: &Path,
    display: &str,
    build_context: BuildContext,
    options: &ReadOptions,
) -> ReadOutcome {
    let bytes = match read_bytes(path, options) {
        Ok(bytes) => bytes,
        Err(reason) => {
            return ReadOutcome::Failed {
                sha256: None,
                reason,
            };
        }
    };
    let sha256 = sha256_hex(&bytes);
    parse_model(
        &bytes,
        sha256,
        &options.lower_options(display, build_context),
        options,
    )
}
