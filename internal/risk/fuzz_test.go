package risk

import (
	"errors"
	"testing"

	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/lab"
	"outbreak/internal/trace"
)

// FuzzParse checks that no policy file makes Parse panic, that every
// refusal is an Invalid *ParseError, and that a policy it accepts evaluates
// without panicking. The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(DefaultSource())
	at := now()
	facts := Facts{
		Person:       "p",
		Cases:        []cases.Case{{ID: "k", Person: "p", Onset: at.Add(-48e9 * 3600)}},
		Exposures:    []trace.Exposure{exposure(1, "cafe", at), exposure(2, "bar", at)},
		Stays:        []trace.RegionStay{{Person: "p", Region: "r", Level: "high", Start: at, End: at}},
		Declarations: []lab.Declaration{{Person: "p", DeclaredAt: at, Symptoms: []string{"fever"}}},
		Tests:        []lab.Result{{Person: "p", SpecimenAt: at, Result: lab.Negative, TestType: "pcr"}},
		Appeals:      []Appeal{{ID: "a", Color: Green, Approved: at, Expires: at.Add(1e9)}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err != nil {
			var pe *ParseError
			if !errs.Is(err, errs.Invalid) || !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("Parse error %v is not an Invalid *ParseError", err)
			}
			return
		}
		for _, fs := range []*Facts{nil, &facts} {
			if _, err := p.Evaluate(fs, at); err != nil && !errs.Is(err, errs.Invalid) {
				t.Fatalf("Evaluate error %v is not Invalid", err)
			}
		}
	})
}
