package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
	"gonum.org/v1/gonum/mat"
)

// A block of rows of the weight matrix in compressed sparse row form, as
// a writer of CSR files reads it: row 1 of a ring of three units, each
// projecting onto the next.
func ExampleWeightRowBlock() {
	w := mat.NewDense(3, 3, []float64{
		0, 0, 1,
		1, 0, 0,
		0, 1, 0,
	})
	nw, err := binarynet.NewNetworkFromWeights("ring", w, nil, nil, nil, binarynet.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	var b binarynet.WeightRowBlock[float64]
	if err := b.Load(nw, 1, 3); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Start, b.Indptr, b.Cols, b.Vals)
	// Output:
	// 1 [0 1 2] [0 1] [1 1]
}
