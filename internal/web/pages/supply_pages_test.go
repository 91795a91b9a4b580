package pages

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"outbreak/internal/sqlstore"
)

func TestLogisticsActions(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newPages(t, db)
		a.seedSupply()
		page := a.do("GET", "/logistics?date=2026-11-02", nil)
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "Home of r1") {
			t.Fatalf("the day's page: %d, requests listed: %v", page.Code, strings.Contains(page.Body.String(), "Home of r1"))
		}

		// Without a date, the page shows the first day with open requests.
		if first := a.do("GET", "/logistics", nil).Body.String(); !strings.Contains(first, `name="date" value="2026-11-02"`) {
			t.Errorf("the page does not default to the day of the open requests")
		}

		rec := a.form("/logistics/plans", url.Values{"date": {"2026-11-02"}, "time_limit": {"1s"}})
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/logistics?plan=") {
			t.Fatalf("planning answered %d, Location %q: %s", rec.Code, loc, rec.Body)
		}
		id := strings.TrimSuffix(strings.TrimPrefix(loc, "/logistics?plan="), "&notice=planned")
		shown := a.do("GET", loc, nil).Body.String()
		if !strings.Contains(shown, id) || !strings.Contains(shown, "Planned.") || !strings.Contains(shown, `class="route"`) {
			t.Errorf("the plan's page lacks its ID, the notice or a route")
		}
		// The day's page shows the day's newest plan.
		if day := a.do("GET", "/logistics?date=2026-11-02", nil).Body.String(); !strings.Contains(day, "/logistics/plans/"+id+"/dispatch") {
			t.Errorf("the day's page does not offer to dispatch its draft %s", id)
		}

		rec = a.form("/logistics/plans/"+id+"/dispatch", nil)
		if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "notice=dispatched") {
			t.Fatalf("dispatching answered %d: %s", rec.Code, rec.Body)
		}
		again := a.form("/logistics/plans/"+id+"/dispatch", nil)
		if again.Code != http.StatusConflict || !strings.Contains(again.Body.String(), `class="error"`) {
			t.Errorf("a second dispatch answered %d without the error on the page", again.Code)
		}

		for _, tt := range []struct {
			name   string
			values url.Values
			status int
		}{
			{"a bad date", url.Values{"date": {"tomorrow"}}, http.StatusUnprocessableEntity},
			{"a bad time limit", url.Values{"date": {"2026-11-02"}, "time_limit": {"forever"}}, http.StatusUnprocessableEntity},
		} {
			rec := a.form("/logistics/plans", tt.values)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), `class="error"`) {
				t.Errorf("%s: %d, want %d with the error on the page", tt.name, rec.Code, tt.status)
			}
		}
		if rec := a.do("GET", "/logistics?plan=nope", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "There is no plan nope") {
			t.Errorf("an unknown plan: %d", rec.Code)
		}
	})
}

// browserWalk is a tab of headless Chromium on the pages, served over HTTP
// from a real store that holds seedSupply's records.
type browserWalk struct {
	t        *testing.T
	api      *pageTest
	tab      context.Context
	problems func() []string
}

// planInBrowser opens the logistics page at query on a phone's screen,
// plans the day with a one-second search, and waits for the plan's page.
func planInBrowser(t *testing.T, query string) *browserWalk {
	t.Helper()
	browser := chromium(t)
	a := newPages(t, openSQLite(t))
	a.seedSupply()
	srv := httptest.NewServer(a.h)
	t.Cleanup(srv.Close)
	tab, closeTab := chromedp.NewContext(newBrowser(t, browser))
	t.Cleanup(closeTab)
	w := &browserWalk{t: t, api: a, tab: tab, problems: listenForProblems(t, tab)}
	if err := chromedp.Do(tab,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(srv.URL+"/logistics?"+query),
		chromedp.WaitVisible(chromedp.CSS("svg.map")),
		chromedp.SetValue(chromedp.CSS(`select[name="time_limit"]`), "1s"),
		chromedp.Click(chromedp.CSS(`form[action="/logistics/plans"] button`)),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	); err != nil {
		t.Fatal(err)
	}
	return w
}

// read evaluates a JavaScript expression of string value in the tab.
func (w *browserWalk) read(js string) string {
	w.t.Helper()
	v, err := chromedp.Run(w.tab, chromedp.Evaluate[string](js))
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

// TestLogisticsWalkInChromium walks the page in a real browser against the
// real handlers and store: it opens the day, plans it, and dispatches the
// plan.
func TestLogisticsWalkInChromium(t *testing.T) {
	w := planInBrowser(t, "date=2026-11-02")
	routes := w.read(`String(document.querySelectorAll("svg.map polyline.route").length)`)
	notice, path := w.read(`document.querySelector("p.notice").textContent`), w.read(`location.pathname + location.search`)
	if routes == "0" || !strings.HasPrefix(notice, "Planned") || !strings.HasPrefix(path, "/logistics?plan=") {
		t.Fatalf("after planning: %s routes drawn, notice %q, at %s", routes, notice, path)
	}
	if err := chromedp.Do(w.tab,
		chromedp.Click(chromedp.CSS(`form[action$="/dispatch"] button`)),
		// The dispatched plan's page offers no dispatch.
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/dispatch"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if notice := w.read(`document.querySelector("p.notice").textContent`); !strings.HasPrefix(notice, "Dispatched") {
		t.Errorf("after dispatching: notice %q", notice)
	}
	food, err := w.api.db.Lot(context.Background(), "food1")
	if err != nil {
		t.Fatal(err)
	}
	if food.Quantity != 7 {
		t.Errorf("food parcels in stock after the dispatch: %d, want 7", food.Quantity)
	}
	if got := w.problems(); len(got) != 0 {
		t.Errorf("console errors and exceptions: %q", got)
	}
}

// TestLogisticsChineseWalkInChromium plans a day on the Chinese page in a
// real browser: after the form's redirect the page is still in Chinese,
// and its switch link leads to the same plan in English.
func TestLogisticsChineseWalkInChromium(t *testing.T) {
	w := planInBrowser(t, "date=2026-11-02&lang=zh")
	lang, h1 := w.read(`document.documentElement.lang`), w.read(`document.querySelector("h1").textContent`)
	notice, path := w.read(`document.querySelector("p.notice").textContent`), w.read(`location.pathname + location.search`)
	if lang != "zh-Hans" || !strings.HasPrefix(h1, "物流") || notice != chinese.T("lg.notice_planned") ||
		!strings.HasPrefix(path, "/logistics?plan=") || !strings.HasSuffix(path, "&lang=zh") {
		t.Fatalf("after planning: lang %q, heading %q, notice %q, at %s", lang, h1, notice, path)
	}
	if err := chromedp.Do(w.tab,
		chromedp.Click(chromedp.CSS("a.lang")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] svg.map`)),
	); err != nil {
		t.Fatal(err)
	}
	if notice, at := w.read(`document.querySelector("p.notice").textContent`), w.read(`location.search`); !strings.HasPrefix(notice, "Planned.") ||
		!strings.Contains(at, "plan="+strings.TrimPrefix(strings.TrimSuffix(path, "&notice=planned&lang=zh"), "/logistics?plan=")) {
		t.Errorf("in English: notice %q, at %s", notice, at)
	}
	if got := w.problems(); len(got) != 0 {
		t.Errorf("console errors and exceptions: %q", got)
	}
}
