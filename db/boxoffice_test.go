package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

// TestAdmitOnceAcrossDoors: many doors scanning the same ticket at the same
// instant, each its own connection: exactly one admits it; the others are
// told it was already admitted, by whom.
func TestAdmitOnceAcrossDoors(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-30 * time.Minute))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	s := dbtest.AddShowtime(t, d, start)
	staff, err := d.CreateUser(ctx, db.NewUser{Email: "door@example.com", PasswordHash: "x", Name: "Door Two", Role: booking.RoleStaff, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	o := dbtest.PaidOrder(t, d, s, "a@example.com", nil, clock.Now(), s.SeatIDs[40], s.SeatIDs[41])
	ticket := booking.Ticket{OrderCode: o.Code, Seat: o.Items[0].Label()}
	for round := 0; round < 3; round++ {
		const doors = 24
		var wg sync.WaitGroup
		var mu sync.Mutex
		verdicts := map[string]int{}
		gate := make(chan struct{})
		for i := 0; i < doors; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				a, err := d.Admit(ctx, ticket, booking.Door{ShowtimeID: s.ShowtimeID}, staff.ID, clock.Now())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				verdicts[a.Verdict]++
				mu.Unlock()
				if a.Verdict == booking.AdmitAlready && (a.Seats[0].CheckedInBy != "Door Two" || a.Seats[0].CheckedInAt == nil) {
					t.Errorf("already admitted without who and when: %+v", a.Seats[0])
				}
			}()
		}
		close(gate)
		wg.Wait()
		if verdicts[booking.AdmitValid] != 1 || verdicts[booking.AdmitAlready] != doors-1 {
			t.Fatalf("round %d: %v, want exactly one valid", round, verdicts)
		}
		if _, n, err := d.Unadmit(ctx, ticket); err != nil || n != 1 {
			t.Fatalf("undo: %d %v", n, err)
		}
	}
	// A whole-order ticket admits the seats not yet in, once.
	all := booking.Ticket{OrderCode: o.Code, Seat: booking.TicketAll}
	if a, err := d.Admit(ctx, all, booking.Door{}, staff.ID, clock.Now()); err != nil || !a.Valid() || len(a.Admitted) != 2 {
		t.Fatalf("all: %+v %v", a, err)
	}
	if a, _ := d.Admit(ctx, all, booking.Door{}, staff.ID, clock.Now()); a.Verdict != booking.AdmitAlready {
		t.Fatalf("all again: %s", a.Verdict)
	}
	// Unknown order or seat; an unpaid order.
	if a, _ := d.Admit(ctx, booking.Ticket{OrderCode: "NOPE", Seat: "A1"}, booking.Door{}, staff.ID, clock.Now()); a.Verdict != booking.AdmitUnknown {
		t.Errorf("unknown order: %s", a.Verdict)
	}
	if a, _ := d.Admit(ctx, booking.Ticket{OrderCode: o.Code, Seat: "Z9"}, booking.Door{}, staff.ID, clock.Now()); a.Verdict != booking.AdmitUnknown {
		t.Errorf("unknown seat: %s", a.Verdict)
	}
	p := dbtest.PendingOrder(t, d, s, "b@example.com", nil, clock.Now(), s.SeatIDs[60])
	if a, _ := d.Admit(ctx, booking.Ticket{OrderCode: p.Code, Seat: p.Items[0].Label()}, booking.Door{}, staff.ID, clock.Now()); a.Verdict != booking.AdmitUnpaid {
		t.Errorf("unpaid: %s", a.Verdict)
	}
}

func TestFindOrders(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-30 * time.Minute))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	s := dbtest.AddShowtime(t, d, start)
	u, err := d.CreateUser(ctx, db.NewUser{Email: "ada@example.com", PasswordHash: "x", Name: "Ada Lovelace", Role: booking.RoleCustomer, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	mine := dbtest.PaidOrder(t, d, s, "ada@example.com", &u.ID, clock.Now(), s.SeatIDs[0+2])
	dbtest.PaidOrder(t, d, s, "guest@example.org", nil, clock.Now(), s.SeatIDs[3])
	for q, want := range map[string]int{mine.Code: 1, "ADA@EXAMPLE.COM": 1, "lovel": 1, "example": 2, "ad": 0, "%": 0, "": 0} {
		found, err := d.FindOrders(ctx, q, nil)
		if err != nil || len(found) != want {
			t.Errorf("%q: %d found (%v), want %d", q, len(found), err, want)
		}
	}
	// Scoped to theatres: another theatre's staff find nothing; the right theatre finds it.
	var theatre int64
	if err := dbtest.SQL(t, d).Get(&theatre, `SELECT theatre_id FROM auditoriums WHERE id = $1`, s.AuditoriumID); err != nil {
		t.Fatal(err)
	}
	if found, _ := d.FindOrders(ctx, mine.Code, []int64{theatre + 1000}); len(found) != 0 {
		t.Errorf("another theatre found %d", len(found))
	}
	if found, _ := d.FindOrders(ctx, mine.Code, []int64{theatre}); len(found) != 1 {
		t.Errorf("its theatre found %d", len(found))
	}
	if found, _ := d.FindOrders(ctx, mine.Code, []int64{}); len(found) != 0 {
		t.Errorf("an empty scope found %d", len(found))
	}
	found, _ := d.FindOrders(ctx, "lovelace", nil)
	if len(found) == 1 && (found[0].Name != "Ada Lovelace" || found[0].Seats != 1 || found[0].Title == "") {
		t.Errorf("%+v", found[0])
	}
}

// A door taking any showtime admits a ticket only while its show is open for
// entry (booking.EntryOpen): next week's ticket is refused and stays unused.
func TestAdmitAnyShowtimeOnlyWhenOpen(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-30 * time.Minute))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	later := dbtest.AddShowtime(t, d, start.Add(7*24*time.Hour))
	staff, err := d.CreateUser(ctx, db.NewUser{Email: "door@example.com", PasswordHash: "x", Name: "Door", Role: booking.RoleStaff, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	o := dbtest.PaidOrder(t, d, later, "a@example.com", nil, clock.Now(), later.SeatIDs[40])
	ticket := booking.Ticket{OrderCode: o.Code, Seat: o.Items[0].Label()}
	if a, err := d.Admit(ctx, ticket, booking.Door{}, staff.ID, clock.Now()); err != nil || a.Valid() || a.Verdict != booking.AdmitNotYet {
		t.Fatalf("next week's ticket at an any-showtime door: %s %v", a.Verdict, err)
	}
	clock.Set(later.StartsAt.Add(-time.Hour)) // its doors are open
	if a, err := d.Admit(ctx, ticket, booking.Door{}, staff.ID, clock.Now()); err != nil || !a.Valid() {
		t.Fatalf("on the day: %s %v", a.Verdict, err)
	}
}
