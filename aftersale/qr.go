package aftersale

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// QRPNG is text as a QR code (error correction level M) in a PNG of at most
// size×size pixels (whole pixels per module), with the standard quiet zone
// of four modules. Tickets carry their signed token in it.
func QRPNG(text string, size int) ([]byte, error) {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	var m matrix
	if err := qr.Save(&m); err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	const quiet = 4
	modules := m.Width() + 2*quiet
	scale := max(size/modules, 1)
	img := image.NewPaletted(image.Rect(0, 0, modules*scale, modules*scale), color.Palette{color.White, color.Black})
	m.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if !v.IsSet() {
			return
		}
		x0, y0 := (x+quiet)*scale, (y+quiet)*scale
		for py := y0; py < y0+scale; py++ {
			row := img.Pix[py*img.Stride:]
			for px := x0; px < x0+scale; px++ {
				row[px] = 1
			}
		}
	})
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// matrix is a qrcode.Writer that keeps the module matrix.
type matrix struct{ qrcode.Matrix }

func (m *matrix) Write(mat qrcode.Matrix) error { m.Matrix = mat; return nil }
func (m *matrix) Close() error                  { return nil }
