package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"marquee/db/dbtest"
)

// adultsOnly makes the test film R18 and the child ticket one for ages up
// to 11 with a proof of age, before the app first loads the showtime.
func adultsOnly(t *testing.T, e *testEnv, movieID int64, rating string) {
	t.Helper()
	raw := dbtest.SQL(t, e.db)
	if _, err := raw.Exec(`UPDATE ticket_types SET max_age = 11, proof_required = true, proof_note = 'proof of age' WHERE code = 'child'`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE movies SET rating = $2 WHERE id = $1`, movieID, rating); err != nil {
		t.Fatal(err)
	}
}

// Online: the picker offers no child ticket for an R18 film, and a forged
// request for one is refused (422) with the reason; the seat keeps its type.
func TestRatingRuleOnline(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	adultsOnly(t, e.testEnv, e.show.MovieID, "R18")
	b := e.browser()
	b.open(e.path(""))
	seat := e.seat(2, 5)
	resp, doc, body := b.hold(seat)
	status(t, resp, 200, body)
	if doc.Find(`select[name="type"] option`).Length() == 0 {
		t.Fatalf("no picker: %s", body)
	}
	if doc.Find(`select[name="type"] option[value="child"]`).Length() != 0 {
		t.Fatal("the picker offers a child ticket for an R18 film")
	}
	resp, _, body = b.htmx(e.path("/type"), url.Values{"seat": {itoa(seat)}, "type": {"child"}})
	status(t, resp, http.StatusUnprocessableEntity, body)
	if !strings.Contains(body, "rated R18") {
		t.Errorf("refusal doesn't say why: %s", body)
	}
	var tt string
	if err := dbtest.SQL(t, e.db).Get(&tt, `SELECT ticket_type FROM seat_claims WHERE seat_id = $1`, seat); err != nil || tt != "adult" {
		t.Fatalf("claim type %q %v", tt, err)
	}
	resp, _, body = b.htmx(e.path("/type"), url.Values{"seat": {itoa(seat)}, "type": {"senior"}})
	status(t, resp, 200, body)
}

// Checkout tells the customer which tickets need a proof at the door.
func TestProofShownAtCheckout(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	adultsOnly(t, e.testEnv, e.show.MovieID, "PG")
	b := e.browser()
	b.open(e.path(""))
	seat := e.seat(2, 5)
	_, doc, _ := b.hold(seat)
	if doc.Find(`[data-testid="proof-note"]`).Length() != 0 {
		t.Fatal("a proof note for an adult ticket")
	}
	resp, doc, body := b.htmx(e.path("/type"), url.Values{"seat": {itoa(seat)}, "type": {"child"}})
	status(t, resp, 200, body)
	if note := doc.Find(`[data-testid="proof-note"]`).Text(); !strings.Contains(note, "Child: bring proof of age") {
		t.Fatalf("proof note %q", note)
	}
}

// The API: the showtime lists no child ticket, an order with one is a 422
// problem, nothing is claimed; the showtime's zones and day-part prices are
// in the document.
func TestRatingRuleAPI(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	adultsOnly(t, e.testEnv, e.show.MovieID, "NC-17")
	raw := dbtest.SQL(t, e.db)
	raw.MustExec(`UPDATE seats SET zone = 'front' WHERE auditorium_id = $1 AND row_label = 'A' AND kind = 'standard'`, e.show.AuditoriumID)
	raw.MustExec(`INSERT INTO price_card_prices (price_card_id, ticket_type, seat_kind, zone, day_part, amount_cents) VALUES
		($1, 'adult', '', 'front', '', 800), ($1, 'adult', 'standard', '', 'evening', 1350), ($1, 'adult', 'standard', '', 'matinee', 950)`, e.show.PriceCardID)
	a := e.apiClient("api@example.com")
	var detail struct {
		TicketTypes []struct{ Code string } `json:"ticketTypes"`
		Prices      []struct {
			TicketType, SeatKind, Zone, DayPart string
			AmountCents                         int64
		} `json:"prices"`
		Seats []struct{ Seat, Zone string } `json:"seats"`
	}
	resp := a.call("GET", "/api/v1/showtimes/"+itoa(e.show.ShowtimeID), "", nil, &detail)
	if resp.StatusCode != 200 {
		t.Fatalf("detail %d", resp.StatusCode)
	}
	for _, tt := range detail.TicketTypes {
		if tt.Code == "child" {
			t.Fatal("the API lists a child ticket for an NC-17 film")
		}
	}
	got := map[string]int64{}
	for _, p := range detail.Prices {
		if p.TicketType == "adult" {
			got[p.SeatKind+"/"+p.Zone+"/"+p.DayPart] = p.AmountCents
		}
	}
	if got["/front/"] != 800 || got["standard//evening"] != 1350 || got["standard//"] != 0 || got["standard//matinee"] != 0 {
		t.Errorf("adult prices of the evening show: %v", got)
	}
	if detail.Seats[2].Zone != "front" {
		t.Errorf("seat %s zone %q", detail.Seats[2].Seat, detail.Seats[2].Zone)
	}
	var p problemJSON
	resp = a.call("POST", "/api/v1/orders", `{"showtimeId": `+itoa(e.show.ShowtimeID)+`, "seats": ["C1", "C2"], "ticketTypes": {"adult": 1, "child": 1}}`, nil, &p)
	if resp.StatusCode != 422 || !strings.Contains(p.Detail, "rated NC-17") {
		t.Fatalf("child ticket order: %d %+v", resp.StatusCode, p)
	}
	var n int
	raw.Get(&n, `SELECT count(*) FROM orders`)
	if n != 0 {
		t.Fatalf("%d orders", n)
	}
	var o apiOrderJSON
	resp = a.call("POST", "/api/v1/orders", `{"showtimeId": `+itoa(e.show.ShowtimeID)+`, "seats": ["A5", "B5"]}`, nil, &o)
	if resp.StatusCode != 201 || o.TotalCents != 800+1350+200 {
		t.Fatalf("zone + evening order: %d %+v", resp.StatusCode, o)
	}
}

// The counter: a child ticket for an R18 film is refused (422) and nothing
// is sold; the door tells staff to check a child ticket's proof.
func TestRatingRuleCounterAndDoor(t *testing.T) {
	e := newBoxEnv(t)
	adultsOnly(t, e.testEnv, e.show.MovieID, "R18")
	resp, doc := e.sell(url.Values{"seats": {"D1 D2"}, "type_adult": {"1"}, "type_child": {"1"}, "tender": {"cash"}, "cash": {"100"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(errorText(doc), "rated R18") {
		t.Errorf("message: %s", errorText(doc))
	}
	if n := e.orders(); n != 0 {
		t.Fatalf("%d orders after a refused sale", n)
	}
	_, doc = e.staff.get(e.sellPath())
	if doc.Find(`[name="type_child"]`).Length() != 0 {
		t.Error("the sale page offers child tickets for an R18 film")
	}
}

func TestDoorChecksProof(t *testing.T) {
	e := newBoxEnv(t)
	adultsOnly(t, e.testEnv, e.show.MovieID, "PG")
	code, tokens := e.paidTickets(url.Values{"seats": {"D1 D2"}, "type_adult": {"1"}, "type_child": {"1"}})
	if len(tokens) != 2 {
		t.Fatalf("%d tickets", len(tokens))
	}
	// The printed tickets say so too (the child's only).
	_, doc := e.staff.get("/boxoffice/orders/" + code)
	if proof := doc.Find(`[data-testid="ticket-proof"]`); proof.Length() != 1 || !strings.Contains(proof.Text(), "Child: bring proof of age") {
		t.Fatalf("ticket proof %d %q", proof.Length(), proof.Text())
	}
	_, doc = e.scan(tokens[1], e.show.ShowtimeID)
	if details := doc.Find(`[data-testid="door-detail"]`).Text(); !strings.Contains(details, "Seat D2 · Child — CHECK PROOF OF AGE") {
		t.Fatalf("child at the door: %s", details)
	}
	_, doc = e.scan(tokens[0], e.show.ShowtimeID)
	if details := doc.Find(`[data-testid="door-detail"]`).Text(); strings.Contains(details, "CHECK") {
		t.Fatalf("adult at the door: %s", details)
	}
}
