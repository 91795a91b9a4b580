package credential

import (
	"bytes"
	"testing"
)

func TestBase45(t *testing.T) {
	t.Parallel()
	// RFC 9285, section 4.
	for _, tt := range []struct{ plain, text string }{
		{"AB", "BB8"}, {"Hello!!", "%69 VD92EX0"}, {"base-45", "UJCLQE7W581"}, {"ietf!", "QED8WEX0"}, {"", ""},
	} {
		if got := Base45Encode([]byte(tt.plain)); got != tt.text {
			t.Errorf("Base45Encode(%q) = %q, want %q", tt.plain, got, tt.text)
		}
		got, err := Base45Decode(tt.text)
		if err != nil || string(got) != tt.plain {
			t.Errorf("Base45Decode(%q) = %q, %v; want %q", tt.text, got, err, tt.plain)
		}
	}
	for _, bad := range []string{"GGW", "ZZZ", "A", "BB8A", "bb8", "QED8WEX0!", "AB\x00"} {
		if got, err := Base45Decode(bad); err == nil {
			t.Errorf("Base45Decode(%q) = %q, want an error", bad, got)
		}
	}
}

// FuzzBase45Decode checks that decoding never panics and that whatever
// decodes encodes back to the same text, so every byte string has one
// encoding.
func FuzzBase45Decode(f *testing.F) {
	for _, s := range []string{"BB8", "%69 VD92EX0", "GGW", "A", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Base45Decode(s)
		if err != nil {
			return
		}
		if again := Base45Encode(b); again != s {
			t.Fatalf("%q decodes to %x, which encodes to %q", s, b, again)
		}
		if back, err := Base45Decode(Base45Encode(b)); err != nil || !bytes.Equal(back, b) {
			t.Fatalf("round trip of %x: %x, %v", b, back, err)
		}
	})
}
