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
	"marquee/db/dbtest"
)

// priceEnv has one showtime (theatre A, the shared dbtest card), a second
// theatre B with a card of its own, and staff of the roles the tests need.
type priceEnv struct {
	*accEnv
	show       dbtest.Show
	theatreA   int64
	theatreB   int64
	cardB      int64
	manager    *client // manager of theatre A
	admin      *client
	adminEmail string
}

func newPriceEnv(t *testing.T) *priceEnv {
	t.Helper()
	e := &priceEnv{accEnv: newAccEnv(t)}
	e.show = dbtest.AddShowtime(t, e.db, e.clock.Now().Add(26*time.Hour))
	raw := dbtest.SQL(t, e.db)
	if err := raw.Get(&e.theatreA, `SELECT theatre_id FROM auditoriums WHERE id = $1`, e.show.AuditoriumID); err != nil {
		t.Fatal(err)
	}
	if err := raw.Get(&e.theatreB, `INSERT INTO theatres (slug, name, time_zone) VALUES ('b', 'Bijou B', 'UTC') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	id, err := e.db.CreatePriceCard(context.Background(), booking.PriceCard{Name: "B's evening", Currency: "usd", TheatreID: &e.theatreB,
		DayParts: booking.DefaultDayPartRules(),
		Prices:   []booking.Price{{TicketType: "adult", SeatKind: booking.SeatStandard, AmountCents: 1100}}}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.cardB = id
	e.manager = e.staffOf("boss@example.com", booking.RoleManager, e.theatreA)
	e.adminEmail = "root@example.com"
	e.admin = e.signedIn(e.adminEmail, booking.RoleAdmin)
	return e
}

// staffOf signs in a new member of staff of role belonging to theatres.
func (e *priceEnv) staffOf(email string, role booking.Role, theatres ...int64) *client {
	e.t.Helper()
	u := e.user(email, "correct horse battery", role, true)
	if _, err := e.db.SetStaffTheatres(context.Background(), u.ID, theatres); err != nil {
		e.t.Fatal(err)
	}
	cl := e.client()
	if resp, _ := cl.login(email, "correct horse battery", false); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d", email, resp.StatusCode)
	}
	return cl
}

func (e *priceEnv) cardPath(id int64) string { return "/manage/prices/cards/" + fmtInt(id) }

// lastAudit is the newest audit entry of an action: how many there are and its data.
func (e *priceEnv) lastAudit(action string) (int, string) {
	e.t.Helper()
	var n int
	var data string
	raw := dbtest.SQL(e.t, e.db)
	if err := raw.Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1`, action); err != nil {
		e.t.Fatal(err)
	}
	if n > 0 {
		if err := raw.Get(&data, `SELECT data::text FROM audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1`, action); err != nil {
			e.t.Fatal(err)
		}
	}
	return n, data
}

func alertText(doc *goquery.Document) string {
	return strings.TrimSpace(doc.Find(`[data-testid="form-error"]`).Text())
}

// Customers and box-office staff may not see or change prices; guests are sent to sign in.
func TestManagePricesNeedsManager(t *testing.T) {
	e := newPriceEnv(t)
	resp, _ := e.client().get("/manage/prices")
	wantRedirect(t, resp, "/login")
	for _, role := range []booking.Role{booking.RoleCustomer, booking.RoleStaff} {
		cl := e.staffOf(string(role)+"@example.com", role, e.theatreA)
		for _, p := range []string{"/manage/prices", "/manage/prices/cards/new", e.cardPath(e.show.PriceCardID)} {
			resp, _ := cl.get(p)
			wantStatus(t, resp, http.StatusForbidden)
		}
		cl.get("/account") // for a CSRF token
		posts := map[string]url.Values{
			"/manage/prices/types":                     {"code": {"vip"}, "name": {"VIP"}},
			"/manage/prices/types/adult":               {"name": {"Grown-up"}},
			"/manage/prices/types/adult/retire":        nil,
			"/manage/prices/types/child/delete":        {"confirm": {"yes"}},
			"/manage/prices/cards":                     {"theatre": {fmtInt(e.theatreA)}, "name": {"Mine"}, "currency": {"usd"}},
			e.cardPath(e.show.PriceCardID):             {"name": {"Cheap"}, "currency": {"usd"}, "p|all|adult|k:standard": {"1"}},
			e.cardPath(e.show.PriceCardID) + "/delete": {"confirm": {"yes"}},
		}
		for p, form := range posts {
			resp, _ := cl.post(p, form)
			wantStatus(t, resp, http.StatusForbidden)
		}
	}
	if n, _ := e.lastAudit("price_card.updated"); n != 0 {
		t.Fatal("a refused change was audited")
	}
	card, _ := e.db.PriceCard(context.Background(), e.show.PriceCardID)
	if len(card.Prices) != 6 || card.Name == "Cheap" {
		t.Fatalf("card changed: %+v", card)
	}
}

