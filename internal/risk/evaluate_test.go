package risk

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/lab"
	"outbreak/internal/trace"
)

// now is the instant the tests evaluate at; at(d, h) is d days and h hours
// from it.
func now() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }

func at(d, h int) time.Time {
	return now().Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour)
}

func exposure(degree int, place string, end time.Time) trace.Exposure {
	e := trace.Exposure{Person: "p", CasePerson: "c", Degree: degree, Place: place, Start: end.Add(-time.Hour), End: end}
	if degree == 2 {
		e.Via = "d"
	}
	return e
}

func TestEvaluateDefault(t *testing.T) {
	t.Parallel()
	p := Default()
	closeContact := func(end time.Time) Reason {
		return Reason{Rule: "close-contact", Color: Red, Case: "c", Place: "cafe", Start: end.Add(-time.Hour), End: end,
			Until: end.Add(14 * 24 * time.Hour), Text: "Close contact of a confirmed case at cafe on " + end.Add(-time.Hour).Format("2006-01-02")}
	}
	secondary := func(end time.Time) Reason {
		return Reason{Rule: "secondary-contact", Color: Yellow, Case: "c", Via: "d", Place: "bar", Start: end.Add(-time.Hour), End: end,
			Until: end.Add(7 * 24 * time.Hour), Text: "Contact of a close contact at bar on " + end.Add(-time.Hour).Format("2006-01-02")}
	}
	symptoms := func(at time.Time) Reason {
		return Reason{Rule: "symptoms", Color: Yellow, Start: at, Until: at.Add(7 * 24 * time.Hour),
			Text: "Symptoms declared on " + at.Format("2006-01-02") + ": fever, cough"}
	}
	declared := func(at time.Time, symptoms ...string) lab.Declaration {
		return lab.Declaration{Person: "p", DeclaredAt: at, Symptoms: symptoms}
	}
	test := func(at time.Time, result string) lab.Result {
		return lab.Result{Person: "p", SpecimenAt: at, Result: result, TestType: "pcr"}
	}
	appeal := func(color string, expires time.Time) Appeal {
		return Appeal{ID: "a1", Color: color, Approved: at(-1, 0), Expires: expires}
	}
	appealReason := func(color string, expires time.Time) Reason {
		return Reason{Rule: AppealRule, Color: color, Appeal: "a1", Start: at(-1, 0), End: expires, Until: expires,
			Text: "Appeal a1 approved: " + color + " until " + expires.Format("2006-01-02 15:04 UTC")}
	}
	stay := func(level string, stayEnd time.Time) trace.RegionStay {
		s := trace.RegionStay{Person: "p", Region: "north", Level: level, Start: at(-3, 0), End: at(-2, 0), StayEnd: stayEnd}
		if stayEnd.IsZero() {
			s.End = now()
		}
		return s
	}
	tests := []struct {
		name  string
		facts Facts
		want  Code
	}{
		{name: "no facts", want: Code{Color: Green, Reasons: []Reason{}}},
		{
			name:  "active case, release unknown",
			facts: Facts{Cases: []cases.Case{{ID: "k1", Person: "p", Onset: at(-3, 0), Isolated: at(-2, 0)}}},
			want: Code{Color: Red, Reasons: []Reason{{Rule: "active-case", Color: Red, Case: "k1", Start: at(-3, 0),
				Text: "Confirmed case (onset 2026-11-17), not released from isolation"}}},
		},
		{
			name:  "case released",
			facts: Facts{Cases: []cases.Case{{ID: "k1", Person: "p", Onset: at(-20, 0), Isolated: at(-19, 0), Released: at(-1, 0)}}},
			want:  Code{Color: Green, Reasons: []Reason{}},
		},
		{
			name:  "case released later (a time the caller did not blank)",
			facts: Facts{Cases: []cases.Case{{Person: "p", Onset: at(-3, 0), Isolated: at(-2, 0), Released: at(2, 0)}}},
			want: Code{Color: Red, ValidUntil: at(2, 0), Reasons: []Reason{{Rule: "active-case", Color: Red, Case: "p",
				Start: at(-3, 0), End: at(2, 0), Until: at(2, 0), Text: "Confirmed case (onset 2026-11-17), not released from isolation"}}},
		},
		{
			name:  "close contact",
			facts: Facts{Exposures: []trace.Exposure{exposure(1, "cafe", at(-13, 0))}},
			want:  Code{Color: Red, ValidUntil: at(1, 0), Reasons: []Reason{closeContact(at(-13, 0))}},
		},
		{
			name:  "close contact ending exactly now does not count",
			facts: Facts{Exposures: []trace.Exposure{exposure(1, "cafe", at(-14, 0))}},
			want:  Code{Color: Green, Reasons: []Reason{}},
		},
		{
			name:  "two red reasons: valid until the later",
			facts: Facts{Exposures: []trace.Exposure{exposure(1, "cafe", at(-10, 0)), exposure(1, "cafe", at(-13, 0))}},
			want:  Code{Color: Red, ValidUntil: at(4, 0), Reasons: []Reason{closeContact(at(-13, 0)), closeContact(at(-10, 0))}},
		},
		{
			name:  "red then yellow: valid until red ends",
			facts: Facts{Exposures: []trace.Exposure{exposure(2, "bar", at(-2, 0)), exposure(1, "cafe", at(-13, 0))}},
			want:  Code{Color: Red, ValidUntil: at(1, 0), Reasons: []Reason{closeContact(at(-13, 0)), secondary(at(-2, 0))}},
		},
		{
			name:  "secondary contact",
			facts: Facts{Exposures: []trace.Exposure{exposure(2, "bar", at(-2, 0))}},
			want:  Code{Color: Yellow, ValidUntil: at(5, 0), Reasons: []Reason{secondary(at(-2, 0))}},
		},
		{
			name:  "high-risk stay that ended",
			facts: Facts{Stays: []trace.RegionStay{stay("high", at(-1, 0))}},
			want: Code{Color: Red, ValidUntil: at(13, 0), Reasons: []Reason{{Rule: "high-risk-stay", Color: Red, Region: "north",
				Start: at(-3, 0), End: at(-2, 0), Until: at(13, 0), Text: "Stay in high-risk region north from 2026-11-17"}}},
		},
		{
			name:  "high-risk stay still lasting: red, looked at again in 14 days",
			facts: Facts{Stays: []trace.RegionStay{stay("high", time.Time{})}},
			want: Code{Color: Red, ValidUntil: at(14, 0), Reasons: []Reason{{Rule: "high-risk-stay", Color: Red, Region: "north",
				Start: at(-3, 0), End: now(), Until: at(14, 0), Text: "Stay in high-risk region north from 2026-11-17"}}},
		},
		{
			name:  "medium-risk stay",
			facts: Facts{Stays: []trace.RegionStay{stay("medium", at(-1, 0))}},
			want: Code{Color: Yellow, ValidUntil: at(6, 0), Reasons: []Reason{{Rule: "medium-risk-stay", Color: Yellow, Region: "north",
				Start: at(-3, 0), End: at(-2, 0), Until: at(6, 0), Text: "Stay in medium-risk region north from 2026-11-17"}}},
		},
		{
			name:  "symptoms",
			facts: Facts{Declarations: []lab.Declaration{declared(at(-1, 0), "fever", "cough")}},
			want:  Code{Color: Yellow, ValidUntil: at(6, 0), Reasons: []Reason{symptoms(at(-1, 0))}},
		},
		{
			name:  "symptoms cleared by a later negative test",
			facts: Facts{Declarations: []lab.Declaration{declared(at(-1, 0), "fever", "cough")}, Tests: []lab.Result{test(at(0, -2), lab.Negative)}},
			want:  Code{Color: Green, Reasons: []Reason{}},
		},
		{
			name:  "symptoms not cleared by an earlier negative test",
			facts: Facts{Declarations: []lab.Declaration{declared(at(-1, 0), "fever", "cough")}, Tests: []lab.Result{test(at(-2, 0), lab.Negative)}},
			want:  Code{Color: Yellow, ValidUntil: at(6, 0), Reasons: []Reason{symptoms(at(-1, 0))}},
		},
		{
			name:  "symptoms not cleared by a later positive test",
			facts: Facts{Declarations: []lab.Declaration{declared(at(-1, 0), "fever", "cough")}, Tests: []lab.Result{test(at(0, -2), lab.Positive)}},
			want:  Code{Color: Yellow, ValidUntil: at(6, 0), Reasons: []Reason{symptoms(at(-1, 0))}},
		},
		{
			name:  "latest declaration without symptoms clears an older one",
			facts: Facts{Declarations: []lab.Declaration{declared(at(-2, 0), "fever", "cough"), declared(at(-1, 0))}},
			want:  Code{Color: Green, Reasons: []Reason{}},
		},
		{
			name:  "symptoms declared a week ago have ended",
			facts: Facts{Declarations: []lab.Declaration{declared(at(-7, 0), "fever", "cough")}},
			want:  Code{Color: Green, Reasons: []Reason{}},
		},
		{
			name:  "appeal overrides red to green until it expires",
			facts: Facts{Exposures: []trace.Exposure{exposure(1, "cafe", at(-4, 0))}, Appeals: []Appeal{appeal(Green, at(3, 0))}},
			want: Code{Color: Green, ValidUntil: at(3, 0),
				Reasons: []Reason{closeContact(at(-4, 0)), appealReason(Green, at(3, 0))}},
		},
		{
			name:  "appeal outlasting the red reason: nothing but new facts changes it",
			facts: Facts{Exposures: []trace.Exposure{exposure(1, "cafe", at(-13, 0))}, Appeals: []Appeal{appeal(Green, at(3, 0))}},
			want:  Code{Color: Green, Reasons: []Reason{closeContact(at(-13, 0)), appealReason(Green, at(3, 0))}},
		},
		{
			name:  "appeal to red on a green resident",
			facts: Facts{Appeals: []Appeal{appeal(Red, at(3, 0))}},
			want:  Code{Color: Red, ValidUntil: at(3, 0), Reasons: []Reason{appealReason(Red, at(3, 0))}},
		},
		{
			name:  "appeal expiring now does not count",
			facts: Facts{Exposures: []trace.Exposure{exposure(1, "cafe", at(-4, 0))}, Appeals: []Appeal{appeal(Green, now())}},
			want:  Code{Color: Red, ValidUntil: at(10, 0), Reasons: []Reason{closeContact(at(-4, 0))}},
		},
		{
			name: "the appeal approved last decides; the other takes over when it expires",
			facts: Facts{Appeals: []Appeal{
				{ID: "a0", Color: Green, Approved: at(-2, 0), Expires: at(10, 0)},
				{ID: "a1", Color: Red, Approved: at(-1, 0), Expires: at(3, 0)},
			}},
			want: Code{Color: Red, ValidUntil: at(3, 0), Reasons: []Reason{appealReason(Red, at(3, 0))}},
		},
		{
			name:  "appeal approved later does not count yet",
			facts: Facts{Appeals: []Appeal{{ID: "a1", Color: Red, Approved: at(1, 0), Expires: at(3, 0)}}},
			want:  Code{Color: Green, Reasons: []Reason{}},
		},
		{
			name: "every rule at once, sorted worst color first, then by until",
			facts: Facts{
				Cases:        []cases.Case{{ID: "k1", Person: "p", Onset: at(-3, 0)}},
				Exposures:    []trace.Exposure{exposure(2, "bar", at(-2, 0)), exposure(1, "cafe", at(-13, 0))},
				Declarations: []lab.Declaration{declared(at(-1, 0), "fever", "cough")},
			},
			want: Code{Color: Red, Reasons: []Reason{
				closeContact(at(-13, 0)),
				{Rule: "active-case", Color: Red, Case: "k1", Start: at(-3, 0), Text: "Confirmed case (onset 2026-11-17), not released from isolation"},
				secondary(at(-2, 0)),
				symptoms(at(-1, 0)),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := p.Evaluate(&tt.facts, now())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateNilFacts(t *testing.T) {
	t.Parallel()
	got, err := Default().Evaluate(nil, now())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Code{Color: Green, Reasons: []Reason{}}, got); diff != "" {
		t.Errorf("Evaluate(nil) (-want +got):\n%s", diff)
	}
}

func TestEvaluateCustom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		policy  string
		facts   Facts
		want    Code
		wantErr string
	}{
		{
			name: "rule without each",
			policy: `{version: 1, rules: [{id: busy, color: yellow, when: "size(exposures) > 1 && person != ''",
			           reason: "{{.person}} met {{.rule}} at {{date .now}}"}]}`,
			facts: Facts{Person: "p", Exposures: []trace.Exposure{exposure(2, "a", at(-1, 0)), exposure(2, "b", at(-1, 0))}},
			want:  Code{Person: "p", Color: Yellow, Reasons: []Reason{{Rule: "busy", Color: Yellow, Text: "p met busy at 2026-11-20"}}},
		},
		{
			name:   "elements that are not records, bound to it",
			policy: `{version: 1, rules: [{id: places, color: yellow, each: "exposures.map(e, e.place)", when: "it != 'home'", reason: "at {{.value}}"}]}`,
			facts:  Facts{Exposures: []trace.Exposure{exposure(2, "home", at(-1, 0)), exposure(2, "gym", at(-1, 0))}},
			want:   Code{Color: Yellow, Reasons: []Reason{{Rule: "places", Color: Yellow, Text: "at gym"}}},
		},
		{
			name:   "green rule adds a reason without changing the color",
			policy: `{version: 1, rules: [{id: tested, color: green, each: "tests", until: "it.specimen_at + duration('72h')", reason: "tested {{.result}}"}]}`,
			facts:  Facts{Tests: []lab.Result{{Person: "p", SpecimenAt: at(-1, 0), Result: lab.Negative, TestType: "pcr"}}},
			want:   Code{Color: Green, Reasons: []Reason{{Rule: "tested", Color: Green, Start: at(-1, 0), Until: at(2, 0), Text: "tested negative"}}},
		},
		{
			name:    "reading an absent time fails, naming the rule",
			policy:  `{version: 1, rules: [{id: released, color: red, each: cases, until: it.released, reason: x}]}`,
			facts:   Facts{Person: "p", Cases: []cases.Case{{ID: "k", Person: "p", Onset: at(-1, 0)}}},
			wantErr: "rule released: person p: until: field released is absent",
		},
		{
			name:    "appeal with an unknown color",
			policy:  `{version: 1, rules: []}`,
			facts:   Facts{Person: "p", Appeals: []Appeal{{ID: "a", Color: "blue", Expires: at(1, 0)}}},
			wantErr: `person p: appeal a: unknown color "blue"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("test.yaml", []byte(tt.policy))
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Evaluate(&tt.facts, now())
			if tt.wantErr != "" {
				if !errs.Is(err, errs.Invalid) || !contains(err.Error(), tt.wantErr) {
					t.Fatalf("Evaluate error = %v, want Invalid containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}
