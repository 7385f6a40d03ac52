package sweep

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/binarynet/binarynet/internal/atomicfile"
)

// SlurmOptions are the settings of the sbatch scripts of a sweep.
type SlurmOptions struct {
	// Binary is the binarynet executable the jobs run; it must be
	// reachable at this path on the compute nodes. Relative paths are
	// made absolute.
	Binary string
	// JobName names the jobs (letters, digits, ., _ and -).
	JobName string
	// Throttle is the largest number of array tasks running at once (the
	// array's %N); 0 means no limit.
	Throttle int
	// CPUsPerTask, Mem and Time are the sbatch options --cpus-per-task,
	// --mem (e.g. 4G) and --time (e.g. 02:00:00 or 1-12:00:00) of each
	// array task; empty Mem or Time leaves the cluster's default.
	CPUsPerTask int
	Mem, Time   string
	// Partition is the sbatch --partition; empty leaves the default.
	Partition string
	// Extra are more sbatch options for both jobs, e.g. --account=proj.
	Extra []string
	// MaxArray is the largest number of tasks in one array (the
	// cluster's MaxArraySize, 1001 by default, minus 1). Larger sweeps
	// are submitted as several arrays, the task index being the array's
	// offset plus SLURM_ARRAY_TASK_ID. 0 means 1000.
	MaxArray int
	// Table is the CSV file the aggregation job writes; empty means the
	// task file's name with the extension .csv.
	Table string
}

// SlurmScripts are the files WriteSlurm wrote.
type SlurmScripts struct {
	Array   string  // the array job's sbatch script
	Collect string  // the aggregation job's sbatch script
	Submit  string  // a shell script that submits both, as Submit does
	LogDir  string  // where the jobs' logs go
	Table   string  // the CSV file the aggregation job writes
	Chunks  []Chunk // the arrays to submit
	// Throttle is the %N of each array (0: none).
	Throttle int
}

// Chunk is one array of a sweep: tasks Offset to Offset+Count-1.
type Chunk struct{ Offset, Count int }

