package handlers

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/views"
)

// statusOf maps a domain error code to its HTTP status. This is the one place.
func statusOf(code string) int {
	switch code {
	case booking.ENOTFOUND:
		return fiber.StatusNotFound
	case booking.ECONFLICT:
		return fiber.StatusConflict
	case booking.EINVALID:
		return fiber.StatusUnprocessableEntity
	case booking.EUNAUTHORIZED:
		return fiber.StatusUnauthorized
	case booking.EFORBIDDEN:
		return fiber.StatusForbidden
	case booking.EGONE:
		return fiber.StatusGone
	case booking.ETOOMANY:
		return fiber.StatusTooManyRequests
	case booking.EUNAVAILABLE:
		return fiber.StatusServiceUnavailable
	default:
		return fiber.StatusInternalServerError
	}
}

// badRequest is an EINVALID error about a malformed query parameter, answered with 400.
type badRequest struct{ err *booking.Error }

func (b badRequest) Error() string { return b.err.Error() }
func (b badRequest) Unwrap() error { return b.err }

// BadQuery returns an error answered with 400 and the message, for query
// parameters that cannot be parsed.
func BadQuery(field, format string, args ...any) error {
	return badRequest{booking.Invalid(field, format, args...)}
}

// handleError is Fiber's error handler: every error returned by a handler or a
// middleware ends here and becomes a page, an htmx partial or problem JSON.
func (h *Handler) handleError(c *fiber.Ctx, err error) error {
	status, message := h.classify(err)
	rid := requestID(c)
	if status >= 500 {
		h.log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	} else {
		h.log.Debug("request refused", "request_id", rid, "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	}
	c.Response().ResetBody()
	switch {
	case isAPI(c):
		return writeProblem(c, status, message, err)
	case isHTMX(c):
		// htmx does not swap error responses by default; static/js/app.js swaps
		// 4xx/5xx partials into the request's target so the message is seen.
		return render(c, status, views.ErrorPartial(status, message))
	default:
		return render(c, status, views.ErrorPage(h.meta(c, http.StatusText(status)), status, http.StatusText(status), message, rid))
	}
}

// classify returns the status and the user-safe message for err.
func (h *Handler) classify(err error) (int, string) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		msg := fe.Message
		switch fe.Code {
		case fiber.StatusNotFound:
			msg = "We couldn't find that page."
		case fiber.StatusMethodNotAllowed:
			msg = "That action isn't available here."
		case fiber.StatusRequestEntityTooLarge:
			msg = "That upload is too large."
		}
		if fe.Code >= 500 {
			msg = booking.ErrorMessage(errors.New("internal"))
		}
		return fe.Code, msg
	}
	var br badRequest
	if errors.As(err, &br) {
		return fiber.StatusBadRequest, br.err.Message
	}
	code := booking.ErrorCode(err)
	return statusOf(code), booking.ErrorMessage(err)
}

func isAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return len(p) >= 5 && p[:5] == "/api/" && p != "/api/docs"
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Code is the domain error code (e.g. "conflict", "gone").
	Code string `json:"code,omitempty"`
	// Field names the offending input, when there is one.
	Field string `json:"field,omitempty"`
}

func writeProblem(c *fiber.Ctx, status int, message string, err error) error {
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: message, Instance: c.Path()}
	var de *booking.Error
	if errors.As(err, &de) {
		p.Code = de.Code
		p.Field = de.Field
	}
	c.Status(status)
	if err := c.JSON(p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return nil
}
