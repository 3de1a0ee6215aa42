package s3bucket

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const mib = 1 << 20

func TestPlanParts(t *testing.T) {
	t.Parallel()
	src := func(name string, size int64) piece { return piece{name: name, key: name, size: size} }
	cp := func(name string, off, n int64) part {
		return part{copy: true, pieces: []piece{{name: name, key: name, offset: off, size: n}}}
	}
	stream := func(pcs ...piece) part { return part{pieces: pcs} }
	at := func(name string, off, n int64) piece { return piece{name: name, key: name, offset: off, size: n} }
	tests := []struct {
		name    string
		srcs    []piece
		canCopy bool
		want    []part
	}{
		{"empty", []piece{src("a", 0), src("b", 0)}, true, nil},
		{"small ones coalesce", []piece{src("a", 3), src("b", 0), src("c", 4)}, true,
			[]part{stream(at("a", 0, 3), at("c", 0, 4))}},
		{"large ones copy", []piece{src("a", 6*mib), src("b", 5*mib)}, true,
			[]part{cp("a", 0, 6*mib), cp("b", 0, 5*mib)}},
		{"small then large fills a part", []piece{src("a", 1*mib), src("b", 10*mib)}, true,
			[]part{stream(at("a", 0, 1*mib), at("b", 0, 4*mib)), cp("b", 4*mib, 6*mib)}},
		{"remainder too small to copy", []piece{src("a", 1*mib), src("b", 6*mib), src("c", 1)}, true,
			[]part{stream(at("a", 0, 1*mib), at("b", 0, 4*mib)), stream(at("b", 4*mib, 2*mib), at("c", 0, 1))}},
		{"small ones reach the minimum", []piece{src("a", 3*mib), src("b", 3*mib), src("c", 3*mib)}, true,
			[]part{stream(at("a", 0, 3*mib), at("b", 0, 2*mib)), stream(at("b", 2*mib, 1*mib), at("c", 0, 3*mib))}},
		{"over 5 GiB splits", []piece{src("a", maxPartSize+2*mib)}, true,
			[]part{cp("a", 0, maxPartSize-3*mib), cp("a", maxPartSize-3*mib, 5*mib)}},
		{"no copy streams in fixed parts", []piece{src("a", 6*mib), src("b", 1), src("c", 3*mib)}, false,
			[]part{stream(at("a", 0, 6*mib), at("b", 0, 1), at("c", 0, 1*mib-1)), stream(at("c", 1*mib-1, 2*mib+1))}},
	}
	for _, tt := range tests {
		got := planParts(tt.srcs, tt.canCopy, 7*mib)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(part{}, piece{})); diff != "" {
			t.Errorf("%s: planParts (-want +got):\n%s", tt.name, diff)
		}
		for i, p := range got[:max(len(got)-1, 0)] {
			if p.size() < minPartSize {
				t.Errorf("%s: part %d is %d bytes, under S3's minimum", tt.name, i+1, p.size())
			}
		}
	}
}
