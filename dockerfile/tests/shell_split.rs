//! Splitting real RUN scripts into simple commands.
//!
//! - `runs.txt`: ~150 RUNs from the corpus, each with facts the split must
//!   show (every failing fact of every case is reported, with the split);
//! - a snapshot of the full split of 30 of them;
//! - when `../shared/corpus` is next to the repository: every shell-form RUN
//!   of the corpus, and every `--mount` flag;
//! - robustness: random bytes, truncated and mangled scripts, deep nesting.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tallyman_dockerfile::mount::parse_mount;
use tallyman_dockerfile::shell::{ShellSplit, SimpleCommand, split_commands};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shell")
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

struct Case {
    id: String,
    source: String,
    facts: Vec<String>,
    script: String,
}

fn load_cases() -> Vec<Case> {
    let text = std::fs::read_to_string(data_dir().join("runs.txt")).expect("runs.txt is vendored");
    let mut cases = Vec::new();
    for block in text.split("\n=== ").skip(1) {
        let (head, rest) = block
            .split_once("\n--- script\n")
            .expect("a script section");
        let script = rest.split_once("\n--- end\n").map_or(rest, |(s, _)| s);
        let mut lines = head.lines();
        let id = lines.next().unwrap_or_default().trim().to_owned();
        let mut source = String::new();
        let mut facts = Vec::new();
        for line in lines {
            if let Some(s) = line.strip_prefix("source: ") {
                source = s.to_owned();
            } else if let Some(fact) = line.strip_prefix("expect: ") {
                facts.push(fact.to_owned());
            }
        }
        cases.push(Case {
            id,
            source,
            facts,
            script: script.to_owned(),
        });
    }
    cases
}

fn runs_of<'a>(split: &'a ShellSplit, name: &'a str) -> impl Iterator<Item = &'a SimpleCommand> {
    split.commands.iter().filter(move |c| c.program() == name)
}

/// Checks one fact; `Err` says what was found instead.
fn check_fact(fact: &str, split: &ShellSplit) -> Result<(), String> {
    let words: Vec<&str> = fact.split_whitespace().collect();
    let runs = |name| runs_of(split, name);
    let has_arg = |c: &SimpleCommand, arg: &str| c.args.iter().any(|a| a == arg);
    let yes = |ok: bool, why: &str| if ok { Ok(()) } else { Err(why.to_owned()) };
    match words.as_slice() {
        ["ok"] => match &split.error {
            None => Ok(()),
            Some(e) => Err(format!("refused: {e}")),
        },
        ["error"] => yes(split.error.is_some(), "parsed, but bash -n refuses it"),
        ["first", name] => {
            let first = split.commands.first().map(SimpleCommand::program);
            yes(first == Some(*name), &format!("first is {first:?}"))
        }
        ["command", name] => yes(runs(name).next().is_some(), "no such command"),
        ["no-command", name] => yes(runs(name).next().is_none(), "it is there"),
        ["count", name, n] => {
            let found = runs(name).count();
            yes(found.to_string() == *n, &format!("found {found}"))
        }
        ["all", name, sub, "has", flag] => {
            let with_sub: Vec<_> = runs(name).filter(|c| has_arg(c, sub)).collect();
            yes(
                !with_sub.is_empty() && with_sub.iter().all(|c| has_arg(c, flag)),
                &format!(
                    "{} commands with {sub}, not all with {flag}",
                    with_sub.len()
                ),
            )
        }
        ["some", name, sub, "lacks", flag] => yes(
            runs(name).any(|c| has_arg(c, sub) && !has_arg(c, flag)),
            "every one has it",
        ),
        ["args", name, wanted @ ..] => yes(
            runs(name).any(|c| wanted.iter().all(|w| c.args.iter().any(|a| a.contains(w)))),
            "no command with all those arguments",
        ),
        ["pipe", from, to] => yes(
            split.commands.iter().any(|a| {
                a.program() == *from
                    && split.commands.iter().any(|b| {
                        b.program() == *to
                            && b.pipeline == a.pipeline
                            && b.pipe_position == a.pipe_position + 1
                    })
            }),
            "no such pipe",
        ),
        ["assign", assignment, name] => {
            let (var, value) = assignment.split_once('=').unwrap_or((assignment, ""));
            yes(
                runs(name).any(|c| c.assignments.iter().any(|(k, v)| k == var && v == value)),
                "no command with that assignment",
            )
        }
        ["substitution", name] => yes(
            runs(name).any(|c| c.in_substitution),
            "not found inside a substitution",
        ),
        ["nested", name] => yes(
            runs(name).any(|c| c.shell_depth > 0),
            "not found inside a nested shell",
        ),
        _ => Err(format!("unknown fact {fact:?}")),
    }
}

