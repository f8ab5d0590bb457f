//! `tallyman report --framework cis-docker-1.6` end to end: the binary scans
//! real trees, makes compliance reports from the scan, and the HTML is
//! opened in headless Chromium (the Debian package `chromium`, which
//! `scripts/test` installs) to check what a reader sees. The Markdown is
//! parsed as GitHub-flavoured Markdown and checked against the same
//! expectations, which come from the scan's own JSON report.
//!
//! `TALLYMAN_UPDATE_DOCS=1` also writes the README's screenshot,
//! `docs/images/compliance-report.png`.

mod cli_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn examples_dir() -> PathBuf {
    manifest_dir().join("../examples")
}

/// One compile cache for every test of this binary.
fn tallyman(dir: &Path, args: &[&str]) -> Output {
    cli_support::run(dir, "compliance-cache", args, &[])
}

fn both(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn write(dir: &Path, path: &str, contents: &[u8]) {
    let path = dir.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dir");
    }
    std::fs::write(path, contents).expect("write");
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("JSON ({e}): {text}"))
}

fn as_str(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

// ---------------------------------------------------------------------------
// What the scan report says the compliance report must show.

/// A finding as the compliance report shows it as evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    path: String,
    line: Option<u64>,
    rule: String,
}

struct Expected {
    /// Control -> its supporting rules (from the scan's rule tags).
    rules: BTreeMap<String, BTreeSet<String>>,
    /// Control -> the evidence rows its findings call for.
    evidence: BTreeMap<String, BTreeSet<Row>>,
}

const CONTROLS: [&str; 12] = [
    "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11", "4.12",
];

impl Expected {
    /// For a scan without failed targets or errors: a control fails when a
    /// rule tagged with it found something, else passes; untagged controls
    /// are not assessed.
    fn from_scan(scan: &Value) -> Expected {
        let mut rules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut by_rule: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for policy in scan["policies"].as_array().expect("policies") {
            for rule in policy["rules"].as_array().expect("rules") {
                for tag in rule["tags"].as_array().expect("tags") {
                    if let Some(control) = as_str(tag).strip_prefix("cis-docker-1.6:") {
                        let id = as_str(&rule["id"]).to_string();
                        rules
                            .entry(control.to_string())
                            .or_default()
                            .insert(id.clone());
                        by_rule
                            .entry((as_str(&policy["name"]).to_string(), id))
                            .or_default()
                            .push(control.to_string());
                    }
                }
            }
        }
        let mut evidence: BTreeMap<String, BTreeSet<Row>> = BTreeMap::new();
        for finding in scan["findings"].as_array().expect("findings") {
            let key = (
                as_str(&finding["policy"]).to_string(),
                as_str(&finding["rule_id"]).to_string(),
            );
            for control in by_rule.get(&key).into_iter().flatten() {
                evidence.entry(control.clone()).or_default().insert(Row {
                    path: as_str(&finding["path"]).to_string(),
                    line: finding["line"].as_u64(),
                    rule: key.1.clone(),
                });
            }
        }
        Expected { rules, evidence }
    }

    fn verdict(&self, control: &str) -> &'static str {
        if !self.rules.contains_key(control) {
            "not-assessed"
        } else if self.evidence.contains_key(control) {
            "fail"
        } else {
            "pass"
        }
    }

    fn not_assessed(&self) -> BTreeSet<String> {
        CONTROLS
            .iter()
            .filter(|c| !self.rules.contains_key(**c))
            .map(|c| c.to_string())
            .collect()
    }
}

/// `path:line` as the reports print a location.
fn parse_location(text: &str) -> (String, Option<u64>) {
    match text.rsplit_once(':') {
        Some((path, line)) if line.chars().all(|c| c.is_ascii_digit()) => {
            (path.to_string(), line.parse().ok())
        }
        _ => (text.to_string(), None),
    }
}

/// Scans `examples/` as the README says, into `out/examples.json`.
fn scan_examples(out: &Path) -> (PathBuf, Value) {
    let report = out.join("examples.json");
    let result = tallyman(
        &examples_dir(),
        &[
            "scan",
            "-f",
            "json",
            "-o",
            report.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(result.status.code(), Some(1), "{}", both(&result));
    let scan = json(&read(&report));
    assert_eq!(scan["summary"]["failed"], 0, "the examples all scan");
    assert_eq!(scan["errors"], Value::Array(vec![]), "no errors");
    (report, scan)
}

// ---------------------------------------------------------------------------
// Chromium.

const CHROMIUM: &str = "chromium";

fn chromium(args: &[&str], profile: &Path) -> Output {
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `{CHROMIUM}` ({e}): install the Debian package chromium (scripts/test does)")
        });
    assert!(out.status.success(), "chromium failed: {}", both(&out));
    out
}

