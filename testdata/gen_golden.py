"""Generate the exact-trajectory golden files ``<case>_golden.json``.

What it produces
----------------
One compact JSON file per case, ``<case>_golden.json``, written next to this
script (or into ``--out DIR``). Each file holds a small network built and run
by the Python reference module ``BinaryNetwork.py`` (numpy + numba + scipy):
the final weight matrix, the thresholds, the initial state and field, the exact
sequence of units the reference drew, the diff log, the final state and field,
and the outputs of the reference's diff-log helpers
(``reconstruct_states_from_diff_logs``, ``population_rates_from_diff_logs``,
``extract_spike_events_from_diff_logs``). The Go tests replay the recorded unit
sequence and must reproduce everything else. The schema is described in
``README.md`` in this directory.

Requirements
------------
Debian's interpreter ``/usr/bin/python3`` with the Debian packages
python3-numpy, python3-numba and python3-scipy::

    apt-get install -y python3-numba python3-scipy

How to run (from the repository root)
-------------------------------------
::

    /usr/bin/python3 testdata/gen_golden.py --reference PATH/TO/reference

``--reference`` is the directory that holds ``BinaryNetwork.py`` (required).
``--out DIR`` overrides the output directory (default: this script's
directory). ``--cases a,b`` regenerates only the named cases.

The golden files are regenerated with this script, never edited by hand.

Procedure per case
------------------
1. ``np.random.seed(case seed)``.
2. Build ``BinaryNetwork``; add the populations in order
   (``BinaryNeuronPopulation`` with the reference's default random initial
   state: each unit active with probability 0.2), then the synapse objects in
   order.
3. ``net.initialize(weight_mode=..., autapse=..., weight_dtype=...)``; record
   the weights, ``net.thresholds``, ``net.state`` and ``net.field``.
4. Wrap ``net._process_batch`` on the instance so that every neuron array the
   reference draws is recorded before the original method runs;
   ``net.enable_diff_logging(steps)``; ``net.run(steps, batch_size)``;
   ``net.consume_diff_log()``; record ``net.state`` and ``net.field``.
5. Run the diff-log helpers on the recorded log (sample intervals 1 and 7).

The script checks its own output: the drawn units equal the logged units, and
a plain numpy replay of the recorded units (h[t] += delta * W[t, unit] in the
weight dtype) reproduces the final state and field bit for bit.
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------
def _pop(name, n, tau, threshold):
    return {"name": name, "N": n, "tau": float(tau), "threshold": float(threshold)}


def bern(pre, post, p, j):
    return {"rule": "pairwise_bernoulli", "pre": pre, "post": post, "p": float(p), "j": float(j)}


def poisson(pre, post, rate, j):
    return {"rule": "poisson", "pre": pre, "post": post, "rate": float(rate), "j": float(j)}


def indeg(pre, post, p, j, multapses):
    return {"rule": "fixed_indegree", "pre": pre, "post": post, "p": float(p), "j": float(j),
            "multapses": bool(multapses)}


def a2a(pre, post, j):
    return {"rule": "all_to_all", "pre": pre, "post": post, "j": float(j)}


def case(name, seed, weight_mode, weight_dtype, autapse, batch_size, steps, populations, synapses):
    return {"case": name, "seed": seed, "weight_mode": weight_mode, "weight_dtype": weight_dtype,
            "autapse": autapse, "batch_size": batch_size, "steps": steps,
            "populations": populations, "synapses": synapses}


CASES = [
    case("dense_f32_bernoulli", 101, "dense", "float32", False, 1, 1500,
         [_pop("E", 32, 10, 0.5), _pop("I", 8, 5, 0.75)],
         [bern("E", "E", 0.25, 0.5), bern("I", "E", 0.5, -1.0),
          bern("E", "I", 0.25, 0.25), bern("I", "I", 0.5, -0.75)]),
    case("dense_f64_bernoulli_autapse", 102, "dense", "float64", True, 7, 2000,
         [_pop("P", 40, 10, -2.0)],
         [bern("P", "P", 0.3, -0.5)]),
    case("sparse_f32_bernoulli", 103, "sparse", "float32", False, 100, 1500,
         [_pop("E", 32, 10, 0.5), _pop("I", 8, 5, 0.5)],
         [bern("E", "E", 0.25, 0.5), bern("I", "E", 0.5, -1.0),
          bern("E", "I", 0.25, 0.25), bern("I", "I", 0.5, -0.75)]),
    case("sparse_f64_bernoulli_layers", 104, "sparse", "float64", False, 1000, 1500,
         [_pop("E", 32, 10, 0.5), _pop("I", 8, 5, 0.25)],
         [bern("E", "E", 2.5, 0.0625), bern("I", "E", 0.2, -2.0),
          bern("E", "I", 0.2, 0.5), bern("I", "I", 2.5, -0.125)]),
    case("dense_f32_poisson", 105, "dense", "float32", False, 1000, 1500,
         [_pop("E", 32, 10, 0.25), _pop("I", 8, 5, 0.25)],
         [poisson("E", "E", 0.3, 0.25), poisson("I", "E", 0.3, -0.75),
          poisson("E", "I", 0.3, 0.25), poisson("I", "I", 0.3, -0.5)]),
    case("sparse_f32_poisson_autapse", 106, "sparse", "float32", True, 7, 1500,
         [_pop("E", 32, 10, 0.0), _pop("I", 8, 5, -0.5)],
         [poisson("E", "E", 0.3, 0.25), poisson("I", "E", 0.3, -0.75),
          poisson("E", "I", 0.3, 0.25), poisson("I", "I", 0.3, -0.5)]),
    case("dense_f32_fixed_indegree_multapses", 107, "dense", "float32", False, 100, 1500,
         [_pop("E", 32, 10, 0.25), _pop("I", 8, 5, 0.25)],
         [indeg("E", "E", 0.25, 0.5, True), indeg("I", "E", 0.5, -1.0, True),
          indeg("E", "I", 0.25, 0.25, True), indeg("I", "I", 0.5, -0.75, True)]),
    case("sparse_f64_fixed_indegree", 108, "sparse", "float64", False, 1, 1500,
         [_pop("E", 32, 10, 0.25), _pop("I", 8, 5, 0.0)],
         [indeg("E", "E", 0.25, 0.5, False), indeg("I", "E", 0.5, -1.0, False),
          indeg("E", "I", 0.25, 0.25, False), indeg("I", "I", 0.5, -0.75, False)]),
    case("dense_f64_all_to_all", 109, "dense", "float64", False, 1000, 1500,
         [_pop("E", 32, 10, 0.25), _pop("I", 8, 5, 0.25)],
         [a2a("E", "E", 0.125), bern("I", "E", 0.5, -1.0),
          a2a("E", "I", 0.0625), a2a("I", "I", -0.125)]),
    case("sparse_f32_all_to_all_autapse", 110, "sparse", "float32", True, 7, 1500,
         [_pop("E", 32, 10, -1.25), _pop("I", 8, 5, -0.5)],
         [a2a("E", "E", 0.125), bern("I", "E", 0.5, -1.0),
          a2a("E", "I", 0.0625), a2a("I", "I", -0.125)]),
    case("dense_f32_mixed_nondyadic", 111, "dense", "float32", False, 100, 1500,
         [_pop("E", 16, 10, -0.25), _pop("I", 16, 5, 0.25), _pop("X", 8, 2, -0.05)],
         [bern("E", "E", 0.3, 0.1), poisson("E", "E", 0.2, 0.07),
          bern("I", "E", 0.5, -0.3), indeg("X", "E", 0.5, 0.13, False),
          bern("E", "I", 0.3, 0.11), poisson("I", "I", 0.3, -0.17),
          a2a("E", "X", 0.03), bern("I", "X", 0.4, -0.21)]),
    case("sparse_f32_mixed_nondyadic", 112, "sparse", "float32", False, 1000, 1500,
         [_pop("E", 16, 10, -0.35), _pop("I", 16, 5, -0.05), _pop("X", 8, 2, -0.35)],
         [bern("E", "E", 0.3, 0.1), poisson("E", "E", 0.2, 0.07),
          bern("I", "E", 0.5, -0.3), indeg("X", "E", 0.5, 0.13, False),
          bern("E", "I", 0.3, 0.11), poisson("I", "I", 0.3, -0.17),
          a2a("E", "X", 0.03), bern("I", "X", 0.4, -0.21)]),
    case("sparse_f64_mixed_dyadic", 113, "sparse", "float64", False, 1, 2000,
         [_pop("E", 16, 10, -1.5), _pop("I", 16, 5, -0.25), _pop("X", 8, 2, -0.25)],
         [bern("E", "E", 0.25, 0.5), poisson("E", "E", 0.1, 0.25),
          indeg("I", "E", 0.5, -1.0, True), a2a("X", "E", 0.125),
          bern("E", "I", 1.5, 0.25), indeg("I", "I", 0.5, -0.75, False),
          poisson("E", "X", 0.2, 0.125), a2a("I", "X", -0.0625)]),
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def floats(arr):
    return [float(x) for x in np.asarray(arr).ravel()]


def ints(arr):
    return [int(x) for x in np.asarray(arr).ravel()]


def build(bn, spec):
    net = bn.BinaryNetwork(spec["case"])
    pops = {}
    for p in spec["populations"]:
        pops[p["name"]] = net.add_population(bn.BinaryNeuronPopulation(
            net, N=p["N"], threshold=p["threshold"], tau=p["tau"], name=p["name"]))
    for s in spec["synapses"]:
        pre, post, rule = pops[s["pre"]], pops[s["post"]], s["rule"]
        if rule == "pairwise_bernoulli":
            syn = bn.PairwiseBernoulliSynapse(net, pre, post, p=s["p"], j=s["j"])
        elif rule == "poisson":
            syn = bn.PoissonSynapse(net, pre, post, rate=s["rate"], j=s["j"])
        elif rule == "fixed_indegree":
            syn = bn.FixedIndegreeSynapse(net, pre, post, p=s["p"], j=s["j"], multapses=s["multapses"])
        elif rule == "all_to_all":
            syn = bn.AllToAllSynapse(net, pre, post, j=s["j"])
        else:
            raise ValueError(rule)
        net.add_synapse(syn)
    return net, pops


def weight_triplets(net):
    """Nonzero entries of W[post, pre], duplicates summed, sorted by (col, row)."""
    if net.weight_mode == "dense":
        cols, rows = np.nonzero(net.weights_dense.T)  # column-major order
        values = net.weights_dense[rows, cols]
        dense = net.weights_dense
    else:
        csc = net.weights_csc.copy()
        csc.sum_duplicates()
        csc.sort_indices()
        coo = csc.tocoo(copy=True)
        order = np.lexsort((coo.row, coo.col))
        rows, cols, values = coo.row[order], coo.col[order], coo.data[order]
        keep = values != 0
        rows, cols, values = rows[keep], cols[keep], values[keep]
        dense = np.zeros((net.N, net.N), dtype=net.weight_dtype)
        dense[rows, cols] = values
        assert np.array_equal(dense, net.weights_csc.toarray()), "CSC -> triplets mismatch"
    return rows.astype(np.int64), cols.astype(np.int64), values, dense


def replay(dense, dtype, state0, field0, thresholds, units):
    """Plain numpy replay of the recorded units (the Go side's semantics)."""
    state = state0.astype(np.int8).copy()
    field = field0.astype(dtype).copy()
    deltas = np.zeros(len(units), dtype=np.int8)
    ties = 0
    for k, u in enumerate(units):
        ties += int(field[u] == thresholds[u])
        new = 1 if field[u] > thresholds[u] else 0
        d = new - int(state[u])
        if d:
            state[u] = new
            field += dtype.type(d) * dense[:, u]
            deltas[k] = d
    return state, field, deltas, ties


def sequential_field(dense, state, dtype):
    """h[i] = sum_j W[i, j] * s[j], summed in order j = 0, 1, ... in the weight dtype."""
    field = np.zeros(dense.shape[0], dtype=dtype)
    for j in range(dense.shape[1]):
        if state[j]:
            field = field + dense[:, j]
    return field


def run_case(bn, spec):
    dtype = np.dtype(spec["weight_dtype"])
    np.random.seed(spec["seed"])
    net, pops = build(bn, spec)
    net.initialize(weight_mode=spec["weight_mode"], autapse=spec["autapse"], weight_dtype=dtype)
    assert net.weight_mode == spec["weight_mode"]
    assert net.field.dtype == dtype and net.thresholds.dtype == dtype

    rows, cols, values, dense = weight_triplets(net)
    thresholds = net.thresholds.copy()
    state0 = net.state.copy()
    field0 = net.field.copy()

    drawn = []
    original = net._process_batch

    def recording_process_batch(neurons):
        drawn.append(np.asarray(neurons, dtype=np.int64).copy())
        return original(neurons)

    net._process_batch = recording_process_batch
    steps, batch = spec["steps"], spec["batch_size"]
    net.enable_diff_logging(steps)
    net.run(steps, batch)
    updates, deltas = net.consume_diff_log()
    del net._process_batch

    units = np.concatenate(drawn) if drawn else np.zeros(0, dtype=np.int64)
    expected_batches = [min(batch, steps - k) for k in range(0, steps, batch)]
    assert [d.size for d in drawn] == expected_batches, "unexpected batch sizes"
    assert units.size == steps and updates.shape == (1, steps)
    assert np.array_equal(units, updates[0].astype(np.int64)), "drawn units != diff-log units"
    final_state = net.state.copy()
    final_field = net.field.copy()

    # Self-check: a plain replay reproduces the reference bit for bit.
    r_state, r_field, r_deltas, ties = replay(dense, dtype, state0, field0, thresholds, units)
    assert np.array_equal(r_deltas, deltas[0]), "replay deltas differ"
    assert np.array_equal(r_state, final_state), "replay state differs"
    assert np.array_equal(r_field.view(np.uint8), final_field.astype(dtype).view(np.uint8)), \
        "replay field differs"

    states1 = bn.BinaryNetwork.reconstruct_states_from_diff_logs(state0, updates, deltas, sample_interval=1)
    states7 = bn.BinaryNetwork.reconstruct_states_from_diff_logs(state0, updates, deltas, sample_interval=7)
    rates1 = net.population_rates_from_diff_logs(state0, updates, deltas, sample_interval=1)
    rates7 = net.population_rates_from_diff_logs(state0, updates, deltas, sample_interval=7)
    spike_times, spike_ids = bn.BinaryNetwork.extract_spike_events_from_diff_logs(updates, deltas)
    assert states1.shape == (steps, net.N) and states7.shape == ((steps - 1) // 7 + 1, net.N)
    assert np.array_equal(states1[-1], final_state)

    out = {
        "case": spec["case"],
        "seed": int(spec["seed"]),
        "weight_mode": spec["weight_mode"],
        "weight_dtype": spec["weight_dtype"],
        "autapse": bool(spec["autapse"]),
        "batch_size": int(batch),
        "steps": int(steps),
        "N": int(net.N),
        "populations": [],
        "synapses": spec["synapses"],
        "weights": {"rows": ints(rows), "cols": ints(cols), "values": floats(values)},
        "thresholds": floats(thresholds),
        "initial_state": ints(state0),
        "initial_field": floats(field0),
        "units": ints(units),
        "diff_updates": ints(updates[0]),
        "diff_deltas": ints(deltas[0]),
        "final_state": ints(final_state),
        "final_field": floats(final_field),
        "states_interval_1": [ints(r) for r in states1],
        "states_interval_7": [ints(r) for r in states7],
        "rates_interval_1": [floats(r) for r in rates1],
        "rates_interval_7": [floats(r) for r in rates7],
        "spike_times": floats(spike_times),
        "spike_ids": ints(spike_ids),
    }
    for p in spec["populations"]:
        pop = pops[p["name"]]
        out["populations"].append({"name": p["name"], "N": int(p["N"]), "tau": float(p["tau"]),
                                   "threshold": float(p["threshold"]),
                                   "start": int(pop.view[0]), "end": int(pop.view[1])})

    # Statistics for the summary table.
    activity = states1.astype(np.float64).mean(axis=1)
    seq = sequential_field(dense, state0, dtype)
    # Does a replay that starts from the sequentially summed initial field give
    # the same trajectory? (The reference's dense field comes from BLAS.)
    _, _, seq_deltas, _ = replay(dense, dtype, state0, seq, thresholds, units)
    stats = {
        "seq_replay_same": bool(np.array_equal(seq_deltas, deltas[0])),
        "N": net.N,
        "nnz": len(values),
        "steps": steps,
        "batch": batch,
        "ties": ties,
        "nonzero_frac": float(np.count_nonzero(deltas)) / steps,
        "final_activity": float(final_state.mean()),
        "min_activity": float(activity.min()),
        "max_activity": float(activity.max()),
        "pop_rates_min": rates1.min(axis=0),
        "pop_rates_max": rates1.max(axis=0),
        "field0_sequential_equal": bool(np.array_equal(seq, field0)),
        "field0_max_abs_diff": float(np.max(np.abs(seq.astype(np.float64) - field0.astype(np.float64)))),
    }
    return out, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", required=True, help="directory that holds BinaryNetwork.py")
    ap.add_argument("--out", default=HERE, help="output directory (default: this script's directory)")
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    args = ap.parse_args()

    ref = os.path.abspath(args.reference)
    if not os.path.isfile(os.path.join(ref, "BinaryNetwork.py")):
        sys.exit("no BinaryNetwork.py in --reference directory %s" % ref)
    sys.path.insert(0, ref)
    import BinaryNetwork as bn  # noqa: E402

    bn.warm_numba_caches()
    wanted = [c for c in args.cases.split(",") if c]
    names = [c["case"] for c in CASES]
    for c in wanted:
        if c not in names:
            sys.exit("unknown case %s" % c)
    os.makedirs(args.out, exist_ok=True)

    header = "%-36s %4s %5s %5s %5s %8s %7s %7s %7s %5s  %s" % (
        "case", "N", "nnz", "steps", "batch", "nz_delta", "act_end", "act_min", "act_max", "ties", "h0==seq")
    print(header)
    total = 0
    problems = []
    for spec in CASES:
        if wanted and spec["case"] not in wanted:
            continue
        out, st = run_case(bn, spec)
        path = os.path.join(args.out, spec["case"] + "_golden.json")
        text = json.dumps(out, separators=(",", ":"), allow_nan=False)
        with open(path, "w") as f:
            f.write(text)
            f.write("\n")
        total += len(text) + 1
        print("%-36s %4d %5d %5d %5d %8.3f %7.3f %7.3f %7.3f %5d  %s" % (
            spec["case"], st["N"], st["nnz"], st["steps"], st["batch"], st["nonzero_frac"],
            st["final_activity"], st["min_activity"], st["max_activity"], st["ties"],
            "yes" if st["field0_sequential_equal"] else "no (max |diff| %.3g; replay from it %s)" % (
                st["field0_max_abs_diff"], "same" if st["seq_replay_same"] else "DIVERGES")))
        print("%-36s pop rates min %s max %s, %d bytes" % (
            "", np.round(st["pop_rates_min"], 3).tolist(), np.round(st["pop_rates_max"], 3).tolist(),
            len(text) + 1))
        if not 0.05 <= st["nonzero_frac"] <= 0.40:
            problems.append("%s: fraction of nonzero deltas %.3f outside [0.05, 0.40]"
                            % (spec["case"], st["nonzero_frac"]))
        if st["min_activity"] == 0.0 or st["max_activity"] == 1.0:
            problems.append("%s: state reached all-0 or all-1" % spec["case"])
    print("total bytes written: %d" % total)
    for p in problems:
        print("WARNING: " + p, file=sys.stderr)


if __name__ == "__main__":
    main()
