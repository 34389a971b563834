package booking

import (
	"bytes"
	"strings"
	"testing"
)

// Fuzz targets for what comes in from outside: scanned ticket codes, guest
// link tokens, amounts typed at the counter. `go test` runs their seed
// corpora; `make fuzz` runs each for a while.

var fuzzSigner = NewSigner(bytes.Repeat([]byte("f"), 32))

// FuzzVerifyTicket: whatever is scanned, VerifyTicket never panics and
// accepts only what the signer issued (a token it accepts is exactly the
// token of the ticket it returns).
func FuzzVerifyTicket(f *testing.F) {
	for _, seed := range []string{
		fuzzSigner.TicketToken(Ticket{OrderCode: "ABCD2345", Seat: "F12"}),
		fuzzSigner.TicketToken(Ticket{OrderCode: "ABCD2345", Seat: TicketAll}),
		"ABCD2345.F12.", "..", "ABCD2345.F12.AAAAAAAAAAAAAAAA", " ABCD2345.F12.x ", "a.b.c.d", "",
		"https://cinema.example/orders/ABCD2345", "\x00.\x00.\x00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		tk, err := fuzzSigner.VerifyTicket(token)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("VerifyTicket(%q): %v, want EINVALID", token, err)
			}
			return
		}
		if fuzzSigner.TicketToken(tk) != strings.TrimSpace(token) {
			t.Fatalf("VerifyTicket(%q) accepted a token the signer didn't issue: %+v", token, tk)
		}
	})
}

// FuzzCheckLink: a guest link token opens exactly its own order.
func FuzzCheckLink(f *testing.F) {
	f.Add("ABCD2345", fuzzSigner.LinkToken("ABCD2345"))
	f.Add("ABCD2345", fuzzSigner.LinkToken("ABCD2346"))
	f.Add("", "")
	f.Add("X", "not-a-token")
	f.Fuzz(func(t *testing.T, code, tok string) {
		if fuzzSigner.CheckLink(code, tok) != (tok != "" && tok == fuzzSigner.LinkToken(code)) {
			t.Fatalf("CheckLink(%q, %q) disagrees with the token", code, tok)
		}
	})
}

// FuzzParseCents: an amount typed at the counter is refused (EINVALID) or
// read as non-negative cents that print back as the same amount.
func FuzzParseCents(f *testing.F) {
	for _, seed := range []string{"20", "20.5", "20.50", "$20", " 0.05 ", ".5", "1.", "1.234", "-5", "9999999.99",
		"99999999", "1e3", "٣", "12,50", "$", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCents("amount", s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseCents(%q): %v", s, err)
			}
			return
		}
		if c < 0 || c > 999_999_999 {
			t.Fatalf("ParseCents(%q) = %d: out of range", s, c)
		}
		back, err := ParseCents("amount", Cents(c))
		if err != nil || back != c {
			t.Fatalf("ParseCents(%q) = %d, which prints as %q and reads back as %d (%v)", s, c, Cents(c), back, err)
		}
	})
}
