package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/api"
)

type loginOptions struct {
	F         *factory
	Instance  string
	NoBrowser bool
	Timeout   time.Duration
	// ReadOnly asks only for read scopes: for the old account, which
	// migrate --from only reads.
	ReadOnly bool
}

func newLoginCmd(f *factory) *cobra.Command {
	opts := &loginOptions{F: f, Timeout: 10 * time.Minute}
	cmd := &cobra.Command{
		Use:   "login [--no-browser] <instance>",
		Short: "Log in to your new instance",
		Long: `Log in to the instance you are moving to. mastomigrate registers itself
there, opens your browser on the instance's approval page, and keeps the
token it receives in a private file in your config folder (mode 0600).

With --no-browser, it prints the address to open on any device and reads
the code the instance shows you.

Scripts can skip login and set MASTOMIGRATE_TOKEN instead; a token is never
taken from a flag, because flags show in process lists.`,
		Example: `  $ mastomigrate login new.example
  $ mastomigrate login --no-browser new.example
  $ mastomigrate login --read-only old.example`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return &flagError{errors.New("say which instance to log in to, e.g. `mastomigrate login mastodon.social`")}
			case len(args) > 1:
				return &flagError{fmt.Errorf("log in to one instance at a time, not %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Instance = args[0]
			return runLogin(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.NoBrowser, "no-browser", false, "print the address and read the code instead of opening a browser")
	cmd.Flags().BoolVar(&opts.ReadOnly, "read-only", false, "ask only to read: for the old account that `migrate --from` copies from")
	return cmd
}

func runLogin(ctx context.Context, opts *loginOptions) error {
	base, err := api.ParseInstance(opts.Instance)
	if err != nil {
		return &flagError{err}
	}
	err = login(ctx, opts, base)
	if re := unreachable(base.Host, err); re != nil {
		return re
	}
	return err
}

func login(ctx context.Context, opts *loginOptions, base *url.URL) error {
	f := opts.F
	var err error
	hc := f.httpClient()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	redirect := api.OOB
	var ln net.Listener
	if !opts.NoBrowser {
		// A loopback IP literal: Mastodon matches it on any port (RFC 8252).
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("listening for the browser's answer: %w", err)
		}
		defer ln.Close()
		redirect = fmt.Sprintf("http://127.0.0.1:%d/callback", ln.Addr().(*net.TCPAddr).Port)
	}
	var scopes []string
	if opts.ReadOnly {
		scopes = api.ReadScopes
	}
	app, err := api.RegisterAppScopes(ctx, base.String(), redirect, hc, scopes, f.Clock)
	var rl *api.RateLimitError
	if errors.As(err, &rl) {
		return &appLimitError{host: base.Host, err: rl}
	}
	if err != nil {
		return err
	}
	state, verifier := api.NewAuthRequest()
	authURL := app.AuthURL(state, verifier)

	var code string
	if opts.NoBrowser {
		fmt.Fprintf(f.IO.ErrOut, "Open this address in a browser, approve mastomigrate, and paste the code it shows:\n\n  %s\n\nCode: ", authURL)
		line, err := bufio.NewReader(f.IO.In).ReadString('\n')
		if err != nil && strings.TrimSpace(line) == "" {
			return errors.New("no code was entered")
		}
		code = strings.TrimSpace(line)
	} else {
		code, err = awaitCallback(ctx, ln, state, func() {
			fmt.Fprintf(f.IO.ErrOut, "Opening your browser to approve mastomigrate on %s.\nIf it does not open, visit:\n\n  %s\n\n", base.Host, authURL)
			if err := f.OpenBrowser(authURL); err != nil {
				fmt.Fprintf(f.IO.ErrOut, "(could not open a browser: %v)\n", err)
			}
		})
		if err != nil {
			return err
		}
	}
	tokens, err := f.tokens()
	if err != nil {
		return err
	}
	account, err := app.Finish(ctx, code, verifier, api.Options{Transport: f.Transport, Clock: f.Clock}, tokens)
	if err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "✓ Logged in as %s\n", account)
	return nil
}

// appLimitError is a login refused at its first step: every login
// registers the app anew, and Mastodon (4.2.9+, 4.3+) takes 5
// registrations per 10 minutes from one address (config/initializers/
// rack_attack.rb, throttle_oauth_application_registrations/ip). Waiting
// inside login would look like a hang; the person is told when to try
// again.
type appLimitError struct {
	host string
	err  *api.RateLimitError
}

func (e *appLimitError) Error() string {
	when := "in 10 minutes"
	if reset := e.err.Rate.Reset; !reset.IsZero() {
		when = "after " + reset.UTC().Format("15:04 MST")
	}
	return fmt.Sprintf("%s takes no more app registrations from this address for now (Mastodon takes 5 per 10 minutes, and each login makes one): log in again %s",
		e.host, when)
}

func (e *appLimitError) Unwrap() error { return e.err }

// awaitCallback serves the loopback redirect until the browser brings the
// code back with the state we sent.
func awaitCallback(ctx context.Context, ln net.Listener, state string, open func()) (string, error) {
	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		var res result
		res.code, res.err = api.CallbackCode(r.URL.Query(), state)
		if res.err != nil {
			http.Error(w, res.err.Error(), http.StatusBadRequest)
		} else {
			fmt.Fprint(w, "mastomigrate is logged in. You can close this tab.\n")
		}
		select {
		case done <- res:
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()
	open()
	select {
	case res := <-done:
		return res.code, res.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", errors.New("no answer from the browser in time; run `mastomigrate login` again (or use `--no-browser`)")
		}
		return "", ctx.Err()
	}
}
