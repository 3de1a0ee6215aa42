package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/jobs/updatecommitgraph"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/codeintel/codeinteltest"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

const fixtures = "../../../sources/lsif/testdata/"

// chunkSize cuts each dump (some 400 KB) into about 25 parts, so that an
// upload makes dozens of requests and a compose.
const chunkSize = 16 << 10

// lsifProject is a fixture project committed to a repository of its own,
// under root, with its real lsif-tsc dump.
type lsifProject struct {
	name, root    string
	dir           string // the repository's work tree
	commit, later string // the indexed commit, and one after it with no upload
	dump          []byte
	sources       map[string]string // path in the repository → content
}

// lsifWorld is the shapes library, at the top of its repository, and app,
// which imports it, in directory app/ (uploaded with that root).
type lsifWorld struct {
	projects []*lsifProject
}

func newLSIFWorld(t *testing.T) *lsifWorld {
	w := &lsifWorld{}
	for _, p := range []struct{ name, root string }{{"shapes", ""}, {"app", "app"}} {
		files := map[string]string{}
		for rel, data := range lsiftest.Files(t, fixtures+p.name) {
			files[path.Join(p.root, rel)] = data
		}
		g := gittest.New(t)
		at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
		proj := &lsifProject{name: p.name, root: p.root, dir: g.Dir, sources: files}
		proj.commit = g.Commit(at, "fixture", files)
		proj.later = g.Commit(at.Add(time.Hour), "later", map[string]string{"NOTES": "n\n"})
		dump, err := os.ReadFile(fixtures + p.name + ".lsif.gz")
		if err != nil {
			t.Fatal(err)
		}
		proj.dump = dump
		w.projects = append(w.projects, proj)
	}
	return w
}

// runUploads registers the fixture repositories, syncs them, uploads each
// dump as `sightline lsif upload` does (run again, as a user would, until
// it succeeds), runs process-uploads until no upload is queued or
// processing and update-commit-graph, then reads back the code-intel rows
// and the answers to code navigation.
func (o *outcome) runUploads(t *testing.T, p provider, w *world, cfg buckettest.ChaosConfig) {
	ctx := context.Background()
	part := &o.uploads
	b, chaos := p.open(t, cfg)
	r := newRunner(t, b)
	for _, proj := range w.lsif.projects {
		if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: proj.name, Path: proj.dir}); err != nil {
			t.Fatal(err)
		}
	}
	part.runUntilDone(t, r, &syncrepos.Job{})
	ids := map[string]int64{}
	for _, proj := range w.lsif.projects {
		ids[proj.name] = part.upload(t, r, proj)
	}
	for range maxRounds {
		part.runUntilDone(t, r, &processuploads.Job{RetryAfter: -1})
		if uploadsSettled(t, r) {
			break
		}
	}
	part.runUntilDone(t, r, &updatecommitgraph.Job{})
	part.faults = chaos.Counts()
	for name, id := range ids {
		if u, err := codeintel.UploadsGet(ctx, r.DB, id); err != nil || u.State != codeintel.StateCompleted {
			t.Errorf("%s, %s: DATA LOSS: upload %d of %s is %s (%q), %v; want completed",
				o.provider, o.profile, id, name, u.State, u.FailureMessage, err)
		}
	}
	o.codeintel = codeinteltest.Snapshot(t, r.DB)
	o.codenav = ask(t, r, w.lsif)
}

// upload sends proj's dump until an upload succeeds and returns its id. A
// failed upload is left uploading, as the CLI leaves it (prune deletes
// it).
func (p *partOutcome) upload(t *testing.T, r *jobs.Runner, proj *lsifProject) int64 {
	t.Helper()
	rp, err := repos.Get(context.Background(), r.DB, proj.name)
	if err != nil {
		t.Fatal(err)
	}
	what := "lsif upload " + proj.name
	for range maxRounds {
		p.rounds.add(what)
		// As the CLI's, but for the chunk size (--chunk-size) and the
		// wait before a part's second attempt (1 s).
		u := &codeintel.Uploader{DB: r.DB, Bucket: r.Bucket, ChunkSize: chunkSize, TempDir: t.TempDir(),
			RetryBackoff: 10 * time.Millisecond, Logger: r.Logger}
		ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
		res, err := u.Upload(ctx, bytes.NewReader(proj.dump), codeintel.UploadParams{
			RepoID: rp.ID, Commit: proj.commit, Root: proj.root, Indexer: "lsif-tsc"})
		cancel()
		if err == nil {
			return res.Upload.ID
		}
		p.fail(what, err)
	}
	t.Fatalf("%s: %s still failing after %d attempts; errors: %s", p.name, what, maxRounds, strings.Join(p.failures, "; "))
	return 0
}

// uploadsSettled reports whether no upload is queued or processing.
func uploadsSettled(t *testing.T, r *jobs.Runner) bool {
	for _, s := range []codeintel.State{codeintel.StateQueued, codeintel.StateProcessing} {
		us, err := codeintel.UploadsList(context.Background(), r.DB, codeintel.UploadsListParams{State: s})
		if err != nil {
			t.Fatal(err)
		}
		if len(us) > 0 {
			return false
		}
	}
	return true
}

// uploadID is an upload's number in a reason: a retried upload takes a
// new one.
var uploadID = regexp.MustCompile(`\bupload \d+\b`)

// identifier finds where identifiers start in a source line.
var identifier = regexp.MustCompile(`\b[A-Za-z_]\w*`)

// ask asks definitions, references and hover text at the start of every
// identifier of every TypeScript source of the fixtures, at the commit
// after the upload's, and returns each answer as JSON.
func ask(t *testing.T, r *jobs.Runner, w *lsifWorld) map[string]string {
	ctx := context.Background()
	ops := []struct {
		name string
		fn   func(context.Context, codeintel.DB, codeintel.CodenavQuery) (codeintel.CodenavResult, error)
	}{{"definitions", codeintel.CodenavDefinitions}, {"references", codeintel.CodenavReferences}, {"hover", codeintel.CodenavHover}}
	out := map[string]string{}
	for _, proj := range w.projects {
		for file, src := range proj.sources {
			if !strings.HasSuffix(file, ".ts") {
				continue
			}
			for line, text := range strings.Split(src, "\n") {
				for _, m := range identifier.FindAllStringIndex(text, -1) {
					q := codeintel.CodenavQuery{Repo: proj.name, Commit: proj.later, Path: file,
						Position: codeintel.Position{Line: line, Character: m[0]}}
					for _, op := range ops {
						res, err := op.fn(ctx, r.DB, q)
						if err != nil {
							t.Fatalf("%s at %s %s:%d:%d: %v", op.name, proj.name, file, line, m[0], err)
						}
						answer, _ := json.Marshal(res)
						out[fmt.Sprintf("%s at %s %s:%d:%d", op.name, proj.name, file, line, m[0])] =
							uploadID.ReplaceAllString(string(answer), "upload N")
					}
				}
			}
		}
	}
	return out
}
