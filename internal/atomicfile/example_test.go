package atomicfile_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/binarynet/binarynet/internal/atomicfile"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello.txt")
	err = atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "hello")
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output: hello
}

func ExampleCreate() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "counts.txt")
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Abort() // discards the file unless Commit succeeded
	for i := range 3 {
		if _, err := fmt.Fprintln(f, i); err != nil {
			log.Fatal(err)
		}
	}
	if err := f.Commit(); err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// 0
	// 1
	// 2
}
