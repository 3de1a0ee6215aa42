package errors

// New returns an error.
func New(s string) error { return nil }
