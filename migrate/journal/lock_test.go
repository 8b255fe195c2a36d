package journal

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/migrate/statefile"
)

// The lock tests run on every system: flock on Unix, LockFileEx on
// Windows (statefile/lock_windows.go), with the same expectations.

// TestJournalLock: a second open of a journal in use is refused at once,
// in one line naming the journal and the process holding it; the journal
// can still be read meanwhile (Windows locks are mandatory), and closing
// it lets the next run in.
func TestJournalLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "me@127.0.0.1_8080-0123.journal")
	j, err := Open(path, Header{Account: "me@127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	j.Record(Record{ID: "follow a@x", Status: StatusDone})

	_, err = Open(path, Header{Account: "me@127.0.0.1:8080"})
	var le *statefile.LockedError
	if !errors.Is(err, statefile.ErrLocked) || !errors.As(err, &le) {
		t.Fatalf("second open: %v, want a *LockedError", err)
	}
	host, _ := os.Hostname()
	if le.Path != path || le.Owner == nil || le.Owner.PID != os.Getpid() || le.Owner.Host != host {
		t.Errorf("locked error %+v (owner %+v), want %s held by pid %d on %s", le, le.Owner, path, os.Getpid(), host)
	}
	msg := err.Error()
	for _, want := range []string{path, "process " + strconv.Itoa(os.Getpid()), host} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message %q is more than one line", msg)
	}

	r, err := Load(path)
	if err != nil {
		t.Fatalf("reading the journal in use: %v", err)
	}
	if last, _ := r.Last("follow a@x"); last.Status != StatusDone {
		t.Errorf("the journal in use reads %+v", last)
	}

	j.Close()
	j, err = Open(path, Header{Account: "me@127.0.0.1:8080"})
	if err != nil {
		t.Fatalf("after the first run closed it: %v", err)
	}
	j.Close()
}

// TestJournalLockOtherProcess: the lock holds against another process
// (this test binary run again), names it, and goes when that process is
// killed, as in a crash.
func TestJournalLockOtherProcess(t *testing.T) {
	if path := os.Getenv("MASTOMIGRATE_HOLD_JOURNAL"); path != "" {
		holdJournal(path)
		return
	}
	path := filepath.Join(t.TempDir(), "a.journal")
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalLockOtherProcess$")
	cmd.Env = append(os.Environ(), "MASTOMIGRATE_HOLD_JOURNAL="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "holding\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the other process said %q (%v)", line, err)
	}

	_, err = Open(path, Header{})
	var le *statefile.LockedError
	if !errors.As(err, &le) || le.Owner == nil || le.Owner.PID != cmd.Process.Pid {
		t.Errorf("open while another process holds it: %v, want a *LockedError naming pid %d", err, cmd.Process.Pid)
	}

	cmd.Process.Kill()
	cmd.Wait()
	j, err := Open(path, Header{})
	if err != nil {
		t.Fatalf("after the other process died: %v", err)
	}
	j.Close()
}

// holdJournal is the other process: it opens the journal, says so, and
// holds it until killed or its input closes.
func holdJournal(path string) {
	j, err := Open(path, Header{})
	if err != nil {
		os.Stdout.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("holding\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
	j.Close()
	os.Exit(0)
}
