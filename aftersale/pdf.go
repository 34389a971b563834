package aftersale

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// PDFs use fpdf's built-in core fonts (Helvetica): nothing to download or bundle.
// Text goes through a cp1252 translator, so accented Latin letters print right.

// TicketsDoc is an order's tickets for the PDF.
type TicketsDoc struct {
	Code, Movie, When, Where string
	Tickets                  []TicketDoc
}

// TicketDoc is one ticket.
type TicketDoc struct {
	Label, TicketType, Token string
}

// TicketsPDF renders every ticket of an order into one A4 PDF, three per page.
func TicketsPDF(d TicketsDoc) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Marquee tickets "+d.Code, true)
	pdf.SetCreator("Marquee", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetAutoPageBreak(false, 10)
	for i, t := range d.Tickets {
		if i%3 == 0 {
			pdf.AddPage()
		}
		y := 12 + float64(i%3)*92
		pdf.SetDrawColor(120, 113, 108)
		pdf.Rect(12, y, 186, 86, "D")
		png, err := qrcode.Encode(t.Token, qrcode.Medium, 512)
		if err != nil {
			return nil, fmt.Errorf("ticket QR: %w", err)
		}
		name := fmt.Sprintf("qr%d", i)
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		pdf.ImageOptions(name, 16, y+4, 78, 78, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		pdf.SetXY(100, y+8)
		pdf.SetFont("Helvetica", "B", 9)
		pdf.SetTextColor(180, 83, 9)
		pdf.CellFormat(90, 5, "MARQUEE", "", 2, "L", false, 0, "")
		pdf.SetTextColor(28, 25, 23)
		pdf.SetFont("Helvetica", "B", 15)
		pdf.SetX(100)
		pdf.MultiCell(94, 7, tr(d.Movie), "", "L", false)
		pdf.SetFont("Helvetica", "", 11)
		for _, line := range []string{d.When, d.Where, t.Label, t.TicketType} {
			if line == "" {
				continue
			}
			pdf.SetX(100)
			pdf.MultiCell(94, 6, tr(line), "", "L", false)
		}
		pdf.SetFont("Courier", "", 8)
		pdf.SetX(100)
		pdf.MultiCell(94, 4, "Order "+d.Code+"\n"+t.Token, "", "L", false)
	}
	if len(d.Tickets) == 0 {
		pdf.AddPage()
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("tickets PDF: %w", err)
	}
	return buf.Bytes(), nil
}
