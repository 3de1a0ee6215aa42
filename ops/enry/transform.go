package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ModFile is the name of the go.mod Transform writes in its directory, for
// `go build -modfile`.
const ModFile = "go.mod"

// skipDirs are go-enry's directories no sightline build compiles: the
// generator (with an 11.8 MB golden copy of the frequencies), benchmarks,
// the Java and Python bindings and the command.
var skipDirs = map[string]bool{
	"internal/code-generator": true, "benchmarks": true, "java": true, "python": true, "cmd": true,
}

// ModuleDir returns go-enry's directory in the module cache, as the
// current module requires it.
func ModuleDir() (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module)
	// A -modfile in GOFLAGS (make test's) may not exist yet, and would
	// name the lazy copy rather than the module cache.
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w: %s", Module, err, strings.TrimSpace(stderr.String()))
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s: the module is not downloaded: run `go mod download` first", Module)
	}
	return dir, nil
}

// Transform writes into outDir a copy of go-enry (from enryDir, its
// module directory) with the lazy versions of the files it patches, and
// outDir/go.mod: the main module's go.mod (from modDir) with a replace
// directive pointing go-enry at that copy, beside a copy of its go.sum. It
// returns go.mod's absolute path, for `go build -modfile`.
//
// The copy's directory is named for go-enry's version, and each file is
// replaced through a rename only when its content changes, so a build
// reading the copy while Transform runs again sees whole files, and keeps
// its build cache; so Transform may run while builds use its output. On
// error no go.mod is left in outDir, so a build cannot pick up a stale one.
//
// (A `go build -overlay` cannot do this: the go command refuses overlays of
// files in the module cache.)
func Transform(enryDir, modDir, outDir string) (string, error) {
	outDir, err := filepath.Abs(outDir)
	if err != nil {
		return "", err
	}
	modFile := filepath.Join(outDir, ModFile)
	if err := transform(enryDir, modDir, outDir); err != nil {
		if rerr := os.Remove(modFile); rerr != nil && !os.IsNotExist(rerr) {
			return "", fmt.Errorf("%w (and remove the previous %s: %v)", err, modFile, rerr)
		}
		return "", err
	}
	return modFile, nil
}

// transform is Transform but for the removal of go.mod on error.
func transform(enryDir, modDir, outDir string) error {
	_, version, _ := strings.Cut(filepath.Base(enryDir), "@") // v2@v2.9.6 in the module cache
	copyDir := filepath.Join(outDir, "go-enry@"+cmp.Or(version, "dev"))
	patched := map[string]patch{}
	for _, p := range patches {
		patched[p.file] = p
	}
	if err := copyModule(enryDir, copyDir, patched); err != nil {
		return err
	}
	jsonDir, err := writeGoJSON(outDir)
	if err != nil {
		return err
	}
	return writeModFile(modDir, outDir, map[string]string{Module: copyDir, GoJSON: jsonDir})
}

// copyModule copies go-enry's files that builds compile from src to dst,
// through their patches when they have one.
func copyModule(src, dst string, patched map[string]patch) error {
	seen := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("copy %s: %w", Module, err)
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := d.Name()
		switch {
		case d.IsDir() && rel != "." && (skipDirs[rel] || name == "testdata" || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, filepath.FromSlash(rel)), 0o755)
		case !d.Type().IsRegular() || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "."):
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("copy %s: %w", Module, err)
		}
		if pt, ok := patched[rel]; ok {
			seen++
			if b, err = pt.apply(b); err != nil {
				return fmt.Errorf("go-enry's %s (%s) does not have the shape ops/enry expects: %w; "+
					"after a go-enry upgrade, update ops/enry/patches.go (or build without it: plain `go build`)", rel, p, err)
			}
		}
		return writeIfChanged(filepath.Join(dst, filepath.FromSlash(rel)), b)
	})
	if err == nil && seen != len(patched) {
		err = fmt.Errorf("%s (%s) lacks some of the files ops/enry patches (%d of %d found): "+
			"after a go-enry upgrade, update ops/enry/patches.go", Module, src, seen, len(patched))
	}
	return err
}

// writeModFile writes outDir/go.mod and go.sum: modDir's, with each module
// of replaces replaced by its directory. go.mod is written last, through a
// rename.
func writeModFile(modDir, outDir string, replaces map[string]string) error {
	mod, err := os.ReadFile(filepath.Join(modDir, "go.mod"))
	if err != nil {
		return fmt.Errorf("read the main module's go.mod: %w", err)
	}
	mods := slices.Sorted(maps.Keys(replaces))
	for _, m := range mods {
		if bytes.Contains(mod, []byte("replace "+m)) || bytes.Contains(mod, []byte("\n\t"+m+" =>")) {
			return fmt.Errorf("%s already replaces %s: remove that replace directive, or build without ops/enry", path.Join(modDir, "go.mod"), m)
		}
	}
	sum, err := os.ReadFile(filepath.Join(modDir, "go.sum"))
	if err != nil {
		return fmt.Errorf("read the main module's go.sum: %w", err)
	}
	if err := writeIfChanged(filepath.Join(outDir, "go.sum"), sum); err != nil {
		return err
	}
	mod = append(mod, "\n// Written by ops/enry: go-enry with lazy init, goccy/go-json on encoding/json.\n"...)
	for _, m := range mods {
		mod = fmt.Appendf(mod, "replace %s => %s\n", m, replaces[m])
	}
	return writeIfChanged(filepath.Join(outDir, ModFile), mod)
}

// writeIfChanged writes b to path through a temporary file and a rename,
// unless path already holds b.
func writeIfChanged(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
