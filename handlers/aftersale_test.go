package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/lib/pq"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/internal/app"
	"marquee/mail"
	"marquee/payment"
	"marquee/settings"
)

// testRefunder stands in for the payments service: it records refunds and
// can be told to decline.
type testRefunder struct {
	mu      sync.Mutex
	amounts []int64
	decline bool
}

func (r *testRefunder) Refund(_ context.Context, code string, amount int64, _, key string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.decline {
		return "", fmt.Errorf("refund %s: %w", code, payment.ErrDeclined)
	}
	r.amounts = append(r.amounts, amount)
	return "re_" + key, nil
}

// asEnv is an app over one showtime with the after-sale service wired to a
// test refunder; acc and bk give the account and booking test helpers.
type asEnv struct {
	acc  *accEnv
	bk   *bkEnv
	svc  *aftersale.Service
	ref  *testRefunder
	show dbtest.Show
	set  *settings.Store // the app's settings (Reload after changing them in the database)
}

func newAfterSaleEnv(t *testing.T, rules booking.AfterSale) *asEnv {
	t.Helper()
	clock := booking.NewManualClock(showStart.Add(-5 * time.Hour))
	store := dbtest.New(t, clock)
	show := dbtest.AddShowtime(t, store, showStart)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	capture := mail.NewCapture(100, logger)
	ref := &testRefunder{}
	cfg := config.ForTest()
	setAfterSale(t, store, show.TheatreID, rules)
	cfg.AfterSale.OrderSecret = []byte(strings.Repeat("x", 32))
	a := newApp(t, cfg, app.Deps{DB: store, Clock: clock, Logger: logger, Mailer: capture, Refunder: ref, Passwords: cheapPasswords})
	te := &testEnv{t: t, app: a.Fiber, db: store, clock: clock}
	return &asEnv{acc: &accEnv{testEnv: te, mail: capture}, bk: &bkEnv{testEnv: te, h: a.Handler, sales: a.Sales, show: show},
		svc: a.AfterSale, ref: ref, show: show, set: a.Settings}
}

// setAfterSale writes after-sale rules as the environment variables used to
// give them (zero cutoff and reminder: the defaults; negative: none) into the
// database: the cinema's policy, tickets and reminders, the theatre's seller
// and VAT.
func setAfterSale(t *testing.T, store *db.DB, theatreID int64, rules booking.AfterSale) {
	t.Helper()
	r := rules.WithDefaults()
	dbtest.SetCinema(t, store, func(c *booking.CinemaSettings) {
		c.Cancel, c.TicketPerOrder, c.ReminderBefore = r.Cancel, r.TicketPerOrder, r.ReminderBefore
	})
	dbtest.SetTheatre(t, store, theatreID, func(th *booking.TheatreSettings) {
		th.Seller = r.Seller
		th.Tax = booking.Tax{Model: booking.TaxIncluded, Rate: r.VATRateBP * 10}
	})
}

func (e *asEnv) paid(userID *int64, seats ...int64) booking.Order {
	return dbtest.PaidOrder(e.acc.t, e.acc.db, e.show, "buyer@example.com", userID, e.acc.clock.Now(), seats...)
}

func (e *asEnv) link(code string) string {
	return "/orders/" + code + "?t=" + e.svc.Signer().LinkToken(code)
}

