package binarynet_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"

	"github.com/binarynet/binarynet"
)

// zeroMatrix is an n x n zero matrix that stores nothing: a way to offer
// NewNetworkFromWeights a matrix far larger than memory.
type zeroMatrix struct{ n int }

func (z zeroMatrix) Dims() (int, int)    { return z.n, z.n }
func (z zeroMatrix) At(int, int) float64 { return 0 }
func (z zeroMatrix) T() mat.Matrix       { return z }

// errNet returns an uninitialized network with populations E (N=10) and I
// (N=5) of valid parameters.
func errNet() (*binarynet.Network, *binarynet.BinaryNeuronPopulation, *binarynet.BinaryNeuronPopulation) {
	nw := binarynet.NewNetwork("errors")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 10, Tau: 10, Threshold: 1}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 5, Tau: 5, Threshold: 1}
	if err := nw.AddPopulation(e); err != nil {
		panic(err)
	}
	if err := nw.AddPopulation(i); err != nil {
		panic(err)
	}
	return nw, e, i
}

// initNet returns errNet initialized.
func initNet() *binarynet.Network {
	nw, _, _ := errNet()
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		panic(err)
	}
	return nw
}

// addPop returns the error of adding p to a fresh network.
func addPop(p binarynet.Population) error {
	return binarynet.NewNetwork("x").AddPopulation(p)
}

// withSynapse returns the error of adding the synapse made by mk to errNet
// and, if that succeeds, of initializing with opts.
func withSynapse(mk func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse, opts binarynet.Options) error {
	nw, e, i := errNet()
	if err := nw.AddSynapse(mk(e, i)); err != nil {
		return err
	}
	return nw.Initialize(opts)
}

// initWith returns the error of initializing a network of the given
// populations.
func initWith(opts binarynet.Options, pops ...binarynet.Population) error {
	nw := binarynet.NewNetwork("x")
	for _, p := range pops {
		if err := nw.AddPopulation(p); err != nil {
			return err
		}
	}
	return nw.Initialize(opts)
}

func fromWeights(w mat.Matrix, thr []float64, init []int8, opts binarynet.Options) error {
	_, err := binarynet.NewNetworkFromWeights("w", w, nil, thr, init, opts)
	return err
}

// callSafely runs f and turns a panic into a test failure.
func callSafely(t *testing.T, f func() error) (err error, panicked bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("panicked: %v", r)
			panicked = true
		}
	}()
	return f(), false
}

