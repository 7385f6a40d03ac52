"""Load the files of a binarynet pipeline run with numpy (and scipy for a
CSR weight matrix) and check them against their definition and against
expect.json, written by the Go test (python_test.go) beside them.

Usage: python3 check_outputs.py RUN_DIR
Prints "ok" and exits 0, or raises.
"""
import hashlib
import json
import math
import os
import sys

import numpy as np
import yaml


def canon(v):
    if isinstance(v, bool) or v is None or isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            s = "NaN"
        elif math.isinf(v):
            s = "Infinity" if v > 0 else "-Infinity"
        else:
            s = "%.17g" % v
        return {"__float__": s}
    if isinstance(v, dict):
        return {str(k): canon(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [canon(x) for x in v]
    return str(v)


def tag(v):
    s = json.dumps(canon(v), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha1(s.encode()).hexdigest()[:10]


def main(run):
    expect = json.load(open(os.path.join(run, "expect.json")))
    name = expect["output_name"]
    tr = np.load(os.path.join(run, name + ".npz"))
    k = int(tr["sample_interval"])
    upd, dl, init = tr["state_updates"], tr["state_deltas"], tr["initial_state"]
    assert upd.dtype == np.int32 and dl.dtype == np.int8 and upd.shape == dl.shape and upd.shape[0] == 1
    assert init.dtype == np.uint8
    n = init.size
    T = upd.shape[1]
    assert T == int(tr["simulation_steps"])
    starts, ends = tr["population_start_ids"], tr["population_end_ids"]
    sizes = tr["population_sizes"]
    assert (ends - starts == sizes).all()
    assert (tr["population_neuron_id_offsets"] == np.concatenate([[0], np.cumsum(sizes)])).all()
    assert (tr["population_neuron_ids"] == np.arange(n)).all()
    assert list(tr["names"]) == list(tr["population_names"])
    q = len(sizes) // 2
    assert list(tr["names"]) == ["E%d" % i for i in range(q)] + ["I%d" % i for i in range(q)]
    assert list(tr["population_cell_types"]) == ["E"] * q + ["I"] * q
    assert list(tr["population_cluster_indices"]) == list(range(q)) * 2

    # Rates and states replayed from the diff log, as the engine's
    # population_rates_from_diff_logs and reconstruct_states_from_diff_logs.
    owner = np.empty(n, dtype=np.int64)
    for i, (a, b) in enumerate(zip(starts, ends)):
        owner[a:b] = i
    state = init.astype(np.int8).copy()
    running = np.array([state[a:b].sum() for a, b in zip(starts, ends)], dtype=np.int64)
    s = (T - 1) // k + 1
    rates = np.zeros((s, len(sizes)), dtype=np.float32)
    states = np.zeros((s, n), dtype=np.uint8) if "neuron_states" in tr.files else None
    u_flat, d_flat = upd[0], dl[0]
    for t in range(T):
        d = d_flat[t]
        if d != 0:
            u = u_flat[t]
            new = 1 if state[u] + d > 0 else 0
            running[owner[u]] += new - state[u]
            state[u] = new
        if t % k == 0:
            rates[t // k] = running / sizes.astype(np.float32)
            if states is not None:
                states[t // k] = state
    assert tr["rates"].dtype == np.float32 and tr["rates"].shape == rates.shape
    assert np.array_equal(tr["rates"], rates), "rates differ from the replayed diff log"
    assert (tr["times"] == np.arange(s) * k).all() and tr["times"].dtype == np.int64
    if states is not None:
        assert tr["neuron_states"].dtype == np.uint8 and np.array_equal(tr["neuron_states"], states)
    on = d_flat > 0
    assert tr["spike_times"].dtype == np.float64 and tr["spike_ids"].dtype == np.int64
    assert np.array_equal(tr["spike_times"], np.nonzero(on)[0].astype(np.float64))
    assert np.array_equal(tr["spike_ids"], u_flat[on].astype(np.int64))
    for key in ["warmup_steps", "simulation_steps", "sample_interval", "neuron_state_interval", "batch_size", "seed"]:
        assert tr[key].shape == () and tr[key].dtype == np.int64, key
    assert int(tr["seed"]) == expect["seed"]

    w = np.load(os.path.join(run, name + "_weights.npz"))
    assert str(w["weight_mode"]) == expect["weight_mode"]
    assert str(w["weight_dtype"]) == "float32"
    shape = tuple(int(x) for x in w["weight_shape"])
    assert shape == (n, n)
    fmt = str(w["weight_format"])
    if fmt == "csr":
        import scipy.sparse
        m = scipy.sparse.csr_matrix((w["weights_data"], w["weights_indices"], w["weights_indptr"]), shape=shape)
        assert w["weights_indices"].dtype == np.int64 and w["weights_indptr"].dtype == np.int64
        assert m.has_sorted_indices
        dense = m.toarray()
    else:
        assert fmt == "dense"
        dense = w["weights"]
    assert dense.dtype == np.float32
    assert np.count_nonzero(dense) == expect["nonzero"], (np.count_nonzero(dense), expect["nonzero"])
    for post, pre, val in expect["entries"]:
        assert dense[post, pre] == np.float32(val), (post, pre, dense[post, pre], val)
    assert abs(float(dense.astype(np.float64).sum()) - expect["sum"]) <= 1e-6 * expect["abs_sum"]

    summ = yaml.safe_load(open(os.path.join(run, name + "_summary.yaml")))
    for key in ["warmup_steps", "simulation_steps", "sample_interval", "batch_size", "seed", "mean_rates",
                "samples", "neurons", "activity_plot", "weights", "state_chunks", "step_logging"]:
        assert key in summ, key
    assert summ["samples"] == s and summ["neurons"] == n
    for i, nm in enumerate(tr["names"]):
        assert abs(summ["mean_rates"][str(nm)] - float(rates[:, i].astype(np.float64).mean())) < 1e-9
    assert summ["weights"]["format"] == fmt

    params = yaml.safe_load(open(os.path.join(run, "params.yaml")))
    assert tag(params) == expect["binary_tag"], (tag(params), expect["binary_tag"])
    p = dict(params["parameter"])
    for key in ["R_Eplus", "focus_count", "focus_counts"]:
        p.pop(key, None)
    assert tag(p) == expect["tag"], (tag(p), expect["tag"])
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
