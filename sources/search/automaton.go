package search

// automaton is an Aho-Corasick automaton compiled to a DFA: it finds every
// occurrence, overlapping, of a set of byte strings in one pass over a
// text. State ids are premultiplied by the stride, so that a step is one
// table load, and those where a pattern ends have a bit of their own. A scan runs four copies of
// the automaton over the four quarters of the text in the same loop: a
// step waits for the previous one's load, and independent chains of loads
// keep the processor busy while one waits.
type automaton struct {
	class    [256]uint16 // bytes that occur in no pattern share class 0; 257 classes at most
	stride   int         // a power of two, at least the number of classes
	trans    []uint32    // by premultiplied state + class: the next premultiplied state
	matchBit uint32      // set in the premultiplied ids of the states where patterns end
	outs     [][]int32   // by state index: the patterns ending there
	lens     []int       // pattern lengths
	maxLen   int
}

// trieNode is a state of the automaton under construction.
type trieNode struct {
	next map[uint16]int // by class
	fail int
	outs []int32
}

// newAutomaton compiles non-empty patterns; their ids are their indexes.
func newAutomaton(patterns [][]byte) *automaton {
	a := &automaton{lens: make([]int, len(patterns))}
	a.setClasses(patterns)
	nodes := []trieNode{{next: map[uint16]int{}}}
	for id, p := range patterns {
		a.lens[id] = len(p)
		a.maxLen = max(a.maxLen, len(p))
		s := 0
		for _, c := range p {
			k := a.class[c]
			n, ok := nodes[s].next[k]
			if !ok {
				n = len(nodes)
				nodes = append(nodes, trieNode{next: map[uint16]int{}})
				nodes[s].next[k] = n
			}
			s = n
		}
		nodes[s].outs = append(nodes[s].outs, int32(id))
	}
	order := linkFailures(nodes)
	a.compile(nodes, order)
	return a
}

// setClasses gives each byte that occurs in a pattern a class of its own.
func (a *automaton) setClasses(patterns [][]byte) {
	n := 1
	for _, p := range patterns {
		for _, c := range p {
			if a.class[c] == 0 {
				a.class[c] = uint16(n)
				n++
			}
		}
	}
	a.stride = 1
	for a.stride < n {
		a.stride *= 2
	}
}

// linkFailures sets each node's failure link (the longest proper suffix of
// its string that is a prefix of a pattern) and adds the outputs it
// reaches by them, and returns the nodes in breadth-first order.
func linkFailures(nodes []trieNode) []int {
	order := []int{0}
	for i := 0; i < len(order); i++ {
		s := order[i]
		for k, child := range nodes[s].next {
			order = append(order, child)
			if s == 0 {
				continue
			}
			f := nodes[s].fail
			for {
				if n, ok := nodes[f].next[k]; ok {
					nodes[child].fail = n
					break
				}
				if f == 0 {
					break
				}
				f = nodes[f].fail
			}
			nodes[child].outs = append(nodes[child].outs, nodes[nodes[child].fail].outs...)
		}
	}
	return order
}

// compile fills the DFA's tables from the linked trie. States without
// outputs are numbered first, in breadth-first order; states with outputs
// from matchBit on (a power of two above every other state), so that a
// state has outputs if and only if it has that bit, and one test covers
// four states.
func (a *automaton) compile(nodes []trieNode, order []int) {
	id := make([]int, len(nodes))
	counts := [2]int{}
	for _, s := range order {
		has := 0
		if len(nodes[s].outs) > 0 {
			has = 1
		}
		id[s] = counts[has]
		counts[has]++
	}
	bit := 1
	for bit < max(counts[0], counts[1])*a.stride {
		bit *= 2
	}
	a.matchBit = uint32(bit)
	a.trans = make([]uint32, bit+counts[1]*a.stride)
	a.outs = make([][]int32, bit/a.stride+counts[1])
	for _, s := range order {
		if len(nodes[s].outs) > 0 {
			id[s] += bit / a.stride
		}
	}
	for _, s := range order {
		a.outs[id[s]] = nodes[s].outs
		row := a.trans[id[s]*a.stride : (id[s]+1)*a.stride]
		for k := range row {
			if child, ok := nodes[s].next[uint16(k)]; ok {
				row[k] = uint32(id[child] * a.stride)
			} else if s != 0 {
				row[k] = a.trans[id[nodes[s].fail]*a.stride+k]
			}
		}
	}
}

// occurrence is a pattern's occurrence: its id and start.
type occurrence struct{ id, start int32 }

// find lists the starts of every occurrence, overlapping, of each pattern
// in b, in order. Four copies of the automaton scan the four quarters of
// b in one loop, each going on past its quarter's end for the occurrences
// that start in it.
func (a *automaton) find(b []byte) [][]int32 {
	var r [4]stream
	for k := range r {
		r[k] = stream{from: k * len(b) / 4, limit: (k + 1) * len(b) / 4}
		r[k].to = min(len(b), r[k].limit+a.maxLen-1)
	}
	n := len(b)
	for k := range r {
		n = min(n, r[k].to-r[k].from)
	}
	trans, class, bit := a.trans, &a.class, a.matchBit
	b0 := b[r[0].from : r[0].from+n]
	b1, b2, b3 := b[r[1].from:][:len(b0)], b[r[2].from:][:len(b0)], b[r[3].from:][:len(b0)]
	var s0, s1, s2, s3 uint32
	for i := range b0 {
		s0 = trans[s0+uint32(class[b0[i]])]
		s1 = trans[s1+uint32(class[b1[i]])]
		s2 = trans[s2+uint32(class[b2[i]])]
		s3 = trans[s3+uint32(class[b3[i]])]
		if (s0|s1|s2|s3)&bit != 0 {
			for k, s := range [4]uint32{s0, s1, s2, s3} {
				if s&bit != 0 {
					r[k].occ = a.ended(r[k].occ, s, r[k].from+i, r[k].limit)
				}
			}
		}
	}
	for k, s := range [4]uint32{s0, s1, s2, s3} {
		for j := r[k].from + n; j < r[k].to; j++ {
			if s = trans[s+uint32(class[b[j]])]; s&bit != 0 {
				r[k].occ = a.ended(r[k].occ, s, j, r[k].limit)
			}
		}
	}
	return a.byPattern(r[0].occ, r[1].occ, r[2].occ, r[3].occ)
}

// stream is one copy of the automaton in find: it scans b[from:to] and
// keeps the occurrences that start before limit.
type stream struct {
	from, to, limit int
	occ             []occurrence
}

// ended appends the occurrences of the patterns that end at b[i] in state
// s (premultiplied) and start before limit.
func (a *automaton) ended(occ []occurrence, s uint32, i, limit int) []occurrence {
	for _, id := range a.outs[int(s)/a.stride] {
		if start := i + 1 - a.lens[id]; start < limit {
			occ = append(occ, occurrence{id, int32(start)})
		}
	}
	return occ
}

// byPattern splits the occurrences by pattern, keeping their order.
func (a *automaton) byPattern(lists ...[]occurrence) [][]int32 {
	counts := make([]int, len(a.lens))
	total := 0
	for _, occ := range lists {
		for _, o := range occ {
			counts[o.id]++
		}
		total += len(occ)
	}
	all := make([]int32, 0, total)
	out := make([][]int32, len(a.lens))
	for id, n := range counts {
		out[id] = all[len(all) : len(all) : len(all)+n]
		all = all[:len(all)+n]
	}
	for _, occ := range lists {
		for _, o := range occ {
			out[o.id] = append(out[o.id], o.start)
		}
	}
	return out
}
