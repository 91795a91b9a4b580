package risk

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
	"outbreak/internal/trace"
)

// rulesYAML wraps rule lines in a policy; rule lines start on line 3.
func rulesYAML(rules string) string { return "version: 1\nrules:\n" + rules }

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"yaml syntax", "version: 1\nrules: [\n", "policy.yaml:2: did not find expected node content"},
		{"empty", "", "policy.yaml: empty policy"},
		{"not a mapping", "- 1\n", "policy.yaml:1:1: a policy is a mapping"},
		{"no version", "rules: []\n", "policy.yaml:1:1: version: missing"},
		{"wrong version", "version: 2\n", "policy.yaml:1:10: version: must be 1"},
		{"unknown key", "version: 1\nrulez: []\n", `policy.yaml:2:1: unknown key "rulez"`},
		{"duplicate key", "version: 1\nversion: 1\n", `policy.yaml:2:1: duplicate key "version"`},
		{"bad duration", "version: 1\nsettings: {min_stay: 60}\n", `policy.yaml:2:22: settings: min_stay: must be a duration such as 15m or 1h30m, not "60"`},
		{"negative setting", "version: 1\nsettings:\n  before_onset: -1h\n", "policy.yaml:3:17: settings: before_onset: must be zero or more"},
		{"zero overlap", "version: 1\nsettings:\n  min_overlap: 0s\n", "policy.yaml:3:16: settings: min_overlap: must be positive"},
		{"huge setting", "version: 1\nsettings:\n  min_stay: 10000h\n", "policy.yaml:3:13: settings: min_stay: must be at most"},
		{"unknown setting", "version: 1\nsettings:\n  max_overlap: 1h\n", `policy.yaml:3:3: settings: unknown setting "max_overlap"`},
		{"rules not a list", "version: 1\nrules: {}\n", "policy.yaml:2:8: rules: must be a list of rules"},
		{"rule not a mapping", rulesYAML("  - x\n"), "policy.yaml:3:5: rule #1: a rule is a mapping"},
		{"missing id", rulesYAML("  - color: red\n    reason: x\n"), "policy.yaml:3:5: rule #1: id: missing"},
		{"bad id", rulesYAML("  - id: a b\n    color: red\n    reason: x\n"), "policy.yaml:3:9: rule #1: id: must be 1-64 characters"},
		{"reserved id", rulesYAML("  - id: appeal\n    color: red\n    reason: x\n"), `policy.yaml:3:9: rule appeal: id: "appeal" is reserved`},
		{"duplicate id", rulesYAML("  - {id: a, color: red, reason: x}\n  - {id: a, color: red, reason: x}\n"), "policy.yaml:4:10: rule a: id: duplicate rule id"},
		{"missing color", rulesYAML("  - id: a\n    reason: x\n"), "policy.yaml:3:5: rule a: color: missing"},
		{"unknown color", rulesYAML("  - id: a\n    color: orange\n    reason: x\n"), `policy.yaml:4:12: rule a: color: unknown color "orange"`},
		{"unknown rule key", rulesYAML("  - id: a\n    color: red\n    untl: now\n    reason: x\n"), `policy.yaml:5:5: rule a: unknown key "untl"`},
		{"list value", rulesYAML("  - id: a\n    color: red\n    each: [1]\n    reason: x\n"), "policy.yaml:5:11: rule a: each: must be a single value"},
		{"missing reason", rulesYAML("  - id: a\n    color: red\n"), "policy.yaml:3:5: rule a: reason: missing"},
		{"as without each", rulesYAML("  - id: a\n    color: red\n    as: e\n    reason: x\n"), "policy.yaml:5:9: rule a: as: names the elements of each"},
		{"bad as", rulesYAML("  - id: a\n    color: red\n    each: cases\n    as: E\n    reason: x\n"), "policy.yaml:6:9: rule a: as: must be a lower-case name"},
		{"as shadows a variable", rulesYAML("  - id: a\n    color: red\n    each: cases\n    as: now\n    reason: x\n"), `policy.yaml:6:9: rule a: as: "now" is already a variable`},
		{"as is a keyword", rulesYAML("  - id: a\n    color: red\n    each: cases\n    as: in\n    reason: x\n"), `policy.yaml:6:9: rule a: as: "in" cannot be a name`},
		{"each does not parse", rulesYAML("  - id: a\n    color: red\n    each: cases.filter(c,\n    reason: x\n"), "policy.yaml:5:26: rule a: each: Syntax error"},
		{"each unknown variable", rulesYAML("  - id: a\n    color: red\n    each: exposure\n    reason: x\n"), "policy.yaml:5:11: rule a: each: undeclared reference to 'exposure'"},
		{"each unknown field", rulesYAML("  - id: a\n    color: red\n    each: exposures.filter(e, e.degre == 1)\n    reason: x\n"), "policy.yaml:5:32: rule a: each: undefined field 'degre'"},
		{"each not a list", rulesYAML("  - id: a\n    color: red\n    each: size(cases)\n    reason: x\n"), "policy.yaml:5:11: rule a: each: must be a list, not int"},
		{"when not a bool", rulesYAML("  - id: a\n    color: red\n    each: exposures\n    when: it.place\n    reason: x\n"), "policy.yaml:6:11: rule a: when: must be a bool, not string"},
		{"until not a timestamp", rulesYAML("  - id: a\n    color: red\n    each: exposures\n    until: it.degree\n    reason: x\n"), "policy.yaml:6:12: rule a: until: must be a timestamp, not int"},
		{"until names the filter's variable", rulesYAML("  - id: close-contact\n    color: red\n    each: exposures.filter(e, e.degree == 1)\n    until: e.end + duration(\"336h\")\n    reason: x\n"),
			"policy.yaml:6:12: rule close-contact: until: undeclared reference to 'e'"},
		{"error in a quoted expression", rulesYAML("  - id: a\n    color: red\n    each: exposures\n    until: 'it.end + duration(\"1h\") + nope'\n    reason: x\n"),
			"policy.yaml:6:39: rule a: until: undeclared reference to 'nope'"},
		{"error in a literal block", rulesYAML("  - id: a\n    color: red\n    each: exposures\n    when: |\n      it.degree == 1 &&\n        it.plac == 'x'\n    reason: x\n"),
			"policy.yaml:8:11: rule a: when: undefined field 'plac'"},
		{"error in a folded block", rulesYAML("  - id: a\n    color: red\n    each: exposures\n    until: >-\n      it.end +\n      duration(\"1h\") + nope\n    reason: x\n"),
			"policy.yaml:8:24: rule a: until: undeclared reference to 'nope'"},
		{"template does not parse", rulesYAML("  - id: a\n    color: red\n    reason: \"at {{if}}\"\n"), "policy.yaml:5:14: rule a: reason: missing value for if"},
		{"template unknown key", rulesYAML("  - id: a\n    color: red\n    each: exposures\n    reason: \"at {{.plce}}\"\n"), `policy.yaml:6:19: rule a: reason: at <.plce>: map has no entry for key "plce"`},
		{"template unknown function", rulesYAML("  - id: a\n    color: red\n    reason: \"{{upper .rule}}\"\n"), `policy.yaml:5:14: rule a: reason: function "upper" not defined`},
		{"template range", rulesYAML("  - id: a\n    color: red\n    each: declarations\n    reason: \"{{range .symptoms}}{{.}}{{end}}\"\n"), "policy.yaml:6:22: rule a: reason: range is not allowed in a reason"},
		{"template define", rulesYAML("  - id: a\n    color: red\n    reason: '{{define \"x\"}}{{end}}x'\n"), "policy.yaml:5:14: rule a: reason: define and block are not allowed"},
		{"template printf width", rulesYAML("  - id: a\n    color: red\n    reason: '{{printf \"%1000d\" 1}}'\n"), "policy.yaml:5:16: rule a: reason: at <printf \"%1000d\" 1>: error calling printf: printf: widths and precisions above 99"},
		{"costly each", rulesYAML("  - id: a\n    color: red\n    each: exposures.map(a, exposures.map(b, exposures.map(c, 1)))\n    reason: x\n"),
			"policy.yaml:5:11: rule a: each: too costly: up to 12,024,024,012 operations for a resident with 10 cases, 1000 exposures"},
		{"costly when", rulesYAML("  - id: a\n    color: red\n    each: exposures\n    when: exposures.exists(b, stays.exists(s, b.place == s.region))\n    reason: x\n"),
			"policy.yaml:6:11: rule a: when: too costly: up to 1,506,002 operations for each of up to 1,000 elements"},
		{"expression too long", rulesYAML("  - id: a\n    color: red\n    when: \"" + strings.Repeat("true && ", 600) + "true\"\n    reason: x\n"), "rule a: when: expression code point size exceeds limit"},
		{"json", `{"version": 1, "rules": [{"id": "a", "color": "red", "each": "cases.map(c, c.onst)", "reason": "x"}]}`, "policy.yaml:1:77: rule a: each: undefined field 'onst'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("policy.yaml", []byte(tt.src))
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Parse error = %v, want an Invalid error", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("Parse error = %#v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error =\n%v\nwant it to contain\n%s", err, tt.want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	t.Parallel()
	_, err := Parse("big.yaml", make([]byte, maxPolicySize+1))
	if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("Parse error = %v, want too large", err)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	t.Parallel()
	src := rulesYAML("  - id: a\n    color: red\n    each: nope\n    reason: x\n  - id: b\n    color: purple\n    reason: x\n")
	_, err := Parse("p.yaml", []byte(src))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse error = %v, want a *ParseError", err)
	}
	want := []Problem{
		{File: "p.yaml", Line: 8, Col: 12, Rule: "b", Field: "color", Msg: `unknown color "purple" (want green, yellow or red)`},
		{File: "p.yaml", Line: 5, Col: 11, Rule: "a", Field: "each", Msg: "undeclared reference to 'nope'"},
	}
	if diff := cmp.Diff(want, pe.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestParseSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      trace.Rules
	}{
		{"defaults", "version: 1\n", trace.DefaultRules()},
		{"some", "version: 1\nsettings: {min_overlap: 10m, min_stay: 90m}\n", trace.Rules{
			MinOverlap: 10 * time.Minute, DefaultDwell: 30 * time.Minute, BeforeOnset: 48 * time.Hour,
			SecondaryWindow: 72 * time.Hour, MinStay: 90 * time.Minute}},
		{"json", `{"version": 1, "settings": {"before_onset": "24h", "secondary_window": "0s", "default_dwell": "1h"}}`, trace.Rules{
			MinOverlap: 15 * time.Minute, DefaultDwell: time.Hour, BeforeOnset: 24 * time.Hour, MinStay: time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("p.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p.Rules()); diff != "" {
				t.Errorf("Rules (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	t.Parallel()
	p, q := Default(), Default()
	if p.Hash() != q.Hash() || !strings.HasPrefix(p.Hash(), "sha256:") || len(p.Hash()) != len("sha256:")+64 {
		t.Errorf("Hash = %q and %q, want the same sha256 digest", p.Hash(), q.Hash())
	}
	if diff := cmp.Diff(trace.DefaultRules(), p.Rules()); diff != "" {
		t.Errorf("Rules (-want +got):\n%s", diff)
	}
	want := []string{"active-case", "close-contact", "high-risk-stay", "secondary-contact", "medium-risk-stay", "symptoms"}
	if diff := cmp.Diff(want, p.RuleIDs()); diff != "" {
		t.Errorf("RuleIDs (-want +got):\n%s", diff)
	}
	if p.Name() != "default.yaml" || string(p.Source()) != string(DefaultSource()) {
		t.Errorf("Name, Source = %q, %d bytes", p.Name(), len(p.Source()))
	}
	other, err := Parse("default.yaml", append(DefaultSource(), "\n# changed\n"...))
	if err != nil {
		t.Fatal(err)
	}
	if other.Hash() == p.Hash() {
		t.Error("Hash did not change with the text")
	}
}

// TestSkip checks which rules the analysis skips when lists are empty.
func TestSkip(t *testing.T) {
	t.Parallel()
	const (
		c = 1 << kindCase
		e = 1 << kindExposure
		s = 1 << kindStay
		d = 1 << kindDeclaration
		x = 1 << kindTest
	)
	tests := []struct {
		each, when string
		want       []uint8
	}{
		{each: "cases", want: []uint8{c}},
		{each: "exposures.filter(e, e.degree == 1).map(e, e.place)", want: []uint8{e}},
		{each: "declarations.filter(d, !tests.exists(t, t.result == 'negative'))", want: []uint8{d}},
		{each: "exposures.map(e, e.place) + stays.map(s, s.region)", want: []uint8{e | s}},
		{each: "size(tests) > 0 ? cases : []", want: []uint8{c}},
		{each: "[1]"},
		{each: "exposures.all(e, true) ? [] : []", want: []uint8{0}},
		{when: "exposures.exists(e, e.degree == 1)", want: []uint8{e}},
		{when: "size(tests) > 0 && cases.size() != 0", want: []uint8{x, c}},
		{when: "tests.exists(t, true) || stays.exists(s, true)", want: []uint8{x | s}},
		{when: "!exposures.exists(e, true)"},
		{when: "exposures.all(e, e.degree == 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.each+tt.when, func(t *testing.T) {
			t.Parallel()
			rule := "{id: r, color: red, reason: x"
			if tt.each != "" {
				rule += ", each: \"" + tt.each + "\""
			}
			if tt.when != "" {
				rule += ", when: \"" + tt.when + "\""
			}
			p, err := Parse("p.yaml", []byte("{version: 1, rules: ["+rule+"}]}"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p.rules[0].skip); diff != "" {
				t.Errorf("skip (-want +got):\n%s", diff)
			}
		})
	}
}
