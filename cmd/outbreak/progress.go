package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// withProgress wraps r so that a long import shows on w that it is moving,
// and returns done, to be called with the import's error once it is over.
// The bar lives here rather than in internal/ingest so that the library
// knows nothing of terminals. Only a terminal gets a bar: on a pipe or a log
// file its control characters would be noise, so r comes back as it is and
// done does nothing.
func withProgress(w io.Writer, r io.Reader, desc string) (io.Reader, func(error)) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return r, func(error) {}
	}
	size := int64(-1) // a spinner: a pipe's length is unknown until it ends
	if in, ok := r.(*os.File); ok {
		if fi, err := in.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionShowCount(),
		// Narrow enough that the byte counts fit beside it on 80 columns.
		progressbar.OptionSetWidth(30),
		// Reads come a few kilobytes at a time; redrawing on each would
		// flicker and spend the import's time on the terminal.
		progressbar.OptionThrottle(100*time.Millisecond),
		// The summary or the error then starts on a line of its own.
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(f) }),
		// Shows at once that the import has started, before the first read.
		progressbar.OptionSetRenderBlankState(true),
	)
	pr := progressbar.NewReader(r, bar)
	return &pr, func(err error) {
		if err != nil {
			_ = bar.Exit() // leaves the bar where it stopped, which tells how far the file got
			return
		}
		_ = bar.Finish()
	}
}
