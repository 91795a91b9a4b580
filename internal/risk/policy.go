package risk

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"

	"outbreak/internal/errs"
	"outbreak/internal/trace"
)

// defaultPolicy is the built-in policy: DESIGN.md's table of rules.
//
//go:embed default.yaml
var defaultPolicy []byte

// The colors of a health code, from best to worst.
const (
	Green  = "green"
	Yellow = "yellow"
	Red    = "red"
)

// rank orders colors from best (0) to worst; an unknown color is -1.
func rank(color string) int {
	switch color {
	case Green:
		return 0
	case Yellow:
		return 1
	case Red:
		return 2
	}
	return -1
}

// colorOf is the inverse of rank.
func colorOf(rank int) string {
	switch rank {
	case 2:
		return Red
	case 1:
		return Yellow
	}
	return Green
}

// AppealRule is the rule id of the reason an appeal adds to a code; no
// policy rule may use it.
const AppealRule = "appeal"

// Policy is a compiled health-code policy. It is immutable and safe for
// concurrent use by several goroutines.
type Policy struct {
	name   string
	source []byte
	hash   string
	tracer trace.Rules
	rules  []*rule
	types  [numKinds]*objType
	// acts recycles evaluation scratch space; it is not shared between
	// policies, so a policy swap never mixes record types.
	acts sync.Pool
}

// rule is one compiled rule of a policy.
type rule struct {
	id    string
	color string
	as    string
	// each, when and until are nil when the policy leaves them out.
	each, when, until cel.Program
	// elem is the record type of each's elements, or nil when they are
	// not records (or their type is only known at run time).
	elem *objType
	// skip lists sets of record lists (bit k for kind k); when every list
	// of one set is empty, the rule provably gives no reason and is not
	// evaluated.
	skip   []uint8
	reason *reasonTemplate
}

// Default compiles the built-in policy. It panics if the built-in text is
// broken, which the package's tests rule out; callers keep the result
// rather than compiling it again.
func Default() *Policy {
	p, err := Parse("default.yaml", defaultPolicy)
	if err != nil {
		panic("risk: built-in policy: " + err.Error())
	}
	return p
}

// DefaultSource returns the text of the built-in policy, a starting point
// for a policy of one's own.
func DefaultSource() []byte { return append([]byte(nil), defaultPolicy...) }

// Name returns the file name the policy was parsed from.
func (p *Policy) Name() string { return p.name }

// Source returns the policy's text.
func (p *Policy) Source() []byte { return append([]byte(nil), p.source...) }

// Hash returns a stable digest of the policy's text ("sha256:" and 64 hex
// digits), for stamping the codes computed under it.
func (p *Policy) Hash() string { return p.hash }

// Rules returns the contact-tracing rules set in the policy's settings,
// with the defaults of trace.DefaultRules for the settings it leaves out.
func (p *Policy) Rules() trace.Rules { return p.tracer }

// RuleIDs returns the ids of the policy's rules in file order.
func (p *Policy) RuleIDs() []string {
	ids := make([]string, len(p.rules))
	for i, r := range p.rules {
		ids[i] = r.id
	}
	return ids
}

// Problem is one fault in a policy file, at a 1-based line and column of
// the file (Col is 0 when only the line is known).
type Problem struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Col   int    `json:"col"`
	Rule  string `json:"rule,omitempty"`
	Field string `json:"field,omitempty"`
	Msg   string `json:"msg"`
}

// String returns "file:line:col: rule id: field: msg", leaving out the
// parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	b.WriteString(": ")
	if p.Rule != "" {
		b.WriteString("rule " + p.Rule + ": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ParseError lists the faults found in a policy file, in file order.
// Parse returns it wrapped in an errs.Invalid error; errors.As finds it.
type ParseError struct {
	Problems []Problem
}

// Error returns the problems one a line.
func (e *ParseError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// maxProblems bounds how many problems a ParseError lists.
const maxProblems = 20

// maxPolicySize bounds the size of a policy file.
const maxPolicySize = 1 << 20

// Parse compiles a policy file (YAML, or JSON, which is YAML too); name is
// the file's name for messages. A file that does not parse, breaks the
// format or holds an expression or template that does not compile is
// refused with an errs.Invalid error wrapping a *ParseError, whose
// problems give the line and column in the file, the rule and the field.
func Parse(name string, data []byte) (*Policy, error) {
	ps := newParser(name, data)
	pol := ps.parse()
	if len(ps.problems) > 0 {
		return nil, errs.Wrap(errs.Invalid, &ParseError{Problems: ps.problems}, "")
	}
	sum := sha256.Sum256(data)
	pol.name, pol.source, pol.hash = name, append([]byte(nil), data...), "sha256:"+hex.EncodeToString(sum[:])
	pol.acts.New = func() any { return newActivation(pol) }
	return pol, nil
}

// settingDef is a setting a policy may give, onto trace.Rules.
type settingDef struct {
	name     string
	positive bool
	field    func(*trace.Rules) *time.Duration
}

// settingDefs returns the settings in the order of trace.Rules.
func settingDefs() []settingDef {
	return []settingDef{
		{"min_overlap", true, func(r *trace.Rules) *time.Duration { return &r.MinOverlap }},
		{"default_dwell", true, func(r *trace.Rules) *time.Duration { return &r.DefaultDwell }},
		{"before_onset", false, func(r *trace.Rules) *time.Duration { return &r.BeforeOnset }},
		{"secondary_window", false, func(r *trace.Rules) *time.Duration { return &r.SecondaryWindow }},
		{"min_stay", false, func(r *trace.Rules) *time.Duration { return &r.MinStay }},
	}
}

// maxSetting bounds every setting: a year is already absurd.
const maxSetting = 366 * 24 * time.Hour
