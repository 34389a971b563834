package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"marquee/booking"
	"marquee/db"
)

// apiClient calls the API with a bearer token and validates every response
// against the OpenAPI document the app serves.
type apiClient struct {
	e      *bkEnv
	token  string
	router routers.Router
}

func (e *bkEnv) apiClient(email string) *apiClient {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.db.CreateUser(ctx, db.NewUser{Email: email, Name: "API", Confirmed: true})
	if err != nil {
		e.t.Fatal(err)
	}
	token, _, err := e.db.CreateAPIToken(ctx, u.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	resp, body := e.do(httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if resp.StatusCode != 200 {
		e.t.Fatalf("openapi.json: %d", resp.StatusCode)
	}
	doc, err := openapi3.NewLoader().LoadFromData([]byte(body))
	if err != nil {
		e.t.Fatal(err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		e.t.Fatalf("OpenAPI document: %v", err)
	}
	return &apiClient{e: e, token: token, router: router}
}

func (a *apiClient) call(method, path, body string, header map[string]string, v any) *http.Response {
	a.e.t.Helper()
	newReq := func() *http.Request {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, path, r)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if a.token != "" {
			req.Header.Set("Authorization", "Bearer "+a.token)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return req
	}
	req := newReq()
	resp, out := a.e.do(req)
	vreq := newReq()
	route, params, err := a.router.FindRoute(vreq)
	if err != nil {
		a.e.t.Fatalf("%s %s: not in the document: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if body != "" && resp.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			a.e.t.Errorf("%s %s: request does not match the document: %v", method, path, err)
		}
	}
	check := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	check.SetBodyBytes([]byte(out))
	if err := openapi3filter.ValidateResponse(context.Background(), check); err != nil {
		a.e.t.Errorf("%s %s: response %d does not match the document: %v\n%s", method, path, resp.StatusCode, err, out)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			a.e.t.Fatalf("decode: %v\n%s", err, out)
		}
	}
	return resp
}

type apiOrderJSON struct {
	Code          string `json:"code"`
	Status        string `json:"status"`
	TotalCents    int64  `json:"totalCents"`
	HoldExpiresAt string `json:"holdExpiresAt"`
	Items         []struct {
		Seat       string `json:"seat"`
		TicketType string `json:"ticketType"`
		PriceCents int64  `json:"priceCents"`
	} `json:"items"`
}

type problemJSON struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

func TestAPIShowtimeSeatMap(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	a := e.apiClient("map@example.com")
	a.token = "" // public
	b := e.browser()
	b.open(e.path(""))
	b.hold(e.seat(5, 5))
	var st struct {
		Capacity  int    `json:"capacity"`
		SeatsLeft int    `json:"seatsLeft"`
		StartsAt  string `json:"startsAt"`
		Sales     struct {
			State string `json:"state"`
		} `json:"sales"`
		Seats []struct {
			Seat, Status, Kind string
		} `json:"seats"`
	}
	resp := a.call("GET", "/api/v1"+e.path(""), "", nil, &st)
	if resp.StatusCode != 200 || st.Capacity != 200 || st.SeatsLeft != 199 || len(st.Seats) != 200 || st.Sales.State != "open" {
		t.Fatalf("%d %+v", resp.StatusCode, st)
	}
	held := 0
	for _, s := range st.Seats {
		if s.Status == "held" {
			held++
			if s.Seat != "F6" {
				t.Fatalf("held seat %s", s.Seat)
			}
		}
	}
	if held != 1 || st.StartsAt != "2026-11-25T20:00:00Z" {
		t.Fatalf("held %d start %s", held, st.StartsAt)
	}
	var p problemJSON
	if resp := a.call("GET", "/api/v1/showtimes/999999", "", nil, &p); resp.StatusCode != 404 {
		t.Fatalf("unknown: %d", resp.StatusCode)
	}
}

func TestAPICreateOrder(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	a := e.apiClient("api@example.com")
	ctx := context.Background()

	// The seed's shape: best available seats.
	var o apiOrderJSON
	body := `{"movieId": ` + itoa(e.show.MovieID) + `, "showtime": "2026-11-25T20:00:00Z", "quantity": 2, "ticketTypes": {"adult": 1, "child": 1}}`
	resp := a.call("POST", "/api/v1/orders", body, map[string]string{"Idempotency-Key": "first"}, &o)
	if resp.StatusCode != 201 || o.Status != "pending_payment" || len(o.Items) != 2 {
		t.Fatalf("best seats order: %d %+v", resp.StatusCode, o)
	}
	if o.Items[0].TicketType != "adult" || o.Items[1].TicketType != "child" || o.TotalCents != 1650+1300+200 { // row G centre is premium
		t.Fatalf("items %+v total %d", o.Items, o.TotalCents)
	}
	if resp.Header.Get("Location") != "/api/v1/orders/"+o.Code {
		t.Fatalf("location %q", resp.Header.Get("Location"))
	}
	// Same key, same body: the same order, 200. Same key, another body: 422.
	var again apiOrderJSON
	resp = a.call("POST", "/api/v1/orders", body, map[string]string{"Idempotency-Key": "first"}, &again)
	if resp.StatusCode != 200 || again.Code != o.Code {
		t.Fatalf("replay: %d %s", resp.StatusCode, again.Code)
	}
	var p problemJSON
	resp = a.call("POST", "/api/v1/orders", strings.Replace(body, `"quantity": 2`, `"quantity": 1`, 1)+" ", map[string]string{"Idempotency-Key": "first"}, &p)
	if resp.StatusCode != 422 || p.Field != "Idempotency-Key" {
		t.Fatalf("reused key: %d %+v", resp.StatusCode, p)
	}

	// Explicit seats; one of them is the first order's: 409, nothing taken.
	taken := o.Items[0].Seat
	resp = a.call("POST", "/api/v1/orders", `{"showtimeId": `+itoa(e.show.ShowtimeID)+`, "seats": ["A5", "`+taken+`"]}`, nil, &p)
	if resp.StatusCode != 409 || p.Code != "conflict" {
		t.Fatalf("taken seat: %d %+v", resp.StatusCode, p)
	}
	resp = a.call("POST", "/api/v1/orders", `{"showtimeId": `+itoa(e.show.ShowtimeID)+`, "seats": ["a5", "A6"], "email": "other@example.com"}`, nil, &o)
	if resp.StatusCode != 201 || len(o.Items) != 2 || o.Items[0].Seat != "A5" {
		t.Fatalf("explicit seats: %d %+v", resp.StatusCode, o)
	}
	// Invalid: unknown seat, too many ticket types, no seats, malformed body.
	for _, c := range []struct {
		body   string
		status int
	}{
		{`{"showtimeId": ` + itoa(e.show.ShowtimeID) + `, "seats": ["Z99"]}`, 422},
		{`{"showtimeId": ` + itoa(e.show.ShowtimeID) + `, "seats": ["B1"], "ticketTypes": {"adult": 2}}`, 422},
		{`{"showtimeId": ` + itoa(e.show.ShowtimeID) + `, "seats": ["B1"], "ticketTypes": {"pensioner": 1}}`, 422},
		{`{"showtimeId": ` + itoa(e.show.ShowtimeID) + `}`, 422},
		{`{"movieId": ` + itoa(e.show.MovieID) + `, "showtime": "2026-11-25T21:00:00Z", "quantity": 2}`, 404},
		{`{"movieId": ` + itoa(e.show.MovieID) + `, "showtime": "2026-11-25T20:00:00Z", "quantity": 11}`, 422},
		{`{"showtimeId": "x"}`, 400},
	} {
		var p problemJSON
		if resp := a.call("POST", "/api/v1/orders", c.body, nil, &p); resp.StatusCode != c.status || p.Status != c.status {
			t.Errorf("%s: %d %+v, want %d", c.body, resp.StatusCode, p, c.status)
		}
	}
	// Quantity with showtimeId (no seats): the answer says what to send, not "not both".
	var pq problemJSON
	a.call("POST", "/api/v1/orders", `{"showtimeId": `+itoa(e.show.ShowtimeID)+`, "quantity": 10}`, nil, &pq)
	if pq.Status != 422 || strings.Contains(pq.Detail, "not both") || !strings.Contains(pq.Detail, "seats") {
		t.Errorf("showtimeId with quantity: %+v", pq)
	}
	// GET the order; someone else's token can't see it; no token is 401.
	var got apiOrderJSON
	if resp := a.call("GET", "/api/v1/orders/"+o.Code, "", nil, &got); resp.StatusCode != 200 || got.Code != o.Code {
		t.Fatalf("get: %d %+v", resp.StatusCode, got)
	}
	other := e.apiClient("other@example.com")
	if resp := other.call("GET", "/api/v1/orders/"+o.Code, "", nil, &p); resp.StatusCode != 404 {
		t.Fatalf("foreign order: %d", resp.StatusCode)
	}
	// Paying: the hosted payment page, the same one on a second call; not for others.
	var co, co2 struct {
		CheckoutURL string `json:"checkoutUrl"`
	}
	if resp := a.call("POST", "/api/v1/orders/"+o.Code+"/checkout", "", nil, &co); resp.StatusCode != 200 || !strings.Contains(co.CheckoutURL, "/demo/checkout/") {
		t.Fatalf("checkout: %d %+v", resp.StatusCode, co)
	}
	if resp := a.call("POST", "/api/v1/orders/"+o.Code+"/checkout", "", nil, &co2); resp.StatusCode != 200 || co2.CheckoutURL != co.CheckoutURL {
		t.Fatalf("second checkout: %d %q vs %q", resp.StatusCode, co2.CheckoutURL, co.CheckoutURL)
	}
	if resp := other.call("POST", "/api/v1/orders/"+o.Code+"/checkout", "", nil, &p); resp.StatusCode != 404 {
		t.Fatalf("foreign checkout: %d", resp.StatusCode)
	}
	other.token = ""
	if resp := other.call("POST", "/api/v1/orders", body, nil, &p); resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	other.token = "mq_nonsense"
	if resp := other.call("GET", "/api/v1/orders/"+o.Code, "", nil, &p); resp.StatusCode != 401 {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
	// Sales closed: 410.
	e.clock.Set(showStart)
	if resp := a.call("POST", "/api/v1/orders", `{"showtimeId": `+itoa(e.show.ShowtimeID)+`, "seats": ["J1"]}`, nil, &p); resp.StatusCode != 410 || p.Code != "gone" {
		t.Fatalf("closed: %d %+v", resp.StatusCode, p)
	}
	// The orders hold seats until they expire, then the sweeper frees them.
	if n, _, err := e.db.Sweep(ctx, showStart.Add(-2*time.Hour+10*time.Minute)); err != nil || n != 2 {
		t.Fatalf("sweep %d %v", n, err)
	}
}

// TestAPIConcurrentIdempotentRequests: retries racing with the same key make one order.
func TestAPIConcurrentIdempotentRequests(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	a := e.apiClient("race@example.com")
	body := `{"showtimeId": ` + itoa(e.show.ShowtimeID) + `, "seats": ["E5", "E6"]}`
	codes := make([]string, 6)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req := httptest.NewRequest("POST", "/api/v1/orders", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+a.token)
			req.Header.Set("Idempotency-Key", "same")
			resp, err := e.app.Test(req, -1)
			if err != nil {
				t.Error(err)
				return
			}
			var o apiOrderJSON
			json.NewDecoder(resp.Body).Decode(&o)
			resp.Body.Close()
			if resp.StatusCode != 200 && resp.StatusCode != 201 {
				t.Errorf("status %d", resp.StatusCode)
			}
			codes[i] = o.Code
		}(i)
	}
	wg.Wait()
	for _, c := range codes {
		if c == "" || c != codes[0] {
			t.Fatalf("codes %v", codes)
		}
	}
	_ = booking.OrderPendingPayment
}
