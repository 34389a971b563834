// Package e2e holds Marquee's browser tests: chromedp drives a headless
// Debian chromium against a real marquee server (the binary built from this
// tree, on a random 127.0.0.1 port, over a throwaway database with the demo
// programme). They are behind the e2e build tag so that `make test` needs no
// browser; run them with `make e2e`.
package e2e
