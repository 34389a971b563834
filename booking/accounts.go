package booking

import (
	"bufio"
	_ "embed"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// Role is what a user may do. Roles are ordered: each includes the ones before it.
type Role string

// The roles, weakest first.
const (
	RoleCustomer Role = "customer"
	RoleStaff    Role = "staff"   // box office
	RoleManager  Role = "manager" // programme, layouts, prices, reports
	RoleAdmin    Role = "admin"   // users, roles, settings, audit log
)

// Roles lists every role, weakest first.
var Roles = []Role{RoleCustomer, RoleStaff, RoleManager, RoleAdmin}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// AtLeast reports whether r includes min (an admin is also a manager and staff).
func (r Role) AtLeast(min Role) bool { return r.rank() >= 0 && r.rank() >= min.rank() }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() >= 0 }

// ParseRole validates a role name from a form or a flag.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(strings.ToLower(s)))
	if !r.Valid() {
		return "", Invalid("role", "Choose one of customer, staff, manager or admin.")
	}
	return r, nil
}

// Password policy.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256 // bytes; bounds the hashing cost of hostile input
)

//go:embed common_passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsFile))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
})

// ValidatePassword applies the password policy: a minimum length, a maximum
// size, and not one of the commonly used passwords (bundled list) nor the
// user's own e-mail address or name.
func ValidatePassword(pw, email, name string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return Invalid("password", "Use at least %d characters.", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return Invalid("password", "Use at most %d characters.", MaxPasswordLen)
	}
	low := strings.ToLower(pw)
	if commonPasswords()[low] || allSame(low) {
		return Invalid("password", "That password is too common. Choose something harder to guess.")
	}
	if (email != "" && strings.EqualFold(pw, email)) || (email != "" && strings.EqualFold(pw, strings.Split(email, "@")[0])) ||
		(name != "" && strings.EqualFold(pw, name)) {
		return Invalid("password", "Don't use your e-mail address or name as your password.")
	}
	return nil
}

func allSame(s string) bool {
	for _, r := range s {
		if r != rune(s[0]) {
			return false
		}
	}
	return true
}

// NormalizeEmail trims an address. Case is kept for display; comparisons are case-insensitive.
func NormalizeEmail(s string) string { return strings.TrimSpace(s) }

// ValidateEmail checks that s is one plain address (no display name), of a sane length.
func ValidateEmail(s string) error {
	s = NormalizeEmail(s)
	if s == "" {
		return Invalid("email", "Enter your e-mail address.")
	}
	if len(s) > 254 {
		return Invalid("email", "That e-mail address is too long.")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return Invalid("email", "Enter an e-mail address like name@example.com.")
	}
	return nil
}

// ValidateName checks a person's name as shown on tickets and in the header.
func ValidateName(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Invalid("name", "Enter your name.")
	case utf8.RuneCountInString(s) > 100:
		return Invalid("name", "Use at most 100 characters.")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return Invalid("name", "Use letters, spaces and punctuation only.")
		}
	}
	return nil
}

// ValidatePhone accepts an empty value or a phone number in a loose international format.
func ValidatePhone(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	digits := 0
	for i, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return Invalid("phone", "Use digits, spaces and + ( ) - only.")
		}
	}
	if digits < 6 || digits > 15 {
		return Invalid("phone", "Enter a phone number of 6 to 15 digits.")
	}
	return nil
}

// Account errors. Sign-in failures share one message whatever the cause, so
// that nobody learns which addresses have accounts.
var (
	ErrBadCredentials = Errorf(EUNAUTHORIZED, "Wrong e-mail or password, or the address isn't confirmed yet (check your inbox for the confirmation link).")
	ErrWrongPassword  = &Error{Code: EINVALID, Message: "That isn't your current password.", Field: "current_password"}
	ErrLinkInvalid    = Errorf(EGONE, "That link has expired or has already been used. Ask for a new one.")
	ErrSignInRequired = Errorf(EUNAUTHORIZED, "Please sign in first.")
	ErrStaffOnly      = Errorf(EFORBIDDEN, "You don't have access to that page.")
	ErrEmailTaken     = &Error{Code: ECONFLICT, Message: "Another account already uses that e-mail address.", Field: "email"}
)

// PasswordParams are the argon2id cost parameters.
type PasswordParams = argon2id.Params

// DefaultPasswordParams are the production cost parameters (64 MiB, 1 pass, 2 lanes).
var DefaultPasswordParams = PasswordParams{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// HashPassword hashes pw with argon2id and the given parameters.
func HashPassword(pw string, p PasswordParams) (string, error) {
	return argon2id.CreateHash(pw, &p)
}

// CheckPassword reports whether pw matches hash. An empty or malformed hash
// never matches (deleted and invited-but-unset accounts).
func CheckPassword(pw, hash string) bool {
	if hash == "" {
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// User is an account. Guests have none: their orders carry an e-mail only.
type User struct {
	ID                 int64      `db:"id"`
	Email              string     `db:"email"`
	PasswordHash       string     `db:"password_hash"`
	Name               string     `db:"name"`
	Phone              string     `db:"phone"`
	PreferredTheatreID *int64     `db:"preferred_theatre_id"`
	MarketingOptOut    bool       `db:"marketing_opt_out"`
	Role               Role       `db:"role"`
	EmailConfirmedAt   *time.Time `db:"email_confirmed_at"`
	SessionVersion     int        `db:"session_version"`
	CreatedAt          time.Time  `db:"created_at"`
	DeletedAt          *time.Time `db:"deleted_at"`
}

// Confirmed reports whether the user proved they own their address.
func (u *User) Confirmed() bool { return u.EmailConfirmedAt != nil }

// Profile is what a user edits on their profile page.
type Profile struct {
	Name               string
	Phone              string
	PreferredTheatreID *int64
	MarketingOptOut    bool
}

// Validate checks a profile.
func (p Profile) Validate() error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	return ValidatePhone(p.Phone)
}

// APIToken is a personal API token as listed on the profile page (never the secret).
type APIToken struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	Name       string     `db:"name"`
	Prefix     string     `db:"prefix"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// Invitation invites an address to a staff role.
type Invitation struct {
	ID         int64      `db:"id"`
	Email      string     `db:"email"`
	Role       Role       `db:"role"`
	InvitedBy  *int64     `db:"invited_by"`
	CreatedAt  time.Time  `db:"created_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	AcceptedAt *time.Time `db:"accepted_at"`
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	ActorID    *int64    `db:"actor_id"`
	ActorEmail string    `db:"actor_email"`
	Action     string    `db:"action"`
	Subject    string    `db:"subject"`
	RequestID  string    `db:"request_id"`
	Data       []byte    `db:"data"` // JSON object
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Actor   string // actor e-mail, substring
	Action  string // exact action, or a prefix ending in "." (e.g. "user.")
	Subject string // substring
	From    time.Time
	To      time.Time
	Limit   int
	Offset  int
}

// Token lifetimes.
const (
	ConfirmTokenTTL     = 48 * time.Hour
	ResetTokenTTL       = time.Hour
	SignInTokenTTL      = 15 * time.Minute
	EmailChangeTokenTTL = 24 * time.Hour
	InvitationTTL       = 7 * 24 * time.Hour
)

// Deliverable reports whether e-mail to addr can arrive: not when there is
// no address, nor for the reserved top-level domain .invalid (RFC 6761),
// which is where a deleted account's address and its orders' point
// ("deleted-42@deleted.invalid").
func Deliverable(addr string) bool {
	addr = strings.TrimSpace(addr)
	return addr != "" && !strings.HasSuffix(strings.ToLower(addr), ".invalid")
}
