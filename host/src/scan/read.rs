//! Reading one discovered Dockerfile into its model, or saying exactly why not.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};
use tallyman_dockerfile::model::{BuildContext, Dockerfile};
use tallyman_dockerfile::{LowerOptions, ParseOptions, lower, parse};

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
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Reads at most `max_size + 1` bytes, so that a huge file is refused
/// without being loaded.
fn read_bounded(path: &Path, max_size: usize) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(max_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub fn read_dockerfile(
    path: &Path,
    display: &str,
    build_context: BuildContext,
    options: &ReadOptions,
) -> ReadOutcome {
    let bytes = match read_bounded(path, options.max_size) {
        Ok(bytes) => bytes,
        Err(err) => {
            return ReadOutcome::Failed {
                sha256: None,
                reason: format!("cannot read the file: {err}"),
            };
        }
    };
    if bytes.len() > options.max_size {
        let size = std::fs::metadata(path)
            .map(|m| m.len())
            .unwrap_or(bytes.len() as u64);
        return ReadOutcome::Failed {
            sha256: None,
            reason: format!(
                "the file is {size} bytes, over the limit of {} (raise `limits.max-file-bytes` or pass --max-file-size)",
                options.max_size
            ),
        };
    }
    let sha256 = sha256_hex(&bytes);
    let parse_options = ParseOptions {
        max_size: options.max_size,
    };
    match parse(&bytes, &parse_options) {
        Ok(ast) => {
            let lower_options = LowerOptions {
                path: display.to_string(),
                evaluated_on: options.evaluated_on.clone(),
                target: options.target.clone(),
                build_args: options.build_args.clone(),
                platform: options.platform.clone(),
                build_context,
            };
            ReadOutcome::Model {
                sha256,
                model: Box::new(lower(&ast, &lower_options)),
            }
        }
        Err(err) => ReadOutcome::Failed {
            sha256: Some(sha256),
            reason: format!("not a Dockerfile BuildKit accepts: {err}"),
        },
    }
}
