// Package benchproc measures processes for the benchmarks: CPU time with
// the reaped children's, and the peak RSS of a child process that is its
// own rather than the benchmark's. Only tests and benchmarks import it.
package benchproc

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPUTime is the CPU time (user and system) this process and its children
// reaped so far have used. On a shared machine it moves less than wall
// time with other load, so the benchmarks report both.
func CPUTime() time.Duration {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	var d time.Duration
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, children.Utime, children.Stime} {
		d += time.Duration(tv.Nano())
	}
	return d
}

// StartMeasured starts cmd so that its ru_maxrss (MaxRSS) is its own peak
// RSS and its children's, not this process's. On Linux a process started
// by os/exec inherits its parent's peak: Go starts it with
// clone(CLONE_VM|CLONE_VFORK), so the child runs on the parent's memory
// until execve, and execve folds that memory's high-water mark into the
// new process's ru_maxrss (fs/exec.c, exec_mmap: setmax_mm_hiwater_rss of
// the old mm). A benchmark that loaded 1,000 repositories, or converted a
// whole index, in process then reports its own peak as the child's.
// StartMeasured first returns freed memory to the system and resets this
// process's high-water mark to its current RSS (clear_refs 5, Linux ≥
// 4.0), and returns the mark right after the start in KiB: the floor below
// which the child's figure says nothing.
func StartMeasured(cmd *exec.Cmd) (floorKiB int64, err error) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0, fmt.Errorf("reset this process's peak RSS: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	return selfHWM()
}

// MaxRSS is the peak RSS in KiB of a process that ended, and of the
// largest of its children (ru_maxrss).
func MaxRSS(ps *os.ProcessState) int64 {
	return ps.SysUsage().(*syscall.Rusage).Maxrss
}

// selfHWM is this process's peak RSS in KiB (VmHWM).
func selfHWM() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/self/status has no VmHWM")
}
