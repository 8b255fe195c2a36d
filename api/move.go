package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The account move: the alias on the new account, the move on the old one,
// and the public documents (WebFinger, the ActivityPub actor) that show
// whether the alias is visible to other servers.

// Aliases reads the account's alias URIs (alsoKnownAs) from
// verify_credentials → source.also_known_as_uris, where GoToSocial puts
// them (internal/api/model/source.go, omitted when empty). Mastodon has
// no such field: ask only GoToSocial.
func (c *Client) Aliases(ctx context.Context) ([]string, error) {
	var v struct {
		Source struct {
			AlsoKnownAs []string `json:"also_known_as_uris"`
		} `json:"source"`
	}
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, &v); err != nil {
		return nil, err
	}
	return v.Source.AlsoKnownAs, nil
}

// SetAliases replaces the account's aliases with uris, on GoToSocial
// (POST /api/v1/accounts/alias, scope write:accounts;
// internal/api/client/accounts/accountalias.go). The list is sent as a
// JSON array: GoToSocial silently ignores the `also_known_as_uris[]` form
// key, and an empty list clears every alias, so callers pass the aliases
// already there plus the new one. Mastodon answers 404 (no such API: the
// alias is set on the web, app/controllers/settings/aliases_controller.rb).
func (c *Client) SetAliases(ctx context.Context, uris []string) error {
	if uris == nil {
		uris = []string{}
	}
	body, _ := json.Marshal(map[string][]string{"also_known_as_uris": uris})
	_, err := c.send(ctx, http.MethodPost, "/api/v1/accounts/alias", "application/json", bytes.NewReader(body), nil)
	return err
}

// Move moves the account to the actor movedTo on GoToSocial (POST
// /api/v1/accounts/move with password and moved_to_uri;
// internal/api/client/accounts/accountmove.go,
// internal/processing/account/move.go): 202 when accepted, 400 for a
// wrong password, 422 when the target does not list this account in
// alsoKnownAs or within the 7-day cooldown. Sending it again for the same
// target is harmless (GoToSocial reprocesses the move), so a retry after
// a lost answer is safe. The password goes only in this request's body
// and never into an error.
func (c *Client) Move(ctx context.Context, password, movedTo string) error {
	form := url.Values{"password": {password}, "moved_to_uri": {movedTo}}
	_, err := c.send(ctx, http.MethodPost, "/api/v1/accounts/move", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), nil)
	var e *Error
	if errors.As(err, &e) && strings.Contains(e.Message, password) && password != "" {
		e.Message = strings.ReplaceAll(e.Message, password, "…")
	}
	return err
}

// Account reads an account by id. After a move GoToSocial still answers
// this for the old account's own token (unlike lookup and search).
func (c *Client) Account(ctx context.Context, id string) (*Account, error) {
	var a Account
	_, err := c.do(ctx, http.MethodGet, "/api/v1/accounts/"+url.PathEscape(id), nil, &a)
	return &a, err
}

// Lookup finds an account the instance already knows, by handle; a local
// one by its username alone.
func (c *Client) Lookup(ctx context.Context, acct string) (*Account, error) {
	var a Account
	_, err := c.do(ctx, http.MethodGet, "/api/v1/accounts/lookup", url.Values{"acct": {strings.TrimPrefix(acct, "@")}}, &a)
	return &a, err
}

// Public documents, fetched without a token: the tokens never leave
// their instance, and these are what other servers see.

// maxDocument bounds a WebFinger or actor document.
const maxDocument = 1 << 20

// WebFingerSelf finds the ActivityPub actor URI of handle ("user@domain")
// through WebFinger at the instance base (RFC 7033: the link with
// rel="self" and an ActivityPub type). The instance is asked rather than
// the handle's domain, which may only redirect to it (Mastodon's
// LOCAL_DOMAIN and WEB_DOMAIN). GoToSocial's account JSON has no `uri`,
// so this is how its actor URI is found.
func WebFingerSelf(ctx context.Context, hc *http.Client, instance *url.URL, handle string) (string, error) {
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	u := instance.JoinPath("/.well-known/webfinger")
	u.RawQuery = url.Values{"resource": {"acct:" + handle}}.Encode()
	var doc struct {
		Links []struct {
			Rel  string `json:"rel"`
			Type string `json:"type"`
			Href string `json:"href"`
		} `json:"links"`
	}
	if err := getDocument(ctx, hc, u.String(), "application/jrd+json, application/json", &doc); err != nil {
		return "", fmt.Errorf("webfinger for %s: %w", handle, err)
	}
	for _, l := range doc.Links {
		if l.Rel == "self" && l.Href != "" && (l.Type == "" || strings.Contains(l.Type, "activity+json") || strings.Contains(l.Type, "ld+json")) {
			return l.Href, nil
		}
	}
	return "", fmt.Errorf("webfinger for %s: no rel=self link to an ActivityPub actor", handle)
}

// Actor is the part of an ActivityPub actor the move needs.
type Actor struct {
	ID          string
	AlsoKnownAs []string
	MovedTo     string
	// Reduced is set when the server sent the reduced actor it gives
	// unsigned requests in authorized-fetch mode (Mastodon's
	// AccountsController#restrict_fields_to: id, type,
	// preferred_username, inbox, public_key, endpoints): alsoKnownAs is
	// then unknown, not empty. A 401 (GoToSocial signs every fetch) is
	// reported the same way.
	Reduced bool
}

// FetchActor reads an actor document without signing the request, as
// any server's public view of it.
func FetchActor(ctx context.Context, hc *http.Client, uri string) (*Actor, error) {
	var raw map[string]json.RawMessage
	err := getDocument(ctx, hc, uri, `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, &raw)
	var e *Error
	if errors.As(err, &e) && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden) {
		return &Actor{ID: uri, Reduced: true}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fetching the actor %s: %w", uri, err)
	}
	a := &Actor{}
	json.Unmarshal(raw["id"], &a.ID)
	json.Unmarshal(raw["movedTo"], &a.MovedTo)
	// alsoKnownAs is an array, or a single string when it has one entry
	// (JSON-LD compaction).
	if v, ok := raw["alsoKnownAs"]; ok {
		var one string
		if json.Unmarshal(v, &one) == nil {
			a.AlsoKnownAs = []string{one}
		} else {
			json.Unmarshal(v, &a.AlsoKnownAs)
		}
	}
	// A full actor always has its collections; Mastodon's reduced one and
	// a reduced one elsewhere do not.
	_, followers := raw["followers"]
	_, outbox := raw["outbox"]
	a.Reduced = !followers && !outbox && a.AlsoKnownAs == nil
	return a, nil
}

func getDocument(ctx context.Context, hc *http.Client, rawURL, accept string, out any) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an address", rawURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return fmt.Errorf("refusing %s: not https", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", accept)
	resp, err := hc.Do(req)
	if err != nil {
		return unwrapURLError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return err
	}
	if len(data) > maxDocument {
		return fmt.Errorf("%s: the document is over %d bytes", u.Host, maxDocument)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return describe(req, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: unexpected answer: %w", u.Host, err)
	}
	return nil
}
