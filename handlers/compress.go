package handlers

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Compression. Responses of text types (HTML, CSS, JS, JSON, SVG, XML, plain
// text, calendars) go out brotli- or gzip-compressed when the browser asks.
// What is cached — whole catalogue pages, API bodies, static files — is
// compressed once per cache entry and encoding (encodedBody) and sent as is;
// everything else is compressed per request by the compress middleware. The
// event stream (SSE) never is: a compressor would hold its events back.

// Compression levels: per request a cheap level; once per cache entry a
// better one; static files, compressed once per process, the best.
const (
	brotliPerRequest = 4
	gzipPerRequest   = 6
	brotliCached     = 6
	gzipCached       = 9
	brotliStatic     = 11
	gzipStatic       = 9
	// minCompress: smaller bodies are sent as they are (the headers cost more).
	minCompress = 256
)

// encoding is a content coding this server produces.
type encoding int

const (
	identity encoding = iota
	brotli
	gzipped
)

// acceptedEncoding picks the coding for a request's Accept-Encoding: brotli
// when accepted, else gzip, else none. A coding with q=0 is refused.
func acceptedEncoding(c *fiber.Ctx) encoding {
	ae := c.Request().Header.Peek(fiber.HeaderAcceptEncoding)
	if len(ae) == 0 {
		return identity
	}
	br, gz := false, false
	for _, part := range bytes.Split(ae, []byte{','}) {
		name, params, _ := bytes.Cut(part, []byte{';'})
		name = bytes.TrimSpace(name)
		if q, ok := bytes.CutPrefix(bytes.TrimSpace(params), []byte("q=")); ok {
			if v, err := strconv.ParseFloat(string(bytes.TrimSpace(q)), 64); err == nil && v == 0 {
				continue
			}
		}
		switch {
		case bytes.EqualFold(name, []byte("br")):
			br = true
		case bytes.EqualFold(name, []byte("gzip")), bytes.EqualFold(name, []byte("x-gzip")):
			gz = true
		}
	}
	switch {
	case br:
		return brotli
	case gz:
		return gzipped
	}
	return identity
}

// compressibleType reports whether a Content-Type is text worth compressing.
func compressibleType(ct []byte) bool {
	t, _, _ := bytes.Cut(ct, []byte{';'})
	switch s := string(bytes.TrimSpace(t)); {
	case strings.HasPrefix(s, "text/"):
		return s != "text/event-stream"
	case s == "application/json", s == "application/problem+json", s == "application/ld+json",
		s == "application/javascript", s == "application/xml", s == "image/svg+xml",
		s == "application/manifest+json":
		return true
	}
	return false
}

// compress is the middleware compressing what a handler did not send
// compressed already. It leaves alone the event stream (a body stream, and
// its path), bodies already encoded, small ones, and types that are not text.
func (h *Handler) compress(c *fiber.Ctx) error {
	if strings.HasSuffix(c.Path(), "/events") {
		return c.Next() // SSE (DESIGN §10): never buffered behind a compressor
	}
	if err := c.Next(); err != nil {
		// Error pages are pages too: the one error handler renders them
		// here (it logs and maps the error as always), then they are compressed.
		if herr := h.handleError(c, err); herr != nil {
			return herr
		}
		c.Locals(localErrorLogged, true) // handleError logged it: accessLog doesn't again
	}
	resp := c.Response()
	if resp.IsBodyStream() || len(resp.Header.ContentEncoding()) > 0 || !compressibleType(resp.Header.ContentType()) {
		return nil
	}
	resp.Header.Add(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	body := resp.Body()
	if len(body) < minCompress || c.Method() == fiber.MethodHead {
		return nil
	}
	switch acceptedEncoding(c) {
	case brotli:
		resp.SetBodyRaw(fasthttp.AppendBrotliBytesLevel(nil, body, brotliPerRequest))
		resp.Header.Set(fiber.HeaderContentEncoding, "br")
	case gzipped:
		resp.SetBodyRaw(fasthttp.AppendGzipBytesLevel(nil, body, gzipPerRequest))
		resp.Header.Set(fiber.HeaderContentEncoding, "gzip")
	}
	return nil
}

// encodedBody is a response body that is sent many times (a cache entry, a
// static file) with its compressed forms, each made once, when first asked
// for. It must not be modified once made.
type encodedBody struct {
	raw            []byte
	brLevel, gzLvl int
	brOnce, gzOnce sync.Once
	br, gz         []byte
}

func newEncodedBody(raw []byte, brotliLevel, gzipLevel int) *encodedBody {
	return &encodedBody{raw: raw, brLevel: brotliLevel, gzLvl: gzipLevel}
}

// Raw is the uncompressed body.
func (e *encodedBody) Raw() []byte { return e.raw }

// forEncoding returns the body in the coding and the Content-Encoding to send
// ("" for the raw body).
func (e *encodedBody) forEncoding(enc encoding) ([]byte, string) {
	if len(e.raw) < minCompress {
		return e.raw, ""
	}
	switch enc {
	case brotli:
		e.brOnce.Do(func() { e.br = fasthttp.AppendBrotliBytesLevel(nil, e.raw, e.brLevel) })
		return e.br, "br"
	case gzipped:
		e.gzOnce.Do(func() { e.gz = fasthttp.AppendGzipBytesLevel(nil, e.raw, e.gzLvl) })
		return e.gz, "gzip"
	}
	return e.raw, ""
}

// send writes the body in the coding the request accepts. The Content-Type
// must be set before.
func (e *encodedBody) send(c *fiber.Ctx) error {
	c.Append(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	if c.Method() == fiber.MethodHead {
		return c.Send(e.raw)
	}
	b, ce := e.forEncoding(acceptedEncoding(c))
	if ce != "" {
		c.Set(fiber.HeaderContentEncoding, ce)
	}
	return c.Send(b)
}
