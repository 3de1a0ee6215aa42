package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
)

const (
	frequenciesVar  = "\nvar TokensLogProbabilities = map[string]map[string]float64{\n"
	frequenciesNext = "}\n\nvar TokensTotal = "
)

// A frequencies literal's lines: a language's map opening, a language with
// an empty map, a map closing, a token's entry.
var (
	langOpen  = regexp.MustCompile(`^\t("(?:[^"\\]|\\.)*"): map\[string\]float64\{$`)
	langEmpty = regexp.MustCompile(`^\t("(?:[^"\\]|\\.)*"): map\[string\]float64\{\},$`)
)

// lazyFrequencies replaces the TokensLogProbabilities literal (a map of
// 734 languages' token maps, 239,124 entries, built at init) with one
// function per language and TokensLogProbabilities(language), which builds
// a language's map on its first use: classifying a .h file builds C's,
// C++'s and Objective-C's maps only.
func lazyFrequencies(src []byte) ([]byte, error) {
	if !bytes.HasPrefix(src, []byte("// Code generated")) || bytes.Contains(src, []byte("\nimport")) {
		return nil, fmt.Errorf("want a generated file without imports")
	}
	start := bytes.Index(src, []byte(frequenciesVar))
	if start < 0 || bytes.Count(src, []byte(frequenciesVar)) != 1 {
		return nil, fmt.Errorf("want %q once", frequenciesVar)
	}
	body := src[start+len(frequenciesVar):]
	end := bytes.Index(body, []byte("\n"+frequenciesNext))
	if end < 0 {
		return nil, fmt.Errorf("want the TokensLogProbabilities literal to be followed by %q", "var TokensTotal = ")
	}
	langs, builders, err := splitLanguages(body[:end+1])
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	head := src[:start+1]
	if bytes.Count(head, []byte("\npackage data\n")) != 1 {
		return nil, fmt.Errorf("want one %q before TokensLogProbabilities", "package data")
	}
	out.Write(bytes.Replace(head, []byte("\npackage data\n"), []byte("\npackage data\n\nimport \"sync\"\n"), 1))
	writeAccessor(&out, langs)
	out.Write(builders)
	out.Write(body[end+1+len("}\n"):])
	return out.Bytes(), nil
}

// splitLanguages turns the literal's lines into one builder function per
// language, and returns the languages' quoted names in order.
func splitLanguages(body []byte) (langs []string, builders []byte, err error) {
	var out bytes.Buffer
	open := false
	for i, line := range bytes.SplitAfter(body, []byte("\n")) {
		l := bytes.TrimSuffix(line, []byte("\n"))
		switch m, e := langOpen.FindSubmatch(l), langEmpty.FindSubmatch(l); {
		case len(l) == 0 && i > 0:
		case !open && m != nil:
			fmt.Fprintf(&out, "\nfunc tokensLogProbabilities%d() map[string]float64 {\n\treturn map[string]float64{\n", len(langs))
			langs, open = append(langs, string(m[1])), true
		case !open && e != nil:
			fmt.Fprintf(&out, "\nfunc tokensLogProbabilities%d() map[string]float64 { return map[string]float64{} }\n", len(langs))
			langs = append(langs, string(e[1]))
		case open && bytes.Equal(l, []byte("\t},")):
			out.WriteString("\t}\n}\n")
			open = false
		case open && bytes.HasPrefix(l, []byte("\t\t\"")):
			out.Write(line)
		default:
			return nil, nil, fmt.Errorf("TokensLogProbabilities literal, line %d: unexpected %q", i+1, l)
		}
	}
	if open || len(langs) == 0 {
		return nil, nil, fmt.Errorf("TokensLogProbabilities literal: want languages' maps, each closed")
	}
	for _, q := range langs {
		if _, err := strconv.Unquote(q); err != nil {
			return nil, nil, fmt.Errorf("TokensLogProbabilities literal: language %s: %v", q, err)
		}
	}
	return langs, out.Bytes(), nil
}

// writeAccessor writes TokensLogProbabilities(language), its once-per-
// language state and the switch from a language to its builder.
func writeAccessor(out *bytes.Buffer, langs []string) {
	fmt.Fprintf(out, `
// TokensLogProbabilities returns the classifier's token frequencies for a
// language (nil if it has none). sightline's lazy build of go-enry
// (ops/enry) builds each language's map on its first use instead of all
// 239,124 entries at package init.
func TokensLogProbabilities(language string) map[string]float64 {
	i := tokensLogProbabilitiesIndex(language)
	if i < 0 {
		return nil
	}
	tokensLogProbabilitiesOnce[i].Do(func() { tokensLogProbabilitiesMaps[i] = tokensLogProbabilitiesBuilders[i]() })
	return tokensLogProbabilitiesMaps[i]
}

var (
	tokensLogProbabilitiesOnce [%[1]d]sync.Once
	tokensLogProbabilitiesMaps [%[1]d]map[string]float64
)

var tokensLogProbabilitiesBuilders = [%[1]d]func() map[string]float64{
`, len(langs))
	for i := range langs {
		fmt.Fprintf(out, "\ttokensLogProbabilities%d,\n", i)
	}
	out.WriteString("}\n\nfunc tokensLogProbabilitiesIndex(language string) int {\n\tswitch language {\n")
	for i, q := range langs {
		fmt.Fprintf(out, "\tcase %s:\n\t\treturn %d\n", q, i)
	}
	out.WriteString("\t}\n\treturn -1\n}\n")
}
