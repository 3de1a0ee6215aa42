package cli

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	// exitAbove is `search count --fail-above N` finding more than N
	// matches: the command worked, and the answer is the one a CI gate
	// refuses.
	exitAbove = 3
)

// usageError is a mistake in how sightline was invoked (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// aboveError is a count over its --fail-above limit (exit code 3).
type aboveError struct {
	matches, limit int64
	query          string
}

func (e *aboveError) Error() string {
	return fmt.Sprintf("query %s: %d matches, more than --fail-above %d", e.query, e.matches, e.limit)
}

// exitCode maps an error from command execution to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return exitUsage
	}
	var ae *aboveError
	if errors.As(err, &ae) {
		return exitAbove
	}
	return exitFailure
}

// isCobraUsage recognizes cobra's own argument errors, which it returns as
// plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least",
		"invalid argument", "flag needs an argument", "required flag", "if any flags in the group", "at least one of the flags in the group"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}
