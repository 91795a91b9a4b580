package seal_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"outbreak/internal/errs"
	"outbreak/internal/seal"
)

// sealOverhead is the documented growth of a sealed value: version, key
// number, nonce and tag.
const sealOverhead = 1 + 4 + 12 + 16

func openRing(t testing.TB, dir string) *seal.Ring {
	t.Helper()
	r, err := seal.Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return r
}

func newRing(t testing.TB) (*seal.Ring, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys", "seal")
	return openRing(t, dir), dir
}

// mustFailOpen checks that Open rejects sealed with an Internal error and no
// plaintext.
func mustFailOpen(t *testing.T, r *seal.Ring, sealed, ad []byte, what string) {
	t.Helper()
	pt, err := r.Open(sealed, ad)
	if err == nil {
		t.Fatalf("%s: Open succeeded with %q", what, pt)
	}
	if pt != nil {
		t.Errorf("%s: Open returned %q along with error %v", what, pt, err)
	}
	if k := errs.KindOf(err); k != errs.Internal {
		t.Errorf("%s: error kind %v, want internal: %v", what, k, err)
	}
	if !strings.HasPrefix(err.Error(), "seal: ") {
		t.Errorf("%s: error %q does not say it comes from seal", what, err)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	r, _ := newRing(t)
	tests := []struct{ name, plaintext, ad string }{
		{"phone", "+8613800000000", "residents/r1/phone"},
		{"name", "张伟", "residents/r1/name"},
		{"no associated data", "a@example.org", ""},
		{"one byte", "x", "residents/r2/name"},
		{"long", strings.Repeat("long value ", 1000), "residents/r3/name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sealed := r.Seal([]byte(tt.plaintext), []byte(tt.ad))
			if got, want := len(sealed), len(tt.plaintext)+sealOverhead; got != want {
				t.Errorf("sealed length %d, want %d", got, want)
			}
			if len(tt.plaintext) >= 8 && bytes.Contains(sealed, []byte(tt.plaintext)) {
				t.Errorf("sealed value contains the plaintext")
			}
			got, err := r.Open(sealed, []byte(tt.ad))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if string(got) != tt.plaintext {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
			if again := r.Seal([]byte(tt.plaintext), []byte(tt.ad)); bytes.Equal(again, sealed) {
				t.Errorf("two seals of the same value are equal: nonce not random")
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	r, _ := newRing(t)
	for _, pt := range [][]byte{nil, {}} {
		sealed := r.Seal(pt, []byte("residents/r1/phone"))
		if sealed == nil || len(sealed) != 0 {
			t.Errorf("Seal(%#v) = %#v, want an empty non-nil slice", pt, sealed)
		}
	}
	for _, sealed := range [][]byte{nil, {}} {
		got, err := r.Open(sealed, []byte("anything"))
		if err != nil || len(got) != 0 {
			t.Errorf("Open(%#v) = %q, %v; want empty, nil", sealed, got, err)
		}
		if r.NeedsReseal(sealed) {
			t.Errorf("NeedsReseal(%#v) = true, want false", sealed)
		}
	}
}

func TestAssociatedDataMismatch(t *testing.T) {
	t.Parallel()
	r, _ := newRing(t)
	sealed := r.Seal([]byte("+8613800000000"), []byte("residents/r1/phone"))
	for _, ad := range []string{"residents/r2/phone", "residents/r1/email", "residents/r1/phon", "", "residents/r1/phone\x00"} {
		mustFailOpen(t, r, sealed, []byte(ad), fmt.Sprintf("associated %q", ad))
	}
}

func TestTamperAnyByte(t *testing.T) {
	t.Parallel()
	r, _ := newRing(t)
	if _, err := r.Rotate(); err != nil { // two keys, so a changed key number can name a real key
		t.Fatal(err)
	}
	ad := []byte("residents/r1/name")
	sealed := r.Seal([]byte("Wang Fang"), ad)
	for i := range sealed {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := slices.Clone(sealed)
			bad[i] ^= mask
			mustFailOpen(t, r, bad, ad, fmt.Sprintf("byte %d ^ %#x", i, mask))
		}
	}
	// The key number naming the other, real key.
	bad := slices.Clone(sealed)
	bad[4]--
	mustFailOpen(t, r, bad, ad, "older key number")
	// Extra bytes at the end.
	mustFailOpen(t, r, append(slices.Clone(sealed), 0), ad, "appended byte")
}

func TestTruncated(t *testing.T) {
	t.Parallel()
	r, _ := newRing(t)
	ad := []byte("residents/r1/email")
	sealed := r.Seal([]byte("a@example.org"), ad)
	for n := 1; n < len(sealed); n++ {
		mustFailOpen(t, r, sealed[:n], ad, fmt.Sprintf("first %d bytes", n))
		mustFailOpen(t, r, sealed[len(sealed)-n:], ad, fmt.Sprintf("last %d bytes", n))
	}
}

func TestUnknownKey(t *testing.T) {
	t.Parallel()
	r, _ := newRing(t)
	sealed := r.Seal([]byte("x"), nil)
	sealed[1], sealed[2], sealed[3], sealed[4] = 0, 0, 0, 9
	mustFailOpen(t, r, sealed, nil, "key k9")
	_, err := r.Open(sealed, nil)
	if !errors.Is(err, seal.ErrUnknownKey) || !strings.Contains(err.Error(), "k9") {
		t.Errorf("error %q does not wrap ErrUnknownKey and name k9", err)
	}
}

func TestRotate(t *testing.T) {
	t.Parallel()
	r, dir := newRing(t)
	first := r.Primary()
	if first != "k1" {
		t.Errorf("first key %q, want k1", first)
	}
	ad := []byte("residents/r1/phone")
	old := r.Seal([]byte("+8613800000000"), ad)
	if r.NeedsReseal(old) {
		t.Errorf("NeedsReseal before rotation = true")
	}

	id, err := r.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if id != "k2" || r.Primary() != id {
		t.Errorf("Rotate = %q, Primary = %q; want k2", id, r.Primary())
	}
	if got := r.KeyIDs(); !slices.Equal(got, []string{"k1", "k2"}) {
		t.Errorf("KeyIDs = %q", got)
	}
	if got, err := r.Open(old, ad); err != nil || string(got) != "+8613800000000" {
		t.Errorf("old value after rotation: %q, %v", got, err)
	}
	if !r.NeedsReseal(old) {
		t.Errorf("NeedsReseal(old) = false after rotation")
	}
	fresh := r.Seal([]byte("+8613800000000"), ad)
	if r.NeedsReseal(fresh) {
		t.Errorf("NeedsReseal(new) = true")
	}
	if got, err := r.Open(fresh, ad); err != nil || string(got) != "+8613800000000" {
		t.Errorf("new value: %q, %v", got, err)
	}

	// The new seal is under k2: a ring holding only k1 cannot open it.
	only1 := filepath.Join(t.TempDir(), "only1")
	if err := os.Mkdir(only1, 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(dir, "k1.key"), filepath.Join(only1, "k1.key"))
	r1 := openRing(t, only1)
	if _, err := r1.Open(fresh, ad); !errors.Is(err, seal.ErrUnknownKey) {
		t.Errorf("k1-only ring opening a k2 value: %v, want ErrUnknownKey", err)
	}
	if _, err := r1.Open(old, ad); err != nil {
		t.Errorf("k1-only ring opening a k1 value: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	r, dir := newRing(t)
	other := openRing(t, dir)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				ad := fmt.Appendf(nil, "residents/r%d-%d/phone", g, i)
				pt := fmt.Appendf(nil, "+86138%08d", i)
				v := r.Seal(pt, ad)
				got, err := r.Open(v, ad)
				if err != nil || !bytes.Equal(got, pt) {
					t.Errorf("goroutine %d value %d: %q, %v", g, i, got, err)
					return
				}
				_ = r.NeedsReseal(v)
				_ = r.Primary()
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			if _, err := other.Rotate(); err != nil {
				t.Error(err)
			}
			if err := r.Reload(); err != nil {
				t.Error(err)
			}
			_ = r.KeyIDs()
		}
	})
	wg.Go(func() {
		for range 5 {
			if _, err := r.Rotate(); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if n := len(r.KeyIDs()); n != 11 {
		t.Errorf("%d keys after 10 rotations, want 11: %q", n, r.KeyIDs())
	}
}
