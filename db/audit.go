package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"marquee/booking"
)

// Audit writes one line of the audit log. data is any JSON-encodable value (nil → {}).
func (db *DB) Audit(ctx context.Context, e booking.AuditEntry, data any) error {
	js := []byte("{}")
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("audit %s: encode data: %w", e.Action, err)
		}
		js = b
	}
	if e.At.IsZero() {
		e.At = db.Now()
	}
	_, err := db.exec(ctx, `
		INSERT INTO audit_log (at, actor_id, actor_email, action, subject, request_id, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.At, e.ActorID, e.ActorEmail, e.Action, e.Subject, e.RequestID, string(js))
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns entries matching f, newest first, and the total count.
func (db *DB) AuditLog(ctx context.Context, f booking.AuditFilter) ([]booking.AuditEntry, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	action, prefix := f.Action, ""
	if strings.HasSuffix(action, ".") {
		action, prefix = "", likeEscape(f.Action)
	}
	var from, to any
	if !f.From.IsZero() {
		from = f.From
	}
	if !f.To.IsZero() {
		to = f.To
	}
	var rows []struct {
		booking.AuditEntry
		Total int `db:"total"`
	}
	err := db.selectAll(ctx, &rows, `
		SELECT id, at, actor_id, actor_email, action, subject, request_id, data, count(*) OVER () AS total
		FROM audit_log
		WHERE ($1 = '' OR actor_email ILIKE '%' || $1 || '%')
		  AND ($2 = '' OR action = $2)
		  AND ($3 = '' OR action LIKE $3 || '%')
		  AND ($4 = '' OR subject ILIKE '%' || $4 || '%')
		  AND ($5::timestamptz IS NULL OR at >= $5)
		  AND ($6::timestamptz IS NULL OR at < $6)
		ORDER BY at DESC, id DESC
		LIMIT $7 OFFSET $8`,
		likeEscape(f.Actor), action, prefix, likeEscape(f.Subject), from, to, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	out := make([]booking.AuditEntry, len(rows))
	total := 0
	for i, r := range rows {
		out[i] = r.AuditEntry
		total = r.Total
	}
	return out, total, nil
}
