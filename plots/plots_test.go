package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"testing"

	"github.com/binarynet/binarynet"
)

var (
	red  = color.NRGBA{255, 0, 0, 255}
	blue = color.NRGBA{0, 0, 255, 255}
)

// TestActivityImage checks every pixel of a hand-made case: 4 units in two
// groups of one row each, 4 steps in two columns of 2 steps.
//
// Unit 0 is active during [0, 1) and unit 1 during [0, 4): the red row
// holds 3 of 4 unit-steps in column 0 (f = 0.75) and 2 of 4 in column 1
// (f = 0.5). The blue units stay off. Shades are f^1.5 in eighths.
func TestActivityImage(t *testing.T) {
	t.Parallel()
	initial := []int8{1, 0, 0, 0}
	log := binarynet.DiffLog{Updates: []int32{1, 0, 2, 3}, Deltas: []int8{1, -1, 0, 0}}
	groups := []Group{
		{Name: "A", Range: binarynet.Range{Start: 0, End: 2}, Color: red},
		{Name: "B", Range: binarynet.Range{Start: 2, End: 4}, Color: blue},
	}
	img, err := ActivityImage(initial, log, groups, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	white := color.NRGBA{255, 255, 255, 255}
	for _, tc := range []struct {
		x, y int
		want color.NRGBA
	}{
		// Red row (bottom), f = 0.75: 0.75^1.5 = 0.650 rounds to 5/8,
		// 255 * 3/8 = 95.6.
		{0, 1, color.NRGBA{255, 96, 96, 255}},
		// f = 0.5: 0.5^1.5 = 0.354 rounds to 3/8, 255 * 5/8 = 159.4.
		{1, 1, color.NRGBA{255, 159, 159, 255}},
		{0, 0, white}, // blue row (top), never active
		{1, 0, white},
	} {
		if got := img.NRGBAAt(tc.x, tc.y); got != tc.want {
			t.Errorf("pixel (%d, %d) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
	// More columns than steps and rows than units: clamped.
	img, err = ActivityImage(initial, log, groups, 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 4 || b.Dy() != 4 {
		t.Errorf("clamped size %v, want 4 x 4", b)
	}
	// Column 0 is step 0: units 0 and 1 both active, row 0 full red.
	if got := img.NRGBAAt(0, 3); got != red {
		t.Errorf("unit 0 at step 0 = %v, want %v", got, red)
	}
}

func TestActivityImageErrors(t *testing.T) {
	t.Parallel()
	initial := []int8{0, 1}
	log := binarynet.DiffLog{Updates: []int32{0}, Deltas: []int8{1}}
	one := []Group{{Name: "all", Range: binarynet.Range{Start: 0, End: 2}}}
	for _, tc := range []struct {
		name       string
		initial    []int8
		log        binarynet.DiffLog
		groups     []Group
		cols, rows int
		want       error
	}{
		{"zero columns", initial, log, one, 0, 1, binarynet.ErrInvalidParameter},
		{"no groups", initial, log, nil, 1, 1, binarynet.ErrInvalidParameter},
		{"group past the end", initial, log, []Group{{Range: binarynet.Range{Start: 1, End: 3}}}, 1, 1, binarynet.ErrInvalidParameter},
		{"empty group", initial, log, []Group{{Range: binarynet.Range{Start: 1, End: 1}}}, 1, 1, binarynet.ErrInvalidParameter},
		{"mismatched log", initial, binarynet.DiffLog{Updates: []int32{0}}, one, 1, 1, binarynet.ErrShape},
		{"unit out of range", initial, binarynet.DiffLog{Updates: []int32{5}, Deltas: []int8{1}}, one, 1, 1, binarynet.ErrInvalidParameter},
		{"non-binary state", []int8{0, 2}, log, one, 1, 1, binarynet.ErrInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ActivityImage(tc.initial, tc.log, tc.groups, tc.cols, tc.rows); !errors.Is(err, tc.want) {
				t.Errorf("ActivityImage error = %v, want %v", err, tc.want)
			}
			if _, err := Raster(tc.initial, tc.log, tc.groups, max(tc.cols, 1), 1, Options{}); err == nil && tc.cols > 0 {
				t.Error("Raster accepted invalid input")
			}
		})
	}
}

func TestClusterColors(t *testing.T) {
	t.Parallel()
	for _, q := range []int{0, 1, 2, 7, 20} {
		c := ClusterColors(q)
		if len(c) != q {
			t.Fatalf("ClusterColors(%d) has %d colours", q, len(c))
		}
		seen := map[color.Color]bool{}
		for _, x := range c {
			seen[x] = true
		}
		if len(seen) != q {
			t.Errorf("ClusterColors(%d): %d distinct colours", q, len(seen))
		}
	}
}

// run returns a short run of a small clustered network: its initial
// state, diff log, population names and ranges.
func run(t *testing.T) (*binarynet.Network, []int8, binarynet.DiffLog, []string, []binarynet.Range) {
	t.Helper()
	p := binarynet.DefaultClusteredParams()
	p.Q, p.NE, p.NI, p.REPlus = 3, 60, 15, new(2.0)
	nw, _, err := binarynet.NewClusteredNetwork("plots", p, binarynet.Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	initial, _ := nw.State(nil)
	steps := 50 * nw.N()
	if err := nw.EnableDiffLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, steps); err != nil {
		t.Fatal(err)
	}
	log := nw.ConsumeDiffLog()
	var names []string
	var ranges []binarynet.Range
	for _, q := range []string{"E", "I"} {
		for k := range 3 {
			names = append(names, fmt.Sprint(q, k))
		}
	}
	n := 0
	for _, size := range []int{20, 20, 20, 5, 5, 5} {
		ranges = append(ranges, binarynet.Range{Start: n, End: n + size})
		n += size
	}
	if n != nw.N() {
		t.Fatalf("layout of %d units, network has %d", n, nw.N())
	}
	return nw, initial, log, names, ranges
}

// TestPlots renders the three plots of a small clustered run and decodes
// the PNG images.
func TestPlots(t *testing.T) {
	t.Parallel()
	nw, initial, log, names, ranges := run(t)
	groups, err := ClusterGroups(names, ranges)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 6 || groups[0].Name != "E0" || groups[3].Name != "I0" || groups[3].Range != ranges[3] ||
		groups[0].Inhibitory || !groups[3].Inhibitory {
		t.Fatalf("ClusterGroups = %+v", groups)
	}
	opts := Options{Time: Time{N: nw.N(), StepsPerUnit: 10}}
	img, err := RasterImage(initial, log, groups, 300, 200, opts)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Errorf("RasterImage size %v, want 300 x 200", b)
	}
	rates, err := binarynet.PopulationRatesFromDiffLogs(initial, log, nw.N(), ranges[:6], 0)
	if err != nil {
		t.Fatal(err)
	}
	stacked, err := StackedRates(rates, nw.N(), groups, opts)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := Rates(rates, nw.N(), groups, 6, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range []struct {
		name string
		png  func(*bytes.Buffer) error
	}{
		{"stacked", func(b *bytes.Buffer) error { return WritePNG(b, stacked, 320, 240) }},
		{"lines", func(b *bytes.Buffer) error { return WritePNG(b, lines, 320, 240) }},
		{"raster", func(b *bytes.Buffer) error { return png.Encode(b, img) }},
	} {
		var b bytes.Buffer
		if err := pl.png(&b); err != nil {
			t.Fatalf("%s: %v", pl.name, err)
		}
		got, err := png.Decode(&b)
		if err != nil {
			t.Fatalf("%s: %v", pl.name, err)
		}
		if pl.name != "raster" && (got.Bounds().Dx() != 320 || got.Bounds().Dy() != 240) {
			t.Errorf("%s: size %v, want 320 x 240", pl.name, got.Bounds())
		}
	}
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"StackedRates with too few groups", func() error { _, err := StackedRates(rates, nw.N(), groups[:3], opts); return err }(), binarynet.ErrShape},
		{"Rates with interval 0", func() error { _, err := Rates(rates, 0, groups, 5, opts); return err }(), binarynet.ErrInvalidParameter},
		{"Rates without N", func() error { _, err := Rates(rates, 1, groups, 5, Options{}); return err }(), binarynet.ErrInvalidParameter},
		{"negative StepsPerUnit", func() error {
			_, err := StackedRates(rates, 1, groups, Options{Time: Time{N: 1, StepsPerUnit: -1}})
			return err
		}(), binarynet.ErrInvalidParameter},
		{"RasterImage of width 0", func() error { _, err := RasterImage(initial, log, groups, 0, 10, opts); return err }(), binarynet.ErrInvalidParameter},
		{"RasterImage too large", func() error { _, err := RasterImage(initial, log, groups, 200_000, 200_000, opts); return err }(), binarynet.ErrInvalidParameter},
		{"WritePNG too large", WritePNG(&bytes.Buffer{}, lines, 1<<20, 1<<20), binarynet.ErrInvalidParameter},
		{"ClusterGroups mismatched", func() error { _, err := ClusterGroups(names, ranges[:2]); return err }(), binarynet.ErrShape},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: error = %v, want %v", tc.name, tc.err, tc.want)
		}
	}
}
