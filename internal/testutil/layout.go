package testutil

import (
	"math/rand/v2"
	"time"

	"marquee/booking"
)

// GridSeats is n standard seats in rows of ten (A1…A10, B1…), ids from 100,
// laid out on a plain grid: the layout of tests that only need seats.
func GridSeats(n int) []booking.Seat {
	seats := make([]booking.Seat, 0, n)
	for i := range n {
		seats = append(seats, booking.Seat{ID: int64(100 + i), Row: string(rune('A' + i/10)), Number: i%10 + 1,
			X: i % 10, Y: i / 10, Kind: booking.SeatStandard})
	}
	return seats
}

// RandomClaims gives each seat at random no claim, a sale, a pending order's
// hold or a cart's hold (carts[1:]; carts[0] is the viewer without a cart),
// the holds running out within a minute either side of base: the mixes the
// seat-state tests check every viewer against.
func RandomClaims(rnd *rand.Rand, seats []booking.Seat, carts []string, base time.Time) []booking.Claim {
	var claims []booking.Claim
	for _, s := range seats {
		switch rnd.IntN(5) {
		case 0: // free
		case 1: // sold
			claims = append(claims, booking.Claim{SeatID: s.ID, OrderID: 7})
		case 2: // pending order's hold
			exp := base.Add(time.Duration(rnd.IntN(120)-60) * time.Second)
			claims = append(claims, booking.Claim{SeatID: s.ID, OrderID: 8, CartID: carts[1+rnd.IntN(len(carts)-1)], ExpiresAt: &exp})
		default: // a cart's hold, live or expired
			exp := base.Add(time.Duration(rnd.IntN(120)-60) * time.Second)
			claims = append(claims, booking.Claim{SeatID: s.ID, CartID: carts[1+rnd.IntN(len(carts)-1)], TicketType: "adult", ExpiresAt: &exp})
		}
	}
	return claims
}
