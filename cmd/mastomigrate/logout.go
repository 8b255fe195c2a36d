package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newLogoutCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "logout <account>",
		Short:   "Revoke and forget the token of an account",
		Example: `  $ mastomigrate logout me@new.example`,
		Args:    cobra.ExactArgs(1),
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
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show the accounts mastomigrate is logged in to",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
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
				fmt.Fprintf(f.IO.Out, "%s\t%s\n", l.Account, l.App.Instance)
			}
			return nil
		},
	}
}
