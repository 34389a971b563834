package booking

import "slices"

// Scope is what a member of staff may see and change: the programme, sales
// and reports of the theatres they belong to. Administrators have every
// theatre. A customer has none.
type Scope struct {
	All      bool    // every theatre (administrators)
	Theatres []int64 // the theatres of a staff member or manager, sorted
}

// ScopeOf is the scope of a user of role with the given theatre memberships.
func ScopeOf(role Role, theatres []int64) Scope {
	if role.AtLeast(RoleAdmin) {
		return Scope{All: true}
	}
	if !role.AtLeast(RoleStaff) {
		return Scope{}
	}
	ts := slices.Clone(theatres)
	slices.Sort(ts)
	return Scope{Theatres: slices.Compact(ts)}
}

// Allows reports whether the scope covers the theatre.
func (s Scope) Allows(theatreID int64) bool {
	if s.All {
		return true
	}
	_, ok := slices.BinarySearch(s.Theatres, theatreID)
	return ok
}

// Check returns ErrOtherTheatre unless the scope covers the theatre.
func (s Scope) Check(theatreID int64) error {
	if !s.Allows(theatreID) {
		return ErrOtherTheatre
	}
	return nil
}

// Empty reports whether the scope covers no theatre at all.
func (s Scope) Empty() bool { return !s.All && len(s.Theatres) == 0 }

// ErrOtherTheatre refuses a change to a theatre the user doesn't belong to.
var ErrOtherTheatre = Errorf(EFORBIDDEN, "That belongs to a theatre you don't work for. Ask an administrator to add you to it.")
