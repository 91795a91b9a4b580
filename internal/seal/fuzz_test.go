package seal_test

import (
	"bytes"
	"testing"
)

// FuzzOpen feeds Open arbitrary values and associated data. Open must never
// panic, and must open nothing but the exact values sealed here, with their
// own associated data, to their own plaintexts. The seeds are built at run
// time because the ring's keys are new on every run; a 30 s run found no
// failing input, so there is no corpus under testdata/fuzz yet.
func FuzzOpen(f *testing.F) {
	r, _ := newRing(f)
	if _, err := r.Rotate(); err != nil {
		f.Fatal(err)
	}
	type pair struct{ sealed, ad string }
	known := map[pair]string{}
	add := func(pt, ad string) []byte {
		v := r.Seal([]byte(pt), []byte(ad))
		known[pair{string(v), ad}] = pt
		return v
	}
	for _, c := range []struct{ pt, ad string }{
		{"+8613800000000", "residents/r1/phone"},
		{"张伟", "residents/r1/name"},
		{"a@example.org", ""},
		{"x", "x"},
	} {
		v := add(c.pt, c.ad)
		f.Add(v, []byte(c.ad))
		f.Add(v, []byte(c.ad+"!"))
		f.Add(v[:len(v)-1], []byte(c.ad))
		f.Add(append(v[:1:1], v[5:]...), []byte(c.ad))
	}
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1}, []byte{})
	f.Add(make([]byte, 33), []byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 64), []byte("residents/r1/phone"))

	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		_ = r.NeedsReseal(sealed)
		pt, err := r.Open(sealed, ad)
		if err != nil {
			if pt != nil {
				t.Fatalf("Open returned %q with error %v", pt, err)
			}
			return
		}
		if len(sealed) == 0 {
			if len(pt) != 0 {
				t.Fatalf("empty value opened to %q", pt)
			}
			return
		}
		want, ok := known[pair{string(sealed), string(ad)}]
		if !ok {
			t.Fatalf("Open(%x, %q) = %q: a value that was never sealed opened", sealed, ad, pt)
		}
		if string(pt) != want {
			t.Fatalf("Open = %q, want %q", pt, want)
		}
	})
}
