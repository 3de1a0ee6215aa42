package gitsource_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
)

// parallelRepo is a repository of 60 files of 1 byte to 100 KiB, and a list
// of 300 ids over them, with a missing blob and a commit among them.
func parallelRepo(t *testing.T) (r *gitsource.Repo, ids []string, want []string) {
	t.Helper()
	files := map[string]string{}
	for i := range 60 {
		files[fmt.Sprintf("f%02d", i)] = randomText(1 + (i*i*97)%(100<<10))
	}
	src, r, oids := blobRepo(t, files)
	head := src.Git(time.Time{}, "rev-parse", "HEAD")
	for i := range 300 {
		switch i {
		case 37:
			ids, want = append(ids, strings.Repeat("e", 40)), append(want, "missing")
		case 211:
			ids, want = append(ids, head), append(want, "commit")
		default:
			name := fmt.Sprintf("f%02d", (i*7)%60)
			ids, want = append(ids, oids[name]), append(want, files[name])
		}
	}
	return r, ids, want
}

// TestReadBlobsParallel reads every blob once, over both of the Repo's
// cat-file processes, with each blob's own error for a missing object and
// for a commit.
func TestReadBlobsParallel(t *testing.T) {
	t.Parallel()
	r, ids, want := parallelRepo(t)
	got := make([]blobResult, len(ids))
	calls := make([]atomic.Int32, len(ids))
	err := r.ReadBlobsParallel(context.Background(), ids, 1<<20, func(i int, data []byte, size int64, err error) error {
		calls[i].Add(1)
		got[i] = blobResult{data: string(data), nil: data == nil, size: size, err: err}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ids {
		switch g := got[i]; {
		case calls[i].Load() != 1:
			t.Errorf("blob %d: %d calls, want 1", i, calls[i].Load())
		case want[i] == "missing":
			if !errors.Is(g.err, gitsource.ErrMissingObject) {
				t.Errorf("blob %d (missing): %v, want ErrMissingObject", i, g.err)
			}
		case want[i] == "commit":
			if g.err == nil || !strings.Contains(g.err.Error(), "commit") {
				t.Errorf("blob %d (a commit): %v, want an error", i, g.err)
			}
		case g.err != nil || g.data != want[i] || g.size != int64(len(want[i])):
			t.Errorf("blob %d: got %d bytes, size %d, %v; want %d bytes", i, len(g.data), g.size, g.err, len(want[i]))
		}
	}
	if n := len(gitsource.IdlePIDs(r)); n != 2 {
		t.Errorf("%d idle cat-file processes after the read, want both (2) used and in step", n)
	}
}

// TestReadBlobsParallelStop stops every process at fn's first error and at
// cancellation, and leaves the Repo usable.
func TestReadBlobsParallelStop(t *testing.T) {
	t.Parallel()
	r, ids, _ := parallelRepo(t)
	stop := errors.New("stop")
	var calls atomic.Int32
	err := r.ReadBlobsParallel(context.Background(), ids, 1<<20, func(int, []byte, int64, error) error {
		calls.Add(1)
		return stop
	})
	if !errors.Is(err, stop) || calls.Load() > 2 {
		t.Fatalf("ReadBlobsParallel = %v after %d calls, want fn's error after at most one per process", err, calls.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls.Store(0)
	err = r.ReadBlobsParallel(ctx, ids, 1<<20, func(int, []byte, int64, error) error {
		if calls.Add(1) == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || int(calls.Load()) >= len(ids) {
		t.Fatalf("ReadBlobsParallel = %v after %d calls, want context.Canceled early", err, calls.Load())
	}
	var mu sync.Mutex
	n := 0
	err = r.ReadBlobsParallel(context.Background(), ids, 1<<20, func(int, []byte, int64, error) error {
		mu.Lock()
		defer mu.Unlock()
		n++
		return nil
	})
	if err != nil || n != len(ids) {
		t.Fatalf("ReadBlobsParallel after stops = %d calls, %v; want %d", n, err, len(ids))
	}
}

// TestReadBlobsParallelRestartsDeadReaders starts new processes for idle
// ones that died.
func TestReadBlobsParallelRestartsDeadReaders(t *testing.T) {
	t.Parallel()
	r, ids, _ := parallelRepo(t)
	noop := func(int, []byte, int64, error) error { return nil }
	if err := r.ReadBlobsParallel(context.Background(), ids, 1<<20, noop); err != nil {
		t.Fatal(err)
	}
	pids := gitsource.IdlePIDs(r)
	if len(pids) != 2 {
		t.Fatalf("%d idle processes, want 2", len(pids))
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(10 * time.Millisecond)
	if err := r.ReadBlobsParallel(context.Background(), ids, 1<<20, noop); err != nil {
		t.Fatalf("ReadBlobsParallel after the readers died: %v", err)
	}
}
