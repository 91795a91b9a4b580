package risk

import (
	"slices"
	"strings"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
