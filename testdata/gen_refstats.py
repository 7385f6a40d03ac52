"""Generate reference statistics from the Python reference simulator.

This script produces ``refstats_golden.json``. The Go statistical-agreement
test compares binarynet against the numbers in that file. It runs the Python
reference module ``BinaryNetwork.py`` (numpy + numba + scipy) on benchmark
scenarios from the shared scenarios JSON. It records per-population
time-averaged activities and the fraction of updates that flipped a unit.

Regenerate (from the repository root) with::

    /usr/bin/python3 testdata/gen_refstats.py --reference PATH --scenarios PATH

where ``--reference`` is the directory that holds ``BinaryNetwork.py`` and
``--scenarios`` is the scenarios JSON file (``bench/scenarios.json`` in the
shared material). Optional flags: ``--seeds 1,2,3,4,5,6,7,8`` (the default),
``--out FILE`` (default: ``refstats_golden.json`` next to this script) and
``--scenario-names dense-5k,sparse-50k`` (the default).

Use Debian's interpreter (/usr/bin/python3) with the Debian packages
python3-numpy, python3-numba and python3-scipy
(``apt-get install -y python3-numba python3-scipy``).

Procedure for each scenario and each seed ``s`` (seeds run one after another):

1. ``np.random.seed(s)``. Then build the network as the reference benchmark
   script ``bench_reference.py`` does. Populations are added in the order the
   scenario lists them, with the reference's default random initial state
   (each unit active with probability 0.2). Then one synapse object is added
   per synapse block, in order, using the rule the block names. Last,
   ``net.initialize(weight_mode=<scenario weight_mode>, autapse=False,
   weight_dtype=float32)``.
2. Run the scenario's ``warmup`` single-unit updates: ``net.run(warmup,
   batch_size=1000)``.
3. Take ``S0 = net.state.copy()`` (the state at the start of the measurement
   window). Call ``net.enable_diff_logging(M)`` and ``net.run(M,
   batch_size=1000)``, where M is the scenario's ``steps``. Then read
   ``(updates, deltas) = net.consume_diff_log()``.
4. From the diff log, for each population P of size N_P, the count of active
   units after step t (t = 1..M) is exactly
   ``A_P(t) = sum(S0[P]) + cumsum_{u<=t}(delta_u * [unit_u in P])``. This is
   computed with numpy cumsum in int64. No sampling is involved. Then:

   * ``rates[P]``: time-averaged activity ``mean_{t=1..M} A_P(t) / N_P``.
   * ``flip_fraction``: ``count_nonzero(deltas) / M``. This is the fraction
     of updates that changed a unit's state, counted over all populations.
   * ``rates_short`` and ``flip_fraction_short``: the same two quantities over
     only the first ``M_short = M / 10`` steps of the window. The Go test can
     use this shorter window to keep CI fast.

   As a check, ``A_P(M)`` is compared with the network's final state.

   The reference stores diff-log unit ids as uint16 (a known fault). The
   script therefore refuses any network with more than 65,535 units. Both
   default scenarios (5,000 and 50,000 units) are below that limit.

The output JSON (indent 1) holds ``about``, a paragraph on how the file was
made and with which numpy/numba/scipy versions. It also holds one object per
scenario with ``warmup``, ``steps`` (M), ``steps_short``, ``seeds``,
``per_seed`` (a list of ``{"seed", "rates": {pop: x}, "flip_fraction",
"rates_short": {pop: x}, "flip_fraction_short"}``) and ``summary``.
``summary`` gives, for each quantity (``rates.<pop>``, ``flip_fraction``,
``rates_short.<pop>``, ``flip_fraction_short``), the mean across seeds, the
sample standard deviation (ddof=1) across seeds, and the standard error of the
mean ``sd / sqrt(n_seeds)``. Per-seed wall times are printed to stderr and
are not stored, so that the file depends only on the inputs.
"""
import argparse
import hashlib
import json
import math
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCENARIOS = "dense-5k,sparse-50k"
BATCH_SIZE = 1000
SHORT_DIVISOR = 10
MAX_LOGGABLE_UNITS = 65535  # diff-log unit ids are uint16 in the reference


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", required=True, help="directory holding BinaryNetwork.py")
    ap.add_argument("--scenarios", required=True, help="scenarios JSON file")
    ap.add_argument("--seeds", default="1,2,3,4,5,6,7,8", help="comma-separated seeds")
    ap.add_argument("--out", default=os.path.join(HERE, "refstats_golden.json"), help="output JSON file")
    ap.add_argument("--scenario-names", default=DEFAULT_SCENARIOS, help="comma-separated scenario names")
    return ap.parse_args()


