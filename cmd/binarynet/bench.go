package main

import (
	"fmt"
	"io"
)

// benchCommand times one scenario. Not yet written.
func benchCommand(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "binarynet bench: not implemented yet")
	return 2
}