fn describe(split: &ShellSplit) -> String {
    let mut out = String::new();
    if let Some(error) = &split.error {
        let _ = writeln!(out, "    error: {error}");
    }
    for c in &split.commands {
        let _ = writeln!(
            out,
            "    [{}.{}{}{}] {:?} {:?}{}",
            c.pipeline,
            c.pipe_position,
            if c.in_substitution { " subst" } else { "" },
            if c.shell_depth > 0 { " nested" } else { "" },
            c.name,
            c.args,
            if c.assignments.is_empty() {
                String::new()
            } else {
                format!(" with {:?}", c.assignments)
            }
        );
    }
    out
}

#[test]
fn real_runs_show_their_facts() {
    let cases = load_cases();
    assert!(cases.len() >= 140, "runs.txt has {} cases", cases.len());
    let mut failures = String::new();
    let mut checked = 0;
    for case in &cases {
        assert!(!case.facts.is_empty(), "{} states no fact", case.id);
        let split = split_commands(&case.script);
        let failed: Vec<String> = case
            .facts
            .iter()
            .filter_map(|fact| {
                check_fact(fact, &split)
                    .err()
                    .map(|why| format!("  {fact}: {why}"))
            })
            .collect();
        checked += case.facts.len();
        if !failed.is_empty() {
            let _ = writeln!(
                failures,
                "{} ({}):\n{}\n  split:\n{}",
                case.id,
                case.source,
                failed.join("\n"),
                describe(&split)
            );
        }
    }
    assert!(failures.is_empty(), "failing facts:\n{failures}");
    println!("{} cases, {checked} facts hold", cases.len());
}

/// What the snapshot records of a command: everything but the source text,
/// which is in runs.txt already.
#[derive(Serialize)]
struct Shown<'a> {
    name: &'a str,
    args: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    assignments: &'a [(String, String)],
    at: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    marks: Vec<&'static str>,
}

#[test]
fn snapshot_of_thirty_splits() {
    let cases = load_cases();
    let mut shown: BTreeMap<&str, Vec<Shown>> = BTreeMap::new();
    let splits: Vec<(&Case, ShellSplit)> = cases
        .iter()
        .step_by(5)
        .take(30)
        .map(|case| (case, split_commands(&case.script)))
        .collect();
    assert_eq!(splits.len(), 30);
    for (case, split) in &splits {
        let commands = split
            .commands
            .iter()
            .map(|c| Shown {
                name: &c.name,
                args: &c.args,
                assignments: &c.assignments,
                at: format!("{}.{} {:?}", c.pipeline, c.pipe_position, c.connector),
                marks: [
                    (c.in_substitution, "substitution"),
                    (c.shell_depth > 0, "nested-shell"),
                    (c.negated, "negated"),
                    (c.in_condition, "condition"),
                ]
                .into_iter()
                .filter_map(|(on, mark)| on.then_some(mark))
                .collect(),
            })
            .collect();
        shown.insert(&case.id, commands);
    }
    insta::with_settings!({ snapshot_path => "data/shell/snapshots" }, {
        insta::assert_yaml_snapshot!("thirty_splits", shown);
    });
}

