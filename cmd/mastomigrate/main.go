// Command mastomigrate moves a Mastodon account's follows, lists, blocks,
// mutes and bookmarks to a new instance, from the account's data exports.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	// The first Ctrl-C stops handing out work: requests in flight finish
	// and are journaled. The second quits at once; the journal is synced
	// after every record, so even that loses nothing done.
	f := newFactory(systemStreams())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		interrupted(f, os.Stderr)
		cancel()
		<-sigs
		os.Exit(exitCancelled)
	}()
	os.Exit(run(ctx, os.Args[1:], f))
}

// interrupted says what the first Ctrl-C does, when there is something to
// say: only a command with requests in flight finishes them first.
func interrupted(f *factory, w io.Writer) {
	if f.sending.Load() {
		fmt.Fprintln(w, "\nStopping after the requests in flight (Ctrl-C again to quit at once)…")
	}
}
