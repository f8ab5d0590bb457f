//! `tallyman rule ID`: a rule's documentation, as its policy declares it
//! in `metadata()` (for the built-ins, the rule's doc comment).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;

use super::policy::Format;
use crate::dockerfile::model::RuleInfo;
use crate::engine::{CacheDir, Engine, Limits, Policy};
use crate::report::SeverityName;
use crate::report::text::{clean_inline, clean_lines};

/// Arguments of `tallyman rule`.
#[derive(Debug, clap::Args)]
pub struct RuleArgs {
    /// The rule's id, in any case (`MS004`, `ms004`)
    #[arg(value_name = "ID")]
    pub id: String,
    /// An extra .wasm policy file whose rules are searched too (repeatable)
    #[arg(short = 'p', long = "policy", value_name = "FILE")]
    pub policies: Vec<PathBuf>,
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Directory for compiled policy code [default: $TALLYMAN_CACHE_DIR,
    /// $XDG_CACHE_HOME/tallyman or ~/.cache/tallyman]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// The tag prefix of a CIS Docker Benchmark control (`cis-docker-1.6:4.1`).
const CIS_TAG_PREFIX: &str = "cis-docker-";

/// At most this many "did you mean" suggestions.
const MAX_SUGGESTIONS: usize = 5;

/// Runs `tallyman rule ID`, writing to `out`. An id no loaded policy
/// declares is an error (exit code 2) that suggests the ids meant.
pub fn run(args: &RuleArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let engine = Engine::new(
        Limits::default(),
        CacheDir::resolve(args.cache_dir.as_deref()),
    )?;
    let mut loaded = engine.load_builtin()?;
    for path in &args.policies {
        loaded.push(
            engine
                .load_path(path)
                .with_context(|| format!("cannot load {}", path.display()))?,
        );
    }
    let mut found = loaded.iter().filter_map(|policy| {
        policy
            .info()
            .rules
            .iter()
            .find(|rule| rule.id.eq_ignore_ascii_case(&args.id))
            .map(|rule| (policy, rule))
    });
    let Some((policy, rule)) = found.next() else {
        if let Some(rule) = host_rule(&args.id) {
            return write(args.format, &host_policy_ref(), &rule, out);
        }
        anyhow::bail!(unknown_rule_message(&loaded, &args.id));
    };
    // Ids are unique within a policy, not across policies: an org policy may
    // reuse a built-in's id. Built-ins come first, then -p files in order.
    for (other, _) in found {
        eprintln!(
            "warning: policy `{}` ({}) also declares rule `{}`; showing the one of `{}`",
            clean_inline(other.name()),
            clean_inline(&other.source().to_string()),
            clean_inline(&rule.id),
            clean_inline(policy.name())
        );
    }
    write(args.format, &PolicyRef::new(policy), rule, out)
}

fn write(
    format: Format,
    policy: &PolicyRef,
    rule: &RuleInfo,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match format {
        Format::Text => write_rule(policy, rule, out)?,
        Format::Json => {
            // Serialised first: a closed pipe is then an io::Error, which
            // the caller recognises.
            let json = serde_json::to_string_pretty(&RuleRecord::new(policy, rule))?;
            writeln!(out, "{json}")?;
        }
    }
    Ok(())
}

/// One of tallyman's own rules (about pragmas: `TM001`, ...), which no
/// policy declares.
fn host_rule(id: &str) -> Option<RuleInfo> {
    use crate::dockerfile::model::Severity;
    let entry = crate::scan::host_policy_entry()
        .rules
        .into_iter()
        .find(|rule| rule.id.eq_ignore_ascii_case(id))?;
    Some(RuleInfo {
        id: entry.id,
        title: entry.title,
        default_severity: match entry.severity {
            SeverityName::Info => Severity::Info,
            SeverityName::Low => Severity::Low,
            SeverityName::Medium => Severity::Medium,
            SeverityName::High => Severity::High,
            SeverityName::Critical => Severity::Critical,
        },
        description: entry.description,
        help: entry.help,
        tags: entry.tags,
        equivalents: entry.equivalents,
    })
}

/// A rule's documentation as `tallyman rule ID` prints it (Markdown: a
/// heading, a list of facts, then the rule's own text), for the language
/// server's hover.
pub fn rule_text(policy: &Policy, rule: &RuleInfo) -> String {
    render_text(&PolicyRef::new(policy), rule)
}

/// [`rule_text`] for one of tallyman's own rules (`TM001`, ...), if `id` is one.
pub fn host_rule_text(id: &str) -> Option<String> {
    let rule = host_rule(id)?;
    Some(render_text(&host_policy_ref(), &rule))
}

fn render_text(policy: &PolicyRef, rule: &RuleInfo) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_rule(policy, rule, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn host_policy_ref() -> PolicyRef<'static> {
    PolicyRef {
        name: crate::scan::HOST_POLICY,
        version: env!("CARGO_PKG_VERSION"),
        source: "built-in".to_string(),
        builtin: true,
    }
}

/// The CIS Docker Benchmark controls among a rule's tags, as
/// `(benchmark version, control)`: `cis-docker-1.6:4.1` is `("1.6", "4.1")`.
pub fn cis_controls(tags: &[String]) -> Vec<(&str, &str)> {
    tags.iter()
        .filter_map(|tag| tag.strip_prefix(CIS_TAG_PREFIX)?.split_once(':'))
        .collect()
}

/// The rule's whole documentation: the description, a blank line, and the
/// help, as the SDK splits a doc comment (either may be empty for a policy
/// not written with it).
pub fn documentation(rule: &RuleInfo) -> String {
    let description = rule.description.trim();
    let help = rule.help.trim();
    match (description.is_empty(), help.is_empty()) {
        (false, false) => format!("{description}\n\n{help}"),
        (false, true) => description.to_string(),
        (true, _) => help.to_string(),
    }
}

/// Writes a rule's documentation for a terminal. Everything in it comes
/// from the policy, which may be anyone's: control characters and
/// bidirectional overrides are escaped, as the text report escapes them.
fn write_rule(policy: &PolicyRef, rule: &RuleInfo, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "# {}: {}",
        clean_inline(&rule.id),
        clean_inline(&rule.title)
    )?;
    writeln!(out)?;
    let origin = if policy.builtin {
        "built-in"
    } else {
        policy.source.as_str()
    };
    writeln!(
        out,
        "- Policy: {} {} ({})",
        clean_inline(policy.name),
        clean_inline(policy.version),
        clean_inline(origin)
    )?;
    writeln!(
        out,
        "- Default severity: {}",
        SeverityName::from(rule.default_severity).as_str()
    )?;
    let other_tags: Vec<&str> = rule
        .tags
        .iter()
        .map(String::as_str)
        .filter(|tag| !tag.starts_with(CIS_TAG_PREFIX))
        .collect();
    if !other_tags.is_empty() {
        writeln!(out, "- Tags: {}", clean_inline(&other_tags.join(", ")))?;
    }
    let cis = cis_controls(&rule.tags);
    let mut versions: Vec<&str> = cis.iter().map(|(version, _)| *version).collect();
    versions.dedup();
    for version in versions {
        let controls: Vec<&str> = cis
            .iter()
            .filter(|(v, _)| *v == version)
            .map(|(_, control)| *control)
            .collect();
        writeln!(
            out,
            "- CIS Docker Benchmark {}: {}",
            clean_inline(version),
            clean_inline(&controls.join(", "))
        )?;
    }
    if !rule.equivalents.is_empty() {
        writeln!(
            out,
            "- Equivalents: {}",
            clean_inline(&rule.equivalents.join(", "))
        )?;
    }
    let documentation = documentation(rule);
    if documentation.is_empty() {
        writeln!(out, "\n(the policy gives no documentation for this rule)")?;
    } else {
        writeln!(out, "\n{}", clean_lines(&documentation))?;
    }
    Ok(())
}

/// What `--format json` prints.
#[derive(Serialize)]
struct RuleRecord<'a> {
    id: &'a str,
    title: &'a str,
    policy: PolicyRef<'a>,
    severity: SeverityName,
    tags: &'a [String],
    equivalents: &'a [String],
    description: &'a str,
    help: &'a str,
}

