package codes

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"outbreak/internal/risk"
)

// CheckReport is what Check found.
type CheckReport struct {
	// At is the instant the codes were computed afresh for: the keeper's
	// position.
	At       time.Time `json:"at"`
	Position Position  `json:"position"`
	// Stored counts the stored codes, Fresh the codes computed afresh that
	// are not plain green, Changes the code changes logged.
	Stored  int `json:"stored"`
	Fresh   int `json:"fresh"`
	Changes int `json:"changes"`
	// Differences lists the first residents whose stored code differs from
	// the fresh one, and faults of the log.
	Differences []string `json:"differences"`
}

// maxDifferences bounds the differences a report lists.
const maxDifferences = 20

// Check compares the stored codes with codes computed afresh as of the
// keeper's position, under the running policy, and checks the code-change
// log: each resident's changes follow one another from green, and the last
// gives the stored color. Run it while no keeper writes, or the two may not
// be of one instant.
func Check(ctx context.Context, s Store, workers int) (CheckReport, error) {
	pos, err := s.Position(ctx, Consumer)
	if err != nil {
		return CheckReport{}, err
	}
	r := CheckReport{At: pos.At, Position: pos}
	differ := func(format string, args ...any) {
		if len(r.Differences) < maxDifferences {
			r.Differences = append(r.Differences, fmt.Sprintf(format, args...))
		}
	}
	policy, err := newPolicies(s).current(ctx)
	if err != nil {
		return r, err
	}
	stored, colors := map[string]Stored{}, map[string]string{}
	err = s.EachStoredCode(ctx, func(c Stored) error {
		stored[c.Person], colors[c.Person] = c, c.Color
		return nil
	})
	if err != nil {
		return r, err
	}
	r.Stored = len(stored)
	snap, err := Load(ctx, s, policy.Rules(), pos.At, workers)
	if err != nil {
		return r, err
	}
	err = snap.Evaluate(ctx, s, policy, func(_ string, c risk.Code) error {
		old, had := stored[c.Person]
		delete(stored, c.Person)
		plain := c.Color == green && len(c.Reasons) == 0
		if !plain {
			r.Fresh++
		}
		switch {
		case plain && had:
			differ("%s: stored %s, fresh green with no reason", c.Person, old.Color)
		case !plain && !had:
			differ("%s: stored none (green), fresh %s", c.Person, c.Color)
		case had && sumOf(old.Code) != sumOf(c):
			a, _ := json.Marshal(old.Code)
			b, _ := json.Marshal(c)
			differ("%s: stored %s, fresh %s", c.Person, a, b)
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	for _, p := range slices.Sorted(maps.Keys(stored)) {
		differ("%s: stored %s, but not a resident", p, stored[p].Color)
	}
	last := map[string]string{}
	for seq := int64(0); ; {
		cs, err := s.CodeChangesSince(ctx, seq, 10000)
		if err != nil {
			return r, err
		}
		for _, c := range cs {
			from := last[c.Person]
			if from == "" {
				from = green
			}
			if c.From != from || c.To == c.From {
				differ("code change %d of %s: %s to %s, but the color was %s", c.Seq, c.Person, c.From, c.To, from)
			}
			last[c.Person] = c.To
			seq = c.Seq
			r.Changes++
		}
		if len(cs) < 10000 {
			break
		}
	}
	for p, color := range last {
		now := colors[p]
		if now == "" {
			now = green
		}
		if color != now {
			differ("the log leaves %s %s, but the stored code is %s", p, color, now)
		}
	}
	return r, nil
}
