package processuploads

import (
	"context"
	"io"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/scip"
)

// convertUpload converts u's object with the converter of its recorded
// format: both deliver the same rows into sink.
// A SCIP index is converted under a soft memory limit that follows the
// uncompressed bytes read (memRatio of them; see boundMemory).
func convertUpload(ctx context.Context, u *codeintel.Upload, in io.Reader, opts lsif.Opts, sink lsif.Sink, memRatio float64) (lsif.Stats, error) {
	switch scip.Format(u.Format) {
	case scip.FormatSCIP:
		plain, err := lsif.NewReader(in)
		if err != nil {
			return lsif.Stats{}, err
		}
		defer plain.Close()
		bound := boundMemory(plain, memRatio)
		defer bound.Restore()
		return scip.Convert(ctx, bound, opts, sink)
	case scip.FormatLSIF, "":
		return lsif.Convert(ctx, in, opts, sink)
	}
	return lsif.Stats{}, permanent("upload %d has format %q, which this version of process-uploads does not know: upgrade the worker", u.ID, u.Format)
}
