//! `docs/rules.md` is generated, never edited by hand: this test renders it
//! from its three sources and fails when the committed file differs.
//!
//! - the built-in policies' metadata (ids, titles, severities, tags,
//!   equivalents), as the binary embeds them;
//! - `docs/corpus-counts.json`: how often each rule fires on the shared
//!   corpus, made by `tallyman scan` over `../shared/corpus/dockerfiles`
//!   and committed, so that the check runs from a clone without the corpus;
//!   where the corpus is present the counts are re-made and compared too;
//! - the hadolint agreement tables of `policies/<crate>/AGREEMENT.md`, read
//!   from the table whose columns say "both", "only tallyman" and "only
//!   hadolint", so that the figures live in one place, next to the
//!   explanation of every disagreement.
//!
//! Regenerate both files with [`REGENERATE`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use tallyman::cli::rule::cis_controls;
use tallyman::dockerfile::model::RuleInfo;
use tallyman::engine::{CacheDir, Engine, Limits, Policy, default_builtins};
use tallyman::report::SeverityName;

/// The command that rewrites `docs/rules.md` (and, where the corpus is,
/// `docs/corpus-counts.json`).
const REGENERATE: &str = "TALLYMAN_UPDATE_DOCS=1 cargo test -p tallyman --test rules_doc";

/// The evaluation date of the corpus scan: end-of-life rules (BI005) depend
/// on it, so it is pinned for the counts to be reproducible.
const CORPUS_DATE: &str = "2026-11-27";

/// The corpus, relative to the workspace root.
const CORPUS: &str = "../shared/corpus/dockerfiles";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ has a parent")
        .to_path_buf()
}

