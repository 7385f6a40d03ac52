package kernel

// HugeMin is the size in bytes from which AllocHuge maps an array of its own:
// below it, the few page walks cost less than a mapping.
const HugeMin = 4 << 20

// HugeSlack bounds the bytes a mapping of AllocHuge takes beyond its
// array: one huge page to align the start, one to round up the end.
const HugeSlack = 2 * hugePage

// hugePage is the size of a transparent huge page on Linux on amd64 and
// arm64.
const hugePage = 2 << 20
