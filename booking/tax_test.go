package booking

import (
	"strings"
	"testing"
	"time"
)

// Tax is rounded per line (ticket plus its booking fee), half up, to the cent.
func TestLineTax(t *testing.T) {
	cases := []struct {
		name   string
		tax    Tax
		amount int64
		want   int64
	}{
		{"VAT 20% of 13.50", Tax{TaxIncluded, 20000}, 1350, 225}, // 225.00
		{"VAT 20% of 12.50", Tax{TaxIncluded, 20000}, 1250, 208}, // 208.33
		{"VAT 20% of 10.00", Tax{TaxIncluded, 20000}, 1000, 167}, // 166.67
		{"VAT 20% of 0.03", Tax{TaxIncluded, 20000}, 3, 1},       // 0.5 → half up
		{"VAT 7.5% of 10.99", Tax{TaxIncluded, 7500}, 1099, 77},  // 76.67
		{"NY 8.875% on 13.50", Tax{TaxAdded, 8875}, 1350, 120},   // 119.8125
		{"NY 8.875% on 16.00", Tax{TaxAdded, 8875}, 1600, 142},   // 142.00
		{"NY 8.875% on 4.00", Tax{TaxAdded, 8875}, 400, 36},      // 35.50 → half up
		{"NY 8.875% on 0.04", Tax{TaxAdded, 8875}, 4, 0},         // 0.355
		{"Chicago 9% on 10.50", Tax{TaxAdded, 9000}, 1050, 95},   // 94.5 → half up
		{"no tax", Tax{TaxAdded, 0}, 1350, 0},
		{"zero value: no tax", Tax{}, 1350, 0},
		{"nothing to tax", Tax{TaxAdded, 8875}, 0, 0},
	}
	for _, c := range cases {
		if got := c.tax.LineTax(c.amount); got != c.want {
			t.Errorf("%s: LineTax(%d) = %d, want %d", c.name, c.amount, got, c.want)
		}
	}
}

func TestParseAndWriteRates(t *testing.T) {
	for in, want := range map[string]int64{"20": 20000, "8.875": 8875, "7,5": 7500, "0": 0, " 9 % ": 9000, ".5": 500, "100": 100000} {
		if got, ok := ParseRate(in); !ok || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "x", "8.8755", "-1", "101", "1e2", "."} {
		if r, ok := ParseRate(bad); ok {
			t.Errorf("ParseRate(%q) = %d, accepted", bad, r)
		}
	}
	for rate, want := range map[int64]string{20000: "20%", 8875: "8.875%", 7500: "7.5%", 12340: "12.34%", 0: "0%"} {
		if got := RateString(rate); got != want {
			t.Errorf("RateString(%d) = %q, want %q", rate, got, want)
		}
	}
	for cents, want := range map[int64]string{1350: "$13.50", 5: "$0.05", -120: "-$1.20"} {
		if got := FormatMoney(cents, "usd"); got != want {
			t.Errorf("FormatMoney(%d) = %q, want %q", cents, got, want)
		}
	}
	if FormatMoney(1350, "eur") != "€13.50" || FormatMoney(1350, "chf") != "CHF 13.50" || FormatMoney(100, "") != "$1.00" {
		t.Fatal(FormatMoney(1350, "eur"), FormatMoney(1350, "chf"))
	}
}

func taxCard() PriceCard {
	return PriceCard{Currency: "usd", TicketTypes: []TicketType{{Code: "adult", Name: "Adult"}, {Code: "child", Name: "Child"}},
		Prices: []Price{{TicketType: "adult", SeatKind: "standard", AmountCents: 1250}, {TicketType: "child", SeatKind: "standard", AmountCents: 900}}}
}

