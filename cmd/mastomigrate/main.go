// Command mastomigrate moves a Mastodon account's follows, lists, blocks,
// mutes and bookmarks to a new instance, from the account's data exports.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	// The first Ctrl-C stops handing out work: requests in flight finish
	// and are journaled. The second quits at once; the journal is synced
	// after every record, so even that loses nothing done.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "\nStopping after the requests in flight (Ctrl-C again to quit at once)…")
		cancel()
		<-sigs
		os.Exit(exitCancelled)
	}()
	os.Exit(run(ctx, os.Args[1:], newFactory(systemStreams())))
}
