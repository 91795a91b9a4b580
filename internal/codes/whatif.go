package codes

import (
	"context"

	"outbreak/internal/risk"
)

// WhatIf compares every resident's code under the current policy (with the
// facts of old) and a new one (with the facts of next, which differ when
// the policies trace by different rules), without applying anything.
func WhatIf(ctx context.Context, s Records, old, next *Snapshot, current, proposed *risk.Policy) (risk.Report, error) {
	var w risk.WhatIf
	err := s.EachResident(ctx, func(id, home string) error {
		a, err := current.Evaluate(old.Facts(id, home), old.Now)
		if err != nil {
			return err
		}
		b, err := proposed.Evaluate(next.Facts(id, home), next.Now)
		if err != nil {
			return err
		}
		w.Add(home, a, b)
		return nil
	})
	return w.Report(), err
}
