package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/ui"
)

type uiOptions struct {
	F         *factory
	Listen    string
	NoBrowser bool
}

func newUICmd(f *factory) *cobra.Command {
	opts := &uiOptions{F: f}
	cmd := &cobra.Command{
		Use:   "ui [--no-browser] [--listen 127.0.0.1:<port>]",
		Short: "Do the whole migration in your browser, on this computer",
		Long: `Start mastomigrate's page on this computer and open it in your browser:
add your exports, see the plan, log in, run the migration with its progress,
pause and continue it, and see what did not make it.

The page uses the same logins, journals and engine as the commands: a
migration started there continues with 'mastomigrate resume', and the other
way round. It listens on this computer only, and the address it prints
carries a key made for this launch: keep it to yourself.

Ctrl-C stops the page; a migration running there stops after the requests
in flight, which are journaled.`,
		Example: `  $ mastomigrate ui
  $ mastomigrate ui --no-browser --listen 127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runUI(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.NoBrowser, "no-browser", false, "print the address instead of opening a browser")
	cmd.Flags().StringVar(&opts.Listen, "listen", "", "the loopback `address` to listen on (default: 127.0.0.1 on a free port)")
	return cmd
}

// runUI serves the page until ctx ends (Ctrl-C). The first line on
// stdout is the address to open.
func runUI(ctx context.Context, opts *uiOptions) error {
	f := opts.F
	ln, err := ui.Listen(opts.Listen)
	if err != nil {
		return &flagError{err}
	}
	defer ln.Close()
	env, err := f.env(true)
	if err != nil {
		return err
	}
	srv, err := ui.New(ui.Config{
		Env:       env,
		Accounts:  func(waiting func(api.Wait)) migrate.Accounts { return accounts{f: f, waiting: waiting} },
		Tokens:    f.tokens,
		Transport: f.Transport,
	}, ln.Addr().String())
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	// The hint first: once the address is out, whoever reads it may be
	// on the page.
	if opts.NoBrowser {
		fmt.Fprintln(f.IO.ErrOut, "Open the address printed in your browser. Ctrl-C stops.")
	} else {
		fmt.Fprintln(f.IO.ErrOut, "Opening your browser; if it does not open, visit the address printed. Ctrl-C stops.")
	}
	fmt.Fprintln(f.IO.Out, srv.URL())
	if !opts.NoBrowser {
		if err := f.OpenBrowser(srv.URL()); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "(could not open a browser: %v)\n", err)
		}
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	if srv.Running() {
		fmt.Fprintln(f.IO.ErrOut, "Pausing the migration: the requests in flight finish and are journaled (Ctrl-C again to quit at once)…")
	}
	srv.Close() // pauses a run; what was in flight is journaled
	hs.Close()
	return nil
}
