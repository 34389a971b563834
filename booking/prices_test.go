package booking

import (
	"strings"
	"testing"
	"time"
)

func TestDayPartOf(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultDayPartRules()
	fri := DayPartRules{MatineeEnds: 18 * time.Hour, Weekend: []time.Weekday{time.Friday}}
	// 2026-11-27 is a Friday, 2026-11-28 a Saturday.
	cases := []struct {
		name  string
		rules DayPartRules
		at    time.Time
		want  string
	}{
		{"weekday morning", def, time.Date(2026, 11, 26, 10, 30, 0, 0, ny), DayMatinee},
		{"one minute before the end", def, time.Date(2026, 11, 26, 16, 59, 0, 0, ny), DayMatinee},
		{"matinee end is evening", def, time.Date(2026, 11, 26, 17, 0, 0, 0, ny), DayEvening},
		{"late", def, time.Date(2026, 11, 26, 23, 45, 0, 0, ny), DayEvening},
		{"saturday morning", def, time.Date(2026, 11, 28, 10, 0, 0, 0, ny), DayWeekend},
		{"sunday night", def, time.Date(2026, 11, 29, 21, 0, 0, 0, ny), DayWeekend},
		// 22:30 UTC on Friday is 17:30 in New York: the theatre's zone decides.
		{"local time, not UTC", def, time.Date(2026, 11, 27, 22, 30, 0, 0, time.UTC), DayEvening},
		{"local day, not UTC", def, time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC), DayEvening}, // Friday 21:00 NY
		{"own weekend", fri, time.Date(2026, 11, 27, 11, 0, 0, 0, ny), DayWeekend},
		{"own matinee end", fri, time.Date(2026, 11, 28, 17, 30, 0, 0, ny), DayMatinee},
		{"no weekend", DayPartRules{MatineeEnds: 17 * time.Hour}, time.Date(2026, 11, 28, 20, 0, 0, 0, ny), DayEvening},
	}
	for _, c := range cases {
		if got := c.rules.Of(c.at, ny); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// zoneCard prices adults by kind all day, with an evening and a weekend
// price for standard seats, and a zone "front" all day and at weekends.
func zoneCard() PriceCard {
	return PriceCard{Currency: "usd", DayParts: DefaultDayPartRules(),
		TicketTypes: []TicketType{{Code: "adult", Name: "Adult"}, {Code: "child", Name: "Child", MaxAge: ptr(11)}},
		Prices: []Price{
			{TicketType: "adult", SeatKind: SeatStandard, AmountCents: 1000},
			{TicketType: "adult", SeatKind: SeatStandard, DayPart: DayEvening, AmountCents: 1200},
			{TicketType: "adult", SeatKind: SeatStandard, DayPart: DayWeekend, AmountCents: 1400},
			{TicketType: "adult", SeatKind: SeatPremium, AmountCents: 1600},
			{TicketType: "adult", SeatKind: SeatWheelchair, DayPart: DayMatinee, AmountCents: 500},
			{TicketType: "adult", Zone: "front", AmountCents: 700},
			{TicketType: "adult", Zone: "front", DayPart: DayWeekend, AmountCents: 900},
			{TicketType: "child", SeatKind: SeatStandard, AmountCents: 600},
		}}
}

func ptr[T any](v T) *T { return &v }

func TestPriceResolution(t *testing.T) {
	std := Seat{Kind: SeatStandard}
	prem := Seat{Kind: SeatPremium}
	wc := Seat{Kind: SeatWheelchair}
	comp := Seat{Kind: SeatCompanion}
	front := Seat{Kind: SeatStandard, Zone: "front"}
	frontPrem := Seat{Kind: SeatPremium, Zone: "front"}
	nowhere := Seat{Kind: SeatPremium, Zone: "balcony"} // a zone without prices
	cases := []struct {
		name    string
		dayPart string
		tt      string
		seat    Seat
		want    int64
		ok      bool
	}{
		{"kind, all day", DayMatinee, "adult", std, 1000, true},
		{"kind, day-part price", DayEvening, "adult", std, 1200, true},
		{"kind, weekend price", DayWeekend, "adult", std, 1400, true},
		{"unresolved card: all day", DayAll, "adult", std, 1000, true},
		{"premium has no day-part price", DayWeekend, "adult", prem, 1600, true},
		{"zone before kind", DayEvening, "adult", front, 700, true},
		{"zone's day-part price", DayWeekend, "adult", front, 900, true},
		{"zone before kind, whatever the kind", DayMatinee, "adult", frontPrem, 700, true},
		{"zone without prices: its kind", DayMatinee, "adult", nowhere, 1600, true},
		{"zone not priced for the type: its kind", DayWeekend, "child", front, 600, true},
		{"wheelchair's own matinee price", DayMatinee, "adult", wc, 500, true},
		{"wheelchair in the evening: standard's", DayEvening, "adult", wc, 1200, true},
		{"companion: standard's", DayWeekend, "adult", comp, 1400, true},
		{"not sold on premium", DayMatinee, "child", prem, 0, false},
		{"unknown type", DayMatinee, "senior", std, 0, false},
	}
	for _, c := range cases {
		card := zoneCard()
		card.DayPart = c.dayPart
		got, ok := card.Price(c.tt, c.seat)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: %d %v, want %d %v", c.name, got, ok, c.want, c.ok)
		}
		// The card resolved for a showtime in that day-part prices alike.
		if c.dayPart == DayAll {
			continue
		}
		r := card
		r.Prices = nil
		for _, p := range card.Prices {
			if p.DayPart == DayAll || p.DayPart == c.dayPart {
				r.Prices = append(r.Prices, p)
			}
		}
		if got2, ok2 := r.Price(c.tt, c.seat); got2 != got || ok2 != ok {
			t.Errorf("%s: filtered card %d %v", c.name, got2, ok2)
		}
	}
}

