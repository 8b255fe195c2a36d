//go:build !unix && !windows

package statefile

import "os"

// Lock does nothing on the systems without file locks (Plan 9, wasm),
// for which no release is built; one run at a time is then up to the
// person.
func Lock(f *os.File) error { return nil }
