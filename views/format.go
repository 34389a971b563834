package views

import (
	"fmt"
	"strconv"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Money formats integer cents as dollars, e.g. 1250 → "$12.50".
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign = "-"
		cents = -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}

// Clock formats a time of day in the given zone, e.g. "19:30".
func Clock(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") }

// Day formats a date in the given zone, e.g. "Wed 25 Nov".
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan") }

// Runtime formats minutes as "2h 15m".
func Runtime(min int) string {
	if min < 60 {
		return fmt.Sprintf("%dm", min)
	}
	return fmt.Sprintf("%dh %02dm", min/60, min%60)
}
