// Package seal encrypts residents' personal data (name, phone, e-mail) at rest
// with AES-256-GCM under data keys kept in a key directory of the data
// directory, and rotates those keys.
//
// A sealed value is laid out as
//
//	byte  0      format version, 1
//	bytes 1–4    key number, big-endian (key "k3" is 3)
//	bytes 5–16   random 96-bit nonce
//	bytes 17–    ciphertext, then the 16-byte GCM tag
//
// so it is 33 bytes longer than its plaintext. The caller's associated data
// (for example "residents/r123/phone") is authenticated, so a value copied to
// another row or column does not open. The header is not: the version must
// match exactly, and the key number only chooses the key, so a changed number
// either names no key or makes GCM authentication fail under the wrong one.
//
// An empty plaintext seals to an empty value and an empty value opens to an
// empty plaintext, so that the many residents without a phone number or an
// e-mail address cost no bytes and no work. The price is that an empty value
// is not bound to its place; it reveals nothing, and anyone able to write an
// empty value could as well delete the field.
//
// Random 96-bit nonces are safe for up to 2^32 (4.3 billion) seals per key;
// rotate well before that (a million-row import of three sealed fields uses
// under a thousandth of it).
//
// The key directory holds one file per key, named "k<N>.key" where N is the
// key number in canonical decimal (k1, k2, …); a key keeps its id for life.
// A key file holds the standard base64 encoding of 32 random bytes
// and a newline, mode 0600, in a directory of mode 0700. The key with the
// highest number is the primary: no separate file names it, so there is no
// second file to get out of step with the keys after a crash. Other names in
// the directory, such as the temporary files of an interrupted write, are
// ignored. This package never deletes a key; retire an old one only after
// every value sealed under it has been re-sealed (see Ring.NeedsReseal), and
// never the primary, whose number the next rotation would reuse. Losing the
// directory loses every sealed value: back it up with, but not next to, the
// database.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"outbreak/internal/errs"
)

const (
	version   = 1
	headerLen = 1 + 4
	overhead  = 12 + 16 // nonce and tag, as added by cipher.NewGCMWithRandomNonce
)

// ErrUnknownKey is the cause of the error Open returns for a value sealed
// under a key the ring does not hold. Another process may have rotated the
// keys since this ring was loaded: Reload and try again.
var ErrUnknownKey = errors.New("sealed under an unknown key")

// key is one data key with its cipher, built once and shared by all goroutines
// (a GCM AEAD is safe for concurrent use).
type key struct {
	n    uint32
	raw  []byte
	aead cipher.AEAD
}

// keySet is an immutable snapshot of the ring. Rotate and Reload replace it
// whole, so Seal and Open read it with one atomic load and no lock.
type keySet struct {
	primary *key
	byNum   map[uint32]*key
	nums    []uint32 // ascending
}

// Ring holds the data keys of one data directory: one primary key that seals,
// and older keys that still open what they sealed. A Ring is safe for
// concurrent use; make one with Open.
type Ring struct {
	dir string
	mu  sync.Mutex // serializes Rotate and Reload
	set atomic.Pointer[keySet]
}

// Open loads the key ring from dir (for example DATA/keys/seal), creating dir
// (mode 0700) and a first key (mode 0600) when there is none. Two processes
// opening an empty dir at once end up with the same first key. Errors are of
// kind Internal.
func Open(dir string) (*Ring, error) {
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "seal: create key directory")
	}
	r := &Ring{dir: dir}
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.loadLocked()
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return r, nil
	}
	if err := writeKey(dir, 1, newKeyBytes()); err != nil && !errors.Is(err, errKeyExists) {
		return nil, errs.Wrap(errs.Internal, err, "seal: write first key")
	}
	if n, err = r.loadLocked(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errs.E(errs.Internal, "seal: no key in %s after writing one", dir)
	}
	return r, nil
}

// Seal encrypts plaintext under the primary key with AES-256-GCM and a random
// 96-bit nonce, binding it to associated, which names the value's place. The
// result carries the format version and the key number so that Open knows
// which key to use. An empty plaintext seals to an empty slice (see the
// package comment). Seal makes one allocation, the result.
func (r *Ring) Seal(plaintext, associated []byte) []byte {
	if len(plaintext) == 0 {
		return []byte{}
	}
	k := r.set.Load().primary
	out := make([]byte, headerLen, headerLen+overhead+len(plaintext))
	out[0] = version
	binary.BigEndian.PutUint32(out[1:headerLen], k.n)
	return k.aead.Seal(out, nil, plaintext, associated)
}

// Open decrypts a value made by Seal with the same associated data. A
// truncated, tampered or misplaced value, or one of an unknown format, gives
// an Internal error and never a plaintext; a value sealed under a key the
// ring does not hold gives an Internal error wrapping ErrUnknownKey. An empty
// value opens to an empty plaintext.
func (r *Ring) Open(sealed, associated []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return []byte{}, nil
	}
	if len(sealed) < headerLen+overhead {
		return nil, errs.E(errs.Internal, "seal: sealed value truncated: %d bytes, at least %d needed", len(sealed), headerLen+overhead)
	}
	if sealed[0] != version {
		return nil, errs.E(errs.Internal, "seal: sealed value has unknown format version %d", sealed[0])
	}
	n := binary.BigEndian.Uint32(sealed[1:headerLen])
	k := r.set.Load().byNum[n]
	if k == nil {
		return nil, errs.Wrap(errs.Internal, ErrUnknownKey, "seal: key "+keyName(n))
	}
	plaintext, err := k.aead.Open(nil, nil, sealed[headerLen:], associated)
	if err != nil {
		return nil, errs.E(errs.Internal, "seal: sealed value does not open under key %s: tampered, truncated or sealed for another place", keyName(n))
	}
	return plaintext, nil
}

