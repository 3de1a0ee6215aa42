package cli_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sightline-dev/sightline/ops/cli"
)

func TestMain(m *testing.M) {
	// The test binary doubles as the sightline command in scripts and in
	// exec.Command("sightline", ...).
	testscript.Main(m, map[string]func(){
		"sightline": func() { os.Exit(cli.Run()) },
		"packrow":   func() { os.Exit(packRow()) },
	})
}

// TestScripts runs testdata/script/*.txtar: the real CLI against a schema of
// its own in the test database, a data directory in the script's work dir,
// and git repositories built in the script.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			url, drop, err := newSchemaURL()
			if err != nil {
				return err
			}
			env.Defer(drop)
			env.Setenv("DATABASE_URL", url)
			env.Setenv("SIGHTLINE_DATA_DIR", env.WorkDir+"/.sightline")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
			env.Setenv("GIT_AUTHOR_NAME", "Test")
			env.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "Test")
			env.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
			return nil
		},
	})
}

// schemaURL creates a schema for t in TEST_DATABASE_URL's database, dropped
// when t ends, and returns a URL whose connections use it (see
// newSchemaURL). It must be called from the test's goroutine.
func schemaURL(t testing.TB) string {
	t.Helper()
	url, drop, err := newSchemaURL()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return url
}

// newSchemaURL creates a schema in TEST_DATABASE_URL's database and returns
// a URL whose connections use it, and a function that drops it.
func newSchemaURL() (string, func(), error) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return "", nil, errNoTestDB
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "cli_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	}
	return withParam(base, "search_path", schema), drop, nil
}

type testDBError struct{}

func (testDBError) Error() string {
	return "TEST_DATABASE_URL is not set: run `make test` or `bash ops/postgres.sh exec go test ./...`"
}

var errNoTestDB error = testDBError{}

func withParam(url, key, value string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + key + "=" + value
}
