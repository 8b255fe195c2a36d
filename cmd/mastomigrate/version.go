package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version and commit are set by release builds (.goreleaser.yaml):
// -ldflags "-X main.version=v1.2.3 -X main.commit=<full hash>".
var version, commit = "", ""

func newVersionCmd(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of mastomigrate",
		Example: `  $ mastomigrate version
  $ mastomigrate --version`,
		Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintf(s.Out, "mastomigrate %s\n", versionString())
		},
	}
}

func versionString() string {
	info, _ := debug.ReadBuildInfo()
	return describeVersion(version, commit, info)
}

// describeVersion prefers the release tag with its commit, then what `go
// install` recorded, then the commit the binary was built from.
func describeVersion(tag, commit string, info *debug.BuildInfo) string {
	if tag != "" {
		if commit != "" {
			return tag + " (commit " + short(commit) + ")"
		}
		return tag
	}
	if info == nil {
		return "(unknown)"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return "(devel)"
	}
	return "(devel " + short(rev) + dirty + ")"
}

// short is a commit hash as people quote it.
func short(rev string) string { return rev[:min(len(rev), 12)] }
