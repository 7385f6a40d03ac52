package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Command is one subcommand of binarynet, in the shape of cmd/go's
// base.Command: the usage line, the descriptions and the flags live here
// and nowhere else, and "binarynet help", "binarynet help NAME" and
// "binarynet NAME -h" print them.
type Command struct {
	// UsageLine is the one-line usage message, without the leading
	// "binarynet ". Its first word is the command's name.
	UsageLine string
	// Short is the one-line description shown by "binarynet help".
	Short string
	// Long is the description shown by "binarynet help NAME" and
	// "binarynet NAME -h", before the list of flags.
	Long string
	// Flag defines the command's flags on fs and returns the function that
	// runs the command once fs has parsed the command line. It is called
	// with a new flag set for every invocation (and for every help text),
	// so flag values are never shared between runs.
	Flag func(fs *flag.FlagSet) Runner
}

// Runner runs a command whose flags have been parsed. args are the
// arguments that are not flags. An error of kind usageError exits with
// status 2, interruptedError with status 3, any other with status 1.
type Runner func(ctx context.Context, env *Env, args []string) error

// Env is what a running command may use besides its flags.
type Env struct {
	Stdout, Stderr io.Writer
	// Args is the command line after the command's name, as given.
	Args []string
	// Flags is the parsed flag set of the command.
	Flags *flag.FlagSet
	set   map[string]bool
}

// IsSet reports whether the flag name was given on the command line, so
// that an explicit value (even a zero) can be told from the default.
func (e *Env) IsSet(name string) bool { return e.set[name] }

// Exit statuses of the binarynet command.
const (
	exitOK          = 0
	exitFailure     = 1 // the run failed
	exitUsage       = 2 // invalid flags, arguments, files or parameters; nothing written
	exitInterrupted = 3 // stopped by a signal; a checkpoint and partial outputs were written
)

// Name returns the command's name, the first word of its usage line.
func (c *Command) Name() string {
	name, _, _ := strings.Cut(c.UsageLine, " ")
	return name
}

// newFlagSet returns the command's flag set and the runner bound to it.
func (c *Command) newFlagSet() (*flag.FlagSet, Runner) {
	fs := flag.NewFlagSet(c.Name(), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := c.Flag(fs)
	return fs, run
}

// printHelp writes the command's usage line, long description and flags.
func (c *Command) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: binarynet %s\n\n", c.UsageLine)
	fmt.Fprintf(w, "%s\n", strings.TrimSpace(c.Long))
	fs, _ := c.newFlagSet()
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// execute parses args with the command's flags and runs it, printing any
// error as one line on stderr. It returns the exit status.
func (c *Command) execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, run := c.newFlagSet()
	rest, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.printHelp(stdout)
		return exitOK
	}
	if err == nil {
		env := &Env{Stdout: stdout, Stderr: stderr, Args: append([]string(nil), args...), Flags: fs, set: map[string]bool{}}
		fs.Visit(func(f *flag.Flag) { env.set[f.Name] = true })
		err = run(ctx, env, rest)
	} else {
		err = usageError{fmt.Errorf("%v (see 'binarynet help %s')", err, c.Name())}
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "binarynet %s: %s\n", c.Name(), message(err))
	var u usageError
	var i interruptedError
	switch {
	case errors.As(err, &u):
		return exitUsage
	case errors.As(err, &i):
		return exitInterrupted
	}
	return exitFailure
}

// parseInterspersed parses flags that may come before, between or after
// the other arguments ("bench dense-5k -batch 1000"), and returns the
// other arguments in order. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		before := args
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		// fs.Parse stops at the first non-flag, or after a "--" that it
		// consumes: then every remaining argument is not a flag.
		if len(args) < len(before) && before[len(before)-len(args)-1] == "--" {
			return append(rest, args...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// usageError marks errors in the command line or its input files; they
// exit with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// interruptedError marks a run stopped by a signal after it saved what it
// had; it exits with status 3.
type interruptedError struct{ err error }

func (e interruptedError) Error() string { return e.err.Error() }
func (e interruptedError) Unwrap() error { return e.err }

// message renders err as one line, without the "binarynet: " prefixes of
// the library's error values, which would repeat the command's own.
func message(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	return strings.ReplaceAll(s, "binarynet: ", "")
}
