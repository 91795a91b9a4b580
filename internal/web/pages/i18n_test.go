package pages

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/sqlstore"
	"outbreak/internal/supply"
)

// fmtVerb matches a verb of a fmt format, with its explicit argument
// index if it has one.
var fmtVerb = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)

// verbsByArg returns the verb that formats each argument of a message.
func verbsByArg(msg string) map[int]string {
	out := map[int]string{}
	next := 1
	for _, m := range fmtVerb.FindAllStringSubmatch(msg, -1) {
		if m[2] == "%" {
			continue
		}
		arg := next
		if m[1] != "" {
			arg, _ = strconv.Atoi(m[1])
		}
		out[arg] = m[2]
		next = arg + 1
	}
	return out
}

// Every key is in both languages, and takes the same arguments in both.
func TestCatalogsComplete(t *testing.T) {
	t.Parallel()
	for _, c := range catalogs {
		for key := range english.msgs {
			if _, ok := c.msgs[key]; !ok {
				t.Errorf("%s lacks %q", c.Param, key)
			}
		}
		for key, msg := range c.msgs {
			en, ok := english.msgs[key]
			if !ok {
				t.Errorf("%s has %q, which English lacks", c.Param, key)
				continue
			}
			if diff := cmp.Diff(verbsByArg(en), verbsByArg(msg)); diff != "" {
				t.Errorf("%s %q takes other arguments than in English (-en +%s):\n%s", c.Param, key, c.Param, diff)
			}
		}
	}
	// A Chinese message that reads as the English one was forgotten,
	// unless it is a name or has no words.
	same := []string{"home.title", "lg.load_part"}
	for key, msg := range chinese.msgs {
		if msg == english.msgs[key] && !slices.Contains(same, key) {
			t.Errorf("zh %q is the English %q", key, msg)
		}
	}
}

// catalogKey matches a key written in the code or a template.
var catalogKey = regexp.MustCompile(`"((?:home|lg|punct)\.[a-z0-9_.]+)"`)

// The keys the code and the templates use are in the catalogue, and the
// catalogue holds no others; the keys of the domain's enumerations match
// the values of those enumerations.
func TestCatalogKeysUsed(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	html, _ := filepath.Glob(filepath.Join("templates", "*.html"))
	used := map[string]bool{}
	for _, f := range append(files, html...) {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "i18n_") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range catalogKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for key := range used {
		_, ok := english.msgs[key]
		_, one := english.msgs[key+".one"]
		_, other := english.msgs[key+".other"]
		if !ok && !(one && other) {
			t.Errorf("%q is used but not in the catalogue", key)
		}
	}
	enums := map[string][]string{
		"kind.":           {supply.VaccinationPoint, supply.Hospital, supply.Household, supply.OtherSite},
		"class.":          supply.Classes[:],
		"plan_status.":    {supply.Draft, supply.PlanDispatched},
		"request_status.": {supply.Open, supply.Dispatched, supply.Delivered, supply.Cancelled},
	}
	inEnum := map[string]bool{}
	for prefix, values := range enums {
		for _, v := range values {
			inEnum[prefix+v] = true
			if _, ok := english.msgs[prefix+v]; !ok {
				t.Errorf("the catalogue lacks %q", prefix+v)
			}
		}
	}
	for key := range english.msgs {
		base := strings.TrimSuffix(strings.TrimSuffix(key, ".one"), ".other")
		if !used[key] && !used[base] && !inEnum[key] {
			t.Errorf("%q is in the catalogue but used nowhere", key)
		}
	}
}

func TestPageLang(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, query, form, accept string
		want, param               string
	}{
		{"nothing", "", "", "", "en", ""},
		{"zh", "", "", "zh", "zh", ""},
		{"zh-CN", "", "", "zh-CN,zh;q=0.9,en;q=0.8", "zh", ""},
		{"zh-Hans", "", "", "zh-Hans", "zh", ""},
		{"zh-TW reads simplified rather than English", "", "", "zh-TW", "zh", ""},
		{"English first", "", "", "en-US,en;q=0.9,zh;q=0.5", "en", ""},
		{"French, then Chinese", "", "", "fr-FR,zh;q=0.8", "zh", ""},
		{"French only", "", "", "fr", "en", ""},
		{"a malformed header", "", "", "!!!", "en", ""},
		{"the parameter wins", "lang=en", "", "zh-CN", "en", "en"},
		{"the parameter chooses Chinese", "lang=zh&date=2026-11-02", "", "en", "zh", "zh"},
		{"an unknown parameter is left out", "lang=fr", "", "zh", "zh", ""},
		{"the form's field", "", "lang=zh", "", "zh", "zh"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/logistics/plans?"+tt.query, strings.NewReader(tt.form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Accept-Language", tt.accept)
			if err := r.ParseForm(); err != nil {
				t.Fatal(err)
			}
			c, param := pageLang(r)
			if c.Param != tt.want || param != tt.param {
				t.Errorf("got %s, carrying %q; want %s, carrying %q", c.Param, param, tt.want, tt.param)
			}
		})
	}
}

