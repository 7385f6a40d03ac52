package plots

import (
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
	"gonum.org/v1/plot"
)

// labels returns the labels of the ticks of an axis.
func labels(a plot.Axis) []string {
	var s []string
	for _, t := range a.Tick.Marker.Ticks(a.Min, a.Max) {
		if t.Label != "" {
			s = append(s, t.Label)
		}
	}
	return s
}

// silent returns a network of 2q clusters of size units each, E0..E(q-1)
// then I0..I(q-1), whose units stay inactive during steps steps.
func silent(q, size, steps int) ([]int8, binarynet.DiffLog, []Group) {
	var names []string
	var ranges []binarynet.Range
	for _, c := range []string{"E", "I"} {
		for k := range q {
			names = append(names, c+string(rune('0'+k)))
			ranges = append(ranges, binarynet.Range{Start: len(ranges) * size, End: (len(ranges) + 1) * size})
		}
	}
	groups, _ := ClusterGroups(names, ranges)
	log := binarynet.DiffLog{Updates: make([]int32, steps), Deltas: make([]int8, steps)}
	return make([]int8, 2*q*size), log, groups
}

// TestIssue9RasterLabelsClusters checks that the raster's unit axis names
// the clusters, E and I, rather than showing unit numbers only.
func TestIssue9RasterLabelsClusters(t *testing.T) {
	t.Parallel()
	initial, log, groups := silent(3, 40, 1000)
	p, err := Raster(initial, log, groups, 100, 600, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"E0", "E1", "E2", "I0", "I1", "I2"}
	if got := labels(p.Y); !slices.Equal(got, want) {
		t.Errorf("unit axis labels %q, want %q", got, want)
	}
	// At 60 pixels for 240 units, labels 10 pixels apart are thinned out.
	p, err = Raster(initial, log, groups, 100, 60, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(p.Y); len(got) >= len(want) || len(got) < 2 || got[0] != "E0" {
		t.Errorf("thinned unit axis labels %q: want a subset of %q starting at E0", got, want)
	}
}

// TestIssue9RasterMarksEIBoundary checks that RasterImage draws a black
// line across the data area between the E and the I clusters: the only
// long black row of a silent network's raster other than the x axis.
func TestIssue9RasterMarksEIBoundary(t *testing.T) {
	t.Parallel()
	initial, log, groups := silent(2, 50, 1000) // boundary at unit 100 of 200
	const w, h = 400, 400
	img, err := RasterImage(initial, log, groups, w, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var long []int // rows more than 80 % black
	for y := range h {
		black := 0
		for x := range w {
			if isDark(img.At(x, y)) {
				black++
			}
		}
		if black > w*8/10 {
			long = append(long, y)
		}
	}
	mid := slices.IndexFunc(long, func(y int) bool { return y > h/4 && y < 3*h/4 })
	if mid < 0 {
		t.Fatalf("no black line across the middle of the raster; long black rows at %v", long)
	}
	// Without inhibitory groups there is no line.
	for k := range groups {
		groups[k].Inhibitory = false
	}
	img, err = RasterImage(initial, log, groups, w, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for y := h / 4; y < 3*h/4; y++ {
		black := 0
		for x := range w {
			if isDark(img.At(x, y)) {
				black++
			}
		}
		if black > w*8/10 {
			t.Errorf("row %d is a black line without an E/I boundary", y)
		}
	}
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r < 0x4000 && g < 0x4000 && b < 0x4000
}

// TestIssue9RasterShadeScale checks that RasterImage draws the scale of
// its shades under the plot: every shade of the grey scale, from white to
// the full colour, in the bottom strip.
func TestIssue9RasterShadeScale(t *testing.T) {
	t.Parallel()
	initial, log, groups := silent(2, 50, 1000)
	const w, h = 600, 400
	img, err := RasterImage(initial, log, groups, w, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[color.NRGBA]bool{}
	strip := image.Rect(0, h-scaleHeight, w, h)
	for y := strip.Min.Y; y < strip.Max.Y; y++ {
		for x := strip.Min.X; x < strip.Max.X; x++ {
			seen[color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)] = true
		}
	}
	for i := 1; i <= shades; i++ {
		f := float64(i) / shades
		c := color.NRGBA{blend(40, f), blend(40, f), blend(40, f), 255}
		if !seen[c] {
			t.Errorf("shade %d/%d (%v) missing from the scale", i, shades, c)
		}
	}
}

// TestIssue9RatesShowInhibitoryClusters checks that StackedRates draws the
// I clusters, in the bands of the E clusters of the same index, and marks
// an unpaired I group in a band of its own.
func TestIssue9RatesShowInhibitoryClusters(t *testing.T) {
	t.Parallel()
	_, _, groups := silent(3, 10, 10)
	rates := [][]float64{{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, {0.2, 0.3, 0.4, 0.5, 0.6, 0.7}}
	opts := Options{Time: Time{N: 60}}
	p, err := StackedRates(rates, 60, groups, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := labels(p.Y), []string{"E0 I0", "E1 I1", "E2 I2"}; !slices.Equal(got, want) {
		t.Errorf("paired band labels %q, want %q", got, want)
	}
	if !strings.Contains(p.Y.Label.Text, "I line") {
		t.Errorf("axis label %q does not say how I clusters are drawn", p.Y.Label.Text)
	}
	// One E and one I population (no clusters) also pair.
	two := []Group{{Name: "E", Range: binarynet.Range{Start: 0, End: 8}}, {Name: "I", Range: binarynet.Range{Start: 8, End: 10}, Inhibitory: true}}
	p, err = StackedRates([][]float64{{0.1, 0.2}}, 10, two, Options{Time: Time{N: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(p.Y); !slices.Equal(got, []string{"E I"}) {
		t.Errorf("E/I band labels %q, want [\"E I\"]", got)
	}
	// Two E groups and one I group: the I group gets its own band, on top.
	three := append(two[:1:1], Group{Name: "E2", Range: binarynet.Range{Start: 8, End: 9}}, Group{Name: "I", Range: binarynet.Range{Start: 9, End: 10}, Inhibitory: true})
	p, err = StackedRates([][]float64{{0.1, 0.2, 0.3}}, 10, three, Options{Time: Time{N: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(p.Y); !slices.Equal(got, []string{"E", "E2", "I"}) {
		t.Errorf("unpaired band labels %q, want [E E2 I]", got)
	}
}

// TestIssue9TimeInMsAndSweeps checks that with a model time axis the
// pictures label time in ms with the sweeps beneath, and that the axis
// runs in ms: the toolkit's default model makes 8000/10 + 2000/5 = 1,200
// updates per ms (facts file, section 5), so 12,000,000 steps are 10,000
// ms, which is 1,200 sweeps of its 10,000 units.
func TestIssue9TimeInMsAndSweeps(t *testing.T) {
	t.Parallel()
	perMs, err := StepsPerTimeUnit([]int{8000, 2000}, []float64{10, 5})
	if err != nil || perMs != 1200 {
		t.Fatalf("StepsPerTimeUnit = %v, %v; want 1200", perMs, err)
	}
	tm := Time{N: 10_000, StepsPerUnit: perMs}
	if got := tm.x(12_000_000); got != 10_000 {
		t.Errorf("12,000,000 steps at %v on the axis, want 10000 ms", got)
	}
	var got []string
	for _, tk := range tm.Ticks(0, 10_000) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	want := []string{"0\n0", "2000\n240", "4000\n480", "6000\n720", "8000\n960", "10000\n1200"}
	if !slices.Equal(got, want) {
		t.Errorf("tick labels %q, want %q", got, want)
	}
	if l := tm.label(); !strings.Contains(l, "ms") || !strings.Contains(l, "sweeps of N = 10,000 updates") {
		t.Errorf("axis label %q does not give ms and sweeps", l)
	}
	// Without model time the axis is in sweeps only.
	if l := (Time{N: 5001}).label(); l != "time (sweeps of N = 5,001 updates)" {
		t.Errorf("sweeps-only label %q", l)
	}
	for _, bad := range []struct {
		sizes []int
		taus  []float64
	}{
		{[]int{1}, []float64{0}},
		{[]int{1, 2}, []float64{1}},
		{[]int{-1}, []float64{1}},
		{[]int{0}, []float64{1}},
	} {
		if _, err := StepsPerTimeUnit(bad.sizes, bad.taus); err == nil {
			t.Errorf("StepsPerTimeUnit(%v, %v) accepted", bad.sizes, bad.taus)
		}
	}
}

// TestIssue9TitlesFitTheModel checks that the default titles name what is
// drawn without assuming clusters, and that a given title is used.
func TestIssue9TitlesFitTheModel(t *testing.T) {
	t.Parallel()
	initial, log, groups := silent(1, 5, 20)
	rates := [][]float64{{0, 0}}
	opts := Options{Time: Time{N: 10}}
	r, err := Raster(initial, log, groups, 10, 10, opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := StackedRates(rates, 10, groups, opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Rates(rates, 10, groups, 5, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*plot.Plot{r, s, l} {
		if strings.Contains(strings.ToLower(p.Title.Text), "cluster") {
			t.Errorf("default title %q speaks of clusters", p.Title.Text)
		}
	}
	opts.Title = "sparse-50k: unit activity"
	if r, _ = Raster(initial, log, groups, 10, 10, opts); r.Title.Text != opts.Title {
		t.Errorf("title %q, want %q", r.Title.Text, opts.Title)
	}
}

// TestIssue9NetworkTimeFromSpecs checks that the time axis of a network
// comes from the populations as the network took them: changing a
// population struct afterwards changes nothing.
func TestIssue9NetworkTimeFromSpecs(t *testing.T) {
	t.Parallel()
	nw := binarynet.NewNetwork("time")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 80, Tau: 10}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 20, Tau: 5}
	for _, p := range []binarynet.Population{e, i} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	e.N, e.Tau = 1, 1000
	tm, err := NetworkTime(nw)
	if err != nil {
		t.Fatal(err)
	}
	// 80/10 + 20/5 = 12 steps per ms.
	if tm.N != 100 || tm.StepsPerUnit != 12 {
		t.Errorf("NetworkTime = %+v, want N 100 and 12 steps per unit", tm)
	}
}
