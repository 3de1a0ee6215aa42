package processuploads

import (
	"context"
	"errors"
	"log/slog"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// registerInbox makes every complete entry of the upload inbox (uploads
// sent with bucket credentials only) an upload, and deletes the entries
// it registered. An entry whose manifest is corrupt is deleted, recorded
// as an errored upload saying why when the manifest names a known
// repository and a full commit; one whose parts are missing or corrupt becomes an
// errored upload saying so; one naming an unknown repository stays for a
// later run (the repository may be registered meanwhile) until prune
// deletes it. A bucket failure leaves the entry for the next run.
func (w *worker) registerInbox(ctx context.Context) error {
	entries, err := codeintel.InboxList(ctx, w.env.Bucket)
	if err != nil {
		return w.inboxRetryLater(w.env.Logger, "cannot read the upload inbox", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !e.HasManifest {
			continue // still being sent, or abandoned: prune's
		}
		if err := w.registerEntry(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// registerEntry registers inbox entry e. It returns an error only for
// what should end the run.
func (w *worker) registerEntry(ctx context.Context, e codeintel.InboxEntry) error {
	log := w.env.Logger.With("entry", e.Name)
	m, err := codeintel.InboxReadManifest(ctx, w.env.Bucket, e.Name)
	if errors.Is(err, codeintel.ErrInboxCorrupt) {
		return w.registerCorrupt(ctx, e, m, err)
	}
	if err != nil {
		return w.inboxRetryLater(log, "cannot read an inbox manifest", err)
	}
	repo, err := repos.Get(ctx, w.env.DB, m.Repository)
	if errors.Is(err, repos.ErrNotFound) {
		log.Warn("inbox entry for an unknown repository: register it (sightline repos add) or the entry is pruned after --prune-after",
			"repo", m.Repository)
		w.counts["inbox_unknown_repo"]++
		return nil
	}
	if err != nil {
		return err
	}
	res, err := codeintel.InboxRegister(ctx, w.env.DB, w.env.Bucket, codeintel.InboxRegisterParams{
		Entry: e.Name, RepoID: repo.ID, Manifest: m})
	if err != nil {
		return w.inboxRetryLater(log, "cannot register an inbox entry", err)
	}
	if res.Created {
		w.counts["inbox_registered"]++
		if res.Upload.State == codeintel.StateErrored {
			w.inboxErrored(log, res.Upload)
		}
	}
	if res.Upload.State == codeintel.StateUploading {
		return nil
	}
	return w.deleteEntry(ctx, e)
}

// registerCorrupt records inbox entry e, whose manifest m is not valid
// (cause says why), as an errored upload when m names a known repository
// and a full commit, and deletes it. A database failure leaves the entry
// for the next run.
func (w *worker) registerCorrupt(ctx context.Context, e codeintel.InboxEntry, m codeintel.InboxManifest, cause error) error {
	log := w.env.Logger.With("entry", e.Name)
	w.counts["inbox_corrupt"]++
	if !m.Identifies() {
		log.Warn("deleting an inbox entry whose manifest is corrupt and names no repository and commit: upload the dump again", "err", cause)
		return w.deleteEntry(ctx, e)
	}
	repo, err := repos.Get(ctx, w.env.DB, m.Repository)
	if errors.Is(err, repos.ErrNotFound) {
		log.Warn("deleting an inbox entry whose manifest is corrupt, for an unknown repository: upload the dump again", "repo", m.Repository, "err", cause)
		return w.deleteEntry(ctx, e)
	}
	if err != nil {
		return err
	}
	res, err := codeintel.InboxRegisterCorrupt(ctx, w.env.DB, codeintel.InboxRegisterParams{Entry: e.Name, RepoID: repo.ID, Manifest: m},
		cause.Error()+": upload the dump again")
	if err != nil {
		return w.inboxRetryLater(log, "cannot register an inbox entry", err)
	}
	if res.Created {
		w.counts["inbox_registered"]++
		w.inboxErrored(log, res.Upload)
	}
	return w.deleteEntry(ctx, e)
}

// inboxRetryLater logs a failure (what: what could not be done) that
// leaves the inbox entry for the next run, and counts it. It returns nil:
// the run goes on.
func (w *worker) inboxRetryLater(log *slog.Logger, what string, err error) error {
	log.Warn(what+"; the next run tries again", "err", err)
	w.counts["inbox_failed"]++
	return nil
}

// inboxErrored logs and counts an inbox entry registered as an errored
// upload, up.
func (w *worker) inboxErrored(log *slog.Logger, up codeintel.Upload) {
	w.counts["inbox_errored"]++
	log.Warn("inbox entry registered as an errored upload", "upload", up.ID, "err", up.FailureMessage)
}

// deleteEntry deletes e, registered or of no use; a failure is left for
// the next run (registering is idempotent) or prune.
func (w *worker) deleteEntry(ctx context.Context, e codeintel.InboxEntry) error {
	if err := codeintel.InboxDelete(ctx, w.env.Bucket, e); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.env.Logger.Warn("delete inbox entry; the next run tries again", "entry", e.Name, "err", err)
	}
	return nil
}
