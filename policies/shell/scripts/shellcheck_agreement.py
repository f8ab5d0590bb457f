#!/usr/bin/env python3
"""Agreement of the `shell` policy with ShellCheck itself on the shared corpus.

Inputs, both written by `tests/corpus.rs`:

    SHELL_FINDINGS_OUT=/tmp/shell-findings.jsonl \
    SHELL_SCRIPTS_OUT=/tmp/shell-scripts.jsonl \
      cargo test --release -p tallyman-policy-shell --test corpus -- --nocapture
    python3 policies/shell/scripts/shellcheck_agreement.py \
      /tmp/shell-findings.jsonl /tmp/shell-scripts.jsonl [/work/hadolint-corpus.json]

Every script the policy lints is given to `shellcheck` the way hadolint gives
it: a shebang naming the stage's shell, `export NAME=1` for each ARG/ENV name,
then the script; SC1090, SC1091, SC2187 and SC2148 excluded. Each ShellCheck
finding is placed on the Dockerfile's lines with the script's line map, and
findings are compared by (file, line, code) twice:

- by instruction: the line is the RUN's first line (hadolint's granularity);
- by line: the line the finding's offset is on (the policy's granularity).

Counts are of distinct keys: the policy reports a code once per line (two
unquoted expansions on one line are one finding), ShellCheck once per
occurrence. The occurrence counts are printed too. With the hadolint corpus output, hadolint's own SC findings
are compared by instruction too.
"""

import bisect
import collections
import json
import os
import subprocess
import sys
import tempfile

EXCLUDED = "SC1090,SC1091,SC2187,SC2148"
BATCH = 200


def load_jsonl(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def header(script):
    text = f"#!{script['shell']}\n"
    for name in script["defined"]:
        text += f"export {name}=1\n"
    return text


def body(script):
    text = script["text"]
    return "# " + text[2:] if text.startswith("#!") else text


def line_of(script, offset):
    anchors = script["anchors"]
    at = bisect.bisect_right([a[0] for a in anchors], offset)
    return anchors[at - 1][1] if at > 0 else script["first_line"]


def run_shellcheck(scripts):
    """ShellCheck's findings on each script: (script index, offset, code)."""
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index, script in enumerate(scripts):
            path = os.path.join(tmp, f"{index}.sh")
            with open(path, "w") as handle:
                handle.write(header(script) + body(script))
            paths.append(path)
        for start in range(0, len(paths), BATCH):
            batch = paths[start : start + BATCH]
            result = subprocess.run(
                ["shellcheck", "-f", "json1", "-S", "style", "-e", EXCLUDED] + batch,
                capture_output=True,
                text=True,
            )
            for comment in json.loads(result.stdout or "{}").get("comments", []):
                index = int(os.path.basename(comment["file"]).split(".")[0])
                script = scripts[index]
                source = header(script) + body(script)
                lines = source.split("\n")
                line = comment["line"] - 1
                prefix = "\n".join(lines[:line])
                column = max(comment["column"] - 1, 0)
                # json1 columns count characters (a tab is one); offsets are bytes.
                in_line = lines[line][:column] if line < len(lines) else ""
                offset = len((prefix + ("\n" if line else "") + in_line).encode())
                offset -= len(header(script).encode())
                if offset < 0:
                    continue
                found.append((index, offset, f"SC{comment['code']}"))
    return found


def compare(ours, theirs):
    ours, theirs = collections.Counter(ours), collections.Counter(theirs)
    matched = sum((ours & theirs).values())
    return matched, sum(ours.values()), sum(theirs.values())


def by_code(ours, theirs):
    codes = sorted({k[2] for k in ours} | {k[2] for k in theirs}, key=lambda c: int(c[2:]))
    rows = []
    for code in codes:
        o = [k for k in ours if k[2] == code]
        t = [k for k in theirs if k[2] == code]
        rows.append((code,) + compare(o, t))
    return rows


def table(title, rows, anchor="ShellCheck"):
    print(f"\n{title}\n")
    print(f"| code | matched | shell findings | {anchor} findings | {anchor}'s matched |")
    print("|---|---:|---:|---:|---:|")
    for code, matched, ours, theirs in rows:
        share = f"{100 * matched / theirs:.0f}%" if theirs else "-"
        print(f"| {code} | {matched} | {ours} | {theirs} | {share} |")


def main():
    findings = load_jsonl(sys.argv[1])
    scripts = load_jsonl(sys.argv[2])
    run_of_line = {}
    for script in scripts:
        lines = {script["first_line"]} | {a[1] for a in script["anchors"]}
        for line in lines:
            run_of_line[(script["file"], line)] = script["line"]
        run_of_line[(script["file"], script["line"])] = script["line"]
    shellcheck = run_shellcheck(scripts)
    sc_by_line = [(scripts[i]["file"], line_of(scripts[i], off), code) for i, off, code in shellcheck]
    sc_by_run = [(scripts[i]["file"], scripts[i]["line"], code) for i, off, code in shellcheck]
    ours_by_line = [(f["file"], f["line"], f["rule"]) for f in findings]
    ours_by_run = [(f["file"], run_of_line.get((f["file"], f["line"]), f["line"]), f["rule"]) for f in findings]

    print(f"{len(scripts)} RUN scripts in {len({s['file'] for s in scripts})} files")
    print(f"ShellCheck occurrences: {len(sc_by_line)}, shell findings: {len(ours_by_line)}")
    for label, ours, theirs in (
        ("by instruction", ours_by_run, sc_by_run),
        ("by line", ours_by_line, sc_by_line),
    ):
        ours, theirs = sorted(set(ours)), sorted(set(theirs))
        matched, o, t = compare(ours, theirs)
        print(
            f"{label}: ShellCheck {t} findings, shell {o}, matched {matched} "
            f"({100 * matched / max(t, 1):.1f}% of ShellCheck's, {100 * matched / max(o, 1):.1f}% of shell's)"
        )
        files_both = {k[0] for k in ours} & {k[0] for k in theirs}
        print(
            f"  files: both {len(files_both)}, only shell {len({k[0] for k in ours} - {k[0] for k in theirs})}, "
            f"only ShellCheck {len({k[0] for k in theirs} - {k[0] for k in ours})}"
        )
    table("By line, per code (distinct keys)", by_code(sorted(set(ours_by_line)), sorted(set(sc_by_line))))

    # SHOW=SC2086,SC2046: the disagreements of these codes, to read.
    for code in filter(None, os.environ.get("SHOW", "").split(",")):
        o = collections.Counter(k for k in set(ours_by_line) if k[2] == code)
        t = collections.Counter(k for k in set(sc_by_line) if k[2] == code)
        print(f"\n{code} only shell:", sorted((o - t).elements())[:40])
        print(f"{code} only ShellCheck:", sorted((t - o).elements())[:40])

    if len(sys.argv) > 3:
        hadolint = json.load(open(sys.argv[3]))
        theirs = [(h["file"], h["line"], h["code"]) for h in hadolint if h["code"].startswith("SC")]
        # hadolint reports a (code, message) once per RUN.
        matched, o, t = compare(set(ours_by_run), set(theirs))
        print(
            f"\nhadolint 2.15.1 (distinct file, RUN line, code): hadolint {t}, shell {o}, "
            f"matched {matched} ({100 * matched / max(t, 1):.1f}% of hadolint's)"
        )
        table("hadolint, per code (distinct keys)", by_code(list(set(ours_by_run)), list(set(theirs))), "hadolint")


if __name__ == "__main__":
    main()
