//! The fast path against the parser path: wherever it accepts a script, it
//! must list exactly what the parser path lists, field by field.
//!
//! Scripts come from the vendored RUNs (`tests/data/shell/runs.txt`), every
//! shell text lowering splits in the vendored corpus sample and, when
//! `../shared/corpus` is next to the repository, in its 1,593 Dockerfiles;
//! then from generated scripts that put quotes, escapes, operators,
//! comments, redirections and non-ASCII text at odd places, and from
//! mutations of the real scripts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::read;
use crate::shell::{ShellSplit, split_commands, split_with_parser};

/// Splits `script` with and without the fast path: whether the fast path
/// read the script itself (its substitutions and nested scripts may take
/// it either way), and whether the two agree (with a description of the
/// first difference).
fn compare(script: &str) -> (bool, Result<(), String>) {
    let read_whole = read(script).is_some();
    let fast = split_commands(script);
    let parsed = split_with_parser(script);
    if fast == parsed {
        return (read_whole, Ok(()));
    }
    (read_whole, Err(describe_difference(script, &fast, &parsed)))
}

fn describe_difference(script: &str, fast: &ShellSplit, parsed: &ShellSplit) -> String {
    let mut out = format!("script {script:?}\n");
    if fast.error != parsed.error {
        let _ = writeln!(
            out,
            "  errors: fast {:?}, parser {:?}",
            fast.error, parsed.error
        );
    }
    let (fast, parsed) = (&fast.commands, &parsed.commands);
    if fast.len() != parsed.len() {
        let _ = writeln!(
            out,
            "  fast path: {} commands, parser: {}",
            fast.len(),
            parsed.len()
        );
    }
    for (i, (a, b)) in fast.iter().zip(parsed).enumerate() {
        if a != b {
            let _ = writeln!(out, "  command {i}:\n    fast   {a:?}\n    parser {b:?}");
            break;
        }
    }
    if fast.len() != parsed.len() {
        let _ = writeln!(out, "  fast   {fast:?}\n  parser {parsed:?}");
    }
    out
}

/// Runs [`compare`] over `scripts`; returns how many the fast path took,
/// and fails with every disagreement.
fn check_all<'a>(what: &str, scripts: impl IntoIterator<Item = &'a str>) -> (usize, usize) {
    let (mut total, mut accepted) = (0, 0);
    let mut failures = Vec::new();
    for script in scripts {
        total += 1;
        let (read_whole, agreed) = compare(script);
        accepted += usize::from(read_whole);
        if let Err(difference) = agreed {
            failures.push(difference);
        }
    }
    assert!(
        failures.is_empty(),
        "{what}: the fast path disagrees with the parser on {} scripts:\n{}",
        failures.len(),
        failures.iter().take(20).cloned().collect::<String>()
    );
    println!("{what}: the fast path took {accepted} of {total} scripts");
    (accepted, total)
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The scripts of `tests/data/shell/runs.txt`.
fn vendored_runs() -> Vec<String> {
    let text = std::fs::read_to_string(manifest_dir().join("tests/data/shell/runs.txt"))
        .expect("runs.txt is vendored");
    text.split("\n=== ")
        .skip(1)
        .filter_map(|case| {
            let (_, rest) = case.split_once("\n--- script\n")?;
            Some(
                rest.split_once("\n--- end\n")
                    .map_or(rest, |(s, _)| s)
                    .to_owned(),
            )
        })
        .collect()
}

/// Every shell text lowering splits in the Dockerfiles of `dir`.
fn shell_texts_in(dir: &Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    let mut texts = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        if let Ok(ast) = crate::parse(&bytes, &crate::ParseOptions::default()) {
            for node in &ast.children {
                texts.extend(crate::lower::shell_texts(node));
            }
        }
    }
    texts
}

#[test]
fn agrees_on_the_vendored_runs() {
    let runs = vendored_runs();
    let (accepted, total) = check_all("runs.txt", runs.iter().map(String::as_str));
    assert!(total >= 140, "runs.txt has {total} scripts");
    // The sample was picked for hard cases; still, most are simple.
    assert!(accepted * 3 >= total, "only {accepted} of {total} taken");
}

#[test]
fn agrees_on_the_vendored_corpus_sample() {
    let texts = shell_texts_in(&manifest_dir().join("tests/data/corpus-sample/files"));
    let (accepted, total) = check_all("corpus sample", texts.iter().map(String::as_str));
    assert!(total >= 100, "the sample has {total} shell texts");
    assert!(accepted * 2 >= total, "only {accepted} of {total} taken");
}

