package credential

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

var t0 = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// at is a clock stopped at an instant.
func at(instant time.Time) func() time.Time { return func() time.Time { return instant } }

// fakeClock is a clock the test moves by hand, in place of time.Now. It is
// safe for concurrent use, as a ring's clock must be.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newRing is a ring in a fresh directory whose clock stands at t0.
func newRing(t testing.TB) *Keyring {
	t.Helper()
	k, err := OpenKeyring(t.TempDir(), at(t0))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signedBy returns the ID of the key that signed a token.
func signedBy(t *testing.T, token string) string {
	t.Helper()
	_, kid, _, detail := decode(token)
	if detail != "" {
		t.Fatalf("token %q: %s", token, detail)
	}
	return kid
}

func issue(t testing.TB, k *Keyring, color string) string {
	t.Helper()
	token, err := k.Issue(Claims{Issuer: "outbreak", Subject: "r0001", Color: color, IssuedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestIssueVerify(t *testing.T) {
	t.Parallel()
	k := newRing(t)
	token := issue(t, k, "red")
	if !strings.HasPrefix(token, Prefix) || strings.Trim(token[len(Prefix):], alphabet) != "" {
		t.Fatalf("token %q is not the prefix and base45", token)
	}
	trust := k.TrustList()
	r := Verify(token, trust, t0.Add(time.Minute))
	want := Claims{Issuer: "outbreak", Subject: "r0001", Color: "red", IssuedAt: t0, Expires: t0.Add(DefaultLifetime)}
	if r.Status != Valid || r.Claims != want {
		t.Fatalf("Verify = %+v, want valid %+v", r, want)
	}
	for _, tt := range []struct {
		name  string
		token string
		at    time.Time
		want  Status
	}{
		{"at expiry", token, t0.Add(DefaultLifetime), Expired},
		{"issued in the future", token, t0.Add(-2 * time.Minute), Expired},
		{"no prefix", token[len(Prefix):], t0, Malformed},
		{"other prefix", "HC1:" + token[len(Prefix):], t0, Malformed},
		{"lower case", strings.ToLower(token), t0, Malformed},
		{"truncated", token[:len(token)-3], t0, Malformed},
		{"one character short", token[:len(token)-1], t0, Malformed},
		{"trailing", token + "00", t0, Malformed},
		{"recompressed", recompress(t, token), t0, Malformed},
		{"empty", "", t0, Malformed},
	} {
		if r := Verify(tt.token, trust, tt.at); r.Status != tt.want {
			t.Errorf("%s: Verify = %v (%s), want %v", tt.name, r.Status, r.Detail, tt.want)
		}
	}
	// Any one character changed is never valid.
	for i := len(Prefix); i < len(token); i++ {
		for _, c := range []byte{'0', 'Z', ':'} {
			if c == token[i] {
				continue
			}
			b := []byte(token)
			b[i] = c
			if r := Verify(string(b), trust, t0); r.Status == Valid {
				t.Fatalf("token with character %d changed to %q is valid", i, c)
			}
		}
	}
}

// recompress decompresses a token and compresses it again at another level,
// which gives another zlib header.
func recompress(t *testing.T, token string) string {
	t.Helper()
	raw, err := Base45Decode(token[len(Prefix):])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var plain, again bytes.Buffer
	plain.ReadFrom(zr)
	w, _ := zlib.NewWriterLevel(&again, zlib.BestCompression)
	w.Write(plain.Bytes())
	w.Close()
	if bytes.Equal(again.Bytes(), raw) {
		t.Fatal("recompressing gives the same bytes")
	}
	return Prefix + Base45Encode(again.Bytes())
}

func TestRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := &fakeClock{now: t0}
	k, err := OpenKeyring(dir, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	first := issue(t, k, "green") // k looks at ring.json now, at t0
	previous, err := k.Rotate(t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	second := issue(t, k, "yellow")
	if r := Verify(first, k.TrustList(), t0); r.Status != Valid {
		t.Fatalf("after one rotation, a token of the previous key: %v", r.Status)
	}
	// Another process rotates again; this one notices within a second.
	other, err := OpenKeyring(dir, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	newest, err := other.Rotate(t0.Add(2 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	trust := other.TrustList()
	if r := Verify(first, trust, t0); r.Status != UnknownKey {
		t.Fatalf("a token of a rotated-out key: %v, want unknown key", r.Status)
	}
	if r := Verify(second, trust, t0); r.Status != Valid {
		t.Fatalf("a token of the previous key: %v", r.Status)
	}
	if len(trust.Keys) != 2 {
		t.Fatalf("trust list of %d keys, want the primary and the previous", len(trust.Keys))
	}
	// Until a second has passed since it last looked, the first ring goes
	// on signing with the key before, which stays trusted; then it reads
	// the new ring.json and signs with the new primary.
	for _, tt := range []struct {
		advance time.Duration
		want    string
	}{
		{0, previous},
		{recheck - time.Nanosecond, previous},
		{time.Nanosecond, newest},
	} {
		clock.Advance(tt.advance)
		token := issue(t, k, "red")
		if got := signedBy(t, token); got != tt.want {
			t.Fatalf("%v after it last looked, the first ring signs with %s, want %s (previous %s, primary %s)",
				clock.Now().Sub(t0), got, tt.want, previous, newest)
		}
		if r := Verify(token, trust, t0); r.Status != Valid {
			t.Fatalf("%v after it last looked, a token of the first ring: %v", clock.Now().Sub(t0), r.Status)
		}
	}
	// Another ring's keys are unknown; a key of the list with another
	// key's signature is a bad signature.
	stranger := issue(t, newRing(t), "green")
	if r := Verify(stranger, trust, t0); r.Status != UnknownKey {
		t.Fatalf("a stranger's token: %v", r.Status)
	}
	forged := TrustList{Keys: []TrustedKey{{KID: trust.Keys[0].KID, Alg: "ES256", PublicKey: trust.Keys[1].PublicKey}}}
	forged.index()
	if r := Verify(second, &forged, t0); r.Status != BadSignature {
		t.Fatalf("a token checked against another key of the same ID: %v", r.Status)
	}
}

func TestTrustList(t *testing.T) {
	t.Parallel()
	k := newRing(t)
	data, err := json.Marshal(k.TrustList())
	if err != nil {
		t.Fatal(err)
	}
	trust, err := ParseTrustList(data)
	if err != nil {
		t.Fatal(err)
	}
	if r := Verify(issue(t, k, "red"), trust, t0); r.Status != Valid {
		t.Fatalf("after a JSON round trip: %v", r.Status)
	}
	other := newRing(t).TrustList().Keys[0]
	for _, tt := range []struct{ body, field string }{
		{`{"keys": []}`, "keys"},
		{`{"keys": [{"kid": "x", "alg": "RS256", "public_key": "AA=="}]}`, "keys[0].alg"},
		{`{"keys": [{"kid": "x", "alg": "ES256", "public_key": "AA=="}]}`, "keys[0].public_key"},
		{strings.Replace(string(data), `"kid":"`, `"kid":"0`, 1), "keys[0].kid"},
		{`{"keys": [{"kid": "` + k.TrustList().Keys[0].KID + `", "alg": "ES256", "public_key": "` + b64(other.PublicKey) + `"}]}`, "keys[0].kid"},
		{`{"keys": [{"kid": "x", "alg": "ES256", "public_key": "!!"}]}`, "keys[0].public_key"},
		{`{"keys": [` + strings.Repeat(entry(k.TrustList().Keys[0])+",", 2) + entry(other) + `]}`, "keys[1].kid"},
		{`{"keys": [` + entry(other) + `, {"kid": "x", "alg": "ES384", "public_key": ""}]}`, "keys[1].alg"},
		{`{"keys": {}}`, ""},
		{`[]`, ""},
		{``, ""},
	} {
		_, err := ParseTrustList([]byte(tt.body))
		if err == nil || tt.field != "" && !strings.Contains(err.Error(), tt.field) {
			t.Errorf("ParseTrustList(%.60s) = %v, want an error naming %s", tt.body, err, tt.field)
		}
	}
}

// entry is a trusted key as JSON.
func entry(k TrustedKey) string {
	b, _ := json.Marshal(k)
	return string(b)
}

func b64(b []byte) string {
	s, _ := json.Marshal(b)
	return strings.Trim(string(s), `"`)
}

func TestQR(t *testing.T) {
	t.Parallel()
	token := issue(t, newRing(t), "yellow")
	data, err := PNG(token)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is a clean, generated code: say so, or the reader's finder
	// misjudges the size of about one code in three hundred.
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	got, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil || got.GetText() != token {
		t.Fatalf("the QR code reads %v, %v; want the token", got, err)
	}
	svg, err := SVG(token)
	if err != nil || !bytes.HasPrefix(svg, []byte("<svg")) || bytes.Count(svg, []byte("<path")) != 1 {
		t.Fatalf("SVG: %v %.100s", err, svg)
	}
}

func TestConcurrentIssue(t *testing.T) {
	t.Parallel()
	k := newRing(t)
	trust := k.TrustList()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if r := Verify(issue(t, k, "green"), trust, t0); r.Status != Valid {
					t.Error(r.Status, r.Detail)
				}
			}
		})
	}
	wg.Wait()
}

// FuzzVerify feeds Verify arbitrary text: it must never panic, and never
// call anything valid but the one token issued here. The corpus under
// testdata/fuzz is a selection of what a 30 s run found interesting.
func FuzzVerify(f *testing.F) {
	k, err := OpenKeyring(f.TempDir(), at(t0))
	if err != nil {
		f.Fatal(err)
	}
	trust := k.TrustList()
	token := issue(f, k, "red")
	f.Add(token)
	f.Add(token[:40])
	f.Add("OB1:")
	f.Add("OB1:6BFOXN*TS0BI$ZD.P9")
	f.Fuzz(func(t *testing.T, s string) {
		r := Verify(s, trust, t0)
		if r.Status == Valid && s != token {
			t.Fatalf("%q verifies as valid", s)
		}
	})
}

func BenchmarkIssue(b *testing.B) {
	k := newRing(b)
	for b.Loop() {
		issue(b, k, "red")
	}
}

func BenchmarkVerify(b *testing.B) {
	k := newRing(b)
	trust := k.TrustList()
	token := issue(b, k, "red")
	for b.Loop() {
		if Verify(token, trust, t0).Status != Valid {
			b.Fatal("not valid")
		}
	}
}

func BenchmarkPNG(b *testing.B) {
	token := issue(b, newRing(b), "red")
	for b.Loop() {
		PNG(token)
	}
}

func BenchmarkSVG(b *testing.B) {
	token := issue(b, newRing(b), "red")
	for b.Loop() {
		SVG(token)
	}
}
