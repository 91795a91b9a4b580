package pages

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The logistics page in a real headless Chromium, at a phone's viewport
// and a laptop's: the routes and timeline rows are in the DOM, the map has
// a size, the phone does not scroll sideways, and the page logs no errors.

// chromium returns the browser to run. Without one the test skips, except
// under CI=true, where a missing browser is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "chromium not installed: apt-get install chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// pageStats is what the test reads from the DOM after layout.
type pageStats struct {
	Routes        int     `json:"routes"`
	Stops         int     `json:"stops"`
	Rows          int     `json:"rows"`
	Dispatches    int     `json:"dispatches"`
	LeftRows      int     `json:"leftRows"`
	Scripts       int     `json:"scripts"`
	ScrollWidth   float64 `json:"scrollWidth"`
	InnerWidth    float64 `json:"innerWidth"`
	MapWidth      float64 `json:"mapWidth"`
	MapHeight     float64 `json:"mapHeight"`
	MapRight      float64 `json:"mapRight"`
	RowHeight     float64 `json:"rowHeight"`
	EvilAsText    bool    `json:"evilAsText"`
	TimelineWidth float64 `json:"timelineWidth"`
}

const pageStatsJS = `(() => {
	const box = el => el ? el.getBoundingClientRect() : {width: 0, height: 0, right: 0};
	const map = box(document.querySelector("svg.map"));
	const row = box(document.querySelector("svg.timeline g.row"));
	return {
		routes: document.querySelectorAll("svg.map polyline.route").length,
		stops: document.querySelectorAll("svg.map circle.stop").length,
		rows: document.querySelectorAll("svg.timeline g.row").length,
		dispatches: document.querySelectorAll("article.dispatch").length,
		leftRows: document.querySelectorAll("table.left tbody tr").length,
		scripts: document.scripts.length,
		scrollWidth: document.documentElement.scrollWidth,
		innerWidth: window.innerWidth,
		mapWidth: map.width, mapHeight: map.height, mapRight: map.right,
		rowHeight: row.height,
		evilAsText: [...document.querySelectorAll("table.requests td")].some(td => td.textContent.includes(` + "`" + evil + "`" + `)),
		timelineWidth: box(document.querySelector("svg.timeline")).width,
	};
})()`

func TestLogisticsInChromium(t *testing.T) {
	browser := chromium(t)
	in := logisticsInput()
	plan := makeLogisticsPlan(t, in)
	stops := 0
	for _, rt := range plan.Routes {
		stops += len(rt.Stops)
	}
	view := newLogisticsTestView(t, in, plan)
	// The page, and a stand-in for planning that notes the form it got
	// and sends the browser back to the page, as the real handler will.
	planned := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/logistics":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if err := renderLogistics(w, view); err != nil {
				t.Error(err)
			}
		case r.Method == http.MethodPost && r.URL.Path == "/logistics/plans":
			if err := r.ParseForm(); err != nil {
				t.Error(err)
			}
			select {
			case planned <- r.PostForm.Encode():
			default:
			}
			http.Redirect(w, r, "/logistics?plan=p1", http.StatusSeeOther)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	browserCtx := newBrowser(t, browser)

	for _, vp := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{
		{"phone", 390, 844, true},
		{"laptop", 1280, 800, false},
	} {
		t.Run(vp.name, func(t *testing.T) {
			tab, closeTab := chromedp.NewContext(browserCtx)
			defer closeTab()
			problems := listenForProblems(t, tab)

			var emulate []chromedp.EmulateViewportOption
			if vp.mobile {
				emulate = append(emulate, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
			}
			if err := chromedp.Do(tab,
				chromedp.EmulateViewport(vp.width, vp.height, emulate...),
				chromedp.Navigate(srv.URL+"/logistics"),
				chromedp.WaitVisible(chromedp.CSS("svg.map")),
			); err != nil {
				t.Fatal(err)
			}
			st, err := chromedp.Run(tab, chromedp.Evaluate[pageStats](pageStatsJS))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %+v", vp.name, st)

			if st.Routes != len(plan.Routes) || st.Rows != len(plan.Routes) || st.Dispatches != len(plan.Routes) {
				t.Errorf("%d route polylines, %d timeline rows and %d dispatch lists; want %d of each",
					st.Routes, st.Rows, st.Dispatches, len(plan.Routes))
			}
			if st.Stops != stops {
				t.Errorf("%d stops on the map, want %d", st.Stops, stops)
			}
			if st.LeftRows != len(plan.Left) {
				t.Errorf("%d requests left listed, want %d", st.LeftRows, len(plan.Left))
			}
			if st.MapWidth <= 0 || st.MapHeight <= 0 || st.RowHeight <= 0 {
				t.Errorf("the map is %v×%v and a timeline row %v high", st.MapWidth, st.MapHeight, st.RowHeight)
			}
			if st.MapRight > st.InnerWidth {
				t.Errorf("the map ends at %v, past the viewport's %v", st.MapRight, st.InnerWidth)
			}
			// A mobile browser zooms out to fit a page that is too wide,
			// which widens innerWidth: so compare with the device too.
			if st.ScrollWidth > st.InnerWidth || st.ScrollWidth > float64(vp.width) {
				t.Errorf("the page is %v px wide in a %v px viewport (innerWidth %v): it scrolls sideways",
					st.ScrollWidth, vp.width, st.InnerWidth)
			}
			if st.Scripts != 1 || !st.EvilAsText {
				t.Errorf("%d scripts on the page, site name shown as text: %v", st.Scripts, st.EvilAsText)
			}

			png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			// The test's temporary directory goes when it ends; name one
			// in OUTBREAK_SCREENSHOTS to keep the screenshots.
			dir := os.Getenv("OUTBREAK_SCREENSHOTS")
			if dir == "" {
				dir = t.TempDir()
			}
			shot := filepath.Join(dir, fmt.Sprintf("logistics-%dx%d.png", vp.width, vp.height))
			if err := os.WriteFile(shot, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", shot)

			// The planning form posts the day and the time limit, with the
			// script that marks the button busy running along.
			if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`form[action="/logistics/plans"] button`))); err != nil {
				t.Fatal(err)
			}
			select {
			case form := <-planned:
				if form != "date=2026-11-25&time_limit=5s" {
					t.Errorf("the planning form sent %s", form)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("pressing Plan the day sent nothing")
			}
			if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS("svg.map"))); err != nil {
				t.Fatal(err)
			}

			// The listener hears the page: a probe error is the only one.
			if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](`console.error("probe")`)); err != nil {
				t.Fatal(err)
			}
			if got := problems(); len(got) != 1 || !strings.Contains(got[0], "probe") {
				t.Errorf("console errors and exceptions: %q (the last should be the probe alone)", got)
			}
		})
	}
}

// listenForProblems collects the console errors, uncaught exceptions and
// browser log errors (a failed load, say) of a tab; the func it returns
// gives those seen so far.
func listenForProblems(t *testing.T, tab context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	add := func(s string) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
	}
	err := chromedp.Listen(tab, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, cmp.Or(a.Description, string(a.Value)))
				}
				add("console." + string(ev.Type) + ": " + strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			add(fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				add(fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// newBrowser starts headless Chromium for the test, with the flags this
// machine's closed network needs, and stops it when the test ends. Tabs
// are chromedp.NewContext of the context it returns.
func newBrowser(t *testing.T, browser string) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	// The allocator gives the browser a fresh user data directory of its
	// own and removes it when the browser has exited.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	return browserCtx
}
