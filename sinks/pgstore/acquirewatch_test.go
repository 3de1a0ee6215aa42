package pgstore_test

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sinks/pgstore"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

// TestOpenLogsAcquireWait holds the only connection of a one-connection pool
// while a query waits for it: the wait must be logged while it lasts, and
// the query must go ahead once the connection is released.
func TestOpenLogsAcquireWait(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var logs lockedBuilder
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "1")
	u.RawQuery = q.Encode()
	db, err := pgstore.Open(ctx, u.String(), pgstore.Opts{
		Logger:           slog.New(slog.NewTextHandler(&logs, nil)),
		AcquireWarnAfter: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	held, err := db.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	queried := make(chan error, 1)
	go func() { _, err := db.Exec(ctx, "SELECT 1"); queried <- err }()

	const want = "waiting for a database connection"
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			held.Release()
			t.Fatalf("no %q log within 20s of a query waiting for the pool's only connection; logs:\n%s", want, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "pool_max_conns=1") {
		t.Errorf("the wait's log does not give the pool's size:\n%s", logs.String())
	}
	held.Release()
	select {
	case err := <-queried:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting query did not run within 20s of the connection's release")
	}
}

// lockedBuilder is a strings.Builder safe for the logger's goroutines.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
