package packed

import (
	"hash/maphash"
	"testing"
)

// TestStringTableCollision makes "b" hash like "a" (by pointing b's hash at
// a's number) and checks that the table still tells them apart.
func TestStringTableCollision(t *testing.T) {
	var tab stringTable
	if i := tab.add([]byte("a")); i != 0 {
		t.Fatalf("add a = %d, want 0", i)
	}
	tab.index[maphash.String(seed, "b")] = 0
	for range 2 {
		if i := tab.addString("b"); i != 1 {
			t.Fatalf("add b = %d, want 1 (a colliding string is a new one)", i)
		}
	}
	if i := tab.add([]byte("a")); i != 0 {
		t.Fatalf("add a again = %d, want 0", i)
	}
	if got := string(tab.str(1)); got != "b" {
		t.Fatalf("string 1 = %q, want b", got)
	}
	tab.reset()
	if i := tab.addString("b"); i != 0 {
		t.Fatalf("after reset, add b = %d, want 0", i)
	}
}
