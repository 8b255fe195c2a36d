package archivetest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// The benchmark's outbox is written the way Mastodon writes one
// (app/serializers/activitypub/note_serializer.rb and the outbox of
// backup_service.rb): Create activities carrying a Note with HTML content
// (mentions, hashtags, links), contentMap, attachments with blurhashes,
// tags and the replies/likes/shares collections, and Announce activities.
// The prose is drawn from a Zipf-distributed vocabulary so that the file
// deflates about as well as a real outbox (~90%), not like repeated text.

// commonWords are frequent English words; rarer ones are made up from
// syllables, so the vocabulary has a long tail as real prose has.
var commonWords = strings.Fields(`the of and to a in is it you that he was for on are with as I his they
be at one have this from or had by not word but what some we can out other were all there when up
use your how said an each she which do their time if will way about many then them write would like
so these her long make thing see him two has look more day could go come did number sound no most
people my over know water than call first who may down side been now find any new work part take get
place made live where after back little only round man year came show every good me give our under
name very through just form sentence great think say help low line differ turn cause much mean before
move right boy old too same tell does set three want air well also play small end put home read hand
port large spell add even land here must big high such follow act why ask men change went light kind
off need house picture try us again animal point mother world near build self earth father today
server instance federation toot boost post timeline thread release version build bug fix test code
open source rust go python linux weather coffee train bike garden cat dog photo book music film`)

var syllables = strings.Fields(`ka lo mi ne ru sa te vo ex an ber cor dil fen gor han iv jul kem lar mon
nor ost pra quen ris sol tur ul ven wis yor zan bro cla dre fli gra`)

type vocab struct {
	words []string
	zipf  *rand.Zipf
	rng   *rand.Rand
}

func newVocab(rng *rand.Rand) *vocab {
	words := append([]string{}, commonWords...)
	for len(words) < 10000 {
		var w strings.Builder
		for n := 2 + rng.IntN(3); n > 0; n-- {
			w.WriteString(syllables[rng.IntN(len(syllables))])
		}
		words = append(words, w.String())
	}
	return &vocab{words: words, zipf: rand.NewZipf(rng, 1.1, 8, uint64(len(words)-1)), rng: rng}
}

func (v *vocab) word() string { return v.words[v.zipf.Uint64()] }

var handles = []string{
	"ana@mastodon.example", "bo@fosstodon.example", "dee@gts.example", "fay@mastodon.example",
	"hal@pixel.example", "jo@mastodon.example", "kim@hachyderm.example", "lee@social.example",
	"mo@chaos.example", "nia@infosec.example", "oz@mastodon.example", "pat@fosstodon.example",
}

func actorURI(handle string) string {
	user, host, _ := strings.Cut(handle, "@")
	return "https://" + host + "/users/" + user
}

func mentionHTML(handle string) string {
	user, host, _ := strings.Cut(handle, "@")
	return fmt.Sprintf(`<span class="h-card" translate="no"><a href="https://%s/@%s" class="u-url mention">@<span>%s</span></a></span>`, host, user, user)
}

func hashtagHTML(tag string) string {
	return fmt.Sprintf(`<a href="https://old.example/tags/%s" class="mention hashtag" rel="tag">#<span>%s</span></a>`, tag, tag)
}

// prose writes one post's HTML: a few paragraphs of sentences, with the
// mentions first, hashtags and now and then a link.
func (v *vocab) prose(mentions, tags []string) string {
	var b strings.Builder
	paras := []int{1, 1, 1, 2, 2}[v.rng.IntN(5)]
	for p := 0; p < paras; p++ {
		b.WriteString("<p>")
		if p == 0 {
			for _, m := range mentions {
				b.WriteString(mentionHTML(m))
				b.WriteByte(' ')
			}
		}
		for s := 1 + v.rng.IntN(2); s > 0; s-- {
			n := 3 + v.rng.IntN(12)
			for i := 0; i < n; i++ {
				w := v.word()
				if i == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				} else {
					b.WriteByte(' ')
				}
				b.WriteString(w)
				if i < n-1 && v.rng.IntN(12) == 0 {
					b.WriteByte(',')
				}
			}
			b.WriteString([]string{".", ".", ".", "!", "?"}[v.rng.IntN(5)])
			if s > 1 {
				b.WriteByte(' ')
			}
		}
		if p == paras-1 && v.rng.IntN(5) == 0 {
			fmt.Fprintf(&b, ` <a href="https://blog.example/%s-%s-%d" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="">blog.example/%s-%s-%d</span><span class="invisible"></span></a>`,
				v.word(), v.word(), v.rng.IntN(1000), v.word(), v.word(), v.rng.IntN(1000))
		}
		if p == paras-1 && len(tags) > 0 {
			b.WriteByte(' ')
			for i, t := range tags {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(hashtagHTML(t))
			}
		}
		b.WriteString("</p>")
	}
	return b.String()
}

const blurhashChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"

func (v *vocab) blurhash() string {
	b := make([]byte, 28)
	for i := range b {
		b[i] = blurhashChars[v.rng.IntN(len(blurhashChars))]
	}
	return string(b)
}

type (
	apNote struct {
		ID               string         `json:"id"`
		Type             string         `json:"type"`
		Summary          *string        `json:"summary"`
		InReplyTo        *string        `json:"inReplyTo"`
		Published        string         `json:"published"`
		URL              string         `json:"url"`
		AttributedTo     string         `json:"attributedTo"`
		To               []string       `json:"to"`
		Cc               []string       `json:"cc"`
		Sensitive        bool           `json:"sensitive"`
		AtomURI          string         `json:"atomUri"`
		InReplyToAtomURI *string        `json:"inReplyToAtomUri"`
		Conversation     string         `json:"conversation"`
		Content          string         `json:"content"`
		ContentMap       map[string]any `json:"contentMap"`
		Attachment       []apDocument   `json:"attachment"`
		Tag              []apTag        `json:"tag"`
		Replies          apCollection   `json:"replies"`
		Likes            apCollection   `json:"likes"`
		Shares           apCollection   `json:"shares"`
	}
	apDocument struct {
		Type       string     `json:"type"`
		MediaType  string     `json:"mediaType"`
		URL        string     `json:"url"`
		Name       *string    `json:"name"`
		Blurhash   string     `json:"blurhash"`
		FocalPoint [2]float64 `json:"focalPoint"`
		Width      int        `json:"width"`
		Height     int        `json:"height"`
	}
	apTag struct {
		Type string `json:"type"`
		Href string `json:"href"`
		Name string `json:"name"`
	}
	apCollection struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		TotalItems *int   `json:"totalItems,omitempty"`
		First      any    `json:"first,omitempty"`
	}
	apActivity struct {
		ID        string   `json:"id"`
		Type      string   `json:"type"`
		Actor     string   `json:"actor"`
		Published string   `json:"published"`
		To        []string `json:"to"`
		Cc        []string `json:"cc"`
		Object    any      `json:"object"`
	}
)

const self = "https://old.example/users/alex"

