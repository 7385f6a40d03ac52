// Package atomicfile writes files atomically: the content goes to a
// temporary file in the target's directory, which is synced to stable
// storage, renamed over the target and followed by a sync of the
// directory. Whatever happens, a reader of the target sees either the old
// file (or none) or the complete new one, and on any error before the
// rename the target is untouched and the temporary file is removed.
//
// Every file binarynet writes goes through this package: [WriteFile] for
// content produced in one call, [Create] for content streamed over many
// writes.
package atomicfile
