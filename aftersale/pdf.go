package aftersale

import (
	"bytes"
	"cmp"
	"fmt"

	"github.com/go-pdf/fpdf"

	"marquee/booking"
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
		png, err := QRPNG(t.Token, 512)
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

// ReceiptDoc is a receipt for the PDF.
type ReceiptDoc struct {
	Seller  booking.Seller
	Receipt booking.Receipt
	// Currency is the order's (ISO 4217); TaxIDLabel names the seller's tax id ("VAT ID", "Tax ID").
	Currency   string
	TaxIDLabel string
	Code       string
	Issued     string
	Show       string
	Paid       string
	Refunds    []ReceiptRefund
}

// ReceiptRefund is a refund line on a receipt.
type ReceiptRefund struct {
	Text        string
	AmountCents int64
}

// ReceiptPDF renders a receipt as an A4 PDF.
func ReceiptPDF(d ReceiptDoc) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(fmt.Sprintf("Receipt %d", d.Receipt.Number), true)
	pdf.SetCreator("Marquee", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(110, 8, tr(d.Seller.Name), "", 0, "L", false, 0, "")
	pdf.CellFormat(80, 8, fmt.Sprintf("Receipt %d", d.Receipt.Number), "", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(110, 5, tr(d.Seller.Address), "", 0, "L", false, 0, "")
	pdf.CellFormat(80, 5, tr("Issued "+d.Issued), "", 1, "R", false, 0, "")
	vat := ""
	if d.Seller.VATID != "" {
		vat = cmp.Or(d.TaxIDLabel, "VAT ID") + " " + d.Seller.VATID
	}
	money := func(cents int64) string { return booking.FormatMoney(cents, d.Currency) }
	pdf.CellFormat(110, 5, tr(vat), "", 0, "L", false, 0, "")
	pdf.CellFormat(80, 5, "Order "+d.Code, "", 1, "R", false, 0, "")
	pdf.Ln(6)
	pdf.MultiCell(190, 5, tr(d.Show), "", "L", false)
	pdf.Ln(3)
	row := func(a, b, c, e string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, 10)
		pdf.CellFormat(100, 6, tr(a), "B", 0, "L", false, 0, "")
		pdf.CellFormat(20, 6, b, "B", 0, "R", false, 0, "")
		pdf.CellFormat(35, 6, tr(c), "B", 0, "R", false, 0, "")
		pdf.CellFormat(35, 6, tr(e), "B", 1, "R", false, 0, "")
	}
	row("Item", "Qty", "Unit", "Amount", true)
	for _, l := range d.Receipt.Lines {
		row(l.Description, fmt.Sprint(l.Quantity), money(l.UnitCents), money(l.TotalCents), false)
	}
	row("Booking fee", "", "", money(d.Receipt.FeeCents), false)
	if !d.Receipt.TaxIncluded {
		for _, t := range d.Receipt.Tax {
			row(t.Text(d.Currency), "", "", money(t.TaxCents), false)
		}
	}
	row(d.Receipt.TotalLabel(), "", "", money(d.Receipt.TotalCents), true)
	if d.Receipt.TaxIncluded {
		for _, t := range d.Receipt.Tax {
			row(t.Text(d.Currency), "", "", money(t.TaxCents), false)
		}
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(190, 5, tr(d.Paid), "", "L", false)
	if len(d.Refunds) > 0 {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(190, 6, "Refunds", "", 1, "L", false, 0, "")
		for _, r := range d.Refunds {
			row(r.Text, "", "", "-"+money(r.AmountCents), false)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("receipt PDF: %w", err)
	}
	return buf.Bytes(), nil
}
