package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/payment"
	"marquee/sales"
	"marquee/views"
)

// The box office (/boxoffice, staff and above): today's board, counter
// sales, order look-up and check-in at the door. Every seat change goes
// through the sales service with the counter's window (booking.CounterUntil),
// every tender through the payment service; every action is audited.
//
// The board and the door work at the staff member's theatre
// (boxoffice_theatre.go); everything else is refused (403) for an order or
// showtime of a theatre they don't belong to.

// boardView builds today's board (the theatre's local day) from the
// showtimes and the sales service's live seat states.
func (h *Handler) boardView(c *fiber.Ctx) (views.BoardView, error) {
	ctx := c.UserContext()
	cur, theatres, err := h.boxTheatre(c, c.Query("theatre"))
	if err != nil {
		return views.BoardView{}, err
	}
	if cur.ID == 0 { // a fresh installation: an empty board
		return views.BoardView{Theatre: booking.Theatre{Name: "No theatres yet"}, Day: views.Day(h.clock.Now(), time.UTC)}, nil
	}
	b := views.BoardView{Theatres: theatres, Theatre: cur}
	if u := h.currentUser(c); u != nil {
		d, ok, err := h.db.OpenDrawerOf(ctx, u.ID)
		if err != nil {
			return b, err
		}
		if ok {
			b.Drawer = &d
		}
	}
	loc := b.Theatre.Location()
	now := h.clock.Now()
	local := now.In(loc)
	from := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	b.Day, b.Now = views.Day(now, loc), views.Clock(now, loc)
	shows, err := h.db.BoardShows(ctx, b.Theatre.ID, from, from.AddDate(0, 0, 1))
	if err != nil {
		return b, err
	}
	key := 0
	for _, s := range shows {
		r := views.BoardRow{ShowtimeID: s.ID, Start: views.Clock(s.StartsAt, loc), Title: s.Title, Auditorium: s.Auditorium,
			Format: s.Format, Admitted: s.Admitted, State: booking.CounterSales(s.Showtime, now, h.sales.SettingsFor(b.Theatre.ID))}
		v, err := h.sales.View(ctx, s.ID, "")
		if err != nil {
			return b, err
		}
		for _, st := range v.States {
			switch st {
			case booking.StateSold:
				r.Sold++
			case booking.StateHeld:
				r.Held++
			default:
				r.Free++
			}
		}
		r.Capacity = len(v.States)
		if r.Sells() && key < 9 {
			key++
			r.Key = strconv.Itoa(key)
		}
		b.Rows = append(b.Rows, r)
	}
	return b, nil
}

func (h *Handler) boxOfficeHome(c *fiber.Ctx) error {
	b, err := h.boardView(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.BoxOfficeHome(h.pageMeta(c, "Box office", "boxoffice"), b))
}

// boxOfficeBoard is the board's rows, polled by the board page.
func (h *Handler) boxOfficeBoard(c *fiber.Ctx) error {
	b, err := h.boardView(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, views.BoardTable(b))
}

// saleView is the sale page of the showtime in the path.
func (h *Handler) saleView(c *fiber.Ctx) (views.SaleView, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return views.SaleView{}, fiber.ErrNotFound
	}
	v, err := h.sales.View(c.UserContext(), id, "")
	if err != nil {
		return views.SaleView{}, err
	}
	if err := h.requireTheatre(c, v.Show.Info.Theatre.ID); err != nil {
		return views.SaleView{}, err
	}
	sv := views.SaleView{Info: v.Show.Info, TicketTypes: v.Show.Card.TicketTypes,
		State: booking.CounterSales(v.Show.Info.Showtime, v.Now, v.Set),
		Map:   views.NewCounterMap(id, v.Show.Layout, v.States)}
	for _, st := range v.States {
		if st == booking.StateFree {
			sv.Free++
		}
	}
	return sv, nil
}

func (h *Handler) salePage(c *fiber.Ctx) error {
	v, err := h.saleView(c)
	if err != nil {
		return err
	}
	v.Form.Key = newSaleKey()
	return render(c, fiber.StatusOK, views.SalePage(h.pageMeta(c, "Sell "+v.Info.Movie.Title, "boxoffice"), v))
}

// saleMap: GET /boxoffice/sell/:id/map — the counter's seat map, polled.
func (h *Handler) saleMap(c *fiber.Ctx) error {
	v, err := h.saleView(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, views.CounterMapPartial(v.Map))
}

