// Package statefile holds what the files in the state directory (the
// migrations' and the moves' journals) need of the system: names every
// system takes, and a lock so that one run at a time writes a journal.
package statefile

import "strings"

// Name makes name (a handle with what follows it, such as
// "me@127.0.0.1:8080-3f2a.journal") a valid file name on every system we
// build for: Windows refuses more than Unix does. Path separators, `:`
// (a handle's port) and the other characters Windows reserves become
// `_`; so do a trailing dot or space, which Windows drops silently. A
// device name before the first dot (CON, NUL, COM1…, which Windows
// opens as the device whatever the extension) gets a `_` after it.
//
// Every name that was already valid on Windows comes back unchanged, so
// the journals of earlier versions, named after handles (which never hold
// those characters), keep their names on every system.
func Name(name string) string {
	safe := []rune(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || strings.ContainsRune(`/\:<>"|?*`, r) {
			return '_'
		}
		return r
	}, name))
	for i := len(safe) - 1; i >= 0 && (safe[i] == '.' || safe[i] == ' '); i-- {
		safe[i] = '_'
	}
	out := string(safe)
	if stem, _, _ := strings.Cut(out, "."); windowsDevice(strings.TrimRight(stem, " ")) {
		out = stem + "_" + out[len(stem):]
	}
	if out == "" {
		return "_"
	}
	return out
}

// windowsDevice reports whether Windows takes stem for a device
// (learn.microsoft.com, "Naming Files, Paths, and Namespaces").
func windowsDevice(stem string) bool {
	s := strings.ToUpper(stem)
	switch s {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(s) >= 4 && (strings.HasPrefix(s, "COM") || strings.HasPrefix(s, "LPT")) {
		switch s[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}
