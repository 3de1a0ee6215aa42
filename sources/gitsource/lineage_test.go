package gitsource_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gittest"
)

func TestOnOneLine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := gittest.New(t)
	a := src.Commit(t0, "a", map[string]string{"f.txt": "a\n"})
	b := src.Commit(t0.Add(time.Hour), "b", map[string]string{"f.txt": "b\n"})
	c := src.Commit(t0.Add(2*time.Hour), "c", map[string]string{"f.txt": "c\n"})
	src.Git(time.Time{}, "checkout", "--quiet", "-b", "fork", a)
	fork := src.Commit(t0.Add(3*time.Hour), "fork", map[string]string{"f.txt": "fork\n"})
	src.Git(time.Time{}, "checkout", "--quiet", "--orphan", "alone")
	alone := src.Commit(t0.Add(4*time.Hour), "alone", map[string]string{"g.txt": "g\n"})
	missing := strings.Repeat("1", 40)
	r := open(t, src.Dir)
	for _, tc := range []struct {
		name string
		a, b string
		want bool
	}{
		{"same", b, b, true},
		{"ancestor first", a, c, true},
		{"descendant first", c, b, true},
		{"forked", fork, c, false},
		{"fork and its base", a, fork, true},
		{"unrelated", alone, c, false},
		{"missing", missing, c, false},
		{"missing second", c, missing, false},
	} {
		got, err := r.OnOneLine(ctx, tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("%s: OnOneLine = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := r.OnOneLine(ctx, "HEAD", c); err == nil || !strings.Contains(err.Error(), "object ids") {
		t.Errorf("OnOneLine(HEAD) error = %v; want one asking for object ids", err)
	}
}
