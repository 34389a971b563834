package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db/dbtest"
)

// cinemaForm is the settings form as an administrator sends it, valid.
func cinemaForm() url.Values {
	return url.Values{
		"hold_minutes": {"7"}, "max_seats": {"6"}, "booking_fee": {"1.25"},
		"cancel_online": {"1"}, "cancel_cutoff_minutes": {"60"}, "cancel_fee": {"0.50"}, "cancel_fee_percent": {"10"},
		"reminder_minutes": {"120"}, "trailers_minutes": {"15"}, "cleaning_minutes": {"25"},
		"day_ends_hour": {"5"}, "week_starts": {"4"},
	}
}

func theatreForm(name string) url.Values {
	return url.Values{
		"name": {name}, "city": {"New York"}, "address": {"1 Broadway"}, "time_zone": {"America/New_York"},
		"currency": {"usd"}, "tax_model": {string(booking.TaxAdded)}, "tax_rate": {"8.875"},
		"seller_name": {"Test Cinemas NY LLC"}, "seller_address": {"1 Broadway, New York"}, "tax_id": {"EIN 13-1234567"},
		"max_seats": {"4"},
	}
}

func settingsAudit(t *testing.T, e *accEnv, action string) []map[string]any {
	t.Helper()
	entries, _, err := e.db.AuditLog(context.Background(), booking.AuditFilter{Action: action, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, en := range entries {
		var m map[string]any
		if err := json.Unmarshal(en.Data, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// Only administrators reach the settings pages; everyone else gets 403 (a
// visitor: the sign-in page), for reading and for saving.
func TestAdminSettingsPagesAreForAdminsOnly(t *testing.T) {
	e := newAccEnv(t)
	show := dbtest.AddShowtime(t, e.db, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC))
	th := "/admin/theatres/" + strconv.FormatInt(show.TheatreID, 10)
	admin := e.signedIn("admin@example.com", booking.RoleAdmin)
	for _, p := range []string{"/admin/settings", "/admin/theatres", th} {
		resp, _ := admin.get(p)
		wantStatus(t, resp, 200)
	}
	for _, role := range []booking.Role{booking.RoleCustomer, booking.RoleStaff, booking.RoleManager} {
		cl := e.signedIn(string(role)+"@example.com", role)
		for _, p := range []string{"/admin/settings", "/admin/theatres", th} {
			if resp, _ := cl.get(p); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", role, p, resp.StatusCode)
			}
		}
		cl.get("/account")
		if resp, _ := cl.post("/admin/settings", cinemaForm()); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST settings: %d", role, resp.StatusCode)
		}
		if resp, _ := cl.post(th, theatreForm("Hijacked")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST theatre: %d", role, resp.StatusCode)
		}
	}
	if resp, _ := e.client().get("/admin/settings"); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("visitor: %d", resp.StatusCode)
	}
	if c, _ := e.db.CinemaSettings(context.Background()); c.MaxSeatsPerCart != 10 {
		t.Fatalf("a refused request changed the settings: %+v", c)
	}
	if resp, _ := admin.get("/admin/theatres/999999"); resp.StatusCode != 404 {
		t.Fatalf("unknown theatre: %d", resp.StatusCode)
	}
}

func TestAdminSavesCinemaSettings(t *testing.T) {
	e := newAccEnv(t)
	admin := e.signedIn("admin@example.com", booking.RoleAdmin)
	resp, doc := admin.get("/admin/settings")
	wantStatus(t, resp, 200)
	if v, _ := doc.Find(`#f-hold_minutes`).Attr("value"); v != "10" {
		t.Fatalf("hold minutes shown: %q", v)
	}
	if doc.Find(`nav[aria-label="Administration"] a[href="/admin/settings"]`).Length() != 1 ||
		doc.Find(`nav[aria-label="Administration"] a[href="/admin/theatres"]`).Length() != 1 {
		t.Fatal("settings and theatres missing from the admin nav")
	}

	// Every bad field gets its own message; nothing is saved.
	bad := cinemaForm()
	bad.Set("hold_minutes", "soon")
	bad.Set("max_seats", "0")
	bad.Set("booking_fee", "1.234")
	bad.Set("cancel_fee_percent", "150")
	bad.Set("week_starts", "9")
	resp, doc = admin.post("/admin/settings", bad)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	for _, f := range []string{"hold_minutes", "max_seats", "booking_fee", "cancel_fee_percent", "week_starts"} {
		if doc.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("no message for %s", f)
		}
	}
	if doc.Find(`[data-testid="error-cleaning_minutes"]`).Length() != 0 {
		t.Error("a good field got a message")
	}
	if v, _ := doc.Find(`#f-hold_minutes`).Attr("value"); v != "soon" {
		t.Errorf("typed value not kept: %q", v)
	}
	if c, _ := e.db.CinemaSettings(context.Background()); c.MaxSeatsPerCart != 10 || c.HoldLength != 10*time.Minute {
		t.Fatalf("saved anyway: %+v", c)
	}
	if len(settingsAudit(t, e, "settings.")) != 0 {
		t.Fatal("a refused change was audited")
	}

	// A good form is saved, in force, and audited with before and after.
	resp, _ = admin.post("/admin/settings", cinemaForm())
	wantRedirect(t, resp, "/admin/settings")
	c, _ := e.db.CinemaSettings(context.Background())
	if c.HoldLength != 7*time.Minute || c.MaxSeatsPerCart != 6 || c.BookingFeeCents != 125 || c.Cancel.Cutoff != time.Hour ||
		c.Cancel.FeeCents != 50 || c.Cancel.FeePercent != 10 || c.Cancel.RefundBookingFee || c.Cancel.Disabled ||
		c.ReminderBefore != 2*time.Hour || c.Programme.Trailers != 15*time.Minute || c.Programme.Cleaning != 25*time.Minute ||
		c.Reports.BusinessDayEnds != 5*time.Hour || c.Reports.FilmWeekStarts != time.Thursday {
		t.Fatalf("saved: %+v", c)
	}
	a := settingsAudit(t, e, "settings.cinema_changed")
	if len(a) != 1 {
		t.Fatalf("audit: %v", a)
	}
	before, after := a[0]["before"].(map[string]any), a[0]["after"].(map[string]any)
	if before["max_seats"] != "10" || after["max_seats"] != "6" || after["booking_fee"] != "1.25" {
		t.Fatalf("audit data: %v", a[0])
	}
	// Saving the same again changes nothing and audits nothing.
	admin.get("/admin/settings")
	resp, _ = admin.post("/admin/settings", cinemaForm())
	wantRedirect(t, resp, "/admin/settings")
	if len(settingsAudit(t, e, "settings.cinema_changed")) != 1 {
		t.Fatal("an unchanged save was audited")
	}
	// Unticked boxes are off.
	f := cinemaForm()
	f.Del("cancel_online")
	admin.post("/admin/settings", f)
	if c, _ := e.db.CinemaSettings(context.Background()); !c.Cancel.Disabled {
		t.Fatal("online cancelling still on")
	}
}

