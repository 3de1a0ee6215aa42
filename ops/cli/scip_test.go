package cli_test

import (
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestSCIPScripts runs testdata/scip/*.txtar like TestScripts, with the
// committed fixtures at hand: $SCIP_TESTDATA holds the scip-typescript
// indexes (sources/scip/testdata) and $LSIF_TESTDATA the TypeScript
// projects they index and their lsif-tsc dumps (sources/lsif/testdata).
func TestSCIPScripts(t *testing.T) {
	t.Parallel()
	scipData, err := filepath.Abs("../../sources/scip/testdata")
	if err != nil {
		t.Fatal(err)
	}
	lsifData, err := filepath.Abs("../../sources/lsif/testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/scip",
		Setup: func(env *testscript.Env) error {
			url, drop, err := newSchemaURL()
			if err != nil {
				return err
			}
			env.Defer(drop)
			for k, v := range map[string]string{
				"DATABASE_URL": url, "SIGHTLINE_DATA_DIR": env.WorkDir + "/.sightline", "HOME": env.WorkDir,
				"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
				"GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
				"GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
				"SCIP_TESTDATA": scipData, "LSIF_TESTDATA": lsifData,
			} {
				env.Setenv(k, v)
			}
			return nil
		},
	})
}
