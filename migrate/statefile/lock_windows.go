//go:build windows

package statefile

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// Lock takes an exclusive lock on f (a journal), as flock does on
// Unix. Windows drops it when the handle closes or the process dies, so
// a crash leaves no stale lock behind.
//
// A Windows lock is mandatory: the bytes it covers cannot be read through
// another handle. It covers one byte far past any journal's end, so
// `status` and `report` still read a journal in use, as they do on Unix.
func Lock(f *os.File) error {
	var ol windows.Overlapped
	ol.OffsetHigh = 0x7fffffff
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return ErrLocked
	}
	return err
}
