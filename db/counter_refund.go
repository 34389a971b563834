package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"marquee/booking"
	"marquee/payment"
)

// CounterRefund is a cancellation at the box office and how its money goes
// back: cash from the staff member's open drawer, or to the card (the
// counter terminal's payment, handed back at once; an online payment, sent
// to the provider after commit through the payment service).
type CounterRefund struct {
	Code        string
	To          string // booking.RefundToCash | booking.RefundToCard
	StaffUserID int64
	Now         time.Time
	Plan        Planner
}

// CancelAtCounter cancels seats and refunds them in one short transaction:
// CancelSeats' steps, then the refund's payment chosen by tender (never more
// than remains on it), attributed to the open drawer and, unless it must go
// to a provider, settled at once. Cash needs an open drawer at the order's
// theatre (ECONFLICT); a refund to the card of an order paid only in cash is
// refused (ECONFLICT); nothing changes when anything is refused.
func (db *DB) CancelAtCounter(ctx context.Context, cr CounterRefund) (booking.Refund, error) {
	var out booking.Refund
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := db.cancelSeatsTx(ctx, tx, cr.Code, booking.RefundStaff, cr.Now, cr.Plan)
		if err != nil {
			return err
		}
		status := r.OrderStatus
		out = r
		if r.AmountCents == 0 { // nothing to hand back
			return nil
		}
		if cr.To != booking.RefundToCash && cr.To != booking.RefundToCard {
			return booking.Invalid("refund_to", "Choose how the money goes back: cash from the drawer, or to the card.")
		}
		drawer, here, err := db.drawerForCashTx(ctx, tx, cr.StaffUserID, cr.Code)
		if err != nil {
			return err
		}
		if cr.To == booking.RefundToCash {
			switch {
			case drawer == 0:
				return booking.ErrNoDrawer
			case !here:
				return booking.ErrDrawerElsewhere
			}
		}
		var pays []struct {
			ID        int64  `db:"id"`
			Provider  string `db:"provider"`
			Remaining int64  `db:"remaining"`
		}
		ps, err := db.txStmt(ctx, tx, `
			SELECT p.id, p.provider,
			       p.amount_cents - GREATEST(p.refunded_cents,
			           (SELECT coalesce(sum(r.amount_cents), 0) FROM refunds r
			            WHERE r.payment_id = p.id AND r.status IN ('pending', 'succeeded'))) AS remaining
			FROM payments p
			WHERE p.order_id = $1 AND p.status = 'succeeded' AND ($2 = 'cash' OR p.provider <> 'cash')
			ORDER BY (p.provider = 'cash') = ($2 = 'cash') DESC, remaining DESC, p.id
			FOR UPDATE OF p`)
		if err != nil {
			return err
		}
		if err := ps.SelectContext(ctx, &pays, r.OrderID, cr.To); err != nil {
			return fmt.Errorf("refundable payments: %w", err)
		}
		if len(pays) == 0 {
			if cr.To == booking.RefundToCard {
				return booking.Errorf(booking.ECONFLICT, "This order wasn't paid by card: refund it in cash from the drawer.")
			}
			return booking.Errorf(booking.ECONFLICT, "This order has no payment to refund.")
		}
		pick := -1
		for i, p := range pays {
			if p.Remaining >= r.AmountCents {
				pick = i
				break
			}
		}
		if pick < 0 {
			return booking.Invalid("amount", "The refund of %s is more than remains on the order's payment (%s): refund fewer seats at a time.",
				booking.Cents(r.AmountCents), booking.Cents(pays[0].Remaining))
		}
		p := pays[pick]
		var drawerID any
		if drawer != 0 && here {
			drawerID = drawer
		}
		if _, err := db.txExec(ctx, tx, `
			UPDATE refunds SET payment_id = $2, tender = $3, drawer_session_id = $4, updated_at = $5 WHERE id = $1`,
			r.ID, p.ID, cr.To, drawerID, cr.Now); err != nil {
			return fmt.Errorf("refund %d: tender: %w", r.ID, err)
		}
		if cr.To == booking.RefundToCash || p.Provider == payment.ProviderCardPresent || p.Provider == payment.ProviderCash {
			out, _, err = db.settleRefundTx(ctx, tx, r.ID, booking.RefundAccepted, "", "", cr.Now) // handed back at the counter
		} else {
			out, err = db.refundTx(ctx, tx, r.ID, false) // the provider's: sent after commit
		}
		out.OrderStatus = status
		return err
	})
	if err != nil {
		return booking.Refund{}, fmt.Errorf("counter refund of %s: %w", cr.Code, err)
	}
	return out, nil
}
