package mastotest

// Flavour is the server software the fake plays: its name and version as
// /api/v2/instance reports them, and the ways its answers differ from
// Mastodon's latest (../shared/SERVERS.md lists them with their sources).
// Tests that must hold on real servers run once per flavour in Flavours.
type Flavour struct {
	Software string // "mastodon" or "gotosocial", as nodeinfo names it
	Version  string // as /api/v2/instance reports it
}

var (
	Mastodon42    = Flavour{Software: "mastodon", Version: "4.2.13"}
	Mastodon43    = Flavour{Software: "mastodon", Version: "4.3.8"}
	Mastodon45    = Flavour{Software: "mastodon", Version: "4.5.0"}
	GoToSocial020 = Flavour{Software: "gotosocial", Version: "0.20.0"}
)

// Flavours are the servers every end-to-end test runs against.
func Flavours() []Flavour { return []Flavour{Mastodon42, Mastodon43, Mastodon45, GoToSocial020} }

// String names the flavour for subtest names: "mastodon-4.5.0".
func (f Flavour) String() string { return f.Software + "-" + f.Version }

// GoToSocial reports whether the flavour is GoToSocial.
func (f Flavour) GoToSocial() bool { return f.Software == "gotosocial" }

// WithFlavour makes the server play f; the default is Mastodon45.
func WithFlavour(f Flavour) Option { return func(s *Server) { s.flavour = f } }

// Flavour is the software the server plays.
func (s *Server) Flavour() Flavour { return s.flavour }

// sourceURL is the repository /api/v2/instance names.
func (f Flavour) sourceURL() string {
	if f.GoToSocial() {
		return "https://codeberg.org/superseriousbusiness/gotosocial"
	}
	return "https://github.com/mastodon/mastodon"
}
