package enginetest

import (
	"context"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// dashboardQueries are the Dashboard benchmark's 19 match series: literals,
// regexps, capture groups, lang: and file: filters. The 20th series is
// language usage.
var dashboardQueries = []benchQuery{
	{name: "todo", query: "TODO", grep: []string{"-F", "-e", "TODO"}},
	{name: "fixme", query: "FIXME", grep: []string{"-F", "-e", "FIXME"}},
	{name: "if-err", query: "if err != nil", grep: []string{"-F", "-e", "if err != nil"}},
	{name: "errorf", query: "fmt.Errorf", grep: []string{"-F", "-e", "fmt.Errorf"}},
	{name: "errors-new", query: "errors.New", grep: []string{"-F", "-e", "errors.New"}},
	{name: "throw", query: "throw new Error", grep: []string{"-F", "-e", "throw new Error"}},
	{name: "import", query: "import", grep: []string{"-F", "-e", "import"}},
	{name: "const", query: "const ", grep: []string{"-F", "-e", "const "}},
	{name: "regexp-error", query: `/(?:errors\.New|new Error)\("[a-z]+ [a-z]+/`,
		grep: []string{"-P", "-e", `(?:errors\.New|new Error)\("[a-z]+ [a-z]+`}},
	{name: "regexp-todo", query: `/TODO\(\w+\)/`, grep: []string{"-P", "-e", `TODO\(\w+\)`}},
	{name: "regexp-ctx", query: `/ctx context\.Context\)/`, grep: []string{"-P", "-e", `ctx context\.Context\)`}},
	{name: "capture-errors", query: `/errors\.New\("([a-z]+)/`,
		grep: []string{"-P", "-e", `errors\.New\("[a-z]+`}, capture: captureRE(`errors\.New\("([a-z]+)`)},
	{name: "capture-owner", query: `/TODO\((\w+)\)/`,
		grep: []string{"-P", "-e", `TODO\(\w+\)`}, capture: captureRE(`TODO\((\w+)\)`)},
	{name: "capture-throw", query: `/throw new Error\("([a-z]+)/`,
		grep: []string{"-P", "-e", `throw new Error\("[a-z]+`}, capture: captureRE(`throw new Error\("([a-z]+)`)},
	{name: "lang-go", query: "lang:go TODO", grep: []string{"-F", "-e", "TODO"}, pathspecs: []string{"*.go"}},
	{name: "lang-ts", query: "lang:typescript console.debug", grep: []string{"-F", "-e", "console.debug"}, pathspecs: []string{"*.ts"}},
	{name: "file-md", query: `file:\.md$ TODO`, grep: []string{"-F", "-e", "TODO"}, pathspecs: []string{"*.md"}},
	{name: "not-go", query: `-file:\.go$ FIXME`, grep: []string{"-F", "-e", "FIXME"}, pathspecs: []string{".", ":(exclude)*.go"}},
	{name: "file-dir", query: `file:^[a-m] fmt.Errorf`, grep: []string{"-F", "-e", "fmt.Errorf"}, pathspecs: []string{"[a-m]*"}},
}

// BenchmarkDashboard times a dashboard: the 19 match series above and one
// language-usage series, 52 weekly points each, evaluated in ONE engine
// pass over the repository's history (engine.Pass, a fresh cache per op),
// against the naive baseline (git rev-list + git grep -o per sample time
// per series: 20 × 52 git grep runs; `git grep -I -c -e ""` counting lines by
// file extension for language usage). It also times, once, what
// run-searches did before shared passes: the 20 series one Series call
// each (a fresh shared cache). It fails if any value differs from git's.
// peak-rss-MiB is the benchmark process's ru_maxrss after the passes: an
// upper bound of the pass's peak, since the process ran the baseline (and
// any earlier benchmark) before.
func BenchmarkDashboard(b *testing.B) {
	r := openBenchRepo(b)
	naive := &naiveRun{}
	var want [][]sample
	for _, bq := range dashboardQueries {
		run := naiveSeries(b, r, bq)
		naive.elapsed += run.elapsed
		naive.cpu += run.cpu
		want = append(want, run.samples)
	}
	langsRun := naiveLangs(b, r)
	naive.elapsed += langsRun.elapsed
	naive.cpu += langsRun.cpu
	queries := dashboardPassQueries(b, r)

	var got [][]sample
	cpu := benchproc.CPUTime()
	for b.Loop() {
		var err error
		if got, err = dashboardPass(b.Context(), r, queries); err != nil {
			b.Fatal(err)
		}
	}
	cpu = benchproc.CPUTime() - cpu
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	for k, bq := range dashboardQueries {
		if err := compare(got[k], want[k]); err != nil {
			b.Fatalf("%s: Sightline and the naive baseline disagree: %v", bq.query, err)
		}
	}
	if err := compareLangs(got[len(got)-1], langsRun.samples); err != nil {
		b.Fatalf("language usage: Sightline and git grep -c disagree: %v", err)
	}
	reportVersusNaive(b, cpu, naive)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MiB")

	start, before := time.Now(), benchproc.CPUTime()
	if _, err := dashboardSeries(b.Context(), r, queries); err != nil {
		b.Fatal(err)
	}
	sep, sepCPU := time.Since(start), benchproc.CPUTime()-before
	b.ReportMetric(sep.Seconds(), "separate-s/op")
	b.ReportMetric(naive.elapsed.Seconds()/sep.Seconds(), "separate-speedup-x")
	b.ReportMetric(naive.cpu.Seconds()/sepCPU.Seconds(), "separate-cpu-speedup-x")
}

// BenchmarkDashboardPass times the dashboard's one pass alone, without the
// naive baseline (which takes minutes) nor the check against git that
// BenchmarkDashboard makes: a quick measure of the pass's wall and CPU
// time (user+sys of the process and its git children) for comparing
// builds, and for profiles (-cpuprofile, -memprofile).
func BenchmarkDashboardPass(b *testing.B) {
	r := openBenchRepo(b)
	queries := dashboardPassQueries(b, r)
	cpu := benchproc.CPUTime()
	for b.Loop() {
		if _, err := dashboardPass(b.Context(), r, queries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((benchproc.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MiB")
}

// dashboardPassQueries parses the dashboard's queries, language usage
// last.
func dashboardPassQueries(b *testing.B, r *benchRepo) []engine.PassQuery {
	var out []engine.PassQuery
	opts := engine.Opts{Match: search.MatchOpts{MaxFileSize: r.maxFileSize}}
	for _, bq := range dashboardQueries {
		q, err := search.Parse(bq.query)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, engine.PassQuery{Query: q, Opts: opts})
	}
	q, err := search.Parse("file:.")
	if err != nil {
		b.Fatal(err)
	}
	return append(out, engine.PassQuery{Query: q, Opts: engine.Opts{Langs: true}})
}

// dashboardCommits opens the repository and maps the sample times to
// commits, as sightlineSeries does.
func dashboardCommits(ctx context.Context, r *benchRepo) (*gitsource.Repo, []sample, []string, error) {
	repo, err := gitsource.Open(ctx, r.dir)
	if err != nil {
		return nil, nil, nil, err
	}
	history, err := repo.FirstParentHistoryUntil(ctx, "", slices.MinFunc(r.times, time.Time.Compare))
	if err != nil {
		repo.Close()
		return nil, nil, nil, err
	}
	samples := make([]sample, len(r.times))
	var commits []string
	for i, t := range r.times {
		samples[i].at = t
		if c, ok := gitsource.CommitAt(history, t); ok {
			samples[i].commit = c.OID
			if len(commits) == 0 || commits[len(commits)-1] != c.OID {
				commits = append(commits, c.OID)
			}
		}
	}
	return repo, samples, commits, nil
}

// dashboardPass evaluates the dashboard in one pass and returns each
// series' samples.
func dashboardPass(ctx context.Context, r *benchRepo, queries []engine.PassQuery) ([][]sample, error) {
	repo, samples, commits, err := dashboardCommits(ctx, r)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	res, err := (&engine.Engine{Cache: engine.NewCache(0)}).Pass(ctx, repo, queries, commits)
	if err != nil {
		return nil, err
	}
	out := make([][]sample, len(res))
	for k, pr := range res {
		if pr.Err != nil {
			return nil, fmt.Errorf("query %q: %w", queries[k].Query, pr.Err)
		}
		out[k] = fill(samples, commits, pr.Points)
	}
	return out, nil
}

// dashboardSeries evaluates the dashboard one Series call per series, as
// run-searches did before shared passes.
func dashboardSeries(ctx context.Context, r *benchRepo, queries []engine.PassQuery) ([][]sample, error) {
	repo, samples, commits, err := dashboardCommits(ctx, r)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	eng := &engine.Engine{Cache: engine.NewCache(0)}
	var out [][]sample
	for _, q := range queries {
		points, err := eng.Series(ctx, repo, q.Query, commits, q.Opts)
		if err != nil {
			return nil, err
		}
		out = append(out, fill(samples, commits, points))
	}
	return out, nil
}

// fill copies samples with each one's value from points (one per commit):
// the match count and captures, or for language usage the lines per
// language as captures.
func fill(samples []sample, commits []string, points []engine.Point) []sample {
	byCommit := make(map[string]engine.Point, len(commits))
	for i, c := range commits {
		byCommit[c] = points[i]
	}
	out := slices.Clone(samples)
	for i := range out {
		p, ok := byCommit[out[i].commit]
		if !ok {
			continue
		}
		out[i].value, out[i].captures = p.Matches, p.Captures
		if p.Langs != nil {
			out[i].captures = map[string]int64{}
			for lang, lt := range p.Langs {
				out[i].captures[lang] = lt.Lines
			}
		}
	}
	return out
}

// naiveLangs is the naive language usage: at each sample time, git
// rev-list, then `git grep -I -c -e ""` (the lines of every text file)
// summed by file extension, vendored directories left out.
func naiveLangs(b *testing.B, r *benchRepo) *naiveRun {
	start, cpu := time.Now(), benchproc.CPUTime()
	run := &naiveRun{}
	for _, t := range r.times {
		s := sample{at: t}
		s.commit = strings.TrimSpace(gitOutput(b, r.dir, "rev-list", "-1", "--first-parent", fmt.Sprintf("--before=@%d", t.Unix()), "HEAD"))
		if s.commit != "" {
			out := gitOutput(b, r.dir, "grep", "-I", "-c", "-e", "", s.commit, "--")
			s.value, s.captures = 0, map[string]int64{}
			for line := range strings.Lines(out) {
				// <commit>:<path>:<count>
				i := strings.LastIndexByte(line, ':')
				n, err := strconv.ParseInt(strings.TrimSpace(line[i+1:]), 10, 64)
				if err != nil {
					b.Fatalf("git grep -c: bad line %q", line)
				}
				_, p, _ := strings.Cut(line[:i], ":")
				if lang := extLangs[path.Ext(p)]; lang != "" && !vendored.MatchString(p) {
					s.captures[lang] += n
				}
			}
		}
		run.samples = append(run.samples, s)
	}
	run.elapsed, run.cpu = time.Since(start), benchproc.CPUTime()-cpu
	return run
}

// vendored matches the directories of the generated repository that
// linguist's vendor list (go-enry) names, whose files language usage
// leaves out: the generator names directories after its vocabulary, which
// has "cache" and "build" (docs/build/ is a documentation build).
var vendored = regexp.MustCompile(`(^|/)((cache|dist|env|testdata|vendors?|deps)/|docs?/_?(build|themes?|templates?|static)/)`)

// extLangs are the languages of the generated repository's files.
var extLangs = map[string]string{".go": "Go", ".ts": "TypeScript", ".md": "Markdown"}

// compareLangs reports the first sample time where language usage differs.
func compareLangs(got, want []sample) error {
	for i := range want {
		if got[i].commit != want[i].commit || !maps.Equal(nonNil(got[i].captures), nonNil(want[i].captures)) {
			return fmt.Errorf("at %s (commit %s): lines by language %v, git grep -c counts %v",
				want[i].at.Format(time.RFC3339), want[i].commit, got[i].captures, want[i].captures)
		}
	}
	return nil
}

func gitOutput(b *testing.B, dir string, args ...string) string {
	b.Helper()
	out, err := gitsource.Command(b.Context(), dir, args...).Output()
	if err != nil {
		b.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}
