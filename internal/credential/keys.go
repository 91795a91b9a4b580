package credential

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/veraison/go-cose"
)

// Keyring holds the code-signing keys of a data directory: P-256 keys for
// ES256, each a PKCS#8 PEM file named by its key ID, and ring.json, which
// says when each was made and retired. The newest key that is not retired
// signs; the one before it stays trusted, since tokens it signed live on for
// at most one lifetime; older ones are retired and leave the trust list.
// A Keyring notices a rotation another process made within a second by its
// clock. It is safe for concurrent use.
type Keyring struct {
	dir string
	now func() time.Time // the clock; never nil

	mu      sync.RWMutex
	keys    []*signingKey // oldest first
	checked time.Time     // when ring.json was last looked at
	stamp   time.Time     // its modification time then
}

// signingKey is one key of the ring.
type signingKey struct {
	KID     string    `json:"kid"`
	Created time.Time `json:"created"`
	Retired time.Time `json:"retired,omitzero"`

	priv   *ecdsa.PrivateKey
	signer cose.Signer
	spki   []byte
	kid    []byte // KID decoded, as the COSE header holds it
}

// ring is the index file, ring.json.
type ring struct {
	Keys []*signingKey `json:"keys"`
}

// OpenKeyring opens the keys in dir, making the directory and a first key
// when there are none. The ring reads the time from now, or from time.Now
// when now is nil: to date that first key, to stamp a token issued without
// a time, and to pace how often it looks for a rotation another process
// made, so that a test moves a fake clock instead of sleeping. The ring
// calls now from many goroutines at once.
func OpenKeyring(dir string, now func() time.Time) (*Keyring, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k := &Keyring{dir: dir, now: now}
	if err := k.load(); errors.Is(err, fs.ErrNotExist) {
		_, err = k.Rotate(now())
		return k, err
	} else if err != nil {
		return nil, err
	}
	return k, nil
}

// load reads ring.json and the key files it names.
func (k *Keyring) load() error {
	index := filepath.Join(k.dir, "ring.json")
	info, err := os.Stat(index)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(index)
	if err != nil {
		return err
	}
	var r ring
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("credential: %s: %w", index, err)
	}
	for _, key := range r.Keys {
		pemData, err := os.ReadFile(filepath.Join(k.dir, key.KID+".pem"))
		if err != nil {
			return fmt.Errorf("credential: key %s: %w", key.KID, err)
		}
		block, _ := pem.Decode(pemData)
		if block == nil {
			return fmt.Errorf("credential: key %s: not PEM", key.KID)
		}
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		priv, ok := parsed.(*ecdsa.PrivateKey)
		if err != nil || !ok || priv.Curve != elliptic.P256() {
			return fmt.Errorf("credential: key %s: not a P-256 private key (%v)", key.KID, err)
		}
		if err := key.init(priv); err != nil {
			return err
		}
		if key.KID != kidOf(key.spki) {
			return fmt.Errorf("credential: key %s: the file holds another key", key.KID)
		}
	}
	if len(r.Keys) == 0 {
		return fmt.Errorf("credential: %s lists no keys", index)
	}
	k.keys, k.stamp = r.Keys, info.ModTime()
	return nil
}

func (key *signingKey) init(priv *ecdsa.PrivateKey) error {
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return err
	}
	signer, err := cose.NewSigner(cose.AlgorithmES256, priv)
	if err != nil {
		return err
	}
	key.priv, key.signer, key.spki = priv, signer, spki
	key.kid, err = hex.DecodeString(kidOf(spki))
	return err
}

// kidOf is a key's ID: the first 8 bytes of the SHA-256 of its
// SubjectPublicKeyInfo, as the EU Digital COVID Certificate names keys, in hex.
func kidOf(spki []byte) string {
	sum := sha256.Sum256(spki)
	return hex.EncodeToString(sum[:8])
}

// Rotate makes a new signing key, keeps the previous one trusted and retires
// the ones before it. It returns the new key's ID.
func (k *Keyring) Rotate(now time.Time) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.load(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	key := &signingKey{Created: now.UTC()}
	if err := key.init(priv); err != nil {
		return "", err
	}
	key.KID = kidOf(key.spki)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(k.dir, key.KID+".pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return "", err
	}
	// The keys in memory are shared with Issue and TrustList, which read
	// them without the lock, so the new index is made of copies.
	keys := make([]*signingKey, len(k.keys), len(k.keys)+1)
	active := 0
	for i := len(k.keys) - 1; i >= 0; i-- {
		c := *k.keys[i]
		if c.Retired.IsZero() {
			if active++; active > 1 {
				c.Retired = now.UTC()
			}
		}
		keys[i] = &c
	}
	keys = append(keys, key)
	data, err := json.MarshalIndent(ring{Keys: keys}, "", "  ")
	if err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(k.dir, "ring.json"), data); err != nil {
		return "", err
	}
	return key.KID, k.load()
}

// writeFile writes a file whole and durably: a temporary file, synced and
// renamed over the name, and the directory synced.
func writeFile(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err := errors.Join(err, f.Close()); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(name))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// recheck is how often the ring looks at ring.json for a rotation another
// process made: rarely enough that issuing tokens does not stat the file
// for each one, and soon enough, since until then the ring signs with the
// key before, which stays trusted.
const recheck = time.Second

// current returns the ring's keys, reloading them when another process has
// rotated them (looked at no more than once every recheck, by the ring's
// clock; a clock set back counts as time to look again).
func (k *Keyring) current() []*signingKey {
	now := k.now()
	k.mu.RLock()
	since := now.Sub(k.checked)
	keys, fresh := k.keys, since >= 0 && since < recheck
	k.mu.RUnlock()
	if fresh {
		return keys
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.checked = now
	if info, err := os.Stat(filepath.Join(k.dir, "ring.json")); err == nil && !info.ModTime().Equal(k.stamp) {
		_ = k.load() // on error the keys in memory go on signing
	}
	return k.keys
}

// primary returns the key that signs: the newest that is not retired.
func primary(keys []*signingKey) *signingKey {
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i].Retired.IsZero() {
			return keys[i]
		}
	}
	return keys[len(keys)-1]
}

// TrustList returns the keys that verify tokens: every key not retired.
func (k *Keyring) TrustList() *TrustList {
	var t TrustList
	for _, key := range k.current() {
		if key.Retired.IsZero() {
			t.Keys = append(t.Keys, TrustedKey{KID: key.KID, Alg: "ES256", PublicKey: key.spki})
		}
	}
	t.index()
	return &t
}

// Sign issues a token of a resident's color, valid for DefaultLifetime from
// now. CWT times are whole seconds, and so is the expiry it returns.
func (k *Keyring) Sign(person, color string, now time.Time) (string, time.Time, error) {
	now = now.Truncate(time.Second)
	expires := now.Add(DefaultLifetime)
	token, err := k.Issue(Claims{Issuer: "outbreak", Subject: person, Color: color, IssuedAt: now, Expires: expires})
	return token, expires.UTC(), err
}

// TrustListJSON returns the trust list as JSON.
func (k *Keyring) TrustListJSON() ([]byte, error) { return json.Marshal(k.TrustList()) }

// QR draws a token as a QR code: format is "png" or "svg".
func (k *Keyring) QR(token, format string) ([]byte, error) {
	if format == "png" {
		return PNG(token)
	}
	return SVG(token)
}
