package seal_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"outbreak/internal/errs"
	"outbreak/internal/seal"
)

func TestReopenSeesSameKeys(t *testing.T) {
	t.Parallel()
	r, dir := newRing(t)
	ad := []byte("residents/r9/name")
	v1 := r.Seal([]byte("Li Na"), ad)
	if _, err := r.Rotate(); err != nil {
		t.Fatal(err)
	}
	v2 := r.Seal([]byte("Li Na"), ad)

	again := openRing(t, dir)
	if !slices.Equal(again.KeyIDs(), r.KeyIDs()) || again.Primary() != r.Primary() {
		t.Errorf("reopened ring has %q primary %q, want %q primary %q", again.KeyIDs(), again.Primary(), r.KeyIDs(), r.Primary())
	}
	for _, v := range [][]byte{v1, v2} {
		if got, err := again.Open(v, ad); err != nil || string(got) != "Li Na" {
			t.Errorf("reopened ring: %q, %v", got, err)
		}
	}
	if got, err := r.Open(again.Seal([]byte("Li Na"), ad), ad); err != nil || string(got) != "Li Na" {
		t.Errorf("value sealed by reopened ring: %q, %v", got, err)
	}
}

func TestReloadAfterOtherProcessRotates(t *testing.T) {
	t.Parallel()
	a, dir := newRing(t)
	b := openRing(t, dir)
	id, err := a.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("residents/r1/name")
	v := a.Seal([]byte("Zhao Lei"), ad)
	if _, err := b.Open(v, ad); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("before Reload: %v, want ErrUnknownKey", err)
	}
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	if b.Primary() != id {
		t.Errorf("after Reload primary %q, want %q", b.Primary(), id)
	}
	if got, err := b.Open(v, ad); err != nil || string(got) != "Zhao Lei" {
		t.Errorf("after Reload: %q, %v", got, err)
	}
}

// TestConcurrentRotate has two rings on one directory, as two processes
// would, rotate at the same time: no key may overwrite another.
func TestConcurrentRotate(t *testing.T) {
	t.Parallel()
	a, dir := newRing(t)
	b := openRing(t, dir)
	const rounds = 10
	ad := []byte("residents/r1/phone")
	var wg sync.WaitGroup
	sealed := make([][][]byte, 2)
	for i, r := range []*seal.Ring{a, b} {
		wg.Go(func() {
			for range rounds {
				if _, err := r.Rotate(); err != nil {
					t.Error(err)
					return
				}
				sealed[i] = append(sealed[i], r.Seal([]byte("+8613800000000"), ad))
			}
		})
	}
	wg.Wait()
	for _, r := range []*seal.Ring{a, b, openRing(t, dir)} {
		if err := r.Reload(); err != nil {
			t.Fatal(err)
		}
		if n := len(r.KeyIDs()); n != 1+2*rounds {
			t.Errorf("%d keys, want %d: %q", n, 1+2*rounds, r.KeyIDs())
		}
		for _, vs := range sealed {
			for _, v := range vs {
				if _, err := r.Open(v, ad); err != nil {
					t.Errorf("value lost to a concurrent rotation: %v", err)
				}
			}
		}
	}
}

func TestConcurrentOpenOfEmptyDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "seal")
	rings := make([]*seal.Ring, 8)
	var wg sync.WaitGroup
	for i := range rings {
		wg.Go(func() {
			r, err := seal.Open(dir)
			if err != nil {
				t.Error(err)
				return
			}
			rings[i] = r
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	v := rings[0].Seal([]byte("x"), nil)
	for i, r := range rings {
		if got := r.KeyIDs(); !slices.Equal(got, []string{"k1"}) {
			t.Errorf("ring %d: keys %q, want [k1]", i, got)
		}
		if _, err := r.Open(v, nil); err != nil {
			t.Errorf("ring %d has a different k1: %v", i, err)
		}
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	r, dir := newRing(t)
	if _, err := r.Rotate(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != 0o700 {
			t.Errorf("%s: mode %o, want 700", d, got)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode(); got != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", e.Name(), got)
		}
	}
	if want := []string{"k1.key", "k2.key"}; !slices.Equal(names, want) {
		t.Errorf("key directory holds %q, want %q (no temporary files left)", names, want)
	}
}

func TestKeyDirectoryContents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		wantIDs []string
		wantErr string
	}{
		{"ignores other names", map[string]string{
			"k2.key":  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
			"k02.key": "garbage", "k0.key": "garbage", "kx.key": "garbage",
			".tmp-k3-123": "garbage", "README": "keys", "k3.key~": "garbage",
		}, []string{"k2"}, ""},
		{"short key", map[string]string{"k1.key": "AAAA\n"}, nil, "k1.key: not the base64 of 32 bytes"},
		{"not base64", map[string]string{"k1.key": "not base64!\n"}, nil, "k1.key: not the base64 of 32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, err := seal.Open(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errs.KindOf(err) != errs.Internal {
					t.Fatalf("Open: %v, want internal error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.KeyIDs(); !slices.Equal(got, tt.wantIDs) {
				t.Errorf("KeyIDs = %q, want %q", got, tt.wantIDs)
			}
		})
	}
}

func TestReloadRejectsChangedKey(t *testing.T) {
	t.Parallel()
	r, dir := newRing(t)
	path := filepath.Join(dir, "k1.key")
	if err := os.WriteFile(path, []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err == nil || !strings.Contains(err.Error(), "k1.key changed") {
		t.Errorf("Reload after k1.key was replaced: %v", err)
	}
	// A removed key stays usable in the running ring.
	v := r.Seal([]byte("x"), nil)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open(v, nil); err != nil {
		t.Errorf("after k1.key was removed: %v", err)
	}
}

func TestOpenOnFileFails(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := seal.Open(path); err == nil || errs.KindOf(err) != errs.Internal {
		t.Errorf("Open on a file: %v", err)
	}
	if _, err := seal.Open(filepath.Join(path, "sub")); err == nil {
		t.Errorf("Open under a file succeeded")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
