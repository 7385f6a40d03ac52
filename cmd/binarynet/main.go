// Command binarynet simulates binary-neuron networks from the command line.
//
// Usage:
//
//	binarynet run [flags]            simulate a clustered E/I network and write plots and data
//	binarynet bench [flags] NAME     time a scenario of a scenarios file and print one JSON line
//
// Run "binarynet COMMAND -h" for the flags of a command. Invalid flags or
// input files print a one-line error and exit with status 2.
package main

import (
	"fmt"
	"io"
	"os"
)

// commands maps a subcommand name to its entry point. Each returns the
// process exit status.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"run":   runCommand,
	"bench": benchCommand,
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: binarynet run [flags] | binarynet bench [flags] SCENARIO")
		return 2
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "binarynet: unknown command %q (want run or bench)\n", args[0])
		return 2
	}
	return cmd(args[1:], stdout, stderr)
}
