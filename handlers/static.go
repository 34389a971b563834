package handlers

import (
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"

	"marquee/static"
)

// Static files (embedded in the binary). Pages link to their fingerprinted
// names (views.Asset: /static/js/seatmap.3f2a9c1e.js), which are cached by
// browsers for a year; a plain name, or a fingerprint of an older build (a
// page cached before a deploy), still gets the file, cached briefly.

const (
	immutableCache = "public, max-age=31536000, immutable"
	shortCache     = "public, max-age=300"
)

// assetFiles is every static file with its compressed forms (made once, on
// first request).
type assetFiles struct {
	manifest *static.Manifest
	bodies   map[string]*encodedBody // by plain name
}

func newAssetFiles(m *static.Manifest, names []string) *assetFiles {
	a := &assetFiles{manifest: m, bodies: make(map[string]*encodedBody, len(names))}
	for _, n := range names {
		f, _ := m.Lookup(n)
		a.bodies[n] = newEncodedBody(f.Data, brotliStatic, gzipStatic)
	}
	return a
}

// staticFile is GET /static/*.
func (h *Handler) staticFile(c *fiber.Ctx) error {
	f, current, ok := h.assets.manifest.Resolve(c.Params("*"))
	if !ok {
		return fiber.ErrNotFound
	}
	etag := `"` + f.Hash + `"`
	if current {
		c.Set(fiber.HeaderCacheControl, immutableCache)
	} else {
		c.Set(fiber.HeaderCacheControl, shortCache)
	}
	c.Set(fiber.HeaderETag, etag)
	if string(c.Request().Header.Peek(fiber.HeaderIfNoneMatch)) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	ct := mime.TypeByExtension(path.Ext(f.Name))
	if ct == "" {
		ct = fiber.MIMEOctetStream
	}
	c.Set(fiber.HeaderContentType, ct)
	body := h.assets.bodies[f.Name]
	if !compressibleType([]byte(ct)) {
		return c.Send(body.Raw())
	}
	return body.send(c)
}
