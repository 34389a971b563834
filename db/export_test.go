package db

// The click batches' statements, for the plan test in claimer_test.go.
const (
	HoldBatchSQL    = holdBatchSQL
	ReleaseBatchSQL = releaseBatchSQL
)
