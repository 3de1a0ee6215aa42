package gitsource

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// pipeSize is the capacity asked for the pipe a cat-file process writes
// its answers to: the default 64 KiB makes a read syscall, and a context
// switch, for every 64 KiB of blob content. 1 MiB is the largest an
// unprivileged process may set by default (/proc/sys/fs/pipe-max-size).
const pipeSize = 1 << 20

// growPipe asks the kernel to enlarge the pipe r reads from, to pipeSize.
// It is best effort: a failure leaves the pipe as it was.
func growPipe(r io.Reader) {
	f, ok := r.(*os.File)
	if !ok {
		return
	}
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) {
			_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize)
		})
	}
}
