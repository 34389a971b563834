package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

func TestTicketTypesAdmin(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	show := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour))

	age := 15
	teen := booking.TicketType{Code: "teen", Name: "Teen", Sort: 5, MaxAge: &age, ProofRequired: true, ProofNote: "proof of age"}
	if err := d.CreateTicketType(ctx, teen); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateTicketType(ctx, teen); booking.ErrorCode(err) != booking.ECONFLICT || !strings.Contains(err.Error(), `"teen"`) {
		t.Fatalf("duplicate code: %v", err)
	}
	got, err := d.TicketType(ctx, "teen")
	if err != nil || got.Name != "Teen" || got.MaxAge == nil || *got.MaxAge != 15 || !got.ProofRequired || got.ProofNote != "proof of age" {
		t.Fatalf("read back %+v %v", got, err)
	}
	changed := got
	changed.Name, changed.MaxAge, changed.ProofRequired = "Teenager", nil, false
	before, err := d.UpdateTicketType(ctx, changed)
	if err != nil || before.Name != "Teen" {
		t.Fatalf("update: before %+v %v", before, err)
	}
	if got, _ := d.TicketType(ctx, "teen"); got.Name != "Teenager" || got.MaxAge != nil || got.ProofRequired {
		t.Fatalf("after update %+v", got)
	}
	if _, err := d.UpdateTicketType(ctx, booking.TicketType{Code: "nope", Name: "x"}); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("update unknown: %v", err)
	}

	// Sold (an order has it): not deletable, retirable; retirement is undone.
	dbtest.PaidOrder(t, d, show, "a@example.com", nil, clock.Now(), show.SeatIDs[0])
	if _, err := d.DeleteTicketType(ctx, "adult"); err != db.ErrTicketTypeInUse {
		t.Fatalf("delete a sold type: %v", err)
	}
	now := clock.Now()
	if _, err := d.SetTicketTypeRetired(ctx, "adult", &now); err != nil {
		t.Fatal(err)
	}
	list, err := d.TicketTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last := list[len(list)-1]; last.Code != "adult" || last.RetiredAt == nil || !last.Sold || !last.InUse() {
		t.Fatalf("retired last, sold: %+v", last)
	}
	for _, u := range list {
		if u.Code == "teen" && u.InUse() {
			t.Errorf("teen in use: %+v", u)
		}
		if u.Code == "child" && (u.Sold || u.Cards != 1) {
			t.Errorf("child: %+v", u)
		}
	}
	if before, err := d.SetTicketTypeRetired(ctx, "adult", nil); err != nil || before.RetiredAt == nil {
		t.Fatalf("restore: %+v %v", before, err)
	}
	// Priced on a card but never sold: still in use.
	if _, err := d.DeleteTicketType(ctx, "child"); err != db.ErrTicketTypeInUse {
		t.Fatalf("delete a priced type: %v", err)
	}
	if before, err := d.DeleteTicketType(ctx, "teen"); err != nil || before.Code != "teen" {
		t.Fatalf("delete unused: %+v %v", before, err)
	}
	if _, err := d.TicketType(ctx, "teen"); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("deleted type: %v", err)
	}
}

