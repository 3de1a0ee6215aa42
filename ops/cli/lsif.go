package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gitsource"
)

func newLSIFCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lsif upload|uploads",
		Short: "Upload LSIF dumps for precise code intelligence, list uploads and requeue them",
		Args: func(*cobra.Command, []string) error {
			return usageErrorf("lsif: want a subcommand: upload, uploads or uploads requeue")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	uploads := newLSIFUploadsCmd(a)
	uploads.AddCommand(newLSIFRequeueCmd(a))
	cmd.AddCommand(newLSIFUploadCmd(a), uploads)
	return cmd
}

type lsifUploadFlags struct {
	repo, commit, root, indexer, chunkSize string
}

func newLSIFUploadCmd(a *app) *cobra.Command {
	var f lsifUploadFlags
	cmd := &cobra.Command{
		Use:   "upload FILE --repo NAME --commit SHA [--root DIR] [--indexer NAME] [--chunk-size 32MiB]",
		Short: "Upload an LSIF dump or a SCIP index (FILE, or - for stdin; plain or gzipped) in chunks and queue it for process-uploads",
		Long: `Upload an LSIF dump or a SCIP index for a commit of a registered repository.
The format is told from the content, not the file name (LSIF: JSON lines;
SCIP: protobuf; either may be gzipped), and recorded on the upload; any
other file is refused before anything is written. The dump is cut
into chunks of --chunk-size uncompressed bytes, each gzipped and stored as a
part of its own (a failed part is retried alone); once every part is stored
they are composed into one object and the upload is queued for the
process-uploads job. The upload id is printed on stdout.

Without a database (no DATABASE_URL or --database-url), as in a CI job
that has bucket credentials only, the parts and a manifest (repository,
commit, root, indexer, part checksums) go to the bucket's upload inbox
(lsif-inbox/) and inbox:ENTRY is printed; the next process-uploads run
registers the entry as an upload, checks the parts and processes it.
--commit must then be a full 40-character id, and --repo is checked by
process-uploads.

--chunk-size is between 1MiB and 1GiB. --root is the directory, relative to
the repository root, in which the indexer ran (an absolute path or one
leaving the repository is refused). --indexer defaults to the dump's
metaData.toolInfo.name (a SCIP index's metadata.tool_info.name).`,
		Args: exactArgs(1, "one dump file (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error { return lsifUpload(cmd, a, args[0], f) },
	}
	cmd.Flags().StringVar(&f.repo, "repo", "", "registered repository name (required)")
	cmd.Flags().StringVar(&f.commit, "commit", "", "commit the dump was made at: 40 hex digits, or an abbreviation git can resolve (required)")
	cmd.Flags().StringVar(&f.root, "root", "", "directory of the indexed project, relative to the repository root")
	cmd.Flags().StringVar(&f.indexer, "indexer", "", "indexer name (default: from the dump's metaData.toolInfo)")
	cmd.Flags().StringVar(&f.chunkSize, "chunk-size", "32MiB", "uncompressed bytes per part: a number with an optional KiB, MiB or GiB suffix")
	return cmd
}

func lsifUpload(cmd *cobra.Command, a *app, file string, f lsifUploadFlags) error {
	ctx := cmd.Context()
	if f.repo == "" || f.commit == "" {
		return usageErrorf("upload: --repo and --commit are required")
	}
	chunk, err := parseChunkSize(f.chunkSize)
	if err != nil {
		return err
	}
	root, err := cleanUploadRoot(f.root)
	if err != nil {
		return err
	}
	in, hint, err := openDump(file, cmd.InOrStdin())
	if err != nil {
		return err
	}
	defer in.Close()
	if a.databaseURL == "" {
		return lsifUploadInbox(cmd, a, file, in, f, chunk, root)
	}
	db, err := a.migratedDatabase(ctx)
	if err != nil {
		return err
	}
	repo, err := repos.Get(ctx, db, f.repo)
	if err != nil {
		return err
	}
	commit, err := resolveCommit(cmd, repo, f.commit)
	if err != nil {
		return err
	}
	b, err := a.openBucket(ctx)
	if err != nil {
		return err
	}
	up := &codeintel.Uploader{DB: db, Bucket: b, ChunkSize: chunk, Logger: a.log}
	res, err := up.Upload(ctx, in, codeintel.UploadParams{RepoID: repo.ID, Commit: commit, Root: root,
		Indexer: f.indexer, SizeHint: hint})
	if err != nil {
		return fmt.Errorf("upload %s: %w", file, err)
	}
	a.log.Info("uploaded", "upload", res.Upload.ID, "format", res.Upload.Format, "parts", res.Parts, "bytes", res.Bytes, "size", res.Size,
		"indexer", res.Upload.Indexer)
	fmt.Fprintln(a.stdout, res.Upload.ID)
	return nil
}

// openDump opens FILE or stdin, and returns the uncompressed size when it
// is known upfront (a plain regular file), else 0.
func openDump(file string, stdin io.Reader) (io.ReadCloser, int64, error) {
	if file == "-" {
		return io.NopCloser(stdin), 0, nil
	}
	fh, err := os.Open(file)
	if err != nil {
		return nil, 0, fmt.Errorf("upload: %w", err)
	}
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || strings.HasSuffix(file, ".gz") {
		return fh, 0, nil
	}
	return fh, st.Size(), nil
}

var (
	fullCommit  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{40}$`) })
	shortCommit = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{4,39}$`) })
)

