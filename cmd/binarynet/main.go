// Command binarynet simulates binary-neuron networks from the command line.
//
// Usage:
//
//	binarynet COMMAND [flags] [arguments]
//
// "binarynet help" lists the commands, "binarynet help COMMAND" (or
// "binarynet COMMAND -h") describes one with its flags. Invalid flags or
// input files print a one-line error and exit with status 2, writing
// nothing; a run stopped by SIGINT or SIGTERM saves a checkpoint and
// exits with status 3.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// commands lists the subcommands in the order "binarynet help" shows
// them. To add one, write its Command in a file of its own and add it
// here.
var commands = []*Command{
	cmdRun,
	cmdBench,
	cmdAnalyze,
	cmdSweep,
	cmdTask,
	cmdCollect,
}

func main() {
	// SIGINT and SIGTERM cancel the context; a running simulation stops
	// at its next batch and saves what it has. A second signal kills the
	// process as usual (the files written so far are complete, as every
	// file is written atomically).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch runs the command named by args[0] and returns the exit status.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if args[0] == "help" && len(args) > 1 {
			return help(args[1:], stdout, stderr)
		}
		printUsage(stdout)
		return exitOK
	}
	if c := lookup(args[0]); c != nil {
		return c.execute(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "binarynet: unknown command %q (see 'binarynet help')\n", args[0])
	return exitUsage
}

// lookup returns the command called name, or nil.
func lookup(name string) *Command {
	for _, c := range commands {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// help implements "binarynet help COMMAND".
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "binarynet help: want one command name, got %d arguments\n", len(args))
		return exitUsage
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "binarynet help: unknown command %q (see 'binarynet help')\n", args[0])
		return exitUsage
	}
	c.printHelp(stdout)
	return exitOK
}

// printUsage writes the list of commands.
func printUsage(w io.Writer) {
	fmt.Fprintf(w, "binarynet simulates networks of binary threshold units.\n\nUsage:\n\n\tbinarynet COMMAND [flags] [arguments]\n\nCommands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.Name(), c.Short)
	}
	fmt.Fprintf(w, "\nUse \"binarynet help COMMAND\" (or \"binarynet COMMAND -h\") for a command's flags.\n"+
		"Exit status: 0 done, 1 failed, 2 invalid input (nothing written), 3 interrupted (resumable).\n")
}