func TestOrderAccessRule(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{})
	owner := e.acc.user("owner@example.com", "correct horse battery", booking.RoleCustomer, true)
	mine := e.paid(&owner.ID, e.show.SeatIDs[2])
	guest := e.paid(nil, e.show.SeatIDs[3])

	stranger := e.acc.signedIn("stranger@example.com", booking.RoleCustomer)
	for _, p := range []string{"", "/tickets", "/tickets/1.png", "/tickets.pdf", "/receipt", "/receipt.pdf", "/cancel"} {
		for _, code := range []string{mine.Code, guest.Code} {
			if resp, _ := stranger.get("/orders/" + code + p); resp.StatusCode != 404 {
				t.Fatalf("stranger %s%s: %d", code, p, resp.StatusCode)
			}
		}
	}
	anon := e.acc.client()
	if resp, _ := anon.get("/orders/" + guest.Code + "?t=wrong"); resp.StatusCode != 404 {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
	if resp, _ := anon.get("/orders/" + guest.Code + "?t=" + e.svc.Signer().LinkToken(mine.Code)); resp.StatusCode != 404 {
		t.Fatal("another order's token opened an order")
	}
	if resp, _ := anon.get(e.link(guest.Code)); resp.StatusCode != 200 {
		t.Fatalf("signed link: %d", resp.StatusCode)
	}
	// The browser that opened the signed link keeps access without it.
	if resp, _ := anon.get("/orders/" + guest.Code + "/receipt"); resp.StatusCode != 200 {
		t.Fatalf("after the link: %d", resp.StatusCode)
	}
	ownerCl := e.acc.client()
	ownerCl.login("owner@example.com", "correct horse battery", false)
	if resp, _ := ownerCl.get("/orders/" + mine.Code); resp.StatusCode != 200 {
		t.Fatalf("owner: %d", resp.StatusCode)
	}
	// Staff see the orders of their own theatres only.
	staff := e.acc.signedIn("staff@example.com", booking.RoleStaff)
	if resp, _ := staff.get("/orders/" + guest.Code); resp.StatusCode != 404 {
		t.Fatalf("staff of no theatre: %d, want 404", resp.StatusCode)
	}
	su, err := e.acc.db.UserByEmail(context.Background(), "staff@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.acc.db.SetStaffTheatres(context.Background(), su.ID, []int64{e.show.TheatreID}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := staff.get("/orders/" + guest.Code); resp.StatusCode != 200 {
		t.Fatalf("staff of the order's theatre: %d", resp.StatusCode)
	}
}

func TestConfirmationTicketsAndReceipt(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{VATRateBP: 2000, Seller: booking.Seller{Name: "Test Cinemas Ltd", Address: "1 High St", VATID: "GB123"}})
	o := e.paid(nil, e.show.SeatIDs[2], e.show.SeatIDs[3]) // 2 × 1250 + 2 × 100 fee = 2700
	cl := e.acc.client()
	resp, doc := cl.get(e.link(o.Code))
	wantStatus(t, resp, 200)
	if doc.Find(`[data-testid="order"]`).AttrOr("data-status", "") != "paid" ||
		!strings.HasPrefix(doc.Find(`[data-testid="payment-status"]`).Text(), "Paid") ||
		doc.Find(`[data-testid="ticket"]`).Length() != 2 ||
		!strings.Contains(doc.Text(), "Test Picturehouse") || !strings.Contains(doc.Text(), "Screen 1") ||
		doc.Find(`[data-testid="cancel-link"]`).Length() != 1 {
		t.Fatalf("confirmation page: %s", doc.Find("article").Text())
	}
	// Each ticket carries a token the box office can verify offline.
	doc.Find(`[data-testid="ticket"]`).Each(func(i int, s *goquery.Selection) {
		tk, err := e.svc.Signer().VerifyTicket(s.AttrOr("data-token", ""))
		if err != nil || tk.OrderCode != o.Code || (tk.Seat != "A3" && tk.Seat != "A4") {
			t.Errorf("ticket %d: %+v %v", i, tk, err)
		}
	})
	raw := func(path string) (*http.Response, string) {
		return e.acc.do(httptest.NewRequest(http.MethodGet, path, nil))
	}
	tq := "?t=" + e.svc.Signer().LinkToken(o.Code)
	resp, body := raw("/orders/" + o.Code + "/tickets/1.png" + tq)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
		t.Fatalf("QR: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := raw("/orders/" + o.Code + "/tickets/3.png" + tq); resp.StatusCode != 404 {
		t.Fatalf("ticket 3: %d", resp.StatusCode)
	}
	for _, p := range []string{"/tickets.pdf", "/receipt.pdf"} {
		resp, body := raw("/orders/" + o.Code + p + tq)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	resp, doc = cl.get("/orders/" + o.Code + "/tickets")
	if resp.StatusCode != 200 || doc.Find(`[data-testid="ticket"] img`).Length() != 2 {
		t.Fatalf("printable tickets: %d", resp.StatusCode)
	}
	// Receipt: numbered once, VAT 20 % out of 27.00 = 4.50, net 22.50.
	_, doc = cl.get("/orders/" + o.Code + "/receipt")
	num := doc.Find(`[data-testid="receipt-number"]`).Text()
	if num == "" || doc.Find(`[data-testid="receipt-total"]`).Text() != "$27.00" ||
		doc.Find(`[data-testid="tax-amount"]`).Text() != "$4.50" || doc.Find(`[data-testid="tax-net"]`).Text() != "$22.50" ||
		!strings.Contains(doc.Find(`[data-testid="seller"]`).Text(), "Test Cinemas Ltd") || !strings.Contains(doc.Text(), "GB123") {
		t.Fatalf("receipt: %s", doc.Find("article").Text())
	}
	_, doc = cl.get("/orders/" + o.Code + "/receipt")
	if doc.Find(`[data-testid="receipt-number"]`).Text() != num {
		t.Fatal("receipt number changed")
	}
	o2 := e.paid(nil, e.show.SeatIDs[5])
	_, doc = e.acc.client().get("/orders/" + o2.Code + "/receipt" + "?t=" + e.svc.Signer().LinkToken(o2.Code))
	if n2 := doc.Find(`[data-testid="receipt-number"]`).Text(); n2 == num || n2 == "" {
		t.Fatalf("second receipt number %q after %q", n2, num)
	}
}

