// Package credential turns health codes into tokens that checkpoints verify
// offline: a CWT (RFC 8392) signed as COSE_Sign1 (ES256), compressed with
// zlib, encoded in base45 (RFC 9285) behind the prefix "OB1:", and drawn as
// a QR code, as the EU Digital COVID Certificate does with "HC1:". A token
// holds the resident's pseudonymous ID, the color and when it was issued and
// expires; no name.
package credential

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"encoding/hex"
	"io"
	"sync"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"outbreak/internal/errs"
)

// Prefix begins every token.
const Prefix = "OB1:"

// DefaultLifetime is how long a token is valid after it is issued: long
// enough to show it at a checkpoint, short enough that a screenshot is of
// little use.
const DefaultLifetime = 5 * time.Minute

// colorClaim is the CWT claim that holds the color: a private claim key
// (negative, outside the IANA registry).
const colorClaim = -65537

// maxPayload bounds a decompressed token; ours are under 200 bytes.
const maxPayload = 4096

// Claims are what a token says.
type Claims struct {
	Issuer   string
	Subject  string // the resident's pseudonymous ID
	Color    string // green, yellow or red
	IssuedAt time.Time
	Expires  time.Time
}

// cwt is the CBOR form of Claims; CWT times are whole seconds.
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
	zlibWriters = sync.Pool{New: func() any {
		w, _ := zlib.NewWriterLevel(io.Discard, zlib.BestCompression)
		return w
	}}
)

func validColor(c string) bool { return c == "green" || c == "yellow" || c == "red" }

// Issue signs claims with the primary key and returns the token. A zero
// IssuedAt is now; a zero Expires is DefaultLifetime later.
func (k *Keyring) Issue(c Claims) (string, error) {
	if !validColor(c.Color) {
		return "", errs.Field("color", "must be green, yellow or red, not %q", c.Color)
	}
	if c.IssuedAt.IsZero() {
		c.IssuedAt = time.Now()
	}
	if c.Expires.IsZero() {
		c.Expires = c.IssuedAt.Add(DefaultLifetime)
	}
	payload, err := encMode.Marshal(cwt{Issuer: c.Issuer, Subject: c.Subject, Color: c.Color,
		IssuedAt: c.IssuedAt.Unix(), Expires: c.Expires.Unix()})
	if err != nil {
		return "", err
	}
	key := primary(k.current())
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	kid, _ := hex.DecodeString(key.KID)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = kid
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, key.signer); err != nil {
		return "", err
	}
	signed, err := msg.MarshalCBOR()
	if err != nil {
		return "", err
	}
	return encode(signed), nil
}

// encode compresses and encodes a signed message as a token.
func encode(signed []byte) string {
	var buf bytes.Buffer
	w := zlibWriters.Get().(*zlib.Writer)
	w.Reset(&buf)
	w.Write(signed)
	w.Close()
	zlibWriters.Put(w)
	return Prefix + Base45Encode(buf.Bytes())
}

// Status is the outcome of verifying a token.
type Status int

// The outcomes of Verify, from the worst.
const (
	Malformed Status = iota
	UnknownKey
	BadSignature
	Expired
	Valid
)

func (s Status) String() string {
	return [...]string{"malformed", "unknown key", "bad signature", "expired", "valid"}[s]
}

// Result is what Verify found: the status, the claims when the token could
// be read, and why when it is not valid.
type Result struct {
	Status Status
	Claims Claims
	Detail string
}

// clockSkew is how far in the future a token's issue time may be, for a
// checkpoint whose clock is a little behind.
const clockSkew = time.Minute

// Verify checks a token against a trust list at an instant, offline. Only a
// token exactly as Issue makes it, signed by a key of the list, and not
// expired is Valid: one truncated, re-encoded in any layer (prefix, base45,
// zlib, CBOR) or tampered with is Malformed or has a BadSignature.
func Verify(token string, trust *TrustList, now time.Time) Result {
	bad := func(s Status, detail string) Result { return Result{Status: s, Detail: detail} }
	text, ok := bytes.CutPrefix([]byte(token), []byte(Prefix))
	if !ok {
		return bad(Malformed, "does not begin with "+Prefix)
	}
	compressed, err := Base45Decode(string(text))
	if err != nil {
		return bad(Malformed, "not base45")
	}
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return bad(Malformed, "not zlib")
	}
	signed, err := io.ReadAll(io.LimitReader(zr, maxPayload+1))
	if err != nil || len(signed) > maxPayload {
		return bad(Malformed, "not zlib, or too long")
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(signed); err != nil {
		return bad(Malformed, "not COSE_Sign1: "+err.Error())
	}
	// Re-encoding every layer must give the token back: one byte string
	// has one token.
	if again, err := msg.MarshalCBOR(); err != nil || !bytes.Equal(again, signed) || encode(signed) != token {
		return bad(Malformed, "not encoded as a token is issued")
	}
	if alg, err := msg.Headers.Protected.Algorithm(); err != nil || alg != cose.AlgorithmES256 || len(msg.Headers.Unprotected) != 0 {
		return bad(Malformed, "not signed with ES256 in the protected header alone")
	}
	kid, _ := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	verifier := trust.verifier(hex.EncodeToString(kid))
	if verifier == nil {
		return bad(UnknownKey, "key "+hex.EncodeToString(kid)+" is not in the trust list")
	}
	if err := msg.Verify(nil, verifier); err != nil {
		return bad(BadSignature, "the signature does not match")
	}
	var c cwt
	if err := decMode.Unmarshal(msg.Payload, &c); err != nil {
		return bad(Malformed, "the claims are not a CWT: "+err.Error())
	}
	claims := Claims{Issuer: c.Issuer, Subject: c.Subject, Color: c.Color,
		IssuedAt: time.Unix(c.IssuedAt, 0).UTC(), Expires: time.Unix(c.Expires, 0).UTC()}
	switch {
	case c.Subject == "" || !validColor(c.Color) || c.Expires <= c.IssuedAt:
		return Result{Status: Malformed, Claims: claims, Detail: "the claims lack a subject, a color or a lifetime"}
	case !now.Before(claims.Expires):
		return Result{Status: Expired, Claims: claims, Detail: "expired at " + claims.Expires.Format(time.RFC3339)}
	case claims.IssuedAt.After(now.Add(clockSkew)):
		return Result{Status: Expired, Claims: claims, Detail: "issued in the future, at " + claims.IssuedAt.Format(time.RFC3339)}
	}
	return Result{Status: Valid, Claims: claims}
}