#[test]
fn agrees_on_the_shared_corpus() {
    let dir = manifest_dir().join("../../shared/corpus/dockerfiles");
    if !dir.is_dir() {
        println!("skipped: {} not found", dir.display());
        return;
    }
    let texts = shell_texts_in(&dir);
    let (accepted, total) = check_all("shared corpus", texts.iter().map(String::as_str));
    assert!(accepted * 2 >= total, "only {accepted} of {total} taken");
}

/// Scripts the fast path must take (so that the tests above exercise it),
/// with what it must find, checked against the parser as well.
#[test]
fn takes_the_common_shapes() {
    let cases: &[(&str, &[&str])] = &[
        (
            "apt-get update && apt-get install -y curl",
            &["apt-get", "apt-get"],
        ),
        (
            "set -eux; curl -fsSL $URL | tar -xz -C /opt",
            &["set", "curl", "tar"],
        ),
        ("A=1 B=\"x y\" make -j${JOBS} install", &["make"]),
        (
            "echo 'a b' \"c $d\" e\\ f >> /etc/x 2>&1 || true",
            &["echo", "true"],
        ),
        ("rm -rf /var/lib/apt/lists/*", &["rm"]),
        (
            "# comment\nmkdir -p /x # trailing\n\nchmod +x /x &\nwait",
            &["mkdir", "chmod", "wait"],
        ),
        ("find / -name '*.pyc' -exec rm {} \\;", &["find"]),
        ("curl -fsSL https://x/install.sh | sh", &["curl", "sh"]),
        ("echo hi>f; cat<f", &["echo", "cat"]),
        ("echo $'a\\tb' $\"c\" \"$'\" é日本", &["echo"]),
        ("x=1", &[""]),
        ("> out echo a", &["echo"]),
        (
            "echo \"$(id -u):$(id -g)\" $(a; b)x",
            &["echo", "id", "id", "a", "b"],
        ),
        (
            "V=$(curl -fsSL $URL | sha256sum) && test -n \"$V\"",
            &["", "curl", "sha256sum", "test"],
        ),
        ("sh -c 'a; b'", &["sh", "a", "b"]),
        ("sudo -u app bash -ec \"a && b\"", &["sudo", "a", "b"]),
        ("su app -c 'make'", &["su", "make"]),
        ("sed -e 's/`x`/$(y)/' f # `z` <(w)", &["sed"]),
        (
            "if true; then a; elif b; then c; else d; fi",
            &["true", "a", "b", "c", "d"],
        ),
        ("for i in 1 2; do echo $i; done", &["echo"]),
        (
            "{ a; b; } > f && while read x; do c; done < f",
            &["a", "b", "read", "c"],
        ),
    ];
    for (script, names) in cases {
        assert!(read(script).is_some(), "declined {script:?}");
        let split = split_commands(script);
        let found: Vec<&str> = split.commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(found, *names, "{script:?}");
        assert_eq!(compare(script), (true, Ok(())), "{script:?}");
    }
}

