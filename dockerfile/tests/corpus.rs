//! Agreement with BuildKit's own parse of real Dockerfiles, and robustness.
//!
//! The expected parses come from the PyPI `dockerfile` package (BuildKit
//! v0.12.5's parser). We compare `commands(ast)` on `cmd`, `sub_cmd`, `json`,
//! `start_line`, `end_line`, `flags`, `value` and `heredocs`, and refusals;
//! and `original` too (the text BuildKit keeps, heredoc lines included).
//!
//! - `corpus_sample_agrees`: the sample vendored under
//!   `tests/data/corpus-sample` (always runs);
//! - `full_corpus_agrees`: the 1,593 files of `../shared/corpus` (next to
//!   the repository), when present;
//! - `parse_never_panics`: every file cut at many offsets and with bytes
//!   flipped parses or is refused, never panics.
//!
//! A disagreement is allowed only where v0.12.5 is older than the behaviour we
//! follow (BuildKit's current parser, checked by the conformance suite), and
//! only for the files in [`ALLOWED`], each with its reason. Any other
//! disagreement fails, and so does an allowed file that has come to agree.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde_json::Value;
use tallyman_dockerfile::{
    LowerOptions, ParseErrorKind, ParseOptions, commands, parse_and_lower, parse_syntax,
};

/// Files whose BuildKit v0.12.5 parse we knowingly differ from, and why.
const ALLOWED: &[(&str, &str)] = &[];

/// The corpus files BuildKit's line parser accepts and its instruction parser
/// refuses, each checked against BuildKit's source (see `src/validate`).
const INSTRUCTION_REFUSALS: &[(&str, ParseErrorKind, usize)] = &[
    // A fragment meant to be appended to another Dockerfile: `COPY` on line 2, no `FROM`.
    (
        "circleci+circleci-images__shared__goss__goss-add.Dockerfile",
        ParseErrorKind::InstructionBeforeFrom,
        2,
    ),
    // A template (`{{ ... }}`) that generates the Dockerfile.
    (
        "docker-library+mysql__Dockerfile.oracle",
        ParseErrorKind::UnknownInstruction,
        1,
    ),
    // Go source files whose names end in `dockerfile.go`.
    (
        "moby+buildkit__frontend__dockerfile__dockerfile.go",
        ParseErrorKind::UnknownInstruction,
        1,
    ),
    (
        "moby+buildkit__frontend__dockerfile__version__dockerfile.go",
        ParseErrorKind::UnknownInstruction,
        1,
    ),
];

/// The required share of agreeing files in the full corpus.
const MIN_AGREEMENT: f64 = 0.995;

const FIELDS: [&str; 9] = [
    "cmd",
    "sub_cmd",
    "json",
    "start_line",
    "end_line",
    "flags",
    "value",
    "heredocs",
    "original",
];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample_dir() -> PathBuf {
    manifest_dir().join("tests/data/corpus-sample")
}

fn shared_corpus() -> Option<PathBuf> {
    let dir = manifest_dir().join("../../shared/corpus");
    dir.join("buildkit-dump.jsonl").is_file().then_some(dir)
}

/// Expected parses by file name.
fn expectations(jsonl: &Path) -> BTreeMap<String, Value> {
    let text =
        std::fs::read_to_string(jsonl).unwrap_or_else(|err| panic!("{}: {err}", jsonl.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let value: Value =
                serde_json::from_str(line).unwrap_or_else(|err| panic!("{line}: {err}"));
            let path = value["path"]
                .as_str()
                .unwrap_or_else(|| panic!("no path: {line}"))
                .to_owned();
            (path, value)
        })
        .collect()
}

