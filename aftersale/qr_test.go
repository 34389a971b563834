package aftersale

import (
	"bytes"
	"image/png"
	"testing"
)

// A ticket's QR code is a square PNG within the size asked, with a white
// quiet zone and the three finder patterns in its corners. (Decoding was
// checked with zbarimg when the encoder was chosen.)
func TestQRPNG(t *testing.T) {
	b, err := QRPNG("MQ7X2K9P.F12.0123456789abcdef", 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if w != h || w > 256 || w < 128 {
		t.Fatalf("%d×%d for 256", w, h)
	}
	dark := func(x, y int) bool { r, _, _, _ := img.At(x, y).RGBA(); return r < 0x8000 }
	// The quiet zone is 4 modules: the first dark pixel on the diagonal is
	// the corner of the top-left finder pattern.
	q := 0
	for q < w && !dark(q, q) {
		q++
	}
	scale := q / 4
	if scale < 1 || q%4 != 0 || w%scale != 0 {
		t.Fatalf("quiet zone of %d px in a %d px image", q, w)
	}
	n := w/scale - 8 // modules per side
	if (n-21)%4 != 0 {
		t.Fatalf("%d modules per side is no QR version", n)
	}
	for i := 0; i < q; i++ {
		if dark(w-1-i, i) || dark(i, w-1-i) || dark(w-1-i, w-1-i) {
			t.Fatalf("quiet zone not white at %d", i)
		}
	}
	at := func(mx, my int) bool { return dark((mx+4)*scale+scale/2, (my+4)*scale+scale/2) }
	for _, c := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} { // finder patterns: dark ring, light ring, dark 3×3 core
		if !at(c[0], c[1]) || !at(c[0]+6, c[1]+6) || at(c[0]+1, c[1]+1) || !at(c[0]+3, c[1]+3) || at(c[0]+7, c[1]+7) {
			t.Fatalf("no finder pattern at module %v", c)
		}
	}
}
