package codeintel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sources/scip"
)

// InboxPrefix is the bucket prefix of the upload inbox: uploads sent
// without a database (sightline lsif upload with no DATABASE_URL) wait
// there, one entry per upload, until process-uploads registers them.
// An entry is <InboxPrefix>/<entry>/part-NNNNN.gz, one object per part,
// and <InboxPrefix>/<entry>/manifest.json, written last: an entry
// without a manifest is incomplete (its upload failed or is still going
// on) and is never registered; prune deletes it once old.
const InboxPrefix = "lsif-inbox"

// InboxManifestName is the name of an entry's manifest object.
const InboxManifestName = "manifest.json"

// InboxManifestVersion is the manifest format this binary writes and
// reads.
const InboxManifestVersion = 1

// ErrInboxCorrupt is returned (wrapped in a message saying what is wrong)
// for an inbox entry that cannot become a working upload: an unreadable
// manifest, a part missing or not matching its checksum.
var ErrInboxCorrupt = errors.New("corrupt inbox entry")

// InboxManifest describes one inbox entry: the upload it is and its
// parts, in order. The parts are gzip members: composed in order they
// are the gzipped dump.
type InboxManifest struct {
	Version    int    `json:"version"`
	Repository string `json:"repository"`
	Commit     string `json:"commit"`
	Root       string `json:"root"`
	Indexer    string `json:"indexer"`
	// Format is the dump's format: "lsif" or "scip" (scip.Sniff's).
	Format string      `json:"format"`
	Parts  []InboxPart `json:"parts"`
	// Uncompressed is the dump's uncompressed size in bytes.
	Uncompressed int64     `json:"uncompressed_size"`
	Created      time.Time `json:"created"`
}

// InboxPart is one stored part of an inbox entry: its size in bytes and
// the SHA-256 of its bytes, in hex.
type InboxPart struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// InboxEntry is an entry found in the inbox: its name, its objects and
// whether it has a manifest.
type InboxEntry struct {
	Name        string
	Objects     []bucket.Attrs
	HasManifest bool
}

// InboxPartKey returns the bucket key of part i of entry.
func InboxPartKey(entry string, i int) string {
	return fmt.Sprintf("%s/%s/part-%05d.gz", InboxPrefix, entry, i)
}

// InboxManifestKey returns the bucket key of entry's manifest.
func InboxManifestKey(entry string) string {
	return InboxPrefix + "/" + entry + "/" + InboxManifestName
}

// Newest returns the latest modification time of e's objects.
func (e InboxEntry) Newest() time.Time {
	var t time.Time
	for _, a := range e.Objects {
		if a.ModTime.After(t) {
			t = a.ModTime
		}
	}
	return t
}

// Bytes returns the total size of e's objects.
func (e InboxEntry) Bytes() int64 {
	var n int64
	for _, a := range e.Objects {
		n += a.Size
	}
	return n
}

