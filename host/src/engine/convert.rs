//! Conversions between the model (`tallyman_dockerfile::model`) and the
//! types `bindgen!` generates from the same WIT. The two mirror each other
//! field for field; a target is converted once and shared by every policy.

use tallyman_dockerfile::model;

use super::bindings::wit;

/// Converts a model value into its WIT twin.
trait ToWit<T> {
    fn to_wit(&self) -> T;
}

macro_rules! copied {
    ($($t:ty),*) => {$(
        impl ToWit<$t> for $t {
            fn to_wit(&self) -> $t {
                *self
            }
        }
    )*};
}
copied!(u32, u64, bool);

impl ToWit<String> for String {
    fn to_wit(&self) -> String {
        self.clone()
    }
}

impl<A: ToWit<B>, B> ToWit<Option<B>> for Option<A> {
    fn to_wit(&self) -> Option<B> {
        self.as_ref().map(ToWit::to_wit)
    }
}

impl<A: ToWit<B>, B> ToWit<Vec<B>> for Vec<A> {
    fn to_wit(&self) -> Vec<B> {
        self.iter().map(ToWit::to_wit).collect()
    }
}

/// Records convert field by field: a field missing on either side is a
/// compile error, so the two mirrors cannot drift apart silently.
macro_rules! records {
    ($($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl ToWit<wit::$name> for model::$name {
            fn to_wit(&self) -> wit::$name {
                wit::$name { $($field: self.$field.to_wit()),* }
            }
        }
    )*};
}

records! {
    Span { start_line, start_column, end_line, end_column }
    KeyValue { key, value }
    ImageName { registry, repository, tag, digest }
    ImageReference { written, expanded, source }
    Flag { name, value }
    Heredoc { name, file_descriptor, expand, chomp, content, span }
    SimpleCommand { name, args, assignments, text, pipeline, pipe_position, in_substitution, shell_depth, negated, in_condition, connector }
    Mount { kind, target, source, from, id, env, read_only, required, options }
    CommandLine { exec_form, args, commands, shell_error }
    FromInstruction { base, platform, stage_name, as_keyword }
    RunInstruction { command, mounts, network, security }
    CopyInstruction { sources, destination, from, chown, chmod, link, checksum, parents, exclude }
    ArgDeclaration { name, default }
    Assignment { key, value, raw }
    PortSpec { written, expanded, start, end, protocol, host_form }
    UserInstruction { user, group }
    HealthcheckInstruction { disabled, command, interval, timeout, start_period, start_interval, retries }
    OnbuildTrigger { keyword, original, args }
    Instruction { keyword, keyword_written, original, span, flags, args, heredocs, comments, detail }
    Stage { index, name, base, platform, span, instructions }
    Directive { name, value, line }
    Comment { line, text }
    BuildContext { dockerignore_path, dockerignore_patterns }
    Dockerfile { path, directives, escape_char, comments, global_args, stages, target_stage, build_context, line_count, evaluated_on }
    Platform { os, architecture, variant }
    ImageLayer { digest, size, media_type }
    HistoryEntry { created, created_by, empty_layer, comment }
    ImageHealthcheck { test, interval_ns, timeout_ns, start_period_ns, retries }
    ImageConfig { user, env, entrypoint, cmd, working_dir, exposed_ports, labels, healthcheck, volumes, stop_signal }
    Image { reference, manifest_digest, platform, requested_platform, config, history, layers, annotations, created, evaluated_on }
}

impl ToWit<wit::Connector> for model::Connector {
    fn to_wit(&self) -> wit::Connector {
        match self {
            model::Connector::Start => wit::Connector::Start,
            model::Connector::Sequence => wit::Connector::Sequence,
            model::Connector::And => wit::Connector::And,
            model::Connector::Or => wit::Connector::Or,
        }
    }
}

impl ToWit<wit::ImageSource> for model::ImageSource {
    fn to_wit(&self) -> wit::ImageSource {
        match self {
            model::ImageSource::Image(name) => wit::ImageSource::Image(name.to_wit()),
            model::ImageSource::Scratch => wit::ImageSource::Scratch,
            model::ImageSource::Stage(index) => wit::ImageSource::Stage(*index),
            model::ImageSource::Unresolved(why) => wit::ImageSource::Unresolved(why.clone()),
        }
    }
}

impl ToWit<wit::InstructionDetail> for model::InstructionDetail {
    fn to_wit(&self) -> wit::InstructionDetail {
        use model::InstructionDetail as M;
        use wit::InstructionDetail as W;
        match self {
            M::From(v) => W::From(v.to_wit()),
            M::Run(v) => W::Run(v.to_wit()),
            M::Cmd(v) => W::Cmd(v.to_wit()),
            M::Entrypoint(v) => W::Entrypoint(v.to_wit()),
            M::Shell(v) => W::Shell(v.to_wit()),
            M::Copy(v) => W::Copy(v.to_wit()),
            M::Add(v) => W::Add(v.to_wit()),
            M::Env(v) => W::Env(v.to_wit()),
            M::Label(v) => W::Label(v.to_wit()),
            M::Arg(v) => W::Arg(v.to_wit()),
            M::Expose(v) => W::Expose(v.to_wit()),
            M::User(v) => W::User(v.to_wit()),
            M::Workdir(v) => W::Workdir(v.clone()),
            M::Volume(v) => W::Volume(v.to_wit()),
            M::Stopsignal(v) => W::Stopsignal(v.clone()),
            M::Healthcheck(v) => W::Healthcheck(v.to_wit()),
            M::Onbuild(v) => W::Onbuild(v.to_wit()),
            M::Maintainer(v) => W::Maintainer(v.clone()),
            M::Other => W::Other,
        }
    }
}

impl From<&model::Dockerfile> for wit::Dockerfile {
    fn from(dockerfile: &model::Dockerfile) -> Self {
        dockerfile.to_wit()
    }
}

impl From<&model::Image> for wit::Image {
    fn from(image: &model::Image) -> Self {
        image.to_wit()
    }
}

// ---- what policies return, back into the model ----

impl From<wit::Severity> for model::Severity {
    fn from(severity: wit::Severity) -> Self {
        match severity {
            wit::Severity::Info => model::Severity::Info,
            wit::Severity::Low => model::Severity::Low,
            wit::Severity::Medium => model::Severity::Medium,
            wit::Severity::High => model::Severity::High,
            wit::Severity::Critical => model::Severity::Critical,
        }
    }
}

impl From<wit::Span> for model::Span {
    fn from(span: wit::Span) -> Self {
        model::Span {
            start_line: span.start_line,
            start_column: span.start_column,
            end_line: span.end_line,
            end_column: span.end_column,
        }
    }
}

impl From<wit::RuleInfo> for model::RuleInfo {
    fn from(rule: wit::RuleInfo) -> Self {
        model::RuleInfo {
            id: rule.id,
            title: rule.title,
            default_severity: rule.default_severity.into(),
            description: rule.description,
            help: rule.help,
            tags: rule.tags,
            equivalents: rule.equivalents,
        }
    }
}

impl From<wit::PolicyInfo> for model::PolicyInfo {
    fn from(info: wit::PolicyInfo) -> Self {
        model::PolicyInfo {
            name: info.name,
            version: info.version,
            description: info.description,
            rules: info.rules.into_iter().map(Into::into).collect(),
        }
    }
}
