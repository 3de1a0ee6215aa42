//go:build !linux

package gitsource

import "io"

const pipeSize = 64 << 10

// growPipe does nothing where pipes cannot be resized.
func growPipe(io.Reader) {}
