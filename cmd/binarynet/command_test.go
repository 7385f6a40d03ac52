package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// runMain runs the binarynet command line args and returns its exit
// status, stdout and stderr.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestIssue9HelpExitsZero checks that every way of asking for help prints
// the usage on stdout and exits 0, and that the usage lists every command.
func TestIssue9HelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"help"}} {
		code, stdout, stderr := runMain(t, args...)
		if code != 0 || stderr != "" {
			t.Errorf("%v: exit status %d, stderr %q; want 0 and nothing", args, code, stderr)
		}
		for _, c := range commands {
			if !strings.Contains(stdout, c.Name()) || !strings.Contains(stdout, c.Short) {
				t.Errorf("%v: usage %q does not list %s: %s", args, stdout, c.Name(), c.Short)
			}
		}
	}
	// Without a command the usage is an error: on stderr, status 2.
	if code, stdout, stderr := runMain(t); code != 2 || stdout != "" || !strings.Contains(stderr, "binarynet help") {
		t.Errorf("no arguments: exit %d, stdout %q, stderr %q; want 2 and the usage on stderr", code, stdout, stderr)
	}
}

// TestIssue9SubcommandHelpListsFlags checks, for every command, that
// "-h", "--help" and "binarynet help NAME" exit 0 and print the usage line,
// the long description and every flag, from the one Command description.
func TestIssue9SubcommandHelpListsFlags(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		fs, _ := c.newFlagSet()
		var flags []string
		fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
		for _, args := range [][]string{{c.Name(), "-h"}, {c.Name(), "--help"}, {"help", c.Name()}} {
			code, stdout, stderr := runMain(t, args...)
			if code != 0 || stderr != "" {
				t.Errorf("%v: exit status %d, stderr %q; want 0 and nothing", args, code, stderr)
			}
			if !strings.HasPrefix(stdout, "usage: binarynet "+c.UsageLine+"\n") {
				t.Errorf("%v: help does not start with the usage line %q:\n%s", args, c.UsageLine, stdout)
			}
			firstLong := strings.Fields(c.Long)[0]
			if !strings.Contains(stdout, firstLong) {
				t.Errorf("%v: help lacks the long description", args)
			}
			for _, name := range flags {
				if !regexp.MustCompile(`(?m)^  -` + regexp.QuoteMeta(name) + `\b`).MatchString(stdout) {
					t.Errorf("%v: help does not list -%s", args, name)
				}
			}
		}
	}
}

// TestIssue9HelpErrors checks the errors of the help command and of an
// unknown command: one line, status 2.
func TestIssue9HelpErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"help", "nope"}, `unknown command "nope"`},
		{[]string{"help", "run", "bench"}, "one command name"},
		{[]string{"nope"}, `unknown command "nope"`},
	} {
		code, stdout, stderr := runMain(t, tc.args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line naming %s", tc.args, code, stdout, stderr, tc.msg)
		}
	}
}

// TestIssue9UsageWrittenOnce checks that the usage text of a command is
// written in one place: no source file but the command's own holds its
// usage line, and the package documentation does not copy the commands'
// descriptions.
func TestIssue9UsageWrittenOnce(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		var holders []string
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(src, []byte(c.Short)) || bytes.Contains(src, []byte("binarynet "+c.UsageLine)) {
				holders = append(holders, name)
			}
		}
		if len(holders) != 1 {
			t.Errorf("the usage of %s is written in %v, want exactly one file", c.Name(), holders)
		}
	}
}

// TestParseInterspersed checks that flags may follow the other arguments
// and that "--" ends the flags.
func TestParseInterspersed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args, rest []string
		batch      int
	}{
		{[]string{"a"}, []string{"a"}, 0},
		{[]string{"-batch", "5", "a"}, []string{"a"}, 5},
		{[]string{"a", "-batch", "5"}, []string{"a"}, 5},
		{[]string{"a", "-batch", "5", "b"}, []string{"a", "b"}, 5},
		{[]string{"a", "--", "-batch", "5"}, []string{"a", "-batch", "5"}, 0},
		{[]string{"--", "a"}, []string{"a"}, 0},
		{nil, nil, 0},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		batch := fs.Int("batch", 0, "")
		rest, err := parseInterspersed(fs, tc.args)
		if err != nil || !slices.Equal(rest, tc.rest) || *batch != tc.batch {
			t.Errorf("%q: rest %q, batch %d, err %v; want %q, %d", tc.args, rest, *batch, err, tc.rest, tc.batch)
		}
	}
}
