package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/migrate"
)

var completionShells = []string{"bash", "zsh", "fish", "powershell"}

func newCompletionCmd(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "completion {bash | zsh | fish | powershell}",
		Short: "Print a shell completion script",
		Long: `Print a script that completes mastomigrate's commands, flags and their
values (categories, modes, extras, and your logged-in accounts for --to).`,
		Example: `  $ source <(mastomigrate completion bash)
  $ mastomigrate completion zsh > "${fpath[1]}/_mastomigrate"
  $ mastomigrate completion fish > ~/.config/fish/completions/mastomigrate.fish`,
		ValidArgs: completionShells,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || !slices.Contains(completionShells, args[0]) {
				got := "nothing"
				if len(args) > 0 {
					got = fmt.Sprintf("%q", strings.Join(args, " "))
				}
				return &flagError{fmt.Errorf("`completion` takes one shell: %s; not %s", strings.Join(completionShells, ", "), got)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(s.Out, true)
			case "zsh":
				return root.GenZshCompletion(s.Out)
			case "fish":
				return root.GenFishCompletion(s.Out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(s.Out)
			}
			return nil
		},
	}
}

// registerCompletions offers values for the flags that take them,
// wherever a command has them: --only, --skip, --mode, --include, --to.
func registerCompletions(cmd *cobra.Command, f *factory) {
	list := func(vals []string) cobra.CompletionFunc {
		return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			// A comma-separated list: complete its last item.
			prefix := ""
			if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
				prefix = toComplete[:i+1]
			}
			out := make([]string, 0, len(vals))
			for _, v := range vals {
				if strings.HasPrefix(prefix+v, toComplete) {
					out = append(out, prefix+v)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		}
	}
	accounts := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		tokens, err := f.tokens()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return tokens.Accounts(), cobra.ShellCompDirectiveNoFileComp
	}
	for flag, fn := range map[string]cobra.CompletionFunc{
		"only":    list(categoryNames),
		"skip":    list(categoryNames),
		"include": list(migrate.Includable),
		"mode": func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"merge\tonly add", "overwrite\talso remove what the export lacks"}, cobra.ShellCompDirectiveNoFileComp
		},
		"to":   accounts,
		"from": accounts, // migrate and plan --from, move --from
	} {
		if cmd.Flags().Lookup(flag) != nil {
			cmd.RegisterFlagCompletionFunc(flag, fn) // fails only for a flag already given one
		}
	}
}
