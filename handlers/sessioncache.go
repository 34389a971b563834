package handlers

import (
	"net/http"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/sessions"
)

// sessionDecodeCache remembers what recently seen session cookies decode to.
// Decoding a gorilla cookie (HMAC check, AES, gob) costs more than the rest
// of a seat click; a browser sends the same cookie on every request until the
// session changes. The key is the whole cookie value, so a hit is a cookie
// that was verified before, byte for byte; the values are copied out, and the
// session's own timeouts are enforced after decoding as before.
type sessionDecodeCache struct {
	mu      sync.Mutex
	entries map[string]map[any]any
}

const sessionCacheMax = 20000

func newSessionDecodeCache() *sessionDecodeCache {
	return &sessionDecodeCache{entries: map[string]map[any]any{}}
}

// decodeSession returns the request's session as gorilla's store would
// decode it (error for a missing, tampered or retired-key cookie).
func (h *Handler) decodeSession(c *fiber.Ctx, r *http.Request) (*sessions.Session, error) {
	raw := c.Cookies(sessionCookie)
	if raw != "" && len(raw) < 4096 {
		h.sessCache.mu.Lock()
		vals, ok := h.sessCache.entries[raw]
		h.sessCache.mu.Unlock()
		if ok {
			gs := sessions.NewSession(h.cookies, sessionCookie)
			for k, v := range vals {
				gs.Values[k] = v
			}
			return gs, nil // IsNew stays false: it came from a cookie
		}
	}
	gs, err := h.cookies.New(r, sessionCookie)
	if err != nil || gs == nil || gs.IsNew || raw == "" || len(raw) >= 4096 {
		return gs, err
	}
	vals := make(map[any]any, len(gs.Values))
	for k, v := range gs.Values {
		vals[k] = v
	}
	key := strings.Clone(raw) // Fiber reuses request memory
	h.sessCache.mu.Lock()
	if len(h.sessCache.entries) >= sessionCacheMax {
		clear(h.sessCache.entries)
	}
	h.sessCache.entries[key] = vals
	h.sessCache.mu.Unlock()
	return gs, nil
}
