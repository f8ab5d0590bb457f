# Writes runs.txt from chosen.json and truth.json ({"path:line": [bash -n status, dash -n status]}).
# See ../README.md.
import json, re
truth = json.load(open('truth.json'))
chosen = json.load(open('chosen.json'))
SEP = r'(?:&&|\|\||;|\n|\|)'
def segments(s, pat):
    # text from each match of pat up to the next separator; a match that is
    # an argument (of xargs, or inside a quoted option) is not a command
    out = []
    for m in re.finditer(pat, s):
        if re.search(r'(xargs\s+(-\S+\s+)*|=")$', s[:m.start()]): continue
        rest = s[m.start():]
        end = re.search(r'&&|\|\||;|\n|(?<!\|)\|(?!\|)', rest)
        out.append(rest[:end.start()] if end else rest)
    return out
def flag_facts(s, pat, prog, sub, flag):
    segs = segments(s, pat)
    if not segs: return []
    if all(flag in g for g in segs): return [f'all {prog} {sub} has {flag}']
    return [f'some {prog} {sub} lacks {flag}']
cases = []
for i, c in enumerate(chosen):
    s = c['script']; key = f"{c['path']}:{c['line']}"
    facts = []
    facts.append('ok' if truth[key][0] == 0 else 'error')
    if truth[key][0] == 0:
        m = re.match(r'\s*(?:[A-Za-z_]\w*=\S*\s+)*([A-Za-z0-9_./-]+)(?=[\s;]|$)', s)
        if m and not s.lstrip().startswith(('#', '<<', '{', '(', 'if', 'for', 'while', 'case', '!')):
            facts.append(f'first {m.group(1).rsplit("/",1)[-1]}')
        facts += flag_facts(s, r'(?<![\w-])apt-get\s+(?:-\S+\s+)*install\b', 'apt-get', 'install', '--no-install-recommends')
        facts += flag_facts(s, r'(?<![\w-])apk\s+add\b', 'apk', 'add', '--no-cache')
        facts += flag_facts(s, r'(?<![\w-])pip3?\s+install\b', 'pip', 'install', '--no-cache-dir') if 'pip3 install' not in s else []
        n = len(re.findall(r'(?<![\w/.="-])apt-get\b', s))
        if n: facts.append(f'count apt-get {n}')
        for m in re.finditer(r'\b(curl|wget)\b[^|;&\n]*\|\s*(sh|bash)\b', s): facts.append(f'pipe {m.group(1)} {m.group(2)}')
        for m in re.finditer(r'(?<![\w-])(?:ba)?sh -\w*c\s+([\'"])\s*(?:set -\w+\s*;\s*)?([A-Za-z][\w.-]*)(?=[\s;\'"])', s):
            if m.group(2) not in ('for', 'if', 'while', 'case'): facts.append(f'nested {m.group(2)}')
        for m in re.finditer(r'(?<!\$)\$\(\s*([A-Za-z][\w.-]*)', s):
            if not m.group(1).startswith('NF'): facts.append(f'substitution {m.group(1)}')  # awk's $(NF-1) is in single quotes
        for m in re.finditer(r'`\s*([A-Za-z][\w.-]*)', s): facts.append(f'substitution {m.group(1)}')
        for m in re.finditer(r'(?:^|[;&|]\s*|\s)((?:CGO_ENABLED|GOOS|GOARCH|GOARM|DEBIAN_FRONTEND|GNUPGHOME|PIP_NO_CACHE_DIR)=[^\s\'"$;]+)\s+(?:[A-Z_]+=\S+\s+)*([A-Za-z][\w.-]*)(?=\s)', s): facts.append(f'assign {m.group(1)} {m.group(2)}')
        KEYWORDS = {'if', 'for', 'while', 'until', 'case', 'then', 'do', 'done', 'fi', 'local'}
        for m in re.finditer(r'\b(?:then|do)\s+([A-Za-z][\w.-]*)(?=[\s;])', s):
            if m.group(1) not in KEYWORDS: facts.append(f'command {m.group(1)}')
        if re.search(r'\bset\s+(-\w+\s+)*-o\s+pipefail', s): facts.append('args set pipefail')
    else:
        # A refused script is kept whole, named by its first word.
        facts.append(f'first {s.split()[0]}')
    # Facts the regexes above cannot see, written by hand.
    if "bash -Eeuo pipefail -xc 'ldd" in s: facts += ['nested ldd', 'args find -exec bash']
    if 'sh -c \'PS4="++ " && set -ux && echo' in s: facts += ['nested set', 'nested echo', 'count echo 1']
    if '| LC_ALL=C.UTF-8 sort -uf' in s: facts += ['pipe git sort', 'assign LC_ALL=C.UTF-8 sort']
    seen=set(); facts=[f for f in facts if not (f in seen or seen.add(f))]
    ident = f"{c['tag']}-{i+1:03d}"
    cases.append((ident, c, facts))
with open('../runs.txt', 'w') as out:
    out.write('''# Real RUN scripts from the corpus, with facts the splitter must find.
#
# Each case: "=== id", "source:" (repository, path, line of the RUN; every
# source is under a permissive licence: MIT, Apache-2.0 or BSD, see
# LICENSE-NOTE.txt), "expect:" facts, then the script between "--- script"
# and "--- end" exactly as BuildKit hands it to the shell (continuation
# lines joined, the escape and newline removed; for a heredoc RUN whose
# command is only the heredoc, its body; else the command line followed by
# the heredoc bodies and delimiters).
#
# Facts (NAME is a program's file name):
#   ok | error                       whether the script parses (as bash -n says)
#   first NAME                       the first command
#   command NAME / no-command NAME   some command / no command runs NAME
#   count NAME N                     N commands run NAME
#   all NAME SUB has FLAG            every NAME command with argument SUB has FLAG
#   some NAME SUB lacks FLAG         some NAME command with argument SUB lacks FLAG
#   args NAME ARG...                 some NAME command has every ARG (a word, or part of one)
#   pipe A B                         A pipes straight into B
#   assign VAR=VALUE NAME            NAME runs with that prefix assignment
#   substitution NAME                NAME runs inside $( ) or backquotes
#   nested NAME                      NAME runs inside sh -c / bash -c / bash <<EOF
''')
    for ident, c, facts in cases:
        out.write(f"\n=== {ident}\nsource: {c['repo']} {c['rpath']} line {c['line']}\n")
        for f in facts: out.write(f'expect: {f}\n')
        out.write('--- script\n' + c['script'] + '\n--- end\n')
print(len(cases))
