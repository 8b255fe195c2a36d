package api

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
)

// ImportType is what a bulk import holds: GoToSocial's "type" field
// (internal/api/client/import/import.go: following, blocks, mutes).
type ImportType string

const (
	ImportFollowing ImportType = "following"
	ImportBlocks    ImportType = "blocks"
	ImportMutes     ImportType = "mutes"
)

// Import uploads one CSV to GoToSocial's bulk import (POST
// /api/v1/import, multipart: "data" the file, "type", "mode" merge or
// overwrite). The server answers 202 and works in the background on an
// in-memory queue (internal/processing/account/import.go), so the caller
// must watch the state to know when, and whether, it happened.
func (c *Client) Import(ctx context.Context, typ ImportType, mode string, csv []byte) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("type", string(typ))
	w.WriteField("mode", mode)
	part, err := w.CreateFormFile("data", string(typ)+".csv")
	if err != nil {
		return err
	}
	part.Write(csv)
	if err := w.Close(); err != nil {
		return err
	}
	_, err = c.send(ctx, http.MethodPost, "/api/v1/import", w.FormDataContentType(), &body, nil)
	return err
}

// ImportSignal is a cheap reading of the state a bulk import changes:
// the following count (verify_credentials) and the newest follow, block
// and mute (one item each; lists are newest first). It changes while an import is being worked through.
type ImportSignal struct {
	Following int
	TopFollow string
	TopBlock  string
	TopMute   string
}

// ImportSignal reads the signal in up to four requests: follows when
// meID is given, blocks and mutes when asked for.
func (c *Client) ImportSignal(ctx context.Context, meID string, blocks, mutes bool) (ImportSignal, error) {
	var sig ImportSignal
	var me Account
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, &me); err != nil {
		return sig, err
	}
	sig.Following = me.FollowingCnt
	top := func(path string) (string, error) {
		var accs []Account
		if _, err := c.do(ctx, http.MethodGet, path, url.Values{"limit": {"1"}}, &accs); err != nil || len(accs) == 0 {
			return "", err
		}
		return accs[0].Acct, nil
	}
	var err error
	if meID != "" {
		if sig.TopFollow, err = top("/api/v1/accounts/" + url.PathEscape(meID) + "/following"); err != nil {
			return sig, err
		}
	}
	if blocks {
		if sig.TopBlock, err = top("/api/v1/blocks"); err != nil {
			return sig, err
		}
	}
	if mutes {
		if sig.TopMute, err = top("/api/v1/mutes"); err != nil {
			return sig, err
		}
	}
	return sig, nil
}
