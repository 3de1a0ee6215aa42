package gitsource_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
)

// blobResult is what a BlobFunc received for one blob.
type blobResult struct {
	data string
	nil  bool
	size int64
	err  error
}

// collect returns a BlobFunc recording what it receives in got.
func collect(got *[]blobResult) gitsource.BlobFunc {
	return func(i int, data []byte, size int64, err error) error {
		*got = append(*got, blobResult{data: string(data), nil: data == nil, size: size, err: err})
		return nil
	}
}

func TestReadBlobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := map[string]string{"a": "a\n", "empty": "", "large": randomText(3 << 20), "lost": "lost\n", "b": randomText(5000)}
	src, r, oids := blobRepo(t, files)
	lost := oids["lost"]
	if err := os.Remove(filepath.Join(src.Dir, ".git", "objects", lost[:2], lost[2:])); err != nil {
		t.Fatal(err)
	}
	head := src.Git(time.Time{}, "rev-parse", "HEAD")
	ids := []string{oids["a"], oids["empty"], oids["large"], lost, head, strings.Repeat("f", 40), oids["b"], oids["a"]}
	for _, limit := range []int64{1 << 20, 4 << 20} {
		var got []blobResult
		if err := r.ReadBlobs(ctx, ids, limit, collect(&got)); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ids) {
			t.Fatalf("limit %d: %d answers for %d ids", limit, len(got), len(ids))
		}
		for i, path := range []string{"a", "empty", "large"} {
			want := files[path]
			if path == "large" && limit < 3<<20 {
				want = ""
			}
			if g := got[i]; g.err != nil || g.data != want || g.size != int64(len(files[path])) || g.nil != (want != files[path]) {
				t.Errorf("limit %d: %s: got %d bytes (nil %v), size %d, %v", limit, path, len(g.data), g.nil, g.size, g.err)
			}
		}
		for _, i := range []int{3, 5} {
			if !errors.Is(got[i].err, gitsource.ErrMissingObject) || !strings.Contains(got[i].err.Error(), ids[i]) {
				t.Errorf("limit %d: blob %s: %v, want ErrMissingObject", limit, ids[i], got[i].err)
			}
		}
		if got[4].err == nil || !strings.Contains(got[4].err.Error(), "commit") {
			t.Errorf("limit %d: commit: %v, want an error", limit, got[4].err)
		}
		if got[6].data != files["b"] || got[7].data != "a\n" {
			t.Errorf("limit %d: blobs after the errors are wrong", limit)
		}
	}
	if n := len(gitsource.IdlePIDs(r)); n != 1 {
		t.Errorf("%d idle processes, want 1 still in step", n)
	}
}

// TestReadBlobsReusedBuffer reads through a cat-file process's reused
// content buffer: an empty blob first is empty, not nil (too large), and
// contents after a large blob are whole.
func TestReadBlobsReusedBuffer(t *testing.T) {
	t.Parallel()
	files := map[string]string{"empty": "", "a": "a\n", "large": randomText(3 << 20), "b": randomText(200 << 10)}
	_, r, oids := blobRepo(t, files)
	for _, ids := range [][]string{{"empty", "a"}, {"b", "large", "a"}, {"empty", "b"}} {
		var got []blobResult
		oidsOf := make([]string, len(ids))
		for i, name := range ids {
			oidsOf[i] = oids[name]
		}
		if err := r.ReadBlobs(context.Background(), oidsOf, 4<<20, collect(&got)); err != nil {
			t.Fatal(err)
		}
		for i, name := range ids {
			if got[i].err != nil || got[i].nil || got[i].data != files[name] {
				t.Errorf("%v: %s: got %d bytes (nil %v), %v", ids, name, len(got[i].data), got[i].nil, got[i].err)
			}
		}
	}
}

func TestReadBlobsStop(t *testing.T) {
	t.Parallel()
	files := map[string]string{"a": "a\n", "b": "b\n", "large": randomText(3 << 20)}
	_, r, oids := blobRepo(t, files)
	ids := slices.Repeat([]string{oids["a"], oids["large"], oids["b"]}, 100)
	stop := errors.New("stop")
	calls := 0
	err := r.ReadBlobs(context.Background(), ids, 4<<20, func(int, []byte, int64, error) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("ReadBlobs = %v after %d calls, want fn's error after 1", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	err = r.ReadBlobs(ctx, ids, 4<<20, func(int, []byte, int64, error) error {
		if calls++; calls == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls >= len(ids) {
		t.Fatalf("ReadBlobs = %v after %d calls, want context.Canceled early", err, calls)
	}
	var got []blobResult
	if err := r.ReadBlobs(context.Background(), []string{oids["b"]}, 10, collect(&got)); err != nil || got[0].data != "b\n" {
		t.Fatalf("ReadBlobs after stops = %v, %v", got, err)
	}
}

func TestReadBlobsRestartsDeadReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, r, oids := blobRepo(t, map[string]string{"a": "a\n"})
	if _, err := r.ReadBlob(ctx, oids["a"]); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(gitsource.IdlePIDs(r)[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	var got []blobResult
	if err := r.ReadBlobs(ctx, []string{oids["a"]}, 10, collect(&got)); err != nil || got[0].data != "a\n" {
		t.Fatalf("ReadBlobs after the reader died = %v, %v", got, err)
	}
}
