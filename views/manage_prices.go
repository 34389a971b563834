package views

import (
	"fmt"
	"strings"
	"time"

	"marquee/booking"
)

// PricesPage is /manage/prices: the ticket types and the price cards the
// user may see.
type PricesPage struct {
	Query string
	// Admin may change ticket types and shared cards.
	Admin       bool
	TicketTypes []TicketTypeRow
	Cards       []PriceCardRow
	// NewType is the add-a-ticket-type form as sent back after an error.
	NewType TicketTypeForm
	// Errors are keyed "new.<field>" for the add form, "<code>.<field>" for a row.
	Errors FormErrors
	// Rows are the typed values of a refused row edit, by code.
	Rows map[string]TicketTypeForm
}

// TicketTypeRow is a ticket type with what uses it.
type TicketTypeRow struct {
	booking.TicketType
	Sold  bool
	Cards int
}

// InUse reports whether the type can only be retired, not deleted.
func (r TicketTypeRow) InUse() bool { return r.Sold || r.Cards > 0 }

// Retired reports whether the type is no longer sold.
func (r TicketTypeRow) Retired() bool { return r.RetiredAt != nil }

// TicketTypeForm is a ticket type's fields as typed.
type TicketTypeForm struct {
	Code, Name, Sort, MaxAge, ProofNote string
	Proof                               bool
}

// FormOf is the form showing a stored ticket type.
func FormOf(tt booking.TicketType) TicketTypeForm {
	f := TicketTypeForm{Code: tt.Code, Name: tt.Name, Sort: itoa(tt.Sort), ProofNote: tt.ProofNote, Proof: tt.ProofRequired}
	if tt.MaxAge != nil {
		f.MaxAge = itoa(*tt.MaxAge)
	}
	return f
}

// Search is the text the list filter matches.
func (r TicketTypeRow) Search() string { return strings.ToLower(r.Code + " " + r.Name) }

// PriceCardRow is a card in the list.
type PriceCardRow struct {
	ID                              int64
	Name, Theatre, Currency, Format string
	Prices, Upcoming                int
	Editable                        bool
}

// Search is the text the list filter matches.
func (r PriceCardRow) Search() string {
	return strings.ToLower(r.Name + " " + r.Theatre + " " + r.Format + " " + r.Currency)
}

// PriceCardPage is one card's editor (or a new card's).
type PriceCardPage struct {
	New      bool
	ID       int64
	Editable bool
	Name     string
	Currency string
	Format   string
	// Theatre is the card's theatre name ("" shared); TheatreID the choice
	// of a new card ("" shared), Theatres the ones it may be for.
	Theatre     string
	TheatreID   string
	Theatres    []booking.Theatre
	SharedOK    bool // the user may make shared cards
	MatineeEnds string
	Weekend     map[time.Weekday]bool
	TicketTypes []booking.TicketType
	Classes     []PriceClass
	// Cells are the typed prices by CellName.
	Cells    map[string]string
	NewZone  string
	Upcoming int
	Errors   FormErrors
}

// PriceClass is a column of the grid: a seat kind or a zone.
type PriceClass struct {
	Key   string // "k:standard", "z:front", "new" (the column for a zone to add)
	Label string
}

// CellName is the form field of a price: day-part, ticket type, class.
func CellName(dayPart, ticketType, class string) string {
	if dayPart == "" {
		dayPart = "all"
	}
	return "p|" + dayPart + "|" + ticketType + "|" + class
}

// Cell is the typed value of a price field.
func (p PriceCardPage) Cell(dayPart, ticketType, class string) string {
	return p.Cells[CellName(dayPart, ticketType, class)]
}

// Weekdays are the days in the weekend picker's order.
var Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// PriceInput writes cents as the editor shows them: "12.50".
func PriceInput(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// ClockInput writes a time of day as "17:00".
func ClockInput(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// SeatKindLabel names a seat kind in the price grid.
func SeatKindLabel(kind string) string {
	switch kind {
	case booking.SeatPremium:
		return "Premium"
	case booking.SeatWheelchair:
		return "Wheelchair space"
	case booking.SeatCompanion:
		return "Companion seat"
	default:
		return "Standard"
	}
}

func dayPartKey(dp string) string {
	if dp == "" {
		return "all"
	}
	return dp
}

func dayPartHint(dp string) string {
	switch dp {
	case booking.DayAll:
		return "Used whenever a day-part below has no price of its own."
	case booking.DayWeekend:
		return "Shows on the weekend days, all day."
	case booking.DayMatinee:
		return "Weekday shows starting before the matinee end."
	default:
		return "Weekday shows from the matinee end on."
	}
}

// ProofLine is how the customer, the ticket and the door are told about a
// ticket type's proof: "Child (under 12): bring proof of age".
func ProofLine(tt booking.TicketType) string {
	if !tt.ProofRequired {
		return ""
	}
	note := tt.ProofNote
	if note == "" {
		note = "proof"
	}
	return tt.Name + ": bring " + note + " — it is checked at the door."
}

// ProofNotes tell the customer which of their tickets need a proof at the
// door ("Child (under 12): bring proof of age — it is checked at the door."),
// once per ticket type.
func (s SummaryView) ProofNotes() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range s.Quote.Lines {
		if seen[l.TicketType] {
			continue
		}
		seen[l.TicketType] = true
		for _, t := range s.TicketTypes {
			if t.Code == l.TicketType && t.ProofRequired {
				out = append(out, ProofLine(t))
			}
		}
	}
	return out
}
