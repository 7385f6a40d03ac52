package npz

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
)

// The arrays of 8-byte integers an npz holds (the column indices of a
// CSR matrix, sample times, unit ids) are mostly values that differ from
// the one before only in their low bytes. An intCoder writes each such
// value as those low bytes (literals) and a copy of its high bytes from
// the value before (a match of length 3 to 8 at distance 8), coded with
// Huffman codes made for the block from a sample of its values. This is a
// standard deflate stream, which any inflater reads, made in one pass:
// three to four times as fast as flate's fastest level on such arrays,
// and smaller, because flate's matcher does not know the period.

// Deflate's alphabets (RFC 1951, section 3.2.5).
const (
	endOfBlock   = 256
	litLenCodes  = 286 // literal/length symbols
	distCodes    = 30  // distance symbols
	maxCodeBits  = 15  // longest literal/length or distance code
	maxCLenBits  = 7   // longest code-length code
	period       = 8   // bytes per value
	minMatch     = 3   // shortest deflate match
	period8Dist  = 5   // the distance code of distances 7 and 8
	period8Extra = 1   // its one extra bit, for distance 8: 8 - 7
)

// codeLengthOrder is the order in which the lengths of the code-length
// code are stored.
var codeLengthOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// matchLen returns the length of the match that copies the high bytes of
// the value at raw[i:i+8] from the value before it (0 for none, the first
// value or one that shares fewer than minMatch high bytes with it).
func matchLen(raw []byte, i int) int {
	if i < period {
		return 0
	}
	return matchOf(binary.LittleEndian.Uint64(raw[i:]) ^ binary.LittleEndian.Uint64(raw[i-period:]))
}

// matchOf returns the length of the match of a value whose bits differ
// from those of the value before by x (0 for none, shorter than
// minMatch).
func matchOf(x uint64) int {
	n := period - (bits.Len64(x)+7)/8
	if n < minMatch {
		return 0
	}
	return n
}

// intCoder codes blocks of 8-byte integers; its buffers are reused from
// block to block.
type intCoder struct {
	bw bitWriter
}

// minIntsBlock is the shortest block worth a Huffman code of its own:
// below it the code's header costs more than it saves.
const minIntsBlock = 4096

// deflate appends to out raw coded as one deflate block with dynamic
// Huffman codes (not final) and a sync flush, the form of each block of a
// blockDeflater. It reports false and appends nothing when raw is shorter
// than minIntsBlock, when fewer than half of a sample of its 8-byte
// values (see count) share at least minMatch high bytes with the value
// before, where flate's own matcher does better, or when the coded block
// would be longer than raw (values unlike the sample), so that it never
// takes more room than the values.
func (c *intCoder) deflate(out *bytes.Buffer, raw []byte) bool {
	values := len(raw) / period
	if len(raw) < minIntsBlock {
		return false
	}
	var lit [litLenCodes]int
	sampled, matches := c.count(raw, &lit)
	if 2*matches < sampled {
		return false
	}
	for _, b := range raw[values*period:] {
		lit[b]++
	}
	lit[endOfBlock] = 1
	var dist [distCodes]int
	dist[period8Dist] = 1

	litLen := huffmanLengths(lit[:], maxCodeBits)
	distLen := huffmanLengths(dist[:], maxCodeBits)
	litCode, distCode := canonicalCodes(litLen), canonicalCodes(distLen)
	var code [litLenCodes]uint64 // literal and length codes with their lengths
	for s, l := range litLen {
		code[s] = uint64(litCode[s]) | uint64(l)<<codeShift
	}
	// A match and its distance, which is always 8, as one code.
	var match [period + 1]uint64
	for n := minMatch; n <= period; n++ {
		s := lengthSymbol(n)
		d := uint64(distCode[period8Dist]) | period8Extra<<distLen[period8Dist]
		bits := uint64(litLen[s]) + uint64(distLen[period8Dist]) + 1
		match[n] = uint64(litCode[s]) | d<<litLen[s] | bits<<codeShift
	}
	// The commonest value, one new low byte and a match of 7, as one code
	// (at most 15 + 31 bits).
	var one [256]uint64
	for b := range one {
		one[b] = join(code[b], match[period-1])
	}

	bw := &c.bw
	bw.reset(len(raw)/3 + 1024)
	bw.write(2<<1, 3) // BFINAL 0, BTYPE 10: dynamic Huffman codes
	writeCodeLengths(bw, litLen, distLen)
	c.code(raw, &code, &match, &one)
	bw.room()
	for _, b := range raw[values*period:] {
		bw.writeCode(code[b])
	}
	bw.writeCode(code[endOfBlock])
	// Sync flush: an empty stored block, which ends on a byte boundary.
	bw.write(0, 3)
	coded := bw.end()
	if len(coded)+4 > len(raw) {
		return false
	}
	out.Write(coded)
	out.Write([]byte{0x00, 0x00, 0xff, 0xff})
	return true
}

