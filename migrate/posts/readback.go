package posts

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/posttext"
)

// drift names the fields of ns that the post st, as the server answered
// its creation, does not show. Both servers answer the status as stored,
// after binding and processing the request (GoToSocial's
// internal/processing/status/create.go returns GetAPIStatus of the model
// it inserted; Mastodon's statuses_controller.rb#create renders the saved
// @status), so a field dropped on the way shows there, at no request
// (Estimate counts none). Only what was sent is compared:
//   - sensitive only when sent on: both servers may turn it on by
//     themselves (a content warning, the account's default);
//   - the content warning by its letters and digits: GoToSocial stores it
//     sanitized and HTML-escaped (create.go, SanitizeToPlaintext, then
//     FromPlainEmojiOnly), so "&" comes back "&amp;";
//   - the language without case: GoToSocial keeps the canonical tag
//     (internal/validate/formvalidation.go Language);
//   - the date to the second, as scheduled_at is sent.
func drift(ns *api.NewStatus, st *api.OwnStatus) []string {
	var out []string
	if ns.Visibility != "" && st.Visibility != ns.Visibility {
		out = append(out, "visibility "+ns.Visibility)
	}
	if cw := html.UnescapeString(st.SpoilerText); ns.SpoilerText != "" && (cw == "" || posttext.Fingerprint(cw) != posttext.Fingerprint(ns.SpoilerText)) {
		out = append(out, fmt.Sprintf("content warning %q", ns.SpoilerText))
	}
	if ns.Sensitive && !st.Sensitive {
		out = append(out, "sensitive")
	}
	if ns.Language != "" && !strings.EqualFold(st.Language, ns.Language) {
		out = append(out, "language "+ns.Language)
	}
	if at := ns.ScheduledAt; at != nil && !st.CreatedAt.Truncate(time.Second).Equal(at.Truncate(time.Second)) {
		out = append(out, "date "+at.UTC().Format(time.RFC3339))
	}
	if len(st.Media) != len(ns.MediaIDs) {
		files := "files"
		if len(ns.MediaIDs) == 1 {
			files = "file"
		}
		out = append(out, fmt.Sprintf("%d media %s", len(ns.MediaIDs), files))
	}
	return out
}

// notStuck is the outcome of a post made without all its fields. It is
// failed, not retried: the post is there, and a second request would
// post it twice; the person fixes it by hand. The new id is kept, so
// that its replies still hang on it and no other post claims it.
func notStuck(newID string, fields []string) journal.Record {
	return journal.Record{Status: journal.StatusFailed, NewID: newID,
		Reason: "posted, but did not stick: " + strings.Join(fields, "; ") +
			". The post is on the new account: edit or delete it there by hand; it is not sent again, which would post it twice"}
}
