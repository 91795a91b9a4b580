package risk

import (
	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
)

// The bounds the cost check assumes: at most maxRecords records of each
// kind per resident, maxElements elements in each's list, strings of at
// most maxString characters; a rule may cost at most maxCost units (about
// an operation each) for such a resident, so that no policy can stall
// evaluation.
const (
	maxString   = 64
	maxSymptoms = 32
	maxElements = 1000
	maxCost     = 10_000_000
)

// maxRecords returns the most records of kind k that one resident is
// assumed to have when a policy's cost is estimated.
func maxRecords(k kind) uint64 {
	return [numKinds]uint64{kindCase: 10, kindExposure: 1000, kindStay: 100, kindDeclaration: 100, kindTest: 100, kindAppeal: 10}[k]
}

// sizeEstimator tells CEL's cost estimator how large the variables can be.
type sizeEstimator struct{}

// EstimateSize bounds the record lists, the symptoms and strings.
func (sizeEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	path := n.Path()
	if len(path) == 0 {
		return nil
	}
	if len(path) == 1 {
		for k := range numKinds {
			if listName(k) == path[0] {
				return &cost.SizeEstimate{Min: 0, Max: maxRecords(k)}
			}
		}
	}
	switch {
	case path[len(path)-1] == "symptoms":
		return &cost.SizeEstimate{Min: 0, Max: maxSymptoms}
	case n.Type() != nil && n.Type().Kind() == types.StringKind:
		return &cost.SizeEstimate{Min: 0, Max: maxString}
	}
	return nil
}

// EstimateCallCost leaves calls to CEL's own estimates.
func (sizeEstimator) EstimateCallCost(function, overloadID string, target *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	return nil
}

// estimate returns the most an expression can cost, in CEL's cost units
// (about one per operation).
func estimate(env *cel.Env, ast *cel.Ast) uint64 {
	est, err := env.EstimateCost(ast, sizeEstimator{})
	if err != nil {
		return ^uint64(0)
	}
	return est.Max
}
