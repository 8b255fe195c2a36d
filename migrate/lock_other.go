//go:build !unix && !windows

package migrate

import "os"

// lockFile does nothing on the systems without file locks (Plan 9, wasm),
// for which no release is built; one run at a time is then up to the
// person.
func lockFile(f *os.File) error { return nil }
