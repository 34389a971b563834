package views

import (
	"time"

	"marquee/booking"
)

// FormErrors maps a form field to its error message; the "" key is a message
// about the whole form.
type FormErrors map[string]string

// RegisterForm is what the registration form sends back on error (never the password).
type RegisterForm struct {
	Email string
	Name  string
}

// LoginForm is what the sign-in form sends back on error.
type LoginForm struct {
	Email    string
	Remember bool
	Next     string
	// Limited: sign-in attempts for this address are being slowed down;
	// the page offers a sign-in link by e-mail instead.
	Limited bool
}

// AccountPage is the profile page.
type AccountPage struct {
	User     *booking.User
	Theatres []booking.Theatre
	Tokens   []booking.APIToken
	// NewToken is a just-created API token, shown this once.
	NewToken     string
	NewTokenName string
	Profile      booking.Profile
	// Errors are keyed "section.field" (profile.name, password.new_password, email.email, delete.password, token.name).
	Errors FormErrors
	// NewEmail is the address typed into the change-e-mail form.
	NewEmail string
}

// AdminUsersPage lists users for role changes.
type AdminUsersPage struct {
	Users  []booking.User
	Total  int
	Query  string
	Role   string
	SelfID int64
}

// AdminInvitePage is the staff invitation form and the open invitations.
type AdminInvitePage struct {
	Open   []booking.Invitation
	Email  string
	Role   string
	Errors FormErrors
	Sent   string
	// Theatres can be ticked for the invited member of staff (Member: ticked).
	Theatres []booking.Theatre
	Member   map[int64]bool
}

// AdminAuditPage is the audit log browser.
type AdminAuditPage struct {
	Entries []booking.AuditEntry
	Total   int
	Filter  booking.AuditFilter
	From    string // as typed, yyyy-mm-dd
	To      string
	Next    string // query string of the next page, "" at the end
}

// MailMessage is a captured e-mail on /dev/mail.
type MailMessage struct {
	To, Subject, Text, HTML string
	At                      time.Time
}

// MailLink is the data of an e-mail that carries one action link.
type MailLink struct {
	Name string
	Link string
	// Extra is a sentence specific to the message (e.g. the role of an invitation).
	Extra string
}

// RoleLabel is a role's name as shown to people.
func RoleLabel(r booking.Role) string {
	switch r {
	case booking.RoleStaff:
		return "Box office staff"
	case booking.RoleManager:
		return "Theatre manager"
	case booking.RoleAdmin:
		return "Administrator"
	default:
		return "Customer"
	}
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func stampPtr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return stamp(*t)
}

func theatreSelected(p booking.Profile, id int64) bool {
	return p.PreferredTheatreID != nil && *p.PreferredTheatreID == id
}

func i64(n int64) string { return itoa(int(n)) }
