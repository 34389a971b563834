# Marquee — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
PKGS    := ./...
DATA    ?= $(or $(MARQUEE_DATA_DIR),data)

.PHONY: run build test test-short vet generate templ css check-generated check-tidy bench bench-go bench-load bench-booking e2e stop-dev-db lint clean

## run: start Marquee on :8080 (finds or starts a PostgreSQL, migrates, seeds the demo programme)
run:
	$(GO) build -o bin/marquee .
	exec ./bin/marquee serve # exec: SIGTERM to make reaches the server, which stops its private PostgreSQL

## build: compile the binary into bin/marquee
build:
	$(GO) build -o bin/marquee .

## test: vet, go.mod tidy, generated files up to date (templ; CSS when Node is present), all tests with -race
test: vet check-tidy check-generated
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

test-short:
	$(GO) test -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags e2e ./e2e/...

## e2e: browser tests: chromedp drives Debian's chromium (apt-get install chromium) against a real server
e2e:
	$(GO) test -tags e2e -count=1 -timeout 8m -v ./e2e/...

## stop-dev-db: stop the private PostgreSQL that tests leave running under ./data (make run stops its own)
stop-dev-db:
	@pid=$$(head -1 $(DATA)/postgres/postmaster.pid 2>/dev/null) && kill -INT $$pid && echo "stopped the private PostgreSQL (pid $$pid)" || echo "no private PostgreSQL running in $(DATA)/postgres"

## generate: regenerate templ views and the Tailwind CSS (both are committed)
generate: templ css

templ:
	$(GO) tool templ generate

css: node_modules/.package-lock.json
	npx tailwindcss -c tailwind.config.js -i static/css/input.css -o static/css/app.css --minify
	cp node_modules/htmx.org/dist/htmx.min.js static/js/htmx.min.js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

## check-tidy: fail when go.mod or go.sum are not what `go mod tidy` would write (prints the diff)
check-tidy:
	@$(GO) mod tidy -diff || (echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1)

## check-generated: fail when regenerating templ files or CSS would change them
check-generated:
	./scripts/check-generated.sh

## bench: Go benchmarks and a wrk load run of the hot pages and API
bench: bench-go bench-load

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

bench-load:
	./scripts/bench-load.sh

## bench-booking: 16/64/256 browser-like clients hold seats of one 200-seat showtime through the real
## HTTP routes (in-process server on 127.0.0.1, throwaway database); holds/s, p50/p99, page and partial
## req/s, integrity check. BOOKING_BENCH_FLAGS e.g. "-duration 10s -clients 64".
bench-booking:
	$(GO) build -o bin/loadgen ./cmd/loadgen
	./bin/loadgen $(BOOKING_BENCH_FLAGS)

lint: vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)

clean:
	rm -rf bin
