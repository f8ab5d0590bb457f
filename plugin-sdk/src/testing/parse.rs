//! Dockerfile text to the guest model, with the host's own parser: the one
//! place the harness touches `tallyman-dockerfile`'s parsing API.

use super::convert::dockerfile_from_host;
use crate::model::Dockerfile;

/// What the model depends on besides the text.
pub(crate) struct Options {
    pub path: String,
    pub evaluated_on: String,
    pub target: Option<String>,
    pub build_args: Vec<(String, String)>,
}

/// Parses and lowers as the host does for a scan.
pub(crate) fn dockerfile(text: &str, options: &Options) -> Result<Dockerfile, String> {
    let lower_options = tallyman_dockerfile::LowerOptions {
        path: options.path.clone(),
        evaluated_on: options.evaluated_on.clone(),
        target: options.target.clone(),
        build_args: options.build_args.clone(),
        ..tallyman_dockerfile::LowerOptions::default()
    };
    let model = tallyman_dockerfile::parse_and_lower(
        text.as_bytes(),
        &tallyman_dockerfile::ParseOptions::default(),
        &lower_options,
    )
    .map_err(|error| error.to_string())?;
    Ok(dockerfile_from_host(&model))
}
