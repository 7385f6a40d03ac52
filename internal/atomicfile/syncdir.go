package atomicfile

// SyncDir syncs the directory dir so that a rename in it (of a file or of
// a whole directory) is durable. As for WriteFile, systems that cannot
// sync a directory are not an error.
func SyncDir(dir string) error { return syncDir(dir) }
