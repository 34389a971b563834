package views

// ManageSection is one area of the manager pages.
type ManageSection struct {
	Key, Label, Path, Blurb string
}

// ManageSections are the manager pages' areas, in menu order.
var ManageSections = []ManageSection{
	{"movies", "Movies", "/manage/movies", "Add, edit and archive films; posters."},
	{"auditoriums", "Auditoriums", "/manage/auditoriums", "Seat layouts: rows, aisles, seat kinds, zones."},
	{"showtimes", "Showtimes", "/manage/showtimes", "Schedule, publish, move or cancel shows."},
	{"prices", "Prices", "/manage/prices", "Ticket types, price cards, booking fee."},
	{"reports", "Reports", "/manage/reports", "Sales, occupancy, distributor returns, cash-up."},
	{"cashup", "Cash-up", "/manage/cashup", "Drawer sessions: floats, cash and card taken, differences."},
}