func TestLogisticsPageInChinese(t *testing.T) {
	t.Parallel()
	in := logisticsInput()
	plan := makeLogisticsPlan(t, in)
	v := newLogisticsTestView(t, in, plan)
	v.Lang, v.LangParam, v.Query = chinese, "zh", url.Values{"plan": {"p1"}, "lang": {"zh"}}
	page := renderLogisticsString(t, v)
	doc := parsePage(t, page)
	text := doc.text()
	for _, want := range []string{`<html lang="zh-Hans">`, "<title>物流 2026-11-25 · Outbreak</title>", "配送单", "库存", "剩余请求", "冷冻", "已过期"} {
		if !strings.Contains(page, want) {
			t.Errorf("the Chinese page lacks %q", want)
		}
	}
	// No English the catalogue holds is left on the page, in its text or
	// in its labels; data (site and item names) and the domain's reasons
	// stay as they are.
	for _, style := range doc.all("style", "") {
		text = strings.ReplaceAll(text, style.text(), "")
	}
	text = strings.ReplaceAll(text, in.Depots[0].Name, "")
	for _, label := range doc.all("svg", "") {
		text += "\n" + label.attr["aria-label"]
	}
	for _, f := range doc.all("form", "") {
		text += "\n" + f.attr["data-busy"]
	}
	for key, msg := range english.msgs {
		if strings.HasPrefix(key, "lg.") && !strings.Contains(msg, "%") && len(msg) > 3 && chinese.msgs[key] != msg &&
			strings.Contains(text, msg) {
			t.Errorf("the Chinese page says %q (%s)", msg, key)
		}
	}
	// The chosen language goes along with every form and every link to a
	// plan; the switch leads to the same plan in English.
	if n := len(doc.all("form", "")); n != 3 || strings.Count(page, `<input type="hidden" name="lang" value="zh">`) != n {
		t.Errorf("%d forms, not each with the language", n)
	}
	for _, a := range doc.all("a", "") {
		href := a.attr["href"]
		switch {
		case strings.Contains(a.attr["class"], "lang"):
			if href != "/logistics?lang=en&plan=p1" || a.text() != "English" || a.attr["lang"] != "en" {
				t.Errorf("the switch link: %v %q", a.attr, a.text())
			}
		case !strings.HasSuffix(href, "&lang=zh"):
			t.Errorf("a link without the language: %s", href)
		}
	}
}

// The page chooses its language by parameter or header, keeps a chosen
// one across its forms' redirects, and writes its own notices and errors
// in it.
func TestLogisticsLanguageServed(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newPages(t, db)
		a.seedSupply()
		for _, tt := range []struct{ path, accept, lang string }{
			{"/logistics?date=2026-11-02", "", "en"},
			{"/logistics?date=2026-11-02", "zh-CN,zh;q=0.9", "zh-Hans"},
			{"/logistics?date=2026-11-02&lang=zh", "en-GB", "zh-Hans"},
			{"/logistics?date=2026-11-02&lang=en", "zh", "en"},
			{"/", "zh", "zh-Hans"},
			{"/?lang=zh", "", "zh-Hans"},
			{"/", "", "en"},
		} {
			rec := a.do("GET", tt.path, nil, "Accept-Language", tt.accept)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, `<html lang="`+tt.lang+`">`) ||
				rec.Header().Get("Content-Language") != tt.lang || !slices.Contains(rec.Header().Values("Vary"), "Accept-Language") {
				t.Errorf("%s with Accept-Language %q: %d, headers %v, want %s", tt.path, tt.accept, rec.Code, rec.Header(), tt.lang)
			}
		}
		home := a.do("GET", "/?lang=zh", nil).Body.String()
		if !strings.Contains(home, "居民") || !strings.Contains(home, `href="/logistics?lang=zh"`) || !strings.Contains(home, `href="/?lang=en"`) {
			t.Errorf("the Chinese home page:\n%s", home)
		}

		rec := a.form("/logistics/plans", url.Values{"date": {"2026-11-02"}, "time_limit": {"1s"}, "lang": {"zh"}})
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusSeeOther || !strings.HasSuffix(loc, "&notice=planned&lang=zh") {
			t.Fatalf("planning in Chinese answered %d, Location %q", rec.Code, loc)
		}
		if shown := a.do("GET", loc, nil).Body.String(); !strings.Contains(shown, chinese.T("lg.notice_planned")) {
			t.Errorf("the plan's page lacks the Chinese notice")
		}
		id := strings.TrimSuffix(strings.TrimPrefix(loc, "/logistics?plan="), "&notice=planned&lang=zh")
		rec = a.form("/logistics/plans/"+id+"/dispatch", url.Values{"lang": {"zh"}})
		if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasSuffix(loc, "&notice=dispatched&lang=zh") {
			t.Errorf("dispatching in Chinese answered %d, Location %q", rec.Code, loc)
		}
		// A failed action's page is in the form's language, with the
		// domain's message as it is.
		bad := a.form("/logistics/plans", url.Values{"date": {"2026-11-02"}, "time_limit": {"forever"}, "lang": {"zh"}})
		if body := bad.Body.String(); bad.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `<html lang="zh-Hans">`) ||
			!strings.Contains(body, `href="/logistics?date=2026-11-02&amp;lang=en"`) {
			t.Errorf("a bad time limit in Chinese: %d\n%s", bad.Code, body)
		}
		if body := a.do("GET", "/logistics?plan=nope&lang=zh", nil).Body.String(); !strings.Contains(body, "没有编号为 nope 的计划。") {
			t.Errorf("an unknown plan in Chinese is not told in Chinese")
		}
		if body := a.do("GET", "/logistics?date=soon&lang=zh", nil).Body.String(); !strings.Contains(body, "日期无效：soon。") {
			t.Errorf("a bad date in Chinese is not told in Chinese")
		}
	})
}
