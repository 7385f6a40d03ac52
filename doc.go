// Package binarynet simulates networks of binary threshold units with
// asynchronous dynamics: units with states 0 and 1, updated one at a time in
// random order, as used to study balanced excitation/inhibition and
// clustered E/I attractor networks.
//
// # Model
//
// A Network holds populations (BinaryNeuronPopulation, BackgroundActivity)
// that occupy consecutive unit ids, and synapse rules
// (PairwiseBernoulliSynapse, PoissonSynapse, FixedIndegreeSynapse,
// AllToAllSynapse) that write blocks of the weight matrix W, where W[post,
// pre] is the weight from unit pre onto unit post. The network keeps the
// input field h = W s of the state s.
//
// One update step draws a population with probability proportional to
// N_k/tau_k, then a unit uniformly within it. A threshold unit becomes 1 if
// h > threshold (strictly) and 0 otherwise; a background unit follows its
// own rule. When the state changes by delta = ±1, the unit's outgoing
// column delta*W[:, unit] is added to h.
//
// A Stimulus (Network.AddStimulus) raises the field of a range of units by
// Delta from one step to another, as lowered thresholds; stimuli add up
// where they overlap, and checkpoints keep them.
//
// NewClusteredNetwork builds the clustered E/I model of the research
// toolkit that the Python module serves (wiring-weight mixing kappa,
// R_E+, R_j, with its YAML keys) from ClusteredParams, and Leaders
// measures how its clusters take turns being active. The subpackage npz saves recordings in NumPy's
// formats and the subpackage plots draws them; neither is needed to
// simulate.
//
// The measures of such recordings are computed from a diff log and its
// initial state in one pass: CovarianceFunctions, StateCorrelations and
// CountCorrelations, ActivityVarianceSplit, SpikeCountStatistics, and
// ClusterStatesFromDiffLog for the sets of active clusters.
//
// # Units
//
// Time is counted in update steps; N steps make one sweep, in which each
// unit is drawn once on average when all taus are equal. In the units of
// the taus (ms for the toolkit's models) one step lasts 1/sum_k(N_k/tau_k):
// see Network.StepsPerTimeUnit, StepsToTime and TimeToSteps. With
// Options.ContinuousTime each step instead lasts an exponential interval of
// that mean, Network.Time is the exact continuous time and DiffLog.Times
// records it (ExtractSpikeTimesFromDiffLogs and PopulationRatesTimeSeq
// work in it). Thresholds and
// weights are dimensionless and share one scale. States are int8 0/1; unit
// ids in logs are int32.
//
// # Reproducibility
//
// Every random number comes from PCG streams derived from Options.Seed:
// initial states per population, connectivity per synapse and block of 1024
// rows, unit selection, background redraws, stochastic gains and the
// intervals of continuous time each have their own stream.
// Options.NetworkSeed and Options.InitSeed, when set, seed the
// connectivity and the initial states instead, so that one network can be
// run from several initial states; Network.SetState sets a state of one's
// own and recomputes the field.
// The same seed gives the same network and trajectory, whatever the batch
// size of Run, the number of build workers, or the weight mode: dense and
// sparse storage give bit-identical trajectories, because delta is ±1 and
// each field update is one exact product and one rounding.
//
// A checkpoint (WriteCheckpoint, SaveCheckpoint) holds the whole network,
// including the field as computed so far, the states of the selection and
// background generators and the pending diff, step and field logs, so a
// run resumed from it (ReadCheckpoint, LoadCheckpoint), in the same
// process or another, continues bit for bit as the uninterrupted run
// would. A run stopped by cancelling RunContext
// stops at the end of a batch, with every step taken counted and logged.
//
// # Concurrency
//
// A Network is not safe for concurrent use: all its methods, including the
// accessors (State, Field, Steps, Weights, ...), the log methods and
// WriteCheckpoint and SaveCheckpoint, must be called from one goroutine at
// a time, and never while Run, RunContext, Update or ApplyUpdates is in
// progress on another goroutine. To stop a run from another goroutine,
// cancel the context given to RunContext: that is the only interaction with
// a running network that is safe.
//
// Distinct networks share no mutable state and may run in parallel, even
// when they were built from the same Population and Synapse values. A
// network copies a population or synapse when it is added and never reads
// it again, so the struct may be changed afterwards, for the next network
// of a sweep, while earlier networks run; it must not be changed while
// another goroutine adds it. An ActivityFunc shared by networks that run in
// parallel must itself be safe for concurrent use. Initialize samples
// connectivity on Options.Workers goroutines of its own.
//
// The package-level functions (ReconstructStatesFromDiffLogs,
// PopulationRatesFromDiffLogs, ExtractSpikeEventsFromDiffLogs,
// ReadCheckpoint, LoadCheckpoint, ReadScenarioFile, NewNetworkFromWeights,
// and the measures above) keep no state and may be called concurrently; they only read their
// arguments, which must not be modified meanwhile. A DiffLog returned by
// ConsumeDiffLog belongs to the caller and is no longer touched by the
// network.
//
// # Memory
//
// Dense storage takes N*N*4 bytes (float32) or N*N*8 (float64). Sparse
// storage is compressed sparse column with int32 row indices: 8 bytes per
// stored weight for float32, plus 8 bytes per unit. When every block has
// one rule and few pairs are drawn more than once (at most one entry in
// 32, by a bound on the expected repeats), the weights are not stored:
// each follows from its block and from the number of times its pair was
// drawn, and only the pairs drawn more than once are kept (8 bytes each).
// When its columns hold long runs of equal weights (the generators give
// one weight per block) and it fits in Options.RAMBudgetGB, a sparse
// network also keeps a copy made for the update kernel: about 2 bytes per
// stored weight, rows as uint16 gaps and weights as runs. A network of at
// most 65,535 units whose weights are not stored and whose sampled
// connections were kept (below) has only that copy of its rows, 2 bytes
// per stored weight in all, and writes them out as int32 for
// CopyWeightRows and WeightRowBlock, once. Connectivity is sampled
// in time proportional to the number of synapses and written directly into
// its final place, without a coordinate list, so the peak during
// Initialize is the final storage plus 4 bytes per unit and, per worker,
// 12 bytes per unit and a write buffer of at most 96 (float32) or 128
// (float64) bytes per unit.
// When they take at most a quarter of Options.RAMBudgetGB, the sampled
// connections are also kept between the two passes of the sparse build (4
// bytes per synapse), which saves drawing them twice; the kernel's copy is
// then made in the memory they leave. Initialize estimates
// the peak before allocating and returns ErrMemoryBudget when it exceeds
// Options.RAMBudgetGB.
//
// Everything else that grows with its input is estimated the same way and
// refused with ErrMemoryBudget before it is allocated: the diff and step
// logs, the copy returned by Weights, a checkpoint read back, and the
// results of ReconstructStatesFromDiffLogs, PopulationRatesFromDiffLogs and
// ExtractSpikeEventsFromDiffLogs (against their ramBudgetGB argument).
// ReconstructStatesSeq and PopulationRatesSeq replay a log of any length in
// O(N) memory.
//
// On Linux (amd64, arm64), each array of the kernel's copy that takes
// 4 MiB or more is mapped outside Go's heap and marked for transparent
// huge pages, because the update loop reads it at random places; it is
// unmapped when the network is garbage collected. runtime.MemStats does
// not count these arrays; the process's resident size does.
package binarynet
