package views

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"marquee/booking"
)

// The manager's showtimes pages (/manage/showtimes): the programme, the
// schedule and edit forms, move and cancel with their confirm steps, and the
// summary of who was affected.

// ProgrammeOption is one entry of a menu on the programme pages.
type ProgrammeOption struct {
	Value, Label string
	Group        string // optgroup (auditoriums: the theatre)
}

// ProgrammePage is the programme of a day or a week.
type ProgrammePage struct {
	Theatres     []ProgrammeOption // the theatres in the manager's scope
	TheatreID    string            // "" all
	Auditoriums  []ProgrammeOption // of the theatre shown (all: of every theatre)
	AuditoriumID string            // "" all
	Date         string            // first day shown, YYYY-MM-DD
	Days         int               // 1 or 7
	Query        string
	Status       string // "", "scheduled", "draft", "cancelled"
	Prev, Next   string // the Date of the previous / next page
	Today        string
	Span         string // e.g. "Wed 25 Nov – Tue 1 Dec"
	Groups       []ProgrammeDay
	Count        int
	ZoneNote     string // which zone the days are in, when theatres differ
	CSRF         string
	NewShowLink  string
}

// ProgrammeDay is one local day of the programme.
type ProgrammeDay struct {
	Label string
	Rows  []ProgrammeRow
}

// ProgrammeRow is one showtime in the programme.
type ProgrammeRow struct {
	ID                int64
	Start, End, Ready string // local clock times
	Title             string
	Theatre           string
	Auditorium        string
	Format            string
	Chips             []booking.Chip
	PriceCard         string
	Sold, Capacity    int
	Cancelled, Draft  bool
	Past              bool   // started: no more changes
	Sales             string // online sales in words
}

// ShowtimeFormPage is the schedule form (ID 0) or the edit form of a showtime.
type ShowtimeFormPage struct {
	ID          int64
	Title       string // movie title (edit)
	Movies      []ProgrammeOption
	Auditoriums []ProgrammeOption
	PriceCards  []ProgrammeOption
	Formats     []string
	Versions    []ProgrammeOption
	Weekdays    []ProgrammeOption // value "0".."6"
	Form        ShowtimeFormValues
	Errors      FormErrors
	Rules       string // the programme rules in a sentence
	Locked      string // why start and auditorium can't change here ("": they can)
	Sold        int
	Cancelled   bool
	Started     bool
}

// ShowtimeFormValues are the fields of the schedule / edit form as typed.
type ShowtimeFormValues struct {
	Movie, Auditorium, PriceCard, Format string
	Version, Language, Event             string
	AudioDescription, Captions           bool
	Published                            bool
	From, To                             string // dates (to: series only)
	Weekdays                             map[string]bool
	Times                                string // "14:00 19:30"
	SalesOpen                            string // datetime-local, "" at once
	SalesClose, CounterClose             string // minutes after the start
}

// ShowtimeSummary is a showtime described in one line (confirm pages).
type ShowtimeSummary struct {
	ID         int64
	Title      string
	When       string // "Wed 25 Nov 19:00–21:10"
	Theatre    string
	Auditorium string
	Sold       int
	Orders     int
	Status     string
}

// MovePage is the move form and, once a target is given, its confirm step.
type MovePage struct {
	Show        ShowtimeSummary
	Auditoriums []ProgrammeOption
	Auditorium  string
	Date, Time  string
	Errors      FormErrors
	// Confirm is set on the confirm step: what the move does.
	Confirm *MoveConfirm
}

// MoveConfirm is what a move would do, for the manager to confirm.
type MoveConfirm struct {
	To         string // new time and auditorium in words
	Orders     int    // paid orders moved
	Seats      int    // seats kept (same row and number)
	Lost       int    // seats the new auditorium lacks: refunded
	LostOrders int
}

// CancelShowPage is the confirm step of cancelling a showtime.
type CancelShowPage struct {
	Show   ShowtimeSummary
	Error  string
	Orders []AffectedRow
}

// AffectedPage is the summary after a cancel or a move: who was affected.
type AffectedPage struct {
	Show    ShowtimeSummary
	Done    string // "cancelled", "moved", ""
	Message string
	Rows    []AffectedRow
}

// AffectedRow is one order of the summary.
type AffectedRow struct {
	Code, Email, Status string
	Seats, Cancelled    int
	Refunded            string // money, "" when nothing
	Refunds             string // refund statuses
	Notice              string // "moved / sent 19:02", "cancelled / queued"
}

// ShowtimeWhen is a showtime's local day, start and end.
func ShowtimeWhen(start, end time.Time, loc *time.Location) string {
	return Day(start, loc) + " " + Clock(start, loc) + "–" + Clock(end, loc)
}

// programmeLink is the programme page p for another first day.
func programmeLink(p ProgrammePage, date string) string {
	v := url.Values{}
	v.Set("date", date)
	v.Set("days", strconv.Itoa(p.Days))
	if p.TheatreID != "" {
		v.Set("theatre", p.TheatreID)
	}
	if p.AuditoriumID != "" {
		v.Set("auditorium", p.AuditoriumID)
	}
	if p.Query != "" {
		v.Set("q", p.Query)
	}
	if p.Status != "" {
		v.Set("status", p.Status)
	}
	return "/manage/showtimes?" + v.Encode()
}

// chipTitles are the chips' full words, each after ", " (for labels).
func chipTitles(chips []booking.Chip) string {
	var b strings.Builder
	for _, c := range chips {
		b.WriteString(", ")
		b.WriteString(c.Title)
	}
	return b.String()
}