func TestPriceCardsAdmin(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	show := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour)) // a shared card
	raw := dbtest.SQL(t, d)
	var theatreA, theatreB int64
	if err := raw.Get(&theatreA, `SELECT a.theatre_id FROM auditoriums a WHERE a.id = $1`, show.AuditoriumID); err != nil {
		t.Fatal(err)
	}
	if err := raw.Get(&theatreB, `INSERT INTO theatres (slug, name, time_zone) VALUES ('other', 'Other', 'UTC') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE seats SET zone = 'front' WHERE auditorium_id = $1 AND row_label = 'A'`, show.AuditoriumID); err != nil {
		t.Fatal(err)
	}

	card := booking.PriceCard{Name: "Evening", Currency: "gbp", TheatreID: &theatreA, Format: "IMAX",
		DayParts: booking.DayPartRules{MatineeEnds: 16*time.Hour + 30*time.Minute, Weekend: []time.Weekday{time.Friday, time.Saturday}},
		Prices: []booking.Price{
			{TicketType: "adult", SeatKind: booking.SeatStandard, AmountCents: 1200},
			{TicketType: "adult", SeatKind: booking.SeatStandard, DayPart: booking.DayWeekend, AmountCents: 1400},
			{TicketType: "adult", Zone: "front", AmountCents: 900},
		}}
	id, err := d.CreatePriceCard(ctx, card, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The same name in another theatre is fine, twice in one theatre is not.
	other := card
	other.TheatreID = &theatreB
	otherID, err := d.CreatePriceCard(ctx, other, clock.Now())
	if err != nil {
		t.Fatalf("same name, other theatre: %v", err)
	}
	dup := card
	dup.Name = "EVENING"
	if _, err := d.CreatePriceCard(ctx, dup, clock.Now()); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("same name, same theatre: %v", err)
	}
	bad := card
	bad.Name = "Bad"
	bad.Prices = []booking.Price{{TicketType: "nope", SeatKind: booking.SeatStandard, AmountCents: 1}}
	if _, err := d.CreatePriceCard(ctx, bad, clock.Now()); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("unknown ticket type: %v", err)
	}

	got, err := d.PriceCard(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Evening" || got.Currency != "gbp" || got.Format != "IMAX" || got.TheatreID == nil || *got.TheatreID != theatreA ||
		got.DayParts.MatineeEnds != 16*time.Hour+30*time.Minute || len(got.DayParts.Weekend) != 2 || len(got.Prices) != 3 ||
		len(got.TicketTypes) != 1 {
		t.Fatalf("read back %+v", got)
	}

	// Scopes: a manager of A sees the shared card and A's; an admin every card.
	list, err := d.PriceCards(ctx, booking.Scope{Theatres: []int64{theatreA}}, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != show.PriceCardID || list[0].TheatreID != nil || list[1].ID != id || list[1].Prices != 3 {
		t.Fatalf("manager's cards %+v", list)
	}
	if list[0].Upcoming != 1 {
		t.Errorf("shared card: %d upcoming showtimes", list[0].Upcoming)
	}
	all, err := d.PriceCards(ctx, booking.Scope{All: true}, clock.Now())
	if err != nil || len(all) != 3 {
		t.Fatalf("admin's cards %d %v", len(all), err)
	}
	zones, err := d.Zones(ctx, &theatreA)
	if err != nil || len(zones) != 1 || zones[0] != "front" {
		t.Fatalf("zones %v %v", zones, err)
	}
	if zones, _ := d.Zones(ctx, &theatreB); len(zones) != 0 {
		t.Fatalf("zones of B %v", zones)
	}

	// Save replaces everything but the theatre and returns the card as it was.
	got.Name, got.Currency, got.Format = "Evening 2", "eur", ""
	got.DayParts.Weekend = nil
	got.Prices = []booking.Price{{TicketType: "child", SeatKind: booking.SeatPremium, DayPart: booking.DayMatinee, AmountCents: 700}}
	before, err := d.SavePriceCard(ctx, got, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if before.Name != "Evening" || len(before.Prices) != 3 || before.Currency != "gbp" {
		t.Fatalf("before %+v", before)
	}
	after, _ := d.PriceCard(ctx, id)
	if after.Name != "Evening 2" || after.Currency != "eur" || len(after.Prices) != 1 || after.Prices[0].DayPart != booking.DayMatinee ||
		len(after.DayParts.Weekend) != 0 || *after.TheatreID != theatreA {
		t.Fatalf("after %+v", after)
	}
	got.Name = "evening" // B's card is called Evening, but this is A's
	if _, err := d.SavePriceCard(ctx, got, clock.Now()); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if _, err := d.SavePriceCard(ctx, booking.PriceCard{ID: 999999, Name: "x", Currency: "usd"}, clock.Now()); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("save unknown: %v", err)
	}

	// A card showtimes sell by can't be deleted; an unused one can.
	if err := d.DeletePriceCard(ctx, show.PriceCardID); err != db.ErrPriceCardInUse {
		t.Fatalf("delete used card: %v", err)
	}
	if err := d.DeletePriceCard(ctx, otherID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.PriceCard(ctx, otherID); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("deleted card: %v", err)
	}
}

// Migration 21 goes down (zone and day-part prices dropped, names made
// unique again) and up again.
func TestPricesMigrationDown(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	show := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour))
	raw := dbtest.SQL(t, d)
	var a, b int64
	raw.Get(&a, `INSERT INTO theatres (slug, name, time_zone) VALUES ('a', 'A', 'UTC') RETURNING id`)
	raw.Get(&b, `INSERT INTO theatres (slug, name, time_zone) VALUES ('b', 'B', 'UTC') RETURNING id`)
	for _, th := range []int64{a, b} {
		if _, err := d.CreatePriceCard(ctx, booking.PriceCard{Name: "Same", Currency: "usd", TheatreID: &th,
			Prices: []booking.Price{{TicketType: "adult", SeatKind: booking.SeatStandard, AmountCents: 1}}}, clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec(`INSERT INTO price_card_prices (price_card_id, ticket_type, seat_kind, zone, day_part, amount_cents)
		VALUES ($1, 'adult', '', 'front', 'weekend', 5)`, show.PriceCardID); err != nil {
		t.Fatal(err)
	}
	if err := d.MigrateDownTo(ctx, 16); err != nil {
		t.Fatalf("down: %v", err)
	}
	var names []string
	if err := raw.Select(&names, `SELECT name FROM price_cards ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(names) != 3 || names[1] != "Same" || !strings.HasPrefix(names[2], "Same #") {
		t.Fatalf("names after down %v", names)
	}
	var n int
	raw.Get(&n, `SELECT count(*) FROM price_card_prices WHERE price_card_id = $1`, show.PriceCardID)
	if n != 6 {
		t.Fatalf("%d prices of the shared card after down, want its 6 by kind", n)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := d.PriceCard(ctx, show.PriceCardID); err != nil {
		t.Fatal(err)
	}
}