func TestCancelPage(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{})
	o := e.paid(nil, e.show.SeatIDs[2], e.show.SeatIDs[3], e.show.SeatIDs[4])
	if err := e.acc.db.CheckIn(context.Background(), o.ID, e.show.SeatIDs[4], e.acc.clock.Now()); err != nil {
		t.Fatal(err)
	}
	cl := e.acc.client()
	cl.get(e.link(o.Code))
	resp, doc := cl.get("/orders/" + o.Code + "/cancel")
	wantStatus(t, resp, 200)
	if doc.Find(`[data-testid="cancel-seat"]`).Length() != 2 || !strings.Contains(doc.Find(`[data-testid="cancel-policy"]`).Text(), "2 hours") {
		t.Fatalf("cancel page: %s", doc.Find("article").Text())
	}
	// Nothing chosen: 422 with a message.
	resp, doc = cl.post("/orders/"+o.Code+"/cancel", url.Values{})
	if resp.StatusCode != 422 || doc.Find(`[data-testid="cancel-error"]`).Length() != 1 {
		t.Fatalf("nothing chosen: %d", resp.StatusCode)
	}
	// Without the CSRF token: refused.
	if resp, _ := cl.post("/orders/"+o.Code+"/cancel", url.Values{"seat": {"A3"}, "_csrf": {"x"}}); resp.StatusCode != 403 {
		t.Fatalf("no CSRF: %d", resp.StatusCode)
	}
	resp, _ = cl.post("/orders/"+o.Code+"/cancel", url.Values{"seat": {"A3"}})
	wantRedirect(t, resp, "/orders/"+o.Code)
	_, doc = cl.get("/orders/" + o.Code)
	if doc.Find(`[data-testid="order"]`).AttrOr("data-status", "") != "partially_refunded" ||
		!strings.Contains(doc.Text(), "$12.50 is being refunded") ||
		doc.Find(`[data-testid="refund"][data-status="succeeded"]`).Length() != 1 ||
		doc.Find(`[data-testid="ticket"]`).Length() != 2 {
		t.Fatalf("after cancelling A3: %s", doc.Find("main").Text())
	}
	// Cancelling it again: 409, told why. The checked-in seat: 409.
	cl.get("/orders/" + o.Code + "/cancel")
	for _, seat := range []string{"A3", "A5"} {
		resp, doc = cl.post("/orders/"+o.Code+"/cancel", url.Values{"seat": {seat}})
		if resp.StatusCode != 409 || doc.Find(`[data-testid="cancel-error"]`).Length() != 1 {
			t.Fatalf("cancel %s again: %d %s", seat, resp.StatusCode, doc.Find("article").Text())
		}
	}
	// The gateway refuses: the seat is cancelled, the customer is told.
	e.ref.decline = true
	resp, _ = cl.post("/orders/"+o.Code+"/cancel", url.Values{"all": {"1"}})
	wantRedirect(t, resp, "/orders/"+o.Code)
	_, doc = cl.get("/orders/" + o.Code)
	if !strings.Contains(doc.Text(), "refused the refund") || doc.Find(`[data-testid="refund"][data-status="failed"]`).Length() != 1 {
		t.Fatalf("declined: %s", doc.Find("main").Text())
	}
	if len(e.ref.amounts) != 1 || e.ref.amounts[0] != 1250 {
		t.Fatalf("refunds %v", e.ref.amounts)
	}
	// After the cutoff the page explains.
	o2 := e.paid(nil, e.show.SeatIDs[10])
	e.acc.clock.Set(showStart.Add(-90 * time.Minute))
	resp, doc = cl.get(e.link(o2.Code) + "&x=1")
	if resp.StatusCode != 200 || !strings.Contains(doc.Find(`[data-testid="cancel-why"]`).Text(), "2 hours") {
		t.Fatalf("order page after cutoff: %s", doc.Find("article").Text())
	}
	_, doc = cl.get("/orders/" + o2.Code + "/cancel")
	if doc.Find(`[data-testid="cancel-form"]`).Length() != 0 || !strings.Contains(doc.Find(`[data-testid="cancel-why"]`).Text(), "box office") {
		t.Fatal("cancel page after cutoff")
	}
	resp, _ = cl.post("/orders/"+o2.Code+"/cancel", url.Values{"all": {"1"}})
	if resp.StatusCode != 410 {
		t.Fatalf("cancel after cutoff: %d", resp.StatusCode)
	}
}

