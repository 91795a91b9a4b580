package risk

import (
	"fmt"
	"reflect"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/trace"
)

// kind numbers the kinds of record that rules see, one list variable each.
type kind uint8

const (
	kindCase kind = iota
	kindExposure
	kindStay
	kindDeclaration
	kindTest
	kindAppeal
	numKinds
)

// listName returns the CEL variable holding the records of kind k.
func listName(k kind) string {
	return [numKinds]string{"cases", "exposures", "stays", "declarations", "tests", "appeals"}[k]
}

// fieldDef is one field of a record as rules and reason templates see it.
type fieldDef struct {
	name string
	typ  *types.Type
	// get returns the field as a CEL value; native, as a Go value for
	// templates; zero reports whether the field is absent.
	get    func(p any) ref.Val
	native func(p any) any
	zero   func(p any) bool
}

// objType is a record type: a CEL struct type backed by a Go struct.
type objType struct {
	kind    kind
	name    string
	celType *types.Type
	fields  []fieldDef
	byName  map[string]*fieldDef
	ftypes  map[string]*types.FieldType
	names   []string
	evident func(p any, r *Reason) // fills in a reason's evidence
}

func strField[T any](name string, f func(*T) string) fieldDef {
	return fieldDef{name: name, typ: types.StringType,
		get:    func(p any) ref.Val { return types.String(f(p.(*T))) },
		native: func(p any) any { return f(p.(*T)) },
		zero:   func(p any) bool { return f(p.(*T)) == "" },
	}
}

func timeField[T any](name string, f func(*T) time.Time) fieldDef {
	return fieldDef{name: name, typ: types.TimestampType,
		get: func(p any) ref.Val {
			t := f(p.(*T))
			if t.IsZero() {
				return types.NewErr("field %s is absent: test it with has() first", name)
			}
			return types.Timestamp{Time: t.UTC()}
		},
		native: func(p any) any { return f(p.(*T)).UTC() },
		zero:   func(p any) bool { return f(p.(*T)).IsZero() },
	}
}