func showAt(start time.Time, rating string) ShowtimeInfo {
	return ShowtimeInfo{
		Showtime: Showtime{StartsAt: start},
		Movie:    Movie{Rating: rating},
		Theatre:  Theatre{TimeZone: "Europe/London"},
	}
}

func TestForShowtime(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	saturday := time.Date(2026, 11, 28, 20, 0, 0, 0, london)
	card := zoneCard()
	card.TicketTypes = append(card.TicketTypes,
		TicketType{Code: "old", Name: "Old deal", RetiredAt: ptr(saturday)},
		TicketType{Code: "early", Name: "Early bird"})
	card.Prices = append(card.Prices,
		Price{TicketType: "old", SeatKind: SeatStandard, AmountCents: 100},
		Price{TicketType: "early", SeatKind: SeatStandard, DayPart: DayMatinee, AmountCents: 800})

	r := card.ForShowtime(showAt(saturday, "PG-13"))
	if r.DayPart != DayWeekend {
		t.Fatalf("day-part %q", r.DayPart)
	}
	codes := func(pc PriceCard) string {
		var s []string
		for _, t := range pc.TicketTypes {
			s = append(s, t.Code)
		}
		return strings.Join(s, ",")
	}
	// Retired: barred; early bird: no weekend price, so not offered.
	if got := codes(r); got != "adult,child" {
		t.Errorf("weekend types %s", got)
	}
	if err := r.CheckTicketType("old"); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "no longer sold") {
		t.Errorf("retired: %v", err)
	}
	if p, _ := r.Price("adult", Seat{Kind: SeatStandard}); p != 1400 {
		t.Errorf("weekend adult %d", p)
	}
	for _, p := range r.Prices {
		if p.DayPart != DayAll && p.DayPart != DayWeekend {
			t.Errorf("price of another day-part kept: %+v", p)
		}
		if p.TicketType == "adult" && p.SeatKind == SeatStandard && p.DayPart == DayAll {
			t.Errorf("overridden all-day price kept: %+v", p)
		}
	}
	if card.DayPart != "" || len(card.Barred) != 0 {
		t.Error("ForShowtime changed the card it was given")
	}

	matinee := card.ForShowtime(showAt(time.Date(2026, 11, 26, 11, 0, 0, 0, london), "PG"))
	if got := codes(matinee); got != "adult,child,early" {
		t.Errorf("matinee types %s", got)
	}

	// An adults-only rating bars the child ticket on every road that asks the card.
	adult := card.ForShowtime(showAt(saturday, "R18"))
	if got := codes(adult); got != "adult" {
		t.Errorf("R18 types %s", got)
	}
	err := adult.CheckTicketType("child")
	if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "rated R18") {
		t.Errorf("child for R18: %v", err)
	}
	if _, ok := adult.Price("child", Seat{Kind: SeatStandard}); ok {
		t.Error("R18 card prices a child ticket")
	}
	seat := Seat{Row: "A", Number: 1, Kind: SeatStandard}
	if _, err := PriceLines(adult, []Line{{Seat: seat, TicketType: "child"}}, DefaultSettings()); !strings.Contains(errMessage(err), "rated R18") {
		t.Errorf("PriceLines: %v", err)
	}
	if _, err := TicketLines(adult, []Seat{seat}, map[string]int{"child": 1}); !strings.Contains(errMessage(err), "rated R18") {
		t.Errorf("TicketLines: %v", err)
	}
	if adult.DefaultTicketType() != "adult" {
		t.Errorf("default %q", adult.DefaultTicketType())
	}
}

