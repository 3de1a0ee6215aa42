package engine

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/sources/search"
)

// TestNoCache checks that a cache of budget NoCache keeps nothing.
func TestNoCache(t *testing.T) {
	c := NewCache(NoCache)
	c.put("a", "q", fileValue{res: search.FileResult{Matches: 1}})
	if _, ok := c.get("a", "q"); ok {
		t.Errorf("NoCache returned a value")
	}
	if st := c.Stats(); st.Entries != 0 || st.Misses != 1 {
		t.Errorf("NoCache stats %+v: want no entries, 1 miss", st)
	}
}

// TestCacheKeys checks that a blob's values are kept per key, that object
// ids are told apart by every byte and by their length, and that what is
// not an object id is neither found nor kept.
func TestCacheKeys(t *testing.T) {
	sha1 := "0123456789abcdef0123456789abcdef01234567"
	sha1b := "0123456789abcdef0123456789abcdef01234568"
	sha256 := sha1 + "000000000000000000000000"
	c := NewCache(0)
	for i, k := range []struct{ oid, key string }{{sha1, "q1"}, {sha1, "q2"}, {sha1b, "q1"}, {sha256, "q1"}, {"not-an-oid", "q1"}} {
		c.put(k.oid, k.key, fileValue{res: search.FileResult{Matches: i + 1}})
	}
	c.put(sha1, "q1", fileValue{res: search.FileResult{Matches: 99}}) // kept: the first value stays
	for _, tc := range []struct {
		oid, key string
		want     int // 0: a miss
	}{
		{sha1, "q1", 1}, {sha1, "q2", 2}, {sha1b, "q1", 3}, {sha256, "q1", 4},
		{sha1, "q3", 0}, {sha1b, "q2", 0}, {"not-an-oid", "q1", 0}, {"0123456789ABCDEF0123456789ABCDEF01234567", "q2", 2},
	} {
		v, ok := c.get(tc.oid, tc.key)
		if got := map[bool]int{true: v.res.Matches}[ok]; got != tc.want {
			t.Errorf("get(%s, %s) = %d (found %t), want %d", tc.oid, tc.key, got, ok, tc.want)
		}
	}
	if st := c.Stats(); st.Entries != 4 || st.Hits != 5 || st.Misses != 3 {
		t.Errorf("stats %+v: want 4 entries, 5 hits, 3 misses", st)
	}
}

// TestCacheEvicts checks that the least recently used blob goes first,
// with all its values, once the budget is passed, and that a hit makes a
// blob recent.
func TestCacheEvicts(t *testing.T) {
	oid := func(i int) string { return fmt.Sprintf("%040x", i) }
	v := fileValue{res: search.FileResult{Matches: 1}}
	one := v.size() + len("q1") + keyedValueBytes
	c := NewCache(3*blobEntryBytes + 6*one) // three blobs of two values
	for i := range 3 {
		c.put(oid(i), "q1", v)
		c.put(oid(i), "q2", v)
	}
	if _, ok := c.get(oid(0), "q2"); !ok {
		t.Fatalf("blob 0 evicted within the budget")
	}
	c.put(oid(3), "q1", v) // over budget: blob 1 is the least recently used
	for i, want := range []bool{true, false, true, true} {
		if _, ok := c.get(oid(i), "q1"); ok != want {
			t.Errorf("blob %d cached %t, want %t", i, ok, want)
		}
	}
	if st := c.Stats(); st.Entries != 5 || st.Bytes != 3*blobEntryBytes+5*one {
		t.Errorf("stats %+v: want 5 entries of %d bytes", st, 3*blobEntryBytes+5*one)
	}
}

// TestCachePutAll checks that a blob's values put together are kept once
// per key, the first value of a key winning, within one put and across
// puts.
func TestCachePutAll(t *testing.T) {
	oid := "0123456789abcdef0123456789abcdef01234567"
	val := func(n int) fileValue { return fileValue{res: search.FileResult{Matches: n}} }
	c := NewCache(0)
	c.putAll(oid, []keyedValue{{"a", val(1)}, {"b", val(2)}, {"a", val(3)}, {"c", val(4)}})
	c.putAll(oid, []keyedValue{{"c", val(5)}, {"d", val(6)}, {"d", val(7)}})
	for key, want := range map[string]int{"a": 1, "b": 2, "c": 4, "d": 6} {
		if v, ok := c.get(oid, key); !ok || v.res.Matches != want {
			t.Errorf("get(%s) = %d (found %t), want %d", key, v.res.Matches, ok, want)
		}
	}
	if st := c.Stats(); st.Entries != 4 {
		t.Errorf("stats %+v: want 4 entries", st)
	}
}

// TestParseOID checks the decoding of object ids against encoding/hex,
// and that anything else is refused.
func TestParseOID(t *testing.T) {
	for _, s := range []string{
		"0123456789abcdef0123456789abcdef01234567", "ABCDEF0123456789abcdef0123456789abcdef01",
		strings.Repeat("f", 64), strings.Repeat("0", 40),
		strings.Repeat("0", 39) + "g", "g" + strings.Repeat("0", 39), strings.Repeat("0", 38) + ":0",
		strings.Repeat("0", 38) + "/0", strings.Repeat("0", 38) + "G0", strings.Repeat("0", 41), "",
	} {
		want, err := hex.DecodeString(s)
		wantOK := err == nil && (len(s) == 40 || len(s) == 64)
		k, ok := parseOID(s)
		if ok != wantOK || ok && (int(k.n) != len(want) || !bytes.Equal(k.b[:k.n], want)) {
			t.Errorf("parseOID(%q) = %x/%d, %t; want %x, %t", s, k.b, k.n, ok, want, wantOK)
		}
	}
}
