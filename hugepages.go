package binarynet

// hugeMin is the size from which allocHuge maps an array of its own:
// below it, the few page walks cost less than a mapping.
const hugeMin = 4 << 20

// hugeSlack bounds the bytes a mapping of allocHuge takes beyond its
// array: one huge page to align the start, one to round up the end.
const hugeSlack = 2 * hugePage

// hugePage is the size of a transparent huge page on Linux on amd64 and
// arm64.
const hugePage = 2 << 20
