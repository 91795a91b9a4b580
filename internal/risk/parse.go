package risk

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"outbreak/internal/trace"
)

// parser turns a policy file into a Policy, collecting problems.
type parser struct {
	file     string
	data     []byte
	lines    []string
	problems []Problem
}

func newParser(file string, data []byte) *parser {
	return &parser{file: file, data: data, lines: strings.Split(string(data), "\n")}
}

// problem records a fault at node n (nil: position unknown).
func (ps *parser) problem(n *yaml.Node, rule, field, format string, args ...any) {
	p := Problem{File: ps.file, Rule: rule, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	ps.add(p)
}

func (ps *parser) add(p Problem) {
	if len(ps.problems) < maxProblems {
		ps.problems = append(ps.problems, p)
	}
}

// ruleSource is a rule as written, before compiling.
type ruleSource struct {
	id, color, as             string
	each, when, until, reason *yaml.Node
	idNode, colorNode, asNode *yaml.Node
	bad                       bool // has problems already
}

// parse reads the file's structure, then compiles its rules.
func (ps *parser) parse() *Policy {
	if len(ps.data) > maxPolicySize {
		ps.problem(nil, "", "", "larger than %d bytes", maxPolicySize)
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(ps.data, &doc); err != nil {
		for _, msg := range strings.Split(err.Error(), "\n") {
			msg = strings.TrimSpace(strings.TrimPrefix(msg, "yaml: unmarshal errors:"))
			if msg == "" {
				continue
			}
			p := Problem{File: ps.file, Msg: strings.TrimPrefix(msg, "yaml: ")}
			// yaml.v3 gives only a line: "yaml: line 3: did not find …".
			if rest, ok := strings.CutPrefix(p.Msg, "line "); ok {
				if num, msg, ok := strings.Cut(rest, ": "); ok {
					if n, err := strconv.Atoi(num); err == nil {
						p.Line, p.Msg = n, msg
					}
				}
			}
			ps.add(p)
		}
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		ps.problem(nil, "", "", "empty policy")
		return nil
	}
	top := resolve(doc.Content[0])
	if top.Kind != yaml.MappingNode {
		ps.problem(top, "", "", "a policy is a mapping with version, settings and rules")
		return nil
	}
	pol := &Policy{tracer: trace.DefaultRules()}
	var rules []ruleSource
	var version *yaml.Node
	ps.mapping(top, "", "", func(key string, k, v *yaml.Node) {
		switch key {
		case "version":
			version = v
			if v.Kind != yaml.ScalarNode || v.Value != "1" {
				ps.problem(v, "", "version", "must be 1")
			}
		case "settings":
			ps.settings(v, &pol.tracer)
		case "rules":
			rules = ps.rules(v)
		default:
			ps.problem(k, "", "", "unknown key %q (want version, settings or rules)", key)
		}
	})
	if version == nil {
		ps.problem(top, "", "version", "missing (write version: 1)")
	}
	pol.types = recordTypes()
	if len(rules) == 0 {
		return pol
	}
	c, err := newCompiler(ps, pol.types)
	if err != nil {
		ps.problem(nil, "", "", "%v", err)
		return nil
	}
	for i := range rules {
		if rules[i].bad {
			continue
		}
		if r := c.rule(&rules[i]); r != nil {
			pol.rules = append(pol.rules, r)
		}
	}
	return pol
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// mapping calls f for each key of mapping n, refusing duplicate and
// non-scalar keys.
func (ps *parser) mapping(n *yaml.Node, rule, field string, f func(key string, k, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			ps.problem(k, rule, field, "keys must be plain names")
			continue
		}
		if seen[k.Value] {
			ps.problem(k, rule, field, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		f(k.Value, k, v)
	}
}

func (ps *parser) settings(n *yaml.Node, r *trace.Rules) {
	if n.Kind != yaml.MappingNode {
		ps.problem(n, "", "settings", "must be a mapping of setting to duration")
		return
	}
	defs := settingDefs()
	ps.mapping(n, "", "settings", func(key string, k, v *yaml.Node) {
		for _, d := range defs {
			if d.name != key {
				continue
			}
			field := "settings: " + key
			if v.Kind != yaml.ScalarNode {
				ps.problem(v, "", field, "must be a duration such as 15m or 1h30m")
				return
			}
			dur, err := time.ParseDuration(v.Value)
			switch {
			case err != nil:
				ps.problem(v, "", field, "must be a duration such as 15m or 1h30m, not %q", v.Value)
			case dur < 0 || d.positive && dur == 0:
				ps.problem(v, "", field, "must be %s", map[bool]string{true: "positive", false: "zero or more"}[d.positive])
			case dur > maxSetting:
				ps.problem(v, "", field, "must be at most %v", maxSetting)
			default:
				*d.field(r) = dur
			}
			return
		}
		names := make([]string, len(defs))
		for i, d := range defs {
			names[i] = d.name
		}
		ps.problem(k, "", "settings", "unknown setting %q (want one of %s)", key, strings.Join(names, ", "))
	})
}

// validID reports whether s has the form of record IDs in DESIGN.md, which
// rule ids share.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !isAlnum(c) && !strings.ContainsRune("_.:-", rune(c)) {
			return false
		}
	}
	return true
}

// validAs reports whether s is a lower-case CEL name for each's elements.
func validAs(s string) bool {
	if len(s) == 0 || len(s) > 32 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (ps *parser) rules(n *yaml.Node) []ruleSource {
	if n.Kind != yaml.SequenceNode {
		ps.problem(n, "", "rules", "must be a list of rules")
		return nil
	}
	var out []ruleSource
	ids := map[string]bool{}
	for i, rn := range n.Content {
		rn = resolve(rn)
		label := fmt.Sprintf("#%d", i+1)
		if rn.Kind != yaml.MappingNode {
			ps.problem(rn, label, "", "a rule is a mapping with id, color, each, when, until and reason")
			continue
		}
		var r ruleSource
		before := len(ps.problems)
		for j := 0; j+1 < len(rn.Content); j += 2 {
			if k, v := rn.Content[j], resolve(rn.Content[j+1]); k.Value == "id" && v.Kind == yaml.ScalarNode && validID(v.Value) {
				label = v.Value // name the rule in every problem
			}
		}
		ps.mapping(rn, label, "", func(key string, k, v *yaml.Node) {
			if v.Kind != yaml.ScalarNode {
				ps.problem(v, label, key, "must be a single value")
				return
			}
			if v.Tag == "!!null" {
				return // "until:" with nothing is the same as no until
			}
			switch key {
			case "id":
				r.id, r.idNode = v.Value, v
			case "color":
				r.color, r.colorNode = v.Value, v
			case "as":
				r.as, r.asNode = v.Value, v
			case "each":
				r.each = v
			case "when":
				r.when = v
			case "until":
				r.until = v
			case "reason":
				r.reason = v
			default:
				ps.problem(k, label, "", "unknown key %q (want id, color, each, as, when, until or reason)", key)
			}
		})
		if r.idNode == nil {
			ps.problem(rn, label, "id", "missing")
		} else if !validID(r.id) {
			ps.problem(r.idNode, label, "id", "must be 1-64 characters of A-Z a-z 0-9 _ . : -")
		} else if r.id == AppealRule {
			ps.problem(r.idNode, label, "id", "%q is reserved for appeals", AppealRule)
		} else {
			if ids[r.id] {
				ps.problem(r.idNode, r.id, "id", "duplicate rule id")
			}
			ids[r.id] = true
			label = r.id
		}
		switch {
		case r.colorNode == nil:
			ps.problem(rn, label, "color", "missing (green, yellow or red)")
		case rank(r.color) < 0:
			ps.problem(r.colorNode, label, "color", "unknown color %q (want green, yellow or red)", r.color)
		}
		switch {
		case r.asNode != nil && r.each == nil:
			ps.problem(r.asNode, label, "as", "names the elements of each, which the rule does not have")
		case r.asNode != nil && !validAs(r.as):
			ps.problem(r.asNode, label, "as", "must be a lower-case name such as e")
		case r.asNode == nil:
			r.as = "it"
		}
		if r.reason == nil {
			ps.problem(rn, label, "reason", "missing (the text shown to the resident)")
		}
		r.id = label
		r.bad = len(ps.problems) > before
		out = append(out, r)
	}
	return out
}

// position maps a location within the value of scalar node n (1-based
// line, 0-based column in characters, as CEL and text/template give them)
// to a 1-based line and column of the file. Literal blocks map line for
// line; other styles fold line breaks into one space, so the column is
// walked across the lines the value spans. Escapes in quoted strings can
// shift the column a little.
func (ps *parser) position(n *yaml.Node, line, col int) (int, int) {
	if line < 1 {
		line = 1
	}
	if col < 0 {
		col = 0
	}
	if n.Style&yaml.LiteralStyle != 0 {
		// The block's indentation is that of its first line that is not blank.
		indent := 0
		for l := n.Line + 1; l <= len(ps.lines); l++ {
			if strings.TrimSpace(ps.lines[l-1]) != "" {
				indent = ps.indent(l)
				break
			}
		}
		return n.Line + line, indent + 1 + col
	}
	l, c := n.Line+line-1, n.Column
	switch {
	case n.Style&yaml.FoldedStyle != 0:
		l++
		c = ps.indent(l) + 1
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		c++
	}
	for l >= 1 && l < len(ps.lines) {
		text := []rune(ps.lines[l-1])
		rest := 0
		if c-1 < len(text) {
			rest = len([]rune(strings.TrimRight(string(text[c-1:]), " \t\r")))
		}
		if col <= rest {
			break
		}
		col -= rest + 1
		l++
		c = ps.indent(l) + 1
	}
	return l, c + col
}

// indent counts the leading spaces of line l (1-based) of the file.
func (ps *parser) indent(l int) int {
	if l < 1 || l > len(ps.lines) {
		return 0
	}
	s := ps.lines[l-1]
	return utf8.RuneCountInString(s) - utf8.RuneCountInString(strings.TrimLeft(s, " "))
}
