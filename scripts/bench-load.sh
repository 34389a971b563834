#!/usr/bin/env bash
# Load benchmark (make bench-load): builds marquee, runs it on 127.0.0.1 over a
# throwaway database (marquee_bench_*, on the server the tests use — never
# yours) with the demo programme, and drives the hot pages and API with wrk.
#
#   scripts/bench-load.sh [path ...]     default: /  /api/v1/movies  /api/v1/showtimes?date=<today>
#
# Environment: BENCH_DURATION (default 12s per path), BENCH_CONNECTIONS (64),
# BENCH_THREADS (2), BENCH_ENCODING (an Accept-Encoding to send, e.g. "br, gzip";
# default none: uncompressed). BENCH_COMPARE=N: for each path, N rounds that
# alternate an uncompressed run and a compressed one ("br, gzip") on the same
# server, then min / median / max req/s of each and the ratio of the medians.
# Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-12s}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
encoding=${BENCH_ENCODING:-}
compare=${BENCH_COMPARE:-0}
if [ $# -gt 0 ]; then
  paths=("$@")
else
  paths=("/" "/api/v1/movies" "/api/v1/showtimes?date=$(date -u +%F)")
fi

if ! command -v wrk >/dev/null; then
  echo "bench-load: wrk not found. Install it: apt-get install wrk" >&2
  exit 1
fi
if ! command -v curl >/dev/null; then
  echo "bench-load: curl not found. Install it: apt-get install curl" >&2
  exit 1
fi

tmp=$(mktemp -d)
server_pid=""
dsn=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$dsn" ]; then "$tmp/benchdb" drop "$dsn" || echo "bench-load: could not drop the benchmark database" >&2; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench-load: building"
go build -o "$tmp/marquee" .
go build -o "$tmp/benchdb" ./cmd/benchdb
dsn=$("$tmp/benchdb" create)

# Port 0: the kernel picks a free port; marquee logs the address it listens on.
DATABASE_URL="$dsn" MARQUEE_ENV=development MARQUEE_ADDR=127.0.0.1:0 MARQUEE_SEED=auto MARQUEE_HOLDS_PER_IP=0 \
  MARQUEE_DATA_DIR="$tmp/data" LOG_LEVEL=info \
  "$tmp/marquee" serve >"$tmp/server.log" 2>&1 &
server_pid=$!

addr=""
for _ in $(seq 1 600); do # up to 60 s: migrate, seed, listen
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "bench-load: marquee exited:" >&2; cat "$tmp/server.log" >&2; exit 1
  fi
  addr=$(sed -n 's/.*msg="marquee is serving".* addr=\(127\.0\.0\.1:[0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
  if [ -n "$addr" ] && curl -fsS -o /dev/null "http://$addr/readyz"; then break; fi
  addr=""
  sleep 0.1
done
if [ -z "$addr" ]; then
  echo "bench-load: marquee did not become ready:" >&2; cat "$tmp/server.log" >&2; exit 1
fi

echo "bench-load: marquee on http://$addr; wrk -t$threads -c$conns -d$duration --latency; $(nproc) CPUs, $(go env GOVERSION)"

# wrk_rps URL ENCODING: one run, prints req/s and the bytes per response.
wrk_rps() {
  local out
  if [ -n "$2" ]; then out=$(wrk -t"$threads" -c"$conns" -d"$duration" -H "Accept-Encoding: $2" "$1")
  else out=$(wrk -t"$threads" -c"$conns" -d"$duration" "$1"); fi
  awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}
stats() { # min median max of the numbers given
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.0f %.0f %.0f", a[1], m, a[NR]}'
}
if [ "$compare" -gt 0 ]; then
  echo
  printf '%-40s %-8s %8s %8s %8s %10s\n' path encoding min median max bytes/resp
  for p in "${paths[@]}"; do
    url="http://$addr$p"
    wrk -t"$threads" -c"$conns" -d2s "$url" >/dev/null
    plain=(); comp=()
    for _ in $(seq 1 "$compare"); do
      plain+=("$(wrk_rps "$url" "")")
      comp+=("$(wrk_rps "$url" "br, gzip")")
    done
    read -r pmin pmed pmax <<<"$(stats "${plain[@]}")"
    read -r cmin cmed cmax <<<"$(stats "${comp[@]}")"
    psize=$(curl -s -o /dev/null -w '%{size_download}' "$url")
    csize=$(curl -s -o /dev/null -H 'Accept-Encoding: br, gzip' -w '%{size_download}' "$url")
    printf '%-40s %-8s %8s %8s %8s %10s\n' "$p" none "$pmin" "$pmed" "$pmax" "$psize"
    printf '%-40s %-8s %8s %8s %8s %10s\n' "" "br,gzip" "$cmin" "$cmed" "$cmax" "$csize"
    awk -v c="$cmed" -v p="$pmed" 'BEGIN {printf "%-40s compressed/uncompressed median req/s: %.1f %%\n", "", 100 * c / p}'
    echo "  runs (req/s): uncompressed ${plain[*]}; compressed ${comp[*]}"
  done
  exit 0
fi
results=()
for p in "${paths[@]}"; do
  url="http://$addr$p"
  status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
  hdr=()
  if [ -n "$encoding" ]; then hdr=(-H "Accept-Encoding: $encoding"); fi
  if [ "$status" != 200 ]; then
    echo "bench-load: GET $p answers $status, not 200; skipped" >&2
    results+=("$(printf '%-40s %12s %10s %10s' "$p" "HTTP $status" - -)")
    continue
  fi
  wrk -t"$threads" -c"$conns" -d2s "${hdr[@]}" "$url" >/dev/null # warm caches and the pool
  out=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "${hdr[@]}" "$url")
  echo "--- GET $p"
  echo "$out"
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx or 3xx responses:/ {print $NF} /Socket errors:/ {print "socket errors"}' <<<"$out" | tr '\n' ' ')
  results+=("$(printf '%-40s %12s %10s %10s %s' "$p" "$rps" "$p50" "$p99" "$errs")")
done

echo
echo "bench-load summary ($conns connections, $threads wrk threads, $duration per path)"
printf '%-40s %12s %10s %10s\n' path req/s p50 p99
printf '%s\n' "${results[@]}"