fn file_url(path: &Path) -> String {
    format!(
        "file://{}",
        path.canonicalize().expect("absolute path").display()
    )
}

/// The DOM Chromium built from the page.
fn dump_dom(page: &Path, profile: &Path) -> Html {
    let out = chromium(&["--dump-dom", &file_url(page)], profile);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(dom.contains("</html>"), "no DOM dumped: {}", both(&out));
    Html::parse_document(&dom)
}

fn select<'a>(dom: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"));
    dom.select(&selector).collect()
}

fn within<'a>(element: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"));
    element.select(&selector).collect()
}

fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn attr<'a>(element: ElementRef<'a>, name: &str) -> &'a str {
    element.value().attr(name).unwrap_or_default()
}

/// The page as a reader sees it: control -> (verdict attribute, the verdict
/// badge's words, the findings count).
fn controls_table(dom: &Html) -> BTreeMap<String, (String, String, String)> {
    select(dom, "#controls tbody tr")
        .into_iter()
        .map(|row| {
            let cells = within(row, "td");
            let text = |i: usize| cells.get(i).map(|c| text_of(*c)).unwrap_or_default();
            (
                text(0),
                (attr(row, "data-verdict").to_string(), text(6), text(5)),
            )
        })
        .collect()
}

fn evidence_rows(dom: &Html) -> BTreeMap<String, BTreeSet<Row>> {
    let mut rows: BTreeMap<String, BTreeSet<Row>> = BTreeMap::new();
    for row in select(dom, "#evidence tbody tr") {
        let cells = within(row, "td");
        let cell = |i: usize| cells.get(i).map(|c| text_of(*c)).unwrap_or_default();
        let (path, line) = parse_location(&cell(1));
        assert_eq!(path, attr(row, "data-path"), "the shown path is the row's");
        assert_eq!(cell(2), attr(row, "data-rule"));
        rows.entry(attr(row, "data-control").to_string())
            .or_default()
            .insert(Row {
                path,
                line,
                rule: cell(2),
            });
    }
    rows
}

// ---------------------------------------------------------------------------
// Markdown, parsed as GitHub does (tables, strikethrough).

#[derive(Debug, Default)]
struct MdTable {
    /// The heading the table is under.
    heading: String,
    /// The header row first.
    rows: Vec<Vec<String>>,
}

#[derive(Debug, Default)]
struct MdDocument {
    tables: Vec<MdTable>,
    /// (heading, text) of each list item.
    items: Vec<(String, String)>,
    /// Paragraph texts.
    paragraphs: Vec<String>,
}

impl MdDocument {
    fn parse(markdown: &str) -> MdDocument {
        let mut doc = MdDocument::default();
        let mut heading = String::new();
        let mut buffer: Option<String> = None;
        let mut in_item = false;
        let mut in_paragraph = false;
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Start(Tag::Heading { .. }) => {
                    buffer = Some(String::new());
                }
                Event::End(TagEnd::Heading(_)) => {
                    heading = buffer.take().unwrap_or_default();
                }
                Event::Start(Tag::Table(_)) => doc.tables.push(MdTable {
                    heading: heading.clone(),
                    rows: Vec::new(),
                }),
                Event::Start(Tag::TableHead | Tag::TableRow) => {
                    if let Some(table) = doc.tables.last_mut() {
                        table.rows.push(Vec::new());
                    }
                }
                Event::Start(Tag::TableCell) => buffer = Some(String::new()),
                Event::End(TagEnd::TableCell) => {
                    let cell = buffer.take().unwrap_or_default();
                    if let Some(row) = doc.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                        row.push(cell.trim().to_string());
                    }
                }
                Event::Start(Tag::Item) => {
                    in_item = true;
                    buffer = Some(String::new());
                }
                Event::End(TagEnd::Item) => {
                    in_item = false;
                    doc.items
                        .push((heading.clone(), buffer.take().unwrap_or_default()));
                }
                Event::Start(Tag::Paragraph) if !in_item => {
                    in_paragraph = true;
                    buffer = Some(String::new());
                }
                Event::End(TagEnd::Paragraph) if in_paragraph => {
                    in_paragraph = false;
                    doc.paragraphs.push(buffer.take().unwrap_or_default());
                }
                Event::Text(text) | Event::Code(text) => {
                    if let Some(buffer) = buffer.as_mut() {
                        buffer.push_str(&text);
                    }
                }
                Event::SoftBreak | Event::HardBreak | Event::InlineHtml(_) => {
                    if let Some(buffer) = buffer.as_mut() {
                        buffer.push(' ');
                    }
                }
                _ => {}
            }
        }
        doc
    }

    fn table(&self, heading: &str) -> &MdTable {
        self.tables
            .iter()
            .find(|t| t.heading == heading)
            .unwrap_or_else(|| panic!("no table under `{heading}`"))
    }

    /// The table's rows as maps from column name to cell.
    fn records(table: &MdTable) -> Vec<BTreeMap<String, String>> {
        let Some((header, rows)) = table.rows.split_first() else {
            return Vec::new();
        };
        rows.iter()
            .map(|row| header.iter().cloned().zip(row.iter().cloned()).collect())
            .collect()
    }
}

