package risk

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"gopkg.in/yaml.v3"

	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/trace"
)

// reasonTemplate is a compiled reason. A template made only of text and
// {{.key}} actions (the usual kind) is rendered by concatenation, which is
// several times faster than text/template; others run through
// text/template with a map holding only the keys they use.
type reasonTemplate struct {
	rule  *rule
	t     *template.Template
	keys  []string // the keys the template may read; nil: every key
	parts []part   // the fast form, when there is one
	// strict templates refuse keys that do not exist (missingkey=error).
	strict bool
}

// part is literal text, or the value of a key when key is not empty.
type part struct{ text, key string }

// templateFuncs are the functions reason templates may call besides the
// built-in ones: date and datetime format an instant in UTC (empty for an
// absent one); join joins a list of strings.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"date":     formatTime("2006-01-02"),
		"datetime": formatTime("2006-01-02 15:04 UTC"),
		"join":     strings.Join,
		"printf":   printf,
	}
}

// printf is text/template's printf without widths or precisions above 99,
// which could make a reason of any size.
func printf(format string, args ...any) (string, error) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		digits := 0
		for i++; i < len(format) && strings.IndexByte("+-# 0123456789.[]*", format[i]) >= 0; i++ {
			switch c := format[i]; {
			case c == '*':
				return "", fmt.Errorf("printf: * widths are not allowed")
			case c >= '0' && c <= '9':
				if digits++; digits > 2 {
					return "", fmt.Errorf("printf: widths and precisions above 99 are not allowed")
				}
			default:
				digits = 0
			}
		}
	}
	return fmt.Sprintf(format, args...), nil
}

// checkTemplate refuses what could make a reason slow to write: range (a
// range over a number runs that many times), and define, block and
// template, which can recurse. Lists are joined with join instead.
func checkTemplate(t *template.Template) error {
	if len(t.Templates()) != 1 || t.Tree == nil {
		return fmt.Errorf("template: reason:1: define and block are not allowed in a reason")
	}
	var walk func(n parse.Node) error
	walk = func(n parse.Node) error {
		var kids []parse.Node
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				kids = n.Nodes
			}
		case *parse.IfNode:
			kids = []parse.Node{n.List, n.ElseList}
		case *parse.WithNode:
			kids = []parse.Node{n.List, n.ElseList}
		case *parse.RangeNode:
			loc, _ := t.Tree.ErrorContext(n)
			return fmt.Errorf("template: %s: range is not allowed in a reason (join a list instead)", loc)
		case *parse.TemplateNode:
			loc, _ := t.Tree.ErrorContext(n)
			return fmt.Errorf("template: %s: template is not allowed in a reason", loc)
		}
		for _, k := range kids {
			if l, ok := k.(*parse.ListNode); ok && l == nil {
				continue
			}
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(t.Tree.Root)
}

func formatTime(layout string) func(time.Time) string {
	return func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(layout)
	}
}

// extraKeys are the keys a template sees besides the element's fields.
func extraKeys() []string {
	return []string{"rule", "color", "person", "now", "until", "date", "value"}
}

// template compiles a reason template. When the keys it may use are known
// (elements are records, or the rule has no each), it is tried on sample
// data so that a misspelt key is refused now rather than when a code is
// computed.
func (c *compiler) template(n *yaml.Node, r *rule, elem *types.Type) *reasonTemplate {
	checkable := elem == nil || r.elem != nil
	t := template.New("reason").Funcs(templateFuncs())
	if checkable {
		t = t.Option("missingkey=error")
	}
	rt := &reasonTemplate{rule: r, strict: checkable}
	t, err := t.Parse(n.Value)
	if err == nil {
		err = checkTemplate(t)
	}
	if err == nil {
		rt.t = t
		rt.analyse()
		if checkable {
			at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			_, err = rt.render(sampleRecord(r.elem), nil, &Reason{Start: at, Until: at}, "person", at, true)
		}
	}
	if err != nil {
		line, col, msg := templateError(err)
		p := Problem{File: c.ps.file, Rule: r.id, Field: "reason", Msg: msg}
		p.Line, p.Col = c.ps.position(n, line, col)
		c.ps.add(p)
		return nil
	}
	return rt
}

