package risk

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/template"
	"time"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"gopkg.in/yaml.v3"

	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/trace"
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
	r := &rule{id: src.id, color: src.color, rank: rank(src.color), as: src.as}
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
		if ast != nil {
			r.each = c.program(ast, src.each, r.id, "each")
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
	if src.when != nil {
		r.when = c.typed(env, src.when, r.id, "when", types.BoolType)
		ok = ok && r.when != nil
		if src.each == nil && r.when != nil {
			ast, _ := env.Compile(src.when.Value)
			r.skip = falseIf(ast.NativeRep().Expr())
		}
	}
	if src.until != nil {
		r.until = c.typed(env, src.until, r.id, "until", types.TimestampType)
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
func (c *compiler) typed(env *cel.Env, n *yaml.Node, rule, field string, want *types.Type) cel.Program {
	ast := c.compile(env, n, rule, field)
	if ast == nil {
		return nil
	}
	if t := ast.OutputType(); t.Kind() != want.Kind() && t.Kind() != types.DynKind {
		c.ps.problem(n, rule, field, "must be a %s, not %s", cel.FormatCELType(want), cel.FormatCELType(t))
		return nil
	}
	return c.program(ast, n, rule, field)
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

func (c *compiler) program(ast *cel.Ast, n *yaml.Node, rule, field string) cel.Program {
	prg, err := c.env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		c.ps.problem(n, rule, field, "%v", err)
		return nil
	}
	return prg
}

// templateFuncs are the functions reason templates may call besides the
// built-in ones: date and datetime format an instant in UTC (empty for an
// absent one); join joins a list of strings.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"date":     formatTime("2006-01-02"),
		"datetime": formatTime("2006-01-02 15:04 UTC"),
		"join":     strings.Join,
	}
}

func formatTime(layout string) func(time.Time) string {
	return func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(layout)
	}
}

// template compiles a reason template. When the keys it may use are known
// (elements are records, or the rule has no each), it is tried on sample
// data so that a misspelt key is refused now rather than when a code is
// computed.
func (c *compiler) template(n *yaml.Node, r *rule, elem *types.Type) *template.Template {
	checkable := elem == nil || r.elem != nil
	t := template.New("reason").Funcs(templateFuncs())
	if checkable {
		t = t.Option("missingkey=error")
	}
	t, err := t.Parse(n.Value)
	if err == nil && checkable {
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		err = t.Execute(io.Discard, reasonData(r, sampleRecord(r.elem), &Reason{Start: now, Until: now}, "person", now))
	}
	if err != nil {
		line, col, msg := templateError(err)
		p := Problem{File: c.ps.file, Rule: r.id, Field: "reason", Msg: msg}
		p.Line, p.Col = c.ps.position(n, line, col)
		c.ps.add(p)
		return nil
	}
	return t
}

// templateError splits text/template's "template: reason:LINE[:COL]: msg"
// into a line, a 0-based column and the message.
func templateError(err error) (line, col int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "template: reason:")
	line = 1
	if num, rest, ok := strings.Cut(msg, ":"); ok {
		if n, err := strconv.Atoi(num); err == nil {
			line, msg = n, rest
			if num, rest, ok := strings.Cut(msg, ":"); ok {
				if n, err := strconv.Atoi(num); err == nil {
					col, msg = n, rest
				}
			}
		}
	}
	msg = strings.TrimSpace(msg)
	msg = strings.TrimPrefix(msg, `executing "reason" `)
	return line, col, msg
}

// sampleRecord makes a record of type t with every field set, for trying
// templates; nil for no type.
func sampleRecord(t *objType) *object {
	if t == nil {
		return nil
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var p any
	switch t.kind {
	case kindCase:
		p = &cases.Case{ID: "x", Person: "x", Onset: at, Isolated: at, Released: at}
	case kindExposure:
		p = &trace.Exposure{Person: "x", CasePerson: "x", Degree: 1, Via: "x", Place: "x", Start: at, End: at}
	case kindStay:
		p = &trace.RegionStay{Person: "x", Region: "x", Level: "high", Start: at, End: at, StayEnd: at}
	case kindDeclaration:
		p = &lab.Declaration{ID: "x", Person: "x", DeclaredAt: at, Symptoms: []string{"fever"}}
	case kindTest:
		p = &lab.Result{ID: "x", Person: "x", SpecimenAt: at, Result: "negative", TestType: "x"}
	case kindAppeal:
		p = &Appeal{ID: "x", Color: Green, Approved: at, Expires: at}
	}
	return &object{typ: t, ptr: p}
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
