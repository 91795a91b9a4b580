package credential

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/veraison/go-cose"

	"outbreak/internal/errs"
)

// TrustList is what a checkpoint needs to verify tokens offline: the public
// keys by key ID, oldest first, so the key that signs now is the last. Its
// JSON is {"keys": [{"kid": "…", "alg": "ES256", "public_key": "…"}]}.
// Read one with ParseTrustList, which checks every key and readies it for
// Verify; a TrustList decoded with encoding/json alone trusts no key.
type TrustList struct {
	Keys []TrustedKey `json:"keys"`

	verifiers map[string]cose.Verifier
}

// TrustedKey is one verification key.
type TrustedKey struct {
	// KID is the key ID in 16 lower-case hex digits: the first 8 bytes of
	// the SHA-256 of PublicKey, as the EU Digital COVID Certificate has it.
	// Tokens carry these 8 bytes in their protected header.
	KID string `json:"kid"`
	// Alg is the COSE algorithm, always "ES256".
	Alg string `json:"alg"`
	// PublicKey is the P-256 key as SubjectPublicKeyInfo DER, in standard
	// base64 in JSON.
	PublicKey []byte `json:"public_key"`
}

// index builds the verifiers of keys already checked.
func (t *TrustList) index() {
	t.verifiers = map[string]cose.Verifier{}
	for _, k := range t.Keys {
		pub, _ := x509.ParsePKIXPublicKey(k.PublicKey)
		if v, err := cose.NewVerifier(cose.AlgorithmES256, pub); err == nil {
			t.verifiers[k.KID] = v
		}
	}
}

func (t *TrustList) verifier(kid string) cose.Verifier {
	if t == nil {
		return nil
	}
	return t.verifiers[kid]
}

// ParseTrustList reads a trust list, refusing one with an entry that is not
// an ES256 (P-256) key whose ID is the one its public key gives.
// The error is Invalid and names the field at fault, as keys[2].public_key.
func ParseTrustList(data []byte) (*TrustList, error) {
	// The public keys are read as text first, so that bad base64 is
	// blamed on its entry rather than on the whole list.
	var raw struct {
		Keys []struct {
			KID       string `json:"kid"`
			Alg       string `json:"alg"`
			PublicKey string `json:"public_key"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, errs.E(errs.Invalid, "trust list: not JSON of the trust-list shape: %v", err)
	}
	if len(raw.Keys) == 0 {
		return nil, errs.Field("keys", "trust list: no keys")
	}
	t := TrustList{Keys: make([]TrustedKey, len(raw.Keys))}
	seen := map[string]bool{}
	for i, r := range raw.Keys {
		bad := func(field, reason string) error {
			return errs.Field(fmt.Sprintf("keys[%d].%s", i, field), "trust list: key %d: %s", i, reason)
		}
		if r.Alg != "ES256" {
			return nil, bad("alg", fmt.Sprintf("only ES256 keys are trusted, not %q", r.Alg))
		}
		der, err := base64.StdEncoding.DecodeString(r.PublicKey)
		if err != nil {
			return nil, bad("public_key", "not standard base64")
		}
		k := TrustedKey{KID: r.KID, Alg: r.Alg, PublicKey: der}
		t.Keys[i] = k
		pub, err := x509.ParsePKIXPublicKey(k.PublicKey)
		ec, ok := pub.(*ecdsa.PublicKey)
		if err != nil || !ok || ec.Curve != elliptic.P256() {
			return nil, bad("public_key", "not a P-256 public key in SubjectPublicKeyInfo DER")
		}
		if k.KID != kidOf(k.PublicKey) {
			return nil, bad("kid", fmt.Sprintf("%q is not the ID of its public key, %s", k.KID, kidOf(k.PublicKey)))
		}
		if seen[k.KID] {
			return nil, bad("kid", fmt.Sprintf("%q is listed twice", k.KID))
		}
		seen[k.KID] = true
	}
	t.index()
	return &t, nil
}
