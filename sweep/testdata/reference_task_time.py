"""Times one task of the toolkit's Figure 4 sweep on the Python engine.

The clustered E/I model is built on BinaryNetwork.py (the reference engine)
from the facts of the toolkit's model (default configuration, R_E+ = 7.25,
Poisson blocks, one synapse rule per pair of clusters and cell types),
then warmed up and run with the diff log on, as the toolkit's pipeline
runs it. It prints one JSON line of wall times (seconds). The toolkit also
writes its NumPy files, which is not timed here, so this is a lower bound
on the Python pipeline's time per task.

Usage: /usr/bin/python3 reference_task_time.py PATH/TO/BinaryNetwork.py [steps] [kappa] [seed]
"""
import atexit
import json
import math
import os
import shutil
import sys
import tempfile
import time

import numpy as np

# A private copy, so that numba's cache goes beside it, not beside the
# original.
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)
shutil.copy(sys.argv[1], os.path.join(tmp, "BinaryNetwork.py"))
sys.path.insert(0, tmp)
import BinaryNetwork as bn  # noqa: E402
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 12_000_000
kappa = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
warmup, batch = 200_000, 200

NE, NI, Q, theta, g, p0, Rplus, Rj, mX = 8000, 2000, 20, 1.0, 1.2, 0.3, 7.25, 0.75, 0.03
N = NE + NI
nE, nI = NE / N, NI / N
jEE = theta / math.sqrt(p0 * nE)
jIE = theta / math.sqrt(p0 * nE)
jEI = -g * jEE * p0 * nE / (p0 * nI)
jII = -jIE * p0 * nE / (p0 * nI)
j = {("E", "E"): jEE, ("E", "I"): jEI, ("I", "E"): jIE, ("I", "I"): jII}
j = {k: v / math.sqrt(N) for k, v in j.items()}
RI = 1 + Rj * (Rplus - 1)


def mixing(R):
    R = max(R, 0.0)
    out = (Q - R) / (Q - 1)
    return R ** (1 - kappa), out ** (1 - kappa), R ** kappa, out ** kappa


JEX = math.sqrt(p0 * NE)
thr = {"E": theta - mX * JEX, "I": theta - mX * 0.8 * JEX}
tau = {"E": 10.0, "I": 5.0}
size = {"E": NE // Q, "I": NI // Q}

np.random.seed(seed)
t0 = time.perf_counter()
net = bn.BinaryNetwork("clustered")
pops = {}
for t in "EI":
    for k in range(Q):
        p = bn.BinaryNeuronPopulation(net, N=size[t], threshold=thr[t], tau=tau[t], name=f"{t}{k}")
        net.add_population(p)
        pops[t, k] = p
for post in "EI":
    for pre in "EI":
        Pin, Pout, Win, Wout = mixing(Rplus if (post, pre) == ("E", "E") else RI)
        for l in range(Q):
            for k in range(Q):
                same = k == l
                rate = p0 * (Pin if same else Pout)
                w = j[post, pre] * (Win if same else Wout)
                net.add_synapse(bn.PoissonSynapse(net, pops[pre, k], pops[post, l], rate=rate, j=w))
net.initialize(autapse=False, weight_mode="sparse", ram_budget_gb=12.0)
# population_rate_init 0.1: redraw every state, recompute the field
net.state[:] = (np.random.random(N) < 0.1).astype(np.int8)
net._recompute_field()
t1 = time.perf_counter()
net.run(warmup, batch_size=batch)
t2 = time.perf_counter()
net.enable_diff_logging(steps)
net.run(steps, batch_size=batch)
t3 = time.perf_counter()
print(json.dumps({"steps": steps, "warmup": warmup, "kappa": kappa, "seed": seed,
                  "build_s": round(t1 - t0, 2), "warmup_s": round(t2 - t1, 2),
                  "run_s": round(t3 - t2, 2), "total_s": round(t3 - t0, 2)}))
