package risk

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWhatIf(t *testing.T) {
	t.Parallel()
	code := func(color string) Code { return Code{Color: color} }
	var a, b WhatIf
	for range 1200 {
		a.Add("north", code(Green), code(Green))
	}
	for range 812 {
		a.Add("north", code(Green), code(Yellow))
	}
	b.Add("south", code(Red), code(Green))
	b.Add("south", code(Green), code(Red))
	b.Add("", code(Yellow), code(Yellow))
	b.Add("north", code(Green), code(Red))
	a.Merge(&b)
	want := Report{Total: 2016, Changed: 815,
		Transitions: []Transition{{Green, Yellow, 812}, {Green, Red, 2}, {Red, Green, 1}},
		Regions: []RegionReport{
			{Region: "north", Total: 2013, Changed: 813, Transitions: []Transition{{Green, Yellow, 812}, {Green, Red, 1}}},
			{Region: "south", Total: 2, Changed: 2, Transitions: []Transition{{Green, Red, 1}, {Red, Green, 1}}},
			{Region: "", Total: 1, Changed: 0, Transitions: []Transition{}},
		}}
	got := a.Report()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Report (-want +got):\n%s", diff)
	}
	var text strings.Builder
	if err := a.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	wantText := `changed 815 of 2,016 codes
  green → yellow  812
  green → red       2
  red → green       1

region  codes  changed
north   2,013      813  green → yellow 812, green → red 1
south       2        2  green → red 1, red → green 1
(none)      1        0
`
	if diff := cmp.Diff(wantText, text.String()); diff != "" {
		t.Errorf("WriteText (-want +got):\n%s", diff)
	}
	js, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(js), `{"total":2016,"changed":815,"transitions":[{"from":"green","to":"yellow","count":812}`) {
		t.Errorf("JSON = %s", js)
	}
}

func TestWhatIfEmpty(t *testing.T) {
	t.Parallel()
	var w WhatIf
	var text strings.Builder
	if err := w.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if text.String() != "changed 0 of 0 codes\n" {
		t.Errorf("WriteText = %q", text.String())
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 12: "12", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
