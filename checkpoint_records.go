package binarynet

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The records section is how the checkpoint format grows without using
// more header flags (flag 128, the last one, announces it). When present,
// the header ends with its length (uint64, after bodyLen), and the section
// closes the body, after the adaptation state:
//
//	count      uint32   number of records
//	records    count times:
//	  tag      uint16   what the record holds (the record* constants)
//	  length   uint64   bytes of payload
//	  payload  length bytes
//
// Records come in strictly increasing tag order, each tag at most once; a
// tag this version does not know is an error, since ignoring state would
// break the bit-for-bit resume. A network with nothing to record writes no
// section, so its checkpoint is exactly as before the section existed.
// The section's length is checked against the RAM budget and the bytes
// available before it is read, and every count and length inside it
// against the bytes left before anything is allocated for it.
//
// A new record kind is a new tag with a line in checkpointRecords (write),
// knownRecord and installRecords (read).
const (
	recordStimuli uint16 = 1 // the stimulus schedule (see encodeStimuli)
	recordTime    uint16 = 2 // continuous time: clock and pending log times (see encodeClock)
	recordFields  uint16 = 3 // the pending field log (see encodeFieldLog)
	// recordLast is the highest tag this version knows.
	recordLast = recordFields

	recordHeaderBytes = 2 + 8 // tag and length
)

// ckptRecord is one record of the records section.
type ckptRecord struct {
	tag     uint16
	payload []byte
}

// knownRecord reports whether this version reads records with the tag.
func knownRecord(tag uint16) bool { return tag >= 1 && tag <= recordLast }

// checkpointRecords returns the records of nw's checkpoint, in tag order;
// none for a network without stimuli, continuous time or a pending field
// log.
func (nw *Network) checkpointRecords() ([]ckptRecord, error) {
	var recs []ckptRecord
	if len(nw.stim.list) > 0 {
		recs = append(recs, ckptRecord{recordStimuli, encodeStimuli(nw.stim.list)})
	}
	if nw.clock != nil {
		recs = append(recs, ckptRecord{recordTime, nw.encodeClock()})
	}
	if nw.fields.on() {
		b, err := nw.encodeFieldLog()
		if err != nil {
			return nil, err
		}
		recs = append(recs, ckptRecord{recordFields, b})
	}
	return recs, nil
}

// installRecords gives a restored network, whose step count, engine and
// logs are in place, the state its records hold.
func (nw *Network) installRecords(recs []ckptRecord) error {
	for _, r := range recs {
		switch r.tag {
		case recordStimuli:
			list, err := decodeStimuli(r.payload, nw.size(), nw.opts.WeightType)
			if err != nil {
				return err
			}
			nw.stim.list = list
			nw.resetStimuli()
		case recordTime:
			if err := nw.decodeClock(r.payload); err != nil {
				return err
			}
		case recordFields:
			if err := nw.decodeFieldLog(r.payload); err != nil {
				return err
			}
		default:
			return checkpointError("record tag %d has no reader (internal error)", r.tag)
		}
	}
	return nil
}

// encodeRecords serializes records as the records section; nil for none.
func encodeRecords(recs []ckptRecord) []byte {
	if len(recs) == 0 {
		return nil
	}
	var e ckptEnc
	e.u32(uint32(len(recs)))
	for _, r := range recs {
		e.b = binary.LittleEndian.AppendUint16(e.b, r.tag)
		e.u64(uint64(len(r.payload)))
		e.b = append(e.b, r.payload...)
	}
	return e.b
}

// decodeRecords parses a records section whose checksum has been
// verified. It checks the framing, the order and the tags; each record's
// payload is checked by its reader.
func decodeRecords(b []byte) ([]ckptRecord, error) {
	d := &ckptDec{b: b}
	count := d.u32()
	if d.err != nil {
		return nil, fmt.Errorf("records section: %w", d.err)
	}
	if uint64(count) == 0 || uint64(count)*recordHeaderBytes > uint64(len(d.b)) {
		return nil, checkpointError("records section claims %d records in %d bytes", count, len(d.b))
	}
	recs := make([]ckptRecord, count)
	for i := range recs {
		tb := d.take(2)
		length := d.u64()
		if d.err != nil {
			return nil, fmt.Errorf("records section, record %d: %w", i, d.err)
		}
		tag := binary.LittleEndian.Uint16(tb)
		if !knownRecord(tag) {
			return nil, checkpointError("record %d has unknown tag %d (written by a newer version?)", i, tag)
		}
		if i > 0 && tag <= recs[i-1].tag {
			return nil, checkpointError("record %d has tag %d after tag %d: tags must increase", i, tag, recs[i-1].tag)
		}
		if length > uint64(len(d.b)) {
			return nil, checkpointError("record %d (tag %d) claims %d bytes, %d left", i, tag, length, len(d.b))
		}
		recs[i] = ckptRecord{tag: tag, payload: d.take(int(length))}
	}
	if len(d.b) != 0 {
		return nil, checkpointError("%d unexpected bytes after the last record", len(d.b))
	}
	return recs, nil
}