/// Why our parse of `source` differs from `expected`, if it does. The
/// expectations are BuildKit's line parser alone, so ours is `parse_syntax`;
/// what its instruction parser refuses on top is [`INSTRUCTION_REFUSALS`].
fn disagreement(source: &[u8], expected: &Value) -> Option<String> {
    let ours = parse_syntax(source, &ParseOptions::default());
    match (ours, expected.get("error")) {
        (Err(_), Some(_)) => None,
        (Err(err), None) => Some(format!("we refuse it ({err}); BuildKit parses it")),
        (Ok(_), Some(error)) => Some(format!("we parse it; BuildKit refuses it: {error}")),
        (Ok(ast), None) => {
            let ours = serde_json::to_value(commands(&ast)).unwrap_or_default();
            let ours = ours.as_array().cloned().unwrap_or_default();
            let theirs = expected["instructions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for (index, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                for field in FIELDS {
                    if a[field] != b[field] {
                        return Some(format!(
                            "instruction {} (line {}): {field}: BuildKit {} / ours {}",
                            index + 1,
                            b["start_line"],
                            b[field],
                            a[field]
                        ));
                    }
                }
            }
            (ours.len() != theirs.len())
                .then(|| format!("{} instructions; BuildKit has {}", ours.len(), theirs.len()))
        }
    }
}