// recordTypes returns the record types, indexed by kind. They are built per
// policy (there are no package-level variables) and never change after.
func recordTypes() [numKinds]*objType {
	exposure := []fieldDef{
		strField("person", func(e *trace.Exposure) string { return e.Person }),
		strField("case_person", func(e *trace.Exposure) string { return e.CasePerson }),
		{name: "degree", typ: types.IntType,
			get:    func(p any) ref.Val { return types.Int(p.(*trace.Exposure).Degree) },
			native: func(p any) any { return p.(*trace.Exposure).Degree },
			zero:   func(p any) bool { return p.(*trace.Exposure).Degree == 0 }},
		strField("via", func(e *trace.Exposure) string { return e.Via }),
		strField("place", func(e *trace.Exposure) string { return e.Place }),
		timeField("start", func(e *trace.Exposure) time.Time { return e.Start }),
		timeField("end", func(e *trace.Exposure) time.Time { return e.End }),
	}
	symptoms := func(p any) []string { return p.(*lab.Declaration).Symptoms }
	declaration := []fieldDef{
		strField("id", func(d *lab.Declaration) string { return d.ID }),
		strField("person", func(d *lab.Declaration) string { return d.Person }),
		timeField("declared_at", func(d *lab.Declaration) time.Time { return d.DeclaredAt }),
		{name: "symptoms", typ: types.NewListType(types.StringType),
			get:    func(p any) ref.Val { return types.NewStringList(types.DefaultTypeAdapter, symptoms(p)) },
			native: func(p any) any { return symptoms(p) },
			zero:   func(p any) bool { return len(symptoms(p)) == 0 }},
	}
	var ts [numKinds]*objType
	ts[kindCase] = newObjType(kindCase, "Case", []fieldDef{
		strField("id", func(c *cases.Case) string { return c.ID }),
		strField("person", func(c *cases.Case) string { return c.Person }),
		timeField("onset", func(c *cases.Case) time.Time { return c.Onset }),
		timeField("isolated", func(c *cases.Case) time.Time { return c.Isolated }),
		timeField("released", func(c *cases.Case) time.Time { return c.Released }),
	}, func(p any, r *Reason) {
		c := p.(*cases.Case)
		r.Case, r.Start, r.End = c.ID, c.Onset, c.Released
		if r.Case == "" {
			r.Case = c.Person
		}
	})
	ts[kindExposure] = newObjType(kindExposure, "Exposure", exposure, func(p any, r *Reason) {
		e := p.(*trace.Exposure)
		r.Case, r.Via, r.Place, r.Start, r.End = e.CasePerson, e.Via, e.Place, e.Start, e.End
	})
	ts[kindStay] = newObjType(kindStay, "Stay", []fieldDef{
		strField("person", func(s *trace.RegionStay) string { return s.Person }),
		strField("region", func(s *trace.RegionStay) string { return s.Region }),
		strField("level", func(s *trace.RegionStay) string { return s.Level }),
		timeField("start", func(s *trace.RegionStay) time.Time { return s.Start }),
		timeField("end", func(s *trace.RegionStay) time.Time { return s.End }),
		timeField("stay_end", func(s *trace.RegionStay) time.Time { return s.StayEnd }),
	}, func(p any, r *Reason) {
		s := p.(*trace.RegionStay)
		r.Region, r.Start, r.End = s.Region, s.Start, s.End
	})
	ts[kindDeclaration] = newObjType(kindDeclaration, "Declaration", declaration, func(p any, r *Reason) {
		r.Start = p.(*lab.Declaration).DeclaredAt
	})
	ts[kindTest] = newObjType(kindTest, "Test", []fieldDef{
		strField("id", func(t *lab.Result) string { return t.ID }),
		strField("person", func(t *lab.Result) string { return t.Person }),
		timeField("specimen_at", func(t *lab.Result) time.Time { return t.SpecimenAt }),
		strField("result", func(t *lab.Result) string { return t.Result }),
		strField("test_type", func(t *lab.Result) string { return t.TestType }),
	}, func(p any, r *Reason) {
		r.Start = p.(*lab.Result).SpecimenAt
	})
	ts[kindAppeal] = newObjType(kindAppeal, "Appeal", []fieldDef{
		strField("id", func(a *Appeal) string { return a.ID }),
		strField("color", func(a *Appeal) string { return a.Color }),
		timeField("approved", func(a *Appeal) time.Time { return a.Approved }),
		timeField("expires", func(a *Appeal) time.Time { return a.Expires }),
	}, func(p any, r *Reason) {
		a := p.(*Appeal)
		r.Appeal, r.Start, r.End = a.ID, a.Approved, a.Expires
	})
	return ts
}

func newObjType(k kind, name string, fields []fieldDef, evident func(any, *Reason)) *objType {
	t := &objType{kind: k, name: typePrefix + name, fields: fields, evident: evident,
		byName: map[string]*fieldDef{}, ftypes: map[string]*types.FieldType{}}
	t.celType = types.NewObjectType(t.name, traits.FieldTesterType|traits.IndexerType)
	for i := range t.fields {
		f := &t.fields[i]
		t.byName[f.name] = f
		t.names = append(t.names, f.name)
		t.ftypes[f.name] = &types.FieldType{
			Type:  f.typ,
			IsSet: func(o any) bool { return !f.zero(o.(*object).ptr) },
			GetFrom: func(o any) (any, error) {
				v := f.get(o.(*object).ptr)
				if err, ok := v.(*types.Err); ok {
					return nil, err
				}
				return v, nil
			},
		}
	}
	return t
}

// typePrefix qualifies the record type names in CEL, as in "risk.Exposure".
const typePrefix = "risk."

// object is one record as a CEL value: a pointer to the caller's struct
// (never copied) and its type.
type object struct {
	typ *objType
	ptr any
}

var (
	_ ref.Val            = (*object)(nil)
	_ traits.Indexer     = (*object)(nil)
	_ traits.FieldTester = (*object)(nil)
)

