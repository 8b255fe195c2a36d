//go:build !windows

package api

// renameBusy is false: elsewhere a rename replaces a file that others
// have open.
func renameBusy(error) bool { return false }
