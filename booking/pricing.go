package booking

import "sort"

// PriceCard is a price list: ticket type × seat kind or zone × day-part, in
// cents. A showtime sells by its card resolved for it (ForShowtime): the
// day-part of its start, the ticket types its film's rating allows.
type PriceCard struct {
	ID          int64
	Name        string
	Currency    string
	TheatreID   *int64 // the theatre whose card it is; nil: shared by every theatre
	Format      string // the format it is meant for ("IMAX"), "" any
	DayParts    DayPartRules
	TicketTypes []TicketType // those with at least one price, in display order
	Prices      []Price
	// DayPart is the day-part the card is resolved for (ForShowtime); ""
	// prices by the all-day prices alone.
	DayPart string
	// Barred are ticket types with prices that this showtime doesn't sell
	// (its film's rating, a retired type), with the reason.
	Barred []BarredType
}

// SaleCurrency is the currency of what is sold on the card: its own, else "usd".
func (pc PriceCard) SaleCurrency() string {
	if pc.Currency == "" {
		return "usd"
	}
	return pc.Currency
}

// Price returns what a ticket of type tt costs on seat: the price of the
// seat's zone if the card has one, else of its kind; companion and
// wheelchair places without their own price cost what a standard seat does.
// Each of those is the card's day-part price, else its all-day price.
func (pc PriceCard) Price(tt string, seat Seat) (int64, bool) {
	if seat.Zone != "" {
		if a, ok := pc.lookup(tt, "", seat.Zone); ok {
			return a, true
		}
	}
	if a, ok := pc.lookup(tt, seat.Kind, ""); ok {
		return a, true
	}
	if seat.Kind == SeatWheelchair || seat.Kind == SeatCompanion {
		return pc.lookup(tt, SeatStandard, "")
	}
	return 0, false
}

// lookup is the price of one cell: the card's day-part first, then all day.
func (pc PriceCard) lookup(tt, kind, zone string) (int64, bool) {
	var all int64
	var hasAll bool
	for _, p := range pc.Prices {
		if p.TicketType != tt || p.SeatKind != kind || p.Zone != zone {
			continue
		}
		if p.DayPart == pc.DayPart {
			return p.AmountCents, true
		}
		if p.DayPart == DayAll {
			all, hasAll = p.AmountCents, true
		}
	}
	return all, hasAll
}

// HasTicketType reports whether tt is sold with this card.
func (pc PriceCard) HasTicketType(tt string) bool {
	for _, t := range pc.TicketTypes {
		if t.Code == tt {
			return true
		}
	}
	return false
}

// TicketType returns the card's ticket type with the code.
func (pc PriceCard) TicketType(code string) (TicketType, bool) {
	for _, t := range pc.TicketTypes {
		if t.Code == code {
			return t, true
		}
	}
	return TicketType{}, false
}

// CheckTicketType returns nil when tt is sold with this card, else an
// EINVALID error saying why not (the film's rating, a retired type, or no
// such type on the card).
func (pc PriceCard) CheckTicketType(tt string) error {
	if pc.HasTicketType(tt) {
		return nil
	}
	for _, b := range pc.Barred {
		if b.Code == tt {
			return Invalid("ticketType", "%s", b.Reason)
		}
	}
	return Invalid("ticketType", "%q is not a ticket type of this showtime.", tt)
}

// DefaultTicketType is the first ticket type of the card (usually "adult").
func (pc PriceCard) DefaultTicketType() string {
	if len(pc.TicketTypes) == 0 {
		return "adult"
	}
	return pc.TicketTypes[0].Code
}

// ZonePrice is the price range of one seat kind, for the legend.
type ZonePrice struct {
	Kind     string
	MinCents int64
	MaxCents int64
}

