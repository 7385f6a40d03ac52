package sweep_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/binarynet/binarynet/sweep"
)

// fakeRunner is a Runner whose outputs are a deterministic function of the
// base configuration's bytes and the overrides: a 64 KiB trace file and
// three metrics. It knows the keys kappa, R_j, seed, init_seed and slow.
type fakeRunner struct {
	runs atomic.Int64 // number of Run calls
	// minThreads and maxThreads are the fewest and most Job.Threads seen.
	minThreads, maxThreads atomic.Int64
	// slowReady, when not empty, makes Run write its trace in 16 pieces,
	// 50 ms apart, creating the file slowReady after the first one.
	slowReady string
	fail      map[string]bool // KEY=VALUE overrides whose task fails
	// started and release, when not nil, make Run signal that it started
	// and wait for release.
	started, release chan struct{}
}

var errUnknownKey = errors.New("unknown key")

func (r *fakeRunner) digest(data []byte, overrides []sweep.Override) ([32]byte, error) {
	h := sha256.New()
	h.Write(data)
	for _, o := range overrides {
		switch o.Key {
		case "kappa", "R_j":
			if _, err := strconv.ParseFloat(o.Value, 64); err != nil {
				return [32]byte{}, fmt.Errorf("%s=%q: not a number", o.Key, o.Value)
			}
		case "seed", "init_seed":
			if _, err := strconv.ParseUint(o.Value, 10, 64); err != nil {
				return [32]byte{}, fmt.Errorf("%s=%q: not a seed", o.Key, o.Value)
			}
		case "slow", "label":
		default:
			return [32]byte{}, fmt.Errorf("%w %q", errUnknownKey, o.Key)
		}
		fmt.Fprintf(h, "%s=%s\n", o.Key, o.Value)
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d, nil
}

func (r *fakeRunner) Plan(base []byte, overrides []sweep.Override) (sweep.Plan, error) {
	d, err := r.digest(base, overrides)
	if err != nil {
		return sweep.Plan{}, err
	}
	tag := hex.EncodeToString(d[:5])
	return sweep.Plan{Tag: tag, Dir: "fake/" + tag}, nil
}

func (r *fakeRunner) Run(ctx context.Context, job sweep.Job) (sweep.Result, error) {
	if r.runs.Add(1) == 1 {
		r.minThreads.Store(int64(job.Threads))
	}
	for t := int64(job.Threads); ; {
		lo := r.minThreads.Load()
		if t >= lo || r.minThreads.CompareAndSwap(lo, t) {
			break
		}
	}
	for t := int64(job.Threads); ; {
		hi := r.maxThreads.Load()
		if t <= hi || r.maxThreads.CompareAndSwap(hi, t) {
			break
		}
	}
	if r.started != nil {
		r.started <- struct{}{}
		<-r.release
	}
	for _, o := range job.Overrides {
		if r.fail[o.String()] {
			return sweep.Result{}, fmt.Errorf("fake failure for %s", o)
		}
	}
	data, err := os.ReadFile(job.Base)
	if err != nil {
		return sweep.Result{}, err
	}
	d, err := r.digest(data, job.Overrides)
	if err != nil {
		return sweep.Result{}, err
	}
	trace := make([]byte, 64<<10)
	block := d
	for i := 0; i < len(trace); i += 32 {
		block = sha256.Sum256(block[:])
		copy(trace[i:], block[:])
	}
	f, err := os.Create(filepath.Join(job.Dir, "trace.bin"))
	if err != nil {
		return sweep.Result{}, err
	}
	defer f.Close()
	pieces := 1
	if r.slowReady != "" {
		pieces = 16
	}
	step := len(trace) / pieces
	for p := range pieces {
		if _, err := f.Write(trace[p*step : (p+1)*step]); err != nil {
			return sweep.Result{}, err
		}
		if r.slowReady != "" {
			if p == 0 {
				if err := f.Sync(); err != nil {
					return sweep.Result{}, err
				}
				if err := os.WriteFile(r.slowReady, nil, 0o644); err != nil {
					return sweep.Result{}, err
				}
			}
			select {
			case <-ctx.Done():
				return sweep.Result{}, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if err := f.Close(); err != nil {
		return sweep.Result{}, err
	}
	u := func(i int) float64 { return float64(binary.LittleEndian.Uint32(d[4*i:])) / (1 << 32) }
	return sweep.Result{Metrics: []sweep.Metric{
		{Name: "rate_E", Value: u(0)},
		{Name: "rate_I", Value: u(1) / 3},
		{Name: "flip_fraction", Value: u(2) * 1e-3},
		{Name: "mean_dwell", Value: math.NaN()},
	}}, nil
}
