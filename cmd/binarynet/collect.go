package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/binarynet/binarynet/internal/atomicfile"
	"github.com/binarynet/binarynet/sweep"
)

// cmdCollect gathers the results of a sweep into one CSV table.
var cmdCollect = &Command{
	UsageLine: "collect [-o table.csv] [-partial] TASKFILE",
	Short:     "gather the results of a sweep into one CSV table",
	Long: `
Collect checks every task of a task file (its completion marker and the
size and SHA-256 of each of its outputs) and writes one CSV table, -o
(default: the task file with the extension .csv; - for stdout), with one
row per task: index, tag, the swept values (as in the task file, seeds
included), the task's metrics (mean rates per population type, flip
fraction, switching statistics) and wall_s, its wall time in seconds.

If tasks are missing or corrupted it lists them and exits with status 2,
writing nothing; with -partial it writes the table of the finished tasks,
lists the others on stderr and exits with status 0.`,
	Flag: func(fs *flag.FlagSet) Runner {
		out := fs.String("o", "", "CSV `file` to write (default: the task file with .csv; - for stdout)")
		partial := fs.Bool("partial", false, "write the table of the finished tasks even if some are missing")
		return func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return usagef("want one task file, got %d arguments", len(args))
			}
			f, err := sweep.ReadFile(args[0])
			if err != nil {
				return sweepError(err)
			}
			table, err := sweep.Collect(f, *partial)
			var inc *sweep.IncompleteError
			switch {
			case err == nil:
			case *partial && errors.As(err, &inc):
				fmt.Fprintf(env.Stderr, "binarynet collect: partial table: %s\n", message(err))
			default:
				return sweepError(err)
			}
			name := *out
			if name == "" {
				name = tableName(f.Path)
			}
			if name == "-" {
				_, err := env.Stdout.Write(table)
				return err
			}
			if err := atomicfile.WriteFile(name, 0o644, func(w io.Writer) error {
				_, err := w.Write(table)
				return err
			}); err != nil {
				return fmt.Errorf("-o %s: %w", name, err)
			}
			fmt.Fprintf(env.Stdout, "%d rows in %s\n", len(f.Tasks)-incompleteCount(inc), name)
			return nil
		}
	},
}

// incompleteCount is the number of tasks an IncompleteError lists (0 for
// nil).
func incompleteCount(e *sweep.IncompleteError) int {
	if e == nil {
		return 0
	}
	return len(e.Missing) + len(e.Corrupt)
}