#[derive(Serialize, Clone)]
struct PolicyRef<'a> {
    name: &'a str,
    version: &'a str,
    source: String,
    builtin: bool,
}

impl<'a> PolicyRef<'a> {
    fn new(policy: &'a Policy) -> Self {
        PolicyRef {
            name: policy.name(),
            version: policy.version(),
            source: policy.source().to_string(),
            builtin: policy.is_builtin(),
        }
    }
}

impl<'a> RuleRecord<'a> {
    fn new(policy: &PolicyRef<'a>, rule: &'a RuleInfo) -> Self {
        RuleRecord {
            id: &rule.id,
            title: &rule.title,
            policy: policy.clone(),
            severity: rule.default_severity.into(),
            tags: &rule.tags,
            equivalents: &rule.equivalents,
            description: &rule.description,
            help: &rule.help,
        }
    }
}

/// The error for an id no loaded policy declares, with what the user most
/// likely meant: tallyman rules that are equivalents of another tool's id
/// (`DL3007`), ids a typo away or sharing the prefix typed, or else an
/// overview of the ids there are.
fn unknown_rule_message(policies: &[Policy], wanted: &str) -> String {
    let mut message = format!("no loaded policy declares rule `{}`", clean_inline(wanted));
    let rules: Vec<(&Policy, &RuleInfo)> = policies
        .iter()
        .flat_map(|policy| policy.info().rules.iter().map(move |rule| (policy, rule)))
        .collect();

    let equivalent_of: Vec<String> = rules
        .iter()
        .filter(|(_, rule)| {
            rule.equivalents
                .iter()
                .any(|eq| names_equivalent(eq, wanted))
        })
        .map(|(policy, rule)| {
            format!(
                "`{}` ({})",
                clean_inline(&rule.id),
                clean_inline(policy.name())
            )
        })
        .collect();
    if !equivalent_of.is_empty() {
        message.push_str(&format!(
            "\n  `{}` is another tool's check; the equivalent: {}",
            clean_inline(wanted),
            equivalent_of.join(", ")
        ));
        return message;
    }

    let ids: Vec<&str> = rules.iter().map(|(_, rule)| rule.id.as_str()).collect();
    let close = closest_ids(&ids, wanted);
    if !close.is_empty() {
        let quoted: Vec<String> = close
            .iter()
            .map(|id| format!("`{}`", clean_inline(id)))
            .collect();
        message.push_str(&format!("\n  did you mean {}?", quoted.join(", ")));
        return message;
    }

    let overview: Vec<String> = policies
        .iter()
        .filter_map(|policy| {
            let rules = &policy.info().rules;
            let first = rules.first()?;
            let last = rules.last()?;
            let name = clean_inline(policy.name());
            Some(if rules.len() == 1 {
                format!("{} ({name})", clean_inline(&first.id))
            } else {
                format!(
                    "{} to {} ({name}, {} rules)",
                    clean_inline(&first.id),
                    clean_inline(&last.id),
                    rules.len()
                )
            })
        })
        .collect();
    if overview.is_empty() {
        message.push_str("\n  no policy is loaded");
    } else {
        message.push_str(&format!(
            "\n  the loaded policies declare {}; `tallyman policy info NAME` lists a policy's rules",
            overview.join(", ")
        ));
    }
    message
}

