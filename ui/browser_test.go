package ui_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/mastomigrate/mastomigrate/migrate"
)

var (
	artifacts        = flag.String("artifacts", "", "keep the browser test's screenshots in this `folder` (default: a temporary one)")
	updateScreenshot = flag.Bool("update-screenshot", false, "rewrite docs/ui-plan.png, the README's picture, from the browser test")
)

// chromium is Debian's headless browser. Without it the browser test
// skips, except in CI (CI=true), where .ci/run installs it and its
// absence is a failure.
func chromium(t *testing.T) string {
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run installs it (apt-get install chromium)")
		}
		t.Skip("chromium is not installed: the browser test needs Debian's chromium package (apt-get install chromium)")
	}
	return path
}

// tab is one headless Chromium tab on the page.
type tab struct {
	t     *testing.T
	ctx   context.Context
	shots string
}

func newTab(t *testing.T) *tab {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	shots := *artifacts
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &tab{t: t, ctx: ctx, shots: shots}
}

func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// until evaluates a JavaScript condition until it holds; it lasts
// through the page's reloads (a Poll would not).
func (b *tab) until(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			html, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
			b.t.Fatalf("waiting for %s (%v):\n%s", what, err, html)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shows waits until the element sel holds text.
func (b *tab) shows(sel, text string) {
	b.t.Helper()
	b.until(fmt.Sprintf("%s to show %q", sel, text), holds(sel, text))
}

// within reports whether sel comes to hold text within d.
func (b *tab) within(d time.Duration, sel, text string) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](holds(sel, text))); err == nil && ok {
			return true
		}
	}
	return false
}

func holds(sel, text string) string {
	q, _ := json.Marshal(sel)
	s, _ := json.Marshal(text)
	return fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.textContent.includes(%s); })()`, q, s)
}

// text is the text of sel, once there.
func (b *tab) text(sel string) string {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	b.until(sel, fmt.Sprintf("!!document.querySelector(%s)", q))
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf("document.querySelector(%s).textContent", q)))
	if err != nil {
		b.t.Fatalf("%s: %v", sel, err)
	}
	return s
}

// shot keeps a screenshot of the whole page as name.png, and checks
// the screen's links look like links.
func (b *tab) shot(name string) {
	b.t.Helper()
	b.linksAreLinks(name)
	b.capture(name, chromedp.FullScreenshot(100))
}

// linksAreLinks fails when a link in the content is dressed as a button:
// a link does not answer Space as a button does, so a keyboard user who
// sees a button would press Space and scroll the page instead.
func (b *tab) linksAreLinks(screen string) {
	b.t.Helper()
	dressed, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("main a"), (a) => [a, getComputedStyle(a)])
		.filter(([a, st]) => st.backgroundColor !== "rgba(0, 0, 0, 0)" || st.borderTopStyle !== "none")
		.map(([a]) => a.textContent.trim())`))
	if err != nil {
		b.t.Fatal(err)
	}
	if len(dressed) > 0 {
		b.t.Errorf("%s: links dressed as buttons: %q", screen, dressed)
	}
}

// phone keeps a screenshot of the page's top at a phone's width.
func (b *tab) phone(name string) {
	b.t.Helper()
	b.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.capture(name, chromedp.CaptureScreenshot())
	b.do("desktop width", chromedp.EmulateViewport(1000, 800))
}

func (b *tab) capture(name string, take chromedp.Action[[]byte]) []byte {
	b.t.Helper()
	// Right after a navigation the page may have no size yet.
	png, err := chromedp.Run(b.ctx, take)
	for try := 0; err != nil && try < 20; try++ {
		time.Sleep(25 * time.Millisecond)
		png, err = chromedp.Run(b.ctx, take)
	}
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return png
}

