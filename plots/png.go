package plots

import (
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/internal/atomicfile"
	"gonum.org/v1/plot"
)

// maxPixels bounds the size of a picture: 100 million pixels (400 MB as
// RGBA) is far beyond any screen and still fits in memory.
const maxPixels = 100_000_000

// CheckSize returns an error unless a width x height picture is at least
// one pixel and at most 100 million pixels.
func CheckSize(width, height int) error {
	if width < 1 || height < 1 || int64(width)*int64(height) > maxPixels {
		return fmt.Errorf("plots: image size %d x %d must be at least 1 x 1 and at most %d pixels: %w",
			width, height, maxPixels, binarynet.ErrInvalidParameter)
	}
	return nil
}

// WritePNG draws p as a PNG image of width x height pixels (at 96 dots per
// inch) to w.
func WritePNG(w io.Writer, p *plot.Plot, width, height int) error {
	if err := CheckSize(width, height); err != nil {
		return err
	}
	wt, err := p.WriterTo(pixels(float64(width)), pixels(float64(height)), "png")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// SavePNG writes img as a PNG file at path, atomically: the file appears
// complete or not at all, and an existing file is replaced only on
// success.
func SavePNG(path string, img image.Image) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { return png.Encode(w, img) })
}

// SavePlot draws p as a width x height PNG file at path, atomically.
func SavePlot(path string, p *plot.Plot, width, height int) error {
	if err := CheckSize(width, height); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { return WritePNG(w, p, width, height) })
}
