package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/bucketurl"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

const lsifFixtures = "../../sources/lsif/testdata/"

// inboxBuckets are the cloud fakes the inbox test runs on: each returns a
// bucket URL and the environment its client needs.
var inboxBuckets = []struct {
	name string
	open func(t *testing.T) (string, []string)
}{
	{"s3", func(t *testing.T) (string, []string) {
		var env []string
		for k, v := range buckettest.FakeAWSEnv {
			env = append(env, k+"="+v)
		}
		return fmt.Sprintf("s3://%s/inbox?endpoint=%s&path_style=true", buckettest.S3Bucket,
			url.QueryEscape(buckettest.NewS3Server(t))), env
	}},
	{"gcs", func(t *testing.T) (string, []string) {
		return fmt.Sprintf("gs://%s/inbox?endpoint=%s", buckettest.GCSBucket, url.QueryEscape(buckettest.NewGCSServer(t))), nil
	}},
}

// TestUploadInbox uploads dumps with `sightline lsif upload` and no
// database, against S3 and GCS fakes through the real SDK clients: the
// parts and manifests go to the bucket's inbox, and no Postgres is
// started. Then, with a database, process-uploads registers the entries:
// the good one is processed to completed, the one whose part was
// corrupted errors with the reason, the one of an unknown repository
// waits, the one whose manifest is not valid is deleted, recorded as an errored
// upload when the manifest names the repository and a full commit. An entry restored after its registration (a crash before its
// deletion) makes no second upload. prune deletes, once old, the parts
// whose manifest never came and the entry never registered.
func TestUploadInbox(t *testing.T) {
	t.Parallel()
	g := gittest.New(t)
	commit := g.Commit(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "fixture", lsiftest.Files(t, lsifFixtures+"shapes"))
	dump := lsifFixtures + "shapes.lsif.gz"
	for _, bk := range inboxBuckets {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			bucketURL, bucketEnv := bk.open(t)
			data := t.TempDir()
			noDB := append(withoutDatabaseURL(os.Environ()), bucketEnv...)
			noDB = append(noDB, "SIGHTLINE_DATA_DIR="+data, "SIGHTLINE_BUCKET="+bucketURL)
			b := openTestBucket(t, bucketURL)

			good := inboxUpload(t, noDB, dump, "--repo", "shapes", "--commit", commit)
			corrupt := inboxUpload(t, noDB, dump, "--repo", "shapes", "--commit", commit)
			unknown := inboxUpload(t, noDB, dump, "--repo", "nope", "--commit", commit)
			incomplete := inboxUpload(t, noDB, dump, "--repo", "shapes", "--commit", commit)
			partless := inboxUpload(t, noDB, dump, "--repo", "shapes", "--commit", commit)
			out, err := runSightline(noDB, "lsif", "upload", dump, "--repo", "shapes", "--commit", commit[:8]).CombinedOutput()
			if code := exitCode(err); code != 2 || !strings.Contains(string(out), "must be a full 40-character id") {
				t.Errorf("upload with an abbreviated commit and no database: exit %d, %s; want 2 and why", code, out)
			}
			if _, err := os.Stat(filepath.Join(data, "postgres")); err == nil {
				t.Error("lsif upload without DATABASE_URL started the private Postgres")
			}
			putObject(t, b, codeintel.InboxPartKey(corrupt, 0), []byte("not the part"))
			if err := b.Delete(context.Background(), codeintel.InboxPartKey(partless, 0)); err != nil {
				t.Fatal(err)
			}
			if err := b.Delete(context.Background(), codeintel.InboxManifestKey(incomplete)); err != nil {
				t.Fatal(err)
			}
			saved := saveEntry(t, b, good)
			putObject(t, b, codeintel.InboxManifestKey("20240101T000000Z-garbled"), []byte(`{"version": 1, "repository": "shapes", "commit": "HEAD"}`))
			// A manifest of another release: it names the repository and
			// commit, so the uploader sees why in lsif uploads.
			const future = "20240101T000001Z-future"
			putObject(t, b, codeintel.InboxManifestKey(future), []byte(`{"version": 99, "repository": "shapes", "commit": "`+commit+`"}`))

			p := inboxPipeline(t, noDB, g.Dir)
			out1 := mustSightline(t, p.env, "run", "process-uploads")
			for _, want := range []string{"inbox_registered=4", "inbox_errored=3", "inbox_unknown_repo=1", "inbox_corrupt=2", "completed=1"} {
				if !strings.Contains(out1, want) {
					t.Errorf("process-uploads: want %s in\n%s", want, out1)
				}
			}
			got := map[string]string{}
			for _, row := range p.query(t, `SELECT inbox_entry || ' ' || state || ' ' || coalesce(failure_message, '-') FROM lsif_uploads`) {
				entry, rest, _ := strings.Cut(row, " ")
				got[entry] = rest
			}
			if len(got) != 4 || got[good] != "completed -" ||
				!strings.HasPrefix(got[future], "errored corrupt inbox entry "+future+": manifest version 99, want 1") ||
				!strings.HasPrefix(got[corrupt], "errored corrupt inbox entry "+corrupt+": part 0 is 12 bytes with SHA-256 ") ||
				!strings.HasPrefix(got[partless], "errored corrupt inbox entry "+partless+": part 0 is missing (lsif-inbox/"+partless+"/part-00000.gz: ") {
				t.Errorf("uploads = %q\nwant %s completed, %s errored with the part's checksum, %s with the missing part, %s with the manifest's version", got, good, corrupt, partless, future)
			}
			for _, e := range []string{corrupt, partless, future} {
				if !strings.HasSuffix(got[e], "upload the dump again") {
					t.Errorf("upload of %s: %q, want what to do", e, got[e])
				}
			}
			if n := p.query(t, `SELECT coalesce(sum(ranges), 0) FROM lsif_documents`); n[0] == "0" {
				t.Error("the registered upload loaded no ranges")
			}
			if d := cmp.Diff(sorted(incomplete, unknown), entryNames(t, b)); d != "" {
				t.Errorf("inbox after process-uploads (-want +got):\n%s", d)
			}

			// A crash between registering and deleting leaves the entry.
			restoreEntry(t, b, saved)
			out2 := mustSightline(t, p.env, "run", "process-uploads")
			if !strings.Contains(out2, "inbox_registered=0") || !strings.Contains(out2, "uploads=0") {
				t.Errorf("process-uploads on a registered entry: want nothing registered or processed\n%s", out2)
			}
			if n := p.query(t, `SELECT count(*) FROM lsif_uploads`); n[0] != "4" {
				t.Errorf("%s uploads after the entry was seen again, want 4", n[0])
			}
			if d := cmp.Diff(sorted(incomplete, unknown), entryNames(t, b)); d != "" {
				t.Errorf("inbox after the second run (-want +got):\n%s", d)
			}

			prune := mustSightline(t, p.env, "--now", time.Now().Add(8*24*time.Hour).Format(time.RFC3339), "run", "prune")
			for _, want := range []string{"inbox_incomplete=1", "inbox_unregistered=1"} {
				if !strings.Contains(prune, want) {
					t.Errorf("prune: want %s in\n%s", want, prune)
				}
			}
			if names := entryNames(t, b); len(names) != 0 {
				t.Errorf("inbox after prune: %v, want empty", names)
			}
		})
	}
}

