package booking

// TaxLine is one VAT rate's share of a tax-inclusive amount.
type TaxLine struct {
	RateBP     int64 // basis points, 2000 = 20 %
	GrossCents int64
	NetCents   int64
	TaxCents   int64
}

// TaxOf splits a tax-inclusive gross amount into net and tax at rateBP:
// tax = gross × rate / (1 + rate), rounded half away from zero to the cent,
// net = gross − tax, so net + tax is always exactly the gross.
func TaxOf(grossCents, rateBP int64) TaxLine {
	l := TaxLine{RateBP: rateBP, GrossCents: grossCents}
	if rateBP > 0 && grossCents != 0 {
		num := grossCents * rateBP
		den := 10000 + rateBP
		neg := num < 0
		if neg {
			num = -num
		}
		tax := (2*num + den) / (2 * den) // half up
		if neg {
			tax = -tax
		}
		l.TaxCents = tax
	}
	l.NetCents = grossCents - l.TaxCents
	return l
}

// RateText is a rate in basis points as a percentage, e.g. "20%" or "7.5%".
func RateText(bp int64) string {
	whole, frac := bp/100, bp%100
	s := itoa64(whole)
	if frac != 0 {
		f := itoa64(frac + 100)[1:]
		if f[1] == '0' {
			f = f[:1]
		}
		s += "." + f
	}
	return s + "%"
}

func itoa64(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Receipt is what a receipt lists for an order: the tickets as sold (grouped
// by ticket type and price), the booking fee, the tax and the total.
type Receipt struct {
	Number   int64
	Lines    []ReceiptLine
	FeeCents int64
	// TotalCents is what was charged: with sales tax added it includes the tax.
	TotalCents int64
	// TaxIncluded: the prices include the tax (VAT); else it was added on top.
	TaxIncluded bool
	Tax         []ReceiptTax
}

// ReceiptTax is one tax's share of an order, as recorded when it was made.
type ReceiptTax struct {
	Name       string // "VAT", "Sales tax"
	Rate       int64  // thousandths of a percent
	GrossCents int64  // net + tax
	NetCents   int64
	TaxCents   int64
}

// RateText is the rate as a percentage, e.g. "8.875%".
func (t ReceiptTax) RateText() string { return RateString(t.Rate) }

// ReceiptLine is quantity × unit price of one ticket type.
type ReceiptLine struct {
	Description string
	Quantity    int64
	UnitCents   int64
	TotalCents  int64
}

// BuildReceipt lists the order as paid (cancelled seats included: refunds are
// shown separately as refunds, the sale itself doesn't change), with the tax
// recorded on its lines when it was made — never today's rate.
func BuildReceipt(o Order, number int64) Receipt {
	r := Receipt{Number: number, FeeCents: o.FeeCents, TotalCents: o.TotalCents, TaxIncluded: o.TaxIncluded}
	idx := map[string]int{}
	for _, it := range o.Items {
		if it.Status == ItemReleased {
			continue
		}
		key := it.TicketType + "\x00" + itoa64(it.PriceCents)
		i, ok := idx[key]
		if !ok {
			i = len(r.Lines)
			idx[key] = i
			r.Lines = append(r.Lines, ReceiptLine{Description: "Ticket, " + it.TicketType, UnitCents: it.PriceCents})
		}
		r.Lines[i].Quantity++
		r.Lines[i].TotalCents += it.PriceCents
	}
	tax := o.TaxCents()
	if o.TaxRate > 0 || tax > 0 {
		t := ReceiptTax{Name: o.Tax().Name(), Rate: o.TaxRate, TaxCents: tax}
		if o.TaxIncluded {
			t.GrossCents, t.NetCents = o.TotalCents, o.TotalCents-tax
		} else {
			t.NetCents, t.GrossCents = o.TotalCents-tax, o.TotalCents
		}
		r.Tax = []ReceiptTax{t}
	}
	return r
}
