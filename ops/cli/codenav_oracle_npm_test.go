package cli_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCodenavOracleNPM is TestCodenavOracle on larger, real projects: the
// TypeScript sources (src/**/*.ts) of the npm packages named in
// SIGHTLINE_ORACLE_NPM (space-separated specs, e.g. "rxjs@7.8.1
// immer@10.0.3"), fetched with npm pack and indexed with gen-lsif
// ($GEN_LSIF, else ../shared/tools/gen-lsif) at test time, compared at
// SIGHTLINE_ORACLE_N positions each (default 300). It is opt-in: indexing
// a package of a few hundred files takes minutes.
func TestCodenavOracleNPM(t *testing.T) {
	specs := strings.Fields(os.Getenv("SIGHTLINE_ORACLE_NPM"))
	if len(specs) == 0 {
		t.Skip("opt-in: set SIGHTLINE_ORACLE_NPM to npm package specs, e.g. SIGHTLINE_ORACLE_NPM=rxjs@7.8.1")
	}
	n := 300
	if v := os.Getenv("SIGHTLINE_ORACLE_N"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil {
			t.Fatalf("SIGHTLINE_ORACLE_N=%q: want a number of positions", v)
		}
	}
	for _, spec := range specs {
		t.Run(spec, func(t *testing.T) {
			project := npmProject(t, spec)
			dump := filepath.Join(t.TempDir(), "dump.lsif")
			gen := os.Getenv("GEN_LSIF")
			if gen == "" {
				gen = filepath.Join("..", "..", "..", "shared", "tools", "gen-lsif")
			}
			run(t, "", gen, project, dump, filepath.Join(project, "tsconfig.sightline.json"))
			compareWithOracle(t, project, dump, n, nil, navDifferenceBounds)
		})
	}
}

// npmProject fetches the npm package spec and returns a directory holding
// its src/ with a tsconfig.sightline.json that includes src/**/*.ts.
func npmProject(t *testing.T, spec string) string {
	t.Helper()
	dir := t.TempDir()
	out := run(t, dir, "npm", "pack", "--silent", spec)
	tgz := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	run(t, dir, "tar", "xzf", tgz)
	project := filepath.Join(dir, "package")
	if _, err := os.Stat(filepath.Join(project, "src")); err != nil {
		t.Fatalf("npm package %s has no src/ with TypeScript sources: %v", spec, err)
	}
	const tsconfig = `{"compilerOptions": {"target": "es2019", "module": "commonjs", "moduleResolution": "node",
 "lib": ["es2019", "dom"], "strict": false, "noEmit": true, "skipLibCheck": true}, "include": ["src/**/*.ts"]}
`
	if err := os.WriteFile(filepath.Join(project, "tsconfig.sightline.json"), []byte(tsconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return project
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
