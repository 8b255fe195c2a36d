package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/archive/archivetest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

const (
	oldSelf  = "https://old.example/users/alex"
	asPublic = "https://www.w3.org/ns/activitystreams#Public"
	ana      = "https://mastodon.example/users/ana"
)

// postsArchive is the Done-when archive of issue 13: public, unlisted,
// followers-only and direct posts, a self-reply thread, a content
// warning, a post with two images with descriptions, a boost, a reply to
// someone else, a poll. It returns the zip's path.
func postsArchive(t testing.TB) string {
	p := filepath.Join(t.TempDir(), "archive.zip")
	if err := os.WriteFile(p, archivetest.ZIP(postsArchiveFiles("")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// postsArchiveFiles are the files of postsArchive, media under prefix.
func postsArchiveFiles(prefix string) []archivetest.File {
	type obj = map[string]any
	n := 0
	note := func(published, vis, content string, extra obj) obj {
		n++
		id := fmt.Sprintf("%s/statuses/%d", oldSelf, 110000+n)
		to, cc := []string{asPublic}, []string{oldSelf + "/followers"}
		switch vis {
		case "unlisted":
			to, cc = []string{oldSelf + "/followers"}, []string{asPublic}
		case "private":
			to, cc = []string{oldSelf + "/followers"}, []string{}
		case "direct":
			to, cc = []string{ana}, []string{}
		}
		o := obj{"id": id, "type": "Note", "published": published, "attributedTo": oldSelf, "to": to, "cc": cc,
			"content": content, "contentMap": obj{"en": content}, "sensitive": false, "summary": nil,
			"inReplyTo": nil, "attachment": []any{}, "tag": []any{}}
		for k, v := range extra {
			o[k] = v
		}
		return obj{"id": id + "/activity", "type": "Create", "actor": oldSelf, "published": published, "to": to, "cc": cc, "object": o}
	}
	id := func(i int) string { return fmt.Sprintf("%s/statuses/%d", oldSelf, 110000+i) }
	items := []any{
		note("2021-01-01T10:00:00Z", "public", `<p>Hello <a href="https://old.example/tags/fediverse" class="mention hashtag" rel="tag">#<span>fediverse</span></a><br />second line</p><p>See <a href="https://example.com/page" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="">example.com/page</span><span class="invisible"></span></a> &amp; <a href="https://example.org/x">this article</a></p>`,
			obj{"tag": []any{obj{"type": "Hashtag", "href": "https://old.example/tags/fediverse", "name": "#fediverse"}}}),
		note("2021-02-01T10:00:00Z", "unlisted", "<p>The ending of the film</p>", obj{"summary": "film spoilers", "sensitive": true}),
		note("2021-03-01T10:00:00Z", "private", "<p>Only for my followers</p>", nil),
		note("2021-03-02T10:00:00Z", "direct", `<p><span class="h-card"><a href="`+ana+`" class="u-url mention">@<span>ana</span></a></span> a secret</p>`,
			obj{"tag": []any{obj{"type": "Mention", "href": ana, "name": "@ana@mastodon.example"}}}),
		note("2021-04-01T10:00:00Z", "public", `<p>A thread 1/3 by <span class="h-card"><a href="https://old.example/@alex" class="u-url mention">@<span>alex</span></a></span></p>`,
			obj{"tag": []any{obj{"type": "Mention", "href": oldSelf, "name": "@alex@old.example"}}}),
		note("2021-04-01T10:05:00Z", "public", "<p>Thread 2/3</p>", obj{"inReplyTo": id(5)}),
		note("2021-04-01T10:10:00Z", "unlisted", "<p>Thread 3/3</p>", obj{"inReplyTo": id(6)}),
		note("2021-05-01T10:00:00Z", "public", "<p>Two pictures</p>", obj{"attachment": []any{
			obj{"type": "Document", "mediaType": "image/png", "url": "/media_attachments/files/110/000/001/original/aaa.png", "name": "A red square", "focalPoint": []float64{0.5, -0.25}},
			obj{"type": "Document", "mediaType": "image/jpeg", "url": "/media_attachments/files/110/000/002/original/bbb.jpg", "name": "A blue circle", "focalPoint": []float64{0, 0}},
		}}),
		obj{"id": oldSelf + "/statuses/120001/activity", "type": "Announce", "actor": oldSelf, "published": "2021-06-01T10:00:00Z",
			"to": []string{asPublic}, "object": ana + "/statuses/900"},
		note("2021-07-01T10:00:00Z", "public", `<p><span class="h-card"><a href="`+ana+`" class="u-url mention">@<span>ana</span></a></span> I agree</p>`,
			obj{"inReplyTo": ana + "/statuses/901", "tag": []any{obj{"type": "Mention", "href": ana, "name": "@ana@mastodon.example"}}}),
		note("2021-08-01T10:00:00Z", "public", "<p>Tea or coffee?</p>", obj{"type": "Question"}),
	}
	outbox, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json",
		"type": "OrderedCollection", "totalItems": len(items), "orderedItems": items})
	return []archivetest.File{
		{Name: "outbox.json", Data: outbox},
		{Name: prefix + "media_attachments/files/110/000/001/original/aaa.png", Data: append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("r"), 3000)...)},
		{Name: prefix + "media_attachments/files/110/000/002/original/bbb.jpg", Data: append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte("b"), 2000)...)},
		{Name: "actor.json", Data: []byte(`{"type":"Person","id":"` + oldSelf + `","preferredUsername":"alex"}`)},
	}
}

