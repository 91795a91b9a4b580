// Package risk is the health-code policy engine: it compiles a policy file
// of CEL rules and computes each resident's code (green, yellow or red) with
// its reasons and the instant time alone would change it. It is pure: no
// I/O and no database; the caller gathers the facts.
//
// # Policy file
//
// A policy is YAML (or JSON, which is YAML too):
//
//	version: 1
//	settings: {min_overlap: 15m, default_dwell: 30m, before_onset: 48h, secondary_window: 72h, min_stay: 1h}
//	rules:
//	  - id: close-contact
//	    color: red
//	    each: exposures.filter(e, e.degree == 1)
//	    as: e
//	    when: e.place != "hospital"
//	    until: e.end + duration("336h")
//	    reason: "Close contact of a confirmed case at {{.place}} on {{.date}}"
//
// Settings are Go durations onto [trace.Rules] (Policy.Rules returns them,
// with the defaults for those left out). A rule has an id (unique, the form
// of record IDs, not "appeal"), a color (green, yellow or red) and a reason,
// and optionally:
//
//   - each: a CEL list; the rule gives one reason per element. The element
//     is bound to the name given by as (default "it") in when, until and
//     the reason. Without each the rule applies once, to the resident.
//   - when: a CEL bool; the element gives a reason only when it is true.
//   - until: a CEL timestamp at which the reason ends; without it, or when
//     it is forever, the reason has no end.
//   - reason: a text/template for the resident over the element's fields
//     (when the elements are records) and rule, color, person, now, until
//     and date (the UTC day the evidence starts, "2006-01-02"), with the
//     functions date and datetime (instants in UTC, "" for absent ones) and
//     join. A key that does not exist is refused when the policy is parsed.
//
// # Variables
//
// Every expression sees now and forever (timestamps), person and region
// (the resident and their home region), and one list per kind of record,
// whose elements are typed objects with the snake_case fields of the
// records' JSON:
//
//	cases         id, person, onset, isolated, released
//	exposures     person, case_person, degree, via, place, start, end
//	stays         person, region, level, start, end, stay_end
//	declarations  id, person, declared_at, symptoms (list of strings)
//	tests         id, person, specimen_at, result, test_type
//	appeals       id, color, approved, expires
//
// A time that is not known is absent, not a zero date: has(c.released) is
// false for a case not released yet (and has(s.stay_end) for a stay that
// still lasts), and reading an absent time is an error at evaluation, so a
// rule tests has() first. has() is false for an empty string or list too.
// The checker knows every field's type, so a misspelt field or variable, or
// an expression of the wrong type, is refused when the policy is parsed,
// with its line and column in the file.
//
// # Evaluation
//
// A reason counts while its until is after now. The worst color among the
// reasons that count wins; with none the code is green. An approved appeal
// (approved by now, expiring after now) overrides the color with its own
// (the one approved last decides) and adds a reason with rule "appeal".
// ValidUntil is found by trying each instant at which a counted reason or
// an appeal ends, in order, and taking the first at which the color
// differs. A reason whose until is computed from now (a stay that still
// lasts) moves with now, so ValidUntil then only says when to look again.
//
// Evaluation is fast because residents mostly have no facts: when compiling,
// the package works out which record lists a rule needs to give any reason
// (each = exposures.filter(...) needs exposures) and skips the rule, without
// running CEL, when they are empty. When CEL does run, variables come from a
// pooled activation without maps, records are CEL objects pointing into the
// caller's structs through a custom type provider (no reflection, no
// copying), and the checker's field types let CEL read fields directly.
package risk
