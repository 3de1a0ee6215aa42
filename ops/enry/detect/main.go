// Command detect prints go-enry's answers, and sightline's language
// decisions built on them, for every file under the given directories: one
// line per file, paths relative to their directory, in walk order. The
// ops/enry tests build it twice, against go-enry as published and against
// the lazy build, and want the same output. It is not part of sightline.
//
// Usage:
//
//	detect [-exclude GLOB] [-max-size N] DIR...
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-enry/go-enry/v2"

	"github.com/sightline-dev/sightline/sources/search"
)

// maxBytes caps what is read of a file, as sightline's language usage
// never classifies more than a blob.
const maxBytes = 1 << 20

// exclude and maxSize choose the files: base names matching exclude, and
// files larger than maxSize, are skipped.
var (
	exclude = flag.String("exclude", "", "skip files whose base name matches this `glob`")
	maxSize = flag.Int64("max-size", 0, "skip files larger than `N` bytes (0: none)")
)

func main() {
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: detect [-exclude GLOB] [-max-size N] DIR...")
		os.Exit(2)
	}
	if _, err := filepath.Match(*exclude, ""); err != nil {
		fmt.Fprintf(os.Stderr, "detect: -exclude %q: %v\n", *exclude, err)
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	for _, root := range flag.Args() {
		if err := walk(w, root); err != nil {
			fmt.Fprintf(os.Stderr, "detect: %v\n", err)
			os.Exit(1)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "detect: %v\n", err)
		os.Exit(1)
	}
}

// walk prints one line per regular file under root.
func walk(w *bufio.Writer, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || skip(d) {
			return err
		}
		content, err := readHead(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, describe(filepath.ToSlash(rel), content))
		return err
	})
}

// skip reports whether the flags leave a file out.
func skip(d fs.DirEntry) bool {
	if ok, _ := filepath.Match(*exclude, d.Name()); ok && *exclude != "" {
		return true
	}
	info, err := d.Info()
	return *maxSize > 0 && err == nil && info.Size() > *maxSize
}

// readHead reads at most maxBytes of a file.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, maxBytes)
	n, err := f.Read(b)
	if n == 0 && err != nil {
		return nil, nil // empty file: io.EOF
	}
	return b[:n], nil
}

// describe is one file's line: every strategy's answer, the checks, and
// sightline's decisions. Rankings give their first language and the sorted
// set: go-enry orders equal scores by map iteration, at random.
func describe(path string, content []byte) string {
	ext := enry.GetLanguagesByExtension(path, content, nil)
	stat, counted := search.FileLangStat(path, content, search.LangOpts{})
	fields := []string{
		path,
		"lang=" + enry.GetLanguage(path, content),
		"langs=" + ranking(enry.GetLanguages(path, content)),
		"modeline=" + list(enry.GetLanguagesByModeline(path, content, nil)),
		"filename=" + list(enry.GetLanguagesByFilename(path, content, nil)),
		"shebang=" + list(enry.GetLanguagesByShebang(path, content, nil)),
		"ext=" + list(ext),
		"xml=" + list(enry.GetLanguagesByXML(path, content, nil)),
		"content=" + list(enry.GetLanguagesByContent(path, content, ext)),
		"classifier=" + ranking(classify(path, content, ext)),
		fmt.Sprintf("vendor=%t generated=%t doc=%t test=%t config=%t dot=%t image=%t binary=%t",
			enry.IsVendor(path), enry.IsGenerated(path, content), enry.IsDocumentation(path),
			enry.IsTest(path), enry.IsConfiguration(path), enry.IsDotFile(path), enry.IsImage(path), enry.IsBinary(content)),
		"sightline=" + search.Language(path, content),
		fmt.Sprintf("stat=%t/%s/%d/%d", counted, stat.Lang, stat.Lines, stat.Bytes),
		"info=" + info(enry.GetLanguage(path, content)),
	}
	return strings.Join(fields, "\t")
}

// classify runs the classifier where sightline would: on the candidates
// of an extension shared by several languages.
func classify(path string, content []byte, ext []string) []string {
	if len(ext) < 2 {
		return nil
	}
	return enry.GetLanguagesByClassifier(path, content, ext)
}

func list(langs []string) string { return strings.Join(langs, ",") }

// ranking is the classifier's first language and its sorted candidates.
func ranking(langs []string) string {
	if len(langs) == 0 {
		return ""
	}
	sorted := slices.Sorted(slices.Values(langs))
	return langs[0] + "|" + list(sorted)
}

// info is go-enry's LanguageInfo of lang, every field.
func info(lang string) string {
	i, err := enry.GetLanguageInfo(lang)
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%+v", i)
}
