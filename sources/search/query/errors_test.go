package query

import (
	"strings"
	"testing"
)

// A regexp nested 3,000 deep used to give an 18 KB error: Go's message
// quotes the whole expression, and callers quoted the query again.
func TestRegexpErrorIsShort(t *testing.T) {
	t.Parallel()
	deep := "/" + strings.Repeat("(", 3000) + "a" + strings.Repeat(")", 3000) + "/"
	_, err := Parse(deep)
	if err == nil {
		t.Fatal("Parse accepted a regexp nested 3000 deep")
	}
	msg := err.Error()
	if len(msg) > 200 || !strings.Contains(msg, "expression nests too deeply") || !strings.Contains(msg, "(6001 characters)") {
		t.Errorf("error is %d bytes, want under 200 naming the problem and the length: %.300s", len(msg), msg)
	}
	if q := Abbrev(deep); len(q) > 100 || !strings.HasPrefix(q, `"/(((`) {
		t.Errorf("Abbrev(query) = %s", q)
	}
	if q := Abbrev("TODO"); q != `"TODO"` {
		t.Errorf("Abbrev(short) = %s, want it whole", q)
	}
}
