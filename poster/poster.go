// Package poster turns an uploaded poster into the images the pages show:
// the file's type is sniffed from its bytes (never its name or the browser's
// word), its size and pixel dimensions are checked before the whole image is
// decoded (a small file can claim billions of pixels), and it is cropped to
// the poster shape and resized with golang.org/x/image/draw into JPEGs of the
// sizes the pages use. Refusals are booking.Error (EINVALID, field "poster")
// with a message for the manager. No I/O: bytes in, bytes out.
package poster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"marquee/booking"
)

// Size is one rendition of a poster: its name and pixel size. The pages
// draw posters at half these sizes (CSS pixels), so they are sharp on
// high-density screens.
type Size struct {
	Name          string
	Width, Height int
}

// Sizes are the renditions stored for every upload: the listing card
// (views: 96 × 144) and the movie page (220 × 330), at twice the size.
var Sizes = []Size{
	{Name: "card", Width: 192, Height: 288},
	{Name: "detail", Width: 440, Height: 660},
}

// Limits bound what an upload may be.
type Limits struct {
	MaxBytes            int // file size
	MaxWidth, MaxHeight int // pixels, checked from the header before decoding
	MaxPixels           int // width × height
	MinWidth, MinHeight int // smaller looks blurred on the movie page
	Concurrent          int // uploads decoded at once (each may take ~100 MB)
}

// DefaultLimits: 8 MB, at most 6000 pixels a side and 24 megapixels, at least 200 × 300.
var DefaultLimits = Limits{MaxBytes: 8 << 20, MaxWidth: 6000, MaxHeight: 6000, MaxPixels: 24_000_000,
	MinWidth: 200, MinHeight: 300, Concurrent: 2}

// Image is one rendition, ready to store and serve.
type Image struct {
	Size          string // Sizes[i].Name
	Width, Height int
	ContentType   string
	Data          []byte
	Digest        string // hex SHA-256 of Data: its URL and ETag
}

// Processor makes renditions, a bounded number at once.
type Processor struct {
	limits Limits
	slots  chan struct{}
}

// New returns a Processor with the limits (zero fields: DefaultLimits').
func New(l Limits) *Processor {
	d := DefaultLimits
	if l.MaxBytes == 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxWidth == 0 {
		l.MaxWidth = d.MaxWidth
	}
	if l.MaxHeight == 0 {
		l.MaxHeight = d.MaxHeight
	}
	if l.MaxPixels == 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MinWidth == 0 {
		l.MinWidth = d.MinWidth
	}
	if l.MinHeight == 0 {
		l.MinHeight = d.MinHeight
	}
	if l.Concurrent <= 0 {
		l.Concurrent = d.Concurrent
	}
	return &Processor{limits: l, slots: make(chan struct{}, l.Concurrent)}
}

// Limits returns the processor's limits.
func (p *Processor) Limits() Limits { return p.limits }

// Accepted names the accepted file types, for the form.
const Accepted = "JPEG, PNG or WebP"

// AcceptAttr is the file input's accept attribute (a hint; the bytes decide).
const AcceptAttr = "image/jpeg,image/png,image/webp"

func refuse(format string, args ...any) error {
	return booking.Invalid(booking.FieldPoster, format, args...)
}

// decoders of the accepted types, by sniffed content type.
var decoders = map[string]struct {
	config func([]byte) (image.Config, error)
	decode func([]byte) (image.Image, error)
}{
	"image/jpeg": {
		func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) },
	},
	"image/png": {
		func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) },
	},
	"image/webp": {
		func(b []byte) (image.Config, error) { return webp.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) },
	},
}

// Sniff returns the content type of data as judged from its first bytes
// (http.DetectContentType, the WHATWG algorithm), without parameters.
func Sniff(data []byte) string {
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct)
}