// TestBrowser does the whole migration in headless Chromium on the
// bundled sample against the fake: the archive's path typed and the
// CSVs uploaded, the plan's numbers, the login through the fake's OAuth
// pages, the run asked, paused with requests in flight, continued, and
// the report. Screenshots of each screen, at desktop and phone width,
// go to -artifacts (or a temporary folder).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test starts Chromium")
	}
	b := newTab(t)
	p := newPage(t)
	want, err := migrate.NewSession(migrate.SessionConfig{Exports: sample}, migrate.Env{}).Plan(t.Context(), quietPerson{})
	if err != nil {
		t.Fatal(err)
	}
	archive, _ := filepath.Abs(sample[0])
	csvs, _ := filepath.Glob(filepath.Join(sample[1], "*.csv"))
	for i := range csvs {
		csvs[i], _ = filepath.Abs(csvs[i])
	}

	// Exports: the key in the address becomes the cookie; a path typed,
	// files chosen (the page's script sends them on).
	b.do("open the page", chromedp.Navigate(p.srv.URL()))
	b.shows("h1", "Your exports")
	b.do("type the archive's path", chromedp.SendKeys(chromedp.CSS("#path"), archive), chromedp.Click(chromedp.CSS("#add-path")))
	b.shows("#export-list", "mastodon-archive.zip")
	// The page's script sends chosen files on: once it has loaded.
	b.until("the page's script", `document.readyState === "complete"`)
	b.do("upload the CSVs", chromedp.SetUploadFiles(chromedp.CSS("#files"), csvs))
	b.shows("#export-list", "following_accounts.csv")
	b.shot("1-exports")
	b.phone("1-exports-phone")

	// Plan, from the files alone: the engine's numbers.
	b.do("plan", chromedp.Click(chromedp.CSS(".next a")))
	b.shows("h1", "The plan")
	if got := b.text(`tr[data-category="follows"] td`); got != fmt.Sprint(want.Importable.Follows) {
		t.Errorf("the plan shows %s follows, the engine plans %d", got, want.Importable.Follows)
	}
	b.shot("2-plan-files")

	// Accounts: the fake's OAuth pages approve at once and send the
	// browser back to the page's callback.
	b.do("accounts", chromedp.Click(chromedp.CSS(".next a")))
	b.do("log in", chromedp.SendKeys(chromedp.CSS("#to-instance"), p.fake.URL), chromedp.Click(chromedp.CSS("#login-to")))
	b.shows("#logged-in", "Logged in as me@new.example")
	b.do("back", chromedp.Click(chromedp.CSS("#back")))
	b.shows("#to", "Migrating to me@new.example")
	b.shot("3-accounts")

	// The plan checked against the new account.
	b.do("plan", chromedp.Click(chromedp.CSS(".next a")))
	b.shows("#plan-table", "Already there")
	// The uploads' random folders do not reorder the screen (nor the
	// README's picture): the sources come by name.
	if got := strings.Split(b.text("#sources"), ", "); !slices.IsSorted(got) || len(got) != len(csvs)+1 {
		t.Errorf("the plan's sources %q: want the %d inputs by name", got, len(csvs)+1)
	}
	b.shot("4-plan")
	if *updateScreenshot {
		// The README's picture: the window's first screenful.
		png := b.capture("4-plan-window", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join("..", "docs", "ui-plan.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.phone("4-plan-phone")

	// Run: asked first; held in flight, paused, continued.
	b.do("run", chromedp.Click(chromedp.CSS(".next a")))
	b.do("start", chromedp.Click(chromedp.CSS("#start")))
	b.shows("#question-text", "changes on me@new.example")
	b.shot("5-run-asked")
	release := p.fake.Hold()
	defer release()
	// The question has the focus: Enter answers it.
	b.until("the question focused", `document.activeElement.id === "confirm-yes"`)
	b.key("say yes", kb.Enter)
	for deadline := time.Now().Add(10 * time.Second); p.fake.InFlight() == 0; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no request in flight to pause")
		}
	}
	// The page redraws its progress part as the run goes on: a click on
	// a part being replaced is lost, so it is clicked until the page says
	// it pauses.
	for try := 0; ; try++ {
		b.shows("#pause", "Pause")
		b.do("pause", chromedp.Click(chromedp.CSS("#pause")))
		if b.within(2*time.Second, "#state", "Pausing") {
			break
		}
		if try == 5 {
			t.Fatal("the page does not pause")
		}
	}
	// From here the page is not loaded again: the run's changes come in
	// place (a mark on the window stays).
	b.mark()
	release()
	b.shows("#state", "Paused")
	// Said by the live region, which stayed in place.
	b.shows("#announce", "Paused")
	b.marked("the pause")
	b.shot("6-run-paused")
	b.phone("6-run-paused-phone")

	// Continued, held until the window is marked: the progress comes in
	// place, from nothing to the engine's counts, then the state and the
	// summary.
	release = p.fake.Hold()
	b.do("continue", chromedp.Click(chromedp.CSS("#continue")))
	b.shows("#state", "Running")
	if got := b.text("#categories"); strings.TrimSpace(got) != "" {
		t.Fatalf("progress before the run went on: %q", got)
	}
	b.mark()
	release()
	b.shows("#state", "complete")
	b.shows("#announce", "complete")
	b.shows("#summary", "follows")
	b.shows(`#categories li[data-cat="follows"] .count`, "5 of 5")
	b.marked("the run's progress")
	b.shot("7-run-done")

	// Report: what did not make it, and the files to retry it with.
	b.do("report", chromedp.Click(chromedp.CSS("#to-report")))
	b.shows("#report", "chris@old.example")
	b.shows("#csv-list", ".csv")
	b.shot("8-report")
	b.phone("8-report-phone")

	if html, _ := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html"))); strings.Contains(html, p.fake.Token) {
		t.Error("the token reached the page")
	}
	t.Logf("screenshots in %s", b.shots)
}