// A manager sees the shared cards (read only) and their theatres' cards,
// never another theatre's; ticket types are read only; the list filters.
func TestManagePricesList(t *testing.T) {
	e := newPriceEnv(t)
	resp, doc := e.manager.get("/manage/prices")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`nav[aria-label="Manage"] a[aria-current="page"]`).Text() != "Prices" {
		t.Error("the manager nav doesn't mark Prices")
	}
	rows := doc.Find(`[data-testid="card-row"]`)
	if rows.Length() != 1 || rows.AttrOr("data-card", "") != fmtInt(e.show.PriceCardID) || !strings.Contains(rows.Text(), "read only") {
		t.Fatalf("manager's cards: %d %q", rows.Length(), rows.Text())
	}
	if !strings.Contains(rows.Text(), "All theatres") {
		t.Errorf("shared card row %q", rows.Text())
	}
	if doc.Find(`[data-testid="types-read-only"]`).Length() != 1 || doc.Find(`[data-testid="type-form"]`).Length() != 0 {
		t.Error("a manager is offered ticket type forms")
	}
	if doc.Find(`[data-testid="type-row"]`).Length() != 3 {
		t.Errorf("%d ticket types", doc.Find(`[data-testid="type-row"]`).Length())
	}
	if k, _ := doc.Find(`[data-testid="new-card"]`).Attr("data-key"); k != "n" {
		t.Error("no N shortcut for a new card")
	}
	// An admin sees every card and edits ticket types; the search filters both lists.
	_, doc = e.admin.get("/manage/prices")
	if n := doc.Find(`[data-testid="card-row"]`).Length(); n != 2 {
		t.Fatalf("admin sees %d cards", n)
	}
	if doc.Find(`[data-testid="type-form"]`).Length() != 3 || doc.Find(`[data-testid="new-type-form"]`).Length() != 1 {
		t.Error("admin has no ticket type forms")
	}
	_, doc = e.admin.get("/manage/prices?q=bijou")
	if n := doc.Find(`[data-testid="card-row"]`).Length(); n != 1 || doc.Find(`[data-testid="type-row"]`).Length() != 0 {
		t.Fatalf("search bijou: %d cards, %d types", n, doc.Find(`[data-testid="type-row"]`).Length())
	}
	_, doc = e.admin.get("/manage/prices?q=CHI")
	if doc.Find(`[data-testid="type-row"]`).Length() != 1 || doc.Find(`[data-testid="card-row"]`).Length() != 0 {
		t.Fatal("search chi")
	}
	// Another theatre's card is not even readable for the manager.
	resp, _ = e.manager.get(e.cardPath(e.cardB))
	wantStatus(t, resp, http.StatusForbidden)
	resp, _ = e.manager.get(e.cardPath(999999))
	wantStatus(t, resp, http.StatusNotFound)
	// The shared card reads, but its form is disabled.
	resp, doc = e.manager.get(e.cardPath(e.show.PriceCardID))
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`[data-testid="read-only"]`).Length() != 1 || doc.Find(`[data-testid="card-form"] fieldset[disabled]`).Length() == 0 ||
		doc.Find(`[data-testid="delete-card"]`).Length() != 0 {
		t.Error("the shared card looks editable to a manager")
	}
	if v, _ := doc.Find(`input[name="p|all|adult|k:premium"]`).Attr("value"); v != "16.50" {
		t.Errorf("adult premium shows %q", v)
	}
}

