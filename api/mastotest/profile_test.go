package mastotest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// multipartCredentials sends update_credentials as multipart: form
// values, and the avatar as a file when given.
func multipartCredentials(t *testing.T, s *Server, form url.Values, avatar []byte) answer {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if avatar != nil {
		part, _ := w.CreateFormFile("avatar", "avatar.png")
		part.Write(avatar)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPatch, s.URL+"/api/v1/accounts/update_credentials", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return answer{status: resp.StatusCode, body: b.String()}
}

// TestUpdateCredentialsPictures: GoToSocial loses a data URI in a
// urlencoded form and still answers 200; a multipart file lands on
// every flavour, with a new URL in verify_credentials.
func TestUpdateCredentialsPictures(t *testing.T) {
	for _, fl := range Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			s := NewServer(t, WithFlavour(fl))
			dataURI := "data:image/png;base64," + base64.StdEncoding.EncodeToString(tinyPNG)
			want(t, "data URI", req(t, s, http.MethodPatch, "/api/v1/accounts/update_credentials", url.Values{"avatar": {dataURI}}), 200, "")
			wantType := "image/png"
			if fl.GoToSocial() {
				wantType = ""
			}
			if got := s.Profile().Avatar; got != wantType {
				t.Errorf("after a data URI: avatar %q, want %q", got, wantType)
			}
			before := req(t, s, http.MethodGet, "/api/v1/accounts/verify_credentials", nil).obj(t)["avatar"]
			want(t, "multipart", multipartCredentials(t, s, nil, tinyPNG), 200, "")
			after := req(t, s, http.MethodGet, "/api/v1/accounts/verify_credentials", nil).obj(t)["avatar"]
			if s.Profile().Avatar != "image/png" || after == before {
				t.Errorf("after a file: avatar %q, URL %v (was %v)", s.Profile().Avatar, after, before)
			}
		})
	}
}

// TestUpdateCredentialsLimits: one breach refuses the whole update, as
// each server's source says (accounts.go checkProfile).
func TestUpdateCredentialsLimits(t *testing.T) {
	fields := func(n int) url.Values {
		v := url.Values{"display_name": {"Me"}}
		for i := 0; i < n; i++ {
			v.Set(fmt.Sprintf("fields_attributes[%d][name]", i), fmt.Sprint("n", i))
			v.Set(fmt.Sprintf("fields_attributes[%d][value]", i), "v")
		}
		return v
	}
	withNote := func(v url.Values, n int) url.Values {
		v.Set("note", strings.Repeat("a", n))
		return v
	}
	mb := func(n int) []byte { return append(bytes.Clone(tinyPNG), make([]byte, n<<20)...) }
	for _, tt := range []struct {
		fl     Flavour
		name   string
		form   url.Values
		avatar []byte
		status int
	}{
		{Mastodon42, "4 fields", fields(4), nil, 200},
		{Mastodon42, "5 fields", fields(5), nil, 422},
		{Mastodon42, "500-character bio", withNote(fields(0), 500), nil, 200},
		{Mastodon42, "501-character bio", withNote(fields(0), 501), nil, 422},
		{Mastodon45, "31-character name", url.Values{"display_name": {strings.Repeat("x", 31)}}, nil, 422},
		{Mastodon42, "3 MB avatar", fields(1), mb(3), 422},
		{Mastodon43, "3 MB avatar", fields(1), mb(3), 422},
		{Mastodon45, "3 MB avatar", fields(1), mb(3), 200},
		{Mastodon45, "9 MB avatar", fields(1), mb(9), 422},
		{GoToSocial020, "6 fields", fields(6), nil, 200},
		{GoToSocial020, "7 fields", fields(7), nil, 400},
		{GoToSocial020, "3,000-character bio", withNote(fields(0), 3000), mb(9), 200},
	} {
		t.Run(tt.fl.String()+" "+tt.name, func(t *testing.T) {
			s := NewServer(t, WithFlavour(tt.fl))
			a := multipartCredentials(t, s, tt.form, tt.avatar)
			want(t, tt.name, a, tt.status, "")
			if p := s.Profile(); tt.status != 200 && (p.DisplayName != "" || p.Note != "" || p.Fields != nil || p.Avatar != "") {
				t.Errorf("a refused update changed the profile: %+v", p)
			}
		})
	}
}
