package risk

import (
	"fmt"
	"slices"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"

	"outbreak/internal/errs"
)

// Evaluate computes the resident's code at now from the facts (nil: none).
// Rules whose input lists are all empty are not run at all, so a resident
// with no facts costs next to nothing. The error, of kind Invalid, comes
// from a policy expression that fails at run time (for instance reading an
// absent time without has()) or an appeal with an unknown color; it names
// the rule and the person.
func (p *Policy) Evaluate(f *Facts, now time.Time) (Code, error) {
	if f == nil {
		f = &Facts{}
	}
	code := Code{Person: f.Person, Color: Green, Reasons: []Reason{}}
	empty := emptyLists(f)
	var act *activation
	for _, r := range p.rules {
		if r.skipped(empty) {
			continue
		}
		if act == nil {
			act = p.acts.Get().(*activation)
			act.reset(f, now)
			defer p.release(act)
		}
		if err := r.apply(act, &code.Reasons); err != nil {
			return Code{}, errs.Wrap(errs.Invalid, err, fmt.Sprintf("policy %s: rule %s: person %s", p.name, r.id, f.Person))
		}
	}
	if len(code.Reasons) == 0 && len(f.Appeals) == 0 {
		return code, nil
	}
	for _, a := range f.Appeals {
		if rank(a.Color) < 0 {
			return Code{}, errs.E(errs.Invalid, "person %s: appeal %s: unknown color %q", f.Person, a.ID, a.Color)
		}
	}
	color, ai := colorAt(code.Reasons, f.Appeals, now, now)
	code.Color = color
	code.ValidUntil = validUntil(color, code.Reasons, f.Appeals, now)
	if ai >= 0 {
		a := f.Appeals[ai]
		code.Reasons = append(code.Reasons, Reason{Rule: AppealRule, Color: a.Color, Appeal: a.ID,
			Start: a.Approved, End: a.Expires, Until: a.Expires,
			Text: fmt.Sprintf("Appeal %s approved: %s until %s", a.ID, a.Color, a.Expires.UTC().Format("2006-01-02 15:04 UTC"))})
	}
	slices.SortFunc(code.Reasons, compareReasons)
	return code, nil
}

// emptyLists returns the set of the facts' empty record lists, bit k for
// kind k.
func emptyLists(f *Facts) uint8 {
	var m uint8
	for k, n := range [numKinds]int{len(f.Cases), len(f.Exposures), len(f.Stays), len(f.Declarations), len(f.Tests), len(f.Appeals)} {
		if n == 0 {
			m |= 1 << k
		}
	}
	return m
}

// skipped reports whether the rule provably gives no reason when the lists
// in empty are empty.
func (r *rule) skipped(empty uint8) bool {
	for _, s := range r.skip {
		if s&^empty == 0 {
			return true
		}
	}
	return false
}

// apply runs the rule and appends the reasons that still count at now.
func (r *rule) apply(a *activation, out *[]Reason) error {
	if r.each == nil {
		return r.element(a, nil, out)
	}
	v, _, err := r.each.Eval(a)
	if err != nil {
		return fmt.Errorf("each: %w", err)
	}
	list, ok := v.(traits.Lister)
	if !ok {
		return fmt.Errorf("each: gave %s, not a list", v.Type().TypeName())
	}
	defer func() { a.elem = nil }()
	for it := list.Iterator(); it.HasNext() == types.True; {
		if err := r.element(a, it.Next(), out); err != nil {
			return err
		}
	}
	return nil
}

// element applies the rule to one element of each (nil without each).
func (r *rule) element(a *activation, e ref.Val, out *[]Reason) error {
	a.elemName, a.elem = r.as, e
	if r.when != nil {
		v, _, err := r.when.Eval(a)
		if err != nil {
			return fmt.Errorf("when: %w", err)
		}
		b, ok := v.(types.Bool)
		if !ok {
			return fmt.Errorf("when: gave %s, not a bool", v.Type().TypeName())
		}
		if !b {
			return nil
		}
	}
	var until time.Time
	if r.until != nil {
		v, _, err := r.until.Eval(a)
		if err != nil {
			return fmt.Errorf("until: %w", err)
		}
		ts, ok := v.(types.Timestamp)
		if !ok {
			return fmt.Errorf("until: gave %s, not a timestamp", v.Type().TypeName())
		}
		if ts.Before(forever()) {
			until = ts.Time
		}
	}
	if !lasts(until, a.now) {
		return nil
	}
	rs := Reason{Rule: r.id, Color: r.color, Until: until}
	obj, _ := e.(*object)
	if obj != nil {
		obj.typ.evident(obj.ptr, &rs)
	}
	text, err := r.reason.render(obj, e, &rs, a.facts.Person, a.now, false)
	if err != nil {
		return fmt.Errorf("reason: %w", err)
	}
	rs.Text = text
	*out = append(*out, rs)
	return nil
}