#[test]
fn text_is_the_command_as_written() {
    let script = "set -eux; A=1 curl -fsSL \"$URL\" | tar -xz -C /opt && echo \"$(id -u)\"";
    let split = split_commands(script);
    let texts: Vec<&str> = split.commands.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "set -eux",
            "A=1 curl -fsSL \"$URL\"",
            "tar -xz -C /opt",
            "echo \"$(id -u)\"",
            "id -u"
        ]
    );
    for c in &split.commands {
        assert!(
            script.contains(&c.text),
            "{:?} is not a slice of the script",
            c.text
        );
    }
}

#[test]
fn refused_scripts_are_kept_whole_and_flagged() {
    let script = "$ErrorActionPreference = 'Stop'; Invoke-WebRequest -OutFile x.zip $url; Expand-Archive x.zip -DestinationPath C:\\ ; if (Test-Path x) { exit 1 }";
    let split = split_commands(script);
    assert!(split.error.is_some());
    let whole = split.commands.first().expect("the whole script");
    assert_eq!(whole.text, script);
    assert_eq!(whole.name, "$ErrorActionPreference");
    assert!(split.commands.iter().any(|c| c.name == "Invoke-WebRequest"));

    for broken in [
        "echo 'unterminated",
        "if true; then echo",
        "a && && b",
        "(echo",
    ] {
        let split = split_commands(broken);
        assert!(split.error.is_some(), "{broken:?} parsed");
        let first = split.commands.first().expect("the whole script");
        assert_eq!(first.text, broken);
    }
    let empty = split_commands("  \n# only a comment\n");
    assert_eq!((empty.commands.len(), empty.error), (0, None));
}

#[test]
fn nested_shells_are_split_once() {
    let split = split_commands(
        "bash -o pipefail -c 'apt-get update && apt-get install -y curl' && sh -c \"$(curl -fsSL https://x/install.sh)\"",
    );
    let seen: Vec<(&str, u32, bool)> = split
        .commands
        .iter()
        .map(|c| (c.name.as_str(), c.shell_depth, c.in_substitution))
        .collect();
    // The second nested shell runs what curl printed: it is named as
    // written, and curl is not listed a second time.
    assert_eq!(
        seen,
        [
            ("bash", 0, false),
            ("apt-get", 1, false),
            ("apt-get", 1, false),
            ("sh", 0, false),
            ("curl", 0, true),
            ("$(curl -fsSL https://x/install.sh)", 1, false),
        ]
    );
    let last = split.commands.last().expect("the nested command");
    assert_eq!(last.name, "$(curl -fsSL https://x/install.sh)");

    let heredoc = split_commands("bash -ex <<'EOF'\napt-get update\nmake -j4 install\nEOF\n");
    let inner: Vec<&str> = heredoc
        .commands
        .iter()
        .filter(|c| c.shell_depth == 1)
        .map(SimpleCommand::program)
        .collect();
    assert_eq!(inner, ["apt-get", "make"]);
    let data = split_commands("cat <<EOF > /etc/apt/sources.list\ndeb http://x stable main\nEOF\n");
    assert_eq!(data.commands.len(), 1, "a heredoc for cat is data");
}

#[test]
fn pipelines_lists_and_conditions() {
    let split = split_commands(
        "curl -fsSL x | gpg --dearmor > k.gpg; ! grep -q y f || true; if [ -f z ]; then rm z; fi",
    );
    let seen: Vec<(&str, u32, u32, bool, bool, String)> = split
        .commands
        .iter()
        .map(|c| {
            (
                c.program(),
                c.pipeline,
                c.pipe_position,
                c.negated,
                c.in_condition,
                format!("{:?}", c.connector),
            )
        })
        .collect();
    let expected = [
        ("curl", 0, 0, false, false, "Start"),
        ("gpg", 0, 1, false, false, "Start"),
        ("grep", 1, 0, true, false, "Sequence"),
        ("true", 2, 0, false, false, "Or"),
        ("[", 3, 0, false, true, "Sequence"),
        ("rm", 4, 0, false, false, "Sequence"),
    ]
    .map(|(n, p, q, neg, cond, conn)| (n, p, q, neg, cond, conn.to_owned()));
    assert_eq!(seen, expected);
}