// mark marks the window: a navigation would lose the mark.
func (b *tab) mark() {
	b.t.Helper()
	b.do("mark the window", chromedp.Evaluate[chromedp.Void]("window.mark = 1"))
}

// marked fails when the window lost its mark: the page was loaded again
// while it showed what.
func (b *tab) marked(what string) {
	b.t.Helper()
	if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("window.mark === 1")); err != nil || !ok {
		b.t.Errorf("the page was loaded again for %s (%v), not changed in place", what, err)
	}
}

// key presses keys on the focused element, as a keyboard does.
func (b *tab) key(what, keys string) {
	b.t.Helper()
	b.do(what, chromedp.KeyEvent(keys))
}

// focused is the id (or, without one, the text) of the focused element.
func (b *tab) focused() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { const e = document.activeElement; return e ? (e.id || e.textContent.trim()) : ""; })()`))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// focusInfo is what the focused element shows a person.
type focusInfo struct {
	ID, Name, Outline string
	Visible           bool
}

// tabTo presses Tab until the element with id has the focus, checking
// that each control reached shows it has (a visible outline) and has a
// name a screen reader reads.
func (b *tab) tabTo(id string) {
	b.t.Helper()
	for range 40 {
		b.key("tab", kb.Tab)
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[focusInfo](`(() => {
			const e = document.activeElement, r = e.getBoundingClientRect();
			const named = (e.getAttribute("aria-labelledby") || "").split(" ").map((i) => document.getElementById(i)).filter(Boolean);
			const name = e.getAttribute("aria-label") || (e.labels && e.labels[0] && e.labels[0].textContent) ||
				named.map((n) => n.textContent).join(" ") || e.textContent;
			return {ID: e.id, Name: (name || "").trim(), Outline: getComputedStyle(e).outlineStyle, Visible: r.width > 0 && r.right > 0 && r.bottom > 0};
		})()`))
		if err != nil {
			b.t.Fatal(err)
		}
		if got.Name == "" || got.Outline == "none" || !got.Visible {
			b.t.Errorf("control %q on Tab: name %q, outline %q, visible %v", got.ID, got.Name, got.Outline, got.Visible)
		}
		if got.ID == id {
			return
		}
	}
	b.t.Fatalf("Tab never reached #%s", id)
}

// tabToText presses Tab until a control without an id showing text has
// the focus, checking each control reached as tabTo does.
func (b *tab) tabToText(text string) {
	b.t.Helper()
	for try := 0; b.focused() != text; try++ {
		if try == 20 {
			b.t.Fatalf("Tab never reached %q", text)
		}
		b.tabTo("") // the next control without an id
	}
}

// TestKeyboard drives the page by keyboard alone: Tab reaches every
// control, each shows its focus and has a name; Enter submits, Space
// presses a button; an error lands the focus on the field it is about,
// tied to it for screen readers.
func TestKeyboard(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test starts Chromium")
	}
	b := newTab(t)
	p := newPage(t)
	archive, _ := filepath.Abs(sample[0])

	b.do("open the page", chromedp.Navigate(p.srv.URL()))
	b.shows("h1", "Your exports")
	b.until("the page's script", `document.readyState === "complete"`)
	b.tabTo("")
	if got := b.focused(); got != "Skip to the content" {
		t.Errorf("the first Tab reaches %q, want the skip link", got)
	}
	b.key("skip", kb.Enter)
	b.until("the content focused", `document.activeElement.id === "main"`)

	// Enter on an empty path: the error is by the field, which has the
	// focus and names the error as its description.
	b.tabTo("path")
	b.key("submit the empty path", kb.Enter)
	b.shows("#path-error", "Type the path of a file or folder.")
	b.until("the field with the error focused", `document.activeElement.id === "path"`)
	b.until("the field described by its error", `document.activeElement.getAttribute("aria-describedby") === "path-error"`)
	b.shot("k1-exports-error")
	b.phone("k1-exports-error-phone")

	b.key("type the archive's path", archive+kb.Enter)
	b.shows("#export-list", "mastodon-archive.zip")
	b.tabToText("Remove")
	b.key("Space on Remove", " ")
	b.shows("#export-list", "Nothing yet.")

	// "Next" goes to another screen: a link, followed with Enter.
	b.tabTo("path")
	b.key("type the archive's path again", archive+kb.Enter)
	b.shows("#export-list", "mastodon-archive.zip")
	b.tabToText("Next: the plan")
	b.key("Enter on Next", kb.Enter)
	b.shows("h1", "The plan")
}

// TestRunInPlace: what the engine tells while the run screen is open
// comes in place: a wait, with its end, said by the live region; the
// question asked stays as it is, with the focus on the control it was
// on (and so what was typed).
func TestRunInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test starts Chromium")
	}
	b := newTab(t)
	p := newPage(t)
	p.setUp()
	b.do("open the page", chromedp.Navigate(p.srv.URL()), chromedp.Navigate(p.Base+"/run"))
	b.do("start", chromedp.Click(chromedp.CSS("#start")))
	b.until("the question focused", `document.activeElement.id === "confirm-yes"`)
	b.key("Tab to No", kb.Tab)
	b.do("mark No", chromedp.Evaluate[chromedp.Void](`window.no = document.activeElement`))
	b.mark()

	until := p.clock.Now().Add(5 * time.Minute)
	p.srv.Tell(migrate.Event{Kind: migrate.EventWait, Phase: migrate.PhaseReplay, Until: until, Reason: "the server's rate limit"})
	want := "Waiting for the server's rate limit until " + until.Local().Format("2006-01-02 15:04:05") + "."
	b.shows("#wait", want)
	b.shows("#announce", want)
	b.until("the focus kept on No", `document.activeElement === window.no && document.activeElement.textContent === "No"`)
	b.shows("#question-text", "changes on me@new.example")
	b.marked("the wait")
	b.shot("r1-run-wait")
	b.phone("r1-run-wait-phone")

	// On a phone, scrolled down: the screen changes, the place stays.
	b.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for i := range 12 {
		p.srv.Tell(migrate.Event{Kind: migrate.EventNote, Phase: migrate.PhaseReplay, Message: fmt.Sprintf("note %d", i)})
	}
	b.shows(".notes", "note 11")
	b.do("scroll down", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.documentElement.scrollHeight)`))
	b.until("scrolled", `window.scrollY > 200`)
	at, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`window.scrollY`))
	p.srv.Tell(migrate.Event{Kind: migrate.EventWait, Phase: migrate.PhaseReplay, Until: until.Add(time.Minute), Reason: "the server's rate limit"})
	b.shows("#wait", until.Add(time.Minute).Local().Format("15:04:05"))
	if y, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`window.scrollY`)); err != nil || y != at {
		t.Errorf("scrolled to %d (%v) after a change, was at %d", y, err, at)
	}
	b.marked("the notes and the wait")
}

