package gitsource

import (
	"context"
	"errors"
	"sync"
)

// readerPool hands out at most n cat-file processes, started on demand and
// kept while they stay in step.
type readerPool struct {
	dir   string
	slots chan struct{} // one token per process handed out

	mu     sync.Mutex
	idle   []*catFile
	closed bool
}

func newReaderPool(dir string, n int) *readerPool {
	return &readerPool{dir: dir, slots: make(chan struct{}, n)}
}

// get returns an idle process, or a new one when none is idle, waiting
// while n are in use.
func (p *readerPool) get(ctx context.Context) (*catFile, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	p.mu.Lock()
	closed, c := p.closed, p.pop()
	p.mu.Unlock()
	if closed {
		<-p.slots
		return nil, ErrClosed
	}
	if c != nil {
		return c, nil
	}
	c, err := startCatFile(p.dir)
	if err != nil {
		<-p.slots
	}
	return c, err
}

func (p *readerPool) pop() *catFile {
	if len(p.idle) == 0 {
		return nil
	}
	c := p.idle[len(p.idle)-1]
	p.idle = p.idle[:len(p.idle)-1]
	c.reused = true
	return c
}

// put returns c to the pool; a process out of step (inStep false) is killed.
func (p *readerPool) put(c *catFile, inStep bool) {
	p.mu.Lock()
	keep := inStep && !p.closed
	if keep {
		p.idle = append(p.idle, c)
	}
	p.mu.Unlock()
	if !keep {
		_ = c.stop(inStep)
	}
	<-p.slots
}

// close ends the idle processes; those in use end when put back.
func (p *readerPool) close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	// End every process's input before waiting for any: they exit
	// together, and a command's Close costs one process exit, not one each.
	for _, c := range idle {
		_ = c.stdin.Close()
	}
	var errs []error
	for _, c := range idle {
		errs = append(errs, c.stop(true))
	}
	return errors.Join(errs...)
}
