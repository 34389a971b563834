package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// reader reads variables and collects what is wrong with them, so that Load
// reports every problem at once. Each method returns the default when the
// variable is unset or invalid (and records why it is invalid); messages
// name the variable, the accepted values and what was given.
type reader struct {
	getenv func(string) string
	errs   []error
}

func (r *reader) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}

func (r *reader) add(err error) {
	if err != nil {
		r.errs = append(r.errs, err)
	}
}

// str is the variable's value, or def when it is unset or empty.
func (r *reader) str(name, def string) string {
	if v := r.getenv(name); v != "" {
		return v
	}
	return def
}

// list is the comma-separated values of the variable, trimmed.
func (r *reader) list(name string) []string {
	v := r.getenv(name)
	if v == "" {
		return nil
	}
	out := strings.Split(v, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// oneOf is the value when it is one of allowed, else def.
func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := r.str(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	choices := strings.Join(allowed[:len(allowed)-1], ", ") + " or " + allowed[len(allowed)-1]
	r.fail("%s must be %s, not %q", name, choices, r.getenv(name))
	return def
}

// intIn is the whole number from min to max; what names it in the message ("a number of cents").
func (r *reader) intIn(name string, def, min, max int, what string) int {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		r.fail("%s must be %s from %d to %d, not %q", name, what, min, max, v)
		return def
	}
	return n
}

// durationIn is the Go duration from min to max; span describes the range ("30s to 2h").
func (r *reader) durationIn(name string, def, min, max time.Duration, span string) time.Duration {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min || d > max {
		r.fail("%s must be a duration from %s, not %q", name, span, v)
		return def
	}
	return d
}

// boolean is true or false (strconv.ParseBool's spellings).
func (r *reader) boolean(name string, def bool) bool {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail("%s must be true or false, not %q", name, v)
		return def
	}
	return b
}
