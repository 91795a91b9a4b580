package credential

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/veraison/go-cose"
)

// Status is the outcome of verifying a token.
type Status int

// The outcomes of Verify, from the worst; the zero Status is Malformed, so a
// Result nobody filled in is never taken for a valid one.
const (
	Malformed Status = iota
	UnknownKey
	BadSignature
	Expired
	Valid
)

var statusNames = [...]string{"malformed", "unknown key", "bad signature", "expired", "valid"}

// String returns "malformed", "unknown key", "bad signature", "expired" or
// "valid".
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Result is what Verify found: the status, the claims and, when the token
// is not valid, why. Claims are filled in whenever the token could be
// decoded, also when its key is unknown, its signature bad or its time past,
// so that a checkpoint can say whose token it was; they are to be believed
// only when Status is Valid.
type Result struct {
	Status Status
	Claims Claims
	Detail string
}

// clockSkew is how far in the future a token's issue time may be, for a
// checkpoint whose clock is a little behind.
const clockSkew = time.Minute

// maxToken bounds the length of a token Verify reads: more than a QR code
// holds, so nothing longer is a token.
const maxToken = 4096

// Verify checks a token against a trust list at an instant, offline. Only a
// token exactly as Issue makes it, signed by a key of the list, and not
// expired is Valid: one truncated, re-encoded in any layer (prefix, base45,
// zlib, CBOR) or tampered with is Malformed or has a BadSignature. The
// checks run in that order: Malformed (prefix, base45, zlib, COSE_Sign1
// structure, algorithm, CWT claims), UnknownKey, BadSignature, then Expired
// (exp at or before now, or iat more than a minute after now). A nil trust
// list trusts no key. Verify is safe for concurrent use and never panics;
// what it allocates is bounded whatever the input, since text longer than a
// QR code holds is refused and decompression stops at 4 KiB.
func Verify(token string, trust *TrustList, now time.Time) Result {
	msg, kid, claims, detail := decode(token)
	if detail != "" {
		return Result{Status: Malformed, Detail: detail}
	}
	r := Result{Claims: claims}
	verifier := trust.verifier(kid)
	switch {
	case verifier == nil:
		r.Status, r.Detail = UnknownKey, "key "+kid+" is not in the trust list"
	case msg.Verify(nil, verifier) != nil:
		r.Status, r.Detail = BadSignature, "the signature does not match key "+kid
	case !now.Before(claims.Expires):
		r.Status, r.Detail = Expired, "expired at "+claims.Expires.Format(time.RFC3339)
	case claims.IssuedAt.After(now.Add(clockSkew)):
		r.Status, r.Detail = Expired, "issued in the future, at "+claims.IssuedAt.Format(time.RFC3339)
	default:
		r.Status = Valid
	}
	return r
}

// decode takes a token apart down to its claims, checking that every layer
// is exactly as Issue writes it. It returns the message, its key ID in hex
// and its claims, or why the token is malformed.
func decode(token string) (msg *cose.Sign1Message, kid string, c Claims, detail string) {
	text, ok := strings.CutPrefix(token, Prefix)
	if !ok {
		return nil, "", c, "does not begin with " + Prefix
	}
	if len(text) > maxToken {
		return nil, "", c, "longer than any token"
	}
	compressed, err := Base45Decode(text)
	if err != nil {
		return nil, "", c, "not base45"
	}
	signed, ok := decompress(compressed)
	if !ok {
		return nil, "", c, "not zlib, or too long"
	}
	msg = new(cose.Sign1Message)
	if err := msg.UnmarshalCBOR(signed); err != nil {
		return nil, "", c, "not COSE_Sign1: " + err.Error()
	}
	// Encoding every layer again must give the token back, so that one
	// signed message has one token. Base45 and the prefix have one form
	// already; CBOR and zlib have many. The message is encoded from its
	// decoded parts: msg itself would write the protected header's bytes
	// back as they came, a length in a longer form than needed and all.
	h := msg.Headers
	again := cose.Sign1Message{Headers: cose.Headers{Protected: h.Protected, Unprotected: h.Unprotected},
		Payload: msg.Payload, Signature: msg.Signature}
	if b, err := again.MarshalCBOR(); err != nil || !bytes.Equal(b, signed) || !bytes.Equal(compress(signed), compressed) {
		return nil, "", c, "not encoded as a token is issued"
	}
	if alg, err := h.Protected.Algorithm(); err != nil || alg != cose.AlgorithmES256 {
		return nil, "", c, "not signed with ES256"
	}
	kidBytes, _ := h.Protected[cose.HeaderLabelKeyID].([]byte)
	if len(kidBytes) != 8 || len(h.Protected) != 2 || len(h.Unprotected) != 0 {
		return nil, "", c, "the header is not an algorithm and an 8-byte key ID, both protected"
	}
	var w cwt
	if err := decMode.Unmarshal(msg.Payload, &w); err != nil {
		return nil, "", c, "the claims are not a CWT: " + err.Error()
	}
	if w.Subject == "" || !validColor(w.Color) || w.Expires <= w.IssuedAt {
		return nil, "", c, "the claims lack a subject, a color or a lifetime"
	}
	c = Claims{Issuer: w.Issuer, Subject: w.Subject, Color: w.Color,
		IssuedAt: time.Unix(w.IssuedAt, 0).UTC(), Expires: time.Unix(w.Expires, 0).UTC()}
	return msg, hex.EncodeToString(kidBytes), c, ""
}
