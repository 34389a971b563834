-- +goose Up
-- Money that is not what an order asked for (another amount or currency, a
-- checkout session we never created) goes back whole with its own reason.
ALTER TABLE refunds DROP CONSTRAINT refunds_reason_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check
    CHECK (reason IN ('customer', 'showtime_cancelled', 'staff', 'late_payment', 'duplicate_payment', 'mismatched_payment')) NOT VALID;

-- +goose Down
-- A mismatched payment given back was money returned whole, as a duplicate is.
UPDATE refunds SET reason = 'duplicate_payment' WHERE reason = 'mismatched_payment';
ALTER TABLE refunds DROP CONSTRAINT refunds_reason_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check
    CHECK (reason IN ('customer', 'showtime_cancelled', 'staff', 'late_payment', 'duplicate_payment')) NOT VALID;