// counterRequest parses the sale form into an order request with the
// counter's window, and the tender typed.
func (h *Handler) counterRequest(c *fiber.Ctx, sv views.SaleView) (sales.OrderRequest, booking.Tender, error) {
	r := sales.OrderRequest{ShowtimeID: sv.Info.Showtime.ID, Window: booking.CounterUntil}
	var t booking.Tender
	if seats := strings.FieldsFunc(strings.ToUpper(copyForm(c, "seats")), func(r rune) bool { return r == ' ' || r == ',' }); len(seats) > 0 {
		r.Seats = seats
	} else {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("quantity")))
		if err != nil || n < 1 {
			return r, t, booking.Invalid("quantity", "Type how many seats (best seats), or the seats themselves (e.g. F12 F13).")
		}
		r.Quantity = n
	}
	for _, tt := range sv.TicketTypes {
		s := strings.TrimSpace(c.FormValue("type_" + tt.Code))
		if s == "" || s == "0" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 50 {
			return r, t, booking.Invalid("type_"+tt.Code, "Type how many %s tickets.", tt.Name)
		}
		if r.TicketTypes == nil {
			r.TicketTypes = map[string]int{}
		}
		r.TicketTypes[tt.Code] = n
	}
	if p := c.FormValue("phone"); strings.TrimSpace(p) != "" {
		if _, err := booking.CheckPhone(p); err != nil {
			return r, t, err
		}
	}
	// A count for a type the show doesn't sell (the film's rating, a retired
	// type, a forged field) goes to sales, which refuses it and says why.
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		code, ok := strings.CutPrefix(string(k), "type_")
		if n, err := strconv.Atoi(strings.TrimSpace(string(v))); ok && err == nil && n > 0 && r.TicketTypes[code] == 0 {
			if r.TicketTypes == nil {
				r.TicketTypes = map[string]int{}
			}
			r.TicketTypes[code] = n
		}
	})
	if e := strings.TrimSpace(c.FormValue("email")); e != "" {
		email, err := booking.TicketEmail(e, nil)
		if err != nil {
			return r, t, err
		}
		r.Email = email
	}
	t.Method = copyForm(c, "tender")
	if t.Method == "" {
		t.Method = booking.TenderCash
	}
	var err error
	if s := c.FormValue("cash"); strings.TrimSpace(s) != "" {
		if t.CashCents, err = booking.ParseCents("cash", s); err != nil {
			return r, t, err
		}
	}
	if s := c.FormValue("card_amount"); strings.TrimSpace(s) != "" && (t.Method == booking.TenderSplit || t.Method == booking.TenderCard) {
		if t.CardCents, err = booking.ParseCents("card_amount", s); err != nil {
			return r, t, err
		}
	}
	t.CardReference = copyForm(c, "reference")
	return r, t, nil
}

// saleQuote: POST /boxoffice/sell/:id/quote — the total (and change) of the
// form as typed; nothing is claimed.
func (h *Handler) saleQuote(c *fiber.Ctx) error {
	sv, err := h.saleView(c)
	if err != nil {
		return err
	}
	r, t, err := h.counterRequest(c, sv)
	if err != nil {
		return err
	}
	q, err := h.sales.Quote(c.UserContext(), r)
	if err != nil {
		return err
	}
	qv := views.QuoteView{TotalCents: q.TotalCents, FeeCents: q.FeeCents, Lines: q.Lines}
	for _, l := range q.Lines {
		qv.Seats = append(qv.Seats, l.Seat.Label())
	}
	if t.CashCents > 0 {
		if p, err := booking.PlanTender(t, q.TotalCents); err == nil {
			qv.ChangeCents, qv.HasChange = p.ChangeCents, true
		}
	}
	return render(c, fiber.StatusOK, views.QuotePartial(qv))
}

