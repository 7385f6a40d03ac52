package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a progress bar with rate and ETA on a terminal. It is
// silent when quiet is set or the writer is not a terminal.
type progress struct {
	w         io.Writer // nil when silent
	total     int64
	done      int64
	begin     time.Time
	lastDrawn time.Time
}

// newProgress returns a bar drawing on w when w is a terminal and quiet is
// false.
func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{}
	if !quiet && isTerminal(w) {
		p.w = w
	}
	return p
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) start(total int64) {
	p.total, p.done, p.begin = total, 0, time.Now()
	p.draw(true)
}

func (p *progress) add(n int64) {
	p.done += n
	p.draw(false)
}

// finish draws the full bar and ends its line.
func (p *progress) finish() {
	p.draw(true)
	if p.w != nil {
		fmt.Fprintln(p.w)
	}
}

// draw redraws the bar, at most ten times a second unless forced.
func (p *progress) draw(force bool) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(p.lastDrawn) < 100*time.Millisecond {
		return
	}
	p.lastDrawn = now
	fmt.Fprintf(p.w, "\r%s", p.line(now))
}

// line renders the bar: [=====>    ]  45%  4.5M/10M updates  6.1M/s  ETA 1s
func (p *progress) line(now time.Time) string {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.done) / float64(p.total)
	}
	full := int(frac * width)
	bar := strings.Repeat("=", full)
	if full < width {
		bar += ">" + strings.Repeat(" ", width-full-1)
	}
	elapsed := now.Sub(p.begin).Seconds()
	rate, eta := 0.0, "?"
	if elapsed > 0 && p.done > 0 {
		rate = float64(p.done) / elapsed
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf("[%s] %3.0f%%  %s/%s updates  %s/s  ETA %-6s", bar, 100*frac, si(float64(p.done)), si(float64(p.total)), si(rate), eta)
}

// si formats a count with a k, M or G suffix.
func si(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.2fG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}
