package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"

	"github.com/binarynet/binarynet/internal/atomicfile"
)

// writeFileAtomic writes data to name atomically (internal/atomicfile): a
// crash leaves either the old file or the new one, never a partial one
// under name.
func writeFileAtomic(name string, data []byte) error {
	return atomicfile.WriteFile(name, 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// syncDir fsyncs a folder, so that renames in it are durable.
func syncDir(dir string) error { return atomicfile.SyncDir(dir) }

// fileSHA256 returns the size and hex SHA-256 of a file's content.
func fileSHA256(name string) (int64, string, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
