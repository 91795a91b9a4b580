package risk

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/trace"
)

// residents generates a deterministic mix like a city's on an ordinary
// day of an outbreak: 95% of residents have no facts at all, 4.5% have one
// to ten exposures, stays, declarations or tests, 0.5% are cases, and a few
// have an appeal.
func residents(n int, now time.Time) []Facts {
	rng := rand.New(rand.NewPCG(1, 2))
	ago := func(maxDays int) time.Time {
		return now.Add(-time.Duration(rng.Int64N(int64(maxDays) * int64(24*time.Hour))))
	}
	out := make([]Facts, n)
	for i := range out {
		f := &out[i]
		f.Person = fmt.Sprintf("p%07d", i)
		f.Region = fmt.Sprintf("district-%d", i%7)
		r := rng.Float64()
		switch {
		case r < 0.95:
			continue
		case r < 0.995:
			for range 1 + rng.IntN(10) {
				switch rng.IntN(4) {
				case 0:
					end := ago(20)
					f.Exposures = append(f.Exposures, trace.Exposure{Person: f.Person, CasePerson: "c", Degree: 1 + rng.IntN(2),
						Via: "v", Place: fmt.Sprintf("place-%d", rng.IntN(500)), Start: end.Add(-time.Hour), End: end})
				case 1:
					end := ago(20)
					s := trace.RegionStay{Person: f.Person, Region: "r", Level: []string{"medium", "high"}[rng.IntN(2)],
						Start: end.Add(-5 * time.Hour), End: end, StayEnd: end}
					if rng.IntN(4) == 0 {
						s.StayEnd = time.Time{}
					}
					f.Stays = append(f.Stays, s)
				case 2:
					d := lab.Declaration{Person: f.Person, DeclaredAt: ago(10)}
					if rng.IntN(3) == 0 {
						d.Symptoms = []string{"fever", "cough"}
					}
					f.Declarations = append(f.Declarations, d)
				case 3:
					f.Tests = append(f.Tests, lab.Result{Person: f.Person, SpecimenAt: ago(10),
						Result: []string{lab.Negative, lab.Negative, lab.Positive, lab.Inconclusive}[rng.IntN(4)], TestType: "pcr"})
				}
			}
		default:
			c := cases.Case{ID: "k" + f.Person, Person: f.Person, Onset: ago(20)}
			c.Isolated = c.Onset.Add(24 * time.Hour)
			if rng.IntN(2) == 0 {
				c.Released = c.Isolated.Add(10 * 24 * time.Hour)
			}
			f.Cases = append(f.Cases, c)
		}
		if rng.IntN(50) == 0 {
			f.Appeals = append(f.Appeals, Appeal{ID: "a" + f.Person, Color: Green, Approved: ago(3), Expires: now.Add(72 * time.Hour)})
		}
	}
	return out
}

func BenchmarkEvaluate(b *testing.B) {
	p := Default()
	at := now()
	run := func(b *testing.B, facts []Facts) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := p.Evaluate(&facts[i%len(facts)], at); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "residents/s")
	}
	mix := residents(100_000, at)
	b.Run("mix", func(b *testing.B) { run(b, mix) })
	b.Run("mix-parallel", func(b *testing.B) {
		b.ReportAllocs()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := p.Evaluate(&mix[i%len(mix)], at); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "residents/s")
	})
	b.Run("no-facts", func(b *testing.B) { run(b, []Facts{{Person: "p"}}) })
	var contact Facts
	contact.Person = "p"
	for i := range 8 {
		contact.Exposures = append(contact.Exposures, exposure(1+i%2, fmt.Sprint("place-", i), at.Add(-time.Duration(i)*24*time.Hour)))
	}
	b.Run("contact-8-exposures", func(b *testing.B) { run(b, []Facts{contact}) })
	var busy Facts
	busy.Person = "p"
	busy.Cases = []cases.Case{{ID: "k", Person: "p", Onset: at.Add(-48 * time.Hour)}}
	busy.Exposures = contact.Exposures
	busy.Stays = []trace.RegionStay{{Person: "p", Region: "r", Level: "high", Start: at.Add(-5 * time.Hour), End: at}}
	for i := range 5 {
		busy.Declarations = append(busy.Declarations, lab.Declaration{Person: "p", DeclaredAt: at.Add(-time.Duration(i) * 24 * time.Hour), Symptoms: []string{"fever"}})
		busy.Tests = append(busy.Tests, lab.Result{Person: "p", SpecimenAt: at.Add(-time.Duration(i)*24*time.Hour - time.Hour), Result: lab.Negative, TestType: "pcr"})
	}
	b.Run("every-rule", func(b *testing.B) { run(b, []Facts{busy}) })
}

func BenchmarkParse(b *testing.B) {
	src := DefaultSource()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("default.yaml", src); err != nil {
			b.Fatal(err)
		}
	}
}