// NeedsReseal reports whether sealed should be opened and sealed again after
// a rotation: whether it is non-empty and not made under the primary key. It
// reads only the header and does not authenticate; a malformed value reports
// true so that a re-sealing job reaches Open and its error instead of
// skipping the value.
func (r *Ring) NeedsReseal(sealed []byte) bool {
	if len(sealed) == 0 {
		return false
	}
	if len(sealed) < headerLen || sealed[0] != version {
		return true
	}
	return binary.BigEndian.Uint32(sealed[1:headerLen]) != r.set.Load().primary.n
}

// Primary returns the id of the primary key, the one Seal uses.
func (r *Ring) Primary() string { return keyName(r.set.Load().primary.n) }

// KeyIDs returns the ids of all keys in the ring, oldest first; the last one
// is the primary.
func (r *Ring) KeyIDs() []string {
	s := r.set.Load()
	ids := make([]string, len(s.nums))
	for i, n := range s.nums {
		ids[i] = keyName(n)
	}
	return ids
}

// Rotate makes a new primary key, written durably to the key directory, and
// keeps the old keys for opening. It first picks up keys that other processes
// wrote, and if another process takes the same number meanwhile it takes the
// next one, so no key is ever overwritten. It returns the new key's id.
// Errors are of kind Internal and leave the ring as it was, apart from keys
// picked up from disk.
func (r *Ring) Rotate() (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range 100 {
		if _, err := r.loadLocked(); err != nil {
			return "", err
		}
		s := r.set.Load()
		if s.primary.n == math.MaxUint32 {
			return "", errs.E(errs.Internal, "seal: no key number left after %s", keyName(s.primary.n))
		}
		n := s.primary.n + 1
		raw := newKeyBytes()
		err := writeKey(r.dir, n, raw)
		if errors.Is(err, errKeyExists) {
			continue // another process rotated: load its key and go past it
		}
		if err != nil {
			return "", errs.Wrap(errs.Internal, err, "seal: write key "+keyName(n))
		}
		k, err := newKey(n, raw)
		if err != nil {
			return "", err
		}
		r.set.Store(s.with(k))
		return keyName(n), nil
	}
	return "", errs.E(errs.Internal, "seal: rotate: key numbers taken by other processes 100 times in a row")
}

// Reload picks up keys that another process added to the key directory, such
// as a new primary after its Rotate. Keys already loaded stay in the ring
// even if their files were removed, so a running process never loses the
// ability to open what it could open before. A key file whose content
// differs from the key already loaded under its id is an error. Errors are
// of kind Internal and leave the ring as it was.
func (r *Ring) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.loadLocked()
	if err == nil && n == 0 {
		err = errs.E(errs.Internal, "seal: no key in %s", r.dir)
	}
	return err
}

// loadLocked merges the keys on disk into the ring and returns how many keys
// the ring then holds; with none it stores nothing. r.mu must be held.
func (r *Ring) loadLocked() (int, error) {
	disk, err := readKeys(r.dir)
	if err != nil {
		return 0, errs.Wrap(errs.Internal, err, "seal: read key directory")
	}
	old := r.set.Load()
	s := &keySet{byNum: make(map[uint32]*key, len(disk))}
	if old != nil {
		for n, k := range old.byNum {
			s.byNum[n] = k
		}
	}
	for n, raw := range disk {
		if k := s.byNum[n]; k != nil {
			if string(k.raw) != string(raw) {
				return 0, errs.E(errs.Internal, "seal: key file %s%s changed on disk since it was loaded", keyName(n), keyFileSuffix)
			}
			continue
		}
		k, err := newKey(n, raw)
		if err != nil {
			return 0, err
		}
		s.byNum[n] = k
	}
	if len(s.byNum) == 0 {
		return 0, nil
	}
	s.index()
	r.set.Store(s)
	return len(s.byNum), nil
}

// newKey builds the cipher for key number n.
func newKey(n uint32, raw []byte) (*key, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "seal: key "+keyName(n))
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "seal: key "+keyName(n))
	}
	return &key{n: n, raw: raw, aead: aead}, nil
}

// with returns a copy of s with k added as the primary.
func (s *keySet) with(k *key) *keySet {
	t := &keySet{byNum: make(map[uint32]*key, len(s.byNum)+1)}
	for n, old := range s.byNum {
		t.byNum[n] = old
	}
	t.byNum[k.n] = k
	t.index()
	return t
}

// index fills nums and primary from byNum, which must not be empty.
func (s *keySet) index() {
	s.nums = s.nums[:0]
	for n := range s.byNum {
		s.nums = append(s.nums, n)
	}
	slices.Sort(s.nums)
	s.primary = s.byNum[s.nums[len(s.nums)-1]]
}
