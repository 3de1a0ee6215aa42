package enginetest

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

var smallParams = Params{Seed: 7, Commits: 300, Files: 40, Span: 30 * 24 * time.Hour,
	End: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// TestGenerate checks the repository's shape and that equal Params give the
// same commits.
func TestGenerate(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := Generate(t.Context(), dir, smallParams); err != nil {
			t.Fatal(err)
		}
	}
	if ha, hb := gitOut(t, a, "rev-parse", "main"), gitOut(t, b, "rev-parse", "main"); ha != hb {
		t.Errorf("HEAD differs between two generations: %s and %s", ha, hb)
	}
	if n := gitOut(t, a, "rev-list", "--count", "--first-parent", "HEAD"); n != "300" {
		t.Errorf("first-parent commits = %s, want 300", n)
	}
	if last := gitOut(t, a, "log", "-1", "--format=%ct"); last != "1704067200" {
		t.Errorf("last commit time = %s, want End (1704067200)", last)
	}
	if packs := gitOut(t, a, "count-objects", "-v"); !strings.Contains(packs, "count: 0\n") {
		t.Errorf("loose objects left after repack:\n%s", packs)
	}
	files := strings.Count(gitOut(t, a, "ls-tree", "-r", "--name-only", "HEAD"), "\n") + 1
	if files < 40 {
		t.Errorf("files at HEAD = %d, want at least 40", files)
	}
	checkPacked(t, a)
}

// checkPacked fails unless dir's pack is compressed and deltified as a
// served repository's is: fast-import writes the objects whole and
// uncompressed, so a repack that reused them would leave a pack twice
// as large.
func checkPacked(t *testing.T, dir string) {
	t.Helper()
	var objects int64
	for _, s := range strings.Fields(gitOut(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectsize)")) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		objects += n
	}
	var pack int64
	for _, line := range strings.Split(gitOut(t, dir, "count-objects", "-v"), "\n") {
		if v, ok := strings.CutPrefix(line, "size-pack: "); ok {
			kib, _ := strconv.ParseInt(v, 10, 64)
			pack = kib << 10
		}
	}
	bases := gitOut(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(deltabase)")
	deltas := len(strings.Fields(bases)) - strings.Count(bases, strings.Repeat("0", 40))
	// This generator's pack is about a 24th of the objects' bytes; with the
	// objects reused uncompressed it was a 12th.
	if deltas == 0 || pack == 0 || pack*16 > objects {
		t.Errorf("pack of %d bytes, %d deltas, for %d bytes of objects: want deltas and a pack under a 16th of the objects' bytes", pack, deltas, objects)
	}
}

// TestCached checks that a second call reuses the repository.
func TestCached(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	repo, generated, err := Cached(t.Context(), dir, smallParams)
	if err != nil || !generated {
		t.Fatalf("first Cached = %s, %t, %v; want a generated repository", repo, generated, err)
	}
	again, generated, err := Cached(t.Context(), dir, smallParams)
	if err != nil || generated || again != repo {
		t.Fatalf("second Cached = %s, %t, %v; want %s reused", again, generated, err, repo)
	}
}

func TestParamsCheck(t *testing.T) {
	t.Parallel()
	if err := Generate(t.Context(), t.TempDir(), Params{Commits: 10, Files: 1, Span: time.Second}); err == nil {
		t.Error("Generate with a span shorter than a second per commit: no error")
	}
}
