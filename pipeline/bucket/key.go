package bucket

import (
	"fmt"
	"strings"
)

// ValidateKey reports whether key is a valid object key: not empty, no
// leading "/", no empty, "." or ".." segments, no NUL bytes. Providers call it
// on every key they are given so that a key means the same object everywhere.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("invalid object key %q: empty", key)
	}
	if strings.ContainsRune(key, 0) {
		return fmt.Errorf("invalid object key %q: contains a NUL byte", key)
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "":
			return fmt.Errorf("invalid object key %q: empty path segment (leading, trailing or double \"/\")", key)
		case ".", "..":
			return fmt.Errorf("invalid object key %q: %q segment", key, seg)
		}
	}
	return nil
}
