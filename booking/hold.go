package booking

import "time"

// HoldRequest is a cart asking for seats of one showtime.
type HoldRequest struct {
	SeatIDs    []int64
	TicketType string
}

// CheckHold validates a hold request against the layout and the rules, before
// the database is asked: the seats exist in this auditorium, sales are open,
// and the cart stays within the maximum. held is how many live seats the cart
// already holds for this showtime. It returns the hold's end.
//
// The database decides whether the seats are free; this never grants a seat.
func CheckHold(st Showtime, l *Layout, seatIDs []int64, held int, now time.Time, set Settings) (time.Time, error) {
	set = set.WithDefaults()
	until, err := HoldUntil(st, now, set)
	if err != nil {
		return time.Time{}, err
	}
	if len(seatIDs) == 0 {
		return time.Time{}, Invalid("seat", "Choose a seat.")
	}
	seen := map[int64]bool{}
	for _, id := range seatIDs {
		seat, ok := l.Seat(id)
		if !ok {
			return time.Time{}, Invalid("seat", "That seat isn't in this auditorium.")
		}
		if !Sellable(seat.Kind) {
			return time.Time{}, ErrSeatNotForSale(seat)
		}
		if seen[id] {
			return time.Time{}, Invalid("seat", "A seat was chosen twice.")
		}
		seen[id] = true
	}
	if held+len(seatIDs) > set.MaxSeatsPerCart {
		return time.Time{}, MaxSeatsError(set.MaxSeatsPerCart)
	}
	return until, nil
}

// ErrSeatNotForSale refuses a blocked (house) seat.
func ErrSeatNotForSale(s Seat) *Error {
	return Invalid("seat", "Seat %s isn't for sale.", s.Label())
}

// MaxSeatsError is the EINVALID error for a cart over the seat limit.
func MaxSeatsError(max int) *Error {
	return Invalid("seat", "You can hold at most %d seats at a time.", max)
}

// ErrSeatTaken is the ECONFLICT error for a seat someone else holds or bought.
func ErrSeatTaken() *Error {
	return Errorf(ECONFLICT, "Sorry, that seat was just taken. Please pick another one.")
}

// CheckQuantity validates a "best N seats" quantity.
func CheckQuantity(n int, set Settings) error {
	set = set.WithDefaults()
	if n < 1 || n > set.MaxSeatsPerCart {
		return Invalid("quantity", "Choose between 1 and %d seats.", set.MaxSeatsPerCart)
	}
	return nil
}
