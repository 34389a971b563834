package db

import "context"

// BatchSQL is the click batches' statement, for TestClaimerPlans.
const BatchSQL = batchSQL

// ReleaseArgs is a release click, for RunTogether.
type ReleaseArgs struct {
	ShowtimeID int64
	CartID     string
	SeatIDs    []int64
}

// RunTogether runs releases and holds as if they had all queued while the
// previous statement ran — one batch, and the following ones for what it
// carries — and returns what each release gave back and each hold got.
func (c *Claimer) RunTogether(ctx context.Context, releases []ReleaseArgs, holds []Hold) ([][]int64, []HoldResult, []error) {
	var batch []*claim
	for _, r := range releases {
		batch = append(batch, &claim{ctx: ctx, release: &release{showtimeID: r.ShowtimeID, cartID: r.CartID, seatIDs: r.SeatIDs},
			res: make(chan claimResult, 1)})
	}
	for i := range holds {
		batch = append(batch, &claim{ctx: ctx, hold: &holds[i], res: make(chan claimResult, 1)})
	}
	for carry := batch; len(carry) > 0; {
		carry = c.run(carry)
	}
	released := make([][]int64, len(releases))
	got := make([]HoldResult, len(holds))
	errs := make([]error, len(holds))
	for i, q := range batch {
		r := <-q.res
		if i < len(releases) {
			released[i] = r.released
		} else {
			got[i-len(releases)], errs[i-len(releases)] = r.hold, r.err
		}
	}
	return released, got, errs
}

// MigrateDownTo rolls the schema back to version (the migration tests).
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// MigrateUpTo brings the schema up to version (the migration tests).
func (db *DB) MigrateUpTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
