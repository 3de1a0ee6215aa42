package insights

import (
	"cmp"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

// sortCandidates orders a view's lines as its sort mode and direction say.
// All modes start from label order (compareLabels), which also breaks
// their ties, so the order — and so which lines a limit keeps — is
// deterministic:
//   - result-count: by the value at the last time shown;
//   - lexicographical: label order, reversed for desc;
//   - date-added: by when the series joined the view, then its place in
//     the view (series applied together keep their file order either way).
func sortCandidates(cs []readCandidate, mode, direction string) {
	slices.SortFunc(cs, func(a, b readCandidate) int {
		return cmp.Or(compareLabels(a.label, b.label), cmp.Compare(a.link.position, b.link.position),
			cmp.Compare(a.link.seriesID, b.link.seriesID), strings.Compare(a.capture, b.capture))
	})
	desc := direction == "desc"
	switch mode {
	case "lexicographical":
		if desc {
			slices.Reverse(cs)
		}
	case "date-added":
		slices.SortStableFunc(cs, func(a, b readCandidate) int {
			c := a.link.addedAt.Compare(b.link.addedAt)
			if desc {
				c = -c
			}
			return cmp.Or(c, cmp.Compare(a.link.position, b.link.position))
		})
	default: // result-count
		slices.SortStableFunc(cs, func(a, b readCandidate) int {
			if desc {
				return cmp.Compare(b.latest, a.latest)
			}
			return cmp.Compare(a.latest, b.latest)
		})
	}
}

// compareLabels orders labels as strings, except that semantic versions
// ("1.21", "v2.0.0-rc.1", also bare "3") sort by version and before other
// labels, so that version captures read in release order.
func compareLabels(a, b string) int {
	va, aok := asSemver(a)
	vb, bok := asSemver(b)
	switch {
	case aok && bok:
		return cmp.Or(semver.Compare(va, vb), strings.Compare(a, b))
	case aok:
		return -1
	case bok:
		return 1
	}
	return strings.Compare(a, b)
}

func asSemver(s string) (string, bool) {
	if !strings.HasPrefix(s, "v") {
		s = "v" + s
	}
	return s, semver.IsValid(s)
}
