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

// openTokens opens the keys that sign code tokens.
func openTokens(data string) (*credential.Keyring, error) {
	return credential.OpenKeyring(codeKeys(data), time.Now)
}

// rotateCodeKeys makes a new code-signing key.
func rotateCodeKeys(e env, data string) error {
	ring, err := credential.OpenKeyring(codeKeys(data), time.Now)
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
	ring, err := credential.OpenKeyring(codeKeys(data), time.Now)
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