// Sales tax added: each line's tax on top, the total includes it. VAT
// included: the tax part of each line, the total is the prices and fees.
func TestPriceLinesRecordTax(t *testing.T) {
	lines := []Line{{Seat: Seat{ID: 1, Row: "A", Number: 1, Kind: "standard"}, TicketType: "adult"},
		{Seat: Seat{ID: 2, Row: "A", Number: 2, X: 1, Kind: "standard"}, TicketType: "child"}}
	set := DefaultSettings() // fee 1.00 a ticket
	set.Tax, set.Currency = Tax{TaxAdded, 8875}, "usd"
	q, err := PriceLines(taxCard(), lines, set)
	if err != nil {
		t.Fatal(err)
	}
	// Ticket and fee together, rounded once: 13.50 × 8.875% = 1.198 → 1.20;
	// 10.00 × 8.875% = 0.8875 → 0.89. The ticket's part: 12.50 → 1.109 → 1.11,
	// 9.00 → 0.799 → 0.80; the fee's is the rest (9 and 9).
	if q.Lines[0].TaxCents != 111 || q.Lines[0].FeeTaxCents != 9 || q.Lines[1].TaxCents != 80 || q.Lines[1].FeeTaxCents != 9 ||
		q.TaxCents != 209 || q.TaxIncluded || q.TaxRate != 8875 ||
		q.SubtotalCents != 2150 || q.FeeCents != 200 || q.TotalCents != 2150+200+209 {
		t.Fatalf("sales tax: %+v", q)
	}
	set.Tax = Tax{TaxIncluded, 20000}
	q, _ = PriceLines(taxCard(), lines, set)
	// 13.50 / 6 = 2.25 (ticket 12.50 / 6 = 2.083 → 2.08, fee 0.17); 10.00 / 6 = 1.6667 → 1.67 (ticket 1.50, fee 0.17).
	if q.Lines[0].TaxCents+q.Lines[0].FeeTaxCents != 225 || q.Lines[0].TaxCents != 208 || q.Lines[1].TaxCents+q.Lines[1].FeeTaxCents != 167 ||
		q.Lines[1].TaxCents != 150 || q.TaxCents != 392 || !q.TaxIncluded || q.TotalCents != 2350 {
		t.Fatalf("VAT: %+v", q)
	}
	set.Currency = "eur"
	if q, _ = PriceLines(taxCard(), lines, set); q.Currency != "eur" {
		t.Fatalf("currency: %q (the theatre's wins over the card's)", q.Currency)
	}
}

// A sales-tax order's refund gives the tax back with the money it follows.
func TestSalesTaxRefunds(t *testing.T) {
	cases := []struct{ tax, gross, refund, want int64 }{
		{120, 1350, 1350, 120}, // all of it
		{120, 1350, 1250, 111}, // fee kept: 120 × 1250/1350 = 111.1
		{120, 1350, 0, 0},
		{120, 1350, 2000, 120}, // never more than the line's tax
		{89, 1000, 500, 45},    // 44.5 → half up
		{0, 1350, 1350, 0},
	}
	for _, c := range cases {
		if got := SalesTaxRefund(c.tax, c.gross, c.refund); got != c.want {
			t.Errorf("SalesTaxRefund(%d, %d, %d) = %d, want %d", c.tax, c.gross, c.refund, got, c.want)
		}
	}
	show := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	o := Order{Status: OrderPaid, FeeCents: 200, SubtotalCents: 2500, TotalCents: 2500 + 200 + 240, TaxRate: 8875,
		Items: []OrderItem{{SeatID: 1, Row: "A", Number: 1, PriceCents: 1250, TaxCents: 120, Status: ItemSold},
			{SeatID: 2, Row: "A", Number: 2, PriceCents: 1250, TaxCents: 120, Status: ItemSold}}}
	p := CancelPolicy{Cutoff: time.Hour, RefundBookingFee: true}
	c, err := p.PlanCancellation(o, nil, show, show.Add(-2*time.Hour))
	if err != nil || c.RefundCents != o.TotalCents || c.TaxRefundedCents != 240 {
		t.Fatalf("full refund of a sales-tax order: %+v %v", c, err)
	}
	full, _ := PlanFullRefund(o)
	if full.RefundCents != o.TotalCents {
		t.Fatalf("cinema cancels: %+v", full)
	}
	p.RefundBookingFee = false
	c, _ = p.PlanCancellation(o, []int64{1}, show, show.Add(-2*time.Hour))
	if c.TaxRefundedCents != 111 || c.RefundCents != 1250+111 {
		t.Fatalf("one seat, fee kept: %+v", c)
	}
	o.TaxIncluded = true // VAT was in the price: nothing more to give back
	c, _ = p.PlanCancellation(o, []int64{1}, show, show.Add(-2*time.Hour))
	if c.TaxRefundedCents != 0 || c.RefundCents != 1250 {
		t.Fatalf("VAT order: %+v", c)
	}
}

