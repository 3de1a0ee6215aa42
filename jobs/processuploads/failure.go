package processuploads

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// permanentError is a failure no retry fixes: the upload errors at once.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(format string, args ...any) error {
	return &permanentError{err: fmt.Errorf(format, args...)}
}

// classify says what went wrong and what to do, and what kind of failure
// it is: the dump's or the upload's fault (permanent), a hiccup of the
// bucket, the network or the database connection (transient: it must not
// use up an attempt), or anything else (it may pass: it uses an attempt).
func classify(err error) (string, codeintel.Failure) {
	var pe *permanentError
	var le *lsif.LineError
	switch {
	case errors.As(err, &pe):
		return pe.Error(), codeintel.FailurePermanent
	case isTransient(err):
		return err.Error(), codeintel.FailureTransient
	case errors.As(err, &le):
		return fmt.Sprintf("the dump is malformed at %v; re-run the indexer and upload again", le), codeintel.FailurePermanent
	case errors.Is(err, lsif.ErrMalformed):
		msg := strings.TrimPrefix(err.Error(), lsif.ErrMalformed.Error()+": ")
		return fmt.Sprintf("the dump is malformed: %s; re-run the indexer and upload again", msg), codeintel.FailurePermanent
	}
	return err.Error(), codeintel.FailureRetry
}

// isTransient reports whether err is a failure of the storage or of a
// connection rather than of the dump: a bucket error, a timeout, a network
// error, a lost or overloaded Postgres connection, or a load that left
// rows out (codeintel.ErrIncomplete, apidocs.ErrIncomplete: the attempt, not the dump, went
// wrong). The caller has already ruled out its own cancellation.
func isTransient(err error) bool {
	var se *storageError
	var ne net.Error
	var ce *pgconn.ConnectError
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &se), errors.As(err, &ne), errors.As(err, &ce), errors.Is(err, codeintel.ErrIncomplete), errors.Is(err, apidocs.ErrIncomplete),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return true
	case errors.As(err, &pg):
		return transientPgCode(pg.Code)
	}
	return false
}

// transientPgCode reports whether a Postgres error code means the server
// or the connection, not the statement: connection exceptions (08),
// too many connections or out of resources (53), an administrator's
// shutdown (57P01-57P03), a serialization failure or deadlock (40001,
// 40P01).
func transientPgCode(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"):
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03", "40001", "40P01":
		return true
	}
	return false
}