// ---------------------------------------------------------------------------

/// The compliance report for `examples/`, in HTML (opened in Chromium) and
/// Markdown, shows every control with the verdict, the evidence rows and
/// the not-assessed list that the scan's findings call for.
#[test]
fn the_examples_compliance_report_in_the_browser_and_in_markdown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (scan_path, scan) = scan_examples(dir.path());
    let expected = Expected::from_scan(&scan);
    // The examples exercise every kind of verdict a scan without errors can
    // give; if they stop doing so this test would check less.
    assert!(CONTROLS.iter().any(|c| expected.verdict(c) == "fail"));
    assert!(CONTROLS.iter().any(|c| expected.verdict(c) == "pass"));
    assert!(!expected.not_assessed().is_empty());
    // Facts about the examples that a reader of the README can check.
    assert_eq!(expected.verdict("4.1"), "fail");
    assert!(expected.evidence["4.1"].contains(&Row {
        path: "monorepo/services/web/Dockerfile".into(),
        line: Some(1),
        rule: "HD001".into()
    }));
    assert!(expected.evidence["4.10"].contains(&Row {
        path: "monorepo/services/worker/Dockerfile".into(),
        line: Some(2),
        rule: "SEC002".into()
    }));
    assert_eq!(
        expected.not_assessed(),
        BTreeSet::from(["4.4".to_string(), "4.5".into(), "4.8".into()])
    );

    let html_path = dir.path().join("compliance.html");
    let md_path = dir.path().join("compliance.md");
    // As the README has it: the report named as given, beside it.
    let out = tallyman(
        dir.path(),
        &[
            "report",
            "examples.json",
            "--framework",
            "cis-docker-1.6",
            "-f",
            "html",
            "-o",
            "compliance.html",
            "-f",
            "md",
            "-o",
            "compliance.md",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failing control exits 1: {}",
        both(&out)
    );

    // One self-contained file: no script, no stylesheet, font or image from
    // elsewhere, and a print stylesheet.
    let source = read(&html_path);
    for forbidden in [
        "<script", "<link", "<img", "<iframe", "url(", "@import", "src=",
    ] {
        assert!(!source.contains(forbidden), "the page holds `{forbidden}`");
    }
    assert!(!source.contains("href=\"http"), "no external links");
    assert!(source.contains("@media print"));

    let profile = dir.path().join("chromium-profile");
    let dom = dump_dom(&html_path, &profile);

    // The overall verdict and where the evidence came from.
    let overall = select(&dom, "#overall");
    assert_eq!(overall.len(), 1);
    assert_eq!(attr(overall[0], "data-verdict"), "fail");
    assert!(
        text_of(overall[0]).starts_with("Overall: fail"),
        "{}",
        text_of(overall[0])
    );
    let source_box = select(&dom, "#source");
    assert_eq!(attr(source_box[0], "data-verified"), "false");
    assert!(text_of(source_box[0]).contains("Not verified"));
    let scan_sha = format!("{:x}", Sha256::digest(read(&scan_path).as_bytes()));
    assert!(
        text_of(source_box[0]).contains(&scan_sha),
        "the evidence's sha256 is shown"
    );

    // Every control, in order, with the verdict the findings call for.
    let controls = controls_table(&dom);
    assert_eq!(
        select(&dom, "#controls tbody tr")
            .iter()
            .map(|row| attr(*row, "data-control"))
            .collect::<Vec<_>>(),
        CONTROLS
    );
    for control in CONTROLS {
        let (verdict, badge, findings) = &controls[control];
        let want = expected.verdict(control);
        assert_eq!(verdict, want, "control {control}");
        assert_eq!(badge, &want.replace('-', " "), "control {control}'s badge");
        let count = expected.evidence.get(control).map_or(0, BTreeSet::len);
        assert_eq!(findings, &count.to_string(), "control {control}'s findings");
    }

    // The chart: one bar per control, coloured by verdict.
    let bars = select(&dom, "svg.chart g[data-control]");
    assert_eq!(bars.len(), 12);
    for bar in &bars {
        let control = attr(*bar, "data-control");
        assert_eq!(attr(*bar, "data-verdict"), expected.verdict(control));
        assert!(text_of(*bar).starts_with(control));
        if expected.verdict(control) != "not-assessed" {
            let segments = within(*bar, "rect[data-verdict]");
            assert_eq!(segments.len(), 1, "one repository, one segment");
            assert_eq!(attr(segments[0], "data-verdict"), expected.verdict(control));
        }
    }

    // The repository matrix: the one repository, its commit, its verdicts.
    let matrix = select(&dom, "#repositories tbody tr");
    assert_eq!(matrix.len(), 1);
    assert_eq!(attr(matrix[0], "data-repository"), "examples");
    let commit = as_str(&scan["repositories"][0]["commit"]);
    assert!(!commit.is_empty());
    assert!(text_of(matrix[0]).contains(&commit[..12]));
    for cell in within(matrix[0], "td[data-control]") {
        assert_eq!(
            attr(cell, "data-verdict"),
            expected.verdict(attr(cell, "data-control"))
        );
    }

    // The evidence: exactly the findings of the supporting rules.
    assert_eq!(evidence_rows(&dom), expected.evidence);
    let policy_sha = scan["policies"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "hardening"))
        .map(|p| as_str(&p["sha256"]).to_string())
        .expect("the hardening policy");
    let hd001 = select(&dom, "#evidence tr[data-rule=\"HD001\"]");
    assert!(
        text_of(hd001[0]).contains(&policy_sha[..12]),
        "evidence names the policy digest"
    );

    // What no rule covers.
    let not_assessed: BTreeSet<String> = select(&dom, "#not-assessed li")
        .iter()
        .map(|li| attr(*li, "data-control").to_string())
        .collect();
    assert_eq!(not_assessed, expected.not_assessed());
    assert!(select(&dom, "#gaps").is_empty(), "no gaps in a clean scan");

    // It renders: the screenshot has the page's colours (the fail red, the
    // pass green) in quantity, not a blank or an error page.
    let shot = dir.path().join("shot.png");
    chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600",
            &file_url(&html_path),
        ],
        &profile,
    );
    let (width, height, pixels) = decode_png(&shot);
    assert_eq!((width, height), (1280, 1600));
    let red = count_colour(&pixels, [0xc6, 0x28, 0x28]);
    let green = count_colour(&pixels, [0x2e, 0x7d, 0x32]);
    assert!(red > 5_000 && green > 5_000, "red {red}, green {green}");
    // It prints: Chromium lays it out on pages with the print stylesheet.
    let pdf = dir.path().join("compliance.pdf");
    chromium(
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
            &file_url(&html_path),
        ],
        &profile,
    );
    let pdf_bytes = std::fs::read(&pdf).expect("the PDF");
    assert!(pdf_bytes.starts_with(b"%PDF-"));
    let pages = pdf_bytes
        .windows(12)
        .filter(|w| w.starts_with(b"/Type /Page") && w.get(11) != Some(&b's'))
        .count();
    assert!(
        pages >= 2,
        "several pages of evidence, found {pages} page objects"
    );
    if std::env::var_os("TALLYMAN_UPDATE_DOCS").is_some() {
        let docs = manifest_dir().join("../docs/images/compliance-report.png");
        std::fs::create_dir_all(docs.parent().expect("parent")).expect("docs/images");
        chromium(
            &[
                &format!("--screenshot={}", docs.display()),
                "--window-size=1200,1700",
                &file_url(&html_path),
            ],
            &profile,
        );
    }

    // The Markdown says the same.
    let md = MdDocument::parse(&read(&md_path));
    assert!(
        md.paragraphs
            .iter()
            .any(|p| p.starts_with("Verdict: ❌ fail")),
        "{:?}",
        md.paragraphs
    );
    let md_controls = MdDocument::records(md.table("Controls"));
    assert_eq!(md_controls.len(), 12);
    for (record, control) in md_controls.iter().zip(CONTROLS) {
        assert_eq!(record["Control"], control);
        let want = expected.verdict(control).replace('-', " ");
        assert!(
            record["Verdict"].ends_with(&want),
            "{control}: {} vs {want}",
            record["Verdict"]
        );
        let count = expected.evidence.get(control).map_or(0, BTreeSet::len);
        assert_eq!(record["Findings"], count.to_string());
    }
    let mut md_evidence: BTreeMap<String, BTreeSet<Row>> = BTreeMap::new();
    for table in &md.tables {
        let Some(control) = CONTROLS
            .iter()
            .find(|c| table.heading.starts_with(&format!("{c} ")))
        else {
            continue;
        };
        for record in MdDocument::records(table) {
            let (path, line) = parse_location(&record["File"]);
            md_evidence
                .entry(control.to_string())
                .or_default()
                .insert(Row {
                    path,
                    line,
                    rule: record["Rule"].clone(),
                });
        }
    }
    assert_eq!(md_evidence, expected.evidence);
    let md_not_assessed: BTreeSet<String> = md
        .items
        .iter()
        .filter(|(heading, _)| heading == "Not assessed")
        .filter_map(|(_, item)| item.split_whitespace().next().map(str::to_string))
        .collect();
    assert_eq!(md_not_assessed, expected.not_assessed());
    let repositories = MdDocument::records(md.table("Repositories"));
    assert_eq!(repositories.len(), 1);
    assert_eq!(repositories[0]["Repository"], "examples");
    assert_eq!(repositories[0]["4.1"], "❌ fail");
}

fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).expect("screenshot");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    assert!(
        matches!(info.color_type, png::ColorType::Rgb | png::ColorType::Rgba),
        "{:?}",
        info.color_type
    );
    let channels = if info.color_type == png::ColorType::Rgba {
        4
    } else {
        3
    };
    let rgb: Vec<u8> = pixels[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|p| p.iter().take(3).copied())
        .collect();
    (info.width, info.height, rgb)
}

/// Pixels within a small distance of `colour` (anti-aliasing and colour
/// management shift edges a little).
fn count_colour(rgb: &[u8], colour: [u8; 3]) -> usize {
    rgb.chunks(3)
        .filter(|p| {
            p.iter()
                .zip(colour)
                .all(|(a, b)| (i16::from(*a) - i16::from(b)).abs() <= 6)
        })
        .count()
}

/// Two git repositories under one root, scanned with `--repo-depth 1`: one
/// fails 4.1, the other has a target that cannot be scanned, so its
/// controls without findings are incomplete, never passes.
#[test]
fn several_repositories_and_a_failed_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("org");
    write(
        &root,
        "alpha/Dockerfile",
        b"FROM alpine:3.22\nUSER root\nHEALTHCHECK CMD [\"true\"]\nCMD [\"sh\"]\n",
    );
    write(
        &root,
        "beta/Dockerfile",
        b"FROM alpine:3.22\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\nCMD [\"sh\"]\n",
    );
    // A Dockerfile that is not text: the scan lists it as failed.
    write(
        &root,
        "beta/Dockerfile.broken",
        b"FROM \x00\x01\x02 binary\n",
    );
    for repo in ["alpha", "beta"] {
        let repo_dir = root.join(repo);
        for args in [
            &["init", "-q"][..],
            &["add", "."][..],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-qm",
                "init",
            ][..],
        ] {
            let out = Command::new("git")
                .args(args)
                .current_dir(&repo_dir)
                .output()
                .expect("git runs");
            assert!(out.status.success(), "git {args:?}: {}", both(&out));
        }
    }
    let scan_path = dir.path().join("org.json");
    let out = tallyman(
        dir.path(),
        &[
            "scan",
            "org",
            "--repo-depth",
            "1",
            "-f",
            "json",
            "-o",
            scan_path.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a failed target: {}",
        both(&out)
    );
    let scan = json(&read(&scan_path));
    assert_eq!(scan["repositories"].as_array().map(Vec::len), Some(2));

    let out = tallyman(
        dir.path(),
        &[
            "report",
            scan_path.to_str().expect("utf-8"),
            "--framework",
            "cis-docker-1.6",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(report["format_version"], 1);
    assert_eq!(report["framework"]["id"], "cis-docker-1.6");
    assert_eq!(report["source"]["verified"], false);
    let names: Vec<&str> = report["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| as_str(&r["name"]))
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    for (i, repo) in ["alpha", "beta"].iter().enumerate() {
        let commit = as_str(&report["repositories"][i]["commit"]);
        assert_eq!(commit.len(), 40, "{repo} has its git commit");
        let head = Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(root.join(repo))
            .output()
            .expect("git");
        assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim());
    }
    assert_eq!(report["repositories"][1]["failed"], 1);

    let control = |id: &str| -> Value {
        report["controls"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("control {id}"))
    };
    let per_repository = |id: &str| -> Vec<(String, String)> {
        control(id)["repositories"]
            .as_array()
            .expect("repositories")
            .iter()
            .map(|r| {
                (
                    as_str(&r["repository"]).into(),
                    as_str(&r["verdict"]).into(),
                )
            })
            .collect()
    };
    let pair = |a: &str, b: &str| {
        vec![
            ("alpha".to_string(), a.to_string()),
            ("beta".into(), b.into()),
        ]
    };
    // alpha runs as root; beta does not, but one of its files was not scanned.
    assert_eq!(per_repository("4.1"), pair("fail", "incomplete"));
    assert_eq!(control("4.1")["verdict"], "fail");
    let evidence = control("4.1")["evidence"].clone();
    assert_eq!(evidence.as_array().map(Vec::len), Some(1));
    assert_eq!(evidence[0]["repository"], "alpha");
    assert_eq!(evidence[0]["path"], "alpha/Dockerfile");
    assert_eq!(evidence[0]["line"], 2);
    assert_eq!(evidence[0]["rule_id"], "HD001");
    // Neither uses ADD: alpha passes, beta cannot.
    assert_eq!(per_repository("4.9"), pair("pass", "incomplete"));
    assert_eq!(control("4.9")["verdict"], "incomplete");
    assert_eq!(per_repository("4.4"), pair("not-assessed", "not-assessed"));
    let gaps = report["gaps"].as_array().expect("gaps");
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["repository"], "beta");
    assert_eq!(gaps[0]["path"], "beta/Dockerfile.broken");
    assert_eq!(gaps[0]["kind"], "target-failed");
}

/// A scan report edited to hold a policy error and untrusted text: the
/// controls the policy supports become incomplete, the gap is shown, and
/// the text stays text in the browser.
#[test]
fn a_policy_error_makes_its_controls_incomplete_and_report_text_is_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, mut scan) = scan_examples(dir.path());
    let hardening_controls: BTreeSet<String> = scan["policies"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "hardening"))
        .map(|p| {
            p["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["tags"].as_array().cloned().unwrap_or_default())
                .filter_map(|t| {
                    t.as_str()
                        .and_then(|t| t.strip_prefix("cis-docker-1.6:"))
                        .map(str::to_string)
                })
                .collect()
        })
        .expect("hardening");
    let hostile =
        "<script>document.title='owned'</script><b>bold</b> | `x` [y](http://example.com)";
    scan["errors"] = serde_json::json!([{
        "path": "monorepo/services/api/Dockerfile",
        "policy": "hardening",
        "kind": "timeout",
        "message": hostile,
    }]);
    let findings = scan["findings"].as_array_mut().expect("findings");
    let first = findings
        .iter_mut()
        .find(|f| f["rule_id"] == "HD001")
        .expect("an HD001 finding");
    first["message"] = Value::String(hostile.into());
    let scan_path = dir.path().join("edited.json");
    std::fs::write(&scan_path, scan.to_string()).expect("write");

    let html_path = dir.path().join("edited.html");
    let md_path = dir.path().join("edited.md");
    let out = tallyman(
        dir.path(),
        &[
            "report",
            "edited.json",
            "--framework",
            "cis-docker-1.6",
            "-f",
            "html",
            "-o",
            "edited.html",
            "-f",
            "md",
            "-o",
            "edited.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));

    let dom = dump_dom(&html_path, &dir.path().join("profile"));
    assert!(select(&dom, "script").is_empty(), "no script element");
    assert!(select(&dom, "b").is_empty(), "no markup from the report");
    let titles = select(&dom, "title");
    assert!(text_of(titles[0]).starts_with("CIS Docker Benchmark"));
    let shown = select(&dom, "#evidence tr[data-rule=\"HD001\"]")
        .into_iter()
        .any(|row| text_of(row).contains("<script>document.title='owned'</script><b>bold</b>"));
    assert!(shown, "the hostile message is shown as text");

    // Controls of the hardening policy without findings: incomplete.
    let controls = controls_table(&dom);
    let expected = Expected::from_scan(&scan);
    for control in &hardening_controls {
        let want = if expected.evidence.contains_key(control) {
            "fail"
        } else {
            "incomplete"
        };
        assert_eq!(controls[control].0, want, "control {control}");
    }
    assert!(
        hardening_controls
            .iter()
            .any(|c| controls[c].0 == "incomplete"),
        "some hardening control has only the gap to go on"
    );
    // Controls of other policies are unaffected.
    assert_eq!(controls["4.10"].0, "fail");
    let gaps = select(&dom, "#gaps tbody tr");
    assert_eq!(gaps.len(), 1);
    assert_eq!(attr(gaps[0], "data-kind"), "timeout");
    assert!(text_of(gaps[0]).contains("monorepo/services/api/Dockerfile"));

    let md_text = read(&md_path);
    let md = MdDocument::parse(&md_text);
    let gap_rows = MdDocument::records(md.table("Incomplete evidence"));
    assert_eq!(gap_rows.len(), 1);
    assert_eq!(gap_rows[0]["Kind"], "timeout");
    assert_eq!(
        gap_rows[0]["Reason"], hostile,
        "the text survives, unrendered"
    );
    for record in MdDocument::records(md.table("Controls")) {
        if hardening_controls.contains(&record["Control"])
            && !expected.evidence.contains_key(&record["Control"])
        {
            assert!(record["Verdict"].ends_with("incomplete"), "{record:?}");
        }
    }
    // Markdown tables keep their shape: the `|` in the message did not split a cell.
    assert!(
        md.tables
            .iter()
            .all(|t| t.rows.iter().all(|r| r.len() == t.rows[0].len()))
    );
}

fn pem_keyid(pem: &str) -> String {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(body).expect("base64 PEM");
    format!("{:x}", Sha256::digest(der))
}

/// A signed scan is verified evidence, named by its key; an edited one is
/// refused, as are an attestation without a key, a key without an
/// attestation, and the wrong key.
#[test]
fn attestations_are_verified_and_tampering_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    for prefix in ["ci", "other"] {
        let out = tallyman(d, &["keygen", "--out", prefix]);
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    }
    write(
        d,
        "tree/Dockerfile",
        b"FROM alpine:3.22\nADD run.sh /app/run.sh\nCMD [\"/app/run.sh\"]\n",
    );
    let out = tallyman(
        d,
        &[
            "scan",
            "tree",
            "-f",
            "json",
            "-o",
            "scan.json",
            "--sign",
            "ci.key",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let attestation = d.join("scan.json.intoto.jsonl");
    assert!(attestation.exists(), "{}", both(&out));

    let report = |input: &str, extra: &[&str]| -> Output {
        let mut args = vec!["report", input, "--framework", "cis-docker-1.6"];
        args.extend_from_slice(extra);
        tallyman(d, &args)
    };

    let out = report(
        "scan.json.intoto.jsonl",
        &["--verify-key", "ci.pub", "-f", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let verified = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(verified["source"]["kind"], "attestation");
    assert_eq!(verified["source"]["verified"], true);
    assert_eq!(
        verified["source"]["keyid"],
        pem_keyid(&read(&d.join("ci.pub")))
    );
    assert!(verified["source"]["config_ignores"].is_object());
    let add = verified["controls"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == "4.9"))
        .expect("4.9");
    assert_eq!(add["verdict"], "fail", "ADD fails 4.9");
    assert_eq!(add["evidence"][0]["rule_id"], "HD003");

    let out = report(
        "scan.json.intoto.jsonl",
        &["--verify-key", "ci.pub", "-f", "html"],
    );
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains("data-verified=\"true\""));
    assert!(page.contains(&pem_keyid(&read(&d.join("ci.pub")))));

    // The payload edited (a finding removed) but not re-signed.
    let line = read(&attestation);
    let mut envelope = json(line.trim());
    let payload = STANDARD
        .decode(as_str(&envelope["payload"]))
        .expect("base64 payload");
    let mut statement: Value = serde_json::from_slice(&payload).expect("statement");
    statement["predicate"]["report"]["findings"] = Value::Array(vec![]);
    envelope["payload"] = Value::String(STANDARD.encode(statement.to_string()));
    write(
        d,
        "tampered.intoto.jsonl",
        format!("{envelope}\n").as_bytes(),
    );
    let out = report("tampered.intoto.jsonl", &["--verify-key", "ci.pub"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tampered.intoto.jsonl: does not verify"),
        "{err}"
    );
    assert!(err.contains("bad signature"), "{err}");
    assert!(out.stdout.is_empty(), "no report from tampered evidence");

    let out = report("scan.json.intoto.jsonl", &["--verify-key", "other.pub"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not signed by this key"),
        "{}",
        both(&out)
    );

    let out = report("scan.json.intoto.jsonl", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("give --verify-key PUB"),
        "{}",
        both(&out)
    );

    let out = report("scan.json", &["--verify-key", "ci.pub"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("scan.json: a plain JSON report"),
        "{}",
        both(&out)
    );
}

/// Input that is not a scan report is refused with the file named, and
/// nothing is written.
#[test]
fn malformed_input_is_refused_with_the_file_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "truncated.json", b"{\"tool\": {\"name\": \"tallyman\"");
    write(d, "other.json", b"{\"hello\": \"world\"}");
    for (file, says) in [
        ("truncated.json", "truncated.json: not JSON ("),
        ("other.json", "other.json: not a tallyman scan report: "),
        ("missing.json", "missing.json: cannot read it"),
    ] {
        let out = tallyman(
            d,
            &[
                "report",
                file,
                "--framework",
                "cis-docker-1.6",
                "-f",
                "html",
                "-o",
                "out.html",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{}", both(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{file}: {err}");
        assert!(!d.join("out.html").exists(), "nothing written for {file}");
    }
    let out = tallyman(d, &["report", "other.json", "--framework", "cis-k8s"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cis-docker-1.6"),
        "the error lists the frameworks: {}",
        both(&out)
    );
}

/// Characters that would drive a terminal or reorder text: raw in a report
/// file, they act on whoever `cat`s it or opens it in an editor.
fn terminal_control(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        })
        .collect()
}

#[test]
fn control_characters_from_policies_are_escaped_in_markdown_and_html() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, mut scan) = scan_examples(dir.path());
    // What a hostile or careless policy can return: ESC sequences (colour,
    // clear screen, window title), a bell, a carriage return, C1 CSI, and
    // bidirectional overrides, in rule titles, messages, fixes and tags.
    let hostile = "red\u{1b}[31m clear\u{1b}[2J title\u{1b}]0;owned\u{7} cr\rback csi\u{9b}1m \u{202E}desrever\u{202C} \u{2066}iso\u{2069}";
    let policies = scan["policies"].as_array_mut().expect("policies");
    let hardening = policies
        .iter_mut()
        .find(|p| p["name"] == "hardening")
        .expect("hardening");
    for rule in hardening["rules"].as_array_mut().expect("rules") {
        rule["title"] = Value::String(format!("{} {hostile}", as_str(&rule["title"])));
        if let Some(tags) = rule["tags"].as_array_mut() {
            tags.push(Value::String(hostile.into()));
        }
    }
    let findings = scan["findings"].as_array_mut().expect("findings");
    let first = findings
        .iter_mut()
        .find(|f| f["rule_id"] == "HD001")
        .expect("an HD001 finding");
    first["message"] = Value::String(hostile.into());
    first["fix"] = Value::String(hostile.into());
    scan["errors"] = serde_json::json!([{
        "path": "monorepo/services/api/Dockerfile",
        "policy": "hardening",
        "kind": "timeout",
        "message": hostile,
    }]);
    std::fs::write(dir.path().join("edited.json"), scan.to_string()).expect("write");

    let out = tallyman(
        dir.path(),
        &[
            "report",
            "edited.json",
            "--framework",
            "cis-docker-1.6",
            "-f",
            "html",
            "-o",
            "edited.html",
            "-f",
            "md",
            "-o",
            "edited.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    for file in ["edited.html", "edited.md"] {
        let text = read(&dir.path().join(file));
        assert_eq!(terminal_control(&text), Vec::<char>::new(), "{file}");
        // The text is still there, each character named.
        for escape in ["u{1b}", "u{7}", "u{d}", "u{9b}", "u{202e}", "u{2066}"] {
            assert!(text.contains(escape), "{file} shows {escape}");
        }
    }
    let md = MdDocument::parse(&read(&dir.path().join("edited.md")));
    let gap_rows = MdDocument::records(md.table("Incomplete evidence"));
    assert_eq!(
        gap_rows[0]["Reason"],
        "red\\u{1b}[31m clear\\u{1b}[2J title\\u{1b}]0;owned\\u{7} cr\\u{d}back csi\\u{9b}1m \\u{202e}desrever\\u{202c} \\u{2066}iso\\u{2069}"
    );
}
