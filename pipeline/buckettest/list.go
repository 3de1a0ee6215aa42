package buckettest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// listObjects are written in an order unrelated to their lexical order,
// which the keys exercise: '-' < '.' < '/' sorts "a-c" and "a.txt" before
// the keys under "a/", which a directory walk would visit first.
var listObjects = map[string]string{
	"b":       "2",
	"a/c/d":   "4444",
	"ab":      "55555",
	"a.txt":   "1",
	"a/b":     "333",
	"a-c":     "22",
	"abc/def": "666666",
}

func testList(t *testing.T, b bucket.Bucket) {
	before := time.Now()
	for _, key := range []string{"b", "a/c/d", "ab", "a.txt", "a/b", "a-c", "abc/def"} {
		put(t, b, key, listObjects[key])
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a-c", "a.txt", "a/b", "a/c/d", "ab", "abc/def", "b"}},
		{"a", []string{"a-c", "a.txt", "a/b", "a/c/d", "ab", "abc/def"}},
		{"a/", []string{"a/b", "a/c/d"}},
		{"a/c", []string{"a/c/d"}},
		{"a/c/", []string{"a/c/d"}},
		{"ab", []string{"ab", "abc/def"}},
		{"abc/de", []string{"abc/def"}},
		{"b", []string{"b"}},
		{"a/b", []string{"a/b"}},
		{"a/b/", nil},
		{"c", nil},
		{"zzz/", nil},
		{"../", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, listKeys(t, b, tt.prefix)); diff != "" {
			t.Errorf("List(%q) keys (-want +got):\n%s", tt.prefix, diff)
		}
	}
	err := b.List(t.Context(), "", func(a bucket.Attrs) error {
		if want := int64(len(listObjects[a.Key])); a.Size != want {
			t.Errorf("List gave %q size %d, want %d", a.Key, a.Size, want)
		}
		checkModTime(t, a, before)
		return nil
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
}

func testListStops(t *testing.T, b bucket.Bucket) {
	for _, key := range []string{"k1", "k2", "k3", "k4"} {
		put(t, b, key, key)
	}
	stop := errors.New("stop here")
	var seen []string
	err := b.List(t.Context(), "k", func(a bucket.Attrs) error {
		seen = append(seen, a.Key)
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("List error = %v, want the callback's error", err)
	}
	if diff := cmp.Diff([]string{"k1", "k2"}, seen); diff != "" {
		t.Errorf("List kept calling back after an error (-want +got):\n%s", diff)
	}
}
