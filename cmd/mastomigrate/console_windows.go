//go:build windows

package main

import (
	"os"
	"unsafe"

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

// golang.org/x/sys/windows (v0.50.0) has no GetConsoleProcessList.
var procGetConsoleProcessList = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetConsoleProcessList")

// consoleAlone reports whether this process is the only one attached to
// its console: then Windows made the console window for it, as it does
// for a console program started from Explorer, and the window closes
// when the program ends. Started from cmd.exe, PowerShell or Windows
// Terminal, the shell shares the console, so there are at least two.
//
// GetConsoleProcessList "retrieves a list of the processes attached to
// the current console"; it returns the number of them, which is never 0
// on success "because every console has at least one process associated
// with it", and 0 on failure. When the buffer is too small it stores
// nothing and returns the number needed, so two places tell 1 from more.
// (learn.microsoft.com/windows/console/getconsoleprocesslist; the same
// page notes it sees only local consoles, which is all this asks.)
func consoleAlone() bool {
	var pids [2]uint32
	n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&pids[0])), uintptr(len(pids)))
	return n == 1
}
