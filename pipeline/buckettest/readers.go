package buckettest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// mib is a mebibyte, the unit of the suite's large objects.
const mib = 1 << 20

// errReader is the error the suite's failing readers return.
var errReader = errors.New("buckettest: reader failed on purpose")

// gen returns n pseudo-random bytes determined by seed, generated as they
// are read so that large objects cost no memory.
func gen(seed uint64, n int64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return io.LimitReader(rand.NewChaCha8(s), n)
}

// digest is the SHA-256 and length of what r yields.
type digest struct {
	Sum  string
	Size int64
}

// digestOf reads r to the end and returns its digest.
func digestOf(r io.Reader) (digest, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return digest{hex.EncodeToString(h.Sum(nil)), n}, err
}

// genDigest is the digest of gen(seed, n).
func genDigest(t *testing.T, seed uint64, n int64) digest {
	t.Helper()
	d, err := digestOf(gen(seed, n))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// failingReader yields n bytes of gen(seed, ...) and then errReader.
func failingReader(seed uint64, n int64) io.Reader {
	return io.MultiReader(gen(seed, n), errorReader{})
}

type errorReader struct{}

func (errorReader) Read([]byte) (int, error) { return 0, errReader }

// cancellingReader yields n bytes of gen(seed, total), calls cancel, and
// then goes on to yield the rest, as a producer that does not watch the
// context would.
func cancellingReader(seed uint64, n, total int64, cancel context.CancelFunc) io.Reader {
	r := gen(seed, total)
	return io.MultiReader(io.LimitReader(r, n), callReader(cancel), r)
}

// callReader calls fn on its first Read and then reports EOF.
type callReader func()

func (f callReader) Read([]byte) (int, error) {
	f()
	return 0, io.EOF
}
