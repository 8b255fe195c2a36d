//go:build unix

package statefile

import (
	"errors"
	"os"
	"syscall"
)

// Lock takes an exclusive advisory lock on f (a journal). The kernel
// drops it when the process dies, even by SIGKILL, so a crash never
// leaves a stale lock behind.
func Lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}
