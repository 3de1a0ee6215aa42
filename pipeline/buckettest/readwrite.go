package buckettest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

func testPutGet(t *testing.T, b bucket.Bucket) {
	tests := []struct {
		name, key, data string
	}{
		{"empty", "empty", ""},
		{"small", "small.txt", "hello, bucket"},
		{"nested", "runs/sync-repos/0001/batch.arrow", "nested key"},
		{"odd characters", "odd/sp ace+plus%pct&amp=eq?q#h~t.ü", "odd"},
		{"binary", "bin", "\x00\xff\x01\n\r\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			put(t, b, tt.key, tt.data)
			if got := get(t, b, tt.key); got != tt.data {
				t.Errorf("Get(%q) = %q, want %q", tt.key, got, tt.data)
			}
		})
	}
}

// testPutLarge streams an object larger than any provider's single-request
// or buffer size from a generator, so it cannot pass by luck of buffering.
func testPutLarge(t *testing.T, b bucket.Bucket) {
	const size = 17*mib + 3
	if err := b.Put(t.Context(), "large", gen(1, size)); err != nil {
		t.Fatalf("Put(large): %v", err)
	}
	r, err := b.Get(t.Context(), "large")
	if err != nil {
		t.Fatalf("Get(large): %v", err)
	}
	defer r.Close()
	got, err := digestOf(r)
	if err != nil {
		t.Fatalf("Get(large): read: %v", err)
	}
	if want := genDigest(t, 1, size); got != want {
		t.Errorf("Get(large) = %+v, want %+v", got, want)
	}
	if a, err := b.Stat(t.Context(), "large"); err != nil || a.Size != size {
		t.Errorf("Stat(large) = %+v, %v; want size %d", a, err, size)
	}
}

func testOverwrite(t *testing.T, b bucket.Bucket) {
	put(t, b, "k", "first version, longer")
	put(t, b, "k", "second")
	if got := get(t, b, "k"); got != "second" {
		t.Errorf("Get after overwrite = %q, want %q", got, "second")
	}
	if a, err := b.Stat(t.Context(), "k"); err != nil || a.Size != int64(len("second")) {
		t.Errorf("Stat after overwrite = %+v, %v; want size %d", a, err, len("second"))
	}
}

func testGetRange(t *testing.T, b bucket.Bucket) {
	const data = "0123456789"
	put(t, b, "digits", data)
	put(t, b, "empty", "")
	tests := []struct {
		key            string
		offset, length int64
		want           string
	}{
		{"digits", 0, 3, "012"},
		{"digits", 4, 3, "456"},
		{"digits", 7, -1, "789"},
		{"digits", 0, -1, data},
		{"digits", 0, 10, data},
		{"digits", 8, 10, "89"},
		{"digits", 9, 1, "9"},
		{"digits", 3, 0, ""},
		{"digits", 10, 5, ""},
		{"digits", 10, -1, ""},
		{"digits", 25, -1, ""},
		{"empty", 0, -1, ""},
		{"empty", 0, 5, ""},
	}
	for _, tt := range tests {
		what := fmt.Sprintf("GetRange(%s, %d, %d)", tt.key, tt.offset, tt.length)
		got := readAll(t, what, func() (io.ReadCloser, error) {
			return b.GetRange(t.Context(), tt.key, tt.offset, tt.length)
		})
		if got != tt.want {
			t.Errorf("%s = %q, want %q", what, got, tt.want)
		}
	}
	for _, length := range []int64{-1, 0, 4} {
		r, err := b.GetRange(t.Context(), "missing", 2, length)
		if err == nil {
			r.Close()
		}
		if !errors.Is(err, bucket.ErrNotExist) {
			t.Errorf("GetRange(missing, 2, %d) error = %v, want ErrNotExist", length, err)
		}
	}
}

func testNotExist(t *testing.T, b bucket.Bucket) {
	wantNotExist(t, b, "missing")
	wantNotExist(t, b, "missing/nested/key")
	put(t, b, "dir/obj", "x")
	// "dir" is only a prefix of "dir/obj", not an object.
	wantNotExist(t, b, "dir")
	wantNotExist(t, b, "dir/obj/below")
}

func testStat(t *testing.T, b bucket.Bucket) {
	before := time.Now()
	put(t, b, "a/stat-me", "twelve bytes")
	a, err := b.Stat(t.Context(), "a/stat-me")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if a.Key != "a/stat-me" || a.Size != 12 {
		t.Errorf("Stat = %+v, want key %q, size 12", a, "a/stat-me")
	}
	checkModTime(t, a, before)
}

// checkModTime checks that a was written around now, allowing for clock
// skew and providers that keep whole seconds.
func checkModTime(t *testing.T, a bucket.Attrs, before time.Time) {
	t.Helper()
	const slack = 5 * time.Minute
	if a.ModTime.Before(before.Add(-slack)) || a.ModTime.After(time.Now().Add(slack)) {
		t.Errorf("%q ModTime = %v, want about %v", a.Key, a.ModTime, before)
	}
}

func testDelete(t *testing.T, b bucket.Bucket) {
	put(t, b, "doomed/obj", "bye")
	put(t, b, "doomed/sibling", "stays")
	for i := range 2 { // the second Delete finds nothing: still no error
		if err := b.Delete(t.Context(), "doomed/obj"); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	wantNotExist(t, b, "doomed/obj")
	if err := b.Delete(t.Context(), "never/existed"); err != nil {
		t.Errorf("Delete(never/existed) = %v, want nil", err)
	}
	if got := strings.Join(listKeys(t, b, ""), " "); got != "doomed/sibling" {
		t.Errorf("List after Delete = %q, want %q", got, "doomed/sibling")
	}
	if got := get(t, b, "doomed/sibling"); got != "stays" {
		t.Errorf("Get(doomed/sibling) = %q, want %q", got, "stays")
	}
	if err := b.Delete(t.Context(), "doomed/sibling"); err != nil {
		t.Fatalf("Delete(doomed/sibling): %v", err)
	}
	if keys := listKeys(t, b, ""); len(keys) != 0 {
		t.Errorf("List after deleting everything = %q, want nothing", keys)
	}
	// With nothing under "doomed/" left, "doomed" can be an object again
	// even in a provider that keeps directories.
	put(t, b, "doomed", "reborn")
	if got := get(t, b, "doomed"); got != "reborn" {
		t.Errorf("Get(doomed) = %q, want %q", got, "reborn")
	}
}
