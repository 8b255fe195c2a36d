//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// enableEscapes turns on the escape sequences the progress lines use
// ("\r\033[K", and the bars') on a Windows console, and reports whether
// they work. Windows Terminal has them on; cmd.exe's console takes them
// from Windows 10 on, when the program asks.
func enableEscapes(f *os.File) bool {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return false
	}
	const want = windows.ENABLE_PROCESSED_OUTPUT | windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING
	return mode&want == want || windows.SetConsoleMode(h, mode|want) == nil
}
