"""Write small diff-log archives and state arrays made by NumPy itself.

The Go tests in difflog_test.go and matrix_test.go read them back, so that
the formats are checked against NumPy without needing Python in CI. Run
from the npz directory:

    python3 testdata/gen_difflog.py
"""

import numpy as np

UPDATES = [2, 1, 4, 0, 2]
DELTAS = [1, -1, 0, 1, -1]
INITIAL = [0, 1, 0, 0, 1]
NAMES = ["E0", "I0"]
RANGES = [[0, 3], [3, 5]]

# Every array in the type binarynet writes.
np.savez_compressed(
    "testdata/difflog_numpy.npz",
    updates=np.array(UPDATES, dtype=np.int32),
    deltas=np.array(DELTAS, dtype=np.int8),
    initial_state=np.array(INITIAL, dtype=np.int8),
    population_names=np.array(NAMES),
    population_ranges=np.array(RANGES, dtype=np.int64),
)

# numpy's defaults: int64 everywhere, uint8 states.
np.savez_compressed(
    "testdata/difflog_int64.npz",
    updates=np.array(UPDATES),
    deltas=np.array(DELTAS),
    initial_state=np.array(INITIAL, dtype=np.uint8),
    population_names=np.array(NAMES),
    population_ranges=np.array(RANGES),
)

# As the Python module's consume_diff_log returns the log: uint16 ids and
# int8 deltas of shape (1, T); a bool initial state, uncompressed.
np.savez(
    "testdata/difflog_uint16.npz",
    updates=np.array([UPDATES], dtype=np.uint16),
    deltas=np.array([DELTAS], dtype=np.int8),
    initial_state=np.array(INITIAL, dtype=bool),
)

# Big-endian types and byte strings.
np.savez_compressed(
    "testdata/difflog_bigendian.npz",
    updates=np.array(UPDATES, dtype=">i4"),
    deltas=np.array(DELTAS, dtype=">i2"),
    initial_state=np.array(INITIAL, dtype=">u8"),
    population_names=np.array([b"E0", b"I0"]),
    population_ranges=np.array(RANGES, dtype=">u2"),
)

# The layout of the clustered toolkit's trace file.
np.savez_compressed(
    "testdata/difflog_trace.npz",
    state_updates=np.array([UPDATES], dtype=np.int32),
    state_deltas=np.array([DELTAS], dtype=np.int8),
    initial_state=np.array(INITIAL, dtype=np.uint8),
    population_names=np.array(NAMES),
    population_start_ids=np.array([0, 3]),
    population_end_ids=np.array([3, 5]),
)

# Errors: float updates, an id that does not fit int32, a delta that does
# not fit int8.
np.savez_compressed(
    "testdata/difflog_float_updates.npz",
    updates=np.array(UPDATES, dtype=np.float64),
    deltas=np.array(DELTAS, dtype=np.int8),
    initial_state=np.array(INITIAL, dtype=np.int8),
)
np.savez_compressed(
    "testdata/difflog_huge_id.npz",
    updates=np.array(UPDATES[:4] + [2**40]),
    deltas=np.array(DELTAS, dtype=np.int8),
    initial_state=np.array(INITIAL, dtype=np.int8),
)
np.savez_compressed(
    "testdata/difflog_huge_delta.npz",
    updates=np.array(UPDATES, dtype=np.int32),
    deltas=np.array(DELTAS[:4] + [300]),
    initial_state=np.array(INITIAL, dtype=np.int8),
)

# States as the toolkit stores them: uint8 of shape (S, N).
np.save("testdata/states_uint8.npy", np.array([[0, 1, 1], [1, 0, 0]], dtype=np.uint8))
