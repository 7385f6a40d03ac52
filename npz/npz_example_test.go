package npz_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"log"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// Record a run, write it as an .npz archive and read it back. In Python:
//
//	d = numpy.load("difflog.npz")
//	d["updates"], d["deltas"], d["initial_state"], d["population_names"]
func Example() {
	nw := binarynet.NewNetwork("demo")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 3, Tau: 1, Threshold: 0.5, Initializer: binarynet.ValuesInit{1, 0, 0}}
	if err := nw.AddPopulation(e); err != nil {
		log.Fatal(err)
	}
	if err := nw.AddSynapse(binarynet.NewAllToAllSynapse(e, e, 1)); err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		log.Fatal(err)
	}
	initial, _ := nw.State(nil)
	if err := nw.EnableDiffLogging(20); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(20, 20); err != nil {
		log.Fatal(err)
	}
	rec, err := npz.NewRecording(nw, initial, nw.ConsumeDiffLog())
	if err != nil {
		log.Fatal(err)
	}

	var file bytes.Buffer // or npz.SaveDiffLog("difflog.npz", rec)
	if err := npz.WriteDiffLog(&file, rec); err != nil {
		log.Fatal(err)
	}
	back, err := npz.ReadDiffLog(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("steps:", back.Log.Len())
	fmt.Println("initial state:", back.Initial)
	fmt.Println("populations:", back.Names, back.Ranges)
	// Output:
	// steps: 20
	// initial state: [1 0 0]
	// populations: [E] [{0 3}]
}

// Population rates go to a .npy file of shape (samples, populations).
func ExampleWriteRates() {
	rates := [][]float64{{0.25, 0.5}, {0.75, 1}}
	var file bytes.Buffer
	if err := npz.WriteRates(&file, rates); err != nil {
		log.Fatal(err)
	}
	back, err := npz.ReadRates(&file)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back)
	// Output:
	// [[0.25 0.5] [0.75 1]]
}

// Write an archive as numpy.savez_compressed writes it, streaming a large
// array row by row. In Python: d = numpy.load("run.npz"); d["states"].
func ExampleBeginArray() {
	var file bytes.Buffer // or w, err := npz.Create("run.npz")
	w := npz.NewWriter(&file)
	defer w.Abort() // discards the archive unless Commit succeeded
	if err := npz.WriteScalar(w, "seed", int64(3)); err != nil {
		log.Fatal(err)
	}
	if err := w.WriteStrings("names", []string{"E0", "I0"}); err != nil {
		log.Fatal(err)
	}
	const samples, units = 4, 5
	states, err := npz.BeginArray[uint8](w, "states", samples, units)
	if err != nil {
		log.Fatal(err)
	}
	row := make([]uint8, units)
	for s := range samples {
		row[s] = 1 // one row at a time: no samples x units copy
		if err := states.Write(row); err != nil {
			log.Fatal(err)
		}
		row[s] = 0
	}
	if err := states.Close(); err != nil {
		log.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		log.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range zr.File {
		fmt.Println(f.Name, f.UncompressedSize64)
	}
	// Output:
	// seed.npy 136
	// names.npy 144
	// states.npy 148
}

// ExampleBeginDeferred writes the values and the column indices of a CSR
// matrix in one pass over its rows: the values are streamed, the indices
// compressed into memory beside them and written when closed.
func ExampleBeginDeferred() {
	rows := [][]int64{{0, 2}, {1}, {0, 1, 2}} // column indices of each row
	var file bytes.Buffer
	w := npz.NewWriter(&file)
	data, err := npz.BeginArray[float32](w, "data", 6)
	if err != nil {
		log.Fatal(err)
	}
	indices, err := npz.BeginDeferred[int64](w, "indices", 6)
	if err != nil {
		log.Fatal(err)
	}
	for r, cols := range rows {
		vals := make([]float32, len(cols))
		for i := range vals {
			vals[i] = float32(r + 1)
		}
		if err := data.Write(vals); err != nil {
			log.Fatal(err)
		}
		if err := indices.Write(cols); err != nil {
			log.Fatal(err)
		}
	}
	if err := data.Close(); err != nil { // first: the streamed array
		log.Fatal(err)
	}
	if err := indices.Close(); err != nil {
		log.Fatal(err)
	}
	if err := npz.WriteArray(w, "indptr", []int{4}, []int64{0, 2, 3, 6}); err != nil {
		log.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		log.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range zr.File {
		fmt.Println(f.Name, f.UncompressedSize64)
	}
	// Output:
	// data.npy 152
	// indices.npy 176
	// indptr.npy 160
}

// ExampleWriteUnitIDs writes the unit ids of a diff log, which look random
// to a compressor, with Huffman codes alone; the arrays after it are
// compressed at the default level again.
func ExampleWriteUnitIDs() {
	ids := make([]int32, 10_000)
	for i := range ids {
		ids[i] = int32(i * 7919 % 1000) // the unit updated at step i
	}
	var file bytes.Buffer
	w := npz.NewWriter(&file)
	if err := npz.WriteUnitIDs(w, "state_updates", []int{1, len(ids)}, ids); err != nil {
		log.Fatal(err)
	}
	if err := npz.WriteArray(w, "state_deltas", []int{1, len(ids)}, make([]int8, len(ids))); err != nil {
		log.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		log.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range zr.File {
		fmt.Println(f.Name, f.UncompressedSize64, f.CompressedSize64 < f.UncompressedSize64/2)
	}
	// Output:
	// state_updates.npy 40128 true
	// state_deltas.npy 10128 true
}
