//! `tallyman lsp`: a Language Server over stdio. Open Dockerfiles are
//! checked as the editor holds them, on open and after each pause in
//! typing, with the same policies, `tallyman.yaml` and pragmas as `scan`;
//! code actions insert pragmas; hover on a rule id shows its documentation.
//!
//! One thread does everything, in order: the policies are loaded once per
//! configuration and each check is one document's worth of work, so there
//! is nothing to gain from more, and ordering stays simple.

mod actions;
mod analyze;
mod diagnostics;
mod documents;
mod hover;
mod server;
mod text;
mod uri;
mod workspace;

use std::path::PathBuf;
use std::time::Duration;

use lsp_server::Connection;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, ExecuteCommandOptions,
    HoverProviderCapability, InitializeParams, InitializeResult, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions,
};

use crate::cli::policies::PolicySelection;

pub use diagnostics::{CONFIG_ERROR, FILE_TOO_LARGE, PARSE_ERROR, SOURCE};

/// The command that reloads `tallyman.yaml` and the policies and checks
/// every open document again.
pub const RELOAD_COMMAND: &str = "tallyman.reloadConfiguration";

pub struct Options {
    pub selection: PolicySelection,
    /// How long after the last change a document is checked again.
    pub debounce: Duration,
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![RELOAD_COMMAND.to_string()],
            ..ExecuteCommandOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// The workspace root: the first workspace folder, else the root URI,
/// else the current directory (where `scan` would look too).
#[allow(deprecated)] // root_uri: older clients send only it.
fn workspace_root(params: &InitializeParams) -> PathBuf {
    params
        .workspace_folders
        .iter()
        .flatten()
        .map(|folder| &folder.uri)
        .chain(params.root_uri.as_ref())
        .find_map(uri::to_path)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Serves one client until it asks the server to exit (or hangs up).
pub fn serve(connection: &Connection, options: Options) -> anyhow::Result<()> {
    let (id, params) = connection.initialize_start()?;
    // A client sending an initialize we cannot read still gets a server:
    // with no root and no capabilities beyond the basics.
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "tallyman".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let watches_files = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    let workspace = workspace::Workspace::open(workspace_root(&params), options.selection);
    let server = server::Server::new(connection, workspace, options.debounce);
    if watches_files {
        server.watch_configuration()?;
    }
    server.run()
}
