// Package credential turns health codes into tokens that checkpoints verify
// offline: a CWT (RFC 8392) signed as COSE_Sign1 (ES256), compressed with
// zlib, encoded in base45 (RFC 9285) behind the prefix "OB1:", and drawn as
// a QR code, as the EU Digital COVID Certificate does with "HC1:". A token
// holds the resident's pseudonymous ID, the color and when it was issued and
// expires; no name. Base45 uses only the characters of a QR code's
// alphanumeric mode, so the whole token fills a QR code compactly.
package credential

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"io"
	"sync"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// Prefix begins every token.
const Prefix = "OB1:"

// DefaultLifetime is how long a token is valid after it is issued: long
// enough to show it at a checkpoint, short enough that a screenshot is of
// little use.
const DefaultLifetime = 5 * time.Minute

// The CWT claim keys of a token: iss, sub, exp and iat from RFC 8392, and
// the color as a private claim, a negative key outside the IANA registry
// (whose private-use range is below -65536).
const (
	claimIssuer   = 1
	claimSubject  = 2
	claimExpires  = 4
	claimIssuedAt = 6
	claimColor    = -65537
)

// maxPayload bounds a decompressed token; ours are under 200 bytes.
const maxPayload = 4096

// compression is the zlib level of tokens. A signed message of about 130
// bytes, half of them signature, does not compress, so every level gives
// the same stored block; BestSpeed makes it the fastest, and Verify, which
// compresses again to check that a token is exactly as issued, gains most.
const compression = zlib.BestSpeed

// Claims are what a token says.
type Claims struct {
	Issuer   string
	Subject  string // the resident's pseudonymous ID
	Color    string // green, yellow or red
	IssuedAt time.Time
	Expires  time.Time
}

// cwt is the CBOR form of Claims (the keys are the claim* constants); CWT
// times are whole seconds.
type cwt struct {
	Issuer   string `cbor:"1,keyasint,omitempty"`
	Subject  string `cbor:"2,keyasint"`
	Expires  int64  `cbor:"4,keyasint"`
	IssuedAt int64  `cbor:"6,keyasint"`
	Color    string `cbor:"-65537,keyasint"`
}

var (
	encMode = func() cbor.EncMode {
		m, err := cbor.CoreDetEncOptions().EncMode()
		if err != nil {
			panic(err)
		}
		return m
	}()
	decMode = func() cbor.DecMode {
		m, err := cbor.DecOptions{DupMapKey: cbor.DupMapKeyEnforcedAPF, ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
			MaxNestedLevels: 4, MaxArrayElements: 16, MaxMapPairs: 16, IndefLength: cbor.IndefLengthForbidden}.DecMode()
		if err != nil {
			panic(err)
		}
		return m
	}()
	// zlibWriters and zlibReaders keep compressors, whose state is tens of
	// kilobytes, from one token to the next.
	zlibWriters = sync.Pool{New: func() any {
		w, _ := zlib.NewWriterLevel(io.Discard, compression)
		return w
	}}
	zlibReaders sync.Pool
)

func validColor(c string) bool { return c == "green" || c == "yellow" || c == "red" }

// Issue signs claims with the primary key and returns the token. A zero
// IssuedAt is now by the ring's clock; a zero Expires is DefaultLifetime
// later. The subject must be an identifier (record.CheckID) and the color
// green, yellow or red; otherwise the error is Invalid and names the field.
// Issue is safe for concurrent use.
func (k *Keyring) Issue(c Claims) (string, error) {
	if err := record.CheckID("subject", c.Subject); err != nil {
		return "", err
	}
	if !validColor(c.Color) {
		return "", errs.Field("color", "must be green, yellow or red, not %q", c.Color)
	}
	if c.IssuedAt.IsZero() {
		c.IssuedAt = k.now()
	}
	if c.Expires.IsZero() {
		c.Expires = c.IssuedAt.Add(DefaultLifetime)
	}
	if c.Expires.Unix() <= c.IssuedAt.Unix() {
		return "", errs.Field("expires", "must be at least a second after the issue time")
	}
	if len(c.Issuer) > record.MaxIDLen {
		return "", errs.Field("issuer", "longer than %d characters", record.MaxIDLen)
	}
	payload, err := encMode.Marshal(cwt{Issuer: c.Issuer, Subject: c.Subject, Color: c.Color,
		IssuedAt: c.IssuedAt.Unix(), Expires: c.Expires.Unix()})
	if err != nil {
		return "", err
	}
	key := primary(k.current())
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = key.kid
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, key.signer); err != nil {
		return "", err
	}
	signed, err := msg.MarshalCBOR()
	if err != nil {
		return "", err
	}
	return Prefix + Base45Encode(compress(signed)), nil
}

// compress compresses a signed message as tokens are.
func compress(signed []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(signed) + 16)
	w := zlibWriters.Get().(*zlib.Writer)
	w.Reset(&buf)
	w.Write(signed) // a bytes.Buffer does not fail
	w.Close()
	zlibWriters.Put(w)
	return buf.Bytes()
}

// decompress undoes compress, refusing more than maxPayload bytes.
func decompress(compressed []byte) ([]byte, bool) {
	src := bytes.NewReader(compressed)
	var zr io.ReadCloser
	if r, ok := zlibReaders.Get().(io.ReadCloser); ok {
		if r.(zlib.Resetter).Reset(src, nil) != nil {
			zlibReaders.Put(r)
			return nil, false
		}
		zr = r
	} else {
		r, err := zlib.NewReader(src)
		if err != nil {
			return nil, false
		}
		zr = r
	}
	defer zlibReaders.Put(zr)
	var out bytes.Buffer
	out.Grow(256)
	n, err := out.ReadFrom(io.LimitReader(zr, maxPayload+1))
	if err != nil || n > maxPayload || src.Len() != 0 {
		return nil, false
	}
	return out.Bytes(), true
}
