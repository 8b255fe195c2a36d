package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/api"
)

func newLogoutCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "logout <account>",
		Short:   "Revoke and forget the token of an account",
		Example: `  $ mastomigrate logout me@new.example`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return &flagError{errors.New("say which account to log out, e.g. `mastomigrate logout me@new.example` (`mastomigrate whoami` lists them)")}
			case len(args) > 1:
				return &flagError{fmt.Errorf("log out one account at a time, not %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogout(cmd.Context(), f, args[0])
		},
	}
}

func runLogout(ctx context.Context, f *factory, account string) error {
	tokens, err := f.tokens()
	if err != nil {
		return err
	}
	login, ok := tokens.Find(account)
	if !ok {
		return fmt.Errorf("%w as %s", errNotLoggedIn, account)
	}
	revokeErr := login.App.Revoke(ctx, login.Token, f.httpClient())
	tokens.Delete(account)
	if err := tokens.Save(); err != nil {
		return err
	}
	if revokeErr != nil {
		fmt.Fprintf(f.IO.ErrOut, "! Forgot the token here, but the instance did not revoke it (%v): remove mastomigrate under Preferences > Account > Authorized apps\n", revokeErr)
		return nil
	}
	fmt.Fprintf(f.IO.ErrOut, "✓ Logged out %s\n", login.Account)
	return nil
}

func newWhoamiCmd(f *factory) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "whoami [--to <instance>]",
		Short: "Show the accounts mastomigrate is logged in to",
		Long: `List the accounts mastomigrate is logged in to, with their instances.

With MASTOMIGRATE_TOKEN set, ask the instance given with --to whose token
it is (or whether it refuses it).`,
		Example: `  $ mastomigrate whoami
  $ MASTOMIGRATE_TOKEN=… mastomigrate whoami --to new.example`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.Getenv(tokenEnv) != "" {
				return whoamiToken(cmd.Context(), f, to)
			}
			tokens, err := f.tokens()
			if err != nil {
				return err
			}
			if len(tokens.Logins) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "Not logged in. Run `mastomigrate login <instance>`.")
				return nil
			}
			for _, a := range tokens.Accounts() {
				l, _ := tokens.Find(a)
				if to == "" || strings.EqualFold(l.Account, strings.TrimPrefix(to, "@")) || sameInstance(l.App.Instance, to) {
					fmt.Fprintf(f.IO.Out, "%s\t%s\n", l.Account, l.App.Instance)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the `instance` (or account) to ask; needed with "+tokenEnv)
	return cmd
}

// whoamiToken asks the instance whose MASTOMIGRATE_TOKEN it is.
func whoamiToken(ctx context.Context, f *factory, to string) error {
	if to == "" {
		return &flagError{fmt.Errorf("%s is set: say which instance it is for with `--to new.example`", tokenEnv)}
	}
	c, _, err := f.client(to)
	if err != nil {
		return &flagError{err}
	}
	me, err := c.Me(ctx)
	if errors.Is(err, api.ErrUnauthorized) {
		return &envTokenError{instance: to}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "%s@%s\t(from %s)\n", me.Acct, c.Domain(ctx), tokenEnv)
	return nil
}

// sameInstance tells whether a stored instance address is the one named.
func sameInstance(stored, named string) bool {
	u, err := api.ParseInstance(named)
	return err == nil && u.String() == stored
}

// envTokenError is the instance refusing MASTOMIGRATE_TOKEN; it says so
// itself, so main adds no hint.
type envTokenError struct{ instance string }

func (e *envTokenError) Error() string {
	return fmt.Sprintf("%s refuses the token in %s (revoked, or for another instance): %v", e.instance, tokenEnv, api.ErrUnauthorized)
}
func (e *envTokenError) Unwrap() error { return api.ErrUnauthorized }
