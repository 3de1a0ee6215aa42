package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/ops/cli"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/apidocs/apidocstest"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// docsFixture is a migrated schema, git repositories registered and
// synced through the CLI, and a pool to complete uploads with entries
// (apidocstest: the batch sink, the loader, UploadsComplete).
type docsFixture struct {
	t        *testing.T
	url, dir string
	db       *pgxpool.Pool
	now      string
}

func newDocsFixture(t *testing.T) *docsFixture {
	t.Helper()
	u := schemaURL(t)
	f := &docsFixture{t: t, url: u, dir: t.TempDir()}
	f.ok("migrate", "up")
	db, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	f.db = db
	return f
}

func (f *docsFixture) run(args ...string) (code int, stdout, stderr string) {
	f.t.Helper()
	var out, errb bytes.Buffer
	pre := []string{"--database-url", f.url, "--data-dir", f.dir}
	if f.now != "" {
		pre = append(pre, "--now", f.now)
	}
	code = cli.Main(context.Background(), append(pre, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func (f *docsFixture) ok(args ...string) string {
	f.t.Helper()
	code, stdout, stderr := f.run(args...)
	if code != 0 {
		f.t.Fatalf("sightline %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// git runs git in dir and returns its trimmed output.
func (f *docsFixture) git(dir string, args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(cmd.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// repo makes a git repository with one commit on main, registers it and
// returns its directory and head.
func (f *docsFixture) repo(name string, private bool) (dir, head string) {
	f.t.Helper()
	dir = filepath.Join(f.dir, "git", name)
	f.git(f.dir, "init", "-q", "-b", "main", dir)
	f.git(dir, "commit", "-q", "--allow-empty", "-m", "first")
	args := []string{"repos", "add", name, "--path", dir}
	if private {
		args = append(args, "--private")
	}
	f.ok(args...)
	return dir, f.git(dir, "rev-parse", "HEAD")
}

func (f *docsFixture) repoID(name string) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.QueryRow(context.Background(), `SELECT id FROM repos WHERE name = $1`, name).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *docsFixture) upload(repo, commit string, entries ...lsif.DocEntry) {
	f.t.Helper()
	b, err := filebucket.Open(&url.URL{Scheme: "file", Path: filepath.Join(f.dir, "bucket")})
	if err != nil {
		f.t.Fatal(err)
	}
	apidocstest.Complete(f.t, f.db, b, apidocstest.Upload{RepoID: f.repoID(repo), Commit: commit, Indexer: "lsif-tsc", Entries: entries})
}

// searchJSON runs apidocs search with args and --format json.
func (f *docsFixture) searchJSON(args ...string) []apidocs.Result {
	f.t.Helper()
	out := f.ok(append([]string{"apidocs", "search", "--format", "json"}, args...)...)
	var res []apidocs.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		f.t.Fatalf("apidocs search %v: %v\n%s", args, err, out)
	}
	return res
}

func keys(res []apidocs.Result) []string {
	out := []string{}
	for _, r := range res {
		out = append(out, r.Repo+" "+r.SearchKey)
	}
	return out
}

func docEntry(path string, line int32, kind, key string) lsif.DocEntry {
	return apidocstest.Entry(path, line, kind, key, kind+" "+key+"()", "Docs of "+key+".\nSecond line.")
}

// TestAPIDocsPermissions: a private repository's symbols never appear to a
// user without a grant, whatever the query (exact name, repo: naming it,
// --repo, --format json, a page); granted, they rank first.
func TestAPIDocsPermissions(t *testing.T) {
	t.Parallel()
	f := newDocsFixture(t)
	_, pub := f.repo("pub", false)
	_, secret := f.repo("secret", true)
	f.ok("run", "sync-repos")
	f.upload("pub", pub, docEntry("mux/router.ts", 3, "class", "mux.Router"))
	f.upload("secret", secret, docEntry("core/router.ts", 1, "class", "core.Router"),
		docEntry("core/hidden.ts", 7, "function", "core.HiddenThing"))
	f.ok("grants", "add", "bob", "secret")

	for _, q := range [][]string{
		{"HiddenThing", "--as", "alice"},
		{"core.HiddenThing", "--as", "alice"},
		{"repo:secret HiddenThing", "--as", "alice"},
		{"HiddenThing", "--as", "alice", "--repo", "^secret$"},
		{"Hidden", "--as", "alice", "--kind", "function"},
		{"Router repo:secret", "--as", "alice"},
	} {
		if res := f.searchJSON(q...); len(res) != 0 {
			t.Errorf("apidocs search %v: %v, want nothing", q, keys(res))
		}
		if out := f.ok(append([]string{"apidocs", "search"}, q...)...); out != "no result\n" {
			t.Errorf("apidocs search %v (text): %q", q, out)
		}
	}
	if got := keys(f.searchJSON("Router", "--as", "alice")); strings.Join(got, ",") != "pub mux.Router" {
		t.Errorf("alice: Router finds %v, want only pub's", got)
	}
	if code, _, stderr := f.run("apidocs", "page", "--repo", "secret", "--as", "alice"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("alice reads secret's page: exit %d, %s", code, stderr)
	}

	res := f.searchJSON("Router", "--as", "bob")
	if got := strings.Join(keys(res), ","); got != "secret core.Router,pub mux.Router" {
		t.Errorf("bob: Router finds %s, want secret's first", got)
	}
	if len(res) > 0 && (!res[0].Private || res[0].Commit != secret || res[0].Path != "core/router.ts" || res[0].Line != 2 ||
		res[0].Kind != "class" || res[0].Signature != "class core.Router()" || res[0].Summary != "Docs of core.Router.") {
		t.Errorf("bob's first result: %+v", res[0])
	}
	text := f.ok("apidocs", "search", "HiddenThing", "--as", "bob")
	want := "secret " + secret + " core/hidden.ts:8 core.HiddenThing function\n    function core.HiddenThing()\n    Docs of core.HiddenThing.\n"
	if text != want {
		t.Errorf("text result:\n%s\nwant:\n%s", text, want)
	}
	page := f.ok("apidocs", "page", "--repo", "secret", "--as", "bob", "--path", "core")
	for _, s := range []string{"# secret/core\n", "## core/hidden.ts\n", "### core.HiddenThing\n", "```\nfunction core.HiddenThing()\n```\n", "Docs of core.HiddenThing.\nSecond line.\n"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q:\n%s", s, page)
		}
	}
}

// TestAPIDocsFollowsHeads runs the real jobs: an upload of a commit that
// is not the default-branch head is not searchable until the branch moves
// onto it (sync-repos, update-commit-graph), which replaces the older
// head's rows; prune with a small --apidocs-index-limit-factor takes the
// oldest upload's rows out and keeps the newest; a removed repository's
// rows go at once from search and, pruned, from the tables.
func TestAPIDocsFollowsHeads(t *testing.T) {
	t.Parallel()
	f := newDocsFixture(t)
	_, old := f.repo("old", false)
	dir, first := f.repo("pub", false)
	f.ok("run", "sync-repos")
	f.upload("old", old, docEntry("a.ts", 0, "function", "old.OldOne"), docEntry("a.ts", 1, "function", "old.OldTwo"))
	f.upload("pub", first, docEntry("mux/router.ts", 3, "class", "mux.Router"))

	f.git(dir, "checkout", "-q", "-b", "side")
	f.git(dir, "commit", "-q", "--allow-empty", "-m", "side")
	side := f.git(dir, "rev-parse", "HEAD")
	f.git(dir, "checkout", "-q", "main")
	f.upload("pub", side, docEntry("mux/side.ts", 0, "function", "mux.SideOnly"))
	if res := f.searchJSON("SideOnly"); len(res) != 0 {
		t.Fatalf("upload of a side branch is searchable: %v", keys(res))
	}

	f.git(dir, "merge", "-q", "--ff-only", "side")
	f.ok("run", "sync-repos")
	out := f.ok("run", "update-commit-graph")
	if !strings.Contains(out, "apidocs_indexed=1") || !strings.Contains(out, "apidocs_removed=1") {
		t.Errorf("update-commit-graph: %s", out)
	}
	if got := strings.Join(append(keys(f.searchJSON("SideOnly")), keys(f.searchJSON("Router"))...), ","); got != "pub mux.SideOnly" {
		t.Errorf("after the head moved: %s, want the side upload's symbol only", got)
	}

	// 0.00000001 × 250,000,000 = 2 rows: old's 2 and pub's 1 are over.
	out = f.ok("--apidocs-index-limit-factor", "0.00000001", "run", "prune")
	if !strings.Contains(out, "apidocs_pruned_rows=2") || !strings.Contains(out, "apidocs_pruned_uploads=1") {
		t.Errorf("prune: %s", out)
	}
	if got := strings.Join(append(keys(f.searchJSON("OldOne")), keys(f.searchJSON("SideOnly"))...), ","); got != "pub mux.SideOnly" {
		t.Errorf("after prune: %s, want the newest upload's symbol only", got)
	}

	f.ok("repos", "remove", "pub")
	if res := f.searchJSON("SideOnly"); len(res) != 0 {
		t.Errorf("removed repository is searchable: %v", keys(res))
	}
	f.now = time.Now().AddDate(0, 0, 30).UTC().Format(time.RFC3339)
	f.ok("run", "prune")
	var n int
	if err := f.db.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM apidocs_entries) + (SELECT count(*) FROM apidocs_search_public)
		+ (SELECT count(*) FROM apidocs_indexed WHERE repo_id NOT IN (SELECT id FROM repos))`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 { // old's two entries, its upload pruned from search but kept
		t.Errorf("%d api docs rows left after the removed repository was pruned, want old's 2 entries", n)
	}
}

// TestAPIDocsUsageErrors: bad input exits 2 and names the input.
func TestAPIDocsUsageErrors(t *testing.T) {
	t.Parallel()
	f := newDocsFixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"apidocs", "search", "repo:x"}, "empty query"},
		{[]string{"apidocs", "search", "Router", "--format", "xml"}, `--format: "xml" is not text or json`},
		{[]string{"apidocs", "search", "Router", "--limit", "0"}, "--limit 0: want 1 to 1000"},
		{[]string{"apidocs", "search", "Router", "--repo", "("}, `--repo "("`},
		{[]string{"apidocs", "search", "Router repo:a", "--repo", "b"}, `--repo "b" and the query's repo:a disagree`},
		{[]string{"apidocs", "search", "Router", "--as", ""}, "--as"},
		{[]string{"apidocs", "page"}, "missing --repo"},
		{[]string{"apidocs", "page", "--repo", "x", "--path", "../etc"}, `--path "../etc"`},
		{[]string{"apidocs", "page", "--repo", "x", "--format", "html"}, `--format: "html" is not markdown or json`},
		{[]string{"--apidocs-index-limit-factor", "-1", "apidocs", "search", "x"}, "--apidocs-index-limit-factor"},
		{[]string{"apidocs"}, "want a subcommand"},
	} {
		code, _, stderr := f.run(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("sightline %s: exit %d, stderr %q; want exit 2 naming %q", strings.Join(tc.args, " "), code, stderr, tc.want)
		}
	}
}
