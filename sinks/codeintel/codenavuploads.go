package codeintel

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// navigator answers one navigation query.
type navigator struct {
	ctx context.Context
	db  DB
}

// navUpload is a completed upload as navigation uses it.
type navUpload struct {
	ID     int64
	Repo   string
	Commit string
	// Root is the upload's root as a path prefix: "" or "dir/".
	Root string
}

// rootPrefix turns an upload root ("", ".", "lib", "lib/") into a path
// prefix ("" or "lib/").
func rootPrefix(root string) string {
	root = strings.Trim(root, "/")
	if root == "" || root == "." {
		return ""
	}
	return root + "/"
}

// covers reports whether path (a file or directory relative to the
// repository) is under the upload's root or is the root itself; the empty
// path, meaning every file, is under every root.
func (u navUpload) covers(path string) bool { return path == "" || strings.HasPrefix(path+"/", u.Root) }

func (u navUpload) String() string {
	return fmt.Sprintf("upload %d (%s at %.12s, root %q)", u.ID, u.Repo, u.Commit, u.Root)
}

func uploadList(us []navUpload) string {
	s := make([]string, len(us))
	for i, u := range us {
		s[i] = u.String()
	}
	return strings.Join(s, ", ")
}

// location builds a location in the upload: stored paths are already
// repository-relative (the converter joins the upload's root).
func (u navUpload) location(path string, r Range) Location {
	return Location{Repo: u.Repo, Commit: u.Commit, Path: path, Range: r}
}

const navUploadColumns = `u.id, r.name, u.commit_oid, u.root`

func scanNavUpload(row pgx.CollectableRow) (navUpload, error) {
	var u navUpload
	err := row.Scan(&u.ID, &u.Repo, &u.Commit, &u.Root)
	u.Root = rootPrefix(u.Root)
	return u, err
}

// visibleUploads returns the completed uploads visible at q.Commit whose
// root covers q.Path, nearest first; when there are none, reason says why.
func (n *navigator) visibleUploads(repoID int64, q CodenavQuery) (uploads []navUpload, reason string, err error) {
	rows, err := n.db.Query(n.ctx, `
		SELECT `+navUploadColumns+`
		FROM lsif_nearest_uploads x
		JOIN lsif_uploads u ON u.id = x.upload_id AND u.state = 'completed'
		JOIN repos r ON r.id = u.repo_id
		WHERE x.repo_id = $1 AND x.commit_oid = $2
		ORDER BY x.distance, u.id DESC`, repoID, q.Commit)
	if err != nil {
		return nil, "", fmt.Errorf("visible uploads of %s at %s: %w", q.Repo, q.Commit, err)
	}
	all, err := pgx.CollectRows(rows, scanNavUpload)
	if err != nil {
		return nil, "", fmt.Errorf("visible uploads of %s at %s: %w", q.Repo, q.Commit, err)
	}
	for _, u := range all {
		if u.covers(q.Path) {
			uploads = append(uploads, u)
		}
	}
	switch {
	case len(uploads) > 0:
		return uploads, "", nil
	case len(all) > 0:
		return nil, fmt.Sprintf("no upload visible at commit %s of %s covers %s (visible: %s)", q.Commit, q.Repo, q.Path, uploadList(all)), nil
	}
	reason, err = n.invisibleReason(repoID, q)
	return nil, reason, err
}

// invisibleReason says why no upload is visible at q.Commit.
func (n *navigator) invisibleReason(repoID int64, q CodenavQuery) (string, error) {
	var completed int
	var dirty bool
	err := n.db.QueryRow(n.ctx, `
		SELECT (SELECT count(*) FROM lsif_uploads WHERE repo_id = $1 AND state = 'completed'),
		       COALESCE((SELECT dirty_token > updated_token FROM lsif_dirty_repos WHERE repo_id = $1), false)`,
		repoID).Scan(&completed, &dirty)
	if err != nil {
		return "", fmt.Errorf("uploads of %s: %w", q.Repo, err)
	}
	switch {
	case completed == 0:
		return fmt.Sprintf("repository %s has no completed code-intelligence upload (sightline lsif uploads --repo %s lists its uploads)", q.Repo, q.Repo), nil
	case dirty:
		return fmt.Sprintf("no upload is visible at commit %s of %s yet: its uploads changed since the commit graph was computed "+
			"(sightline run update-commit-graph updates it)", q.Commit, q.Repo), nil
	}
	return fmt.Sprintf("no upload of %s is visible at commit %s: the commit is not in the commit graph (unknown, or not fetched when "+
		"update-commit-graph last ran) or none of its ancestors and descendants has an upload", q.Repo, q.Commit), nil
}

// noRangeReason says why no upload has a range at the position.
func (n *navigator) noRangeReason(uploads []navUpload, q CodenavQuery) string {
	var indexed []navUpload
	for _, u := range uploads {
		var ok bool
		err := n.db.QueryRow(n.ctx, `SELECT EXISTS (SELECT 1 FROM lsif_documents WHERE upload_id = $1 AND path = $2)`,
			u.ID, q.Path).Scan(&ok)
		if err == nil && ok {
			indexed = append(indexed, u)
		}
	}
	if len(indexed) == 0 {
		return fmt.Sprintf("%s has no code intelligence data in %s (not indexed, or not in git at the upload's commit)", q.Path, uploadList(uploads))
	}
	return fmt.Sprintf("no symbol at %s:%d:%d (0-based line and character) in %s", q.Path, q.Position.Line, q.Position.Character,
		uploadList(indexed))
}
