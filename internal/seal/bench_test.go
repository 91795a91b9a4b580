package seal_test

import "testing"

var (
	benchPhone = []byte("+861380000000000") // 16 bytes, a long phone number
	benchAD    = []byte("residents/r1234567/phone")
)

func BenchmarkSeal(b *testing.B) {
	r, _ := newRing(b)
	b.SetBytes(int64(len(benchPhone)))
	b.ReportAllocs()
	for b.Loop() {
		r.Seal(benchPhone, benchAD)
	}
}

func BenchmarkSealParallel(b *testing.B) {
	r, _ := newRing(b)
	b.SetBytes(int64(len(benchPhone)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Seal(benchPhone, benchAD)
		}
	})
}

func BenchmarkOpen(b *testing.B) {
	r, _ := newRing(b)
	v := r.Seal(benchPhone, benchAD)
	b.SetBytes(int64(len(benchPhone)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Open(v, benchAD); err != nil {
			b.Fatal(err)
		}
	}
}
