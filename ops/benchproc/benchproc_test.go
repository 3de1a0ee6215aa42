package benchproc

import (
	"os/exec"
	"runtime"
	"runtime/debug"
	"testing"
)

// childMaxRSS runs `git --version` after this process held hold MiB,
// started plainly or by StartMeasured, and returns its ru_maxrss and
// StartMeasured's floor (0 when started plainly), in MiB.
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
		floor, err = StartMeasured(cmd)
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
	return MaxRSS(cmd.ProcessState) >> 10, floor >> 10
}

// TestStartMeasuredPeakRSS checks that a child started by StartMeasured
// reports no more than this process's RSS when it started (the floor: the
// test binary's own, a few tens of MiB) and its own, not the 128 MiB this
// process held before; a child started plainly reports this process's
// peak (logged: that is the kernel's doing, which StartMeasured is there
// for).
func TestStartMeasuredPeakRSS(t *testing.T) {
	const hold = 128
	plain, _ := childMaxRSS(t, hold, false)
	t.Logf("git --version started plainly after this process held %d MiB: ru_maxrss %d MiB", hold, plain)
	got, floor := childMaxRSS(t, hold, true)
	t.Logf("started by StartMeasured: ru_maxrss %d MiB, floor %d MiB", got, floor)
	if got >= hold || got > floor+16 {
		t.Fatalf("git --version started by StartMeasured after this process held %d MiB: ru_maxrss %d MiB, "+
			"want at most the floor (%d MiB) or its own few MiB", hold, got, floor)
	}
}
