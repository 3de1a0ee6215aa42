// Package batch moves typed rows between pipeline jobs and the loaders as
// Arrow IPC streams with LZ4-compressed buffers, stored in a bucket.
//
// LZ4 rather than zstd: Arrow's IPC writer creates a compressor for every
// record it writes, and a zstd encoder allocates megabytes of history
// windows each time (about 128 MB of garbage for one large LSIF upload);
// LZ4 frames need 64 KB blocks, and write and read twice as fast, for
// batches about 2.5 times larger than zstd's (BenchmarkWriteRead). Readers
// take either codec, so batches written by older binaries still load.
//
// A Kind names a batch schema and its version, declared once as a list of
// typed, named columns (Int64, String, Time, …), through which code
// appends a row to a Builder and reads a record: never by position. A
// Registry is the set of kinds a binary understands, so that a reader
// refuses a batch written by a newer (or older, incompatible) binary instead
// of misreading it. A Writer streams records into one object (encoding
// and compressing each on a goroutine of its own while the caller builds
// the next) and a Reader streams them back out; neither holds a whole
// batch in memory. A Run groups the batches of one job run under
// runs/<job>/<run-id>/ and commits them with a manifest written last: a run
// without a manifest is incomplete and is never loaded.
//
// The package knows nothing of Postgres; sinks/loader loads committed runs.
package batch

import (
	"fmt"
	"regexp"
)

// Schema metadata keys that identify a batch's kind and version.
const (
	MetaKind    = "sightline.kind"
	MetaVersion = "sightline.version"
)

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// ValidateName reports whether name is a valid job, batch or kind name:
// lower-case letters, digits, '-' and '_', starting with a letter or digit.
// what says which kind of name it is, for the message ("job", "batch").
func ValidateName(what, name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("invalid %s name %q: use lower-case letters, digits, '-' and '_'", what, name)
	}
	return nil
}

// validateRunID accepts ksuids and other simple identifiers; a run id becomes
// a key segment, so it must not contain '/' or be "." or "..".
func validateRunID(id string) error {
	if !runIDPattern.MatchString(id) {
		return fmt.Errorf("invalid run id %q: use letters, digits, '-' and '_'", id)
	}
	return nil
}
