package risk

import (
	"fmt"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"gopkg.in/yaml.v3"
)

// maxExpr bounds the length of one expression, in characters.
const maxExpr = 4096

// forever is the largest CEL timestamp; an until at or after it means the
// reason has no end.
func forever() time.Time { return time.Unix(253402300799, 999999999).UTC() }

// compiler compiles the rules of one policy in one CEL environment.
type compiler struct {
	ps     *parser
	env    *cel.Env
	byName map[string]*objType
	// globals are the names of the variables every rule sees.
	globals map[string]bool
}

func newCompiler(ps *parser, ts [numKinds]*objType) (*compiler, error) {
	c := &compiler{ps: ps, byName: map[string]*objType{}, globals: map[string]bool{}}
	opts := []cel.EnvOption{
		recordTypesOption(ts),
		cel.Variable("now", cel.TimestampType),
		cel.Constant("forever", cel.TimestampType, types.Timestamp{Time: forever()}),
		cel.Variable("person", cel.StringType),
		cel.Variable("region", cel.StringType),
		cel.ParserExpressionSizeLimit(maxExpr),
	}
	for _, t := range ts {
		c.byName[t.name] = t
		opts = append(opts, cel.Variable(listName(t.kind), cel.ListType(t.celType)))
	}
	for _, name := range []string{"now", "forever", "person", "region"} {
		c.globals[name] = true
	}
	for k := range numKinds {
		c.globals[listName(k)] = true
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	c.env = env
	return c, nil
}

// rule compiles one rule, or records its problems and returns nil.
func (c *compiler) rule(src *ruleSource) *rule {
	r := &rule{id: src.id, color: src.color, as: src.as}
	ok := true
	env := c.env
	var elem *types.Type
	if src.each != nil {
		ast := c.compile(c.env, src.each, r.id, "each")
		elem = types.DynType
		if ast != nil {
			switch t := ast.OutputType(); t.Kind() {
			case types.ListKind:
				elem = t.Parameters()[0]
			case types.DynKind:
			default:
				c.ps.problem(src.each, r.id, "each", "must be a list, not %s", cel.FormatCELType(t))
				ast = nil
			}
		}
		if ast != nil && c.affordable(c.env, ast, 1, src.each, r.id, "each") {
			r.each = c.program(c.env, ast, src.each, r.id, "each")
			r.skip = emptyIf(ast.NativeRep().Expr())
		}
		ok = ok && r.each != nil
		if elem.Kind() == types.StructKind {
			r.elem = c.byName[elem.TypeName()]
		}
		var err error
		if c.globals[r.as] {
			c.ps.problem(src.asNode, r.id, "as", "%q is already a variable; choose another name", r.as)
			return nil
		}
		if env, err = c.env.Extend(cel.Variable(r.as, elem)); err != nil {
			c.ps.problem(src.asNode, r.id, "as", "%v", err)
			return nil
		}
		if _, iss := env.Compile(r.as); iss != nil && iss.Err() != nil {
			c.ps.problem(src.asNode, r.id, "as", "%q cannot be a name in CEL", r.as)
			return nil
		}
	}
	times := uint64(1) // how many times when and until may run
	if src.each != nil {
		times = maxElements
	}
	if src.when != nil {
		var ast *cel.Ast
		r.when, ast = c.typed(env, src.when, r.id, "when", types.BoolType, times)
		ok = ok && r.when != nil
		if src.each == nil && r.when != nil {
			r.skip = falseIf(ast.NativeRep().Expr())
		}
	}
	if src.until != nil {
		r.until, _ = c.typed(env, src.until, r.id, "until", types.TimestampType, times)
		ok = ok && r.until != nil
	}
	if src.reason != nil {
		r.reason = c.template(src.reason, r, elem)
		ok = ok && r.reason != nil
	}
	if !ok {
		return nil
	}
	return r
}

// typed compiles an expression that must have type want (or dyn, checked
// when it runs).
func (c *compiler) typed(env *cel.Env, n *yaml.Node, rule, field string, want *types.Type, times uint64) (cel.Program, *cel.Ast) {
	ast := c.compile(env, n, rule, field)
	if ast == nil {
		return nil, nil
	}
	if t := ast.OutputType(); t.Kind() != want.Kind() && t.Kind() != types.DynKind {
		c.ps.problem(n, rule, field, "must be a %s, not %s", cel.FormatCELType(want), cel.FormatCELType(t))
		return nil, nil
	}
	if !c.affordable(env, ast, times, n, rule, field) {
		return nil, nil
	}
	return c.program(env, ast, n, rule, field), ast
}

// affordable refuses an expression that, run the given number of times,
// could cost more than maxCost for a resident with the most records the
// estimate assumes.
func (c *compiler) affordable(env *cel.Env, ast *cel.Ast, times uint64, n *yaml.Node, rule, field string) bool {
	est := estimate(env, ast)
	if est <= maxCost/times {
		return true
	}
	ops := "unbounded"
	if est < 1e15 {
		ops = "up to " + thousands(int(est))
	}
	if times == 1 {
		c.ps.problem(n, rule, field, "too costly: %s operations for a resident with %d cases, %d exposures, %d stays, %d declarations and %d tests (limit %s)",
			ops, maxRecords(kindCase), maxRecords(kindExposure), maxRecords(kindStay), maxRecords(kindDeclaration), maxRecords(kindTest), thousands(maxCost))
	} else {
		c.ps.problem(n, rule, field, "too costly: %s operations for each of up to %s elements (limit %s in all)",
			ops, thousands(int(times)), thousands(maxCost))
	}
	return false
}

// compile parses and checks one expression, recording each CEL error at
// its place in the file.
func (c *compiler) compile(env *cel.Env, n *yaml.Node, rule, field string) *cel.Ast {
	ast, iss := env.Compile(n.Value)
	if iss == nil || iss.Err() == nil {
		return ast
	}
	for _, e := range iss.Errors() {
		p := Problem{File: c.ps.file, Rule: rule, Field: field, Line: n.Line, Col: n.Column,
			Msg: strings.TrimSuffix(e.Message, " (in container '')")}
		if loc := e.Location; loc != nil && loc.Line() > 0 {
			p.Line, p.Col = c.ps.position(n, loc.Line(), loc.Column())
		}
		c.ps.add(p)
	}
	return nil
}

func (c *compiler) program(env *cel.Env, ast *cel.Ast, n *yaml.Node, rule, field string) cel.Program {
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		c.ps.problem(n, rule, field, "%v", err)
		return nil
	}
	return prg
}

