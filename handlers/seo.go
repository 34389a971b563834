package handlers

import (
	"bytes"
	"encoding/xml"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/views"
)

// For search engines: robots.txt, the sitemap of movies and showtimes on
// sale, the favicon at the address browsers try by themselves.

// sitemapDays is how far ahead the sitemap lists showtimes.
const sitemapDays = 8

// robots is GET /robots.txt: everything public may be crawled; accounts,
// orders, staff areas and the booking partials may not.
func (h *Handler) robots(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.SendString("User-agent: *\n" +
		"Disallow: /account\n" +
		"Disallow: /orders/\n" +
		"Disallow: /boxoffice\n" +
		"Disallow: /manage\n" +
		"Disallow: /admin\n" +
		"Disallow: /demo/\n" +
		"Disallow: /dev/\n" +
		"Disallow: /showtimes/*/map\n" +
		"Disallow: /showtimes/*/events\n" +
		"Sitemap: " + h.cfg.BaseURL + "/sitemap.xml\n")
}

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc        string `xml:"loc"`
	ChangeFreq string `xml:"changefreq,omitempty"`
}

// sitemap is GET /sitemap.xml: what's on, the theatres, every movie with a
// showtime on sale in the next days and those showtimes. Cached like the
// catalogue (and compressed once per entry).
func (h *Handler) sitemap(c *fiber.Ctx) error {
	ctx := c.UserContext()
	body, err := h.catalog.sitemap.get(struct{}{}, time.Minute, func() (*encodedBody, error) {
		now := h.clock.Now()
		entries, err := h.db.Sitemap(ctx, now, now.AddDate(0, 0, sitemapDays))
		if err != nil {
			return nil, err
		}
		set := sitemapURLSet{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", URLs: []sitemapURL{
			{Loc: h.cfg.BaseURL + "/", ChangeFreq: "hourly"},
			{Loc: h.cfg.BaseURL + "/theatres", ChangeFreq: "monthly"},
		}}
		for _, e := range entries {
			if e.ShowtimeID != 0 {
				set.URLs = append(set.URLs, sitemapURL{Loc: h.cfg.BaseURL + views.ShowtimeURL(e.ShowtimeID), ChangeFreq: "hourly"})
			} else {
				set.URLs = append(set.URLs, sitemapURL{Loc: h.cfg.BaseURL + views.MovieURL(e.Slug), ChangeFreq: "daily"})
			}
		}
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		if err := xml.NewEncoder(&buf).Encode(set); err != nil {
			return nil, err
		}
		return newEncodedBody(buf.Bytes(), brotliCached, gzipCached), nil
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return body.send(c)
}

// favicon is GET /favicon.ico, which browsers and crawlers ask for without
// reading the page: the SVG icon, where pages link it.
func (h *Handler) favicon(c *fiber.Ctx) error {
	return c.Redirect(views.Asset("img/favicon.svg"), fiber.StatusMovedPermanently)
}