// TestErrors feeds invalid parameters, arrays, call orders and files
// through the public API. Each must return an error that wraps the given
// sentinel, names the parameter and the value in its message, and, for
// invalid parameters, is a *ParameterError; none may panic.
func TestErrors(t *testing.T) {
	t.Parallel()
	pop := func(n int, tau, thr float64) *binarynet.BinaryNeuronPopulation {
		return &binarynet.BinaryNeuronPopulation{Name: "P", N: n, Tau: tau, Threshold: thr}
	}
	bg := func(a float64) *binarynet.BackgroundActivity {
		return &binarynet.BackgroundActivity{Name: "X", N: 4, Tau: 1, Activity: a}
	}
	log := func(u []int32, d []int8) binarynet.DiffLog { return binarynet.DiffLog{Updates: u, Deltas: d} }
	id3 := mat.NewDense(3, 3, []float64{0, 1, 0, 0, 0, 1, 1, 0, 0})
	thr3 := []float64{0, 0, 0}
	init3 := []int8{0, 1, 0}
	nan, inf := math.NaN(), math.Inf(1)
	scenario := func(json string) error {
		f, err := binarynet.ReadScenarioFile(strings.NewReader(json))
		if err != nil {
			return err
		}
		s, err := f.Lookup("s")
		if err != nil {
			return err
		}
		_, _, err = s.Build("s")
		return err
	}
	const pops2 = `"populations": [{"name": "E", "N": 4, "tau": 1, "threshold": 0}]`

	tests := []struct {
		name     string
		call     func() error
		sentinel error
		substr   string // names the parameter and the value
		param    bool   // the error must be a *ParameterError
	}{
		// Populations.
		{"N < 0", func() error { return addPop(pop(-1, 1, 0)) }, binarynet.ErrInvalidParameter, `"P" N = -1`, true},
		{"tau = 0", func() error { return addPop(pop(1, 0, 0)) }, binarynet.ErrInvalidParameter, `tau = 0`, true},
		{"tau < 0", func() error { return addPop(pop(1, -2, 0)) }, binarynet.ErrInvalidParameter, `tau = -2`, true},
		{"tau NaN", func() error { return addPop(pop(1, nan, 0)) }, binarynet.ErrInvalidParameter, `tau = NaN`, true},
		{"tau Inf", func() error { return addPop(pop(1, inf, 0)) }, binarynet.ErrInvalidParameter, `tau = +Inf`, true},
		{"threshold NaN", func() error { return addPop(pop(1, 1, nan)) }, binarynet.ErrInvalidParameter, `threshold = NaN`, true},
		{"threshold -Inf", func() error { return addPop(pop(1, 1, -inf)) }, binarynet.ErrInvalidParameter, `threshold = -Inf`, true},
		{"background tau NaN", func() error { return addPop(&binarynet.BackgroundActivity{N: 1, Tau: nan}) }, binarynet.ErrInvalidParameter, `tau = NaN`, true},
		{"background activity > 1", func() error { return addPop(bg(1.5)) }, binarynet.ErrInvalidParameter, `activity = 1.5`, true},
		{"background activity < 0", func() error { return addPop(bg(-0.25)) }, binarynet.ErrInvalidParameter, `activity = -0.25`, true},
		{"background activity NaN", func() error { return addPop(bg(nan)) }, binarynet.ErrInvalidParameter, `activity = NaN`, true},
		{"ActivityFunc NaN at Initialize", func() error {
			return initWith(binarynet.Options{}, &binarynet.BackgroundActivity{Name: "X", N: 2, Tau: 1, ActivityFunc: func(int64) float64 { return nan }})
		}, binarynet.ErrInvalidParameter, `activity = NaN`, true},
		{"ActivityFunc returns 2 during Run", func() error {
			nw := binarynet.NewNetwork("x")
			if err := nw.AddPopulation(&binarynet.BackgroundActivity{Name: "X", N: 2, Tau: 1, Stochastic: true, ActivityFunc: func(step int64) float64 {
				if step < 3 {
					return 0.5
				}
				return 2
			}}); err != nil {
				return err
			}
			if err := nw.Initialize(binarynet.Options{}); err != nil {
				return err
			}
			return nw.Run(10, 4)
		}, binarynet.ErrInvalidParameter, `activity at step 3 = 2`, true},
		{"nil population", func() error { return addPop(nil) }, binarynet.ErrInvalidParameter, `population = <nil>`, true},
		{"typed nil population", func() error { return addPop((*binarynet.BinaryNeuronPopulation)(nil)) }, binarynet.ErrInvalidParameter, `population = <nil>`, true},
		{"typed nil background", func() error { return addPop((*binarynet.BackgroundActivity)(nil)) }, binarynet.ErrInvalidParameter, `population = <nil>`, true},
		{"population added twice", func() error {
			nw, e, _ := errNet()
			return nw.AddPopulation(e)
		}, binarynet.ErrInvalidParameter, `population = E: was already added`, true},

		// Initializers.
		{"initializer wrong length", func() error {
			return initWith(binarynet.Options{}, &binarynet.BinaryNeuronPopulation{Name: "P", N: 3, Tau: 1, Initializer: binarynet.ValuesInit{0, 1}})
		}, binarynet.ErrInvalidParameter, `initializer length = 2`, true},
		{"initializer value 2", func() error {
			return initWith(binarynet.Options{}, &binarynet.BinaryNeuronPopulation{Name: "P", N: 3, Tau: 1, Initializer: binarynet.ValuesInit{0, 2, 1}})
		}, binarynet.ErrInvalidParameter, `initial state[1] = 2`, true},
		{"FuncInit value -1", func() error {
			return initWith(binarynet.Options{}, &binarynet.BinaryNeuronPopulation{Name: "P", N: 2, Tau: 1, Initializer: binarynet.FuncInit(func(int) []int8 { return []int8{-1, 0} })})
		}, binarynet.ErrInvalidParameter, `initial state[0] = -1`, true},
		{"FuncInit nil", func() error {
			return initWith(binarynet.Options{}, &binarynet.BinaryNeuronPopulation{Name: "P", N: 2, Tau: 1, Initializer: binarynet.FuncInit(nil)})
		}, binarynet.ErrInvalidParameter, `initializer function = <nil>`, true},
		{"ConstantInit 2", func() error {
			return initWith(binarynet.Options{}, &binarynet.BinaryNeuronPopulation{Name: "P", N: 2, Tau: 1, Initializer: binarynet.ConstantInit(2)})
		}, binarynet.ErrInvalidParameter, `initializer value = 2`, true},
		{"BernoulliInit 1.5", func() error {
			return initWith(binarynet.Options{}, &binarynet.BinaryNeuronPopulation{Name: "P", N: 2, Tau: 1, Initializer: binarynet.BernoulliInit(1.5)})
		}, binarynet.ErrInvalidParameter, `initializer probability = 1.5`, true},
		{"BernoulliInit -0.5", func() error { return binarynet.BernoulliInit(-0.5).InitialState(make([]int8, 2), nil) }, binarynet.ErrInvalidParameter, `initializer probability = -0.5`, true},
		{"BernoulliInit nil rng", func() error { return binarynet.BernoulliInit(0.5).InitialState(make([]int8, 2), nil) }, binarynet.ErrInvalidParameter, `initializer rng = <nil>`, true},

		// Synapses.
		{"Bernoulli p < 0", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewPairwiseBernoulliSynapse(e, i, -0.1, 1)
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `pairwise Bernoulli p = -0.1`, true},
		{"Bernoulli p NaN", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewPairwiseBernoulliSynapse(e, i, nan, 1)
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `pairwise Bernoulli p = NaN`, true},
		{"Bernoulli p Inf", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewPairwiseBernoulliSynapse(e, i, inf, 1)
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `pairwise Bernoulli p = +Inf`, true},
		{"fixed indegree p < 0", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewFixedIndegreeSynapse(e, i, -1, 1)
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `fixed indegree p = -1`, true},
		{"Poisson rate < 0", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewPoissonSynapse(e, i, -0.5, 1)
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `Poisson rate = -0.5`, true},
		{"Poisson rate Inf", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewPoissonSynapse(e, i, inf, 1)
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `Poisson rate = +Inf`, true},
		{"j NaN", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewPairwiseBernoulliSynapse(e, i, 0.5, nan)
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `j = NaN`, true},
		{"j Inf", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewAllToAllSynapse(e, i, -inf)
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `j = -Inf`, true},
		{"fixed indegree > N_pre without multapses", func() error {
			return withSynapse(func(e, i *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return &binarynet.FixedIndegreeSynapse{Pre: i, Post: e, P: 1.4, J: 1, Distinct: true} // K = 7 > 5
			}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `fixed indegree = 7: exceeds the 5 eligible`, true},
		{"fixed indegree onto a 1-unit population without autapses", func() error {
			nw := binarynet.NewNetwork("x")
			one := &binarynet.BinaryNeuronPopulation{Name: "one", N: 1, Tau: 1}
			if err := nw.AddPopulation(one); err != nil {
				return err
			}
			if err := nw.AddSynapse(binarynet.NewFixedIndegreeSynapse(one, one, 1, 1)); err != nil {
				return err
			}
			return nw.Initialize(binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `fixed indegree = 1: has no presynaptic unit`, true},
		{"synapse from another network's population", func() error {
			nw, e, _ := errNet()
			_, other, _ := errNet()
			return nw.AddSynapse(binarynet.NewAllToAllSynapse(other, e, 1))
		}, binarynet.ErrInvalidParameter, `synapse pre = E: is not a population of this network`, true},
		{"synapse onto another network's population", func() error {
			nw, e, _ := errNet()
			_, _, other := errNet()
			return nw.AddSynapse(binarynet.NewAllToAllSynapse(e, other, 1))
		}, binarynet.ErrInvalidParameter, `synapse post = I: is not a population of this network`, true},
		{"synapse with nil post", func() error {
			nw, e, _ := errNet()
			return nw.AddSynapse(binarynet.NewPoissonSynapse(e, nil, 1, 1))
		}, binarynet.ErrInvalidParameter, `synapse post = <nil>`, true},
		{"nil synapse", func() error {
			nw, _, _ := errNet()
			return nw.AddSynapse(nil)
		}, binarynet.ErrInvalidParameter, `synapse = <nil>`, true},
		{"typed nil synapse", func() error {
			nw, _, _ := errNet()
			return nw.AddSynapse((*binarynet.FixedIndegreeSynapse)(nil))
		}, binarynet.ErrInvalidParameter, `synapse = <nil>`, true},

		// Call order.
		{"AddPopulation after Initialize", func() error { return initNet().AddPopulation(pop(1, 1, 0)) }, binarynet.ErrCallOrder, `AddPopulation after Initialize`, false},
		{"AddSynapse after Initialize", func() error {
			nw, e, _ := errNet()
			if err := nw.Initialize(binarynet.Options{}); err != nil {
				return err
			}
			return nw.AddSynapse(binarynet.NewAllToAllSynapse(e, e, 1))
		}, binarynet.ErrCallOrder, `AddSynapse after Initialize`, false},
		{"Initialize twice", func() error { return initNet().Initialize(binarynet.Options{}) }, binarynet.ErrCallOrder, `Initialize called twice`, false},
		{"Initialize with no populations", func() error { return initWith(binarynet.Options{}) }, binarynet.ErrInvalidParameter, `network size = 0`, true},
		{"Initialize with empty populations only", func() error { return initWith(binarynet.Options{}, pop(0, 1, 0)) }, binarynet.ErrInvalidParameter, `network size = 0`, true},
		{"Run before Initialize", func() error {
			nw, _, _ := errNet()
			return nw.Run(10, 1)
		}, binarynet.ErrCallOrder, `Run before Initialize`, false},
		{"Update before Initialize", func() error { return binarynet.NewNetwork("x").Update() }, binarynet.ErrCallOrder, `before Initialize`, false},
		{"ApplyUpdates before Initialize", func() error { return binarynet.NewNetwork("x").ApplyUpdates([]int32{0}) }, binarynet.ErrCallOrder, `before Initialize`, false},
		{"State before Initialize", func() error { _, err := binarynet.NewNetwork("x").State(nil); return err }, binarynet.ErrCallOrder, `State before Initialize`, false},
		{"Field before Initialize", func() error { _, err := binarynet.NewNetwork("x").Field(nil); return err }, binarynet.ErrCallOrder, `Field before Initialize`, false},
		{"Weights before Initialize", func() error { _, err := binarynet.NewNetwork("x").Weights(); return err }, binarynet.ErrCallOrder, `Weights before Initialize`, false},
		{"EnableStepLogging before Initialize", func() error { return binarynet.NewNetwork("x").EnableStepLogging(3) }, binarynet.ErrCallOrder, `EnableStepLogging before Initialize`, false},

		// Run and logs.
		{"negative steps", func() error { return initNet().Run(-1, 1) }, binarynet.ErrInvalidParameter, `steps = -1`, true},
		{"batch size 0", func() error { return initNet().Run(10, 0) }, binarynet.ErrInvalidParameter, `batch size = 0`, true},
		{"batch size < 0", func() error { return initNet().Run(10, -3) }, binarynet.ErrInvalidParameter, `batch size = -3`, true},
		{"EnableDiffLogging negative", func() error { return initNet().EnableDiffLogging(-1) }, binarynet.ErrInvalidParameter, `diff log steps = -1`, true},
		{"EnableStepLogging negative", func() error { return initNet().EnableStepLogging(-4) }, binarynet.ErrInvalidParameter, `step log steps = -4`, true},
		{"diff log overflow", func() error {
			nw := initNet()
			if err := nw.EnableDiffLogging(2); err != nil {
				return err
			}
			return nw.Run(3, 1)
		}, binarynet.ErrLogOverflow, `diff log has room for 2 more steps, run asks for 3`, false},
		{"step log overflow", func() error {
			nw := initNet()
			if err := nw.EnableStepLogging(2); err != nil {
				return err
			}
			return nw.ApplyUpdates([]int32{0, 1, 2})
		}, binarynet.ErrLogOverflow, `step log has room for 2 more steps, run asks for 3`, false},
		{"step log over the RAM budget", func() error { return initNet().EnableStepLogging(math.MaxInt / 2) }, binarynet.ErrMemoryBudget, fmt.Sprintf("a log of %d steps", math.MaxInt/2), false},
		{"ApplyUpdates id out of range", func() error { return initNet().ApplyUpdates([]int32{0, 15}) }, binarynet.ErrInvalidParameter, `units[1] = 15`, true},
		{"ApplyUpdates negative id", func() error { return initNet().ApplyUpdates([]int32{-1}) }, binarynet.ErrInvalidParameter, `units[0] = -1`, true},

		// Options and memory.
		{"dense matrix over the RAM budget", func() error {
			return initWith(binarynet.Options{WeightMode: binarynet.WeightDense, RAMBudgetGB: 1}, pop(200000, 1, 0))
		}, binarynet.ErrMemoryBudget, `dense weights of 200000 units need about 149 GiB, budget is 1 GiB`, false},
		{"sparse matrix over the RAM budget", func() error {
			nw := binarynet.NewNetwork("x")
			p := pop(200000, 1, 0)
			if err := nw.AddPopulation(p); err != nil {
				return err
			}
			if err := nw.AddSynapse(binarynet.NewPairwiseBernoulliSynapse(p, p, 0.5, 1)); err != nil {
				return err
			}
			return nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightSparse, RAMBudgetGB: 1})
		}, binarynet.ErrMemoryBudget, `sparse weights of 200000 units`, false},
		{"weight mode out of range", func() error { return initWith(binarynet.Options{WeightMode: 7}, pop(1, 1, 0)) }, binarynet.ErrInvalidParameter, `weight mode = 7`, true},
		{"weight type out of range", func() error { return initWith(binarynet.Options{WeightType: -1}, pop(1, 1, 0)) }, binarynet.ErrInvalidParameter, `weight type = -1`, true},
		{"negative RAM budget", func() error { return initWith(binarynet.Options{RAMBudgetGB: -1}, pop(1, 1, 0)) }, binarynet.ErrInvalidParameter, `RAM budget (GB) = -1`, true},
		{"NaN RAM budget", func() error { return initWith(binarynet.Options{RAMBudgetGB: nan}, pop(1, 1, 0)) }, binarynet.ErrInvalidParameter, `RAM budget (GB) = NaN`, true},
		{"negative workers", func() error { return initWith(binarynet.Options{Workers: -2}, pop(1, 1, 0)) }, binarynet.ErrInvalidParameter, `workers = -2`, true},
		{"weights export over the RAM budget", func() error {
			// 10,000 stored weights: about 10 bytes each in the estimate
			// of Initialize (rows and values, or gap codes written out
			// as rows), 16 exported.
			nw := binarynet.NewNetwork("x")
			p := pop(100, 1, 0)
			if err := nw.AddPopulation(p); err != nil {
				return err
			}
			if err := nw.AddSynapse(binarynet.NewAllToAllSynapse(p, p, 1)); err != nil {
				return err
			}
			if err := nw.Initialize(binarynet.Options{Autapse: true, WeightMode: binarynet.WeightSparse, Workers: 1, RAMBudgetGB: 150e3 / (1 << 30)}); err != nil {
				return err
			}
			_, err := nw.Weights()
			return err
		}, binarynet.ErrMemoryBudget, `exporting the weights needs`, false},

		// Explicit weights.
		{"weights nil", func() error { return fromWeights(nil, thr3, init3, binarynet.Options{}) }, binarynet.ErrInvalidParameter, `weights = <nil>`, true},
		{"weights not square", func() error { return fromWeights(mat.NewDense(3, 2, nil), thr3, init3, binarynet.Options{}) }, binarynet.ErrShape, `weights are 3 x 2`, false},
		{"thresholds of the wrong length", func() error { return fromWeights(id3, []float64{0, 0}, init3, binarynet.Options{}) }, binarynet.ErrShape, `2 thresholds for 3 units`, false},
		{"initial state of the wrong length", func() error { return fromWeights(id3, thr3, []int8{0}, binarynet.Options{}) }, binarynet.ErrShape, `initial state has 1 values for 3 units`, false},
		{"initial state value 3", func() error { return fromWeights(id3, thr3, []int8{0, 3, 0}, binarynet.Options{}) }, binarynet.ErrInvalidParameter, `initial state[1] = 3`, true},
		{"threshold Inf", func() error { return fromWeights(id3, []float64{0, inf, 0}, init3, binarynet.Options{}) }, binarynet.ErrInvalidParameter, `thresholds[1] = +Inf`, true},
		{"dense weight NaN", func() error {
			return fromWeights(mat.NewDense(2, 2, []float64{0, 1, nan, 0}), []float64{0, 0}, []int8{0, 0}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `weights[1, 0] = NaN`, true},
		{"sparse weight Inf", func() error {
			return fromWeights(sparse.NewCOO(2, 2, []int{0}, []int{1}, []float64{inf}), []float64{0, 0}, []int8{0, 0}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `weights[0, 1] = +Inf`, true},
		{"sparse entry outside the matrix", func() error {
			return fromWeights(sparse.NewCOO(2, 2, []int{5}, []int{0}, []float64{1}), []float64{0, 0}, []int8{1, 1}, binarynet.Options{})
		}, binarynet.ErrInvalidParameter, `weights entry index = (5, 0)`, true},
		{"sparse negative column", func() error {
			return fromWeights(sparse.NewCOO(2, 2, []int{0}, []int{-1}, []float64{1}), []float64{0, 0}, []int8{1, 1}, binarynet.Options{WeightMode: binarynet.WeightDense})
		}, binarynet.ErrInvalidParameter, `weights entry index = (0, -1)`, true},
		{"explicit weights with a bad weight type", func() error {
			return fromWeights(id3, thr3, init3, binarynet.Options{WeightType: 9})
		}, binarynet.ErrInvalidParameter, `weight type = 9`, true},
		{"explicit dense weights over the RAM budget", func() error {
			return fromWeights(zeroMatrix{200000}, make([]float64, 200000), make([]int8, 200000), binarynet.Options{WeightMode: binarynet.WeightDense, RAMBudgetGB: 1})
		}, binarynet.ErrMemoryBudget, `dense weights of 200000 units`, false},

		// Diff-log helpers.
		{"Reconstruct: lengths differ", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0, 0}, log([]int32{0, 1}, []int8{1}), 1, 0)
			return err
		}, binarynet.ErrShape, `diff log has 2 updates but 1 deltas`, false},
		{"Rates: lengths differ", func() error {
			_, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 0}, log([]int32{0}, []int8{1, 1}), 1, nil, 0)
			return err
		}, binarynet.ErrShape, `diff log has 1 updates but 2 deltas`, false},
		{"Spikes: lengths differ", func() error {
			_, _, err := binarynet.ExtractSpikeEventsFromDiffLogs(log([]int32{0, 1, 2}, nil), 0)
			return err
		}, binarynet.ErrShape, `diff log has 3 updates but 0 deltas`, false},
		{"Reconstruct: delta 2", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0, 0}, log([]int32{0, 1}, []int8{1, 2}), 1, 0)
			return err
		}, binarynet.ErrInvalidParameter, `diff log deltas[1] = 2`, true},
		{"Spikes: delta -3", func() error {
			_, _, err := binarynet.ExtractSpikeEventsFromDiffLogs(log([]int32{0}, []int8{-3}), 0)
			return err
		}, binarynet.ErrInvalidParameter, `diff log deltas[0] = -3`, true},
		{"Reconstruct: unit id out of range", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0, 0}, log([]int32{5}, []int8{1}), 1, 0)
			return err
		}, binarynet.ErrInvalidParameter, `diff log updates[0] = 5`, true},
		{"Rates: negative unit id", func() error {
			_, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 0}, log([]int32{0, -1}, []int8{0, 1}), 1, nil, 0)
			return err
		}, binarynet.ErrInvalidParameter, `diff log updates[1] = -1`, true},
		{"Spikes: negative unit id", func() error {
			_, _, err := binarynet.ExtractSpikeEventsFromDiffLogs(log([]int32{-7}, []int8{1}), 0)
			return err
		}, binarynet.ErrInvalidParameter, `diff log updates[0] = -7`, true},
		{"Reconstruct: interval 0", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0}, log(nil, nil), 0, 0)
			return err
		}, binarynet.ErrInvalidParameter, `sample interval = 0`, true},
		{"Rates: interval -1", func() error {
			_, err := binarynet.PopulationRatesFromDiffLogs([]int8{0}, log(nil, nil), -1, nil, 0)
			return err
		}, binarynet.ErrInvalidParameter, `sample interval = -1`, true},
		{"Reconstruct: initial state value 2", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0, 2}, log(nil, nil), 1, 0)
			return err
		}, binarynet.ErrInvalidParameter, `initial state[1] = 2`, true},
		{"Rates: overlapping ranges", func() error {
			_, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 0, 0, 0}, log(nil, nil), 1, []binarynet.Range{{0, 2}, {1, 3}}, 0)
			return err
		}, binarynet.ErrInvalidParameter, `ranges[1] = {1 3}: overlaps ranges[0]`, true},
		{"Rates: range outside the state", func() error {
			_, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 0}, log(nil, nil), 1, []binarynet.Range{{1, 3}}, 0)
			return err
		}, binarynet.ErrInvalidParameter, `ranges[0] = {1 3}`, true},
		{"Rates: population of another network", func() error {
			_, other, _ := errNet()
			_, err := initNet().PopulationRatesFromDiffLogs(make([]int8, 15), log(nil, nil), 1, other)
			return err
		}, binarynet.ErrInvalidParameter, `population = E: is not a population of this network`, true},
		{"PopulationRange of nil", func() error {
			_, err := initNet().PopulationRange(nil)
			return err
		}, binarynet.ErrInvalidParameter, `population = <nil>`, true},

		// Scenario files.
		{"scenario: unknown rule", func() error {
			return scenario(`{"scenarios": {"s": {` + pops2 + `, "synapses": [{"pre": "E", "post": "E", "rule": "gaussian", "j": 1}], "warmup": 0, "steps": 1}}}`)
		}, binarynet.ErrInvalidParameter, `synapses[0].rule = "gaussian"`, true},
		{"scenario: unknown population", func() error {
			return scenario(`{"scenarios": {"s": {` + pops2 + `, "synapses": [{"pre": "Z", "post": "E", "rule": "all_to_all", "j": 1}], "warmup": 0, "steps": 1}}}`)
		}, binarynet.ErrInvalidParameter, `synapses[0].pre = "Z"`, true},
		{"scenario: negative steps", func() error {
			return scenario(`{"scenarios": {"s": {` + pops2 + `, "synapses": [], "warmup": 0, "steps": -5}}}`)
		}, binarynet.ErrInvalidParameter, `steps = -5`, true},
		{"scenario: bad weight mode", func() error {
			return scenario(`{"scenarios": {"s": {"weight_mode": "fast", ` + pops2 + `, "synapses": [], "warmup": 0, "steps": 1}}}`)
		}, binarynet.ErrInvalidParameter, `weight_mode = "fast"`, true},
		{"scenario: unknown name", func() error {
			return scenario(`{"scenarios": {"t": {` + pops2 + `, "synapses": [], "warmup": 0, "steps": 1}}}`)
		}, binarynet.ErrInvalidParameter, `scenario = "s": is not in the file (known: [t])`, true},
		{"scenario: misspelt key", func() error {
			return scenario(`{"scenarios": {"s": {` + pops2 + `, "synapse": [], "warmup": 0, "steps": 1}}}`)
		}, binarynet.ErrInvalidParameter, `unknown field "synapse"`, false},
		{"scenario: population N < 0", func() error {
			return scenario(`{"scenarios": {"s": {"populations": [{"name": "E", "N": -3, "tau": 1, "threshold": 0}], "synapses": [], "warmup": 0, "steps": 1}}}`)
		}, binarynet.ErrInvalidParameter, `"E" N = -3`, true},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err, panicked := callSafely(t, tc.call)
			if panicked {
				return
			}
			if err == nil {
				t.Fatalf("no error, want one wrapping %v", tc.sentinel)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.substr) {
				t.Errorf("error %q does not contain %q", err, tc.substr)
			}
			if !strings.HasPrefix(err.Error(), "binarynet: ") && !strings.Contains(err.Error(), ": binarynet: ") {
				t.Errorf("error %q does not name the package", err)
			}
			var pe *binarynet.ParameterError
			if got := errors.As(err, &pe); got != tc.param {
				t.Errorf("errors.As(%q, *ParameterError) = %v, want %v", err, got, tc.param)
			} else if got && (pe.Param == "" || !strings.Contains(err.Error(), fmt.Sprint(pe.Value))) {
				t.Errorf("ParameterError %+v does not name its parameter and value in %q", pe, err)
			}
			// Every row must fail fast: none may allocate what the
			// budget forbids or sample a huge network before refusing.
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v to fail", d)
			}
		})
	}
	if len(tests) < 30 {
		t.Fatalf("only %d invalid inputs", len(tests))
	}
}