def make_rules(bn):
    return {
        "pairwise_bernoulli": lambda net, pre, post, s: bn.PairwiseBernoulliSynapse(net, pre, post, p=s["p"], j=s["j"]),
        "fixed_indegree": lambda net, pre, post, s: bn.FixedIndegreeSynapse(
            net, pre, post, p=s["p"], j=s["j"], multapses=s.get("multapses", True)),
        "poisson": lambda net, pre, post, s: bn.PoissonSynapse(net, pre, post, rate=s["rate"], j=s["j"]),
        "all_to_all": lambda net, pre, post, s: bn.AllToAllSynapse(net, pre, post, j=s["j"]),
    }


def build(bn, rules, sc):
    """Build the network as bench_reference.py does (populations, then synapses, in order)."""
    net = bn.BinaryNetwork("refstats")
    pops = {}
    for p in sc["populations"]:
        pops[p["name"]] = net.add_population(
            bn.BinaryNeuronPopulation(net, N=p["N"], threshold=p["threshold"], tau=p["tau"], name=p["name"]))
    for s in sc["synapses"]:
        net.add_synapse(rules[s["rule"]](net, pops[s["pre"]], pops[s["post"]], s))
    return net, pops


def window_stats(s0, updates, deltas, pops, n_steps):
    """Exact time-averaged activities and flip fraction over the first n_steps of the log."""
    upd = updates[:n_steps]
    dlt = deltas[:n_steps].astype(np.int64)
    rates = {}
    for name, p in pops.items():
        start, end = int(p.view[0]), int(p.view[1])
        in_pop = (upd >= start) & (upd < end)
        counts = int(s0[start:end].astype(np.int64).sum()) + np.cumsum(np.where(in_pop, dlt, 0))
        total = int(counts.sum())  # exact in int64
        rates[name] = total / (n_steps * (end - start))
    flips = int(np.count_nonzero(dlt))
    return rates, flips / n_steps


def run_seed(bn, rules, sc, seed):
    np.random.seed(seed)
    net, pops = build(bn, rules, sc)
    if net.N > MAX_LOGGABLE_UNITS:
        raise SystemExit(f"network has {net.N} units; reference diff-log ids (uint16) would wrap")
    net.initialize(weight_mode=sc["weight_mode"], autapse=False, weight_dtype=np.float32)
    warmup, m = int(sc["warmup"]), int(sc["steps"])
    net.run(steps=warmup, batch_size=BATCH_SIZE)
    s0 = net.state.copy()
    net.enable_diff_logging(m)
    net.run(steps=m, batch_size=BATCH_SIZE)
    updates, deltas = net.consume_diff_log()
    updates = updates[0].astype(np.int64)
    deltas = deltas[0]
    if updates.size != m:
        raise SystemExit(f"diff log holds {updates.size} steps, expected {m}")
    # Consistency check: the rebuilt final activity must match the network state.
    for name, p in pops.items():
        start, end = int(p.view[0]), int(p.view[1])
        in_pop = (updates >= start) & (updates < end)
        final = int(s0[start:end].astype(np.int64).sum()) + int(deltas[in_pop].astype(np.int64).sum())
        if final != int(net.state[start:end].astype(np.int64).sum()):
            raise SystemExit(f"diff-log reconstruction mismatch for population {name}")
    m_short = m // SHORT_DIVISOR
    rates, ff = window_stats(s0, updates, deltas, pops, m)
    rates_s, ff_s = window_stats(s0, updates, deltas, pops, m_short)
    return {"seed": seed, "rates": rates, "flip_fraction": ff,
            "rates_short": rates_s, "flip_fraction_short": ff_s}