// A receipt shows the tax recorded on the order's lines, not today's rate.
func TestReceiptOfSalesTaxOrder(t *testing.T) {
	o := Order{Status: OrderPaid, FeeCents: 200, SubtotalCents: 2500, TotalCents: 2940, Currency: "usd", TaxRate: 8875,
		Items: []OrderItem{{SeatID: 1, TicketType: "adult", PriceCents: 1250, TaxCents: 120, Status: ItemSold},
			{SeatID: 2, TicketType: "adult", PriceCents: 1250, TaxCents: 120, Status: ItemCancelled}}}
	r := BuildReceipt(o, 7)
	if r.TaxIncluded || len(r.Tax) != 1 || r.TotalLabel() != "Total" {
		t.Fatalf("%+v", r)
	}
	tx := r.Tax[0]
	if tx.Name != "Sales tax" || tx.TaxCents != 240 || tx.NetCents != 2700 || tx.GrossCents != 2940 ||
		tx.Text("usd") != "Sales tax 8.875% on $27.00" {
		t.Fatalf("%+v %q", tx, tx.Text("usd"))
	}
	o.TaxIncluded, o.TaxRate, o.TotalCents = true, 20000, 2700
	o.Items[0].TaxCents, o.Items[1].TaxCents = 225, 225
	r = BuildReceipt(o, 7)
	if r.TotalLabel() != "Total (VAT included)" || r.Tax[0].TaxCents != 450 || r.Tax[0].NetCents != 2250 ||
		!strings.HasPrefix(r.Tax[0].Text("gbp"), "VAT 20% on £27.00 (net £22.50)") {
		t.Fatalf("%+v %q", r, r.Tax[0].Text("gbp"))
	}
	o.TaxRate, o.Items[0].TaxCents, o.Items[1].TaxCents = 0, 0, 0
	if r = BuildReceipt(o, 7); len(r.Tax) != 0 {
		t.Fatalf("untaxed: %+v", r.Tax)
	}
}

func TestSettingsResolvePerTheatre(t *testing.T) {
	c := DefaultCinemaSettings()
	c.BookingFeeCents = 150
	hold, seats := 5*time.Minute, 4
	ny := TheatreSettings{ID: 1, Name: "Downtown", Address: "212 Bleecker St", Currency: "usd", Tax: Tax{TaxAdded, 8875},
		Overrides: TheatreOverrides{HoldLength: &hold, MaxSeatsPerCart: &seats, Cancel: &CancelPolicy{Disabled: true}}}
	b := c.BookingFor(ny)
	if b.HoldLength != 5*time.Minute || b.MaxSeatsPerCart != 4 || b.BookingFeeCents != 150 || b.Tax.Rate != 8875 || b.Currency != "usd" {
		t.Fatalf("booking: %+v", b)
	}
	a := c.AfterSaleFor(ny)
	if !a.Cancel.Disabled || a.Seller.Name != "Downtown" || a.Seller.Address != "212 Bleecker St" || a.VATRateBP != 0 {
		t.Fatalf("after sale: %+v", a)
	}
	plain := TheatreSettings{ID: 2, Name: "Other", Seller: Seller{Name: "Other Ltd"}, Tax: Tax{TaxIncluded, 20000}}
	if b := c.BookingFor(plain); b.HoldLength != c.HoldLength || b.MaxSeatsPerCart != c.MaxSeatsPerCart {
		t.Fatalf("no overrides: %+v", b)
	}
	if a := c.AfterSaleFor(plain); a.Cancel != c.Cancel || a.Seller.Name != "Other Ltd" || a.VATRateBP != 2000 || a.ReminderBefore != c.ReminderBefore {
		t.Fatalf("no overrides: %+v", a)
	}
}

func TestSettingsValidation(t *testing.T) {
	if err := DefaultCinemaSettings().Validate(); err != nil {
		t.Fatal(err)
	}
	c := DefaultCinemaSettings()
	c.HoldLength, c.MaxSeatsPerCart, c.BookingFeeCents = 10*time.Second, 0, -1
	c.Cancel.FeePercent, c.ReminderBefore, c.Reports.FilmWeekStarts = 101, -time.Minute, 7
	fe, ok := FieldErrors(c.Validate())
	if !ok {
		t.Fatal("not field errors")
	}
	for _, f := range []string{"hold_minutes", "max_seats", "booking_fee", "cancel_fee_percent", "reminder_minutes", "week_starts"} {
		if fe[f] == "" {
			t.Errorf("no message for %s: %v", f, fe)
		}
	}
	if len(fe) != 6 {
		t.Errorf("messages: %v", fe)
	}
	zone := func(z string) bool { return z == "America/New_York" }
	good := TheatreSettings{Name: "Downtown", TimeZone: "America/New_York", Currency: "usd", Tax: Tax{TaxAdded, 8875}}
	if err := good.Validate(zone); err != nil {
		t.Fatal(err)
	}
	bad := TheatreSettings{Name: " ", TimeZone: "Mars/Olympus", Currency: "dollars", Tax: Tax{"vat", 60000}}
	fe, _ = FieldErrors(bad.Validate(zone))
	for _, f := range []string{"name", "time_zone", "currency", "tax_model", "tax_rate"} {
		if fe[f] == "" {
			t.Errorf("no message for %s: %v", f, fe)
		}
	}
	if _, ok := FieldErrors(ErrOtherTheatre); ok {
		t.Fatal("a forbidden error is not a field error")
	}
}
