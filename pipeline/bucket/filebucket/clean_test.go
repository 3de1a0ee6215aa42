package filebucket_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
)

// TestCleanTemp checks that CleanTemp removes the temporary files crashed
// writes left, and only those older than the cutoff.
func TestCleanTemp(t *testing.T) {
	t.Parallel()
	b := open(t)
	tmp := filepath.Join(rootOf(t, b), ".tmp-filebucket")
	now := time.Now()
	for name, age := range map[string]time.Duration{"write-old": 48 * time.Hour, "write-new": time.Minute} {
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	n, err := b.CleanTemp(t.Context(), now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("CleanTemp = %d, %v; want 1 file removed", n, err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "write-old")); !os.IsNotExist(err) {
		t.Errorf("write-old is still there (%v), want it removed", err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "write-new")); err != nil {
		t.Errorf("write-new: %v, want it kept", err)
	}
	os.Remove(filepath.Join(tmp, "write-new")) // open's cleanup wants the directory empty
}

// rootOf returns the directory of b.
func rootOf(t *testing.T, b *filebucket.Bucket) string {
	t.Helper()
	u := b.String()
	return filepath.FromSlash(u[len("file://"):])
}

// TestCleanTempConcurrent runs cleans side by side, as two prune runs
// can: each file is counted by the one clean that removed it.
func TestCleanTempConcurrent(t *testing.T) {
	t.Parallel()
	b := open(t)
	tmp := filepath.Join(rootOf(t, b), ".tmp-filebucket")
	const files, cleans = 1000, 4
	for i := range files {
		if err := os.WriteFile(filepath.Join(tmp, fmt.Sprint("write-", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	counts := make([]int, cleans)
	var wg sync.WaitGroup
	for c := range cleans {
		wg.Go(func() {
			n, err := b.CleanTemp(t.Context(), time.Now().Add(time.Hour))
			if err != nil {
				t.Error(err)
			}
			counts[c] = n
		})
	}
	wg.Wait()
	sum := 0
	for _, n := range counts {
		sum += n
	}
	if sum != files {
		t.Errorf("cleans counted %v removed files, %d in all; want %d", counts, sum, files)
	}
}