// TestPostsFromTarGz carries the posts of an old tar.gz archive, whose
// media sit under the server's absolute storage path.
func TestPostsFromTarGz(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020))
	p := filepath.Join(t.TempDir(), "archive.tar.gz")
	if err := os.WriteFile(p, archivetest.TarGz(postsArchiveFiles("/home/mastodon/live/public/system/")), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := migrateFactory(t, s)
	if code := run(context.Background(), []string{"migrate", p, "--to", s.URL, "--yes", "--include", "posts", "--posts", "public,unlisted,private"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	checkPosts(t, s)
}

// wantPost is one post expected on the new account.
type wantPost struct {
	date, visibility, spoiler string
	sensitive                 bool
	text                      []string // substrings of the text sent
	replyTo                   int      // index in the list + 1, 0 for none
	media                     []string // descriptions
}

var wantPosts = []wantPost{
	{date: "2021-01-01T10:00:00Z", visibility: "public", text: []string{"Hello #fediverse\nsecond line\n\nSee https://example.com/page & this article (https://example.org/x)"}},
	{date: "2021-02-01T10:00:00Z", visibility: "unlisted", spoiler: "film spoilers", sensitive: true, text: []string{"The ending of the film"}},
	{date: "2021-03-01T10:00:00Z", visibility: "private", text: []string{"Only for my followers"}},
	{date: "2021-04-01T10:00:00Z", visibility: "public", text: []string{"A thread 1/3 by @me"}},
	{date: "2021-04-01T10:05:00Z", visibility: "public", text: []string{"Thread 2/3"}, replyTo: 4},
	{date: "2021-04-01T10:10:00Z", visibility: "unlisted", text: []string{"Thread 3/3"}, replyTo: 5},
	{date: "2021-05-01T10:00:00Z", visibility: "public", text: []string{"Two pictures"}, media: []string{"A red square", "A blue circle"}},
}

// checkPosts compares the server's posts with wantPosts exactly.
func checkPosts(t *testing.T, s *mastotest.Server) {
	t.Helper()
	got := s.Posts()
	if len(got) != len(wantPosts) {
		for _, p := range got {
			t.Logf("  %s %s %q", p.CreatedAt.Format(time.RFC3339), p.Visibility, p.Text)
		}
		t.Fatalf("%d posts on the new account, want %d (no duplicate, none lost)", len(got), len(wantPosts))
	}
	for i, w := range wantPosts {
		g := got[i]
		if d := g.CreatedAt.UTC().Format(time.RFC3339); d != w.date {
			t.Errorf("post %d dated %s, want %s", i+1, d, w.date)
		}
		if g.Federated {
			t.Errorf("post %d was federated: a backdated post must not be", i+1)
		}
		if g.Visibility != w.visibility || g.SpoilerText != w.spoiler || g.Sensitive != (w.sensitive || len(w.media) > 0 && w.spoiler != "") {
			t.Errorf("post %d: visibility %q, CW %q, sensitive %v; want %q, %q, %v", i+1, g.Visibility, g.SpoilerText, g.Sensitive, w.visibility, w.spoiler, w.sensitive)
		}
		if g.Language != "en" || g.ContentType != "text/plain" {
			t.Errorf("post %d: language %q, content type %q", i+1, g.Language, g.ContentType)
		}
		for _, sub := range w.text {
			if !strings.Contains(g.Text, sub) {
				t.Errorf("post %d text %q, want it to hold %q", i+1, g.Text, sub)
			}
		}
		want := ""
		if w.replyTo > 0 {
			want = got[w.replyTo-1].ID
		}
		if g.InReplyToID != want {
			t.Errorf("post %d replies to %q, want %q", i+1, g.InReplyToID, want)
		}
		if len(g.Media) != len(w.media) {
			t.Errorf("post %d has %d media, want %d", i+1, len(g.Media), len(w.media))
			continue
		}
		for k, m := range g.Media {
			if m.Description != w.media[k] {
				t.Errorf("post %d media %d: description %q, want %q", i+1, k, m.Description, w.media[k])
			}
		}
	}
	if len(got) == len(wantPosts) {
		m := got[6].Media
		if m[0].Focus == nil || *m[0].Focus != [2]float64{0.5, -0.25} || m[0].MediaType != "image/png" || m[0].Size != 3008 ||
			m[1].MediaType != "image/jpeg" || m[1].Size != 2004 {
			t.Errorf("media: %+v %+v", m[0], m[1])
		}
	}
}

func TestPostsToGoToSocial(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020))
	archive := postsArchive(t)
	f, out, errOut := migrateFactory(t, s)
	args := []string{"migrate", archive, "--to", s.URL, "--yes", "--include", "posts", "--posts", "public,unlisted,private"}
	if code := run(context.Background(), args, f); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	checkPosts(t, s)
	for _, want := range []string{
		"Posts on GoToSocial 0.20.0",
		"posts: 7 can be carried (backdated, not federated), with 2 media files; public, unlisted, private, with --include posts",
		"1 direct message stays in the archive",
		"1 boost stays in the archive",
		"1 poll stays in the archive",
		"1 reply to others stays in the archive",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut.String(), "posts: 7 of 7\n") {
		t.Errorf("no progress on stderr:\n%s", errOut)
	}
	if n := s.Scheduled(); n != 0 {
		t.Errorf("%d posts were scheduled instead of backdated", n)
	}

	// A second run sends nothing again.
	before := s.Writes()
	f2, _, errOut2 := migrateFactory(t, s)
	f2.StateDir = f.StateDir
	if code := run(context.Background(), args, f2); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, errOut2)
	}
	if s.Writes() != before {
		t.Errorf("the second run made %d writes", s.Writes()-before)
	}
	// Neither does a run with a fresh journal: it finds the posts on the
	// account by their dates and texts.
	f3, _, errOut3 := migrateFactory(t, s)
	if code := run(context.Background(), args, f3); code != 0 {
		t.Fatalf("run without the journal: exit %d\n%s", code, errOut3)
	}
	if s.Writes() != before {
		t.Errorf("the run without a journal made %d writes", s.Writes()-before)
	}
	checkPosts(t, s)
}

