package booking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Signer signs what Marquee hands out about an order: the guest link token
// (/orders/{code}?t=…) and ticket tokens (the QR codes). HMAC-SHA256 with a
// server secret; each use has its own domain prefix, so a link token is never
// a valid ticket and vice versa. The box office verifies tickets offline with
// the same secret.
type Signer struct{ key []byte }

// NewSigner returns a signer with a secret of at least 32 bytes.
func NewSigner(secret []byte) *Signer {
	if len(secret) < 32 {
		panic("booking: signer secret shorter than 32 bytes")
	}
	return &Signer{key: append([]byte(nil), secret...)}
}

func (s *Signer) mac(domain, msg string, n int) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:n])
}

// LinkToken is the token that lets a guest open their order.
func (s *Signer) LinkToken(code string) string { return s.mac("marquee-order-link-v1", code, 18) }

// CheckLink reports whether tok is code's link token (constant time).
func (s *Signer) CheckLink(code, tok string) bool {
	return tok != "" && hmac.Equal([]byte(s.LinkToken(code)), []byte(tok))
}

// TicketAll is the seat part of a ticket that admits every seat of an order.
const TicketAll = "ALL"

// Ticket is what a ticket token says: an order and a seat (or TicketAll).
type Ticket struct {
	OrderCode string
	Seat      string // seat label, e.g. "F12", or TicketAll
}

// TicketToken returns "CODE.SEAT.SIG": readable, short enough for a small QR
// code, and verifiable offline.
func (s *Signer) TicketToken(t Ticket) string {
	msg := t.OrderCode + "." + t.Seat
	return msg + "." + s.mac("marquee-ticket-v1", msg, 12)
}

// VerifyTicket checks a scanned token and returns what it admits. A token
// whose parts were changed, or signed with another secret, is EINVALID.
func (s *Signer) VerifyTicket(token string) (Ticket, error) {
	bad := Invalid("ticket", "This is not a valid Marquee ticket.")
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return Ticket{}, bad
	}
	msg := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(s.mac("marquee-ticket-v1", msg, 12)), []byte(parts[2])) {
		return Ticket{}, bad
	}
	return Ticket{OrderCode: parts[0], Seat: parts[1]}, nil
}
