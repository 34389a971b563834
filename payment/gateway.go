// Package payment talks to payment providers. The Gateway interface has two
// implementations: Stripe Checkout (stripe.go) and a local demo gateway
// (demo.go) used when no Stripe key is configured, so that `make run` works
// offline and takes exactly the same fulfilment path. Counter tenders (cash,
// card-present) need no gateway and are recorded by the box office directly.
// The payment service (service.go) fulfils checkouts once, decides what money
// received means by a pure rule passed into the settling transaction
// (settle.go: PlanSettlement), and sends refunds recorded in the one refund
// ledger, retrying what stays pending; the after-sale service tells the customer.
//
// Nothing here touches the database but through Store: callers must never
// hold a transaction open across a Gateway call.
package payment

import (
	"context"
	"errors"
	"time"
)

// Line is one line of a checkout: a ticket type at a price, or the booking fee.
type Line struct {
	Name      string
	UnitCents int64
	Quantity  int64
}

// CheckoutRequest describes the hosted payment page to create for one order.
type CheckoutRequest struct {
	OrderCode string
	Email     string
	Currency  string // ISO 4217, lower case ("usd")
	Lines     []Line
	// SuccessURL may contain {CHECKOUT_SESSION_ID}; the provider substitutes the session id.
	SuccessURL string
	CancelURL  string
	// ExpiresAt is when the provider should stop accepting payment. Stripe
	// requires 30 min – 24 h ahead; our own, shorter hold is enforced by
	// expiring the session explicitly (Gateway.ExpireCheckout).
	ExpiresAt time.Time
	// IdempotencyKey makes a retried create return the same session.
	IdempotencyKey string
}

// Checkout is a created hosted payment page.
type Checkout struct {
	ID        string
	URL       string
	ExpiresAt time.Time
}

// Checkout session states, as Stripe names them.
const (
	StatusOpen     = "open"
	StatusComplete = "complete"
	StatusExpired  = "expired"

	PaymentPaid   = "paid"
	PaymentUnpaid = "unpaid"
)

// CheckoutState is what the provider knows about a checkout session.
type CheckoutState struct {
	ID            string
	OrderCode     string
	Status        string // open | complete | expired
	PaymentStatus string // paid | unpaid | no_payment_required
	// PaymentRef identifies the money (Stripe: the PaymentIntent id); refunds name it.
	PaymentRef  string
	AmountCents int64
	Currency    string
	Created     time.Time
}

// Event types the fulfilment understands.
const (
	EventCheckoutCompleted     = "checkout.session.completed"
	EventAsyncPaymentSucceeded = "checkout.session.async_payment_succeeded"
	EventAsyncPaymentFailed    = "checkout.session.async_payment_failed"
	EventCheckoutExpired       = "checkout.session.expired"
	EventChargeRefunded        = "charge.refunded"
)

// Event is a verified provider event.
type Event struct {
	ID       string
	Type     string
	Created  time.Time
	Checkout *CheckoutState // for checkout.session.* events
	// PaymentRef and RefundedCents are set for charge.refunded.
	PaymentRef    string
	RefundedCents int64
}

// Refund is a refund the provider accepted.
type Refund struct {
	ID          string
	AmountCents int64
	Status      string // succeeded | pending | failed …
}

// Gateway is a payment provider.
type Gateway interface {
	// Name is "stripe" or "demo"; stored with each payment.
	Name() string
	CreateCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error)
	// ExpireCheckout stops an open session from taking payment. Expiring a
	// session that is already expired is not an error; one that completed is ErrAlreadyPaid.
	ExpireCheckout(ctx context.Context, id string) error
	GetCheckout(ctx context.Context, id string) (CheckoutState, error)
	// RecentCheckouts lists sessions created since the given time (reconciliation).
	RecentCheckouts(ctx context.Context, since time.Time) ([]CheckoutState, error)
	// Refund returns amountCents of the payment; the key makes retries safe.
	Refund(ctx context.Context, paymentRef string, amountCents int64, idempotencyKey string) (Refund, error)
	// ParseWebhook verifies a webhook's signature and decodes it.
	ParseWebhook(payload []byte, signatureHeader string) (Event, error)
}

var (
	// ErrBadSignature: a webhook whose signature does not verify. Nothing may change.
	ErrBadSignature = errors.New("payment: webhook signature does not verify")
	// ErrAlreadyPaid: the session completed before it could be expired.
	ErrAlreadyPaid = errors.New("payment: checkout session already completed")
	// ErrDeclined: the provider refused (e.g. a refund on a disputed charge).
	ErrDeclined = errors.New("payment: declined by the provider")
)
