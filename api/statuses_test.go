package api_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

var (
	long    = time.Date(2021, 4, 1, 10, 0, 0, 0, time.UTC)
	wallNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
)

func statusErr(t *testing.T, err error, status int, msg string) {
	t.Helper()
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != status || !strings.Contains(ae.Message, msg) {
		t.Errorf("got %v, want %d %q", err, status, msg)
	}
}

// TestBackdatedPostsGoToSocial: the fake plays GoToSocial 0.20's backfill.
func TestBackdatedPostsGoToSocial(t *testing.T) {
	ctx := context.Background()
	clock := mastotest.NewManualClock(wallNow)
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020), mastotest.WithClock(clock))
	s.AddHandle("ana@mastodon.example", mastotest.Account{})
	theirs := s.AddStatus("https://mastodon.example/users/ana/statuses/1", false)
	c := newClient(t, s, api.Options{})

	types, err := c.StatusContentTypes(ctx)
	if err != nil || strings.Join(types, ",") != "text/plain,text/markdown" {
		t.Errorf("content types %v, %v", types, err)
	}
	m, err := c.UploadMedia(ctx, api.MediaUpload{Data: []byte("\x89PNG\r\n\x1a\nxx"), Filename: "a.png", MediaType: "image/png",
		Description: "a square", Focus: &[2]float64{0.5, -0.25}})
	if err != nil || m.URL == "" || m.Description != "a square" || m.Meta.Focus == nil || m.Meta.Focus.X != 0.5 || m.Meta.Focus.Y != -0.25 {
		t.Fatalf("upload: %+v, %v", m, err)
	}
	at := long
	st, err := c.CreateStatus(ctx, api.NewStatus{Text: "old #post by @me", MediaIDs: []string{m.ID}, ScheduledAt: &at,
		Visibility: "unlisted", SpoilerText: "cw", Language: "en", ContentType: "text/plain"})
	if err != nil || !st.CreatedAt.Equal(long) || st.Visibility != "unlisted" || len(st.Media) != 1 || !st.Sensitive {
		t.Fatalf("backdated post: %+v, %v", st, err)
	}
	reply, err := c.CreateStatus(ctx, api.NewStatus{Text: "and more", InReplyToID: st.ID, ScheduledAt: &at})
	if err != nil || reply.InReplyToID != st.ID {
		t.Errorf("self-reply: %+v, %v", reply, err)
	}
	_, err = c.CreateStatus(ctx, api.NewStatus{Text: "again", MediaIDs: []string{m.ID}, ScheduledAt: &at})
	statusErr(t, err, 400, "already attached")
	_, err = c.CreateStatus(ctx, api.NewStatus{Text: "hi @ana@mastodon.example", ScheduledAt: &at})
	statusErr(t, err, 403, "statuses mentioning others can't be backfilled")
	_, err = c.CreateStatus(ctx, api.NewStatus{Text: "yes", InReplyToID: theirs, ScheduledAt: &at})
	statusErr(t, err, 403, "replies to others can't be backfilled")
	soon := wallNow.Add(2 * time.Minute)
	_, err = c.CreateStatus(ctx, api.NewStatus{Text: "soon", ScheduledAt: &soon})
	statusErr(t, err, 422, "at least 5 minutes")
	later := wallNow.Add(time.Hour)
	_, err = c.CreateStatus(ctx, api.NewStatus{Text: "later", ScheduledAt: &later})
	if err == nil || !strings.Contains(err.Error(), "scheduled the post") || s.Scheduled() != 1 {
		t.Errorf("a post an hour ahead: %v, %d scheduled", err, s.Scheduled())
	}

	var ids []string
	for st, err := range c.AccountStatuses(ctx, s.MeID) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.ID)
	}
	if len(ids) != 2 {
		t.Errorf("own posts %v", ids)
	}
	for _, p := range s.Posts() {
		if p.Federated || !p.CreatedAt.Equal(long) || len(p.Mentioned) != 0 {
			t.Errorf("%+v: a backdated post is not federated and notifies no one", p)
		}
	}
}

func TestBackdatingSwitchedOff(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020), mastotest.WithoutBackdating())
	at := long
	_, err := newClient(t, s, api.Options{}).CreateStatus(context.Background(), api.NewStatus{Text: "old", ScheduledAt: &at})
	statusErr(t, err, 403, "backdating statuses has been disabled")
	if len(s.Posts()) != 0 {
		t.Error("a post was made")
	}
}

// TestPastScheduledAtOnMastodon: Mastodon drops a past scheduled_at and
// publishes now, federated, notifying whom it mentions: why mastomigrate
// never sends it an old post.
func TestPastScheduledAtOnMastodon(t *testing.T) {
	ctx := context.Background()
	clock := mastotest.NewManualClock(wallNow)
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.Mastodon45), mastotest.WithClock(clock))
	s.AddHandle("ana@mastodon.example", mastotest.Account{})
	c := newClient(t, s, api.Options{Clock: api.NewScaledClock(wallNow, 1000)}) // the wait for processing
	if types, err := c.StatusContentTypes(ctx); err != nil || len(types) != 0 {
		t.Errorf("content types %v, %v", types, err)
	}
	at := long
	st, err := c.CreateStatus(ctx, api.NewStatus{Text: "old @ana@mastodon.example", ScheduledAt: &at})
	if err != nil || !st.CreatedAt.Equal(wallNow) {
		t.Fatalf("%+v, %v", st, err)
	}
	p := s.Posts()[0]
	if !p.Federated || len(p.Mentioned) != 1 {
		t.Errorf("%+v: published now, federated, notifying", p)
	}
	// A video is processed later: the upload waits for it.
	m, err := c.UploadMedia(ctx, api.MediaUpload{Data: []byte("....ftypmp42"), Filename: "v.mp4", MediaType: "video/mp4"})
	if err != nil || m.URL == "" || s.Count("GET /api/v1/media/:id") == 0 {
		t.Errorf("video upload: %+v, %v", m, err)
	}
}
