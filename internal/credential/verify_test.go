package credential

import (
	"bytes"
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"outbreak/internal/errs"
)

func TestStatusString(t *testing.T) {
	t.Parallel()
	for s, want := range map[Status]string{Valid: "valid", Expired: "expired", UnknownKey: "unknown key",
		BadSignature: "bad signature", Malformed: "malformed", Status(9): "status(9)", Status(-1): "status(-1)"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

// signedOf returns the signed message inside a token.
func signedOf(t *testing.T, token string) []byte {
	t.Helper()
	raw, err := Base45Decode(strings.TrimPrefix(token, Prefix))
	if err != nil {
		t.Fatal(err)
	}
	signed, ok := decompress(raw)
	if !ok {
		t.Fatal("token does not decompress")
	}
	return signed
}

// wrap makes a token of a signed message as Issue would.
func wrap(signed []byte) string { return Prefix + Base45Encode(compress(signed)) }

// sign makes a token the way Issue never would: with the given headers and
// claims, signed by signer.
func sign(t *testing.T, signer cose.Signer, protected cose.ProtectedHeader, unprotected cose.UnprotectedHeader, claims any) string {
	t.Helper()
	payload, err := encMode.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	msg := cose.Sign1Message{Headers: cose.Headers{Protected: protected, Unprotected: unprotected}, Payload: payload}
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		t.Fatal(err)
	}
	signed, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return wrap(signed)
}

// remarshal decodes the message of a token, changes it and makes a token of
// it again, well encoded.
func remarshal(t *testing.T, token string, change func(*cose.Sign1Message)) string {
	t.Helper()
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(signedOf(t, token)); err != nil {
		t.Fatal(err)
	}
	change(&msg)
	signed, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return wrap(signed)
}

// TestVerifyForged checks tokens made by hand, each wrong in one way, below
// the text that TestIssueVerify changes.
func TestVerifyForged(t *testing.T) {
	t.Parallel()
	k := newRing(t)
	trust := k.TrustList()
	token := issue(t, k, "red")
	key := primary(k.current())
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	es384, err := cose.NewSigner(cose.AlgorithmES384, p384)
	if err != nil {
		t.Fatal(err)
	}
	good := cwt{Issuer: "outbreak", Subject: "r0001", Color: "red", IssuedAt: t0.Unix(), Expires: t0.Add(DefaultLifetime).Unix()}
	es256 := func() cose.ProtectedHeader {
		return cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256, cose.HeaderLabelKeyID: key.kid}
	}
	withClaim := func(label int64, v any) map[int64]any {
		return map[int64]any{claimIssuer: good.Issuer, claimSubject: good.Subject, claimExpires: good.Expires,
			claimIssuedAt: good.IssuedAt, claimColor: good.Color, label: v}
	}
	signed := signedOf(t, token)
	// The protected header's byte string with a length in two bytes where
	// one does: the signature, which covers its content, still matches.
	longHeader := append([]byte{signed[0], signed[1], 0x58, signed[2] - 0x40}, signed[3:]...)
	// The empty unprotected header as a map whose length takes a byte.
	at := 3 + int(signed[2]-0x40)
	if signed[at] != 0xa0 {
		t.Fatalf("no empty map at %d of %x", at, signed)
	}
	longMap := append(append(bytes.Clone(signed[:at]), 0xb8, 0), signed[at+1:]...)
	bomb := func() string {
		var b bytes.Buffer
		w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
		w.Write(make([]byte, 1<<20))
		w.Close()
		return Prefix + Base45Encode(b.Bytes())
	}()
	for _, tt := range []struct {
		name   string
		token  string
		want   Status
		claims bool // whether the result has the claims
	}{
		{"as issued", token, Valid, true},
		{"made by hand as Issue makes it", sign(t, key.signer, es256(), nil, good), Valid, true},
		{"payload byte changed", remarshal(t, token, func(m *cose.Sign1Message) {
			m.Payload = bytes.Replace(m.Payload, []byte("r0001"), []byte("r0002"), 1)
		}), BadSignature, true},
		{"signature byte changed", remarshal(t, token, func(m *cose.Sign1Message) { m.Signature[7] ^= 1 }), BadSignature, true},
		{"signature cut short", remarshal(t, token, func(m *cose.Sign1Message) { m.Signature = m.Signature[:63] }), BadSignature, true},
		{"key of another ring", issue(t, newRing(t), "red"), UnknownKey, true},
		{"byte after the CBOR", wrap(append(bytes.Clone(signed), 0)), Malformed, false},
		{"byte after the zlib stream", Prefix + Base45Encode(append(compress(signed), 0)), Malformed, false},
		{"not compressed", Prefix + Base45Encode(signed), Malformed, false},
		{"length not in its shortest form", wrap(longHeader), Malformed, false},
		{"empty map not in its shortest form", wrap(longMap), Malformed, false},
		{"decompresses to a megabyte", bomb, Malformed, false},
		{"base45 group over 65535", Prefix + "GGW" + token[len(Prefix)+3:], Malformed, false},
		{"a megabyte of base45", Prefix + strings.Repeat("0", 1<<20), Malformed, false},
		{"claims alone", wrap(mustCBOR(t, good)), Malformed, false},
		{"ES384", sign(t, es384, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES384, cose.HeaderLabelKeyID: key.kid}, nil, good), Malformed, false},
		{"key ID unprotected", sign(t, key.signer, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256},
			cose.UnprotectedHeader{cose.HeaderLabelKeyID: key.kid}, good), Malformed, false},
		{"no key ID", sign(t, key.signer, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256}, nil, good), Malformed, false},
		{"short key ID", sign(t, key.signer, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256, cose.HeaderLabelKeyID: key.kid[:4]}, nil, good), Malformed, false},
		{"another header", sign(t, key.signer, func() cose.ProtectedHeader { h := es256(); h[cose.HeaderLabelContentType] = 61; return h }(), nil, good), Malformed, false},
		{"another claim", sign(t, key.signer, es256(), nil, withClaim(5, good.IssuedAt)), Malformed, false},
		{"color blue", sign(t, key.signer, es256(), nil, withClaim(claimColor, "blue")), Malformed, false},
		{"no subject", sign(t, key.signer, es256(), nil, withClaim(claimSubject, "")), Malformed, false},
		{"subject a number", sign(t, key.signer, es256(), nil, withClaim(claimSubject, 7)), Malformed, false},
		{"expiry before issue", sign(t, key.signer, es256(), nil, withClaim(claimExpires, good.IssuedAt-1)), Malformed, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Verify(tt.token, trust, t0.Add(time.Minute))
			if r.Status != tt.want {
				t.Fatalf("Verify = %v (%s), want %v", r.Status, r.Detail, tt.want)
			}
			if got := r.Claims.Subject != ""; got != tt.claims || tt.want != Valid && r.Detail == "" {
				t.Fatalf("Verify = %+v: claims %v, want %v, and a detail unless valid", r, got, tt.claims)
			}
		})
	}
	if r := Verify(token, nil, t0); r.Status != UnknownKey {
		t.Fatalf("with no trust list: %v", r.Status)
	}
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	b, err := encMode.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIssueRefuses(t *testing.T) {
	t.Parallel()
	k := newRing(t)
	for _, tt := range []struct {
		field string
		c     Claims
	}{
		{"subject", Claims{Color: "red"}},
		{"subject", Claims{Subject: "r 1", Color: "red"}},
		{"subject", Claims{Subject: strings.Repeat("r", 65), Color: "red"}},
		{"color", Claims{Subject: "r1", Color: "blue"}},
		{"expires", Claims{Subject: "r1", Color: "red", IssuedAt: t0, Expires: t0}},
		{"issuer", Claims{Issuer: strings.Repeat("i", 65), Subject: "r1", Color: "red"}},
	} {
		if _, err := k.Issue(tt.c); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field {
			t.Errorf("Issue(%+v) = %v, want an Invalid error naming %s", tt.c, err, tt.field)
		}
	}
	// A zero issue time is now by the ring's clock, in whole seconds.
	now := t0.Add(90*time.Second + 500*time.Millisecond)
	k, err := OpenKeyring(t.TempDir(), at(now))
	if err != nil {
		t.Fatal(err)
	}
	token, err := k.Issue(Claims{Subject: "r1", Color: "green"})
	if err != nil {
		t.Fatal(err)
	}
	issued := now.Truncate(time.Second)
	if r := Verify(token, k.TrustList(), now); r.Status != Valid || !r.Claims.IssuedAt.Equal(issued) || !r.Claims.Expires.Equal(issued.Add(DefaultLifetime)) {
		t.Fatalf("token issued without a time: %+v, want issued at %v", r, issued)
	}
}
