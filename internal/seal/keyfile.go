package seal

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// This file reads and writes the key directory described in the package
// comment.

const (
	keySize       = 32 // AES-256
	keyFileSuffix = ".key"
	dirMode       = 0o700
	fileMode      = 0o600
)

// errKeyExists reports that a key file with the wanted number is already
// there, written by another process that rotated at the same time.
var errKeyExists = errors.New("key file exists")

// keyName returns the id of key number n, which is also its file name
// without the suffix.
func keyName(n uint32) string { return "k" + strconv.FormatUint(uint64(n), 10) }

// parseKeyName parses an id made by keyName; anything else (k0, k01, k+1)
// is rejected so that each number has exactly one file name.
func parseKeyName(s string) (uint32, bool) {
	if len(s) < 2 || s[0] != 'k' || s[1] < '1' || s[1] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s[1:], 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// newKeyBytes returns 32 random bytes.
func newKeyBytes() []byte {
	raw := make([]byte, keySize)
	rand.Read(raw) // never fails: crashes the program if the OS has no randomness
	return raw
}

// readKeys reads every key file in dir. A key file that does not hold exactly
// 32 base64-encoded bytes is an error rather than skipped: a ring that
// silently lost a key would make the values sealed under it unreadable.
func readKeys(dir string) (map[uint32][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	keys := make(map[uint32][]byte, len(entries))
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), keyFileSuffix)
		if !ok {
			continue
		}
		n, ok := parseKeyName(base)
		if !ok {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(raw) != keySize {
			return nil, fmt.Errorf("%s: not the base64 of %d bytes", path, keySize)
		}
		keys[n] = raw
	}
	return keys, nil
}

// writeKey stores key number n durably: it writes a temporary file, fsyncs
// it, links it to its final name and fsyncs the directory. A hard link is
// used instead of rename because rename replaces an existing file: two
// processes rotating at once would both write k3 and one of the two keys,
// perhaps already used to seal, would be lost. Link fails instead, and
// writeKey returns errKeyExists so that the caller can take the next number.
// A crash leaves at worst a temporary file, which readKeys ignores.
func writeKey(dir string, n uint32, raw []byte) (err error) {
	f, err := os.CreateTemp(dir, ".tmp-"+keyName(n)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if rerr := os.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
			err = rerr
		}
	}()
	text := base64.StdEncoding.EncodeToString(raw) + "\n"
	_, werr := f.WriteString(text)
	if werr == nil {
		werr = f.Chmod(fileMode) // CreateTemp already uses 0600; say it anyway
	}
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	if err := os.Link(tmp, filepath.Join(dir, keyName(n)+keyFileSuffix)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errKeyExists
		}
		return err
	}
	if err := os.Remove(tmp); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes the directory entries of dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for fsync there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	if cerr := d.Close(); serr == nil {
		serr = cerr
	}
	return serr
}
