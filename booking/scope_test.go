package booking

import "testing"

func TestScope(t *testing.T) {
	admin := ScopeOf(RoleAdmin, nil)
	if !admin.Allows(7) || admin.Empty() {
		t.Errorf("an admin's scope must cover every theatre: %+v", admin)
	}
	mgr := ScopeOf(RoleManager, []int64{3, 1, 3})
	if !mgr.Allows(1) || !mgr.Allows(3) || mgr.Allows(2) {
		t.Errorf("manager of 1 and 3: %+v", mgr)
	}
	if err := mgr.Check(2); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("Check(2) = %v, want forbidden", err)
	}
	if err := mgr.Check(3); err != nil {
		t.Errorf("Check(3) = %v", err)
	}
	if c := ScopeOf(RoleCustomer, []int64{1}); !c.Empty() || c.Allows(1) {
		t.Errorf("a customer has no theatres: %+v", c)
	}
	if s := ScopeOf(RoleStaff, nil); !s.Empty() {
		t.Errorf("staff without theatres: %+v", s)
	}
}