// stimulusRecordBytes is the stored size of one stimulus: start, end, on,
// off and delta, 8 bytes each.
const stimulusRecordBytes = 5 * 8

// encodeStimuli serializes a stimulus schedule: a uint64 count, then the
// stimuli in the order they were added.
func encodeStimuli(list []Stimulus) []byte {
	var e ckptEnc
	e.u64(uint64(len(list)))
	for _, s := range list {
		e.u64(uint64(s.Units.Start))
		e.u64(uint64(s.Units.End))
		e.u64(uint64(s.On))
		e.u64(uint64(s.Off))
		e.f64(s.Delta)
	}
	return e.b
}

// decodeStimuli parses and validates a stimulus record of a network of n
// units.
func decodeStimuli(b []byte, n int, t WeightType) ([]Stimulus, error) {
	d := &ckptDec{b: b}
	count := d.u64()
	if d.err != nil || count == 0 || count > uint64(len(d.b))/stimulusRecordBytes || count*stimulusRecordBytes != uint64(len(d.b)) {
		return nil, checkpointError("stimulus record of %d bytes claims %d stimuli", len(b), count)
	}
	list := make([]Stimulus, count)
	for i := range list {
		start, end, on, off := d.u64(), d.u64(), d.u64(), d.u64()
		delta := d.f64()
		if start > math.MaxInt32 || end > math.MaxInt32 || on > math.MaxInt64 || off > math.MaxInt64 {
			return nil, checkpointError("stimulus %d: values out of range", i)
		}
		s := Stimulus{Units: Range{int(start), int(end)}, On: int64(on), Off: int64(off), Delta: delta}
		if err := checkStimulus(s, n, t); err != nil {
			return nil, fmt.Errorf("%w: stimulus %d: %w", ErrCheckpoint, i, err)
		}
		list[i] = s
	}
	return list, nil
}

// encodeClock serializes the continuous time of nw: the current time
// (float64), the marshalled state of the time stream (uint32 length and
// bytes), and the times of the pending diff log's filled steps (uint64
// count, then float64 each; 0 without a pending log).
func (nw *Network) encodeClock() []byte {
	var e ckptEnc
	e.f64(nw.clock.now)
	src, err := nw.clock.src.MarshalBinary()
	if err != nil {
		panic("binarynet: marshalling a PCG failed: " + err.Error()) // PCG.MarshalBinary never fails
	}
	e.str(string(src))
	times := nw.diff.times[:nw.diff.filled]
	e.u64(uint64(len(times)))
	for _, t := range times {
		e.f64(t)
	}
	return e.b
}

// decodeClock parses and validates a continuous-time record and gives nw,
// restored without it, its clock and the times of its pending diff log:
// it turns Options.ContinuousTime on. The time and the logged times must
// be finite, >= 0 and non-decreasing, the last logged time at most the
// current one, and there must be one per filled step of the pending log.
func (nw *Network) decodeClock(b []byte) error {
	d := &ckptDec{b: b}
	now := d.f64()
	src := d.str(maxCheckpointPCG)
	count := d.u64()
	if d.err != nil {
		return fmt.Errorf("continuous-time record: %w", d.err)
	}
	if count != uint64(nw.diff.filled) || count*8 != uint64(len(d.b)) {
		return checkpointError("continuous-time record holds %d bytes for %d times; the pending diff log has %d steps", len(d.b), count, nw.diff.filled)
	}
	if !(now >= 0) || math.IsInf(now, 0) {
		return checkpointError("continuous time %v must be finite and >= 0", now)
	}
	opts := nw.opts
	opts.ContinuousTime = true
	if err := nw.checkContinuousTime(opts, nw.specs); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	times := make([]float64, count)
	for i := range times {
		times[i] = d.f64()
	}
	if err := checkTimeValues(times); err != nil {
		return fmt.Errorf("%w: pending diff log: %w", ErrCheckpoint, err)
	}
	if count > 0 && times[count-1] > now {
		return checkpointError("pending diff log's last time %v is after the current time %v", times[count-1], now)
	}
	// The clock as Initialize would start it, then at the saved state (a
	// failed restore discards the network).
	nw.opts = opts
	nw.startClock()
	if err := nw.clock.src.UnmarshalBinary([]byte(src)); err != nil {
		return checkpointError("time generator state: %w", err)
	}
	nw.clock.now = now
	copy(nw.diff.times, times)
	return nil
}