// activation is the input of one evaluation: it resolves the rules'
// variables without a map, builds a record list only when a rule reads it,
// and is recycled through the policy's pool with its backing arrays.
type activation struct {
	types    *[numKinds]*objType
	facts    *Facts
	now      time.Time
	vals     [3]ref.Val // now, person, region
	built    uint8      // the lists built so far, bit k for kind k
	lists    [numKinds]ref.Val
	objs     [numKinds][]object
	refs     [numKinds][]ref.Val
	elem     ref.Val // the element of each being looked at
	elemName string
}

var _ interpreter.Activation = (*activation)(nil)

func newActivation(p *Policy) *activation { return &activation{types: &p.types} }

func (a *activation) reset(f *Facts, now time.Time) {
	a.facts, a.now, a.built = f, now, 0
	a.vals = [3]ref.Val{types.Timestamp{Time: now.UTC()}, types.String(f.Person), types.String(f.Region)}
}

// release drops every reference to the facts and pools the activation.
func (p *Policy) release(a *activation) {
	for k := range numKinds {
		clear(a.objs[k])
		clear(a.refs[k])
		a.lists[k] = nil
	}
	a.facts, a.elem, a.vals = nil, nil, [3]ref.Val{}
	p.acts.Put(a)
}

// ResolveName returns the value of a variable.
func (a *activation) ResolveName(name string) (any, bool) {
	if a.elem != nil && name == a.elemName {
		return a.elem, true
	}
	switch name {
	case "now":
		return a.vals[0], true
	case "person":
		return a.vals[1], true
	case "region":
		return a.vals[2], true
	case "cases":
		return a.list(kindCase), true
	case "exposures":
		return a.list(kindExposure), true
	case "stays":
		return a.list(kindStay), true
	case "declarations":
		return a.list(kindDeclaration), true
	case "tests":
		return a.list(kindTest), true
	case "appeals":
		return a.list(kindAppeal), true
	}
	return nil, false
}

// Parent returns nil: an activation stands alone.
func (a *activation) Parent() interpreter.Activation { return nil }

// list returns the records of kind k as a CEL list of objects pointing
// into the facts.
func (a *activation) list(k kind) ref.Val {
	if a.built&(1<<k) != 0 {
		return a.lists[k]
	}
	f, objs := a.facts, a.objs[k][:0]
	t := a.types[k]
	switch k {
	case kindCase:
		for i := range f.Cases {
			objs = append(objs, object{typ: t, ptr: &f.Cases[i]})
		}
	case kindExposure:
		for i := range f.Exposures {
			objs = append(objs, object{typ: t, ptr: &f.Exposures[i]})
		}
	case kindStay:
		for i := range f.Stays {
			objs = append(objs, object{typ: t, ptr: &f.Stays[i]})
		}
	case kindDeclaration:
		for i := range f.Declarations {
			objs = append(objs, object{typ: t, ptr: &f.Declarations[i]})
		}
	case kindTest:
		for i := range f.Tests {
			objs = append(objs, object{typ: t, ptr: &f.Tests[i]})
		}
	case kindAppeal:
		for i := range f.Appeals {
			objs = append(objs, object{typ: t, ptr: &f.Appeals[i]})
		}
	}
	refs := a.refs[k][:0]
	for i := range objs {
		refs = append(refs, &objs[i])
	}
	a.objs[k], a.refs[k] = objs, refs
	a.lists[k] = types.NewRefValList(types.DefaultTypeAdapter, refs)
	a.built |= 1 << k
	return a.lists[k]
}
