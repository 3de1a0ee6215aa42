package insights

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/repos"
)

// Grant lets a user see a private repository's data (a row of repo_grants).
type Grant struct {
	User      string
	RepoID    int64
	Repo      string
	Private   bool // false: the repository is public and the grant changes nothing
	CreatedAt time.Time
}

// CheckUser checks a user name for grants: not empty, no spaces or control
// characters.
func CheckUser(user string) error {
	if user == "" || strings.IndexFunc(user, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("user name %q: want a non-empty name without spaces", user)
	}
	return nil
}

// GrantAdd lets user see the registered repository repo, and returns the
// grant and whether it is new (granting twice is not an error). Granting a
// public repository is allowed but changes nothing until it is made private
// (Grant.Private says which). An unknown repository is repos.ErrNotFound.
func GrantAdd(ctx context.Context, db *pgxpool.Pool, user, repo string, now time.Time) (Grant, bool, error) {
	if err := CheckUser(user); err != nil {
		return Grant{}, false, err
	}
	r, err := repos.Get(ctx, db, repo)
	if err != nil {
		return Grant{}, false, err
	}
	g := Grant{User: user, RepoID: r.ID, Repo: r.Name, Private: r.Private}
	err = db.QueryRow(ctx, `INSERT INTO repo_grants (user_name, repo_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING RETURNING created_at`, user, r.ID, now).Scan(&g.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		err = db.QueryRow(ctx, `SELECT created_at FROM repo_grants WHERE user_name = $1 AND repo_id = $2`,
			user, r.ID).Scan(&g.CreatedAt)
		if err != nil {
			return Grant{}, false, fmt.Errorf("grant %s %s: %w", user, repo, err)
		}
		return g, false, nil
	}
	if err != nil {
		return Grant{}, false, fmt.Errorf("grant %s %s: %w", user, repo, err)
	}
	return g, true, nil
}

// GrantRemove takes back user's grant on repo (registered or removed); a
// grant that does not exist is ErrNotFound.
func GrantRemove(ctx context.Context, db *pgxpool.Pool, user, repo string) error {
	tag, err := db.Exec(ctx, `DELETE FROM repo_grants g USING repos r
		WHERE g.repo_id = r.id AND g.user_name = $1 AND r.name = $2`, user, repo)
	if err != nil {
		return fmt.Errorf("remove grant %s %s: %w", user, repo, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("grant of %s to %q %w; sightline grants list shows the grants", repo, user, ErrNotFound)
	}
	return nil
}

// GrantsList returns the grants on registered repositories, of user or of
// everyone when user is "", by user and repository.
func GrantsList(ctx context.Context, db *pgxpool.Pool, user string) ([]Grant, error) {
	rows, err := db.Query(ctx, `SELECT g.user_name, r.id, r.name, r.private, g.created_at
		FROM repo_grants g JOIN repos r ON r.id = g.repo_id
		WHERE r.deleted_at IS NULL AND ($1 = '' OR g.user_name = $1)
		ORDER BY g.user_name, r.name`, user)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Grant, error) {
		var g Grant
		err := row.Scan(&g.User, &g.RepoID, &g.Repo, &g.Private, &g.CreatedAt)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	return out, nil
}
