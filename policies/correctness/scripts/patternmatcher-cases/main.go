// Writes the cases of tests/patternmatcher.rs: random .dockerignore files
// and paths, with what moby/patternmatcher (the matcher BuildKit uses) says
// of each, as JSON lines. A fixed seed keeps the output stable.
//
//	cd policies/correctness/scripts/patternmatcher-cases
//	GOFLAGS=-mod=mod go run . > ../../tests/data/patternmatcher-cases.jsonl
//
// The committed cases were made with v0.6.1 (5a6d842) and Go 1.19.
package main

import (
	"encoding/json"
	"math/rand"
	"os"
	pathpkg "path"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

var names = []string{"a", "b", "src", "docs", "node_modules", ".git", ".env", "x.md", "y.go", "README.md", "main_test.go", "a.b"}
var parts = []string{"*", "**", "?", "*.md", "*.go", "[a-c]", "[^a]*", "x*", "*_test.go", ".*", "a?b", "**.md"}

func component(r *rand.Rand) string {
	if r.Intn(3) == 0 {
		return parts[r.Intn(len(parts))]
	}
	return names[r.Intn(len(names))]
}

func pattern(r *rand.Rand) string {
	n := 1 + r.Intn(3)
	out := make([]string, n)
	for i := range out {
		out[i] = component(r)
	}
	p := strings.Join(out, "/")
	switch r.Intn(8) {
	case 0:
		p = "/" + p
	case 1:
		p = "./" + p
	case 2:
		p += "/"
	}
	if r.Intn(4) == 0 {
		p = "!" + p
	}
	return p
}

func path(r *rand.Rand) string {
	n := 1 + r.Intn(4)
	out := make([]string, n)
	for i := range out {
		out[i] = names[r.Intn(len(names))]
	}
	return strings.Join(out, "/")
}

// A path the pattern may well match: its wildcards filled in, sometimes
// with more below it.
func pathFrom(r *rand.Rand, line string) string {
	p := strings.TrimLeft(strings.TrimPrefix(line, "!"), "./")
	p = strings.NewReplacer("**", names[r.Intn(len(names))], "[^a]", "b", "[a-c]", "c", "*", "", "?", "a").Replace(p)
	// BuildKit cleans a COPY source before matching it.
	p = strings.Trim(pathpkg.Clean("/"+p), "/")
	if p == "" || strings.HasPrefix(p, ".") && len(p) == 1 {
		p = names[r.Intn(len(names))]
	}
	if r.Intn(2) == 0 {
		p += "/" + names[r.Intn(len(names))]
	}
	return p
}

type entry struct {
	Patterns []string `json:"patterns"`
	Path     string   `json:"path"`
	Excluded bool     `json:"excluded"`
}

func main() {
	r := rand.New(rand.NewSource(18))
	encoder := json.NewEncoder(os.Stdout)
	for written := 0; written < 3000; {
		lines := make([]string, 1+r.Intn(4))
		for i := range lines {
			lines[i] = pattern(r)
		}
		cleaned, err := ignorefile.ReadAll(strings.NewReader(strings.Join(lines, "\n")))
		if err != nil {
			continue
		}
		matcher, err := patternmatcher.New(cleaned)
		if err != nil {
			continue
		}
		p := path(r)
		if r.Intn(2) == 0 {
			p = pathFrom(r, lines[r.Intn(len(lines))])
		}
		excluded, err := matcher.MatchesOrParentMatches(p)
		if err != nil {
			continue
		}
		if err := encoder.Encode(entry{lines, p, excluded}); err != nil {
			os.Exit(1)
		}
		written++
	}
}
