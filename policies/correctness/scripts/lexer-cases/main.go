// Writes the cases of tests/lexer.rs: random words as they appear in ENV,
// LABEL, COPY... arguments, with the variables BuildKit's lexer
// (frontend/dockerfile/shell, the package its UndefinedVar check reads)
// looks up and finds unset in an empty environment, as JSON lines. Words
// the lexer refuses are left out. A fixed seed keeps the output stable.
//
// The package lives inside BuildKit's module; to run this, place a copy of
// moby/buildkit's frontend/dockerfile/shell (at 73ed6825 for the committed
// cases) where the import path below resolves, e.g. with a go.mod
// `replace` to a checkout:
//
//	GOFLAGS=-mod=mod go run . > ../../tests/data/lexer-cases.jsonl
package main

import (
	"encoding/json"
	"math/rand"
	"os"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

var pieces = []string{
	"$A", "${B}", "${C:-x}", "${D:+$D:}", "'$E'", "\"$F\"", "\"a $G b\"", `\$H`,
	"${I%.*}", "$$", "$1", "${J:-$K}", "x", "/", ":", "${L/a/b}", "é", "$M_1",
	"${N?err}", "${O:?}", "$P-q", "${Q#*/}", "\"'$R'\"", "'\"$S\"'", "$Té", "${U+y}",
	"$", "a=b", "${V:-${W}}", "${X##*.}", "$Y:$Z",
}

type entry struct {
	Word      string   `json:"word"`
	Unmatched []string `json:"unmatched"`
}

type empty struct{}

func (empty) Get(string) (string, bool) { return "", false }
func (empty) Keys() []string            { return nil }

func main() {
	r := rand.New(rand.NewSource(18))
	lex := shell.NewLex('\\')
	encoder := json.NewEncoder(os.Stdout)
	for written := 0; written < 2000; {
		n := 1 + r.Intn(4)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = pieces[r.Intn(len(pieces))]
		}
		word := strings.Join(parts, "")
		result, err := lex.ProcessWordWithMatches(word, empty{})
		if err != nil {
			continue
		}
		names := make([]string, 0, len(result.Unmatched))
		for name := range result.Unmatched {
			names = append(names, name)
		}
		sort.Strings(names)
		if err := encoder.Encode(entry{word, names}); err != nil {
			os.Exit(1)
		}
		written++
	}
}