/// Whether an equivalent (`hadolint:DL3007`) names the check `wanted`
/// (`DL3007` or `hadolint:DL3007`, in any case).
fn names_equivalent(equivalent: &str, wanted: &str) -> bool {
    let check = equivalent
        .split_once(':')
        .map_or(equivalent, |(_, check)| check);
    equivalent.eq_ignore_ascii_case(wanted) || check.eq_ignore_ascii_case(wanted)
}

/// The ids `wanted` most likely misspells: the nearest within two edits
/// (case aside), or else those that start with it; at most
/// [`MAX_SUGGESTIONS`].
fn closest_ids<'a>(ids: &[&'a str], wanted: &str) -> Vec<&'a str> {
    let wanted = wanted.to_ascii_uppercase();
    let distances: Vec<(usize, &str)> = ids
        .iter()
        .map(|id| (strsim::levenshtein(&wanted, &id.to_ascii_uppercase()), *id))
        .collect();
    let nearest = distances
        .iter()
        .map(|(d, _)| *d)
        .min()
        .unwrap_or(usize::MAX);
    let mut close: Vec<&str> = if nearest <= 2 {
        distances
            .iter()
            .filter(|(d, _)| *d == nearest)
            .map(|(_, id)| *id)
            .collect()
    } else if wanted.len() >= 2 {
        ids.iter()
            .copied()
            .filter(|id| id.to_ascii_uppercase().starts_with(&wanted))
            .collect()
    } else {
        Vec::new()
    };
    close.sort_unstable();
    close.dedup();
    close.truncate(MAX_SUGGESTIONS);
    close
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_ids_a_typo_away() {
        let ids = ["MS001", "MS004", "MS014", "BI004", "SEC004"];
        assert_eq!(closest_ids(&ids, "ms04"), ["MS004", "MS014"]);
        assert_eq!(closest_ids(&ids, "MS0044"), ["MS004"]);
        assert_eq!(closest_ids(&ids, "BI04"), ["BI004"]);
        assert!(closest_ids(&ids, "NOPE").is_empty());
    }

    #[test]
    fn suggests_ids_that_start_with_what_was_typed() {
        let ids = [
            "SEC001", "SEC002", "SEC003", "SEC004", "SEC005", "SEC006", "BI001",
        ];
        assert_eq!(
            closest_ids(&ids, "sec"),
            ["SEC001", "SEC002", "SEC003", "SEC004", "SEC005"]
        );
    }

    #[test]
    fn another_tools_id_matches_with_or_without_the_tool() {
        assert!(names_equivalent("hadolint:DL3007", "dl3007"));
        assert!(names_equivalent("hadolint:DL3007", "HADOLINT:DL3007"));
        assert!(!names_equivalent("hadolint:DL3007", "DL300"));
    }

    #[test]
    fn cis_controls_come_from_the_tags() {
        let tags = [
            "cis-docker-1.6:4.3".to_string(),
            "security".to_string(),
            "cis-docker-1.6:4.10".to_string(),
        ];
        assert_eq!(cis_controls(&tags), [("1.6", "4.3"), ("1.6", "4.10")]);
    }

    /// A policy can put anything in its metadata: what reaches the terminal
    /// must not move the cursor, ring, recolour or reorder the text.
    #[test]
    fn control_characters_from_a_policy_are_escaped() {
        let rule = RuleInfo {
            id: "ORG\u{1b}[2J1".to_string(),
            title: "Clears\rthe screen\u{7}".to_string(),
            default_severity: crate::dockerfile::model::Severity::High,
            description: "## What it does\n\u{202E}txet desrever\u{202C}".to_string(),
            help: "Run \u{1b}]0;owned\u{7}\u{2066}this\u{2069}".to_string(),
            tags: vec!["security\u{1b}[5m".to_string()],
            equivalents: vec!["x:\u{9b}31m".to_string()],
        };
        let policy = PolicyRef {
            name: "org\u{1b}[31m",
            version: "1\u{8}",
            source: "/srv/\u{200F}policy.wasm".to_string(),
            builtin: false,
        };
        let mut out = Vec::new();
        write_rule(&policy, &rule, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let unsafe_chars: Vec<char> = text
            .chars()
            .filter(|&c| {
                (c.is_control() && c != '\n')
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
            })
            .collect();
        assert!(unsafe_chars.is_empty(), "{unsafe_chars:?} in {text}");
        assert_eq!(
            text,
            "# ORG\\u{1b}[2J1: Clears\\u{d}the screen\\u{7}\n\n\
             - Policy: org\\u{1b}[31m 1\\u{8} (/srv/\\u{200f}policy.wasm)\n\
             - Default severity: high\n\
             - Tags: security\\u{1b}[5m\n\
             - Equivalents: x:\\u{9b}31m\n\
             \n\
             ## What it does\n\
             \\u{202e}txet desrever\\u{202c}\n\
             \n\
             Run \\u{1b}]0;owned\\u{7}\\u{2066}this\\u{2069}\n"
        );
    }
}