// countStep is the step between the values whose symbols count makes
// the Huffman codes from: a sample of one value in 16 gives codes within
// a fraction of a per cent of the best, for a sixteenth of the counting.
const countStep = 16

// count adds the symbols of a sample of the values of raw, one in
// countStep, to lit, and returns the number of values of the sample and
// how many of them have a match. So that a value the sample missed has a
// code, every literal and every match length counts at least once.
func (c *intCoder) count(raw []byte, lit *[litLenCodes]int) (sampled, matches int) {
	values := len(raw) / period
	for v := 0; v < values; v += countStep {
		i := v * period
		n := matchLen(raw, i)
		for _, b := range raw[i : i+period-n] {
			lit[b] += countStep
		}
		if n > 0 {
			lit[lengthSymbol(n)] += countStep
			matches++
		}
		sampled++
	}
	for s := range 256 {
		lit[s]++
	}
	for n := minMatch; n <= period; n++ {
		lit[lengthSymbol(n)]++
	}
	return sampled, matches
}

// code writes the values of raw with the literal and length codes code,
// the match codes match and the codes one of a literal and a match of 7.
// The writer's state is kept in local variables, which stay in registers
// through the loop, and a value that differs from the one before in its
// low byte alone, the commonest, takes one compare.
func (c *intCoder) code(raw []byte, code *[litLenCodes]uint64, match *[period + 1]uint64, one *[256]uint64) {
	buf, at, acc, nacc := c.bw.buf, c.bw.n, c.bw.acc, c.bw.nacc
	values := len(raw) / period
	var prev uint64
	for v := range values {
		if at+roomPerValue > len(buf) {
			c.bw.n = at
			c.bw.room()
			buf = c.bw.buf
		}
		cur := binary.LittleEndian.Uint64(raw[v*period:])
		x := cur ^ prev
		prev = cur
		if x-1 < 0xff && v > 0 { // 0 < x < 256: a match of 7
			at, acc, nacc = put(buf, at, acc, nacc, one[byte(cur)])
			continue
		}
		n := 0
		if v > 0 {
			n = matchOf(x)
		}
		for k := range period - n {
			at, acc, nacc = put(buf, at, acc, nacc, code[byte(cur>>(8*k))])
		}
		if n > 0 {
			at, acc, nacc = put(buf, at, acc, nacc, match[n])
		}
	}
	c.bw.buf, c.bw.n, c.bw.acc, c.bw.nacc = buf, at, acc, nacc
}

// put adds the packed code cd to the nacc < 8 bits in acc, stores them at
// buf[at:] (8 bytes) and returns the state after the whole bytes among
// them.
func put(buf []byte, at int, acc uint64, nacc uint, cd uint64) (int, uint64, uint) {
	acc |= (cd & (1<<codeShift - 1)) << nacc
	nacc += uint(cd >> codeShift)
	binary.LittleEndian.PutUint64(buf[at:], acc)
	return at + int(nacc>>3), acc >> (nacc &^ 7), nacc & 7
}

