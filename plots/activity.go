package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/binarynet/binarynet"
)

// ActivityImage renders the activity recorded in a diff log as an image of
// units (rows, unit 0 at the bottom) by time (columns, step 0 at the
// left). A pixel covers a block of units and of steps; its colour goes
// from white to the colour of the group of its units as the fraction f of
// that block during which the units were active rises: the colour's weight
// is f^1.5 rounded to eighths, so that the low background activity of a
// balanced network stays faint and active clusters stand out. Units in no
// group are not drawn, and the rows span the ids from the lowest group
// start to the highest group end.
//
// The image has at most cols columns and rows rows, fewer when the log has
// fewer steps or the groups fewer units. initial is the state before the
// first step of log; both are checked as by ReconstructStatesFromDiffLogs.
func ActivityImage(initial []int8, log binarynet.DiffLog, groups []Group, cols, rows int) (*image.NRGBA, error) {
	if cols < 1 || rows < 1 {
		return nil, fmt.Errorf("plots: image size %d x %d: %w", cols, rows, binarynet.ErrInvalidParameter)
	}
	// Validate the log with the library's own checks on a one-sample replay.
	if _, err := binarynet.PopulationRatesFromDiffLogs(initial, log, max(1, log.Len()), nil, 0); err != nil {
		return nil, err
	}
	n := len(initial)
	lo, hi, err := groupSpan(groups, n)
	if err != nil {
		return nil, err
	}
	steps := log.Len()
	cols = max(1, min(cols, steps))
	rows = max(1, min(rows, hi-lo))

	rowOf := make([]int32, n)
	for u := range rowOf {
		rowOf[u] = -1
	}
	groupOf := make([]int, n)
	for g, gr := range groups {
		for u := gr.Range.Start; u < gr.Range.End; u++ {
			rowOf[u] = int32((u - lo) * rows / (hi - lo))
			groupOf[u] = g
		}
	}
	acc := make([]float64, rows*cols)
	width := float64(max(steps, 1)) / float64(cols)
	add := func(u int, t0, t1 int64) {
		r := rowOf[u]
		if r < 0 || t1 <= t0 {
			return
		}
		a, b := float64(t0), float64(t1)
		row := acc[int(r)*cols : int(r+1)*cols]
		for c := int(a / width); c < cols && float64(c)*width < b; c++ {
			row[c] += min(b, float64(c+1)*width) - max(a, float64(c)*width)
		}
	}
	onset := make([]int64, n)
	for u, s := range initial {
		onset[u] = -1
		if s == 1 {
			onset[u] = 0
		}
	}
	for t, u := range log.Updates {
		switch d := log.Deltas[t]; {
		case d > 0 && onset[u] < 0:
			onset[u] = int64(t)
		case d < 0 && onset[u] >= 0:
			add(int(u), onset[u], int64(t))
			onset[u] = -1
		}
	}
	for u, t0 := range onset {
		if t0 >= 0 {
			add(u, t0, int64(steps))
		}
	}

	// Per row: the number of units drawn and the colour of the group
	// holding most of them. Groups are contiguous, so each (row, group)
	// pair is one run of unit ids.
	unitsIn := make([]int, rows)
	rowColor := make([]color.Color, rows)
	most := make([]int, rows)
	for u := lo; u < hi; {
		r, g, v := rowOf[u], groupOf[u], u+1
		for v < hi && rowOf[v] == r && groupOf[v] == g {
			v++
		}
		if r >= 0 {
			unitsIn[r] += v - u
			if v-u > most[r] {
				most[r], rowColor[r] = v-u, groups[g].Color
			}
		}
		u = v
	}
	img := image.NewNRGBA(image.Rect(0, 0, cols, rows))
	for r := range rows {
		cr, cg, cb := rgb(rowColor[r])
		for c := range cols {
			f := 0.0
			if unitsIn[r] > 0 {
				span := min(float64(c+1)*width, float64(steps)) - float64(c)*width
				f = min(1, acc[r*cols+c]/(float64(unitsIn[r])*span))
				f = shade(f)
			}
			img.SetNRGBA(c, rows-1-r, color.NRGBA{
				R: blend(cr, f), G: blend(cg, f), B: blend(cb, f), A: 255,
			})
		}
	}
	return img, nil
}

// shades is the number of intensity steps of ActivityImage above white.
// Few distinct colours keep the PNG files small; the eye does not resolve
// more in a noisy raster.
const shades = 8

// shadeGamma is the exponent applied to the active fraction before
// shading: the low background activity of a balanced network stays faint
// and clusters in their active state stand out.
const shadeGamma = 1.5

// shade returns the intensity (0: white, 1: the group's colour) that
// ActivityImage gives a block active for the fraction f of its unit-steps.
func shade(f float64) float64 {
	return math.Round(math.Pow(f, shadeGamma)*shades) / shades
}
