// Command mastomigrate moves a Mastodon account's follows, lists, blocks,
// mutes and bookmarks to a new instance, from the account's data exports.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	s := systemStreams()
	l := newLaunch(os.Args[1:], consoleAlone)
	// Every way out passes here once: a second caller waits for the first,
	// which exits.
	var once sync.Once
	exit := func(code int) {
		once.Do(func() {
			l.end(s)
			os.Exit(code)
		})
	}
	// The first Ctrl-C stops handing out work: requests in flight finish
	// and are journaled. The second quits at once; the journal is synced
	// after every record, so even that loses nothing done. Closing
	// Explorer's console window comes as SIGTERM: the program has a few
	// seconds before Windows ends it, time to pause the page's run.
	f := newFactory(s)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		interrupted(f, os.Stderr)
		cancel()
		<-sigs
		exit(exitCancelled)
	}()
	exit(l.run(ctx, f))
}

// interrupted says what the first Ctrl-C does, when there is something to
// say: only a command with requests in flight finishes them first.
func interrupted(f *factory, w io.Writer) {
	if f.sending.Load() {
		fmt.Fprintln(w, "\nStopping after the requests in flight (Ctrl-C again to quit at once)…")
	}
}