func TestTicketTypesCRUD(t *testing.T) {
	e := newPriceEnv(t)
	page := "/manage/prices"
	// Managers may not change the shared ticket types.
	e.manager.get(page)
	resp, doc := e.manager.post("/manage/prices/types", url.Values{"code": {"vip"}, "name": {"VIP"}})
	wantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(errorText(doc), "administrator") {
		t.Errorf("manager refused: %s", errorText(doc))
	}

	// Bad input: 422 with the message at the field, nothing made.
	for _, form := range []url.Values{
		{"code": {"V I P"}, "name": {"VIP"}},
		{"code": {"vip"}, "name": {""}},
		{"code": {"vip"}, "name": {"VIP"}, "max_age": {"twelve"}},
		{"code": {"vip"}, "name": {"VIP"}, "max_age": {"-3"}},
		{"code": {"vip"}, "name": {"VIP"}, "sort": {"1.5"}},
	} {
		resp, doc := e.admin.submit(page, "/manage/prices/types", form)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if alertText(doc) == "" || doc.Find(`[aria-invalid="true"]`).Length() != 1 {
			t.Errorf("%v: no message at the field", form)
		}
		if v, _ := doc.Find(`#t-new-code`).Attr("value"); v != form.Get("code") {
			t.Errorf("typed code not kept: %q", v)
		}
	}
	// Add, then the same code again: 409.
	teen := url.Values{"code": {"teen"}, "name": {"Teen"}, "sort": {"5"}, "max_age": {"15"}, "proof": {"yes"}, "proof_note": {"proof of age"}}
	resp, _ = e.admin.submit(page, "/manage/prices/types", teen)
	wantRedirect(t, resp, "/manage/prices")
	resp, _ = e.admin.submit(page, "/manage/prices/types", teen)
	wantStatus(t, resp, http.StatusConflict)
	tt, err := e.db.TicketType(context.Background(), "teen")
	if err != nil || tt.MaxAge == nil || *tt.MaxAge != 15 || !tt.ProofRequired || tt.Sort != 5 {
		t.Fatalf("teen %+v %v", tt, err)
	}
	if n, data := e.lastAudit("ticket_type.created"); n != 1 || !strings.Contains(data, `"after"`) || !strings.Contains(data, "teen") {
		t.Fatalf("created audit %d %s", n, data)
	}

	// Edit: before and after in the audit log; an unchanged save isn't audited.
	resp, _ = e.admin.submit(page, "/manage/prices/types/teen", url.Values{"name": {"Teenager"}, "sort": {"5"}, "max_age": {"15"}, "proof": {"yes"}, "proof_note": {"proof of age"}})
	wantRedirect(t, resp, "/manage/prices")
	n, data := e.lastAudit("ticket_type.updated")
	if n != 1 || !strings.Contains(data, `"before": {`) && !strings.Contains(data, `"before":{`) || !strings.Contains(data, "Teenager") {
		t.Fatalf("updated audit %d %s", n, data)
	}
	e.admin.submit(page, "/manage/prices/types/teen", url.Values{"name": {"Teenager"}, "sort": {"5"}, "max_age": {"15"}, "proof": {"yes"}, "proof_note": {"proof of age"}})
	if n, _ := e.lastAudit("ticket_type.updated"); n != 1 {
		t.Errorf("an unchanged save was audited (%d)", n)
	}
	resp, doc = e.admin.submit(page, "/manage/prices/types/teen", url.Values{"name": {"Teenager"}, "max_age": {"200"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if v, _ := doc.Find(`#t-teen-max_age`).Attr("value"); v != "200" {
		t.Errorf("typed age not kept: %q", v)
	}
	resp, _ = e.admin.submit(page, "/manage/prices/types/nope", url.Values{"name": {"Nope"}})
	wantStatus(t, resp, http.StatusNotFound)

	// Delete needs the box ticked; an unused type goes.
	resp, _ = e.admin.submit(page, "/manage/prices/types/teen/delete", nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = e.admin.submit(page, "/manage/prices/types/teen/delete", url.Values{"confirm": {"yes"}})
	wantRedirect(t, resp, "/manage/prices")
	if n, _ := e.lastAudit("ticket_type.deleted"); n != 1 {
		t.Fatal("delete not audited")
	}

	// A sold type is retired, not deleted: orders keep it, it isn't sold any more.
	order := dbtest.PaidOrder(t, e.db, e.show, "a@example.com", nil, e.clock.Now(), e.show.SeatIDs[40])
	resp, doc = e.admin.submit(page, "/manage/prices/types/adult/delete", url.Values{"confirm": {"yes"}})
	wantStatus(t, resp, http.StatusConflict)
	if !strings.Contains(alertText(doc), "retire it instead") {
		t.Errorf("in use: %q", alertText(doc))
	}
	resp, _ = e.admin.submit(page, "/manage/prices/types/adult/retire", nil)
	wantRedirect(t, resp, "/manage/prices")
	_, doc = e.admin.get(page)
	if doc.Find(`[data-testid="type-row"][data-code="adult"] [data-testid="retired"]`).Length() != 1 {
		t.Error("adult not shown retired")
	}
	if n, data := e.lastAudit("ticket_type.retired"); n != 1 || !strings.Contains(data, "retiredAt") {
		t.Fatalf("retired audit %d %s", n, data)
	}
	o, _ := e.db.OrderByCode(context.Background(), order.Code)
	if o.Items[0].TicketType != "adult" {
		t.Fatalf("the order lost its type: %+v", o.Items)
	}
	resp, _ = e.admin.submit(page, "/manage/prices/types/adult/restore", nil)
	wantRedirect(t, resp, "/manage/prices")
	if tt, _ := e.db.TicketType(context.Background(), "adult"); tt.RetiredAt != nil {
		t.Fatal("adult still retired")
	}
}

// cardForm is a new card's form with prices: adult standard 12.00 all day,
// 14.00 at weekends, zone "front" 8.00, child standard 9.00.
func cardForm(theatre int64, name string) url.Values {
	return url.Values{
		"theatre": {fmtInt(theatre)}, "name": {name}, "currency": {"usd"}, "format": {""},
		"matinee_ends": {"16:30"}, "weekend": {"6", "0"},
		"p|all|adult|k:standard":     {"12"},
		"p|weekend|adult|k:standard": {"14.00"},
		"p|all|adult|new":            {"8"},
		"new_zone":                   {"front"},
		"p|all|child|k:standard":     {"9.00"},
		"p|matinee|child|k:premium":  {""},
	}
}

func TestPriceCardEditor(t *testing.T) {
	e := newPriceEnv(t)
	ctx := context.Background()
	resp, doc := e.manager.get("/manage/prices/cards/new")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`select[name="theatre"] option`).Length() != 1 { // theatre A only, no "shared"
		t.Errorf("theatre choices: %q", doc.Find(`select[name="theatre"]`).Text())
	}
	// Another theatre, or a shared card: 403.
	resp, _ = e.manager.post("/manage/prices/cards", cardForm(e.theatreB, "Sneaky"))
	wantStatus(t, resp, http.StatusForbidden)
	shared := cardForm(0, "Sneaky")
	shared.Set("theatre", "")
	resp, _ = e.manager.post("/manage/prices/cards", shared)
	wantStatus(t, resp, http.StatusForbidden)

	// Bad amounts: 422, the typed values kept, nothing saved.
	for bad, want := range map[string]string{"-1": "negative", "12.505": "whole number of cents", "abc": "like 12", "1e3": "like 12", "99999": "not cents"} {
		f := cardForm(e.theatreA, "Ours")
		f.Set("p|all|adult|k:premium", bad)
		resp, doc := e.manager.submit("/manage/prices/cards/new", "/manage/prices/cards", f)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if !strings.Contains(alertText(doc), want) || !strings.Contains(alertText(doc), "adult, premium") {
			t.Errorf("%q: message %q", bad, alertText(doc))
		}
		if v, _ := doc.Find(`input[name="p|all|adult|k:premium"]`).Attr("value"); v != bad {
			t.Errorf("%q: typed value shows %q", bad, v)
		}
		if doc.Find(`input[name="p|all|adult|k:premium"][aria-invalid="true"]`).Length() != 1 {
			t.Errorf("%q: the cell isn't marked", bad)
		}
	}
	for field, value := range map[string]string{"name": "", "currency": "dollars", "matinee_ends": "25:00", "weekend": "9"} {
		f := cardForm(e.theatreA, "Ours")
		f.Set(field, value)
		resp, _ := e.manager.submit("/manage/prices/cards/new", "/manage/prices/cards", f)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
	}
	f := cardForm(e.theatreA, "Ours")
	f.Del("new_zone")
	resp, doc = e.manager.submit("/manage/prices/cards/new", "/manage/prices/cards", f)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(alertText(doc), "Name the new zone") {
		t.Errorf("zone without a name: %q", alertText(doc))
	}
	var n int
	dbtest.SQL(t, e.db).Get(&n, `SELECT count(*) FROM price_cards WHERE theatre_id = $1`, e.theatreA)
	if n != 0 {
		t.Fatalf("%d cards saved by refused forms", n)
	}

	// Made: its page shows the prices as typed; the audit has it.
	resp, _ = e.manager.submit("/manage/prices/cards/new", "/manage/prices/cards", cardForm(e.theatreA, "Ours"))
	wantRedirect(t, resp, "/manage/prices/cards/")
	var id int64
	if err := dbtest.SQL(t, e.db).Get(&id, `SELECT id FROM price_cards WHERE theatre_id = $1`, e.theatreA); err != nil {
		t.Fatal(err)
	}
	card, err := e.db.PriceCard(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(card.Prices) != 4 || card.DayParts.MatineeEnds != 16*time.Hour+30*time.Minute || len(card.DayParts.Weekend) != 2 {
		t.Fatalf("card %+v", card)
	}
	if p, _ := card.Price("adult", booking.Seat{Kind: booking.SeatStandard, Zone: "front"}); p != 800 {
		t.Errorf("zone price %d", p)
	}
	if n, data := e.lastAudit("price_card.created"); n != 1 || !strings.Contains(data, `"front"`) {
		t.Fatalf("created audit %d %s", n, data)
	}
	resp, doc = e.manager.get(e.cardPath(id))
	wantStatus(t, resp, http.StatusOK)
	for name, want := range map[string]string{"p|all|adult|k:standard": "12.00", "p|weekend|adult|k:standard": "14.00", "p|all|adult|z:front": "8.00", "p|evening|adult|k:standard": ""} {
		if v, _ := doc.Find(`input[name="` + name + `"]`).Attr("value"); v != want {
			t.Errorf("%s shows %q, want %q", name, v, want)
		}
	}
	// The same name in the same theatre: 409.
	resp, _ = e.manager.submit("/manage/prices/cards/new", "/manage/prices/cards", cardForm(e.theatreA, "OURS"))
	wantStatus(t, resp, http.StatusConflict)

	// Saved with a price changed: before and after audited; a paid order keeps its price.
	order := dbtest.PaidOrder(t, e.db, e.show, "a@example.com", nil, e.clock.Now(), e.show.SeatIDs[30])
	save := cardForm(e.theatreA, "Ours")
	save.Del("theatre")
	save.Del("new_zone")
	save.Del("p|all|adult|new")
	save.Set("p|all|adult|z:front", "8.50")
	save.Set("p|all|adult|k:standard", "13")
	resp, _ = e.manager.submit(e.cardPath(id), e.cardPath(id), save)
	wantRedirect(t, resp, e.cardPath(id))
	n, data := e.lastAudit("price_card.updated")
	if n != 1 || !strings.Contains(data, `"before"`) || !strings.Contains(data, "1200") || !strings.Contains(data, "1300") {
		t.Fatalf("updated audit %d %s", n, data)
	}
	if card, _ := e.db.PriceCard(ctx, id); len(card.Prices) != 4 {
		t.Fatalf("after save %+v", card.Prices)
	}
	// The shared card too (an admin), then the order is checked.
	resp, _ = e.admin.submit(e.cardPath(e.show.PriceCardID), e.cardPath(e.show.PriceCardID), url.Values{
		"name": {"Standard"}, "currency": {"usd"}, "matinee_ends": {"17:00"}, "p|all|adult|k:standard": {"20"}})
	wantRedirect(t, resp, e.cardPath(e.show.PriceCardID))
	o, _ := e.db.OrderByCode(ctx, order.Code)
	if o.Items[0].PriceCents != 1250 || o.SubtotalCents != 1250 {
		t.Fatalf("the paid order changed: %+v", o)
	}
	// Refused saves: a bad amount (nothing saved), another theatre's card, the shared card (manager).
	bad := cardForm(e.theatreA, "Ours")
	bad.Set("p|all|adult|k:standard", "-5")
	resp, _ = e.manager.submit(e.cardPath(id), e.cardPath(id), bad)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if card, _ := e.db.PriceCard(ctx, id); card.Prices[0].AmountCents < 0 {
		t.Fatal("a negative price was saved")
	}
	resp, _ = e.manager.post(e.cardPath(e.cardB), save)
	wantStatus(t, resp, http.StatusForbidden)
	resp, _ = e.manager.post(e.cardPath(e.show.PriceCardID), save)
	wantStatus(t, resp, http.StatusForbidden)

	// Delete: confirmed; a card showtimes sell by stays.
	resp, _ = e.admin.submit(e.cardPath(e.show.PriceCardID), e.cardPath(e.show.PriceCardID)+"/delete", url.Values{"confirm": {"yes"}})
	wantStatus(t, resp, http.StatusConflict)
	resp, _ = e.manager.submit(e.cardPath(id), e.cardPath(id)+"/delete", nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = e.manager.post(e.cardPath(e.cardB)+"/delete", url.Values{"confirm": {"yes"}})
	wantStatus(t, resp, http.StatusForbidden)
	resp, _ = e.manager.submit(e.cardPath(id), e.cardPath(id)+"/delete", url.Values{"confirm": {"yes"}})
	wantRedirect(t, resp, "/manage/prices")
	if n, _ := e.lastAudit("price_card.deleted"); n != 1 {
		t.Fatal("delete not audited")
	}
	resp, _ = e.manager.get(e.cardPath(id))
	wantStatus(t, resp, http.StatusNotFound)
}
