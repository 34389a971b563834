package booking

import "sort"

// PriceCard is the prices of one showtime: ticket type × seat kind, in cents.
type PriceCard struct {
	ID          int64
	Currency    string
	TicketTypes []TicketType // those with at least one price, in display order
	Prices      []Price
}

// SaleCurrency is the currency of what is sold on the card: its own, else "usd".
func (pc PriceCard) SaleCurrency() string {
	if pc.Currency == "" {
		return "usd"
	}
	return pc.Currency
}

// Price returns what a ticket of type tt costs on a seat of kind. Companion
// and wheelchair places without their own price cost what a standard seat does.
func (pc PriceCard) Price(tt, kind string) (int64, bool) {
	var std int64
	var hasStd bool
	for _, p := range pc.Prices {
		if p.TicketType != tt {
			continue
		}
		if p.SeatKind == kind {
			return p.AmountCents, true
		}
		if p.SeatKind == SeatStandard {
			std, hasStd = p.AmountCents, true
		}
	}
	if hasStd && (kind == SeatWheelchair || kind == SeatCompanion) {
		return std, true
	}
	return 0, false
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

// Zones returns the price range per seat kind present in kinds, in legend order.
func (pc PriceCard) Zones(kinds map[string]bool) []ZonePrice {
	var out []ZonePrice
	for _, k := range SeatKinds {
		if !kinds[k] {
			continue
		}
		z := ZonePrice{Kind: k, MinCents: -1}
		for _, t := range pc.TicketTypes {
			if p, ok := pc.Price(t.Code, k); ok {
				if z.MinCents < 0 || p < z.MinCents {
					z.MinCents = p
				}
				if p > z.MaxCents {
					z.MaxCents = p
				}
			}
		}
		if z.MinCents >= 0 {
			out = append(out, z)
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
	// TaxCents is the tax on the ticket and its booking fee (Tax.LineTax):
	// included in them (VAT) or added on top (sales tax).
	TaxCents int64
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
		p, ok := card.Price(l.TicketType, l.Seat.Kind)
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
		q.Lines[i].TaxCents = set.Tax.LineTax(q.Lines[i].PriceCents + set.BookingFeeCents)
		q.TaxCents += q.Lines[i].TaxCents
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
