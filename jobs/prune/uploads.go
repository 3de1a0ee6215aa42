package prune

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// uploadCounts names the count of each state pruned.
var uploadCounts = map[codeintel.State]string{
	codeintel.StateDeleted:   "retired_uploads",
	codeintel.StateErrored:   "errored_uploads",
	codeintel.StateUploading: "abandoned_uploads",
}

// pruneUploads deletes the uploads replaced by a newer one (state deleted)
// or errored before cutoff, and those still uploading since before cutoff,
// each with its object and parts, and then the upload objects no upload
// needs (pruneUploadLeftovers). Completed, queued and processing uploads
// are never deleted.
func (p *pruner) pruneUploads(ctx context.Context, cutoff time.Time) error {
	stale, err := codeintel.UploadsStaleList(ctx, p.env.DB, cutoff)
	if err != nil {
		return err
	}
	for _, u := range stale {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.deleteUpload(ctx, u); err != nil {
			if err := p.failed(ctx, err, "upload", u.ID, "state", u.State, "key", u.ObjectKey); err != nil {
				return err
			}
		}
	}
	return p.pruneUploadLeftovers(ctx, cutoff)
}

// uploadObject matches the keys of an upload's object and parts.
var uploadObject = regexp.MustCompile(`^` + regexp.QuoteMeta(codeintel.DefaultKeyPrefix) + `/upload-[0-9]+\.lsif\.gz(\.part-[0-9]+)?$`)

// pruneUploadLeftovers deletes the upload objects under
// codeintel.DefaultKeyPrefix written before cutoff that no upload needs:
// those of no upload (parts that arrived after their abandoned upload was
// pruned, or whose repository was removed meanwhile), the parts of an
// upload no longer uploading (their deletion after compose failed), and
// the object of a completed or replaced upload (its deletion after
// processing failed). The object of a queued, processing or errored upload
// (requeue reads it) and everything of an uploading one are kept. They are
// counted in leftover_upload_objects, which appears once there are any.
func (p *pruner) pruneUploadLeftovers(ctx context.Context, cutoff time.Time) error {
	found := map[string][]bucket.Attrs{} // upload object key → its old objects
	err := p.env.Bucket.List(ctx, codeintel.DefaultKeyPrefix+"/", func(a bucket.Attrs) error {
		if uploadObject.MatchString(a.Key) && a.ModTime.Before(cutoff) {
			key, _, _ := strings.Cut(a.Key, ".part-")
			found[key] = append(found[key], a)
		}
		return nil
	})
	if err != nil {
		return p.failed(ctx, fmt.Errorf("list upload objects: %w", err))
	}
	if len(found) == 0 {
		return nil
	}
	states, err := codeintel.UploadsStates(ctx, p.env.DB, slices.Collect(maps.Keys(found)))
	if err != nil {
		return err
	}
	for key, objects := range found {
		for _, a := range objects {
			if !leftover(states, key, a.Key) {
				continue
			}
			if err := p.env.Bucket.Delete(ctx, a.Key); err != nil {
				if err := p.failed(ctx, fmt.Errorf("delete leftover upload object %q: %w", a.Key, err), "key", a.Key); err != nil {
					return err
				}
				continue
			}
			p.counts["leftover_upload_objects"]++
			p.counts["objects"]++
			p.counts["bytes"] += a.Size
		}
	}
	return nil
}

// leftover reports whether object k, of the upload whose object key is
// key, is needed by no upload, given the uploads' states.
func leftover(states map[string]codeintel.State, key, k string) bool {
	st, ok := states[key]
	switch {
	case !ok:
		return true
	case st == codeintel.StateUploading:
		return false
	case k != key: // a part, once composed
		return true
	}
	return st == codeintel.StateCompleted || st == codeintel.StateDeleted
}

// deleteUpload deletes u's object and parts, then its row (whose converted
// rows, if any are left, the lsif_uploads trigger deletes). The row goes
// last so that a failure midway leaves it to find the objects again. The
// row is deleted only while still in the state it was listed in.
func (p *pruner) deleteUpload(ctx context.Context, u codeintel.StaleUpload) error {
	objects, bytes, err := deleteUploadObjects(ctx, p.env.Bucket, u.ObjectKey)
	p.counts["objects"] += int64(objects)
	p.counts["bytes"] += bytes
	if err != nil {
		return fmt.Errorf("delete the objects of upload %d: %w", u.ID, err)
	}
	deleted, err := codeintel.UploadsDelete(ctx, p.env.DB, u.ID, u.State)
	if err != nil {
		return err
	}
	if deleted {
		p.counts[uploadCounts[u.State]]++
	}
	return nil
}

// deleteUploadObjects deletes the object at key and its parts, key.part-N,
// and returns how many objects and bytes it deleted. Other keys that merely
// start with key (another upload's "key2") are left alone.
func deleteUploadObjects(ctx context.Context, b bucket.Bucket, key string) (int, int64, error) {
	var found []bucket.Attrs
	err := b.List(ctx, key, func(a bucket.Attrs) error {
		if a.Key == key || isPartKey(key, a.Key) {
			found = append(found, a)
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("list %q: %w", key, err)
	}
	var bytes int64
	for i, a := range found {
		if err := b.Delete(ctx, a.Key); err != nil {
			return i, bytes, fmt.Errorf("delete %q: %w", a.Key, err)
		}
		bytes += a.Size
	}
	return len(found), bytes, nil
}

// isPartKey reports whether k is codeintel.PartKey(key, i) for some i.
func isPartKey(key, k string) bool {
	n, ok := strings.CutPrefix(k, key+".part-")
	if !ok {
		return false
	}
	i, err := strconv.Atoi(n)
	return err == nil && codeintel.PartKey(key, i) == k
}
