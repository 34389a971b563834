package demo

import (
	"context"
	"fmt"

	"marquee/booking"
	"marquee/db"
)

// demoMoney is each demo theatre's money, tax and receipts. They are all in
// the United States, so prices have sales tax added on top: New York City's
// combined rate (8.875 %), Chicago's amusement tax on admissions (9 %);
// California doesn't tax cinema admissions, so Los Angeles adds none.
var demoMoney = map[string]struct {
	tax    booking.Tax
	seller booking.Seller
}{
	"downtown": {booking.Tax{Model: booking.TaxAdded, Rate: 8875},
		booking.Seller{Name: "Marquee Cinemas NY LLC", Address: "212 Bleecker Street, New York, NY 10012", VATID: "EIN 13-5550199"}},
	"lakeside": {booking.Tax{Model: booking.TaxAdded, Rate: 9000},
		booking.Seller{Name: "Marquee Cinemas Illinois LLC", Address: "401 North Lake Shore Drive, Chicago, IL 60611", VATID: "EIN 36-5550142"}},
	"sunset": {booking.Tax{Model: booking.TaxAdded, Rate: 0},
		booking.Seller{Name: "Marquee Cinemas California LLC", Address: "6360 Sunset Boulevard, Los Angeles, CA 90028", VATID: "EIN 95-5550178"}},
}

// ApplySettings gives the demo theatres their currency, tax and sellers
// (after SeedCatalog; the cinema keeps the defaults of the migration).
func ApplySettings(ctx context.Context, d *db.DB) error {
	ts, err := d.TheatreSettingsAll(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		m, ok := demoMoney[t.Slug]
		if !ok {
			continue
		}
		t.Currency, t.Tax, t.Seller = "usd", m.tax, m.seller
		if _, err := d.SaveTheatreSettings(ctx, t); err != nil {
			return fmt.Errorf("demo settings of %s: %w", t.Slug, err)
		}
	}
	return nil
}
