package pgstore_test

import (
	"context"
	"testing"

	"github.com/sightline-dev/sightline/sinks/pgstore"
)

// TestPrivate starts a second private server in a temporary data directory
// (which, when run as root, the postgres user cannot reach, so the script's
// fallback location is used), connects, and stops it again.
func TestPrivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := &pgstore.Private{DataDir: t.TempDir()}
	url, err := p.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Destroy(ctx); err != nil {
			t.Error(err)
		}
	})
	db, err := pgstore.Connect(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	var listen string
	if err := db.QueryRow(ctx, "SHOW listen_addresses").Scan(&listen); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if listen != "" {
		t.Errorf("listen_addresses = %q, want '' (socket only)", listen)
	}
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Connect(ctx, url, ""); err == nil {
		t.Fatal("connected after Stop")
	}
}
