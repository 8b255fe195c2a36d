package migrate

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
)

// Mastodon's importer limits per file (app/models/form/import.rb:
// FILE_SIZE_LIMIT, ROWS_PROCESSING_LIMIT).
const (
	ImportMaxRows  = 20_000
	ImportMaxBytes = 20 << 20
)

// CSVKind is one of Mastodon's import types with its file shape. Headers
// are exactly EXPECTED_HEADERS_BY_TYPE of app/models/form/import.rb, so
// the importer never has to guess.
type CSVKind struct {
	Type     string // the import type on Mastodon's form (following, blocking, …)
	GTSType  api.ImportType
	File     string // base name, as Mastodon's own export names it
	Header   []string
	Category string
}

// CSVKinds are the kinds in replay order.
var CSVKinds = []CSVKind{
	{Type: "following", GTSType: api.ImportFollowing, File: "following_accounts", Category: "follows",
		Header: []string{"Account address", "Show boosts", "Notify on new posts", "Languages"}},
	{Type: "lists", File: "lists", Category: "list_members", Header: []string{"List name", "Account address"}},
	{Type: "bookmarks", File: "bookmarks", Category: "bookmarks", Header: []string{"#uri"}},
	{Type: "muting", GTSType: api.ImportMutes, File: "muted_accounts", Category: "mutes",
		Header: []string{"Account address", "Hide notifications"}},
	{Type: "blocking", GTSType: api.ImportBlocks, File: "blocked_accounts", Category: "blocks", Header: []string{"Account address"}},
	{Type: "domain_blocking", File: "blocked_domains", Category: "domain_blocks", Header: []string{"#domain"}},
}

// CSVFile is one file to import.
type CSVFile struct {
	Kind CSVKind
	Name string // following_accounts.csv, following_accounts-2.csv, …
	Rows int
	Data []byte
}

// CSVRow is the row a step becomes in its kind's file, or nil when the
// step has no place in a Mastodon CSV (removals, likes, new empty lists).
func CSVRow(s Step) (kind string, row []string) {
	boolOr := func(b *bool, def bool) string {
		if b == nil {
			return strconv.FormatBool(def)
		}
		return strconv.FormatBool(*b)
	}
	switch s.Op {
	case OpFollow:
		if s.Follow == nil {
			return "following", []string{s.Item, "true", "false", ""}
		}
		return "following", []string{s.Item, boolOr(s.Follow.Reblogs, true), boolOr(s.Follow.Notify, false), strings.Join(s.Follow.Languages, ", ")}
	case OpMute:
		hide := "true"
		if s.Mute != nil {
			hide = boolOr(s.Mute.Notifications, true)
		}
		return "muting", []string{s.Item, hide}
	case OpBlock:
		return "blocking", []string{s.Item}
	case OpBlockDomain:
		return "domain_blocking", []string{strings.ToLower(s.Item)}
	case OpBookmark:
		return "bookmarks", []string{s.Item}
	case OpAddToList:
		return "lists", []string{s.List, s.Item}
	}
	return "", nil
}

// BuildCSVs turns steps into Mastodon-format files, de-duplicated (the
// first row of an item wins), each kind split at ImportMaxRows rows and
// ImportMaxBytes bytes. Kinds without rows get no file.
func BuildCSVs(steps []Step) []CSVFile {
	rows := map[string][][]string{}
	seen := map[string]bool{}
	for _, s := range steps {
		kind, row := CSVRow(s)
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
	var out []CSVFile
	for _, k := range CSVKinds {
		out = append(out, splitCSV(k, rows[k.Type], ImportMaxRows, ImportMaxBytes)...)
	}
	return out
}

// splitCSV writes rows under the kind's header into as few files as the
// limits allow.
func splitCSV(k CSVKind, rows [][]string, maxRows, maxBytes int) []CSVFile {
	encode := func(row []string) []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(row)
		w.Flush()
		return b.Bytes()
	}
	header := encode(k.Header)
	var out []CSVFile
	var cur *CSVFile
	for _, r := range rows {
		line := encode(r)
		if cur == nil || cur.Rows >= maxRows || len(cur.Data)+len(line) > maxBytes {
			out = append(out, CSVFile{Kind: k, Data: append([]byte(nil), header...)})
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

// WriteCSVs writes the files into dir, each atomically.
func WriteCSVs(dir string, files []CSVFile) error {
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
