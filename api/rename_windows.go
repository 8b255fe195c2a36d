//go:build windows

package api

import (
	"errors"

	"golang.org/x/sys/windows"
)

// renameBusy reports whether a rename failed because another process has
// the target open for now (cmd/go/internal/robustio counts the same).
func renameBusy(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
}
