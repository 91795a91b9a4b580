package kinds

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// exportPage is the page size of an export: the largest a store serves.
const exportPage = record.MaxLimit

// Export writes every record of kind in format ("csv" or "ndjson") to w, page
// by page through the store's list methods with keyset pagination, so that
// memory stays flat. It returns the number of records written. CSV has the
// header of DESIGN.md, which leaves out the IDs of visits, stays, labs,
// vaccinations, declarations and region levels (a store makes new ones on
// import); NDJSON has every field, IDs included.
func Export(ctx context.Context, st Store, kind, format string, w io.Writer) (int, error) {
	k, err := Lookup(kind)
	if err != nil {
		return 0, err
	}
	if format == "" {
		return 0, errs.Field("format", "required (csv or ndjson)")
	}
	format, err = Format("", format)
	if err != nil {
		return 0, err
	}
	return k.export(ctx, st, format, w)
}

func (c *Kind[T]) export(ctx context.Context, st Store, format string, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	appendRecord := c.AppendJSON
	if format == CSV {
		appendRecord = c.AppendCSV
		if _, err := bw.WriteString(strings.Join(c.header, ",") + "\n"); err != nil {
			return 0, err
		}
	}
	var buf []byte
	n := 0
	page := record.Page{Limit: exportPage}
	for {
		items, next, err := c.list(ctx, st, nil, page)
		if err != nil {
			return n, fmt.Errorf("export %s: %w", c.name, err)
		}
		for i := range items {
			buf = appendRecord(buf[:0], &items[i])
			if _, err := bw.Write(buf); err != nil {
				return n, err
			}
			n++
		}
		if next == "" || len(items) == 0 {
			break
		}
		if next == page.After {
			return n, errs.E(errs.Internal, "export %s: the store gave the same cursor twice", c.name)
		}
		page.After = next
	}
	return n, bw.Flush()
}
