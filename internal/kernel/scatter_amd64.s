//go:build !noasm && !gccgo && !safe

#include "textflag.h"

// ADD4 adds four entries of scatterAdd32, at byte offset off of the rows
// (SI) and values (DX): four row loads, then y[row] += ±value for each.
#define ADD4(off) \
	MOVL    off+0(SI), AX; \
	MOVL    off+4(SI), BX; \
	MOVL    off+8(SI), R11; \
	MOVL    off+12(SI), R12; \
	MOVSS   off+0(DX), X1; \
	XORPS   X0, X1; \
	ADDSS   (DI)(AX*4), X1; \
	MOVSS   X1, (DI)(AX*4); \
	MOVSS   off+4(DX), X2; \
	XORPS   X0, X2; \
	ADDSS   (DI)(BX*4), X2; \
	MOVSS   X2, (DI)(BX*4); \
	MOVSS   off+8(DX), X3; \
	XORPS   X0, X3; \
	ADDSS   (DI)(R11*4), X3; \
	MOVSS   X3, (DI)(R11*4); \
	MOVSS   off+12(DX), X4; \
	XORPS   X0, X4; \
	ADDSS   (DI)(R12*4), X4; \
	MOVSS   X4, (DI)(R12*4)

// GAP adds one entry of scatterGaps16: the code at byte offset off of SI
// advances the row DX, and y[row] += X0 through register x; code 0
// jumps to esc instead.
#define GAP(off, esc, x) \
	MOVWQZX off(SI), AX; \
	TESTQ   AX, AX; \
	JEQ     esc; \
	ADDQ    AX, DX; \
	MOVSS   (DI)(DX*4), x; \
	ADDSS   X0, x; \
	MOVSS   x, (DI)(DX*4)

// func scatterAdd32(sign uint32, rows []int32, vals []float32, y []float32, ahead unsafe.Pointer, aheadVals unsafe.Pointer, aheadLines int)
TEXT ·scatterAdd32(SB), NOSPLIT, $0-104
	MOVSS   sign+0(FP), X0          // X0 = sign mask: 0 or 1<<31
	MOVQ    rows_base+8(FP), SI     // SI = &rows[0]
	MOVQ    rows_len+16(FP), CX     // CX = len(rows)
	MOVQ    vals_base+32(FP), DX    // DX = &vals[0]
	MOVQ    y_base+56(FP), DI       // DI = &y[0]
	MOVQ    ahead+80(FP), R8        // R8 = next column rows to prefetch
	MOVQ    aheadVals+88(FP), R9    // R9 = next column values to prefetch
	MOVQ    aheadLines+96(FP), R10  // R10 = cache lines left to prefetch

loop16: // for len(rows) >= 16 {
	CMPQ    CX, $16
	JLT     tail
	TESTQ   R10, R10
	JEQ     body
	PREFETCHT0 (R8)                // one line of the next column per 16 entries
	PREFETCHT0 (R9)
	ADDQ    $64, R8
	ADDQ    $64, R9
	DECQ    R10

body: // y[rows[i]] += vals[i] with the sign of X0, i = 0..15
	ADD4(0)
	ADD4(16)
	ADD4(32)
	ADD4(48)
	ADDQ    $64, SI
	ADDQ    $64, DX
	SUBQ    $16, CX
	JMP     loop16

tail: // for the last len(rows) % 16 entries
	TESTQ   CX, CX
	JEQ     done

tail1:
	MOVL    (SI), AX
	MOVSS   (DX), X1
	XORPS   X0, X1
	ADDSS   (DI)(AX*4), X1
	MOVSS   X1, (DI)(AX*4)
	ADDQ    $4, SI
	ADDQ    $4, DX
	DECQ    CX
	JNE     tail1

done:
	RET

// func prefetchRange(p unsafe.Pointer, n uintptr)
TEXT ·prefetchRange(SB), NOSPLIT, $0-16
	MOVQ    p+0(FP), AX
	MOVQ    n+8(FP), CX
	ADDQ    AX, CX           // CX = end
	ANDQ    $~63, AX         // first line