def summarize(values):
    a = np.asarray(values, dtype=np.float64)
    n = a.size
    sd = float(a.std(ddof=1)) if n > 1 else float("nan")
    return {"mean": float(a.mean()), "sd": sd, "se": sd / math.sqrt(n) if n > 1 else float("nan")}


def main():
    args = parse_args()
    ref_dir = os.path.abspath(args.reference)
    sys.path.insert(0, ref_dir)
    import BinaryNetwork as bn  # noqa: E402
    import numba
    import scipy

    with open(os.path.join(ref_dir, "BinaryNetwork.py"), "rb") as f:
        ref_sha = hashlib.sha256(f.read()).hexdigest()
    with open(args.scenarios) as f:
        all_sc = json.load(f)["scenarios"]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    names = [s.strip() for s in args.scenario_names.split(",") if s.strip()]
    rules = make_rules(bn)
    bn.warm_numba_caches()

    out = {"about": (
        "Reference statistics from the Python reference simulator BinaryNetwork.py "
        f"(sha256 {ref_sha}), produced by testdata/gen_refstats.py. Regenerate with: "
        "/usr/bin/python3 testdata/gen_refstats.py --reference PATH --scenarios PATH "
        f"--seeds {','.join(map(str, seeds))}, where PATH are the directory holding BinaryNetwork.py and the "
        "shared scenarios JSON (bench/scenarios.json). It needs Debian's python3-numba and python3-scipy. "
        f"Versions used: Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"scipy {scipy.__version__}. For each scenario and seed s: np.random.seed(s); the network was built as "
        "bench_reference.py does (populations and synapse blocks in order, initialize(weight_mode from the "
        "scenario, autapse=False, float32)); 'warmup' updates were run with batch_size 1000; then diff logging "
        "was enabled for M='steps' updates, also run with batch_size 1000. 'rates' are the exact per-population "
        "activities averaged over the M steps (active count after each step / N_pop), computed from the state "
        "at the start of the window plus the cumulative logged deltas. 'flip_fraction' is the number of "
        "nonzero deltas / M. The '_short' quantities are the same over the first steps_short = M/10 steps of "
        "the window. 'summary' gives the mean, the sample SD (ddof=1) and the standard error (sd/sqrt(n)) "
        "across seeds.")}

    for name in names:
        sc = all_sc[name]
        m = int(sc["steps"])
        if m <= 0 or m % SHORT_DIVISOR != 0:
            raise SystemExit(f"scenario {name}: steps={m} must be positive and divisible by {SHORT_DIVISOR}")
        per_seed = []
        for seed in seeds:
            t0 = time.perf_counter()
            rec = run_seed(bn, rules, sc, seed)
            dt = time.perf_counter() - t0
            print(f"{name} seed {seed}: {dt:.1f} s  rates={rec['rates']} ff={rec['flip_fraction']:.6f} "
                  f"rates_short={rec['rates_short']} ff_short={rec['flip_fraction_short']:.6f}",
                  file=sys.stderr, flush=True)
            per_seed.append(rec)
        pop_names = [p["name"] for p in sc["populations"]]
        summary = {
            "rates": {p: summarize([r["rates"][p] for r in per_seed]) for p in pop_names},
            "flip_fraction": summarize([r["flip_fraction"] for r in per_seed]),
            "rates_short": {p: summarize([r["rates_short"][p] for r in per_seed]) for p in pop_names},
            "flip_fraction_short": summarize([r["flip_fraction_short"] for r in per_seed]),
        }
        out[name] = {"warmup": int(sc["warmup"]), "steps": m, "steps_short": m // SHORT_DIVISOR,
                     "seeds": seeds, "per_seed": per_seed, "summary": summary}

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
