package filebucket

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

var _ bucket.TempCleaner = (*Bucket)(nil)

// CleanTemp removes the temporary files of writes that a crash interrupted:
// the files in the temporary directory last modified before cutoff. A
// write in progress modifies its file as it goes, so a cutoff older than
// any write takes leaves it alone. It counts only the files it removed
// itself.
func (b *Bucket) CleanTemp(ctx context.Context, cutoff time.Time) (int, error) {
	dir := filepath.Join(b.root, tmpDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("clean %s: %w", dir, err)
	}
	removed := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		info, err := e.Info()
		if notExist(err) || (err == nil && (!info.Mode().IsRegular() || !info.ModTime().Before(cutoff))) {
			continue // finished since ReadDir, or not stale
		}
		if err == nil {
			err = os.Remove(filepath.Join(dir, e.Name()))
		}
		switch {
		case notExist(err):
			continue // renamed into place, or removed by another clean
		case err != nil:
			return removed, fmt.Errorf("clean %s: %w", dir, err)
		}
		removed++
	}
	return removed, nil
}