prefetchLoop:
	CMPQ    AX, CX
	JAE     prefetchDone
	PREFETCHT0 (AX)
	ADDQ    $64, AX
	JMP     prefetchLoop
prefetchDone:
	RET

// func scatterGaps16(sign uint32, gaps []uint16, runs []int32, vals []float32, y []float32, ahead unsafe.Pointer, aheadLines int)
TEXT ·scatterGaps16(SB), NOSPLIT, $0-120
	MOVSS   sign+0(FP), X7          // X7 = sign mask: 0 or 1<<31
	MOVQ    gaps_base+8(FP), SI     // SI = next gap code
	MOVQ    runs_base+32(FP), R9    // R9 = next run length
	MOVQ    runs_len+40(FP), R10    // R10 = runs left
	MOVQ    vals_base+56(FP), R11   // R11 = next run value
	MOVQ    y_base+80(FP), DI       // DI = &y[0]
	MOVQ    ahead+104(FP), R14      // R14 = next line to prefetch
	MOVQ    aheadLines+112(FP), R15 // R15 = lines left to prefetch
	MOVQ    $4, R13                 // R13 = groups of 4 codes until the next prefetch
	MOVQ    $-1, DX                 // DX = current row

gapsRun: // for each run {
	TESTQ   R10, R10
	JEQ     gapsDone
	MOVL    (R9), CX                // CX = entries left in the run
	MOVSS   (R11), X0
	XORPS   X7, X0                  // X0 = ±value
	ADDQ    $4, R9
	ADDQ    $4, R11
	DECQ    R10

gapsLoop4: // for CX >= 4, four codes at a time, none of them an escape {
	CMPQ    CX, $4
	JLT     gapsTail
	DECQ    R13
	JNE     gapsBody
	MOVQ    $4, R13
	TESTQ   R15, R15
	JEQ     gapsBody
	PREFETCHT0 (R14)               // one line of the next column per 16 codes
	ADDQ    $64, R14
	DECQ    R15
gapsBody:
	GAP(0, gapsEsc0, X1)
	GAP(2, gapsEsc1, X2)
	GAP(4, gapsEsc2, X3)
	GAP(6, gapsEsc3, X4)
	ADDQ    $8, SI
	SUBQ    $4, CX
	JMP     gapsLoop4

// Code k of the four is an escape: account for the k entries done and
// continue one code at a time.
gapsEsc1:
	ADDQ    $2, SI
	SUBQ    $1, CX
	JMP     gapsOne
gapsEsc2:
	ADDQ    $4, SI
	SUBQ    $2, CX
	JMP     gapsOne
gapsEsc3:
	ADDQ    $6, SI
	SUBQ    $3, CX
	JMP     gapsOne
gapsEsc0:
gapsTail: // for CX > 0, one code at a time {
	TESTQ   CX, CX
	JEQ     gapsRun
gapsOne:
	MOVWQZX (SI), AX
	ADDQ    $2, SI
	TESTQ   AX, AX
	JNE     gapsAdd
	ADDQ    $65535, DX              // code 0: skip 65535 rows, add nothing
	JMP     gapsOne
gapsAdd:
	ADDQ    AX, DX
	MOVSS   (DI)(DX*4), X1
	ADDSS   X0, X1
	MOVSS   X1, (DI)(DX*4)
	DECQ    CX
	CMPQ    CX, $4
	JGE     gapsLoop4
	JMP     gapsTail

gapsDone:
	RET

// func prefetchWrite(a, b unsafe.Pointer)
TEXT ·prefetchWrite(SB), NOSPLIT, $0-16
	MOVQ    a+0(FP), AX
	MOVQ    b+8(FP), BX
	BYTE $0x0F; BYTE $0x0D; BYTE $0x08 // PREFETCHW (AX)
	BYTE $0x0F; BYTE $0x0D; BYTE $0x0B // PREFETCHW (BX)
	RET
