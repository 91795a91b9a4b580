package risk

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cel.dev/cel-go/common/types"

	"outbreak/internal/lab"
	"outbreak/internal/trace"
)

// TestRenderFastPath checks that templates of text and {{.key}} actions,
// written without text/template, read the same as through it.
func TestRenderFastPath(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name, each, reason, want string
		elem                     func(ts [numKinds]*objType) *object
		value                    any
	}{
		{
			name: "exposure", each: "exposures", reason: "{{.place}} degree {{.degree}} via {{.via}} from {{.start}} ({{.date}}, {{.rule}}/{{.color}}) for {{.person}}",
			want: "cafe degree 2 via d from 2026-11-20 09:30:00 +0000 UTC (2026-11-20, r/yellow) for p",
			elem: func(ts [numKinds]*objType) *object {
				return &object{typ: ts[kindExposure], ptr: &trace.Exposure{Person: "p", Degree: 2, Via: "d", Place: "cafe", Start: at, End: at}}
			},
		},
		{
			name: "declaration", each: "declarations", reason: "{{.symptoms}} until {{.until}}",
			want: "[fever cough] until 2026-11-27 09:30:00 +0000 UTC",
			elem: func(ts [numKinds]*objType) *object {
				return &object{typ: ts[kindDeclaration], ptr: &lab.Declaration{DeclaredAt: at, Symptoms: []string{"fever", "cough"}}}
			},
		},
		{name: "value", each: "exposures.map(e, e.place)", reason: "at {{.value}} {{.nope}}", want: "at gym <no value>", value: "gym"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("p.yaml", []byte(`{version: 1, rules: [{id: r, color: yellow, each: "`+tt.each+`", reason: "`+tt.reason+`"}]}`))
			if err != nil {
				t.Fatal(err)
			}
			rt := p.rules[0].reason
			if rt.parts == nil {
				t.Fatal("no fast form")
			}
			var obj *object
			if tt.elem != nil {
				obj = tt.elem(p.types)
			}
			rs := &Reason{Start: at, Until: at.Add(7 * 24 * time.Hour)}
			if obj != nil {
				obj.typ.evident(obj.ptr, rs)
			}
			var e = types.DefaultTypeAdapter.NativeToValue(tt.value)
			if obj != nil {
				e = obj
			}
			for _, slow := range []bool{false, true} {
				got, err := rt.render(obj, e, rs, "p", at, slow)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("render(slow=%v) (-want +got):\n%s", slow, diff)
				}
			}
		})
	}
}

func TestUsedKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reason string
		want   []string // nil: every key
	}{
		{"at {{.place}} on {{.date}}", []string{"date", "place"}},
		{"{{if .via}}via {{.via}}{{else}}{{date $.start}}{{end}}", []string{"start", "via"}},
		{"{{with .until}}{{.Year}}{{end}}", []string{"Year", "until"}},
		{"{{printf \"%v\" .}}", nil},
		{"{{$x := .place}}{{$x}}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("p.yaml", []byte("{version: 1, rules: [{id: r, color: red, each: exposures, reason: '"+tt.reason+"'}]}"))
			if err != nil {
				t.Fatal(err)
			}
			got := p.rules[0].reason.keys
			if got != nil {
				got = sortedCopy(got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}
