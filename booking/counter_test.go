package booking

import (
	"testing"
	"time"
)

func TestCounterSalesStates(t *testing.T) {
	st := show(t0) // online closes at the start, the counter 10 minutes after
	set := DefaultSettings()
	cases := []struct {
		now  time.Duration
		want BoardState
	}{
		{-2 * time.Hour, BoardOnline},
		{-15 * time.Minute, BoardOnline}, // online still open, closing soon
		{0, BoardStarted},
		{5 * time.Minute, BoardStarted},
		{10*time.Minute - time.Second, BoardStarted},
		{10 * time.Minute, BoardClosed},
		{time.Hour, BoardClosed},
	}
	for _, c := range cases {
		if got := CounterSales(st, t0.Add(c.now), set); got != c.want {
			t.Errorf("at %v: %s, want %s", c.now, got, c.want)
		}
	}
	early := st
	early.SalesCloseAt = t0.Add(-time.Hour) // online closes an hour before the start
	if got := CounterSales(early, t0.Add(-30*time.Minute), set); got != BoardCounterOnly {
		t.Errorf("online closed before the start: %s, want counter_only", got)
	}
	cancelled := st
	cancelled.Status = ShowtimeCancelled
	if got := CounterSales(cancelled, t0.Add(-5*time.Hour), set); got != BoardClosed {
		t.Errorf("cancelled: %s", got)
	}
}

func TestCounterUntil(t *testing.T) {
	st := show(t0)
	set := DefaultSettings()
	// 15 minutes to the start (online closing soon) and 5 minutes after the
	// start (online closed): the counter sells both.
	for _, d := range []time.Duration{-15 * time.Minute, 5 * time.Minute} {
		now := t0.Add(d)
		until, err := CounterUntil(st, now, set)
		if err != nil {
			t.Fatalf("at %v: %v", d, err)
		}
		if want := now.Add(CounterHold); !until.Equal(want) {
			t.Errorf("at %v: until %v, want %v", d, until, want)
		}
	}
	if _, err := HoldUntil(st, t0.Add(5*time.Minute), set); ErrorCode(err) != EGONE {
		t.Errorf("online 5 minutes after the start: %v, want gone", err)
	}
	// A minute before the cutoff: the claim ends at the cutoff.
	until, err := CounterUntil(st, t0.Add(9*time.Minute), set)
	if err != nil || !until.Equal(st.CounterCloseAt) {
		t.Errorf("a minute before the cutoff: %v %v, want %v", until, err, st.CounterCloseAt)
	}
	for _, d := range []time.Duration{10 * time.Minute, 11 * time.Minute, 3 * time.Hour} {
		if _, err := CounterUntil(st, t0.Add(d), set); ErrorCode(err) != EGONE {
			t.Errorf("at %v: %v, want gone", d, err)
		}
	}
	cancelled := st
	cancelled.Status = ShowtimeCancelled
	if _, err := CounterUntil(cancelled, t0.Add(-time.Hour), set); ErrorCode(err) != EGONE {
		t.Errorf("cancelled: %v", err)
	}
	// No counter cutoff of its own (or one before the online one): the online cutoff.
	bare := st
	bare.CounterCloseAt = time.Time{}
	if _, err := CounterUntil(bare, t0.Add(time.Minute), set); ErrorCode(err) != EGONE {
		t.Errorf("without a counter cutoff, after the online one: %v", err)
	}
}

