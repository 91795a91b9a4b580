package codes

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"outbreak/internal/record"
	"outbreak/internal/risk"
)

// WriteCodes writes the code of every resident of a snapshot under a policy to
// w, as CSV (person, color, the rules that gave it, valid_until) or as a
// JSON array with the full reasons (format "json"), a batch at a time.
func WriteCodes(ctx context.Context, out io.Writer, format string, snap *Snapshot, s Records, p *risk.Policy) error {
	w := bufio.NewWriter(out)
	c := csv.NewWriter(w)
	if format == "csv" {
		c.Write([]string{"person", "color", "reasons", "valid_until"})
	} else {
		w.WriteString("[")
	}
	first := true
	err := snap.Evaluate(ctx, s, p, func(_ string, code risk.Code) error {
		if format == "json" {
			if !first {
				w.WriteString(",")
			}
			first = false
			w.WriteString("\n")
			b, err := json.Marshal(code)
			w.Write(b)
			return err
		}
		var rules []string
		for _, r := range code.Reasons {
			if !slices.Contains(rules, r.Rule) {
				rules = append(rules, r.Rule)
			}
		}
		until := ""
		if !code.ValidUntil.IsZero() {
			until = record.FormatTime(code.ValidUntil)
		}
		return c.Write([]string{code.Person, code.Color, strings.Join(rules, ";"), until})
	})
	if err != nil {
		return err
	}
	if format == "json" {
		w.WriteString("\n]\n")
		return w.Flush()
	}
	c.Flush()
	if err := c.Error(); err != nil {
		return err
	}
	return w.Flush()
}
