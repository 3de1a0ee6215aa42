package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// lsifUploadInbox sends a dump to the bucket's upload inbox: the upload of
// a CI job that has bucket credentials but no database (no DATABASE_URL,
// no --database-url). process-uploads registers the entry. The entry's
// name is printed on stdout, as inbox:NAME.
func lsifUploadInbox(cmd *cobra.Command, a *app, file string, in io.Reader, f lsifUploadFlags, chunk int64, root string) error {
	ctx := cmd.Context()
	commit := strings.ToLower(f.commit)
	if !fullCommit().MatchString(commit) {
		return usageErrorf("--commit %q: without a database (DATABASE_URL) the upload goes to the bucket's inbox, and the commit must be a full 40-character id (git rev-parse HEAD)", f.commit)
	}
	b, err := a.openBucket(ctx)
	if err != nil {
		return err
	}
	s := &codeintel.InboxSender{Bucket: b, ChunkSize: chunk, Logger: a.log, NowFunc: a.now}
	res, err := s.Send(ctx, in, codeintel.InboxParams{Repository: f.repo, Commit: commit, Root: root, Indexer: f.indexer})
	if err != nil {
		return fmt.Errorf("upload %s: %w", file, err)
	}
	a.log.Info("sent to the upload inbox; process-uploads registers it", "entry", res.Entry,
		"format", res.Manifest.Format, "parts", len(res.Manifest.Parts), "bytes", res.Manifest.Uncompressed, "indexer", res.Manifest.Indexer, "bucket", b.String())
	fmt.Fprintln(a.stdout, "inbox:"+res.Entry)
	return nil
}
