package credential

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"fmt"

	"github.com/veraison/go-cose"

	"outbreak/internal/errs"
)

// TrustList is what a checkpoint needs to verify tokens offline: the public
// keys by key ID. Its JSON is {"keys": [{"kid": "…", "alg": "ES256",
// "public_key": "<base64 SubjectPublicKeyInfo DER>"}]}.
type TrustList struct {
	Keys []TrustedKey `json:"keys"`

	verifiers map[string]cose.Verifier
}

// TrustedKey is one verification key.
type TrustedKey struct {
	KID       string `json:"kid"`
	Alg       string `json:"alg"`
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
func ParseTrustList(data []byte) (*TrustList, error) {
	var t TrustList
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, errs.E(errs.Invalid, "trust list: not JSON of the trust-list shape: %v", err)
	}
	if len(t.Keys) == 0 {
		return nil, errs.Field("keys", "trust list: no keys")
	}
	for i, k := range t.Keys {
		bad := func(field, reason string) error {
			return errs.Field(fmt.Sprintf("keys[%d].%s", i, field), "trust list: key %d: %s", i, reason)
		}
		if k.Alg != "ES256" {
			return nil, bad("alg", fmt.Sprintf("only ES256 keys are trusted, not %q", k.Alg))
		}
		pub, err := x509.ParsePKIXPublicKey(k.PublicKey)
		ec, ok := pub.(*ecdsa.PublicKey)
		if err != nil || !ok || ec.Curve != elliptic.P256() {
			return nil, bad("public_key", "not a P-256 public key in SubjectPublicKeyInfo DER")
		}
		if k.KID != kidOf(k.PublicKey) {
			return nil, bad("kid", fmt.Sprintf("%q is not the ID of its public key, %s", k.KID, kidOf(k.PublicKey)))
		}
	}
	t.index()
	return &t, nil
}
