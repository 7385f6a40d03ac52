package npz_test

import (
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
