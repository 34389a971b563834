package poster_test

import (
	"bytes"
	"context"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"marquee/booking"
	"marquee/poster"
)

// picture is a w × h test image: a gradient with a red border, so cropping shows.
func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a valid PNG signature and IHDR claiming w × h pixels, and nothing else:
// what a decompression bomb looks like to DecodeConfig.
func pngHeader(t *testing.T, w, h int) []byte {
	t.Helper()
	full := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	hdr := append([]byte(nil), full[:33]...) // signature (8) + IHDR chunk (25)
	put := func(off, v int) {
		hdr[off], hdr[off+1], hdr[off+2], hdr[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, w)
	put(20, h)
	put(29, int(crc32.ChecksumIEEE(hdr[12:29]))) // chunk type + data
	return hdr
}

func TestProcessMakesEverySize(t *testing.T) {
	p := poster.New(poster.Limits{})
	for name, data := range map[string][]byte{
		"png portrait":   encodePNG(t, picture(400, 600)),
		"jpeg landscape": encodeJPEG(t, picture(900, 400)),
	} {
		imgs, err := p.Process(context.Background(), data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(imgs) != len(poster.Sizes) {
			t.Fatalf("%s: %d renditions", name, len(imgs))
		}
		for i, img := range imgs {
			s := poster.Sizes[i]
			if img.Size != s.Name || img.ContentType != "image/jpeg" || len(img.Digest) != 64 {
				t.Errorf("%s: rendition %+v", name, img.Size)
			}
			got, err := jpeg.Decode(bytes.NewReader(img.Data))
			if err != nil {
				t.Fatalf("%s %s: output not a JPEG: %v", name, s.Name, err)
			}
			if b := got.Bounds(); b.Dx() != s.Width || b.Dy() != s.Height {
				t.Errorf("%s %s: %v, want %d × %d", name, s.Name, b, s.Width, s.Height)
			}
		}
		if imgs[0].Digest == imgs[1].Digest {
			t.Errorf("%s: sizes share a digest", name)
		}
	}
}

func TestProcessRefuses(t *testing.T) {
	p := poster.New(poster.Limits{MaxBytes: 1 << 20})
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, picture(300, 450), nil); err != nil {
		t.Fatal(err)
	}
	good := encodeJPEG(t, picture(400, 600))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "Choose a poster file"},
		{"pdf", []byte("%PDF-1.7\n1 0 obj <<>> endobj\n"), "a PDF document"},
		{"text named .jpg", []byte("just some words, not a picture at all\n"), "a text file"},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), "XML or SVG"},
		{"gif", gifBuf.Bytes(), "a GIF image"},
		{"random bytes", bytes.Repeat([]byte{0x00, 0x01, 0xfe}, 100), "not an image"},
		{"too big", append(append([]byte{}, good...), make([]byte, 1<<20)...), "at most 1 MB"},
		{"truncated jpeg", good[:len(good)/2], "damaged"},
		{"jpeg magic only", []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, "damaged"},
		{"bomb", pngHeader(t, 50000, 50000), "50000 × 50000 pixels"},
		{"too many pixels", pngHeader(t, 6000, 5000), "24 megapixels"},
		{"too small", encodePNG(t, picture(100, 150)), "at least 200 × 300"},
	} {
		_, err := p.Process(context.Background(), c.data)
		if booking.ErrorCode(err) != booking.EINVALID {
			t.Errorf("%s: err %v, want EINVALID", c.name, err)
			continue
		}
		var de *booking.Error
		if fe := booking.InvalidFields(err); len(fe) == 1 {
			de = fe[0]
		}
		if de == nil || de.Field != booking.FieldPoster || !strings.Contains(de.Message, c.want) {
			t.Errorf("%s: %v, want a poster error containing %q", c.name, err, c.want)
		}
	}
}

func TestSniffIgnoresNames(t *testing.T) {
	if got := poster.Sniff(encodePNG(t, picture(2, 2))); got != "image/png" {
		t.Errorf("png sniffed as %q", got)
	}
	if got := poster.Sniff([]byte("hello")); got != "text/plain" {
		t.Errorf("text sniffed as %q", got)
	}
}

func TestCropRect(t *testing.T) {
	for _, c := range []struct {
		in   image.Rectangle
		want image.Rectangle
	}{
		{image.Rect(0, 0, 400, 600), image.Rect(0, 0, 400, 600)},     // already 2:3
		{image.Rect(0, 0, 900, 600), image.Rect(250, 0, 650, 600)},   // landscape: centre column
		{image.Rect(0, 0, 400, 1000), image.Rect(0, 200, 400, 800)},  // tall: centre band
		{image.Rect(10, 10, 410, 610), image.Rect(10, 10, 410, 610)}, // offset bounds
	} {
		if got := poster.CropRect(c.in, 2, 3); got != c.want {
			t.Errorf("CropRect(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
