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
// is (f/top)^1.5, at most 1, rounded to eighths, so that the low
// background activity of a balanced network stays faint and active
// clusters stand out. The full-scale fraction top is the first of 0.1,
// 0.2, 0.3, 0.5, 0.7 and 1 at or above the 99.5th percentile of the
// pixels' fractions, so that clusters active at a third of their units
// are as visible as clusters active at all of them; RasterImage shows the
// scale. Units in no group are
// not drawn, and the rows span the ids from the lowest group start to the
// highest group end.
//
// The image has at most cols columns and rows rows, fewer when the log has
// fewer steps or the groups fewer units. initial is the state before the
// first step of log; both are checked as by ReconstructStatesFromDiffLogs.
func ActivityImage(initial []int8, log binarynet.DiffLog, groups []Group, cols, rows int) (*image.NRGBA, error) {
	img, _, err := activityImage(initial, log, groups, cols, rows)
	return img, err
}

// fullScales are the candidates for the full-scale fraction of
// ActivityImage.
var fullScales = [...]float64{0.1, 0.2, 0.3, 0.5, 0.7, 1}

// histBins is the number of bins of the histogram of pixel fractions
// from which ActivityImage finds its full scale.
const histBins = 1000

// fullScale returns the first of fullScales at or above the 99.5th
// percentile of the fractions counted in hist (bin b holds the fractions
// in [b, b+1)/histBins, the last bin the fraction 1).
func fullScale(hist *[histBins + 1]int) float64 {
	total := 0
	for _, k := range hist {
		total += k
	}
	need := int(math.Ceil(0.995 * float64(total)))
	q, seen := 1.0, 0
	for b, k := range hist {
		if seen += k; seen >= need {
			q = float64(b+1) / histBins // the bin's upper edge
			break
		}
	}
	for _, top := range fullScales {
		if q <= top {
			return top
		}
	}
	return 1
}

// activityImage is ActivityImage, returning its full-scale fraction too.
func activityImage(initial []int8, log binarynet.DiffLog, groups []Group, cols, rows int) (*image.NRGBA, float64, error) {
	if cols < 1 || rows < 1 {
		return nil, 0, fmt.Errorf("plots: image size %d x %d: %w", cols, rows, binarynet.ErrInvalidParameter)
	}
	// Validate the log with the library's own checks on a one-sample replay.
	if _, err := binarynet.PopulationRatesFromDiffLogs(initial, log, max(1, log.Len()), nil, 0); err != nil {
		return nil, 0, err
	}
	n := len(initial)
	lo, hi, err := groupSpan(groups, n)
	if err != nil {
		return nil, 0, err
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
	// acc becomes the fraction of each drawn pixel; the others are -1.
	var hist [histBins + 1]int
	for r := range rows {
		for c := range cols {
			i := r*cols + c
			if unitsIn[r] == 0 {
				acc[i] = -1
				continue
			}
			span := min(float64(c+1)*width, float64(steps)) - float64(c)*width
			acc[i] = min(1, acc[i]/(float64(unitsIn[r])*span))
			hist[int(acc[i]*histBins)]++
		}
	}
	top := fullScale(&hist)
	img := image.NewNRGBA(image.Rect(0, 0, cols, rows))
	for r := range rows {
		cr, cg, cb := rgb(rowColor[r])
		for c := range cols {
			f := 0.0
			if v := acc[r*cols+c]; v >= 0 {
				f = shade(v / top)
			}
			img.SetNRGBA(c, rows-1-r, color.NRGBA{
				R: blend(cr, f), G: blend(cg, f), B: blend(cb, f), A: 255,
			})
		}
	}
	return img, top, nil
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
// ActivityImage gives a block active for the fraction f of its unit-steps
// relative to the full scale.
func shade(f float64) float64 {
	return math.Round(math.Pow(min(f, 1), shadeGamma)*shades) / shades
}
