package npz

import (
	"bytes"
	"fmt"
	"slices"
)

// BeginDeferred starts the array key of the given shape as BeginArray
// does, but compresses it into memory, so that it can be written while
// another array is streamed: its entry is written to the archive, after
// the entries written so far, when its Close is called, which must be
// when no array begun by BeginArray is open. Two arrays made in one pass,
// such as the values and the column indices of a CSR matrix, are so
// written without a second pass, holding the compressed bytes of one of
// them (for the column indices, about 1.5 bytes per value).
func BeginDeferred[T Elem](w *Writer, key string, shape ...int) (*ArrayWriter[T], error) {
	held := new(bytes.Buffer)
	a, err := begin[T](w, key, shape, func(key string) (*blockDeflater, error) {
		if err := w.claim(key); err != nil { // another array may be open
			return nil, err
		}
		return newBlockDeflater(held, w.level, w.busy, &w.blocks), nil
	})
	if err != nil {
		return nil, err
	}
	a.held = held
	w.deferred = append(w.deferred, key)
	return a, nil
}

// closeDeferred ends the array of BeginDeferred and writes its entry.
func (a *ArrayWriter[T]) closeDeferred() error {
	w := a.w
	w.deferred = slices.DeleteFunc(w.deferred, func(k string) bool { return k == a.key })
	switch {
	case a.n != a.want:
		return w.fail(fmt.Errorf("npz: array %q: %d values written, shape %v holds %d", a.key, a.n, a.shape, a.want))
	case w.open != "":
		return w.fail(fmt.Errorf("npz: array %q closed while array %q is open", a.key, w.open))
	}
	if err := a.d.Close(); err != nil {
		return w.fail(fmt.Errorf("npz: array %q: %w", a.key, err))
	}
	raw, err := w.createEntry(a.key)
	if err != nil {
		return err
	}
	if _, err := raw.Write(a.held.Bytes()); err != nil {
		return w.fail(fmt.Errorf("npz: array %q: %w", a.key, err))
	}
	a.held = nil
	w.sizes(a.d)
	w.open = ""
	return nil
}