// A change on the settings page takes effect at once: the seat page of the
// same instance sells by it (the other instances: settings/store_test.go).
func TestSettingsTakeEffectAtOnce(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	acc := &accEnv{testEnv: e.testEnv}
	admin := acc.signedIn("admin@example.com", booking.RoleAdmin)
	if got := e.sales.SettingsFor(0).MaxSeatsPerCart; got != 10 {
		t.Fatalf("before: %d", got)
	}
	admin.get("/admin/settings")
	resp, _ := admin.post("/admin/settings", cinemaForm())
	wantRedirect(t, resp, "/admin/settings")
	v, err := e.sales.View(context.Background(), e.show.ShowtimeID, "")
	if err != nil || v.Set.MaxSeatsPerCart != 6 || v.Set.HoldLength != 7*time.Minute || v.Set.BookingFeeCents != 125 {
		t.Fatalf("view: %+v %v", v.Set, err)
	}
}

func TestAdminSavesTheatreSettings(t *testing.T) {
	e := newAccEnv(t)
	show := dbtest.AddShowtime(t, e.db, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC))
	path := "/admin/theatres/" + strconv.FormatInt(show.TheatreID, 10)
	admin := e.signedIn("admin@example.com", booking.RoleAdmin)
	resp, doc := admin.get("/admin/theatres?q=picture")
	wantStatus(t, resp, 200)
	if doc.Find(`[data-testid="theatre-row"]`).Length() != 1 || !strings.Contains(doc.Find(`[data-testid="theatre-tax"]`).Text(), "VAT 20% included") {
		t.Fatalf("list: %s", doc.Find(`[data-testid="theatres"]`).Text())
	}
	if _, doc = admin.get("/admin/theatres?q=nowhere"); doc.Find(`[data-testid="theatre-row"]`).Length() != 0 {
		t.Fatal("search matched nothing but listed a theatre")
	}

	bad := theatreForm("")
	bad.Set("time_zone", "Mars/Olympus")
	bad.Set("currency", "dollars")
	bad.Set("tax_rate", "8.8755")
	bad.Set("tax_model", "vat")
	bad.Set("max_seats", "99")
	admin.get(path)
	resp, doc = admin.post(path, bad)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	for _, f := range []string{"name", "time_zone", "currency", "tax_rate", "tax_model", "max_seats"} {
		if doc.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("no message for %s", f)
		}
	}
	ts, _ := e.db.TheatreSettingsAll(context.Background())
	if ts[0].Name != "Test Picturehouse" || ts[0].Tax.Model != booking.TaxIncluded {
		t.Fatalf("saved anyway: %+v", ts[0])
	}

	resp, _ = admin.post(path, theatreForm("Test Picturehouse NY"))
	wantRedirect(t, resp, path)
	ts, _ = e.db.TheatreSettingsAll(context.Background())
	got := ts[0]
	if got.Name != "Test Picturehouse NY" || got.TimeZone != "America/New_York" || got.Tax != (booking.Tax{Model: booking.TaxAdded, Rate: 8875}) ||
		got.Seller.VATID != "EIN 13-1234567" || got.Overrides.MaxSeatsPerCart == nil || *got.Overrides.MaxSeatsPerCart != 4 ||
		got.Overrides.HoldLength != nil || got.Overrides.Cancel != nil {
		t.Fatalf("saved: %+v", got)
	}
	a := settingsAudit(t, e, "settings.theatre_changed")
	if len(a) != 1 || a[0]["before"].(map[string]any)["tax_rate"] != "20" || a[0]["after"].(map[string]any)["tax_rate"] != "8.875" {
		t.Fatalf("audit: %v", a)
	}
	// Its own cancellation policy.
	f := theatreForm("Test Picturehouse NY")
	f.Set("cancel_override", "1")
	f.Set("cancel_cutoff_minutes", "30")
	f.Set("cancel_fee", "2")
	f.Set("cancel_fee_percent", "0")
	admin.post(path, f) // cancel_online unticked: no online cancelling there
	ts, _ = e.db.TheatreSettingsAll(context.Background())
	if cp := ts[0].Overrides.Cancel; cp == nil || !cp.Disabled || cp.Cutoff != 30*time.Minute || cp.FeeCents != 200 {
		t.Fatalf("cancel override: %+v", ts[0].Overrides.Cancel)
	}
}