// item returns the i-th outbox item: 10% boosts; posts 50% public, 20%
// unlisted, 20% followers-only, 10% direct, addressed as Mastodon does
// (app/lib/activitypub/tag_manager.rb).
func (v *vocab) item(i int) apActivity {
	when := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 47 * time.Minute).Format(time.RFC3339)
	id := fmt.Sprintf("%s/statuses/%d", self, 100000000000000000+int64(i)*7919)
	r := v.rng.IntN(100)
	if r < 10 {
		who := handles[v.rng.IntN(len(handles))]
		return apActivity{
			ID: id + "/activity", Type: "Announce", Actor: self, Published: when,
			To: []string{public}, Cc: []string{actorURI(who), self + "/followers"},
			Object: fmt.Sprintf("%s/statuses/%d", actorURI(who), 110000000000000000+v.rng.Int64N(1e15)),
		}
	}
	var mentions []string
	for n := []int{0, 0, 0, 0, 1, 1, 2}[v.rng.IntN(7)]; n > 0; n-- {
		mentions = append(mentions, handles[v.rng.IntN(len(handles))])
	}
	var visibility string
	switch {
	case r < 60:
		visibility = "public"
	case r < 80:
		visibility = "unlisted"
	case r < 90:
		visibility = "private"
	default:
		visibility = "direct"
		if len(mentions) == 0 {
			mentions = append(mentions, handles[v.rng.IntN(len(handles))])
		}
	}
	var mentioned []string
	for _, m := range mentions {
		mentioned = append(mentioned, actorURI(m))
	}
	var to, cc []string
	switch visibility {
	case "public":
		to, cc = []string{public}, append([]string{self + "/followers"}, mentioned...)
	case "unlisted":
		to, cc = []string{self + "/followers"}, append([]string{public}, mentioned...)
	case "private":
		to, cc = []string{self + "/followers"}, append([]string{}, mentioned...)
	case "direct":
		to, cc = mentioned, []string{}
	}
	var tags []string
	for n := []int{0, 0, 1, 2, 3}[v.rng.IntN(5)]; n > 0; n-- {
		tags = append(tags, v.word())
	}
	content := v.prose(mentions, tags)
	var tagList []apTag
	for _, m := range mentions {
		tagList = append(tagList, apTag{Type: "Mention", Href: actorURI(m), Name: "@" + m})
	}
	for _, t := range tags {
		tagList = append(tagList, apTag{Type: "Hashtag", Href: "https://old.example/tags/" + t, Name: "#" + t})
	}
	if tagList == nil {
		tagList = []apTag{}
	}
	attachments := []apDocument{}
	if v.rng.IntN(4) == 0 {
		for n := 1 + v.rng.IntN(3); n > 0; n-- {
			var alt *string
			if v.rng.IntN(2) == 0 {
				s := v.word() + " " + v.word() + " " + v.word() + " " + v.word()
				alt = &s
			}
			attachments = append(attachments, apDocument{
				Type: "Document", MediaType: "image/jpeg", Name: alt, Blurhash: v.blurhash(),
				URL:        fmt.Sprintf("/media_attachments/files/%03d/%03d/%03d/original/%016x.jpg", 110+v.rng.IntN(3), v.rng.IntN(1000), v.rng.IntN(1000), v.rng.Uint64()),
				FocalPoint: [2]float64{0, 0}, Width: 800 + v.rng.IntN(1200), Height: 600 + v.rng.IntN(900),
			})
		}
	}
	var summary, inReplyTo *string
	if v.rng.IntN(20) == 0 {
		s := v.word() + " " + v.word()
		summary = &s
	}
	if v.rng.IntN(4) == 0 {
		s := fmt.Sprintf("%s/statuses/%d", actorURI(handles[v.rng.IntN(len(handles))]), 110000000000000000+v.rng.Int64N(1e15))
		inReplyTo = &s
	}
	likes, shares := v.rng.IntN(30), v.rng.IntN(8)
	note := apNote{
		ID: id, Type: "Note", Summary: summary, InReplyTo: inReplyTo, Published: when,
		URL: fmt.Sprintf("https://old.example/@alex/%d", 100000000000000000+int64(i)*7919), AttributedTo: self,
		To: to, Cc: cc, Sensitive: summary != nil, AtomURI: id, InReplyToAtomURI: inReplyTo,
		Conversation: fmt.Sprintf("tag:old.example,%s:objectId=%d:objectType=Conversation", when[:10], 5000000+i/3),
		Content:      content, ContentMap: map[string]any{"en": content},
		Attachment: attachments, Tag: tagList,
		Replies: apCollection{ID: id + "/replies", Type: "Collection", First: map[string]any{
			"type": "CollectionPage", "next": id + "/replies?only_other_accounts=true&page=true",
			"partOf": id + "/replies", "items": []string{},
		}},
		Likes:  apCollection{ID: id + "/likes", Type: "Collection", TotalItems: &likes},
		Shares: apCollection{ID: id + "/shares", Type: "Collection", TotalItems: &shares},
	}
	return apActivity{ID: id + "/activity", Type: "Create", Actor: self, Published: when, To: to, Cc: cc, Object: note}
}

// writeOutbox writes the benchmark's outbox.json of the given number of
// items; the same count always writes the same bytes.
func writeOutbox(w io.Writer, toots int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, `{"@context":"https://www.w3.org/ns/activitystreams","id":"outbox.json","type":"OrderedCollection","totalItems":%d,"orderedItems":[`, toots)
	v := newVocab(rand.New(rand.NewChaCha8([32]byte{9})))
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // Mastodon writes the HTML as it is
	for i := 0; i < toots; i++ {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := enc.Encode(v.item(i)); err != nil {
			return err
		}
	}
	bw.WriteString("]}")
	return bw.Flush()
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// outboxSize is the length of writeOutbox's output (a tar header needs it
// up front; the outbox is never held in memory).
func outboxSize(toots int) int64 {
	var c countWriter
	writeOutbox(&c, toots)
	return c.n
}

// outboxReader streams writeOutbox's output.
func outboxReader(toots int) io.Reader {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeOutbox(pw, toots)) }()
	return pr
}

// WriteBigOutbox writes only the benchmark's outbox.json (to compare
// other tools on the same bytes).
func WriteBigOutbox(w io.Writer, o BigOptions) error { return writeOutbox(w, o.Toots) }
