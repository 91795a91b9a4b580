package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"outbreak/internal/credential"
)

// TestKeysAndVerify rotates the code-signing keys, writes the trust list and
// verifies tokens offline with it.
func TestKeysAndVerify(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	tokens, err := openTokens(data)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	token, expires, err := tokens.Sign("r0001", "yellow", now)
	if err != nil || !expires.Equal(now.Truncate(time.Second).Add(credential.DefaultLifetime)) {
		t.Fatalf("Issue: %v, expires %v", err, expires)
	}
	trust := write(t, t.TempDir(), "trust.json", "")
	if _, _, err := outbreak(t, nil, "keys", "--data", data, "trust-list", "--out", trust); err != nil {
		t.Fatal(err)
	}
	out, _, err := outbreak(t, nil, "verify", "--trust", trust, token)
	if err != nil || !strings.HasPrefix(out, "valid yellow person=r0001 ") {
		t.Fatalf("verify: %q, %v", out, err)
	}
	later := now.Add(credential.DefaultLifetime + time.Second).UTC().Format(time.RFC3339)
	out, _, err = outbreak(t, nil, "verify", "--trust", trust, "--at", later, token)
	if exitCode(err) != 1 || !strings.HasPrefix(out, "expired yellow") {
		t.Fatalf("verify later: %q, %v", out, err)
	}
	tampered := token[:len(token)-2] + map[bool]string{true: "00", false: "11"}[strings.HasSuffix(token, "11")]
	out, _, err = outbreak(t, nil, "verify", "--trust", trust, tampered)
	if exitCode(err) != 1 || strings.HasPrefix(out, "valid") {
		t.Fatalf("verify a tampered token: %q, %v", out, err)
	}
	// Two rotations retire the key that signed the token.
	for range 2 {
		if out, _, err := outbreak(t, nil, "keys", "--data", data, "rotate"); err != nil || !strings.Contains(out, "now signs") {
			t.Fatalf("keys rotate: %q, %v", out, err)
		}
	}
	out, _, err = outbreak(t, nil, "keys", "--data", data, "trust-list")
	var list credential.TrustList
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list.Keys) != 2 {
		t.Fatalf("trust list after two rotations: %v\n%s", err, out)
	}
	fresh := write(t, t.TempDir(), "trust.json", out)
	out, _, err = outbreak(t, nil, "verify", "--trust", fresh, token)
	if exitCode(err) != 1 || !strings.HasPrefix(out, "unknown key") {
		t.Fatalf("verify a token of a retired key: %q, %v", out, err)
	}
	if _, _, err := outbreak(t, nil, "verify", "--trust", trust); exitCode(err) != 2 {
		t.Fatalf("verify without a token: %v", err)
	}
	bad := write(t, t.TempDir(), "bad.json", `{"keys": [{"kid": "00", "alg": "ES256", "public_key": ""}]}`)
	if _, _, err := outbreak(t, nil, "verify", "--trust", bad, token); err == nil || !strings.Contains(err.Error(), "keys[0]") {
		t.Fatalf("verify with a bad trust list: %v", err)
	}
}
