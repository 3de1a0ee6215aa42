package gitsource

// IdlePIDs returns the process ids of r's idle cat-file processes.
func IdlePIDs(r *Repo) []int {
	p := r.readers
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for _, c := range p.idle {
		pids = append(pids, c.pid)
	}
	return pids
}

// Network runs a network git command as Mirror does, without Mirror's own
// check of the URL, to test what git itself is allowed.
var Network = network
