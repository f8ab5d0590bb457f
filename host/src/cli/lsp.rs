//! `tallyman lsp`: the Language Server, over stdin and stdout.

use std::time::Duration;

use clap::Args;

use super::policies::PolicySelection;

#[derive(Debug, Args)]
pub struct LspArgs {
    #[command(flatten)]
    policies: PolicySelection,
    /// How long to wait after an edit before checking the document again.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    debounce_ms: u64,
    /// Accepted because editors' LSP clients pass it; stdio is the only transport.
    #[arg(long, hide = true)]
    stdio: bool,
}

pub fn run(args: LspArgs) -> anyhow::Result<()> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let options = crate::lsp::Options {
        selection: args.policies,
        debounce: Duration::from_millis(args.debounce_ms),
    };
    crate::lsp::serve(&connection, options)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}
