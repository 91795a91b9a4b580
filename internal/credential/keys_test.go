package credential

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestKeyFiles checks what a ring leaves on disk: private files in a private
// directory, and an index that keeps retired keys, marked.
func TestKeyFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys", "codes")
	k, err := OpenKeyring(dir, at(t0))
	if err != nil {
		t.Fatal(err)
	}
	first := k.TrustList().Keys[0].KID
	var kids []string
	for i := range 3 {
		kid, err := k.Rotate(t0.Add(time.Duration(i+1) * time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, kid)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("key directory: %v, %v; want mode 0700", info.Mode(), err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(names) != 5 {
		t.Fatalf("files %v, want four keys and the index", names)
	}
	for _, name := range names {
		if info, err := os.Stat(name); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", name, info.Mode(), err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "ring.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index ring
	if err := json.Unmarshal(data, &index); err != nil || len(index.Keys) != 4 {
		t.Fatalf("ring.json: %v\n%s", err, data)
	}
	for i, key := range index.Keys {
		wantKID := append([]string{first}, kids...)[i]
		if retired := !key.Retired.IsZero(); key.KID != wantKID || retired != (i < 2) || !key.Created.Equal(t0.Add(time.Duration(i)*time.Hour)) {
			t.Errorf("key %d: %+v; want %s, made at hour %d, retired %v", i, key, wantKID, i, i < 2)
		}
	}
	// Opened again, the ring signs with the same key and trusts the same two.
	again, err := OpenKeyring(dir, at(t0))
	if err != nil {
		t.Fatal(err)
	}
	var trusted []string
	for _, key := range again.TrustList().Keys {
		trusted = append(trusted, key.KID)
	}
	if !slices.Equal(trusted, kids[1:]) || primary(again.current()).KID != kids[2] {
		t.Fatalf("reopened ring trusts %v, want %v", trusted, kids[1:])
	}
	// A key file that holds another key than its name says is refused.
	other, _ := os.ReadFile(filepath.Join(dir, first+".pem"))
	if err := os.WriteFile(filepath.Join(dir, kids[2]+".pem"), other, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeyring(dir, at(t0)); err == nil {
		t.Fatal("a ring whose key file holds another key opened")
	}
}

// TestRotateWhileIssuing rotates while tokens are issued and verified, for
// the race detector. A token is valid under the trust list taken after it
// was issued unless two rotations came in between.
func TestRotateWhileIssuing(t *testing.T) {
	t.Parallel()
	k := newRing(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 30 {
				token := issue(t, k, "yellow")
				if r := Verify(token, k.TrustList(), t0); r.Status != Valid && r.Status != UnknownKey {
					t.Error(r.Status, r.Detail)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 3 {
			if _, err := k.Rotate(t0.Add(time.Duration(i) * time.Minute)); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
}
