// Package importcsv writes steps as the CSV files Mastodon's importer
// takes (Settings > Import and export > Import): the `export-csv`
// command, the report's leftovers and the GoToSocial bulk imports
// (migrate/bulk.go) all build their files here.
package importcsv

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// Mastodon's importer limits per file (app/models/form/import.rb:
// FILE_SIZE_LIMIT, ROWS_PROCESSING_LIMIT).
const (
	MaxRows  = 20_000
	MaxBytes = 20 << 20
)

// Kind is one of Mastodon's import types with its file shape. Headers
// are exactly EXPECTED_HEADERS_BY_TYPE of app/models/form/import.rb, so
// the importer never has to guess.
type Kind struct {
	Type     string // the import type on Mastodon's form (following, blocking, …)
	GTSType  api.ImportType
	File     string // base name, as Mastodon's own export names it
	Header   []string
	Category category.Category
}

// Kinds are the kinds in replay order.
var Kinds = []Kind{
	{Type: "following", GTSType: api.ImportFollowing, File: "following_accounts", Category: category.Follows,
		Header: []string{"Account address", "Show boosts", "Notify on new posts", "Languages"}},
	{Type: "lists", File: "lists", Category: category.ListMembers, Header: []string{"List name", "Account address"}},
	{Type: "bookmarks", File: "bookmarks", Category: category.Bookmarks, Header: []string{"#uri"}},
	{Type: "muting", GTSType: api.ImportMutes, File: "muted_accounts", Category: category.Mutes,
		Header: []string{"Account address", "Hide notifications"}},
	{Type: "blocking", GTSType: api.ImportBlocks, File: "blocked_accounts", Category: category.Blocks, Header: []string{"Account address"}},
	{Type: "domain_blocking", File: "blocked_domains", Category: category.DomainBlocks, Header: []string{"#domain"}},
}

// File is one file to import.
type File struct {
	Kind Kind
	Name string // following_accounts.csv, following_accounts-2.csv, …
	Rows int
	Data []byte
}

// Row is the row a step becomes in its kind's file, or nil when the
// step has no place in a Mastodon CSV (removals, likes, new empty lists).
func Row(s journal.Step) (kind string, row []string) {
	boolOr := func(b *bool, def bool) string {
		if b == nil {
			return strconv.FormatBool(def)
		}
		return strconv.FormatBool(*b)
	}
	switch s.Op {
	case journal.OpFollow:
		if s.Follow == nil {
			return "following", []string{s.Item, "true", "false", ""}
		}
		return "following", []string{s.Item, boolOr(s.Follow.Reblogs, true), boolOr(s.Follow.Notify, false), strings.Join(s.Follow.Languages, ", ")}
	case journal.OpMute:
		hide := "true"
		if s.Mute != nil {
			hide = boolOr(s.Mute.Notifications, true)
		}
		return "muting", []string{s.Item, hide}
	case journal.OpBlock:
		return "blocking", []string{s.Item}
	case journal.OpBlockDomain:
		return "domain_blocking", []string{strings.ToLower(s.Item)}
	case journal.OpBookmark:
		return "bookmarks", []string{s.Item}
	case journal.OpAddToList:
		return "lists", []string{s.List, s.Item}
	}
	return "", nil
}

// Build turns steps into Mastodon-format files, de-duplicated (the
// first row of an item wins), each kind split at MaxRows rows and MaxBytes
// bytes. Kinds without rows get no file.
func Build(steps []journal.Step) []File {
	rows := map[string][][]string{}
	seen := map[string]bool{}
	for _, s := range steps {
		kind, row := Row(s)
		if row == nil {
			continue
		}
		key := kind + "\x00" + strings.ToLower(strings.Join(row[:min(len(row), 2)], "\x00"))
		if kind != "lists" {
			key = kind + "\x00" + strings.ToLower(row[0])
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		rows[kind] = append(rows[kind], row)
	}
	var out []File
	for _, k := range Kinds {
		out = append(out, split(k, rows[k.Type], MaxRows, MaxBytes)...)
	}
	return out
}

// split writes rows under the kind's header into as few files as the
// limits allow.
func split(k Kind, rows [][]string, maxRows, maxBytes int) []File {
	encode := func(row []string) []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(row)
		w.Flush()
		return b.Bytes()
	}
	header := encode(k.Header)
	var out []File
	var cur *File
	for _, r := range rows {
		line := encode(r)
		if cur == nil || cur.Rows >= maxRows || len(cur.Data)+len(line) > maxBytes {
			out = append(out, File{Kind: k, Data: append([]byte(nil), header...)})
			cur = &out[len(out)-1]
		}
		cur.Data = append(cur.Data, line...)
		cur.Rows++
	}
	for i := range out {
		out[i].Name = k.File + ".csv"
		if len(out) > 1 {
			out[i].Name = fmt.Sprintf("%s-%d.csv", k.File, i+1)
		}
	}
	return out
}

// Write writes the files into dir, each atomically.
func Write(dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := api.WriteFileAtomic(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
	}
	return nil
}
