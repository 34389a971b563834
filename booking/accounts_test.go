package booking

import "testing"

func TestAccountsPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                   false,
		"password123":             false, // bundled common list
		"PASSWORD123":             false, // case-insensitive
		"aaaaaaaaaaaa":            false,
		"ann@example.com":         false, // the address
		"popcorn at the pictures": true,
	} {
		err := ValidatePassword(pw, "ann@example.com", "Ann")
		if (err == nil) != ok {
			t.Errorf("%q: err = %v", pw, err)
		}
		if err != nil && (ErrorCode(err) != EINVALID || err.(*Error).Field != "password") {
			t.Errorf("%q: not a field error: %v", pw, err)
		}
	}
	if len(commonPasswords()) < 300 {
		t.Fatalf("common password list has %d entries", len(commonPasswords()))
	}
}

func TestAccountsEmailAndRoles(t *testing.T) {
	for e, ok := range map[string]bool{
		"ann@example.com": true, " ann@example.com ": true, "Ann <ann@example.com>": false,
		"ann": false, "ann@localhost": false, "": false,
	} {
		if (ValidateEmail(e) == nil) != ok {
			t.Errorf("%q: %v", e, ValidateEmail(e))
		}
	}
	if !RoleAdmin.AtLeast(RoleStaff) || RoleStaff.AtLeast(RoleManager) || Role("boss").AtLeast(RoleCustomer) {
		t.Fatal("role order")
	}
	if _, err := ParseRole("emperor"); err == nil {
		t.Fatal("unknown role accepted")
	}
	h, err := HashPassword("popcorn at the pictures", PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil || !CheckPassword("popcorn at the pictures", h) || CheckPassword("popcorn", h) || CheckPassword("x", "") {
		t.Fatal("hashing")
	}
}
