// Package plots draws the activity of binarynet networks with
// gonum.org/v1/plot: a raster of units by time, shaded by how long each
// block of units was active and coloured by cluster (RasterImage), and the
// activity of each population over time (StackedRates, Rates). It lives
// apart from package binarynet so that simulations do not pull in the
// plotting dependencies.
//
// Groups of units are drawn in one colour each. Excitatory and
// inhibitory clusters are told apart (Group.Inhibitory): the raster marks
// the boundary between them, and StackedRates draws the k-th inhibitory
// cluster in the band of the k-th excitatory one.
//
// Time is shown in model time (ms when the time constants tau are in ms,
// as in the clustered toolkit: one update step lasts 1 / sum_k N_k/tau_k)
// and in sweeps (one sweep is N update steps, N the number of units); see
// Time.
package plots
