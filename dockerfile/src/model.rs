//! The typed model policies see: a one-to-one mirror of `wit/policy.wit`.
//!
//! Field names are the WIT names in snake_case and enum variants the WIT names
//! in CamelCase, which is exactly what `wit-bindgen` and wasmtime's `bindgen!`
//! generate: the JSON of this model (`tallyman parse --format json`) therefore
//! deserialises into the generated guest types, and the host converts with
//! plain field-by-field `From` impls. Documentation of each type is in the WIT
//! file, which is what policy authors read.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Span {
    /// A span of whole lines (columns unknown).
    pub fn lines(start_line: usize, end_line: usize) -> Span {
        Span {
            start_line: to_u32(start_line),
            start_column: 0,
            end_line: to_u32(end_line),
            end_column: 0,
        }
    }
}

/// Line numbers and counts never come near `u32::MAX` in a file under the
/// size limit; saturate rather than wrap if they ever do.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageName {
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageSource {
    Image(ImageName),
    Scratch,
    Stage(u32),
    Unresolved(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageReference {
    pub written: String,
    pub expanded: String,
    pub source: ImageSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heredoc {
    pub name: String,
    pub file_descriptor: u32,
    pub expand: bool,
    pub chomp: bool,
    pub content: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimpleCommand {
    pub name: String,
    pub args: Vec<String>,
    pub assignments: Vec<KeyValue>,
    pub text: String,
    pub line: u32,
    pub arg_lines: Vec<u32>,
    pub pipeline: u32,
    pub pipe_position: u32,
    pub in_substitution: bool,
    pub shell_depth: u32,
    pub negated: bool,
    pub in_condition: bool,
    pub connector: Connector,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Connector {
    Start,
    Sequence,
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    pub kind: String,
    pub target: Option<String>,
    pub source: Option<String>,
    pub from: Option<ImageReference>,
    pub id: Option<String>,
    pub env: Option<String>,
    pub read_only: bool,
    pub required: bool,
    pub options: Vec<KeyValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandLine {
    pub exec_form: bool,
    pub args: Vec<String>,
    pub commands: Vec<SimpleCommand>,
    pub shell_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FromInstruction {
    pub base: ImageReference,
    pub platform: Option<String>,
    pub stage_name: Option<String>,
    pub as_keyword: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInstruction {
    pub command: CommandLine,
    pub mounts: Vec<Mount>,
    pub network: Option<String>,
    pub security: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyInstruction {
    pub sources: Vec<String>,
    pub destination: String,
    pub from: Option<ImageReference>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub checksum: Option<String>,
    pub parents: bool,
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArgDeclaration {
    pub name: String,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub key: String,
    pub value: String,
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortSpec {
    pub written: String,
    pub expanded: String,
    pub start: Option<u32>,
    pub end: Option<u32>,
    pub protocol: String,
    pub host_form: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInstruction {
    pub user: String,
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthcheckInstruction {
    pub disabled: bool,
    pub command: Option<CommandLine>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub start_interval: Option<String>,
    pub retries: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnbuildTrigger {
    pub keyword: String,
    pub original: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstructionDetail {
    From(FromInstruction),
    Run(RunInstruction),
    Cmd(CommandLine),
    Entrypoint(CommandLine),
    Shell(Vec<String>),
    Copy(CopyInstruction),
    Add(CopyInstruction),
    Env(Vec<Assignment>),
    Label(Vec<Assignment>),
    Arg(Vec<ArgDeclaration>),
    Expose(Vec<PortSpec>),
    User(UserInstruction),
    Workdir(String),
    Volume(Vec<String>),
    Stopsignal(String),
    Healthcheck(HealthcheckInstruction),
    Onbuild(OnbuildTrigger),
    Maintainer(String),
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    pub keyword: String,
    pub keyword_written: String,
    pub original: String,
    pub span: Span,
    pub flags: Vec<Flag>,
    pub args: Vec<String>,
    pub heredocs: Vec<Heredoc>,
    pub comments: Vec<String>,
    pub empty_continuation_lines: Vec<u32>,
    pub detail: InstructionDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub index: u32,
    pub name: Option<String>,
    pub base: ImageReference,
    pub platform: Option<String>,
    pub span: Span,
    pub instructions: Vec<Instruction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub line: u32,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildContext {
    pub dockerignore_path: Option<String>,
    pub dockerignore_patterns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dockerfile {
    pub path: String,
    pub directives: Vec<Directive>,
    pub escape_char: String,
    pub comments: Vec<Comment>,
    pub global_args: Vec<Instruction>,
    pub stages: Vec<Stage>,
    pub target_stage: u32,
    pub build_context: BuildContext,
    pub line_count: u32,
    pub evaluated_on: String,
}

// ----------------------------------------------------------------------
// Images
// ----------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageLayer {
    pub digest: String,
    pub size: u64,
    pub media_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub created: Option<String>,
    pub created_by: String,
    pub empty_layer: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageHealthcheck {
    pub test: Vec<String>,
    pub interval_ns: Option<u64>,
    pub timeout_ns: Option<u64>,
    pub start_period_ns: Option<u64>,
    pub retries: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    pub user: String,
    pub env: Vec<KeyValue>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub working_dir: String,
    pub exposed_ports: Vec<String>,
    pub labels: Vec<KeyValue>,
    pub healthcheck: Option<ImageHealthcheck>,
    pub volumes: Vec<String>,
    pub stop_signal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub reference: String,
    pub manifest_digest: String,
    pub platform: Platform,
    pub requested_platform: Platform,
    pub config: ImageConfig,
    pub history: Vec<HistoryEntry>,
    pub layers: Vec<ImageLayer>,
    pub annotations: Vec<KeyValue>,
    pub created: Option<String>,
    pub evaluated_on: String,
}

// ----------------------------------------------------------------------
// Policies and findings
// ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub default_severity: Severity,
    pub description: String,
    pub help: String,
    pub tags: Vec<String>,
    pub equivalents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    pub rules: Vec<RuleInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub message: String,
    pub span: Option<Span>,
    pub stage: Option<u32>,
    pub fix: Option<String>,
    pub severity: Option<Severity>,
    /// Absent in what a `tallyman:policy@0.1.0` component returns, and in
    /// JSON written before 0.2.0. (Always serialised: the result cache's
    /// postcard encoding has no optional fields.)
    #[serde(default)]
    pub autofix: Option<Autofix>,
}

/// Lower case in JSON (`"safe"`), as reports spell their enums: no model
/// of a Dockerfile holds one, so nothing reads it as a WIT name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Autofix {
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}
