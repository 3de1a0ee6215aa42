package progress

import (
	"io"
	"sync"
)

// Line is a terminal's last line kept as a live status: a writer whose
// writes (log lines) go above the status, which is cleared before each
// write and drawn again after it. Without a status it passes writes
// through. It is safe for concurrent use.
type Line struct {
	mu     sync.Mutex
	w      io.Writer
	status string
}

// NewLine returns a Line drawing on w, a terminal.
func NewLine(w io.Writer) *Line { return &Line{w: w} }

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\x1b[K"

// Write writes p above the status line.
func (l *Line) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.status == "" {
		return l.w.Write(p)
	}
	if _, err := io.WriteString(l.w, clearLine); err != nil {
		return 0, err
	}
	n, err := l.w.Write(p)
	if err != nil {
		return n, err
	}
	_, err = io.WriteString(l.w, l.status)
	return n, err
}

// Set replaces the status line with s; "" removes it.
func (l *Line) Set(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.status == "" && s == "" {
		return
	}
	l.status = s
	_, _ = io.WriteString(l.w, clearLine+s)
}