// withoutDatabaseURL returns env without DATABASE_URL.
func withoutDatabaseURL(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "DATABASE_URL=") {
			out = append(out, kv)
		}
	}
	return out
}

var inboxLine = regexp.MustCompile(`(?m)^inbox:(\S+)$`)

// inboxUpload runs lsif upload with env (no database) and returns the
// inbox entry it printed.
func inboxUpload(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := runSightline(env, append([]string{"lsif", "upload"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	m := inboxLine.FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("lsif upload %v: %v\nstdout: %s\nstderr: %s", args, err, out, stderr.String())
	}
	return string(m[1])
}

var fakeAWSOnce sync.Once

// openTestBucket opens the bucket at u in the test process. The S3 client
// reads its credentials from the environment: the fake ones are set once,
// for every test (parallel tests cannot use t.Setenv), as the job tests do.
func openTestBucket(t *testing.T, u string) bucket.Bucket {
	t.Helper()
	fakeAWSOnce.Do(func() {
		for k, v := range buckettest.FakeAWSEnv {
			os.Setenv(k, v)
		}
	})
	b, err := bucketurl.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// exitCode is the exit status of a finished command's error.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func putObject(t *testing.T, b bucket.Bucket, key string, data []byte) {
	t.Helper()
	if err := b.Put(context.Background(), key, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

// saveEntry returns the bytes of each object of inbox entry name.
func saveEntry(t *testing.T, b bucket.Bucket, name string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := b.List(context.Background(), codeintel.InboxPrefix+"/"+name+"/", func(a bucket.Attrs) error {
		rc, err := b.Get(context.Background(), a.Key)
		if err != nil {
			return err
		}
		defer rc.Close()
		out[a.Key], err = io.ReadAll(rc)
		return err
	})
	if err != nil || len(out) < 2 {
		t.Fatalf("save inbox entry %s: %v objects, %v", name, len(out), err)
	}
	return out
}

// restoreEntry puts the saved objects back, the manifest last as the
// uploader does.
func restoreEntry(t *testing.T, b bucket.Bucket, saved map[string][]byte) {
	t.Helper()
	var manifest string
	for k, v := range saved {
		if strings.HasSuffix(k, "/"+codeintel.InboxManifestName) {
			manifest = k
			continue
		}
		putObject(t, b, k, v)
	}
	putObject(t, b, manifest, saved[manifest])
}

func entryNames(t *testing.T, b bucket.Bucket) []string {
	t.Helper()
	entries, err := codeintel.InboxList(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name)
	}
	return out
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// TestUploadInboxSCIP sends a real scip-typescript index with `sightline
// upload` and no database: the manifest records the format, and
// process-uploads registers the entry as a SCIP upload and converts it.
func TestUploadInboxSCIP(t *testing.T) {
	t.Parallel()
	g := gittest.New(t)
	commit := g.Commit(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "fixture", lsiftest.Files(t, lsifFixtures+"shapes"))
	bucketURL, bucketEnv := inboxBuckets[0].open(t)
	noDB := append(withoutDatabaseURL(os.Environ()), bucketEnv...)
	noDB = append(noDB, "SIGHTLINE_DATA_DIR="+t.TempDir(), "SIGHTLINE_BUCKET="+bucketURL)
	entry := inboxUpload(t, noDB, "../../sources/scip/testdata/shapes.scip", "--repo", "shapes", "--commit", commit)

	p := inboxPipeline(t, noDB, g.Dir)
	out := mustSightline(t, p.env, "run", "process-uploads")
	if !strings.Contains(out, "inbox_registered=1") || !strings.Contains(out, "completed=1") {
		t.Errorf("process-uploads: want inbox_registered=1 and completed=1 in\n%s", out)
	}
	got := p.query(t, `SELECT inbox_entry || ' ' || format || ' ' || state || ' ' || indexer FROM lsif_uploads`)
	if want := []string{entry + " scip completed scip-typescript"}; !cmp.Equal(got, want) {
		t.Errorf("uploads = %q, want %q", got, want)
	}
	if n := p.query(t, `SELECT coalesce(sum(ranges), 0) FROM lsif_documents`); n[0] == "0" {
		t.Error("the SCIP upload loaded no ranges")
	}
}

// inboxPipeline migrates a schema of its own and registers repository
// shapes at repoDir, for process-uploads runs with env noDB (the bucket's)
// and the schema's DATABASE_URL.
func inboxPipeline(t *testing.T, noDB []string, repoDir string) *crashPipeline {
	t.Helper()
	url := schemaURL(t)
	p := &crashPipeline{url: url, env: append(noDB, "DATABASE_URL="+url)}
	mustSightline(t, p.env, "migrate", "up")
	mustSightline(t, p.env, "repos", "add", "shapes", "--path", repoDir)
	return p
}
