package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Server is what the instance says it runs. Software is "mastodon",
// "gotosocial", "akkoma", "pleroma", or "" when it cannot be told;
// callers treat "" like Mastodon and probe what they need.
type Server struct {
	Software string
	Version  string
}

// Server reads the instance description once: /api/v2/instance, then
// /api/v1/instance, then nodeinfo (which servers without the Mastodon
// instance API still publish). It also learns the instance's domain.
func (c *Client) Server(ctx context.Context) Server {
	c.serverOnce.Do(func() {
		var v2 struct {
			Domain    string `json:"domain"`
			Version   string `json:"version"`
			SourceURL string `json:"source_url"`
		}
		if _, err := c.do(ctx, http.MethodGet, "/api/v2/instance", nil, &v2); err == nil && v2.Domain != "" {
			c.domain = strings.ToLower(v2.Domain)
			c.server = identify(v2.Version, v2.SourceURL)
			c.learned()
			return
		}
		var v1 struct {
			URI     string `json:"uri"`
			Version string `json:"version"`
		}
		if _, err := c.do(ctx, http.MethodGet, "/api/v1/instance", nil, &v1); err == nil && v1.URI != "" {
			c.domain = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(v1.URI, "https://"), "http://"))
			c.server = identify(v1.Version, "")
			c.learned()
			return
		}
		if sw, ok := c.nodeinfo(ctx); ok {
			c.server = sw
			c.learned()
		}
	})
	return c.server
}

// learned adapts the pacing to the software: GoToSocial has one limiter
// for all requests (internal/middleware/ratelimit.go), so the paginated
// allowance Mastodon keeps would only slow reads down there.
func (c *Client) learned() {
	if c.server.Software == "gotosocial" {
		c.tr.pacer.forget(familyPaginated)
	}
}

// identify names the software from the version string and source URL the
// instance reports. Mastodon reports "4.3.0" and its repository
// (app/serializers/rest/instance_serializer.rb); GoToSocial "0.20.0 git-…"
// or "0.20.0+…" with its repository (internal/api/model/instancev2.go);
// Pleroma and Akkoma "2.7.2 (compatible; Akkoma 3.13.2)".
func identify(version, source string) Server {
	v := strings.ToLower(version)
	src := strings.ToLower(source)
	switch {
	case strings.Contains(src, "gotosocial") || strings.Contains(v, "gotosocial"):
		return Server{Software: "gotosocial", Version: firstWord(version)}
	case strings.Contains(v, "akkoma"):
		return Server{Software: "akkoma", Version: after(version, "Akkoma ")}
	case strings.Contains(v, "pleroma"):
		return Server{Software: "pleroma", Version: after(version, "Pleroma ")}
	case strings.Contains(src, "mastodon") || (version != "" && !strings.Contains(v, "compatible")):
		return Server{Software: "mastodon", Version: firstWord(version)}
	}
	return Server{Version: version}
}

func firstWord(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), " ")
	s, _, _ = strings.Cut(s, "+")
	return s
}

func after(s, marker string) string {
	_, rest, ok := strings.Cut(s, marker)
	if !ok {
		return s
	}
	return strings.TrimRight(firstWord(rest), ")")
}

// Allowance is what the instance lets one account do, for estimates:
// requests per window, and follows per UTC day (0: no such limit).
type Allowance struct {
	Requests      int
	Period        time.Duration
	FollowsPerDay int
}

// Allowance is the instance's allowance as far as it is known: the limit
// its headers reported (Mastodon's 300 per token, GoToSocial's 300 per IP,
// or whatever the admin set), both servers' five-minute window, and the
// daily follow allowance of the capability table (Mastodon's 400,
// app/models/follow.rb; none on GoToSocial), or the one the server
// reported when it was reached.
func (c *Client) Allowance(ctx context.Context) Allowance {
	a := c.Server(ctx).Capabilities().Allowance()
	if r, ok := c.tr.pacer.rate(familyAPI); ok && r.Limit > 0 {
		a.Requests = r.Limit
	}
	if r, ok := c.tr.pacer.rate(familyFollow); ok && r.Limit > 0 && a.FollowsPerDay > 0 {
		a.FollowsPerDay = r.Limit
	}
	return a
}

// ListNeedsAcceptedFollow says whether a list may hold only accounts whose
// follow was accepted (see Capabilities.ListsTakeRequests).
func (s Server) ListNeedsAcceptedFollow() bool { return !s.Capabilities().ListsTakeRequests }

// nodeinfo reads /.well-known/nodeinfo and the document it links to
// (https://nodeinfo.diaspora.software/protocol): software.name and
// software.version name the server.
func (c *Client) nodeinfo(ctx context.Context) (Server, bool) {
	var wk struct {
		Links []struct {
			Rel  string `json:"rel"`
			Href string `json:"href"`
		} `json:"links"`
	}
	if _, err := c.do(ctx, http.MethodGet, "/.well-known/nodeinfo", nil, &wk); err != nil || len(wk.Links) == 0 {
		return Server{}, false
	}
	href := wk.Links[len(wk.Links)-1].Href // the newest schema is listed last
	u, err := url.Parse(href)
	if err != nil || u.Host != c.base.Host {
		return Server{}, false // only the instance's own host gets the token
	}
	var ni struct {
		Software struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"software"`
	}
	if _, err := c.send(ctx, http.MethodGet, u.RequestURI(), "", nil, &ni); err != nil || ni.Software.Name == "" {
		return Server{}, false
	}
	name := strings.ToLower(ni.Software.Name)
	switch name {
	case "mastodon", "gotosocial", "akkoma", "pleroma":
		return Server{Software: name, Version: firstWord(ni.Software.Version)}, true
	}
	// Forks that speak Mastodon's API (hometown, glitch-soc) name
	// themselves; anything else stays unknown and is probed.
	if strings.Contains(name, "mastodon") || name == "hometown" {
		return Server{Software: "mastodon", Version: firstWord(ni.Software.Version)}, true
	}
	return Server{Version: ni.Software.Version}, true
}
