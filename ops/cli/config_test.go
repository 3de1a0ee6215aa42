package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadConfigExample(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig("../examples/sightline.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Repos) != 1 || cfg.Repos[0].Path != root {
		t.Fatalf("repos = %+v, want one with path %s", cfg.Repos, root)
	}
	if cfg.Schedule["sync-repos"] != "@every 10m" {
		t.Fatalf("schedule = %v", cfg.Schedule)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, want string }{
		{"syntax", "repos: [", "yaml:"},
		{"unknown key", "repos:\n  - name: x\n    paht: /x\n", `line 3: unknown key "paht"`},
		{"no source", "repos:\n  - name: x\n", `repos[0]: repository "x": give a path`},
		{"empty file", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(path, nil)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("loadConfig: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("loadConfig = %v, want an error naming %s and containing %q", err, path, tt.want)
			}
		})
	}
	if _, err := loadConfig("/nonexistent/sightline.yaml", nil); err == nil || !strings.Contains(err.Error(), "/nonexistent/sightline.yaml") {
		t.Fatalf("missing file: %v", err)
	}
}