// codeShift is where a packed code keeps its number of bits, above the
// bits themselves.
const codeShift = 56

// join packs the codes a then b into one.
func join(a, b uint64) uint64 {
	na := a >> codeShift
	return (a & (1<<codeShift - 1)) | (b&(1<<codeShift-1))<<na | (na+b>>codeShift)<<codeShift
}

// lengthSymbol returns the literal/length symbol of a match of length n
// in [3, 10], which needs no extra bits.
func lengthSymbol(n int) int { return 257 + n - minMatch }

// writeCodeLengths writes the header of a dynamic block: the numbers of
// codes, the code-length code and the run-length coded lengths of the
// literal/length and distance codes.
func writeCodeLengths(bw *bitWriter, litLen, distLen []uint8) {
	hlit := len(litLen)
	for hlit > 257 && litLen[hlit-1] == 0 {
		hlit--
	}
	hdist := len(distLen)
	for hdist > 1 && distLen[hdist-1] == 0 {
		hdist--
	}
	lengths := append(slices.Clip(litLen[:hlit]), distLen[:hdist]...)

	// Run-length code: symbols 0-15 are lengths, 16 repeats the length
	// before 3-6 times (2 extra bits), 17 and 18 are 3-10 and 11-138
	// zeros (3 and 7 extra bits).
	type rl struct {
		sym   uint8
		extra uint8
	}
	var seq []rl
	for i := 0; i < len(lengths); {
		l := lengths[i]
		run := 1
		for i+run < len(lengths) && lengths[i+run] == l {
			run++
		}
		i += run
		if l == 0 {
			for run >= 11 {
				k := min(run, 138)
				seq = append(seq, rl{18, uint8(k - 11)})
				run -= k
			}
			if run >= 3 {
				seq = append(seq, rl{17, uint8(run - 3)})
				run = 0
			}
		} else {
			seq = append(seq, rl{l, 0})
			run--
			for run >= 3 {
				k := min(run, 6)
				seq = append(seq, rl{16, uint8(k - 3)})
				run -= k
			}
		}
		for ; run > 0; run-- {
			seq = append(seq, rl{l, 0})
		}
	}
	var freq [19]int
	for _, r := range seq {
		freq[r.sym]++
	}
	clen := huffmanLengths(freq[:], maxCLenBits)
	ccode := canonicalCodes(clen)
	hclen := len(codeLengthOrder)
	for hclen > 4 && clen[codeLengthOrder[hclen-1]] == 0 {
		hclen--
	}
	bw.write(uint64(hlit-257), 5)
	bw.write(uint64(hdist-1), 5)
	bw.write(uint64(hclen-4), 4)
	for _, s := range codeLengthOrder[:hclen] {
		bw.write(uint64(clen[s]), 3)
	}
	extraBits := [19]uint{16: 2, 17: 3, 18: 7}
	for _, r := range seq {
		bw.write(uint64(ccode[r.sym]), uint(clen[r.sym]))
		if e := extraBits[r.sym]; e > 0 {
			bw.write(uint64(r.extra), e)
		}
	}
}

// huffmanLengths returns the code lengths of a Huffman code for the
// symbol frequencies freq, none longer than maxBits. Symbols of frequency
// 0 get no code, except that the code always has at least two symbols, so
// that it is complete, as inflaters expect.
func huffmanLengths(freq []int, maxBits int) []uint8 {
	lengths := make([]uint8, len(freq))
	var syms []int
	for s, f := range freq {
		if f > 0 {
			syms = append(syms, s)
		}
	}
	for s := 0; len(syms) < 2; s++ {
		if freq[s] == 0 {
			syms = append(syms, s)
		}
	}
	f := make([]int, len(syms))
	for i, s := range syms {
		f[i] = max(freq[s], 1)
	}
	for {
		depth := huffmanDepths(f)
		if slices.Max(depth) <= maxBits {
			for i, s := range syms {
				lengths[s] = uint8(depth[i])
			}
			return lengths
		}
		// Flatten the frequencies until the longest code fits.
		for i := range f {
			f[i] = (f[i] + 1) / 2
		}
	}
}

