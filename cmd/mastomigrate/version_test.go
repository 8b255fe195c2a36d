package main

import (
	"runtime/debug"
	"testing"
)

func TestDescribeVersion(t *testing.T) {
	const rev = "3ed9b40c0ffee1234567890abcdef1234567890a"
	vcs := func(modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	for _, tt := range []struct {
		name, tag, commit string
		info              *debug.BuildInfo
		want              string
	}{
		{"release build", "v1.2.0", rev, vcs("false"), "v1.2.0 (commit 3ed9b40c0ffe)"},
		{"release build without a commit", "v1.2.0", "", nil, "v1.2.0"},
		{"go install module@version", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.1.0"}}, "v1.1.0"},
		{"built in a clone", "", "", vcs("false"), "(devel 3ed9b40c0ffe)"},
		{"built in a changed clone", "", "", vcs("true"), "(devel 3ed9b40c0ffe-dirty)"},
		{"built outside version control", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"no build information", "", "", nil, "(unknown)"},
	} {
		if got := describeVersion(tt.tag, tt.commit, tt.info); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