// InboxList returns the inbox's entries, by name (oldest first: names
// start with their creation time). Objects directly under the prefix, not
// in an entry, are returned as entries of their own key.
func InboxList(ctx context.Context, b bucket.Bucket) ([]InboxEntry, error) {
	var out []InboxEntry
	err := b.List(ctx, InboxPrefix+"/", func(a bucket.Attrs) error {
		rest := strings.TrimPrefix(a.Key, InboxPrefix+"/")
		name, obj, _ := strings.Cut(rest, "/")
		if n := len(out); n == 0 || out[n-1].Name != name {
			out = append(out, InboxEntry{Name: name})
		}
		e := &out[len(out)-1]
		e.Objects = append(e.Objects, a)
		if obj == InboxManifestName {
			e.HasManifest = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the upload inbox: %w", err)
	}
	return out, nil
}

// InboxDelete deletes e's objects, its manifest last, so that an entry
// half deleted has no manifest and is never registered again.
func InboxDelete(ctx context.Context, b bucket.Bucket, e InboxEntry) error {
	var manifest string
	for _, a := range e.Objects {
		if path.Base(a.Key) == InboxManifestName {
			manifest = a.Key
			continue
		}
		if err := b.Delete(ctx, a.Key); err != nil {
			return fmt.Errorf("delete inbox entry %s: %w", e.Name, err)
		}
	}
	if manifest == "" {
		return nil
	}
	if err := b.Delete(ctx, manifest); err != nil {
		return fmt.Errorf("delete inbox entry %s: %w", e.Name, err)
	}
	return nil
}

// maxManifestBytes bounds what InboxReadManifest reads: a manifest of
// millions of parts is not one this binary wrote.
const maxManifestBytes = 16 << 20

// InboxReadManifest reads and checks entry's manifest. A manifest that
// is not valid is ErrInboxCorrupt; a bucket failure is returned as is.
func InboxReadManifest(ctx context.Context, b bucket.Bucket, entry string) (InboxManifest, error) {
	key := InboxManifestKey(entry)
	rc, err := b.Get(ctx, key)
	if err != nil {
		return InboxManifest{}, fmt.Errorf("read inbox manifest %q: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxManifestBytes+1))
	if err != nil {
		return InboxManifest{}, fmt.Errorf("read inbox manifest %q: %w", key, err)
	}
	var m InboxManifest
	if err := json.Unmarshal(data, &m); err != nil || len(data) > maxManifestBytes {
		return m, fmt.Errorf("%w %s: the manifest is not valid JSON (%v)", ErrInboxCorrupt, entry, err)
	}
	if err := m.check(); err != nil {
		return m, fmt.Errorf("%w %s: %v", ErrInboxCorrupt, entry, err)
	}
	return m, nil
}

var sha256Hex = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })
var commitHex = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{40}$`) })

// check reports what is wrong with m, if anything.
func (m InboxManifest) check() error {
	switch {
	case m.Version != InboxManifestVersion:
		return fmt.Errorf("manifest version %d, want %d (sent by another release of sightline?)", m.Version, InboxManifestVersion)
	case m.Repository == "":
		return errors.New("the manifest names no repository")
	case !commitHex().MatchString(m.Commit):
		return fmt.Errorf("commit %q is not 40 lower-case hex digits", m.Commit)
	case m.Format != string(scip.FormatLSIF) && m.Format != string(scip.FormatSCIP):
		return fmt.Errorf("format %q is neither lsif nor scip", m.Format)
	case len(m.Parts) == 0:
		return errors.New("the manifest lists no parts")
	case m.Root != "" && (path.IsAbs(m.Root) || path.Clean(m.Root) != m.Root || m.Root == ".." || strings.HasPrefix(m.Root, "../")):
		return fmt.Errorf("root %q is not a clean relative directory", m.Root)
	}
	for i, p := range m.Parts {
		if p.Size <= 0 || !sha256Hex().MatchString(p.SHA256) {
			return fmt.Errorf("part %d has size %d and checksum %q: want a positive size and a SHA-256 in hex", i, p.Size, p.SHA256)
		}
	}
	return nil
}

// InboxVerify checks that every part m lists is stored in entry with its
// size and checksum. A part missing or different is ErrInboxCorrupt; a
// bucket failure is returned as is.
func InboxVerify(ctx context.Context, b bucket.Bucket, entry string, m InboxManifest) error {
	for i, p := range m.Parts {
		if err := verifyPart(ctx, b, entry, i, p); err != nil {
			return err
		}
	}
	return nil
}

func verifyPart(ctx context.Context, b bucket.Bucket, entry string, i int, p InboxPart) error {
	key := InboxPartKey(entry, i)
	rc, err := b.Get(ctx, key)
	if errors.Is(err, bucket.ErrNotExist) {
		return fmt.Errorf("%w %s: part %d is missing (%s: %v): upload the dump again", ErrInboxCorrupt, entry, i, key, err)
	}
	if err != nil {
		return fmt.Errorf("read inbox part %q: %w", key, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fmt.Errorf("read inbox part %q: %w", key, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != p.Size || sum != p.SHA256 {
		return fmt.Errorf("%w %s: part %d is %d bytes with SHA-256 %s, the manifest says %d bytes with %s: upload the dump again",
			ErrInboxCorrupt, entry, i, n, sum, p.Size, p.SHA256)
	}
	return nil
}