// TestPostsDefaultVisibilities leaves followers-only posts out unless asked.
func TestPostsDefaultVisibilities(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020))
	f, out, errOut := migrateFactory(t, s)
	if code := run(context.Background(), []string{"migrate", postsArchive(t), "--to", s.URL, "--yes", "--include", "posts"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if n := len(s.Posts()); n != 6 {
		t.Errorf("%d posts, want 6 (no followers-only)", n)
	}
	if !strings.Contains(out.String(), "1 followers-only post stays in the archive: not chosen: add private to --posts") {
		t.Errorf("plan:\n%s", out)
	}
}

// TestPostsRefusedOnMastodon: Mastodon would publish old posts as new, so
// --include posts is refused before anything is sent, and the plan says
// posts cannot be carried over.
func TestPostsRefusedOnMastodon(t *testing.T) {
	for _, fl := range []mastotest.Flavour{mastotest.Mastodon42, mastotest.Mastodon43, mastotest.Mastodon45} {
		t.Run(fl.String(), func(t *testing.T) {
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl))
			archive := postsArchive(t)
			f, out, errOut := migrateFactory(t, s)
			code := run(context.Background(), []string{"migrate", archive, "../../testdata/sample/csv", "--to", s.URL, "--yes", "--include", "posts"}, f)
			if code == 0 {
				t.Fatalf("exit 0; want a refusal\n%s", out)
			}
			if !strings.Contains(errOut.String(), "refusing `--include posts`") || !strings.Contains(errOut.String(), "Mastodon cannot take old posts") ||
				!strings.Contains(errOut.String(), "nothing was sent") {
				t.Errorf("stderr:\n%s", errOut)
			}
			if s.Writes() != 0 || len(s.Posts()) != 0 || s.Count("POST /api/v1/statuses") != 0 || s.Count("POST /api/v2/media") != 0 {
				t.Errorf("%d writes, %d posts after a refusal", s.Writes(), len(s.Posts()))
			}

			f, out, errOut = migrateFactory(t, s)
			if code := run(context.Background(), []string{"plan", archive, "--to", s.URL, "--posts", "public"}, f); code != 0 {
				t.Fatalf("plan: exit %d\n%s", code, errOut)
			}
			if strings.Contains(out.String(), "can be carried (backdated") || !strings.Contains(out.String(), "toots (") {
				t.Errorf("plan on Mastodon:\n%s", out)
			}
			f, out, _ = migrateFactory(t, s)
			run(context.Background(), []string{"migrate", archive, "--to", s.URL, "--dry-run", "--include", "posts"}, f)
			if !strings.Contains(out.String(), "posts: cannot be carried over: Mastodon cannot take old posts") {
				t.Errorf("dry run on Mastodon:\n%s", out)
			}
			if s.Writes() != 0 {
				t.Errorf("%d writes", s.Writes())
			}
		})
	}
}

