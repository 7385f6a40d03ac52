package npz

import (
	"bytes"
	"hash/crc32"
	"io"
	"runtime"

	"github.com/klauspost/compress/flate"
)

// blockSize is the number of bytes of an array compressed as one
// independent deflate block sequence. The compressors of successive
// blocks run concurrently; each starts without the window of the one
// before, which costs a fraction of a per cent in size at this length.
const blockSize = 1 << 20

// finalBlock is an empty final deflate block (fixed Huffman codes, end of
// block), which ends the stream of sync-flushed blocks.
var finalBlock = []byte{0x03, 0x00}

// blockDeflater compresses a stream in blocks of blockSize bytes, each on
// its own goroutine, and writes the compressed blocks to out in order:
// each block is deflated and sync-flushed, so that their concatenation,
// ended by finalBlock, is one valid deflate stream. The output depends
// only on the input and the level, not on the number of processors. It
// holds at most a few blocks in memory, whatever the length of the
// stream.
type blockDeflater struct {
	out     io.Writer
	level   int
	crc     uint32
	rawN    int64 // bytes in
	compN   int64 // bytes out
	cur     *block
	queue   []*block  // submitted, in order
	free    *[]*block // blocks to reuse, shared by the entries of a Writer
	maxBusy int
	ints    bool // an array of 8-byte integers: blocks try an intCoder
	err     error
}

// block is one block of input and its compressed form.
type block struct {
	raw   []byte
	out   bytes.Buffer
	fw    *flate.Writer
	level int       // of fw
	ic    *intCoder // made on first use
	err   error
	done  chan struct{}
}

// newBlockDeflater returns a blockDeflater writing to out at the given
// flate level with at most busy blocks compressing at once (0:
// min(GOMAXPROCS, 4)); free holds blocks to reuse and receives them back.
func newBlockDeflater(out io.Writer, level, busy int, free *[]*block) *blockDeflater {
	if busy <= 0 {
		busy = min(runtime.GOMAXPROCS(0), 4)
	}
	return &blockDeflater{out: out, level: level, free: free, maxBusy: busy}
}

// Write implements io.Writer.
func (d *blockDeflater) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if d.err != nil {
			return n, d.err
		}
		if d.cur == nil {
			d.cur = d.get()
		}
		k := min(len(p), blockSize-len(d.cur.raw))
		d.cur.raw = append(d.cur.raw, p[:k]...)
		p, n = p[k:], n+k
		if len(d.cur.raw) == blockSize {
			d.submit()
		}
	}
	return n, d.err
}

// get returns an empty block, reused if possible.
func (d *blockDeflater) get() *block {
	if k := len(*d.free); k > 0 {
		b := (*d.free)[k-1]
		*d.free = (*d.free)[:k-1]
		b.raw, b.err = b.raw[:0], nil
		b.out.Reset()
		return b
	}
	return &block{raw: make([]byte, 0, blockSize)}
}

// submit starts the compression of the current block, after waiting for
// the oldest one when too many are in flight; with maxBusy 1 it
// compresses and writes the block on the calling goroutine.
func (d *blockDeflater) submit() {
	b := d.cur
	d.cur = nil
	d.crc = crc32.Update(d.crc, crc32.IEEETable, b.raw)
	d.rawN += int64(len(b.raw))
	b.done = make(chan struct{})
	d.queue = append(d.queue, b)
	if d.maxBusy == 1 {
		// One goroutine in all: compress here, and write it out at once.
		b.compress(d.level, d.ints)
		d.drain()
		return
	}
	go b.compress(d.level, d.ints)
	for len(d.queue) > d.maxBusy {
		d.drain()
	}
}

// compress deflates b.raw into b.out at the given level, sync-flushed,
// and closes b.done. A block of 8-byte integers (ints) is coded
// by an intCoder at every level but flate.NoCompression, unless it
// declines the block.
func (b *block) compress(level int, ints bool) {
	defer close(b.done)
	if ints && level != flate.NoCompression {
		if b.ic == nil {
			b.ic = new(intCoder)
		}
		if b.ic.deflate(&b.out, b.raw) {
			return
		}
	}
	if b.fw == nil || b.level != level {
		b.fw, b.err = flate.NewWriter(&b.out, level)
		if b.err != nil {
			return
		}
		b.level = level
	} else {
		b.fw.Reset(&b.out)
	}
	if _, b.err = b.fw.Write(b.raw); b.err == nil {
		b.err = b.fw.Flush()
	}
}

// drain waits for the oldest submitted block and writes it out.
func (d *blockDeflater) drain() {
	b := d.queue[0]
	d.queue = d.queue[1:]
	<-b.done
	if d.err == nil {
		d.err = b.err
	}
	if d.err == nil {
		var n int
		n, d.err = d.out.Write(b.out.Bytes())
		d.compN += int64(n)
	}
	*d.free = append(*d.free, b)
}

// Close compresses what is left and ends the deflate stream. It does not
// close out.
func (d *blockDeflater) Close() error {
	if d.cur != nil && len(d.cur.raw) > 0 {
		d.submit()
	}
	for len(d.queue) > 0 {
		d.drain()
	}
	if d.err != nil {
		return d.err
	}
	n, err := d.out.Write(finalBlock)
	d.compN += int64(n)
	d.err = err
	return err
}
