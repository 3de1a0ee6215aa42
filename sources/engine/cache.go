package engine

import (
	"cmp"
	"container/list"
	"sync"
)

// DefaultCacheBytes is the memory budget of a Cache unless told otherwise.
const DefaultCacheBytes = 256 << 20

// Cache memoizes per-blob results: a blob's content never changes, so its
// result for a query never does either. Keys are (blob oid, what was
// computed — a query fingerprint, or the language-stats key). Entries are
// evicted least recently used first once their estimated size passes the
// budget. A Cache is safe for concurrent use; it may be shared by every
// evaluation of a process, or be one pass's alone.
type Cache struct {
	mu      sync.Mutex
	budget  int
	used    int
	lru     *list.List // front: most recently used
	entries map[cacheKey]*list.Element
	hits    int64
	misses  int64
}

type cacheKey struct {
	oid string
	key string
}

type cacheEntry struct {
	k    cacheKey
	v    fileValue
	size int
}

// NoCache is the budget of a Cache that keeps nothing: every lookup
// misses, and the values computed are not kept.
const NoCache = -1

// NewCache returns a cache holding about budget bytes; 0 means
// DefaultCacheBytes, a negative budget (NoCache) none.
func NewCache(budget int) *Cache {
	return &Cache{budget: cmp.Or(budget, DefaultCacheBytes), lru: list.New(), entries: map[cacheKey]*list.Element{}}
}

func (c *Cache) get(oid, key string) (fileValue, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[cacheKey{oid, key}]
	if !ok {
		c.misses++
		return fileValue{}, false
	}
	c.hits++
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry).v, true
}

func (c *Cache) put(oid, key string, v fileValue) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.budget < 0 {
		return
	}
	k := cacheKey{oid, key}
	if _, ok := c.entries[k]; ok {
		return
	}
	e := &cacheEntry{k: k, v: v, size: v.size() + len(oid) + len(key) + 96}
	c.entries[k] = c.lru.PushFront(e)
	c.used += e.size
	for c.used > c.budget && c.lru.Len() > 1 {
		old := c.lru.Remove(c.lru.Back()).(*cacheEntry)
		delete(c.entries, old.k)
		c.used -= old.size
	}
}

// CacheStats reports a cache's use.
type CacheStats struct {
	Entries      int
	Bytes        int
	Hits, Misses int64
}

// Stats returns the cache's current use.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.entries), Bytes: c.used, Hits: c.hits, Misses: c.misses}
}
