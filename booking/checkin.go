package booking

import "time"

// Check-in at the door: what a scanned ticket's answer is. The database
// admits a seat once (a conditional UPDATE); these rules say why a ticket
// that wasn't admitted by this scan is refused.

// Admission verdicts.
const (
	AdmitValid         = "valid"
	AdmitAlready       = "already_admitted"
	AdmitOtherShowtime = "other_showtime"
	AdmitCancelled     = "cancelled" // refunded or cancelled
	AdmitUnpaid        = "unpaid"
	AdmitUnknown       = "unknown" // a well-signed ticket whose order or seat isn't there
	AdmitForged        = "forged"  // not a Marquee ticket, or its signature is wrong
	AdmitNotNow        = "not_now" // the show has ended (or is another day's, past)
	AdmitNotYet        = "not_yet" // the show isn't open for entry yet
	AdmitOtherTheatre  = "other_theatre"
)

// Door is where a ticket is scanned: a theatre's door (0: any theatre,
// administrators' tests) set to one showtime (0: any showtime of the day).
type Door struct {
	TheatreID  int64
	ShowtimeID int64
}

// EntryOpensBefore is how long before its start a show lets people in at a
// door that takes any showtime; entry closes when the show ends.
const EntryOpensBefore = 2 * time.Hour

// EntryOpen reports whether a show starting at startsAt and ending at endsAt
// is open for entry at now.
func EntryOpen(startsAt, endsAt, now time.Time) bool {
	return !now.Before(startsAt.Add(-EntryOpensBefore)) && now.Before(endsAt)
}

// AdmitSeat is one seat of a scanned ticket as the door sees it.
type AdmitSeat struct {
	SeatID     int64  `db:"seat_id"`
	Label      string `db:"label"`
	TicketType string `db:"ticket_type"`
	TicketName string `db:"ticket_name"`
	// ProofRequired: the door checks a proof for this ticket type; ProofNote says which.
	ProofRequired bool       `db:"proof_required"`
	ProofNote     string     `db:"proof_note"`
	Status        string     `db:"status"` // the item's status
	CheckedInAt   *time.Time `db:"checked_in_at"`
	CheckedInBy   string     `db:"checked_in_by"` // staff name or e-mail
}

// Admission is the door's answer to one scan.
type Admission struct {
	Verdict     string
	Message     string
	Token       string // the scanned token (for undo)
	OrderCode   string
	OrderStatus string
	ShowtimeID  int64
	TheatreID   int64
	TheatreName string
	Title       string
	StartsAt    time.Time
	EndsAt      time.Time
	// Admitted are the seats this scan admitted (valid), Seats every seat
	// the ticket names.
	Admitted []AdmitSeat
	Seats    []AdmitSeat
}

// Valid reports whether the scan admitted someone.
func (a Admission) Valid() bool { return a.Verdict == AdmitValid }

// Child reports whether a seat admitted by this scan is a child's ticket.
func (a Admission) Child() bool {
	for _, s := range a.Admitted {
		if s.TicketType == "child" {
			return true
		}
	}
	return false
}

// CheckProof reports whether a seat admitted by this scan needs its proof
// checked (a child ticket's proof of age, a student card).
func (a Admission) CheckProof() bool {
	for _, s := range a.Admitted {
		if s.ProofRequired {
			return true
		}
	}
	return false
}

// Judge explains a scan that admitted no seat, or confirms one that did:
// order status, the door (its theatre and showtime), the ticket's seats as
// read after the scan, and the ids this scan admitted.
func Judge(a Admission, door Door, admitted map[int64]bool, now time.Time) Admission {
	for _, s := range a.Seats {
		if admitted[s.SeatID] {
			a.Admitted = append(a.Admitted, s)
		}
	}
	switch {
	case len(a.Admitted) > 0:
		a.Verdict, a.Message = AdmitValid, "Valid ticket."
	case a.OrderCode == "" || len(a.Seats) == 0:
		a.Verdict, a.Message = AdmitUnknown, "This ticket's order or seat doesn't exist."
	case door.TheatreID != 0 && a.TheatreID != door.TheatreID:
		a.Verdict, a.Message = AdmitOtherTheatre, "This ticket is for another theatre: "+a.TheatreName+"."
	case door.ShowtimeID != 0 && a.ShowtimeID != door.ShowtimeID:
		a.Verdict, a.Message = AdmitOtherShowtime, "This ticket is for another showtime."
	case now.Before(a.StartsAt.Add(-EntryOpensBefore)):
		a.Verdict, a.Message = AdmitNotYet, "Not yet open for entry: doors open two hours before the start."
	case !now.Before(a.EndsAt):
		a.Verdict, a.Message = AdmitNotNow, "This ticket's show has ended."
	case a.OrderStatus == OrderCancelled || a.OrderStatus == OrderRefunded || allStatus(a.Seats, ItemCancelled):
		a.Verdict, a.Message = AdmitCancelled, "This ticket was cancelled and refunded."
	case a.OrderStatus != OrderPaid && a.OrderStatus != OrderPartiallyRefunded:
		a.Verdict, a.Message = AdmitUnpaid, "This order isn't paid."
	default:
		a.Verdict, a.Message = AdmitAlready, "Already admitted."
	}
	return a
}

// DoorsOpen is when a show starting at startsAt opens for entry.
func DoorsOpen(startsAt time.Time) time.Time { return startsAt.Add(-EntryOpensBefore) }

func allStatus(seats []AdmitSeat, status string) bool {
	for _, s := range seats {
		if s.Status != status {
			return false
		}
	}
	return len(seats) > 0
}
