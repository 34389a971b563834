package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"
)

// StripeConfig configures the Stripe gateway.
type StripeConfig struct {
	SecretKey     string
	WebhookSecret string
	// APIURL points the client elsewhere than api.stripe.com (stripe-mock in tests).
	APIURL string
	// HTTPClient defaults to one with a 20 s timeout.
	HTTPClient *http.Client
	// Now is the clock webhook timestamps are checked against (default time.Now).
	Now func() time.Time
}

// webhookFutureTolerance is how far ahead of our clock a webhook signature
// may be dated (clock skew); stripe-go only rejects signatures too old.
const webhookFutureTolerance = 2 * time.Minute

// Stripe is the Stripe Checkout gateway.
type Stripe struct {
	api           *client.API
	webhookSecret string
	now           func() time.Time
}

// NewStripe returns a Stripe gateway. It makes no network call.
func NewStripe(cfg StripeConfig) (*Stripe, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe: secret key is empty")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	bc := &stripe.BackendConfig{HTTPClient: hc, MaxNetworkRetries: stripe.Int64(2), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}}
	if cfg.APIURL != "" {
		bc.URL = stripe.String(cfg.APIURL)
	}
	backends := &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, bc),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, bc),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, bc),
	}
	api := &client.API{}
	api.Init(cfg.SecretKey, backends)
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Stripe{api: api, webhookSecret: cfg.WebhookSecret, now: now}, nil
}

// Name implements Gateway.
func (s *Stripe) Name() string { return "stripe" }

// CreateCheckout creates a Checkout Session in payment mode.
func (s *Stripe) CreateCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error) {
	p := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		SuccessURL:        stripe.String(req.SuccessURL),
		CancelURL:         stripe.String(req.CancelURL),
		ClientReferenceID: stripe.String(req.OrderCode),
		Metadata:          map[string]string{"order_code": req.OrderCode},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{
			Metadata: map[string]string{"order_code": req.OrderCode},
		},
	}
	if req.Email != "" {
		p.CustomerEmail = stripe.String(req.Email)
	}
	if !req.ExpiresAt.IsZero() {
		p.ExpiresAt = stripe.Int64(req.ExpiresAt.Unix())
	}
	for _, l := range req.Lines {
		p.LineItems = append(p.LineItems, &stripe.CheckoutSessionLineItemParams{
			Quantity: stripe.Int64(l.Quantity),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripe.String(req.Currency),
				UnitAmount:  stripe.Int64(l.UnitCents),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(l.Name)},
			},
		})
	}
	p.Context = ctx
	if req.IdempotencyKey != "" {
		p.SetIdempotencyKey(req.IdempotencyKey)
	}
	cs, err := s.api.CheckoutSessions.New(p)
	if err != nil {
		return Checkout{}, fmt.Errorf("stripe: create checkout session: %w", err)
	}
	return Checkout{ID: cs.ID, URL: cs.URL, ExpiresAt: time.Unix(cs.ExpiresAt, 0)}, nil
}

// ExpireCheckout expires an open session.
func (s *Stripe) ExpireCheckout(ctx context.Context, id string) error {
	p := &stripe.CheckoutSessionExpireParams{}
	p.Context = ctx
	_, err := s.api.CheckoutSessions.Expire(id, p)
	if err == nil {
		return nil
	}
	// Expiring a session that is no longer open fails; find out why.
	st, gerr := s.GetCheckout(ctx, id)
	if gerr == nil {
		switch st.Status {
		case StatusExpired:
			return nil
		case StatusComplete:
			return ErrAlreadyPaid
		}
	}
	return fmt.Errorf("stripe: expire checkout session: %w", err)
}

// GetCheckout fetches a session.
func (s *Stripe) GetCheckout(ctx context.Context, id string) (CheckoutState, error) {
	p := &stripe.CheckoutSessionParams{}
	p.Context = ctx
	cs, err := s.api.CheckoutSessions.Get(id, p)
	if err != nil {
		return CheckoutState{}, fmt.Errorf("stripe: get checkout session: %w", err)
	}
	return stateOf(cs), nil
}

