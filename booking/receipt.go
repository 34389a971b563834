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
// by ticket type and price), the booking fee, the total, and the VAT in it.
type Receipt struct {
	Number     int64
	Lines      []ReceiptLine
	FeeCents   int64
	TotalCents int64
	Tax        []TaxLine
}

// ReceiptLine is quantity × unit price of one ticket type.
type ReceiptLine struct {
	Description string
	Quantity    int64
	UnitCents   int64
	TotalCents  int64
}

// BuildReceipt lists the order as paid (cancelled seats included: refunds are
// shown separately as refunds, the sale itself doesn't change). All of it is
// taxed at one rate, the price being tax-inclusive.
func BuildReceipt(o Order, number, vatBP int64) Receipt {
	r := Receipt{Number: number, FeeCents: o.FeeCents, TotalCents: o.TotalCents}
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
	r.Tax = []TaxLine{TaxOf(o.TotalCents, vatBP)}
	return r
}