// huffmanDepths returns the depth of each leaf of a Huffman tree over
// the frequencies f (at least two), built with two queues: the leaves in
// order of frequency and the internal nodes in the order made.
func huffmanDepths(f []int) []int {
	m := len(f)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return f[a] - f[b] })
	weight := make([]int, 2*m-1)
	parent := make([]int, 2*m-1)
	for i, s := range order {
		weight[i] = f[s]
	}
	leaf, node := 0, m
	smallest := func(next int) int {
		if leaf < m && (node >= next || weight[leaf] <= weight[node]) {
			leaf++
			return leaf - 1
		}
		node++
		return node - 1
	}
	for next := m; next < 2*m-1; next++ {
		a := smallest(next)
		b := smallest(next)
		weight[next] = weight[a] + weight[b]
		parent[a], parent[b] = next, next
	}
	depth := make([]int, 2*m-1)
	for k := 2*m - 3; k >= 0; k-- {
		depth[k] = depth[parent[k]] + 1
	}
	out := make([]int, m)
	for i, s := range order {
		out[s] = depth[i]
	}
	return out
}

// canonicalCodes returns the canonical Huffman codes of the code lengths
// (RFC 1951, section 3.2.2), bit-reversed, as the bit writer, which fills
// bytes from the least significant bit, writes Huffman codes.
func canonicalCodes(lengths []uint8) []uint16 {
	var count [maxCodeBits + 2]int
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	var next [maxCodeBits + 2]int
	code := 0
	for l := 1; l <= maxCodeBits+1; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	codes := make([]uint16, len(lengths))
	for s, l := range lengths {
		if l > 0 {
			codes[s] = bits.Reverse16(uint16(next[l])) >> (16 - l)
			next[l]++
		}
	}
	return codes
}

// bitWriter writes bits to a buffer, least significant bit first, as
// deflate packs them. It stores eight bytes at every write and advances
// by the whole bytes among them, so that the buffer needs eight bytes of
// room beyond the data (room).
type bitWriter struct {
	buf  []byte // len(buf) is its capacity
	n    int    // bytes written
	acc  uint64 // bits not yet written, fewer than 8
	nacc uint
}

// reset empties b and gives it room for about size bytes.
func (b *bitWriter) reset(size int) {
	if len(b.buf) < size {
		b.buf = make([]byte, size)
	}
	b.n, b.acc, b.nacc = 0, 0, 0
}

// roomPerValue is the room the codes of one value need: at most 8
// literals of 15 bits and a match of 31, 19 bytes, and the 8 bytes a
// write stores.
const roomPerValue = 64

// room makes sure that the codes of the next value fit.
func (b *bitWriter) room() {
	if b.n+roomPerValue > len(b.buf) {
		b.buf = append(b.buf[:b.n], make([]byte, max(len(b.buf), roomPerValue))...)
		b.buf = b.buf[:cap(b.buf)]
	}
}

// write writes the n <= 57 low bits of v.
func (b *bitWriter) write(v uint64, n uint) {
	b.n, b.acc, b.nacc = put(b.buf, b.n, b.acc, b.nacc, v|uint64(n)<<codeShift)
}

// writeCode writes a code packed as its bits in the low codeShift bits
// and their number above them.
func (b *bitWriter) writeCode(c uint64) {
	b.write(c&(1<<codeShift-1), uint(c>>codeShift))
}

// end writes the bits held, padded with zeros to a whole byte, and
// returns the bytes written.
func (b *bitWriter) end() []byte {
	if b.nacc > 0 {
		b.buf[b.n] = byte(b.acc)
		b.n++
	}
	b.acc, b.nacc = 0, 0
	return b.buf[:b.n]
}
