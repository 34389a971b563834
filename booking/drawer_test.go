package booking

import (
	"testing"
	"time"
)

func TestDrawerExpectedAndDifference(t *testing.T) {
	d := DrawerSession{FloatCents: 10000, DrawerTotals: DrawerTotals{CashSalesCents: 4550, CardSalesCents: 9999, CashRefundsCents: 1200, CardRefundsCents: 500}}
	if got := d.Expected(); got != 13350 {
		t.Fatalf("expected %d, want float + cash sales − cash refunds = 13350", got)
	}
	if !d.Open() || d.Difference() != 0 {
		t.Fatalf("open %v, difference %d", d.Open(), d.Difference())
	}
	now := time.Now()
	frozen, counted := int64(13350), int64(13300)
	d.ClosedAt, d.ExpectedAtClose, d.CountedCents = &now, &frozen, &counted
	d.CashSalesCents = 99999 // a closed drawer's expectation is frozen
	if d.Expected() != 13350 || d.Difference() != -50 {
		t.Fatalf("closed: expected %d, difference %d", d.Expected(), d.Difference())
	}
	if err := CheckDrawerClose(d, 100, ""); ErrorCode(err) != ECONFLICT {
		t.Errorf("closing a closed drawer: %v", err)
	}
}

func TestCheckNewDrawerAndClose(t *testing.T) {
	for _, c := range []struct {
		n    NewDrawer
		code string
	}{
		{NewDrawer{Till: "  Till   1 ", FloatCents: 10000}, ""},
		{NewDrawer{Till: "", FloatCents: 0}, EINVALID},
		{NewDrawer{Till: "A very long till name that goes on and on", FloatCents: 0}, EINVALID},
		{NewDrawer{Till: "T", FloatCents: -1}, EINVALID},
		{NewDrawer{Till: "T", FloatCents: 1_000_001}, EINVALID},
	} {
		n, err := CheckNewDrawer(c.n)
		if ErrorCode(err) != c.code {
			t.Errorf("%+v: %v, want %q", c.n, err, c.code)
		}
		if err == nil && n.Till != "Till 1" {
			t.Errorf("till %q", n.Till)
		}
	}
	open := DrawerSession{}
	for _, c := range []struct {
		counted int64
		note    string
		code    string
	}{
		{0, "", ""}, {-1, "", EINVALID}, {10_000_001, "", EINVALID}, {5, string(make([]rune, 501)), EINVALID},
	} {
		if err := CheckDrawerClose(open, c.counted, c.note); ErrorCode(err) != c.code {
			t.Errorf("close %d: %v, want %q", c.counted, err, c.code)
		}
	}
}
