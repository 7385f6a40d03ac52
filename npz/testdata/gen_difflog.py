"""Write difflog_numpy.npz, a small diff-log archive made by NumPy itself.

The Go test TestReadDiffLogNumPy reads it back, so that the archive layout
is checked against NumPy without needing Python in CI. Run from the npz
directory:

    python3 testdata/gen_difflog.py
"""

import numpy as np

np.savez_compressed(
    "testdata/difflog_numpy.npz",
    updates=np.array([2, 1, 4, 0, 2], dtype=np.int32),
    deltas=np.array([1, -1, 0, 1, -1], dtype=np.int8),
    initial_state=np.array([0, 1, 0, 0, 1], dtype=np.int8),
    population_names=np.array(["E0", "I0"]),
    population_ranges=np.array([[0, 3], [3, 5]], dtype=np.int64),
)