/// Shell-form RUN scripts of the corpus with the file they come from, and
/// the file's base images and SHELL instructions.
struct CorpusRun {
    file: String,
    line: u64,
    script: String,
    windows: bool,
    mounts: Vec<String>,
}

fn corpus_runs() -> Option<Vec<CorpusRun>> {
    let dump = std::fs::read_to_string(corpus_dir().join("buildkit-dump.jsonl")).ok()?;
    let mut runs = Vec::new();
    for line in dump.lines() {
        let file: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let path = file["path"].as_str().unwrap_or_default().to_owned();
        let instructions = file["instructions"].as_array().cloned().unwrap_or_default();
        // RUN scripts of Windows images are PowerShell or cmd, not sh.
        let windows = instructions.iter().any(|i| {
            let text = i["original"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            (i["cmd"] == "FROM"
                && ["windows", "nanoserver", "servercore"]
                    .iter()
                    .any(|w| text.contains(w)))
                || (i["cmd"] == "SHELL" && (text.contains("powershell") || text.contains("cmd")))
        });
        for i in &instructions {
            if i["cmd"] != "RUN" || i["json"] != false {
                continue;
            }
            let value = i["value"][0].as_str().unwrap_or_default();
            let heredocs = i["heredocs"].as_array().cloned().unwrap_or_default();
            let script = match heredocs.as_slice() {
                [] => value.to_owned(),
                [only] if value.trim_start().starts_with("<<") && !value.trim().contains(' ') => {
                    only["content"].as_str().unwrap_or_default().to_owned()
                }
                many => {
                    let mut s = format!("{value}\n");
                    for h in many {
                        s.push_str(h["content"].as_str().unwrap_or_default());
                        s.push_str(h["name"].as_str().unwrap_or_default());
                        s.push('\n');
                    }
                    s
                }
            };
            let mounts = i["flags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str()?.strip_prefix("--mount=").map(str::to_owned))
                .collect();
            runs.push(CorpusRun {
                file: path.clone(),
                line: i["start_line"].as_u64().unwrap_or(0),
                script,
                windows,
                mounts,
            });
        }
    }
    Some(runs)
}

#[test]
fn every_corpus_run_splits() {
    let Some(runs) = corpus_runs() else {
        println!("skipped: {} not found", corpus_dir().display());
        return;
    };
    let mut refused = Vec::new();
    let mut commands = 0;
    for run in &runs {
        let split = split_commands(&run.script);
        assert!(
            !split.commands.is_empty()
                || run.script.trim().is_empty()
                || run.script.trim_start().starts_with('#'),
            "{}:{} lists no command",
            run.file,
            run.line
        );
        commands += split.commands.len();
        if let Some(error) = &split.error {
            refused.push((run, error.clone()));
        }
    }
    println!(
        "{} shell-form RUNs, {commands} commands, {} refused:",
        runs.len(),
        refused.len()
    );
    for (run, error) in &refused {
        println!(
            "  {}:{} ({}) {error}",
            run.file,
            run.line,
            if run.windows {
                "Windows image"
            } else {
                "Linux image"
            }
        );
    }
    // Only scripts that are not sh at all may be refused: PowerShell and cmd
    // on Windows images, and a Go template (`{{ if ... }}`) that bash -n
    // refuses too.
    let unexpected: Vec<String> = refused
        .iter()
        .filter(|(run, _)| !run.windows && !run.script.contains("{{"))
        .map(|(run, error)| format!("{}:{}: {error}", run.file, run.line))
        .collect();
    assert!(
        unexpected.is_empty(),
        "refused sh scripts:\n{}",
        unexpected.join("\n")
    );
    assert!(
        refused.len() <= 114,
        "{} refused; bash -n refuses 114",
        refused.len()
    );
}

#[test]
fn every_corpus_mount_parses() {
    let Some(runs) = corpus_runs() else {
        println!("skipped: {} not found", corpus_dir().display());
        return;
    };
    let mut count = 0;
    let mut failures = Vec::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for run in &runs {
        for value in &run.mounts {
            count += 1;
            match parse_mount(value) {
                Ok(mount) => *kinds.entry(mount.kind).or_default() += 1,
                Err(e) => failures.push(format!("{}:{} {value}: {e}", run.file, run.line)),
            }
        }
    }
    println!("{count} --mount flags: {kinds:?}");
    assert!(
        failures.is_empty(),
        "BuildKit accepted these:\n{}",
        failures.join("\n")
    );
}

/// A small deterministic generator, so that failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

#[test]
fn random_and_mangled_scripts_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    const SHELLISH: &[u8] = b"()`'\"{}$|;&<>\\\n#=!*[] abc-";
    for _ in 0..3_000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if rng.below(2) == 0 {
                    SHELLISH[rng.below(SHELLISH.len())]
                } else {
                    u8::try_from(rng.below(256)).unwrap_or(0)
                }
            })
            .collect();
        let _ = split_commands(&String::from_utf8_lossy(&bytes));
    }
    for case in load_cases() {
        let script = case.script.as_bytes();
        for _ in 0..12 {
            let mut bytes = script.to_vec();
            match rng.below(3) {
                0 => bytes.truncate(rng.below(bytes.len() + 1)),
                1 => {
                    for _ in 0..4 {
                        if !bytes.is_empty() {
                            let at = rng.below(bytes.len());
                            if let Some(b) = bytes.get_mut(at) {
                                *b = SHELLISH[rng.below(SHELLISH.len())];
                            }
                        }
                    }
                }
                _ => {
                    let at = rng.below(bytes.len() + 1);
                    bytes.insert(at, SHELLISH[rng.below(SHELLISH.len())]);
                }
            }
            let mangled = String::from_utf8_lossy(&bytes);
            let split = split_commands(&mangled);
            if split.error.is_some() {
                assert_eq!(
                    split.commands.first().map(|c| c.text.as_str()),
                    Some(mangled.trim()),
                    "{}: a refused script is kept whole",
                    case.id
                );
            }
        }
    }
}

