package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"marquee/booking"
	"marquee/db/dbtest"
)

// boxEnv is an app with a member of staff signed in and one showtime
// starting in 15 minutes (online sales close at the start, the counter 10
// minutes after).
// The member of staff works at the showtime's theatre and has a drawer open
// there (Till 1, a $100 float).
type boxEnv struct {
	*accEnv
	staff   *client
	staffID int64
	show    dbtest.Show
	theatre int64 // the showtime's theatre
	drawer  int64 // the staff member's open drawer
}

func newBoxEnv(t *testing.T, opts ...envOption) *boxEnv {
	t.Helper()
	e := newAccEnv(t, opts...)
	show := dbtest.AddShowtime(t, e.db, e.clock.Now().Add(15*time.Minute))
	b := &boxEnv{accEnv: e, show: show, theatre: theatreOf(t, e, show)}
	b.staff, b.staffID = b.staffAt("till@example.com", booking.RoleStaff, b.theatre)
	d, err := e.db.OpenDrawer(context.Background(), booking.NewDrawer{TheatreID: b.theatre, Till: "Till 1", StaffUserID: b.staffID, FloatCents: 10000, Now: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	b.drawer = d.ID
	return b
}

// staffAt signs in a new member of staff (or manager) of the given theatres.
func (e *boxEnv) staffAt(email string, role booking.Role, theatres ...int64) (*client, int64) {
	e.t.Helper()
	u := e.user(email, "correct horse battery", role, true)
	if _, err := e.db.SetStaffTheatres(context.Background(), u.ID, theatres); err != nil {
		e.t.Fatal(err)
	}
	cl := e.client()
	if resp, _ := cl.login(email, "correct horse battery", false); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", email, resp.StatusCode)
	}
	return cl, u.ID
}

func theatreOf(t *testing.T, e *accEnv, s dbtest.Show) int64 {
	t.Helper()
	var id int64
	if err := dbtest.SQL(t, e.db).Get(&id, `SELECT theatre_id FROM auditoriums WHERE id = $1`, s.AuditoriumID); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *boxEnv) sellPath() string { return "/boxoffice/sell/" + fmtInt(e.show.ShowtimeID) }

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }

// sell submits the sale form from the sale page.
func (e *boxEnv) sell(form url.Values) (*http.Response, *goquery.Document) {
	e.t.Helper()
	return e.staff.submit(e.sellPath(), e.sellPath(), form)
}

