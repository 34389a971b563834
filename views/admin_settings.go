package views

import "marquee/booking"

// CinemaSettingsForm is the cinema's settings as the form shows and sends
// them (what was typed comes back on error). The JSON names are the form's
// field names; the audit log records before and after in this shape.
type CinemaSettingsForm struct {
	HoldMinutes         string `json:"hold_minutes"`
	MaxSeats            string `json:"max_seats"`
	BookingFee          string `json:"booking_fee"`
	CancelOnline        bool   `json:"cancel_online"`
	CancelCutoffMinutes string `json:"cancel_cutoff_minutes"`
	CancelFee           string `json:"cancel_fee"`
	CancelFeePercent    string `json:"cancel_fee_percent"`
	CancelRefundFee     bool   `json:"cancel_refund_booking_fee"`
	TicketPerOrder      bool   `json:"ticket_per_order"`
	ReminderMinutes     string `json:"reminder_minutes"`
	TrailersMinutes     string `json:"trailers_minutes"`
	CleaningMinutes     string `json:"cleaning_minutes"`
	DayEndsHour         string `json:"day_ends_hour"`
	WeekStarts          string `json:"week_starts"`
}

// AdminSettingsPage is /admin/settings.
type AdminSettingsPage struct {
	Form   CinemaSettingsForm
	Errors FormErrors
}

// TheatreForm is a theatre's settings as the form shows and sends them.
// Empty override fields take the cinema's value.
type TheatreForm struct {
	Name                string `json:"name"`
	City                string `json:"city"`
	Address             string `json:"address"`
	TimeZone            string `json:"time_zone"`
	Currency            string `json:"currency"`
	TaxModel            string `json:"tax_model"`
	TaxRate             string `json:"tax_rate"`
	SellerName          string `json:"seller_name"`
	SellerAddress       string `json:"seller_address"`
	TaxID               string `json:"tax_id"`
	HoldMinutes         string `json:"hold_minutes"`
	MaxSeats            string `json:"max_seats"`
	BookingFee          string `json:"booking_fee"`
	CancelOverride      bool   `json:"cancel_override"`
	CancelOnline        bool   `json:"cancel_online"`
	CancelCutoffMinutes string `json:"cancel_cutoff_minutes"`
	CancelFee           string `json:"cancel_fee"`
	CancelFeePercent    string `json:"cancel_fee_percent"`
	CancelRefundFee     bool   `json:"cancel_refund_booking_fee"`
}

// AdminTheatrePage is /admin/theatres/:id.
type AdminTheatrePage struct {
	ID     int64
	Slug   string
	Form   TheatreForm
	Cinema CinemaSettingsForm // the values a theatre without overrides takes
	Errors FormErrors
}

// AdminTheatresPage is /admin/theatres.
type AdminTheatresPage struct {
	Query    string
	Theatres []booking.TheatreSettings
}

// TaxText is a theatre's tax in a few words: "Sales tax 8.875% added", "VAT 20% included".
func TaxText(t booking.Tax) string {
	if t.Included() {
		return t.Name() + " " + booking.RateString(t.Rate) + " included"
	}
	return t.Name() + " " + booking.RateString(t.Rate) + " added"
}

// WeekStartDays are the film week's possible first days, in form order.
var WeekStartDays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// AdminUserPage is /admin/users/:id: a member of staff's theatres and home theatre.
type AdminUserPage struct {
	User     booking.User
	Theatres []booking.Theatre
	Member   map[int64]bool
	Home     int64 // 0: none
	Errors   FormErrors
}
