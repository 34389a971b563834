package booking

import (
	"strings"
	"time"
)

// Cash-up: a drawer session is one member of staff at one till, from
// opening with a float to closing with the cash counted. The counter's sales
// and refunds made while it is open are attributed to it (the database does
// that in the transaction that records them); these rules say what the
// drawer should hold.

// Refund tenders at the counter: how the money goes back.
const (
	RefundToCash = "cash" // handed back from the drawer
	RefundToCard = "card" // to the card: the terminal's or the online payment's (through the payment service)
)

// DrawerSession is a till's drawer for one member of staff.
type DrawerSession struct {
	ID          int64      `db:"id"`
	TheatreID   int64      `db:"theatre_id"`
	TheatreName string     `db:"theatre_name"`
	TimeZone    string     `db:"time_zone"`
	Till        string     `db:"till"`
	StaffUserID int64      `db:"staff_user_id"`
	StaffName   string     `db:"staff_name"`
	FloatCents  int64      `db:"float_cents"`
	OpenedAt    time.Time  `db:"opened_at"`
	ClosedAt    *time.Time `db:"closed_at"`
	ClosedBy    string     `db:"closed_by_name"`
	// Frozen at close.
	ExpectedAtClose *int64 `db:"expected_cents"`
	CountedCents    *int64 `db:"counted_cents"`
	Note            string `db:"note"`
	DrawerTotals
}

// DrawerTotals are the sales and refunds attributed to a drawer session, by tender.
type DrawerTotals struct {
	CashSales        int   `db:"cash_sales"`
	CashSalesCents   int64 `db:"cash_sales_cents"` // what the cash paid (handed over − change)
	CardSales        int   `db:"card_sales"`
	CardSalesCents   int64 `db:"card_sales_cents"`
	CashRefunds      int   `db:"cash_refunds"`
	CashRefundsCents int64 `db:"cash_refunds_cents"`
	CardRefunds      int   `db:"card_refunds"`
	CardRefundsCents int64 `db:"card_refunds_cents"`
}

// ExpectedCash is what a drawer opened with floatCents should hold.
func (t DrawerTotals) ExpectedCash(floatCents int64) int64 {
	return floatCents + t.CashSalesCents - t.CashRefundsCents
}

// Open reports whether the drawer session is still open.
func (d DrawerSession) Open() bool { return d.ClosedAt == nil }

// Expected is the cash the drawer should hold: frozen at close, live while open.
func (d DrawerSession) Expected() int64 {
	if d.ExpectedAtClose != nil {
		return *d.ExpectedAtClose
	}
	return d.ExpectedCash(d.FloatCents)
}

// Difference is counted − expected (negative: cash missing); 0 while open.
func (d DrawerSession) Difference() int64 {
	if d.CountedCents == nil {
		return 0
	}
	return *d.CountedCents - d.Expected()
}

// Location is the zone of the drawer's theatre (UTC when unknown).
func (d DrawerSession) Location() *time.Location {
	if loc, err := time.LoadLocation(d.TimeZone); err == nil && d.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// NewDrawer is a drawer being opened.
type NewDrawer struct {
	TheatreID   int64
	Till        string
	StaffUserID int64
	FloatCents  int64
	Now         time.Time
}

// CheckNewDrawer checks what is typed to open a drawer: a till name (1–40
// characters) and a float of at most $10,000.
func CheckNewDrawer(n NewDrawer) (NewDrawer, error) {
	n.Till = strings.Join(strings.Fields(n.Till), " ")
	if n.Till == "" || len([]rune(n.Till)) > 40 {
		return n, Invalid("till", "Name the till (e.g. Till 1), up to 40 characters.")
	}
	if n.FloatCents < 0 || n.FloatCents > 1_000_000 {
		return n, Invalid("float", "The float is the cash in the drawer at the start: from $0 to $10,000.")
	}
	return n, nil
}

// CheckDrawerClose checks a close: the cash counted (at most $100,000) and a
// note (up to 500 characters), which a difference requires.
func CheckDrawerClose(d DrawerSession, countedCents int64, note string) error {
	if !d.Open() {
		return Errorf(ECONFLICT, "This drawer was closed already.")
	}
	if countedCents < 0 || countedCents > 10_000_000 {
		return Invalid("counted", "Type the cash counted in the drawer, e.g. 412.50.")
	}
	if len([]rune(note)) > 500 {
		return Invalid("note", "The note can have up to 500 characters.")
	}
	return nil
}

// ErrNoDrawer refuses cash at the counter without an open drawer session.
var ErrNoDrawer = Errorf(ECONFLICT, "Open your cash drawer first (press C for Cash-up): cash sales and cash refunds are counted in a drawer.")

// ErrDrawerElsewhere refuses cash at a theatre other than the open drawer's.
var ErrDrawerElsewhere = Errorf(ECONFLICT, "Your open cash drawer is at another theatre: close it there, or open one here, to take or give back cash.")