// RecentCheckouts lists sessions created since the given time.
func (s *Stripe) RecentCheckouts(ctx context.Context, since time.Time) ([]CheckoutState, error) {
	p := &stripe.CheckoutSessionListParams{}
	p.Context = ctx
	p.Filters.AddFilter("created", "gte", fmt.Sprint(since.Unix()))
	p.Limit = stripe.Int64(100)
	var out []CheckoutState
	it := s.api.CheckoutSessions.List(p)
	for it.Next() {
		out = append(out, stateOf(it.CheckoutSession()))
		if len(out) >= 5000 {
			break
		}
	}
	if err := it.Err(); err != nil {
		return out, fmt.Errorf("stripe: list checkout sessions: %w", err)
	}
	return out, nil
}

// Refund refunds part or all of a PaymentIntent.
func (s *Stripe) Refund(ctx context.Context, paymentRef string, amountCents int64, idempotencyKey string) (Refund, error) {
	p := &stripe.RefundParams{PaymentIntent: stripe.String(paymentRef), Amount: stripe.Int64(amountCents)}
	p.Context = ctx
	if idempotencyKey != "" {
		p.SetIdempotencyKey(idempotencyKey)
	}
	r, err := s.api.Refunds.New(p)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 && se.HTTPStatusCode != 429 {
			return Refund{}, fmt.Errorf("%w: %s", ErrDeclined, se.Msg)
		}
		return Refund{}, fmt.Errorf("stripe: refund: %w", err)
	}
	return Refund{ID: r.ID, AmountCents: r.Amount, Status: string(r.Status)}, nil
}

// ParseWebhook verifies the Stripe-Signature header and decodes the event.
// Stripe's API version of the endpoint may differ from the library's; the
// fields we read are stable, so the mismatch is explicitly ignored.
func (s *Stripe) ParseWebhook(payload []byte, signatureHeader string) (Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signatureHeader, s.webhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if t, ok := signatureTime(signatureHeader); !ok || t.After(s.now().Add(webhookFutureTolerance)) {
		return Event{}, fmt.Errorf("%w: signature dated in the future", ErrBadSignature)
	}
	out := Event{ID: ev.ID, Type: string(ev.Type), Created: time.Unix(ev.Created, 0)}
	switch {
	case strings.HasPrefix(string(ev.Type), "checkout.session."):
		var cs stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
			return Event{}, fmt.Errorf("stripe: decode checkout session event: %w", err)
		}
		st := stateOf(&cs)
		out.Checkout = &st
	case ev.Type == EventChargeRefunded:
		var ch stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
			return Event{}, fmt.Errorf("stripe: decode charge event: %w", err)
		}
		if ch.PaymentIntent != nil {
			out.PaymentRef = ch.PaymentIntent.ID
		}
		out.RefundedCents = ch.AmountRefunded
	}
	return out, nil
}

// signatureTime is the t= timestamp of a Stripe-Signature header.
func signatureTime(header string) (time.Time, bool) {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, false
			}
			return time.Unix(sec, 0), true
		}
	}
	return time.Time{}, false
}

func stateOf(cs *stripe.CheckoutSession) CheckoutState {
	st := CheckoutState{
		ID:            cs.ID,
		OrderCode:     cs.ClientReferenceID,
		Status:        string(cs.Status),
		PaymentStatus: string(cs.PaymentStatus),
		AmountCents:   cs.AmountTotal,
		Currency:      string(cs.Currency),
		Created:       time.Unix(cs.Created, 0),
	}
	if st.OrderCode == "" && cs.Metadata != nil {
		st.OrderCode = cs.Metadata["order_code"]
	}
	if cs.PaymentIntent != nil {
		st.PaymentRef = cs.PaymentIntent.ID
	}
	return st
}