func errMessage(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRatingRule(t *testing.T) {
	child := TicketType{Code: "child", Name: "Child", MaxAge: ptr(11)}
	teen := TicketType{Code: "teen", Name: "Teen", MaxAge: ptr(15)}
	baby := TicketType{Code: "baby", Name: "Parent and baby", MaxAge: ptr(0)}
	adult := TicketType{Code: "adult", Name: "Adult"}
	senior := TicketType{Code: "senior", Name: "Senior"}
	cases := []struct {
		rating string
		tt     TicketType
		ok     bool
	}{
		{"R18", child, false}, {"NC-17", child, false}, {"18", child, false}, {"nc-17", child, false},
		{" NC 17 ", child, false}, {"Unrated", child, true}, // not a rating we know: every type allowed
		{"R18", adult, true}, {"NC-17", senior, true}, {"18", teen, false},
		{"15", child, false}, {"15", teen, true}, {"16", teen, false},
		{"R", child, true}, {"PG-13", child, true}, {"12A", child, true}, {"G", baby, true}, {"", child, true},
		{"MA15+", child, true}, // admits under-15s with an adult
		{"X", baby, false},
	}
	for _, c := range cases {
		ok, why := AllowsTicketType(c.rating, c.tt)
		if ok != c.ok {
			t.Errorf("%q %s: %v, want %v", c.rating, c.tt.Code, ok, c.ok)
		}
		if !ok && (!strings.Contains(why, c.tt.Name) || !strings.Contains(why, "and over only")) {
			t.Errorf("%q %s: reason %q", c.rating, c.tt.Code, why)
		}
	}
	if RatingMinAge("NC-17") != 18 || RatingMinAge("PG") != 0 {
		t.Error("min ages")
	}
}

func TestParsePrice(t *testing.T) {
	cases := []struct {
		in    string
		cents int64
		ok    bool
		bad   string // part of the message; "" for no error
	}{
		{"", 0, false, ""}, {"  ", 0, false, ""},
		{"12", 1200, true, ""}, {"12.5", 1250, true, ""}, {"12.50", 1250, true, ""}, {"0", 0, true, ""},
		{" 9.99 ", 999, true, ""}, {".5", 50, true, ""},
		{"-1", 0, false, "negative"}, {"-0.01", 0, false, "negative"},
		{"12.505", 0, false, "whole number of cents"}, {"1.001", 0, false, "whole number of cents"},
		{"abc", 0, false, "like 12"}, {"12,50", 0, false, "like 12"}, {"1e3", 0, false, "like 12"}, {"12.", 0, false, "like 12"},
		{"10000", 1_000_000, true, ""}, {"10000.01", 0, false, "not cents"}, {"1250000", 0, false, ""},
	}
	for _, c := range cases {
		cents, ok, err := ParsePrice("p", c.in)
		if c.bad != "" || (c.in == "1250000") {
			if ErrorCode(err) != EINVALID || !strings.Contains(errMessage(err), c.bad) {
				t.Errorf("%q: %v, want an error with %q", c.in, err, c.bad)
			}
			continue
		}
		if err != nil || cents != c.cents || ok != c.ok {
			t.Errorf("%q: %d %v %v, want %d %v", c.in, cents, ok, err, c.cents, c.ok)
		}
	}
}

func TestCheckPriceCard(t *testing.T) {
	good := zoneCard()
	good.Name = "Standard"
	if err := CheckPriceCard(good); err != nil {
		t.Fatalf("good card: %v", err)
	}
	cases := map[string]func(*PriceCard){
		"no name":       func(c *PriceCard) { c.Name = " " },
		"currency":      func(c *PriceCard) { c.Currency = "US$" },
		"matinee ends":  func(c *PriceCard) { c.DayParts.MatineeEnds = 25 * time.Hour },
		"odd seconds":   func(c *PriceCard) { c.DayParts.MatineeEnds = 17*time.Hour + time.Second },
		"weekday":       func(c *PriceCard) { c.DayParts.Weekend = []time.Weekday{7} },
		"twice":         func(c *PriceCard) { c.Prices = append(c.Prices, c.Prices[0]) },
		"day-part":      func(c *PriceCard) { c.Prices[0].DayPart = "brunch" },
		"kind":          func(c *PriceCard) { c.Prices[0].SeatKind = "sofa" },
		"zone and kind": func(c *PriceCard) { c.Prices[0].Zone = "front row" },
		"zone name":     func(c *PriceCard) { c.Prices[5].Zone = "<b>" },
		"negative":      func(c *PriceCard) { c.Prices[0].AmountCents = -1 },
		"too much":      func(c *PriceCard) { c.Prices[0].AmountCents = MaxPriceCents + 1 },
	}
	for name, mod := range cases {
		c := zoneCard()
		c.Name = "Standard"
		c.Prices = append([]Price(nil), c.Prices...)
		mod(&c)
		if ErrorCode(CheckPriceCard(c)) != EINVALID {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCheckTicketTypeInput(t *testing.T) {
	if err := CheckTicketType(TicketType{Code: "child", Name: "Child", MaxAge: ptr(11), ProofRequired: true, ProofNote: "proof of age"}); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]TicketType{
		"code":  {Code: "Child!", Name: "Child"},
		"empty": {Code: "", Name: "Child"},
		"name":  {Code: "child", Name: ""},
		"age":   {Code: "child", Name: "Child", MaxAge: ptr(-1)},
		"old":   {Code: "child", Name: "Child", MaxAge: ptr(121)},
		"note":  {Code: "child", Name: "Child", ProofNote: strings.Repeat("x", 81)},
	} {
		if ErrorCode(CheckTicketType(tt)) != EINVALID {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCardFor(t *testing.T) {
	own, other := int64(1), int64(2)
	cards := []PriceCard{
		{ID: 1, Name: "Shared"},
		{ID: 2, Name: "Shared IMAX", Format: "IMAX"},
		{ID: 3, Name: "Ours", TheatreID: &own},
		{ID: 4, Name: "Theirs IMAX", TheatreID: &other, Format: "IMAX"},
		{ID: 5, Name: "Our 3D", TheatreID: &own, Format: "3D"},
	}
	cases := []struct {
		theatre int64
		format  string
		want    int64
	}{
		{own, "2D", 3}, {own, "", 3}, {own, "imax", 2}, {own, "3D", 5},
		{other, "IMAX", 4}, {other, "2D", 1}, {3, "3D", 1},
	}
	for _, c := range cases {
		got, ok := CardFor(cards, c.theatre, c.format)
		if !ok || got.ID != c.want {
			t.Errorf("theatre %d %q: card %d, want %d", c.theatre, c.format, got.ID, c.want)
		}
	}
	if _, ok := CardFor(nil, 1, ""); ok {
		t.Error("a card from no cards")
	}
	if !cards[0].SellsIn(own) || !cards[2].SellsIn(own) || cards[3].SellsIn(own) {
		t.Error("SellsIn")
	}
}

func TestCanEditCard(t *testing.T) {
	a, b := int64(1), int64(2)
	manager := ScopeOf(RoleManager, []int64{a})
	admin := ScopeOf(RoleAdmin, nil)
	cases := []struct {
		s       Scope
		theatre *int64
		ok      bool
	}{
		{manager, &a, true}, {manager, &b, false}, {manager, nil, false},
		{admin, &a, true}, {admin, nil, true}, {ScopeOf(RoleCustomer, []int64{a}), &a, false},
	}
	for i, c := range cases {
		err := CanEditCard(c.s, c.theatre)
		if (err == nil) != c.ok || (err != nil && ErrorCode(err) != EFORBIDDEN) {
			t.Errorf("case %d: %v", i, err)
		}
	}
}
