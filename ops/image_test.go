package ops_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction: its keyword and the rest.
type instruction struct{ cmd, args string }

// dockerfileStages splits ../Dockerfile into its build stages, joining
// continued lines and dropping comments.
func dockerfileStages(t *testing.T) [][]instruction {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatalf("the image needs a Dockerfile at the repository root: %v", err)
	}
	var stages [][]instruction
	text := regexp.MustCompile(`\\\n`).ReplaceAllString(string(b), " ")
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	return stages
}

func has(stage []instruction, cmd string, re string) bool {
	return slices.ContainsFunc(stage, func(in instruction) bool {
		return in.cmd == cmd && regexp.MustCompile(re).MatchString(in.args)
	})
}

// TestDockerfile checks the image's shape: a Go builder stage that builds
// a static binary, then a runtime with git and CA certificates that runs
// the binary as a non-root user.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	stages := dockerfileStages(t)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stage(s), want a builder and a runtime", len(stages))
	}
	build, run := stages[0], stages[len(stages)-1]
	for _, c := range []struct {
		stage    []instruction
		cmd, re  string
		describe string
	}{
		{build, "FROM", `^golang:\S+ AS build$`, "the first stage is FROM golang:… AS build"},
		{build, "RUN", `\bCGO_ENABLED=0 go build\b.* -o /out/sightline \.$`, "the builder builds a static binary (CGO_ENABLED=0)"},
		{build, "RUN", `\bgo run \./ops/enry -out \S+\s+&&\s+CGO_ENABLED=0 go build -modfile=\S+/go\.mod -tags=disable_grpc_modules\b`,
			"the builder builds with ops/enry's go.mod and its BuildTags, as make build does"},
		{run, "RUN", `apt-get install .*\bgit\b`, "the runtime installs git"},
		{run, "RUN", `apt-get install .*\bca-certificates\b`, "the runtime installs CA certificates"},
		{run, "COPY", `^--from=build /out/sightline /usr/local/bin/sightline$`, "the runtime copies the binary from the builder"},
		{run, "USER", `^[1-9][0-9]*(:[1-9][0-9]*)?$`, "the runtime runs as a numeric non-root user (runAsNonRoot can check it)"},
		{run, "ENTRYPOINT", `^\["/usr/local/bin/sightline"\]$`, "the entrypoint is the binary, so manifests pass only args"},
	} {
		if !has(c.stage, c.cmd, c.re) {
			t.Errorf("Dockerfile: want %s (%s matching %s)", c.describe, c.cmd, c.re)
		}
	}
}

// TestImageWithoutEngine runs `make image` where no container engine runs
// and wants a failure that says so, rather than a shell's "not found".
func TestImageWithoutEngine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, fakeDocker, want string
	}{
		{"none installed", "", "make image: no container engine: install docker or podman"},
		{"daemon down", "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n",
			"docker is installed but 'docker info' fails (is its daemon or service running?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bin := pathWith(t, "make", "bash", "sh")
			if tc.fakeDocker != "" {
				if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(tc.fakeDocker), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command("make", "--no-print-directory", "image")
			cmd.Dir = ".."
			cmd.Env = append(os.Environ(), "PATH="+bin)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("make image succeeded without a container engine:\n%s", out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("make image said:\n%s\nwant it to say %q", out, tc.want)
			}
		})
	}
}

// pathWith returns a directory holding links to the named programs only.
func pathWith(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			t.Fatalf("make image's test needs %s: %v", n, err)
		}
		if err := os.Symlink(p, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