// ConvertToNative returns the record as its Go struct or a pointer to it.
func (o *object) ConvertToNative(t reflect.Type) (any, error) {
	v := reflect.ValueOf(o.ptr)
	switch t {
	case v.Type():
		return o.ptr, nil
	case v.Type().Elem():
		return v.Elem().Interface(), nil
	}
	return nil, fmt.Errorf("cannot convert %s to %v", o.typ.name, t)
}

// ConvertToType converts the record to its type, or fails.
func (o *object) ConvertToType(t ref.Type) ref.Val {
	switch t.TypeName() {
	case types.TypeType.TypeName():
		return o.typ.celType
	case o.typ.name:
		return o
	}
	return types.NewErr("type conversion error from '%s' to '%s'", o.typ.name, t.TypeName())
}

// Equal compares two records field by field.
func (o *object) Equal(other ref.Val) ref.Val {
	p, ok := other.(*object)
	if !ok || p.typ != o.typ {
		return types.False
	}
	if p.ptr == o.ptr {
		return types.True
	}
	for _, f := range o.typ.fields {
		if f.zero(o.ptr) != f.zero(p.ptr) {
			return types.False
		}
		if !f.zero(o.ptr) && f.get(o.ptr).Equal(f.get(p.ptr)) != types.True {
			return types.False
		}
	}
	return types.True
}

// Type returns the record's CEL type.
func (o *object) Type() ref.Type { return o.typ.celType }

// Value returns the object itself, so that field getters receive it.
func (o *object) Value() any { return o }

// Get returns a field by name; it is used when the checker could not tell
// the record's type (a dyn value).
func (o *object) Get(index ref.Val) ref.Val {
	name, ok := index.(types.String)
	if !ok {
		return types.ValOrErr(index, "no such overload")
	}
	f, ok := o.typ.byName[string(name)]
	if !ok {
		return types.NewErr("no such field '%s' on %s", name, o.typ.name)
	}
	return f.get(o.ptr)
}

// IsSet reports whether a field is present (a non-zero value).
func (o *object) IsSet(index ref.Val) ref.Val {
	name, ok := index.(types.String)
	if !ok {
		return types.ValOrErr(index, "no such overload")
	}
	f, ok := o.typ.byName[string(name)]
	if !ok {
		return types.NewErr("no such field '%s' on %s", name, o.typ.name)
	}
	return types.Bool(!f.zero(o.ptr))
}

// provider adds the record types to CEL's own type provider.
type provider struct {
	types.Provider
	byName map[string]*objType
}

// FindStructType returns the type of a record type name.
func (p *provider) FindStructType(name string) (*types.Type, bool) {
	if t, ok := p.byName[name]; ok {
		return types.NewTypeTypeWithParam(t.celType), true
	}
	return p.Provider.FindStructType(name)
}

// FindStructFieldNames returns the field names of a record type.
func (p *provider) FindStructFieldNames(name string) ([]string, bool) {
	if t, ok := p.byName[name]; ok {
		return t.names, true
	}
	return p.Provider.FindStructFieldNames(name)
}

// FindStructFieldType returns the type and accessors of a record field.
func (p *provider) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	if t, ok := p.byName[name]; ok {
		ft, ok := t.ftypes[field]
		return ft, ok
	}
	return p.Provider.FindStructFieldType(name, field)
}

// NewValue refuses to make records: rules only read them.
func (p *provider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if _, ok := p.byName[name]; ok {
		return types.NewErr("cannot create %s values", name)
	}
	return p.Provider.NewValue(name, fields)
}

// recordTypesOption installs the record types into a CEL environment.
func recordTypesOption(ts [numKinds]*objType) cel.EnvOption {
	return func(env *cel.Env) (*cel.Env, error) {
		p := &provider{Provider: env.CELTypeProvider(), byName: map[string]*objType{}}
		for _, t := range ts {
			p.byName[t.name] = t
		}
		return cel.CustomTypeProvider(p)(env)
	}
}
