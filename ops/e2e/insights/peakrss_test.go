package insights

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
	"testing"
)

// startMeasured starts cmd so that its ru_maxrss (ProcessState.SysUsage)
// is its own peak RSS and its children's, not this process's. On Linux a
// process started by os/exec inherits its parent's peak: Go starts it with
// clone(CLONE_VM|CLONE_VFORK), so the child runs on the parent's memory
// until execve, and execve folds that memory's high-water mark into the
// new process's ru_maxrss (fs/exec.c, exec_mmap: setmax_mm_hiwater_rss of
// the old mm). A benchmark that loaded 1,000 repositories in process then
// reports its own peak as the child's. startMeasured first resets this
// process's high-water mark to its current RSS (clear_refs 5, Linux ≥ 4.0)
// after returning freed memory to the system, and returns the mark right
// after the start: the floor below which the child's figure says nothing.
func startMeasured(cmd *exec.Cmd) (floorKiB int64, err error) {
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

// childMaxRSS runs `git --version` after this process held hold MiB,
// started plainly or by startMeasured, and returns its ru_maxrss and
// startMeasured's floor (0 when started plainly), in MiB.
func childMaxRSS(t *testing.T, hold int, measured bool) (rss, floor int64) {
	t.Helper()
	big := make([]byte, hold<<20)
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1
	}
	runtime.KeepAlive(big)
	big = nil
	cmd := exec.Command("git", "--version")
	var err error
	if measured {
		floor, err = startMeasured(cmd)
	} else {
		runtime.GC()
		debug.FreeOSMemory()
		err = cmd.Start()
	}
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		t.Fatalf("git --version: %v", err)
	}
	return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10, floor >> 10
}

// TestStartMeasuredPeakRSS checks that a child started by startMeasured
// reports no more than this process's RSS when it started (the floor: the
// test binary's own, a few tens of MiB) and its own, not the 128 MiB this
// process held before; a child started plainly reports this process's
// peak (logged: that is the kernel's doing, which startMeasured is there
// for).
func TestStartMeasuredPeakRSS(t *testing.T) {
	const hold = 128
	plain, _ := childMaxRSS(t, hold, false)
	t.Logf("git --version started plainly after this process held %d MiB: ru_maxrss %d MiB", hold, plain)
	got, floor := childMaxRSS(t, hold, true)
	t.Logf("started by startMeasured: ru_maxrss %d MiB, floor %d MiB", got, floor)
	if got >= hold || got > floor+16 {
		t.Fatalf("git --version started by startMeasured after this process held %d MiB: ru_maxrss %d MiB, "+
			"want at most the floor (%d MiB) or its own few MiB", hold, got, floor)
	}
}
