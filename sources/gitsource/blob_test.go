package gitsource_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// randomText returns n deterministic bytes of printable text and newlines.
func randomText(n int) string {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(' ' + rng.IntN(95))
		if rng.IntN(60) == 0 {
			b[i] = '\n'
		}
	}
	return string(b)
}

// blobRepo is a repository with the given files committed; it returns the
// open Repo and each path's blob id.
func blobRepo(t *testing.T, files map[string]string) (*gittest.Repo, *gitsource.Repo, map[string]string) {
	t.Helper()
	src := gittest.New(t)
	for path, content := range files {
		src.WriteFile(path, content)
	}
	src.Commit(t0, "files", nil)
	oids := map[string]string{}
	for path := range files {
		oids[path] = src.Git(time.Time{}, "rev-parse", "HEAD:"+path)
	}
	return src, open(t, src.Dir), oids
}

func TestReadBlob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := map[string]string{
		"small.txt": "hello\n",
		"empty":     "",
		"large.txt": randomText(3 << 20),
		"binary":    "\x00\x01\n\xff\x00\n",
		"no-eol":    "last line",
	}
	_, r, oids := blobRepo(t, files)
	for range 2 { // the second round reuses the process
		for path, want := range files {
			got, err := r.ReadBlob(ctx, oids[path])
			if err != nil || string(got) != want || got == nil {
				t.Errorf("ReadBlob(%s) = %d bytes, %v; want %d bytes", path, len(got), err, len(want))
			}
		}
	}
	if got, err := r.ReadBlob(ctx, "HEAD:small.txt"); err != nil || string(got) != files["small.txt"] {
		t.Errorf("ReadBlob(HEAD:small.txt) = %q, %v", got, err)
	}
	if n := len(gitsource.IdlePIDs(r)); n != 1 {
		t.Errorf("%d idle cat-file processes after sequential reads, want 1", n)
	}
}

func TestReadBlobMax(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := map[string]string{"small.txt": "hello\n", "large.txt": randomText(3 << 20)}
	_, r, oids := blobRepo(t, files)
	data, size, err := r.ReadBlobMax(ctx, oids["large.txt"], 1<<20)
	if err != nil || data != nil || size != 3<<20 {
		t.Fatalf("ReadBlobMax(large, 1 MiB) = %d bytes, size %d, %v; want nothing, size %d", len(data), size, err, 3<<20)
	}
	data, size, err = r.ReadBlobMax(ctx, oids["small.txt"], 6)
	if err != nil || string(data) != "hello\n" || size != 6 {
		t.Fatalf("ReadBlobMax(small, 6) = %q, %d, %v", data, size, err)
	}
}

func TestOpenBlobPartialRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := map[string]string{"a": randomText(100 << 10), "b": "b\n"}
	_, r, oids := blobRepo(t, files)
	b, err := r.OpenBlob(ctx, oids["a"])
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 10)
	if _, err := io.ReadFull(b, head); err != nil || b.Size() != 100<<10 || string(head) != files["a"][:10] {
		t.Fatalf("first bytes %q, size %d, %v", head, b.Size(), err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	pids := gitsource.IdlePIDs(r)
	if got, err := r.ReadBlob(ctx, oids["b"]); err != nil || string(got) != "b\n" {
		t.Fatalf("ReadBlob after a partial read = %q, %v", got, err)
	}
	if after := gitsource.IdlePIDs(r); fmt.Sprint(after) != fmt.Sprint(pids) {
		t.Errorf("cat-file processes %v became %v: a partial read broke the reader", pids, after)
	}
}

func TestReadBlobMissing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := map[string]string{"keep.txt": "keep\n", "lost.txt": "lost\n"}
	src, r, oids := blobRepo(t, files)
	// Damage the repository: remove the loose object of one blob.
	lost := oids["lost.txt"]
	if err := os.Remove(filepath.Join(src.Dir, ".git", "objects", lost[:2], lost[2:])); err != nil {
		t.Fatal(err)
	}
	madeUp := strings.Repeat("0123456789", 4)
	for _, oid := range []string{madeUp, lost, madeUp[:10]} {
		_, err := r.ReadBlob(ctx, oid)
		if !errors.Is(err, gitsource.ErrMissingObject) || !strings.Contains(err.Error(), oid) {
			t.Errorf("ReadBlob(%s) = %v, want ErrMissingObject naming the id", oid, err)
		}
		if got, err := r.ReadBlob(ctx, oids["keep.txt"]); err != nil || string(got) != "keep\n" {
			t.Errorf("ReadBlob after a missing object = %q, %v", got, err)
		}
	}
	if n := len(gitsource.IdlePIDs(r)); n != 1 {
		t.Errorf("%d idle cat-file processes, want 1: missing objects must not break the reader", n)
	}
	if tree, err := r.Tree(ctx, ""); err != nil || len(tree) != 2 {
		t.Errorf("Tree of a damaged repository = %v, %v; want both entries", tree, err)
	}
	tree, err := r.TreeWithSizes(ctx, "")
	if err != nil || len(tree) != 2 || tree[0].Size != 5 || tree[1].Size != -1 {
		t.Errorf("TreeWithSizes of a damaged repository = %+v, %v; want keep.txt of size 5, lost.txt of size -1", tree, err)
	}
}

