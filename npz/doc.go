// Package npz reads and writes binarynet recordings in NumPy's .npy and
// .npz formats, so that runs can be analysed in Python:
//
//	d = numpy.load("difflog.npz")
//	d["updates"], d["deltas"], d["initial_state"]
//	d["population_names"], d["population_ranges"]
//
// A diff log goes into an .npz archive (WriteDiffLog, SaveDiffLog,
// ReadDiffLog, LoadDiffLog); state samples and population rates, which
// are single two-dimensional arrays, go into .npy files (WriteStates,
// ReadStates, WriteRates, ReadRates).
//
// Any archive is written with Writer, which streams each array, chunk by
// chunk if need be, into a compressed archive as numpy.savez_compressed
// writes it, so that large arrays never need a second copy in memory;
// BeginDeferred compresses a second array into memory beside the one
// streamed. Arrays of 8-byte integers are compressed by a coder made for
// them and a diff log's unit ids by Huffman codes alone (WriteUnitIDs):
// standard deflate streams, which numpy reads, several times as fast as
// flate's fastest level on such arrays. Files are written atomically: a file at the target path is either the
// old one or the complete new one.
//
// Everything read is checked: arrays of the wrong type, shape or content
// return an error naming the array and its dtype, wrapping
// binarynet.ErrShape or binarynet.ErrInvalidParameter. Integer arrays are
// accepted in any integer dtype whose values fit (numpy's default int64,
// uint8 states, uint16 unit ids).
package npz
