package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTransformRejectsChangedShape changes one of go-enry's files the way a
// new version might, and wants Transform to fail naming the file and what
// to do, leaving no go.mod (even one from an earlier, successful run).
func TestTransformRejectsChangedShape(t *testing.T) {
	t.Parallel()
	enryDir, err := ModuleDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, old, new string
	}{
		{"regex engine changed", "regex/standard.go", "func QuoteMeta", "func Quote"},
		{"classifier field renamed", "classifier.go", "tokensLogProbabilities    map", "tokenLogProbabilities    map"},
		{"classifier reads frequencies elsewhere", "classifier.go", "c.tokensLogProbabilities[language][token]", "c.probs(language, token)"},
		{"frequencies renamed", "data/frequencies.go", "var TokensLogProbabilities = ", "var TokenLogProbabilities = "},
		{"frequencies followed by something else", "data/frequencies.go", "\nvar TokensTotal = ", "\nvar TokensCount = "},
		{"frequencies literal reshaped", "data/frequencies.go", "\t\"1C Enterprise\": map[string]float64{\n", "\t\"1C Enterprise\": {\n"},
		{"frequencies import something", "data/frequencies.go", "\npackage data\n", "\npackage data\n\nimport \"math\"\n"},
		{"language infos renamed", "data/languageInfo.go", "\nvar LanguageInfoByID = map", "\nvar LanguageInfos = map"},
		{"language infos import something", "data/languageInfo.go", "\npackage data\n", "\npackage data\n\nimport \"sort\"\n"},
		{"language infos followed by something", "data/languageInfo.go", "\n\t\tLanguageID:     0,\n\t},\n", "\n\t\tLanguageID:     0,\n\t},\n}\n\nvar X = map[int]LanguageInfo{\n"},
		{"language infos read elsewhere", "common.go", "data.LanguageInfoByID[id]", "data.LanguageInfoByID[id+0]"},
		{"file gone", "classifier.go", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src, out := filepath.Join(t.TempDir(), "v2@v9.9.9"), t.TempDir()
			if err := copyModule(enryDir, src, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := Transform(src, repoRoot, out); err != nil {
				t.Fatalf("Transform of an unchanged copy: %v", err)
			}
			path := filepath.Join(src, filepath.FromSlash(tc.file))
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.old == "" {
				err = os.Remove(path)
			} else if !bytes.Contains(b, []byte(tc.old)) {
				t.Fatalf("%s has no %q", tc.file, tc.old)
			} else {
				err = os.WriteFile(path, bytes.Replace(b, []byte(tc.old), []byte(tc.new), 1), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = Transform(src, repoRoot, out)
			if err == nil {
				t.Fatalf("Transform accepted a %s with %q instead of %q", tc.file, tc.new, tc.old)
			}
			for _, want := range []string{tc.file, "ops/enry/patches.go"} {
				if tc.old == "" && want == tc.file {
					continue // a missing file is named by count only
				}
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			if _, serr := os.Stat(filepath.Join(out, ModFile)); !os.IsNotExist(serr) {
				t.Errorf("after the error %q, %s is left in the build directory (stat: %v)", err, ModFile, serr)
			}
		})
	}
}

// TestTransformRefusesReplacedModule wants Transform to refuse a go.mod that
// already replaces go-enry, rather than write a second replace directive.
func TestTransformRefusesReplacedModule(t *testing.T) {
	t.Parallel()
	enryDir, err := ModuleDir()
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	modDir := t.TempDir()
	mod = append(mod, "\nreplace "+Module+" => ../go-enry\n"...)
	for name, b := range map[string][]byte{"go.mod": mod, "go.sum": nil} {
		if err := os.WriteFile(filepath.Join(modDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = Transform(enryDir, modDir, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "already replaces "+Module) {
		t.Fatalf("Transform with a go.mod replacing go-enry: %v, want an error saying so", err)
	}
}

// TestRunUsage wants usage errors to exit 2, saying what is expected.
func TestRunUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"extra"}, {"-bogus"}, {"-out", ""}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("enry %q: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "usage") && !strings.Contains(stderr.String(), "Usage") {
			t.Errorf("enry %q: stderr %q does not show the usage", args, stderr.String())
		}
	}
}
