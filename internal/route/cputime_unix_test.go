//go:build unix

package route

import (
	"syscall"
	"time"
)

// cpuTime returns the processor time the process has used, which unlike the
// wall clock does not count the time others' programs on a shared machine
// keep it waiting.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
