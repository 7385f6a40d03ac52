package sweep_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/sweep"
)

func TestResolveIndex(t *testing.T) {
	for _, tc := range []struct {
		name   string
		flag   string
		env    map[string]string
		want   int
		source string
		err    string // part of the error message, "" for none
	}{
		{"flag", "4", nil, 4, "-index", ""},
		{"flag wins", "2", map[string]string{"SLURM_ARRAY_TASK_ID": "5"}, 2, "-index", ""},
		{"slurm", "", map[string]string{"SLURM_ARRAY_TASK_ID": "5"}, 5, "SLURM_ARRAY_TASK_ID", ""},
		{"slurm with offset", "", map[string]string{"SLURM_ARRAY_TASK_ID": "5", sweep.OffsetVar: "1000"}, 1005, "SLURM_ARRAY_TASK_ID", ""},
		{"kubernetes", "", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 0, "JOB_COMPLETION_INDEX", ""},
		{"sge is 1-based", "", map[string]string{"SGE_TASK_ID": "1"}, 0, "SGE_TASK_ID", ""},
		{"sge undefined", "", map[string]string{"SGE_TASK_ID": "undefined", "PBS_ARRAYID": "3"}, 3, "PBS_ARRAYID", ""},
		{"pbs", "", map[string]string{"PBS_ARRAYID": "3"}, 3, "PBS_ARRAYID", ""},
		{"lsf is 1-based", "", map[string]string{"LSB_JOBINDEX": "6"}, 5, "LSB_JOBINDEX", ""},
		{"slurm before sge", "", map[string]string{"SGE_TASK_ID": "9", "SLURM_ARRAY_TASK_ID": "1"}, 1, "SLURM_ARRAY_TASK_ID", ""},
		{"none", "", nil, 0, "", "no task index"},
		{"negative flag", "-1", nil, 0, "", `-index "-1"`},
		{"text flag", "two", nil, 0, "", `-index "two"`},
		{"bad slurm", "", map[string]string{"SLURM_ARRAY_TASK_ID": "4a"}, 0, "", `SLURM_ARRAY_TASK_ID="4a"`},
		{"sge zero", "", map[string]string{"SGE_TASK_ID": "0"}, 0, "", `SGE_TASK_ID="0": want an integer >= 1`},
		{"lsf zero", "", map[string]string{"LSB_JOBINDEX": "0"}, 0, "", `LSB_JOBINDEX="0"`},
		{"bad offset", "", map[string]string{"PBS_ARRAYID": "1", sweep.OffsetVar: "-3"}, 0, "", sweep.OffsetVar + `="-3"`},
	} {
		lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
		got, source, err := sweep.ResolveIndex(tc.flag, lookup)
		if tc.err != "" {
			if !errors.Is(err, sweep.ErrInput) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want ErrInput mentioning %s", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || source != tc.source {
			t.Errorf("%s: %d %s %v, want %d %s", tc.name, got, source, err, tc.want, tc.source)
		}
	}
}

func TestNewProvenance(t *testing.T) {
	env := map[string]string{"SLURM_JOB_ID": "120", "SLURM_ARRAY_JOB_ID": "117", "SLURM_ARRAY_TASK_ID": "3", "SLURM_CPUS_PER_TASK": "2"}
	p := sweep.NewProvenance(3, "SLURM_ARRAY_TASK_ID", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if p.Scheduler != "slurm" || p.JobID != "120" || p.ArrayJobID != "117" || p.ArrayTaskID != "3" || p.Env["SLURM_CPUS_PER_TASK"] != "2" || p.Host == "" || p.Binarynet == "" || len(p.Executable) != 64 {
		t.Errorf("%+v", p)
	}
	env = map[string]string{"SGE_TASK_ID": "4", "JOB_ID": "77"}
	p = sweep.NewProvenance(3, "SGE_TASK_ID", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if p.Scheduler != "sge" || p.JobID != "77" || p.ArrayTaskID != "4" {
		t.Errorf("%+v", p)
	}
	p = sweep.NewProvenance(0, "-index", func(string) (string, bool) { return "", false })
	if p.Scheduler != "" || p.JobID != "" {
		t.Errorf("%+v", p)
	}
}