func TestReadBlobNotABlob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, r, oids := blobRepo(t, map[string]string{"a": "a\n"})
	head := src.Git(time.Time{}, "rev-parse", "HEAD")
	if _, err := r.ReadBlob(ctx, head); err == nil || !strings.Contains(err.Error(), "commit") {
		t.Errorf("ReadBlob(commit) = %v, want an error saying it is a commit", err)
	}
	for _, bad := range []string{"", "a\nb"} {
		if _, err := r.ReadBlob(ctx, bad); err == nil {
			t.Errorf("ReadBlob(%q) succeeded", bad)
		}
	}
	if got, err := r.ReadBlob(ctx, oids["a"]); err != nil || string(got) != "a\n" {
		t.Errorf("ReadBlob after reading a commit = %q, %v", got, err)
	}
}

func TestReadBlobCancel(t *testing.T) {
	t.Parallel()
	files := map[string]string{"large": randomText(3 << 20), "small": "small\n"}
	_, r, oids := blobRepo(t, files)
	ctx, cancel := context.WithCancel(context.Background())
	b, err := r.OpenBlob(ctx, oids["large"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	cancel()
	// Pipes and buffers hold far less than 3 MiB: the kill must show.
	if _, err := io.ReadAll(b); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), oids["large"]) {
		t.Fatalf("read after cancel = %v, want context.Canceled naming the blob", err)
	}
	_ = b.Close()
	if _, err := r.ReadBlob(ctx, oids["small"]); !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadBlob(cancelled ctx) = %v, want context.Canceled", err)
	}
	if n := len(gitsource.IdlePIDs(r)); n != 0 {
		t.Fatalf("%d idle processes after cancellation, want the killed one gone", n)
	}
	got, err := r.ReadBlob(context.Background(), oids["small"])
	if err != nil || string(got) != "small\n" {
		t.Fatalf("ReadBlob after cancellation = %q, %v; want a restarted reader", got, err)
	}
}

func TestReadBlobRestartsDeadReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, r, oids := blobRepo(t, map[string]string{"a": "a\n"})
	if _, err := r.ReadBlob(ctx, oids["a"]); err != nil {
		t.Fatal(err)
	}
	pids := gitsource.IdlePIDs(r)
	if len(pids) != 1 {
		t.Fatalf("idle processes %v, want one", pids)
	}
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // let it die
	if got, err := r.ReadBlob(ctx, oids["a"]); err != nil || string(got) != "a\n" {
		t.Fatalf("ReadBlob after the reader died = %q, %v", got, err)
	}
	if after := gitsource.IdlePIDs(r); len(after) != 1 || after[0] == pids[0] {
		t.Fatalf("idle processes %v, want one new one", after)
	}
}

func TestReadBlobConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := map[string]string{}
	for i := range 20 {
		files[fmt.Sprintf("f%02d", i)] = randomText(1000 + i*5000)
	}
	src, _, oids := blobRepo(t, files)
	r, err := gitsource.OpenWith(ctx, src.Dir, gitsource.OpenOpts{Readers: 3})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for path, want := range files {
				got, err := r.ReadBlob(ctx, oids[path])
				if err != nil || !bytes.Equal(got, []byte(want)) {
					t.Errorf("ReadBlob(%s) = %d bytes, %v", path, len(got), err)
				}
			}
		})
	}
	wg.Wait()
	pids := gitsource.IdlePIDs(r)
	if len(pids) < 1 || len(pids) > 3 {
		t.Errorf("%d idle processes, want 1 to 3", len(pids))
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadBlob(ctx, oids["f00"]); !errors.Is(err, gitsource.ErrClosed) {
		t.Errorf("ReadBlob after Close = %v, want ErrClosed", err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("cat-file %d still running after Close", pid)
		}
	}
}