#[test]
fn deep_nesting_never_overflows_a_small_stack() {
    let depths = [10, 100, 1_000, 20_000];
    let shapes: &[(&str, &str, &str)] = &[
        ("( ", "true", " )"),
        ("((", "1", "))"),
        ("$(echo ", "x", ")"),
        ("\"$(echo ", "x", ")\""),
        ("{ ", "true;", " }"),
        ("if true; then ", "true", "; fi"),
        ("case a in a) ", "true", ";; esac"),
        ("${a:-", "x", "}"),
        ("`echo ", "x", "`"),
        ("sh -c \"", "true", "\""),
        ("a && ", "b", ""),
        ("a; ", "b", ""),
        ("x=$((", "1", "))"),
    ];
    // A thread with 1 MiB: what a caller can be expected to have to spare.
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            for depth in depths {
                for (open, middle, close) in shapes {
                    let script = format!("{}{middle}{}", open.repeat(depth), close.repeat(depth));
                    let split = split_commands(&script);
                    // `((1))` is arithmetic: no command, and no error either.
                    assert!(
                        !split.commands.is_empty()
                            || split.error.is_some()
                            || open.starts_with("(("),
                        "{open}…{close} × {depth}"
                    );
                }
            }
        })
        .expect("a thread");
    handle.join().expect("no panic");
}
