//go:build !windows

package main

import "os"

// enableEscapes is true: terminals here take escape sequences as they are.
func enableEscapes(*os.File) bool { return true }

// consoleAlone is false: a terminal here always has its shell, and a
// program opened from Finder runs in a Terminal window with its shell too.
func consoleAlone() bool { return false }