// kindOf names a refused content type for the message.
func kindOf(ct string) string {
	switch {
	case ct == "application/pdf":
		return "a PDF document"
	case ct == "image/gif":
		return "a GIF image"
	case ct == "image/bmp", ct == "image/x-icon", ct == "image/vnd.microsoft.icon":
		return "an image type we don't take"
	case ct == "text/xml", strings.Contains(ct, "svg"):
		return "an XML or SVG file"
	case strings.HasPrefix(ct, "text/"):
		return "a text file"
	case ct == "application/zip", ct == "application/x-gzip", ct == "application/x-rar-compressed":
		return "an archive"
	case strings.HasPrefix(ct, "video/"), strings.HasPrefix(ct, "audio/"):
		return "a video or sound file"
	default:
		return "not an image"
	}
}

// Process checks an uploaded file and makes its renditions (one per Sizes
// entry, same order). A refused file is an EINVALID error saying why; ctx
// bounds the wait for a free slot.
func (p *Processor) Process(ctx context.Context, data []byte) ([]Image, error) {
	l := p.limits
	if len(data) == 0 {
		return nil, refuse("Choose a poster file (%s) to upload.", Accepted)
	}
	if len(data) > l.MaxBytes {
		return nil, refuse("That file is %s; a poster may be at most %s.", megabytes(len(data)), megabytes(l.MaxBytes))
	}
	ct := Sniff(data)
	dec, ok := decoders[ct]
	if !ok {
		kind := kindOf(ct)
		if kind == "not an image" {
			return nil, refuse("That file is not an image. Upload a %s poster.", Accepted)
		}
		return nil, refuse("That file is %s, not a poster image. Upload a %s file.", kind, Accepted)
	}
	cfg, err := dec.config(data)
	if err != nil {
		return nil, refuse("That image is damaged or incomplete and can't be read. Export it again and upload the new file.")
	}
	if cfg.Width > l.MaxWidth || cfg.Height > l.MaxHeight || cfg.Width*cfg.Height > l.MaxPixels {
		return nil, refuse("That image is %d × %d pixels; a poster may be at most %d × %d (%d megapixels). Scale it down first.",
			cfg.Width, cfg.Height, l.MaxWidth, l.MaxHeight, l.MaxPixels/1_000_000)
	}
	if cfg.Width < l.MinWidth || cfg.Height < l.MinHeight {
		return nil, refuse("That image is only %d × %d pixels; a poster needs at least %d × %d to look sharp.",
			cfg.Width, cfg.Height, l.MinWidth, l.MinHeight)
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("poster: wait for a slot: %w", ctx.Err())
	}
	src, err := dec.decode(data)
	if err != nil {
		return nil, refuse("That image is damaged or incomplete and can't be read. Export it again and upload the new file.")
	}
	out := make([]Image, 0, len(Sizes))
	for _, s := range Sizes {
		img, err := render(src, s)
		if err != nil {
			return nil, fmt.Errorf("poster %s: %w", s.Name, err)
		}
		out = append(out, img)
	}
	return out, nil
}

// background fills transparent parts of a poster (the pages' poster placeholder colour).
var background = color.RGBA{R: 0x29, G: 0x25, B: 0x24, A: 0xff}

// render crops src to the size's shape around its centre and scales it into a JPEG.
func render(src image.Image, s Size) (Image, error) {
	crop := CropRect(src.Bounds(), s.Width, s.Height)
	dst := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(background), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		return Image{}, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return Image{Size: s.Name, Width: s.Width, Height: s.Height, ContentType: "image/jpeg",
		Data: buf.Bytes(), Digest: hex.EncodeToString(sum[:])}, nil
}

// CropRect is the largest rectangle of b's centre with the aspect ratio w:h.
func CropRect(b image.Rectangle, w, h int) image.Rectangle {
	bw, bh := b.Dx(), b.Dy()
	cw, ch := bw, bw*h/w
	if ch > bh {
		ch, cw = bh, bh*w/h
	}
	x0 := b.Min.X + (bw-cw)/2
	y0 := b.Min.Y + (bh-ch)/2
	return image.Rect(x0, y0, x0+cw, y0+ch)
}

func megabytes(n int) string {
	mb := float64(n) / (1 << 20)
	if mb == float64(int(mb)) {
		return fmt.Sprintf("%d MB", int(mb))
	}
	return fmt.Sprintf("%.1f MB", mb)
}
