package booking

import (
	"strconv"
	"strings"
)

// TaxModel says how a theatre's prices relate to the tax on them.
type TaxModel string

const (
	// TaxIncluded: prices include VAT at the rate (Europe); receipts show
	// the tax part of each price.
	TaxIncluded TaxModel = "vat_included"
	// TaxAdded: sales tax at the rate is added on top of the prices (the
	// United States); the order total includes it and is what is charged.
	TaxAdded TaxModel = "sales_tax_added"
)

// Valid reports whether m is a known tax model.
func (m TaxModel) Valid() bool { return m == TaxIncluded || m == TaxAdded }

// RateScale is 100 % in the unit of tax rates: thousandths of a percent, so
// that US rates such as 8.875 % are exact (8875) and 20 % is 20000.
const RateScale = 100_000

// Tax is a theatre's tax model and rate (thousandths of a percent, see RateScale).
type Tax struct {
	Model TaxModel
	Rate  int64
}

// Included reports whether prices include the tax (VAT) rather than have it added.
func (t Tax) Included() bool { return t.Model != TaxAdded }

// Name is what receipts call the tax: "VAT" or "Sales tax".
func (t Tax) Name() string {
	if t.Included() {
		return "VAT"
	}
	return "Sales tax"
}

// LineTax is the tax on one order line of amountCents (a ticket's price plus
// its booking fee), rounded per line, half up, to the cent:
//   - VAT included: the tax part of the amount, amount × rate / (100 % + rate);
//   - sales tax added: amount × rate on top of it.
//
// Rounding each line (not the order) means a line's tax never changes when
// other seats of the order are cancelled, and the order's tax is the sum of
// its lines'.
func (t Tax) LineTax(amountCents int64) int64 {
	if t.Rate <= 0 || amountCents <= 0 {
		return 0
	}
	num := amountCents * t.Rate
	den := int64(RateScale)
	if t.Included() {
		den += t.Rate
	}
	return (2*num + den) / (2 * den) // half up
}

// RateString is a rate as a percentage without trailing zeros: "20%", "8.875%".
func RateString(rate int64) string {
	return trimRate(rate) + "%"
}

func trimRate(rate int64) string {
	whole, frac := rate/1000, rate%1000
	s := strconv.FormatInt(whole, 10)
	if frac != 0 {
		f := strings.TrimRight(strconv.FormatInt(frac+1000, 10)[1:], "0")
		s += "." + f
	}
	return s
}

// RateInput is a rate as typed in a form: "20", "8.875".
func RateInput(rate int64) string { return trimRate(rate) }

// ParseRate reads a percentage with at most three decimals ("8.875", "20",
// "7,5") as thousandths of a percent. ok is false for anything else or a
// rate outside 0–100 %.
func ParseRate(s string) (rate int64, ok bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	s = strings.ReplaceAll(s, ",", ".")
	if s == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 3 || whole == "" && frac == "" {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, false
			}
		}
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 100 {
		return 0, false
	}
	frac += strings.Repeat("0", 3-len(frac))
	f, _ := strconv.ParseInt(frac, 10, 64)
	rate = w*1000 + f
	if rate > RateScale {
		return 0, false
	}
	return rate, true
}

// FormatMoney writes an amount in the currency: "$12.50", "€12.50",
// "£12.50", or "CHF 12.50" for the others ("": dollars).
func FormatMoney(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	n := strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(cents%100+100, 10)[1:]
	switch strings.ToLower(currency) {
	case "", "usd":
		return sign + "$" + n
	case "eur":
		return sign + "€" + n
	case "gbp":
		return sign + "£" + n
	}
	return sign + strings.ToUpper(currency) + " " + n
}

// TotalLabel is the receipt's total line: "Total (VAT included)" or "Total".
func (r Receipt) TotalLabel() string {
	if r.TaxIncluded && len(r.Tax) > 0 {
		return "Total (" + r.Tax[0].Name + " included)"
	}
	return "Total"
}

// Text is the tax line of a receipt with amounts in the currency:
// "VAT 20% on $12.50 (net $10.42)" or "Sales tax 8.875% on $12.50".
func (t ReceiptTax) Text(currency string) string {
	if t.Name == "VAT" {
		return t.Name + " " + t.RateText() + " on " + FormatMoney(t.GrossCents, currency) + " (net " + FormatMoney(t.NetCents, currency) + ")"
	}
	return t.Name + " " + t.RateText() + " on " + FormatMoney(t.NetCents, currency)
}
