package binarynet_test

import (
	"fmt"
	"log"

	"github.com/binarynet/binarynet"
)

// The mixing factors of a clustering strength R = 4 in Q = 10 clusters:
// kappa = 0 puts all of it into the probabilities, kappa = 1 into the
// weights; in between each gets a power of it.
func ExampleMixingFactors() {
	for _, kappa := range []float64{0, 0.5, 1} {
		pIn, pOut, wIn, wOut := binarynet.MixingFactors(4, kappa, 10)
		fmt.Printf("kappa %.1f: p x %.3f / %.3f, j x %.3f / %.3f\n", kappa, pIn, pOut, wIn, wOut)
	}
	// Output:
	// kappa 0.0: p x 4.000 / 0.667, j x 1.000 / 1.000
	// kappa 0.5: p x 2.000 / 0.816, j x 2.000 / 0.816
	// kappa 1.0: p x 1.000 / 1.000, j x 4.000 / 0.667
}

// The block parameters of the toolkit's default model with R_Eplus = 7.25
// and kappa = 0.5, indexed [post type][pre type].
func ExampleClusteredParams_Matrices() {
	p := binarynet.DefaultClusteredParams()
	p.REPlus = new(7.25) // no default: it must be set
	p.Kappa = 0.5
	m, err := p.Matrices()
	if err != nil {
		log.Fatal(err)
	}
	e, i := binarynet.TypeE, binarynet.TypeI
	fmt.Printf("R_I+ %.4f\n", m.RIPlus)
	fmt.Printf("p+ EE %.4f  EI %.4f   p- EE %.4f  EI %.4f\n", m.PPlus[e][e], m.PPlus[e][i], m.PMinus[e][e], m.PMinus[e][i])
	fmt.Printf("j+ EE %.5f  EI %.5f   j- EE %.5f  EI %.5f\n", m.JPlus[e][e], m.JPlus[e][i], m.JMinus[e][e], m.JMinus[e][i])
	fmt.Printf("J_EX %.4f  theta_E %.4f  theta_I %.4f\n", m.JEX, m.ThetaE, m.ThetaI)
	// Output:
	// R_I+ 5.6875
	// p+ EE 0.8078  EI 0.7155   p- EE 0.2458  EI 0.2604
	// j+ EE 0.05496  EI -0.23367   j- EE 0.01672  EI -0.08504
	// J_EX 48.9898  theta_E -0.4697  theta_I -0.1758
}

// Build and run a small clustered network with a diff log, and find which
// excitatory cluster leads over time.
func ExampleNewClusteredNetwork() {
	p := binarynet.DefaultClusteredParams()
	p.NE, p.NI, p.Q = 400, 100, 5 // 80 E and 20 I units per cluster
	p.REPlus = new(3.0)
	p.ConnectionType = binarynet.ConnectFixedIndegree
	nw, layout, err := binarynet.NewClusteredNetwork("demo", p, binarynet.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("units:", nw.N())
	fmt.Println("E clusters:", layout.ERanges)
	fmt.Println("I clusters:", layout.IRanges)
	last := layout.Populations[len(layout.Populations)-1]
	fmt.Println("last population:", last.Population.Name, last.CellType, last.Cluster)

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
	// units: 500
	// E clusters: [{0 80} {80 160} {160 240} {240 320} {320 400}]
	// I clusters: [{400 420} {420 440} {440 460} {460 480} {480 500}]
	// last population: I4 I 4
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