// TestPostsBackdatingSwitchedOff stops the category at the first 403 and
// says why; the other categories are done.
func TestPostsBackdatingSwitchedOff(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020), mastotest.WithoutBackdating())
	f, _, errOut := migrateFactory(t, s)
	code := run(context.Background(), []string{"migrate", postsArchive(t), "--to", s.URL, "--yes", "--include", "posts", "--posts", "private,unlisted"}, f)
	if code == 0 {
		t.Fatal("exit 0")
	}
	if !strings.Contains(errOut.String(), "posts stopped: backdating posts is switched off on the new instance") ||
		!strings.Contains(errOut.String(), "backdating statuses has been disabled on this instance") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if n := s.Count("POST /api/v1/statuses"); n != 1 {
		t.Errorf("%d posts sent; the first refusal must stop the rest", n)
	}
	if !strings.Contains(errOut.String(), "--posts private,unlisted") {
		t.Errorf("the command to continue lacks --posts:\n%s", errOut)
	}

	// The admin allows it: resume carries the posts, with the same --posts.
	s.SetBackdating(true)
	f2, _, errOut2 := migrateFactory(t, s)
	f2.StateDir = f.StateDir
	if code := run(context.Background(), []string{"resume", "--yes"}, f2); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, errOut2)
	}
	var vis []string
	for _, p := range s.Posts() {
		vis = append(vis, p.Visibility)
	}
	if strings.Join(vis, ",") != "unlisted,private" {
		t.Errorf("after resume: %v, want the unlisted and the private post (the thread's unlisted end answers a public post)", vis)
	}
}

