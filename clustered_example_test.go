package binarynet_test

import (
	"fmt"
	"log"

	"github.com/binarynet/binarynet"
)

// The clustering factors of the Python module's example: p_E+ = 6 and
// R_j = 0.75 with Q = 20 clusters. The minus factors keep each unit's
// total input: 6 + 19 * 0.737 = 20.
func ExampleClusterFactors() {
	ePlus, eMinus, iPlus, iMinus := binarynet.ClusterFactors(6, 0.75, 20)
	fmt.Printf("E: plus %.3f, minus %.3f\n", ePlus, eMinus)
	fmt.Printf("I: plus %.3f, minus %.3f\n", iPlus, iMinus)
	// Output:
	// E: plus 6.000, minus 0.737
	// I: plus 4.750, minus 0.803
}

// The balanced weights and clustered probabilities of the reference
// example, indexed [post type][pre type].
func ExampleClusteredParams_Matrices() {
	m, err := binarynet.ReferenceClusteredParams().Matrices()
	if err != nil {
		log.Fatal(err)
	}
	e, i := binarynet.TypeE, binarynet.TypeI
	fmt.Printf("J_EE %.4f  J_EI %.4f  J_IE %.4f  J_II %.4f\n", m.J[e][e], m.J[e][i], m.J[i][e], m.J[i][i])
	fmt.Printf("p+ EE %.3f  EI %.3f\n", m.PPlus[e][e], m.PPlus[e][i])
	fmt.Printf("p- EE %.4f  EI %.4f\n", m.PMinus[e][e], m.PMinus[e][i])
	// Output:
	// J_EE 3.5355  J_EI -16.9706  J_IE 3.5355  J_II -16.9706
	// p+ EE 0.600  EI 0.475
	// p- EE 0.0737  EI 0.0803
}

// Build a small clustered network, run it with a diff log, and find which
// excitatory cluster leads over time.
func ExampleNewClusteredNetwork() {
	p := binarynet.ReferenceClusteredParams()
	p.Q, p.NE, p.NI = 4, 40, 10 // 201 units
	p.PEPlus = 3                // at most Q
	nw, layout, err := binarynet.NewClusteredNetwork("demo", p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("units:", nw.N())
	fmt.Println("E clusters:", layout.ERanges)
	fmt.Println("I clusters:", layout.IRanges)
	fmt.Println("background:", layout.BackgroundRange)

	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		log.Fatal(err)
	}
	initial, _ := nw.State(nil)
	steps := 100 * nw.N() // 100 sweeps
	if err := nw.EnableDiffLogging(steps); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(steps, 10_000); err != nil {
		log.Fatal(err)
	}
	// One sample of the E-cluster rates per sweep.
	rates, err := binarynet.PopulationRatesFromDiffLogs(initial, nw.ConsumeDiffLog(), nw.N(), layout.ERanges, 0)
	if err != nil {
		log.Fatal(err)
	}
	stats, err := binarynet.Leaders(rates, 0.2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("samples:", stats.Samples)
	// Output:
	// units: 201
	// E clusters: [{0 40} {40 80} {80 120} {120 160}]
	// I clusters: [{160 170} {170 180} {180 190} {190 200}]
	// background: {200 201}
	// samples: 100
}

// Leaders on a hand-made rate table: cluster 1 leads, falls back, leads
// again, then cluster 0 takes over.
func ExampleLeaders() {
	rates := [][]float64{
		{0.1, 0.8, 0.1},
		{0.1, 0.7, 0.2},
		{0.2, 0.2, 0.1}, // no clear leader
		{0.1, 0.9, 0.1},
		{0.7, 0.1, 0.1},
	}
	s, err := binarynet.Leaders(rates, 0.3)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("leader per sample:", s.Leader)
	fmt.Println("distinct leaders:", s.Distinct, "switches:", s.Switches)
	fmt.Printf("largest share: %.2f\n", s.MaxShare)
	// Output:
	// leader per sample: [1 1 -1 1 0]
	// distinct leaders: 2 switches: 1
	// largest share: 0.75
}