func TestAPIOrdersAndCancel(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{})
	api := e.bk.apiClient("api@example.com")
	u, err := e.acc.db.UserByEmail(context.Background(), "api@example.com")
	if err != nil {
		t.Fatal(err)
	}
	o := e.paid(&u.ID, e.show.SeatIDs[2], e.show.SeatIDs[3])
	other := e.paid(nil, e.show.SeatIDs[7])

	var list struct {
		Orders []struct {
			Code     string   `json:"code"`
			Status   string   `json:"status"`
			Upcoming bool     `json:"upcoming"`
			Seats    []string `json:"seats"`
		} `json:"orders"`
	}
	resp := api.call("GET", "/api/v1/orders", "", nil, &list)
	if resp.StatusCode != 200 || len(list.Orders) != 1 || list.Orders[0].Code != o.Code || !list.Orders[0].Upcoming || len(list.Orders[0].Seats) != 2 {
		t.Fatalf("list: %d %+v", resp.StatusCode, list)
	}
	var res struct {
		Order  apiOrderJSON `json:"order"`
		Refund struct {
			AmountCents int64    `json:"amountCents"`
			Status      string   `json:"status"`
			Seats       []string `json:"seats"`
		} `json:"refund"`
	}
	resp = api.call("POST", "/api/v1/orders/"+o.Code+"/cancel", `{"seats":["A3"]}`, nil, &res)
	if resp.StatusCode != 200 || res.Order.Status != "partially_refunded" || res.Refund.AmountCents != 1250 ||
		res.Refund.Status != "succeeded" || len(res.Refund.Seats) != 1 || res.Refund.Seats[0] != "A3" {
		t.Fatalf("cancel: %d %+v", resp.StatusCode, res)
	}
	var p problemJSON
	if resp := api.call("POST", "/api/v1/orders/"+o.Code+"/cancel", `{"seats":["A3"]}`, nil, &p); resp.StatusCode != 409 {
		t.Fatalf("again: %d", resp.StatusCode)
	}
	if resp := api.call("POST", "/api/v1/orders/"+o.Code+"/cancel", `{"seats":["Z9"]}`, nil, &p); resp.StatusCode != 422 {
		t.Fatalf("unknown seat: %d", resp.StatusCode)
	}
	if resp := api.call("POST", "/api/v1/orders/"+other.Code+"/cancel", "", nil, &p); resp.StatusCode != 404 {
		t.Fatalf("someone else's order: %d", resp.StatusCode)
	}
	e.ref.decline = true
	resp = api.call("POST", "/api/v1/orders/"+o.Code+"/cancel", "", nil, &res)
	if resp.StatusCode != 200 || res.Order.Status != "cancelled" || res.Refund.Status != "failed" {
		t.Fatalf("declined: %d %+v", resp.StatusCode, res)
	}
	resp = api.call("GET", "/api/v1/orders", "", nil, &list)
	if list.Orders[0].Status != "cancelled" || len(list.Orders[0].Seats) != 0 {
		t.Fatalf("list after: %+v", list)
	}
	api.token = ""
	api.call("GET", "/api/v1/orders", "", nil, &p)
}