// analyse finds the keys the template reads and its fast form, if any.
func (rt *reasonTemplate) analyse() {
	used, all := map[string]bool{}, false
	for _, t := range rt.t.Templates() {
		if t.Tree != nil && t.Tree.Root != nil {
			all = usedKeys(t.Tree.Root, used) || all
		}
	}
	if !all {
		rt.keys = []string{}
		for k := range used {
			rt.keys = append(rt.keys, k)
		}
	}
	if len(rt.t.Templates()) != 1 || rt.t.Tree == nil {
		return
	}
	parts := []part{}
	for _, n := range rt.t.Tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			parts = append(parts, part{text: string(n.Text)})
		case *parse.ActionNode:
			if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) != 1 || len(n.Pipe.Cmds[0].Args) != 1 {
				return
			}
			f, ok := n.Pipe.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok || len(f.Ident) != 1 {
				return
			}
			parts = append(parts, part{key: f.Ident[0]})
		default:
			return
		}
	}
	rt.parts = parts
}

// usedKeys adds the top-level keys that the template below n may read, and
// reports whether it may read any key (it uses dot or $ as a whole, or a
// construct it does not know).
func usedKeys(n parse.Node, keys map[string]bool) bool {
	all := false
	walk := func(n parse.Node) {
		if n != nil && usedKeys(n, keys) {
			all = true
		}
	}
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walk(c)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a)
		}
	case *parse.ChainNode:
		walk(n.Node)
	case *parse.FieldNode:
		keys[n.Ident[0]] = true
	case *parse.VariableNode:
		if len(n.Ident) < 2 || n.Ident[0] != "$" {
			return true // $ or a variable that may hold dot
		}
		keys[n.Ident[1]] = true
	case *parse.IfNode:
		walk(n.Pipe)
		walk(n.List)
		walk(n.ElseList)
	case *parse.RangeNode:
		walk(n.Pipe)
		walk(n.List)
		walk(n.ElseList)
	case *parse.WithNode:
		walk(n.Pipe)
		walk(n.List)
		walk(n.ElseList)
	case *parse.TextNode, *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode,
		*parse.IdentifierNode, *parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
	default:
		return true // dot, {{template}} and anything new
	}
	return all
}

// render writes the reason for one element: obj when it is a record, else
// e (nil without each). Slow makes it use text/template, whose errors tell
// where in the template they are.
func (rt *reasonTemplate) render(obj *object, e ref.Val, rs *Reason, person string, now time.Time, slow bool) (string, error) {
	get := func(key string) (any, bool) {
		if obj != nil {
			if f, ok := obj.typ.byName[key]; ok {
				return f.native(obj.ptr), true
			}
		}
		switch key {
		case "rule":
			return rt.rule.id, true
		case "color":
			return rt.rule.color, true
		case "person":
			return person, true
		case "now":
			return now, true
		case "until":
			return rs.Until, true
		case "date":
			return formatTime("2006-01-02")(rs.Start), true
		case "value":
			if e != nil && obj == nil {
				return e.Value(), true
			}
		}
		return nil, false
	}
	var b strings.Builder
	if rt.parts != nil && !slow {
		for _, p := range rt.parts {
			if p.key == "" {
				b.WriteString(p.text)
				continue
			}
			v, ok := get(p.key)
			switch {
			case ok:
				writeValue(&b, v)
			case rt.strict:
				return "", fmt.Errorf("map has no entry for key %q", p.key)
			default:
				b.WriteString("<no value>")
			}
		}
		return b.String(), nil
	}
	keys := rt.keys
	if keys == nil {
		keys = extraKeys()
		if obj != nil {
			keys = append(keys, obj.typ.names...)
		}
	}
	data := make(map[string]any, len(keys))
	for _, k := range keys {
		if v, ok := get(k); ok {
			data[k] = v
		}
	}
	if err := rt.t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// writeValue prints a value as text/template does (fmt's default format).
func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case string:
		b.WriteString(v)
	case int:
		b.WriteString(strconv.Itoa(v))
	default:
		fmt.Fprint(b, v)
	}
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
