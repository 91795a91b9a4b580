package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"outbreak/internal/credential"
	"outbreak/internal/record"
)

// codeKeys is where a data directory keeps the keys that sign code tokens.
func codeKeys(data string) string { return filepath.Join(data, "keys", "codes") }

// codeTokens signs health codes with the data directory's code keys; it is
// what the API's Tokens needs.
type codeTokens struct{ ring *credential.Keyring }

func openTokens(data string) (*codeTokens, error) {
	ring, err := credential.OpenKeyring(codeKeys(data), time.Now())
	return &codeTokens{ring}, err
}

// Issue signs a token valid for credential.DefaultLifetime from now. CWT
// times are whole seconds, and so is the expiry returned.
func (t *codeTokens) Issue(person, color string, now time.Time) (string, time.Time, error) {
	now = now.Truncate(time.Second)
	expires := now.Add(credential.DefaultLifetime)
	token, err := t.ring.Issue(credential.Claims{Issuer: "outbreak", Subject: person, Color: color, IssuedAt: now, Expires: expires})
	return token, expires.UTC(), err
}

func (t *codeTokens) TrustList() ([]byte, error) { return json.Marshal(t.ring.TrustList()) }

func (t *codeTokens) QR(token, format string) ([]byte, error) {
	if format == "png" {
		return credential.PNG(token)
	}
	return credential.SVG(token)
}

// rotateCodeKeys makes a new code-signing key.
func rotateCodeKeys(e env, data string) error {
	ring, err := credential.OpenKeyring(codeKeys(data), time.Now())
	if err != nil {
		return err
	}
	kid, err := ring.Rotate(time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "code-signing key %s now signs; the previous key stays trusted, older ones are retired\n", kid)
	return nil
}

// writeTrustList writes the trust list to out, or stdout for "".
func writeTrustList(e env, data, out string) error {
	ring, err := credential.OpenKeyring(codeKeys(data), time.Now())
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(ring.TrustList(), "", "  ")
	if err != nil {
		return err
	}
	body = append(body, '\n')
	if out == "" {
		_, err = e.stdout.Write(body)
		return err
	}
	return os.WriteFile(out, body, 0o644)
}

// verifyFailed is the error of a token that is not valid: the line printed
// says why, and the exit status is 1.
type verifyFailed struct{ status credential.Status }

func (v verifyFailed) Error() string { return "the token is " + v.status.String() }

func verifyCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "verify", "TOKEN")
	trustFile := fs.String("trust", "", "trust list (JSON, from outbreak keys trust-list or /api/v1/trust-list)")
	var at timeFlag
	fs.Var(&at, "at", "verify as of this instant (RFC 3339); default now")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *trustFile == "" {
		fs.Usage()
		return usageError{"verify needs --trust FILE and one TOKEN"}
	}
	body, err := os.ReadFile(*trustFile)
	if err != nil {
		return err
	}
	trust, err := credential.ParseTrustList(body)
	if err != nil {
		return fmt.Errorf("%s: %w", *trustFile, err)
	}
	r := credential.Verify(pos[0], trust, at.or(time.Now()))
	line := r.Status.String()
	if r.Claims.Subject != "" {
		line += fmt.Sprintf(" %s person=%s issued=%s expires=%s", r.Claims.Color, r.Claims.Subject,
			record.FormatTime(r.Claims.IssuedAt), record.FormatTime(r.Claims.Expires))
	}
	if r.Detail != "" {
		line += " (" + r.Detail + ")"
	}
	fmt.Fprintln(e.stdout, line)
	if r.Status != credential.Valid {
		return verifyFailed{r.Status}
	}
	return nil
}
