package search

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// benchCorpusSize is how much source text the benchmarks scan.
const benchCorpusSize = 64 << 20

// benchCorpus returns real source text: the .go files of Go's standard
// library in path order (repeated if needed) up to benchCorpusSize bytes,
// as files.
var benchCorpus = sync.OnceValues(func() ([][]byte, error) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, err
	}
	root := filepath.Join(strings.TrimSpace(string(goroot)), "src")
	var files [][]byte
	total := 0
	for total < benchCorpusSize {
		before := total
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || total >= benchCorpusSize {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil || len(b) > DefaultMaxFileSize {
				return err
			}
			files = append(files, b)
			total += len(b)
			return nil
		})
		if err != nil || total == before {
			return nil, err
		}
	}
	return files, nil
})

func corpus(b *testing.B) (files [][]byte, size int64) {
	b.Helper()
	files, err := benchCorpus()
	if err != nil || len(files) == 0 {
		b.Skipf("no Go sources under GOROOT: %v", err)
	}
	for _, f := range files {
		size += int64(len(f))
	}
	return files, size
}

// benchQuery runs MatchContent over the corpus, file by file, as a caller
// would, and reports the scanning speed and the total match count.
func benchQuery(b *testing.B, q *Query) {
	files, size := corpus(b)
	b.SetBytes(size)
	matches := 0
	for b.Loop() {
		matches = 0
		for _, f := range files {
			matches += q.MatchContent(f, MatchOpts{}).Matches
		}
	}
	b.ReportMetric(float64(matches), "matches")
}

// BenchmarkLiteral scans ~64 MiB of Go sources for literals with few
// matches. The target is at least 1000 MB/s.
func BenchmarkLiteral(b *testing.B) {
	for _, query := range []string{
		"case:yes NewReplacer",
		"NewReplacer",
		"case:yes errShortWrite",
		"errshortwrite",
		"case:yes return nil, err", // a common anchor-free literal, many matches
	} {
		b.Run(query, func(b *testing.B) { benchQuery(b, mustParse(b, query)) })
	}
}

// BenchmarkRegexp scans the corpus for regexps with a literal prefilter.
func BenchmarkRegexp(b *testing.B) {
	for _, query := range []string{
		`case:yes /\w+Replacer\b/`,
		`/func \(\w+ \*?Replacer\)/`,
		`/(?:TODO|FIXME)\((\w+)\)/`,
	} {
		b.Run(query, func(b *testing.B) { benchQuery(b, mustParse(b, query)) })
	}
}

// BenchmarkRegexpNoPrefilter scans for the same regexps with the literal
// prefilter disabled: candidate lines come from the line-local regexp run
// over each file. It shows what the prefilter saves.
func BenchmarkRegexpNoPrefilter(b *testing.B) {
	for _, query := range []string{
		`case:yes /\w+Replacer\b/`,
		`/func \(\w+ \*?Replacer\)/`,
		`/(?:TODO|FIXME)\((\w+)\)/`,
		`case:yes /[A-Z]{6}\d/`, // no literal at all
	} {
		b.Run(query, func(b *testing.B) {
			q := mustParse(b, query)
			q.m.(*regexpMatcher).pre = nil
			benchQuery(b, q)
		})
	}
}