// emptyIf returns sets of record lists (bit k for kind k) such that e
// evaluates to an empty list whenever every list of one set is empty; nil
// when it cannot tell. It knows the list variables, empty list literals,
// list concatenation, the conditional, and comprehensions that start from
// an empty list and return it (filter, map).
func emptyIf(e celast.Expr) []uint8 {
	switch e.Kind() {
	case celast.IdentKind:
		for k := range numKinds {
			if listName(k) == e.AsIdent() {
				return []uint8{1 << k}
			}
		}
	case celast.ListKind:
		if len(e.AsList().Elements()) == 0 {
			return []uint8{0}
		}
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		if c.AccuInit().Kind() == celast.ListKind && len(c.AccuInit().AsList().Elements()) == 0 &&
			c.Result().Kind() == celast.IdentKind && c.Result().AsIdent() == c.AccuVar() {
			return emptyIf(c.IterRange())
		}
	case celast.CallKind:
		args := e.AsCall().Args()
		switch e.AsCall().FunctionName() {
		case operators.Add:
			if len(args) == 2 {
				return both(emptyIf(args[0]), emptyIf(args[1]))
			}
		case operators.Conditional:
			if len(args) == 3 {
				return both(emptyIf(args[1]), emptyIf(args[2]))
			}
		}
	}
	return nil
}

// falseIf is emptyIf for a condition: sets of lists whose emptiness makes
// e false. It knows false, exists over a list, size(list) > 0 or != 0,
// && and ||.
func falseIf(e celast.Expr) []uint8 {
	switch e.Kind() {
	case celast.LiteralKind:
		if e.AsLiteral() == types.False {
			return []uint8{0}
		}
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		if c.AccuInit().Kind() == celast.LiteralKind && c.AccuInit().AsLiteral() == types.False &&
			c.Result().Kind() == celast.IdentKind && c.Result().AsIdent() == c.AccuVar() {
			return emptyIf(c.IterRange())
		}
	case celast.CallKind:
		args := e.AsCall().Args()
		if len(args) != 2 {
			return nil
		}
		switch e.AsCall().FunctionName() {
		case operators.LogicalAnd:
			return capSets(append(falseIf(args[0]), falseIf(args[1])...))
		case operators.LogicalOr:
			return both(falseIf(args[0]), falseIf(args[1]))
		case operators.Greater, operators.NotEquals:
			if l := sizeOf(args[0]); l != nil && args[1].Kind() == celast.LiteralKind && args[1].AsLiteral() == types.Int(0) {
				return emptyIf(l)
			}
		}
	}
	return nil
}

// sizeOf returns L when e is size(L) or L.size(), else nil.
func sizeOf(e celast.Expr) celast.Expr {
	if e.Kind() != celast.CallKind || e.AsCall().FunctionName() != "size" {
		return nil
	}
	call := e.AsCall()
	switch {
	case call.IsMemberFunction() && len(call.Args()) == 0:
		return call.Target()
	case !call.IsMemberFunction() && len(call.Args()) == 1:
		return call.Args()[0]
	}
	return nil
}

// both returns the sets that make two conditions hold together.
func both(a, b []uint8) []uint8 {
	var out []uint8
	for _, x := range a {
		for _, y := range b {
			out = append(out, x|y)
		}
	}
	return capSets(out)
}

// capSets keeps the analysis small; fewer sets only skip less often.
func capSets(s []uint8) []uint8 {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}
