package main

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
)

// Module is the module ops/enry rewrites.
const Module = "github.com/go-enry/go-enry/v2"

// standardSHA256 pins go-enry v2.9.6's regex/standard.go, which the lazy build
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

// patches are the files the lazy build changes: the regexps (~600, compiled
// at init by go-enry) are compiled on first use, the classifier's 239,124
// token frequencies are built one language at a time, when a
// classification first needs that language, and the LanguageInfo map on
// the first GetLanguageInfo.
var patches = []patch{
	{"regex/standard.go", lazyStandard},
	{"classifier.go", lazyClassifier},
	{"data/frequencies.go", lazyFrequencies},
	{"data/languageInfo.go", lazyLanguageInfo},
	{"common.go", lazyLanguageInfoCaller},
}

// languageInfoVar opens data/languageInfo.go's map: 734 LanguageInfo
// structs (270 KB of the data package's init, for GetLanguageInfo alone).
const languageInfoVar = "\nvar LanguageInfoByID = map[int]LanguageInfo{\n"

// lazyLanguageInfo makes data.LanguageInfoByID a function that builds the
// map on its first call. (go-enry's go.mod says go 1.14: sync.Once, not
// sync.OnceValue.)
func lazyLanguageInfo(src []byte) ([]byte, error) {
	if bytes.Contains(src, []byte("\nimport")) {
		return nil, fmt.Errorf("want no import declaration")
	}
	if !bytes.HasSuffix(src, []byte("\n}\n")) || bytes.Count(src, []byte(languageInfoVar)) != 1 ||
		bytes.Contains(src[bytes.Index(src, []byte(languageInfoVar))+len(languageInfoVar):], []byte("\n}\n\n")) {
		return nil, fmt.Errorf("want the file to end with the literal %q … }", languageInfoVar)
	}
	src, err := replaceEach(src, [][2]string{
		{"\npackage data\n", "\npackage data\n\nimport \"sync\"\n"},
		{languageInfoVar, "\nvar languageInfoByID struct {\n\tonce sync.Once\n\tm    map[int]LanguageInfo\n}\n\n" +
			"// LanguageInfoByID returns the LanguageInfo of each language ID, built on the first call.\n" +
			"func LanguageInfoByID() map[int]LanguageInfo {\n" +
			"\tlanguageInfoByID.once.Do(func() { languageInfoByID.m = newLanguageInfoByID() })\n" +
			"\treturn languageInfoByID.m\n}\n\n" +
			"func newLanguageInfoByID() map[int]LanguageInfo {\n\treturn map[int]LanguageInfo{\n"},
	})
	if err != nil {
		return nil, err
	}
	return append(src, "}\n"...), nil // closes newLanguageInfoByID
}

// lazyLanguageInfoCaller makes GetLanguageInfoByID call data.LanguageInfoByID.
func lazyLanguageInfoCaller(src []byte) ([]byte, error) {
	b, err := replaceEach(src, [][2]string{{"data.LanguageInfoByID[id]", "data.LanguageInfoByID()[id]"}})
	if err == nil && bytes.Contains(b, []byte("data.LanguageInfoByID[")) {
		err = fmt.Errorf("want data.LanguageInfoByID indexed once")
	}
	return b, err
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

// lazyClassifier makes the naive Bayes classifier read a language's token
// frequencies through data.TokensLogProbabilities(language), now a
// function.
func lazyClassifier(src []byte) ([]byte, error) {
	return replaceEach(src, [][2]string{
		{"\ttokensLogProbabilities    map[string]map[string]float64\n",
			"\ttokensLogProbabilities    func(language string) map[string]float64\n"},
		{"tokenProb, ok := c.tokensLogProbabilities[language][token]",
			"tokenProb, ok := c.tokensLogProbabilities(language)[token]"},
		// One look-up of the language's map per file, not per token; the
		// sum is the same, in the same order.
		{"\tfor _, token := range tokens {\n\t\tsum += c.tokenProbability(token, language)\n\t}\n",
			"\tprobs := c.tokensLogProbabilities(language)\n\tfor _, token := range tokens {\n" +
				"\t\ttokenProb, ok := probs[token]\n\t\tif !ok {\n\t\t\ttokenProb = math.Log(1.000000 / c.tokensTotal)\n\t\t}\n" +
				"\t\tsum += tokenProb\n\t}\n"},
	})
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