var (
	memPattern  = regexp.MustCompile(`^[0-9]+[KMGT]?$`)
	timePattern = regexp.MustCompile(`^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$`)
	namePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// Validate checks the options, naming the flag of a bad value.
func (o *SlurmOptions) Validate() error {
	switch {
	case o.Binary == "":
		return inputError("-binary: the path of binarynet on the compute nodes is empty")
	case !namePattern.MatchString(o.JobName):
		return inputError("-job-name %q: want letters, digits, '.', '_' and '-'", o.JobName)
	case o.Throttle < 0:
		return inputError("-throttle %d: want a number of tasks >= 0 (0: no limit)", o.Throttle)
	case o.CPUsPerTask < 1:
		return inputError("-cpus-per-task %d: want >= 1", o.CPUsPerTask)
	case o.Mem != "" && !memPattern.MatchString(o.Mem):
		return inputError("-mem %q: want a size in MB or with a unit K, M, G or T (e.g. 4G)", o.Mem)
	case o.Time != "" && !timePattern.MatchString(o.Time):
		return inputError("-time %q: want minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS", o.Time)
	case o.Partition != "" && !namePattern.MatchString(o.Partition):
		return inputError("-partition %q: want letters, digits, '.', '_' and '-'", o.Partition)
	case o.MaxArray < 0:
		return inputError("-max-array %d: want >= 1 (0: 1000)", o.MaxArray)
	}
	for _, e := range o.Extra {
		if !strings.HasPrefix(e, "-") || strings.ContainsAny(e, "\n\r") {
			return inputError("-sbatch %q: want one sbatch option such as --account=NAME", e)
		}
	}
	return nil
}

// WriteSlurm writes the sbatch scripts of sweep f beside its task file:
// STEM.sbatch (the array: one task per array index, logs
// LOGDIR/NAME_%A_%a.out), STEM.collect.sbatch (binarynet collect into the
// table) and STEM.submit.sh (submits the arrays, then the aggregation job
// with --dependency=afterok on all of them, and prints the job ids). The
// log folder ROOT/logs is created, as SLURM does not create it.
func WriteSlurm(f *File, opts SlurmOptions) (SlurmScripts, error) {
	if err := opts.Validate(); err != nil {
		return SlurmScripts{}, err
	}
	bin, err := filepath.Abs(opts.Binary)
	if err != nil {
		return SlurmScripts{}, err
	}
	taskFile, err := filepath.Abs(f.Path)
	if err != nil {
		return SlurmScripts{}, err
	}
	root, err := filepath.Abs(f.RootDir())
	if err != nil {
		return SlurmScripts{}, err
	}
	stem := strings.TrimSuffix(taskFile, filepath.Ext(taskFile))
	s := SlurmScripts{
		Array:    stem + ".sbatch",
		Collect:  stem + ".collect.sbatch",
		Submit:   stem + ".submit.sh",
		LogDir:   filepath.Join(root, "logs"),
		Table:    opts.Table,
		Throttle: opts.Throttle,
	}
	if s.Table == "" {
		s.Table = stem + ".csv"
	}
	if s.Table, err = filepath.Abs(s.Table); err != nil {
		return SlurmScripts{}, err
	}
	maxArray := opts.MaxArray
	if maxArray == 0 {
		maxArray = 1000
	}
	for off := 0; off < len(f.Tasks); off += maxArray {
		s.Chunks = append(s.Chunks, Chunk{off, min(maxArray, len(f.Tasks)-off)})
	}

	common := func(b *bytes.Buffer) {
		if opts.Partition != "" {
			fmt.Fprintf(b, "#SBATCH --partition=%s\n", opts.Partition)
		}
		for _, e := range opts.Extra {
			fmt.Fprintf(b, "#SBATCH %s\n", e)
		}
	}
	var a bytes.Buffer
	fmt.Fprintf(&a, "#!/bin/sh\n# Array job of the sweep %s: one task per array index.\n", taskFile)
	fmt.Fprintf(&a, "#SBATCH --job-name=%s\n", opts.JobName)
	if len(s.Chunks) == 1 {
		fmt.Fprintf(&a, "#SBATCH --array=%s\n", s.arraySpec(s.Chunks[0]))
	} else {
		fmt.Fprintf(&a, "# %d tasks: submit with %s (several arrays, each with its %s)\n", len(f.Tasks), filepath.Base(s.Submit), OffsetVar)
	}
	fmt.Fprintf(&a, "#SBATCH --output=%s\n", filepath.Join(s.LogDir, opts.JobName+"_%A_%a.out"))
	fmt.Fprintf(&a, "#SBATCH --cpus-per-task=%d\n", opts.CPUsPerTask)
	if opts.Mem != "" {
		fmt.Fprintf(&a, "#SBATCH --mem=%s\n", opts.Mem)
	}
	if opts.Time != "" {
		fmt.Fprintf(&a, "#SBATCH --time=%s\n", opts.Time)
	}
	common(&a)
	fmt.Fprintf(&a, "exec %s task %s\n", shellQuote(bin), shellQuote(taskFile))

	var c bytes.Buffer
	fmt.Fprintf(&c, "#!/bin/sh\n# Aggregation job of the sweep %s: runs after every array task succeeded.\n", taskFile)
	fmt.Fprintf(&c, "#SBATCH --job-name=%s-collect\n", opts.JobName)
	fmt.Fprintf(&c, "#SBATCH --output=%s\n", filepath.Join(s.LogDir, opts.JobName+"_collect_%j.out"))
	fmt.Fprintf(&c, "#SBATCH --cpus-per-task=1\n")
	if opts.Time != "" {
		fmt.Fprintf(&c, "#SBATCH --time=%s\n", opts.Time)
	}
	common(&c)
	fmt.Fprintf(&c, "exec %s collect -o %s %s\n", shellQuote(bin), shellQuote(s.Table), shellQuote(taskFile))

	var sub bytes.Buffer
	fmt.Fprintf(&sub, "#!/bin/sh\n# Submits the sweep %s: the array job(s), then the aggregation job.\nset -eu\n", taskFile)
	var ids []string
	for i, ch := range s.Chunks {
		fmt.Fprintf(&sub, "a%d=$(sbatch --parsable %s)\na%d=${a%d%%%%;*}\n", i, strings.Join(shellArgs(s.arrayArgs(ch)), " "), i, i)
		ids = append(ids, fmt.Sprintf("$a%d", i))
	}
	fmt.Fprintf(&sub, "c=$(sbatch --parsable --dependency=afterok:%s %s)\nc=${c%%%%;*}\n", strings.Join(ids, ":"), shellQuote(s.Collect))
	fmt.Fprintf(&sub, "echo \"array %s collect $c\"\n", strings.Join(ids, " "))

	if err := os.MkdirAll(s.LogDir, 0o755); err != nil {
		return SlurmScripts{}, err
	}
	for _, w := range []struct {
		name string
		data []byte
	}{{s.Array, a.Bytes()}, {s.Collect, c.Bytes()}, {s.Submit, sub.Bytes()}} {
		err := atomicfile.WriteFile(w.name, 0o755, func(out io.Writer) error {
			_, err := out.Write(w.data)
			return err
		})
		if err != nil {
			return SlurmScripts{}, err
		}
	}
	return s, nil
}

// arraySpec is the --array value of a chunk: 0-(count-1), with %throttle.
func (s *SlurmScripts) arraySpec(ch Chunk) string {
	spec := "0-" + strconv.Itoa(ch.Count-1)
	if s.Throttle > 0 {
		spec += "%" + strconv.Itoa(s.Throttle)
	}
	return spec
}

// arrayArgs are the sbatch arguments that submit chunk ch.
func (s *SlurmScripts) arrayArgs(ch Chunk) []string {
	return []string{
		"--array=" + s.arraySpec(ch),
		"--export=ALL," + OffsetVar + "=" + strconv.Itoa(ch.Offset),
		s.Array,
	}
}

// Submission holds the job ids of a submitted sweep.
type Submission struct {
	Arrays  []string // one job id per array
	Collect string   // the aggregation job
}

// Submit submits the scripts with the sbatch program (its path or name):
// every array, then the aggregation job depending on all of them
// (afterok). If a submission fails, the error names the jobs already
// submitted, so they can be cancelled.
func Submit(ctx context.Context, s SlurmScripts, sbatch string) (Submission, error) {
	var sub Submission
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, sbatch, append([]string{"--parsable"}, args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(errb.String())
			if len(sub.Arrays) > 0 {
				msg += fmt.Sprintf(" (already submitted: %s)", strings.Join(sub.Arrays, " "))
			}
			return "", fmt.Errorf("%s %s: %v: %s", sbatch, strings.Join(args, " "), err, msg)
		}
		id, _, _ := strings.Cut(strings.TrimSpace(out.String()), ";")
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			return "", fmt.Errorf("%s printed %q, want a job id", sbatch, out.String())
		}
		return id, nil
	}
	for _, ch := range s.Chunks {
		id, err := run(s.arrayArgs(ch)...)
		if err != nil {
			return sub, err
		}
		sub.Arrays = append(sub.Arrays, id)
	}
	id, err := run("--dependency=afterok:"+strings.Join(sub.Arrays, ":"), s.Collect)
	if err != nil {
		return sub, err
	}
	sub.Collect = id
	return sub, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-,=%+:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellArgs quotes each of args.
func shellArgs(args []string) []string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return q
}
