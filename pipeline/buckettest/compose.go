package buckettest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

func testCompose(t *testing.T, b bucket.Bucket) {
	put(t, b, "p/1", "hello, ")
	put(t, b, "p/2", "world")
	put(t, b, "p/empty", "")
	put(t, b, "p/odd +%?#ü", "!")
	tests := []struct {
		name  string
		dst   string
		parts []string
		want  string
	}{
		{"two parts", "out/two", []string{"p/1", "p/2"}, "hello, world"},
		{"one part", "out/one", []string{"p/2"}, "world"},
		{"repeated part", "out/repeat", []string{"p/2", "p/1", "p/2"}, "worldhello, world"},
		{"empty parts", "out/empties", []string{"p/empty", "p/1", "p/empty"}, "hello, "},
		{"only empty", "out/nothing", []string{"p/empty"}, ""},
		{"overwrites", "out/two", []string{"p/2", "p/2"}, "worldworld"},
		{"odd names", "out/odd +%?#ü", []string{"p/odd +%?#ü"}, "!"},
		{"odd names, two parts", "out/odd2", []string{"p/odd +%?#ü", "p/1"}, "!hello, "},
	}
	for _, tt := range tests {
		if err := b.Compose(t.Context(), tt.dst, tt.parts); err != nil {
			t.Errorf("%s: Compose(%q, %q): %v", tt.name, tt.dst, tt.parts, err)
			continue
		}
		if got := get(t, b, tt.dst); got != tt.want {
			t.Errorf("%s: composed %q = %q, want %q", tt.name, tt.dst, got, tt.want)
		}
	}
	// The parts are left in place.
	for key, want := range map[string]string{"p/1": "hello, ", "p/2": "world", "p/empty": ""} {
		if got := get(t, b, key); got != want {
			t.Errorf("part %q after Compose = %q, want %q", key, got, want)
		}
	}
	// A destination may be one of its own parts: the append pattern.
	put(t, b, "log", "a")
	for range 2 {
		if err := b.Compose(t.Context(), "log", []string{"log", "p/2"}); err != nil {
			t.Fatalf("Compose(log, [log p/2]): %v", err)
		}
	}
	if got := get(t, b, "log"); got != "aworldworld" {
		t.Errorf("appended log = %q, want %q", got, "aworldworld")
	}
	if err := b.Compose(t.Context(), "out/none", nil); err == nil {
		t.Error("Compose with no parts succeeded, want an error")
	}
}

// testComposeMany composes more parts than GCS accepts in one call (32).
func testComposeMany(t *testing.T, b bucket.Bucket) {
	var parts []string
	var want strings.Builder
	for i := range 40 {
		key := fmt.Sprintf("many/part-%02d", i)
		data := fmt.Sprintf("<%d:%s>", i, strings.Repeat("x", i))
		put(t, b, key, data)
		parts = append(parts, key)
		want.WriteString(data)
	}
	if err := b.Compose(t.Context(), "many/all", parts); err != nil {
		t.Fatalf("Compose 40 parts: %v", err)
	}
	if got := get(t, b, "many/all"); got != want.String() {
		t.Errorf("composed 40 parts = %q, want %q", got, want.String())
	}
	if keys := listKeys(t, b, ""); len(keys) != 41 {
		t.Errorf("after Compose, List = %d keys %q; want the 40 parts and the result only", len(keys), keys)
	}
}

// testComposeLarge mixes parts above and below S3's 5 mib minimum part size,
// which a provider may copy server-side or stream through. On S3, the first
// part is copied, the next three and 2 mib of the last are streamed as one
// part, and the rest of the last is copied.
func testComposeLarge(t *testing.T, b bucket.Bucket) {
	sizes := []int64{5 * mib, 1 << 10, 3 * mib, 7, 8 * mib}
	var parts []string
	var readers []io.Reader
	for i, size := range sizes {
		key := fmt.Sprintf("big/part %d+%%ü", i) // copy sources must be escaped
		if err := b.Put(t.Context(), key, gen(uint64(100+i), size)); err != nil {
			t.Fatalf("Put(%q): %v", key, err)
		}
		parts = append(parts, key)
		readers = append(readers, gen(uint64(100+i), size))
	}
	if err := b.Compose(t.Context(), "big/all", parts); err != nil {
		t.Fatalf("Compose: %v", err)
	}
	want, err := digestOf(io.MultiReader(readers...))
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Get(t.Context(), "big/all")
	if err != nil {
		t.Fatalf("Get(big/all): %v", err)
	}
	defer r.Close()
	if got, err := digestOf(r); err != nil || got != want {
		t.Errorf("composed big/all = %+v, %v; want %+v", got, err, want)
	}
}

func testComposeMissing(t *testing.T, b bucket.Bucket) {
	put(t, b, "have/1", "one")
	put(t, b, "dst", "old")
	for _, parts := range [][]string{
		{"have/1", "have/not"},
		{"have/not"},
		{"have/1", "have/1", "have/1", "have/not", "have/1"},
	} {
		err := b.Compose(t.Context(), "dst", parts)
		if !errors.Is(err, bucket.ErrNotExist) {
			t.Errorf("Compose(dst, %q) error = %v, want ErrNotExist", parts, err)
		} else if !strings.Contains(err.Error(), "have/not") {
			t.Errorf("Compose(dst, %q) error = %q, want it to name the missing part", parts, err)
		}
		if got := get(t, b, "dst"); got != "old" {
			t.Errorf("after failed Compose(dst, %q), dst = %q, want the old %q", parts, got, "old")
		}
	}
	if err := b.Compose(t.Context(), "new", []string{"have/1", "have/not"}); err == nil {
		t.Error("Compose(new, [have/1 have/not]) succeeded, want ErrNotExist")
	}
	wantNotExist(t, b, "new")
	if got := strings.Join(listKeys(t, b, ""), " "); got != "dst have/1" {
		t.Errorf("List after failed Composes = %q, want %q", got, "dst have/1")
	}
}
