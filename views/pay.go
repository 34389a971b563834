package views

// PaymentView is the payment part of an order page.
type PaymentView struct {
	// CanPay shows the "Pay" button (the order awaits payment and nothing is under way).
	CanPay bool
	// Processing: a payment with an asynchronous method is under way.
	Processing bool
	// DemoSessionID is set with the demo gateway for a "pay later" payment,
	// to offer settling it from the order page.
	DemoSessionID string
	// Method says how the order was paid ("card", "cash", …), "" when unpaid.
	Method string
	// AutoRefundCents is money that came in but was returned automatically
	// (paid after the seats were gone, or paid twice).
	AutoRefundCents   int64
	AutoRefundPending bool // not yet confirmed by the provider
	AutoRefundLate    bool // because the payment arrived after the hold (else: paid twice)
	// AutoRefundMismatched: a payment was not what the order asked for (amount, currency, session).
	AutoRefundMismatched bool
}

// DemoCheckoutView is the demo gateway's hosted payment page.
type DemoCheckoutView struct {
	ID         string
	OrderCode  string
	Email      string
	Lines      []DemoLine
	TotalCents int64
	// Open: the page can take a payment; else Closed says why not.
	Open    bool
	Closed  string
	Message string // after a decline
	// CancelURL goes back to the order.
	CancelURL string
}

// DemoLine is one line of a demo checkout.
type DemoLine struct {
	Name       string
	Quantity   int64
	UnitCents  int64
	TotalCents int64
}

// LatePaymentMail tells a customer their payment was returned.
type LatePaymentMail struct {
	Code   string
	Amount string
	Late   bool // arrived after the hold (else: paid twice)
	Link   string
}
