package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestIssue9NoTestAssertsDuration checks that no test of this package
// compares a wall time: TestRunDefault once failed under load because it
// asserted a run of at most 60 s. Timing belongs in benchmarks.
func TestIssue9NoTestAssertsDuration(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if ok && strings.HasPrefix(fn.Name.Name, "Benchmark") {
				return false
			}
			b, ok := n.(*ast.BinaryExpr)
			if !ok {
				return true
			}
			switch b.Op {
			case token.LSS, token.LEQ, token.GTR, token.GEQ:
			default:
				return true
			}
			for _, side := range []ast.Expr{b.X, b.Y} {
				if timing(side) {
					t.Errorf("%s: a test compares a duration", fset.Position(b.Pos()))
				}
			}
			return true
		})
	}
}

// timing reports whether e reads a wall time: a WallTime field, a
// time.Since or Sub call, or a Seconds method.
func timing(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			switch s.Sel.Name {
			case "WallTime", "Since", "Seconds", "Elapsed":
				found = true
			}
		}
		return !found
	})
	return found
}

// BenchmarkRunDefault times the default run of the quick start (2,010
// sweeps of the 5,001-unit clustered network) with its outputs.
func BenchmarkRunDefault(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		var stderr strings.Builder
		if code := cmdRun.execute(b.Context(), []string{"-out", dir, "-q"}, io.Discard, &stderr); code != 0 {
			b.Fatalf("exit status %d: %s", code, stderr.String())
		}
	}
}
