package lsif_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
)

func TestProjectRoot(t *testing.T) {
	t.Parallel()
	doc := func(uri string) string {
		return fmt.Sprintf(`{"id":10,"type":"vertex","label":"document","uri":%q}`, uri) + "\n" +
			`{"id":11,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}` + "\n" +
			`{"id":12,"type":"vertex","label":"hoverResult","result":{"contents":"h"}}` + "\n" +
			`{"id":13,"type":"edge","label":"textDocument/hover","outV":11,"inV":12}` + "\n" +
			`{"id":14,"type":"edge","label":"contains","outV":10,"inVs":[11]}` + "\n"
	}
	group := `{"id":2,"type":"vertex","label":"group","uri":"file:///g","conflictResolution":"takeDB","name":"g","rootUri":"file:///g"}` + "\n"
	tests := []struct {
		name     string
		dump     string
		opts     lsif.Opts
		wantRoot string
		wantPath string // "" when dropped
	}{
		{"metaData projectRoot", lines(meta) + doc("file:///src/app/lib/a.ts"), lsif.Opts{}, "file:///src/app", "lib/a.ts"},
		{"metaData wins over group", lines(meta) + group + doc("file:///src/app/a.ts"), lsif.Opts{}, "file:///src/app", "a.ts"},
		{"LSIF 0.5 group rootUri", lines(`{"id":1,"type":"vertex","label":"metaData","version":"0.5.3"}`) + group + doc("file:///g/a.ts"), lsif.Opts{}, "file:///g", "a.ts"},
		{"caller's root wins", lines(meta) + doc("file:///elsewhere/a.ts"), lsif.Opts{ProjectRoot: "file:///elsewhere/"}, "file:///elsewhere/", "a.ts"},
		{"percent-encoded", lines(meta) + doc("file:///src/app/my%20dir/a.ts"), lsif.Opts{}, "file:///src/app", "my dir/a.ts"},
		{"upload root is the project root", lines(meta) + doc("file:///src/app/a.ts"), lsif.Opts{Root: "app"}, "file:///src/app", "app/a.ts"},
		{"project root is the repository", lines(meta) + doc("file:///src/app/web/a.ts"), lsif.Opts{Root: "web/"}, "file:///src/app", "web/a.ts"},
		{"outside the upload root", lines(meta) + doc("file:///src/app/api/a.ts"), lsif.Opts{Root: "web"}, "file:///src/app", ""},
		{"outside the project root", lines(meta) + doc("file:///src/other/a.ts"), lsif.Opts{}, "file:///src/app", ""},
		{"escaping with ..", lines(meta) + doc("file:///src/app/../secret/a.ts"), lsif.Opts{}, "file:///src/app", ""},
		{"a sibling with the root as prefix", lines(meta) + doc("file:///src/application/a.ts"), lsif.Opts{}, "file:///src/app", ""},
		{"another scheme", lines(meta) + doc("untitled:///src/app/a.ts"), lsif.Opts{}, "file:///src/app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, stats := mustConvert(t, tt.dump, tt.opts)
			if stats.ProjectRoot != tt.wantRoot {
				t.Errorf("ProjectRoot = %q, want %q", stats.ProjectRoot, tt.wantRoot)
			}
			var want []string
			if tt.wantPath != "" {
				want = []string{tt.wantPath}
			} else if stats.OutsideRoot != 1 {
				t.Errorf("OutsideRoot = %d, want 1", stats.OutsideRoot)
			}
			if diff := cmp.Diff(want, rec.Paths); diff != "" {
				t.Errorf("paths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoProjectRoot(t *testing.T) {
	t.Parallel()
	_, _, err := convert(t, lines(`{"id":1,"type":"vertex","label":"metaData","version":"0.5.3"}`), lsif.Opts{})
	if !errors.Is(err, lsif.ErrMalformed) || !strings.Contains(err.Error(), "no project root") {
		t.Errorf("err = %v, want a malformed dump with no project root", err)
	}
	if _, _, err := convert(t, lines(meta), lsif.Opts{Root: "../x"}); err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Errorf("root ../x: err = %v, want outside the repository", err)
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	dump := lines(meta,
		`{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
		`{"id":3,"type":"vertex","label":"document","uri":"file:///src/app/gen/b.ts"}`,
		`{"id":4,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
		`{"id":5,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
		`{"id":6,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":1}}`,
		`{"id":7,"type":"edge","label":"contains","outV":2,"inVs":[4,6]}`,
		`{"id":8,"type":"edge","label":"contains","outV":3,"inVs":[5]}`,
		// a.ts uses what gen/b.ts defines, and refers to it from both.
		`{"id":9,"type":"vertex","label":"resultSet"}`,
		`{"id":10,"type":"edge","label":"next","outV":4,"inV":9}`,
		`{"id":11,"type":"edge","label":"next","outV":5,"inV":9}`,
		`{"id":12,"type":"vertex","label":"definitionResult"}`,
		`{"id":13,"type":"edge","label":"textDocument/definition","outV":9,"inV":12}`,
		`{"id":14,"type":"edge","label":"item","outV":12,"inVs":[5],"document":3}`,
		`{"id":15,"type":"vertex","label":"referenceResult"}`,
		`{"id":16,"type":"edge","label":"textDocument/references","outV":9,"inV":15}`,
		`{"id":17,"type":"edge","label":"item","outV":15,"inVs":[4],"document":2}`,
		`{"id":18,"type":"edge","label":"item","outV":15,"inVs":[5],"document":3}`,
		// A range with nothing but a pruned definition carries no data.
		`{"id":19,"type":"edge","label":"textDocument/definition","outV":6,"inV":12}`,
	)
	var asked []string
	exists := func(p string) bool { asked = append(asked, p); return !strings.HasPrefix(p, "gen/") }
	rec, stats := mustConvert(t, dump, lsif.Opts{Exists: exists})
	if diff := cmp.Diff([]string{"a.ts", "gen/b.ts"}, asked); diff != "" {
		t.Errorf("Exists calls (-want +got):\n%s", diff)
	}
	if stats.Pruned != 1 {
		t.Errorf("Pruned = %d, want 1", stats.Pruned)
	}
	want := []lsif.DocumentRange{{Range: rng(0, 0, 0, 1), ReferenceResultID: 2}}
	if diff := cmp.Diff(want, rec.Documents["a.ts"].Ranges); diff != "" {
		t.Errorf("ranges (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int32]lsif.Result{2: {ID: 2, Kind: lsif.References, Locations: []lsif.Location{loc("a.ts", 0, 0, 0, 1)}}}, rec.Results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}
