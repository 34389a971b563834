-- +goose Up
-- E-mailed sign-in links: an owner slowed down by the sign-in limits (an
-- attacker guessing at their account) gets in by a link to their inbox.
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('confirm', 'reset', 'email_change', 'signin'));

-- +goose Down
DELETE FROM account_tokens WHERE purpose = 'signin';
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('confirm', 'reset', 'email_change'));
