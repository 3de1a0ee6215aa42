package codeintel_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/codeintel"
)

func TestCodenavDiagnostics(t *testing.T) {
	t.Parallel()
	f := newNavFixture(t)
	ctx := context.Background()
	// app's upload has root web/: its paths, like every stored path, are
	// repository-relative.
	if _, err := f.db.Exec(ctx, `INSERT INTO lsif_diagnostics VALUES
		($1, 'web/main.ts', 1, '2304', 'Cannot find name ''x''.', 'ts', 7, 0, 7, 1),
		($1, 'web/main.ts', 2, '', 'unused', 'lint', 3, 2, 3, 5),
		($1, 'web/util/a.ts', 0, '', 'no severity', '', 0, 0, 0, 1),
		($1, 'web/mainx.ts', 4, '', 'a hint', 'ts', 0, 0, 0, 1)`, f.app); err != nil {
		t.Fatal(err)
	}
	diag := func(path string, sl, sc, el, ec int, severity, code, message, source string) codeintel.Diagnostic {
		return codeintel.Diagnostic{Location: loc("app", appCommit, path, sl, sc, el, ec),
			Severity: severity, Code: code, Message: message, Source: source}
	}
	var (
		unused   = diag("web/main.ts", 3, 2, 3, 5, "warning", "", "unused", "lint")
		notFound = diag("web/main.ts", 7, 0, 7, 1, "error", "2304", "Cannot find name 'x'.", "ts")
		noSev    = diag("web/util/a.ts", 0, 0, 0, 1, "", "", "no severity", "")
		hint     = diag("web/mainx.ts", 0, 0, 0, 1, "hint", "", "a hint", "ts")
	)
	for _, tc := range []struct {
		name, repo, commit, path string
		want                     []codeintel.Diagnostic
		reason                   string
	}{
		{name: "a file, by position", repo: "app", commit: appCommit, path: "web/main.ts", want: []codeintel.Diagnostic{unused, notFound}},
		{name: "a directory", repo: "app", commit: appCommit, path: "web/util", want: []codeintel.Diagnostic{noSev}},
		{name: "the upload's root", repo: "app", commit: appCommit, path: "web", want: []codeintel.Diagnostic{unused, notFound, hint, noSev}},
		{name: "outside the upload's root", repo: "app", commit: appCommit, path: "docs", reason: `covers docs `},
		{name: "every file", repo: "app", commit: appChild, want: []codeintel.Diagnostic{unused, notFound, hint, noSev}},
		{name: "none for the file", repo: "lib", commit: libCommit, path: "src/shape.ts", reason: `no diagnostics for src/shape.ts in upload \d+ \(lib`},
		{name: "unknown repository", repo: "nope", commit: libCommit, reason: `repository "nope" is not registered`},
		{name: "no visible upload", repo: "lib", commit: appCommit, reason: `not in the commit graph`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := codeintel.CodenavDiagnostics(ctx, f.db, codeintel.CodenavQuery{Repo: tc.repo, Commit: tc.commit, Path: tc.path})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.Diagnostics); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if tc.want == nil && !regexp.MustCompile(tc.reason).MatchString(got.Reason) {
				t.Errorf("reason %q does not match %q", got.Reason, tc.reason)
			}
		})
	}
}
