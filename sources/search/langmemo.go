package search

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-enry/go-enry/v2"
	"github.com/go-enry/go-enry/v2/data"
)

// maxPathMemo bounds a pathMemo; past it, the memo starts over.
const maxPathMemo = 1 << 16

// pathMemo memoizes a predicate of file paths. go-enry answers the
// path-only questions of language statistics (vendored? a generated file's
// name?) by running large regexps, about 10 µs a path, and a history walk
// asks them again for the same paths at every commit that changes them.
// It is safe for concurrent use.
type pathMemo struct {
	f  func(path string) bool
	mu sync.RWMutex
	m  map[string]bool
}

func newPathMemo(f func(path string) bool) *pathMemo {
	return &pathMemo{f: f, m: map[string]bool{}}
}

// get returns f(path), computing it at most once while path stays in the
// memo.
func (p *pathMemo) get(path string) bool {
	p.mu.RLock()
	v, ok := p.m[path]
	p.mu.RUnlock()
	if ok {
		return v
	}
	v = p.f(path)
	p.mu.Lock()
	if len(p.m) >= maxPathMemo {
		clear(p.m)
	}
	p.m[path] = v
	p.mu.Unlock()
	return v
}

var (
	vendorPaths        = newPathMemo(enry.IsVendor)
	generatedFileNames = newPathMemo(isGeneratedName)
)

// isGeneratedName is the part of enry.IsGenerated that looks at the path
// alone: generated extensions and file names.
func isGeneratedName(path string) bool {
	if _, ok := data.GeneratedCodeExtensions[strings.ToLower(filepath.Ext(path))]; ok {
		return true
	}
	for _, m := range data.GeneratedCodeNameMatchers {
		if m(path) {
			return true
		}
	}
	return false
}

// isGenerated is enry.IsGenerated with its path part memoized.
func isGenerated(path string, content []byte) bool {
	if generatedFileNames.get(path) {
		return true
	}
	ext := strings.ToLower(filepath.Ext(path))
	lower := strings.ToLower(path)
	for _, m := range data.GeneratedCodeMatchers {
		if m(lower, ext, content) {
			return true
		}
	}
	return false
}