func TestPlanTender(t *testing.T) {
	p, err := PlanTender(Tender{Method: TenderCash, CashCents: 5000}, 3350)
	if err != nil || p.ChangeCents != 1650 || p.CashDueCents != 3350 {
		t.Errorf("cash: %+v %v", p, err)
	}
	if p, err := PlanTender(Tender{Method: TenderCash, CashCents: 3350}, 3350); err != nil || p.ChangeCents != 0 {
		t.Errorf("exact cash: %+v %v", p, err)
	}
	_, err = PlanTender(Tender{Method: TenderCash, CashCents: 3000}, 3350)
	if ErrorCode(err) != EINVALID || ErrorMessage(err) != "Cash handed over ($30.00) is less than the $33.50 due: $3.50 short." {
		t.Errorf("short cash: %v", err)
	}
	if _, err := PlanTender(Tender{Method: TenderCard, CardReference: "  "}, 3350); ErrorCode(err) != EINVALID {
		t.Errorf("card without reference: %v", err)
	}
	if p, err := PlanTender(Tender{Method: TenderCard, CardReference: " T1-99 "}, 3350); err != nil || p.CardCents != 3350 || p.CardReference != "T1-99" {
		t.Errorf("card: %+v %v", p, err)
	}
	p, err = PlanTender(Tender{Method: TenderSplit, CardCents: 2000, CashCents: 2000, CardReference: "T1"}, 3350)
	if err != nil || p.CardCents != 2000 || p.CashDueCents != 1350 || p.ChangeCents != 650 {
		t.Errorf("split: %+v %v", p, err)
	}
	for _, bad := range []Tender{
		{Method: TenderSplit, CardCents: 3350, CashCents: 0, CardReference: "T1"},
		{Method: TenderSplit, CardCents: 0, CashCents: 4000, CardReference: "T1"},
		{Method: TenderSplit, CardCents: 2000, CashCents: 1000, CardReference: "T1"},
		{Method: TenderSplit, CardCents: 2000, CashCents: 2000},
		{Method: "cheque"},
	} {
		if _, err := PlanTender(bad, 3350); ErrorCode(err) != EINVALID {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
}

func TestParseCents(t *testing.T) {
	for in, want := range map[string]int64{"20": 2000, "20.5": 2050, "20.50": 2050, "$7.05": 705, " 0.99 ": 99, ".5": 50} {
		if got, err := ParseCents("cash", in); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1.234", "-5", "1,50", "20.", "99999999"} {
		if _, err := ParseCents("cash", in); ErrorCode(err) != EINVALID {
			t.Errorf("%q: %v, want invalid", in, err)
		}
	}
	if Cents(-150) != "-$1.50" || Cents(5) != "$0.05" {
		t.Error(Cents(-150), Cents(5))
	}
}

func TestJudgeAdmission(t *testing.T) {
	at := t0
	seat := func(status string, in bool) AdmitSeat {
		s := AdmitSeat{SeatID: 1, Label: "F12", TicketType: "child", TicketName: "Child", Status: status}
		if in {
			s.CheckedInAt = &at
		}
		return s
	}
	base := Admission{OrderCode: "ABC", OrderStatus: OrderPaid, ShowtimeID: 7, StartsAt: at.Add(time.Hour), EndsAt: at.Add(3 * time.Hour)}
	nextWeek := base
	nextWeek.StartsAt, nextWeek.EndsAt = at.Add(7*24*time.Hour), at.Add(7*24*time.Hour+2*time.Hour)
	ended := base
	ended.StartsAt, ended.EndsAt = at.Add(-3*time.Hour), at.Add(-time.Minute)
	elsewhere := base
	elsewhere.TheatreID, elsewhere.TheatreName = 2, "Lakeside"
	base.TheatreID = 1
	cases := []struct {
		name     string
		a        Admission
		door     Door
		admitted map[int64]bool
		want     string
	}{
		{"admitted now", with(base, seat(ItemSold, true)), Door{1, 7}, map[int64]bool{1: true}, AdmitValid},
		{"admitted before", with(base, seat(ItemSold, true)), Door{1, 0}, nil, AdmitAlready},
		{"other showtime", with(base, seat(ItemSold, false)), Door{1, 8}, nil, AdmitOtherShowtime},
		{"other theatre", with(elsewhere, seat(ItemSold, false)), Door{1, 0}, nil, AdmitOtherTheatre},
		{"other theatre, door on a showtime", with(elsewhere, seat(ItemSold, false)), Door{1, 8}, nil, AdmitOtherTheatre},
		{"seat refunded", with(base, seat(ItemCancelled, false)), Door{1, 7}, nil, AdmitCancelled},
		{"order refunded", with(Admission{OrderCode: "ABC", OrderStatus: OrderRefunded, ShowtimeID: 7, StartsAt: base.StartsAt, EndsAt: base.EndsAt}, seat(ItemCancelled, false)), Door{}, nil, AdmitCancelled},
		{"unpaid", with(Admission{OrderCode: "ABC", OrderStatus: OrderPendingPayment, ShowtimeID: 7, StartsAt: base.StartsAt, EndsAt: base.EndsAt}, seat(ItemReserved, false)), Door{}, nil, AdmitUnpaid},
		{"next week's show at a door taking any showtime", with(nextWeek, seat(ItemSold, false)), Door{}, nil, AdmitNotYet},
		{"next week's show at its own door", with(nextWeek, seat(ItemSold, false)), Door{0, 7}, nil, AdmitNotYet},
		{"a show that has ended, any showtime", with(ended, seat(ItemSold, false)), Door{}, nil, AdmitNotNow},
		{"a show that has ended, at its door", with(ended, seat(ItemSold, false)), Door{0, 7}, nil, AdmitNotNow},
		{"no such seat", base, Door{}, nil, AdmitUnknown},
		{"no such order", Admission{}, Door{}, nil, AdmitUnknown},
	}
	for _, c := range cases {
		got := Judge(c.a, c.door, c.admitted, at)
		if got.Verdict != c.want || got.Message == "" {
			t.Errorf("%s: %s (%q), want %s", c.name, got.Verdict, got.Message, c.want)
		}
		if c.want == AdmitValid && (!got.Valid() || !got.Child() || len(got.Admitted) != 1) {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
}

func with(a Admission, s AdmitSeat) Admission {
	a.Seats = append([]AdmitSeat(nil), s)
	return a
}

func TestPlanCounterCancellation(t *testing.T) {
	start := t0
	o := Order{Status: OrderPaid, FeeCents: 200, Items: []OrderItem{
		{SeatID: 1, Row: "F", Number: 1, PriceCents: 1250, Status: ItemSold},
		{SeatID: 2, Row: "F", Number: 2, PriceCents: 900, Status: ItemSold},
	}}
	pol := CancelPolicy{Cutoff: 2 * time.Hour, FeeCents: 100, Disabled: true}
	// Inside the policy (online cancellation off doesn't matter at the counter).
	c, err := pol.PlanCounterCancellation(o, CounterCancel{SeatIDs: []int64{2}}, start, start.Add(-3*time.Hour))
	if err != nil || c.RefundCents != 800 || c.ChargeCents != 100 {
		t.Fatalf("inside: %+v %v", c, err)
	}
	// Past the deadline: refused without an override; with one, a reason is needed.
	late := start.Add(-time.Hour)
	if _, err := pol.PlanCounterCancellation(o, CounterCancel{}, start, late); ErrorCode(err) != EGONE {
		t.Errorf("late without override: %v", err)
	}
	if _, err := pol.PlanCounterCancellation(o, CounterCancel{Override: true, Reason: " "}, start, late); ErrorCode(err) != EINVALID {
		t.Errorf("override without reason: %v", err)
	}
	if _, err := pol.PlanCounterCancellation(o, CounterCancel{WaiveCharge: true}, start, late); ErrorCode(err) != EINVALID {
		t.Errorf("waive without override: %v", err)
	}
	c, err = pol.PlanCounterCancellation(o, CounterCancel{Override: true, Reason: "fire alarm"}, start, late)
	if err != nil || !c.All || c.RefundCents != 2150-100 {
		t.Errorf("override: %+v %v", c, err)
	}
	c, err = pol.PlanCounterCancellation(o, CounterCancel{Override: true, Reason: "fire alarm", WaiveCharge: true}, start, late)
	if err != nil || c.RefundCents != 2150+200 || c.ChargeCents != 0 {
		t.Errorf("override, waived: %+v %v", c, err)
	}
	// An admitted seat stays; a cancelled order can't be cancelled again.
	in := o
	in.Items = append([]OrderItem(nil), o.Items...)
	in.Items[0].CheckedInAt = &start
	if _, err := pol.PlanCounterCancellation(in, CounterCancel{SeatIDs: []int64{1}, Override: true, Reason: "x"}, start, late); ErrorCode(err) != ECONFLICT {
		t.Errorf("admitted seat: %v", err)
	}
	done := o
	done.Status = OrderCancelled
	if _, err := pol.PlanCounterCancellation(done, CounterCancel{Override: true, Reason: "x"}, start, late); ErrorCode(err) != ECONFLICT {
		t.Errorf("cancelled order: %v", err)
	}
}
