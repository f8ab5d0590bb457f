# Picks RUN scripts from the corpus for runs.txt (see ../README.md).
# Inputs: runs.jsonl, one {path, line, script} per shell-form RUN of
# buildkit-dump.jsonl; writes chosen.json.
import json, re, random, collections
random.seed(7)
man = {}
for line in open('/work/shared/corpus/manifest.tsv'):
    f = line.rstrip('\n').split('\t')
    if f[0] == 'file': continue
    man[f[0]] = (f[1].replace('+', '/', 1), f[2])
runs = [json.loads(l) for l in open('runs.jsonl')]
seen = set(); chosen = []
def take(pred, n, tag):
    cands = [r for r in runs if pred(r['script']) and r['script'] not in seen]
    random.shuffle(cands)
    got = 0
    for r in cands:
        if got >= n: break
        # prefer distinct repos
        seen.add(r['script']); chosen.append((tag, r)); got += 1
s_ = lambda p: (lambda s: re.search(p, s) is not None)
take(lambda s: 'apt-get install' in s and '--no-install-recommends' in s and len(s) > 300, 14, 'apt-nir')
take(lambda s: 'apt-get install' in s and '--no-install-recommends' not in s, 12, 'apt-plain')
take(lambda s: s.lstrip().startswith('set -eux') and len(s) > 600, 14, 'set-eux')
take(s_(r'\bif \[|\bif !'), 12, 'if')
take(s_(r'\bfor \w+ in\b'), 8, 'for')
take(s_(r'\bcase\b.*\besac\b'), 6, 'case')
take(s_(r'\$\('), 14, 'subst')
take(lambda s: '`' in s and 'powershell' not in s.lower() and '$ErrorActionPreference' not in s, 6, 'backtick')
take(s_(r'\|\s*(ba|z)?sh\b'), 10, 'pipe-sh')
take(s_(r'\b(ba)?sh -\w*c\b'), 10, 'sh-c')
take(s_(r'\bsu(do)? .*-c\b'), 3, 'su-c')
take(lambda s: '\n' in s, 10, 'multiline')
take(s_(r'\bCGO_ENABLED=|\bGOOS=|\w+=\S+ (go|make|npm|pip) '), 8, 'assign')
take(s_(r'\bapk add\b'), 6, 'apk')
take(s_(r'\bpip3? install\b'), 6, 'pip')
take(s_(r'\bnpm (install|ci)\b|\byarn\b'), 4, 'npm')
take(s_(r'\bset -o pipefail|pipefail'), 4, 'pipefail')
take(lambda s: len(s) < 40, 8, 'short')
# refused ones: PowerShell, cmd, a template
take(lambda s: '$ErrorActionPreference' in s, 2, 'powershell')
take(s_(r'\{\{'), 1, 'template')
print(len(chosen), collections.Counter(t for t, _ in chosen))
json.dump([{'tag': t, **r, 'repo': man[r['path']][0], 'rpath': man[r['path']][1]} for t, r in chosen], open('chosen.json', 'w'))
