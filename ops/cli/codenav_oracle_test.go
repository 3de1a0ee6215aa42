package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/sightline-dev/sightline/ops/cli"
)

// TestCodenavOracle uploads a real lsif-tsc dump (testdata/navcases: an
// unresolved module import, namespace imports, overriding methods,
// re-exports, interfaces) through lsif upload, process-uploads and
// update-commit-graph, and asks codenav definitions, references and hover
// at a few hundred positions the oracle samples and answers. Every answer
// agrees with the oracle's, but for the differences explained by class in
// navDifferenceBounds, each bounded.
func TestCodenavOracle(t *testing.T) {
	t.Parallel()
	dump := filepath.Join(t.TempDir(), "navcases.lsif")
	gunzipTo(t, "testdata/navcases/navcases.lsif.gz", dump)
	compareWithOracle(t, "testdata/navcases", dump, 300, pinnedQueries(t, "testdata/navcases", navCases), navDifferenceBounds)
}

// navCases are positions TestCodenavOracle asks about besides the sampled
// ones, whatever the sample: each over-linking case of issue 14. A case is
// the first occurrence of needle in a 0-based line of a file; the query is
// at its second character.
var navCases = []struct {
	path   string
	line   int
	needle string
}{
	{"test/shapes.test.ts", 0, "describe"}, // imported from a module lsif-tsc could not resolve
	{"test/shapes.test.ts", 12, "describe"},
	{"test/shapes.test.ts", 5, "expect"},
	{"test/geometry.test.ts", 2, "describeMain"}, // renamed import of a local function of that name
	{"src/main.ts", 15, "describe"},
	{"src/main.ts", 9, "describe"}, // a method of that name
	{"src/shapes.ts", 0, "geo"},    // namespace import
	{"src/shapes.ts", 21, "geo"},   // a name through it
	{"test/geometry.test.ts", 1, "geo"},
	{"src/main.ts", 5, "shapes"},  // a namespace, re-exported
	{"src/shapes.ts", 35, "name"}, // overriding method
	{"src/shapes.ts", 15, "name"}, // overridden method
	{"src/shapes.ts", 51, "name"}, // super.name()
	{"src/shapes.ts", 5, "name"},  // interface method
	{"src/shapes.ts", 31, "area"}, // implementing an abstract method
	{"src/shapes.ts", 59, "area"}, // called through the interface
	{"src/index.ts", 3, "dist }"}, // re-export under another name
	{"src/main.ts", 0, "dist"},
	{"src/main.ts", 11, "dist"},
}

// pinnedQueries returns definitions, references and hover queries at each
// case's position in project's files.
func pinnedQueries(t *testing.T, project string, cases []struct {
	path   string
	line   int
	needle string
}) []oracleQuery {
	t.Helper()
	var qs []oracleQuery
	for _, c := range cases {
		b, err := os.ReadFile(filepath.Join(project, c.path))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		i := -1
		if c.line < len(lines) {
			i = strings.Index(lines[c.line], c.needle)
		}
		if i < 0 {
			t.Fatalf("%s:%d does not hold %q: update navCases with the sources", c.path, c.line, c.needle)
		}
		for _, kind := range []string{"definitions", "references", "hover"} {
			qs = append(qs, oracleQuery{Path: c.path, Line: c.line, Character: i + 1, Kind: kind})
		}
	}
	return qs
}

// compareWithOracle uploads dump, the dump of the project, through the real
// jobs, and compares codenav's answers with the oracle's at n sampled
// positions and the pinned ones: each difference must be of a class in bounds, and each class
// within its bound.
func compareWithOracle(t *testing.T, project, dump string, n int, pinned []oracleQuery, bounds map[string]int) {
	t.Helper()
	answers := oracleAnswers(t, dump, n, pinned)
	nav := newNavFixture(t, project, dump)
	got := nav.askAll(t, answers)
	classes := map[string]int{}
	for i, a := range answers {
		class, detail := compareAnswer(t, a, got[i])
		if class == "" {
			continue
		}
		classes[class]++
		if _, known := bounds[class]; !known {
			t.Errorf("codenav %s %s:%d:%d differs from the oracle: %s", a.Kind, a.Path, a.Line, a.Character, detail)
		}
	}
	for class, n := range classes {
		if bound, known := bounds[class]; known && n > bound {
			t.Errorf("%d answers differ from the oracle by %q, want at most %d", n, class, bound)
		}
	}
	t.Logf("%d positions compared; explained differences: %v", len(answers), classes)
}

// navDifferenceBounds lists the explained ways codenav may differ from the
// oracle, with how many of the sampled answers each may account for.
var navDifferenceBounds = map[string]int{
	// Sightline answers only with locations in the repository: the oracle
	// also lists TypeScript's lib .d.ts files, outside the project root,
	// which no upload of the repository covers. Such answers are compared
	// on the locations in the repository.
	"outside-repository": 60,
}

// navFixture is a repository holding a project's sources at one commit,
// with the project's dump uploaded and processed by the real jobs.
type navFixture struct {
	url, dataDir, commit string
}

