package testutil

import "marquee/booking"

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
