package cli

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

func newLSIFRequeueCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "requeue ID [--format text|json]",
		Short: "Put an errored or stuck upload back in the queue, its attempts counted afresh",
		Long: `Put upload ID back in the queue for process-uploads, claimable at once, with
its attempts and transient (storage or connection) failures counted from
zero and its failure message cleared: an errored upload once what failed it
is fixed, a queued one waiting out a retry delay, or a processing one whose
worker stopped sending heartbeats (for longer than process-uploads' stall
timeout) or whose run is no longer running.

Completed, replaced (deleted) and still-uploading uploads are refused, as
is an upload whose object is gone from the bucket (pruned): upload the dump
again instead. The requeued upload is printed as lsif uploads prints it.`,
		Args: exactArgs(1, "one upload id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTextJSON(format); err != nil {
				return err
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usageErrorf("lsif uploads requeue %q: want an upload id, a positive number as sightline lsif uploads shows", args[0])
			}
			return lsifRequeue(cmd, a, id, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func lsifRequeue(cmd *cobra.Command, a *app, id int64, format string) error {
	ctx := cmd.Context()
	db, err := a.migratedDatabase(ctx)
	if err != nil {
		return err
	}
	u, err := codeintel.UploadsGet(ctx, db, id)
	if err != nil {
		return err
	}
	if u.State == codeintel.StateErrored || u.State == codeintel.StateQueued {
		if err := requireUploadObject(cmd, a, u); err != nil {
			return err
		}
	}
	u, err = codeintel.UploadsRequeue(ctx, db, codeintel.UploadsRequeueParams{ID: id,
		StalledAfter: processuploads.DefaultStallTimeout})
	if errors.Is(err, codeintel.ErrNotRequeueable) {
		return fmt.Errorf("lsif uploads requeue: %w", err)
	}
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(a, toUploadJSON(u))
	}
	return printUploads(a, []codeintel.Upload{u})
}

// requireUploadObject checks that u's composed object is still in the
// bucket: prune deletes it with an errored upload's row, but a requeue
// racing it, or a bucket emptied by hand, would queue an upload that can
// only fail.
func requireUploadObject(cmd *cobra.Command, a *app, u codeintel.Upload) error {
	b, err := a.openBucket(cmd.Context())
	if err != nil {
		return err
	}
	_, err = b.Stat(cmd.Context(), u.ObjectKey)
	if errors.Is(err, bucket.ErrNotExist) {
		return fmt.Errorf("lsif uploads requeue: upload %d's object %q is gone from the bucket (pruned?): upload the dump again", u.ID, u.ObjectKey)
	}
	if err != nil {
		return fmt.Errorf("lsif uploads requeue: check upload %d's object: %w", u.ID, err)
	}
	return nil
}