// sell: POST /boxoffice/sell/:id — one order through the sales service with
// the counter's window, paid at once with the tender. The tender is checked
// against the quoted total first, so cash below it changes nothing; cash
// needs the staff member's open drawer here. The form's key (sale_key) is
// claimed first: a form sent twice makes one order, and the second answer
// is the first sale's order.
func (h *Handler) sell(c *fiber.Ctx) error {
	sv, err := h.saleView(c)
	if err != nil {
		return err
	}
	r, t, err := h.counterRequest(c, sv)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	q, err := h.sales.Quote(ctx, r)
	if err != nil {
		return err
	}
	plan, err := booking.PlanTender(t, q.TotalCents)
	if err != nil {
		return err
	}
	staff := h.currentUser(c)
	if t.Method == booking.TenderCash || t.Method == booking.TenderSplit {
		d, ok, err := h.db.OpenDrawerOf(ctx, staff.ID)
		switch {
		case err != nil:
			return err
		case !ok:
			return booking.ErrNoDrawer
		case d.TheatreID != sv.Info.Theatre.ID:
			return booking.ErrDrawerElsewhere
		}
	}
	key := copyForm(c, "sale_key")
	if key != "" {
		if len(key) < 16 || len(key) > 64 {
			return booking.Invalid("sale_key", "This sale form is out of date: reload the page.")
		}
		claimed, code, err := h.db.ClaimSaleKey(ctx, key, staff.ID, h.clock.Now())
		if err != nil {
			return err
		}
		if !claimed {
			return h.sameSale(c, key, code)
		}
	}
	cp := payment.CounterPayment{StaffUserID: staff.ID, CardReference: plan.CardReference}
	switch t.Method {
	case booking.TenderCash:
		cp.Method, cp.TenderedCents = payment.ProviderCash, plan.CashCents
	case booking.TenderCard:
		cp.Method = payment.ProviderCardPresent
	case booking.TenderSplit:
		cp.Method, cp.TenderedCents, cp.CardCents = payment.TenderSplit, plan.CashCents, plan.CardCents
	}
	r.Tender = h.payments.Tender(cp)
	placed, err := h.sales.PlaceOrder(ctx, r)
	if err != nil {
		if key != "" {
			if rerr := h.db.ReleaseSaleKey(context.WithoutCancel(ctx), key); rerr != nil {
				h.log.Error("release sale key", "err", rerr)
			}
		}
		if placed.Order.Code != "" { // placed, but the tender was refused (the best seats changed price meanwhile…)
			h.audit(c, "boxoffice.sale_unpaid", placed.Order.Code, map[string]any{"showtime": r.ShowtimeID, "error": err.Error()})
		}
		return err
	}
	o := placed.Order
	if key != "" {
		if err := h.db.FinishSaleKey(context.WithoutCancel(ctx), key, o.Code); err != nil {
			h.log.Error("finish sale key", "order", o.Code, "err", err)
		}
	}
	if p := c.FormValue("phone"); strings.TrimSpace(p) != "" {
		if err := h.db.SetOrderPhone(ctx, o.Code, p); err != nil {
			return err
		}
	}
	seats := make([]string, len(o.Items))
	for i, it := range o.Items {
		seats[i] = it.Label()
	}
	h.audit(c, "boxoffice.sale", o.Code, map[string]any{"showtime": r.ShowtimeID, "seats": seats, "total_cents": o.TotalCents,
		"tender": t.Method, "cash_cents": plan.CashDueCents, "card_cents": plan.CardCents, "change_cents": plan.ChangeCents})
	return h.toSoldOrder(c, o.Code)
}

// sameSale answers a sale form sent again: the first sending's order once
// it is placed (waiting up to 10 s for it), else a conflict.
func (h *Handler) sameSale(c *fiber.Ctx, key, code string) error {
	ctx := c.UserContext()
	staff := h.currentUser(c)
	for i := 0; code == "" && i < 100; i++ { // up to 10 s
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		var err error
		if code, err = h.db.SaleKeyOrder(ctx, key, staff.ID); err != nil {
			return err
		}
	}
	if code == "" {
		return booking.Errorf(booking.ECONFLICT, "This sale was sent twice and the first is still being processed: look it up before selling again.")
	}
	return h.toSoldOrder(c, code)
}

