package pages

import (
	"net/http"
	"strings"
	"testing"

	"outbreak/internal/sqlstore"
)

func TestHomePage(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newPages(t, db)
		rec := a.do("GET", "/", nil)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "Residents") || !strings.Contains(body, "/api/openapi.json") {
			t.Fatalf("home page: %d %q", rec.Code, body)
		}
		if rec := a.do("GET", "/nothing-here", nil); rec.Code != http.StatusNotFound {
			t.Fatalf("an unknown page: %d, want 404", rec.Code)
		}
	})
}
