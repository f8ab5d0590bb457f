"""Run hadolint over every corpus file in batches of 200, cache as one JSON array.

Each element is hadolint's own JSON finding ({code, column, file, level, line, message}),
with `file` the corpus file name (relative to corpus/dockerfiles). Written atomically.
"""
import json, os, subprocess, sys, tempfile
corpus = "/work/shared/corpus/dockerfiles"
out = "/work/hadolint-corpus.json"
if os.path.exists(out):
    print("exists, reusing", out); sys.exit(0)
files = sorted(os.listdir(corpus))
results = []
for i in range(0, len(files), 200):
    batch = files[i:i+200]
    p = subprocess.run(["hadolint", "--no-fail", "-f", "json", *batch], cwd=corpus,
                       capture_output=True, text=True)
    try:
        results.extend(json.loads(p.stdout))
    except json.JSONDecodeError:
        print("batch", i, "bad output:", p.stdout[:200], p.stderr[:500], file=sys.stderr)
        sys.exit(1)
    print(i + len(batch), "files", len(results), "findings", flush=True)
fd, tmp = tempfile.mkstemp(dir="/work", prefix=".hadolint-corpus.", suffix=".json")
with os.fdopen(fd, "w") as f:
    json.dump(results, f)
if os.path.exists(out):
    os.unlink(tmp); print("another run wrote it first; kept theirs")
else:
    os.rename(tmp, out); print("wrote", out, len(results))
