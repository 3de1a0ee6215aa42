package scip_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
	"github.com/sightline-dev/sightline/sources/scip"
)

// FuzzConvert: any input converts or fails with an error wrapping
// lsif.ErrMalformed (never a panic, never another error: the input is
// in memory, so nothing but the index can be at fault), and Sniff never
// panics on it.
func FuzzConvert(f *testing.F) {
	f.Add(handwritten())
	if b, err := os.ReadFile("testdata/app.scip"); err == nil {
		f.Add(b)
	}
	f.Add([]byte{0x12, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = scip.Sniff(b)
		_, err := scip.Convert(context.Background(), bytes.NewReader(b), lsif.Opts{}, lsiftest.NewRecorder())
		if err != nil && !errors.Is(err, lsif.ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
	})
}
