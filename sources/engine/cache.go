package engine

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultCacheBytes is the memory budget of a Cache unless told otherwise.
const DefaultCacheBytes = 256 << 20

// Cache memoizes per-blob results: a blob's content never changes, so its
// result for a query never does either. Keys are (blob oid, what was
// computed — a query fingerprint, or the language-stats key). Blobs are
// evicted least recently used first, with all their values, once the
// values' estimated size passes the budget. A Cache is safe for concurrent
// use; it may be shared by every evaluation of a process, or be one pass's
// alone.
//
// The map is keyed by the blob's binary object id alone, and a blob's
// entry holds the values of every key computed for it: a pass looks up and
// stores the values of many queries for each blob, so the one hash of 33
// bytes replaces a hash of the hex id and the key string per value, and
// the second map operation of a put is paid once per blob.
type Cache struct {
	budget       int
	hits, misses atomic.Int64

	mu      sync.Mutex
	used    int
	values  int
	lru     blobEntry // sentinel: lru.next is the most recently used
	entries map[oidKey]*blobEntry
}

// oidKey is a blob's object id in binary: n bytes of b (20 for SHA-1, 32
// for SHA-256).
type oidKey struct {
	b [32]byte
	n uint8
}

// blobEntry is one blob's values, a node of the cache's LRU list.
type blobEntry struct {
	oid        oidKey
	vals       []keyedValue
	size       int
	prev, next *blobEntry
}

type keyedValue struct {
	key string
	v   fileValue
}

// Per-entry overheads added to the values' sizes: the map slot, the entry
// and its list links; the key's header and the value's fixed fields.
const (
	blobEntryBytes  = 128
	keyedValueBytes = 64
)

// NoCache is the budget of a Cache that keeps nothing: every lookup
// misses, and the values computed are not kept.
const NoCache = -1

// NewCache returns a cache holding about budget bytes; 0 means
// DefaultCacheBytes, a negative budget (NoCache) none.
func NewCache(budget int) *Cache {
	c := &Cache{budget: cmp.Or(budget, DefaultCacheBytes), entries: map[oidKey]*blobEntry{}}
	c.lru.next, c.lru.prev = &c.lru, &c.lru
	return c
}

// parseOID decodes a hex object id; ok is false for anything else, which
// the cache then neither finds nor keeps. A pass decodes an id for every
// query that looks a changed file up: hence the table.
func parseOID(s string) (k oidKey, ok bool) {
	if len(s) != 40 && len(s) != 64 {
		return k, false
	}
	var bad byte
	for i := 0; i+1 < len(s); i += 2 {
		hi, lo := hexValues[s[i]], hexValues[s[i+1]]
		bad |= hi | lo
		k.b[i/2] = hi<<4 | lo&0xf
	}
	if bad&0xf0 != 0 {
		return oidKey{}, false
	}
	k.n = uint8(len(s) / 2)
	return k, true
}

// hexValues maps a hex digit to its value and any other byte to 0xff.
var hexValues = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
	}
	for i, c := range "ABCDEF" {
		t[c] = byte(i + 10)
	}
	return t
}()

func (c *Cache) get(oid, key string) (fileValue, bool) {
	if c.budget < 0 {
		c.misses.Add(1)
		return fileValue{}, false
	}
	k, ok := parseOID(oid)
	if !ok {
		c.misses.Add(1)
		return fileValue{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[k]; e != nil {
		for i := range e.vals {
			if e.vals[i].key == key {
				c.hits.Add(1)
				c.toFront(e)
				return e.vals[i].v, true
			}
		}
	}
	c.misses.Add(1)
	return fileValue{}, false
}

func (c *Cache) put(oid, key string, v fileValue) {
	c.putAll(oid, []keyedValue{{key: key, v: v}})
}

// putAll caches a blob's values under their keys, with one map operation
// for a blob the cache holds and two for a new one. A key the blob has a
// value for already keeps it. The cache may keep kvs.
func (c *Cache) putAll(oid string, kvs []keyedValue) {
	if c.budget < 0 || len(kvs) == 0 {
		return
	}
	k, ok := parseOID(oid)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[k]
	if e == nil {
		e = &blobEntry{oid: k, size: blobEntryBytes}
		c.entries[k] = e
		c.used += e.size
	} else {
		c.unlink(e)
	}
	if len(e.vals) == 0 {
		e.vals = kvs[:0] // kvs are compacted in place: each is read before its slot is written
	}
	for _, kv := range kvs {
		if slices.ContainsFunc(e.vals, func(have keyedValue) bool { return have.key == kv.key }) {
			continue
		}
		size := kv.v.size() + len(kv.key) + keyedValueBytes
		e.vals = append(e.vals, kv)
		e.size += size
		c.used += size
		c.values++
	}
	c.pushFront(e)
	c.evict()
}

// evict drops the least recently used blobs while the cache is over its
// budget, keeping at least the most recent one.
func (c *Cache) evict() {
	for c.used > c.budget && c.lru.prev != c.lru.next {
		old := c.lru.prev
		c.unlink(old)
		delete(c.entries, old.oid)
		c.used -= old.size
		c.values -= len(old.vals)
	}
}

func (c *Cache) toFront(e *blobEntry) {
	if c.lru.next != e {
		c.unlink(e)
		c.pushFront(e)
	}
}

func (c *Cache) unlink(e *blobEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *Cache) pushFront(e *blobEntry) {
	e.prev, e.next = &c.lru, c.lru.next
	c.lru.next.prev = e
	c.lru.next = e
}

// CacheStats reports a cache's use.
type CacheStats struct {
	// Entries counts the values held, one per (blob, key).
	Entries      int
	Bytes        int
	Hits, Misses int64
}

// Stats returns the cache's current use.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: c.values, Bytes: c.used, Hits: c.hits.Load(), Misses: c.misses.Load()}
}
