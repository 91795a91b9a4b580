package pages

import (
	"fmt"
	"net/http"
	"net/url"

	"golang.org/x/text/language"
)

// The pages speak English and Simplified Chinese. Every word they show is
// a message in a catalogue, by key, so that a page is written once and a
// language is one map (i18n_en.go, i18n_zh.go). Data (site names, item and
// plan IDs) and the messages of the domain's errors are shown as they are;
// dates and times stay numeric in both languages.

// catalog is the text of the pages in one language. A message used with
// arguments is a fmt format; one that a translation needs to reorder says
// so with explicit argument indexes (%[2]s).
type catalog struct {
	// Param is the language's value of the lang parameter.
	Param string
	// Tag is the language's BCP 47 tag, for the lang attribute of <html>.
	Tag string
	// Name is the language's name in itself, for the link that switches
	// to it.
	Name string
	msgs map[string]string
}

var (
	english = &catalog{Param: "en", Tag: "en", Name: "English", msgs: enMessages}
	chinese = &catalog{Param: "zh", Tag: "zh-Hans", Name: "中文", msgs: zhMessages}
	// catalogs are the languages of the pages, the default first, in the
	// order of langMatcher's tags.
	catalogs    = []*catalog{english, chinese}
	langMatcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})
)

// lookup returns the message of a key, in English when the language lacks
// it.
func (c *catalog) lookup(key string) (string, bool) {
	if c == nil {
		c = english
	}
	if m, ok := c.msgs[key]; ok {
		return m, true
	}
	m, ok := english.msgs[key]
	return m, ok
}

// T returns the message of key, formatted with args when there are any.
// An unknown key is returned as it is, so that a slip shows on the page
// instead of failing it; the catalogue test finds such slips.
func (c *catalog) T(key string, args ...any) string {
	m, ok := c.lookup(key)
	if !ok {
		return key
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// N returns the message of key for a count of n: key+".one" for one and
// key+".other" for any other count, formatted with n.
func (c *catalog) N(key string, n int) string {
	if n == 1 {
		return c.T(key+".one", n)
	}
	return c.T(key+".other", n)
}

// other returns the language a page's switch link leads to.
func (c *catalog) other() *catalog {
	if c == chinese {
		return english
	}
	return chinese
}

// pageLang chooses the language of a page: the lang parameter of the
// request (its query, or its form once parsed) when it is "en" or "zh",
// else the best match of the Accept-Language header, else English. It
// also returns the parameter the page carries along in its links and
// forms: the one chosen, or "" when the header chose, so that the next
// request chooses the same way.
func pageLang(r *http.Request) (*catalog, string) {
	p := r.URL.Query().Get("lang")
	if f := r.PostForm.Get("lang"); f != "" {
		p = f
	}
	for _, c := range catalogs {
		if c.Param == p {
			return c, p
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return english, ""
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No || i < 0 || i >= len(catalogs) {
		return english, ""
	}
	return catalogs[i], ""
}

// setLangHeaders says in the response which language it is in, and that
// the language depends on Accept-Language, for caches.
func setLangHeaders(w http.ResponseWriter, c *catalog) {
	w.Header().Set("Content-Language", c.Tag)
	w.Header().Add("Vary", "Accept-Language")
}

// pageText is what a page's template needs of its language: the messages,
// the lang parameter to carry along and the address of the same page in
// the other language.
type pageText struct {
	cat *catalog
	// Param is the lang parameter the links and forms of the page keep,
	// or "" when the language came from the Accept-Language header.
	Param string
	// SwitchURL is the page, with the same query, in the other language.
	SwitchURL string
}

// newPageText makes the pageText of the page at path with query q, in the
// language c (English when nil).
func newPageText(c *catalog, param, path string, q url.Values) pageText {
	if c == nil {
		c = english
	}
	sw := url.Values{}
	for k, v := range q {
		sw[k] = v
	}
	sw.Set("lang", c.other().Param)
	return pageText{cat: c, Param: param, SwitchURL: path + "?" + sw.Encode()}
}

// T returns a message of the page's language; see catalog.T.
func (t pageText) T(key string, args ...any) string { return t.cat.T(key, args...) }

// N returns a message for a count; see catalog.N.
func (t pageText) N(key string, n int) string { return t.cat.N(key, n) }

// LangTag is the page's language tag, for <html lang>.
func (t pageText) LangTag() string { return t.cat.Tag }

// Other is the language the page's switch link leads to.
func (t pageText) Other() *catalog { return t.cat.other() }

// word returns the message for a value of a domain's enumeration (a kind
// of site, a status, a temperature class), or fallback for a value the
// catalogue does not know.
func (t pageText) word(prefix, value, fallback string) string {
	if m, ok := t.cat.lookup(prefix + value); ok {
		return m
	}
	return fallback
}
