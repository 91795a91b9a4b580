package kinds_test

import (
	"bytes"
	"context"
	"outbreak/internal/kinds"
	"testing"

	"outbreak/internal/feed"
)

// TestKindsInTheFeed imports every kind again into a store that holds it,
// and checks that the store noted the changes under the kind's name: the
// keeper finds a change's effect by that name.
func TestKindsInTheFeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := seeded(t)
	fr := st.(feed.Reader)
	for _, k := range kinds.All() {
		var buf bytes.Buffer
		if _, err := kinds.Export(ctx, st, k.Name(), kinds.NDJSON, &buf); err != nil {
			t.Fatal(err)
		}
		head, err := fr.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kinds.Import(ctx, st, k.Name(), k.Name()+".ndjson", &buf, kinds.Options{}); err != nil {
			t.Fatalf("import %s again: %v", k.Name(), err)
		}
		cs, err := fr.ChangesSince(ctx, head, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			t.Errorf("importing %s noted no change", k.Name())
		}
		for _, c := range cs {
			if c.Kind != k.Name() {
				t.Errorf("importing %s noted a change of kind %q", k.Name(), c.Kind)
			}
		}
	}
}
