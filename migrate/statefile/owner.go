package statefile

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"
)

// ErrLocked means another run holds the journal.
var ErrLocked = errors.New("another mastomigrate run is using this migration")

// Owner is who opened a journal: each run that takes the lock records
// it, so a second run can say which process to look for.
type Owner struct {
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

// LockedError is a second run refused: the journal and, when the run
// holding it recorded itself, that run.
type LockedError struct {
	Path  string
	Owner *Owner // nil when the holder wrote none (an earlier version)
}

func (e *LockedError) Error() string {
	msg := "another mastomigrate run is using the journal " + e.Path
	if o := e.Owner; o != nil {
		msg += fmt.Sprintf(" (process %d on %s, started %s); let it finish or stop it: %s",
			o.PID, o.Host, o.Started.UTC().Format("2006-01-02 15:04 UTC"), findProcess(o.PID))
	} else {
		msg += "; let it finish or stop it (look for a mastomigrate process)"
	}
	return msg
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// findProcess is the command that shows a process on this system.
func findProcess(pid int) string {
	if runtime.GOOS == "windows" {
		return fmt.Sprintf("`tasklist /fi \"pid eq %d\"` shows it", pid)
	}
	return fmt.Sprintf("`ps -p %d` shows it", pid)
}

// ThisProcess describes this process for the journal.
func ThisProcess(now time.Time) *Owner {
	host, _ := os.Hostname()
	return &Owner{Host: host, PID: os.Getpid(), Started: now.UTC()}
}