// TestPostsCrashAndResume kills the real program while it carries the
// posts, and resumes: the account ends with exactly the expected posts,
// none twice. Some runs are killed at a random moment; others right after
// the server made a post and before it answered (the case that matters: a
// post that exists, which the journal cannot know of).
func TestPostsCrashAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program a dozen times")
	}
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			s := mastotest.NewServer(t, generous(mastotest.GoToSocial020), mastotest.WithFlavour(mastotest.GoToSocial020),
				mastotest.WithFaults(mastotest.Faults{Latency: 5 * time.Millisecond}, seed))
			archive := postsArchive(t)
			state := t.TempDir()
			args := []string{"migrate", archive, "--to", s.URL, "--yes", "--include", "posts", "--posts", "public,unlisted,private"}
			rng := rand.New(rand.NewPCG(seed, 13))
			var mu sync.Mutex
			var victim *exec.Cmd
			killAfterPost := false
			s.AfterPost(func(string) {
				mu.Lock()
				defer mu.Unlock()
				if killAfterPost && victim != nil {
					victim.Process.Signal(syscall.SIGKILL)
					killAfterPost = false
				}
			})
			kills := 0
			for i := 0; i < 12; i++ {
				cmd, stderr := cli(t, s, state, args...)
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				mu.Lock()
				victim, killAfterPost = cmd, i%2 == 0
				mu.Unlock()
				if i%2 == 0 {
					// Killed by the server's hook at its first post.
					switch err := <-done; exitCode(err) {
					case 0:
						goto final // nothing left to post
					case -1: // killed
					default:
						t.Fatalf("run %d: exit %d\n%s", i, exitCode(err), stderr)
					}
				} else {
					target := s.Writes() + 1 + rng.IntN(3)
					finished := false
					for deadline := time.Now().Add(20 * time.Second); s.Writes() < target && time.Now().Before(deadline) && !finished; {
						select {
						case err := <-done:
							if err != nil {
								t.Fatalf("run %d: exit %d\n%s", i, exitCode(err), stderr)
							}
							finished = true
						default:
							time.Sleep(time.Millisecond)
						}
					}
					if finished {
						goto final
					}
					time.Sleep(time.Duration(rng.IntN(10)) * time.Millisecond)
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
				}
				kills++
				t.Logf("kill %d: %d posts, %d uploads", kills, len(s.Posts()), s.Count("POST /api/v2/media"))
				paths, _ := filepath.Glob(filepath.Join(state, "mastomigrate", "*.journal"))
				for _, p := range paths {
					if _, err := journal.Load(p); err != nil {
						t.Fatalf("after kill %d the journal does not load: %v", kills, err)
					}
				}
			}
		final:
			mu.Lock()
			killAfterPost = false
			mu.Unlock()
			cmd, stderr := cli(t, s, state, args...)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("final run: exit %d\n%s", exitCode(err), stderr)
			}
			found := 0
			paths, _ := filepath.Glob(filepath.Join(state, "mastomigrate", "*.journal"))
			for _, p := range paths {
				b, _ := os.ReadFile(p)
				found += strings.Count(string(b), `"reason":"found on the new account"`)
			}
			t.Logf("%d kills, %d post requests for %d posts, %d found on the account after a kill", kills, s.Count("POST /api/v1/statuses"), len(wantPosts), found)
			if found == 0 {
				t.Error("no post was found on the account after a kill right after it was made")
			}
			checkPosts(t, s)
		})
	}
}

