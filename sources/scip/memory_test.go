package scip_test

import (
	"os"
	"runtime"
	"testing"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/scip"
	"github.com/sightline-dev/sightline/sources/scip/sciptest"
)

// phases is a Sink that drops every row and measures the converter between
// its phases: the live heap when the first result comes (the stream read,
// the state at its largest), the allocations while the documents are
// delivered, and the temporary files in dir during the stream.
type phases struct {
	discard
	dir                    string
	ranges                 int
	liveAfterStream        uint64
	docMallocs, monMallocs uint64
	spilled                []os.DirEntry
}

func (p *phases) Result(lsif.Result) error {
	if p.liveAfterStream == 0 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		p.liveAfterStream = ms.HeapAlloc
		p.spilled, _ = os.ReadDir(p.dir)
	}
	return nil
}

func (p *phases) Document(d lsif.Document) error {
	if p.docMallocs == 0 {
		p.docMallocs = mallocs()
	}
	p.ranges += len(d.Ranges)
	return nil
}

func (p *phases) MonikerResults(lsif.MonikerResults) error {
	if p.monMallocs == 0 {
		p.monMallocs = mallocs()
	}
	return nil
}

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// TestConvertMemory converts a generated 8 MiB index and checks what the
// converter holds and makes: its documentation texts go to a temporary
// file in Opts.TempDir (removed at the end) rather than the heap, so that
// the live heap after the stream stays under 0.6× the index; and
// delivering the documents' ranges, monikers included, allocates nearly
// nothing per range.
func TestConvertMemory(t *testing.T) {
	const size = 8 << 20
	p := &phases{dir: t.TempDir()}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	st, err := scip.Convert(t.Context(), sciptest.NewGenerator(size), lsif.Opts{TempDir: p.dir}, p)
	if err != nil {
		t.Fatal(err)
	}
	live := float64(p.liveAfterStream-min(p.liveAfterStream, before.HeapAlloc)) / float64(st.Bytes)
	t.Logf("live heap after the stream: %.3f× the index; %d ranges, %.3f allocations per range delivered",
		live, p.ranges, float64(p.monMallocs-p.docMallocs)/float64(p.ranges))
	if live > 0.6 {
		t.Errorf("live heap after the stream is %.2f× the index, want under 0.6×", live)
	}
	if len(p.spilled) != 1 {
		t.Errorf("during the conversion %s held %d files, want the documentation texts' one", p.dir, len(p.spilled))
	}
	if left, _ := os.ReadDir(p.dir); len(left) != 0 {
		t.Errorf("after the conversion %s holds %v, want nothing", p.dir, left)
	}
	if per := float64(p.monMallocs-p.docMallocs) / float64(p.ranges); per > 0.05 {
		t.Errorf("delivering the documents allocated %.3f times per range, want almost never", per)
	}
}
