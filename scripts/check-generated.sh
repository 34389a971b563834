#!/usr/bin/env bash
# Fails when the committed generated files (templ's *_templ.go, static/css/app.css)
# are not what their sources generate. Compares before/after regeneration, so it
# works in a dirty working tree too.
set -euo pipefail
cd "$(dirname "$0")/.."

snapshot() {
  { find views -name '*_templ.go' -print0 | sort -z | xargs -0 sha256sum
    if [ "$1" = css ]; then sha256sum static/css/app.css static/js/htmx.min.js static/js/jsQR.js; fi
  } 2>/dev/null
}

mode=templ
if command -v npx >/dev/null 2>&1; then mode=css; fi
before=$(snapshot "$mode")
go tool templ generate >/dev/null 2>&1 || go tool templ generate
if [ "$mode" = css ]; then
  make -s css >/dev/null
else
  echo "check-generated: Node.js not found, CSS not checked (templ files are)" >&2
fi
after=$(snapshot "$mode")
if [ "$before" != "$after" ]; then
  echo "Generated files were out of date and have been regenerated:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  echo "Commit the regenerated files (make generate)." >&2
  exit 1
fi
echo "check-generated: generated files are up to date"
