package pipeline

import (
	"fmt"
	"io"
	"testing"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// BenchmarkCSRRows writes the CSR arrays of the weights file of the
// toolkit's default network (10,000 units, 23.8 M synapses) to
// io.Discard, one compression goroutine, for tiles of several sizes.
func BenchmarkCSRRows(b *testing.B) {
	j := toolkitDefaultJob(b)
	p, err := j.ClusteredParams()
	if err != nil {
		b.Fatal(err)
	}
	opts, err := j.Options(12, 0)
	if err != nil {
		b.Fatal(err)
	}
	nw, _, err := binarynet.NewClusteredNetwork("clustered", p, opts)
	if err != nil {
		b.Fatal(err)
	}
	for _, tile := range []int64{1 << 17, csrTile, 1 << 21} {
		b.Run(fmt.Sprintf("tile=%d", tile), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := npz.NewWriter(io.Discard)
				w.SetConcurrency(1)
				if _, err := csrRows[float32](w, nw, tile, nil); err != nil {
					b.Fatal(err)
				}
				if err := w.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