fn updating() -> bool {
    std::env::var_os("TALLYMAN_UPDATE_DOCS").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn rules_doc_is_fresh() {
    let root = workspace();
    let counts_file = root.join("docs/corpus-counts.json");
    let doc_file = root.join("docs/rules.md");
    let policies = builtin_policies();
    let mut stale = Vec::new();

    let corpus = root.join(CORPUS);
    if corpus.is_dir() {
        let fresh = count_corpus(&corpus, &policies);
        let committed = std::fs::read_to_string(&counts_file).unwrap_or_default();
        let fresh_json = format!(
            "{}\n",
            serde_json::to_string_pretty(&fresh).expect("serialise the counts")
        );
        if committed != fresh_json {
            if updating() {
                std::fs::write(&counts_file, &fresh_json).expect("write docs/corpus-counts.json");
                eprintln!("rewrote {}", counts_file.display());
            } else {
                stale.push(format!(
                    "docs/corpus-counts.json is stale:\n{}",
                    first_differences(&committed, &fresh_json)
                ));
            }
        }
    } else {
        eprintln!(
            "skipped re-counting the corpus: {} is not there; checking docs/rules.md against the committed counts",
            corpus.display()
        );
    }

    let counts: CorpusCounts = serde_json::from_str(
        &std::fs::read_to_string(&counts_file)
            .unwrap_or_else(|e| panic!("read {}: {e}", counts_file.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", counts_file.display()));
    let agreements = read_agreements(&root, &policies);
    let rendered = render(&policies, &counts, &agreements);
    let committed = std::fs::read_to_string(&doc_file).unwrap_or_default();
    if committed != rendered {
        if updating() {
            std::fs::write(&doc_file, &rendered).expect("write docs/rules.md");
            eprintln!("rewrote {}", doc_file.display());
        } else {
            stale.push(format!(
                "docs/rules.md is stale:\n{}",
                first_differences(&committed, &rendered)
            ));
        }
    }

    assert!(
        stale.is_empty(),
        "{}\nregenerate with: {REGENERATE}",
        stale.join("\n")
    );
}

/// A built-in policy and the crate it was built from (`policies/<crate>`).
struct Builtin {
    policy: Policy,
    crate_name: &'static str,
}

fn builtin_policies() -> Vec<Builtin> {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rules-doc-cache");
    let engine = Engine::new(Limits::default(), CacheDir::Path(cache)).expect("engine");
    let loaded = engine.load_builtin().expect("the built-in policies load");
    // `load_builtin` loads `default_builtins` in order.
    loaded
        .into_iter()
        .zip(default_builtins())
        .map(|(policy, builtin)| Builtin {
            policy,
            crate_name: builtin.crate_name,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Corpus counts
// ---------------------------------------------------------------------------

/// `docs/corpus-counts.json`.
#[derive(Debug, Serialize, Deserialize)]
struct CorpusCounts {
    about: String,
    command: String,
    /// The report's summary: targets found, scanned, failed; policy errors.
    targets: u64,
    scanned: u64,
    failed: u64,
    policy_errors: u64,
    /// Policy name, then rule id; every rule the policies declare, zeros included.
    rules: BTreeMap<String, BTreeMap<String, RuleCount>>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct RuleCount {
    findings: u64,
    files: u64,
}

/// Every file is named on the command line: the corpus's flattened names
/// (`owner+repo__path__Dockerfile`) are not Dockerfile names to discovery,
/// so a scan of the directory would find only a few dozen of them.
fn corpus_command() -> String {
    format!("cd {CORPUS} && TALLYMAN_DATE={CORPUS_DATE} tallyman scan --no-ignore -f json -- *")
}

/// Runs the scan over the corpus and counts each rule's findings and files.
fn count_corpus(corpus: &Path, policies: &[Builtin]) -> CorpusCounts {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rules-doc-cache");
    let mut files: Vec<String> = std::fs::read_dir(corpus)
        .expect("list the corpus")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let output = Command::new(env!("CARGO_BIN_EXE_tallyman"))
        .args(["scan", "--no-ignore", "-f", "json", "--cache-dir"])
        .arg(&cache)
        .arg("--")
        .args(&files)
        .env("TALLYMAN_DATE", CORPUS_DATE)
        // The scan root is the corpus, which has no tallyman.yaml: the
        // defaults are counted, with paths relative to the corpus.
        .current_dir(corpus)
        .output()
        .expect("run tallyman scan");
    // 0 and 1 (findings at or above --fail-on) are both a finished scan;
    // so is 2 when its only errors are files BuildKit refuses (the corpus
    // keeps a few: a template, Go sources, a fragment), never a policy's.
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "tallyman scan over the corpus gave no JSON report ({}, {e}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let policy_errors: Vec<&serde_json::Value> = report["errors"]
        .as_array()
        .expect("the report's errors")
        .iter()
        .filter(|error| !error["policy"].is_null())
        .collect();
    assert!(
        matches!(output.status.code(), Some(0..=2)) && policy_errors.is_empty(),
        "tallyman scan over the corpus failed ({}): {policy_errors:#?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );

    let mut rules: BTreeMap<String, BTreeMap<String, RuleCount>> = BTreeMap::new();
    for builtin in policies {
        let per_rule = rules.entry(builtin.policy.name().to_string()).or_default();
        for rule in &builtin.policy.info().rules {
            per_rule.insert(rule.id.clone(), RuleCount::default());
        }
    }
    let mut files_of: BTreeMap<(String, String), std::collections::BTreeSet<String>> =
        BTreeMap::new();
    let findings = report["findings"].as_array().expect("findings");
    for finding in findings {
        let field = |key: &str| finding[key].as_str().unwrap_or_default().to_string();
        let (policy, rule, path) = (field("policy"), field("rule_id"), field("path"));
        let count = rules
            .get_mut(&policy)
            .and_then(|per_rule| per_rule.get_mut(&rule))
            .unwrap_or_else(|| panic!("a finding of undeclared rule {policy}/{rule}"));
        count.findings += 1;
        files_of.entry((policy, rule)).or_default().insert(path);
    }
    for ((policy, rule), paths) in files_of {
        if let Some(count) = rules.get_mut(&policy).and_then(|r| r.get_mut(&rule)) {
            count.files = paths.len() as u64;
        }
    }
    let summary = |key: &str| report["summary"][key].as_u64().expect("a summary count");
    CorpusCounts {
        about: "How often each built-in rule fires on the shared corpus of real Dockerfiles. \
                Made by host/tests/rules_doc.rs with `command` (with its own --cache-dir), read by it \
                to generate docs/rules.md; regenerate with the command in docs/rules.md."
            .to_string(),
        command: corpus_command(),
        targets: summary("targets"),
        scanned: summary("scanned"),
        failed: summary("failed"),
        policy_errors: report["errors"].as_array().map_or(0, |e| e.len() as u64),
        rules,
    }
}

// ---------------------------------------------------------------------------
// hadolint agreement, from AGREEMENT.md
// ---------------------------------------------------------------------------

/// Files where both tools fire, only tallyman, only hadolint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Agreement {
    both: u64,
    only_tallyman: u64,
    only_hadolint: u64,
}

/// Every policy's agreement rows by rule id, with the file they came from
/// (relative to the workspace). A policy without an AGREEMENT.md has none.
fn read_agreements(root: &Path, policies: &[Builtin]) -> BTreeMap<String, (String, Agreement)> {
    let mut all = BTreeMap::new();
    for builtin in policies {
        let relative = format!("policies/{}/AGREEMENT.md", builtin.crate_name);
        let Ok(text) = std::fs::read_to_string(root.join(&relative)) else {
            continue;
        };
        let rows = agreement_rows(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
        for (id, agreement) in rows {
            assert!(
                builtin.policy.rule(&id).is_some(),
                "{relative}: a row for `{id}`, which policy `{}` does not declare",
                builtin.policy.name()
            );
            assert!(
                all.insert(id.clone(), (relative.clone(), agreement))
                    .is_none(),
                "{relative}: `{id}` has two agreement rows"
            );
        }
    }
    all
}

/// The rows of the Markdown tables whose header has a "both" column, an
/// "only tallyman" and an "only hadolint" column; the first word of a row's
/// first cell is the rule id.
fn agreement_rows(markdown: &str) -> Result<Vec<(String, Agreement)>, String> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut rows = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let header = table_cells(lines[i]);
        let is_table = header.is_some()
            && lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with("|-") || next.contains("|---"));
        let column = |name: &str| {
            header
                .as_ref()
                .and_then(|cells| cells.iter().position(|c| c.to_lowercase().contains(name)))
        };
        let (Some(both), Some(only_t), Some(only_h)) = (
            column("both"),
            column("only tallyman"),
            column("only hadolint"),
        ) else {
            i += 1;
            continue;
        };
        if !is_table {
            i += 1;
            continue;
        }
        i += 2;
        while let Some(cells) = lines.get(i).and_then(|line| table_cells(line)) {
            let line_no = i + 1;
            let id = cells
                .first()
                .and_then(|c| c.split_whitespace().next())
                .filter(|id| is_rule_id(id))
                .ok_or_else(|| format!("line {line_no}: the first cell is not a rule id"))?;
            let number = |at: usize| -> Result<u64, String> {
                let cell = cells.get(at).map(String::as_str).unwrap_or_default();
                cell.replace(',', "")
                    .trim()
                    .parse()
                    .map_err(|_| format!("line {line_no}: `{cell}` is not a count"))
            };
            rows.push((
                id.to_string(),
                Agreement {
                    both: number(both)?,
                    only_tallyman: number(only_t)?,
                    only_hadolint: number(only_h)?,
                },
            ));
            i += 1;
        }
    }
    Ok(rows)
}

/// The cells of a Markdown table line (`| a | b \| c |`), or `None` for a
/// line that is not one.
fn table_cells(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?;
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = cells.last_mut()?;
                last.push(c);
                if let Some(next) = chars.next() {
                    last.push(next);
                }
            }
            '|' => cells.push(String::new()),
            _ => cells.last_mut()?.push(c),
        }
    }
    Some(cells.into_iter().map(|c| c.trim().to_string()).collect())
}

fn is_rule_id(id: &str) -> bool {
    let letters = id.chars().take_while(char::is_ascii_uppercase).count();
    letters > 0 && letters < id.len() && id.chars().skip(letters).all(|c| c.is_ascii_digit())
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

fn render(
    policies: &[Builtin],
    counts: &CorpusCounts,
    agreements: &BTreeMap<String, (String, Agreement)>,
) -> String {
    let rules: Vec<(&Builtin, &RuleInfo)> = policies
        .iter()
        .flat_map(|b| b.policy.info().rules.iter().map(move |r| (b, r)))
        .collect();
    let count_of = |b: &Builtin, r: &RuleInfo| {
        counts
            .rules
            .get(b.policy.name())
            .and_then(|per_rule| per_rule.get(&r.id))
            .copied()
    };
    let names: Vec<&str> = policies.iter().map(|b| b.policy.name()).collect();

    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Built-in rules");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "<!-- Generated by host/tests/rules_doc.rs; do not edit. Regenerate with:\n     {REGENERATE} -->"
    );
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "Every rule of the {} built-in policies ({}), {} rules. \
         `tallyman rule ID` prints a rule's documentation: what it does, why it matters, \
         an example and the fix.",
        policies.len(),
        names.join(", "),
        rules.len()
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "The columns:");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "- **Severity**: the rule's default; `severity` in `tallyman.yaml` overrides it."
    );
    let _ = writeln!(
        w,
        "- **Equivalents**: the same check in hadolint (`DL`), Trivy (`DS-`), Checkov (`CKV`) \
         and BuildKit's build checks."
    );
    let _ = writeln!(
        w,
        "- **CIS**: the CIS Docker Benchmark 1.6 controls (section 4) the rule supports."
    );
    let _ = writeln!(
        w,
        "- **Corpus**: findings / files: how many findings the rule reports on the shared corpus \
         of real Dockerfiles (`{CORPUS}`), and in how many files, with the default settings (a rule \
         that checks against a list given in the settings, such as trusted registries, stays \
         silent). {} of {} files scanned, {} failed, {} policy errors. Counted from `{}` (the date matters to the end-of-life rule) into \
         [`corpus-counts.json`](corpus-counts.json).",
        counts.scanned, counts.targets, counts.failed, counts.policy_errors, counts.command
    );
    let _ = writeln!(
        w,
        "- **hadolint**: for rules with a hadolint equivalent, the corpus files where both tools \
         fire / only tallyman / only hadolint, measured with hadolint 2.15.1 and read from the \
         policy's `AGREEMENT.md` (the link), which explains every kind of disagreement. The files \
         hadolint cannot parse are left out. *not measured*: the policy has no agreement figures \
         for the rule yet."
    );
    let _ = writeln!(w);

    let firing: Vec<&str> = rules
        .iter()
        .filter(|(b, r)| count_of(b, r).is_some_and(|c| c.findings > 0))
        .map(|(_, r)| r.id.as_str())
        .collect();
    let silent: Vec<&str> = rules
        .iter()
        .filter(|(b, r)| count_of(b, r).is_some_and(|c| c.findings == 0))
        .map(|(_, r)| r.id.as_str())
        .collect();
    let uncounted: Vec<&str> = rules
        .iter()
        .filter(|(b, r)| count_of(b, r).is_none())
        .map(|(_, r)| r.id.as_str())
        .collect();
    let _ = write!(
        w,
        "On the corpus, {} of the {} rules fire; {} never do",
        firing.len(),
        rules.len(),
        silent.len()
    );
    if silent.is_empty() {
        let _ = writeln!(w, ".");
    } else {
        let _ = writeln!(w, ": {}.", silent.join(", "));
    }
    if !uncounted.is_empty() {
        let _ = writeln!(
            w,
            "Not counted yet (newer than `corpus-counts.json`): {}.",
            uncounted.join(", ")
        );
    }
    let _ = writeln!(w);

    let _ = writeln!(
        w,
        "| Rule | Policy | Title | Severity | Equivalents | CIS | Corpus | hadolint |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---:|---|");
    for (builtin, rule) in &rules {
        let corpus = match count_of(builtin, rule) {
            Some(c) => format!("{} / {}", c.findings, c.files),
            None => "*not counted*".to_string(),
        };
        let has_hadolint = rule.equivalents.iter().any(|e| e.starts_with("hadolint:"));
        let hadolint = match agreements.get(&rule.id) {
            Some((file, a)) => format!(
                "[{} / {} / {}](../{file})",
                a.both, a.only_tallyman, a.only_hadolint
            ),
            None if has_hadolint => "*not measured*".to_string(),
            None => "—".to_string(),
        };
        let _ = writeln!(
            w,
            // The anchor is what `tallyman lsp` links each diagnostic to.
            "| <a id=\"{}\"></a>{} | {} | {} | {} | {} | {} | {} | {} |",
            rule.id.to_ascii_lowercase(),
            rule.id,
            builtin.policy.name(),
            escape_cell(&rule.title),
            SeverityName::from(rule.default_severity).as_str(),
            equivalents_cell(&rule.equivalents),
            cis_cell(&rule.tags),
            corpus,
            hadolint
        );
    }
    out
}

/// `hadolint:DL3022`, `hadolint:DL3023`, `trivy:DS-0006` as
/// `hadolint DL3022, DL3023; trivy DS-0006`: grouped by tool, in order.
fn equivalents_cell(equivalents: &[String]) -> String {
    let mut tools: Vec<(&str, Vec<&str>)> = Vec::new();
    for equivalent in equivalents {
        let (tool, check) = equivalent
            .split_once(':')
            .unwrap_or(("", equivalent.as_str()));
        match tools.iter_mut().find(|(t, _)| *t == tool) {
            Some((_, checks)) => checks.push(check),
            None => tools.push((tool, vec![check])),
        }
    }
    if tools.is_empty() {
        return "—".to_string();
    }
    let groups: Vec<String> = tools
        .iter()
        .map(|(tool, checks)| format!("{tool} {}", checks.join(", ")).trim().to_string())
        .collect();
    escape_cell(&groups.join("; "))
}

/// The CIS controls: `4.1` for benchmark 1.6 (the one the table is about),
/// `1.7:4.1` for another.
fn cis_cell(tags: &[String]) -> String {
    let controls: Vec<String> = cis_controls(tags)
        .into_iter()
        .map(|(version, control)| {
            if version == "1.6" {
                control.to_string()
            } else {
                format!("{version}:{control}")
            }
        })
        .collect();
    if controls.is_empty() {
        "—".to_string()
    } else {
        controls.join(", ")
    }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The first lines where `committed` and `fresh` differ, for the failure
/// message (a stale file is usually off by a few lines).
fn first_differences(committed: &str, fresh: &str) -> String {
    let old: Vec<&str> = committed.lines().collect();
    let new: Vec<&str> = fresh.lines().collect();
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..old.len().max(new.len()) {
        let (a, b) = (old.get(i), new.get(i));
        if a != b {
            let _ = writeln!(out, "  line {}:", i + 1);
            let _ = writeln!(out, "  - {}", a.copied().unwrap_or("(none)"));
            let _ = writeln!(out, "  + {}", b.copied().unwrap_or("(none)"));
            shown += 1;
            if shown == 8 {
                let _ = writeln!(out, "  ...");
                break;
            }
        }
    }
    out
}

#[test]
fn agreement_tables_are_read_by_their_headers() {
    let markdown = "\
Some text.

| rule | hadolint | files both fire | only tallyman | only hadolint |
|---|---|---|---|---|
| SEC001 the name | DL3064 | 1,200 | 2 | 4 |
| MS007 | DL3067 | 4 | 12 | 8 |

| fixture | tallyman | hadolint \\| x | who is right |
|---|---|---|---|
| MS004 `bad` | fires | fires | both |
";
    let rows = agreement_rows(markdown).expect("rows");
    assert_eq!(
        rows,
        [
            (
                "SEC001".to_string(),
                Agreement {
                    both: 1200,
                    only_tallyman: 2,
                    only_hadolint: 4
                }
            ),
            (
                "MS007".to_string(),
                Agreement {
                    both: 4,
                    only_tallyman: 12,
                    only_hadolint: 8
                }
            ),
        ]
    );
    let broken = "| rule | both | only tallyman | only hadolint |\n|---|---|---|---|\n| HD001 | 5 | many | 1 |\n";
    assert_eq!(
        agreement_rows(broken),
        Err("line 3: `many` is not a count".to_string())
    );
}

#[test]
fn equivalents_are_grouped_by_tool() {
    let equivalents: Vec<String> = ["hadolint:DL3022", "hadolint:DL3023", "trivy:DS-0006"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        equivalents_cell(&equivalents),
        "hadolint DL3022, DL3023; trivy DS-0006"
    );
    assert_eq!(equivalents_cell(&[]), "—");
}
