package sales

// Subscribers is how many live seat-map streams this instance serves (metrics).
func (s *Service) Subscribers() int {
	c := s.seats
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, subs := range c.subs {
		n += len(subs)
	}
	return n
}

// Snapshots is how many showtimes' seat snapshots this instance holds (metrics).
func (s *Service) Snapshots() int {
	c := s.seats
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.shows)
}