func TestOrderHistoryPage(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{})
	cl := e.acc.signedIn("fan@example.com", booking.RoleCustomer)
	u, _ := e.acc.db.UserByEmail(context.Background(), "fan@example.com")
	up := e.paid(&u.ID, e.show.SeatIDs[2])
	past := dbtest.AddShowtime(t, e.acc.db, showStart.Add(-48*time.Hour))
	old := dbtest.PaidOrder(t, e.acc.db, past, "fan@example.com", &u.ID, showStart.Add(-72*time.Hour), past.SeatIDs[0])
	_, doc := cl.get("/account")
	if doc.Find(`[data-testid="orders-link"]`).AttrOr("href", "") != "/account/orders" {
		t.Fatal("no link from the account page")
	}
	resp, doc := cl.get("/account/orders")
	wantStatus(t, resp, 200)
	if doc.Find(`[data-testid="history-upcoming"] [data-testid="history-order"]`).AttrOr("data-code", "") != up.Code ||
		doc.Find(`[data-testid="history-past"] [data-testid="history-order"]`).AttrOr("data-code", "") != old.Code ||
		doc.Find(`[data-testid="status-badge"]`).First().Text() != "paid" {
		t.Fatalf("history: %s", doc.Find(`[data-testid="history-page"]`).Text())
	}
	if resp, _ := e.acc.client().get("/account/orders"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed out: %d", resp.StatusCode)
	}
}

func TestConfirmationMailLinkOpensOrder(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{TicketPerOrder: true})
	o := e.paid(nil, e.show.SeatIDs[2], e.show.SeatIDs[3])
	if n, err := e.svc.SendConfirmations(context.Background()); err != nil || n != 1 {
		t.Fatalf("confirmations %d %v", n, err)
	}
	m, ok := e.acc.mail.Last("buyer@example.com")
	if !ok {
		t.Fatal("no confirmation e-mail")
	}
	i := strings.Index(m.Text, "http://marquee.test/orders/"+o.Code+"?t=")
	if i < 0 {
		t.Fatalf("no order link in:\n%s", m.Text)
	}
	link := strings.Fields(m.Text[i:])[0]
	resp, doc := e.acc.client().get(strings.TrimPrefix(link, "http://marquee.test"))
	wantStatus(t, resp, 200)
	// One ticket for the whole order, admitting every seat.
	tickets := doc.Find(`[data-testid="ticket"]`)
	tk, err := e.svc.Signer().VerifyTicket(tickets.AttrOr("data-token", ""))
	if tickets.Length() != 1 || err != nil || tk.Seat != booking.TicketAll {
		t.Fatalf("per-order ticket: %d %+v %v", tickets.Length(), tk, err)
	}
}

// TestAPICancelPendingOrder: an order still awaiting payment can be given
// up through the API (it answered 409 "can't become partially refunded"):
// it expires, its seats go back on sale, nothing is refunded.
func TestAPICancelPendingOrder(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{})
	api := e.bk.apiClient("api@example.com")
	u, err := e.acc.db.UserByEmail(context.Background(), "api@example.com")
	if err != nil {
		t.Fatal(err)
	}
	o := dbtest.PendingOrder(t, e.acc.db, e.show, "api@example.com", &u.ID, e.acc.clock.Now(), e.show.SeatIDs[4], e.show.SeatIDs[5])
	var res struct {
		Order  apiOrderJSON `json:"order"`
		Refund struct {
			AmountCents int64  `json:"amountCents"`
			Status      string `json:"status"`
		} `json:"refund"`
	}
	resp := api.call("POST", "/api/v1/orders/"+o.Code+"/cancel", "", nil, &res)
	if resp.StatusCode != 200 || res.Order.Status != "expired" || res.Refund.Status != "none" || res.Refund.AmountCents != 0 {
		t.Fatalf("cancel a pending order: %d %+v", resp.StatusCode, res)
	}
	var claims int
	if err := dbtest.SQL(t, e.acc.db).GetContext(context.Background(), &claims,
		`SELECT count(*) FROM seat_claims WHERE showtime_id = $1 AND seat_id = ANY($2)`,
		e.show.ShowtimeID, pq.Array(e.show.SeatIDs[4:6])); err != nil || claims != 0 {
		t.Fatalf("the seats are still claimed: %d, %v", claims, err)
	}
	var p problemJSON
	if resp := api.call("POST", "/api/v1/orders/"+o.Code+"/cancel", "", nil, &p); resp.StatusCode != 409 {
		t.Fatalf("cancelling the given-up order again: %d %+v", resp.StatusCode, p)
	}
}
