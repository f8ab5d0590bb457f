//! The message loop: requests answered at once, edits noted and checked
//! once the editor has been quiet for the debounce interval.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, ExecuteCommand, HoverRequest, RegisterCapability, Request as _,
};
use lsp_types::{
    CodeActionOrCommand, CodeActionParams, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    ExecuteCommandParams, FileSystemWatcher, GlobPattern, HoverParams, PublishDiagnosticsParams,
    Registration, RegistrationParams, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::analyze::{Analysis, Document, analyze};
use super::documents::{Documents, OpenDocument};
use super::text::LineIndex;
use super::workspace::Workspace;
use super::{RELOAD_COMMAND, actions, diagnostics, hover, uri};
use crate::config::CONFIG_NAMES;

pub struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
    documents: Documents,
    debounce: Duration,
}

/// What handling a message leaves the loop to do.
enum Flow {
    Continue,
    Exit,
}

/// A request whose parameters could not be read.
struct BadParams(String);

fn params<P: DeserializeOwned>(value: Value) -> Result<P, BadParams> {
    serde_json::from_value(value).map_err(|e| BadParams(e.to_string()))
}

impl<'c> Server<'c> {
    pub fn new(connection: &'c Connection, workspace: Workspace, debounce: Duration) -> Server<'c> {
        Server {
            connection,
            workspace,
            documents: Documents::default(),
            debounce,
        }
    }

    fn send(&self, message: impl Into<Message>) -> anyhow::Result<()> {
        self.connection
            .sender
            .send(message.into())
            .map_err(|_| anyhow::anyhow!("the client's connection is closed"))
    }

    /// Asks the client to report changes to configuration files anywhere in
    /// the workspace.
    pub fn watch_configuration(&self) -> anyhow::Result<()> {
        let watchers = CONFIG_NAMES
            .iter()
            .map(|name| FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{name}")),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "tallyman-configuration".to_string(),
            method: DidChangeWatchedFiles::METHOD.to_string(),
            register_options: Some(serde_json::to_value(
                DidChangeWatchedFilesRegistrationOptions { watchers },
            )?),
        };
        self.send(Request::new(
            RequestId::from("tallyman/watch-configuration".to_string()),
            RegisterCapability::METHOD.to_string(),
            RegistrationParams {
                registrations: vec![registration],
            },
        ))
    }

    pub fn run(mut self) -> anyhow::Result<()> {
        loop {
            let message = match self.documents.next_due() {
                Some(due) => {
                    let wait = due.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(message) => Some(message),
                        Err(err) if err.is_timeout() => None,
                        Err(_) => return Ok(()),
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return Ok(()),
                },
            };
            if let Some(message) = message
                && let Flow::Exit = self.handle(message)?
            {
                return Ok(());
            }
            self.check_due()?;
        }
    }

    fn handle(&mut self, message: Message) -> anyhow::Result<Flow> {
        match message {
            Message::Request(request) => {
                if self.connection.handle_shutdown(&request)? {
                    return Ok(Flow::Exit);
                }
                let id = request.id.clone();
                let response = match self.respond(request) {
                    Ok(result) => Response::new_ok(id, result),
                    Err(BadParams(reason)) => {
                        Response::new_err(id, ErrorCode::InvalidParams as i32, reason)
                    }
                };
                self.send(response)?;
            }
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    return Ok(Flow::Exit);
                }
                self.notified(notification)?;
            }
            // Only our registration request has a response; nothing to do
            // whatever it says: without file events, edits to the
            // configuration are still noticed when documents are checked.
            Message::Response(_) => {}
        }
        Ok(Flow::Continue)
    }

    fn respond(&mut self, request: Request) -> Result<Value, BadParams> {
        match request.method.as_str() {
            CodeActionRequest::METHOD => {
                let params: CodeActionParams = params(request.params)?;
                Ok(serde_json::to_value(self.code_actions(&params)).unwrap_or(Value::Null))
            }
            HoverRequest::METHOD => {
                let params: HoverParams = params(request.params)?;
                let position = params.text_document_position_params;
                let hover = self
                    .documents
                    .get(&position.text_document.uri)
                    .zip(self.workspace.state().ok())
                    .and_then(|(document, loaded)| {
                        hover::hover(loaded, &document.text, position.position)
                    });
                Ok(serde_json::to_value(hover).unwrap_or(Value::Null))
            }
            ExecuteCommand::METHOD => {
                let params: ExecuteCommandParams = params(request.params)?;
                if params.command != RELOAD_COMMAND {
                    return Err(BadParams(format!("no command `{}`", params.command)));
                }
                self.reload();
                Ok(Value::Null)
            }
            other => Err(BadParams(format!("tallyman does not handle `{other}`"))),
        }
    }

    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(document) = self.documents.get(uri) else {
            return Vec::new();
        };
        let diagnostics = &params.context.diagnostics;
        let fixes = actions::fix_actions(uri, &document.text, diagnostics, &document.analysis);
        let pragmas = actions::pragma_actions(uri, &document.text, diagnostics, &document.analysis);
        fixes
            .into_iter()
            .chain(pragmas)
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }

    fn notified(&mut self, notification: Notification) -> anyhow::Result<()> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = params::<DidOpenTextDocumentParams>(notification.params) else {
                    return Ok(());
                };
                let item = params.text_document;
                let mut document =
                    OpenDocument::new(&item.uri, &item.language_id, item.text, item.version);
                if document.checked {
                    document.due = Some(Instant::now());
                }
                self.documents.insert(item.uri, document);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = params::<DidChangeTextDocumentParams>(notification.params) else {
                    return Ok(());
                };
                let due = Instant::now() + self.debounce;
                if let Some(document) = self.documents.get_mut(&params.text_document.uri) {
                    document.apply(params.content_changes, params.text_document.version);
                    if document.checked {
                        document.due = Some(due);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                let Ok(params) = params::<DidSaveTextDocumentParams>(notification.params) else {
                    return Ok(());
                };
                let saved_config = uri::to_path(&params.text_document.uri)
                    .is_some_and(|path| self.workspace.is_config_file(&path));
                if saved_config {
                    self.reload();
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = params::<DidCloseTextDocumentParams>(notification.params) else {
                    return Ok(());
                };
                if let Some(document) = self.documents.remove(&params.text_document.uri)
                    && document.checked
                {
                    self.publish(params.text_document.uri, Vec::new(), None)?;
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let Ok(params) = params::<DidChangeWatchedFilesParams>(notification.params) else {
                    return Ok(());
                };
                let config_changed = params.changes.iter().any(|change| {
                    uri::to_path(&change.uri)
                        .is_some_and(|path| self.workspace.is_config_file(&path))
                });
                if config_changed {
                    self.reload();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn reload(&mut self) {
        self.workspace.reload();
        self.documents.all_due();
    }

    fn publish(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> anyhow::Result<()> {
        self.send(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        ))
    }

    /// Checks the documents whose quiet time is over and publishes what
    /// was found.
    fn check_due(&mut self) -> anyhow::Result<()> {
        let due = self.documents.due(Instant::now());
        if due.is_empty() {
            return Ok(());
        }
        if self.workspace.refresh() {
            self.documents.all_due();
        }
        let workspace = &self.workspace;
        let mut published = Vec::new();
        for (uri, document) in self.documents.iter_mut() {
            if document.due.take().is_none() {
                continue;
            }
            let target = Document {
                uri,
                path: document.path.as_deref(),
                text: &document.text,
            };
            document.analysis = checked(workspace, &target);
            published.push((
                uri.clone(),
                document.analysis.diagnostics.clone(),
                document.version,
            ));
        }
        for (uri, diagnostics, version) in published {
            self.publish(uri, diagnostics, Some(version))?;
        }
        Ok(())
    }
}

/// Checks one document; a bug that panics shows as a diagnostic on that
/// document instead of taking the editor's server down.
fn checked(workspace: &Workspace, document: &Document<'_>) -> Analysis {
    catch_unwind(AssertUnwindSafe(|| analyze(workspace, document))).unwrap_or_else(|_| {
        let index = LineIndex::new(document.text);
        Analysis {
            diagnostics: vec![diagnostics::file_diagnostic(
                &index,
                "internal-error",
                DiagnosticSeverity::ERROR,
                "tallyman failed while checking this file (a bug: please report it with the file)"
                    .to_string(),
            )],
            findings: Vec::new(),
        }
    })
}