// orders counts the orders in the database.
func (e *boxEnv) orders() int {
	e.t.Helper()
	var n int
	if err := dbtest.SQL(e.t, e.db).Get(&n, `SELECT count(*) FROM orders`); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func errorText(doc *goquery.Document) string {
	return strings.TrimSpace(doc.Find("main").Text())
}

func TestBoxOfficeNeedsStaff(t *testing.T) {
	e := newBoxEnv(t)
	guest := e.client()
	resp, _ := guest.get("/boxoffice")
	wantRedirect(t, resp, "/login")
	cust := e.signedIn("cust@example.com", booking.RoleCustomer)
	for _, p := range []string{"/boxoffice", "/boxoffice/board", e.sellPath(), "/boxoffice/find?q=x", "/boxoffice/door"} {
		resp, _ := cust.get(p)
		wantStatus(t, resp, http.StatusForbidden)
	}
	cust.get("/account")
	for _, p := range []string{e.sellPath(), "/boxoffice/door", "/boxoffice/door/undo"} {
		resp, _ := cust.post(p, url.Values{"quantity": {"1"}, "tender": {"cash"}, "cash": {"100"}, "ticket": {"X.Y.Z"}})
		wantStatus(t, resp, http.StatusForbidden)
	}
	if n := e.orders(); n != 0 {
		t.Fatalf("%d orders after refused sales", n)
	}
}

func TestBoxOfficeBoard(t *testing.T) {
	e := newBoxEnv(t)
	dbtest.PaidOrder(t, e.db, e.show, "a@example.com", nil, e.clock.Now(), e.show.SeatIDs[0:2]...)
	resp, doc := e.staff.get("/boxoffice")
	wantStatus(t, resp, http.StatusOK)
	row := doc.Find(`[data-testid="board-row"]`)
	if row.Length() != 1 {
		t.Fatalf("%d board rows", row.Length())
	}
	if s, _ := row.Attr("data-state"); s != string(booking.BoardOnline) {
		t.Errorf("state %q", s)
	}
	if got := row.Find(`[data-testid="sold"]`).Text() + "/" + row.Find(`[data-testid="free"]`).Text(); got != "2/198" {
		t.Errorf("sold/free %s", got)
	}
	if k, _ := row.Find(`[data-testid="sell-link"]`).Attr("data-shortcut"); k != "1" {
		t.Errorf("shortcut %q", k)
	}
	// The polled partial; 12 minutes after the start the show is closed at the counter.
	e.clock.Advance(27 * time.Minute)
	resp, doc = e.staff.get("/boxoffice/board")
	wantStatus(t, resp, http.StatusOK)
	if s, _ := doc.Find(`[data-testid="board-row"]`).Attr("data-state"); s != string(booking.BoardClosed) {
		t.Errorf("after the cutoff: %q", s)
	}
	if doc.Find(`[data-testid="sell-link"]`).Length() != 0 {
		t.Error("a closed show has a sell link")
	}
	resp, _ = e.staff.get("/boxoffice?theatre=999999")
	wantStatus(t, resp, http.StatusNotFound)
	other := dbtest.AddShowtime(t, e.db, e.clock.Now().Add(time.Hour))
	resp, _ = e.staff.get("/boxoffice?theatre=" + fmtInt(theatreOf(t, e.accEnv, other)))
	wantStatus(t, resp, http.StatusForbidden)
}

func TestCounterSaleCash(t *testing.T) {
	e := newBoxEnv(t)
	// Cash below the total: refused, nothing changes.
	resp, doc := e.sell(url.Values{"quantity": {"2"}, "type_adult": {"1"}, "type_child": {"1"}, "tender": {"cash"}, "cash": {"5"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(errorText(doc), "less than the") {
		t.Errorf("message: %s", errorText(doc))
	}
	if n := e.orders(); n != 0 {
		t.Fatalf("%d orders after cash below the total", n)
	}
	// The total, then the sale: 15 minutes to the start, online closing soon.
	resp, doc = e.staff.post(e.sellPath()+"/quote", url.Values{"quantity": {"2"}, "type_adult": {"1"}, "type_child": {"1"}, "cash": {"50"}})
	wantStatus(t, resp, http.StatusOK)
	total := doc.Find(`[data-testid="quote-total"]`).Text()
	resp, _ = e.sell(url.Values{"quantity": {"2"}, "type_adult": {"1"}, "type_child": {"1"}, "tender": {"cash"}, "cash": {"50"}, "email": {"walkin@example.com"}})
	wantRedirect(t, resp, "/boxoffice/orders/")
	resp, doc = e.staff.get(resp.Header.Get("Location"))
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find(`[data-testid="order-total"]`).Text(); got != total {
		t.Errorf("order total %s, quoted %s", got, total)
	}
	if got := doc.Find(`[data-testid="order-status"]`).Text(); got != booking.StatusText(booking.OrderPaid) {
		t.Errorf("status %q", got)
	}
	code := doc.Find(`[data-testid="order-code"]`).Text()
	o, err := e.db.OrderByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	wantChange := "Change due " + "$" + dollars(5000-o.TotalCents)
	if got := strings.TrimSpace(doc.Find(`[data-testid="change-due"]`).Text()); got != wantChange {
		t.Errorf("%q, want %q", got, wantChange)
	}
	if n := doc.Find(`[data-testid="ticket"]`).Length(); n != 2 || o.Email != "walkin@example.com" {
		t.Errorf("%d tickets, e-mail %q", n, o.Email)
	}
	if n := e.auditCount("boxoffice.sale"); n != 1 {
		t.Errorf("%d sale audit entries", n)
	}
}

func dollars(c int64) string {
	s := fmtInt(c % 100)
	if len(s) == 1 {
		s = "0" + s
	}
	return fmtInt(c/100) + "." + s
}

func (e *boxEnv) auditCount(action string) int {
	e.t.Helper()
	var n int
	if err := dbtest.SQL(e.t, e.db).Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1`, action); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestCounterSaleAfterStartAndCutoff(t *testing.T) {
	e := newBoxEnv(t)
	e.clock.Advance(20 * time.Minute) // started 5 minutes ago: online closed, the counter sells
	resp, doc := e.sell(url.Values{"seats": {"a5 A6"}, "tender": {"card"}, "reference": {"TERM1-0042"}})
	wantRedirect(t, resp, "/boxoffice/orders/")
	_, doc = e.staff.get(resp.Header.Get("Location"))
	if got := doc.Find(`[data-testid="payment"]`).Text(); !strings.Contains(got, "TERM1-0042") {
		t.Errorf("payment %q", got)
	}
	if doc.Find(`[data-testid="change-due"]`).Length() != 0 {
		t.Error("change shown for a card sale")
	}
	// Seat already sold, unknown seat, card without a reference: refused.
	for _, c := range []struct {
		form   url.Values
		status int
	}{
		{url.Values{"seats": {"A5"}, "tender": {"card"}, "reference": {"T"}}, http.StatusConflict},
		{url.Values{"seats": {"Z99"}, "tender": {"card"}, "reference": {"T"}}, http.StatusUnprocessableEntity},
		{url.Values{"seats": {"B1"}, "tender": {"card"}}, http.StatusUnprocessableEntity},
		{url.Values{"seats": {"B1"}, "tender": {"cash"}, "cash": {"lots"}}, http.StatusUnprocessableEntity},
	} {
		resp, _ := e.sell(c.form)
		wantStatus(t, resp, c.status)
	}
	// Past the counter cutoff (start + 10 minutes).
	e.clock.Advance(6 * time.Minute)
	resp, doc = e.sell(url.Values{"seats": {"B1"}, "tender": {"cash"}, "cash": {"100"}})
	wantStatus(t, resp, http.StatusGone)
	if !strings.Contains(errorText(doc), "Counter sales for this show closed") {
		t.Errorf("message: %s", errorText(doc))
	}
	if n := e.orders(); n != 1 {
		t.Fatalf("%d orders, want the one card sale", n)
	}
}

func TestCounterSaleNeverDoubleSells(t *testing.T) {
	e := newBoxEnv(t)
	// An online cart holds A3; the counter can't sell it.
	dbtest.HoldElsewhere(t, e.db, e.show.ShowtimeID, "online-cart", e.show.SeatIDs[2], e.clock.Now())
	e.clock.Advance(time.Second)
	resp, _ := e.sell(url.Values{"seats": {"A3"}, "tender": {"cash"}, "cash": {"100"}})
	wantStatus(t, resp, http.StatusConflict)
	// Split: $10 on the card, the rest in cash.
	resp, _ = e.sell(url.Values{"seats": {"A4"}, "tender": {"split"}, "card_amount": {"10"}, "cash": {"20"}, "reference": {"T9"}})
	wantRedirect(t, resp, "/boxoffice/orders/")
	_, doc := e.staff.get(resp.Header.Get("Location"))
	if n := doc.Find(`[data-testid="payment"]`).Length(); n != 2 {
		t.Fatalf("%d payments for a split", n)
	}
	if got := doc.Find(`[data-testid="payment"]`).Last().Text(); !strings.Contains(got, "Card $10.00") {
		t.Errorf("card part %q", got)
	}
}

// paidTickets sells seats at the counter and returns the tickets' tokens.
func (e *boxEnv) paidTickets(form url.Values) (string, []string) {
	e.t.Helper()
	form.Set("tender", "cash")
	form.Set("cash", "200")
	resp, _ := e.sell(form)
	wantRedirect(e.t, resp, "/boxoffice/orders/")
	_, doc := e.staff.get(resp.Header.Get("Location"))
	var tokens []string
	doc.Find(`[data-testid="ticket"] p.font-mono`).Each(func(_ int, s *goquery.Selection) { tokens = append(tokens, s.Text()) })
	return doc.Find(`[data-testid="order-code"]`).Text(), tokens
}

func TestLookUp(t *testing.T) {
	e := newBoxEnv(t)
	code, tokens := e.paidTickets(url.Values{"seats": {"C1"}, "email": {"Finder@Example.com"}})
	resp, _ := e.staff.get("/boxoffice/find?q=" + strings.ToLower(code))
	wantRedirect(t, resp, "/boxoffice/orders/"+code)
	resp, _ = e.staff.get("/boxoffice/find?q=" + url.QueryEscape(tokens[0]))
	wantRedirect(t, resp, "/boxoffice/orders/"+code)
	resp, doc := e.staff.get("/boxoffice/find?q=finder")
	wantStatus(t, resp, http.StatusOK)
	if n := doc.Find(`[data-testid="found-order"]`).Length(); n != 1 {
		t.Fatalf("%d found", n)
	}
	dotted, _ := e.paidTickets(url.Values{"seats": {"C2"}, "email": {"j.doe@example.com"}})
	resp, doc = e.staff.get("/boxoffice/find?q=j.doe@example.com") // an e-mail with two dots is no ticket
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find(`[data-testid="found-order"] a`).Text(); got != dotted {
		t.Errorf("found %q, want %s", got, dotted)
	}
	_, doc = e.staff.get("/boxoffice/find?q=nobody-here")
	if doc.Find(`[data-testid="find-none"]`).Length() != 1 {
		t.Error("no 'nothing found'")
	}
	resp, _ = e.staff.get("/boxoffice/find?q=" + url.QueryEscape(code+".C1.forged"))
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	// Reprint: the order's tickets page and PDFs are open to staff.
	for _, p := range []string{"/orders/" + code + "/tickets", "/orders/" + code + "/tickets.pdf", "/orders/" + code + "/receipt.pdf"} {
		resp, _ := e.staff.get(p)
		wantStatus(t, resp, http.StatusOK)
	}
}

func (e *boxEnv) scan(token string, door int64) (*http.Response, *goquery.Document) {
	e.t.Helper()
	e.staff.get("/boxoffice/door")
	return e.staff.post("/boxoffice/door", url.Values{"ticket": {token}, "showtime": {fmtInt(door)}})
}

// laterShowtime adds a showtime of the same movie in the same auditorium, after later.
func (e *boxEnv) laterShowtime(after time.Duration) int64 {
	e.t.Helper()
	var id int64
	if err := dbtest.SQL(e.t, e.db).Get(&id, `
		INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, status, price_card_id, format)
		SELECT movie_id, auditorium_id, starts_at + $2 * interval '1 second', ends_at + $2 * interval '1 second', ready_at + $2 * interval '1 second',
		       sales_close_at + $2 * interval '1 second', counter_close_at + $2 * interval '1 second', status, price_card_id, format
		FROM showtimes WHERE id = $1 RETURNING id`, e.show.ShowtimeID, after.Seconds()); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func verdict(doc *goquery.Document) string {
	v, _ := doc.Find(`[data-testid="door-answer"]`).Attr("data-verdict")
	return v
}

func TestCheckIn(t *testing.T) {
	e := newBoxEnv(t)
	code, tokens := e.paidTickets(url.Values{"seats": {"D1 D2"}, "type_adult": {"1"}, "type_child": {"1"}})
	if len(tokens) != 2 {
		t.Fatalf("%d tickets", len(tokens))
	}
	resp, doc := e.scan(tokens[1], e.show.ShowtimeID)
	wantStatus(t, resp, http.StatusOK)
	details := doc.Find(`[data-testid="door-detail"]`).Text()
	if verdict(doc) != booking.AdmitValid || !strings.Contains(details, "Seat D2") || !strings.Contains(details, "CHILD TICKET") {
		t.Fatalf("%s: %s", verdict(doc), details)
	}
	resp, doc = e.scan(tokens[1], 0)
	wantStatus(t, resp, http.StatusConflict)
	if details := doc.Find(`[data-testid="door-detail"]`).Text(); !strings.Contains(details, "admitted at 18:00 by till") {
		t.Errorf("already: %s", details)
	}
	// Undo, then it admits again.
	resp, doc = e.staff.post("/boxoffice/door/undo", url.Values{"ticket": {tokens[1]}})
	wantStatus(t, resp, http.StatusOK)
	resp, _ = e.scan(tokens[1], 0)
	wantStatus(t, resp, http.StatusOK)
	resp, _ = e.staff.post("/boxoffice/door/undo", url.Values{"ticket": {tokens[0]}}) // never admitted
	wantStatus(t, resp, http.StatusConflict)
	// Forged, half-read, another showtime.
	for _, bad := range []string{code + ".D1.AAAAAAAAAAAAAAAA", "not a ticket", tokens[0][:len(tokens[0])-3]} {
		resp, doc := e.scan(bad, 0)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if verdict(doc) != booking.AdmitForged {
			t.Errorf("%q: %s", bad, verdict(doc))
		}
	}
	later := e.laterShowtime(3 * time.Hour)
	resp, doc = e.scan(tokens[0], later)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if verdict(doc) != booking.AdmitOtherShowtime {
		t.Errorf("other showtime: %s", verdict(doc))
	}
	// A door set to another theatre's showtime: not this staff member's theatre.
	other := dbtest.AddShowtime(t, e.db, e.clock.Now().Add(3*time.Hour))
	resp, _ = e.scan(tokens[0], other.ShowtimeID)
	wantStatus(t, resp, http.StatusForbidden)
	// Refunded tickets don't admit.
	if _, err := e.db.CancelSeats(context.Background(), code, booking.RefundStaff, e.clock.Now(), func(o booking.Order, _ time.Time) (booking.Cancellation, error) {
		return booking.Cancellation{SeatIDs: []int64{o.Items[0].SeatID}, TicketsCents: o.Items[0].PriceCents, RefundCents: o.Items[0].PriceCents}, nil
	}); err != nil {
		t.Fatal(err)
	}
	resp, doc = e.scan(tokens[0], 0)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if verdict(doc) != booking.AdmitCancelled {
		t.Errorf("refunded: %s", verdict(doc))
	}
	if e.auditCount("boxoffice.checkin") != 2 || e.auditCount("boxoffice.checkin_undone") != 1 {
		t.Errorf("audit: %d check-ins, %d undone", e.auditCount("boxoffice.checkin"), e.auditCount("boxoffice.checkin_undone"))
	}
}

// Many doors scan the same ticket at the same instant: exactly one VALID.
func TestCheckInRace(t *testing.T) {
	e := newBoxEnv(t)
	_, tokens := e.paidTickets(url.Values{"seats": {"E5"}})
	e.staff.get("/boxoffice/door")
	form := url.Values{"ticket": {tokens[0]}, "_csrf": {e.staff.csrf}}.Encode()
	var cookies []*http.Cookie
	for _, c := range e.staff.cookies {
		cookies = append(cookies, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	const doors = 16
	var wg sync.WaitGroup
	start := make(chan struct{})
	codes := make(chan int, doors)
	for i := 0; i < doors; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodPost, "/boxoffice/door", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			for _, c := range cookies {
				req.AddCookie(c)
			}
			<-start
			resp, err := e.app.Test(req, -1)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	close(codes)
	valid, already := 0, 0
	for c := range codes {
		switch c {
		case http.StatusOK:
			valid++
		case http.StatusConflict:
			already++
		default:
			t.Errorf("status %d", c)
		}
	}
	if valid != 1 || already != doors-1 {
		t.Fatalf("%d valid, %d already admitted; want exactly 1 valid", valid, already)
	}
}

func TestCounterCancelAndRefund(t *testing.T) {
	e := newBoxEnv(t)
	code, tokens := e.paidTickets(url.Values{"seats": {"G1 G2 G3"}})
	page := "/boxoffice/orders/" + code
	action := page + "/cancel"
	// 15 minutes before the start: past the customer policy's deadline.
	for _, c := range []struct {
		form   url.Values
		status int
	}{
		{url.Values{"seat": {"G1"}}, http.StatusUnprocessableEntity},                                                       // not confirmed
		{url.Values{"seat": {"G1"}, "confirm": {"1"}}, http.StatusGone},                                                    // outside the policy
		{url.Values{"seat": {"G1"}, "confirm": {"1"}, "override": {"1"}}, http.StatusUnprocessableEntity},                  // override without a reason
		{url.Values{"seat": {"Z9"}, "confirm": {"1"}, "override": {"1"}, "reason": {"x"}}, http.StatusUnprocessableEntity}, // not in the order
		{url.Values{"confirm": {"1"}, "override": {"1"}, "reason": {"x"}}, http.StatusUnprocessableEntity},                 // no seat chosen
	} {
		resp, _ := e.staff.submit(page, action, c.form)
		wantStatus(t, resp, c.status)
	}
	if e.auditCount("boxoffice.refund") != 0 {
		t.Fatal("a refused cancellation was audited as a refund")
	}
	o, _ := e.db.OrderByCode(context.Background(), code)
	resp, _ := e.staff.submit(page, action, url.Values{"seat": {"G1"}, "confirm": {"1"}, "override": {"1"}, "waive": {"1"}, "reason": {"Wrong show sold"}, "refund_to": {"cash"}})
	wantRedirect(t, resp, page)
	_, doc := e.staff.get(page)
	flash := doc.Find(`[data-testid="flash"]`).Text()
	want := o.Items[0].PriceCents + o.FeeCents/3
	if !strings.Contains(flash, "refund $"+dollars(want)) || !strings.Contains(flash, "cash from the drawer") {
		t.Errorf("flash %q, want a refund of %s in cash", flash, dollars(want))
	}
	o, _ = e.db.OrderByCode(context.Background(), code)
	if o.Status != booking.OrderPartiallyRefunded || o.Items[0].Status != booking.ItemCancelled {
		t.Errorf("order %s, G1 %s", o.Status, o.Items[0].Status)
	}
	var reason, status string
	if err := dbtest.SQL(t, e.db).QueryRow(`SELECT reason, status FROM refunds WHERE order_id = $1`, o.ID).Scan(&reason, &status); err != nil {
		t.Fatal(err)
	}
	if reason != booking.RefundStaff || status != booking.RefundSucceeded {
		t.Errorf("ledger: %s %s", reason, status)
	}
	var data string
	if err := dbtest.SQL(t, e.db).Get(&data, `SELECT data::text FROM audit_log WHERE action = 'boxoffice.refund'`); err != nil || !strings.Contains(data, "Wrong show sold") {
		t.Errorf("audit %s %v", data, err)
	}
	// An admitted seat is not cancelled: G2 in, then "all" cancels G3 only.
	if resp, _ := e.scan(tokens[1], 0); resp.StatusCode != http.StatusOK {
		t.Fatalf("scan G2: %d", resp.StatusCode)
	}
	resp, _ = e.staff.submit(page, action, url.Values{"seat": {"G2"}, "confirm": {"1"}, "override": {"1"}, "reason": {"x"}})
	wantStatus(t, resp, http.StatusConflict)
	resp, _ = e.staff.submit(page, action, url.Values{"all": {"1"}, "confirm": {"1"}, "override": {"1"}, "reason": {"left early"}, "refund_to": {"cash"}})
	wantRedirect(t, resp, page)
	o, _ = e.db.OrderByCode(context.Background(), code)
	if o.Items[1].Status != booking.ItemSold || o.Items[2].Status != booking.ItemCancelled {
		t.Errorf("G2 %s, G3 %s", o.Items[1].Status, o.Items[2].Status)
	}
	// Customers can't.
	cust := e.signedIn("c2@example.com", booking.RoleCustomer)
	cust.get("/account")
	resp, _ = cust.post(action, url.Values{"all": {"1"}, "confirm": {"1"}, "override": {"1"}, "reason": {"x"}})
	wantStatus(t, resp, http.StatusForbidden)
}

func TestResendAndAdmitWholeOrder(t *testing.T) {
	e := newBoxEnv(t)
	code, _ := e.paidTickets(url.Values{"seats": {"H1 H2"}, "email": {"again@example.com"}})
	page := "/boxoffice/orders/" + code
	before := len(e.mail.Messages())
	resp, _ := e.staff.submit(page, page+"/resend", nil)
	wantRedirect(t, resp, page)
	if len(e.mail.Messages()) != before+1 {
		t.Fatalf("%d messages, want one more", len(e.mail.Messages()))
	}
	if m, ok := e.mail.Last("again@example.com"); !ok || !strings.Contains(m.Subject, code) {
		t.Errorf("resent %+v", m)
	}
	if e.auditCount("boxoffice.mail_resent") != 1 {
		t.Error("resend not audited")
	}
	noMail, _ := e.paidTickets(url.Values{"seats": {"H5"}})
	resp, _ = e.staff.submit("/boxoffice/orders/"+noMail, "/boxoffice/orders/"+noMail+"/resend", nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)

	// Admit the whole order from its page: both seats, once.
	_, doc := e.staff.get(page)
	all, ok := doc.Find(`[data-testid="admit-all"]`).Parent().Find(`input[name="ticket"]`).Attr("value")
	if !ok || !strings.Contains(all, "."+booking.TicketAll+".") {
		t.Fatalf("admit-all token %q", all)
	}
	resp, doc = e.staff.post("/boxoffice/door", url.Values{"ticket": {all}})
	wantStatus(t, resp, http.StatusOK)
	if n := doc.Find(`[data-testid="door-detail"]`).Length(); verdict(doc) != booking.AdmitValid || n != 3 { // two seats and the show
		t.Errorf("%s, %d lines", verdict(doc), n)
	}
	resp, _ = e.staff.post("/boxoffice/door", url.Values{"ticket": {all}})
	wantStatus(t, resp, http.StatusConflict)
	_, doc = e.staff.get(page)
	if doc.Find(`[data-testid="admit-all"]`).Length() != 0 || doc.Find(`[data-testid="counter-cancel"]`).Length() != 0 {
		t.Error("an admitted order still offers admit-all or cancellation")
	}
}

func TestCounterSeatMap(t *testing.T) {
	e := newBoxEnv(t)
	dbtest.PaidOrder(t, e.db, e.show, "a@example.com", nil, e.clock.Now(), e.show.SeatIDs[5])
	dbtest.HoldElsewhere(t, e.db, e.show.ShowtimeID, "online-cart", e.show.SeatIDs[6], e.clock.Now())
	for _, p := range []string{e.sellPath(), e.sellPath() + "/map"} {
		resp, doc := e.staff.get(p)
		wantStatus(t, resp, http.StatusOK)
		m := doc.Find(`[data-testid="counter-map"]`)
		if n := m.Find(`button[data-pick]`).Length(); n != 198 {
			t.Errorf("%s: %d free seats to pick, want 198", p, n)
		}
		sold := m.Find(`button[data-state="sold"]`)
		held := m.Find(`button[data-state="held"]`)
		if sold.Length() != 1 || held.Length() != 1 {
			t.Errorf("%s: %d sold, %d held", p, sold.Length(), held.Length())
		}
		if _, ok := sold.Attr("disabled"); !ok {
			t.Errorf("%s: a sold seat can be picked", p)
		}
		if l, _ := m.Find(`button[data-pick]`).First().Attr("data-pick"); l != "A1" {
			t.Errorf("first seat %q", l)
		}
	}
}
