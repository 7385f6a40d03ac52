package main

import (
	"fmt"
	"io"
)

// runCommand simulates the default clustered network. Not yet written.
func runCommand(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "binarynet run: not implemented yet")
	return 2
}