func (h *Handler) toSoldOrder(c *fiber.Ctx, code string) error {
	to := "/boxoffice/orders/" + code + "?sold=1"
	if isHTMX(c) {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusOK)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// newSaleKey is a sale form's key: 128 random bits.
func newSaleKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// boxOrder: GET /boxoffice/orders/:code — the order with its payments and
// tickets, ready to print (print stylesheet: 80 mm receipt printers).
func (h *Handler) boxOrder(c *fiber.Ctx) error {
	ctx := c.UserContext()
	o, err := h.orderInScope(c)
	if err != nil {
		return err
	}
	info, err := h.db.ShowtimeInfo(ctx, o.ShowtimeID)
	if err != nil {
		return err
	}
	pays, err := h.db.PaymentsOfOrder(ctx, o.ID)
	if err != nil {
		return err
	}
	v := views.BoxOrderView{Order: o, Info: info, Tickets: h.tickets(o, info.Theatre.ID), Sold: c.Query("sold") == "1", RefundTo: booking.RefundToCard}
	if err := h.markProof(c, v.Tickets); err != nil {
		return err
	}
	if d, ok, err := h.db.OpenDrawerOf(ctx, h.currentUser(c).ID); err != nil {
		return err
	} else if ok && d.TheatreID == info.Theatre.ID {
		v.DrawerOpen = true
	}
	for _, p := range pays {
		if p.Provider == payment.ProviderCash && p.Status == payment.PaySucceeded {
			v.RefundTo = booking.RefundToCash
		}
		if p.Kind == payment.KindCounter || p.Status == "succeeded" {
			v.Payments = append(v.Payments, views.CounterPayment{Provider: p.Provider, AmountCents: p.AmountCents,
				TenderedCents: p.TenderedCents, ChangeCents: p.ChangeCents, CardReference: p.CardReference})
		}
	}
	for _, it := range o.Items {
		if it.Status == booking.ItemSold && it.CheckedInAt == nil {
			v.Cancellable = append(v.Cancellable, it)
		}
	}
	v.Policy = h.after.RulesFor(info.Theatre.ID).Cancel.Describe()
	if len(v.Cancellable) > 0 && o.ShowtimeID != 0 { // sold seats not yet in: the door may admit them all at once
		v.AdmitAll = h.after.Signer().TicketToken(booking.Ticket{OrderCode: o.Code, Seat: booking.TicketAll})
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return render(c, fiber.StatusOK, views.BoxOrderPage(h.pageMeta(c, "Order "+o.Code, "boxoffice"), v))
}

// counterCancel: POST /boxoffice/orders/:code/cancel — cancel all or some
// seats and refund them through the one ledger; outside the customer
// policy only with override=1 and a reason (waive=1 drops the charge).
// confirm=1 is required: the form's "yes, cancel" box.
func (h *Handler) counterCancel(c *fiber.Ctx) error {
	ctx := c.UserContext()
	o, err := h.orderInScope(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "1" {
		return booking.Invalid("confirm", "Tick the box to confirm the cancellation.")
	}
	cc := booking.CounterCancel{Override: c.FormValue("override") == "1", Reason: strings.TrimSpace(copyForm(c, "reason")),
		WaiveCharge: c.FormValue("waive") == "1", RefundTo: copyForm(c, "refund_to"), StaffUserID: h.currentUser(c).ID}
	if c.FormValue("all") != "1" {
		var labels []string
		for _, b := range c.Context().PostArgs().PeekMulti("seat") {
			labels = append(labels, string(b))
		}
		if len(labels) == 0 {
			return booking.Invalid("seat", "Choose the seats to cancel, or the whole order.")
		}
		if cc.SeatIDs, err = seatIDsByLabel(o, labels); err != nil {
			return err
		}
	}
	r, err := h.after.CancelAtCounter(ctx, o.Code, cc)
	if err != nil {
		return err
	}
	h.audit(c, "boxoffice.refund", o.Code, map[string]any{"seats": len(r.SeatIDs), "refund_cents": r.AmountCents,
		"charge_cents": r.ChargeCents, "refund_status": r.Status, "override": cc.Override, "reason": cc.Reason, "waived": cc.WaiveCharge,
		"refund_to": cc.RefundTo, "payment": r.Provider})
	msg := "Cancelled " + strconv.Itoa(len(r.SeatIDs)) + " seat(s); refund " + views.Money(r.AmountCents) + " (" + views.RefundStatusText(r.Status) + ")."
	switch {
	case r.AmountCents == 0:
	case cc.RefundTo == booking.RefundToCash:
		msg += " Hand back " + views.Money(r.AmountCents) + " cash from the drawer."
	case r.Provider == payment.ProviderCardPresent:
		msg += " Refund " + views.Money(r.AmountCents) + " on the card terminal."
	default:
		msg += " " + views.Money(r.AmountCents) + " goes back to the card through the payment provider."
	}
	h.sessionOf(c).SetFlash(msg)
	return c.Redirect("/boxoffice/orders/"+o.Code, fiber.StatusSeeOther)
}

// resendMail: POST /boxoffice/orders/:code/resend — the confirmation with
// the ticket links again, to the order's e-mail.
func (h *Handler) resendMail(c *fiber.Ctx) error {
	ctx := c.UserContext()
	o, err := h.orderInScope(c)
	if err != nil {
		return err
	}
	if o.Email == "" {
		return booking.Invalid("email", "This order has no e-mail address to send the tickets to.")
	}
	if !o.HasTickets() {
		return booking.Errorf(booking.ECONFLICT, "This order has no valid tickets to send.")
	}
	if err := h.after.SendConfirmation(ctx, o.Code); err != nil {
		return err
	}
	h.audit(c, "boxoffice.mail_resent", o.Code, map[string]any{"to": o.Email})
	h.sessionOf(c).SetFlash("Tickets sent again to " + o.Email + ".")
	return c.Redirect("/boxoffice/orders/"+o.Code, fiber.StatusSeeOther)
}

// findOrder: GET /boxoffice/find?q= — by code, e-mail or name, or a scanned
// ticket (its order). One exact code match opens the order.
func (h *Handler) findOrder(c *fiber.Ctx) error {
	q := strings.TrimSpace(copyQuery(c, "q"))
	v := views.FindView{Query: q}
	if q != "" {
		if strings.Count(q, ".") == 2 && !strings.ContainsAny(q, "@ ") { // a scanned ticket (not an e-mail like j.doe@example.com)
			t, err := h.after.Signer().VerifyTicket(q)
			if err != nil {
				return err
			}
			q = t.OrderCode
		}
		theatres, err := h.scopeTheatres(c)
		if err != nil {
			return err
		}
		found, err := h.db.FindOrders(c.UserContext(), q, theatres)
		if err != nil {
			return err
		}
		h.audit(c, "boxoffice.lookup", q, map[string]any{"results": len(found)})
		if len(found) == 1 && strings.EqualFold(found[0].Code, q) {
			return c.Redirect("/boxoffice/orders/"+found[0].Code, fiber.StatusSeeOther)
		}
		for _, o := range found {
			v.Orders = append(v.Orders, foundView(o))
		}
	}
	return render(c, fiber.StatusOK, views.FindPage(h.pageMeta(c, "Find an order", "boxoffice"), v))
}

func foundView(o db.FoundOrder) views.FoundOrder {
	return views.FoundOrder{Code: o.Code, Email: o.Email, Name: o.Name, Phone: o.Phone, Status: o.Status, Title: o.Title,
		Start: o.StartsAt.UTC().Format("Mon 2 Jan 15:04 UTC"), TotalCents: o.TotalCents, Seats: o.Seats}
}

// doorView is the check-in page: the door's theatre (the staff member's,
// or the showtime's it is set to) and today's showtimes there with their
// counts.
func (h *Handler) doorView(c *fiber.Ctx) (views.DoorView, error) {
	var v views.DoorView
	ctx := c.UserContext()
	if s := c.Query("showtime", c.FormValue("showtime")); s != "" && s != "0" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return v, BadQuery("showtime", "showtime must be a showtime id.")
		}
		info, err := h.db.ShowtimeInfo(ctx, id)
		if err != nil {
			return v, err
		}
		if err := h.requireTheatre(c, info.Theatre.ID); err != nil {
			return v, err
		}
		v.Door, v.Theatre = id, info.Theatre
	}
	cur, mine, err := h.boxTheatre(c, c.Query("theatre", c.FormValue("theatre")))
	if err != nil {
		return v, err
	}
	v.Theatres = mine
	if v.Theatre.ID == 0 {
		v.Theatre = cur
	}
	if v.Theatre.ID == 0 {
		return v, nil
	}
	loc := v.Theatre.Location()
	local := h.clock.Now().In(loc)
	from := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	shows, err := h.db.BoardShows(ctx, v.Theatre.ID, from, from.AddDate(0, 0, 1))
	if err != nil {
		return v, err
	}
	for _, s := range shows {
		v.Showtimes = append(v.Showtimes, views.DoorShow{ID: s.ID, Admitted: s.Admitted, Expected: s.Sold,
			Start: views.Clock(s.StartsAt, loc), Opens: views.Clock(booking.DoorsOpen(s.StartsAt), loc),
			Label: views.Clock(s.StartsAt, loc) + " " + s.Title + " · " + s.Auditorium})
	}
	return v, nil
}

// doorCounts: GET /boxoffice/door/counts — admitted / expected per showtime
// of the door, polled by the door page.
func (h *Handler) doorCounts(c *fiber.Ctx) error {
	v, err := h.doorView(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, views.DoorCounts(v))
}

func (h *Handler) doorPage(c *fiber.Ctx) error {
	v, err := h.doorView(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.DoorPage(h.pageMeta(c, "Door", "boxoffice"), v))
}

// checkIn: POST /boxoffice/door — admit a scanned or typed ticket. The
// answer fills the screen: 200 VALID, 409 already admitted (when, by whom),
// 422 for anything else (forged, another showtime, cancelled, unpaid).
func (h *Handler) checkIn(c *fiber.Ctx) error {
	token := strings.TrimSpace(copyForm(c, "ticket"))
	dv, err := h.doorView(c)
	if err != nil {
		return err
	}
	door := booking.Door{TheatreID: dv.Theatre.ID, ShowtimeID: dv.Door}
	a := booking.Admission{Token: token}
	t, err := h.after.Signer().VerifyTicket(token)
	if err != nil {
		a.Verdict, a.Message = booking.AdmitForged, "This is not a valid Marquee ticket (unreadable code or forged signature)."
		h.audit(c, "boxoffice.checkin_refused", truncate(token, 80), map[string]any{"verdict": a.Verdict})
		return h.renderAnswer(c, views.DoorAnswer{A: a, Zone: time.UTC})
	}
	staff := h.currentUser(c)
	a, err = h.db.Admit(c.UserContext(), t, door, staff.ID, h.clock.Now())
	if err != nil {
		return err
	}
	a.Token = token
	action := "boxoffice.checkin"
	if !a.Valid() {
		action = "boxoffice.checkin_refused"
	}
	var seats []string
	for _, s := range a.Admitted {
		seats = append(seats, s.Label)
	}
	h.audit(c, action, t.OrderCode+"."+t.Seat, map[string]any{"verdict": a.Verdict, "seats": seats, "door_showtime": door.ShowtimeID, "door_theatre": door.TheatreID})
	return h.renderAnswer(c, views.DoorAnswer{A: a, Zone: h.zoneOf(c, a.ShowtimeID)})
}

// undoCheckIn: POST /boxoffice/door/undo — let a ticket's seats in again.
func (h *Handler) undoCheckIn(c *fiber.Ctx) error {
	token := strings.TrimSpace(copyForm(c, "ticket"))
	t, err := h.after.Signer().VerifyTicket(token)
	if err != nil {
		return err
	}
	theatre, err := h.db.OrderTheatre(c.UserContext(), t.OrderCode)
	if err != nil {
		return err
	}
	if err := h.requireTheatre(c, theatre); err != nil {
		return err
	}
	a, n, err := h.db.Unadmit(c.UserContext(), t)
	if err != nil {
		return err
	}
	if n == 0 {
		return booking.Errorf(booking.ECONFLICT, "This ticket wasn't checked in; nothing to undo.")
	}
	a.Token = token
	h.audit(c, "boxoffice.checkin_undone", t.OrderCode+"."+t.Seat, map[string]any{"seats": n})
	return h.renderAnswer(c, views.DoorAnswer{A: a, Zone: h.zoneOf(c, a.ShowtimeID), Undone: n})
}

func (h *Handler) renderAnswer(c *fiber.Ctx, d views.DoorAnswer) error {
	status := fiber.StatusOK
	switch {
	case d.Undone > 0 || d.A.Valid():
	case d.A.Verdict == booking.AdmitAlready:
		status = fiber.StatusConflict
	case d.A.Verdict == booking.AdmitOtherTheatre:
		status = fiber.StatusUnprocessableEntity
		if s, err := h.scope(c); err == nil && !s.Allows(d.A.TheatreID) {
			status = fiber.StatusForbidden // a theatre this member of staff doesn't work at
		}
	default:
		status = fiber.StatusUnprocessableEntity
	}
	m := h.pageMeta(c, "Door", "boxoffice")
	if isHTMX(c) {
		return render(c, status, views.DoorAnswerPartial(m, d))
	}
	v, err := h.doorView(c)
	if err != nil {
		return err
	}
	v.Answer = &d
	return render(c, status, views.DoorPage(m, v))
}

// zoneOf is the time zone of a showtime's theatre (UTC when unknown).
func (h *Handler) zoneOf(c *fiber.Ctx, showtimeID int64) *time.Location {
	if showtimeID == 0 {
		return time.UTC
	}
	info, err := h.db.ShowtimeInfo(c.UserContext(), showtimeID)
	if err != nil {
		return time.UTC
	}
	return info.Theatre.Location()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
