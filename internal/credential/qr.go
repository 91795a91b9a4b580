package credential

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// The drawing of a QR code: a quiet zone of four modules around it, as the
// standard asks, and six pixels a module in a PNG.
const (
	quietZone   = 4
	pixelsPerMo = 6
)

// modules returns a token's QR code as rows of dark (true) and light
// modules: alphanumeric mode, which base45 fits, at error correction level M.
func modules(token string) ([][]bool, error) {
	qr, err := qrcode.NewWith(token, qrcode.WithEncodingMode(qrcode.EncModeAlphanumeric),
		qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("credential: QR code: %w", err)
	}
	var g grab
	if err := qr.Save(&g); err != nil {
		return nil, err
	}
	return g.rows, nil
}

// grab is a qrcode.Writer that keeps the matrix.
type grab struct{ rows [][]bool }

func (g *grab) Write(m qrcode.Matrix) error {
	g.rows = make([][]bool, m.Height())
	for y := range g.rows {
		g.rows[y] = make([]bool, m.Width())
	}
	m.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) { g.rows[y][x] = v.IsSet() })
	return nil
}

func (g *grab) Close() error { return nil }

// PNG draws a token as a QR code in a PNG image.
func PNG(token string) ([]byte, error) {
	rows, err := modules(token)
	if err != nil {
		return nil, err
	}
	size := (len(rows) + 2*quietZone) * pixelsPerMo
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, row := range rows {
		for x, dark := range row {
			if !dark {
				continue
			}
			x0, y0 := (x+quietZone)*pixelsPerMo, (y+quietZone)*pixelsPerMo
			for py := y0; py < y0+pixelsPerMo; py++ {
				line := img.Pix[py*img.Stride+x0 : py*img.Stride+x0+pixelsPerMo]
				for i := range line {
					line[i] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SVG draws a token as a QR code in an SVG image: one path, a rectangle per
// run of dark modules in a row.
func SVG(token string) ([]byte, error) {
	rows, err := modules(token)
	if err != nil {
		return nil, err
	}
	size := len(rows) + 2*quietZone
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, size, size)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, size, size)
	for y, row := range rows {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quietZone, y+quietZone, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}