// resolveCommit accepts a full commit id as is (the repository may not be
// synced yet: process-uploads checks it), and resolves an abbreviated one
// in the repository.
func resolveCommit(cmd *cobra.Command, r repos.Repo, commit string) (string, error) {
	c := strings.ToLower(commit)
	if fullCommit().MatchString(c) {
		return c, nil
	}
	if !shortCommit().MatchString(c) {
		return "", usageErrorf("--commit %q: want a commit id (40 hex digits, or an abbreviation of at least 4)", commit)
	}
	return resolveRevision(cmd.Context(), r, c)
}

// resolveRevision resolves rev (as given to --commit) to a full commit id in
// r's git directory: its mirror once synced, else a local repository's
// path.
func resolveRevision(ctx context.Context, r repos.Repo, rev string) (string, error) {
	dir := cmp.Or(r.GitDir, r.Path)
	if dir == "" {
		return "", usageErrorf("--commit %q: repository %s is not synced yet, so only a full 40-character commit id can be used (or run sightline run sync-repos)", rev, r.Name)
	}
	g, err := gitsource.Open(ctx, dir)
	if err != nil {
		return "", err
	}
	defer g.Close()
	oid, err := g.Resolve(ctx, rev)
	if errors.Is(err, gitsource.ErrUnknownRevision) {
		return "", usageErrorf("--commit %q: no such commit in repository %s", rev, r.Name)
	}
	return oid, err
}

// cleanUploadRoot normalizes --root: relative, slash-separated, no "..",
// and clean, since code navigation matches paths against the stored root
// as a plain prefix ("web/./app" would match nothing). An absolute path is
// refused rather than made relative: "/etc" is not the repository's "etc".
func cleanUploadRoot(root string) (string, error) {
	r := strings.ReplaceAll(root, "\\", "/")
	if strings.HasPrefix(r, "/") {
		return "", usageErrorf("--root %q: must be a directory relative to the repository root (such as web), not an absolute path", root)
	}
	r = strings.TrimSuffix(r, "/")
	for _, seg := range strings.Split(r, "/") {
		if seg == ".." {
			return "", usageErrorf("--root %q: must be a directory inside the repository", root)
		}
	}
	if r = path.Clean(r); r == "." {
		r = ""
	}
	return r, nil
}

// parseChunkSize parses --chunk-size and checks it is within the
// uploader's bounds.
func parseChunkSize(s string) (int64, error) {
	n, err := parseSize(s)
	if err != nil {
		return 0, usageErrorf("--chunk-size %q: %v", s, err)
	}
	if n < codeintel.MinChunkSize || n > codeintel.MaxChunkSize {
		return 0, usageErrorf("--chunk-size %q: want between 1MiB and 1GiB (a part per chunk: smaller chunks make too many parts, larger ones too much to send again when a part fails)", s)
	}
	return n, nil
}

// parseSize parses "1024", "1KiB", "32MiB", "1GiB" (also KB, MB, GB as
// binary units, K, M, G).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, errors.New("want a positive size such as 1048576, 512KiB or 32MiB")
	}
	return n * mult, nil
}

// uploadJSON is one upload in `sightline lsif uploads --format json`.
type uploadJSON struct {
	ID          int64  `json:"id"`
	Repo        string `json:"repo"`
	Commit      string `json:"commit"`
	Root        string `json:"root"`
	Indexer     string `json:"indexer"`
	Format      string `json:"format"`
	State       string `json:"state"`
	Size        *int64 `json:"size"`
	Parts       string `json:"parts"`
	Attempts    int    `json:"attempts"`
	MaxAttempts int    `json:"max_attempts"`
	// TransientFailures are storage or connection hiccups, counted apart
	// from attempts, up to MaxTransientFailures.
	TransientFailures    int        `json:"transient_failures"`
	MaxTransientFailures int        `json:"max_transient_failures"`
	LastTransientError   string     `json:"last_transient_error,omitempty"`
	UploadedAt           time.Time  `json:"uploaded_at"`
	StartedAt            *time.Time `json:"started_at"`
	FinishedAt           *time.Time `json:"finished_at"`
	FailureMessage       string     `json:"failure_message,omitempty"`
	// Waiting says why a queued upload waits for its commit, since
	// WaitingSince (the run's clock), without using attempts.
	Waiting      string     `json:"waiting,omitempty"`
	WaitingSince *time.Time `json:"waiting_since,omitempty"`
}