// TestPostsLostAnswers drops connections, half of them after the server
// made the post: runs again until done; the posts whose answer was lost
// are found on the account by their date, not sent twice.
func TestPostsLostAnswers(t *testing.T) {
	s, _ := newFake(t, mastotest.GoToSocial020, mastotest.WithFaults(mastotest.Faults{Drops: 0.3}, 7))
	archive := postsArchive(t)
	f, _, _ := migrateFactory(t, s)
	args := []string{"migrate", archive, "--to", s.URL, "--yes", "--include", "posts", "--posts", "public,unlisted,private"}
	for i := 0; ; i++ {
		if i == 30 {
			t.Fatal("30 runs did not finish")
		}
		f2, _, errOut := migrateFactory(t, s)
		f2.StateDir = f.StateDir
		code := run(context.Background(), args, f2)
		if code == 0 && !strings.Contains(errOut.String(), "failed for now") {
			break
		}
	}
	t.Logf("%d post requests for %d posts", s.Count("POST /api/v1/statuses"), len(wantPosts))
	checkPosts(t, s)
}

// TestPlanPostsOnGoToSocial: plan --to says what --include posts would
// carry, in text and JSON, and sends nothing.
func TestPlanPostsOnGoToSocial(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020))
	archive := postsArchive(t)
	f, out, errOut := migrateFactory(t, s)
	if code := run(context.Background(), []string{"plan", archive, "--to", s.URL}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"posts: 6 can be carried (backdated, not federated), with 2 media files; public, unlisted, with --include posts",
		"1 followers-only post stays in the archive",
		"1 reply to others stays in the archive",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	f, out, _ = migrateFactory(t, s)
	if code := run(context.Background(), []string{"plan", "--json", archive, "--to", s.URL, "--posts", "public"}, f); code != 0 {
		t.Fatal(code)
	}
	var p struct {
		PostCarry struct {
			Possible bool
			Carry    int
			Left     []struct {
				What  string
				Count int
			}
		} `json:"post_carry"`
	}
	if err := json.Unmarshal([]byte(out.String()), &p); err != nil || !p.PostCarry.Possible || p.PostCarry.Carry != 4 {
		t.Errorf("JSON %+v, %v\n%s", p, err, out)
	}
	if s.Writes() != 0 {
		t.Errorf("plan made %d writes", s.Writes())
	}
}

// TestPostProgressETA: without a terminal, a line a minute with the time
// left, reckoned on the injected clock from this run's pace.
func TestPostProgressETA(t *testing.T) {
	f, _, errOut := testStreams()
	clock := mastotest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f.Clock = clock
	p := newPostProgress(f)
	p.set(101, 1000) // 100 settled by an earlier run
	clock.Advance(30 * time.Second)
	p.set(110, 1000) // under a minute since the last line: quiet
	clock.Advance(70 * time.Second)
	p.set(120, 1000) // 20 posts in 100 s: 880 left take 4,400 s
	p.set(1000, 1000)
	want := "posts: 101 of 1000, about under a minute left\nposts: 120 of 1000, about 1h13m left\nposts: 1000 of 1000\n"
	if errOut.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", errOut, want)
	}
}

