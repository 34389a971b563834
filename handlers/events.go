package handlers

import (
	"bufio"
	"time"

	"github.com/gofiber/fiber/v2"
)

const (
	sseHeartbeat    = 15 * time.Second // keeps idle connections (and proxies) from timing out
	seatEventsMaxHz = 4                // at most this many "changed" events per second per client
)

// showtimeEvents streams "the seats changed" to a showtime page:
// GET /showtimes/:id/events (Server-Sent Events). The events are fed by
// PostgreSQL LISTEN/NOTIFY through the sales service's subscriptions, so a
// change made on any instance reaches every viewer. Events carry no data
// beyond the showtime id: the page fetches the map partial. Bursts are
// coalesced to seatEventsMaxHz.
func (h *Handler) showtimeEvents(c *fiber.Ctx) error {
	id, err := showtimeID(c)
	if err != nil {
		return err
	}
	changes, stop, err := h.sales.Subscribe(c.UserContext(), id)
	if err != nil {
		return err // unknown showtime: 404 before the stream starts
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderConnection, "keep-alive")
	c.Set("X-Accel-Buffering", "no")

	done := h.sales.Done()
	conn := c.Context().Conn()
	payload := []byte("event: seats\ndata: " + itoa64(id) + "\n\n")
	minGap := time.Second / seatEventsMaxHz
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer stop()
		// Each write pushes the server's write deadline forward: the stream
		// lives as long as the client, not as long as one response may take.
		send := func(b []byte) bool {
			if conn != nil {
				conn.SetWriteDeadline(time.Now().Add(2 * sseHeartbeat))
			}
			if _, err := w.Write(b); err != nil {
				return false
			}
			return w.Flush() == nil
		}
		if !send([]byte("retry: 3000\n: connected\n\n")) {
			return
		}
		beat := time.NewTicker(sseHeartbeat)
		defer beat.Stop()
		var last time.Time
		var pending <-chan time.Time
		for {
			select {
			case <-done:
				return
			case <-changes:
				if pending != nil {
					continue // already scheduled
				}
				if wait := minGap - time.Since(last); wait > 0 {
					pending = time.After(wait)
					continue
				}
				if !send(payload) {
					return
				}
				last = time.Now()
			case <-pending:
				pending = nil
				if !send(payload) {
					return
				}
				last = time.Now()
			case <-beat.C:
				if !send([]byte(": ping\n\n")) {
					return
				}
			}
		}
	})
	return nil
}
