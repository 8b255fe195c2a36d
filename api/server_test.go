package api

import "testing"

func TestIdentify(t *testing.T) {
	tests := []struct {
		version, source string
		want            Server
	}{
		{"4.3.0", "https://github.com/mastodon/mastodon", Server{"mastodon", "4.3.0"}},
		{"4.5.0+glitch", "https://github.com/glitch-soc/mastodon", Server{"mastodon", "4.5.0"}},
		{"0.20.0 git-abc123", "https://codeberg.org/superseriousbusiness/gotosocial", Server{"gotosocial", "0.20.0"}},
		{"2.7.2 (compatible; Akkoma 3.13.2)", "", Server{"akkoma", "3.13.2"}},
		{"2.7.2 (compatible; Pleroma 2.7.0)", "", Server{"pleroma", "2.7.0"}},
		{"", "", Server{}},
	}
	for _, tt := range tests {
		if got := identify(tt.version, tt.source); got != tt.want {
			t.Errorf("identify(%q, %q) = %+v, want %+v", tt.version, tt.source, got, tt.want)
		}
	}
}

func TestListNeedsAcceptedFollow(t *testing.T) {
	tests := []struct {
		s    Server
		want bool
	}{
		{Server{"gotosocial", "0.20.0"}, true},
		{Server{"mastodon", "4.2.0"}, false},
		{Server{"mastodon", "4.5.0"}, false},
		{Server{"mastodon", "nightly"}, false},
		{Server{}, false},
	}
	for _, tt := range tests {
		if got := tt.s.ListNeedsAcceptedFollow(); got != tt.want {
			t.Errorf("%+v: %v, want %v", tt.s, got, tt.want)
		}
	}
}
