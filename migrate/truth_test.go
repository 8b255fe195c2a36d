package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mastomigrate/mastomigrate/archive"
)

func readSample(t *testing.T, names ...string) *archive.Export {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, "../testdata/sample/"+n)
	}
	s, err := archive.Open(context.Background(), paths...)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return s.Export()
}

func text(t *testing.T, p *Plan, o TextOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := p.WriteTextWith(&buf, o); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// oneLine joins wrapped text so phrases can be looked for.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// The counts are what will be sent: not gus, whom the export also blocks,
// nor eve, whose domain it blocks; both are under "Worth a look".
func TestPlanCountsWhatWillBeSent(t *testing.T) {
	e := readSample(t, "csv")
	p := NewPlan(e)
	if p.Importable.Follows != 8 {
		t.Errorf("follows = %d, want 8 (9, less gus and eve, plus ivy from a list)", p.Importable.Follows)
	}
	out := oneLine(text(t, p, TextOptions{}))
	for _, want := range []string{"follows 8 with", "they will be blocked, not followed (a block ends a follow) gus@spam.example",
		"they will not be followed (a domain block ends follows there) eve@blocked.example"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
}

// An archive alone says nothing of follows, lists, mutes or blocks.
func TestPlanArchiveAloneSaysWhereFollowsAre(t *testing.T) {
	p := NewPlan(readSample(t, "mastodon-archive.zip"))
	for _, c := range []string{"follows", "lists", "mutes", "blocks", "domain_blocks"} {
		if !slices.Contains(p.NotInExports, c) {
			t.Errorf("not_in_exports %q lacks %s", p.NotInExports, c)
		}
	}
	out := text(t, p, TextOptions{})
	if strings.Contains(out, "follows              0") {
		t.Errorf("an archive alone shows 0 follows:\n%s", out)
	}
	one := oneLine(out)
	for _, want := range []string{"follows - not in the exports given (following_accounts.csv)",
		"Your follows, lists, mutes, blocks and domain blocks come only from the CSV exports",
		"Preferences > Import and export > Data export"} {
		if !strings.Contains(one, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
}

// CSVs alone cannot tell toots, boosts or media.
func TestPlanCSVOnlyLeavesPostsUnknown(t *testing.T) {
	p := NewPlan(readSample(t, "csv"))
	if p.Media != nil || p.Posts != nil {
		t.Errorf("media %+v, posts %+v: want unknown", p.Media, p.Posts)
	}
	for _, n := range p.NotCarried {
		if (n.What == "toots" || n.What == "boosts" || n.What == "media") && n.Count != nil {
			t.Errorf("%s count %d, want null", n.What, *n.Count)
		}
	}
	out := text(t, p, TextOptions{})
	if strings.Contains(out, "0 files") || !strings.Contains(out, "toots (not in the exports given)") ||
		!strings.Contains(out, "media (not in the exports given)") {
		t.Errorf("plan:\n%s", out)
	}
	raw, _ := json.Marshal(p)
	var got map[string]json.RawMessage
	json.Unmarshal(raw, &got)
	if string(got["media"]) != "null" || string(got["posts"]) != "null" {
		t.Errorf("media %s, posts %s: want null", got["media"], got["posts"])
	}
}

// 200,000 follows: only 7,500 can be sent, and the time is theirs.
func TestPlanOverCapEstimatesWhatIsSent(t *testing.T) {
	p := NewPlan(&archive.Export{Follows: follows(200_000)})
	if p.Importable.Follows != 7500 {
		t.Errorf("follows = %d, want Mastodon's cap, 7,500", p.Importable.Follows)
	}
	out := oneLine(text(t, p, TextOptions{}))
	if strings.Contains(out, "500 days") || !strings.Contains(out, "7,500 follows at 400 a day (Mastodon's limit for API clients): the replay takes about 19 days") {
		t.Errorf("plan:\n%s", out)
	}
	codes := map[string]Warning{}
	for _, w := range p.Warnings {
		codes[w.Code] = w
	}
	if w, ok := codes["importer_limit"]; !ok || w.Count != 200_000 || !strings.Contains(w.Message, "20,000 rows or 20.0 MB") {
		t.Errorf("importer warning %+v", w)
	}
	if !strings.Contains(codes["follow_cap"].Message, "the other 192,500 will not be") {
		t.Errorf("cap warning %q", codes["follow_cap"].Message)
	}
	if _, ok := NewPlan(&archive.Export{Follows: follows(20_000)}).warningCodes()["importer_limit"]; ok {
		t.Error("20,000 rows is within the importer's limit")
	}
}

func (p *Plan) warningCodes() map[string]bool {
	m := map[string]bool{}
	for _, w := range p.Warnings {
		m[w.Code] = true
	}
	return m
}

func TestPlanJSONArraysNeverNull(t *testing.T) {
	raw, err := json.Marshal(NewPlan(&archive.Export{Follows: follows(3)}))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"warnings":[]`, `"not_in_exports":[]`, `"ignored":[]`, `"include":[]`, `"sources":[]`} {
		if !bytes.Contains(raw, []byte(key)) {
			t.Errorf("JSON lacks %s: %s", key, raw)
		}
	}
}

func TestPlanTextWrapsAndOrders(t *testing.T) {
	p := NewPlan(readSample(t, "mastodon-archive.zip", "csv"))
	for _, width := range []int{60, 100} {
		out := text(t, p, TextOptions{Width: width, Explain: true})
		for _, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: line of %d: %q", width, n, line)
			}
		}
		// No word is cut: every word of the text is whole somewhere.
		if !strings.Contains(out, "followers-only") || !strings.Contains(oneLine(out), "keep the archive (it holds every post and its media)") {
			t.Errorf("width %d:\n%s", width, out)
		}
	}
	out := text(t, p, TextOptions{Width: 60})
	look, cannot := strings.Index(out, "Worth a look"), strings.Index(out, "Cannot be carried over")
	if look < 0 || cannot < look {
		t.Errorf("Worth a look (%d) should come before Cannot be carried over (%d)", look, cannot)
	}
	// Brief by default: one item per paragraph, no "instead"; --explain has it.
	if strings.Contains(out, "instead:") || !strings.Contains(out, "--explain") {
		t.Errorf("brief plan:\n%s", out)
	}
	if !strings.Contains(oneLine(out), "the 1 direct post you wrote is in the archive") {
		t.Errorf("singular direct post:\n%s", out)
	}
}

func TestPlanIncludeSaysWhatIsSent(t *testing.T) {
	e := readSample(t, "mastodon-archive.zip", "csv")
	out := oneLine(text(t, NewPlan(e), TextOptions{}))
	if !strings.Contains(out, "likes 3 only with --include likes") || !strings.Contains(out, "profile 1 only with --include profile") {
		t.Errorf("without --include:\n%s", out)
	}
	if strings.Contains(out, "does not change the new account's profile") {
		t.Errorf("the plan denies --include profile:\n%s", out)
	}
	out = oneLine(text(t, NewPlan(e, "likes", "profile"), TextOptions{}))
	if strings.Contains(out, "only with --include") || !strings.Contains(out, "profile 1 display name, bio") {
		t.Errorf("with --include likes,profile:\n%s", out)
	}
}

// Without the follows export, whom you follow cannot be told.
func TestPlanListsAloneClaimNothingAboutFollows(t *testing.T) {
	e := readSample(t, "csv/lists.csv")
	p := NewPlan(e)
	if p.warningCodes()["list_member_not_followed"] {
		t.Errorf("warnings %+v: says members are not followed without the follows export", p.Warnings)
	}
	if out := oneLine(text(t, p, TextOptions{})); !strings.Contains(out, "likes - not in the exports given (likes.json, in the archive)") {
		t.Errorf("plan:\n%s", out)
	}
}