/// Constructs the fast path leaves to the parser.
#[test]
fn declines_what_it_does_not_follow() {
    for script in [
        "echo `id -u`",
        "diff <(a) <(b)",
        "cat <<EOF\nx\nEOF\n",
        "cat <<< x",
        "(cd /x && make)",
        "! grep -q x f",
        "time make",
        "f() { a; }",
        "a |& b",
        "a && && b",
        "; a",
        "a &&",
        "a | ",
        "echo 'unterminated",
        "echo \"unterminated",
        "echo ${A:-$(b)}",
        "arr[0]=x",
        "arr=(a b)",
        "exec {fd}>f",
        "echo a\\",
        "a ;; b",
        "case x in x) a;; esac",
        "[[ -f x ]]",
    ] {
        assert!(read(script).is_none(), "took {script:?}");
        assert_eq!(compare(script).1, Ok(()), "{script:?}");
    }
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

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

/// Pieces of words, including the edges of what the fast path accepts.
const WORD_PIECES: &[&str] = &[
    "a",
    "apt-get",
    "-y",
    "--flag=x",
    "x=1",
    "A=b",
    "A+=1",
    "A+b=1",
    "\"A\"=1",
    "a=b=c",
    "''",
    "\"\"",
    "'a b'",
    "\"a b\"",
    "\"a\\\"b\"",
    "a\\ b",
    "\\'",
    "\\\\",
    "\\\"",
    "$V",
    "${V}",
    "${V:-x y}",
    "${#V}",
    "\"$V\"",
    "\"${V}x\"",
    "$'a\\tb'",
    "$'\\''",
    "$\"x\"",
    "\"$'\"",
    "\"$\\\"\"",
    "$1",
    "$10",
    "$#",
    "$$",
    "$?",
    "$@",
    "$-",
    "$!",
    "$",
    "é",
    "日本",
    "a#b",
    "#",
    "{a,b}",
    "{}",
    "}",
    "{",
    "!",
    "if",
    "then",
    "done",
    "in",
    "time",
    "x[1]=2",
    "arr[0]",
    "[",
    "]",
    "[[",
    "]]",
    "*.txt",
    "?",
    "~/x",
    "2",
    "10",
    "99999999999",
    "{fd}",
    "\r",
    "\u{a0}",
    "\u{b}",
    "sh",
    "-c",
    "bash",
    "su",
    "sudo",
    "env",
    "'x; y'",
    "\"$V\"'$W'",
    "\\$V",
    "\"\\$\"",
    "\"\\\\\"",
    "'\\'",
    "a\\;",
    "\\#",
    "x#",
    "\\&",
    "\\|",
    "\\>",
    "\\<",
    "=",
    "+=",
    "@",
    "%",
    "\\é",
    "'\n'",
    "\"\n\"",
    "\"a\r\"",
    "$(a)",
    "\"$(a b)\"",
    "$(a; b)",
    "$( )",
    "$()",
    "$(a && b | c)",
    "$(a)$(b)",
    "x$(echo)y",
    "$((1+2))",
    "$(sh -c 'x; y')",
    "$(a\n)",
    "$(a #c\n)",
    "$(a #c)",
    "$(if)",
    "$(a; ;)",
    "$(a &)",
    "$(a &&)",
    "$(\n\na\n)",
    "$(a)'b'",
    "\"x$(a \"b c\")\"",
    "$(A=1 a)",
    "$(a >f)",
    "$(2>&1 a)",
    "$($(a))",
    "$(a $(b $(c)))",
    "'$(a)'",
    "\\$(a)",
    "${A}$(b)",
    "$(a)=",
    "A=$(b)",
    "$(a] b)",
    "if a; then b; fi",
    "if a\nthen b\nelif c; then d\nelse e\nfi",
    "while a; do b; done",
    "until a; do b; done",
    "for x in a b; do c; done",
    "for x; do a; done",
    "for x\nin a\ndo b\ndone",
    "{ a; b; }",
    "{ a; } > f",
    "if a; then b; fi 2>&1",
    "fi",
    "elif",
    "else",
    "do",
    "while",
    "until",
    "for",
    "{ a }",
    "if a; then fi",
    "for x in $(a); do b; done",
    "a | { b; }",
    "{ a; } | b",
    "if a; then b; fi | c",
    "if ! a; then b; fi",
    "! if",
    "while read x; do echo $x; done < f",
    "if [ \"$(a)\" ]; then b; fi",
    "{ if a; then { b; }; fi; }",
    "for 1 in a; do b; done",
    "if a; then b; fi x",
    "{ a; } 2 >f",
    "{ a; }2>f",
    "if a; then b; else fi",
    "do done",
    "A=1 if",
    "> f if",
    "for x in a; do; done",
    "for x in a b do c; done",
    "{ a & }",
    "{ a; };",
];

/// Operators, redirections, blanks and comments between words.
const GLUE: &[&str] = &[
    " ", " ", " ", "  ", "\t", "", "&&", "||", ";", "&", "|", "\n", "\r\n", " && \n", ";\n", "|\n",
    "&\n", "\n\n", ";;", "|&", ";&", ">", ">>", "<", "2>", "2>&1", ">&2", "&>", "&>>", ">&-",
    "<&-", "<>", ">|", "2>>", "<&0", "1>&2", ">&", " # c\n", "#c", " #", "\\\n", "(", ")", "`",
    "$(", "<<", "!", " ! ",
];

fn generated_script(rng: &mut XorShift) -> String {
    let mut script = String::new();
    let pieces = 1 + rng.below(12);
    for _ in 0..pieces {
        if rng.below(3) == 0 {
            script.push_str(rng.pick(GLUE));
        } else {
            script.push(' ');
        }
        script.push_str(rng.pick(WORD_PIECES));
        if rng.below(4) == 0 {
            script.push_str(rng.pick(WORD_PIECES));
        }
    }
    if rng.below(4) == 0 {
        script.push_str(rng.pick(GLUE));
    }
    script
}

#[test]
fn agrees_on_generated_scripts() {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let scripts: Vec<String> = (0..40_000).map(|_| generated_script(&mut rng)).collect();
    let (accepted, total) = check_all("generated", scripts.iter().map(String::as_str));
    assert!(accepted * 10 >= total, "only {accepted} of {total} taken");
}

/// A random script of the shapes the fast path follows (compound commands
/// nested in each other and in pipelines and lists), with a piece of the
/// edge alphabet spliced in now and then.
fn structured_script(rng: &mut XorShift, depth: usize) -> String {
    const WORDS: &[&str] = &[
        "a", "b", "echo", "-x", "A=1", "'q w'", "\"$V\"", "$(c d)", "${V}", "x\\ y", "sh", "-c",
        "'e; f'", "2>&1", ">f", ">>\"$L\"", "<in", "é",
    ];
    const SEPARATORS: &[&str] = &[
        "; ", " && ", " || ", " | ", "\n", " & ", ";\n", " &&\n", " |\n\t", " # c\n",
    ];
    let mut script = String::new();
    for i in 0..1 + rng.below(3) {
        if i > 0 {
            script.push_str(rng.pick(SEPARATORS));
        }
        let body = |rng: &mut XorShift| structured_script(rng, depth + 1);
        match if depth < 3 { rng.below(9) } else { 0 } {
            0..=3 => {
                for w in 0..1 + rng.below(4) {
                    if w > 0 {
                        script.push(' ');
                    }
                    script.push_str(rng.pick(WORDS));
                }
            }
            4 => {
                let _ = write!(script, "if {}; then {}", body(rng), body(rng));
                if rng.below(2) == 0 {
                    let _ = write!(script, "; elif {}; then {}", body(rng), body(rng));
                }
                if rng.below(2) == 0 {
                    let _ = write!(script, "\nelse {}", body(rng));
                }
                script.push_str("; fi");
            }
            5 => {
                let keyword = if rng.below(2) == 0 { "while" } else { "until" };
                let _ = write!(script, "{keyword} {}; do\n{}\ndone", body(rng), body(rng));
            }
            6 => {
                let _ = write!(script, "for x in a \"$B\"; do {}; done", body(rng));
            }
            7 => {
                let _ = write!(script, "{{ {}; }}", body(rng));
            }
            _ => {
                let _ = write!(script, "{{ {}\n}} 2>/dev/null", body(rng));
            }
        }
    }
    script
}

#[test]
fn agrees_on_generated_compound_scripts() {
    let mut rng = XorShift(0x1234_5678_9ABC_DEF1);
    let mut scripts = Vec::new();
    for _ in 0..8_000 {
        let mut script = structured_script(&mut rng, 0);
        if rng.below(4) == 0 {
            let mut at = rng.below(script.len() + 1);
            while !script.is_char_boundary(at) {
                at -= 1;
            }
            script.insert_str(at, rng.pick(GLUE));
        }
        scripts.push(script);
    }
    let (accepted, total) = check_all("generated compound", scripts.iter().map(String::as_str));
    assert!(accepted * 2 >= total, "only {accepted} of {total} taken");
}

#[test]
fn agrees_on_mutated_real_scripts() {
    const EDGES: &[&str] = &[
        "'", "\"", "\\", "$", "#", ";", "&", "|", "<", ">", "{", "}", "[", "]", "=", "!", "\r",
        "\n", "\t", " ", "é", "&&", "||", "2>", "''", "${", "\\\"", "-",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut scripts = Vec::new();
    for script in vendored_runs() {
        for _ in 0..40 {
            let mut mutated = script.clone();
            for _ in 0..1 + rng.below(3) {
                let mut at = rng.below(mutated.len() + 1);
                while !mutated.is_char_boundary(at) {
                    at -= 1;
                }
                let edge = rng.pick(EDGES);
                if rng.below(2) == 0 {
                    mutated.insert_str(at, edge);
                } else {
                    let mut end = (at + 1).min(mutated.len());
                    while !mutated.is_char_boundary(end) {
                        end += 1;
                    }
                    mutated.replace_range(at..end, edge);
                }
            }
            scripts.push(mutated);
        }
    }
    let (accepted, total) = check_all("mutated", scripts.iter().map(String::as_str));
    assert!(accepted * 10 >= total, "only {accepted} of {total} taken");
}
