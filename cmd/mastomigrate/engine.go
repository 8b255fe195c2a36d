package main

import (
	"context"
	"errors"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// The wiring between the commands and the engine (package migrate): how
// it opens accounts, where its journals live, and how its errors read.

// accounts opens accounts for the engine from the stored logins, or from
// MASTOMIGRATE_TOKEN (the new account) and MASTOMIGRATE_FROM_TOKEN (the
// old one). Rate-limit waits are told to waiting: nil is a line on
// stderr, the web page shows them itself.
type accounts struct {
	f       *factory
	waiting func(api.Wait)
}

var _ migrate.Accounts = accounts{}

func (a accounts) Open(ctx context.Context, account string, readOnly bool) (*api.Client, *api.Account, error) {
	env := tokenEnv
	if readOnly {
		env = fromTokenEnv
	}
	c, name, err := a.f.clientWaiting(env, account, a.waiting)
	if err != nil {
		return nil, nil, err
	}
	return c, &api.Account{Acct: name}, nil
}

// env is what the engine needs from the factory; a plan, which writes
// nothing, needs no state folder.
func (f *factory) env(withState bool) (migrate.Env, error) {
	env := migrate.Env{Accounts: accounts{f: f}, Clock: f.Clock, HTTP: f.httpClient()}
	if withState {
		dir, err := f.StateDir()
		if err != nil {
			return migrate.Env{}, err
		}
		env.StateDir = dir
	}
	return env, nil
}

// usage turns the engine's usage errors into the terminal's.
func usage(err error) error {
	var ue *migrate.UsageError
	if errors.As(err, &ue) {
		return &flagError{err}
	}
	return err
}
