//go:build !unix

package migrate

import "os"

// lockFile does nothing where flock is missing; one run at a time is then
// up to the person.
func lockFile(f *os.File) error { return nil }
