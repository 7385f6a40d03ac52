package sweep

import (
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

// modulePath is the binarynet module, whose version Version reports.
const modulePath = "github.com/binarynet/binarynet"

// Provenance records what ran a task, where and as which job.
type Provenance struct {
	Binarynet   string            `json:"binarynet"`               // Version()
	Go          string            `json:"go"`                      // Go version of the build
	Executable  string            `json:"executable_sha256"`       // SHA-256 of the running program, which identifies a development build
	Host        string            `json:"host"`                    // host name
	PID         int               `json:"pid"`                     // process id
	Index       int               `json:"task_index"`              // 0-based task index
	IndexSource string            `json:"index_source"`            // -index, or the environment variable read
	Scheduler   string            `json:"scheduler,omitempty"`     // slurm, kubernetes, sge, pbs, lsf
	JobID       string            `json:"job_id,omitempty"`        // the scheduler's job id
	ArrayJobID  string            `json:"array_job_id,omitempty"`  // id of the whole array
	ArrayTaskID string            `json:"array_task_id,omitempty"` // the scheduler's own task id (its base)
	Env         map[string]string `json:"env,omitempty"`           // the scheduler variables that were set
	Seeds       map[string]string `json:"seeds,omitempty"`         // seed overrides of the task
	Start       time.Time         `json:"start"`                   // when the task started (UTC)
}

// schedulerVars lists, per scheduler, the variables recorded in
// Provenance.Env, and which of them are the job id, the array job id and
// the array task id.
var schedulerVars = []struct {
	name                     string
	job, arrayJob, arrayTask string
	extra                    []string
}{
	{"slurm", "SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", []string{"SLURM_CLUSTER_NAME", "SLURM_JOB_NODELIST", "SLURM_CPUS_PER_TASK"}},
	{"kubernetes", "", "", "JOB_COMPLETION_INDEX", []string{"HOSTNAME"}},
	{"sge", "JOB_ID", "JOB_ID", "SGE_TASK_ID", nil},
	{"pbs", "PBS_JOBID", "PBS_ARRAY_ID", "PBS_ARRAYID", nil},
	{"lsf", "LSB_JOBID", "LSB_JOBID", "LSB_JOBINDEX", nil},
}

// NewProvenance returns the provenance of task index, read from the
// process and the environment (lookup is os.LookupEnv or a stand-in).
func NewProvenance(index int, source string, lookup func(string) (string, bool)) Provenance {
	host, _ := os.Hostname()
	exe := ""
	if path, err := os.Executable(); err == nil {
		if _, sum, err := fileSHA256(path); err == nil {
			exe = sum
		}
	}
	p := Provenance{
		Binarynet:   Version(),
		Executable:  exe,
		Go:          runtime.Version(),
		Host:        host,
		PID:         os.Getpid(),
		Index:       index,
		IndexSource: source,
		Start:       time.Now().UTC(),
	}
	get := func(k string) string {
		if k == "" {
			return ""
		}
		v, _ := lookup(k)
		return v
	}
	for _, s := range schedulerVars {
		task := get(s.arrayTask)
		if task == "" || s.name == "sge" && task == "undefined" {
			if s.name != "slurm" || get(s.job) == "" {
				continue
			}
		}
		p.Scheduler = s.name
		p.JobID, p.ArrayJobID, p.ArrayTaskID = get(s.job), get(s.arrayJob), task
		p.Env = map[string]string{}
		for _, k := range append([]string{s.job, s.arrayJob, s.arrayTask, OffsetVar}, s.extra...) {
			if v := get(k); v != "" {
				p.Env[k] = v
			}
		}
		break
	}
	return p
}

// Version returns the version of the binarynet module in this binary, from
// its build information: the module version, or "(devel)" followed by the
// VCS revision when the build recorded one.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := ""
	if bi.Main.Path == modulePath {
		v = bi.Main.Version
	} else {
		for _, d := range bi.Deps {
			if d.Path == modulePath {
				v = d.Version
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev
		if modified == "true" {
			v += "+dirty"
		}
	}
	return v
}
