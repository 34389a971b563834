//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBoxOfficeCameraAndCashUp: a cash sale at the counter (drawer opened
// first), then the door checks the ticket in through the camera — chromium's
// fake camera plays a video made from the ticket's QR code as the server
// draws it, so the page's decoder really reads it (headless Linux chromium
// has no BarcodeDetector: the vendored jsQR path) — and the door answers
// VALID. Then the drawer is closed with the cash counted: the summary shows
// the cash sale and no difference.
func TestBoxOfficeCameraAndCashUp(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	login(b, srv, "staff@marquee.test", "demo-staff-pass")
	theatre, ok := sellingTheatre(b, srv)
	if !ok {
		t.Skip("no theatre sells a show for the rest of today (the demo programme is relative to now)")
	}
	openDrawer(b, srv, theatre, "50")
	b.Navigate(srv.URL + "/boxoffice?theatre=" + theatre)
	b.WaitVisible(`[data-testid="boxoffice-home"]`)
	b.Do(chromedp.KeyEvent("1"))
	b.WaitVisible(`[data-testid="sale-page"] #quantity`)
	b.Do(chromedp.KeyEvent("1"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("100"), chromedp.KeyEvent(kb.Enter))
	b.WaitVisible(`[data-testid="change-due"]`)
	total := cents(t, b.Text(`[data-testid="order-total"]`))
	// The ticket's QR code as the server made it (the PNG on the order page).
	b.WaitJS("the QR image loaded", `(() => { const i = document.querySelector("[data-testid=ticket] img"); return i && i.complete && i.naturalWidth > 0; })()`)
	dataURL := Eval[string](b, `(() => { const i = document.querySelector("[data-testid=ticket] img");
		const c = document.createElement("canvas"); c.width = i.naturalWidth; c.height = i.naturalHeight;
		c.getContext("2d").drawImage(i, 0, 0); return c.toDataURL("image/png"); })()`)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(dataURL, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	qr, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	video := filepath.Join(t.TempDir(), "ticket.y4m")
	if err := writeY4M(video, qr, 640, 480, 10); err != nil {
		t.Fatal(err)
	}

	// The door, on a second browser whose camera plays the ticket.
	door := NewBrowser(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video))
	door.name = "door"
	login(door, srv, "staff@marquee.test", "demo-staff-pass")
	door.Navigate(srv.URL + "/boxoffice/door?theatre=" + theatre)
	door.WaitVisible(`[data-testid="door-page"] #ticket`)
	door.Click(`[data-testid="camera-start"]`)
	door.WaitJS("the camera started", `!!document.querySelector("[data-camera-view]:not(.hidden) video") && document.querySelector("[data-camera-view] video").readyState >= 2`)
	decoder := Eval[string](door, `document.querySelector("[data-camera-view]").dataset.decoder || ""`)
	door.WaitVisible(`[data-testid="door-answer"][data-verdict="valid"]`)
	if title := door.Text(`[data-testid="door-title"]`); title != "VALID" {
		t.Fatalf("camera check-in answered %q", title)
	}
	t.Logf("decoded by %s", decoder)
	// The door's counts are live: the admitted ticket shows within a poll.
	door.WaitJS("the door counts the admission", `[...document.querySelectorAll("[data-testid=door-count]")].some(r =>
		r.querySelector("[data-testid=admitted]").textContent === "1" && r.querySelector("[data-testid=expected]").textContent === "1")`)
	door.NoProblems()

	// Cash-up: C, the counted cash is what the drawer should hold, close.
	b.Navigate(srv.URL + "/boxoffice?theatre=" + theatre)
	b.WaitVisible(`[data-testid="boxoffice-home"]`)
	b.Do(chromedp.KeyEvent("c"))
	b.WaitVisible(`[data-testid="drawer-close"] #counted`)
	expected := cents(t, b.Text(`[data-testid="drawer-expected"]`))
	if expected != 5000+total {
		t.Fatalf("expected cash %d, want the float 5000 + the sale %d", expected, total)
	}
	b.Do(chromedp.SendKeys(chromedp.ID("counted"), fmt.Sprintf("%d.%02d", expected/100, expected%100)))
	b.Click(`#close-confirm`)
	b.Click(`[data-testid="drawer-close-submit"]`)
	b.WaitVisible(`[data-testid="drawer-closed"]`)
	if got := b.Text(`[data-testid="drawer-difference"]`); got != "$0.00" {
		t.Errorf("difference %q", got)
	}
	if got := cents(t, b.Text(`[data-testid="drawer-cash-sales"]`)); got != total {
		t.Errorf("cash sales %d, want %d", got, total)
	}
	b.NoProblems()
}

func login(b *Browser, srv *Server, email, password string) {
	b.t.Helper()
	b.Navigate(srv.URL + "/login")
	b.WaitVisible(`[data-testid="login-form"]`)
	b.Do(
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-account"]`)),
	)
}

// sellingTheatre finds a theatre of the signed-in staff member whose board
// still sells a show today.
func sellingTheatre(b *Browser, srv *Server) (string, bool) {
	b.t.Helper()
	b.Navigate(srv.URL + "/boxoffice")
	b.WaitVisible(`[data-testid="boxoffice-home"]`)
	for _, id := range Eval[[]string](b, `[...document.querySelectorAll("#theatre option")].map(o => o.value)`) {
		b.Navigate(srv.URL + "/boxoffice?theatre=" + id)
		b.WaitVisible(`[data-testid="boxoffice-home"]`)
		if b.Count(`[data-testid="sell-link"][data-shortcut="1"]`) > 0 {
			return id, true
		}
	}
	return "", false
}

// writeY4M writes a YUV4MPEG2 video (4:2:0) of frames frames showing img
// centred on white, scaled up to about half the frame's height (nearest
// neighbour, so the code's modules stay sharp): what chromium's fake camera plays.
func writeY4M(path string, img image.Image, w, h, frames int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	src := img.Bounds()
	side := h * 3 / 4
	scale := float64(src.Dx()) / float64(side)
	x0, y0 := (w-side)/2, (h-side)/2
	luma := make([]byte, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := byte(255)
			if x >= x0 && x < x0+side && y >= y0 && y < y0+side {
				sx := src.Min.X + int(float64(x-x0)*scale)
				sy := src.Min.Y + int(float64(y-y0)*scale)
				r, g, bl, _ := img.At(sx, sy).RGBA()
				v = byte((299*r + 587*g + 114*bl) / 1000 >> 8)
			}
			luma[y*w+x] = v
		}
	}
	chroma := bytes.Repeat([]byte{128}, (w/2)*(h/2))
	for i := 0; i < frames; i++ {
		bw.WriteString("FRAME\n")
		bw.Write(luma)
		bw.Write(chroma)
		bw.Write(chroma)
	}
	return bw.Flush()
}