func newNavFixture(t *testing.T, project, dump string) *navFixture {
	t.Helper()
	url := schemaURL(t)
	dir := t.TempDir()
	f := &navFixture{url: url, dataDir: filepath.Join(dir, ".sightline")}
	repo := filepath.Join(dir, "repo")
	if err := os.CopyFS(repo, os.DirFS(project)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-q", "-m", "sources"}} {
		git := exec.Command("git", args...)
		git.Dir = repo
		git.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=Test",
			"GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
		if out, err := git.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	out, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	f.commit = strings.TrimSpace(string(out))
	f.ok(t, "migrate", "up")
	f.ok(t, "repos", "add", "navcases", "--path", repo)
	f.ok(t, "run", "sync-repos")
	f.ok(t, "lsif", "upload", dump, "--repo", "navcases", "--commit", f.commit)
	if out := f.ok(t, "run", "process-uploads"); !strings.Contains(out, "completed=1") {
		t.Fatalf("process-uploads did not complete the upload:\n%s", out)
	}
	f.ok(t, "run", "update-commit-graph")
	return f
}

// run runs sightline in this process on the fixture's database.
func (f *navFixture) run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	args = append([]string{"--database-url", f.url, "--data-dir", f.dataDir}, args...)
	code = cli.Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func (f *navFixture) ok(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := f.run(args...)
	if code != 0 {
		t.Fatalf("sightline %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout + stderr
}

// codenavAnswer is the JSON object every codenav command prints.
type codenavAnswer struct {
	Locations *[]oracleLocation `json:"locations"`
	Hover     *string           `json:"hover"`
	Reason    string            `json:"reason"`
}

// askAll runs codenav on each answer's query, four at a time: each run
// mostly waits on Postgres.
func (f *navFixture) askAll(t *testing.T, answers []oracleAnswer) []codenavAnswer {
	t.Helper()
	got := make([]codenavAnswer, len(answers))
	errs := make([]error, len(answers))
	var g errgroup.Group
	g.SetLimit(4)
	for i, a := range answers {
		g.Go(func() error {
			got[i], errs[i] = f.codenav(a.oracleQuery)
			return nil
		})
	}
	_ = g.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return got
}

// codenav runs codenav kind at the query's position with --format json.
func (f *navFixture) codenav(q oracleQuery) (codenavAnswer, error) {
	args := []string{"codenav", q.Kind, "--repo", "navcases", "--commit", f.commit, "--path", q.Path,
		"--line", fmt.Sprint(q.Line), "--character", fmt.Sprint(q.Character), "--format", "json"}
	code, stdout, stderr := f.run(args...)
	var a codenavAnswer
	if code != 0 {
		return a, fmt.Errorf("sightline %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		return a, fmt.Errorf("codenav %s %s:%d:%d: want a JSON object: %w\n%s", q.Kind, q.Path, q.Line, q.Character, err, stdout)
	}
	return a, nil
}

// compareAnswer returns the class of the difference between codenav's
// answer and the oracle's ("" when they agree) and a description of it.
func compareAnswer(t *testing.T, a oracleAnswer, got codenavAnswer) (class, detail string) {
	t.Helper()
	if a.Kind == "hover" {
		want := ""
		if string(a.Result) != "null" {
			want = oracleHover(t, a.Result)
		}
		if got.Hover == nil || got.Locations != nil {
			return "shape", fmt.Sprintf("hover answer is not {\"hover\", \"reason\"}: %+v", got)
		}
		if *got.Hover != want {
			return "hover", fmt.Sprintf("hover %q, oracle %q (reason %q)", *got.Hover, want, got.Reason)
		}
		return "", ""
	}
	var want []oracleLocation
	if err := json.Unmarshal(a.Result, &want); err != nil {
		t.Fatalf("oracle answer %s: %v", a.Result, err)
	}
	outside := slices.ContainsFunc(want, func(l oracleLocation) bool { return strings.Contains(l.Path, "://") })
	want = slices.DeleteFunc(want, func(l oracleLocation) bool { return strings.Contains(l.Path, "://") })
	if got.Locations == nil || got.Hover != nil {
		return "shape", fmt.Sprintf("answer is not {\"locations\", \"reason\"}: %+v", got)
	}
	have := *got.Locations
	if len(have) == 0 && got.Reason == "" {
		return "reason", "no locations and no reason"
	}
	if d := locationDiff(have, want); d != "" {
		return a.Kind, d
	}
	if outside {
		return "outside-repository", ""
	}
	return "", ""
}

// locationDiff describes how have and want differ as sets, or returns "".
func locationDiff(have, want []oracleLocation) string {
	key := func(l oracleLocation) string {
		r := l.Range
		return fmt.Sprintf("%s:%d:%d-%d:%d", l.Path, r.Start.Line, r.Start.Character, r.End.Line, r.End.Character)
	}
	set := func(ls []oracleLocation) map[string]bool {
		m := map[string]bool{}
		for _, l := range ls {
			m[key(l)] = true
		}
		return m
	}
	h, w := set(have), set(want)
	var extra, missing []string
	for k := range h {
		if !w[k] {
			extra = append(extra, k)
		}
	}
	for k := range w {
		if !h[k] {
			missing = append(missing, k)
		}
	}
	if len(extra) == 0 && len(missing) == 0 {
		return ""
	}
	slices.Sort(extra)
	slices.Sort(missing)
	return fmt.Sprintf("%d locations, oracle %d; not in the oracle's: %v; missing: %v", len(h), len(w), extra, missing)
}