// Zones returns the price range per seat kind of seats (every ticket type,
// each seat priced by its zone or kind), in legend order.
func (pc PriceCard) Zones(seats []Seat) []ZonePrice {
	ranges := map[string]*ZonePrice{}
	seen := map[[2]string]bool{} // kind, zone: seats priced alike
	for _, s := range seats {
		key := [2]string{s.Kind, s.Zone}
		if seen[key] {
			continue
		}
		seen[key] = true
		for _, t := range pc.TicketTypes {
			p, ok := pc.Price(t.Code, s)
			if !ok {
				continue
			}
			z := ranges[s.Kind]
			if z == nil {
				z = &ZonePrice{Kind: s.Kind, MinCents: p, MaxCents: p}
				ranges[s.Kind] = z
			}
			z.MinCents, z.MaxCents = min(z.MinCents, p), max(z.MaxCents, p)
		}
	}
	var out []ZonePrice
	for _, k := range SeatKinds {
		if z := ranges[k]; z != nil {
			out = append(out, *z)
		}
	}
	return out
}

// Line is one seat of a cart or an order with its ticket type.
type Line struct {
	Seat       Seat
	TicketType string
}

// QuoteLine is a priced line.
type QuoteLine struct {
	Line
	PriceCents int64
	// TaxCents is the tax on the ticket, FeeTaxCents on its booking fee:
	// included in them (VAT) or added on top (sales tax). Their sum is
	// Tax.LineTax of ticket and fee together, so a line's total tax is rounded
	// once; kept apart because the box office's figures (net of tax, film hire)
	// are the tickets' and the fees are the cinema's own.
	TaxCents    int64
	FeeTaxCents int64
}

// Quote is the price of a set of lines: each ticket from the price card, plus
// the booking fee per ticket. All amounts are integer cents.
type Quote struct {
	Lines         []QuoteLine
	Currency      string
	SubtotalCents int64
	FeeCents      int64
	// TaxCents is the sum of the lines' tax; TaxIncluded says whether the
	// prices include it (VAT) or it is added to the total (sales tax).
	TaxCents    int64
	TaxIncluded bool
	TaxRate     int64 // thousandths of a percent (RateScale)
	TotalCents  int64 // tickets + fees (+ sales tax added): what is charged
}

// PriceLines prices lines with card and the booking fee of set. Lines come
// back ordered by row and seat. EINVALID when a ticket type isn't sold for a seat.
func PriceLines(card PriceCard, lines []Line, set Settings) (Quote, error) {
	set = set.WithDefaults()
	q := Quote{Currency: card.SaleCurrency(), Lines: make([]QuoteLine, 0, len(lines)),
		TaxIncluded: set.Tax.Included(), TaxRate: set.Tax.Rate}
	if set.Currency != "" {
		q.Currency = set.Currency
	}
	for _, l := range lines {
		if err := card.CheckTicketType(l.TicketType); err != nil {
			return Quote{}, err
		}
		p, ok := card.Price(l.TicketType, l.Seat)
		if !ok {
			return Quote{}, Invalid("ticketType", "%s tickets aren't sold for seat %s.", ticketName(card, l.TicketType), l.Seat.Label())
		}
		q.Lines = append(q.Lines, QuoteLine{Line: l, PriceCents: p})
		q.SubtotalCents += p
	}
	sort.Slice(q.Lines, func(i, j int) bool {
		a, b := q.Lines[i].Seat, q.Lines[j].Seat
		if a.Y != b.Y {
			return a.Y < b.Y
		}
		return a.X < b.X
	})
	q.FeeCents = set.BookingFeeCents * int64(len(lines))
	for i := range q.Lines {
		l := &q.Lines[i]
		l.TaxCents = set.Tax.LineTax(l.PriceCents)
		l.FeeTaxCents = set.Tax.LineTax(l.PriceCents+set.BookingFeeCents) - l.TaxCents
		q.TaxCents += l.TaxCents + l.FeeTaxCents
	}
	q.TotalCents = q.SubtotalCents + q.FeeCents
	if !q.TaxIncluded {
		q.TotalCents += q.TaxCents
	}
	return q, nil
}

func ticketName(card PriceCard, code string) string {
	for _, t := range card.TicketTypes {
		if t.Code == code {
			return t.Name
		}
	}
	if code == "" {
		return "These"
	}
	return code
}
