package codeintel

import (
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Cross-upload navigation follows packages: an import moniker of upload U
// is defined by the uploads whose lsif_packages match one of U's package
// references of the moniker's scheme that lists the identifier; an export
// moniker is referenced by the uploads whose package references match one
// of the exporting upload's packages. Package names must be equal; an empty
// version (lsif-tsc writes imported packages without one) matches any.

// packageMatch is the join condition between a package reference r and a
// package p.
const packageMatch = `p.scheme = r.scheme AND p.name = r.name AND (r.version = '' OR p.version = '' OR p.version = r.version)`

// packageUploads returns the completed uploads, other than u, that export a
// package u imports m from: for each (scheme, name, version), the newest.
func (n *navigator) packageUploads(u navUpload, m navMoniker) ([]navUpload, error) {
	rows, err := n.db.Query(n.ctx, `
		SELECT `+navUploadColumns+` FROM (
			SELECT DISTINCT ON (p.scheme, p.name, p.version) p.upload_id
			FROM lsif_package_references r
			JOIN lsif_packages p ON `+packageMatch+`
			JOIN lsif_uploads pu ON pu.id = p.upload_id AND pu.state = 'completed'
			WHERE r.upload_id = $1 AND r.scheme = $2 AND p.upload_id <> $1
			  AND (cardinality(r.identifiers) = 0 OR $3 = ANY (r.identifiers))
			ORDER BY p.scheme, p.name, p.version, p.upload_id DESC
		) d
		JOIN lsif_uploads u ON u.id = d.upload_id JOIN repos r ON r.id = u.repo_id
		ORDER BY u.id DESC`, u.ID, m.scheme, m.identifier)
	if err != nil {
		return nil, fmt.Errorf("uploads defining %s:%s imported by %s: %w", m.scheme, m.identifier, u, err)
	}
	out, err := pgx.CollectRows(rows, scanNavUpload)
	if err != nil {
		return nil, fmt.Errorf("uploads defining %s:%s imported by %s: %w", m.scheme, m.identifier, u, err)
	}
	return out, nil
}

// dependentUploads returns the completed uploads, other than those in defs,
// whose package references name a package one of defs exports and list m's
// identifier: the newest of each repository, root and indexer.
func (n *navigator) dependentUploads(defs []navUpload, m navMoniker) ([]navUpload, error) {
	ids := uploadIDs(defs)
	rows, err := n.db.Query(n.ctx, `
		SELECT `+navUploadColumns+` FROM (
			SELECT DISTINCT ON (ru.repo_id, ru.root, ru.indexer) ru.id
			FROM lsif_packages p
			JOIN lsif_package_references r ON `+packageMatch+`
			JOIN lsif_uploads ru ON ru.id = r.upload_id AND ru.state = 'completed'
			WHERE p.upload_id = ANY ($1) AND p.scheme = $2 AND NOT r.upload_id = ANY ($1)
			  AND (cardinality(r.identifiers) = 0 OR $3 = ANY (r.identifiers))
			ORDER BY ru.repo_id, ru.root, ru.indexer, ru.id DESC
		) d
		JOIN lsif_uploads u ON u.id = d.id JOIN repos r ON r.id = u.repo_id
		ORDER BY r.name, u.root, u.id`, ids, m.scheme, m.identifier)
	if err != nil {
		return nil, fmt.Errorf("uploads depending on %s:%s: %w", m.scheme, m.identifier, err)
	}
	out, err := pgx.CollectRows(rows, scanNavUpload)
	if err != nil {
		return nil, fmt.Errorf("uploads depending on %s:%s: %w", m.scheme, m.identifier, err)
	}
	return out, nil
}

// monikerLocations returns the moniker's locations of kind (definitions or
// references) in uploads, in the order of uploads: the locations of the
// results lsif_moniker_results names for it in each upload.
func (n *navigator) monikerLocations(uploads []navUpload, m navMoniker, kind string) ([]Location, error) {
	if len(uploads) == 0 {
		return nil, nil
	}
	rows, err := n.db.Query(n.ctx, `
		SELECT upload_id, definition_result, reference_result FROM lsif_moniker_results
		WHERE upload_id = ANY ($1) AND hashtextextended(identifier, 0) = hashtextextended($3, 0)
		  AND scheme = $2 AND identifier = $3`,
		uploadIDs(uploads), m.scheme, m.identifier)
	if err != nil {
		return nil, fmt.Errorf("%s of %s:%s: %w", kind, m.scheme, m.identifier, err)
	}
	ids := make(map[int64][]int32)
	var (
		upload   int64
		def, ref int32
	)
	if _, err := pgx.ForEachRow(rows, []any{&upload, &def, &ref}, func() error {
		id := def
		if kind == "references" {
			id = ref
		}
		if id != 0 {
			ids[upload] = append(ids[upload], id)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("%s of %s:%s: %w", kind, m.scheme, m.identifier, err)
	}
	var out []Location
	for _, u := range uploads {
		if len(ids[u.ID]) == 0 {
			continue
		}
		locs, err := n.results(u, ids[u.ID], kind)
		if err != nil {
			return nil, fmt.Errorf("%s of %s:%s in %s: %w", kind, m.scheme, m.identifier, u, err)
		}
		// Several results of a moniker may share a location.
		out = append(out, slices.Compact(locs)...)
	}
	return out, nil
}

// crossReferences returns the references of moniker m of upload u found in
// other uploads: the uploads defining the symbol (u itself for an export
// moniker, the package's uploads for an import) contribute their
// definitions and references, and the uploads depending on the package
// their references.
func (n *navigator) crossReferences(u navUpload, m navMoniker) ([]Location, error) {
	defs := []navUpload{u}
	switch m.kind {
	case "import":
		found, err := n.packageUploads(u, m)
		if err != nil || len(found) == 0 {
			return nil, err
		}
		defs = found
	case "export":
	default:
		return nil, nil
	}
	deps, err := n.dependentUploads(defs, m)
	if err != nil {
		return nil, err
	}
	var others []navUpload
	for _, o := range append(defs, deps...) {
		if o.ID != u.ID {
			others = append(others, o)
		}
	}
	var locs []Location
	for _, kind := range []string{"definitions", "references"} {
		found, err := n.monikerLocations(others, m, kind)
		if err != nil {
			return nil, err
		}
		locs = append(locs, found...)
	}
	return locs, nil
}

func uploadIDs(us []navUpload) []int64 {
	ids := make([]int64, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}