// A sales-tax theatre's order: the tax is recorded per line when the order
// is made, added to the total (what is charged), and its receipt says
// "Sales tax 8.875 %" in dollars with the theatre's seller — never "VAT".
func TestReceiptOfSalesTaxTheatre(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{})
	dbtest.SetTheatre(t, e.acc.db, e.show.TheatreID, func(th *booking.TheatreSettings) {
		th.Name, th.TimeZone, th.Currency = "Downtown", "America/New_York", "usd"
		th.Tax = booking.Tax{Model: booking.TaxAdded, Rate: 8875}
		th.Seller = booking.Seller{Name: "Marquee NY LLC", Address: "212 Bleecker Street", VATID: "EIN 13-5550199"}
	})
	if err := e.set.Reload(context.Background()); err != nil { // no change feed in this test
		t.Fatal(err)
	}
	o := e.paid(nil, e.show.SeatIDs[2], e.show.SeatIDs[3]) // 2 × (12.50 + 1.00 fee) = 27.00, tax 2 × 1.20
	if o.TaxIncluded || o.TaxRate != 8875 || o.TaxCents() != 240 || o.TotalCents != 2700+240 ||
		o.Items[0].TaxCents != 111 || o.Items[0].FeeTaxCents != 9 { // the ticket's 12.50 × 8.875 % = 1.11, the fee's the rest
		t.Fatalf("order: %+v", o)
	}
	// The rate changes later: the receipt keeps what was recorded.
	dbtest.SetTheatre(t, e.acc.db, e.show.TheatreID, func(th *booking.TheatreSettings) { th.Tax.Rate = 4000 })
	e.set.Reload(context.Background())
	cl := e.acc.client()
	_, doc := cl.get(e.link(o.Code))
	if got := doc.Find(`[data-testid="sales-tax"]`).Text(); got != "$2.40" || doc.Find(`[data-testid="order-total"]`).Text() != "$29.40" {
		t.Fatalf("order page: sales tax %q", got)
	}
	resp, doc := cl.get("/orders/" + o.Code + "/receipt")
	wantStatus(t, resp, 200)
	text := doc.Find(`[data-testid="receipt"]`).Text()
	if strings.Contains(text, "VAT") {
		t.Fatalf("a sales-tax receipt mentions VAT:\n%s", text)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="tax-line"]`).Text()); !strings.Contains(got, "Sales tax 8.875% on $27.00") || !strings.Contains(got, "$2.40") {
		t.Fatalf("tax line: %q", got)
	}
	if got := doc.Find(`[data-testid="receipt-total"]`).Text(); got != "$29.40" {
		t.Fatalf("total: %q", got)
	}
	if doc.Find(`[data-testid="seller"]`).Text() != "Marquee NY LLC" || !strings.Contains(doc.Find(`[data-testid="tax-id"]`).Text(), "Tax ID EIN 13-5550199") {
		t.Fatalf("seller: %s", doc.Find("header").Text())
	}
	resp, _ = cl.get("/orders/" + o.Code + "/receipt.pdf")
	wantStatus(t, resp, 200)
	// The payment charges what the total says, tax included.
	if o.TotalCents != 2940 {
		t.Fatalf("total %d", o.TotalCents)
	}
}

func TestAdminAssignsTheatresAndHome(t *testing.T) {
	e := newAccEnv(t)
	s1 := dbtest.AddShowtime(t, e.db, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC))
	s2 := dbtest.AddShowtime(t, e.db, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC))
	admin := e.signedIn("admin@example.com", booking.RoleAdmin)
	staff := e.user("door@example.com", "correct horse battery", booking.RoleStaff, true)
	cust := e.user("fan@example.com", "correct horse battery", booking.RoleCustomer, true)
	path := "/admin/users/" + strconv.FormatInt(staff.ID, 10)
	resp, doc := admin.get(path)
	wantStatus(t, resp, 200)
	if doc.Find(`input[name="theatre"]`).Length() != 2 {
		t.Fatal("no theatre checkboxes")
	}
	id1, id2 := strconv.FormatInt(s1.TheatreID, 10), strconv.FormatInt(s2.TheatreID, 10)

	// The home theatre must be one of the ticked ones; unknown theatres are refused.
	resp, doc = admin.post(path+"/theatres", url.Values{"theatre": {id1}, "home": {id2}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if doc.Find(`[data-testid="error-home"]`).Length() != 1 {
		t.Fatal("no message for the home theatre")
	}
	resp, _ = admin.post(path+"/theatres", url.Values{"theatre": {"999999"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if a, _ := e.db.StaffAssignmentOf(context.Background(), staff.ID); len(a.Theatres) != 0 || a.Home != nil {
		t.Fatalf("saved anyway: %+v", a)
	}

	resp, _ = admin.post(path+"/theatres", url.Values{"theatre": {id1, id2}, "home": {id2}})
	wantRedirect(t, resp, path)
	a, _ := e.db.StaffAssignmentOf(context.Background(), staff.ID)
	if len(a.Theatres) != 2 || a.Home == nil || *a.Home != s2.TheatreID {
		t.Fatalf("assignment: %+v", a)
	}
	au := settingsAudit(t, e, "user.theatres_changed")
	if len(au) != 1 || len(au[0]["before"].(map[string]any)["theatres"].([]any)) != 0 || len(au[0]["after"].(map[string]any)["theatres"].([]any)) != 2 {
		t.Fatalf("audit: %v", au)
	}
	// Customers work nowhere; other roles can't assign.
	admin.get(path)
	if resp, _ := admin.post("/admin/users/"+strconv.FormatInt(cust.ID, 10)+"/theatres", url.Values{"theatre": {id1}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("customer assigned: %d", resp.StatusCode)
	}
	mgr := e.signedIn("boss@example.com", booking.RoleManager)
	mgr.get("/account")
	if resp, _ := mgr.post(path+"/theatres", url.Values{"theatre": {id1}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("manager assigned: %d", resp.StatusCode)
	}
	if resp, _ := mgr.get(path); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("manager saw the page: %d", resp.StatusCode)
	}
}

// An invitation carries theatres: whoever accepts it works there, the first
// one their home theatre.
func TestInvitationCarriesTheatres(t *testing.T) {
	e := newAccEnv(t)
	s1 := dbtest.AddShowtime(t, e.db, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC))
	admin := e.signedIn("admin@example.com", booking.RoleAdmin)
	id1 := strconv.FormatInt(s1.TheatreID, 10)
	resp, _ := admin.submit("/admin/invitations", "/admin/invitations", url.Values{"email": {"new@example.com"}, "role": {"staff"}, "theatre": {"12345678"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = admin.submit("/admin/invitations", "/admin/invitations", url.Values{"email": {"new@example.com"}, "role": {"staff"}, "theatre": {id1}})
	wantStatus(t, resp, 200)
	link := e.mailLink("new@example.com")
	cl := e.client()
	cl.get(link)
	tok := strings.TrimPrefix(link, "/invite?token=")
	tok, _ = url.QueryUnescape(tok)
	resp, _ = cl.post("/invite", url.Values{"token": {tok}, "name": {"New Person"}, "password": {"a long new password 1"}, "confirm": {"a long new password 1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	u, err := e.db.UserByEmail(context.Background(), "new@example.com")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := e.db.StaffAssignmentOf(context.Background(), u.ID)
	if len(a.Theatres) != 1 || a.Theatres[0] != s1.TheatreID || a.Home == nil || *a.Home != s1.TheatreID {
		t.Fatalf("assignment: %+v", a)
	}
	if au := settingsAudit(t, e, "staff.invited"); len(au) != 1 || len(au[0]["theatres"].([]any)) != 1 {
		t.Fatalf("audit: %v", au)
	}
}
