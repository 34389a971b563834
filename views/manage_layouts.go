package views

import (
	"slices"
	"strconv"
	"strings"

	"marquee/booking"
)

// AuditoriumItem is one auditorium in the manager's list.
type AuditoriumItem struct {
	ID                       int64
	Theatre, Name            string
	Version, Seats, Capacity int
	Coming, OldVersions      int
}

// AuditoriumsPage is /manage/auditoriums: the list and the form to add one.
type AuditoriumsPage struct {
	Query       string
	Auditoriums []AuditoriumItem
	Theatres    []booking.Theatre // those the manager may add to
	Form        NewAuditoriumForm
	Errors      FormErrors
}

// NewAuditoriumForm is what the "add an auditorium" form was sent with.
type NewAuditoriumForm struct {
	TheatreID          int64
	Name, Rows, PerRow string
}

// LayoutEditorPage is /manage/auditoriums/{id}: the editor, the preview,
// import and export.
type LayoutEditorPage struct {
	AuditoriumID        int64
	Theatre, Name       string
	LayoutID            int64 // the version the editor shows (stale saves are refused)
	Version             int
	Seats, Capacity     int
	Coming, OldVersions int
	CSV                 string   // the layout being edited (the current one, or the one sent)
	Locked              []string // labels of seats sold or held for coming shows
	Problems            []booking.LayoutProblem
	// Blockers: the change can't be made in place; the page offers a new version.
	Blockers []booking.LayoutProblem
	Preview  *SeatMap // the layout as customers see it; nil when it has problems
	Counts   []KindCount
}

// KindCount is how many seats of a kind a layout has.
type KindCount struct {
	Kind string
	N    int
}

// EditorAction is where the editor saves.
func (p LayoutEditorPage) EditorAction() string { return p.base() + "/layout" }

// PreviewAction is where the editor asks for its preview.
func (p LayoutEditorPage) PreviewAction() string { return p.base() + "/preview" }

// ExportPath is the CSV download.
func (p LayoutEditorPage) ExportPath() string { return p.base() + "/layout.csv" }

func (p LayoutEditorPage) base() string {
	return "/manage/auditoriums/" + strconv.FormatInt(p.AuditoriumID, 10)
}

// LockedAttr is the sold seats' labels for the editor script (data-locked).
func (p LayoutEditorPage) LockedAttr() string { return strings.Join(p.Locked, " ") }

// PreviewOf is a layout's customer seat map with every seat free, and its
// counts by kind; nil when the seats can't be drawn.
func PreviewOf(seats []booking.Seat) (*SeatMap, []KindCount) {
	withIDs := make([]booking.Seat, len(seats))
	for i, s := range seats {
		s.ID = int64(i + 1)
		withIDs[i] = s
	}
	m, err := NewSeatMap(0, booking.NewLayout(withIDs))
	if err != nil {
		return nil, nil
	}
	return m, KindCounts(seats)
}

// KindCounts counts seats by kind, in legend order, kinds present only.
func KindCounts(seats []booking.Seat) []KindCount {
	c := booking.SeatCounts(seats)
	var out []KindCount
	for _, k := range booking.SeatKinds {
		if c[k] > 0 {
			out = append(out, KindCount{k, c[k]})
		}
	}
	return out
}

// previewStates are all-free states for a preview.
func previewStates(m *SeatMap) []booking.SeatState {
	return make([]booking.SeatState, len(m.Layout.Seats))
}

// zonesOf lists the zones a preview's seats use.
func zonesOf(m *SeatMap) []string {
	var zs []string
	for _, s := range m.Layout.Seats {
		if s.Zone != "" && !slices.Contains(zs, s.Zone) {
			zs = append(zs, s.Zone)
		}
	}
	slices.Sort(zs)
	return zs
}
