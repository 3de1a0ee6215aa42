package cli_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The LSIF reference implementation (@vscode/lsif-language-service, run by
// the scripts in ../shared/tools/lsif-oracle) answers the same queries as
// codenav, independently of Sightline's converter and store.

// oracleQuery is a sampled position, as make_nav_queries.js writes it.
type oracleQuery struct {
	ID        int    `json:"id"`
	Path      string `json:"path"`
	Line      int    `json:"line"`
	Character int    `json:"character"`
	Kind      string `json:"kind"`
}

// oracleLocation is a location of the oracle's answer: Path is relative
// to the project root, or a full URI for a document outside it.
type oracleLocation struct {
	Path  string   `json:"path"`
	Range lspRange `json:"range"`
}

// lspRange is an LSP range, as both the oracle and codenav print it.
type lspRange struct {
	Start lspPos `json:"start"`
	End   lspPos `json:"end"`
}

type lspPos struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// oracleAnswer is one answer of lsif_oracle.js. Result is a location list
// (definitions, references) or a hover {contents, range}, or null.
type oracleAnswer struct {
	oracleQuery
	Result json.RawMessage `json:"result"`
}

// oracleDir returns the lsif-oracle scripts' directory ($LSIF_ORACLE, else
// ../shared/tools/lsif-oracle beside the repository) after checking that
// node and the oracle's npm install are there: without them the test fails
// with what to run, it does not skip.
func oracleDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LSIF_ORACLE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "tools", "lsif-oracle")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if _, err := os.Stat(filepath.Join(dir, "lsif_oracle.js")); err != nil {
		t.Fatalf("the LSIF oracle scripts are missing (%v): set LSIF_ORACLE to the lsif-oracle directory of the shared tools", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is required for the LSIF oracle (apt-get install nodejs npm): %v", err)
	}
	home := os.Getenv("LSIF_ORACLE_HOME")
	if home == "" {
		h, _ := os.UserHomeDir()
		home = filepath.Join(h, ".cache", "lsif-oracle")
	}
	if _, err := os.Stat(filepath.Join(home, "node_modules", "@vscode", "lsif-language-service")); err != nil {
		t.Fatalf("the LSIF oracle is not installed in %s: run %s/setup once (npm)", home, dir)
	}
	return dir
}

// gunzipTo writes the gzipped file src, uncompressed, to dst.
func gunzipTo(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// oracleAnswers samples n positions of dump (seed 42) and answers them,
// and the pinned ones, with the oracle.
func oracleAnswers(t *testing.T, dump string, n int, pinned []oracleQuery) []oracleAnswer {
	t.Helper()
	dir := oracleDir(t)
	var qs []oracleQuery
	if err := json.Unmarshal(node(t, filepath.Join(dir, "make_nav_queries.js"), dump, itoa(n), "42"), &qs); err != nil {
		t.Fatalf("make_nav_queries.js output: %v", err)
	}
	for _, q := range pinned {
		q.ID = len(qs)
		qs = append(qs, q)
	}
	b, err := json.Marshal(qs)
	if err != nil {
		t.Fatal(err)
	}
	queries := filepath.Join(t.TempDir(), "queries.json")
	if err := os.WriteFile(queries, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Answers []oracleAnswer `json:"answers"`
	}
	if err := json.Unmarshal(node(t, filepath.Join(dir, "lsif_oracle.js"), dump, queries), &out); err != nil {
		t.Fatalf("lsif_oracle.js output: %v", err)
	}
	if len(out.Answers) == 0 {
		t.Fatalf("the oracle answered no queries on %s", dump)
	}
	return out.Answers
}

func node(t *testing.T, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("node", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// oracleHover renders the oracle's hover contents as Sightline stores hover
// text: strings as they are, {language, value} as a fenced code block,
// {kind, value} as its value, parts joined by a rule.
func oracleHover(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var h struct {
		Contents json.RawMessage `json:"contents"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("oracle hover %s: %v", raw, err)
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(h.Contents, &parts); err != nil {
		parts = []json.RawMessage{h.Contents}
	}
	var texts []string
	for _, p := range parts {
		var s string
		if json.Unmarshal(p, &s) == nil {
			if s = strings.TrimSpace(s); s != "" {
				texts = append(texts, s)
			}
			continue
		}
		var m struct{ Language, Kind, Value string }
		if err := json.Unmarshal(p, &m); err != nil {
			t.Fatalf("oracle hover part %s: %v", p, err)
		}
		v := strings.TrimSpace(m.Value)
		switch {
		case v == "":
		case m.Language != "":
			texts = append(texts, "```"+m.Language+"\n"+v+"\n```")
		default:
			texts = append(texts, v)
		}
	}
	return strings.Join(texts, "\n\n---\n\n")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
