package place

import (
	"math"
	"testing"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

func check(t *testing.T, what any, err error, field string) {
	t.Helper()
	if field == "" && err != nil || field != "" && (!errs.Is(err, errs.Invalid) || errs.FieldOf(err) != field) {
		t.Errorf("%+v: Validate() = %v, want field %q", what, err, field)
	}
}

func TestPlaceValidate(t *testing.T) {
	t.Parallel()
	good := Place{ID: "v1", Name: "Market", Region: "cn.p1", Lat: 23.1, Lon: 113.2, DefaultDwell: record.Duration(30 * time.Minute)}
	for _, tt := range []struct {
		mutate func(*Place)
		field  string
	}{
		{func(*Place) {}, ""},
		{func(p *Place) { p.Name = "" }, "name"},
		{func(p *Place) { p.Region = "" }, "region"},
		{func(p *Place) { p.Lat = 91 }, "lat"},
		{func(p *Place) { p.Lat = math.NaN() }, "lat"},
		{func(p *Place) { p.Lon = -181 }, "lon"},
		{func(p *Place) { p.DefaultDwell = record.Duration(25 * time.Hour) }, "default_dwell"},
	} {
		p := good
		tt.mutate(&p)
		check(t, p, p.Validate(), tt.field)
	}
}

func TestRegionValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		r     Region
		field string
	}{
		{Region{ID: "cn", Name: "China", Kind: Country}, ""},
		{Region{ID: "cn.p1", Name: "P1", Parent: "cn", Kind: Province}, ""},
		{Region{ID: "cn", Name: "China", Parent: "asia", Kind: Country}, "parent"},
		{Region{ID: "cn.p1", Name: "P1", Kind: Province}, "parent"},
		{Region{ID: "cn.p1", Name: "P1", Parent: "cn.p1", Kind: Province}, "parent"},
		{Region{ID: "cn.p1", Name: "P1", Parent: "cn", Kind: "state"}, "kind"},
	} {
		check(t, tt.r, tt.r.Validate(), tt.field)
	}
	city := Region{ID: "c", Name: "C", Parent: "d", Kind: City}
	check(t, city, city.CheckParent(District), "parent")
	check(t, city, city.CheckParent(Province), "")
}

func TestLevelValidate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		l     Level
		field string
	}{
		{Level{Region: "cn", Level: High, From: t0}, ""},
		{Level{Region: "cn", Level: "severe", From: t0}, "level"},
		{Level{Region: "cn", Level: Low}, "from"},
		{Level{Region: "cn", Level: Low, From: t0, To: t0}, "to"},
	} {
		check(t, tt.l, tt.l.Validate(), tt.field)
	}
}
