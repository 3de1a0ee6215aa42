package apidocs

import "context"

// Hit is a search table row that matched, for tests of what results show.
type Hit struct {
	Upload  int64
	Ordinal int32
	Private bool
	Tier    int
}

// Details reads the results of hits, as Search does once it has them.
func Details(ctx context.Context, db DB, hits []Hit) ([]Result, error) {
	hs := make([]hit, len(hits))
	for i, h := range hits {
		hs[i] = hit{upload: h.Upload, ordinal: h.Ordinal, private: h.Private, tier: h.Tier}
	}
	return details(ctx, db, "test", hs)
}
