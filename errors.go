package binarynet

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of them,
// so callers can classify failures with errors.Is.
var (
	// ErrInvalidParameter reports a parameter outside its valid range.
	// The concrete error is a *ParameterError naming the parameter and value.
	ErrInvalidParameter = errors.New("binarynet: invalid parameter")

	// ErrCallOrder reports a method called in the wrong state, such as Run
	// before Initialize or AddPopulation after it.
	ErrCallOrder = errors.New("binarynet: invalid call order")

	// ErrMemoryBudget reports a network whose weights would not fit in the
	// RAM budget given to Initialize.
	ErrMemoryBudget = errors.New("binarynet: memory budget exceeded")

	// ErrLogOverflow reports a run that would write past the end of an
	// enabled step or diff log buffer. No step of such a run is taken.
	ErrLogOverflow = errors.New("binarynet: log buffer would overflow")

	// ErrShape reports arrays whose lengths do not match each other or the
	// network.
	ErrShape = errors.New("binarynet: mismatched shapes")
)

// ParameterError describes an invalid parameter: its name, the value given
// and what was expected. It wraps ErrInvalidParameter.
type ParameterError struct {
	Param  string // Param is the name of the parameter, e.g. "tau" or "synapse[2].p".
	Value  any    // Value is the offending value.
	Reason string // Reason says what a valid value looks like.
}

// Error implements the error interface.
func (e *ParameterError) Error() string {
	return fmt.Sprintf("binarynet: invalid %s = %v: %s", e.Param, e.Value, e.Reason)
}

// Unwrap returns ErrInvalidParameter.
func (e *ParameterError) Unwrap() error { return ErrInvalidParameter }

func paramError(param string, value any, reason string) error {
	return &ParameterError{Param: param, Value: value, Reason: reason}
}

// shapeError returns an error wrapping ErrShape.
func shapeError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrShape}, args...)...)
}

// orderError returns an error wrapping ErrCallOrder.
func orderError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCallOrder}, args...)...)
}

// ErrCheckpoint reports a checkpoint that cannot be written or read back:
// a truncated, corrupted or foreign file, an unsupported format version,
// or a network that cannot be rebuilt from it. Errors from ReadCheckpoint,
// LoadCheckpoint, WriteCheckpoint and SaveCheckpoint wrap it (and, where
// there is one, the underlying I/O error or ErrMemoryBudget).
var ErrCheckpoint = errors.New("binarynet: invalid checkpoint")

func checkpointError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCheckpoint}, args...)...)
}
