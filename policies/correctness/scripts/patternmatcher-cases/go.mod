module patternmatcher-cases

go 1.19

// The version BuildKit uses (moby/buildkit go.mod, August 2026). Without a
// module proxy: go mod edit -replace github.com/moby/patternmatcher=<checkout>
require github.com/moby/patternmatcher v0.6.1
