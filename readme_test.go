package binarynet_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeGoBlocks returns the bodies of the ```go blocks of a Markdown
// text, with the line each starts on.
func readmeGoBlocks(text string) (blocks []string, lines []int) {
	var cur []string
	in := false
	for k, line := range strings.Split(text, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
			lines = append(lines, k+2)
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks, lines
}

// TestREADMESnippets checks that every Go snippet of README.md is code that
// compiles and runs: each must appear verbatim, indented by one tab, in a
// test file of this package, where it is part of a runnable example
// (example_readme_test.go holds them).
func TestREADMESnippets(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var tests strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests.Write(b)
		tests.WriteByte('\n')
	}
	all := tests.String()
	blocks, lines := readmeGoBlocks(string(readme))
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go snippet")
	}
	for k, b := range blocks {
		src := strings.Split(b, "\n")
		for i, line := range src {
			if line != "" {
				src[i] = "\t" + line
			}
		}
		if !strings.Contains(all, "\n"+strings.Join(src, "\n")+"\n") {
			t.Errorf("README.md line %d: the Go snippet starting %q is not in an example of this package (copy it into example_readme_test.go)", lines[k], strings.TrimSpace(strings.SplitN(b, "\n", 2)[0]))
		}
	}
}

func TestReadmeGoBlocks(t *testing.T) {
	t.Parallel()
	blocks, lines := readmeGoBlocks("x\n```go\na\n\tb\n```\n\n```\nshell\n```\n```go\nc\n```\n")
	if len(blocks) != 2 || blocks[0] != "a\n\tb" || blocks[1] != "c" || lines[0] != 3 || lines[1] != 11 {
		t.Errorf("blocks %q at lines %v", blocks, lines)
	}
}