// TestRunRedrawsPaced: what the server draws (notes, the bytes of a large
// archive read) can change many times a second; the run screen fetches
// its new part at most twice a second, not once after another. The bound
// is taken from the time the events took to send, so a slow machine
// loosens it rather than failing (with a few redraws to spare for the
// question's own); fetching after every change made 52 here.
func TestRunRedrawsPaced(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test starts Chromium")
	}
	b := newTab(t)
	p := newPage(t)
	p.setUp()
	b.do("open the page", chromedp.Navigate(p.srv.URL()), chromedp.Navigate(p.Base+"/run"))
	b.do("start", chromedp.Click(chromedp.CSS("#start")))
	b.until("the question focused", `document.activeElement.id === "confirm-yes"`)
	fetches := func() int {
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](
			`performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname === "/run").length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := fetches()
	began := time.Now()
	const notes = 60
	for i := range notes {
		p.srv.Tell(migrate.Event{Kind: migrate.EventNote, Phase: migrate.PhaseReplay, Message: fmt.Sprintf("note %d", i)})
		time.Sleep(10 * time.Millisecond)
	}
	b.shows(".notes", fmt.Sprintf("note %d", notes-1))
	took := time.Since(began)
	if got, most := fetches()-before, int(took/(500*time.Millisecond))+4; got > most {
		t.Errorf("%d redraws for %d notes in %s, want at most %d", got, notes, took.Round(time.Millisecond), most)
	}
}
