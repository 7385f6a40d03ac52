package sweep

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of them when
// they are due to the input rather than to a task's run.
var (
	// ErrInput reports a bad value supplied by the user: an axis, an
	// override, an index, a flag value, or a task file that is malformed
	// or was edited after it was written. The message names the value.
	ErrInput = errors.New("invalid input")

	// ErrCorrupt reports a task folder whose completion marker or outputs
	// do not match what the task wrote.
	ErrCorrupt = errors.New("corrupted task output")

	// ErrIncomplete reports a sweep with tasks that have not finished.
	// The concrete error is an *IncompleteError listing them.
	ErrIncomplete = errors.New("incomplete sweep")
)

// kindError is an error of a kind (ErrInput, ErrCorrupt) whose message
// does not repeat the kind's name.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// inputError returns an error wrapping ErrInput.
func inputError(format string, args ...any) error {
	return &kindError{fmt.Sprintf(format, args...), ErrInput}
}

// corruptError returns an error wrapping ErrCorrupt.
func corruptError(format string, args ...any) error {
	return &kindError{fmt.Sprintf(format, args...), ErrCorrupt}
}
