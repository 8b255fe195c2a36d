package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Login is one stored login: the account, its instance, its token and
// the app that obtained it (needed to revoke the token).
type Login struct {
	Account string `json:"account"` // user@domain
	App     App    `json:"app"`
	Token   string `json:"token"`
}

// Tokens is the token file: one login per account, in a 0600 file in the
// user's config directory, rewritten atomically. Tokens never appear in
// output or errors.
type Tokens struct {
	Path   string
	Logins map[string]*Login `json:"logins"`
}

// DefaultTokensPath is $XDG_CONFIG_HOME/mastomigrate/tokens.json or the
// platform's equivalent.
func DefaultTokensPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the config folder: %w", err)
	}
	return filepath.Join(dir, "mastomigrate", "tokens.json"), nil
}

// LoadTokens reads the token file; a missing file is an empty store.
func LoadTokens(path string) (*Tokens, error) {
	t := &Tokens{Path: path, Logins: map[string]*Login{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(data, t); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); remove it and log in again", path, err)
	}
	if t.Logins == nil {
		t.Logins = map[string]*Login{}
	}
	return t, nil
}

// Accounts lists the stored accounts, sorted.
func (t *Tokens) Accounts() []string {
	var out []string
	for a := range t.Logins {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Find returns the login for an account ("user@domain", with or without
// a leading @).
func (t *Tokens) Find(account string) (*Login, bool) {
	l, ok := t.Logins[strings.ToLower(strings.TrimPrefix(account, "@"))]
	return l, ok
}

// Put stores a login, replacing one for the same account.
func (t *Tokens) Put(l *Login) { t.Logins[strings.ToLower(l.Account)] = l }

// Delete forgets a login.
func (t *Tokens) Delete(account string) {
	delete(t.Logins, strings.ToLower(strings.TrimPrefix(account, "@")))
}

// Save writes the file atomically with mode 0600.
func (t *Tokens) Save() error {
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(t.Path, data, 0o600)
}

// WriteFileAtomic replaces path with data: a temporary file in the same
// folder, written, synced and renamed over it, then the folder synced, so
// a crash leaves either the old file or the new one.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeFileAtomic(path, data, perm, time.Sleep)
}

func writeFileAtomic(path string, data []byte, perm os.FileMode, sleep func(time.Duration)) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = renameOver(f.Name(), path, sleep); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// renameOver renames tmp to path, replacing it. On Windows that fails
// while another process has path open without FILE_SHARE_DELETE, as Go
// itself, virus scanners and the search indexer open files: such a hold
// passes in a moment, so the rename is tried again for about two and a
// half seconds, as the go command does (cmd/go/internal/robustio).
func renameOver(tmp, path string, sleep func(time.Duration)) error {
	for wait := 10 * time.Millisecond; ; wait *= 2 {
		err := os.Rename(tmp, path)
		if err == nil || !renameBusy(err) || wait > 2*time.Second {
			return err
		}
		sleep(wait)
	}
}
