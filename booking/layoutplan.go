package booking

import (
	"fmt"
	"slices"
)

// SeatUse is what refers to a seat row of a layout.
type SeatUse struct {
	// Sold: a sale, an order waiting for payment or a live hold on the seat
	// for a showtime that hasn't ended.
	Sold bool
	// Referenced: any claim or order item at all, past shows included (the
	// row can't be deleted: tickets and receipts point at it).
	Referenced bool
}

// LayoutPlan is how a layout saved over the current version changes it in
// place, seat by seat, matched by label (row and number).
type LayoutPlan struct {
	Add    []Seat  // new seats (no id)
	Update []Seat  // existing seats (with id) whose place, kind or zone change
	Remove []int64 // existing seats that go
	// Blockers are the changes that can't be made in place because of a
	// sale: the layout can only be saved as a new version.
	Blockers []LayoutProblem
}

// Changed reports whether the plan changes anything.
func (p LayoutPlan) Changed() bool { return len(p.Add)+len(p.Update)+len(p.Remove) > 0 }

// PlanLayoutChange compares the current version's seats (with ids) with a
// validated new layout, and says what changes in place. A seat matched by
// label keeps its row (its id). Rules:
//   - a seat sold, ordered or held for a coming show keeps its place, kind and
//     zone (no seat with a sale may vanish or move);
//   - a seat with any claim or order item, past shows included, is never
//     deleted (tickets and receipts refer to it);
//   - everything else changes in place: new seats, kind and zone of seats
//     without a sale, places of seats without a coming sale.
//
// uses says what refers to each current seat (missing: nothing).
func PlanLayoutChange(current, next []Seat, uses map[int64]SeatUse) LayoutPlan {
	var p LayoutPlan
	old := make(map[string]Seat, len(current))
	for _, s := range current {
		old[s.Label()] = s
	}
	seen := make(map[string]bool, len(next))
	block := func(s Seat, format string, args ...any) {
		p.Blockers = append(p.Blockers, LayoutProblem{Reason: fmt.Sprintf("Seat %s ", s.Label()) + fmt.Sprintf(format, args...)})
	}
	for _, n := range next {
		label := n.Label()
		seen[label] = true
		o, ok := old[label]
		if !ok {
			n.ID = 0
			p.Add = append(p.Add, n)
			continue
		}
		moved := o.X != n.X || o.Y != n.Y
		changed := o.Kind != n.Kind || o.Zone != n.Zone
		if !moved && !changed {
			continue
		}
		u := uses[o.ID]
		switch {
		case u.Sold && moved:
			block(o, "is sold or held for a coming show and would move.")
			continue
		case u.Sold:
			block(o, "is sold or held for a coming show and would change from %s to %s.", describeSeat(o), describeSeat(n))
			continue
		}
		n.ID, n.AuditoriumID = o.ID, o.AuditoriumID
		p.Update = append(p.Update, n)
	}
	for _, o := range current {
		if seen[o.Label()] {
			continue
		}
		u := uses[o.ID]
		switch {
		case u.Sold:
			block(o, "is sold or held for a coming show and would vanish.")
		case u.Referenced:
			block(o, "is on tickets of past shows, so it stays in this version; remove it in a new version.")
		default:
			p.Remove = append(p.Remove, o.ID)
		}
	}
	slices.SortFunc(p.Blockers, func(a, b LayoutProblem) int {
		switch {
		case a.Reason < b.Reason:
			return -1
		case a.Reason > b.Reason:
			return 1
		}
		return 0
	})
	return p
}

func describeSeat(s Seat) string {
	if s.Zone == "" {
		return s.Kind
	}
	return s.Kind + " (zone " + s.Zone + ")"
}

// ErrLayoutInUse is the ECONFLICT error for a layout change that would undo
// sales: the page lists the blockers and offers a new version.
func ErrLayoutInUse(blockers []LayoutProblem) *Error {
	msg := "This layout has sales for coming shows, and the change would move or remove sold seats: " + blockers[0].Reason
	if n := len(blockers) - 1; n > 0 {
		msg += " (and " + plural(n, "more seat") + ")"
	}
	return Errorf(ECONFLICT, "%s Save it as a new layout version instead: coming shows without sales move to it, shows with sales keep the seats they sold.", msg)
}
