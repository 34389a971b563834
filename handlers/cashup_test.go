package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"marquee/booking"
	"marquee/config"
	"marquee/db/dbtest"
	"marquee/internal/app"
)

func (e *boxEnv) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := dbtest.SQL(e.t, e.db).Get(&n, q, args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func text(doc *goquery.Document, testid string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + testid + `"]`).First().Text())
}

// TestCashUp: the counter's cash and card sales and refunds made while the
// drawer is open are its totals; closing with the count freezes the
// expected cash and the difference; afterwards cash is refused (and changes
// nothing) while card sales go on.
func TestCashUp(t *testing.T) {
	e := newBoxEnv(t)
	ctx := context.Background()
	cashCode, _ := e.paidTickets(url.Values{"seats": {"C1 C2"}})
	resp, _ := e.sell(url.Values{"seats": {"C5"}, "tender": {"card"}, "reference": {"T-1"}})
	wantRedirect(t, resp, "/boxoffice/orders/")
	cashOrder, _ := e.db.OrderByCode(ctx, cashCode)
	page := "/boxoffice/orders/" + cashCode
	resp, _ = e.staff.submit(page, page+"/cancel", url.Values{"seat": {"C1"}, "confirm": {"1"}, "override": {"1"}, "reason": {"changed mind"}, "refund_to": {"cash"}})
	wantRedirect(t, resp, page)
	var refunded int64
	if err := dbtest.SQL(t, e.db).Get(&refunded, `SELECT amount_cents FROM refunds WHERE order_id = $1 AND tender = 'cash' AND drawer_session_id = $2`, cashOrder.ID, e.drawer); err != nil {
		t.Fatalf("the cash refund is not the drawer's: %v", err)
	}
	resp, doc := e.staff.get("/boxoffice/drawer")
	wantStatus(t, resp, http.StatusOK)
	expected := 10000 + cashOrder.TotalCents - refunded
	if got := text(doc, "drawer-expected"); got != "$"+dollars(expected) {
		t.Fatalf("expected cash %s, want $%s (float + cash sales − cash refunds)", got, dollars(expected))
	}
	if got := text(doc, "drawer-cash-sales"); got != "$"+dollars(cashOrder.TotalCents) {
		t.Errorf("cash sales %s", got)
	}
	if got := text(doc, "drawer-card-sales"); got == "$0.00" {
		t.Errorf("card sales %s", got)
	}
	// Close: unconfirmed, then 50 cents short, with a note.
	resp, _ = e.staff.submit("/boxoffice/drawer", "/boxoffice/drawer/close", url.Values{"counted": {dollars(expected - 50)}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = e.staff.submit("/boxoffice/drawer", "/boxoffice/drawer/close", url.Values{"counted": {"lots"}, "confirm": {"1"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = e.staff.submit("/boxoffice/drawer", "/boxoffice/drawer/close", url.Values{"counted": {dollars(expected - 50)}, "note": {"50c short"}, "confirm": {"1"}})
	wantRedirect(t, resp, "/boxoffice/drawer/"+fmtInt(e.drawer))
	resp, doc = e.staff.get(resp.Header.Get("Location"))
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, "drawer-difference"); got != "-$0.50" {
		t.Errorf("difference %q", got)
	}
	if doc.Find(`[data-print]`).Length() != 1 || doc.Find(`[data-testid="drawer-closed"]`).Length() != 1 {
		t.Error("no print button or closed banner on the summary")
	}
	if e.auditCount("cashup.close") != 1 {
		t.Error("close not audited")
	}
	resp, _ = e.staff.submit("/boxoffice/drawer", "/boxoffice/drawer/close", url.Values{"counted": {"1"}, "confirm": {"1"}})
	wantStatus(t, resp, http.StatusConflict)

	// No drawer: a cash sale and a cash refund are refused and change nothing; card sells.
	orders := e.orders()
	resp, doc = e.sell(url.Values{"seats": {"D1"}, "tender": {"cash"}, "cash": {"100"}})
	wantStatus(t, resp, http.StatusConflict)
	if !strings.Contains(errorText(doc), "Open your cash drawer first") {
		t.Errorf("message: %s", errorText(doc))
	}
	resp, _ = e.sell(url.Values{"seats": {"D1"}, "tender": {"split"}, "card_amount": {"1"}, "cash": {"100"}, "reference": {"T"}})
	wantStatus(t, resp, http.StatusConflict)
	if e.orders() != orders {
		t.Fatal("a refused cash sale made an order")
	}
	resp, _ = e.staff.submit(page, page+"/cancel", url.Values{"seat": {"C2"}, "confirm": {"1"}, "override": {"1"}, "reason": {"x"}, "refund_to": {"cash"}})
	wantStatus(t, resp, http.StatusConflict)
	if o, _ := e.db.OrderByCode(ctx, cashCode); o.Items[1].Status != booking.ItemSold {
		t.Fatal("a refused cash refund cancelled the seat")
	}
	resp, _ = e.sell(url.Values{"seats": {"D1"}, "tender": {"card"}, "reference": {"T-2"}})
	wantRedirect(t, resp, "/boxoffice/orders/")

	// Open again through the form: a till in use by someone else is refused.
	resp, _ = e.staff.submit("/boxoffice/drawer", "/boxoffice/drawer/open", url.Values{"till": {"Till 2"}, "float": {"-5"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = e.staff.submit("/boxoffice/drawer", "/boxoffice/drawer/open", url.Values{"till": {"Till 2"}, "float": {"80"}})
	wantRedirect(t, resp, "/boxoffice/drawer")
	resp, _ = e.staff.submit("/boxoffice/drawer", "/boxoffice/drawer/open", url.Values{"till": {"Till 3"}, "float": {"80"}})
	wantStatus(t, resp, http.StatusConflict) // one open drawer per member of staff
	other, _ := e.staffAt("other@example.com", booking.RoleStaff, e.theatre)
	resp, _ = other.submit("/boxoffice/drawer", "/boxoffice/drawer/open", url.Values{"till": {"till 2"}, "float": {"50"}})
	wantStatus(t, resp, http.StatusConflict) // Till 2 is taken
	if e.auditCount("cashup.open") != 1 {
		t.Errorf("%d open audits", e.auditCount("cashup.open"))
	}
	// Another member of staff can't read my drawer; a customer can't reach any.
	resp, _ = other.get("/boxoffice/drawer/" + fmtInt(e.drawer))
	wantStatus(t, resp, http.StatusForbidden)
	cust := e.signedIn("cust@example.com", booking.RoleCustomer)
	resp, _ = cust.get("/boxoffice/drawer")
	wantStatus(t, resp, http.StatusForbidden)
}

// Managers see every drawer session of their theatres, and only those.
func TestManageCashup(t *testing.T) {
	e := newBoxEnv(t)
	e.paidTickets(url.Values{"seats": {"A7"}})
	mgr, _ := e.staffAt("boss@example.com", booking.RoleManager, e.theatre)
	resp, doc := mgr.get("/manage/cashup")
	wantStatus(t, resp, http.StatusOK)
	rows := doc.Find(`[data-testid="cashup-session"]`)
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "Till 1") || !strings.Contains(rows.Text(), "till") {
		t.Fatalf("%d sessions: %s", rows.Length(), rows.Text())
	}
	if doc.Find(`nav[aria-label="Manage"] a[aria-current="page"]`).Text() != "Cash-up" {
		t.Error("the manager nav doesn't mark Cash-up")
	}
	_, doc = mgr.get("/manage/cashup?q=nobody")
	if doc.Find(`[data-testid="cashup-none"]`).Length() != 1 {
		t.Error("search for nobody found sessions")
	}
	resp, _ = mgr.get("/manage/cashup/" + fmtInt(e.drawer))
	wantStatus(t, resp, http.StatusOK)
	// A manager of another theatre sees none of them.
	elsewhere := dbtest.AddShowtime(t, e.db, e.clock.Now().Add(time.Hour))
	far, _ := e.staffAt("far@example.com", booking.RoleManager, theatreOf(t, e.accEnv, elsewhere))
	_, doc = far.get("/manage/cashup")
	if doc.Find(`[data-testid="cashup-session"]`).Length() != 0 {
		t.Error("a manager of another theatre sees the session")
	}
	resp, _ = far.get("/manage/cashup/" + fmtInt(e.drawer))
	wantStatus(t, resp, http.StatusForbidden)
	resp, _ = far.get("/manage/cashup?theatre=" + fmtInt(e.theatre))
	wantStatus(t, resp, http.StatusForbidden)
	// Staff are not managers.
	resp, _ = e.staff.get("/manage/cashup")
	wantStatus(t, resp, http.StatusForbidden)
}

// A refund at the counter goes back as chosen: cash from the drawer, or to
// the card — the terminal's at once, an online payment's through the
// payment service — never beyond what the chosen payment has left.
func TestCounterRefundTenders(t *testing.T) {
	gw := newFakeGateway(t)
	e := newBoxEnv(t, func(_ *config.Config, d *app.Deps) { d.Gateway = gw })
	ctx := context.Background()
	cashCode, _ := e.paidTickets(url.Values{"seats": {"B1"}})
	page := "/boxoffice/orders/" + cashCode
	refund := func(code string, form url.Values) *http.Response {
		form.Set("confirm", "1")
		form.Set("override", "1")
		form.Set("reason", "test")
		resp, _ := e.staff.submit("/boxoffice/orders/"+code, "/boxoffice/orders/"+code+"/cancel", form)
		return resp
	}
	// Paid in cash only: not to a card.
	wantStatus(t, refund(cashCode, url.Values{"all": {"1"}, "refund_to": {"card"}}), http.StatusConflict)
	wantStatus(t, refund(cashCode, url.Values{"all": {"1"}}), http.StatusUnprocessableEntity) // no choice made
	if o, _ := e.db.OrderByCode(ctx, cashCode); o.Status != booking.OrderPaid {
		t.Fatalf("refused refunds changed the order: %s", o.Status)
	}
	_, doc := e.staff.get(page)
	if v, _ := doc.Find(`input[name="refund_to"][checked]`).Attr("value"); v != "cash" {
		t.Errorf("preselected %q for a cash order", v)
	}
	// Split $10 on the card: refunding both seats to the card is more than it has.
	resp, _ := e.sell(url.Values{"seats": {"B5 B6"}, "tender": {"split"}, "card_amount": {"10"}, "cash": {"50"}, "reference": {"T9"}})
	wantRedirect(t, resp, "/boxoffice/orders/")
	split := strings.TrimSuffix(strings.TrimPrefix(resp.Header.Get("Location"), "/boxoffice/orders/"), "?sold=1")
	wantStatus(t, refund(split, url.Values{"all": {"1"}, "refund_to": {"card"}}), http.StatusUnprocessableEntity)
	if o, _ := e.db.OrderByCode(ctx, split); o.Status != booking.OrderPaid || o.Items[0].Status != booking.ItemSold {
		t.Fatalf("a refund beyond the card part changed the order: %s", o.Status)
	}
	wantRedirect(t, refund(split, url.Values{"seat": {"B5"}, "refund_to": {"cash"}}), "/boxoffice/orders/"+split) // one seat fits the cash part

	// Card on the terminal: handed back at once, counted as a card refund of the drawer.
	resp, _ = e.sell(url.Values{"seats": {"B9"}, "tender": {"card"}, "reference": {"T10"}})
	card := strings.TrimSuffix(strings.TrimPrefix(resp.Header.Get("Location"), "/boxoffice/orders/"), "?sold=1")
	resp = refund(card, url.Values{"all": {"1"}, "refund_to": {"card"}})
	wantRedirect(t, resp, "/boxoffice/orders/"+card)
	_, doc = e.staff.get("/boxoffice/orders/" + card)
	if f := text(doc, "flash"); !strings.Contains(f, "on the card terminal") {
		t.Errorf("flash %q", f)
	}
	if n := e.count(`SELECT count(*) FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.code = $1 AND r.tender = 'card' AND r.status = 'succeeded' AND r.drawer_session_id = $2`, card, e.drawer); n != 1 {
		t.Errorf("%d settled card refunds in the drawer", n)
	}
	// Paid online: to the card through the payment service (the gateway is called).
	online := dbtest.PaidOrder(t, e.db, e.show, "web@example.com", nil, e.clock.Now(), e.show.SeatIDs[100])
	if _, err := dbtest.SQL(t, e.db).Exec(`INSERT INTO payments (order_id, provider, kind, status, amount_cents, currency, provider_ref, created_at, updated_at)
		VALUES ($1, 'stripe', 'checkout', 'succeeded', $2, 'usd', 'pi_web', $3, $3)`, online.ID, online.TotalCents, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, refund(online.Code, url.Values{"all": {"1"}, "refund_to": {"card"}}), "/boxoffice/orders/"+online.Code)
	gw.mu.Lock()
	sent := len(gw.refunds)
	gw.mu.Unlock()
	if sent != 1 {
		t.Fatalf("%d refunds sent to the gateway, want 1", sent)
	}
	// …or in cash from the drawer, against the online payment: no gateway call.
	online2 := dbtest.PaidOrder(t, e.db, e.show, "web2@example.com", nil, e.clock.Now(), e.show.SeatIDs[101])
	if _, err := dbtest.SQL(t, e.db).Exec(`INSERT INTO payments (order_id, provider, kind, status, amount_cents, currency, provider_ref, created_at, updated_at)
		VALUES ($1, 'stripe', 'checkout', 'succeeded', $2, 'usd', 'pi_web2', $3, $3)`, online2.ID, online2.TotalCents, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, refund(online2.Code, url.Values{"all": {"1"}, "refund_to": {"cash"}}), "/boxoffice/orders/"+online2.Code)
	gw.mu.Lock()
	sent = len(gw.refunds)
	gw.mu.Unlock()
	if sent != 1 {
		t.Errorf("a cash refund went to the gateway")
	}
	if n := e.count(`SELECT count(*) FROM refunds WHERE tender = 'cash' AND status = 'succeeded' AND drawer_session_id = $1`, e.drawer); n != 2 {
		t.Errorf("%d cash refunds in the drawer, want 2 (split, online)", n)
	}
}