/// Compares every expectation with the file of that name in the first of
/// `files_dirs` that has it, checking the allow-list; returns (agreeing
/// files, total files).
fn check_agreement(files_dirs: &[PathBuf], expected: &BTreeMap<String, Value>) -> (usize, usize) {
    let allowed: BTreeMap<&str, &str> = ALLOWED.iter().copied().collect();
    let mut agreeing = 0;
    let mut failures = Vec::new();
    let mut allowed_seen = Vec::new();
    for (name, expectation) in expected {
        let path = files_dirs
            .iter()
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
            .unwrap_or_else(|| {
                files_dirs
                    .first()
                    .map_or_else(PathBuf::new, |d| d.join(name))
            });
        let source = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        match (
            disagreement(&source, expectation),
            allowed.get(name.as_str()),
        ) {
            (None, None) => agreeing += 1,
            (None, Some(_)) => {
                agreeing += 1;
                failures.push(format!(
                    "{name}: allowed to disagree but agrees: remove it from ALLOWED"
                ));
            }
            (Some(reason), Some(why)) => {
                allowed_seen.push(format!("{name}: {reason}\n    allowed: {why}"))
            }
            (Some(reason), None) => failures.push(format!("{name}: {reason}")),
        }
    }
    for line in &allowed_seen {
        println!("allowed disagreement: {line}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} files disagree with BuildKit:\n{}",
        failures.len(),
        expected.len(),
        failures.join("\n")
    );
    (agreeing, expected.len())
}

#[test]
fn corpus_sample_agrees() {
    let dir = sample_dir();
    let expected = expectations(&dir.join("buildkit-dump.jsonl"));
    assert!(
        expected.len() >= 50,
        "the sample has {} files",
        expected.len()
    );
    let (agreeing, total) = check_agreement(&[dir.join("files"), dir.join("refused")], &expected);
    println!("corpus sample: {agreeing} of {total} files agree with BuildKit v0.12.5");
}

/// The sample's `refused/` holds exactly the files that BuildKit's line
/// parser accepts and its instruction checks refuse; `files/` only files
/// tallyman reads (the host's tests build scan trees from it).
#[test]
fn corpus_sample_refused_files_are_kept_apart() {
    let dir = sample_dir();
    let read = |path: &[u8]| {
        parse_and_lower(path, &ParseOptions::default(), &LowerOptions::default())
            .map(drop)
            .map_err(|err| err.to_string())
    };
    for (name, source) in read_dir_files(&dir.join("files")) {
        assert_eq!(read(&source), Ok(()), "{name}");
    }
    let refused = read_dir_files(&dir.join("refused"));
    assert_eq!(refused.len(), 4);
    for (name, source) in refused {
        assert!(
            parse_syntax(&source, &ParseOptions::default()).is_ok(),
            "{name}: the line parser refuses it"
        );
        assert!(read(&source).is_err(), "{name}: accepted");
        assert!(
            INSTRUCTION_REFUSALS
                .iter()
                .any(|(known, _, _)| *known == name),
            "{name}: not one of INSTRUCTION_REFUSALS"
        );
    }
}

#[test]
fn full_corpus_agrees() {
    let Some(dir) = shared_corpus() else {
        println!("full corpus check skipped: ../shared/corpus is not present");
        return;
    };
    let expected = expectations(&dir.join("buildkit-dump.jsonl"));
    let (agreeing, total) = check_agreement(&[dir.join("dockerfiles")], &expected);
    let share = agreeing as f64 / total as f64;
    println!(
        "full corpus: {agreeing} of {total} files agree with BuildKit v0.12.5 ({:.2}%)",
        share * 100.0
    );
    assert!(
        share >= MIN_AGREEMENT,
        "agreement {share:.4} is below {MIN_AGREEMENT}"
    );
}

/// Of the files BuildKit's line parser accepts, `parse_and_lower` (the
/// instruction checks, and the stage order for the default target) refuses
/// exactly [`INSTRUCTION_REFUSALS`], for the reason and on the line listed.
#[test]
fn full_corpus_instruction_refusals_are_the_known_ones() {
    let Some(dir) = shared_corpus() else {
        println!("full corpus check skipped: ../shared/corpus is not present");
        return;
    };
    let files = read_dir_files(&dir.join("dockerfiles"));
    let mut refused = Vec::new();
    for (name, source) in &files {
        if parse_syntax(source, &ParseOptions::default()).is_err() {
            continue;
        }
        let lowered = parse_and_lower(source, &ParseOptions::default(), &LowerOptions::default());
        if let Err(err) = lowered {
            println!("{name}: {err}");
            refused.push((name.clone(), err.kind, err.line.unwrap_or(0)));
        }
    }
    let expected: Vec<(String, ParseErrorKind, usize)> = INSTRUCTION_REFUSALS
        .iter()
        .map(|(name, kind, line)| ((*name).to_owned(), *kind, *line))
        .collect();
    assert_eq!(refused, expected);
}

/// A tiny deterministic generator (xorshift64*), enough to pick offsets and bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Variants of one file: prefixes cut at many offsets, and copies with a few
/// bytes replaced by random ones or by bytes that matter to the parser.
fn mutations(source: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    const INTERESTING: &[u8] = b"\\`\n\r\t #[]\"'<-=${}:\x00\xff\xa0\x85";
    let mut variants = Vec::new();
    let cuts = 12.min(source.len());
    for i in 0..cuts {
        let at = if i == 0 {
            source.len() / 2
        } else {
            rng.below(source.len() + 1)
        };
        variants.push(source.get(..at).unwrap_or(source).to_vec());
    }
    for _ in 0..12 {
        let mut copy = source.to_vec();
        for _ in 0..=rng.below(4) {
            let at = rng.below(copy.len());
            let byte = if rng.below(2) == 0 {
                rng.next() as u8
            } else {
                INTERESTING[rng.below(INTERESTING.len())]
            };
            if let Some(slot) = copy.get_mut(at) {
                *slot = byte;
            }
        }
        variants.push(copy);
    }
    variants
}

fn check_never_panics(files: &[(String, Vec<u8>)]) -> usize {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut failures = Vec::new();
    let mut inputs = 0;
    for (name, source) in files {
        for (index, variant) in mutations(source, &mut rng).into_iter().enumerate() {
            inputs += 1;
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                if let Ok(ast) = parse_syntax(&variant, &ParseOptions::default()) {
                    let _ = commands(&ast);
                    let _ = tallyman_dockerfile::dump(&ast);
                    let _ = tallyman_dockerfile::validate::check(&ast);
                }
            }));
            if outcome.is_err() {
                failures.push(format!(
                    "{name}: variant {index} panics: {:?}",
                    String::from_utf8_lossy(&variant)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    inputs
}

fn read_dir_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| {
            let path = entry.path();
            let bytes =
                std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            (entry.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn parse_never_panics() {
    let mut sample = read_dir_files(&sample_dir().join("files"));
    sample.extend(read_dir_files(&sample_dir().join("refused")));
    let inputs = check_never_panics(&sample);
    println!(
        "robustness: {inputs} variants of {} sample files",
        sample.len()
    );
    match shared_corpus() {
        Some(dir) => {
            let corpus = read_dir_files(&dir.join("dockerfiles"));
            let inputs = check_never_panics(&corpus);
            println!(
                "robustness: {inputs} variants of {} corpus files",
                corpus.len()
            );
        }
        None => println!("full corpus robustness skipped: ../shared/corpus is not present"),
    }
}
