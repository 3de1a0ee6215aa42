package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWorkerFetchesMissingMirror runs run-searches and process-uploads
// with a data directory of their own (another machine's), sharing only
// the database and the bucket with the one sync-repos used, whose mirrors
// are then deleted: the workers fetch the URL repositories they need into
// their own data directory and complete every shard.
func TestWorkerFetchesMissingMirror(t *testing.T) {
	t.Parallel()
	dirs := crashRepos(t, 3)
	url := schemaURL(t)
	p := &crashPipeline{url: url}
	syncData, workerData := t.TempDir(), t.TempDir()
	config := "repos:\n"
	for i, dir := range dirs {
		config += fmt.Sprintf("  - name: org/repo-%d\n    url: file://%s\n", i, dir)
	}
	cfg := filepath.Join(syncData, "sightline.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	common := append(os.Environ(), "DATABASE_URL="+url, "SIGHTLINE_CONFIG="+cfg, "SIGHTLINE_NOW="+crashNow,
		"SIGHTLINE_GIT_PROTOCOLS=file", "SIGHTLINE_BUCKET=file://"+filepath.Join(syncData, "bucket"))
	p.env = append(common, "SIGHTLINE_DATA_DIR="+syncData)
	if out, err := p.sightline("migrate", "up").CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	for _, job := range []string{"sync-repos", "index-commits"} {
		if out, err := p.sightline("run", job).CombinedOutput(); err != nil {
			t.Fatalf("run %s: %v\n%s", job, err, out)
		}
	}
	p.addBackfills(t, 2)
	if err := os.RemoveAll(filepath.Join(syncData, "repos")); err != nil {
		t.Fatal(err)
	}
	worker := &crashPipeline{url: url, env: append(common, "SIGHTLINE_DATA_DIR="+workerData, "SIGHTLINE_MIRROR_CACHE_SIZE=1GiB")}
	if out, err := worker.sightline("run", "run-searches").CombinedOutput(); err != nil {
		t.Fatalf("run-searches on the worker's data directory: %v\n%s", err, out)
	}
	if done, total := p.shardCounts(t); done != total || total == 0 {
		t.Fatalf("%d of %d shards completed, want all", done, total)
	}
	if got := p.query(t, `SELECT count(*) FROM incomplete_points`); got[0] != "0" {
		t.Errorf("%s incomplete points, want none (every repository searched)", got[0])
	}
	if got := p.query(t, `SELECT count(*) FROM series_points`); got[0] == "0" {
		t.Error("no series points")
	}
	entries, err := os.ReadDir(filepath.Join(workerData, "repos"))
	if err != nil || len(entries) != len(dirs) {
		t.Errorf("worker's mirrors: %v (%v), want %d", entries, err, len(dirs))
	}
}