func newLSIFUploadsCmd(a *app) *cobra.Command {
	var repo, state, format string
	cmd := &cobra.Command{
		Use:   "uploads [--repo NAME] [--state STATE] [--format text|json]",
		Short: "List LSIF uploads, newest first, with state, size, timings and failure reason",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkTextJSON(format); err != nil {
				return err
			}
			if state != "" && !slices.Contains(codeintel.States, codeintel.State(state)) {
				return usageErrorf("--state %q: want one of %v", state, codeintel.States)
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			p := codeintel.UploadsListParams{State: codeintel.State(state)}
			if repo != "" {
				r, err := repos.Get(cmd.Context(), db, repo)
				if err != nil {
					return err
				}
				p.RepoID = r.ID
			}
			list, err := codeintel.UploadsList(cmd.Context(), db, p)
			if err != nil {
				return err
			}
			if format == "json" {
				return printUploadsJSON(a, list)
			}
			return printUploads(a, list)
		},
	}
	cmd.Flags().StringVar(&repo, "repo", "", "only this repository's uploads")
	cmd.Flags().StringVar(&state, "state", "", "only uploads in this state (uploading, queued, processing, completed, errored, deleted)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func toUploadJSON(u codeintel.Upload) uploadJSON {
	out := uploadJSON{ID: u.ID, Repo: u.RepoName, Commit: u.Commit, Root: u.Root, Indexer: u.Indexer, Format: u.Format,
		State: string(u.State), Size: u.Size, Parts: fmt.Sprintf("%d/%d", len(u.UploadedParts), u.NumParts),
		Attempts: u.Attempts, MaxAttempts: u.MaxAttempts, TransientFailures: u.TransientFailures,
		MaxTransientFailures: u.MaxTransientFailures, LastTransientError: u.LastTransientError, UploadedAt: u.UploadedAt, StartedAt: u.StartedAt, FinishedAt: u.FinishedAt,
		FailureMessage: u.FailureMessage, Waiting: waitingReason(u)}
	if out.Waiting != "" {
		out.WaitingSince = u.WaitingSince
	}
	return out
}

func printUploadsJSON(a *app, list []codeintel.Upload) error {
	out := make([]uploadJSON, len(list))
	for i, u := range list {
		out[i] = toUploadJSON(u)
	}
	return writeJSON(a, out)
}

func printUploads(a *app, list []codeintel.Upload) error {
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "ID\tREPO\tCOMMIT\tROOT\tINDEXER\tSTATE\tSIZE\tPARTS\tATTEMPTS\tTRANSIENT\tUPLOADED\tSTARTED\tFINISHED\tFAILURE")
	for _, u := range list {
		size := "-"
		if u.Size != nil {
			size = strconv.FormatInt(*u.Size, 10)
		}
		up := u.UploadedAt
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d/%d\t%d/%d\t%d/%d\t%s\t%s\t%s\t%s\n", u.ID, u.RepoName, short(u.Commit),
			dash(u.Root), dash(u.Indexer), u.State, size, len(u.UploadedParts), u.NumParts, u.Attempts, u.MaxAttempts,
			u.TransientFailures, u.MaxTransientFailures, when(&up), when(u.StartedAt), when(u.FinishedAt), dash(failure(u)))
	}
	return tw.Flush()
}

// failure is what lsif uploads says went wrong with u: why it waits for
// its commit, its failure message, else the last storage or connection
// failure it is retrying after.
func failure(u codeintel.Upload) string {
	if w := waitingReason(u); w != "" && u.FailureMessage == "" {
		return "waiting since " + when(u.WaitingSince) + ": " + w
	}
	if u.FailureMessage != "" || u.LastTransientError == "" || u.State == codeintel.StateCompleted {
		return u.FailureMessage
	}
	return "last transient failure: " + u.LastTransientError
}

// waitingReason is why u waits for its commit, while it is queued or
// processing; "" otherwise.
func waitingReason(u codeintel.Upload) string {
	if u.State != codeintel.StateQueued && u.State != codeintel.StateProcessing {
		return ""
	}
	return u.WaitingReason
}
