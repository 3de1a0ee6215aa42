package engine

import (
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
