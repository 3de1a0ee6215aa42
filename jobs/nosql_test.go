package jobs_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sqlStatement matches a string literal that holds a SQL statement: one
// starting a line with SELECT, INSERT INTO, UPDATE <table> [alias] SET,
// DELETE FROM and the like (upper case, as the project writes SQL).
var sqlStatement = regexp.MustCompile(`(?m)^\s*(SELECT|INSERT\s+INTO|UPDATE\s+[a-z_]+(\s+[a-z_]+)?\s+SET|DELETE\s+FROM|WITH\s+[a-z_]+\s+AS|MERGE\s+INTO|TRUNCATE|COPY\s+[a-z_]+|(CREATE|ALTER|DROP)\s+(TEMP\s+)?(TABLE|INDEX|TRIGGER))\b`)

// TestNoSQLInJobs fails on a SQL statement in a package below jobs/ (a
// job, jobs/internal/..., jobstest; not in test files): a job reads and
// writes tables through the store methods of the sinks/ package that owns
// them. Only the runner, in jobs/ itself, keeps SQL of its own: job_runs
// and the advisory locks. make lint runs it.
func TestNoSQLInJobs(t *testing.T) {
	t.Parallel()
	var found []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if filepath.Dir(path) == "." || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		stmts, err := sqlIn(path, nil)
		found = append(found, stmts...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range found {
		t.Errorf("SQL in a job: %s; move it into a store method of the sinks/ package that owns the table (see README, Layout)", s)
	}
}

// sqlIn returns "file:line: first line" for each string literal of the Go
// file at path (or src, when not nil) that holds a SQL statement.
func sqlIn(path string, src any) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if m := sqlStatement.FindString(s); m != "" {
			out = append(out, fmt.Sprintf("%s: %s", fset.Position(lit.Pos()), strings.TrimSpace(m)))
		}
		return true
	})
	return out, nil
}

// TestSQLIn checks that the detector finds statements however they are
// quoted and laid out, and not SQL words in comments or prose.
func TestSQLIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      int
	}{
		{"raw, indented", "var q = `\n\t\tSELECT id FROM repos`", 1},
		{"quoted", `var q = "DELETE FROM repos WHERE id = $1"`, 1},
		{"update with an alias", "var q = `UPDATE repos r SET name = s.name FROM s`", 1},
		{"update", "var q = `UPDATE backfills SET repos_done = 1`", 1},
		{"insert on a later line", "var q = `-- a comment\n  INSERT INTO job_runs (job) VALUES ($1)`", 1},
		{"concatenated", "var q = `SELECT pg_advisory_lock(` + k + `)`", 1},
		{"two statements", "var a, b = `SELECT 1`, \"DELETE FROM x\"", 2},
		{"a comment", "// SELECT id FROM repos is how it was done\nvar q = 1", 0},
		{"prose", `var q = "select a repository to delete from the list"`, 0},
		{"a Go select", "func f(c chan int) {\n\tselect {\n\tcase <-c:\n\t}\n}", 0},
	}
	for _, tt := range tests {
		got, err := sqlIn("x.go", "package x\n"+tt.src+"\n")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(got) != tt.want {
			t.Errorf("%s: found %q, want %d", tt.name, got, tt.want)
		}
	}
}
