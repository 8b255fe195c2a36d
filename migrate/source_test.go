package migrate

import (
	"testing"

	"github.com/mastomigrate/mastomigrate/archive"
)

func TestSourceDigest(t *testing.T) {
	e := &archive.Export{DomainBlocks: []string{"spam.example"}}
	a := SourceDigest("me@old.example", nil)
	if a != SourceDigest("ME@old.example", nil) {
		t.Error("the digest depends on the handle's case")
	}
	if a == SourceDigest("you@old.example", nil) || a == SourceDigest("me@old.example", e) {
		t.Error("different sources share a digest")
	}
	if SourceDigest("me@old.example", e) != SourceDigest("me@old.example", &archive.Export{DomainBlocks: []string{"spam.example"}}) {
		t.Error("the same exports give another digest")
	}
}

func TestCombine(t *testing.T) {
	no, yes := false, true
	live := &archive.Export{Sources: []string{"the account me@old.example"},
		Follows: []archive.Follow{{Account: archive.Account{Acct: "bo@b.example"}, Reblogs: &no}},
		Lists:   []archive.List{{Title: "Friends", RepliesPolicy: "none"}},
		Covered: map[string]bool{"follows": true, "lists": true}}
	exp := &archive.Export{Sources: []string{"export.csv"},
		Follows: []archive.Follow{{Account: archive.Account{Acct: "BO@b.example"}, Reblogs: &yes}, {Account: archive.Account{Acct: "zed@z.example"}}},
		Lists:   []archive.List{{Title: "Friends", RepliesPolicy: "list"}, {Title: "Old"}},
		Covered: map[string]bool{"posts": true}}
	got := Combine(live, exp)
	if len(got.Follows) != 2 || *got.Follows[0].Reblogs || got.Follows[1].Account.Acct != "zed@z.example" {
		t.Errorf("follows %+v: want the live bo, then zed", got.Follows)
	}
	if len(got.Lists) != 2 || got.Lists[0].RepliesPolicy != "none" {
		t.Errorf("lists %+v: want the live Friends, then Old", got.Lists)
	}
	if !got.Covers("follows") || !got.Covers("posts") || got.Covers("mutes") {
		t.Errorf("covered %v", got.Covered)
	}
	if len(got.Sources) != 2 {
		t.Errorf("sources %v", got.Sources)
	}
}
