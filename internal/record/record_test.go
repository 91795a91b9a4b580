package record

import (
	"testing"
	"time"
)

func TestCheckID(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"a", "r0000001", "cn.p1.c1:d-3_x", string(make([]byte, 0)) + "Z9"} {
		if err := CheckID("id", s); err != nil {
			t.Errorf("CheckID(%q) = %v, want nil", s, err)
		}
	}
	long := make([]byte, 65)
	for i := range long {
		long[i] = 'a'
	}
	for _, s := range []string{"", "a b", "é", "a/b", string(long)} {
		if err := CheckID("id", s); err == nil {
			t.Errorf("CheckID(%q) = nil, want an error", s)
		}
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	t.Parallel()
	a := NewID(time.UnixMilli(1_700_000_000_000))
	b := NewID(time.UnixMilli(1_700_000_000_001))
	if len(a) != 26 || a >= b {
		t.Fatalf("NewID: %q then %q, want 26 characters in increasing order", a, b)
	}
	if err := CheckID("id", a); err != nil {
		t.Fatal(err)
	}
}

func TestDurationString(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{30 * time.Minute: "30m", time.Hour: "1h", 90 * time.Minute: "1h30m", 45 * time.Second: "45s", 0: ""} {
		if got := Duration(d).String(); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestCheckText(t *testing.T) {
	t.Parallel()
	for s, ok := range map[string]bool{"Café \"Lu\", 2F": true, "two\nlines\tand a tab": true, "西湖区": true,
		"nul\x00": false, "bell\a": false, "\xff\xfe": false, "del\x7f": false} {
		if err := CheckText("name", s, 64); (err == nil) != ok {
			t.Errorf("CheckText(%q) = %v, want ok=%v", s, err, ok)
		}
	}
	if CheckText("name", "abcdef", 5) == nil {
		t.Error("CheckText accepted a text over its length")
	}
}