// TestPostsMissingMedia: a post whose media file the archive lacks fails
// with that reason, in the report; the others are carried.
func TestPostsMissingMedia(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020))
	var files []archivetest.File
	for _, f := range postsArchiveFiles("") {
		if !strings.HasSuffix(f.Name, ".jpg") {
			files = append(files, f)
		}
	}
	p := filepath.Join(t.TempDir(), "archive.zip")
	os.WriteFile(p, archivetest.ZIP(files), 0o600)
	f, _, errOut := migrateFactory(t, s)
	if code := run(context.Background(), []string{"migrate", p, "--to", s.URL, "--yes", "--include", "posts"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if n := len(s.Posts()); n != 5 {
		t.Errorf("%d posts, want 5", n)
	}
	f2, out, _ := migrateFactory(t, s)
	f2.StateDir = f.StateDir
	if code := run(context.Background(), []string{"report"}, f2); code != 0 {
		t.Fatal(code)
	}
	if !strings.Contains(out.String(), "failed   posts https://old.example/users/alex/statuses/110008: media file /media_attachments/files/110/000/002/original/bbb.jpg") {
		t.Errorf("report:\n%s", out)
	}
}

// TestPostsPaced carries 400 posts under GoToSocial's allowance of 300
// requests per 5 minutes, on a clock that moves only when the program
// sleeps: the run waits for the window instead of drawing 429s, and
// every post arrives once, however fast the machine.
func TestPostsPaced(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of paced requests")
	}
	const n = 400
	s, clock := newFake(t, mastotest.GoToSocial020)
	var items []any
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%s/statuses/%d", oldSelf, 200000+i)
		to := []string{asPublic}
		items = append(items, map[string]any{"id": id + "/activity", "type": "Create", "to": to, "object": map[string]any{
			"id": id, "type": "Note", "attributedTo": oldSelf, "to": to, "content": fmt.Sprintf("<p>Post %d</p>", i),
			"published": time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).Format(time.RFC3339)}})
	}
	outbox, _ := json.Marshal(map[string]any{"type": "OrderedCollection", "orderedItems": items})
	p := filepath.Join(t.TempDir(), "archive.zip")
	os.WriteFile(p, archivetest.ZIP([]archivetest.File{{Name: "outbox.json", Data: outbox}}), 0o600)
	f, _, errOut := migrateFactory(t, s)
	start := clock.Now()
	if code := run(context.Background(), []string{"migrate", p, "--to", s.URL, "--yes", "--include", "posts"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	took := clock.Now().Sub(start)
	if got := len(s.Posts()); got != n {
		t.Errorf("%d posts, want %d", got, n)
	}
	if s.Throttled() != 0 {
		t.Errorf("%d requests drew a 429", s.Throttled())
	}
	// Over 300 requests need a second window: the run waited for it
	// (GoToSocial's window starts at the first request).
	if took < 5*time.Minute {
		t.Errorf("took %s of the server's time for %d requests at 300 per 5 minutes", took, s.Count(""))
	}
	t.Logf("%d requests in %s of server time", s.Count(""), took.Round(time.Second))
}

// TestPostsServerErrorTwice: posts the server answers 500 in one run are
// looked for and sent again in the next; answered 500 again, they fail,
// naming the status and the request, and the run ends in failure.
func TestPostsServerErrorTwice(t *testing.T) {
	s, _ := newFake(t, mastotest.GoToSocial020, mastotest.WithFaults(mastotest.Faults{Broken: map[string]int{"POST /api/v1/statuses": 500}}, 1))
	f, out, errOut := migrateFactory(t, s)
	args := []string{"migrate", postsArchive(t), "--to", s.URL, "--yes", "--include", "posts", "--posts", "public,unlisted,private"}
	if code := run(context.Background(), args, f); code != exitTempFail {
		t.Fatalf("first run: exit %d, want %d\n%s", code, exitTempFail, errOut)
	}
	sent := s.Count("POST /api/v1/statuses")
	if code := run(context.Background(), args, f); code != exitError {
		t.Fatalf("second run: exit %d, want %d\n%s", code, exitError, errOut)
	}
	if n := s.Count("POST /api/v1/statuses"); n > 2*sent {
		t.Errorf("%d posts sent in the second run, %d in the first", n-sent, sent)
	}
	why := "the server answered 500 to POST /api/v1/statuses in two runs"
	failed := 0
	for _, it := range reportJSON(t, f, out) {
		if it.Category == "posts" && it.Status == "failed" && strings.HasPrefix(it.Reason, why) {
			failed++
		}
	}
	if failed != sent || !strings.Contains(errOut.String(), why) {
		t.Errorf("%d posts failed for the 500, want %d\n%s", failed, sent, errOut)
	}
}
