package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// fileMagic starts the header line of a task file.
const fileMagic = "#binarynet-sweep"

// fileVersion is the task file format's version.
const fileVersion = 1

// BaseName is the name of the copy of the base configuration in a sweep's
// output root.
const BaseName = "base.yaml"

// File is a task file: the sweep's settings and its tasks.
//
// On disk it is text. The header line is tab-separated: "#binarynet-sweep",
// then version=, root= (the output root, relative to the task file's
// folder unless absolute), base_sha256= (of the base configuration, copied
// to ROOT/base.yaml), swept= (the swept keys, comma-separated), tasks= (the
// number of tasks) and sum=. Each task line is tab-separated: the index
// (0, 1, ...), one KEY=VALUE field per override, the task's folder under
// the root, its tag and sum. Every sum is the first 16 hex digits of the
// SHA-256 of the line before its last tab, so an edited line is detected.
type File struct {
	// Path is where the file was read or written.
	Path string
	// Root is the output root as recorded: relative to the folder of Path,
	// or absolute.
	Root string
	// BaseSHA256 is the hex SHA-256 of the base configuration.
	BaseSHA256 string
	// Swept lists the swept keys (axes, then seeds), the columns of the
	// collected table.
	Swept []string
	// Tasks are the tasks; Tasks[i].Index == i.
	Tasks []Task
}

// Task is one line of a task file.
type Task struct {
	Index     int
	Overrides []Override
	Dir       string // folder under the output root (slash-separated)
	Tag       string
	Sum       string // checksum of the line
}

// RootDir returns the output root as a path usable from the current
// directory.
func (f *File) RootDir() string {
	if filepath.IsAbs(f.Root) {
		return f.Root
	}
	return filepath.Join(filepath.Dir(f.Path), f.Root)
}

// BasePath returns the path of the sweep's copy of the base configuration.
func (f *File) BasePath() string { return filepath.Join(f.RootDir(), BaseName) }

// TaskDir returns the folder of task t.
func (f *File) TaskDir(t Task) string { return filepath.Join(f.RootDir(), filepath.FromSlash(t.Dir)) }

// lineSum is the checksum of a line's content.
func lineSum(content string) string {
	h := sha256.Sum256([]byte(content))
	return hex.EncodeToString(h[:8])
}

// taskLine is the line of task t without its sum.
func taskLine(t Task) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(t.Index))
	for _, o := range t.Overrides {
		b.WriteString("\t" + o.String())
	}
	b.WriteString("\t" + t.Dir + "\t" + t.Tag)
	return b.String()
}

// headerLine is the header of f without its sum.
func (f *File) headerLine() string {
	return fmt.Sprintf("%s\tversion=%d\troot=%s\tbase_sha256=%s\tswept=%s\ttasks=%d",
		fileMagic, fileVersion, f.Root, f.BaseSHA256, strings.Join(f.Swept, ","), len(f.Tasks))
}

// Marshal returns the file's text, computing every task's Sum.
func (f *File) Marshal() []byte {
	var b bytes.Buffer
	h := f.headerLine()
	b.WriteString(h + "\tsum=" + lineSum(h) + "\n")
	for i := range f.Tasks {
		l := taskLine(f.Tasks[i])
		f.Tasks[i].Sum = lineSum(l)
		b.WriteString(l + "\t" + f.Tasks[i].Sum + "\n")
	}
	return b.Bytes()
}

// ReadFile reads and checks a task file: the header, the count, every
// line's index and sum. Any mismatch is an error wrapping ErrInput that
// names the line.
func ReadFile(name string) (*File, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, inputError("task file: %v", err)
	}
	return Parse(name, data)
}

// Parse parses the text of the task file called name (see File).
func Parse(name string, data []byte) (*File, error) {
	bad := func(line int, format string, args ...any) error {
		return inputError("task file %s line %d: %s", name, line, fmt.Sprintf(format, args...))
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		return nil, inputError("task file %s is truncated (no line break at the end)", name)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	f := &File{Path: name}
	hf := strings.Split(lines[0], "\t")
	if hf[0] != fileMagic {
		return nil, bad(1, "not a binarynet task file (want a first line starting with %s)", fileMagic)
	}
	last := hf[len(hf)-1]
	content := strings.Join(hf[:len(hf)-1], "\t")
	if !strings.HasPrefix(last, "sum=") || last[4:] != lineSum(content) {
		return nil, bad(1, "checksum %q does not match the header: the file was edited", last)
	}
	fields := map[string]string{}
	for _, kv := range hf[1 : len(hf)-1] {
		k, v, _ := strings.Cut(kv, "=")
		fields[k] = v
	}
	if fields["version"] != strconv.Itoa(fileVersion) {
		return nil, bad(1, "format version %q, this binarynet reads %d", fields["version"], fileVersion)
	}
	f.Root = fields["root"]
	f.BaseSHA256 = fields["base_sha256"]
	if s := fields["swept"]; s != "" {
		f.Swept = strings.Split(s, ",")
	}
	n, err := strconv.Atoi(fields["tasks"])
	if err != nil || n < 0 || f.Root == "" || len(f.BaseSHA256) != 64 {
		return nil, bad(1, "malformed header")
	}
	if len(lines)-1 != n {
		return nil, inputError("task file %s has %d task lines, its header says %d: lines were added or removed", name, len(lines)-1, n)
	}
	f.Tasks = make([]Task, n)
	for i, l := range lines[1:] {
		lf := strings.Split(l, "\t")
		if len(lf) < 4 {
			return nil, bad(i+2, "malformed task line %q", l)
		}
		sum := lf[len(lf)-1]
		if sum != lineSum(strings.Join(lf[:len(lf)-1], "\t")) {
			return nil, bad(i+2, "checksum %s does not match the line: task %s was edited after the task file was written", sum, lf[0])
		}
		idx, err := strconv.Atoi(lf[0])
		if err != nil || idx != i {
			return nil, bad(i+2, "index %q, want %d", lf[0], i)
		}
		t := Task{Index: idx, Dir: lf[len(lf)-3], Tag: lf[len(lf)-2], Sum: sum}
		for _, kv := range lf[1 : len(lf)-3] {
			o, err := ParseOverride(kv)
			if err != nil {
				return nil, bad(i+2, "%v", err)
			}
			t.Overrides = append(t.Overrides, o)
		}
		if err := checkDir(t.Dir); err != nil {
			return nil, bad(i+2, "%v", err)
		}
		f.Tasks[i] = t
	}
	return f, nil
}

// checkDir reports whether dir is a clean relative slash path inside the
// root that is not hidden (hidden names are staging folders).
func checkDir(dir string) error {
	if dir == "" || dir != path.Clean(dir) || path.IsAbs(dir) || dir == "." ||
		dir == ".." || strings.HasPrefix(dir, "../") || strings.ContainsAny(dir, "\\\t\n") {
		return inputError("task folder %q is not a clean relative path inside the output root", dir)
	}
	for _, part := range strings.Split(dir, "/") {
		if strings.HasPrefix(part, ".") {
			return inputError("task folder %q has a hidden part %q", dir, part)
		}
	}
	return nil
}
