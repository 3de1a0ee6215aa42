package main

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
)

// Module is the module the overlay patches.
const Module = "github.com/go-enry/go-enry/v2"

// standardSHA256 pins go-enry v2.9.6's regex/standard.go, which the overlay
// replaces whole: a different file may declare what the lazy version lacks.
const standardSHA256 = "4c2e72a09de1720c21440e913e0e183edd0e438f875e0c39ef740a2bb950788e"

//go:embed lazyregexp.go.tmpl
var lazyRegexp []byte

// A patch turns one go-enry file (its path relative to the module) into its
// lazy version, or says why the file does not have the shape it expects.
type patch struct {
	file  string
	apply func(src []byte) ([]byte, error)
}

// patches are the files the overlay replaces: the regexps (~600, compiled
// at init by go-enry) become lazy, and the classifier's 239,124 token
// frequencies are built on the first classification.
var patches = []patch{
	{"regex/standard.go", lazyStandard},
	{"classifier.go", lazyClassifier},
	{"data/frequencies.go", lazyFrequencies},
}

// lazyStandard replaces the RE2 regex constructors with lazy ones.
func lazyStandard(src []byte) ([]byte, error) {
	sum := sha256.Sum256(src)
	if got := hex.EncodeToString(sum[:]); got != standardSHA256 {
		return nil, fmt.Errorf("sha256 %s, want %s (go-enry v2.9.6's): compare it with ops/enry/lazyregexp.go.tmpl, "+
			"carry any change over, then update standardSHA256 in ops/enry/patches.go", got, standardSHA256)
	}
	return lazyRegexp, nil
}

// lazyClassifier makes the naive Bayes classifier read its token
// frequencies through data.TokensLogProbabilities(), now a function.
func lazyClassifier(src []byte) ([]byte, error) {
	return replaceEach(src, [][2]string{
		{"\ttokensLogProbabilities    map[string]map[string]float64\n",
			"\ttokensLogProbabilities    func() map[string]map[string]float64\n"},
		{"tokenProb, ok := c.tokensLogProbabilities[language][token]",
			"tokenProb, ok := c.tokensLogProbabilities()[language][token]"},
	})
}

const (
	frequenciesVar  = "\nvar TokensLogProbabilities = map[string]map[string]float64{\n"
	frequenciesNext = "\n}\n\nvar TokensTotal = "
	frequenciesFunc = `
var (
	tokensLogProbabilitiesOnce sync.Once
	tokensLogProbabilities     map[string]map[string]float64
)

// TokensLogProbabilities returns the classifier's token frequencies per
// language. sightline's build (ops/enry) builds them on first use rather
// than at package init: the literal has 239,124 entries. (go-enry's go.mod
// says go 1.14: no sync.OnceValue.)
func TokensLogProbabilities() map[string]map[string]float64 {
	tokensLogProbabilitiesOnce.Do(func() { tokensLogProbabilities = buildTokensLogProbabilities() })
	return tokensLogProbabilities
}

func buildTokensLogProbabilities() map[string]map[string]float64 {
	return map[string]map[string]float64{
`
)

// lazyFrequencies turns the TokensLogProbabilities map literal into a
// function run once, on the first classification.
func lazyFrequencies(src []byte) ([]byte, error) {
	if !bytes.HasPrefix(src, []byte("// Code generated")) || bytes.Contains(src, []byte("\nimport")) {
		return nil, fmt.Errorf("want a generated file without imports")
	}
	src, err := replaceEach(src, [][2]string{
		{"\npackage data\n", "\npackage data\n\nimport \"sync\"\n"},
		{frequenciesVar, frequenciesFunc},
	})
	if err != nil {
		return nil, err
	}
	// The literal ends at the first top-level closing brace after it, which
	// the next declaration (TokensTotal) must follow.
	start := bytes.Index(src, []byte(frequenciesFunc)) + len(frequenciesFunc)
	end := bytes.Index(src[start:], []byte("\n}\n"))
	if end < 0 || !bytes.HasPrefix(src[start+end:], []byte(frequenciesNext)) {
		return nil, fmt.Errorf("want the TokensLogProbabilities literal to be followed by %q", "var TokensTotal = ")
	}
	at := start + end + len("\n}\n")
	return append(src[:at:at], append([]byte("}\n"), src[at:]...)...), nil
}

// replaceEach replaces each old string, which must occur exactly once.
func replaceEach(src []byte, pairs [][2]string) ([]byte, error) {
	for _, p := range pairs {
		if n := bytes.Count(src, []byte(p[0])); n != 1 {
			return nil, fmt.Errorf("want %q once, found it %d times", p[0], n)
		}
		src = bytes.Replace(src, []byte(p[0]), []byte(p[1]), 1)
	}
	return src, nil
}
