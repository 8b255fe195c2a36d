// Command mastomigrate moves a Mastodon account's follows, lists, blocks,
// mutes and bookmarks to a new instance, from the account's data exports.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], newFactory(systemStreams())))
}
